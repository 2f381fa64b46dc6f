import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Contributions } from '../../platform/contributions.ts';
import {
  describeSchedule,
  type JobDefinition,
  type JobOutcome,
  type JobRun,
  latestRuns,
  nextOccurrence,
  recentRuns,
  runJob,
} from '../../platform/jobs/index.ts';
import type { ModuleContext } from '../../platform/module.ts';

/** What an administrator sees of a job: what it does, when it runs next, how it last went. */
export type JobStatus = {
  job: JobDefinition;
  when: string;
  next: Date;
  last: JobRun | undefined;
};

export const TASKS_REFUSED = 'Seuls les administrateurs de l’OPSN gèrent les tâches.';

export function ensureAdmin(actor: Actor): void {
  if (!isAdmin(actor)) throw new ForbiddenError(TASKS_REFUSED);
}

/** The jobs the modules declare, as the platform collected them. */
export type Jobs = Contributions['jobs'];

export function findJob(jobs: Jobs, name: string): JobDefinition | undefined {
  return jobs.find((job) => job.name === name);
}

export async function jobStatuses(
  ctx: ModuleContext,
  jobs: Jobs,
  actor: Actor,
  now = new Date(),
): Promise<JobStatus[]> {
  ensureAdmin(actor);
  const last = await latestRuns(ctx.db);
  return jobs.map((job) => ({
    job,
    when: describeSchedule(job.schedule),
    next: nextOccurrence(job.schedule, now),
    last: last.get(job.name),
  }));
}

export async function lastRuns(ctx: ModuleContext, actor: Actor, limit = 20): Promise<JobRun[]> {
  ensureAdmin(actor);
  return recentRuns(ctx.db, limit);
}

/** Runs a job at a person's request (or the command line's), and journals that they asked. */
export async function runJobNow(
  ctx: ModuleContext,
  contributions: Contributions,
  actor: Actor,
  job: JobDefinition,
  ip?: string,
): Promise<JobOutcome> {
  ensureAdmin(actor);
  const startedBy = actor.kind === 'user' ? actor.email : 'cli';
  const outcome = await runJob(ctx, job, startedBy, contributions);
  await audit(ctx.db, {
    actor,
    action: 'job.run',
    subject: { type: 'tache', id: job.name },
    ip: ip ?? null,
    details: { resultat: outcome.status, ...('runId' in outcome ? { execution: outcome.runId } : {}) },
  });
  return outcome;
}

/** How a run went, in one word or two. */
export function runState(run: JobRun): string {
  if (run.finished_at === null) return 'en cours';
  return run.ok ? 'réussie' : 'échouée';
}
