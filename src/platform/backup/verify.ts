import { PGlite } from '@electric-sql/pglite';
import { type DatabaseHandle, openDatabase, PGLITE_EXTENSIONS } from '../db/database.ts';
import type { RelaisModule } from '../module.ts';
import { readTables, useCanonicalText } from './catalog.ts';
import type { BackupKeys } from './encryption.ts';
import type { BackupHeader } from './format.ts';
import { checkTables, loadBackup, matchTables, openBackup, type TableCheck } from './load.ts';
import { checkKnownMigrations, migrateToBackup } from './migrations.ts';

export type VerifyReport = {
  file: string;
  bytes: number;
  header: BackupHeader;
  tables: TableCheck[];
  ok: boolean;
  durationMs: number;
};

/**
 * Proves a backup restores: loads it into a throwaway in-memory PGlite migrated to the
 * backup's schema, then recomputes every table's row count and checksum and compares
 * them with what the header recorded. Unreadable files throw; differences are reported.
 */
export async function verifyBackup(
  file: string,
  keys: BackupKeys,
  options: { modules: RelaisModule[] },
): Promise<VerifyReport> {
  const started = performance.now();
  const backup = await openBackup(file, keys);
  let pglite: PGlite | undefined;
  let handle: DatabaseHandle | undefined;
  try {
    // Before the throwaway database, which takes seconds to create: a backup of a later
    // version of Relais is refused at once.
    checkKnownMigrations(backup.header.migrations, options.modules);
    pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    handle = await openDatabase({ pglite });
    const { db } = handle;
    await migrateToBackup(db, backup.header.migrations, options.modules);
    const tables = await db.transaction().execute(async (trx) => {
      await useCanonicalText(trx);
      const targets = matchTables(backup.header, await readTables(trx));
      const counts = await loadBackup(trx, backup, targets);
      return checkTables(trx, backup.header, targets, counts);
    });
    return {
      file,
      bytes: backup.bytes,
      header: backup.header,
      tables,
      ok: tables.every((t) => t.ok),
      durationMs: performance.now() - started,
    };
  } finally {
    await backup.close();
    await handle?.close();
    await pglite?.close();
  }
}
