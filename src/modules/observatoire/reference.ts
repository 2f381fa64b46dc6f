import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The official geography the index's codes are checked against: the communes, municipal
 * arrondissements and EPCI of @etalab/decoupage-administratif (the INSEE's COG). The
 * index is published for the geography of its year: codes that have disappeared since
 * (communes merged into a new one, EPCI merged or recreated) are told apart, so that the
 * report says why a row is refused.
 */

type RawCommune = {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  chefLieu?: string;
  commune?: string;
};
type RawEpci = { code: string; nom: string; membres: { code: string }[] };
type RawArea = { code: string; nom: string };

/** A territory the index may describe, as the official geography knows it today. */
export type KnownTerritory = { code: string; name: string; departement: string | null };

export type CodeCheck =
  | { ok: true; territory: KnownTerritory }
  | { ok: false; motif: 'ancienne_commune' | 'code_inconnu' | 'code_invalide'; reason: string };

type Reference = {
  communes: Map<string, RawCommune[]>;
  epcis: Map<string, KnownTerritory>;
};

const require = createRequire(import.meta.url);
const dataDir = path.join(
  path.dirname(require.resolve('@etalab/decoupage-administratif/package.json')),
  'data',
);
const load = <T>(file: string): T => JSON.parse(readFileSync(path.join(dataDir, file), 'utf8')) as T;

let cache: Reference | undefined;

/** Loaded on first use (12 MB of JSON), then kept. */
function reference(): Reference {
  if (cache) return cache;
  const communes = new Map<string, RawCommune[]>();
  for (const c of load<RawCommune[]>('communes.json'))
    communes.set(c.code, [...(communes.get(c.code) ?? []), c]);
  const currentDepartement = (code: string) =>
    communes.get(code)?.find((c) => c.type === 'commune-actuelle')?.departement;
  const epcis = new Map<string, KnownTerritory>();
  for (const e of load<RawEpci[]>('epci.json')) {
    epcis.set(e.code, {
      code: e.code,
      name: e.nom,
      departement: mostCommon(e.membres.map((m) => currentDepartement(m.code))),
    });
  }
  cache = { communes, epcis };
  return cache;
}

/** The value most of them have (the first met among equals); null when none has one. */
function mostCommon(values: (string | undefined)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [value, count] of counts) if (best === null || count > counts.get(best)!) best = value;
  return best;
}

export const INSEE_PATTERN = /^(\d{5}|2[AB]\d{3})$/;
export const SIREN_PATTERN = /^\d{9}$/;
/** What MedNum's EPCI file puts for the communes that belong to no EPCI. */
export const NO_EPCI_CODE = 'ZZZZZZZZZ';

/**
 * A commune (or a municipal arrondissement of Paris, Lyon or Marseille: the index scores
 * them in place of the three communes) by its INSEE code.
 */
export function checkCommuneCode(code: string): CodeCheck {
  if (!INSEE_PATTERN.test(code)) {
    return {
      ok: false,
      motif: 'code_invalide',
      reason: 'code INSEE de commune attendu (5 caractères, par exemple 69266 ou 2A004)',
    };
  }
  const entries = reference().communes.get(code) ?? [];
  const current =
    entries.find((c) => c.type === 'commune-actuelle') ??
    entries.find((c) => c.type === 'arrondissement-municipal');
  if (current)
    return { ok: true, territory: { code, name: current.nom, departement: current.departement ?? null } };
  const former = entries[0];
  if (former?.chefLieu) {
    const parent = reference()
      .communes.get(former.chefLieu)
      ?.find((c) => c.type === 'commune-actuelle');
    const status = former.type === 'commune-associee' ? 'associée' : 'déléguée';
    return {
      ok: false,
      motif: 'ancienne_commune',
      reason: `ancienne commune (${former.nom}), aujourd’hui commune ${status} ${ofName(parent?.nom ?? former.chefLieu)} (${former.chefLieu}) : ce code n’est plus celui d’une commune`,
    };
  }
  return {
    ok: false,
    motif: 'code_inconnu',
    reason:
      'code absent du code officiel géographique en vigueur : commune fusionnée ou supprimée depuis la publication de l’indice, ou code erroné',
  };
}

/** « de » before a name, as French writes it: d’Aurseulles, du Mont-Dieu, des Trois-Saints. */
function ofName(name: string): string {
  if (/^Le /.test(name)) return `du ${name.slice(3)}`;
  if (/^Les /.test(name)) return `des ${name.slice(4)}`;
  if (/^[AEIOUYÂÉÈÊÎÏÔÛŒ]/i.test(name)) return `d’${name}`;
  return `de ${name}`;
}

/** An EPCI by its SIREN. */
export function checkEpciCode(code: string): CodeCheck {
  if (code === NO_EPCI_CODE) {
    return {
      ok: false,
      motif: 'code_inconnu',
      reason: `« ${NO_EPCI_CODE} » regroupe les communes qui n’appartiennent à aucun EPCI : ce n’est pas un territoire`,
    };
  }
  if (!SIREN_PATTERN.test(code)) {
    return {
      ok: false,
      motif: 'code_invalide',
      reason: 'SIREN d’EPCI attendu (9 chiffres, par exemple 200046977)',
    };
  }
  const epci = reference().epcis.get(code);
  if (epci) return { ok: true, territory: epci };
  return {
    ok: false,
    motif: 'code_inconnu',
    reason:
      'SIREN absent de la liste des EPCI en vigueur : EPCI fusionné ou recréé depuis la publication de l’indice, ou code erroné',
  };
}

let departements: Map<string, string> | undefined;

/** The name of a département, by its code (a small file, read apart from the communes). */
export function departementName(code: string): string | null {
  departements ??= new Map(load<RawArea[]>('departements.json').map((d) => [d.code, d.nom]));
  return departements.get(code) ?? null;
}
