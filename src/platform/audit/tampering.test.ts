import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Selectable, sql } from 'kysely';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import {
  type Account,
  givenBeneficiary,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { createTestDatabase } from '../../../test/helpers/database.ts';
import { behindTheTrigger, recomputeChain } from '../../../test/helpers/journal.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { SIGNATURE_START, sealJournal, verifyChain } from './journal.ts';

/**
 * The journal of a running application (entries written by the modules for real people, places
 * and collectivités, sealed and signed with the audit key) rewritten by someone with the
 * database owner's rights, field by field: the chain check names the rewritten entry when only
 * the field changed, and the signatures still name it when the whole chain is recomputed.
 */

const KEY = 'cle-du-journal-des-tests-hors-de-la-base-0123456789';

type Row = Selectable<Database['audit_event']>;

describe('journal rewritten behind the trigger, field by field', () => {
  let t: TestApp;
  let db: Db;
  let helper: TestHelper;
  let coordinator: Account & { collectiviteId: number };
  let original: Row[];
  /** The entry the forger rewrites: a helper recording a person they help. */
  let target: Row;

  before(async () => {
    t = await createTestApp();
    db = t.db.db;
    helper = await givenHelper(t, { places: 1 });
    coordinator = await givenCoordinator(t);
    // The key comes later in the instance's life: the entries so far stay signed by the chain alone.
    await sealJournal(db);
    await sealJournal(db, { key: KEY });
    const opened = await db
      .selectFrom('audit_event')
      .select('seq')
      .where('action', '=', SIGNATURE_START)
      .executeTakeFirstOrThrow();
    await new Client(t.app, { ip: '192.0.2.10' }).signIn(helper.email, helper.password, helper.totpSecret);
    await givenBeneficiary(t, helper, { prenom: 'Odette', nom: 'Blanc' });
    await new Client(t.app, { ip: '192.0.2.11' }).signIn(
      coordinator.email,
      coordinator.password,
      coordinator.totpSecret,
    );
    await givenCollectivite(t);
    await sealJournal(db, { key: KEY });
    original = await db.selectFrom('audit_event').selectAll().orderBy('seq').execute();
    target = original.find((row) => row.action === 'beneficiaire.create')!;
    assert.ok(target, 'the helper’s entry');
    assert.ok(target.seq! > opened.seq! && target.mac !== null, 'signed');
    assert.ok(original.at(-1)!.seq! >= target.seq! + 2, 'entries after it');
    assert.ok(
      original.every((row) => row.seq !== null),
      'every entry sealed',
    );
    assert.deepEqual(await verifyChain(db, { key: KEY }), {
      ok: true,
      count: original.length,
      signedFrom: opened.seq,
    });
  });
  after(() => t.close());

  /** Every entry as it was sealed. */
  async function putBack(): Promise<void> {
    await behindTheTrigger(db, async () => {
      // Positions are unique: free them all first (an entry may have been moved).
      await sql`update audit_event set seq = null`.execute(db);
      for (const { id, ...row } of original)
        await db
          .updateTable('audit_event')
          .set({ ...row, details: JSON.stringify(row.details) } as never) // sealed columns: the trigger is off
          .where('id', '=', id)
          .execute();
    });
    assert.equal((await verifyChain(db, { key: KEY })).ok, true, 'put back');
  }

  // What a forger would change: when it happened, who did it, what, where, on what, from where.
  const FIELDS: [field: string, change: () => Promise<unknown>][] = [
    ['at', () => sql`update audit_event set at = at - interval '3 days' where id = ${target.id}`.execute(db)],
    [
      'actor_user_id',
      () => sql`update audit_event set actor_user_id = ${coordinator.id} where id = ${target.id}`.execute(db),
    ],
    [
      'actor_label',
      () =>
        sql`update audit_event set actor_label = ${coordinator.email} where id = ${target.id}`.execute(db),
    ],
    [
      'action',
      () => sql`update audit_event set action = 'beneficiaire.erase' where id = ${target.id}`.execute(db),
    ],
    [
      'collectivite_id',
      () =>
        sql`update audit_event set collectivite_id = ${coordinator.collectiviteId} where id = ${target.id}`.execute(
          db,
        ),
    ],
    [
      'subject_type',
      () => sql`update audit_event set subject_type = 'lieu' where id = ${target.id}`.execute(db),
    ],
    [
      'subject_id',
      () => sql`update audit_event set subject_id = ${helper.places[0]} where id = ${target.id}`.execute(db),
    ],
    ['ip', () => sql`update audit_event set ip = '198.51.100.7' where id = ${target.id}`.execute(db)],
    [
      'details',
      () => sql`update audit_event set details = '{"motif": "aucun"}' where id = ${target.id}`.execute(db),
    ],
  ];

  for (const [field, change] of FIELDS) {
    test(`${field} changed: the chain breaks at that entry`, async () => {
      await behindTheTrigger(db, change);
      for (const key of [undefined, KEY]) {
        const check = await verifyChain(db, { key });
        assert.equal(!check.ok && check.brokenAt, target.id, `${field}, key: ${Boolean(key)}`);
        assert.match(!check.ok ? check.reason : '', /entrée modifiée/);
      }
      await putBack();
    });

    test(`${field} changed and the chain recomputed: the signature names that entry`, async () => {
      await behindTheTrigger(db, async () => {
        await change();
        await recomputeChain(db);
      });
      // The chain alone has no secret: recomputed, it holds again.
      assert.equal((await verifyChain(db)).ok, true);
      const check = await verifyChain(db, { key: KEY });
      assert.equal(!check.ok && check.brokenAt, target.id, field);
      assert.match(!check.ok ? check.reason : '', /signature ne correspond pas/);
      await putBack();
    });
  }

  test('two entries swapped in the order: the chain breaks, recomputed the signatures do', async () => {
    const [a, b] = [target, original.find((row) => row.seq === target.seq! + 1)!];
    const swap = () =>
      behindTheTrigger(db, async () => {
        await sql`update audit_event set seq = null where id in (${a.id}, ${b.id})`.execute(db);
        await sql`update audit_event set seq = ${a.seq} where id = ${b.id}`.execute(db);
        await sql`update audit_event set seq = ${b.seq} where id = ${a.id}`.execute(db);
      });
    await swap();
    const check = await verifyChain(db);
    assert.equal(!check.ok && check.brokenAt, b.id);
    assert.match(!check.ok ? check.reason : '', /supprimée ou insérée/);
    await behindTheTrigger(db, () => recomputeChain(db));
    assert.equal((await verifyChain(db)).ok, true);
    const signed = await verifyChain(db, { key: KEY });
    assert.equal(!signed.ok && signed.brokenAt, b.id);
    await putBack();
  });
});

describe('the first seal with the key', () => {
  // An entry still waiting to be sealed when a sealer first runs with RELAIS_AUDIT_KEY (a request
  // in the server's first second with the key) is sealed unsigned, before the entry that opens
  // the signatures.
  test('entries waiting at that moment still give a journal that verifies', async () => {
    const t = await createTestDatabase();
    try {
      await givenCollectivite(t);
      await sealJournal(t.db, { key: KEY });
      assert.equal((await verifyChain(t.db, { key: KEY })).ok, true);
    } finally {
      await t.close();
    }
  });
});
