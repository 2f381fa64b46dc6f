import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { type CommunePlaces, publishedPlacesOfCommunes } from '../lieux/index.ts';

/**
 * Where a commune is measured from: its reference point (`centre`, imported or seeded), else
 * the mean position of its published places (`lieux`), else nowhere (`inconnue`).
 */
export type PositionKind = 'centre' | 'lieux' | 'inconnue';

export type CommunePosition =
  | { kind: 'centre' | 'lieux'; latitude: number; longitude: number }
  | { kind: 'inconnue'; latitude: null; longitude: null };

export type Centre = { code: string; latitude: number; longitude: number };

/** Writes (or replaces) reference points, in batches, inside the caller's transaction if any. */
export async function saveCentres(db: Db, centres: Centre[], source: string): Promise<number> {
  const now = new Date();
  for (let start = 0; start < centres.length; start += 1000) {
    const batch = centres.slice(start, start + 1000);
    await db
      .insertInto('commune_centre')
      .values(
        batch.map((c) => ({
          code_insee: c.code,
          latitude: c.latitude,
          longitude: c.longitude,
          source,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.column('code_insee').doUpdateSet({
          latitude: sql`excluded.latitude`,
          longitude: sql`excluded.longitude`,
          source: sql`excluded.source`,
          updated_at: sql`excluded.updated_at`,
        }),
      )
      .execute();
  }
  return centres.length;
}

/** The stored reference points of these communes (those without one are left out). */
export async function centresOf(db: Db, codes: string[]): Promise<Map<string, Centre>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('commune_centre')
    .select(['code_insee', 'latitude', 'longitude'])
    .where('code_insee', '=', sql<string>`any(${codes}::text[])`)
    .execute();
  return new Map(
    rows.map((r) => [r.code_insee, { code: r.code_insee, latitude: r.latitude, longitude: r.longitude }]),
  );
}

/** A commune's point from its centre, or from its published places when it has none. */
export function positionOf(centre: Centre | undefined, places: CommunePlaces | undefined): CommunePosition {
  if (centre) return { kind: 'centre', latitude: centre.latitude, longitude: centre.longitude };
  if (places?.latitude != null && places.longitude != null) {
    return { kind: 'lieux', latitude: places.latitude, longitude: places.longitude };
  }
  return { kind: 'inconnue', latitude: null, longitude: null };
}

/** Where each of these communes is measured from (see `PositionKind`). */
export async function communePositions(db: Db, codes: string[]): Promise<Map<string, CommunePosition>> {
  const unique = [...new Set(codes)];
  const [centres, places] = await Promise.all([centresOf(db, unique), publishedPlacesOfCommunes(db, unique)]);
  const placesByCode = new Map(places.map((p) => [p.code, p]));
  return new Map(unique.map((code) => [code, positionOf(centres.get(code), placesByCode.get(code))]));
}
