/**
 * A LMN place as data.inclusion v1 (schema v1.0.8, GIP de l'inclusion, Licence Ouverte)
 * publishes it: one structure plus one service per LMN service of the place. The value
 * lists below are the data.inclusion ones (`extra/*.json` of the schema) that the mapping
 * uses; `data-inclusion.test.ts` validates the output against the official JSON Schemas.
 */

import {
  type DISPOSITIFS,
  type FRAIS,
  type LmnPlace,
  type MODALITES_ACCES,
  type MODALITES_ACCOMPAGNEMENT,
  PIVOT_UNKNOWN,
  type PUBLICS,
  SERVICES,
} from './vocabulary.ts';

type LmnService = (typeof SERVICES)[number];

export type DataInclusionContext = {
  /** Producer identifier (`source` of every record), e.g. the OPSN's slug. */
  source: string;
  /** Public page of the place on Relais (`lien_source`). */
  placeUrl: string;
};

// ---------------------------------------------------------------------------------------
// data.inclusion value lists (the subsets this mapping produces)
// ---------------------------------------------------------------------------------------

export const DI_FRAIS = ['gratuit', 'payant'] as const;
export type DiFrais = (typeof DI_FRAIS)[number];

export const DI_MODES_ACCUEIL = ['a-distance', 'en-presentiel'] as const;
export type DiModeAccueil = (typeof DI_MODES_ACCUEIL)[number];

export const DI_MODES_MOBILISATION = [
  'envoyer-un-courriel',
  'se-presenter',
  'telephoner',
  'utiliser-lien-mobilisation',
] as const;
export type DiModeMobilisation = (typeof DI_MODES_MOBILISATION)[number];

export const DI_PERSONNES_MOBILISATRICES = ['usagers', 'professionnels'] as const;
export type DiPersonneMobilisatrice = (typeof DI_PERSONNES_MOBILISATRICES)[number];

export const DI_PUBLICS = [
  'tous-publics',
  'actifs',
  'beneficiaires-des-minimas-sociaux',
  'demandeurs-emploi',
  'etudiants',
  'familles',
  'femmes',
  'jeunes',
  'personnes-en-situation-de-handicap',
  'personnes-en-situation-durgence',
  'personnes-en-situation-juridique-specifique',
  'personnes-exilees',
  'residents-qpv-frr',
  'seniors',
] as const;
export type DiPublic = (typeof DI_PUBLICS)[number];

export const DI_TYPES_SERVICE = [
  'accompagnement',
  'aide-financiere',
  'aide-materielle',
  'atelier',
  'formation',
  'information',
] as const;
export type DiTypeService = (typeof DI_TYPES_SERVICE)[number];

/** The four digital thematiques, plus the few others LMN services plainly cover. */
export const DI_THEMATIQUES = [
  'numerique--acceder-a-des-services-en-ligne',
  'numerique--acceder-a-une-connexion-internet',
  'numerique--acquerir-un-equipement',
  'numerique--maitriser-les-fondamentaux-du-numerique',
  'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives',
  'famille--soutien-a-la-parentalite-et-a-leducation',
  'preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi',
] as const;
export type DiThematique = (typeof DI_THEMATIQUES)[number];

/** The data.inclusion carrying networks (`reseaux_porteurs`) a LMN place can be matched to. */
export const DI_RESEAUX_PORTEURS = [
  'afpa',
  'aci',
  'aidants-connect',
  'caf',
  'cap-emploi-reseau-cheops',
  'ccas-cias',
  'chambres-consulaires',
  'chrs',
  'communes',
  'conseillers-numeriques',
  'croix-rouge',
  'departements',
  'ecoles-de-la-deuxieme-chance',
  'emmaus',
  'fabrique-de-territoire',
  'france-service',
  'france-travail',
  'grandes-ecoles-du-numerique',
  'maisons-de-l-emploi',
  'maisons-des-solidarites',
  'mission-locale',
  'mjc',
  'mutualite-sociale-agricole',
  'pimms-mediation',
  'regions',
  'reseau-information-jeunesse',
] as const;
export type DiReseauPorteur = (typeof DI_RESEAUX_PORTEURS)[number];

