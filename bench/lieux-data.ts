/**
 * Invented places of digital mediation at national scale, for `npm run bench`: N rows of the
 * LMN v1 standard as a CSV file, the same for the same seed.
 *
 * Communes come from the official list (@etalab/decoupage-administratif), drawn with a
 * probability proportional to their population, so big cities get many places and villages
 * few, as in the real directory. The reference data has no coordinates: places sit around an
 * approximate centroid of their département (jittered), which is enough for distance searches
 * to have a realistic density.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import {
  FORMATIONS_LABELS,
  FRAIS,
  LMN_FIELD_NAMES,
  MODALITES_ACCES,
  MODALITES_ACCOMPAGNEMENT,
  PRISE_EN_CHARGE,
  PUBLICS,
  SERVICES,
} from '../src/modules/lieux/vocabulary.ts';
import { prng } from '../src/platform/random.ts';

// ---------------------------------------------------------------------------------------------
// Seeded randomness

type Random = () => number;

const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const chance = (random: Random, p: number) => random() < p;

/** Between `min` and `max` distinct values, in the list's order (as files usually have them). */
function some<T>(random: Random, values: readonly T[], min: number, max: number): T[] {
  const wanted = int(random, min, Math.min(max, values.length));
  const chosen = new Set<T>();
  while (chosen.size < wanted) chosen.add(pick(random, values));
  return values.filter((v) => chosen.has(v));
}

// ---------------------------------------------------------------------------------------------
// Geography

/**
 * Approximate centroids of the départements (latitude, longitude), written from general
 * knowledge, and how far places may stray from them: ±0.25° on the mainland, less on
 * small islands so that every point stays on French land as the validation knows it.
 */
const CENTROIDS: Record<string, [lat: number, lon: number, jitter?: number]> = {
  '01': [46.07, 5.35],
  '02': [49.56, 3.56],
  '03': [46.39, 3.19],
  '04': [44.1, 6.24],
  '05': [44.66, 6.26],
  '06': [43.94, 7.12],
  '07': [44.75, 4.42],
  '08': [49.62, 4.64],
  '09': [42.92, 1.5],
  '10': [48.3, 4.16],
  '11': [43.1, 2.41],
  '12': [44.28, 2.68],
  '13': [43.54, 5.09],
  '14': [49.1, -0.36],
  '15': [45.05, 2.67],
  '16': [45.72, 0.2],
  '17': [45.78, -0.67],
  '18': [47.06, 2.49],
  '19': [45.36, 1.88],
  '21': [47.42, 4.77],
  '22': [48.44, -2.86],
  '23': [46.09, 2.02],
  '24': [45.1, 0.74],
  '25': [47.17, 6.36],
  '26': [44.68, 5.17],
  '27': [49.11, 1.0],
  '28': [48.39, 1.37],
  '29': [48.26, -4.06],
  '2A': [41.86, 8.98, 0.2],
  '2B': [42.39, 9.21, 0.2],
  '30': [43.99, 4.18],
  '31': [43.36, 1.17],
  '32': [43.69, 0.45],
  '33': [44.83, -0.57],
  '34': [43.58, 3.37],
  '35': [48.15, -1.64],
  '36': [46.78, 1.58],
  '37': [47.26, 0.69],
  '38': [45.26, 5.58],
  '39': [46.73, 5.7],
  '40': [43.97, -0.78],
  '41': [47.62, 1.43],
  '42': [45.73, 4.17],
  '43': [45.13, 3.81],
  '44': [47.36, -1.68],
  '45': [47.91, 2.34],
  '46': [44.62, 1.61],
  '47': [44.37, 0.46],
  '48': [44.52, 3.5],
  '49': [47.39, -0.56],
  '50': [49.08, -1.33],
  '51': [48.95, 4.24],
  '52': [48.11, 5.23],
  '53': [48.15, -0.65],
  '54': [48.79, 6.17],
  '55': [48.99, 5.38],
  '56': [47.85, -2.81],
  '57': [49.04, 6.66],
  '58': [47.12, 3.5],
  '59': [50.45, 3.22],
  '60': [49.41, 2.43],
  '61': [48.58, 0.13],
  '62': [50.49, 2.29],
  '63': [45.73, 3.14],
  '64': [43.26, -0.76],
  '65': [43.05, 0.16],
  '66': [42.6, 2.52],
  '67': [48.67, 7.55],
  '68': [47.86, 7.27],
  '69': [45.87, 4.64],
  '70': [47.64, 6.09],
  '71': [46.64, 4.54],
  '72': [47.99, 0.22],
  '73': [45.48, 6.44],
  '74': [46.03, 6.43],
  '75': [48.857, 2.347, 0.05],
  '76': [49.66, 1.03],
  '77': [48.63, 2.93],
  '78': [48.81, 1.84],
  '79': [46.56, -0.32],
  '80': [49.96, 2.28],
  '81': [43.79, 2.17],
  '82': [44.08, 1.28],
  '83': [43.46, 6.22],
  '84': [44.01, 5.19],
  '85': [46.67, -1.3],
  '86': [46.56, 0.46],
  '87': [45.89, 1.24],
  '88': [48.2, 6.38],
  '89': [47.84, 3.56],
  '90': [47.63, 6.93, 0.1],
  '91': [48.52, 2.24, 0.15],
  '92': [48.85, 2.25, 0.06],
  '93': [48.92, 2.48, 0.06],
  '94': [48.78, 2.47, 0.06],
  '95': [49.08, 2.13, 0.15],
  '971': [16.19, -61.55, 0.2],
  '972': [14.64, -61.02, 0.12],
  '973': [4.6, -52.8, 0.25],
  '974': [-21.13, 55.53, 0.14],
  '975': [46.88, -56.32, 0.08],
  '976': [-12.82, 45.15, 0.1],
};

