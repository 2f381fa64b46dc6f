import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { SERVICES } from './vocabulary.ts';

/**
 * What the published places offer in and around the communes of a territory, for their
 * coverage: set-based queries (one per call, whatever the number of communes) that other
 * modules use instead of reading the `lieu` table.
 */

export type Service = (typeof SERVICES)[number];

// What coverage needs besides: the services' list, and where France is.
export { isInFrance } from './validation.ts';
export { SERVICES };

/** The published places of one commune (by their INSEE code). */
export type CommunePlaces = {
  code: string;
  places: number;
  /** Services at least one of them offers, in the standard's order. */
  services: Service[];
  /** Mean position of those with coordinates; null when none has any. */
  latitude: number | null;
  longitude: number | null;
};

/** The published places within a radius of one point. */
export type PlacesAround = { places: number; services: Service[] };

export type Point = { key: string; latitude: number; longitude: number };

/** `bool_or(service = any(services))` for each service: which ones a group of places offers. */
function offeredColumns(): RawBuilder<unknown> {
  return sql.join(SERVICES.map((s, i) => sql`bool_or(${s} = any(l.services)) as ${sql.id(`s${i}`)}`));
}

function offeredServices(row: Record<string, unknown>): Service[] {
  return SERVICES.filter((_, i) => row[`s${i}`] === true);
}

/** Published places of each of these communes; communes without any are left out. */
export async function publishedPlacesOfCommunes(db: Db, codes: string[]): Promise<CommunePlaces[]> {
  if (codes.length === 0) return [];
  const { rows } = await sql<Record<string, unknown> & { code: string; places: number }>`
    select l.code_insee as code, count(*)::int as places,
      avg(l.latitude) as latitude, avg(l.longitude) as longitude,
      ${offeredColumns()}
    from lieu l
    where l.status = 'publie' and l.code_insee = any(${codes}::text[])
    group by l.code_insee`.execute(db);
  return rows.map((row) => ({
    code: row.code,
    places: row.places,
    services: offeredServices(row),
    latitude: row.latitude == null ? null : Number(row.latitude),
    longitude: row.longitude == null ? null : Number(row.longitude),
  }));
}

const earth = (lat: RawBuilder<unknown>, lon: RawBuilder<unknown>) => sql`ll_to_earth(${lat}, ${lon})`;
const pointEarth = earth(sql`p.lat`, sql`p.lon`);
const placeEarth = earth(sql`l.latitude`, sql`l.longitude`);

/**
 * The great-circle distance in metres from point `p` to place `l` on earthdistance's sphere
 * (haversine): the same value as `earth_distance` of their `ll_to_earth`, but from built-in
 * float functions, about ten times cheaper per row than those SQL functions (and their domain
 * checks), which matters when thousands of places fall in the boxes.
 */
const distanceMetres = sql`2 * earth() * asin(least(1, sqrt(
  power(sin(radians(l.latitude - p.lat) / 2), 2)
  + cos(radians(p.lat)) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - p.lon) / 2), 2))))`;

/** The points as a relation `p(key, lat, lon)`: one parameter per column, whatever their number. */
function pointsRelation(points: Point[]): RawBuilder<unknown> {
  return sql`unnest(${points.map((p) => p.key)}::text[], ${points.map((p) => p.latitude)}::float8[],
    ${points.map((p) => p.longitude)}::float8[]) as p(key, lat, lon)`;
}

/**
 * Around each point, the published places within `radiusKm` (great-circle distance): how
 * many, and which services they offer. Each point walks the `lieu_geo` GiST index through its
 * `earth_box` (then keeps the exact distance), never the whole table: the cost follows the
 * number of places in the circles. Points with no place around are left out.
 */
export async function publishedPlacesAround(
  db: Db,
  points: Point[],
  radiusKm: number,
): Promise<Map<string, PlacesAround>> {
  if (points.length === 0) return new Map();
  const metres = radiusKm * 1000;
  const { rows } = await sql<Record<string, unknown> & { key: string; places: number }>`
    select p.key, count(*)::int as places, ${offeredColumns()}
    from ${pointsRelation(points)}
    join lieu l
      on earth_box(${pointEarth}, ${metres}::float8) @> ${placeEarth}
      and ${distanceMetres} <= ${metres}::float8
    where l.status = 'publie' and l.latitude is not null
    group by p.key`.execute(db);
  return new Map(rows.map((row) => [row.key, { places: row.places, services: offeredServices(row) }]));
}

