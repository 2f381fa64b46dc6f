import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from './database.ts';

/**
 * What a process keeps in memory from the database (the OPSN's identity on every page) must
 * follow a change made by any process. A cache declares the topic it depends on
 * (`cachedPerDatabase`); whoever changes that data announces the topic (`announceChange`): this
 * process forgets at once, and on a PostgreSQL server every other process hears it through
 * `LISTEN`/`NOTIFY` (`listenForChanges`, started by `serve`) and forgets too. PGlite serves one
 * process: the announcement in the process is all there is. A cache still expires after its
 * time to live, should an announcement be lost with its connection.
 */

/** The channel of the announcements; its payload is the topic. */
export const CHANGES_CHANNEL = 'relais_changes';

type Forget = (db: Db) => void;
const forgetters = new Map<string, Set<Forget>>();

function forgetTopic(db: Db, topic: string): void {
  for (const forget of forgetters.get(topic) ?? []) forget(db);
}

function forgetEverything(db: Db): void {
  for (const topic of forgetters.keys()) forgetTopic(db, topic);
}

/**
 * A value read from the database and kept `ttlMs` in this process, per database, until `topic`
 * is announced by any process. A failed read is not kept.
 */
export function cachedPerDatabase<T>(
  topic: string,
  ttlMs: number,
  load: (db: Db) => Promise<T>,
): { get(db: Db): Promise<T>; forget(db: Db): void } {
  const kept = new WeakMap<Db, { at: number; value: Promise<T> }>();
  const forget = (db: Db) => kept.delete(db);
  const listeners = forgetters.get(topic) ?? new Set<Forget>();
  listeners.add(forget);
  forgetters.set(topic, listeners);
  return {
    get(db) {
      const entry = kept.get(db);
      if (entry && Date.now() - entry.at < ttlMs) return entry.value;
      const value = load(db);
      kept.set(db, { at: Date.now(), value });
      value.catch(() => {
        if (kept.get(db)?.value === value) kept.delete(db);
      });
      return value;
    },
    forget,
  };
}

/**
 * Tells every process on this database that `topic`'s data changed. Call it with the database,
 * after the change is committed: this process forgets at once, the others when the notification
 * reaches them (a few milliseconds).
 */
export async function announceChange(db: Db, topic: string): Promise<void> {
  forgetTopic(db, topic);
  await sql`select pg_notify(${CHANGES_CHANNEL}, ${topic})`.execute(db);
}

/**
 * On a PostgreSQL server: listens, on a connection of its own, for the changes other processes
 * announce, and makes the caches of `db` forget them. A lost connection is opened again (after
 * 1, 2, 4… up to 30 seconds); since announcements may have been missed meanwhile, every cache
 * forgets everything when it is back.
 */
export async function listenForChanges(
  db: Db,
  databaseUrl: string,
  logger: Logger,
): Promise<{ stop(): Promise<void> }> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = 1000;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl, application_name: 'relais-changes' });
    next.on('notification', (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload) forgetTopic(db, message.payload);
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'change notifications: connection lost');
      lost(next);
    });
    next.on('end', () => lost(next));
    await next.connect();
    await next.query(`listen ${CHANGES_CHANNEL}`);
    client = next;
    delayMs = 1000;
  };

  const lost = (which: pg.Client) => {
    if (stopped || client !== which) return;
    client = undefined;
    which.end().catch(() => {});
    scheduleRetry();
  };

  const scheduleRetry = () => {
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => {
          logger.info('change notifications: listening again');
          forgetEverything(db);
        },
        (error) => {
          logger.warn({ err: error }, 'change notifications: reconnection failed');
          delayMs = Math.min(delayMs * 2, 30_000);
          if (!stopped) scheduleRetry();
        },
      );
    }, delayMs);
    retry.unref();
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = undefined;
      await last?.end();
    },
  };
}
