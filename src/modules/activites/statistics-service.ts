import { type RawBuilder, sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import { hashSecretToken, newSecretToken } from '../../platform/auth/secret-token.ts';
import type { Db } from '../../platform/db/database.ts';
import { placeSummaries } from '../lieux/index.ts';
import { displayName, findCollectiviteById, findCommune, getOpsn } from '../territoires/index.ts';
import { helperCollectivites, requireHelper } from './access.ts';
import {
  CANAUX,
  DEMARCHES,
  GENRES,
  MATERIELS,
  STATUTS,
  THEMATIQUES,
  TRANCHES_AGE,
  TRANCHES_DUREE,
  TYPES_ACTIVITE,
} from './vocabulary.ts';

/**
 * Activity statistics of a helper, a place, a collectivité or the whole OPSN over a period:
 * aggregates computed by PostgreSQL in five small GROUP BY queries, then shown exactly (to the helper who
 * may see the people behind them) or with small numbers masked (everyone else).
 */

// ---------------------------------------------------------------------------------------
// Periods

/** Both days included, as `YYYY-MM-DD`. */
export type Period = { du: string; au: string };

/** Today's date in France, as `YYYY-MM-DD`. */
export function parisToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The month `offset` months after the month of `day`, as `YYYY-MM`. */
function shiftMonth(day: string, offset: number): string {
  const index = Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 + offset;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

export type PresetId = '12-mois' | 'annee' | 'annee-precedente';
export type Preset = { id: PresetId; label: string; period: Period };

/** The periods offered in one click. */
export function presets(today: string = parisToday()): Preset[] {
  const year = Number(today.slice(0, 4));
  return [
    { id: '12-mois', label: '12 derniers mois', period: { du: `${shiftMonth(today, -11)}-01`, au: today } },
    { id: 'annee', label: 'Cette année', period: { du: `${year}-01-01`, au: today } },
    {
      id: 'annee-precedente',
      label: 'L’année dernière',
      period: { du: `${year - 1}-01-01`, au: `${year - 1}-12-31` },
    },
  ];
}

/** The last 12 months: this month and the 11 before, up to today. */
export const defaultPeriod = (today: string = parisToday()): Period => presets(today)[0]!.period;

export const MAX_MONTHS = 60;

const periodSchema = z.object({
  du: z.iso.date({ error: 'Date de début : saisissez une date valide, par exemple 01/01/2025.' }),
  au: z.iso.date({ error: 'Date de fin : saisissez une date valide, par exemple 31/12/2025.' }),
});

/** What is wrong with two valid dates as a period, by field. */
function periodErrors(p: Period): Record<string, string> {
  if (p.du < '2000-01-01') return { du: 'Date de début : le 1er janvier 2000 au plus tôt.' };
  if (p.au < p.du) return { au: 'Date de fin : elle doit suivre la date de début.' };
  if (monthsOf(p).length > MAX_MONTHS) return { du: 'Choisissez une période de 5 ans au plus.' };
  return {};
}

export type PeriodInput =
  | { ok: true; period: Period }
  | { ok: false; errors: Record<string, string>; values: { du: string; au: string } };

/** The period asked in a URL or a form; none asked means the last 12 months. */
export function parsePeriod(input: Record<string, unknown>, today: string = parisToday()): PeriodInput {
  const raw = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const values = { du: raw(input.du), au: raw(input.au) };
  if (values.du === '' && values.au === '') return { ok: true, period: defaultPeriod(today) };
  const parsed = periodSchema.safeParse(values);
  if (parsed.success) {
    const errors = periodErrors(parsed.data);
    return Object.keys(errors).length === 0
      ? { ok: true, period: parsed.data }
      : { ok: false, errors, values };
  }
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'du');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values };
}

/** Every month the period touches, as `YYYY-MM`, in order. */
export function monthsOf(period: Period): string[] {
  const months: string[] = [];
  const last = period.au.slice(0, 7);
  for (
    let i = 0, m = period.du.slice(0, 7);
    m <= last && i <= MAX_MONTHS + 1;
    i++, m = shiftMonth(`${m}-01`, 1)
  )
    months.push(m);
  return months;
}

