import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { createLogger } from '../logger.ts';
import { announceChange, cachedPerDatabase, listenForChanges } from './changes.ts';
import { type DatabaseHandle, openDatabase } from './database.ts';

const waitFor = async (check: () => Promise<boolean>, what: string) => {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`still waiting: ${what}`);
};

describe('caches that follow the changes of every process', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
    await database.db
      .insertInto('platform_setting')
      .values({ key: 'essai.couleur', value: 'bleu' })
      .execute();
  });
  after(() => database.close());

  const colour = cachedPerDatabase('essai.couleur', 60_000, async (db) => {
    const row = await db
      .selectFrom('platform_setting')
      .select('value')
      .where('key', '=', 'essai.couleur')
      .executeTakeFirstOrThrow();
    return row.value;
  });
  const setColour = (value: string) =>
    database.db.updateTable('platform_setting').set({ value }).where('key', '=', 'essai.couleur').execute();

  test('a value is kept until its topic is announced; then it is read again', async () => {
    assert.equal(await colour.get(database.db), 'bleu');
    await setColour('vert');
    assert.equal(await colour.get(database.db), 'bleu', 'kept');
    await announceChange(database.db, 'autre.sujet');
    assert.equal(await colour.get(database.db), 'bleu', 'another topic changes nothing');
    await announceChange(database.db, 'essai.couleur');
    assert.equal(await colour.get(database.db), 'vert');
  });

  test('on a server, another process’s announcement reaches this one, also after its connection was cut', async (t) => {
    const url = database.env.DATABASE_URL;
    if (!url) return t.skip('PGlite serves one process: nothing to hear from another');
    // A second handle on the same database stands for the other process.
    const other: DatabaseHandle = await openDatabase({ databaseUrl: url, poolSize: 1 });
    const listening = await listenForChanges(database.db, url, createLogger('silent'));
    t.after(async () => {
      await listening.stop();
      await other.close();
    });
    await setColour('rouge');
    await announceChange(database.db, 'essai.couleur');
    assert.equal(await colour.get(database.db), 'rouge');

    await setColour('jaune');
    await announceChange(other.db, 'essai.couleur');
    await waitFor(async () => (await colour.get(database.db)) === 'jaune', 'the other process’s change');

    // The listening connection is cut (a server restart, a proxy's timeout): changes made
    // meanwhile cannot be heard, so everything kept is forgotten once it is back.
    await setColour('violet');
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
              where application_name = 'relais-changes' and datname = current_database()`.execute(other.db);
    await waitFor(async () => (await colour.get(database.db)) === 'violet', 'forgotten after reconnecting');
    await setColour('orange');
    await announceChange(other.db, 'essai.couleur');
    await waitFor(async () => (await colour.get(database.db)) === 'orange', 'heard after reconnecting');
  });
});
