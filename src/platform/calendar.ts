import ical, { escape as escapeText, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';

/**
 * iCalendar files (RFC 5545) through `ical-generator`: the calendar files and feeds of every
 * module (appointments, trainings, the network's agenda). Times are written on the Paris wall
 * clock with the zone's definition (VTIMEZONE), so that calendars show the time people typed
 * wherever they are read; stamps are in UTC. The library escapes text and folds long lines.
 */

export type CalendarEvent = {
  /** Unique and stable: a calendar replaces the event of the same UID. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  location?: string | null;
  description?: string | null;
  url?: string | null;
  /** Bumped each time the event changes, so that calendars take the new version. */
  sequence?: number;
  /** Cancelled events stay in a feed (STATUS:CANCELLED) so that calendars remove them. */
  cancelled?: boolean;
  updatedAt?: Date | null;
};

export type CalendarOptions = {
  /** The calendar's name, as calendar applications show it. */
  name: string;
  /** What produced the file, in its PRODID: `-//Relais//<product>//FR`. */
  product: string;
  /** PUBLISH for a file or a feed; CANCEL for the message that cancels an event. */
  method?: 'PUBLISH' | 'CANCEL';
  now?: Date;
};

export const CALENDAR_ZONE = 'Europe/Paris';

/** The rules of Europe/Paris since 1996: summer time from the last Sunday of March to the last of October. */
const PARIS_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${CALENDAR_ZONE}`,
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
].join('\r\n');

const inParis = (instant: Date) => DateTime.fromJSDate(instant, { zone: CALENDAR_ZONE });

/** A calendar of events, as the text of a `text/calendar` file (CRLF line ends). */
export function calendarFile(events: readonly CalendarEvent[], options: CalendarOptions): string {
  const now = options.now ?? new Date();
  const calendar = ical({
    prodId: { company: 'Relais', product: options.product, language: 'FR' },
    // The library writes the name as it is: escape it as the TEXT value it is.
    name: escapeText(options.name, false),
    scale: 'GREGORIAN',
    method: options.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH,
    // No default zone for the calendar (stamps stay in UTC); the events' zone gets its VTIMEZONE.
    timezone: { name: null, generator: (zone) => (zone === CALENDAR_ZONE ? PARIS_VTIMEZONE : null) },
  });
  for (const e of events) {
    calendar.createEvent({
      id: e.uid,
      timezone: CALENDAR_ZONE,
      start: inParis(e.start),
      end: inParis(e.end),
      stamp: now,
      lastModified: e.updatedAt ?? null,
      sequence: e.sequence ?? 0,
      summary: e.summary,
      location: e.location || null,
      description: e.description || null,
      // A URI is no TEXT value, yet the library escapes it: commas and semicolons go percent-encoded.
      url: e.url ? e.url.replace(/[,;]/g, encodeURIComponent) : null,
      status:
        e.cancelled === undefined
          ? null
          : e.cancelled
            ? ICalEventStatus.CANCELLED
            : ICalEventStatus.CONFIRMED,
    });
  }
  return `${calendar.toString()}\r\n`;
}
