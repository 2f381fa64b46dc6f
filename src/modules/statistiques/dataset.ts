import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Column, Dataset, DatasetRow } from '../../platform/open-data.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { participationsBeforeDay, TYPES_ACTIVITE } from '../activites/index.ts';
import { GENRES, TRANCHES_AGE } from '../beneficiaires/index.ts';
import { findCommune, listCollectivites } from '../territoires/index.ts';
// The statistics' own rounding: this dataset publishes exactly the monthly cells the
// statistics pages and the observatory add up.
import { ROUNDING_BASE, roundToBase } from './disclosure.ts';

/**
 * Aggregated activity of the helpers: one row per collectivité, commune of residence of the
 * people helped and month, with the number of accompaniments (one person at one activity)
 * broken down three ways, every count rounded to the nearest multiple of 5 (see `roundRow`).
 */

type Breakdown = {
  prefix: string;
  column: string;
  vocabulary: Readonly<Record<string, string>>;
  what: string;
};

/** The three breakdowns, each a partition of the row's accompaniments. */
const BREAKDOWNS: readonly Breakdown[] = [
  { prefix: 'type', column: 'type', vocabulary: TYPES_ACTIVITE, what: 'type d’activité' },
  { prefix: 'genre', column: 'genre', vocabulary: GENRES, what: 'genre' },
  { prefix: 'age', column: 'age', vocabulary: TRANCHES_AGE, what: 'tranche d’âge' },
];

const columnName = (b: Breakdown, code: string) => `${b.prefix}_${code}`;

const ROUNDED = `arrondi au multiple de ${ROUNDING_BASE} le plus proche`;

const COLUMNS: Column[] = [
  {
    name: 'collectivite_code',
    type: 'string',
    description:
      'Collectivité membre où l’activité a été enregistrée : code INSEE d’une commune ou SIREN d’une intercommunalité',
  },
  { name: 'collectivite_nom', type: 'string', description: 'Nom de cette collectivité' },
  {
    name: 'commune_residence_insee',
    type: 'string',
    description:
      'Code INSEE de la commune de résidence des personnes accompagnées ; vide quand elle est inconnue',
  },
  {
    name: 'commune_residence_nom',
    type: 'string',
    description: 'Nom de cette commune ; vide quand inconnue',
  },
  { name: 'mois', type: 'yearmonth', description: 'Mois des activités' },
  {
    name: 'accompagnements',
    type: 'integer',
    unit: 'accompagnements',
    description: `Accompagnements : une personne présente à une activité, individuelle ou en atelier ; ${ROUNDED}`,
  },
  ...BREAKDOWNS.flatMap((b) =>
    Object.entries(b.vocabulary).map(
      ([code, label]): Column => ({
        name: columnName(b, code),
        type: 'integer',
        unit: 'accompagnements',
        description: `Accompagnements dont le ${b.what} est « ${label} » ; ${ROUNDED}`,
      }),
    ),
  ),
];

/** The codes of a vocabulary, with any value outside it counted as « non communiqué ». */
function normalised(column: RawBuilder<unknown>, vocabulary: Readonly<Record<string, string>>) {
  const codes = Object.keys(vocabulary);
  return codes.includes('non_communique')
    ? sql`case when ${column} in (${sql.join(codes)}) then ${column} else 'non_communique' end`
    : column;
}

/** Counts per collectivité, commune and complete month, one scan of the participations. */
function countsQuery(before: string) {
  const filters = BREAKDOWNS.flatMap((b) =>
    Object.keys(b.vocabulary).map(
      (code) =>
        sql`count(*) filter (where ${sql.ref(b.column)} = ${code})::int as ${sql.id(columnName(b, code))}`,
    ),
  );
  return sql<Record<string, number | string>>`
    select collectivite_id, commune, mois, count(*)::int as accompagnements, ${sql.join(filters)}
    from (select p.collectivite_id, coalesce(p.commune_insee, '') as commune,
                 to_char(p.date, 'YYYY-MM') as mois, a.type,
                 ${normalised(sql`p.genre`, GENRES)} as genre,
                 ${normalised(sql`p.tranche_age`, TRANCHES_AGE)} as age
          from ${participationsBeforeDay(before)}) x
    group by collectivite_id, commune, mois`;
}

