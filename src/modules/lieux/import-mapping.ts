import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { LEGACY_FIELD_NAMES } from './legacy.ts';
import { FIELD_BY_NAME, LMN_FIELD_NAMES } from './vocabulary.ts';

/**
 * How the columns of a file in another layout become the standard's fields: each column (its
 * name trimmed, in lower case) → an LMN field, or null to ignore it. A column the mapping does
 * not name keeps its own name (a column already named after the standard needs nothing).
 */
export type ColumnMapping = Record<string, string | null>;

export const columnKey = (name: string) => name.trim().toLowerCase();

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
    if (typeof value !== 'string' || !FIELD_BY_NAME.has(value.trim()))
      return {
        ok: false,
        reason: `Colonne « ${column} » : « ${String(value)} » n’est pas un champ du standard (${LMN_FIELD_NAMES.join(', ')}), ni null pour l’ignorer.`,
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
  return { ok: true, mapping };
}

/** A row with its columns renamed (or dropped) as the mapping says. */
export function mapRow(data: Record<string, unknown>, mapping: ColumnMapping): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  const mappedFields = new Set(Object.values(mapping).filter((v): v is string => v !== null));
  for (const [name, value] of Object.entries(data)) {
    const key = columnKey(name);
    if (Object.hasOwn(mapping, key)) {
      const target = mapping[key];
      if (target) mapped[target] = value;
    } else if (!mappedFields.has(key) && mapped[key] === undefined) mapped[key] = value;
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
