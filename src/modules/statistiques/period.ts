import { z } from 'zod';
import { addDays, parisToday } from '../../platform/paris-time.ts';

/** Both days included, as `YYYY-MM-DD`. */
export type Period = { du: string; au: string };

const pad = (n: number) => String(n).padStart(2, '0');

/** The month `offset` months after the month of `day`, as `YYYY-MM`. */
export function shiftMonth(day: string, offset: number): string {
  const index = Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1 + offset;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

export type PresetId = '12-mois' | 'annee' | 'annee-precedente';
export type Preset = { id: PresetId; label: string; period: Period };

/** The periods offered in one click. */
export function presets(today: string = parisToday()): Preset[] {
  const year = Number(today.slice(0, 4));
  return distinctPresets([
    { id: '12-mois', label: '12 derniers mois', period: { du: `${shiftMonth(today, -11)}-01`, au: today } },
    { id: 'annee', label: 'Cette année', period: { du: `${year}-01-01`, au: today } },
    {
      id: 'annee-precedente',
      label: 'L’année dernière',
      period: { du: `${year - 1}-01-01`, au: `${year - 1}-12-31` },
    },
  ]);
}

/**
 * One link per period: where two presets name the same days (the last 12 months and this year,
 * in December), the first keeps the place and says both, « 12 derniers mois (cette année) ».
 */
export function distinctPresets(list: Preset[]): Preset[] {
  const kept: Preset[] = [];
  for (const preset of list) {
    const same = kept.find((k) => k.period.du === preset.period.du && k.period.au === preset.period.au);
    if (same) same.label = `${same.label} (${preset.label.toLowerCase()})`;
    else kept.push({ ...preset });
  }
  return kept;
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

/** The last day of a `YYYY-MM` month. */
export function lastDayOf(month: string): string {
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
  const edges: Period[] = [];
  if (period.du < first) edges.push({ du: period.du, au: addDays(first, -1) });
  if (period.au > last) edges.push({ du: addDays(last, 1), au: period.au });
  return { months: { du: first, au: last }, edges };
}
