import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { countBatch, forgetEndedWindows } from './rate-limit-store.ts';

/**
 * Two apps on one database stand for two app processes behind a load balancer: a limit counts
 * the requests of both (the test with real processes is test/cluster/two-processes.test.ts).
 */
describe('rate limits shared by the app processes of one database', () => {
  let database: TestDatabase;
  let a: FastifyInstance;
  let b: FastifyInstance;
  before(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', API_RATE_LIMIT: '30' });
    const build = () =>
      buildApp({ config, db: database.db, dbKind: database.kind, logger: createLogger('silent') });
    [a, b] = [await build(), await build()];
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
    await database.close();
  });

  const signIn = (app: FastifyInstance, remoteAddress: string) =>
    app.inject({
      method: 'POST',
      url: '/connexion',
      remoteAddress,
      payload: 'email=personne%40exemple.fr&password=mauvais',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

  test('a form’s limit counts the requests of every process: the eleventh sign-in is refused on either', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(i % 2 ? b : a, '198.51.100.10')).statusCode);
    assert.ok(
      statuses.slice(0, 10).every((s) => s !== 429),
      statuses.join(' '),
    );
    assert.deepEqual(statuses.slice(10), [429, 429], statuses.join(' '));
    // Another address, and another route from this address, have their own counters.
    assert.notEqual((await signIn(a, '198.51.100.11')).statusCode, 429);
    const reset = await b.inject({
      method: 'POST',
      url: '/mot-de-passe-oublie',
      remoteAddress: '198.51.100.10',
      payload: 'email=personne%40exemple.fr',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.notEqual(reset.statusCode, 429);
  });

  test('the API’s limit holds under concurrent requests to both processes: exactly the allowance passes', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? b : a).inject({ url: '/api/v1/collectivites', remoteAddress: '198.51.100.20' }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    assert.equal(statuses.filter((s) => s === 200).length, 30, statuses.join(' '));
    assert.equal(statuses.filter((s) => s === 429).length, 10, statuses.join(' '));
    const refused = responses.find((r) => r.statusCode === 429)!;
    assert.match(refused.headers['retry-after'] as string, /^([1-9]|[1-5]\d|60)$/);
    assert.match((refused.json() as { message: string }).message, /pas plus de 30 par minute/);
  });

  test('requests counted in one statement each get the count they would have seen alone, and their own reading', async () => {
    const minute = 60_000;
    const counted = await countBatch(database.db, [
      { keys: [{ key: 'lot:x', windowMs: minute }], along: sql`select 'premier'` },
      { keys: [{ key: 'lot:y', windowMs: minute }] },
      {
        keys: [
          { key: 'lot:x', windowMs: minute },
          { key: 'lot:y', windowMs: minute },
        ],
        along: sql`select 2`,
      },
      { keys: [{ key: 'lot:x', windowMs: minute }] },
    ]);
    assert.deepEqual(
      counted.map((c) => c.hits.map((h) => h.hits)),
      [[1], [1], [2, 2], [3]],
    );
    assert.deepEqual(
      counted.map((c) => c.along),
      ['premier', null, 2, null],
    );
    assert.ok(counted.every((c) => c.hits.every((h) => h.ttlMs > 0 && h.ttlMs <= minute)));
    const [next] = await countBatch(database.db, [{ keys: [{ key: 'lot:x', windowMs: minute }] }]);
    assert.equal(next!.hits[0]!.hits, 4);
  });

  test('a window that has ended starts again from one, and its counter is removed', async () => {
    for (let i = 0; i < 31; i++)
      await a.inject({ url: '/api/v1/collectivites', remoteAddress: '198.51.100.30' });
    assert.equal(
      (await b.inject({ url: '/api/v1/collectivites', remoteAddress: '198.51.100.30' })).statusCode,
      429,
    );
    const key = 'api-ip:198.51.100.30';
    await database.db
      .updateTable('rate_limit_counter')
      .set({ window_ends_at: sql<Date>`now() - interval '1 second'` })
      .where('key', '=', key)
      .execute();
    assert.equal(
      (await b.inject({ url: '/api/v1/collectivites', remoteAddress: '198.51.100.30' })).statusCode,
      200,
    );
    const counter = await database.db
      .selectFrom('rate_limit_counter')
      .select('hits')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    assert.equal(counter.hits, 1);

    await database.db
      .updateTable('rate_limit_counter')
      .set({ window_ends_at: sql<Date>`now() - interval '1 second'` })
      .where('key', '=', key)
      .execute();
    assert.ok((await forgetEndedWindows(database.db)) >= 1);
    const left = await database.db
      .selectFrom('rate_limit_counter')
      .select('key')
      .where('window_ends_at', '<', sql<Date>`now()`)
      .execute();
    assert.deepEqual(left, []);
    assert.ok(
      await database.db
        .selectFrom('rate_limit_counter')
        .select('key')
        .where('key', 'like', 'POST /connexion|%')
        .executeTakeFirst(),
      'the counters of open windows stay',
    );
  });
});
