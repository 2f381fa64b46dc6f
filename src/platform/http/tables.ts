import type { Migration } from 'kysely';
import { sql } from 'kysely';

declare module '../db/schema.ts' {
  interface Database {
    /**
     * Rate-limit counters shared by every app process (`rate-limit-store.ts`): one row per key
     * (a route and an address, or an API token) and time window.
     */
    rate_limit_counter: {
      key: string;
      hits: number;
      window_ends_at: Date;
    };
  }
}

export const httpMigrations: Record<string, Migration> = {
  '202612062100_platform_rate_limit': {
    async up(db) {
      // Unlogged: counters need no crash safety, a write skips the WAL and its flush at commit
      // (a hot row per address, updated by every limited request), and backups leave it out.
      await sql`
        create unlogged table rate_limit_counter (
          key text primary key,
          hits integer not null,
          window_ends_at timestamptz not null
        )`.execute(db);
      await sql`create index rate_limit_counter_expiry on rate_limit_counter (window_ends_at)`.execute(db);
    },
  },
};
