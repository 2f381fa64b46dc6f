/** A session as an iCalendar file (RFC 5545): one event per half-day. */

const stamp = (d: Date) =>
  `${d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}`;

/** Escapes a text value (backslash, semicolon, comma, new lines). */
const text = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Folds a content line at 75 octets, as the standard asks. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const ch of line) {
    if (Buffer.byteLength(current + ch, 'utf8') > (parts.length ? 74 : 75)) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export function sessionCalendar(
  s: {
    id: string;
    titre: string;
    lieu_libelle: string | null;
    lien_distance: string | null;
    halfDays: { id: string; starts_at: Date; ends_at: Date }[];
  },
  host: string,
  now = new Date(),
): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Relais//Formations//FR',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
  ];
  s.halfDays.forEach((h, i) => {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${h.id}@${host}`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART:${stamp(h.starts_at)}`,
      `DTEND:${stamp(h.ends_at)}`,
      `SUMMARY:${text(`${s.titre} (${i + 1}/${s.halfDays.length})`)}`,
    );
    if (s.lieu_libelle) lines.push(`LOCATION:${text(s.lieu_libelle)}`);
    if (s.lien_distance) lines.push(`URL:${text(s.lien_distance)}`);
    lines.push('END:VEVENT');
  });
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
