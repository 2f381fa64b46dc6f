import type { Db } from '../../platform/db/database.ts';
import { parisToday } from '../../platform/paris-time.ts';
import {
  type CommunePlaces,
  nearestPublishedPlace,
  type PlacesAround,
  type Point,
  publishedPlacesAround,
  publishedPlacesOfCommunes,
  publishedPlacesServing,
  SERVICES,
  type Service,
  type ServingPlace,
} from '../lieux/index.ts';
import { lookupTerritory } from '../territoires/index.ts';
import {
  type CommunePosition,
  centresOf,
  communePositions,
  type PositionKind,
  positionOf,
} from './centres.ts';

/**
 * Coverage of a territory by the published places of digital mediation, commune by commune.
 * Everything here is public (published places, official populations, reference points):
 * no actor is needed.
 */

export { SERVICES, type Service };

/**
 * How a commune's inhabitants reach a service: a published place offering it in the commune,
 * one within the radius of the commune's point (`proche`), none (`aucun`), or cannot be told
 * because the commune has no position (`inconnu`).
 */
export type ServiceAccess = 'commune' | 'proche' | 'aucun' | 'inconnu';

export const SERVICE_ACCESS: readonly ServiceAccess[] = ['commune', 'proche', 'aucun', 'inconnu'];

export type CommuneCoverage = {
  code: string;
  name: string;
  /** Municipal population of the official reference; null when it gives none. */
  population: number | null;
  position: PositionKind;
  latitude: number | null;
  longitude: number | null;
  /** Published places in the commune (by their INSEE code). */
  places: number;
  placesPer10k: number | null;
  services: Record<Service, ServiceAccess>;
};

export type CoverageTotals = {
  communes: number;
  /** Sum of the known populations. */
  population: number;
  places: number;
  placesPer10k: number | null;
  /** For each service, the share (0 to 1) of that population in each situation. */
  shares: Record<Service, Record<ServiceAccess, number>>;
};

export type Coverage = { radiusKm: number; communes: CommuneCoverage[]; totals: CoverageTotals };

export type CoverageOptions = { radiusKm?: number };

export const DEFAULT_RADIUS_KM = 5;
const MAX_RADIUS_KM = 200;

function checkRadius(radiusKm: number): number {
  if (!Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_RADIUS_KM) {
    throw new RangeError(`radiusKm must be in ]0, ${MAX_RADIUS_KM}], got ${radiusKm}`);
  }
  return radiusKm;
}

/** Name and population from the official reference; an unknown code keeps its code as name. */
function communeRef(code: string): { name: string; population: number | null } {
  const found = lookupTerritory(code);
  return found.ok && found.territory.kind === 'commune'
    ? { name: found.territory.name, population: found.territory.population }
    : { name: code, population: null };
}

const per10k = (places: number, population: number | null) =>
  population ? (places * 10_000) / population : null;

/** What the coverage of a commune is computed from (three queries for the whole set). */
type Situation = {
  code: string;
  position: CommunePosition;
  inCommune: CommunePlaces | undefined;
  around: PlacesAround | undefined;
};

/** The commune's point for the distance queries, if it has one. */
function pointOf({ code, position }: { code: string; position: CommunePosition }): Point[] {
  return position.kind === 'inconnue'
    ? []
    : [{ key: code, latitude: position.latitude, longitude: position.longitude }];
}

/**
 * Positions, places in each commune, and places around those communes whose own places leave
 * a question open (`lookAround`): the nearby places are only read where they can change the
 * answer, which spares the densest communes, where they are most numerous.
 */
async function situations(
  db: Db,
  codes: string[],
  radiusKm: number,
  lookAround: (inCommune: CommunePlaces | undefined) => boolean,
): Promise<Situation[]> {
  const [centres, places] = await Promise.all([centresOf(db, codes), publishedPlacesOfCommunes(db, codes)]);
  const placesByCode = new Map(places.map((p) => [p.code, p]));
  const positioned = codes.map((code) => ({
    code,
    position: positionOf(centres.get(code), placesByCode.get(code)),
    inCommune: placesByCode.get(code),
  }));
  const points = positioned.filter((s) => lookAround(s.inCommune)).flatMap(pointOf);
  const around = await publishedPlacesAround(db, points, radiusKm);
  return positioned.map((s) => ({ ...s, around: around.get(s.code) }));
}

function accessTo(service: Service, s: Situation): ServiceAccess {
  if (s.inCommune?.services.includes(service)) return 'commune';
  if (s.position.kind === 'inconnue') return 'inconnu';
  return s.around?.services.includes(service) ? 'proche' : 'aucun';
}

function communeCoverage(s: Situation): CommuneCoverage {
  const { name, population } = communeRef(s.code);
  const places = s.inCommune?.places ?? 0;
  return {
    code: s.code,
    name,
    population,
    position: s.position.kind,
    latitude: s.position.latitude,
    longitude: s.position.longitude,
    places,
    placesPer10k: per10k(places, population),
    services: Object.fromEntries(SERVICES.map((service) => [service, accessTo(service, s)])) as Record<
      Service,
      ServiceAccess
    >,
  };
}

