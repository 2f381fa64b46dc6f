import assert from 'node:assert/strict';
import ICAL from 'ical.js';

export type ReadEvent = {
  uid: string;
  summary: string;
  start: Date;
  end: Date;
  /** The zone the times are written in (`Europe/Paris`), or `Z` for UTC. */
  zone: string;
  /** The wall clock as written: `2027-01-15T14:00:00`. */
  wallStart: string;
  wallEnd: string;
  location: string | null;
  description: string | null;
  url: string | null;
  status: string | null;
  sequence: number;
};

/**
 * Reads an iCalendar file with `ical.js`, as a calendar application would: every line ends in
 * CRLF and holds at most 75 octets; the zones the file defines are used for its times. Throws on
 * a file ical.js cannot read.
 */
export function readCalendar(text: string): {
  method: string | null;
  name: string | null;
  events: ReadEvent[];
} {
  assert.ok(text.endsWith('\r\n'), 'the file ends with CRLF');
  for (const line of text.slice(0, -2).split('\r\n')) {
    assert.ok(!line.includes('\n') && !line.includes('\r'), 'no bare line break');
    assert.ok(Buffer.byteLength(line) <= 75, `a line of at most 75 octets: ${line}`);
  }
  const calendar = new ICAL.Component(ICAL.parse(text));
  assert.equal(calendar.name, 'vcalendar');
  assert.equal(calendar.getFirstPropertyValue('version'), '2.0');
  assert.ok(calendar.getFirstPropertyValue('prodid'), 'a PRODID');
  const zones = new Map<string, ICAL.Timezone>();
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) {
    const zone = new ICAL.Timezone(vtimezone);
    zones.set(zone.tzid, zone);
  }
  const instant = (t: ICAL.Time) => {
    const tzid = t.zone?.tzid;
    const zone = tzid ? zones.get(tzid) : undefined;
    if (zone) t.zone = zone;
    else assert.equal(tzid, 'UTC', `a time in UTC or in a zone the file defines (${tzid})`);
    return t.toJSDate();
  };
  const text_ = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    for (const p of ['uid', 'dtstamp', 'dtstart', 'dtend', 'summary'])
      assert.ok(vevent.hasProperty(p), `a VEVENT with ${p.toUpperCase()}`);
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      wallStart: event.startDate.toString(),
      wallEnd: event.endDate.toString(),
      zone: event.startDate.zone?.tzid === 'UTC' ? 'Z' : (event.startDate.zone?.tzid ?? ''),
      start: instant(event.startDate),
      end: instant(event.endDate),
      location: text_(event.location),
      description: text_(event.description),
      url: text_(vevent.getFirstPropertyValue('url')),
      status: text_(vevent.getFirstPropertyValue('status')),
      sequence: event.sequence,
    };
  });
  return {
    method: text_(calendar.getFirstPropertyValue('method')),
    // ical.js does not know RFC 7986's NAME, a TEXT value: its escapes are undone here.
    name:
      text_(calendar.getFirstPropertyValue('name'))?.replace(/\\([\\;,nN])/g, (_m, c: string) =>
        c === 'n' || c === 'N' ? '\n' : c,
      ) ?? null,
    events,
  };
}