// ---------------------------------------------------------------------------------------
// Scopes and who may see them

export type Scope =
  | { kind: 'mediateur'; id: string; name: string }
  | { kind: 'lieu'; id: string; name: string }
  | { kind: 'collectivite'; id: number; name: string }
  | { kind: 'opsn'; name: string };

/**
 * A statistics view someone may open. `exact`: the numbers are shown as they are, for a
 * helper who may already see every person behind them (their own activities, their places');
 * everyone else, and every shared link, gets small numbers masked.
 */
export type StatisticsAccess = {
  scope: Scope;
  exact: boolean;
  /** The collectivité a link to this view belongs to (removed with it). */
  collectiviteId: number | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a scope's page lives. */
export function scopePath(scope: Scope): string {
  switch (scope.kind) {
    case 'mediateur':
      return '/statistiques';
    case 'lieu':
      return `/statistiques/lieux/${scope.id}`;
    case 'collectivite':
      return `/statistiques/collectivites/${scope.id}`;
    case 'opsn':
      return '/statistiques/opsn';
  }
}

/** The signed-in helper's own activities, in every collectivité they help in. */
export function helperStatistics(actor: Actor): StatisticsAccess {
  const helper = requireHelper(actor);
  return {
    scope: { kind: 'mediateur', id: helper.userId, name: helper.actor.name },
    exact: true,
    collectiviteId: helper.collectiviteId,
  };
}

/**
 * A place's activities: for its helpers (exact: they see these people already) and for the
 * administrators and coordinators of its collectivité (masked). Undefined: no such place.
 */
export async function placeStatistics(
  db: Db,
  actor: Actor,
  lieuId: string,
): Promise<StatisticsAccess | undefined> {
  if (!UUID.test(lieuId)) return undefined;
  const [place] = await placeSummaries(db, [lieuId]);
  if (!place) return undefined;
  const scope: Scope = { kind: 'lieu', id: place.id, name: place.nom };
  const helping = helperCollectivites(actor);
  if (actor.kind === 'user' && helping.length > 0) {
    const mine = await db
      .selectFrom('mediateur_lieu')
      .select('lieu_id')
      .where('user_id', '=', actor.userId)
      .where('lieu_id', '=', place.id)
      .executeTakeFirst();
    if (mine) return { scope, exact: true, collectiviteId: requireHelper(actor).collectiviteId };
  }
  if (isAdmin(actor)) return { scope, exact: false, collectiviteId: null };
  // The coordinators of the collectivité that looks after the place.
  if (
    place.collectivite_id !== null &&
    can(actor, 'statistics.read', { collectiviteId: place.collectivite_id })
  ) {
    return { scope, exact: false, collectiviteId: place.collectivite_id };
  }
  throw new ForbiddenError('Ces statistiques sont réservées aux médiateurs de ce lieu et à sa coordination.');
}

/** A collectivité's activities: its coordinators and the administrators. Undefined: no such collectivité. */
export async function collectiviteStatistics(
  db: Db,
  actor: Actor,
  raw: string,
): Promise<StatisticsAccess | undefined> {
  if (!/^\d{1,9}$/.test(raw)) return undefined;
  const collectivite = await findCollectiviteById(db, Number(raw));
  if (!collectivite) return undefined;
  if (!can(actor, 'statistics.read', { collectiviteId: collectivite.id }))
    throw new ForbiddenError('Ces statistiques sont réservées à la coordination de cette collectivité.');
  return {
    scope: { kind: 'collectivite', id: collectivite.id, name: displayName(collectivite) },
    exact: false,
    collectiviteId: collectivite.id,
  };
}

/** The whole OPSN: administrators only. */
export async function opsnStatistics(db: Db, actor: Actor): Promise<StatisticsAccess> {
  if (!isAdmin(actor))
    throw new ForbiddenError('Ces statistiques sont réservées aux administrateurs de l’OPSN.');
  const opsn = await getOpsn(db);
  return {
    scope: { kind: 'opsn', name: opsn?.name ?? 'Tout le territoire' },
    exact: false,
    collectiviteId: null,
  };
}

// ---------------------------------------------------------------------------------------
// The aggregates

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
};

