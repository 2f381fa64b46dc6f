import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  sql,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export type DatabaseHandle = {
  db: Db;
  /**
   * Where the heavy read-only pages read (statistics, observatory, open data, public
   * directory): the replica of `DATABASE_REPLICA_URL` while it answers and keeps up, else the
   * primary. Without a replica, `db` itself. Routes choose it explicitly; a page that shows
   * what the same person has just written reads `db`.
   */
  readDb: Db;
  /** The replica's state, when one is configured. */
  replica?: ReplicaMonitor;
  kind: 'pglite' | 'postgres';
  /** Where the embedded database lives (PGlite only). */
  pglite?: PGlite;
  close(): Promise<void>;
};

export type DatabaseOptions =
  | {
      databaseUrl: string;
      poolSize?: number;
      /** A streaming replica of `databaseUrl` for `readDb`. */
      replicaUrl?: string;
      /** Replay lag past which the replica is left aside (default 10 s). */
      replicaMaxLagMs?: number;
      /** How often its lag is checked (default 5 s; 0: only when `replica.check()` is called). */
      replicaCheckMs?: number;
      /** Told when the replica is left aside or taken back (default: the console). */
      onReplicaChange?: (state: ReplicaState) => void;
    }
  | { dataDir: string }
  | { pglite: PGlite };

/** Extensions every migration may rely on, on PGlite as on a PostgreSQL server. */
export const PGLITE_EXTENSIONS = { unaccent, pg_trgm, cube, earthdistance };

// PostgreSQL bigint (count(*), sums) arrives as text by default: numbers are what the code expects.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number.parseFloat(v));
// A calendar date is not an instant: keep `YYYY-MM-DD` rather than a Date at local midnight.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

/**
 * Appended to a hot statement of constant text (`.modifyEnd(PREPARED)`), it asks the server to
 * parse and plan it once per connection instead of at each call: on a server, the pool's
 * clients send it as a named statement. It costs PostgreSQL a tenth of the CPU time of an
 * unnamed statement for a lookup by key (`bench/record-profile.ts`). Only for statements
 * whose text does not depend on the values (no list of variable length): each distinct text
 * takes a name, and at most `MAX_PREPARED` are named. PGlite ignores it (one connection).
 */
export const PREPARED = sql.raw('/* prepared */');
const PREPARED_MARK = '/* prepared */';
const MAX_PREPARED = 200;
const preparedNames = new Map<string, string>();

