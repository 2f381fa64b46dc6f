import { createHash } from 'node:crypto';
import { type Insertable, type Selectable, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { toMultirangeLiteral, weekMinuteRanges } from './opening-hours.ts';
import { LMN_FIELD_NAMES, type LmnPlace } from './vocabulary.ts';

export type Place = Selectable<Database['lieu']>;

/** The standard's fields of a stored place. */
export function placeOf(row: Place): LmnPlace {
  const place: Record<string, unknown> = {};
  for (const name of LMN_FIELD_NAMES) place[name] = name === 'id' ? row.lmn_id : row[name as keyof Place];
  place.date_maj = dateText(row.date_maj);
  return place as LmnPlace;
}

/** PostgreSQL `date` arrives as a Date (node-postgres) or as text: always `YYYY-MM-DD` here. */
export function dateText(value: unknown): string {
  if (value instanceof Date) {
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  }
  return String(value).slice(0, 10);
}

/** The columns a place's standard fields fill, with what is derived from them. */
export function columnsOf(place: LmnPlace): Omit<Insertable<Database['lieu']>, 'collectivite_id' | 'status'> {
  const { id, ...fields } = place;
  const ranges = fields.horaires ? weekMinuteRanges(fields.horaires) : null;
  return { lmn_id: id, ...fields, open_week: ranges ? toMultirangeLiteral(ranges) : null };
}

/** A fingerprint of the standard's values (without `date_maj`): same values, same fingerprint. */
export function placeHash(place: LmnPlace): string {
  const { date_maj: _ignored, ...values } = place;
  const ordered = LMN_FIELD_NAMES.filter((n) => n !== 'date_maj').map((n) => [
    n,
    values[n as keyof typeof values],
  ]);
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

/** The fields whose values differ, as { field: [before, after] }. */
export function diffPlaces(before: LmnPlace, after: LmnPlace): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const name of LMN_FIELD_NAMES) {
    if (name === 'date_maj') continue;
    const a = before[name as keyof LmnPlace];
    const b = after[name as keyof LmnPlace];
    if (!sameValue(name, a, b)) changes[name] = [a, b];
  }
  return changes;
}

/** Contact lists whose order means something: the standard's single-value exports take the first. */
const ORDERED_LISTS = new Set(['telephone', 'courriels', 'site_web']);

/** Lists of the standard are sets (services, publics…): another order is not a change. */
function sameValue(name: string, a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b) && !ORDERED_LISTS.has(name))
    return a.length === b.length && JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Adds the words of these places' names and communes to `lieu_mot` (typo correction). */
export async function rememberWords(db: Db, where: { importId: string } | { id: string }): Promise<void> {
  const condition = 'importId' in where ? sql`import_id = ${where.importId}` : sql`id = ${where.id}`;
  await sql`insert into lieu_mot (mot)
    select distinct w from lieu, regexp_split_to_table(search_name, '[^a-z0-9]+') as w
    where ${condition} and length(w) >= 3
    on conflict do nothing`.execute(db);
}
