import { parisWallClock } from '../../platform/paris-time.ts';

/**
 * iCalendar (RFC 5545) for the network's agenda: feeds (METHOD:PUBLISH) and the event carried by
 * an invitation or a cancellation (METHOD:PUBLISH / CANCEL). Times are written in Europe/Paris
 * with its VTIMEZONE (the European rule since 1996), so calendars show the wall clock the
 * organisers typed; the stamp is in UTC.
 */

export type CalendarEvent = {
  id: string;
  titre: string;
  description: string | null;
  starts_at: Date;
  ends_at: Date;
  lieu: string | null;
  lien: string | null;
  sequence: number;
  cancelled_at: Date | null;
  updated_at: Date;
};

const CRLF = '\r\n';

/** TEXT values: backslash, semicolon, comma and line breaks escaped (§3.3.11). */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** A content line folded at 75 octets, never inside a UTF-8 character (§3.1). */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space
    if (bytes + size > limit) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  out.push(current);
  return out.join(`${CRLF} `);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The Paris wall clock of an instant, as a DATE-TIME without zone: 20261210T140000. */
export function parisLocal(instant: Date): string {
  const w = parisWallClock(instant);
  return `${w.year}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** An instant in UTC: 20261210T130000Z. */
export function utc(instant: Date): string {
  return `${instant.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

const PARIS_TIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

function eventLines(e: CalendarEvent, baseUrl: string, host: string, now: Date): string[] {
  const location = [e.lieu, e.lien].filter(Boolean).join(' — ');
  return [
    'BEGIN:VEVENT',
    `UID:${e.id}@${host}`,
    `DTSTAMP:${utc(now)}`,
    `LAST-MODIFIED:${utc(e.updated_at)}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTART;TZID=Europe/Paris:${parisLocal(e.starts_at)}`,
    `DTEND;TZID=Europe/Paris:${parisLocal(e.ends_at)}`,
    `SUMMARY:${escapeText(e.titre)}`,
    ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
    ...(location ? [`LOCATION:${escapeText(location)}`] : []),
    ...(e.lien ? [`URL:${e.lien}`] : [`URL:${baseUrl}/reseau/agenda/${e.id}`]),
    `STATUS:${e.cancelled_at ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
  ];
}

/** A whole calendar: the feed's events, or the one event of an invitation or a cancellation. */
export function calendar(
  events: readonly CalendarEvent[],
  options: { name: string; baseUrl: string; method?: 'PUBLISH' | 'CANCEL'; now?: Date },
): string {
  const host = new URL(options.baseUrl).hostname;
  const now = options.now ?? new Date();
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Relais//Agenda du reseau//FR',
    'CALSCALE:GREGORIAN',
    `METHOD:${options.method ?? 'PUBLISH'}`,
    `X-WR-CALNAME:${escapeText(options.name)}`,
    'X-WR-TIMEZONE:Europe/Paris',
    ...PARIS_TIMEZONE,
    ...events.flatMap((e) => eventLines(e, options.baseUrl, host, now)),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
