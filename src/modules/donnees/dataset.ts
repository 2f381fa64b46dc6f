import type { ColumnType } from '../../platform/open-data.ts';

export type { Column, ColumnType, Dataset, DatasetRow } from '../../platform/open-data.ts';

/** The formats every dataset is published in. */
export const FORMATS = ['csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** How the dictionary names each kind of value, in French. */
export const COLUMN_TYPES: Record<ColumnType, string> = {
  string: 'texte',
  integer: 'nombre entier',
  number: 'nombre décimal',
  date: 'date (AAAA-MM-JJ)',
  yearmonth: 'mois (AAAA-MM)',
};
