import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import type { JobSummary } from './job.ts';
import type { JobSignal } from './signals.ts';

declare module '../db/schema.ts' {
  interface Database {
    /** One row per run of a scheduled job; a row without `finished_at` is a run in progress. */
    job_run: {
      id: Generated<number>;
      name: string;
      /** `planificateur`, `cli` or the email of the administrator who asked. */
      started_by: string;
      started_at: ColumnType<Date, never, never>;
      finished_at: Date | null;
      ok: boolean | null;
      summary: ColumnType<JobSummary | null, never, string | null>;
      error: string | null;
    };
    /** Signals waiting for the scheduler (`signals.ts`): one row per kind, from its first occurrence. */
    job_signal: {
      kind: JobSignal;
      signaled_at: ColumnType<Date, never, never>;
    };
  }
}

export const jobMigrations: Record<string, Migration> = {
  '202612030700_platform_jobs': {
    async up(db) {
      await sql`
        create table job_run (
          id bigserial primary key,
          name text not null,
          started_by text not null,
          started_at timestamptz not null default now(),
          finished_at timestamptz,
          ok boolean,
          summary jsonb,
          error text,
          check ((finished_at is null) = (ok is null))
        )`.execute(db);
      // At most one unfinished run per job: the lease that keeps two runs from overlapping.
      await sql`create unique index job_run_running on job_run (name) where finished_at is null`.execute(db);
      await sql`create index job_run_latest on job_run (name, started_at desc)`.execute(db);
    },
  },
  '202612061620_platform_job_signals': {
    async up(db) {
      await sql`
        create table job_signal (
          kind text primary key,
          signaled_at timestamptz not null default now()
        )`.execute(db);
    },
  },
};
