import joursFeries from '@socialgouv/jours-feries';
import rrule from 'rrule';
import { DAY_MS } from '../../platform/paris-time.ts';

/**
 * Calendar rules of appointments: French public holidays (`@socialgouv/jours-feries`), the weekly
 * recurrence of an opening (RFC 5545 rules through `rrule`) and times of day. Days are
 * `YYYY-MM-DD`; the day arithmetic itself is the platform's (`paris-time.ts`).
 */

const { RRule } = rrule;

const holidayCache = new Map<number, Map<string, string>>();

/** The public holidays of metropolitan France in a year, day → name (Code du travail L3133-1). */
export function frenchHolidays(year: number): ReadonlyMap<string, string> {
  let found = holidayCache.get(year);
  if (!found) {
    // The library builds each day at midnight on the machine's clock: read it there.
    const local = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    found = new Map(Object.entries(joursFeries(year)).map(([name, day]) => [local(day), name]));
    holidayCache.set(year, found);
  }
  return found;
}

export const isHoliday = (day: string): boolean => frenchHolidays(Number(day.slice(0, 4))).has(day);

/** A weekly rule: its ISO weekdays (1 Monday … 7 Sunday) and every how many weeks (1 to 4). */
export type WeeklyRule = { weekdays: number[]; interval: number };

/** `{ weekdays: [1, 4], interval: 1 }` → `FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH` (as openings store it). */
export function formatRule(rule: WeeklyRule): string {
  const weekdays = [...new Set(rule.weekdays)].sort((a, b) => a - b);
  return RRule.optionsToString({
    freq: RRule.WEEKLY,
    interval: rule.interval,
    byweekday: weekdays.map((d) => d - 1),
  }).replace(/^RRULE:/, '');
}

/** The rule of an opening, or null when it is not a weekly rule of this form. */
export function parseRule(text: string): WeeklyRule | null {
  if (!/^FREQ=WEEKLY;INTERVAL=[1-4];BYDAY=[A-Z]{2}(,[A-Z]{2})*$/.test(text)) return null;
  let options: Partial<rrule.Options>;
  try {
    options = RRule.parseString(text);
  } catch {
    return null;
  }
  const days = [options.byweekday ?? []].flat();
  const weekdays: number[] = [];
  for (const d of days) {
    // A valid BYDAY gives a Weekday without a position; an unknown day gives nothing.
    if (!(d instanceof rrule.Weekday) || d.n) return null;
    weekdays.push(d.weekday + 1);
  }
  return weekdays.length > 0 ? { weekdays, interval: options.interval ?? 1 } : null;
}

const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * The days from `from` to `to` (both included) on which a rule whose first day is `first`
 * recurs, in order. Weeks start on Monday and are counted from `first`'s week, as RFC 5545 says.
 */
export function recurrenceDays(rule: WeeklyRule, first: string, from: string, to: string): string[] {
  if (to < from || to < first) return [];
  const recurrence = new RRule({
    freq: RRule.WEEKLY,
    interval: rule.interval,
    byweekday: rule.weekdays.map((d) => d - 1),
    wkst: RRule.MO,
    dtstart: utcDay(first),
  });
  const start = from > first ? from : first;
  return recurrence
    .between(utcDay(start), new Date(utcDay(to).getTime() + DAY_MS - 1), true)
    .map((d) => d.toISOString().slice(0, 10));
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
