import { parisWallClock, parisWallToInstant } from '../../platform/paris-time.ts';

/**
 * The vocabulary of secure mandates, as Aidants Connect defines it: the ten démarches a
 * person may authorise a helper for (labelled as the activity reports label the same themes),
 * the durations, the identity documents a helper checks.
 * Codes are stored; labels and examples are shown to people.
 */

export const DEMARCHES = {
  papiers: {
    label: 'Papiers – élections – citoyenneté',
    exemples: 'Carte d’identité, passeport, permis de conduire, inscription sur les listes électorales',
  },
  famille: {
    label: 'Famille – scolarité',
    exemples: 'Allocations familiales, naissance, mariage, PACS, scolarité, cantine',
  },
  social: {
    label: 'Social – santé',
    exemples: 'Carte vitale, complémentaire santé solidaire, RSA, handicap, retraite',
  },
  travail: {
    label: 'Travail – formation',
    exemples: 'Inscription à France Travail, compte personnel de formation, chômage, arrêt de travail',
  },
  logement: {
    label: 'Logement',
    exemples: 'Aides au logement, demande de logement social, déménagement, énergie',
  },
  transports: {
    label: 'Transports – mobilité',
    exemples: 'Carte grise, amendes, permis à points, transports en commun',
  },
  argent: {
    label: 'Argent – impôts – consommation',
    exemples: 'Impôt sur le revenu, taxe foncière, litiges de consommation, crédits',
  },
  justice: {
    label: 'Justice',
    exemples: 'Casier judiciaire, aide juridictionnelle, plainte, médiation',
  },
  etranger: {
    label: 'Étrangers – Europe',
    exemples: 'Titre de séjour, naturalisation, démarches à l’étranger, séjour en Europe',
  },
  loisirs: {
    label: 'Loisirs – sports – culture',
    exemples: 'Pass Culture, licences sportives, chasse et pêche, associations',
  },
} as const;
export type Demarche = keyof typeof DEMARCHES;
export const DEMARCHE_CODES = Object.keys(DEMARCHES) as Demarche[];
export const isDemarche = (v: string): v is Demarche => Object.hasOwn(DEMARCHES, v);
/** Sorts rows by their démarche in the order of the national list (not alphabetically by code). */
export const inNationalOrder = (a: { demarche: string }, b: { demarche: string }) =>
  DEMARCHE_CODES.indexOf(a.demarche as Demarche) - DEMARCHE_CODES.indexOf(b.demarche as Demarche);
export const demarcheLabel = (code: string) => (isDemarche(code) ? DEMARCHES[code].label : code);

/** "1 day" ends the next day; the others run a whole number of months. */
export const DUREES = {
  '1j': { label: '1 jour', hint: 'Le mandat prend fin le lendemain.', months: 0, days: 1 },
  '1m': { label: '1 mois', hint: 'Pour une démarche qui demande plusieurs rendez-vous.', months: 1, days: 0 },
  '6m': { label: '6 mois', hint: 'Pour un suivi sur plusieurs démarches.', months: 6, days: 0 },
  '12m': { label: '12 mois', hint: 'Pour un accompagnement durable.', months: 12, days: 0 },
} as const;
export type Duree = keyof typeof DUREES;
export const DUREE_CODES = Object.keys(DUREES) as Duree[];
export const isDuree = (v: string): v is Duree => Object.hasOwn(DUREES, v);

/**
 * When a mandate of this duration, starting at `start`, ends: the same time on the Paris
 * calendar, months later (on the month's last day when it has no such day: 31 August plus
 * six months is 28 February, never 3 March), or days later.
 */
export function endOf(start: Date, duree: Duree): Date {
  const d = DUREES[duree];
  const w = parisWallClock(start);
  const months = w.month - 1 + d.months;
  const year = w.year + Math.floor(months / 12);
  const month = (months % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(w.day, lastDay) + d.days;
  const shifted = new Date(Date.UTC(year, month - 1, day));
  return parisWallToInstant({
    ...w,
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  });
}

/** The identity document the helper checked (its kind only: never a copy). */
export const PIECES_IDENTITE = {
  carte_identite: 'Carte nationale d’identité',
  passeport: 'Passeport',
  titre_sejour: 'Titre de séjour',
  permis_conduire: 'Permis de conduire',
  autre: 'Autre document officiel avec photo',
} as const;
export type PieceIdentite = keyof typeof PIECES_IDENTITE;
export const isPieceIdentite = (v: string): v is PieceIdentite => Object.hasOwn(PIECES_IDENTITE, v);

export const CONSENTEMENTS = {
  presentiel: 'En présence de la personne : elle lit l’attestation et signe l’exemplaire imprimé',
  sms: 'À distance, par SMS : le mandat attend que la personne réponde « Oui »',
} as const;

/** A mandate's state as people read it (`expire` is also derived from the end date). */
export const STATUTS = {
  en_attente: 'En attente du consentement',
  actif: 'Actif',
  expire: 'Expiré',
  revoque: 'Révoqué',
  refuse: 'Refusé par la personne',
  annule: 'Annulé',
} as const;
export type Statut = keyof typeof STATUTS;

/** Who asked for a revocation. */
export const DEMANDEURS = {
  aidant: 'L’aidant',
  personne: 'La personne, à la structure',
} as const;
export type Demandeur = keyof typeof DEMANDEURS;

/** The attestation's wording version: part of the fingerprint, so a later wording never matches an old one. */
export const ATTESTATION_TEMPLATE = 'relais-mandat-2026-12';

/** How long the SMS consent stays open, and the retention periods (DOMAIN: 3 + 3 years, document 6 years after its end). */
export const SMS_CONSENT_HOURS = 24;
export const HABILITATION_WARN_MONTHS = 5;
export const HABILITATION_WITHDRAW_MONTHS = 6;
export const RETENTION_YEARS = 6;
export const CANCELLED_RETENTION_MONTHS = 3;