/** The duration bands of `trancheDuree`, in SQL (the function comes with the roll-up migration). */
const DUREE_SQL = sql`relais_tranche_duree(a.duree_min)`;

/** The activities of a scope in a period (alias `a`), each condition served by an index. */
function activityWhere(scope: Scope, period: Period): RawBuilder<unknown> {
  const dates = sql`a.date between ${period.du}::date and ${period.au}::date`;
  switch (scope.kind) {
    case 'mediateur':
      return sql`a.mediateur_id = ${scope.id}::uuid and ${dates}`; // activite_mediateur_date
    case 'lieu':
      return sql`a.lieu_id = ${scope.id}::uuid and ${dates}`; // activite_lieu_date
    case 'collectivite':
      return sql`a.collectivite_id = ${scope.id} and ${dates}`; // activite_collectivite_date
    case 'opsn':
      // Every report belongs to a collectivité: this reads activite_collectivite_date rather
      // than the whole table.
      return sql`a.collectivite_id = any(array(select id from collectivite)) and ${dates}`;
  }
}

/**
 * The participations of a scope in a period (alias `p`): `from … where …`, and the date to
 * count months by. A collectivité and the OPSN read `participation` alone (it carries the
 * collectivité and the date of its activity, for index participation_collectivite_date);
 * a helper and a place go through their activities.
 */
function participationSource(
  scope: Scope,
  period: Period,
): { from: RawBuilder<unknown>; date: RawBuilder<unknown> } {
  if (scope.kind === 'mediateur' || scope.kind === 'lieu')
    return {
      from: sql`participation p join activite a on a.id = p.activite_id where ${activityWhere(scope, period)}`,
      date: sql`a.date`,
    };
  const dates = sql`p.date between ${period.du}::date and ${period.au}::date`;
  return {
    from:
      scope.kind === 'collectivite'
        ? sql`participation p where p.collectivite_id = ${scope.id} and ${dates}`
        : sql`participation p where p.collectivite_id = any(array(select id from collectivite)) and ${dates}`,
    date: sql`p.date`,
  };
}

/** The first day of a row's month, computed per row but cast to text per group only. */
const month = (date: RawBuilder<unknown>) => sql`date_trunc('month', ${date}::timestamp)::date`;

/** The last day of a `YYYY-MM` month. */
function lastDayOf(month: string): string {
  const days = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
  return `${month}-${pad(days)}`;
}

/**
 * A period cut into the whole months it covers (read from the monthly counters) and the
 * partial months at its ends (counted from the reports themselves).
 */
