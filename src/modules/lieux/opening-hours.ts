/**
 * Opening hours of places, written in OpenStreetMap `opening_hours` syntax.
 *
 * The `opening_hours` library parses and evaluates the values; this module adds French labels,
 * the typical week shown on a place page and stored for the "open now" filter, and the
 * conversion between a simple timetable form and the OSM syntax.
 *
 * Every time is a wall-clock time in Europe/Paris, whatever the server's time zone.
 */

import type { nominatim_object, optional_conf } from 'opening_hours';
import OpeningHours from 'opening_hours';
import { parisWallClock, parisWallToInstant } from '../../platform/paris-time.ts';

export type DayCode = 'Mo' | 'Tu' | 'We' | 'Th' | 'Fr' | 'Sa' | 'Su';
export type TimeInterval = { from: string; to: string };
export type TimetableDay = { day: DayCode; intervals: TimeInterval[] };
export type TimetableFormError = { field: string; reason: string };

/** Monday first, as in France and in minute-of-week numbering. */
export const DAY_CODES: readonly DayCode[] = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

export const DAY_LABELS: Readonly<Record<DayCode, string>> = {
  Mo: 'Lundi',
  Tu: 'Mardi',
  We: 'Mercredi',
  Th: 'Jeudi',
  Fr: 'Vendredi',
  Sa: 'Samedi',
  Su: 'Dimanche',
};

/** Number of time slots per day in the timetable form. */
export const TIMETABLE_SLOTS = 3;

const EXAMPLE = 'Mo-Fr 09:00-12:00,14:00-18:00';
/** OpenStreetMap limits tag values to 255 characters. */
const MAX_LENGTH = 255;
const MINUTES_PER_DAY = 1440;
/** Upper bound of the look-ahead for the next opening or closing. */
const HORIZON_DAYS = 8;
/**
 * Région used for school holidays (`SH`) when none is given. Public holidays (`PH`) are the
 * national ones whatever the région, except a few in Alsace-Moselle and overseas.
 */
const DEFAULT_REGION = 'Île-de-France';

/**
 * Typical week: Monday 16 to Sunday 22 June 2025. No public holiday (Whit Monday was 9 June),
 * no school holiday in any zone (summer holidays start 5 July), and no daylight-saving change,
 * neither in France nor in the usual server time zones, so every day lasts 24 hours.
 */
const REFERENCE_MONDAY = { year: 2025, monthIndex: 5, day: 16 };

const PARSER_OPTIONS: optional_conf = {
  mode: 0, // time ranges only
  tag_key: 'opening_hours',
  map_value: false,
  warnings_severity: 4,
  locale: 'fr',
};

/**
 * Warnings about spelling the library corrects itself: the normalised value says what was meant.
 * Any other warning means the value is ambiguous and is refused.
 */
const HARMLESS_WARNINGS: ReadonlySet<string> = new Set([
  'adding_0',
  'combine_rules',
  'date_past',
  'date_range_past',
  'hour_min_separator',
  'no_colon_after',
  'nothing_useful',
  'omit_ko',
  'please_use_ok_for_ko',
  'public_holiday',
  'rant_degree_sign_used_for_zero',
  'separator_for_readability',
  'switched',
  'without_minutes',
  'word_error_correction',
  'year_past',
  'zero_calculation',
]);

/** Short French wording for refused warnings whose library message is long or unclear. */
const WARNING_REASONS: Readonly<Record<string, string>> = {
  ambiguous_single_digit_hour: 'heure à un chiffre ambiguë (matin ou après-midi ?), écrire par exemple 14:00',
  ambiguous_word: 'mot ambigu',
  use_multi: 'plusieurs jours ou plages dans une même règle, séparer les règles par « ; »',
  vague: 'jours donnés sans heures',
  additional_rule_separator_not_used_after_time_wrapping_midnight:
    'une règle après minuit remplace la précédente, les séparer par « , » plutôt que « ; »',
};

// ---------------------------------------------------------------------------------------------
// Reading a value (parsing, checks, typical week), with a small cache
// ---------------------------------------------------------------------------------------------

type Readable = {
  ok: true;
  hours: OpeningHours;
  value: string;
  /** Open minutes of the typical week, merged and sorted. */
  week: [number, number][];
};
type ReadResult = Readable | { ok: false; reason: string };

