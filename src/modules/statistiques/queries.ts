import { type RawBuilder, sql } from 'kysely';
import { addDays } from '../../platform/paris-time.ts';
import { activitySource, participationSource, participationsBefore } from '../activites/index.ts';
import { type Period, splitPeriod } from './period.ts';
import type { Scope } from './scope.ts';

/** The duration bands of `trancheDuree`, in SQL (the function comes with the roll-up migration). */
const DUREE_SQL = sql`relais_tranche_duree(a.duree_min)`;

/** The first day of a row's month, computed per row but cast to text per group only. */
const month = (date: RawBuilder<unknown>) => sql`date_trunc('month', ${date}::timestamp)::date`;

/** Counts of a collectivité's or the OPSN's whole months, from the counters (see rollup.ts). */
function rollupQuery(scope: Scope, months: Period) {
  const where =
    scope.kind === 'collectivite'
      ? sql`collectivite_id = ${scope.id} and mois between ${months.du}::date and ${months.au}::date`
      : sql`mois between ${months.du}::date and ${months.au}::date`;
  return sql<{ dim: string; code: string; mois: string; n: number }>`
    select dim, code, mois::text as mois, sum(n)::int as n from (
      select dim, code, mois, n from stat_total where ${where}
      union all
      select dim, code, mois, n from stat_delta where ${where}
    ) s
    group by dim, code, mois
    having sum(n) <> 0`;
}

/** The four queries that count a scope's reports and participations in a period, one scan each. */
function countingQueries(scope: Scope, period: Period) {
  const parts = participationSource(scope, period);
  return {
    // Activities by type × place type × duration band × month (at most 32 rows a month).
    activities: sql<{ type: string; canal: string; duree: string; mois: string; n: number }>`
      select type, canal, duree, mois::text as mois, count(*)::int as n
      from (select a.type, a.canal, ${DUREE_SQL} as duree, ${month(sql`a.date`)} as mois
            from ${activitySource(scope, period)}) x
      group by type, canal, duree, mois`,
    // Activities by combination of equipment, themes and procedures (few distinct combinations).
    combinations: sql<{
      materiels: string[];
      thematiques: string[];
      demarches: string[];
      mois: string;
      n: number;
    }>`
      select materiels, thematiques, demarches, mois::text as mois, count(*)::int as n
      from (select a.materiels, a.thematiques, a.demarches, ${month(sql`a.date`)} as mois
            from ${activitySource(scope, period)}) x
      group by materiels, thematiques, demarches, mois`,
    // Accompaniments by what each participation copied of the person × anonymous or not × month.
    people: sql<{
      genre: string;
      tranche_age: string;
      statut: string;
      anonyme: boolean;
      mois: string;
      n: number;
    }>`
      select genre, tranche_age, statut, anonyme, mois::text as mois, count(*)::int as n
      from (select p.genre, p.tranche_age, p.statut, p.beneficiaire_id is null as anonyme,
                   ${month(parts.date)} as mois
            from ${parts.from}) x
      group by genre, tranche_age, statut, anonyme, mois`,
    // Accompaniments by commune of residence.
    communes: sql<{ commune: string | null; mois: string; n: number }>`
      select commune, mois::text as mois, count(*)::int as n
      from (select p.commune_insee as commune, ${month(parts.date)} as mois from ${parts.from}) x
      group by commune, mois`,
  };
}

/**
 * Distinct recorded people, and those never accompanied before the period (anywhere). People
 * are not additive: a helper's and a place's are read from their participations; a
 * collectivité's and the OPSN's from who was seen each whole month (`stat_personne`) and the
 * participations of the partial months, each person's first participation from `stat_premiere`.
 */
function distinctQuery(
  scope: Scope,
  period: Period,
  split: { months: Period | null; edges: Period[] },
  fromReports = false,
) {
  type Distinct = { personnes: number; nouvelles: number };
  if (fromReports) {
    // Everything from the participations themselves (slow at scale; checks the counters).
    const parts = participationSource(scope, period);
    return sql<Distinct>`
      with s as materialized (
        select distinct p.beneficiaire_id from ${parts.from} and p.beneficiaire_id is not null)
      select (select count(*) from s)::int as personnes,
             (select count(*) from s
              where not ${participationsBefore(sql.ref('s.beneficiaire_id'), period.du)})::int as nouvelles`;
  }
  if (scope.kind === 'mediateur' || scope.kind === 'lieu') {
    const parts = participationSource(scope, period);
    return countPeople(
      sql`select distinct p.beneficiaire_id from ${parts.from} and p.beneficiaire_id is not null`,
      period,
    );
  }
  if (split.months && split.edges.length === 0) return countedPeople(scope, split.months);
  if (split.months) return countedPeopleWithEdges(scope, period, split.months, split.edges);
  // Inside one month: the reports of those days.
  const edges = split.edges.map(
    (edge) =>
      sql`select p.beneficiaire_id from ${participationSource(scope, edge).from} and p.beneficiaire_id is not null`,
  );
  return countPeople(
    sql`select distinct beneficiaire_id from (${sql.join(edges, sql` union all `)}) u`,
    period,
  );
}

/**
 * A collectivité's or the OPSN's people over whole months and the days at either end (a period
 * up to today, as the network's roadmap asks), exact without reading the months' people: those
 * of the months from the counters (`countedPeople`), plus the people of the edge days (their
 * participations: a few days' worth) not seen in the scope during those months (`stat_personne`,
 * looked up per person). New ones: those of the months whose first month is from the months'
 * start on, those of the months whose first participation falls in the leading days, and the
 * edge days' others whose first participation is in the period (`stat_premiere`).
 */
