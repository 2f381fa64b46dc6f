import { stat } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { dependencyOrder, readForeignKeys, tableChecksum } from './catalog.ts';
import { type BackupKeys, openDecrypted } from './encryption.ts';
import { BackupError } from './errors.ts';
import {
  type BackupHeader,
  type ColumnInfo,
  dataColumns,
  MIGRATION_TABLES,
  parseDataLine,
  parseHeader,
  type RowValues,
  type TableInfo,
} from './format.ts';

/** What restore and verify share: reading a backup and loading its rows into a database. */

export type OpenedBackup = {
  file: string;
  bytes: number;
  header: BackupHeader;
  /** The lines after the header; read them once. */
  lines: AsyncGenerator<string>;
  close(): Promise<void>;
};

/** Decrypts the file and checks its header, before anything touches a database. */
export async function openBackup(file: string, keys: BackupKeys): Promise<OpenedBackup> {
  const lines = await openDecrypted(file, keys);
  const close = async () => {
    await lines.return(undefined);
  };
  try {
    const first = await lines.next();
    const header = parseHeader(first.done ? undefined : first.value);
    return { file, bytes: (await stat(file)).size, header, lines, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const describeColumns = (columns: ColumnInfo[]) =>
  columns.map((c) => `${c.name} ${c.type}${c.generated ? ' (générée)' : ''}`).join(', ');

/**
 * Maps each table of the backup to the same table in the target, which must have the
 * same columns: after `migrateToBackup` it has, unless someone changed the schema by hand.
 */
export function matchTables(header: BackupHeader, target: TableInfo[]): Map<string, TableInfo> {
  const matched = new Map<string, TableInfo>();
  const problems: string[] = [];
  for (const table of header.tables) {
    const found = target.find((t) => t.name === table.name);
    if (!found) problems.push(`la table ${table.name} n’existe pas`);
    else if (describeColumns(found.columns) !== describeColumns(table.columns)) {
      problems.push(
        `la table ${table.name} a les colonnes (${describeColumns(found.columns)}) au lieu de (${describeColumns(table.columns)})`,
      );
    } else matched.set(table.name, found);
  }
  if (problems.length > 0) {
    throw new BackupError(`La base cible n’a pas le schéma de la sauvegarde : ${problems.join(' ; ')}.`);
  }
  return matched;
}

/** The backup lists tables in its source's foreign-key order; the target must agree. */
async function checkLoadOrder(trx: Db, header: BackupHeader): Promise<void> {
  const names = header.tables.map((t) => t.name);
  const foreignKeys = await readForeignKeys(trx);
  const position = new Map(names.map((name, i) => [name, i]));
  for (const [child, parent] of foreignKeys) {
    const [c, p] = [position.get(child), position.get(parent)];
    if (c !== undefined && p !== undefined && child !== parent && p > c) {
      throw new BackupError(
        `Ordre des tables incompatible avec les clés étrangères de la base cible (${child} avant ${parent}) ; ordre attendu : ${dependencyOrder(names, foreignKeys).join(', ')}.`,
      );
    }
  }
}

/** Rows per insert: many small rows, or a few megabytes of files. */
const BATCH_ROWS = 1000;
const BATCH_CHARS = 8 * 1024 * 1024;

/**
 * Inserts rows whose values are text: one array parameter per column, unnested and cast
 * to the column's type in SQL. OVERRIDING SYSTEM VALUE keeps `generated always` identity
 * values; plain inserts only, so append-only tables accept them.
 */
async function insertRows(trx: Db, table: TableInfo, rows: RowValues[]): Promise<void> {
  const columns = dataColumns(table);
  const alias = (i: number) => sql.id(`c${i}`);
  const names = sql.join(columns.map((c) => sql.id(c.name)));
  const casts = sql.join(columns.map((c, i) => sql`${alias(i)}::${sql.raw(c.type)}`));
  const arrays = sql.join(columns.map((_, i) => sql`${rows.map((r) => r[i] ?? null)}::text[]`));
  const aliases = sql.join(columns.map((_, i) => alias(i)));
  await sql`insert into ${sql.id(table.name)} (${names}) overriding system value
            select ${casts} from unnest(${arrays}) as u(${aliases})`.execute(trx);
}

function batchInserter(trx: Db, table: TableInfo) {
  let batch: RowValues[] = [];
  let chars = 0;
  const flush = async () => {
    if (batch.length > 0) await insertRows(trx, table, batch);
    batch = [];
    chars = 0;
  };
  const add = async (values: RowValues) => {
    batch.push(values);
    for (const v of values) chars += v?.length ?? 0;
    if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) await flush();
  };
  return { add, flush };
}

const corrupt = (detail: string) =>
  new BackupError(`Sauvegarde incohérente (${detail}) : rien n’a été restauré.`);

/**
 * Loads every row of the backup into `trx`, in the file's (foreign-key) order, and returns
 * how many rows each table received. The migration bookkeeping the target got from its own
 * migrations is replaced by the backup's, so that both hold the same rows. The tables' own
 * triggers (counters kept from other tables) stay off while loading, as in any restore: what
 * they would derive is in the backup already. Foreign keys are still checked.
 */
export async function loadBackup(
  trx: Db,
  backup: OpenedBackup,
  targets: Map<string, TableInfo>,
): Promise<Map<string, number>> {
  await checkLoadOrder(trx, backup.header);
  for (const name of targets.keys()) await sql`alter table ${sql.id(name)} disable trigger user`.execute(trx);
  const counts = await loadRows(trx, backup, targets);
  for (const name of targets.keys()) await sql`alter table ${sql.id(name)} enable trigger user`.execute(trx);
  return counts;
}

async function loadRows(
  trx: Db,
  backup: OpenedBackup,
  targets: Map<string, TableInfo>,
): Promise<Map<string, number>> {
  for (const name of MIGRATION_TABLES) {
    if (targets.has(name)) await sql`delete from ${sql.id(name)}`.execute(trx);
  }
  const expected = backup.header.tables.map((t) => t.name);
  const counts = new Map<string, number>();
  let current: { table: TableInfo; inserter: ReturnType<typeof batchInserter> } | undefined;
  let ended = false;
  for await (const line of backup.lines) {
    if (ended) throw corrupt('des données suivent la fin');
    const item = parseDataLine(line);
    if (item.kind === 'table') {
      await current?.inserter.flush();
      if (item.name !== expected[counts.size]) throw corrupt(`table ${item.name} inattendue`);
      const table = targets.get(item.name)!;
      current = { table, inserter: batchInserter(trx, table) };
      counts.set(item.name, 0);
    } else if (item.kind === 'row') {
      if (!current) throw corrupt('une ligne précède sa table');
      if (item.values.length !== dataColumns(current.table).length) {
        throw corrupt(`nombre de colonnes faux dans ${current.table.name}`);
      }
      await current.inserter.add(item.values);
      counts.set(current.table.name, counts.get(current.table.name)! + 1);
    } else {
      await current?.inserter.flush();
      ended = true;
    }
  }
  if (!ended)
    throw new BackupError('Sauvegarde incomplète : la fin du fichier manque. Rien n’a été restauré.');
  if (counts.size !== expected.length) throw corrupt('des tables manquent');
  return counts;
}

export type TableCheck = {
  name: string;
  /** What the header recorded. */
  expectedRows: number;
  expectedChecksum: string;
  /** What the file held and the database now holds. */
  fileRows: number;
  restoredRows: number;
  restoredChecksum: string;
  ok: boolean;
};

/** Recomputes each table's row count and checksum and compares them with the header. */
export async function checkTables(
  trx: Db,
  header: BackupHeader,
  targets: Map<string, TableInfo>,
  counts: Map<string, number>,
): Promise<TableCheck[]> {
  const checks: TableCheck[] = [];
  for (const table of header.tables) {
    const actual = await tableChecksum(trx, targets.get(table.name)!);
    const fileRows = counts.get(table.name) ?? 0;
    checks.push({
      name: table.name,
      expectedRows: table.rows,
      expectedChecksum: table.checksum,
      fileRows,
      restoredRows: actual.rows,
      restoredChecksum: actual.checksum,
      ok: fileRows === table.rows && actual.rows === table.rows && actual.checksum === table.checksum,
    });
  }
  return checks;
}
