import { parisWallToInstant } from '../../platform/paris-time.ts';

/**
 * Calendar arithmetic of appointments: French public holidays, weekly recurrence rules (the
 * subset of RFC 5545 an opening uses) and Paris wall-clock times. Days are `YYYY-MM-DD`.
 */

const DAY_MS = 24 * 3600 * 1000;

export const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
export const dayOf = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);
export const addDays = (day: string, n: number): string => dayOf(dayNumber(day) + n);
/** ISO weekday: 1 Monday … 7 Sunday. */
export const isoWeekday = (day: string): number => ((((dayNumber(day) + 3) % 7) + 7) % 7) + 1;
/** The Monday of the week of `day`. */
export const mondayOf = (day: string): string => addDays(day, 1 - isoWeekday(day));

/** Easter Sunday of a year (anonymous Gregorian algorithm). */
function easter(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const holidayCache = new Map<number, Map<string, string>>();

/** The eleven public holidays of metropolitan France in a year, day → name (Code du travail L3133-1). */
export function frenchHolidays(year: number): ReadonlyMap<string, string> {
  let found = holidayCache.get(year);
  if (!found) {
    const e = easter(year);
    const y = String(year);
    found = new Map([
      [`${y}-01-01`, 'Jour de l’an'],
      [addDays(e, 1), 'Lundi de Pâques'],
      [`${y}-05-01`, 'Fête du travail'],
      [`${y}-05-08`, 'Victoire 1945'],
      [addDays(e, 39), 'Ascension'],
      [addDays(e, 50), 'Lundi de Pentecôte'],
      [`${y}-07-14`, 'Fête nationale'],
      [`${y}-08-15`, 'Assomption'],
      [`${y}-11-01`, 'Toussaint'],
      [`${y}-11-11`, 'Armistice 1918'],
      [`${y}-12-25`, 'Noël'],
    ]);
    holidayCache.set(year, found);
  }
  return found;
}

export const isHoliday = (day: string): boolean => frenchHolidays(Number(day.slice(0, 4))).has(day);

const BYDAY = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** A weekly rule: its ISO weekdays and every how many weeks. */
export type WeeklyRule = { weekdays: number[]; interval: number };

/** `{ weekdays: [1, 4], interval: 1 }` → `FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH`. */
export function formatRule(rule: WeeklyRule): string {
  const days = [...new Set(rule.weekdays)].sort((a, b) => a - b).map((d) => BYDAY[d - 1]);
  return `FREQ=WEEKLY;INTERVAL=${rule.interval};BYDAY=${days.join(',')}`;
}

/** The rule of an opening, or null when it is not a weekly rule of this form. */
export function parseRule(text: string): WeeklyRule | null {
  const m = /^FREQ=WEEKLY;INTERVAL=([1-4]);BYDAY=([A-Z,]+)$/.exec(text);
  if (!m) return null;
  const weekdays = m[2]!.split(',').map((d) => BYDAY.indexOf(d as (typeof BYDAY)[number]) + 1);
  if (weekdays.some((d) => d === 0)) return null;
  return { weekdays, interval: Number(m[1]) };
}

/** Whether a rule that started on `first` recurs on `day` (weeks counted from `first`'s Monday). */
export function recursOn(rule: WeeklyRule, first: string, day: string): boolean {
  if (day < first || !rule.weekdays.includes(isoWeekday(day))) return false;
  const weeks = (dayNumber(mondayOf(day)) - dayNumber(mondayOf(first))) / 7;
  return weeks % rule.interval === 0;
}

/** The instant of a Paris wall-clock time, `minutes` after midnight on `day`. */
export function parisInstant(day: string, minutes: number): Date {
  const [year, month, d] = day.split('-').map(Number) as [number, number, number];
  return parisWallToInstant({
    year,
    month,
    day: d,
    hour: Math.floor(minutes / 60),
    minute: minutes % 60,
    second: 0,
  });
}

/** `09:30` → 570; null when it is no time of day (`24:00` is the end of the day). */
export function parseTime(text: string): number | null {
  const m = /^\s*([01]?\d|2[0-4])\s*[:hH]\s*([0-5]\d)?\s*$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2] ?? 0);
  return minutes <= 1440 ? minutes : null;
}

export const formatTime = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
