import type { Db } from '../../platform/db/database.ts';

/** The formats every dataset is published in. */
export const FORMATS = ['csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** Kinds of values a column holds (the names of the Table Schema types). */
export type ColumnType = 'string' | 'integer' | 'number' | 'date' | 'yearmonth';

export const COLUMN_TYPES: Record<ColumnType, string> = {
  string: 'texte',
  integer: 'nombre entier',
  number: 'nombre décimal',
  date: 'date (AAAA-MM-JJ)',
  yearmonth: 'mois (AAAA-MM)',
};

/** One column of a dataset, as its dictionary describes it to reusers. */
export type Column = {
  name: string;
  type: ColumnType;
  description: string;
  /** What a number counts or measures (« accompagnements », « % »…). */
  unit?: string;
  /** The values the column may take (a multi-valued column joins several with `|`). */
  values?: readonly string[];
};

/** One row of a dataset: a value per column name, null when empty (or suppressed). */
export type DatasetRow = Record<string, string | number | null>;

/**
 * A dataset Relais publishes under `/donnees/{id}`. `generate` reads the database and
 * returns its rows; a dataset without it (its module has not supplied it yet) is listed as
 * not yet available.
 */
export type Dataset = {
  /** Stable slug: the dataset's URLs and the catalogue identifiers derive from it. */
  id: string;
  title: string;
  description: string;
  keywords: readonly string[];
  columns: readonly Column[];
  /** Further notes for reusers (how small numbers are hidden, what a row is…). */
  notes?: readonly string[];
  /** The standard the rows follow: its name and the address of its schema. */
  conformsTo?: { label: string; url: string };
  generate?: (db: Db) => Promise<DatasetRow[]>;
};
