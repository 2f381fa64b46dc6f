import { type RawBuilder, sql } from 'kysely';
import { type Db, PREPARED } from '../db/database.ts';

/**
 * Rate-limit counters in the database, so that every app process counts the same requests:
 * a limit of 10 a minute stays 10 a minute behind a load balancer, whatever the number of
 * processes. One statement per counted request: an upsert that opens a new window when the
 * last one has ended.
 */

export type Hits = { hits: number; ttlMs: number };

/** Counts hits: in the database (`databaseHitCounter`), or in memory for an app without one. */
export type HitCounter = {
  count(keys: { key: string; windowMs: number }[]): Promise<Hits[]>;
  read(key: string): Promise<Hits>;
  /**
   * Counts, and reads `along` (a query of one value) in the same statement: one round trip
   * where a request needs both. Only where the counters are in the database.
   */
  countAlong?<T>(keys: { key: string; windowMs: number }[], along: RawBuilder<T>): Promise<CountedAlong<T>>;
};

export type CountedAlong<T> = { hits: Hits[]; along: T | null };

export function databaseHitCounter(db: Db): HitCounter {
  return {
    count: (keys) => countHits(db, keys),
    read: (key) => readHits(db, key),
    countAlong: (keys, along) => countHitsAlong(db, keys, along),
  };
}

/** Counters of this process alone: for a test app that has no database. */
export function memoryHitCounter(): HitCounter {
  const windows = new Map<string, { hits: number; endsAt: number }>();
  const current = (key: string, now: number) => {
    const window = windows.get(key);
    return window && window.endsAt > now ? window : undefined;
  };
  return {
    count: async (keys) => {
      const now = Date.now();
      return keys.map(({ key, windowMs }) => {
        const window = current(key, now) ?? { hits: 0, endsAt: now + windowMs };
        window.hits += 1;
        windows.set(key, window);
        return { hits: window.hits, ttlMs: window.endsAt - now };
      });
    },
    read: async (key) => {
      const now = Date.now();
      const window = current(key, now);
      return window ? { hits: window.hits, ttlMs: window.endsAt - now } : { hits: 0, ttlMs: 0 };
    },
  };
}

/**
 * Counts one more hit on each key (each with its window, in milliseconds) and returns the
 * hits of the current window and the time left in it, in the order of `keys`.
 */
export async function countHits(db: Db, keys: { key: string; windowMs: number }[]): Promise<Hits[]> {
  if (keys.length === 0) return [];
  return (await countHitsAlong(db, keys, sql<null>`null`)).hits;
}

/** The upsert that counts `keys`, returning each key's hits and time left. */
const counting = (keys: { key: string; windowMs: number }[]) => {
  const values = sql.join(
    keys.map((k) => sql`(${k.key}, 1, now() + make_interval(secs => ${k.windowMs / 1000}::float8))`),
  );
  return sql`
    insert into rate_limit_counter as c (key, hits, window_ends_at) values ${values}
    on conflict (key) do update set
      hits = case when c.window_ends_at <= now() then 1 else c.hits + 1 end,
      window_ends_at = case when c.window_ends_at <= now() then excluded.window_ends_at
                            else c.window_ends_at end
    returning key, hits, greatest(0, ceil(extract(epoch from (window_ends_at - now())) * 1000))::integer as ttl_ms`;
};

/**
 * `countHits`, and the value of `along` (a query of one column and at most one row) read in the
 * same statement. Its text depends only on the number of keys and on `along`'s text: prepared.
 */
export async function countHitsAlong<T>(
  db: Db,
  keys: { key: string; windowMs: number }[],
  along: RawBuilder<T>,
): Promise<CountedAlong<T>> {
  const { rows } = await sql<{ key: string; hits: number; ttl_ms: number; along: T | null }>`
    with c as (${counting(keys)})
    select c.key, c.hits, c.ttl_ms, (${along}) as along from c ${PREPARED}`.execute(db);
  const byKey = new Map(rows.map((r) => [r.key, { hits: r.hits, ttlMs: r.ttl_ms }]));
  return { hits: keys.map((k) => byKey.get(k.key)!), along: rows[0]?.along ?? null };
}

/** The hits of a key's current window without counting one (zero when none is open). */
export async function readHits(db: Db, key: string): Promise<Hits> {
  const row = await db
    .selectFrom('rate_limit_counter')
    .select([
      'hits',
      sql<number>`ceil(extract(epoch from (window_ends_at - now())) * 1000)::integer`.as('ttl_ms'),
    ])
    .where('key', '=', key)
    .where('window_ends_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row ? { hits: row.hits, ttlMs: row.ttl_ms } : { hits: 0, ttlMs: 0 };
}

/** Removes the counters whose window has ended; returns how many. */
export async function forgetEndedWindows(db: Db): Promise<number> {
  const result = await db
    .deleteFrom('rate_limit_counter')
    .where('window_ends_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;
type RouteParams = { routeInfo?: { method?: string | string[]; url?: string } };

/**
 * The store `@fastify/rate-limit` counts with (its `store` option): each route's limit gets its
 * own keys (`POST /connexion|<address>`), as the plugin's in-memory store keeps one map per route.
 */
export function rateLimitStore(counter: HitCounter) {
  return class SharedRateLimitStore {
    readonly prefix: string;

    /** `params`: the route's merged limit options, whose `routeInfo` names the route (none for `createRateLimit`). */
    constructor(params: object = {}) {
      const { method, url } = (params as RouteParams).routeInfo ?? {};
      this.prefix = url ? `${[method ?? ''].flat().join(',')} ${url}|` : '';
    }

    incr(key: string, callback: Callback, timeWindow: number) {
      counter.count([{ key: this.prefix + key, windowMs: timeWindow }]).then(
        ([result]) => callback(null, { current: result!.hits, ttl: result!.ttlMs }),
        (error: Error) => callback(error),
      );
    }

    read(key: string, callback: Callback) {
      counter.read(this.prefix + key).then(
        (result) => callback(null, { current: result.hits, ttl: result.ttlMs }),
        (error: Error) => callback(error),
      );
    }

    child(params: object) {
      return new SharedRateLimitStore(params);
    }
  };
}
