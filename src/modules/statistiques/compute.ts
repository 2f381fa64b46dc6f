import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { addMonthly, type MonthlyCells, TOTAL_ACCOMPAGNEMENTS, TOTAL_ACTIVITES } from './disclosure.ts';
import type { Period } from './period.ts';
import { type Counting, type QuerySettings, statisticsQueries } from './queries.ts';
import type { Scope } from './scope.ts';

export const ACTIVITY_DIMENSIONS = ['type', 'canal', 'duree', 'materiel', 'thematique', 'demarche'] as const;
export const PEOPLE_DIMENSIONS = ['identite', 'genre', 'age', 'statut', 'commune'] as const;
export type ActivityDimension = (typeof ACTIVITY_DIMENSIONS)[number];
export type PeopleDimension = (typeof PEOPLE_DIMENSIONS)[number];

/** The numbers as PostgreSQL counted them: never shown as such outside an exact view. */
export type RawStatistics = {
  period: Period;
  activites: number;
  /** One person at one activity (anonymous ones included). */
  accompagnements: number;
  /** Distinct recorded people (anonymous participations are not people one can tell apart). */
  personnes: number;
  /** Of them, those whose first participation ever falls in the period. */
  nouvelles: number;
  /** Activities by code (a multi-valued field counts each activity once per code). */
  activity: Record<ActivityDimension, Map<string, number>>;
  /** Accompaniments by code; `commune` by INSEE code, '' when unknown. */
  people: Record<PeopleDimension, Map<string, number>>;
  /** By `YYYY-MM`. */
  monthsActivites: Map<string, number>;
  monthsAccompagnements: Map<string, number>;
  /** Every count above by month, from which the published numbers are made (disclosure.ts). */
  monthly: MonthlyCells;
};

/**
 * Runs aggregates one after the other in one short transaction, without JIT (its compilation
 * costs more than these queries) and with room to hash their few thousand groups rather than
 * sort rows; `settings` (for the first, which the others do not mind) are set by the same
 * statement: the fewest round trips.
 */
async function aggregates<R extends unknown[]>(
  db: Db,
  queries: { [K in keyof R]: RawBuilder<R[K]> },
  settings: QuerySettings = {},
): Promise<{ [K in keyof R]: R[K][] }> {
  const all = { jit: 'off', work_mem: '32MB', ...settings };
  const set = sql.join(Object.entries(all).map(([name, value]) => sql`set_config(${name}, ${value}, true)`));
  return db.transaction().execute(async (trx) => {
    await sql`select ${set}`.execute(trx);
    const rows: unknown[][] = [];
    for (const query of queries) rows.push((await query.execute(trx)).rows);
    return rows as { [K in keyof R]: R[K][] };
  });
}

/** One aggregate in its own short transaction (see `aggregates`). */
async function aggregate<R>(db: Db, query: RawBuilder<R>, settings: QuerySettings = {}): Promise<R[]> {
  const [rows] = await aggregates<[R]>(db, [query], settings);
  return rows;
}

const add = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);

function emptyStatistics(period: Period, distinct: { personnes: number; nouvelles: number } | undefined) {
  const map = () => new Map<string, number>();
  const stats: RawStatistics = {
    period,
    activites: 0,
    accompagnements: 0,
    personnes: distinct?.personnes ?? 0,
    nouvelles: distinct?.nouvelles ?? 0,
    activity: {
      type: map(),
      canal: map(),
      duree: map(),
      materiel: map(),
      thematique: map(),
      demarche: map(),
    },
    people: { identite: map(), genre: map(), age: map(), statut: map(), commune: map() },
    monthsActivites: map(),
    monthsAccompagnements: map(),
    monthly: map(),
  };
  return stats;
}

type CountingRows = { [K in keyof Counting]: Counting[K] extends RawBuilder<infer R> ? R[] : never };