export function splitPeriod(period: Period): { months: Period | null; edges: Period[] } {
  const first = period.du.endsWith('-01') ? period.du : `${shiftMonth(period.du, 1)}-01`;
  const lastMonth =
    lastDayOf(period.au.slice(0, 7)) === period.au ? period.au.slice(0, 7) : shiftMonth(period.au, -1);
  const last = lastDayOf(lastMonth);
  if (first > last) return { months: null, edges: [period] };
  const before = (day: string) =>
    new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const after = (day: string) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const edges: Period[] = [];
  if (period.du < first) edges.push({ du: period.du, au: before(first) });
  if (period.au > last) edges.push({ du: after(last), au: period.au });
  return { months: { du: first, au: last }, edges };
}

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
  const where = activityWhere(scope, period);
  const parts = participationSource(scope, period);
  return {
    // Activities by type × place type × duration band × month (at most 32 rows a month).
    activities: sql<{ type: string; canal: string; duree: string; mois: string; n: number }>`
      select type, canal, duree, mois::text as mois, count(*)::int as n
      from (select a.type, a.canal, ${DUREE_SQL} as duree, ${month(sql`a.date`)} as mois
            from activite a where ${where}) x
      group by type, canal, duree, mois`,
    // Activities by combination of equipment, themes and procedures (few distinct combinations).
    combinations: sql<{ materiels: string[]; thematiques: string[]; demarches: string[]; n: number }>`
      select a.materiels, a.thematiques, a.demarches, count(*)::int as n
      from activite a where ${where}
      group by a.materiels, a.thematiques, a.demarches`,
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
    communes: sql<{ commune: string | null; n: number }>`
      select p.commune_insee as commune, count(*)::int as n from ${parts.from} group by p.commune_insee`,
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
             (select count(*) from s where not exists (
                select 1 from participation q
                where q.beneficiaire_id = s.beneficiaire_id and q.date < ${period.du}::date))::int as nouvelles`;
  }
  if (scope.kind === 'mediateur' || scope.kind === 'lieu') {
    const parts = participationSource(scope, period);
    return countPeople(
      sql`select distinct p.beneficiaire_id from ${parts.from} and p.beneficiaire_id is not null`,
      period,
    );
  }
  const sources: RawBuilder<unknown>[] = [];
  if (split.months) {
    const months = sql`mois between ${split.months.du}::date and ${split.months.au}::date`;
    sources.push(
      scope.kind === 'collectivite'
        ? sql`select beneficiaire_id from stat_personne where collectivite_id = ${scope.id} and ${months}`
        : sql`select beneficiaire_id from stat_personne where ${months}`,
    );
  }
  for (const edge of split.edges)
    sources.push(
      sql`select p.beneficiaire_id from ${participationSource(scope, edge).from} and p.beneficiaire_id is not null`,
    );
  return countPeople(
    sql`select distinct beneficiaire_id from (${sql.join(sources, sql` union all `)}) u`,
    period,
  );
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

type Counting = ReturnType<typeof countingQueries>;

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
    rollup?: ReturnType<typeof rollupQuery>;
    counts: { name: string; queries: Counting }[];
  } = { distinct: distinctQuery(scope, period, split, options.fromReports), counts: [] };
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
    { name: 'distinct', query: q.distinct, settings: DISTINCT_SETTINGS },
    ...(q.rollup ? [{ name: 'rollup', query: q.rollup }] : []),
    ...q.counts.flatMap(({ name, queries }) =>
      Object.entries(queries).map(([part, query]) => ({ name: `${name}.${part}`, query })),
    ),
  ];
}

/**
 * Runs one aggregate in its own short transaction, without JIT (its compilation costs more
 * than these queries) and with room to hash their few thousand groups rather than sort rows.
 */
async function aggregate<R>(db: Db, query: RawBuilder<R>, settings: QuerySettings = {}): Promise<R[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`.execute(trx);
    for (const [name, value] of Object.entries(settings))
      await sql`select set_config(${name}, ${value}, true)`.execute(trx);
    return (await query.execute(trx)).rows;
  });
}

/** Planner settings a statistics query runs with, besides those of every one (see `aggregate`). */
export type QuerySettings = Record<string, string>;

/**
 * The distinct-people query: the planner cannot tell how many people a union of months holds
 * (it assumes 200) and would then look each of them up one by one; joining by hash is right
 * at any size.
 */
const DISTINCT_SETTINGS: QuerySettings = { enable_nestloop: 'off' };

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
  };
  return stats;
}

type CountingRows = { [K in keyof Counting]: Counting[K] extends RawBuilder<infer R> ? R[] : never };

/** Adds what the counting queries returned. */
function foldCounts(stats: RawStatistics, rows: CountingRows): void {
  for (const r of rows.activities) {
    stats.activites += r.n;
    add(stats.activity.type, r.type, r.n);
    add(stats.activity.canal, r.canal, r.n);
    add(stats.activity.duree, r.duree, r.n);
    add(stats.monthsActivites, r.mois.slice(0, 7), r.n);
  }
  for (const r of rows.combinations) {
    // Each code once per activity, even if a list repeats it.
    for (const code of new Set(r.materiels)) add(stats.activity.materiel, code, r.n);
    for (const code of new Set(r.thematiques)) add(stats.activity.thematique, code, r.n);
    for (const code of new Set(r.demarches)) add(stats.activity.demarche, code, r.n);
  }
  for (const r of rows.people) {
    stats.accompagnements += r.n;
    add(stats.people.identite, r.anonyme ? 'anonyme' : 'identifie', r.n);
    add(stats.people.genre, r.genre, r.n);
    add(stats.people.age, r.tranche_age, r.n);
    add(stats.people.statut, r.statut, r.n);
    add(stats.monthsAccompagnements, r.mois.slice(0, 7), r.n);
  }
  for (const r of rows.communes) add(stats.people.commune, r.commune ?? '', r.n);
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
    if (r.dim === 'type') {
      stats.activites += r.n;
      add(stats.monthsActivites, r.mois.slice(0, 7), r.n);
    }
    if (r.dim === 'genre') {
      stats.accompagnements += r.n;
      add(stats.monthsAccompagnements, r.mois.slice(0, 7), r.n);
    }
  }
}

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
  const [distinct, rollup, ...counts] = await Promise.all([
    aggregate(db, q.distinct, DISTINCT_SETTINGS),
    q.rollup ? aggregate(db, q.rollup) : Promise.resolve([]),
    ...q.counts.map((c) => runCounting(db, c.queries)),
  ]);
  const stats = emptyStatistics(period, distinct[0]);
  foldRollup(stats, rollup);
  for (const rows of counts) foldCounts(stats, rows);
  return stats;
}

