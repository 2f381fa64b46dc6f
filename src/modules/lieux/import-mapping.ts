import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Note } from './legacy.ts';
import { LEGACY_FIELD_NAMES } from './legacy.ts';
import { DAY_CODES, DAY_LABELS, type DayCode, weekdayHoursToOsm } from './opening-hours.ts';
import { FIELD_BY_NAME, LMN_FIELD_NAMES } from './vocabulary.ts';

/**
 * How the columns of a file in another layout become the standard's fields: each column (its
 * name trimmed, in lower case) → an LMN field, or null to ignore it. A column the mapping does
 * not name keeps its own name (a column already named after the standard needs nothing).
 * Files with one column of hours per weekday (the France Services list) map each to
 * `horaires.lundi` … `horaires.dimanche`: the days are combined into `horaires` (OSM).
 */
export type ColumnMapping = Record<string, string | null>;

export const columnKey = (name: string) => name.trim().toLowerCase();

/** The targets of one weekday's hours each: `horaires.lundi` → Mo… */
export const WEEKDAY_TARGETS: ReadonlyMap<string, DayCode> = new Map(
  DAY_CODES.map((day) => [`horaires.${DAY_LABELS[day].toLowerCase()}`, day]),
);

const WEEKDAY_BY_NAME = new Map(DAY_CODES.map((day) => [DAY_LABELS[day].toLowerCase(), day]));
/** Words that may surround a weekday in the name of its hours' column. */
const HOURS_WORDS = new Set(['horaires', 'horaire', 'heures', 'ouverture', 'du', 'de', 'le', 'd']);

/** Lower case, without accents, words separated by one space. */
const plain = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/**
 * The field a column is offered for on the mapping step before anyone chose: a column named
 * after the standard, or a weekday's hours (« Lundi », « Horaires du mardi », « horaires_mercredi »).
 */
export function suggestedTarget(column: string): string | null {
  if (isKnownColumn(column)) return column;
  const words = plain(column).split(' ');
  const days = words.filter((w) => WEEKDAY_BY_NAME.has(w));
  const others = words.filter((w) => !WEEKDAY_BY_NAME.has(w) && !HOURS_WORDS.has(w));
  return days.length === 1 && others.length === 0 ? `horaires.${days[0]}` : null;
}

/** Columns the import reads as they are: the standard's fields and the v0.1 ones it maps. */
export const isKnownColumn = (column: string) =>
  FIELD_BY_NAME.has(column) || LEGACY_FIELD_NAMES.includes(column);

/** A file needs the mapping step when it has no `id` column or columns the standard does not know. */
export const needsMapping = (columns: readonly string[]) =>
  !columns.includes('id') || columns.some((c) => !isKnownColumn(c));

/**
 * Checks a mapping as given (the page's choices, or a `--correspondance` JSON file): keys are
 * column names, values LMN field names, or null / "" to ignore the column. Two columns may not
 * fill one field.
 */
export function checkMapping(
  input: unknown,
): { ok: true; mapping: ColumnMapping } | { ok: false; reason: string } {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return {
      ok: false,
      reason:
        'La correspondance doit être un objet JSON : { "colonne du fichier": "champ du standard" ou null pour l’ignorer }.',
    };
  const mapping: ColumnMapping = {};
  const usedBy = new Map<string, string>();
  for (const [column, value] of Object.entries(input)) {
    const key = columnKey(column);
    if (key === '') continue;
    if (value === null || value === '') {
      mapping[key] = null;
      continue;
    }
    if (typeof value !== 'string' || !(FIELD_BY_NAME.has(value.trim()) || WEEKDAY_TARGETS.has(value.trim())))
      return {
        ok: false,
        reason: `Colonne « ${column} » : « ${String(value)} » n’est pas un champ du standard (${LMN_FIELD_NAMES.join(', ')}), ni les horaires d’un jour (${[...WEEKDAY_TARGETS.keys()].join(', ')}), ni null pour l’ignorer.`,
      };
    const field = value.trim();
    const other = usedBy.get(field);
    if (other !== undefined && other !== key)
      return {
        ok: false,
        reason: `Les colonnes « ${other} » et « ${column} » remplissent toutes deux « ${field} » : gardez-en une.`,
      };
    usedBy.set(field, key);
    mapping[key] = field;
  }
  const byDay = [...usedBy].find(([field]) => WEEKDAY_TARGETS.has(field));
  if (byDay && usedBy.has('horaires'))
    return {
      ok: false,
      reason: `La colonne « ${usedBy.get('horaires')} » donne les horaires et « ${byDay[1]} » ceux d’un jour : gardez l’un ou l’autre.`,
    };
  return { ok: true, mapping };
}

/**
 * A row with its columns renamed (or dropped) as the mapping says, the weekdays' hours combined
 * into `horaires`. Weekday hours that cannot be read are left out and noted in `problems`, with
 * the days as written: the import makes it a warning, or rejects the row when strict.
 */
export function mapRow(
  data: Record<string, unknown>,
  mapping: ColumnMapping,
  problems: Note[] = [],
): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  const mappedFields = new Set(Object.values(mapping).filter((v): v is string => v !== null));
  const days: Partial<Record<DayCode, string>> = {};
  for (const [name, value] of Object.entries(data)) {
    const key = columnKey(name);
    if (Object.hasOwn(mapping, key)) {
      const target = mapping[key];
      const day = target ? WEEKDAY_TARGETS.get(target) : undefined;
      if (day) days[day] = value === null || value === undefined ? '' : String(value);
      else if (target) mapped[target] = value;
    } else if (!mappedFields.has(key) && mapped[key] === undefined) mapped[key] = value;
  }
  if (Object.keys(days).length > 0) {
    const hours = weekdayHoursToOsm(days);
    if (!hours.ok)
      problems.push({
        field: 'horaires',
        value: DAY_CODES.filter((d) => days[d] !== undefined && days[d].trim() !== '')
          .map((d) => `${DAY_LABELS[d].toLowerCase()} : ${days[d]!.trim()}`)
          .join(' ; '),
        reason: `Horaires par jour illisibles : ${hours.reason}`,
      });
    else if (hours.value !== '') mapped.horaires = hours.value;
  }
  return mapped;
}

/** The mapping saved for this source in this collectivité (null: the OPSN's), if any. */
export async function savedMapping(
  db: Db,
  collectiviteId: number | null,
  source: string,
): Promise<ColumnMapping | undefined> {
  const row = await db
    .selectFrom('lieu_import_correspondance')
    .select('mapping')
    .where('source', '=', source)
    .where((eb) =>
      collectiviteId === null
        ? eb('collectivite_id', 'is', null)
        : eb('collectivite_id', '=', collectiviteId),
    )
    .executeTakeFirst();
  return row?.mapping;
}

/** Saves (or replaces) the mapping of a source, for the next files of that source. */
export async function saveMapping(
  db: Db,
  actor: Actor,
  collectiviteId: number | null,
  source: string,
  mapping: ColumnMapping,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('lieu_import_correspondance')
      .where('source', '=', source)
      .where((eb) =>
        collectiviteId === null
          ? eb('collectivite_id', 'is', null)
          : eb('collectivite_id', '=', collectiviteId),
      )
      .execute();
    await trx
      .insertInto('lieu_import_correspondance')
      .values({
        collectivite_id: collectiviteId,
        source,
        mapping: JSON.stringify(mapping),
        updated_by: actor.kind === 'user' ? actor.userId : null,
      })
      .execute();
  });
}
