import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import {
  type Coverage,
  coverageOf,
  DEFAULT_RADIUS_KM,
  type WhiteZone,
  whiteZones,
} from '../couverture/index.ts';
import {
  computeStatistics,
  type Period,
  presentStatistics,
  type Scope,
  type StatisticsView,
} from '../statistiques/index.ts';
import type { ScoreColumn } from './ifn-file.ts';
import { type IfnComparison, indexComparison, listVintages, SCORES } from './query.ts';
import type { Territory } from './territory.ts';

/**
 * What the observatory knows of a territory: its fragility index and where it stands, the
 * index of each of its communes, the coverage by published places, its white zones, and the
 * activity of the helper workspace (published numbers: these pages are public).
 */

export const DEFAULT_THRESHOLD = 6;

export type ObservationSettings = { period: Period; radiusKm: number; threshold: number };

export type CommuneIndex = { code: string; year: number } & Record<ScoreColumn, number>;

export type Observation = {
  territory: Territory;
  settings: ObservationSettings;
  /** Whether any vintage of the index is imported at all. */
  indexImported: boolean;
  /** The territory's own index (a commune's, an EPCI's), with its standing. */
  index: IfnComparison | null;
  /** The index of each of its communes scored by the latest commune vintage. */
  communes: Map<string, CommuneIndex>;
  /** For the OPSN (or an EPCI without its own line): the communes' index weighted by population. */
  weighted: (Record<ScoreColumn, number> & { population: number; year: number }) | null;
  coverage: Coverage;
  whiteZones: WhiteZone[];
  /** Whose activity is shown (a commune of an EPCI shows its EPCI's). */
  activityOf: string;
  activity: StatisticsView;
};

/** The latest commune vintage's scores of these communes, in one query. */
export async function communeIndexes(db: Db, codes: string[]): Promise<Map<string, CommuneIndex>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('ifn_score as s')
    .innerJoin('ifn_millesime as v', 'v.id', 's.millesime_id')
    .select(['s.code', 'v.year', ...SCORES.map((c) => `s.${c}` as const)])
    .where('v.kind', '=', 'commune')
    .where('v.year', '=', (eb) =>
      eb
        .selectFrom('ifn_millesime')
        .select((e) => e.fn.max('year').as('y'))
        .where('kind', '=', 'commune'),
    )
    .where('s.code', '=', sql<string>`any(${codes}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.code, r]));
}

/** The mean of the communes' scores weighted by their population (communes without either left out). */
function weightedIndex(indexes: Map<string, CommuneIndex>, coverage: Coverage): Observation['weighted'] {
  let population = 0;
  let year = 0;
  const sums = Object.fromEntries(SCORES.map((c) => [c, 0])) as Record<ScoreColumn, number>;
  for (const commune of coverage.communes) {
    const index = indexes.get(commune.code);
    if (!index || !commune.population) continue;
    population += commune.population;
    year = Math.max(year, index.year);
    for (const c of SCORES) sums[c] += index[c] * commune.population;
  }
  if (population === 0) return null;
  const means = Object.fromEntries(SCORES.map((c) => [c, sums[c] / population])) as Record<
    ScoreColumn,
    number
  >;
  return { ...means, population, year };
}

/** The statistics scope of a territory's activity: the OPSN's, or its collectivité's. */
function activityScope(territory: Territory): Scope {
  return territory.collectivite
    ? { kind: 'collectivite', id: territory.collectivite.id, name: territory.collectivite.name }
    : { kind: 'opsn', name: territory.name };
}

/** Everything the territory's page, its embeddable variant and its PDF report show. */
export async function observeTerritory(
  db: Db,
  territory: Territory,
  settings: ObservationSettings,
): Promise<Observation> {
  const scope = activityScope(territory);
  const [vintages, index, communes, coverage, raw] = await Promise.all([
    listVintages(db),
    territory.indexCode ? indexComparison(db, territory.indexCode) : Promise.resolve(null),
    communeIndexes(db, territory.communes),
    coverageOf(db, territory.communes, { radiusKm: settings.radiusKm }),
    computeStatistics(db, scope, settings.period),
  ]);
  const zones = await whiteZones(db, territory.communes, {
    radiusKm: settings.radiusKm,
    threshold: settings.threshold,
    indexOf: (code) => communes.get(code)?.total ?? null,
  });
  return {
    territory,
    settings,
    indexImported: vintages.length > 0,
    index,
    communes,
    weighted: territory.kind === 'commune' ? null : weightedIndex(communes, coverage),
    coverage,
    whiteZones: zones,
    activityOf: scope.name,
    // Public pages: whole months of rounded monthly cells (statistiques/disclosure.ts).
    activity: presentStatistics(raw, false),
  };
}

export { DEFAULT_RADIUS_KM };