function countedPeopleWithEdges(scope: Scope, period: Period, months: Period, edges: Period[]) {
  const inScope = scope.kind === 'collectivite' ? sql`and sp.collectivite_id = ${scope.id}` : sql``;
  const seenInMonths = (person: RawBuilder<unknown>) => sql`exists (select 1 from stat_personne sp
    where sp.beneficiaire_id = ${person} and sp.mois between ${months.du}::date and ${months.au}::date ${inScope})`;
  const edgePeople = sql.join(
    edges.map(
      (edge) =>
        sql`select p.beneficiaire_id from ${participationSource(scope, edge).from} and p.beneficiaire_id is not null`,
    ),
    sql` union `,
  );
  const leading =
    period.du < months.du
      ? sql`+ (select count(*) from stat_premiere f
               where f.premiere between ${period.du}::date and ${addDays(months.du, -1)}::date
                 and ${seenInMonths(sql`f.beneficiaire_id`)})`
      : sql``;
  return sql<{ personnes: number; nouvelles: number }>`
    with m as (${countedPeople(scope, months)}),
    x as materialized (
      select distinct e.beneficiaire_id from (${edgePeople}) e
      where not ${seenInMonths(sql`e.beneficiaire_id`)})
    select (m.personnes + (select count(*) from x))::int as personnes,
           (m.nouvelles
            + (select count(*) from x join stat_premiere f on f.beneficiaire_id = x.beneficiaire_id
               where f.premiere between ${period.du}::date and ${period.au}::date)
            ${leading})::int as nouvelles
    from m`;
}

/**
 * A collectivité's or the OPSN's people over whole months, from the counters kept for it (see
 * migrations.ts): each person seen in the months counts once, in the first of those months
 * they were seen in (their previous month in the scope is before the range); the new ones were
 * seen nowhere before it. A few thousand rows whatever the number of people.
 */
function countedPeople(scope: Scope, months: Period) {
  const where = sql`collectivite_id = ${scope.kind === 'collectivite' ? scope.id : 0}
    and mois between ${months.du}::date and ${months.au}::date and precedent < ${months.du}::date`;
  return sql<{ personnes: number; nouvelles: number }>`
    select coalesce(sum(n), 0)::int as personnes,
           coalesce(sum(n) filter (where premier >= ${months.du}::date), 0)::int as nouvelles
    from (select premier, n from stat_distinct where ${where}
          union all
          select premier, n from stat_distinct_delta where ${where}) s`;
}

/**
 * People in `people` (distinct ids), and of them those whose first participation falls in the
 * period: those few are found in `stat_premiere` by date and matched against the set (a hash
 * semi-join), rather than looking up every person's first participation one by one.
 */
function countPeople(people: RawBuilder<unknown>, period: Period) {
  return sql<{ personnes: number; nouvelles: number }>`
    with s as materialized (${people})
    select (select count(*) from s)::int as personnes,
           (select count(*) from stat_premiere f
            where f.premiere between ${period.du}::date and ${period.au}::date
              and f.beneficiaire_id in (select beneficiaire_id from s))::int as nouvelles`;
}

export type Counting = ReturnType<typeof countingQueries>;

/**
 * The SQL a statistics view runs, by name, for benchmarks and for reading: a helper's and a
 * place's count their reports; a collectivité and the OPSN read the counters for whole months
 * and count the reports of the partial months at the ends of the period.
 */
export function statisticsQueries(scope: Scope, period: Period, options: { fromReports?: boolean } = {}) {
  const rolled = !options.fromReports && (scope.kind === 'collectivite' || scope.kind === 'opsn');
  const split = rolled ? splitPeriod(period) : { months: null, edges: [period] };
  const { months, edges } = split;
  const queries: {
    distinct: RawBuilder<{ personnes: number; nouvelles: number }>;
    /** The planner settings `distinct` runs with. */
    distinctSettings: QuerySettings;
    rollup?: ReturnType<typeof rollupQuery>;
    counts: { name: string; queries: Counting }[];
  } = {
    distinct: distinctQuery(scope, period, split, options.fromReports),
    distinctSettings: months && edges.length > 0 ? EDGE_DISTINCT_SETTINGS : DISTINCT_SETTINGS,
    counts: [],
  };
  if (months) queries.rollup = rollupQuery(scope, months);
  queries.counts = edges.map((edge, i) => ({
    name: `reports${i + 1}`,
    queries: countingQueries(scope, edge),
  }));
  return queries;
}

/** Every query of `statisticsQueries`, flat and named. */
export function namedStatisticsQueries(
  scope: Scope,
  period: Period,
): { name: string; query: RawBuilder<unknown>; settings?: QuerySettings }[] {
  const q = statisticsQueries(scope, period);
  return [
    { name: 'distinct', query: q.distinct, settings: q.distinctSettings },
    ...(q.rollup ? [{ name: 'rollup', query: q.rollup }] : []),
    ...q.counts.flatMap(({ name, queries }) =>
      Object.entries(queries).map(([part, query]) => ({ name: `${name}.${part}`, query })),
    ),
  ];
}

/** Planner settings a statistics query runs with, besides those of every one (see `aggregate`). */
export type QuerySettings = Record<string, string>;

/**
 * The distinct-people query: the planner cannot tell how many people a union of months holds
 * (it assumes 200) and would then look each of them up one by one; joining by hash is right
 * at any size.
 */
export const DISTINCT_SETTINGS: QuerySettings = { enable_nestloop: 'off' };

/**
 * The distinct people of whole months and edge days: the edge days' few thousand people are
 * looked up one by one (their months in the scope, their first participation), which the
 * planner would rather do by hashing every person-month of the scope and every first
 * participation.
 */
const EDGE_DISTINCT_SETTINGS: QuerySettings = { enable_hashjoin: 'off', enable_mergejoin: 'off' };
