import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { audit } from '../../src/platform/audit/journal.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { type CliDatabase, openCliDatabase } from '../helpers/cli.ts';
import { behindTheTrigger, recomputeChain } from '../helpers/journal.ts';

/**
 * `relais audit verify` against someone who holds the application's database rights: they can
 * disable the append-only trigger, rewrite entries and recompute the hash chain (its algorithm
 * is public), but not the signatures made with RELAIS_AUDIT_KEY, which lives outside the database.
 */

const KEY = 'cle-du-journal-hors-base-de-donnees-0123456789';

const entries = (db: Db, n: number, prefix: string) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      audit(db, {
        actor: { kind: 'system', label: 'test' },
        action: 'lieux.update',
        collectiviteId: 1,
        subject: { type: 'lieu', id: `${prefix}-${i}` },
        ip: '192.0.2.1',
        details: { i },
      }),
    ),
  );

describe('command line: audit verify against a rewritten journal', () => {
  let cli: CliDatabase;
  const verify = (key?: string) => cli.run(['audit', 'verify'], key ? { RELAIS_AUDIT_KEY: key } : {});
  const withDatabase = <T>(work: (db: Db) => Promise<T>) => work(cli.db);

  before(async () => {
    cli = await openCliDatabase();
    // Entries sealed before any key existed.
    await entries(cli.db, 4, 'avant');
    assert.equal((await verify()).code, 0);
  });
  after(() => cli.close());

  test('with the key: entries from before it keep verifying, new ones are signed', async () => {
    const first = await verify(KEY);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Journal intact/);
    assert.match(first.stdout, /Entrées signées à partir de la position \d+/);
    await withDatabase((db) => entries(db, 4, 'apres'));
    const again = await verify(KEY);
    assert.equal(again.code, 0, again.stderr);
    const signed = await withDatabase((db) =>
      db
        .selectFrom('audit_event')
        .select(['action', 'mac'])
        .where('seq', 'is not', null)
        .orderBy('seq')
        .execute(),
    );
    assert.deepEqual(
      signed.map((e) => [e.action, e.mac !== null]),
      [
        ...Array.from({ length: signed.length - 5 }, () => [signed[0]!.action, false]),
        ['audit.signature.start', true],
        ...Array.from({ length: 4 }, () => ['lieux.update', true]),
      ],
    );
    // Without the key, a command does not seal after signed entries.
    await withDatabase((db) => entries(db, 1, 'sans-cle'));
    assert.equal((await verify()).code, 0);
    const unsealed = await withDatabase((db) =>
      db.selectFrom('audit_event').select('id').where('seq', 'is', null).execute(),
    );
    assert.equal(unsealed.length, 1);
    assert.equal((await verify(KEY)).code, 0);
  });

  test('an entry rewritten and the whole chain recomputed: the signature gives it away', async () => {
    const snapshot = await withDatabase(async (db) => {
      const target = await db
        .selectFrom('audit_event')
        .select('id')
        .where('subject_id', '=', 'apres-2')
        .executeTakeFirstOrThrow();
      const before = await db.selectFrom('audit_event').select(['id', 'prev_hash', 'hash', 'mac']).execute();
      await behindTheTrigger(db, async () => {
        await sql`update audit_event set details = '{"i": 99}' where id = ${target.id}`.execute(db);
        await recomputeChain(db);
      });
      return { target: target.id, before };
    });
    // The plain chain is intact again: without the key, nothing shows.
    assert.equal((await verify()).code, 0);
    const res = await verify(KEY);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      new RegExp(`l’entrée n° ${snapshot.target} est la première en défaut, sa signature`),
    );

    // Stripping every signature (and recomputing) does not hide it either.
    await withDatabase((db) =>
      behindTheTrigger(db, () => sql`update audit_event set mac = null`.execute(db)),
    );
    const stripped = await verify(KEY);
    assert.equal(stripped.code, 1);
    assert.match(stripped.stderr, /n’est pas signée alors qu’elle devrait l’être/);

    // Put the journal back as it was for the next tests.
    await withDatabase((db) =>
      behindTheTrigger(db, async () => {
        await sql`update audit_event set details = '{"i": 2}' where id = ${snapshot.target}`.execute(db);
        // The sealer, finding the last entry unsigned, opened the signatures again: drop that entry.
        const ids = snapshot.before.map((row) => row.id);
        await db.deleteFrom('audit_event').where('id', 'not in', ids).execute();
        for (const row of snapshot.before) {
          await sql`update audit_event set prev_hash = ${row.prev_hash}, hash = ${row.hash}, mac = ${row.mac} where id = ${row.id}`.execute(
            db,
          );
        }
      }),
    );
  });

  test('the journal put back as it was verifies again', async () => {
    const res = await verify(KEY);
    assert.equal(res.code, 0, res.stderr);
  });
});
