import { type RawBuilder, sql } from 'kysely';
import { type Db, PREPARED } from '../db/database.ts';
import { StatementBatcher } from '../db/statement-batcher.ts';

/**
 * Rate-limit counters in the database, so that every app process counts the same requests:
 * a limit of 10 a minute stays 10 a minute behind a load balancer, whatever the number of
 * processes. An upsert opens a new window when the last one has ended; the requests arriving at
 * the same moment are counted together, in one statement.
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
  const batcher = new StatementBatcher((requests: Counting[]) => countBatch(db, requests), {
    inFlight: IN_FLIGHT,
    maxBatch: MAX_BATCH,
  });
  return {
    count: async (keys) => (keys.length === 0 ? [] : (await batcher.submit({ keys })).hits),
    read: (key) => readHits(db, key),
    countAlong: (keys, along) => batcher.submit({ keys, along }) as Promise<CountedAlong<never>>,
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

/** Statements counting hits at the same time, per app, and the requests one of them counts at most. */
const IN_FLIGHT = 2;
const MAX_BATCH = 32;

/** One request's keys to count, and what it reads with them (see `countAlong`). */
type Counting = { keys: { key: string; windowMs: number }[]; along?: RawBuilder<unknown> | undefined };

/**
 * Counts the hits of several requests in one statement (`StatementBatcher`): a key counted by
 * n of them gets n more hits at once, and each request gets the count it would have seen alone,
 * in the batch's order. The keys are locked in their sort order, as in every statement that
 * counts, so that two statements never wait for each other. The text depends only on the number
 * of `along` queries: prepared.
 */
export async function countBatch(db: Db, requests: readonly Counting[]): Promise<CountedAlong<unknown>[]> {
  const added = new Map<string, { n: number; windowMs: number }>();
  for (const { keys } of requests)
    for (const { key, windowMs } of keys) {
      const entry = added.get(key) ?? { n: 0, windowMs };
      entry.n += 1;
      added.set(key, entry);
    }
  const keys = [...added.keys()].sort();
  const alongs = requests.flatMap((r) => (r.along ? [sql`(${r.along})`] : []));
  const { rows } = await sql<{ counts: [string, number, number][]; alongs: unknown[] }>`
    with k as (
      select * from unnest(${keys}::text[], ${keys.map((k) => added.get(k)!.n)}::integer[],
        ${keys.map((k) => added.get(k)!.windowMs / 1000)}::float8[]) as k(key, n, secs)),
    c as (
      insert into rate_limit_counter as c (key, hits, window_ends_at)
      select key, n, now() + make_interval(secs => secs) from k order by key
      on conflict (key) do update set
        hits = case when c.window_ends_at <= now() then excluded.hits else c.hits + excluded.hits end,
        window_ends_at = case when c.window_ends_at <= now() then excluded.window_ends_at
                              else c.window_ends_at end
      returning key, hits,
        greatest(0, ceil(extract(epoch from (window_ends_at - now())) * 1000))::integer as ttl_ms)
    select (select coalesce(json_agg(json_build_array(c.key, c.hits, c.ttl_ms)), '[]') from c) as counts,
      json_build_array(${sql.join(alongs)}) as alongs ${PREPARED}`.execute(db);
  const { counts, alongs: read } = rows[0]!;
  const total = new Map(counts.map(([key, hits, ttlMs]) => [key, { hits, ttlMs }]));
  const seen = new Map<string, number>();
  let a = 0;
  return requests.map(({ keys, along }) => ({
    hits: keys.map(({ key }) => {
      const rank = (seen.get(key) ?? 0) + 1;
      seen.set(key, rank);
      const { hits, ttlMs } = total.get(key)!;
      return { hits: hits - added.get(key)!.n + rank, ttlMs };
    }),
    along: along ? (read[a++] ?? null) : null,
  }));
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