// Parsing costs about a millisecond and lists of places evaluate the same few values again and again.
const CACHE_SIZE = 500;
const cache = new Map<string, ReadResult>();

function read(text: string, region: string): ReadResult {
  const key = `${region}\n${text}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const result = readUncached(text, region);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

function readUncached(raw: string, region: string): ReadResult {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: `Horaires vides : exemple attendu « ${EXAMPLE} »` };
  if (text.length > MAX_LENGTH) {
    return { ok: false, reason: `Horaires trop longs : ${MAX_LENGTH} caractères au plus` };
  }
  let hours: OpeningHours;
  try {
    hours = new OpeningHours(text, franceLocation(region), PARSER_OPTIONS);
  } catch (error) {
    return unreadable(libraryMessage(error));
  }
  const warning = hours.getStructuredWarnings().find((w) => !HARMLESS_WARNINGS.has(w.type));
  if (warning) return unreadable(WARNING_REASONS[warning.type] ?? warning.message);
  try {
    return { ok: true, hours, value: hours.prettifyValue(), week: evaluateTypicalWeek(hours) };
  } catch {
    // e.g. school holidays not known to the library for this région
    return unreadable('impossible de calculer les jours d’ouverture');
  }
}

/**
 * No coordinates on purpose: the library then takes sunrise and sunset as 06:00 and 18:00 wall-clock
 * time, whereas real sun times would be computed in the server's time zone, not in Paris.
 */
function franceLocation(region: string): nominatim_object {
  return { address: { country_code: 'fr', state: region } } as nominatim_object;
}

function unreadable(detail: string): { ok: false; reason: string } {
  return {
    ok: false,
    reason: `Horaires illisibles : ${shortDetail(detail)} ; exemple attendu « ${EXAMPLE} »`,
  };
}

/** The library throws strings like `Mo 25:00 <--- (La plage horaire commence en dehors du jour actuel.)`. */
function libraryMessage(error: unknown): string {
  const text = String(error);
  const start = text.indexOf('<--- (');
  if (start < 0) return text;
  const rest = text.slice(start + '<--- ('.length);
  const next = rest.indexOf('<---');
  const message = next < 0 ? rest : rest.slice(0, next);
  return message.slice(0, message.lastIndexOf(')'));
}

/** First sentence of a library message, in French. */
function shortDetail(message: string): string {
  // The word resolver of the library answers in English only.
  const english = /^(?:Token|Unknown \w+ token|Interpreted) "([^"]*)"/.exec(message);
  if (english) return `mot non reconnu « ${english[1]} »`;
  const sentence = (message.split(/(?<=[.!?])\s/)[0] ?? message).trim().replace(/\.$/, '');
  const short = sentence.length > 160 ? `${sentence.slice(0, 159)}…` : sentence;
  return short.charAt(0).toLowerCase() + short.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Paris wall clock
// ---------------------------------------------------------------------------------------------

/**
 * The library reads the local-time fields of dates (getHours…): hand it a Date whose local fields
 * show the Paris wall clock. Only a Paris time falling in a daylight-saving gap of the server's
 * own time zone (a Sunday night hour, twice a year) comes out one hour off.
 */
function toLibraryDate(instant: Date): Date {
  const w = parisWallClock(instant);
  return new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

function fromLibraryDate(local: Date): Date {
  return parisWallToInstant({
    year: local.getFullYear(),
    month: local.getMonth() + 1,
    day: local.getDate(),
    hour: local.getHours(),
    minute: local.getMinutes(),
    second: local.getSeconds(),
  });
}

/** Whole calendar days from the local date of `a` to the local date of `b`. */
function calendarDaysBetween(a: Date, b: Date): number {
  const dayA = Date.UTC(a.getFullYear(), a.getMonth(), a.getDate());
  const dayB = Date.UTC(b.getFullYear(), b.getMonth(), b.getDate());
  return Math.round((dayB - dayA) / 86_400_000);
}

/** Minute of the week in Europe/Paris: Monday 00:00 is 0, Sunday 23:59 is 10079. */
export function minuteOfWeek(now: Date): number {
  const w = parisWallClock(now);
  const mondayFirst = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;
  return mondayFirst * MINUTES_PER_DAY + w.hour * 60 + w.minute;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/**
 * Intervals when the place is surely open, merged. Times that the value leaves "unknown"
 * (a comment such as "sur rendez-vous", an open end "09:00+") do not count as open.
 */
function openIntervals(hours: OpeningHours, from: Date, to: Date): [Date, Date][] {
  const merged: [Date, Date][] = [];
  for (const [start, end, unknown] of hours.getOpenIntervals(from, to)) {
    if (unknown) continue;
    const last = merged.at(-1);
    if (last && start.getTime() <= last[1].getTime()) {
      if (end.getTime() > last[1].getTime()) last[1] = end;
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}

function evaluateTypicalWeek(hours: OpeningHours): [number, number][] {
  const { year, monthIndex, day } = REFERENCE_MONDAY;
  const monday = new Date(year, monthIndex, day);
  const nextMonday = new Date(year, monthIndex, day + 7);
  const minute = (date: Date) =>
    calendarDaysBetween(monday, date) * MINUTES_PER_DAY + date.getHours() * 60 + date.getMinutes();
  const ranges = openIntervals(hours, monday, nextMonday).map(([start, end]): [number, number] => [
    minute(start),
    minute(end),
  ]);
  return mergeRanges(ranges);
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else if (end > start) merged.push([start, end]);
  }
  return merged;
}

function splitByDay(week: [number, number][]): TimetableDay[] {
  return DAY_CODES.map((day, index) => {
    const dayStart = index * MINUTES_PER_DAY;
    const dayEnd = dayStart + MINUTES_PER_DAY;
    const intervals = week
      .filter(([start, end]) => start < dayEnd && end > dayStart)
      .map(([start, end]) => ({
        from: minutesToTime(Math.max(start, dayStart) - dayStart),
        to: minutesToTime(Math.min(end, dayEnd) - dayStart),
      }));
    return { day, intervals };
  });
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Checks an `opening_hours` value and gives its normalised form, or a short French reason.
 * Spelling the library corrects by itself is accepted ("Mo-Fr 9-12" becomes "Mo-Fr 09:00-12:00").
 */
export function checkOpeningHours(text: string): { ok: true; value: string } | { ok: false; reason: string } {
  const result = read(text.trim(), DEFAULT_REGION);
  return result.ok ? { ok: true, value: result.value } : { ok: false, reason: result.reason };
}

/**
 * Open or closed at `now`, with a French label such as "Ouvert · ferme à 18 h 30" or
 * "Fermé · ouvre demain à 9 h", and the instant when this changes (looking 8 days ahead).
 * `region` (a French région name, e.g. "Bretagne") picks the school holidays. Null when the value
 * is empty or unreadable.
 */
export function openingState(
  text: string,
  now: Date,
  region: string = DEFAULT_REGION,
): { open: boolean; label: string; nextChange: Date | null } | null {
  const result = read(text.trim(), region);
  if (!result.ok) return null;
  const wallNow = toLibraryDate(now);
  const horizon = new Date(wallNow);
  horizon.setDate(horizon.getDate() + HORIZON_DAYS);
  let intervals: [Date, Date][];
  try {
    intervals = openIntervals(result.hours, wallNow, horizon);
  } catch {
    return null; // e.g. school holidays of a later year not yet known to the library
  }
  const first = intervals[0];
  if (first && first[0].getTime() <= wallNow.getTime()) {
    const closing = first[1];
    if (closing.getTime() >= horizon.getTime())
      return { open: true, label: 'Ouvert 24 h/24', nextChange: null };
    return {
      open: true,
      label: `Ouvert · ferme ${whenLabel(wallNow, closing)}`,
      nextChange: fromLibraryDate(closing),
    };
  }
  const closed = closedLabel(result.hours, wallNow);
  if (!first) return { open: false, label: closed, nextChange: null };
  return {
    open: false,
    label: `${closed} · ouvre ${whenLabel(wallNow, first[0])}`,
    nextChange: fromLibraryDate(first[0]),
  };
}

/** "Fermé", or the value's own comment when it says so (`|| "sur rendez-vous"`). */
function closedLabel(hours: OpeningHours, wallNow: Date): string {
  if (!hours.getUnknown(wallNow)) return 'Fermé';
  const comment = hours.getComment(wallNow)?.trim();
  if (comment && comment.length <= 40) return comment.charAt(0).toUpperCase() + comment.slice(1);
  return 'Horaires à confirmer';
}

const weekdayName = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long' });
const dayAndMonth = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'UTC',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
});

/** "à 14 h", "demain à 9 h", "lundi à 9 h", "lundi 23 juin à 9 h" (a week or more ahead). */
function whenLabel(wallNow: Date, target: Date): string {
  let days = calendarDaysBetween(wallNow, target);
  let minutes = target.getHours() * 60 + target.getMinutes();
  if (minutes === 0 && days > 0) {
    // Midnight ends the evening before: "ferme à minuit", not "ferme demain à minuit".
    days -= 1;
    minutes = MINUTES_PER_DAY;
  }
  const time = `à ${frenchTime(minutes)}`;
  if (days === 0) return time;
  if (days === 1) return `demain ${time}`;
  const date = Date.UTC(wallNow.getFullYear(), wallNow.getMonth(), wallNow.getDate() + days);
  return `${(days < 7 ? weekdayName : dayAndMonth).format(date)} ${time}`;
}

/**
 * Monday to Sunday of a typical week (16–22 June 2025, see REFERENCE_MONDAY) with "HH:MM" intervals;
 * `label` is the French day name. A range past midnight ("Fr 20:00-02:00") shows on both days
 * (Friday 20:00–24:00, Saturday 00:00–02:00). Null when the value is empty or unreadable.
 */
export function weeklyTimetable(text: string): (TimetableDay & { label: string })[] | null {
  const result = read(text.trim(), DEFAULT_REGION);
  if (!result.ok) return null;
  return splitByDay(result.week).map(({ day, intervals }) => ({ day, label: DAY_LABELS[day], intervals }));
}

/** French text for a day: "9 h – 12 h, 14 h – 18 h 30", "Fermé" when no interval. */
export function describeDay(intervals: TimeInterval[]): string {
  if (intervals.length === 0) return 'Fermé';
  const only = intervals[0];
  if (intervals.length === 1 && only?.from === '00:00' && only.to === '24:00') return '24 h/24';
  return intervals
    .map(({ from, to }) => `${frenchTime(timeToMinutes(from))} – ${frenchTime(timeToMinutes(to))}`)
    .join(', ');
}

/**
 * Open intervals of the typical week as half-open minute-of-week ranges [start, end):
 * Monday 00:00 = 0, Sunday 24:00 = 10080, merged and sorted. Null when unreadable.
 */
export function weekMinuteRanges(text: string): [number, number][] | null {
  const result = read(text.trim(), DEFAULT_REGION);
  return result.ok ? result.week.map(([start, end]): [number, number] => [start, end]) : null;
}

/** PostgreSQL `int4multirange` literal: `{[540,720),[840,1110)}`, `{}` when empty. */
export function toMultirangeLiteral(ranges: [number, number][]): string {
  return `{${ranges.map(([start, end]) => `[${start},${end})`).join(',')}}`;
}

/**
 * OSM value for a timetable: days with the same intervals share a rule, consecutive days as a range
 * ("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"), others with commas ("Mo,We 09:00-12:00").
 * Days without interval are closed. Empty string when no day has an interval (hours unknown).
 */
export function timetableToOsm(days: TimetableDay[]): string {
  const groups: { days: number[]; times: string }[] = [];
  for (const [index, day] of DAY_CODES.entries()) {
    const intervals = normaliseIntervals(days.find((d) => d.day === day)?.intervals ?? []);
    if (intervals.length === 0) continue;
    const times = intervals.map(({ from, to }) => `${from}-${to}`).join(',');
    const group = groups.find((g) => g.times === times);
    if (group) group.days.push(index);
    else groups.push({ days: [index], times });
  }
  return groups.map((group) => `${daySelector(group.days)} ${group.times}`).join('; ');
}

// ---------------------------------------------------------------------------------------------
// One column per weekday: files such as the national France Services list
// ---------------------------------------------------------------------------------------------

/** A time as French files write it: "09:00", "9:00", "9h", "9h30", "09h00", "9". */
const FRENCH_TIME = '(\\d{1,2})(?:\\s*[:hH]\\s*(\\d{2})?)?';
const FRENCH_RANGE = new RegExp(`${FRENCH_TIME}\\s*(?:-|–|—|à|a)\\s*${FRENCH_TIME}`, 'g');
/** What may separate two ranges of a day: « / », « , », « ; », « + », « et », spaces. */
const RANGE_SEPARATORS = /^(?:[\s/,;+]|et\b)*$/i;
const CLOSED_DAY = /^(?:ferm[ée]e?s?|-|–|—|\/)?$/i;

/**
 * One day's hours as a French file writes them ("09:00 - 12:00 / 13:30 - 17:00", "9h-12h et
 * 14h-17h", "Fermé", nothing): its intervals, sorted ([] when closed), or null when the text
 * says something else (« sur rendez-vous », an end before its start…).
 */
export function readDayHours(text: string): TimeInterval[] | null {
  const trimmed = text.trim();
  if (CLOSED_DAY.test(trimmed)) return [];
  const ranges: [number, number][] = [];
  let rest = '';
  let last = 0;
  for (const match of trimmed.matchAll(FRENCH_RANGE)) {
    rest += trimmed.slice(last, match.index);
    last = match.index + match[0].length;
    const start = parseFormTime(`${match[1]}:${match[2] ?? '00'}`, false);
    const end = parseFormTime(`${match[3]}:${match[4] ?? '00'}`, true);
    if (start === null || end === null || end <= start) return null;
    ranges.push([start, end]);
  }
  rest += trimmed.slice(last);
  if (ranges.length === 0 || !RANGE_SEPARATORS.test(rest)) return null;
  return mergeRanges(ranges).map(([start, end]) => ({ from: minutesToTime(start), to: minutesToTime(end) }));
}

/**
 * Hours given one text per weekday (a column each) as one OSM value, days with the same hours
 * grouped ("Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00"); "" when no day has hours (unknown).
 * A day whose text cannot be read makes the whole value unreadable, with the day named.
 */
export function weekdayHoursToOsm(
  days: Partial<Record<DayCode, string>>,
): { ok: true; value: string } | { ok: false; reason: string } {
  const timetable: TimetableDay[] = [];
  for (const day of DAY_CODES) {
    const text = days[day];
    if (text === undefined) continue;
    const intervals = readDayHours(text);
    if (intervals === null)
      return {
        ok: false,
        reason: `${DAY_LABELS[day].toLowerCase()} : « ${text.trim()} » illisible (attendu par exemple « 09:00 - 12:00 / 13:30 - 17:00 » ou « Fermé »)`,
      };
    timetable.push({ day, intervals });
  }
  return { ok: true, value: timetableToOsm(timetable) };
}

/** "Mo-Fr", "Sa,Su", "Mo,We-Fr": three days or more in a row make a range. */
function daySelector(indexes: number[]): string {
  const runs: number[][] = [];
  for (const index of indexes) {
    const run = runs.at(-1);
    if (run && run.at(-1) === index - 1) run.push(index);
    else runs.push([index]);
  }
  return runs
    .map((run) => {
      const codes = run.map((index) => DAY_CODES[index]!);
      return codes.length >= 3 ? `${codes[0]}-${codes.at(-1)}` : codes.join(',');
    })
    .join(',');
}

/** Sorted intervals, overlapping or touching ones merged. */
function normaliseIntervals(intervals: TimeInterval[]): TimeInterval[] {
  const ranges = intervals.map(({ from, to }): [number, number] => [timeToMinutes(from), timeToMinutes(to)]);
  return mergeRanges(ranges).map(([start, end]) => ({ from: minutesToTime(start), to: minutesToTime(end) }));
}

// Checks the library's normalised value, which it has already parsed: only weekdays, times and off.
const DAY_RANGE = '(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?';
const TIME_RANGE = '\\d\\d:\\d\\d-\\d\\d:\\d\\d';
const PLAIN_RULE = new RegExp(
  `^(?:${DAY_RANGE}(?:,${DAY_RANGE})* )?(?:${TIME_RANGE}(?:,${TIME_RANGE})*(?: open)?|off|closed)$`,
);

/**
 * The 7 days of the value when it is a plain weekly timetable (weekdays and times only: no public
 * or school holidays, months, weeks, comments, sunrise…), so that the timetable form can edit it;
 * null otherwise (the form then keeps the raw OSM field). A range past midnight is split over
 * both days.
 */
export function osmToTimetable(text: string): TimetableDay[] | null {
  const result = read(text.trim(), DEFAULT_REGION);
  if (!result.ok) return null;
  const plain = result.value === '24/7' || result.value.split('; ').every((rule) => PLAIN_RULE.test(rule));
  return plain ? splitByDay(result.week) : null;
}

/** Name of a timetable form field: `horaires_Mo_1_debut`. */
export function timetableFieldName(day: DayCode, slot: number, part: 'debut' | 'fin'): string {
  return `horaires_${day}_${slot}_${part}`;
}

/**
 * Reads the timetable form (`horaires_<Day>_<n>_debut` / `_fin`, n from 1 to 3) into 7 days with
 * sorted intervals, or French errors per field. An end at 24:00 is allowed; past midnight, the
 * hours continue on the next day from 00:00.
 */
export function parseTimetableForm(
  fields: Record<string, string | undefined>,
): { ok: true; days: TimetableDay[] } | { ok: false; errors: TimetableFormError[] } {
  const errors: TimetableFormError[] = [];
  const days = DAY_CODES.map((day) => {
    const slots: FormSlot[] = [];
    for (let slot = 1; slot <= TIMETABLE_SLOTS; slot++) {
      const read = readFormSlot(fields, day, slot);
      if (Array.isArray(read)) errors.push(...read);
      else if (read) slots.push(read);
    }
    slots.sort((a, b) => a.start - b.start);
    for (const [index, slot] of slots.entries()) {
      const previous = slots[index - 1];
      if (previous && slot.start < previous.end) {
        errors.push({ field: slot.field, reason: 'Ce créneau chevauche un autre créneau du même jour' });
      }
    }
    const intervals = mergeRanges(slots.map(({ start, end }): [number, number] => [start, end])).map(
      ([start, end]) => ({ from: minutesToTime(start), to: minutesToTime(end) }),
    );
    return { day, intervals };
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, days };
}

type FormSlot = { start: number; end: number; field: string };

/** One slot of the form: its interval in minutes, null when left empty, or its errors. */
function readFormSlot(
  fields: Record<string, string | undefined>,
  day: DayCode,
  slot: number,
): FormSlot | TimetableFormError[] | null {
  const startField = timetableFieldName(day, slot, 'debut');
  const endField = timetableFieldName(day, slot, 'fin');
  const startText = fields[startField]?.trim() ?? '';
  const endText = fields[endField]?.trim() ?? '';
  if (startText === '' && endText === '') return null;
  const start = startText === '' ? null : parseFormTime(startText, false);
  const end = endText === '' ? null : parseFormTime(endText, true);
  const errors: TimetableFormError[] = [];
  if (startText === '') errors.push({ field: startField, reason: 'Heure de début manquante' });
  else if (start === null) errors.push({ field: startField, reason: TIME_FORMAT_REASON });
  if (endText === '') errors.push({ field: endField, reason: 'Heure de fin manquante' });
  else if (end === null) errors.push({ field: endField, reason: TIME_FORMAT_REASON });
  if (start === null || end === null) return errors;
  if (end <= start) return [{ field: endField, reason: 'L’heure de fin doit être après l’heure de début' }];
  return { start, end, field: startField };
}

const TIME_FORMAT_REASON = 'Heure attendue au format HH:MM, par exemple 09:30';

/** Minutes since midnight of "09:30" (also "9:30", "9h30", "9h"); 24:00 only as an end; null if invalid. */
function parseFormTime(text: string, isEnd: boolean): number | null {
  const match = /^(\d{1,2})(?::(\d{2})|\s*h\s*(\d{2})?)$/i.exec(text);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2] ?? match[3] ?? '0');
  if (minutes > 59) return null;
  if (hours === 24 && minutes === 0 && isEnd) return MINUTES_PER_DAY;
  return hours <= 23 ? hours * 60 + minutes : null;
}

// ---------------------------------------------------------------------------------------------
// Time formatting
// ---------------------------------------------------------------------------------------------

function timeToMinutes(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** "09:05", and "24:00" for the end of a day. */
function minutesToTime(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** French way: "9 h", "18 h 30", "12 h 05", "minuit". */
function frenchTime(minutes: number): string {
  if (minutes === 0 || minutes === MINUTES_PER_DAY) return 'minuit';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${String(rest).padStart(2, '0')}`;
}
