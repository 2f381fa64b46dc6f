import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { CommuneRef } from './tables.ts';

/** France's administrative divisions, from @etalab/decoupage-administratif (official COG data). */
type RawCommune = {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  region?: string;
  siren?: string;
  population?: number;
  codesPostaux?: string[];
  chefLieu?: string;
  commune?: string;
};
type RawEpci = {
  code: string;
  nom: string;
  type: string;
  populationMunicipale?: number;
  membres: { code: string; siren: string; nom: string; populationMunicipale?: number }[];
};
type RawArea = { code: string; nom: string };

export type TerritoryRef = {
  kind: 'commune' | 'epci';
  code: string;
  name: string;
  departement: RawArea | null;
  region: RawArea | null;
  population: number | null;
  postcodes: string[];
  memberCommunes: CommuneRef[];
};

export type LookupResult = { ok: true; territory: TerritoryRef } | { ok: false; reason: string };

const require = createRequire(import.meta.url);
const dataDir = path.join(
  path.dirname(require.resolve('@etalab/decoupage-administratif/package.json')),
  'data',
);
const load = <T>(file: string): T => JSON.parse(readFileSync(path.join(dataDir, file), 'utf8')) as T;

type Index = {
  communes: Map<string, RawCommune[]>;
  communesBySiren: Map<string, RawCommune>;
  readonly epcis: Map<string, RawEpci>;
  departements: Map<string, RawArea>;
  regions: Map<string, RawArea>;
};

let index: Index | undefined;

/**
 * Loaded on first use: the files weigh 12 MB and most requests never need them. Only the fields
 * Relais reads are kept (a third of each commune's), and the EPCIs are read on their first
 * lookup: an export naming communes then holds about half as much.
 */
function reference(): Index {
  if (index) return index;
  const communes = new Map<string, RawCommune[]>();
  const communesBySiren = new Map<string, RawCommune>();
  for (const raw of load<RawCommune[]>('communes.json')) {
    const c = keptFields(raw);
    const same = communes.get(c.code);
    if (same) same.push(c);
    else communes.set(c.code, [c]);
    if (c.siren && c.type === 'commune-actuelle') communesBySiren.set(c.siren, c);
  }
  let epcis: Map<string, RawEpci> | undefined;
  index = {
    communes,
    communesBySiren,
    get epcis() {
      epcis ??= new Map(load<RawEpci[]>('epci.json').map((e) => [e.code, e]));
      return epcis;
    },
    // Overseas regions share codes with départements (01 Guadeloupe…): keep them apart.
    departements: new Map(load<RawArea[]>('departements.json').map((d) => [d.code, d])),
    regions: new Map(load<RawArea[]>('regions.json').map((r) => [r.code, r])),
  };
  return index;
}

/** The fields of `RawCommune`, without the file's others (zone, arrondissement, former codes…). */
function keptFields(c: RawCommune): RawCommune {
  const kept: RawCommune = { code: c.code, nom: c.nom, type: c.type };
  if (c.departement !== undefined) kept.departement = c.departement;
  if (c.region !== undefined) kept.region = c.region;
  if (c.siren !== undefined) kept.siren = c.siren;
  if (c.population !== undefined) kept.population = c.population;
  if (c.codesPostaux !== undefined) kept.codesPostaux = c.codesPostaux;
  if (c.chefLieu !== undefined) kept.chefLieu = c.chefLieu;
  if (c.commune !== undefined) kept.commune = c.commune;
  return kept;
}

export const INSEE_PATTERN = /^(\d{5}|2[AB]\d{3})$/;
export const SIREN_PATTERN = /^\d{9}$/;

function communeToRef(c: RawCommune): TerritoryRef {
  const ref = reference();
  return {
    kind: 'commune',
    code: c.code,
    name: c.nom,
    departement: (c.departement && ref.departements.get(c.departement)) || null,
    region: (c.region && ref.regions.get(c.region)) || null,
    population: c.population ?? null,
    postcodes: c.codesPostaux ?? [],
    memberCommunes: [],
  };
}

