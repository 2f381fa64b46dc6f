/** The Paris wall clock of an instant, and back: what people read on their watch in France. */

/** Built once: building a formatter costs far more than using it (every recorded report asks). */
const parisDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });

/** Whether `value` is a day that exists, written `YYYY-MM-DD` (2026-02-30 is not). */
export function isCalendarDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value);
}

/** Today's date in France (or the date of `now` there), as `YYYY-MM-DD`. */
export function parisToday(now: Date = new Date()): string {
  return parisDate.format(now);
}

// Calendar days `YYYY-MM-DD` are counted as days, never as instants: no zone shifts them.

/** Milliseconds in a day of 24 hours. */
export const DAY_MS = 24 * 3600 * 1000;

const dayNumber = (day: string): number => Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / DAY_MS;

/** The calendar day `n` days after `day` (before when `n` is negative): 2026-12-31 + 1 → 2027-01-01. */
export const addDays = (day: string, n: number): string =>
  new Date((dayNumber(day) + n) * DAY_MS).toISOString().slice(0, 10);

/** The ISO weekday of a calendar day: 1 Monday … 7 Sunday. */
export const isoWeekday = (day: string): number => ((((dayNumber(day) + 3) % 7) + 7) % 7) + 1;

/** The Monday of the week of `day`. */
export const mondayOf = (day: string): string => addDays(day, 1 - isoWeekday(day));

/** The instant `n` periods of 24 hours before `instant` (a delay counted in days). */
export const daysBefore = (instant: Date, n: number): Date => new Date(instant.getTime() - n * DAY_MS);

export type WallClock = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
};

const parisFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

export function parisWallClock(instant: Date): WallClock {
  const parts: Record<string, number> = {};
  for (const part of parisFormat.formatToParts(instant)) parts[part.type] = Number(part.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Milliseconds to add to an instant to read the Paris wall clock as if it were UTC. */
function parisOffset(instantMs: number): number {
  const w = parisWallClock(new Date(instantMs));
  const wholeSeconds = Math.floor(instantMs / 1000) * 1000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - wholeSeconds;
}

/** A time missing in spring moves one hour later; a time seen twice in autumn takes the second one. */
export function parisWallToInstant(w: WallClock): Date {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const firstGuess = asUtc - parisOffset(asUtc);
  return new Date(asUtc - parisOffset(firstGuess));
}

/** The instant of a Paris wall-clock time, `minutes` after midnight on the calendar day `day`. */
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

// French dates, as people in France read them. Each format is built once: building one costs
// far more than using it.

const inParis = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', ...options });

const DATE = { long: inParis({ dateStyle: 'long' }), short: inParis({ dateStyle: 'short' }) };

const DATE_TIME = {
  long: inParis({ dateStyle: 'long', timeStyle: 'short' }),
  medium: inParis({ dateStyle: 'medium', timeStyle: 'short' }),
  short: inParis({ dateStyle: 'short', timeStyle: 'short' }),
};

const DATE_TIME_SECONDS = {
  long: inParis({ dateStyle: 'long', timeStyle: 'medium' }),
  short: inParis({ dateStyle: 'short', timeStyle: 'medium' }),
};

/** Calendar days and months are not instants: they are read as they are, in UTC. */
const CALENDAR_DAY = {
  long: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' }),
  short: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'UTC' }),
};
const CALENDAR_MONTH = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The day of an instant in France: « 3 décembre 2026 » (long), « 03/12/2026 » (short). */
export const formatDate = (instant: Date, style: keyof typeof DATE = 'long'): string =>
  DATE[style].format(instant);

/**
 * An instant in France: « 3 décembre 2026 à 04:15 » (long), « 3 déc. 2026, 04:15 » (medium),
 * « 03/12/2026 04:15 » (short); with `seconds`, « 3 décembre 2026 à 04:15:07 ».
 */
export function formatDateTime(
  instant: Date,
  style: keyof typeof DATE_TIME = 'long',
  seconds = false,
): string {
  if (seconds && style !== 'medium') return DATE_TIME_SECONDS[style].format(instant);
  return DATE_TIME[style].format(instant);
}

/**
 * A calendar day `YYYY-MM-DD` (a longer ISO text is cut to its day): « 15 janvier 2026 »
 * (long), « 15/01/2026 » (short). A text that is no such day comes back as it is.
 */
export function formatDay(isoDay: string, style: keyof typeof CALENDAR_DAY = 'long'): string {
  const day = new Date(`${isoDay.slice(0, 10)}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}/.test(isoDay) && !Number.isNaN(day.getTime())
    ? CALENDAR_DAY[style].format(day)
    : isoDay;
}

/** A month `YYYY-MM`: « janvier 2026 ». */
export const formatMonth = (isoMonth: string): string =>
  CALENDAR_MONTH.format(new Date(`${isoMonth.slice(0, 7)}-01T00:00:00Z`));

/** A duration in minutes: « 45 min », « 2 h », « 1 h 05 ». */
export function formatDuration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`;
}
