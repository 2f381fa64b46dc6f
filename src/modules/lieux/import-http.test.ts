import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generatePlacesCsv } from '../../../bench/lieux-data.ts';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { givenAdmin } from '../../../test/helpers/builders.ts';

/**
 * A large import through the web form must not hold the server: public requests made while it
 * runs are answered while it runs (PGlite has one connection and runs in this thread, so a
 * long synchronous parse or one long transaction would make them all wait for the end).
 */
describe('a large places import and the public directory at the same time', () => {
  let t: TestApp;
  let admin: Client;
  before(async () => {
    t = await createTestApp();
    const account = await givenAdmin(t);
    admin = new Client(t.app);
    await admin.signIn(account.email, account.password, account.totpSecret);
  });
  after(() => t.close());

  test('public searches keep being answered during the import', async () => {
    const { csv, rows } = generatePlacesCsv(3000);
    await admin.get('/admin/lieux/import');
    let importing = true;
    const imported = admin
      .postMultipart(
        '/admin/lieux/import',
        { collectivite: '' },
        { name: 'fichier', bytes: Buffer.from(csv), filename: 'lieux.csv' },
      )
      .finally(() => {
        importing = false;
      });
    // One public search after another, for as long as the import runs.
    const visitor = new Client(t.app);
    let answeredDuringImport = 0;
    while (importing) {
      const res = await visitor.get('/lieux?q=numerique');
      assert.equal(res.statusCode, 200);
      if (importing) answeredDuringImport++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await imported;
    assert.equal(res.statusCode, 303, res.body);
    const count = await t.db.db
      .selectFrom('lieu')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('import_source', '=', 'lieux.csv')
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), rows);
    assert.ok(answeredDuringImport >= 5, `${answeredDuringImport} search(es) answered during the import`);
  });
});
