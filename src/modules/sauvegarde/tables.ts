import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

/** What a scheduled run of the module did: a backup written, or a restore drill. */
export type BackupRunKind = 'backup' | 'drill';

declare module '../../platform/db/schema.ts' {
  interface Database {
    /**
     * One row per scheduled backup and per restore drill, finished (the jobs' own record,
     * `job_run`, says who started them): what `/metrics` reports about backups.
     */
    backup_run: {
      id: Generated<number>;
      kind: BackupRunKind;
      started_at: Date;
      finished_at: ColumnType<Date, never, never>;
      ok: boolean;
      /** The backup's file name at its destination. */
      file: string | null;
      bytes: ColumnType<string | null, number | null, never>;
      rows: ColumnType<string | null, number | null, never>;
      /** The summary, or what went wrong, in French. */
      detail: string;
    };
  }
}

export const sauvegardeMigrations: Record<string, Migration> = {
  '202612071000_sauvegarde_runs': {
    async up(db) {
      await sql`
        create table backup_run (
          id bigserial primary key,
          kind text not null check (kind in ('backup', 'drill')),
          started_at timestamptz not null,
          finished_at timestamptz not null default now(),
          ok boolean not null,
          file text,
          bytes bigint,
          rows bigint,
          detail text not null
        )`.execute(db);
      await sql`create index backup_run_latest on backup_run (kind, ok, finished_at desc)`.execute(db);
    },
  },
};
