import { loadConfig } from '../../platform/config.ts';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { drillJob } from './drill.ts';
import { scheduledBackupJob } from './scheduled.ts';

/**
 * The schedules come from the environment (`RELAIS_BACKUP_SCHEDULE`,
 * `RELAIS_BACKUP_DRILL_SCHEDULE`), read when the platform collects the jobs (after `.env` is
 * loaded), not when this file is imported: hence getters.
 */
const scheduleOf = (pick: (backup: ReturnType<typeof loadConfig>['backup']) => string) => () => {
  try {
    return pick(loadConfig().backup);
  } catch {
    // A bad configuration stops every command before jobs are listed; this is never shown.
    return pick(loadConfig({}).backup);
  }
};
const backupSchedule = scheduleOf((b) => b.schedule);
const drillSchedule = scheduleOf((b) => b.drill.schedule);

export const backupJobs: JobDefinition[] = [
  {
    name: 'sauvegarde.ecriture',
    label: 'Sauvegarder la base, chiffrée, vers sa destination, puis appliquer la règle de conservation',
    get schedule() {
      return backupSchedule();
    },
    run: (ctx) => scheduledBackupJob(ctx),
  },
  {
    name: 'sauvegarde.exercice',
    label:
      'Exercice de restauration : restaurer la dernière sauvegarde dans une base jetable et la vérifier (lignes, sommes de contrôle, journal)',
    get schedule() {
      return drillSchedule();
    },
    run: (ctx) => drillJob(ctx),
  },
];
