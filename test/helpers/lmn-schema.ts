import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/**
 * The official reference schemas live outside the repository, beside it in
 * `../shared/reference/` (never copied in). Tests that need them skip when it is absent.
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const REFERENCE_DIR = path.join(repoRoot, '..', 'shared', 'reference');

/** `{ skip }` reason of node:test for tests that need the reference folder. */
export const REFERENCE_MISSING = existsSync(REFERENCE_DIR)
  ? false
  : `dossier de référence absent (${REFERENCE_DIR}) : schémas officiels LMN et data.inclusion non disponibles`;

export function referencePath(...parts: string[]): string {
  return path.join(REFERENCE_DIR, ...parts);
}

/** A reference file as text, or null when it is absent. */
export function readReference(...parts: string[]): string | null {
  const file = referencePath(...parts);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

// ---------------------------------------------------------------------------------------
// Frictionless Table Schema, the parts the LMN standard uses
// ---------------------------------------------------------------------------------------

export type TableConstraints = {
  required?: boolean;
  unique?: boolean;
  pattern?: string;
  maxLength?: number;
  minLength?: number;
  enum?: string[];
};

export type TableField = {
  name: string;
  type?: string;
  format?: string;
  constraints?: TableConstraints;
  [key: string]: unknown;
};

export type TableSchema = {
  fields: TableField[];
  primaryKey?: string | string[];
  missingValues?: string[];
  version?: string;
  [key: string]: unknown;
};

export type RecordError = {
  /** 1 for the first record (line 2 of a CSV file with its header). */
  row: number;
  field: string;
  value: string;
  message: string;
};

/** The official LMN Table Schema (`lmn/schema.json`), or null when the reference folder is absent. */
export function loadLmnSchema(): TableSchema | null {
  const text = readReference('lmn', 'schema.json');
  return text === null ? null : (JSON.parse(text) as TableSchema);
}

/** CSV text (UTF-8, comma, header line) as records keyed by column name. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  return parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
}

const SUPPORTED_CONSTRAINTS = new Set(['required', 'unique', 'pattern', 'maxLength', 'minLength', 'enum']);

/** Table Schema `number`: a decimal, optionally with an exponent, or NaN / INF / -INF. */
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|INF|-INF)$/;

function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A Table Schema pattern with its full-match semantics (XML Schema regular expressions are anchored). */
export function fullMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** The type error of a present value, or null when it casts. */
function typeError(field: TableField, value: string): string | null {
  const type = field.type ?? 'string';
  const format = field.format ?? 'default';
  if (type === 'string' && format === 'default') return null;
  if (type === 'number' && format === 'default') {
    return NUMBER.test(value) ? null : 'type number : nombre décimal attendu';
  }
  if (type === 'date' && format === 'default') {
    return isIsoDate(value) ? null : 'type date : date AAAA-MM-JJ attendue';
  }
  throw new Error(
    `champ ${field.name} : type ${type} / format ${format} non pris en charge par ce validateur`,
  );
}

function constraintErrors(field: TableField, value: string): string[] {
  const c = field.constraints ?? {};
  const errors: string[] = [];
  const length = [...value].length;
  if (c.pattern !== undefined && !fullMatch(c.pattern).test(value))
    errors.push(`pattern ${c.pattern} non respecté`);
  if (c.maxLength !== undefined && length > c.maxLength) {
    errors.push(`maxLength : ${length} caractères pour ${c.maxLength} au plus`);
  }
  if (c.minLength !== undefined && length < c.minLength) {
    errors.push(`minLength : ${length} caractères pour ${c.minLength} au moins`);
  }
  if (c.enum !== undefined && !c.enum.includes(value))
    errors.push(`enum : valeur hors de ${c.enum.join(', ')}`);
  return errors;
}

/**
 * Checks records (column name → cell text) against a Table Schema as Frictionless does for
 * the rules LMN uses: missing values (`""` by default), `required`, `unique` (and the
 * primary key), `pattern` (full match), `maxLength`/`minLength`/`enum`, types `string`,
 * `number` and `date` (format default: YYYY-MM-DD). Throws on a rule it does not know, so
 * that a new version of the schema cannot pass unchecked.
 */
export function validateLmnRecords(records: Record<string, string>[], schema: TableSchema): RecordError[] {
  const errors: RecordError[] = [];
  const missingValues = schema.missingValues ?? [''];
  const primaryKey = typeof schema.primaryKey === 'string' ? [schema.primaryKey] : (schema.primaryKey ?? []);
  if (primaryKey.length > 1) throw new Error('clé primaire composée non prise en charge par ce validateur');
  for (const field of schema.fields) {
    const unknown = Object.keys(field.constraints ?? {}).filter((k) => !SUPPORTED_CONSTRAINTS.has(k));
    if (unknown.length > 0)
      throw new Error(`champ ${field.name} : contrainte non prise en charge ${unknown.join(', ')}`);
  }

  const seen = new Map<string, Map<string, number>>();
  records.forEach((record, index) => {
    const row = index + 1;
    for (const field of schema.fields) {
      const raw = record[field.name];
      const inKey = primaryKey.includes(field.name);
      if (raw === undefined || missingValues.includes(raw)) {
        if (field.constraints?.required || inKey) {
          errors.push({
            row,
            field: field.name,
            value: raw ?? '',
            message: 'required : valeur obligatoire absente',
          });
        }
        continue;
      }
      const problem = typeError(field, raw);
      if (problem) {
        errors.push({ row, field: field.name, value: raw, message: problem });
        continue;
      }
      for (const message of constraintErrors(field, raw))
        errors.push({ row, field: field.name, value: raw, message });
      if (field.constraints?.unique || inKey) {
        const values = seen.get(field.name) ?? new Map<string, number>();
        seen.set(field.name, values);
        const first = values.get(raw);
        if (first !== undefined) {
          errors.push({
            row,
            field: field.name,
            value: raw,
            message: `unique : valeur déjà présente ligne ${first}`,
          });
        } else {
          values.set(raw, row);
        }
      }
    }
  });
  return errors;
}
