import { PgBoss } from 'pg-boss';
import type { RelaisModule } from '../module.ts';
import type { JobDefinition } from './job.ts';

/** Schedules are read in the time of the collectivités: 03:30 stays 03:30 across daylight saving. */
export const TIME_ZONE = 'Europe/Paris';

const JOB_NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

// pg-boss computes occurrences the way its scheduler will fire them. This instance never
// starts: it only does that arithmetic, and its database is never called.
let calendar: PgBoss | undefined;
function occurrences(): PgBoss {
  calendar ??= new PgBoss({
    db: {
      executeSql: () => Promise.reject(new Error('calendar only')),
    },
  });
  return calendar;
}

/** The first time strictly after `after` that `schedule` names; throws on a malformed expression. */
export function nextOccurrence(schedule: string, after: Date = new Date()): Date {
  const [next] = occurrences().previewSchedule(schedule, { tz: TIME_ZONE, from: after, count: 1 });
  if (!next) throw new Error(`« ${schedule} » ne se produit plus jamais`);
  return next;
}

const WEEKDAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];

/** A schedule in words for the common forms (`tous les jours à 03:30`), else the expression. */
export function describeSchedule(schedule: string): string {
  const fields = schedule.trim().split(/\s+/);
  const [minute, hour, day, month, weekday] = fields;
  if (fields.length !== 5 || !/^\d+$/.test(minute!) || !/^\d+$/.test(hour!) || month !== '*') {
    return `selon l’expression cron « ${schedule} »`;
  }
  const at = `à ${hour!.padStart(2, '0')}:${minute!.padStart(2, '0')}`;
  if (day === '*' && weekday === '*') return `tous les jours ${at}`;
  if (day === '*' && /^[0-7]$/.test(weekday!)) return `chaque ${WEEKDAYS[Number(weekday)]} ${at}`;
  if (/^\d+$/.test(day!) && weekday === '*') return `le ${day} de chaque mois ${at}`;
  return `selon l’expression cron « ${schedule} »`;
}

/** Every module's jobs, checked: well-formed unique names, schedules that parse. */
export function collectJobs(modules: readonly RelaisModule[]): JobDefinition[] {
  const jobs: JobDefinition[] = [];
  for (const mod of modules) {
    for (const job of mod.jobs ?? []) {
      if (!JOB_NAME.test(job.name)) throw new Error(`Job name ${job.name} (module ${mod.name}) is not valid`);
      if (jobs.some((j) => j.name === job.name))
        throw new Error(`Job ${job.name} is declared twice (module ${mod.name})`);
      try {
        nextOccurrence(job.schedule);
      } catch (error) {
        throw new Error(`Job ${job.name} (module ${mod.name}): bad schedule: ${(error as Error).message}`);
      }
      jobs.push(job);
    }
  }
  return jobs;
}
