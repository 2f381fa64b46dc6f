import type { RawStatistics } from './compute.ts';

/**
 * The numbers statistics may publish outside a helper's own view (places for their coordinators,
 * collectivités, the OPSN, shared links, the observatory, open data and every export), so
 * that no combination of published numbers gives away a group smaller than 5 (see the README,
 * "Statistiques publiées"; periods: published-period.ts):
 *
 * - every additive count (activities, accompaniments, each cell of each breakdown) is the sum
 *   of its monthly cells each rounded to the nearest multiple of 5: every published number is
 *   a function of the rounded monthly cells only, so the difference of two periods is a sum of
 *   rounded months, never one person;
 * - counts that do not add up across months (distinct people, new people) are rounded to 5
 *   for the period itself, and 1 to 4 is shown "< 5".
 */

export const THRESHOLD = 5;

/**
 * A number as shown: a count, or under the threshold (`lt5`: distinct people outside a
 * helper's own view).
 */
export type Shown = number | 'lt5';

export const ROUNDING_BASE = THRESHOLD;

/** The nearest multiple of 5 (a count is an integer: there is no tie). */
export const roundToBase = (n: number): number => ROUNDING_BASE * Math.round(n / ROUNDING_BASE);

/** A count of distinct people over a whole period: 0, "< 5" for 1 to 4, else rounded to 5. */
export const roundedPeople = (n: number): Shown => (n === 0 ? 0 : n < ROUNDING_BASE ? 'lt5' : roundToBase(n));

// ---------------------------------------------------------------------------------------
// Monthly cells

/** The pseudo-dimensions of the two totals, beside the breakdowns' own. */
export const TOTAL_ACTIVITES = '*activites';
export const TOTAL_ACCOMPAGNEMENTS = '*accompagnements';

/** Counts by dimension, code and month (`YYYY-MM`), as the statistics queries return them. */
export type MonthlyCells = Map<string, number>;

const cellKey = (dim: string, code: string, mois: string) => `${dim}\t${code}\t${mois.slice(0, 7)}`;

/** Adds `n` to one cell of one month. */
export function addMonthly(cells: MonthlyCells, dim: string, code: string, mois: string, n: number): void {
  const key = cellKey(dim, code, mois);
  cells.set(key, (cells.get(key) ?? 0) + n);
}

const add = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);

/**
 * The statistics as they may be published: each additive number is the sum of its monthly
 * cells rounded to 5; a code whose rounded months add up to 0 is left out (it shows 0, like a
 * code nobody used). Distinct and new people are left as counted: `roundedPeople` shows them.
 */
export function roundedStatistics(raw: RawStatistics): RawStatistics {
  const emptied = <K extends string>(r: Record<K, Map<string, number>>) =>
    Object.fromEntries(Object.keys(r).map((k) => [k, new Map<string, number>()])) as Record<
      K,
      Map<string, number>
    >;
  const out: RawStatistics = {
    ...raw,
    activites: 0,
    accompagnements: 0,
    activity: emptied(raw.activity),
    people: emptied(raw.people),
    monthsActivites: new Map(),
    monthsAccompagnements: new Map(),
    monthly: new Map(),
  };
  for (const [key, n] of raw.monthly) {
    const rounded = roundToBase(n);
    if (rounded === 0) continue;
    out.monthly.set(key, rounded);
    const [dim = '', code = '', mois = ''] = key.split('\t');
    if (dim === TOTAL_ACTIVITES) {
      out.activites += rounded;
      add(out.monthsActivites, mois, rounded);
    } else if (dim === TOTAL_ACCOMPAGNEMENTS) {
      out.accompagnements += rounded;
      add(out.monthsAccompagnements, mois, rounded);
    } else if (dim in out.activity) add(out.activity[dim as keyof RawStatistics['activity']], code, rounded);
    else if (dim in out.people) add(out.people[dim as keyof RawStatistics['people']], code, rounded);
  }
  return out;
}
