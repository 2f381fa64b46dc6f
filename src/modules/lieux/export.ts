import { csvText } from '../../platform/csv.ts';
import type { Db } from '../../platform/db/database.ts';
import { toServices, toStructure } from './data-inclusion.ts';
import { placeOf } from './store.ts';
import { LMN_FIELD_NAMES, type LmnPlace } from './vocabulary.ts';

export type ExportFormat = 'csv' | 'json' | 'data-inclusion' | 'structures' | 'services';

/** Published places, a page at a time in `id` order: exports never hold the whole table. */
export async function* publishedPlaces(
  db: Db,
  pageSize = 2000,
): AsyncGenerator<{ id: string; place: LmnPlace }[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('lieu')
      .selectAll()
      .where('status', '=', 'publie')
      .where('lmn_id', '>', after)
      .orderBy('lmn_id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    yield rows.map((row) => ({ id: row.id, place: placeOf(row) }));
    after = rows[rows.length - 1]?.lmn_id ?? after;
    if (rows.length < pageSize) return;
  }
}

/** A place as the standard's CSV and JSON carry it: multi-values joined with `|`, empty for none. */
export function lmnRecord(place: LmnPlace): Record<string, string | number | null> {
  const record: Record<string, string | number | null> = {};
  for (const name of LMN_FIELD_NAMES) {
    let value = place[name as keyof LmnPlace];
    // The official schema's phone pattern allows one number per cell: the first one goes out.
    if (name === 'telephone' && Array.isArray(value)) value = value.slice(0, 1);
    record[name] = Array.isArray(value) ? (value.length > 0 ? value.join('|') : null) : value;
  }
  return record;
}

export type ExportContext = { source: string; placeUrl: (id: string) => string };

/**
 * Writes the published places in a format, chunk by chunk, through `write`: LMN v1 CSV or
 * JSON, or data.inclusion v1 (`data-inclusion`: { structures, services }; `structures` or
 * `services` alone as arrays).
 */
export async function exportPlaces(
  db: Db,
  format: ExportFormat,
  ctx: ExportContext,
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  let count = 0;
  if (format === 'csv') {
    await write(csvText([LMN_FIELD_NAMES]));
    for await (const page of publishedPlaces(db)) {
      await write(
        csvText(page.map(({ place }) => LMN_FIELD_NAMES.map((n) => csvValue(lmnRecord(place)[n])))),
      );
      count += page.length;
    }
    return count;
  }
  const arrays = format === 'data-inclusion' ? ['structures', 'services'] : [format];
  if (format === 'data-inclusion') await write('{');
  for (const [index, key] of arrays.entries()) {
    if (format === 'data-inclusion') await write(`${index > 0 ? ',' : ''}${JSON.stringify(key)}:`);
    await write('[');
    let first = true;
    for await (const page of publishedPlaces(db)) {
      const items = page.flatMap(({ id, place }) =>
        itemsOf(key, place, { source: ctx.source, placeUrl: ctx.placeUrl(id) }),
      );
      if (items.length > 0) {
        await write(`${first ? '' : ','}${items.map((i) => JSON.stringify(i)).join(',')}`);
        first = false;
      }
      if (index === 0) count += page.length;
    }
    await write(']');
  }
  if (format === 'data-inclusion') await write('}');
  return count;
}

function itemsOf(key: string, place: LmnPlace, ctx: { source: string; placeUrl: string }): unknown[] {
  if (key === 'json' || key === 'csv') return [lmnRecord(place)];
  if (key === 'structures') return [toStructure(place, ctx)];
  return toServices(place, ctx);
}

/** A cell of the CSV: numbers stay numbers (the writer lets them through as they are). */
function csvValue(value: string | number | null | undefined): string | number {
  return value ?? '';
}
