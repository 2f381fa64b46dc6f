import type { Db } from '../../platform/db/database.ts';
import type { Column, Dataset, DatasetRow } from '../../platform/open-data.ts';
import { coverageOf, DEFAULT_RADIUS_KM, SERVICES } from '../couverture/index.ts';
import { COMPONENT_LABELS, SCORE_COLUMNS } from './ifn-file.ts';
import { listTerritories } from './territory.ts';
import { communeIndexes } from './territory-service.ts';

/**
 * The open dataset joining the fragility index of each commune of the OPSN's territory with
 * its coverage by published places (the observatory's own numbers, as its pages show them).
 */

/** A service's column name: its words, lower case, without accents. */
const serviceColumn = (service: string) =>
  `service_${service
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;

const COLUMNS: Column[] = [
  { name: 'code_insee', type: 'string', description: 'Code INSEE de la commune' },
  { name: 'commune', type: 'string', description: 'Nom de la commune' },
  {
    name: 'population',
    type: 'integer',
    description: 'Population municipale (référentiel officiel)',
    unit: 'habitants',
  },
  {
    name: 'millesime_ifn',
    type: 'integer',
    description: 'Année du millésime de l’indice (vide : commune non notée)',
  },
  ...SCORE_COLUMNS.map(
    (c): Column => ({
      name: `ifn_${c}`,
      type: 'number',
      description: `${COMPONENT_LABELS[c]} (1 à 10 ; 10 : le plus exposé)`,
    }),
  ),
  {
    name: 'lieux_publies',
    type: 'integer',
    description: 'Lieux de médiation numérique publiés dans la commune',
    unit: 'lieux',
  },
  {
    name: 'lieux_pour_10000_habitants',
    type: 'number',
    description: 'Lieux publiés pour 10 000 habitants',
    unit: 'lieux pour 10 000 habitants',
  },
  {
    name: 'position',
    type: 'string',
    description: 'D’où vient la position de la commune pour les distances',
    values: ['centre', 'lieux', 'inconnue'],
  },
  ...SERVICES.map(
    (s): Column => ({
      name: serviceColumn(s),
      type: 'string',
      description: `« ${s} » : proposé dans la commune, à moins de ${DEFAULT_RADIUS_KM} km de son centre, pas à proximité, ou position inconnue`,
      values: ['commune', 'proche', 'aucun', 'inconnu'],
    }),
  ),
];

/** One row per commune of the OPSN's territory. */
export async function indexCoverageRows(db: Db): Promise<DatasetRow[]> {
  const [opsn] = await listTerritories(db);
  const codes = opsn?.communes ?? [];
  const [indexes, coverage] = await Promise.all([communeIndexes(db, codes), coverageOf(db, codes)]);
  return coverage.communes.map((c) => {
    const index = indexes.get(c.code);
    const row: DatasetRow = {
      code_insee: c.code,
      commune: c.name,
      population: c.population,
      millesime_ifn: index?.year ?? null,
    };
    for (const s of SCORE_COLUMNS) row[`ifn_${s}`] = index ? index[s] : null;
    row.lieux_publies = c.places;
    row.lieux_pour_10000_habitants = c.placesPer10k === null ? null : Math.round(c.placesPer10k * 100) / 100;
    row.position = c.position;
    for (const s of SERVICES) row[serviceColumn(s)] = c.services[s];
    return row;
  });
}

/** The open dataset of the index per commune with its coverage, published by `donnees`. */
export const indexCoverageDataset: Dataset = {
  id: 'indice-fragilite-couverture',
  title: 'Indice de fragilité numérique et couverture par les lieux de médiation, par commune',
  description:
    'Pour chaque commune du territoire : l’indice de fragilité numérique (IFN) et ses indicateurs, ' +
    'rapprochés de la présence de lieux de médiation numérique, pour repérer les communes fragiles peu couvertes.',
  keywords: ['inclusion numérique', 'indice de fragilité numérique', 'IFN', 'couverture', 'communes'],
  columns: COLUMNS,
  notes: [
    'Indice : fichiers publiés par la MedNum, importés dans Relais (dernier millésime des communes).',
    `« À proximité » : un lieu publié à moins de ${DEFAULT_RADIUS_KM} km du centre de la commune (position de la mairie importée, sinon moyenne des lieux de la commune).`,
  ],
  generate: indexCoverageRows,
};
