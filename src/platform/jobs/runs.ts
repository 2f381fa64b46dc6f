import { type Selectable, sql } from 'kysely';
import { type Contributions, NO_CONTRIBUTIONS } from '../contributions.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { ModuleContext } from '../module.ts';
import type { JobDefinition, JobSummary } from './job.ts';

/**
 * Running a job and recording it. Whoever starts a run (the scheduler, `jobs run`, the
 * administrators' page) goes through `runJob`: it first takes the job's lease, an unfinished
 * `job_run` row that the unique index `job_run_running` allows once per job, in any process.
 */

export type JobRun = Selectable<Database['job_run']>;

/**
 * A run still unfinished this long after its start is taken for interrupted (its process
 * stopped): it is closed as failed and the job may run again.
 */
export const LEASE_MINUTES = 60;

export const INTERRUPTED = 'Interrompue : le processus s’est arrêté avant la fin.';

/** Longest error text kept: the start of a message says what went wrong. */
const ERROR_MAX_LENGTH = 2000;

export type JobOutcome =
  | { status: 'succeeded'; runId: number; summary: JobSummary }
  | { status: 'failed'; runId: number; error: string }
  /** Another run of the job was in progress: this one did nothing. */
  | { status: 'skipped'; runningSince: Date };

/** Runs `job` now unless it is already running, and records the run and its outcome. */
export async function runJob(
  ctx: ModuleContext,
  job: JobDefinition,
  startedBy: string,
  contributions: Contributions = NO_CONTRIBUTIONS,
): Promise<JobOutcome> {
  const claim = await claimLease(ctx.db, job.name, startedBy);
  if ('runningSince' in claim) return { status: 'skipped', runningSince: claim.runningSince };
  let summary: JobSummary;
  try {
    summary = await job.run(ctx, contributions);
  } catch (error) {
    const message = errorText(error);
    await finishRun(ctx.db, claim.runId, { ok: false, error: message });
    return { status: 'failed', runId: claim.runId, error: message };
  }
  await finishRun(ctx.db, claim.runId, { ok: true, summary });
  return { status: 'succeeded', runId: claim.runId, summary };
}

async function claimLease(
  db: Db,
  name: string,
  startedBy: string,
): Promise<{ runId: number } | { runningSince: Date }> {
  await db
    .updateTable('job_run')
    .set({ finished_at: sql`now()`, ok: false, error: INTERRUPTED })
    .where('name', '=', name)
    .where('finished_at', 'is', null)
    .where('started_at', '<', sql<Date>`now() - make_interval(mins => ${LEASE_MINUTES})`)
    .execute();
  const claimed = await db
    .insertInto('job_run')
    .values({ name, started_by: startedBy })
    .onConflict((oc) => oc.column('name').where('finished_at', 'is', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (claimed) return { runId: claimed.id };
  const running = await db
    .selectFrom('job_run')
    .select('started_at')
    .where('name', '=', name)
    .where('finished_at', 'is', null)
    .executeTakeFirst();
  // Finished between the insert and this read: it was running all the same.
  return { runningSince: running?.started_at ?? new Date() };
}

async function finishRun(
  db: Db,
  runId: number,
  result: { ok: true; summary: JobSummary } | { ok: false; error: string },
): Promise<void> {
  await db
    .updateTable('job_run')
    .set({
      finished_at: sql`now()`,
      ok: result.ok,
      summary: result.ok ? JSON.stringify(result.summary) : null,
      error: result.ok ? null : result.error,
    })
    .where('id', '=', runId)
    .execute();
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > ERROR_MAX_LENGTH ? `${text.slice(0, ERROR_MAX_LENGTH)}…` : text;
}

/** The latest run of each job that ever ran, by job name. */
export async function latestRuns(db: Db): Promise<Map<string, JobRun>> {
  const rows = await db
    .selectFrom('job_run')
    .selectAll()
    .distinctOn('name')
    .orderBy('name')
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.name, r]));
}

export async function findRun(db: Db, runId: number): Promise<JobRun | undefined> {
  return db.selectFrom('job_run').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** The most recent runs of all jobs, newest first. */
export async function recentRuns(db: Db, limit: number): Promise<JobRun[]> {
  return db
    .selectFrom('job_run')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** A summary as one line of French: `fiches effacées : 3, lieux : 0`. */
export function summaryText(summary: JobSummary | null): string {
  if (summary === null) return '';
  if (typeof summary === 'string') return summary;
  const entries = Object.entries(summary);
  return entries.length ? entries.map(([key, n]) => `${key} : ${n}`).join(', ') : 'rien à signaler';
}