// ---------------------------------------------------------------------------------------
// Masking small numbers

export const THRESHOLD = 5;

/** A number as shown: exact, under the threshold (`lt5`), or masked so that another cannot be recomputed. */
export type Shown = number | 'lt5' | 'masque';

type CellStatus = 'shown' | 'small' | 'secondary';

/**
 * Whether a reader who knows the shown cells, that the sum of all cells lies in `sum`, that
 * each `small` cell is between 1 and 4 and each `secondary` one at least 5, can tell the exact
 * value of a masked cell. With one linear sum and box bounds, each cell's possible values are
 * exactly the interval below.
 */
function discloses(
  values: readonly number[],
  status: readonly CellStatus[],
  sum: { lo: number; hi: number },
) {
  const masked = values.flatMap((_, i) => (status[i] === 'shown' ? [] : [i]));
  if (masked.length === 0) return false;
  const shown = values.reduce((s, v, i) => (status[i] === 'shown' ? s + v : s), 0);
  const lo = sum.lo - shown;
  const hi = sum.hi - shown;
  const bounds: [number, number][] = masked.map((i) =>
    status[i] === 'small' ? [1, THRESHOLD - 1] : [THRESHOLD, Number.POSITIVE_INFINITY],
  );
  const lows = bounds.reduce((s, [l]) => s + l, 0);
  const finiteHighs = bounds.reduce((s, [, u]) => (Number.isFinite(u) ? s + u : s), 0);
  const infinite = bounds.filter(([, u]) => !Number.isFinite(u)).length;
  return bounds.some(([l, u]) => {
    const othersHigh =
      infinite - (Number.isFinite(u) ? 0 : 1) > 0 ? Infinity : finiteHighs - (Number.isFinite(u) ? u : 0);
    const least = Math.max(l, lo - othersHigh);
    const most = Math.min(u, hi - (lows - l));
    return least >= most;
  });
}

/**
 * The cells of one breakdown (a partition of a total the reader knows to lie in `sum`), as
 * they may be shown: cells of 1 to 4 become "< 5"; while a masked cell could still be
 * recomputed from the total and the other cells, the smallest shown non-zero cell is masked
 * too. Null when even that cannot protect it: the breakdown is then not shown at all.
 */
export function protect(values: readonly number[], sum: { lo: number; hi: number }): Shown[] | null {
  const status: CellStatus[] = values.map((v) => (v > 0 && v < THRESHOLD ? 'small' : 'shown'));
  while (discloses(values, status, sum)) {
    let next = -1;
    values.forEach((v, i) => {
      if (status[i] === 'shown' && v > 0 && (next < 0 || v < (values[next] as number))) next = i;
    });
    if (next < 0) return null;
    status[next] = 'secondary';
  }
  return values.map((v, i) => (status[i] === 'shown' ? v : status[i] === 'small' ? 'lt5' : 'masque'));
}

/** A total as shown: under the threshold it is "< 5". */
const shownTotal = (n: number, exact: boolean): Shown => (exact || n === 0 || n >= THRESHOLD ? n : 'lt5');

/** What the reader knows of a total from how it is shown. */
const knownSum = (shown: Shown, n: number) =>
  shown === 'lt5'
    ? { lo: 1, hi: THRESHOLD - 1 }
    : shown === 'masque'
      ? { lo: 0, hi: Infinity }
      : { lo: n, hi: n };

