import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { JobDefinition } from './job.ts';

/**
 * Signals: a module says that something changed (« the data of the open datasets changed »)
 * without knowing who cares; jobs declare the signals they follow (`JobDefinition.after`) and
 * the scheduler queues them a little later. A signal is one row per kind in `job_signal`, kept
 * from its first occurrence until the scheduler takes it: a thousand places imported, or ten
 * imports in a minute, make one run, at most `SIGNAL_DELAY_SECONDS` after the first change.
 * Any process may signal (the command line too): the serving process's scheduler takes it.
 */

/** What may be signalled. */
export type JobSignal =
  /** Data behind the open datasets changed: places imported or published, an index imported. */
  'datasets.changed';

/** How long after a first change its jobs run: later changes meanwhile join the same run. */
export const SIGNAL_DELAY_SECONDS = 120;

/** Records that `kind` happened; a signal already waiting keeps its time (no new run). */
export async function signal(db: Db, kind: JobSignal): Promise<void> {
  await db
    .insertInto('job_signal')
    .values({ kind })
    .onConflict((oc) => oc.column('kind').doNothing())
    .execute();
}

/**
 * Takes the signals waiting for `delaySeconds` or more (deleted as they are read, so that one
 * process only acts on each) and returns the jobs that follow them.
 */
export async function takeDueSignals(
  db: Db,
  jobs: readonly JobDefinition[],
  delaySeconds = SIGNAL_DELAY_SECONDS,
): Promise<JobDefinition[]> {
  const taken = await db
    .deleteFrom('job_signal')
    .where('signaled_at', '<=', sql<Date>`now() - make_interval(secs => ${delaySeconds})`)
    .returning('kind')
    .execute();
  const kinds = new Set<string>(taken.map((t) => t.kind));
  return jobs.filter((job) => job.after?.some((kind) => kinds.has(kind)));
}

/** The jobs a waiting signal will queue, and when: what a change has set in motion. */
export async function jobsAwaitingSignals(
  db: Db,
  jobs: readonly JobDefinition[],
  delaySeconds = SIGNAL_DELAY_SECONDS,
): Promise<{ job: string; signal: JobSignal; dueAt: Date }[]> {
  const waiting = await db.selectFrom('job_signal').select(['kind', 'signaled_at']).execute();
  return waiting.flatMap((w) =>
    jobs
      .filter((job) => job.after?.includes(w.kind))
      .map((job) => ({
        job: job.name,
        signal: w.kind,
        dueAt: new Date(w.signaled_at.getTime() + delaySeconds * 1000),
      })),
  );
}