// ---------------------------------------------------------------------------------------
// LMN → data.inclusion value maps
// ---------------------------------------------------------------------------------------

/** Each LMN service: its closest digital thematique first, then any plain companion. */
export const THEMATIQUES_BY_SERVICE: Record<LmnService, readonly DiThematique[]> = {
  'Aide aux démarches administratives': [
    'numerique--acceder-a-des-services-en-ligne',
    'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives',
  ],
  'Maîtrise des outils numériques du quotidien': ['numerique--maitriser-les-fondamentaux-du-numerique'],
  'Insertion professionnelle via le numérique': [
    'numerique--maitriser-les-fondamentaux-du-numerique',
    'preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi',
  ],
  'Utilisation sécurisée du numérique': ['numerique--maitriser-les-fondamentaux-du-numerique'],
  'Parentalité et éducation avec le numérique': [
    'numerique--maitriser-les-fondamentaux-du-numerique',
    'famille--soutien-a-la-parentalite-et-a-leducation',
  ],
  'Loisirs et créations numériques': ['numerique--maitriser-les-fondamentaux-du-numerique'],
  'Compréhension du monde numérique': ['numerique--maitriser-les-fondamentaux-du-numerique'],
  'Accès internet et matériel informatique': ['numerique--acceder-a-une-connexion-internet'],
  'Acquisition de matériel informatique à prix solidaire': ['numerique--acquerir-un-equipement'],
};

/** Services that give access to equipment rather than support: `aide-materielle`. */
const MATERIAL_SERVICES: ReadonlySet<LmnService> = new Set([
  'Accès internet et matériel informatique',
  'Acquisition de matériel informatique à prix solidaire',
]);

export const FRAIS_BY_LMN: Record<(typeof FRAIS)[number], DiFrais> = {
  Gratuit: 'gratuit',
  'Gratuit sous condition': 'gratuit',
  Payant: 'payant',
};

export const PUBLIC_BY_LMN: Record<(typeof PUBLICS)[number], DiPublic> = {
  Jeunes: 'jeunes',
  Étudiants: 'etudiants',
  'Familles et/ou enfants': 'familles',
  Seniors: 'seniors',
  Femmes: 'femmes',
};

export const MODE_ACCUEIL_BY_ACCOMPAGNEMENT: Record<
  (typeof MODALITES_ACCOMPAGNEMENT)[number],
  DiModeAccueil
> = {
  'En autonomie': 'en-presentiel',
  'Accompagnement individuel': 'en-presentiel',
  'Dans un atelier collectif': 'en-presentiel',
  'À distance': 'a-distance',
};

/** How each kind of support reads in a sentence ("Accompagnement : …"). */
const ACCOMPAGNEMENT_PHRASE: Record<(typeof MODALITES_ACCOMPAGNEMENT)[number], string> = {
  'En autonomie': 'en autonomie',
  'Accompagnement individuel': 'individuel',
  'Dans un atelier collectif': 'en atelier collectif',
  'À distance': 'à distance',
};

/** `null`: the access mode has no data.inclusion counterpart (only a precision). */
export const MODE_MOBILISATION_BY_ACCES: Record<(typeof MODALITES_ACCES)[number], DiModeMobilisation | null> =
  {
    'Se présenter': 'se-presenter',
    Téléphoner: 'telephoner',
    'Contacter par mail': 'envoyer-un-courriel',
    'Prendre un RDV en ligne': 'utiliser-lien-mobilisation',
    "Ce lieu n'accueille pas de public": null,
    'Envoyer un mail avec une fiche de prescription': 'envoyer-un-courriel',
  };