// ---------------------------------------------------------------------------------------
// What pages, links and spreadsheets show

export type Row = {
  code: string;
  label: string;
  value: Shown /** Of the total, when both are shown. */;
  part: number | null;
};

export type Breakdown = {
  id: string;
  title: string;
  /** What a cell counts. */
  unit: 'activites' | 'accompagnements';
  /** A field with several values per activity: cells may add up to more than the total. */
  multi: boolean;
  rows: Row[];
  total: Shown;
  /** Withheld: too few people to show it without a masked number being recomputed. */
  hidden: boolean;
};

export type MonthRow = { mois: string; label: string; activites: number; accompagnements: Shown };

export type StatisticsView = {
  period: Period;
  exact: boolean;
  summary: {
    activites: number;
    accompagnements: Shown;
    personnes: Shown;
    nouvelles: Shown;
    connues: Shown;
  };
  activity: Breakdown[];
  people: Breakdown[];
  months: { rows: MonthRow[]; hidden: boolean };
};

type Labels = Readonly<Record<string, string>>;

const IDENTITES: Labels = { identifie: 'Personne enregistrée', anonyme: 'Personne anonyme' };

const ACTIVITY_BREAKDOWNS: { id: ActivityDimension; title: string; labels: Labels; multi: boolean }[] = [
  { id: 'type', title: 'Type d’activité', labels: TYPES_ACTIVITE, multi: false },
  { id: 'thematique', title: 'Thématiques', labels: THEMATIQUES, multi: true },
  { id: 'demarche', title: 'Démarches administratives', labels: DEMARCHES, multi: true },
  { id: 'canal', title: 'Lieu de l’activité', labels: CANAUX, multi: false },
  { id: 'duree', title: 'Durée', labels: TRANCHES_DUREE, multi: false },
  { id: 'materiel', title: 'Matériel utilisé', labels: MATERIELS, multi: true },
];

const PEOPLE_BREAKDOWNS: { id: PeopleDimension; title: string; labels: Labels }[] = [
  { id: 'identite', title: 'Personnes enregistrées ou anonymes', labels: IDENTITES },
  { id: 'genre', title: 'Genre', labels: GENRES },
  { id: 'age', title: 'Tranche d’âge', labels: TRANCHES_AGE },
  { id: 'statut', title: 'Statut', labels: STATUTS },
  { id: 'commune', title: 'Commune de résidence', labels: {} },
];

/** Communes listed one by one; the others are added up in one row. */
export const COMMUNES_LISTED = 15;

const collator = new Intl.Collator('fr', { sensitivity: 'base' });
const monthFormat = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export const monthLabel = (mois: string) => monthFormat.format(new Date(`${mois}-01T00:00:00Z`));

/** The vocabulary's codes in order, then any other code met (an older code keeps its count). */
function codedRows(
  counts: Map<string, number>,
  labels: Labels,
): { code: string; label: string; n: number }[] {
  const rows = Object.entries(labels).map(([code, label]) => ({ code, label, n: counts.get(code) ?? 0 }));
  for (const [code, n] of counts) if (!(code in labels)) rows.push({ code, label: code, n });
  return rows;
}

/** The largest communes one by one, the others together, then the unknown. */
function communeRows(counts: Map<string, number>): { code: string; label: string; n: number }[] {
  const known = [...counts].filter(([code]) => code !== '');
  known.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const rows = known.slice(0, COMMUNES_LISTED).map(([code, n]) => ({
    code,
    label: findCommune(code)?.name ?? `Commune ${code}`,
    n,
  }));
  const others = known.slice(COMMUNES_LISTED).reduce((s, [, n]) => s + n, 0);
  if (others > 0) rows.push({ code: 'autres', label: 'Autres communes', n: others });
  rows.push({ code: '', label: 'Commune non renseignée', n: counts.get('') ?? 0 });
  return rows;
}

const partOf = (value: Shown, total: Shown): number | null =>
  typeof value === 'number' && typeof total === 'number' && total > 0 ? value / total : null;