function totalsOf(communes: CommuneCoverage[]): CoverageTotals {
  const population = communes.reduce((sum, c) => sum + (c.population ?? 0), 0);
  const places = communes.reduce((sum, c) => sum + c.places, 0);
  const shares = {} as Record<Service, Record<ServiceAccess, number>>;
  for (const service of SERVICES) {
    const byAccess = Object.fromEntries(SERVICE_ACCESS.map((a) => [a, 0])) as Record<ServiceAccess, number>;
    for (const c of communes) byAccess[c.services[service]] += c.population ?? 0;
    for (const a of SERVICE_ACCESS) byAccess[a] = population > 0 ? byAccess[a] / population : 0;
    shares[service] = byAccess;
  }
  return { communes: communes.length, population, places, placesPer10k: per10k(places, population), shares };
}

/**
 * The coverage of these communes (member communes, an EPCI's members, the whole OPSN), in the
 * order given (duplicates once): per commune and for the set. Only published places count.
 */
export async function coverageOf(
  db: Db,
  communeCodes: string[],
  options: CoverageOptions = {},
): Promise<Coverage> {
  const radiusKm = checkRadius(options.radiusKm ?? DEFAULT_RADIUS_KM);
  const codes = [...new Set(communeCodes)];
  const lacksAService = (inCommune: CommunePlaces | undefined) =>
    (inCommune?.services.length ?? 0) < SERVICES.length;
  const communes = (await situations(db, codes, radiusKm, lacksAService)).map(communeCoverage);
  return { radiusKm, communes, totals: totalsOf(communes) };
}

export type WhiteZone = {
  code: string;
  name: string;
  population: number | null;
  /** The fragility index the caller gave. */
  index: number;
  /**
   * `inconnue`: the commune has no reference point and no published place; nothing is known
   * to be near it, but that cannot be checked until its centre is imported.
   */
  position: PositionKind;
  /** Distance to the nearest published place (beyond the radius), when the commune has a position. */
  nearestKm: number | null;
};

/** The communes (once each) whose known fragility index reaches the threshold. */
function fragileCommunes(
  communeCodes: string[],
  options: WhiteZoneOptions,
): { code: string; index: number }[] {
  return [...new Set(communeCodes)].flatMap((code) => {
    const index = options.indexOf(code);
    return index !== null && Number.isFinite(index) && index >= options.threshold ? [{ code, index }] : [];
  });
}

export type WhiteZoneOptions = {
  radiusKm?: number;
  /** The commune's fragility index; null when unknown (such communes are left out). */
  indexOf: (code: string) => number | null;
  threshold: number;
};

/**
 * The communes of this territory whose fragility index is at least `threshold` and where no
 * published place, of whatever service, stands in the commune or within `radiusKm` of its
 * point; most fragile first. Unpublishing a place can make a commune a white zone.
 */
export async function whiteZones(
  db: Db,
  communeCodes: string[],
  options: WhiteZoneOptions,
): Promise<WhiteZone[]> {
  const radiusKm = checkRadius(options.radiusKm ?? DEFAULT_RADIUS_KM);
  const fragile = fragileCommunes(communeCodes, options);
  const indexByCode = new Map(fragile.map((f) => [f.code, f.index]));
  const withoutPlace = (inCommune: CommunePlaces | undefined) => inCommune === undefined;
  const empty = (await situations(db, [...indexByCode.keys()], radiusKm, withoutPlace)).filter(
    (s) => !s.inCommune && !s.around,
  );
  const nearest = await nearestPublishedPlace(db, empty.flatMap(pointOf));
  return empty
    .map((s) => ({
      code: s.code,
      ...communeRef(s.code),
      index: indexByCode.get(s.code)!,
      position: s.position.kind,
      nearestKm: nearest.get(s.code) ?? null,
    }))
    .sort(
      (a, b) =>
        b.index - a.index || (b.population ?? 0) - (a.population ?? 0) || a.code.localeCompare(b.code),
    );
}

/**
 * The places that took a fragile commune out of the white zones, counted by the month of their
 * first publication (`YYYY-MM`, Paris time): for each commune of this territory whose index
 * reaches `threshold`, the first published of the places that serve it today (in it, or within
 * `radiusKm` of its point), each place counted once even if it serves several such communes.
 * The directory keeps no past state, only each place's revisions: this reads today's published
 * places and their first publication, so a place withdrawn since no longer counts, and a
 * commune whose first place is still published credits no later one.
 */
export async function placesOpeningWhiteZones(
  db: Db,
  communeCodes: string[],
  options: WhiteZoneOptions,
): Promise<Map<string, number>> {
  const radiusKm = checkRadius(options.radiusKm ?? DEFAULT_RADIUS_KM);
  const codes = fragileCommunes(communeCodes, options).map((f) => f.code);
  if (codes.length === 0) return new Map();
  const positions = await communePositions(db, codes);
  const serving = await publishedPlacesServing(
    db,
    codes.map((code) => {
      const p = positions.get(code);
      return {
        code,
        point: p && p.kind !== 'inconnue' ? { latitude: p.latitude, longitude: p.longitude } : null,
      };
    }),
    radiusKm,
  );
  // Published at the same instant: the one with the smaller id, the same for every commune.
  const earlier = (a: ServingPlace, b: ServingPlace) =>
    a.sinceKey < b.sinceKey || (a.sinceKey === b.sinceKey && a.id < b.id);
  const firstOf = new Map<string, ServingPlace>();
  for (const place of serving) {
    const first = firstOf.get(place.code);
    if (!first || earlier(place, first)) firstOf.set(place.code, place);
  }
  const opening = new Map([...firstOf.values()].map((p) => [p.id, p.since]));
  const months = new Map<string, number>();
  for (const since of opening.values()) {
    const month = parisToday(since).slice(0, 7);
    months.set(month, (months.get(month) ?? 0) + 1);
  }
  return months;
}
