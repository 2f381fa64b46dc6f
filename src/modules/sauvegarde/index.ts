import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { sauvegardeCli } from './cli.ts';
import { backupJobs } from './jobs.ts';
import { backupMetrics } from './metrics.ts';
import { sauvegardeMigrations } from './tables.ts';

/**
 * Encrypted backups that prove they restore: `backup --out`, `backup --verify`, `restore`; a
 * scheduled backup to a directory or an S3 bucket with a retention rule, and a weekly drill
 * that runs the recovery procedure into a throwaway database.
 */
export const sauvegarde: RelaisModule = {
  name: 'sauvegarde',
  migrations: sauvegardeMigrations,
  cli: sauvegardeCli,
  jobs: backupJobs,
  auditActions: AUDIT_ACTIONS,
  metrics: backupMetrics,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