/** A breakdown of people: masked unless exact; withheld when masking cannot protect it. */
function peopleBreakdown(
  base: { id: string; title: string },
  rows: { code: string; label: string; n: number }[],
  total: number,
  totalShown: Shown,
  exact: boolean,
): Breakdown {
  const values = exact
    ? rows.map((r) => r.n)
    : protect(
        rows.map((r) => r.n),
        knownSum(totalShown, total),
      );
  if (values === null)
    return {
      ...base,
      unit: 'accompagnements',
      multi: false,
      total: totalShown,
      hidden: true,
      rows: rows.map((r) => ({ code: r.code, label: r.label, value: 'masque', part: null })),
    };
  return {
    ...base,
    unit: 'accompagnements',
    multi: false,
    total: totalShown,
    hidden: false,
    rows: rows.map((r, i) => {
      const value = values[i] as Shown;
      return { code: r.code, label: r.label, value, part: partOf(value, totalShown) };
    }),
  };
}

/** Rows with small numbers masked (unless exact), in the order readers expect. */
export function presentStatistics(raw: RawStatistics, exact: boolean): StatisticsView {
  const accompagnements = shownTotal(raw.accompagnements, exact);
  const personnes = shownTotal(raw.personnes, exact);
  const split = exact
    ? [raw.nouvelles, raw.personnes - raw.nouvelles]
    : (protect([raw.nouvelles, raw.personnes - raw.nouvelles], knownSum(personnes, raw.personnes)) ?? [
        'masque',
        'masque',
      ]);

  const activity = ACTIVITY_BREAKDOWNS.map(({ id, title, labels, multi }): Breakdown => {
    const rows = codedRows(raw.activity[id], labels);
    // Several values per activity: the most frequent first; a single one: the vocabulary's order.
    if (multi) rows.sort((a, b) => b.n - a.n);
    return {
      id,
      title,
      unit: 'activites',
      multi,
      total: raw.activites,
      hidden: false,
      rows: rows.map((r) => ({ code: r.code, label: r.label, value: r.n, part: partOf(r.n, raw.activites) })),
    };
  });

  const people = PEOPLE_BREAKDOWNS.map(({ id, title, labels }) => {
    const rows = id === 'commune' ? communeRows(raw.people.commune) : codedRows(raw.people[id], labels);
    const breakdown = peopleBreakdown({ id, title }, rows, raw.accompagnements, accompagnements, exact);
    if (id === 'commune' && !exact && !breakdown.hidden) {
      // Masked communes after the shown ones, by name: their order must not rank them.
      const shown = breakdown.rows.filter(
        (r) => typeof r.value === 'number' && r.code !== 'autres' && r.code !== '',
      );
      const masked = breakdown.rows.filter(
        (r) => typeof r.value !== 'number' && r.code !== 'autres' && r.code !== '',
      );
      masked.sort((a, b) => collator.compare(a.label, b.label));
      const tail = breakdown.rows.filter((r) => r.code === 'autres' || r.code === '');
      breakdown.rows = [...shown, ...masked, ...tail];
    }
    return breakdown;
  });

  const months = monthsOf(raw.period);
  const perMonth = peopleBreakdown(
    { id: 'mois', title: 'Accompagnements par mois' },
    months.map((m) => ({ code: m, label: monthLabel(m), n: raw.monthsAccompagnements.get(m) ?? 0 })),
    raw.accompagnements,
    accompagnements,
    exact,
  );

  return {
    period: raw.period,
    exact,
    summary: {
      activites: raw.activites,
      accompagnements,
      personnes,
      nouvelles: split[0] as Shown,
      connues: split[1] as Shown,
    },
    activity,
    people,
    months: {
      hidden: perMonth.hidden,
      rows: months.map((mois, i) => ({
        mois,
        label: monthLabel(mois),
        activites: raw.monthsActivites.get(mois) ?? 0,
        accompagnements: perMonth.rows[i]?.value ?? 'masque',
      })),
    },
  };
}

/** Counts and presents a view in one call. */
export async function statisticsView(
  db: Db,
  access: StatisticsAccess,
  period: Period,
): Promise<StatisticsView> {
  return presentStatistics(await computeStatistics(db, access.scope, period), access.exact);
}

// ---------------------------------------------------------------------------------------
// Shared read-only links

