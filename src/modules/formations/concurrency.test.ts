import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testConfig } from '../../../test/helpers/app.ts';
import { givenCollectivite, givenCoordinator } from '../../../test/helpers/builders.ts';
import { createTestDatabase, dbKind, type TestDatabase } from '../../../test/helpers/database.ts';
import { type Actor, systemActor } from '../../platform/auth/policy.ts';
import { cancelRegistration, createSession, createType, register } from './service.ts';

/**
 * The database holds the capacity: 50 helpers registering at once for 10 seats give exactly 10
 * registered and 40 waiting, on PostgreSQL with a pool of connections as on PGlite. Cancelling
 * while others register never loses nor doubles a seat.
 */
/** PGlite has one connection, so requests queue there anyway: fewer of them keep the PGlite pass short. */
const PEOPLE = dbKind === 'postgres' ? 50 : 20;
const WAITING = PEOPLE - 10;

describe('formations: seats under concurrency', () => {
  let t: TestDatabase;
  let helpers: { id: string; actor: Actor & { kind: 'user' } }[] = [];
  let sessionId = '';

  before(async () => {
    t = await createTestDatabase();
    const c = await givenCollectivite(t.db, { code: '69266' });
    const coordinator = await givenCoordinator(t.db, { collectivite: c });
    // 50 helpers straight in SQL: accounts nobody signs in with need no password (hashing 50 takes seconds).
    const users = await t.db
      .insertInto('app_user')
      .values(
        Array.from({ length: PEOPLE }, (_, i) => ({
          email: `aidant-${i}@concurrence.example`,
          name: `Aidant ${i}`,
          password_hash: null,
          totp_secret: null,
          totp_last_step: null,
          codes_locked_until: null,
        })),
      )
      .returning('id')
      .execute();
    await t.db
      .insertInto('membership')
      .values(users.map((u) => ({ user_id: u.id, role: 'mediateur' as const, collectivite_id: c.id })))
      .execute();
    helpers = users.map((u, i) => ({
      id: u.id,
      actor: {
        kind: 'user' as const,
        userId: u.id,
        email: `aidant-${i}@concurrence.example`,
        name: `Aidant ${i}`,
        memberships: [{ role: 'mediateur' as const, collectiviteId: c.id }],
        activeCollectiviteId: c.id,
      },
    }));
    const type = await createType(t.db, systemActor('test'), {
      titre: 'Concurrence',
      objectifs: 'o',
      programme: 'p',
      duree_heures: 3.5,
      modalite: 'presentiel',
      publics: ['mediateur'],
      certifiante: true,
      habilitante: false,
    });
    assert.ok(type.ok);
    const typeRow = await t.db.selectFrom('formation_type').select('id').executeTakeFirstOrThrow();
    const start = new Date(Date.now() + 10 * 86_400_000);
    const created = await createSession(t.db, coordinator.actor, {
      type_id: typeRow.id,
      halfDays: [{ starts_at: start, ends_at: new Date(start.getTime() + 3 * 3_600_000) }],
      capacite: 10,
      lieu_libelle: 'Salle',
      intra: false,
      formateurs: [],
    });
    assert.ok(created.ok);
    sessionId = created.id;
  });
  after(() => t.close());

  const counts = async () => {
    const rows = await t.db
      .selectFrom('formation_inscription')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('session_id', '=', sessionId)
      .groupBy('status')
      .execute();
    const session = await t.db
      .selectFrom('formation_session')
      .select('places_prises')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    return {
      ...Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
      places_prises: session.places_prises,
    };
  };

  test(`${PEOPLE} parallel registrations for 10 seats give exactly 10 registered`, async () => {
    const results = await Promise.all(
      helpers.map((h) => register(t.db, testConfig, h.actor, sessionId, h.id)),
    );
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(await counts(), { inscrit: 10, liste_attente: WAITING, places_prises: 10 });
    // The same people again, at once: every one refused, nothing changed.
    const again = await Promise.all(helpers.map((h) => register(t.db, testConfig, h.actor, sessionId, h.id)));
    assert.ok(again.every((r) => !r.ok && r.status === 409));
    assert.deepEqual(await counts(), { inscrit: 10, liste_attente: WAITING, places_prises: 10 });
  });

  test('5 cancellations at once offer exactly 5 seats, in the order people waited', async () => {
    const registered = await t.db
      .selectFrom('formation_inscription')
      .select(['id', 'user_id'])
      .where('session_id', '=', sessionId)
      .where('status', '=', 'inscrit')
      .limit(5)
      .execute();
    const byUser = new Map(helpers.map((h) => [h.id, h]));
    const results = await Promise.all(
      registered.map((r) => cancelRegistration(t.db, testConfig, byUser.get(r.user_id)!.actor, r.id)),
    );
    assert.ok(results.every((r) => r.ok && r.value.offered));
    const offered = await t.db
      .selectFrom('formation_inscription')
      .select('created_at')
      .where('session_id', '=', sessionId)
      .where('offered_at', 'is not', null)
      .orderBy('created_at')
      .execute();
    const firstWaiting = await t.db
      .selectFrom('formation_inscription')
      .select('created_at')
      .where('session_id', '=', sessionId)
      .where('status', '=', 'liste_attente')
      .orderBy('created_at')
      .limit(5)
      .execute();
    assert.deepEqual(offered, firstWaiting);
    assert.deepEqual(await counts(), { inscrit: 5, liste_attente: WAITING, annule: 5, places_prises: 10 });
  });
});
