import type { PGlite } from '@electric-sql/pglite';
import { type ConstructorOptions, fromPglite, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Contributions } from '../contributions.ts';
import type { Db } from '../db/database.ts';
import type { ModuleContext } from '../module.ts';
import type { JobDefinition } from './job.ts';
import { LEASE_MINUTES, latestRuns, runJob, summaryText } from './runs.ts';
import { TIME_ZONE } from './schedule.ts';
import { signal, takeDueSignals } from './signals.ts';

/**
 * Runs the jobs at their times with pg-boss, on a PostgreSQL server as on PGlite. pg-boss keeps
 * its schedules and queue in its own schema (`pgboss`); each occurrence becomes one queued job,
 * whichever app processes are running, and a worker runs it through `runJob`, which records it.
 */

export type Scheduler = { stop(): Promise<void> };

/** Where the queue lives: the server the app uses, or its embedded PGlite. */
export type QueueDatabase = { databaseUrl: string } | { pglite: PGlite };

export type SchedulerOptions = {
  ctx: ModuleContext;
  database: QueueDatabase;
  jobs: JobDefinition[];
  /** What the modules declared, handed to each run. */
  contributions?: Contributions;
  logger: Logger;
  /**
   * How often, in seconds, pg-boss looks for due occurrences and queued jobs, and the scheduler
   * for due signals; and how long a signal waits (tests shorten them).
   */
  intervals?: { cron?: number; polling?: number; signals?: number; signalDelay?: number };
};

const STARTED_BY = 'planificateur';
const SCHEMA = 'pgboss';

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { ctx, jobs, logger } = options;
  const intervals = { cron: 30, polling: 10, ...options.intervals };
  const boss = new PgBoss({
    ...queueConnection(ctx.db, options.database),
    schema: SCHEMA,
    cronMonitorIntervalSeconds: intervals.cron,
    cronWorkerIntervalSeconds: Math.min(intervals.cron, 5),
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  boss.on('warning', (warning) => logger.warn({ warning }, 'job queue warning'));
  await boss.start();
  try {
    await forgetRemovedJobs(boss, jobs);
    const ranBefore = await latestRuns(ctx.db);
    for (const job of jobs) {
      await declareQueue(boss, job.name);
      // `once`: after the app was stopped over an occurrence, one run makes up for it at restart.
      await boss.schedule(job.name, job.schedule, null, { tz: TIME_ZONE, missed: 'once' });
      await boss.work(job.name, { pollingIntervalSeconds: intervals.polling }, () =>
        runScheduled(ctx, job, logger, options.contributions),
      );
      // Queued, not run here: whichever process's worker takes it, once (stately queue). Of
      // processes starting together, only the one that claims the first start queues it.
      if (job.atFirstStart && !ranBefore.has(job.name) && (await claimFirstStart(ctx.db, job.name)))
        await boss.send(job.name, {});
    }
  } catch (error) {
    await boss.stop({ graceful: false });
    throw error;
  }
  const signals = watchSignals(boss, options, intervals);
  logger.info({ jobs: jobs.map((j) => j.name) }, 'scheduler started');
  return {
    // Waits for a run in progress, up to 30 seconds; one cut short is closed as interrupted later.
    stop: async () => {
      await signals.stop();
      await boss.stop({ graceful: true, timeout: 30_000 });
    },
  };
}

/**
 * Every few seconds, the signals due (`signals.ts`) queue the jobs that follow them. The queue
 * is stately: a job already waiting in it absorbs the new request.
 */
function watchSignals(
  boss: PgBoss,
  { ctx, jobs, logger }: SchedulerOptions,
  intervals: { signals?: number; signalDelay?: number },
): { stop(): Promise<void> } {
  if (!jobs.some((j) => j.after?.length)) return { stop: async () => {} };
  let current: Promise<void> = Promise.resolve();
  const check = async () => {
    try {
      for (const job of await takeDueSignals(ctx.db, jobs, intervals.signalDelay))
        await boss.send(job.name, {});
    } catch (error) {
      logger.error({ err: error }, 'job signals check failed');
    }
  };
  const timer = setInterval(
    () => {
      current = current.then(check);
    },
    (intervals.signals ?? 15) * 1000,
  );
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}

function queueConnection(db: Db, database: QueueDatabase): ConstructorOptions {
  if ('databaseUrl' in database) {
    return { connectionString: database.databaseUrl, max: 2, application_name: 'relais-taches' };
  }
  // PGlite is one session, which the app's pool (of size 1) lends to one client at a time,
  // holding it through a transaction. pg-boss's PGlite adapter talks to the session directly,
  // so its statements could fall in the middle of an app transaction: each one first borrows
  // the pool's connection, waiting for any transaction to end and keeping others from starting.
  const direct = fromPglite(database.pglite);
  return {
    backend: 'pglite',
    db: { executeSql: (text, values) => db.connection().execute(() => direct.executeSql(text, values)) },
  };
}

/**
 * Whether this process is the first to start `name` for its first start: a setting that only
 * one process can create. Without it, two processes starting at once could both queue the run,
 * and the second would run once the first had finished.
 */
async function claimFirstStart(db: Db, name: string): Promise<boolean> {
  const claimed = await db
    .insertInto('platform_setting')
    .values({ key: `jobs.first-start.${name}`, value: new Date().toISOString() })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** One queue per job: `stately` keeps at most one run waiting and one running. */
async function declareQueue(boss: PgBoss, name: string): Promise<void> {
  const settings = { retryLimit: 0, expireInSeconds: LEASE_MINUTES * 60 };
  if (await boss.getQueue(name)) await boss.updateQueue(name, settings);
  else await boss.createQueue(name, { policy: 'stately', ...settings });
}

/** A job no module declares any more must not keep firing. */
async function forgetRemovedJobs(boss: PgBoss, jobs: JobDefinition[]): Promise<void> {
  const names = new Set(jobs.map((j) => j.name));
  for (const schedule of await boss.getSchedules()) {
    if (!names.has(schedule.name)) await boss.unschedule(schedule.name, schedule.key);
  }
}

async function runScheduled(
  ctx: ModuleContext,
  job: JobDefinition,
  logger: Logger,
  contributions: Contributions | undefined,
): Promise<void> {
  const outcome = await runJob(ctx, job, STARTED_BY, contributions);
  // Another run (asked for on the page) held the lease: it may have read the data before the
  // change that queued this one, which the signal then asks for again.
  if (outcome.status === 'skipped') for (const kind of job.after ?? []) await signal(ctx.db, kind);
  const log = { job: job.name };
  if (outcome.status === 'succeeded')
    logger.info({ ...log, summary: summaryText(outcome.summary) }, 'job done');
  else if (outcome.status === 'failed') logger.error({ ...log, error: outcome.error }, 'job failed');
  else logger.warn({ ...log, runningSince: outcome.runningSince }, 'job already running, skipped');
}
