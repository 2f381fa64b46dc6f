import { type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { RelaisModule } from '../module.ts';
import type { Db } from './database.ts';

/** All the migrations of all the modules, keyed by their sortable names. */
export function collectMigrations(modules: RelaisModule[]): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const mod of modules) {
    for (const [name, migration] of Object.entries(mod.migrations ?? {})) {
      if (all[name]) throw new Error(`Migration ${name} is declared twice (module ${mod.name})`);
      all[name] = migration;
    }
  }
  return all;
}

export class MigrationError extends Error {}

/** Applies pending migrations in one go; each migration runs in its own transaction. */
export async function migrateToLatest(db: Db, modules: RelaisModule[]): Promise<string[]> {
  const migrations = collectMigrations(modules);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'relais_migration',
    migrationLockTableName: 'relais_migration_lock',
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(
      `La migration ${failed?.migrationName ?? '?'} a échoué : ${String((result.error as Error).message ?? result.error)}`,
    );
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
