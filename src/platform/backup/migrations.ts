import { Migrator, NO_MIGRATIONS } from 'kysely';
import type { Db } from '../db/database.ts';
import { collectMigrations } from '../db/migrate.ts';
import type { RelaisModule } from '../module.ts';
import { appliedMigrations } from './catalog.ts';
import { BackupError } from './errors.ts';

/** Same tables as `migrateToLatest` (src/platform/db/migrate.ts). */
function migrator(db: Db, modules: RelaisModule[]): Migrator {
  const migrations = collectMigrations(modules);
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'relais_migration',
    migrationLockTableName: 'relais_migration_lock',
  });
}

/** Refuses a backup whose migrations this code does not know, or knows in another order. */
export function checkKnownMigrations(backup: string[], modules: RelaisModule[]): void {
  const known = Object.keys(collectMigrations(modules)).sort();
  const unknown = backup.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new BackupError(
      `Cette sauvegarde vient d’une version plus récente de Relais : ce code ne connaît pas ses migrations ${unknown.join(', ')}. Installez une version de Relais qui les contient, puis restaurez.`,
    );
  }
  const sorted = [...backup].sort();
  if (sorted.some((name, i) => known[i] !== name)) {
    const missing = known.slice(0, sorted.length).filter((name) => !sorted.includes(name));
    throw new BackupError(
      `Les migrations de la sauvegarde sautent des migrations de ce code (${missing.join(', ')}) : elle ne correspond à aucune version de Relais connue ici.`,
    );
  }
}

/**
 * Brings the target to exactly the backup's schema: the data fits the schema it was
 * saved with, and later migrations (data changes included) run after the restore.
 * A target already migrated beyond the backup cannot go back.
 */
export async function migrateToBackup(db: Db, backup: string[], modules: RelaisModule[]): Promise<void> {
  checkKnownMigrations(backup, modules);
  const ahead = (await appliedMigrations(db)).filter((name) => !backup.includes(name));
  if (ahead.length > 0) {
    throw new BackupError(
      `La base cible a déjà des migrations plus récentes que la sauvegarde (${ahead.join(', ')}) : restaurez-la dans une base neuve (nouveau DATA_DIR ou nouvelle base PostgreSQL), Relais appliquera ensuite les migrations manquantes.`,
    );
  }
  const result = await migrator(db, modules).migrateTo(backup.at(-1) ?? NO_MIGRATIONS);
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new BackupError(
      `La migration ${failed?.migrationName ?? '?'} a échoué sur la base cible : ${(result.error as Error).message ?? String(result.error)}`,
    );
  }
}
