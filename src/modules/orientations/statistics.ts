import { type RawBuilder, sql } from 'kysely';
import { type Actor, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { roundToBase, THRESHOLD } from '../statistiques/index.ts';
import { REFUSAL_REASONS, type RefusalReason, STATUSES, type Status } from './vocabulary.ts';

/**
 * The observatory's indicators of referrals, for coordinators (their collectivités: referrals
 * they sent or received) and the OPSN's administrators (the whole territory). Like the other
 * published statistics (statistiques/disclosure.ts), periods are whole months (the last 12
 * complete ones), every count is the sum of its monthly cells each rounded to 5, rates are
 * computed from those rounded counts, and a median response time is shown only for a
 * structure with at least 5 answers in the period. Themes are the services of the places
 * (the LMN list), so that a theme never names a person or a small structure.
 */

/** Whose referrals: some collectivités (sent by or sent to them), or the whole OPSN (`null`). */
export type StatisticsScope = { collectiviteIds: number[] | null };

/** The scope an actor may read: the OPSN for administrators, else the collectivités they coordinate. */
export function statisticsScopeOf(actor: Actor): StatisticsScope | null {
  if (isAdmin(actor)) return { collectiviteIds: null };
  if (actor.kind !== 'user') return null;
  const ids = actor.memberships.flatMap((m) =>
    m.role === 'coordinateur' && m.collectiviteId !== null ? [m.collectiviteId] : [],
  );
  return ids.length > 0 ? { collectiviteIds: [...new Set(ids)] } : null;
}

/** The last `months` complete months, in Paris: first day included, last day excluded. */
export function completeMonths(now: Date = new Date(), months = 12): { from: string; to: string } {
  const [y, m] = parisToday(now).split('-').map(Number) as [number, number];
  const first = (year: number, month: number) => {
    const d = new Date(Date.UTC(year, month - 1, 1));
    return d.toISOString().slice(0, 10);
  };
  return { from: first(y, m - months), to: first(y, m) };
}

export type ReferralStatistics = {
  period: { from: string; to: string };
  /** Sent referrals per month (`YYYY-MM`), rounded to 5. */
  byMonth: { month: string; n: number }[];
  /** Referrals by state, each the sum of its rounded months. */
  byStatus: Partial<Record<Status, number>>;
  total: number;
  /** Among answered ones (accepted or refused), the share accepted; among accepted, the share honoured. */
  acceptanceRate: number | null;
  honourRate: number | null;
  /**
   * Referrals by theme: the service of the place they went to (the LMN list of services), each
   * the sum of its rounded months, largest first; `null` for services outside the territory.
   */
  byTheme: { theme: string | null; n: number }[];
  /** Refusal reasons, each the sum of its rounded months. */
  refusals: { reason: RefusalReason; n: number }[];
  /** Median days to answer over every answered referral of the scope (null: fewer than 5 answers). */
  medianResponseDays: number | null;
  /** Median days to answer per receiving structure with at least 5 answers. */
  responseTimes: { structure: string; answers: number; medianDays: number }[];
  /** Structures left out of `responseTimes` for having fewer than 5 answers. */
  structuresHidden: number;
};

const scopeWhere = (scope: StatisticsScope): RawBuilder<boolean> =>
  scope.collectiviteIds === null
    ? sql<boolean>`true`
    : sql<boolean>`(collectivite_id = any(${scope.collectiviteIds}::int[]) or destination_collectivite_id = any(${scope.collectiviteIds}::int[]))`;

const MONTH = sql`to_char(created_at at time zone 'Europe/Paris', 'YYYY-MM')`;

export async function referralStatistics(
  db: Db,
  scope: StatisticsScope,
  now: Date = new Date(),
): Promise<ReferralStatistics> {
  const period = completeMonths(now);
  const inPeriod = sql<boolean>`created_at >= (${period.from}::date::timestamp at time zone 'Europe/Paris')
    and created_at < (${period.to}::date::timestamp at time zone 'Europe/Paris') and ${scopeWhere(scope)}`;
  // One scan per kind of figure: cells by month, state and theme (summed into each before
  // rounding), refusal reasons, and response times per structure with the overall median as the
  // empty grouping set (`structure` null).
  const [cells, reasons, times] = await Promise.all([
    sql<{ month: string; status: Status; theme: string | null; n: number }>`
      select ${MONTH} as month, status, case when lieu_id is null then null else service end as theme,
        count(*)::int as n
      from orientation where ${inPeriod} group by 1, 2, 3`.execute(db),
    sql<{ month: string; reason: RefusalReason; n: number }>`
      select ${MONTH} as month, reason, count(*)::int as n
      from orientation, unnest(refusal_reasons) as reason
      where ${inPeriod} and status = 'refusee' group by 1, 2`.execute(db),
    sql<{ structure: string | null; answers: number; median: number }>`
      select destination_name as structure, count(*)::int as answers,
        percentile_cont(0.5) within group (order by extract(epoch from answered_at - created_at) / 86400)::float8 as median
      from orientation where ${inPeriod} and answered_at is not null
      group by grouping sets ((coalesce(lieu_id::text, di_service_id), destination_name), ())
      order by destination_name nulls first`.execute(db),
  ]);

  const sum = <K>(into: Map<K, number>, key: K, n: number) => into.set(key, (into.get(key) ?? 0) + n);
  const byMonthStatus = new Map<string, number>();
  const byMonthTheme = new Map<string, number>();
  const months = new Map<string, number>();
  for (const c of cells.rows) {
    sum(byMonthStatus, JSON.stringify([c.month, c.status]), c.n);
    sum(byMonthTheme, JSON.stringify([c.month, c.theme]), c.n);
    sum(months, c.month, c.n);
  }
  const byStatus: Partial<Record<Status, number>> = {};
  for (const [key, n] of byMonthStatus) {
    const status = (JSON.parse(key) as [string, Status])[1];
    byStatus[status] = (byStatus[status] ?? 0) + roundToBase(n);
  }
  const themeTotals = new Map<string | null, number>();
  for (const [key, n] of byMonthTheme)
    sum(themeTotals, (JSON.parse(key) as [string, string | null])[1], roundToBase(n));
  const byMonth = [...months.entries()].sort().map(([month, n]) => ({ month, n: roundToBase(n) }));
  const byTheme = [...themeTotals.entries()]
    .map(([theme, n]) => ({ theme, n }))
    .filter((c) => c.n > 0)
    .sort((a, b) => b.n - a.n || (a.theme ?? '\uffff').localeCompare(b.theme ?? '\uffff', 'fr'));
  const refusalTotals = new Map<RefusalReason, number>();
  for (const r of reasons.rows)
    refusalTotals.set(r.reason, (refusalTotals.get(r.reason) ?? 0) + roundToBase(r.n));
  const refusals = (Object.keys(REFUSAL_REASONS) as RefusalReason[])
    .map((reason) => ({ reason, n: refusalTotals.get(reason) ?? 0 }))
    .filter((r) => r.n > 0);
  const of = (...s: Status[]) => s.reduce((sum, k) => sum + (byStatus[k] ?? 0), 0);
  const accepted = of('acceptee', 'honoree', 'non_honoree');
  const answered = accepted + of('refusee');
  const closedAfterAcceptance = of('honoree', 'non_honoree');
  const overall = times.rows.find((t) => t.structure === null);
  const structures = times.rows.filter((t) => t.structure !== null);
  const shown = structures.filter((t) => t.answers >= THRESHOLD);
  return {
    period,
    byMonth,
    byStatus,
    total: (Object.keys(STATUSES) as Status[]).reduce((sum, s) => sum + (byStatus[s] ?? 0), 0),
    acceptanceRate: answered >= THRESHOLD ? accepted / answered : null,
    honourRate: closedAfterAcceptance >= THRESHOLD ? of('honoree') / closedAfterAcceptance : null,
    byTheme,
    medianResponseDays: overall && overall.answers >= THRESHOLD ? Math.round(overall.median * 10) / 10 : null,
    refusals,
    responseTimes: shown.map((t) => ({
      structure: t.structure as string,
      answers: roundToBase(t.answers),
      medianDays: Math.round(t.median * 10) / 10,
    })),
    structuresHidden: structures.length - shown.length,
  };
}

/** The indicators this actor may read (their collectivités, or the territory); others are refused. */
export async function referralStatisticsFor(
  db: Db,
  actor: Actor,
  now: Date = new Date(),
): Promise<{ stats: ReferralStatistics; wholeTerritory: boolean }> {
  const scope = statisticsScopeOf(actor);
  if (!scope) throw new ForbiddenError();
  return { stats: await referralStatistics(db, scope, now), wholeTerritory: scope.collectiviteIds === null };
}

/**
 * The median days to answer the referrals of a scope sent in a period (days, first and last
 * included), for other modules' indicators: null under 5 answers, so that no small group shows.
 */
export async function medianResponseDays(
  db: Db,
  scope: StatisticsScope,
  period: { from: string; to: string },
): Promise<{ answers: number; medianDays: number | null }> {
  const { rows } = await sql<{ answers: number; median: number | null }>`
    select count(*)::int as answers,
      percentile_cont(0.5) within group (order by extract(epoch from answered_at - created_at) / 86400)::float8 as median
    from orientation
    where answered_at is not null and ${scopeWhere(scope)}
      and created_at >= (${period.from}::date::timestamp at time zone 'Europe/Paris')
      and created_at < ((${period.to}::date + 1)::timestamp at time zone 'Europe/Paris')`.execute(db);
  const row = rows[0];
  const answers = row?.answers ?? 0;
  return {
    answers: roundToBase(answers),
    medianDays: answers >= THRESHOLD && row?.median != null ? Math.round(row.median * 10) / 10 : null,
  };
}
