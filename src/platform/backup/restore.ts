import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { RelaisModule } from '../module.ts';
import { dependencyOrder, readForeignKeys, readTables, useCanonicalText } from './catalog.ts';
import type { BackupKeys } from './encryption.ts';
import { BackupError } from './errors.ts';
import { MIGRATION_TABLES, type SequenceState, type TableInfo } from './format.ts';
import { checkTables, loadBackup, matchTables, openBackup } from './load.ts';
import { migrateToBackup } from './migrations.ts';

export type RestoreOptions = {
  /** Empty a target that holds data instead of refusing. */
  force?: boolean;
  /** The code's modules: their migrations build the schema the rows go into. */
  modules: RelaisModule[];
};

export type RestoreResult = {
  file: string;
  bytes: number;
  createdAt: string;
  source: string;
  tables: { name: string; rows: number }[];
  rows: number;
  /** Tables that held data and were emptied (`force`). */
  cleared: string[];
  /** Migrations of this code the backup did not have, applied after the restore. */
  migrated: string[];
  durationMs: number;
};

async function tablesWithRows(trx: Db, tables: TableInfo[]): Promise<string[]> {
  const names: string[] = [];
  for (const { name } of tables) {
    if (MIGRATION_TABLES.includes(name)) continue;
    const { rows } = await sql<{ found: boolean }>`
      select exists (select 1 from ${sql.id(name)}) as found`.execute(trx);
    if (rows[0]!.found) names.push(name);
  }
  return names;
}

/**
 * Empties the tables that hold rows, referencing tables first. TRUNCATE, not DELETE: it
 * fires no row trigger (an audit trigger would write while we empty). A table whose
 * trigger refuses TRUNCATE (an append-only journal) stops the restore, named.
 */
async function clearTables(trx: Db, filled: string[]): Promise<void> {
  const order = dependencyOrder(filled, await readForeignKeys(trx)).reverse();
  for (const name of order) {
    try {
      await sql`truncate table ${sql.id(name)} cascade`.execute(trx);
    } catch (error) {
      throw new BackupError(
        `Impossible de vider la table ${name} (--force) : ${(error as Error).message}. Rien n’a été restauré ; restaurez dans une base neuve.`,
      );
    }
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Sets each sequence to the backup's value, or past the largest id restored if that is
 * higher, so that new rows never reuse an id. Runs last: setval is not undone by a
 * rollback.
 */
async function restoreSequences(trx: Db, sequences: SequenceState[]): Promise<void> {
  for (const seq of sequences) {
    const { rows: exists } = await sql<{ found: boolean }>`
      select to_regclass(${quoteIdent(seq.name)}) is not null as found`.execute(trx);
    if (!exists[0]!.found) continue;
    const used: bigint[] = seq.isCalled ? [BigInt(seq.lastValue)] : [];
    if (seq.table && seq.column) {
      const { rows } = await sql<{ max: string | null }>`
        select max(${sql.id(seq.column)})::text as max from ${sql.id(seq.table)}`.execute(trx);
      if (rows[0]!.max !== null) used.push(BigInt(rows[0]!.max));
    }
    const highest = used.reduce<bigint | null>((a, b) => (a === null || b > a ? b : a), null);
    await sql`select setval(${quoteIdent(seq.name)}::regclass, ${String(highest ?? seq.lastValue)}::bigint,
                            ${highest !== null})`.execute(trx);
  }
}

/**
 * Restores a backup into `db`, in one transaction: the target must be empty (or `force`),
 * and the restored tables must match the header's row counts and checksums before the
 * transaction commits; any failure leaves the target's data as it was. The target first
 * gets the backup's migrations; this code's later migrations run after the restore.
 */
export async function restoreBackup(
  db: Db,
  file: string,
  keys: BackupKeys,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const started = performance.now();
  const backup = await openBackup(file, keys);
  const { header } = backup;
  let cleared: string[] = [];
  let counts: Map<string, number>;
  try {
    await migrateToBackup(db, header.migrations, options.modules);
    counts = await db.transaction().execute(async (trx) => {
      await useCanonicalText(trx);
      const targetTables = await readTables(trx);
      const targets = matchTables(header, targetTables);
      const filled = await tablesWithRows(trx, targetTables);
      if (filled.length > 0 && !options.force) {
        throw new BackupError(
          `La base cible contient déjà des données (tables ${filled.join(', ')}) : restaurez dans une base vide, ou ajoutez --force pour la vider d’abord.`,
        );
      }
      await clearTables(trx, filled);
      cleared = filled;
      const loaded = await loadBackup(trx, backup, targets);
      const different = (await checkTables(trx, header, targets, loaded)).filter((c) => !c.ok);
      if (different.length > 0) {
        throw new BackupError(
          `Les données restaurées diffèrent de la sauvegarde (tables ${different.map((c) => c.name).join(', ')}) : rien n’a été restauré.`,
        );
      }
      await restoreSequences(trx, header.sequences);
      return loaded;
    });
  } finally {
    await backup.close();
  }
  const migrated = await migrateToLatest(db, options.modules);
  const tables = header.tables.map((t) => ({ name: t.name, rows: counts.get(t.name) ?? 0 }));
  return {
    file,
    bytes: backup.bytes,
    createdAt: header.createdAt,
    source: header.source.kind,
    tables,
    rows: tables.reduce((sum, t) => sum + t.rows, 0),
    cleared,
    migrated,
    durationMs: performance.now() - started,
  };
}