/** Overseas départements' telephone prefixes (the mainland's is +33). */
const PHONE_PREFIX: Record<string, string> = {
  '971': '+590590',
  '972': '+596596',
  '973': '+594594',
  '974': '+262262',
  '975': '+508508',
  '976': '+262269',
};

type Commune = { code: string; nom: string; departement: string; postcode: string; population: number };

type RawCommune = {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  population?: number;
  codesPostaux?: string[];
};

/** Current communes of the départements above, with a postcode (the package's index.js is broken). */
function loadCommunes(): Commune[] {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
  const raw = JSON.parse(readFileSync(path.join(dir, 'data', 'communes.json'), 'utf8')) as RawCommune[];
  const communes: Commune[] = [];
  for (const c of raw) {
    const postcode = c.codesPostaux?.[0];
    if (c.type !== 'commune-actuelle' || !c.departement || !CENTROIDS[c.departement] || !postcode) continue;
    communes.push({
      code: c.code,
      nom: c.nom,
      departement: c.departement,
      postcode,
      population: c.population ?? 0,
    });
  }
  return communes;
}

/** Draws communes with a probability proportional to their population (at least 1 inhabitant). */
function communeSampler(communes: Commune[]): (random: Random) => Commune {
  const cumulative = new Float64Array(communes.length);
  let total = 0;
  for (const [i, c] of communes.entries()) {
    total += Math.max(1, c.population);
    cumulative[i] = total;
  }
  return (random) => {
    const target = random() * total;
    let low = 0;
    let high = communes.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! <= target) low = middle + 1;
      else high = middle;
    }
    return communes[low]!;
  };
}

// ---------------------------------------------------------------------------------------------
// Words

/** "de Lyon", "d'Annecy", "du Mans", "des Ulis", "de La Rochelle". */
function ofCommune(name: string): string {
  if (name.startsWith('Le ')) return `du ${name.slice(3)}`;
  if (name.startsWith('Les ')) return `des ${name.slice(4)}`;
  if (/^[AEIOUYÉÈÊÎÔH]/i.test(name)) return `d'${name}`;
  return `de ${name}`;
}

const QUARTIERS = [
  'des Buers',
  'du Centre',
  'de la Gare',
  'des Tilleuls',
  'du Vieux Bourg',
  'des Minimes',
  'Jean-Jaurès',
  'Victor-Hugo',
  'Louise-Michel',
  'des Acacias',
  'du Parc',
  'Saint-Exupéry',
  'Pablo-Picasso',
  'des Glycines',
  'Simone-Veil',
];

type Kind = {
  weight: number;
  typologie: string;
  name: (random: Random, commune: string) => string;
  services: readonly string[];
  dispositifs: readonly string[];
};