/** Adds what the counting queries returned. */
function foldCounts(stats: RawStatistics, rows: CountingRows): void {
  const cell = (dim: string, code: string, mois: string, n: number) =>
    addMonthly(stats.monthly, dim, code, mois, n);
  for (const r of rows.activities) {
    stats.activites += r.n;
    add(stats.activity.type, r.type, r.n);
    add(stats.activity.canal, r.canal, r.n);
    add(stats.activity.duree, r.duree, r.n);
    add(stats.monthsActivites, r.mois.slice(0, 7), r.n);
    for (const [dim, code] of [
      [TOTAL_ACTIVITES, ''],
      ['type', r.type],
      ['canal', r.canal],
      ['duree', r.duree],
    ])
      cell(dim as string, code as string, r.mois, r.n);
  }
  for (const r of rows.combinations) {
    // Each code once per activity, even if a list repeats it.
    for (const [dim, codes] of [
      ['materiel', r.materiels],
      ['thematique', r.thematiques],
      ['demarche', r.demarches],
    ] as const)
      for (const code of new Set(codes)) {
        add(stats.activity[dim], code, r.n);
        cell(dim, code, r.mois, r.n);
      }
  }
  for (const r of rows.people) {
    stats.accompagnements += r.n;
    const identite = r.anonyme ? 'anonyme' : 'identifie';
    add(stats.people.identite, identite, r.n);
    add(stats.people.genre, r.genre, r.n);
    add(stats.people.age, r.tranche_age, r.n);
    add(stats.people.statut, r.statut, r.n);
    add(stats.monthsAccompagnements, r.mois.slice(0, 7), r.n);
    for (const [dim, code] of [
      [TOTAL_ACCOMPAGNEMENTS, ''],
      ['identite', identite],
      ['genre', r.genre],
      ['age', r.tranche_age],
      ['statut', r.statut],
    ])
      cell(dim as string, code as string, r.mois, r.n);
  }
  for (const r of rows.communes) {
    add(stats.people.commune, r.commune ?? '', r.n);
    cell('commune', r.commune ?? '', r.mois, r.n);
  }
}

const ROLLUP_ACTIVITY: Record<string, ActivityDimension> = {
  type: 'type',
  canal: 'canal',
  duree: 'duree',
  materiel: 'materiel',
  thematique: 'thematique',
  demarche: 'demarche',
};
const ROLLUP_PEOPLE: Record<string, PeopleDimension> = {
  genre: 'genre',
  age: 'age',
  statut: 'statut',
  identite: 'identite',
  commune: 'commune',
};

/** Adds the monthly counters: every activity counts once in `type`, every participation once in `genre`. */
function foldRollup(
  stats: RawStatistics,
  rows: { dim: string; code: string; mois: string; n: number }[],
): void {
  for (const r of rows) {
    const activity = ROLLUP_ACTIVITY[r.dim];
    const people = ROLLUP_PEOPLE[r.dim];
    if (activity) add(stats.activity[activity], r.code, r.n);
    if (people) add(stats.people[people], r.code, r.n);
    if (activity || people) addMonthly(stats.monthly, r.dim, r.code, r.mois, r.n);
    if (r.dim === 'type') {
      stats.activites += r.n;
      add(stats.monthsActivites, r.mois.slice(0, 7), r.n);
      addMonthly(stats.monthly, TOTAL_ACTIVITES, '', r.mois, r.n);
    }
    if (r.dim === 'genre') {
      stats.accompagnements += r.n;
      add(stats.monthsAccompagnements, r.mois.slice(0, 7), r.n);
      addMonthly(stats.monthly, TOTAL_ACCOMPAGNEMENTS, '', r.mois, r.n);
    }
  }
}

type RollupRow = { dim: string; code: string; mois: string; n: number };

async function runCounting(db: Db, q: Counting): Promise<CountingRows> {
  const [activities, combinations, people, communes] = await Promise.all([
    aggregate(db, q.activities),
    aggregate(db, q.combinations),
    aggregate(db, q.people),
    aggregate(db, q.communes),
  ]);
  return { activities, combinations, people, communes };
}

/**
 * Counts a scope's activities and participations over a period; `fromReports` counts every
 * report even where the monthly counters could serve (to check them).
 */
export async function computeStatistics(
  db: Db,
  scope: Scope,
  period: Period,
  options: { fromReports?: boolean } = {},
): Promise<RawStatistics> {
  const q = statisticsQueries(scope, period, options);
  const rollupQuery = q.rollup;
  // The people and the months' counters read few rows: one transaction for both; the reports
  // of the days at the ends (if any) are counted meanwhile.
  const [[distinct, rollup], ...counts] = await Promise.all([
    rollupQuery
      ? aggregates(db, [q.distinct, rollupQuery], q.distinctSettings)
      : aggregate(db, q.distinct, q.distinctSettings).then((rows) => [rows, [] as RollupRow[]] as const),
    ...q.counts.map((c) => runCounting(db, c.queries)),
  ]);
  const stats = emptyStatistics(period, distinct[0]);
  foldRollup(stats, rollup);
  for (const rows of counts) foldCounts(stats, rows);
  return stats;
}
