import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { ANONYMOUS, systemActor } from './policy.ts';
import { actorFromBearer, createToken, listTokens, resolveToken, revokeToken } from './tokens.ts';
import { createUser } from './users.ts';

describe('API tokens', () => {
  let t: TestDatabase;
  let userId = '';
  before(async () => {
    t = await createTestDatabase();
    userId = await createUser(t.db, {
      email: 'integration@example.org',
      name: 'Intégration',
      memberships: [{ role: 'admin', collectiviteId: null }],
    });
  });
  after(() => t.close());

  const events = (action: string) =>
    t.db.selectFrom('audit_event').selectAll().where('action', '=', action).orderBy('id').execute();
  const row = (token: string) =>
    t.db
      .selectFrom('api_token')
      .selectAll()
      .where('token_hash', '=', createHash('sha256').update(token).digest('hex'))
      .executeTakeFirstOrThrow();

  test('a new token is `relais_` and 32 random bytes, and only its SHA-256 is stored', async () => {
    const token = await createToken(t.db, userId, 'tableau de bord');
    assert.match(token, /^relais_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(await createToken(t.db, userId, 'autre'), token);
    const stored = await row(token);
    assert.equal(stored.name, 'tableau de bord');
    assert.equal(stored.last_used_at, null);
    assert.ok(!JSON.stringify(await t.db.selectFrom('api_token').selectAll().execute()).includes(token));
  });

  test('a token resolves to the same actor as a session, with the memberships', async () => {
    const actor = await resolveToken(t.db, await createToken(t.db, userId, 'acteur'));
    assert.deepEqual(actor, {
      kind: 'user',
      userId,
      email: 'integration@example.org',
      name: 'Intégration',
      memberships: [{ role: 'admin', collectiviteId: null }],
      activeCollectiviteId: null,
    });
  });

  test('an unknown or malformed token resolves to nobody', async () => {
    assert.equal(await resolveToken(t.db, `relais_${'A'.repeat(43)}`), null);
    assert.equal(await resolveToken(t.db, 'pas-un-jeton'), null);
  });

  test('the last use is written at most once a minute', async () => {
    const token = await createToken(t.db, userId, 'horloge');
    const start = new Date('2026-12-01T10:00:00Z');
    await resolveToken(t.db, token, start);
    assert.deepEqual((await row(token)).last_used_at, start);
    await resolveToken(t.db, token, new Date(start.getTime() + 30_000));
    assert.deepEqual((await row(token)).last_used_at, start);
    const later = new Date(start.getTime() + 61_000);
    await resolveToken(t.db, token, later);
    assert.deepEqual((await row(token)).last_used_at, later);
  });

  test('a revoked token stops working; revoking is journaled once', async () => {
    const token = await createToken(t.db, userId, 'à révoquer');
    const { id } = await row(token);
    assert.equal(await revokeToken(t.db, id, systemActor('test')), true);
    assert.equal(await resolveToken(t.db, token), null);
    assert.equal(await revokeToken(t.db, id), false, 'already revoked');
    assert.equal(await revokeToken(t.db, 'pas-un-uuid'), false);
    const revoked = (await events('token.revoke')).filter((e) => e.subject_id === id);
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0]!.actor_label, 'test');
  });

  test('creation is journaled, without the token', async () => {
    const token = await createToken(t.db, userId, 'journalisé');
    const { id } = await row(token);
    const [created] = (await events('token.create')).filter((e) => e.subject_id === id);
    assert.equal(created?.actor_label, 'cli');
    assert.deepEqual(created?.details, { user: userId, name: 'journalisé' });
    assert.ok(!JSON.stringify(await t.db.selectFrom('audit_event').selectAll().execute()).includes(token));
  });

  test('the token of a disabled person resolves to nobody', async () => {
    const other = await createUser(t.db, { email: 'parti@example.org', name: 'Parti', memberships: [] });
    const token = await createToken(t.db, other, 'orphelin');
    assert.ok(await resolveToken(t.db, token));
    await t.db.updateTable('app_user').set({ status: 'disabled' }).where('id', '=', other).execute();
    assert.equal(await resolveToken(t.db, token), null);
  });

  test('listTokens lists every token or one person’s, revoked ones included', async () => {
    const mine = await listTokens(t.db, userId);
    assert.ok(mine.length >= 5);
    assert.ok(mine.every((x) => x.userId === userId && x.email === 'integration@example.org'));
    assert.ok(mine.some((x) => x.name === 'à révoquer' && x.revokedAt !== null));
    assert.ok((await listTokens(t.db)).some((x) => x.email === 'parti@example.org'));
  });

  test('a bearer header: its token’s actor, or anonymous and a journaled failure with the ip', async () => {
    const token = await createToken(t.db, userId, 'en-tête');
    const actor = await actorFromBearer(t.db, `Bearer ${token}`, '192.0.2.1');
    assert.equal(actor.kind === 'user' && actor.userId, userId);
    assert.equal(await actorFromBearer(t.db, undefined, '192.0.2.1'), ANONYMOUS);
    const before = (await events('auth.token.failure')).length;
    assert.equal(await actorFromBearer(t.db, 'Bearer faux', '192.0.2.7'), ANONYMOUS);
    assert.equal(await actorFromBearer(t.db, `Basic ${token}`, '192.0.2.7'), ANONYMOUS);
    const failures = (await events('auth.token.failure')).slice(before);
    assert.equal(failures.length, 2);
    assert.ok(failures.every((e) => e.ip === '192.0.2.7' && e.actor_label === 'anonyme'));
  });
});