/**
 * A row's counts as they may be published: each rounded to the nearest multiple of 5 on its
 * own, the same monthly cells the statistics pages add up (statistiques/disclosure.ts). Null: a
 * row whose total rounds to 0 is not published (its mere presence would tell that someone
 * from that commune was helped that month).
 */
export function roundRow(
  total: number,
  breakdowns: readonly (readonly number[])[],
): { total: number; breakdowns: number[][] } | null {
  if (roundToBase(total) === 0) return null;
  return { total: roundToBase(total), breakdowns: breakdowns.map((cells) => cells.map(roundToBase)) };
}

/** The dataset's rows: complete months only (the month in progress would change every day). */
export async function generateActivity(db: Db, today: string = parisToday()): Promise<DatasetRow[]> {
  const [{ rows }, collectivites] = await Promise.all([
    countsQuery(`${today.slice(0, 7)}-01`).execute(db),
    listCollectivites(db),
  ]);
  const byId = new Map(collectivites.map((c) => [c.id, c]));
  const published = rows.flatMap((row): DatasetRow[] => {
    const collectivite = byId.get(Number(row.collectivite_id));
    const commune = String(row.commune);
    const rounded = roundRow(
      Number(row.accompagnements),
      BREAKDOWNS.map((b) => Object.keys(b.vocabulary).map((code) => Number(row[columnName(b, code)]))),
    );
    if (!rounded) return [];
    const record: DatasetRow = {
      collectivite_code: collectivite?.code ?? '',
      collectivite_nom: collectivite ? collectivite.display_name || collectivite.name : '',
      commune_residence_insee: commune,
      commune_residence_nom: commune ? (findCommune(commune)?.name ?? '') : '',
      mois: String(row.mois),
      accompagnements: rounded.total,
    };
    BREAKDOWNS.forEach((b, i) => {
      Object.keys(b.vocabulary).forEach((code, j) => {
        record[columnName(b, code)] = rounded.breakdowns[i]?.[j] ?? 0;
      });
    });
    return [record];
  });
  const key = (r: DatasetRow) => `${r.collectivite_code}\t${r.commune_residence_insee}\t${r.mois}`;
  return published.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The open dataset of the helpers' activity, published by `donnees`. */
export const activityDataset: Dataset = {
  id: 'activite-mediation-numerique',
  title: 'Activité de médiation numérique par commune et par mois',
  description:
    'Le nombre de personnes accompagnées par les médiateurs numériques des collectivités membres, ' +
    'par commune de résidence et par mois, selon le type d’activité, le genre et la tranche d’âge. ' +
    `Données agrégées : chaque nombre est arrondi au multiple de ${ROUNDING_BASE} le plus proche.`,
  keywords: [
    'inclusion numérique',
    'médiation numérique',
    'accompagnements',
    'statistiques',
    'conseillers numériques',
  ],
  columns: COLUMNS,
  notes: [
    'Une ligne par collectivité, commune de résidence et mois révolu (le mois en cours n’est publié qu’une fois terminé).',
    `Secret statistique : chaque nombre est arrondi séparément au multiple de ${ROUNDING_BASE} le plus proche (0, 1 et 2 donnent 0 ; 3 à 7 donnent 5 ; etc.), comme les statistiques de Relais et l’observatoire, qui additionnent ces mêmes nombres mois par mois. Une ligne dont le total arrondi est 0 n’est pas publiée.`,
    'Les arrondis étant faits cellule par cellule, une répartition (type d’activité, genre, tranche d’âge) peut ne pas totaliser exactement les accompagnements de la ligne.',
  ],
  generate: generateActivity,
};