/** Access modes worth a sentence in `mobilisation_precisions`. */
const MOBILISATION_PRECISION: Partial<Record<(typeof MODALITES_ACCES)[number], string>> = {
  "Ce lieu n'accueille pas de public": 'Ce lieu n’accueille pas de public.',
  'Envoyer un mail avec une fiche de prescription': 'Envoyer un courriel avec une fiche de prescription.',
};

const NO_PUBLIC = "Ce lieu n'accueille pas de public";
const PRESCRIPTION = 'Envoyer un mail avec une fiche de prescription';

export const RESEAU_BY_DISPOSITIF: Record<(typeof DISPOSITIFS)[number], DiReseauPorteur | null> = {
  'Aidants Connect': 'aidants-connect',
  'Bibliothèques numérique de référence': null,
  'Certification PIX': null,
  'Conseillers numériques': 'conseillers-numeriques',
  // Emmaüs Connect and its "relais numériques" belong to the Emmaüs movement.
  'Emmaüs Connect': 'emmaus',
  'France Services': 'france-service',
  'Grande école du numérique': 'grandes-ecoles-du-numerique',
  'La Croix Rouge': 'croix-rouge',
  "Point d'accès numérique CAF": 'caf',
  'Promeneurs du net': null,
  'Relais numérique (Emmaüs Connect)': 'emmaus',
};

/** `formations_labels` values that are in fact a carrying network. */
export const RESEAU_BY_LABEL: Readonly<Record<string, DiReseauPorteur>> = {
  'Fabriques de Territoire': 'fabrique-de-territoire',
};

/** data.inclusion structure typology codes (LMN `typologie`) with an obvious network. */
export const RESEAU_BY_TYPOLOGIE: Readonly<Record<string, DiReseauPorteur>> = {
  ACI: 'aci',
  AFPA: 'afpa',
  CAF: 'caf',
  CAP_EMPLOI: 'cap-emploi-reseau-cheops',
  CC: 'communes',
  CCAS: 'ccas-cias',
  CCONS: 'chambres-consulaires',
  CD: 'departements',
  CHRS: 'chrs',
  CIAS: 'ccas-cias',
  E2C: 'ecoles-de-la-deuxieme-chance',
  EPCI: 'communes',
  MDE: 'maisons-de-l-emploi',
  MDS: 'maisons-des-solidarites',
  MJC: 'mjc',
  ML: 'mission-locale',
  MSA: 'mutualite-sociale-agricole',
  MUNI: 'communes',
  PE: 'france-travail',
  PIJ_BIJ: 'reseau-information-jeunesse',
  PIMMS: 'pimms-mediation',
  PREF: 'regions',
  REG: 'regions',
  RFS: 'france-service',
  UDAF: 'departements',
};

// ---------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------

/** A data.inclusion v1 structure (`structure.json`). */
export type DiStructure = {
  id: string;
  source: string;
  nom: string;
  date_maj: string;
  siret: string | null;
  description: string | null;
  adresse: string | null;
  complement_adresse: string | null;
  code_postal: string | null;
  code_insee: string | null;
  commune: string | null;
  latitude: number | null;
  longitude: number | null;
  telephone: string | null;
  courriel: string | null;
  site_web: string | null;
  horaires_accueil: string | null;
  accessibilite_lieu: string | null;
  lien_source: string | null;
  reseaux_porteurs: DiReseauPorteur[] | null;
};

