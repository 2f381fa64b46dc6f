import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { givenPlace } from '../../../test/helpers/builders.ts';
import { serverUrl } from '../../../test/helpers/database.ts';
import {
  type Cluster,
  clusterUnavailable,
  createCluster,
  createReplica,
  waitForReplay,
} from '../../../test/helpers/pg-cluster.ts';
import { buildApp } from '../../app.ts';
import { modules } from '../../modules/index.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { type DatabaseHandle, openDatabase, type ReplicaState, withServerConnection } from './database.ts';
import { migrateToLatest } from './migrate.ts';

/**
 * `DATABASE_REPLICA_URL` against a real streaming replica: a primary and its replica made for
 * this file (the machine's server is shared, and a test must not change its settings), the
 * app on the primary with the replica as its `readDb`.
 */
const skip = !serverUrl
  ? 'PostgreSQL pass only (DATABASE_URL): the replica is a PostgreSQL server'
  : clusterUnavailable();
if (skip) console.log(`# replica test skipped: ${skip}`);

describe('read replica', { skip }, () => {
  let primary: Cluster;
  let replica: Cluster;
  let handle: DatabaseHandle;
  let app: FastifyInstance;
  const changes: ReplicaState[] = [];
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

  const replay = (what: 'pause' | 'resume') =>
    withServerConnection(replica.url(), (c) => c.query(`select pg_wal_replay_${what}()`));
  const status = async (url: string) => (await app.inject({ url })).statusCode;
  /** Whether the search page lists the place (its link: the query itself is shown in the form). */
  const found = async (name: string, id: string) => {
    const page = await app.inject({ url: `/lieux?q=${encodeURIComponent(name)}` });
    assert.equal(page.statusCode, 200);
    return page.body.includes(`href="/lieux/${id}"`);
  };
  const foundByApi = async (name: string) => {
    const answer = await app.inject({ url: `/api/v1/lieux?q=${encodeURIComponent(name)}` });
    assert.equal(answer.statusCode, 200);
    return (answer.json() as { items: { nom: string }[] }).items.some((p) => p.nom === name);
  };

  before(async () => {
    primary = await createCluster({ settings: { fsync: 'off' } });
    await withServerConnection(primary.url(), (c) => c.query('create database relais'));
    const migrating = await openDatabase({ databaseUrl: primary.url('relais'), poolSize: 1 });
    await migrateToLatest(migrating.db, modules);
    await migrating.close();
    replica = await createReplica(primary);
    handle = await openDatabase({
      databaseUrl: primary.url('relais'),
      replicaUrl: replica.url('relais'),
      poolSize: 4,
      // Checked when the test says so, and never left aside for lag in the first tests.
      replicaCheckMs: 0,
      replicaMaxLagMs: 600_000,
      onReplicaChange: (state) => changes.push(state),
    });
    app = await buildApp({
      config,
      db: handle.db,
      readDb: handle.readDb,
      dbKind: handle.kind,
      logger: createLogger('silent'),
    });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await handle?.close();
    await replica?.remove();
    await primary?.remove();
  });

  test('readDb reads the replica, db the primary', async () => {
    assert.equal(handle.replica?.state().usable, true);
    const inRecovery = async (db: DatabaseHandle['db']) =>
      (await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db)).rows[0]!.r;
    assert.equal(await inRecovery(handle.readDb), true);
    assert.equal(await inRecovery(handle.db), false);
  });

  test('the public search and place pages read the replica: while it has not replayed a new place, they do not show it, and the API does', async () => {
    const seen = await givenPlace(handle.db, { nom: 'Espace répliqué Gerland' });
    await waitForReplay(primary, replica);
    assert.equal(await status(`/lieux/${seen}`), 200);
    assert.equal(await found('Espace répliqué Gerland', seen), true);

    await replay('pause');
    let id = '';
    try {
      id = await givenPlace(handle.db, { nom: 'Espace en attente Confluence' });
      assert.equal(await foundByApi('Espace en attente Confluence'), true, 'the API reads the primary');
      assert.equal(await status(`/lieux/${id}`), 404, 'the place page reads the replica');
      assert.equal(
        await found('Espace en attente Confluence', id),
        false,
        'the search page reads the replica',
      );

      // A replica that falls behind is left aside: the same pages read the primary.
      const lagging = await openDatabase({
        databaseUrl: primary.url('relais'),
        replicaUrl: replica.url('relais'),
        poolSize: 1,
        replicaCheckMs: 0,
        replicaMaxLagMs: 0,
        onReplicaChange: () => {},
      });
      try {
        const state = lagging.replica!.state();
        assert.equal(state.usable, false);
        assert.match(state.reason ?? '', /en retard de \d+ ms/);
        const { rows } = await sql<{ nom: string }>`select nom from lieu where id = ${id}`.execute(
          lagging.readDb,
        );
        assert.deepEqual(rows, [{ nom: 'Espace en attente Confluence' }]);
      } finally {
        await lagging.close();
      }
    } finally {
      await replay('resume');
    }
    await waitForReplay(primary, replica);
    assert.equal(await found('Espace en attente Confluence', id), true);
  });

  test('when the replica stops, the heavy pages answer from the primary, and the change is told once', async () => {
    const id = await givenPlace(handle.db, { nom: 'Espace de secours Part-Dieu' });
    await waitForReplay(primary, replica);
    assert.equal(changes.length, 0);
    await replica.stop('immediate');
    // In-flight and new reads alike: the pool's idle connections are dead, new ones refused.
    assert.equal(await status(`/lieux/${id}`), 200);
    assert.equal(await found('Espace de secours Part-Dieu', id), true);
    assert.equal(await status(`/lieux/${id}`), 200);
    assert.equal(handle.replica!.state().usable, false);
    assert.equal(changes.length, 1, 'one message when the replica is left aside, not one per read');
    assert.match(changes[0]!.reason ?? '', /injoignable/);

    // Back: the next check takes it again.
    await replica.start();
    assert.equal((await handle.replica!.check()).usable, true);
    assert.equal(changes.length, 2);
    assert.equal(await status(`/lieux/${id}`), 200);
  });

  test('when the primary crashes and starts again, a connection held across it fails cleanly and the process goes on', async () => {
    let restarted = () => {};
    const restart = new Promise<void>((resolve) => {
      restarted = resolve;
    });
    const held = handle.db.connection().execute(async (connection) => {
      await sql`select 1`.execute(connection);
      await restart;
      return sql`select 1`.execute(connection).then(
        () => 'answered',
        () => 'failed',
      );
    });
    // Lent out, idle between two statements: its error used to reach no listener and end the process.
    await primary.stop('immediate');
    const during = app.inject({ url: '/api/v1/lieux?q=Gerland' });
    await primary.start();
    restarted();
    assert.equal(await held, 'failed');
    // A request that came while the server was away waited for it.
    assert.equal((await during).statusCode, 200);
    assert.equal(await foundByApi('Espace répliqué Gerland'), true);
  });
});