/**
 * For each point, the distance in kilometres to the nearest published place: the GiST index
 * read in distance order, one entry per point. Absent when no published place has coordinates.
 */
export async function nearestPublishedPlace(db: Db, points: Point[]): Promise<Map<string, number>> {
  if (points.length === 0) return new Map();
  // Distance alone in the ORDER BY: before PostgreSQL 17 a tie-breaker keeps the planner from
  // walking the index in distance order (see search.ts).
  const { rows } = await sql<{ key: string; metres: number | null }>`
    select p.key, (
      select earth_distance(${pointEarth}, ${placeEarth})
      from lieu l
      where l.status = 'publie' and l.latitude is not null
      order by ${placeEarth} <-> ${pointEarth}
      limit 1
    ) as metres
    from ${pointsRelation(points)}`.execute(db);
  const nearest = new Map<string, number>();
  for (const row of rows) if (row.metres != null) nearest.set(row.key, Number(row.metres) / 1000);
  return nearest;
}

/** A published place with its distance from a point, in kilometres. */
export type PlaceAtDistance = { id: string; nom: string; commune: string; distance_km: number };

/**
 * Which of these places are published and within `radiusKm` of a point, nearest first: for a
 * module that knows its own places (appointments' workshops…) and needs how far each one is.
 */
export async function publishedPlacesWithin(
  db: Db,
  ids: readonly string[],
  point: { latitude: number; longitude: number },
  radiusKm: number,
): Promise<PlaceAtDistance[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<PlaceAtDistance>`
    select l.id, l.nom, l.commune, (${distanceMetres}) / 1000 as distance_km
    from lieu l, (select ${point.latitude}::float8 as lat, ${point.longitude}::float8 as lon) p
    where l.id = any(${ids}::uuid[]) and l.status = 'publie' and l.latitude is not null
      and ${distanceMetres} <= ${radiusKm * 1000}::float8
    order by distance_km`.execute(db);
  return rows.map((r) => ({ ...r, distance_km: Number(r.distance_km) }));
}

/** A published place that serves a commune: in it, or within the radius of its point. */
export type ServingPlace = {
  /** The commune's INSEE code. */
  code: string;
  id: string;
  /**
   * When it was first published: its first `publication` revision, else its creation (a place
   * imported already published has no such revision). Only the current status is kept, so a
   * place published, withdrawn and published again keeps its first date.
   */
  since: Date;
  /**
   * The same instant to the microsecond, as text that sorts in time order (`since` keeps
   * milliseconds only: two places published in the same millisecond would look simultaneous).
   */
  sinceKey: string;
};

/**
 * The published places serving each commune: those whose INSEE code is the commune's, and,
 * when the commune has a point, those within `radiusKm` of it (the `lieu_geo` index through
 * each point's `earth_box`). A place serving several communes appears once for each.
 */
export async function publishedPlacesServing(
  db: Db,
  communes: { code: string; point: { latitude: number; longitude: number } | null }[],
  radiusKm: number,
): Promise<ServingPlace[]> {
  if (communes.length === 0) return [];
  const codes = communes.map((c) => c.code);
  const points: Point[] = communes.flatMap((c) => (c.point ? [{ key: c.code, ...c.point }] : []));
  const metres = radiusKm * 1000;
  const { rows } = await sql<{ code: string; id: string; since: Date | string; since_key: string }>`
    with served as (
      select l.code_insee as code, l.id from lieu l
      where l.status = 'publie' and l.code_insee = any(${codes}::text[])
      union
      select p.key as code, l.id
      from ${pointsRelation(points)}
      join lieu l
        on earth_box(${pointEarth}, ${metres}::float8) @> ${placeEarth}
        and ${distanceMetres} <= ${metres}::float8
      where l.status = 'publie' and l.latitude is not null
    )
    select code, id, since, to_char(since at time zone 'UTC', 'YYYYMMDDHH24MISSUS') as since_key
    from (
      select s.code, s.id, coalesce(
        (select min(r.at) from lieu_revision r where r.lieu_id = s.id and r.kind = 'publication'),
        l.created_at) as since
      from served s join lieu l on l.id = s.id) x`.execute(db);
  return rows.map((r) => ({ code: r.code, id: r.id, since: new Date(r.since), sinceKey: r.since_key }));
}
