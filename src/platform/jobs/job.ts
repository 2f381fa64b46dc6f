import type { Contributions } from '../contributions.ts';
import type { ModuleContext } from '../module.ts';
import type { JobSignal } from './signals.ts';

/** What a run reports: a sentence, or counts (`{ 'fiches effacées': 3 }`). */
export type JobSummary = string | Record<string, number>;

/**
 * Work a module has done on a schedule (reminders, expiries, purges, publications). The
 * platform runs it at the times of `schedule`, or when an administrator asks, and records
 * every run in `job_run`. A run never overlaps another run of the same job.
 */
export type JobDefinition = {
  /** Stable identifier, `module.what` (letters, digits, `.`, `-`, `_`): runs are recorded under it. */
  name: string;
  /** What it does, in French, for administrators. */
  label: string;
  /** Five-field cron expression, read in Europe/Paris time (`30 3 * * *`: every day at 03:30). */
  schedule: string;
  /**
   * Also run as soon as the scheduler starts on an instance where it never ran: what a new
   * instance should not wait a night for (its open data).
   */
  atFirstStart?: boolean;
  /**
   * Also run a little after these signals (`signals.ts`): what should follow a change within
   * minutes rather than at the next occurrence (the open data after an import).
   */
  after?: readonly JobSignal[];
  /** `contributions`: what every module declared (a job that publishes every module's datasets reads them). */
  run(ctx: ModuleContext, contributions: Contributions): Promise<JobSummary>;
};