function epciToRef(e: RawEpci): TerritoryRef {
  const ref = reference();
  const members = e.membres.map((m) => ref.communes.get(m.code)?.find((c) => c.type === 'commune-actuelle'));
  // An EPCI belongs to the département (and région) where most of its communes are.
  const mostCommon = (values: (string | undefined)[]) => {
    const counts = new Map<string, number>();
    for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const dep = mostCommon(members.map((m) => m?.departement));
  const reg = mostCommon(members.map((m) => m?.region));
  return {
    kind: 'epci',
    code: e.code,
    name: e.nom,
    departement: (dep && ref.departements.get(dep)) || null,
    region: (reg && ref.regions.get(reg)) || null,
    population: e.populationMunicipale ?? null,
    postcodes: [...new Set(members.flatMap((m) => m?.codesPostaux ?? []))].sort(),
    memberCommunes: e.membres.map((m) => ({
      code: m.code,
      name: m.nom,
      population: m.populationMunicipale ?? null,
    })),
  };
}

/**
 * Finds a commune by its INSEE code (or its SIREN) or an EPCI by its SIREN, and explains
 * in French why a code is refused.
 */
export function lookupTerritory(input: string): LookupResult {
  const code = input.trim().toUpperCase();
  if (INSEE_PATTERN.test(code)) {
    const entries = reference().communes.get(code) ?? [];
    const current = entries.find((c) => c.type === 'commune-actuelle');
    if (current) return { ok: true, territory: communeToRef(current) };
    const other = entries[0];
    if (other?.type === 'arrondissement-municipal' && other.commune) {
      return {
        ok: false,
        reason: `${code} est un arrondissement municipal (${other.nom}) : ajoutez la commune ${other.commune}.`,
      };
    }
    if (other) {
      const parent = other.chefLieu ? ` ; ajoutez la commune nouvelle ${other.chefLieu}` : '';
      return { ok: false, reason: `${code} est une commune déléguée ou associée (${other.nom})${parent}.` };
    }
    return {
      ok: false,
      reason: `Aucune commune n’a le code INSEE ${code} dans le code officiel géographique.`,
    };
  }
  if (SIREN_PATTERN.test(code)) {
    const epci = reference().epcis.get(code);
    if (epci) return { ok: true, territory: epciToRef(epci) };
    const commune = reference().communesBySiren.get(code);
    if (commune) return { ok: true, territory: communeToRef(commune) };
    return { ok: false, reason: `Aucun EPCI ni aucune commune n’a le SIREN ${code}.` };
  }
  return {
    ok: false,
    reason:
      'Le code doit être un code INSEE de commune (5 caractères, par exemple 69266) ou un SIREN d’EPCI (9 chiffres).',
  };
}

/** A current commune, as searches and address checks need it. */
export type CommuneMatch = { code: string; name: string; postcodes: string[]; departement: string | null };

/** Lower case, no accents, words split on hyphens and apostrophes, "St" read as "Saint". */
export function normaliseCommuneName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[-'’.]/g, ' ')
    .replace(/\bste\b/g, 'sainte')
    .replace(/\bst\b/g, 'saint')
    .replace(/\s+/g, ' ')
    .trim();
}

type CommuneIndex = { byPostcode: Map<string, RawCommune[]>; byName: Map<string, RawCommune[]> };
let communeIndex: CommuneIndex | undefined;

function communesIndex(): CommuneIndex {
  if (communeIndex) return communeIndex;
  const byPostcode = new Map<string, RawCommune[]>();
  const byName = new Map<string, RawCommune[]>();
  for (const entries of reference().communes.values()) {
    for (const c of entries) {
      if (c.type !== 'commune-actuelle') continue;
      for (const postcode of c.codesPostaux ?? [])
        byPostcode.set(postcode, [...(byPostcode.get(postcode) ?? []), c]);
      const key = normaliseCommuneName(c.nom);
      byName.set(key, [...(byName.get(key) ?? []), c]);
    }
  }
  communeIndex = { byPostcode, byName };
  return communeIndex;
}

function toMatch(c: RawCommune): CommuneMatch {
  return { code: c.code, name: c.nom, postcodes: c.codesPostaux ?? [], departement: c.departement ?? null };
}

/** The current commune with this INSEE code. */
export function findCommune(code: string): CommuneMatch | null {
  const c = reference()
    .communes.get(code.toUpperCase())
    ?.find((e) => e.type === 'commune-actuelle');
  return c ? toMatch(c) : null;
}

/**
 * The commune a municipal arrondissement belongs to (Paris 751xx, Lyon 6938x, Marseille 132xx),
 * with the arrondissement's name; null for any other code.
 */
export function communeOfArrondissement(code: string): (CommuneMatch & { arrondissement: string }) | null {
  const entry = reference()
    .communes.get(code.toUpperCase())
    ?.find((e) => e.type === 'arrondissement-municipal');
  const commune = entry?.commune ? findCommune(entry.commune) : null;
  return entry && commune ? { ...commune, arrondissement: entry.nom } : null;
}

/**
 * The commune of an address: among the communes served by the postcode, the one with that
 * name (or the only one). Null when it cannot be told.
 */
export function communeOfAddress(postcode: string, name: string): CommuneMatch | null {
  const candidates = communesIndex().byPostcode.get(postcode) ?? [];
  const wanted = normaliseCommuneName(name);
  const named = candidates.filter((c) => normaliseCommuneName(c.nom) === wanted);
  const found = named.length === 1 ? named[0] : candidates.length === 1 ? candidates[0] : undefined;
  return found ? toMatch(found) : null;
}

/** Communes a person may mean by what they typed: a postcode, or a name (exact, then prefix). */
export function searchCommunes(text: string, limit = 10): CommuneMatch[] {
  const typed = text.trim();
  if (/^\d{5}$/.test(typed))
    return (communesIndex().byPostcode.get(typed) ?? []).slice(0, limit).map(toMatch);
  const wanted = normaliseCommuneName(typed);
  if (wanted.length < 2) return [];
  const exact = communesIndex().byName.get(wanted) ?? [];
  const byPopulation = (a: RawCommune, b: RawCommune) => (b.population ?? 0) - (a.population ?? 0);
  if (exact.length > 0) return exact.sort(byPopulation).slice(0, limit).map(toMatch);
  const prefix: RawCommune[] = [];
  for (const [key, entries] of communesIndex().byName) if (key.startsWith(wanted)) prefix.push(...entries);
  return prefix.sort(byPopulation).slice(0, limit).map(toMatch);
}