/** A client that sends the statements ending with `PREPARED` as named statements. */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads; Kysely calls query(text, values).
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && config.endsWith(PREPARED_MARK) && typeof values !== 'function') {
      let name = preparedNames.get(config);
      if (name === undefined && preparedNames.size < MAX_PREPARED) {
        name = `relais_${preparedNames.size + 1}`;
        preparedNames.set(config, name);
      }
      if (name !== undefined) return super.query({ name, text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

/** Opens PostgreSQL through `pg` and Kysely: a server when a URL is given, else embedded PGlite. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if ('databaseUrl' in options) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      Client: PreparingClient,
    });
    // An idle connection dropped by the server (restart, failover, proxy timeout) must not
    // crash the process: the pool replaces it on the next query.
    pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
    // A connection lent out (a transaction between two statements) that the server drops emits
    // its error on the client, not the pool: without a listener that ends the process. The
    // statement in progress, if any, fails with it; the pool replaces the connection.
    pool.on('connect', quietOnError);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: patient(pool) }) });
    if (!options.replicaUrl) return { db, readDb: db, kind: 'postgres', close: () => db.destroy() };
    const replica = await openReplica(options, pool);
    return {
      db,
      readDb: replica.db,
      replica: replica.monitor,
      kind: 'postgres',
      async close() {
        await replica.db.destroy();
        await db.destroy();
      },
    };
  }
  let owned = false;
  let unlock = () => {};
  let pglite: PGlite;
  if ('pglite' in options) {
    pglite = options.pglite;
  } else {
    const dir = path.join(options.dataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
    try {
      pglite = await PGlite.create(dir, { extensions: PGLITE_EXTENSIONS });
    } catch (error) {
      unlock();
      throw error;
    }
    owned = true;
  }
  // PGlite has a single connection: the adapter's pool has size 1 and queues queries.
  const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    readDb: db,
    kind: 'pglite',
    pglite,
    async close() {
      await db.destroy();
      if (owned) await pglite.close();
      unlock();
    },
  };
}

/** The error of a dropped connection goes to its statement in progress, never to the process. */
function quietOnError(client: pg.Client | pg.PoolClient): void {
  client.on('error', () => {});
}

/** Runs `work` on a single connection to a PostgreSQL server (to create or drop databases). */
export async function withServerConnection<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  quietOnError(client);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** How long a request waits for a server that restarts before it fails. */
const RECONNECT_WINDOW_MS = 10_000;

/** The server is not there yet, or is starting or stopping: trying again shortly may succeed. */
function isServerAway(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOENT' || code === '57P03') return true;
  return error instanceof Error && /Connection terminated/i.test(error.message);
}

/**
 * The pool as Kysely sees it, except that taking a connection while the server restarts
 * (refused, "the database system is starting up") is tried again for a few seconds: a request
 * that arrives then waits instead of failing, and only the ones in flight when it went away see
 * an error. Past the window, the error goes to the caller as before.
 */
function patient(pool: pg.Pool) {
  return {
    async connect() {
      const until = Date.now() + RECONNECT_WINDOW_MS;
      for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
        try {
          return await pool.connect();
        } catch (error) {
          if (!isServerAway(error) || Date.now() + wait > until) throw error;
          await sleep(wait);
        }
      }
    },
    end: () => pool.end(),
  };
}

/** Whether the replica serves `readDb`, and why not when it does not. */
export type ReplicaState = {
  usable: boolean;
  /** Replay lag at the last check (0 when it has replayed all it received). */
  lagMs: number | null;
  /** Why it is left aside (down, lagging), in French for the operator. */
  reason?: string;
  checkedAt: Date | null;
};

export type ReplicaMonitor = {
  state(): ReplicaState;
  /** Checks the replica now (connection and lag) and returns its new state. */
  check(): Promise<ReplicaState>;
};

/**
 * A connection error, or a query the replica cancelled (recovery conflict, shutdown): the same
 * read may run again on the primary. An SQL error (syntax, constraint) is not retried.
 */
function isReplicaFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith('08') || code.startsWith('57P') || code === '40001' || code === '53300';
}

const LAG_QUERY = `select pg_is_in_recovery() as standby,
  case when not pg_is_in_recovery() or pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
       else coalesce(extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000, 0)
  end::float8 as lag_ms`;

async function openReplica(
  options: Extract<DatabaseOptions, { databaseUrl: string }>,
  primaryPool: pg.Pool,
): Promise<{ db: Db; monitor: ReplicaMonitor }> {
  const maxLagMs = options.replicaMaxLagMs ?? 10_000;
  const tell =
    options.onReplicaChange ??
    ((state: ReplicaState) =>
      state.usable
        ? console.error('PostgreSQL replica in use again for reads')
        : console.error(`PostgreSQL replica left aside, reads go to the primary: ${state.reason}`));
  const replicaPool = new pg.Pool({
    connectionString: options.replicaUrl,
    max: options.poolSize ?? 10,
    Client: PreparingClient,
    // A replica that does not answer must not hold the page: the primary serves it instead.
    connectionTimeoutMillis: 2_000,
  });
  replicaPool.on('error', () => {});
  replicaPool.on('connect', quietOnError);
  // Usable until the first check says otherwise: a replica down at start is told, one up is not.
  let state: ReplicaState = { usable: true, lagMs: null, checkedAt: null };
  const set = (next: ReplicaState) => {
    const changed = next.usable !== state.usable;
    state = next;
    // Once per change, not once per failed read.
    if (changed) tell(state);
  };
  const down = (error: unknown) =>
    set({
      usable: false,
      lagMs: null,
      checkedAt: new Date(),
      reason: `injoignable (${error instanceof Error ? error.message : String(error)})`,
    });
  const check = async (): Promise<ReplicaState> => {
    try {
      const { rows } = await replicaPool.query<{ standby: boolean; lag_ms: number }>(LAG_QUERY);
      const lagMs = Math.round(rows[0]!.lag_ms);
      set(
        lagMs > maxLagMs
          ? { usable: false, lagMs, checkedAt: new Date(), reason: `en retard de ${lagMs} ms` }
          : { usable: true, lagMs, checkedAt: new Date() },
      );
    } catch (error) {
      down(error);
    }
    return state;
  };
  await check();
  const timer =
    (options.replicaCheckMs ?? 5_000) > 0
      ? setInterval(() => void check(), options.replicaCheckMs ?? 5_000).unref()
      : undefined;

  const replicaDriver = new PostgresDriver({ pool: replicaPool });
  // The primary's pool belongs to `db`, which ends it: this driver never does.
  const primaryDriver = new PostgresDriver({ pool: patient(primaryPool) });
  const driver = new ReadDriver(
    replicaDriver,
    primaryDriver,
    () => state.usable,
    down,
    () => {
      if (timer) clearInterval(timer);
    },
  );
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  };
  return { db: new Kysely<Database>({ dialect }), monitor: { state: () => state, check } };
}