const S = SERVICES;
const KINDS: Kind[] = [
  {
    weight: 20,
    typologie: 'BIB',
    name: (r, c) => `${pick(r, ['Médiathèque', 'Médiathèque', 'Bibliothèque'])} ${ofCommune(c)}`,
    services: [S[1], S[5], S[6], S[7]],
    dispositifs: ['Bibliothèques numérique de référence', 'Conseillers numériques'],
  },
  {
    weight: 15,
    typologie: 'RFS',
    name: (_r, c) => `France Services ${ofCommune(c)}`,
    services: [S[0], S[1], S[3]],
    dispositifs: ['France Services', 'Aidants Connect', 'Conseillers numériques'],
  },
  {
    weight: 15,
    typologie: 'CS',
    name: (r) => `Centre social ${pick(r, QUARTIERS)}`,
    services: [S[0], S[1], S[3], S[4], S[7]],
    dispositifs: ['Conseillers numériques', 'Promeneurs du net', "Point d'accès numérique CAF"],
  },
  {
    weight: 15,
    typologie: 'TIERS_LIEUX',
    name: (r, c) =>
      `${pick(r, ['Espace numérique', 'Espace public numérique', 'Tiers-lieu numérique'])} ${ofCommune(c)}`,
    services: [...S],
    dispositifs: ['Conseillers numériques', 'Certification PIX', 'Grande école du numérique'],
  },
  {
    weight: 10,
    typologie: 'MUNI',
    name: (_r, c) => `Mairie ${ofCommune(c)}`,
    services: [S[0], S[1], S[7]],
    dispositifs: ['Conseillers numériques', 'Aidants Connect'],
  },
  {
    weight: 8,
    typologie: 'CCAS',
    name: (_r, c) => `CCAS ${ofCommune(c)}`,
    services: [S[0], S[1], S[3], S[8]],
    dispositifs: ['Aidants Connect', 'Conseillers numériques'],
  },
  {
    weight: 7,
    typologie: 'MQ',
    name: (r) => `Maison de quartier ${pick(r, QUARTIERS)}`,
    services: [S[1], S[4], S[5], S[7]],
    dispositifs: ['Conseillers numériques', 'Promeneurs du net'],
  },
  {
    weight: 5,
    typologie: 'ML',
    name: (_r, c) => `Mission locale ${ofCommune(c)}`,
    services: [S[2], S[0], S[3]],
    dispositifs: ['Promeneurs du net', 'Conseillers numériques'],
  },
  {
    weight: 5,
    typologie: 'ASSO',
    name: (r, c) => `${pick(r, ['Association Connexions', 'Les Clés du numérique', 'Emmaüs Connect'])} ${c}`,
    services: [S[1], S[3], S[7], S[8]],
    dispositifs: ['Emmaüs Connect', 'Relais numérique (Emmaüs Connect)', 'La Croix Rouge'],
  },
];
const KIND_TOTAL = KINDS.reduce((sum, k) => sum + k.weight, 0);

function pickKind(random: Random): Kind {
  let target = random() * KIND_TOTAL;
  for (const kind of KINDS) {
    target -= kind.weight;
    if (target < 0) return kind;
  }
  return KINDS[0]!;
}

const STREETS = [
  'rue de la République',
  'rue Victor-Hugo',
  'place de la Mairie',
  'avenue Jean-Jaurès',
  'rue Pasteur',
  'boulevard Gambetta',
  'rue du Général-de-Gaulle',
  'place de l’Église',
  'rue de la Gare',
  'allée des Tilleuls',
  'rue Jules-Ferry',
  'avenue de la Libération',
  'chemin des Écoliers',
  'rue des Écoles',
  'place du Marché',
  'rue Louise-Michel',
];

const COMPLEMENTS = ['Rez-de-chaussée', '1er étage', 'Bâtiment B', 'Entrée par la cour', 'Salle multimédia'];

/** Opening hours as places publish them (OpenStreetMap syntax). */
const HOURS = [
  'Mo-Fr 09:00-12:00,14:00-17:00',
  'Tu-Fr 13:00-18:30; Sa 10:00-17:00',
  'Mo-Fr 08:30-12:30,13:30-17:00; Sa 09:00-12:00',
  'Tu,Th 14:00-18:00; We 10:00-12:00,14:00-18:00; Sa 10:00-17:00',
  'Mo-Th 09:00-12:00,13:30-17:30; Fr 09:00-12:00',
  'We 13:30-18:00; Sa 09:30-12:30',
  'Mo,We,Fr 14:00-17:30',
  'Mo-Sa 09:00-19:00',
  'Mo-Fr 09:00-17:00; PH off',
  'Tu-Sa 10:00-12:30,14:00-18:00',
];

const RESUMES = [
  'Accompagnement gratuit pour les démarches en ligne et l’usage du numérique au quotidien.',
  'Postes informatiques en accès libre, ateliers collectifs et rendez-vous individuels.',
  'Un conseiller numérique vous aide à utiliser votre ordinateur, votre téléphone et internet.',
  'Aide aux démarches administratives (CAF, impôts, France Travail, ANTS) avec ou sans rendez-vous.',
  'Ateliers d’initiation : messagerie, sécurité en ligne, visioconférence, retouche photo.',
];

const slug = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const digits = (random: Random, n: number) => Array.from({ length: n }, () => int(random, 0, 9)).join('');

