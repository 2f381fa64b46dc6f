import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export type DatabaseHandle = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Where the embedded database lives (PGlite only). */
  pglite?: PGlite;
  close(): Promise<void>;
};

export type DatabaseOptions =
  | { databaseUrl: string; poolSize?: number }
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
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
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
    kind: 'pglite',
    pglite,
    async close() {
      await db.destroy();
      if (owned) await pglite.close();
      unlock();
    },
  };
}

/** Runs `work` on a single connection to a PostgreSQL server (to create or drop databases). */
export async function withServerConnection<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