export type ShareSummary = { id: string; du: string; au: string; createdAt: Date; mine: boolean };

const scopeId = (scope: Scope): string | null => (scope.kind === 'opsn' ? null : String(scope.id));

/** Publishes a read-only link to a view over a period; returns the token, shown once. */
export async function createShare(
  db: Db,
  actor: Actor,
  access: StatisticsAccess,
  period: Period,
): Promise<string> {
  const token = newSecretToken();
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('partage_statistiques')
      .values({
        token_hash: hashSecretToken(token),
        created_by: actor.kind === 'user' ? actor.userId : null,
        scope: access.scope.kind,
        scope_id: scopeId(access.scope),
        collectivite_id: access.collectiviteId,
        du: period.du,
        au: period.au,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'statistiques.partage.creation',
      collectiviteId: access.collectiviteId,
      subject: { type: 'partage_statistiques', id: row.id },
      details: { scope: access.scope.kind, scope_id: scopeId(access.scope), du: period.du, au: period.au },
    });
  });
  return token;
}

/** The links of a view that still work, newest first. */
export async function listShares(db: Db, actor: Actor, scope: Scope): Promise<ShareSummary[]> {
  const id = scopeId(scope);
  const rows = await db
    .selectFrom('partage_statistiques')
    .select(['id', 'du', 'au', 'created_at', 'created_by'])
    .where('scope', '=', scope.kind)
    .where((eb) => (id === null ? eb('scope_id', 'is', null) : eb('scope_id', '=', id)))
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    du: r.du,
    au: r.au,
    createdAt: r.created_at,
    mine: actor.kind === 'user' && r.created_by === actor.userId,
  }));
}

/** Withdraws a link of this view (anyone who may open the view may). False: no such working link. */
export async function revokeShare(
  db: Db,
  actor: Actor,
  access: StatisticsAccess,
  shareId: string,
): Promise<boolean> {
  if (!UUID.test(shareId)) return false;
  const id = scopeId(access.scope);
  return db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('partage_statistiques')
      .set({ revoked_at: new Date() })
      .where('id', '=', shareId)
      .where('scope', '=', access.scope.kind)
      .where((eb) => (id === null ? eb('scope_id', 'is', null) : eb('scope_id', '=', id)))
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!revoked) return false;
    await audit(trx, {
      actor,
      action: 'statistiques.partage.retrait',
      collectiviteId: access.collectiviteId,
      subject: { type: 'partage_statistiques', id: shareId },
    });
    return true;
  });
}

/**
 * The view a link shows, always masked, over the period it was published for. Undefined:
 * no such link, withdrawn, or what it showed no longer exists.
 */
export async function sharedStatistics(
  db: Db,
  token: string,
): Promise<{ access: StatisticsAccess; period: Period } | undefined> {
  if (!/^[\w-]{43}$/.test(token)) return undefined;
  const share = await db
    .selectFrom('partage_statistiques')
    .selectAll()
    .where('token_hash', '=', hashSecretToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!share) return undefined;
  const period = { du: share.du, au: share.au };
  const of = (scope: Scope) => ({
    access: { scope, exact: false, collectiviteId: share.collectivite_id },
    period,
  });
  switch (share.scope) {
    case 'mediateur': {
      if (!share.scope_id) return undefined;
      const user = await db
        .selectFrom('app_user')
        .select('name')
        .where('id', '=', share.scope_id)
        .executeTakeFirst();
      return user ? of({ kind: 'mediateur', id: share.scope_id, name: user.name }) : undefined;
    }
    case 'lieu': {
      const [place] = await placeSummaries(db, share.scope_id ? [share.scope_id] : []);
      return place ? of({ kind: 'lieu', id: place.id, name: place.nom }) : undefined;
    }
    case 'collectivite': {
      const collectivite = await findCollectiviteById(db, Number(share.scope_id));
      return collectivite
        ? of({ kind: 'collectivite', id: collectivite.id, name: displayName(collectivite) })
        : undefined;
    }
    case 'opsn':
      return of({ kind: 'opsn', name: (await getOpsn(db))?.name ?? 'Tout le territoire' });
    default:
      return undefined;
  }
}
