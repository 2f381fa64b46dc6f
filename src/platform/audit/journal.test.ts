import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { systemActor } from '../auth/policy.ts';
import type { AuditAction } from './actions.ts';
import { audit, CHAIN_LOCK, sealJournal, verifyChain } from './journal.ts';

/** Codes no module declares, for the chain's own tests: `audit()` takes them only through this cast. */
const testAction = (code: `test.${string}`) => code as AuditAction;

describe('audit journal', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
    for (let i = 0; i < 5; i++) {
      await audit(t.db, {
        actor: systemActor('test'),
        action: testAction('test.event'),
        subject: { type: 'n', id: i },
        details: { i, nested: { b: 1, a: [i] } },
      });
    }
  });

  test('entries join the chain when sealed, in the order they were written', async () => {
    assert.deepEqual(await verifyChain(t.db), { ok: true, count: 0 });
    assert.equal(await sealJournal(t.db, { batchSize: 2 }), 5);
    const rows = await t.db
      .selectFrom('audit_event')
      .select(['id', 'seq', 'prev_hash', 'hash'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1, 2, 3, 4, 5],
    );
    assert.equal(rows[1]!.prev_hash, rows[0]!.hash);
    assert.equal(await sealJournal(t.db), 0);
  });
  after(() => t.close());

  test('an untouched chain verifies', async () => {
    assert.deepEqual(await verifyChain(t.db), { ok: true, count: 5 });
  });

  test('the database itself refuses to update or delete an entry', async () => {
    await assert.rejects(sql`update audit_event set action = 'x' where id = 2`.execute(t.db), /ajout seul/);
    await assert.rejects(sql`delete from audit_event where id = 2`.execute(t.db), /ajout seul/);
    // A sealed entry cannot be sealed again (to rewrite its hashes) nor unsealed.
    await assert.rejects(sql`update audit_event set hash = 'x' where id = 2`.execute(t.db), /ajout seul/);
    await assert.rejects(sql`update audit_event set seq = null where id = 2`.execute(t.db), /ajout seul/);
    assert.deepEqual(await verifyChain(t.db), { ok: true, count: 5 });
  });

  test('events written inside a transaction commit or roll back with it', async () => {
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await audit(trx, { actor: systemActor('test'), action: testAction('test.rolled-back') });
        throw new Error('abort');
      }),
    );
    const rows = await t.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'test.rolled-back')
      .execute();
    assert.equal(rows.length, 0);
  });

  test('sealing may not change what an unsealed entry records', async () => {
    await audit(t.db, { actor: systemActor('test'), action: testAction('test.late') });
    await assert.rejects(
      sql`update audit_event set seq = 99, prev_hash = 'a', hash = 'b', action = 'x' where seq is null`.execute(
        t.db,
      ),
      /ajout seul/,
    );
    assert.equal(await sealJournal(t.db), 1);
    assert.deepEqual(await verifyChain(t.db), { ok: true, count: 6 });
  });

  test('sealers running at once never fork the chain', async () => {
    for (let i = 0; i < 40; i++)
      await audit(t.db, { actor: systemActor('test'), action: testAction('test.burst') });
    const counts = await Promise.all([
      sealJournal(t.db, { batchSize: 7 }),
      sealJournal(t.db, { batchSize: 7 }),
      sealJournal(t.db, { batchSize: 7 }),
    ]);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      40,
    );
    assert.deepEqual(await verifyChain(t.db), { ok: true, count: 46 });
  });

  test('a periodic sealer leaves the work to the process already sealing, and does not wait for it', async (t2) => {
    if (t.kind === 'pglite') return t2.skip('PGlite has one connection: no other process can hold the lock');
    await audit(t.db, { actor: systemActor('test'), action: testAction('test.attente') });
    await t.db.transaction().execute(async (trx) => {
      // Another process is sealing: it holds the chain's lock until its transaction ends.
      await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
      assert.equal(await sealJournal(t.db, { skipIfBusy: true }), 0);
    });
    assert.equal(await sealJournal(t.db, { skipIfBusy: true }), 1);
    assert.deepEqual(await verifyChain(t.db), { ok: true, count: 47 });
  });

  // Every recorded field is covered by the hash, not only `details`.
  const FIELDS: [string, string][] = [
    ['at', `at = at - interval '1 hour'`],
    ['actor_user_id', `actor_user_id = '00000000-0000-4000-8000-000000000000'`],
    ['actor_label', `actor_label = 'quelqu.un@exemple.fr'`],
    ['action', `action = 'lieux.create'`],
    ['collectivite_id', 'collectivite_id = 2'],
    ['subject_type', `subject_type = 'personne'`],
    ['subject_id', `subject_id = 'autre'`],
    ['ip', `ip = '198.51.100.7'`],
  ];
  for (const [field, change] of FIELDS) {
    test(`a change of ${field} behind the trigger breaks the chain at that entry`, async () => {
      const target = await t.db
        .selectFrom('audit_event')
        .select('id')
        .where('seq', 'is not', null)
        .orderBy('seq')
        .offset(1)
        .limit(1)
        .executeTakeFirstOrThrow();
      await sql`alter table audit_event disable trigger audit_event_no_change`.execute(t.db);
      const row = await t.db
        .selectFrom('audit_event')
        .selectAll()
        .where('id', '=', target.id)
        .executeTakeFirstOrThrow();
      await sql.raw(`update audit_event set ${change} where id = ${target.id}`).execute(t.db);
      const check = await verifyChain(t.db);
      assert.equal(!check.ok && check.brokenAt, target.id, field);
      assert.match(!check.ok ? check.reason : '', /entrée modifiée/);
      await t.db
        .updateTable('audit_event')
        .set({
          at: row.at,
          actor_user_id: row.actor_user_id,
          actor_label: row.actor_label,
          action: row.action,
          collectivite_id: row.collectivite_id,
          subject_type: row.subject_type,
          subject_id: row.subject_id,
          ip: row.ip,
        })
        .where('id', '=', target.id)
        .execute();
      await sql`alter table audit_event enable trigger audit_event_no_change`.execute(t.db);
      assert.equal((await verifyChain(t.db)).ok, true, `${field}: put back`);
    });
  }

  test('an entry changed behind the trigger breaks the chain at that entry', async () => {
    // Someone with the database owner's rights disables the guard and rewrites history.
    await sql`alter table audit_event disable trigger audit_event_no_change`.execute(t.db);
    await sql`update audit_event set details = '{"i": 99}' where id = 3`.execute(t.db);
    await sql`alter table audit_event enable trigger audit_event_no_change`.execute(t.db);
    const check = await verifyChain(t.db);
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.brokenAt, 3);
    assert.equal(check.count, 2);
  });

  test('a deleted entry breaks the chain at the next one', async () => {
    await sql`alter table audit_event disable trigger audit_event_no_change`.execute(t.db);
    await sql`update audit_event set details = '{"i": 2, "nested": {"a": [2], "b": 1}}' where id = 3`.execute(
      t.db,
    );
    await sql`delete from audit_event where id = 4`.execute(t.db);
    await sql`alter table audit_event enable trigger audit_event_no_change`.execute(t.db);
    const check = await verifyChain(t.db);
    assert.equal(!check.ok && check.brokenAt, 5);
    assert.match(!check.ok ? check.reason : '', /supprimée ou insérée/);
  });
});
