import { Gauge, type Registry } from 'prom-client';
import type { ModuleContext } from '../../platform/module.ts';
import { latestBackupRuns } from './runs.ts';
import type { BackupRunKind } from './tables.ts';

type Runs = Awaited<ReturnType<typeof latestBackupRuns>>;
type Run = NonNullable<Runs[BackupRunKind]['last']>;

const seconds = (date: Date) => date.getTime() / 1000;

/**
 * What monitoring needs to alert on backups, read from the database at each scrape (any app
 * process answers, whichever ran the job): when the last backup (`kind="backup"`) and the last
 * drill (`kind="drill"`) finished, whether they succeeded, when each last succeeded, and the
 * last good backup's size. A kind that never ran has no sample.
 */
export function backupMetrics(registry: Registry, { db }: ModuleContext): void {
  const byKind = (
    name: string,
    help: string,
    value: (runs: Runs[BackupRunKind]) => Run | undefined,
    read: (run: Run) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [kind, runs] of Object.entries(await latestBackupRuns(db))) {
          const run = value(runs);
          if (run) this.set({ kind }, read(run));
        }
      },
    });
  byKind(
    'relais_backup_last_run_timestamp_seconds',
    'Fin de la dernière sauvegarde planifiée (kind=backup) ou du dernier exercice de restauration (kind=drill)',
    (runs) => runs.last,
    (run) => seconds(run.finished_at),
  );
  byKind(
    'relais_backup_last_run_success',
    '1 si la dernière exécution a réussi, 0 si elle a échoué',
    (runs) => runs.last,
    (run) => (run.ok ? 1 : 0),
  );
  byKind(
    'relais_backup_last_success_timestamp_seconds',
    'Fin de la dernière exécution réussie',
    (runs) => runs.lastSuccess,
    (run) => seconds(run.finished_at),
  );
  new Gauge({
    name: 'relais_backup_last_success_size_bytes',
    help: 'Taille chiffrée de la dernière sauvegarde planifiée réussie',
    registers: [registry],
    async collect() {
      this.reset();
      const { lastSuccess } = (await latestBackupRuns(db)).backup;
      if (lastSuccess?.bytes) this.set(Number(lastSuccess.bytes));
    },
  });
}