/** A data.inclusion v1 service (`service.json`). */
export type DiService = {
  id: string;
  structure_id: string;
  source: string;
  nom: string;
  description: string;
  type: DiTypeService | null;
  thematiques: DiThematique[] | null;
  frais: DiFrais | null;
  frais_precisions: string | null;
  publics: DiPublic[] | null;
  publics_precisions: string | null;
  conditions_acces: string | null;
  modes_accueil: DiModeAccueil[] | null;
  modes_mobilisation: DiModeMobilisation[] | null;
  mobilisable_par: DiPersonneMobilisatrice[] | null;
  mobilisation_precisions: string | null;
  lien_mobilisation: string | null;
  contact_nom_prenom: string | null;
  telephone: string | null;
  courriel: string | null;
  adresse: string | null;
  complement_adresse: string | null;
  code_postal: string | null;
  code_insee: string | null;
  commune: string | null;
  latitude: number | null;
  longitude: number | null;
  horaires_accueil: string | null;
  zone_eligibilite: string[] | null;
  nombre_semaines: number | null;
  volume_horaire_hebdomadaire: number | null;
  date_maj: string;
  lien_source: string | null;
};

const NAME_MIN = 3;
const NAME_MAX = 150;
const DESCRIPTION_MIN = 5;
const DESCRIPTION_MAX = 10000;
const URL_MAX = 2083;

/** RFC 5322 dot-atom addresses, the form data.inclusion's `format: email` accepts. */
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

function isLmnService(value: string): value is LmnService {
  return (SERVICES as readonly string[]).includes(value);
}

function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** `Aide aux démarches administratives` → `aide-aux-demarches-administratives`. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function withoutFinalPeriods(text: string): string {
  return text.replace(/[\s.]+$/u, '');
}

/** Length in characters (code points), as JSON Schema counts it. */
function charCount(text: string): number {
  return [...text].length;
}

/**
 * A name as data.inclusion takes it: 3 to 150 characters, not ending with a period.
 * A too short name is completed with the commune (or, failing that, prefixed with "Lieu").
 */
export function diName(nom: string, commune?: string | null): string {
  const shorten = (text: string) => withoutFinalPeriods([...text].slice(0, NAME_MAX).join(''));
  let name = shorten(withoutFinalPeriods(nom.trim().replace(/\s+/g, ' ')));
  const town = commune?.trim();
  if (charCount(name) < NAME_MIN && town) name = shorten(name ? `${name} (${town})` : town);
  if (charCount(name) < NAME_MIN) name = `Lieu ${name}`.trim();
  return name;
}

function clip(text: string, max: number): string {
  return charCount(text) > max
    ? `${[...text]
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`
    : text;
}

/** The place's own text: short then detailed presentation, or null when it has none. */
function placeText(place: LmnPlace): string | null {
  const parts = unique([place.presentation_resume, place.presentation_detail].map((t) => t?.trim() ?? ''));
  const text = parts.filter(Boolean).join('\n\n');
  return charCount(text) >= DESCRIPTION_MIN ? clip(text, DESCRIPTION_MAX) : null;
}

/** A 14-digit SIRET from `pivot`; RNA, RIDET, SIREN and the "unknown" value give null. */
export function siretOf(pivot: string): string | null {
  return /^\d{14}$/.test(pivot) && pivot !== PIVOT_UNKNOWN ? pivot : null;
}