const BOXES: Record<string, [south: number, north: number, west: number, east: number]> = {
  metro: [41.4, 51.1, -5.2, 9.6],
  '971': [15.85, 16.55, -61.85, -60.95],
  '972': [14.35, 14.9, -61.25, -60.8],
  '973': [2.1, 5.8, -54.6, -51.6],
  '974': [-21.4, -20.9, 55.25, 55.85],
  '975': [46.75, 47.15, -56.45, -56.15],
  '976': [-13.05, -12.65, 44.95, 45.3],
};

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** A point near the département's centroid, kept inside the land boxes the validation accepts. */
function position(random: Random, departement: string): [number, number] {
  const [lat, lon, jitter = 0.25] = CENTROIDS[departement]!;
  const [south, north, west, east] = BOXES[departement] ?? BOXES.metro!;
  const la = clamp(lat + (random() * 2 - 1) * jitter, south, north);
  const lo = clamp(lon + (random() * 2 - 1) * jitter, west, east);
  return [Number(la.toFixed(5)), Number(lo.toFixed(5))];
}

// ---------------------------------------------------------------------------------------------
// Rows

export type GeneratedPlaces = { csv: string; rows: number };

/** N places as an LMN v1 CSV file (header: the standard's fields; multi-values joined by `|`). */
export function generatePlacesCsv(count: number, seed = 20261128): GeneratedPlaces {
  const random = prng(seed);
  const drawCommune = communeSampler(loadCommunes());
  const records: string[][] = [LMN_FIELD_NAMES];
  const join = (values: readonly string[]) => values.join('|');

  for (let i = 1; i <= count; i++) {
    const commune = drawCommune(random);
    const kind = pickKind(random);
    const nom = kind.name(random, commune.nom);
    const [latitude, longitude] = position(random, commune.departement);
    const domain = `${slug(commune.nom)}.fr`;
    const prefix = PHONE_PREFIX[commune.departement];
    const phone = prefix ? `${prefix}${digits(random, 6)}` : `+33${int(random, 1, 5)}${digits(random, 8)}`;
    const services = some(random, kind.services, 1, 4);
    const rdv = chance(random, 0.25);
    const values: Record<string, string> = {
      id: `bench-${String(i).padStart(6, '0')}`,
      pivot: chance(random, 0.8) ? `${int(random, 1, 9)}${digits(random, 13)}` : '00000000000000',
      nom,
      commune: commune.nom,
      code_postal: commune.postcode,
      code_insee: commune.code,
      adresse: `${int(random, 1, 120)} ${pick(random, STREETS)}`,
      complement_adresse: chance(random, 0.2) ? pick(random, COMPLEMENTS) : '',
      latitude: String(latitude),
      longitude: String(longitude),
      typologie: kind.typologie,
      telephone: chance(random, 0.85) ? phone : '',
      courriels: chance(random, 0.7) ? `${slug(kind.typologie)}-${i}@${domain}` : '',
      site_web: chance(random, 0.5) ? `https://www.${domain}/${slug(nom)}` : '',
      horaires: chance(random, 0.6) ? pick(random, HOURS) : '',
      presentation_resume: chance(random, 0.8) ? pick(random, RESUMES) : '',
      presentation_detail: chance(random, 0.3)
        ? `${pick(random, RESUMES)} ${pick(random, RESUMES)} Accès aux personnes à mobilité réduite.`
        : '',
      source: 'bench',
      itinerance: chance(random, 0.1) ? 'Itinérant' : 'Fixe',
      structure_parente: chance(random, 0.2) ? `Réseau numérique ${commune.departement}` : '',
      date_maj: `20${int(random, 23, 25)}-${String(int(random, 1, 12)).padStart(2, '0')}-${String(int(random, 1, 28)).padStart(2, '0')}`,
      services: join(services),
      publics_specifiquement_adresses: join(chance(random, 0.4) ? some(random, PUBLICS, 1, 2) : []),
      prise_en_charge_specifique: join(chance(random, 0.2) ? some(random, PRISE_EN_CHARGE, 1, 2) : []),
      frais_a_charge: join(some(random, FRAIS, 1, chance(random, 0.15) ? 2 : 1)),
      dispositif_programmes_nationaux: join(chance(random, 0.6) ? some(random, kind.dispositifs, 1, 2) : []),
      formations_labels: join(chance(random, 0.1) ? some(random, FORMATIONS_LABELS, 1, 1) : []),
      autres_formations_labels: '',
      modalites_acces: join(some(random, MODALITES_ACCES.slice(0, 4), 1, 3)),
      modalites_accompagnement: join(some(random, MODALITES_ACCOMPAGNEMENT, 1, 3)),
      fiche_acces_libre: chance(random, 0.15)
        ? `https://acceslibre.beta.gouv.fr/app/${commune.departement}-${slug(commune.nom)}/a/${slug(nom)}/`
        : '',
      prise_rdv: rdv ? `https://www.rdv-solidarites.fr/prendre_rdv?lieu=bench-${i}` : '',
    };
    records.push(LMN_FIELD_NAMES.map((name) => values[name] ?? ''));
  }
  return { csv: stringify(records), rows: count };
}
