export type { JobDefinition, JobSummary } from './job.ts';
export {
  findRun,
  INTERRUPTED,
  type JobOutcome,
  type JobRun,
  LEASE_MINUTES,
  latestRuns,
  recentRuns,
  runJob,
  summaryText,
} from './runs.ts';
export { collectJobs, describeSchedule, nextOccurrence, TIME_ZONE } from './schedule.ts';
export { type QueueDatabase, type Scheduler, startScheduler } from './scheduler.ts';
export {
  type JobSignal,
  jobsAwaitingSignals,
  SIGNAL_DELAY_SECONDS,
  signal,
  takeDueSignals,
} from './signals.ts';
export { jobMigrations } from './tables.ts';
