import { type BackupDestination, backupName, openDestination } from '../../platform/backup/destination.ts';
import { BackupError } from '../../platform/backup/errors.ts';
import { type BackupResult, createBackup } from '../../platform/backup/index.ts';
import { applyRetention, describeRetention } from '../../platform/backup/retention.ts';
import type { Config } from '../../platform/config.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { formatBytes, formatDuration, plural } from './format.ts';
import { recordFailure, recordRun } from './runs.ts';

export const NO_DESTINATION =
  'Aucune destination configurée (RELAIS_BACKUP_DESTINATION) : aucune sauvegarde planifiée n’est écrite.';

/** The configured destination, or a French error naming the variable. */
export async function configuredDestination(config: Config): Promise<BackupDestination> {
  if (!config.backup.destination) throw new BackupError(NO_DESTINATION);
  return openDestination(config.backup.destination);
}

export type ScheduledBackup = BackupResult & { name: string; kept: string[]; removed: string[] };

/**
 * Writes a backup to the configured destination, then applies the retention rule there.
 * Nothing is removed unless the new backup is stored; the newest backup is always kept.
 */
export async function writeScheduledBackup(ctx: ModuleContext, now = new Date()): Promise<ScheduledBackup> {
  const { db, config } = ctx;
  const destination = await configuredDestination(config);
  const name = backupName(now);
  let result: BackupResult | undefined;
  await destination.store(name, async (file) => {
    result = await createBackup(db, file, config.backup);
  });
  const { keep, remove } = applyRetention(await destination.list(), config.backup.retention);
  if (!keep.some((b) => b.name === name)) {
    throw new BackupError(`${name} n’apparaît pas dans ${destination.label} après son envoi.`);
  }
  for (const old of remove) await destination.remove(old.name);
  return { ...result!, name, kept: keep.map((b) => b.name), removed: remove.map((b) => b.name) };
}

/** The scheduled backup as a job: records the run, and mails the administrators when it fails. */
export async function scheduledBackupJob(ctx: ModuleContext): Promise<string> {
  const startedAt = new Date();
  if (!ctx.config.backup.destination) return NO_DESTINATION;
  let done: ScheduledBackup;
  try {
    done = await writeScheduledBackup(ctx, startedAt);
  } catch (error) {
    throw await recordFailure(
      ctx,
      { kind: 'backup', startedAt, error },
      {
        subject: 'Relais : la sauvegarde planifiée a échoué',
        intro: 'La sauvegarde planifiée du {quand} a échoué :',
        advice: [
          'Tant qu’elle échoue, la dernière sauvegarde réussie vieillit. Corrigez la cause puis relancez la tâche « sauvegarde.ecriture » à /admin/taches (ou : npm run relais -- jobs run sauvegarde.ecriture).',
        ],
      },
    );
  }
  const summary = `${done.name} écrite dans ${(await configuredDestination(ctx.config)).label} : ${plural(done.tables.length, 'table')}, ${plural(done.rows, 'ligne')}, ${formatBytes(done.bytes)} chiffrés, en ${formatDuration(done.durationMs)}. Conservation (${describeRetention(ctx.config.backup.retention)}) : ${plural(done.kept.length, 'sauvegarde')} ${done.kept.length > 1 ? 'gardées' : 'gardée'}, ${plural(done.removed.length, 'supprimée')}`;
  await recordRun(ctx.db, {
    kind: 'backup',
    startedAt,
    ok: true,
    file: done.name,
    bytes: done.bytes,
    rows: done.rows,
    detail: summary,
  });
  return summary;
}