/** Percent-encodes what RFC 3986 does not allow in a path, query or fragment (`#` included). */
function encodeUriPart(part: string): string {
  return part
    .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
    .replace(/[^A-Za-z0-9\-._~:/?@!$&'()*+,;=%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * An absolute http(s) URL as a strict RFC 3986 URI (non-ASCII characters, stray `%` and
 * `#` percent-encoded, credentials dropped), or null when the value is not one.
 */
export function uriOf(value: string | null | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.username = '';
  url.password = '';
  const fragment = url.hash ? `#${encodeUriPart(url.hash.slice(1))}` : '';
  const uri = `${url.origin}${encodeUriPart(url.pathname + url.search)}${fragment}`;
  return uri.length <= URL_MAX ? uri : null;
}

function firstEmail(place: LmnPlace): string | null {
  return place.courriels.map((e) => e.trim()).find((e) => EMAIL.test(e)) ?? null;
}

function firstPhone(place: LmnPlace): string | null {
  return place.telephone[0]?.trim() || null;
}

function firstWebsite(place: LmnPlace): string | null {
  for (const site of place.site_web) {
    const uri = uriOf(site);
    if (uri) return uri;
  }
  return null;
}

/** Networks from national programmes, labels and structure types; null when none matches. */
export function reseauxPorteursOf(place: LmnPlace): DiReseauPorteur[] | null {
  const found = [
    ...place.dispositif_programmes_nationaux.map((d) => lookup(RESEAU_BY_DISPOSITIF, d)),
    ...place.formations_labels.map((l) => lookup(RESEAU_BY_LABEL, l)),
    ...place.typologie.map((t) => lookup(RESEAU_BY_TYPOLOGIE, t.trim().toUpperCase())),
  ].filter((r): r is DiReseauPorteur => Boolean(r));
  return found.length > 0 ? unique(found) : null;
}

/** The place's address, shared by the structure and its services. */
function addressOf(place: LmnPlace) {
  return {
    adresse: place.adresse,
    complement_adresse: place.complement_adresse,
    code_postal: place.code_postal,
    code_insee: place.code_insee,
    commune: place.commune,
    latitude: place.latitude,
    longitude: place.longitude,
  };
}

export function toStructure(place: LmnPlace, ctx: DataInclusionContext): DiStructure {
  return {
    id: place.id,
    source: ctx.source,
    nom: diName(place.nom, place.commune),
    date_maj: place.date_maj,
    siret: siretOf(place.pivot),
    description: placeText(place),
    ...addressOf(place),
    telephone: firstPhone(place),
    courriel: firstEmail(place),
    site_web: firstWebsite(place),
    horaires_accueil: place.horaires,
    accessibilite_lieu: uriOf(place.fiche_acces_libre),
    lien_source: uriOf(ctx.placeUrl),
    reseaux_porteurs: reseauxPorteursOf(place),
  };
}

/**
 * `frais` from `frais_a_charge`: any paid option makes the service `payant` (a person must
 * not expect it free); "Gratuit sous condition" is `gratuit` with that precision. Several
 * values are spelled out in `frais_precisions`.
 */
export function fraisOf(values: readonly string[]): {
  frais: DiFrais | null;
  frais_precisions: string | null;
} {
  const known = values.filter((v): v is (typeof FRAIS)[number] => Boolean(lookup(FRAIS_BY_LMN, v)));
  if (known.length === 0) return { frais: null, frais_precisions: null };
  const frais = known.some((v) => FRAIS_BY_LMN[v] === 'payant') ? 'payant' : 'gratuit';
  const needsPrecision = known.length > 1 || known.includes('Gratuit sous condition');
  const precision = known.map((v, i) => (i === 0 ? v : v.toLowerCase())).join(' ou ');
  return { frais, frais_precisions: needsPrecision ? precision : null };
}

/** `publics` from the specifically addressed publics; `tous-publics` when there is none. */
export function publicsOf(values: readonly string[]): DiPublic[] {
  const publics = unique(
    values.map((v) => lookup(PUBLIC_BY_LMN, v)).filter((p): p is DiPublic => Boolean(p)),
  );
  return publics.length > 0 ? publics : ['tous-publics'];
}

/** Specific support is a capacity, not an eligibility rule: it goes to `publics_precisions`. */
function publicsPrecisionsOf(place: LmnPlace): string | null {
  const support = place.prise_en_charge_specifique;
  return support.length > 0 ? `Prise en charge spécifique : ${support.join(', ')}.` : null;
}

/** `modes_accueil` from the kinds of support; no `en-presentiel` when the place receives no public. */
export function modesAccueilOf(place: LmnPlace): DiModeAccueil[] | null {
  const modes = unique(
    place.modalites_accompagnement
      .map((m) => lookup(MODE_ACCUEIL_BY_ACCOMPAGNEMENT, m))
      .filter((m): m is DiModeAccueil => Boolean(m)),
  ).filter((m) => m !== 'en-presentiel' || !place.modalites_acces.includes(NO_PUBLIC));
  return modes.length > 0 ? modes : null;
}

/** `modes_mobilisation` from the access modes; the online booking mode needs a valid link. */
export function modesMobilisationOf(place: LmnPlace): DiModeMobilisation[] | null {
  const link = uriOf(place.prise_rdv);
  const modes = unique(
    place.modalites_acces
      .map((a) => lookup(MODE_MOBILISATION_BY_ACCES, a))
      .filter((m): m is DiModeMobilisation => Boolean(m))
      .filter((m) => m !== 'utiliser-lien-mobilisation' || link !== null),
  );
  return modes.length > 0 ? modes : null;
}

function mobilisationPrecisionsOf(place: LmnPlace): string | null {
  const sentences = place.modalites_acces
    .map((a) => lookup(MOBILISATION_PRECISION, a))
    .filter((s): s is string => Boolean(s));
  return sentences.length > 0 ? sentences.join(' ') : null;
}

/** Usagers always; professionnels too when the place takes prescription forms. */
function mobilisableParOf(place: LmnPlace): DiPersonneMobilisatrice[] {
  return place.modalites_acces.includes(PRESCRIPTION) ? ['usagers', 'professionnels'] : ['usagers'];
}

/** `atelier` when collective workshops are the only support, `aide-materielle` for equipment. */
export function serviceTypeOf(service: LmnService, place: LmnPlace): DiTypeService {
  if (MATERIAL_SERVICES.has(service)) return 'aide-materielle';
  const kinds = place.modalites_accompagnement;
  if (kinds.length > 0 && kinds.every((k) => k === 'Dans un atelier collectif')) return 'atelier';
  return 'accompagnement';
}

/** The place's text, or a French sentence built from the service and the place. */
export function serviceDescription(service: LmnService, place: LmnPlace): string {
  const text = placeText(place);
  if (text) return text;
  const where = `${diName(place.nom)} (${place.commune})`;
  const kinds = place.modalites_accompagnement
    .map((k) => lookup(ACCOMPAGNEMENT_PHRASE, k))
    .filter((k): k is string => Boolean(k));
  const how = kinds.length > 0 ? ` Accompagnement : ${kinds.join(', ')}.` : '';
  return clip(`Service d’inclusion numérique « ${service} » proposé par ${where}.${how}`, DESCRIPTION_MAX);
}

export function serviceId(placeId: string, service: string): string {
  return `${placeId}--${slugify(service)}`;
}

/** One data.inclusion service per LMN service of the place, in the place's order. */
export function toServices(place: LmnPlace, ctx: DataInclusionContext): DiService[] {
  const services = unique(place.services).filter(isLmnService);
  const shared = {
    structure_id: place.id,
    source: ctx.source,
    ...fraisOf(place.frais_a_charge),
    publics: publicsOf(place.publics_specifiquement_adresses),
    publics_precisions: publicsPrecisionsOf(place),
    conditions_acces: null,
    modes_accueil: modesAccueilOf(place),
    modes_mobilisation: modesMobilisationOf(place),
    mobilisable_par: mobilisableParOf(place),
    mobilisation_precisions: mobilisationPrecisionsOf(place),
    lien_mobilisation: uriOf(place.prise_rdv),
    contact_nom_prenom: null,
    telephone: firstPhone(place),
    courriel: firstEmail(place),
    ...addressOf(place),
    horaires_accueil: place.horaires,
    zone_eligibilite: null,
    nombre_semaines: null,
    volume_horaire_hebdomadaire: null,
    date_maj: place.date_maj,
    lien_source: uriOf(ctx.placeUrl),
  };
  return services.map((service) => ({
    id: serviceId(place.id, service),
    nom: diName(service),
    description: serviceDescription(service, place),
    type: serviceTypeOf(service, place),
    thematiques: [...THEMATIQUES_BY_SERVICE[service]],
    ...shared,
  }));
}
