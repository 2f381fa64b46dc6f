import { z } from 'zod';
import { BackupError } from './errors.ts';

/**
 * The plaintext inside the age file, gzip-compressed: JSON lines.
 *
 *   {header}                         the BackupHeader below
 *   {"table":"name"}                 starts a table's rows, tables in foreign-key order
 *   ["text", null, …]                one row: each column's text form, in `dataColumns` order
 *   {"end":true}                     the file is complete
 *
 * Values travel in PostgreSQL's own text form (`col::text`), which every type reads back
 * exactly: no bigint or numeric goes through a JavaScript number.
 */
export const BACKUP_FORMAT = 'relais-backup';
export const BACKUP_VERSION = 1;

/** Tables the migrator owns: restore replaces their rows instead of requiring them empty. */
export const MIGRATION_TABLES = ['relais_migration', 'relais_migration_lock'];

const columnSchema = z.object({ name: z.string(), type: z.string(), generated: z.boolean() });

const tableSchema = z.object({
  name: z.string(),
  columns: z.array(columnSchema),
  rows: z.number().int().nonnegative(),
  /** SHA-256 of the table's content, see `tableChecksums`. */
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});

const sequenceSchema = z.object({
  name: z.string(),
  /** Text: a bigint may exceed what a JavaScript number holds exactly. */
  lastValue: z.string().regex(/^-?\d+$/),
  isCalled: z.boolean(),
  table: z.string().nullable(),
  column: z.string().nullable(),
});

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  source: z.object({ kind: z.enum(['pglite', 'postgres']), serverVersion: z.string() }),
  migrations: z.array(z.string()),
  tables: z.array(tableSchema),
  sequences: z.array(sequenceSchema),
});

export type ColumnInfo = z.infer<typeof columnSchema>;
export type TableInfo = { name: string; columns: ColumnInfo[] };
export type TableSummary = z.infer<typeof tableSchema>;
export type SequenceState = z.infer<typeof sequenceSchema>;
export type BackupHeader = z.infer<typeof headerSchema>;

/** A row carries the columns one can insert into: generated columns are recomputed. */
export const dataColumns = (table: TableInfo): ColumnInfo[] => table.columns.filter((c) => !c.generated);

export type RowValues = (string | null)[];
export type DataLine = { kind: 'table'; name: string } | { kind: 'row'; values: RowValues } | { kind: 'end' };

const encoder = new TextEncoder();

/** Encodes values as JSON lines, ready for the compressor. */
export function encodeLines(values: unknown[]): Uint8Array {
  let text = '';
  for (const value of values) text += `${JSON.stringify(value)}\n`;
  return encoder.encode(text);
}

const NOT_A_BACKUP = 'Ce fichier chiffré ne contient pas une sauvegarde Relais lisible.';

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new BackupError(`${NOT_A_BACKUP} (ligne illisible)`);
  }
}

/** Checks the first line: a Relais backup, of a format version this code reads. */
export function parseHeader(line: string | undefined): BackupHeader {
  if (line === undefined) throw new BackupError(`${NOT_A_BACKUP} (fichier vide)`);
  const value = parseJson(line) as { format?: unknown; version?: unknown } | null;
  if (value?.format !== BACKUP_FORMAT) throw new BackupError(NOT_A_BACKUP);
  if (value.version !== BACKUP_VERSION) {
    throw new BackupError(
      `Format de sauvegarde inconnu (version ${String(value.version)}) : cette version de Relais lit la version ${BACKUP_VERSION}. Utilisez la version de Relais qui a créé la sauvegarde, ou une plus récente.`,
    );
  }
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) throw new BackupError(`${NOT_A_BACKUP} (en-tête incomplet)`);
  return parsed.data;
}

/** Reads one line after the header. */
export function parseDataLine(line: string): DataLine {
  const value = parseJson(line);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v === 'string')) {
    return { kind: 'row', values: value as RowValues };
  }
  const marker = value as { table?: unknown; end?: unknown } | null;
  if (typeof marker?.table === 'string') return { kind: 'table', name: marker.table };
  if (marker?.end === true) return { kind: 'end' };
  throw new BackupError(`${NOT_A_BACKUP} (ligne inattendue)`);
}