/** A connection of one of the two pools, as Kysely's PostgreSQL driver hands it out. */
type PoolConnection = Parameters<PostgresDriver['releaseConnection']>[0];

/** A connection of `readDb`: on the replica, or on the primary when the replica failed. */
class ReadConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    public inner: PoolConnection,
    public onReplica: boolean,
    private readonly driver: ReadDriver,
  ) {}

  async executeQuery<R>(query: Parameters<DatabaseConnection['executeQuery']>[0]): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      if (!this.onReplica || this.inTransaction || !isReplicaFailure(error)) throw error;
      // The replica went away or cancelled the read: the primary answers this one, and the next.
      await this.driver.switchToPrimary(this, error);
      return this.inner.executeQuery<R>(query);
    }
  }

  streamQuery<R>(query: Parameters<DatabaseConnection['streamQuery']>[0], chunkSize: number) {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class ReadDriver implements Driver {
  constructor(
    private readonly replica: PostgresDriver,
    private readonly primary: PostgresDriver,
    private readonly replicaUsable: () => boolean,
    private readonly replicaDown: (error: unknown) => void,
    private readonly stop: () => void,
  ) {}

  async init(): Promise<void> {
    await this.replica.init();
    await this.primary.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.replicaUsable()) {
      try {
        return new ReadConnection((await this.replica.acquireConnection()) as PoolConnection, true, this);
      } catch (error) {
        this.replicaDown(error);
      }
    }
    return new ReadConnection((await this.primary.acquireConnection()) as PoolConnection, false, this);
  }

  async switchToPrimary(connection: ReadConnection, error: unknown): Promise<void> {
    this.replicaDown(error);
    await this.replica.releaseConnection(connection.inner);
    connection.inner = (await this.primary.acquireConnection()) as PoolConnection;
    connection.onReplica = false;
  }

  private driverOf(connection: DatabaseConnection): PostgresDriver {
    return (connection as ReadConnection).onReplica ? this.replica : this.primary;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    (connection as ReadConnection).inTransaction = true;
    await this.driverOf(connection).beginTransaction((connection as ReadConnection).inner, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.driverOf(connection).commitTransaction((connection as ReadConnection).inner);
    (connection as ReadConnection).inTransaction = false;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as ReadConnection).inTransaction = false;
    await this.driverOf(connection).rollbackTransaction((connection as ReadConnection).inner);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.driverOf(connection).releaseConnection((connection as ReadConnection).inner);
  }

  async destroy(): Promise<void> {
    this.stop();
    await this.replica.destroy();
  }
}
