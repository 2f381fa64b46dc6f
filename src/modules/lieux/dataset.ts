import type { Db } from '../../platform/db/database.ts';
import type { Column, Dataset, DatasetRow } from '../../platform/open-data.ts';
import { lmnRecord, publishedPlaces } from './export.ts';
import { LMN_FIELDS, LMN_VERSION, type LmnField } from './vocabulary.ts';

const COLUMN_TYPE = { text: 'string', multi: 'string', number: 'number', date: 'date' } as const;

/** A field of the LMN standard as a column of the dictionary. */
function columnOf(field: LmnField): Column {
  const parts = [field.label];
  if (field.required) parts.push('obligatoire');
  if (field.rule) parts.push(field.rule);
  if (field.kind === 'multi') parts.push('plusieurs valeurs séparées par |');
  return {
    name: field.name,
    type: COLUMN_TYPE[field.kind],
    description: parts.join(' ; '),
    ...(field.name === 'latitude' || field.name === 'longitude' ? { unit: 'degrés (WGS 84)' } : {}),
    ...(field.values ? { values: field.values } : {}),
  };
}

/** The published places, as the directory's own LMN export writes them. */
async function generatePlaces(db: Db): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const page of publishedPlaces(db)) for (const { place } of page) rows.push(lmnRecord(place));
  return rows;
}

/** The open dataset of the directory, published by `donnees`. */
export const placesDataset: Dataset = {
  id: 'lieux-mediation-numerique',
  title: 'Lieux de médiation numérique',
  description:
    'Les lieux où l’on aide les personnes à utiliser le numérique et à faire leurs démarches en ligne, ' +
    `publiés dans l’annuaire, au standard national des lieux de médiation numérique (LMN v${LMN_VERSION}).`,
  keywords: ['inclusion numérique', 'médiation numérique', 'lieux', 'France Services', 'LMN'],
  columns: LMN_FIELDS.map(columnOf),
  notes: ['Une ligne par lieu publié dans l’annuaire ; les lieux en brouillon ou retirés n’y sont pas.'],
  conformsTo: {
    label: `Standard des lieux de médiation numérique v${LMN_VERSION}`,
    url: `https://raw.githubusercontent.com/LaMednum/standard-mediation-num/v${LMN_VERSION}/schema.json`,
  },
  generate: generatePlaces,
};
