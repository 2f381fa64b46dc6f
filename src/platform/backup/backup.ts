import { stat } from 'node:fs/promises';
import { sql } from 'kysely';
import { journalSeals, sealJournal } from '../audit/journal.ts';
import type { Db } from '../db/database.ts';
import {
  appliedMigrations,
  dependencyOrder,
  readForeignKeys,
  readSequences,
  readTables,
  serverVersion,
  summarise,
  useCanonicalText,
} from './catalog.ts';
import { type BackupKeys, writeEncrypted } from './encryption.ts';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type BackupHeader,
  dataColumns,
  encodeLines,
  type RowValues,
  type TableInfo,
} from './format.ts';

export type BackupResult = {
  file: string;
  bytes: number;
  tables: { name: string; rows: number }[];
  rows: number;
  durationMs: number;
};

/** The header: what the database holds, computed in the backup's snapshot. */
async function readHeader(trx: Db): Promise<BackupHeader> {
  const tables = await readTables(trx);
  const order = dependencyOrder(
    tables.map((t) => t.name),
    await readForeignKeys(trx),
  );
  const sorted = order.map((name) => tables.find((t) => t.name === name)!);
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: new Date().toISOString(),
    source: await serverVersion(trx),
    migrations: await appliedMigrations(trx),
    tables: await summarise(trx, sorted),
    sequences: await readSequences(trx),
  };
}

/** Rows per fetch: few for tables that hold files, so that memory stays bounded. */
const fetchSize = (table: TableInfo) => (table.columns.some((c) => c.type === 'bytea') ? 20 : 1000);

/** Reads a table through a cursor, one batch of rows at a time, each value as text. */
async function* readRows(trx: Db, table: TableInfo): AsyncGenerator<RowValues[]> {
  const values = sql.join(dataColumns(table).map((c) => sql`${sql.id(c.name)}::text`));
  await sql`declare relais_backup no scroll cursor for
            select array[${values}]::text[] as v from ${sql.id(table.name)}`.execute(trx);
  const fetch = sql<{ v: RowValues }>`fetch forward ${sql.raw(String(fetchSize(table)))} from relais_backup`;
  for (;;) {
    const { rows } = await fetch.execute(trx);
    if (rows.length === 0) break;
    yield rows.map((r) => r.v);
  }
  await sql`close relais_backup`.execute(trx);
}

async function* backupLines(trx: Db, header: BackupHeader): AsyncGenerator<Uint8Array> {
  yield encodeLines([header]);
  for (const table of header.tables) {
    yield encodeLines([{ table: table.name }]);
    for await (const rows of readRows(trx, table)) yield encodeLines(rows);
  }
  yield encodeLines([{ end: true }]);
}

/**
 * Writes every table of `public` (rows, files, migration bookkeeping) to `out`, one
 * age-encrypted file. It reads one consistent snapshot (repeatable read), so the
 * application may keep running on PostgreSQL meanwhile.
 */
export async function createBackup(db: Db, out: string, keys: BackupKeys): Promise<BackupResult> {
  const started = performance.now();
  // The backup carries a journal whose every entry is already chained (when its schema seals).
  if (await journalSeals(db)) await sealJournal(db);
  let header: BackupHeader | undefined;
  await writeEncrypted(out, keys, (write) =>
    db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        await useCanonicalText(trx);
        header = await readHeader(trx);
        await write(backupLines(trx, header));
      }),
  );
  const tables = header!.tables.map((t) => ({ name: t.name, rows: t.rows }));
  return {
    file: out,
    bytes: (await stat(out)).size,
    tables,
    rows: tables.reduce((sum, t) => sum + t.rows, 0),
    durationMs: performance.now() - started,
  };
}
