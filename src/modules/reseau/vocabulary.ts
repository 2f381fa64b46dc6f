/** The codes of the territorial network, with the French labels pages, CSV and mails show. */

export const MEMBER_KINDS = {
  collectivite: 'Collectivité',
  epci: 'EPCI',
  association: 'Association',
  service_etat: 'Service de l’État',
  entreprise: 'Entreprise ou structure de l’économie sociale',
  autre: 'Autre structure',
} as const;
export type MemberKind = keyof typeof MEMBER_KINDS;

export const MEMBER_STATUSES = {
  candidat: 'Candidature à examiner',
  membre: 'Membre',
  refuse: 'Candidature refusée',
  retire: 'Retiré du réseau',
} as const;
export type MemberStatus = keyof typeof MEMBER_STATUSES;

export const MEMBER_ROLES = {
  coporteur: 'Coporteur',
  cofinanceur: 'Cofinanceur',
  beneficiaire: 'Bénéficiaire',
  observateur: 'Observateur',
} as const;
export type MemberRole = keyof typeof MEMBER_ROLES;

export const COMMITTEE_TYPES = {
  strategique: 'Stratégique',
  technique: 'Technique',
  consultatif: 'Consultatif',
  autre: 'Autre',
} as const;
export type CommitteeType = keyof typeof COMMITTEE_TYPES;

export const FREQUENCIES = {
  mensuelle: 'Mensuelle',
  trimestrielle: 'Trimestrielle',
  semestrielle: 'Semestrielle',
  annuelle: 'Annuelle',
} as const;
export type Frequency = keyof typeof FREQUENCIES;

export const EVENT_KINDS = {
  comite: 'Réunion de comité',
  reunion_reseau: 'Réunion du réseau',
  webinaire: 'Webinaire',
  atelier: 'Atelier ouvert au public',
} as const;
export type EventKind = keyof typeof EVENT_KINDS;

export const AUDIENCES = {
  public: 'Tout public',
  membres: 'Membres du réseau',
  invites: 'Sur invitation',
} as const;
export type Audience = keyof typeof AUDIENCES;

/** The national list of needs of a roadmap's actions (France Numérique Ensemble). */
export const NEEDS = {
  structurer_un_fonds: 'Structurer un fonds',
  monter_dossiers_de_subvention: 'Monter des dossiers de subvention',
  animer_la_gouvernance: 'Animer la gouvernance',
  etablir_un_diagnostic_territorial: 'Établir un diagnostic territorial',
  co_construire_la_feuille_de_route: 'Co-construire la feuille de route',
  rediger_la_feuille_de_route: 'Rédiger la feuille de route',
  appui_juridique: 'Appui juridique',
  appuyer_la_certification_qualiopi: 'Appuyer la certification Qualiopi',
  structurer_une_filiere_de_reconditionnement: 'Structurer une filière de reconditionnement',
  collecter_des_donnees_territoriales: 'Collecter des données territoriales',
  sensibiliser_les_acteurs_aux_outils_existants: 'Sensibiliser les acteurs aux outils existants',
} as const;
export type Need = keyof typeof NEEDS;

export const ACTION_STATUSES = {
  a_lancer: 'À lancer',
  en_cours: 'En cours',
  terminee: 'Terminée',
  abandonnee: 'Abandonnée',
} as const;
export type ActionStatus = keyof typeof ACTION_STATUSES;

/**
 * What an action's indicator counts, from Relais' own data: never typed by hand. Each is a sum
 * of monthly counts rounded to 5 (the published statistics), over the action's months.
 */
export const INDICATORS = {
  aucun: 'Pas d’indicateur',
  activites: 'Activités de médiation enregistrées',
  accompagnements: 'Accompagnements (une personne à une activité)',
} as const;

/**
 * Every indicator an action may follow. `INDICATORS` stays as the first migration read it; the
 * later ones come from the other modules: trainings (helpers trained, hours followed, each month
 * rounded to 5 like the activities) and referrals (median days to answer, shown only over 5
 * answers, whose target is a most: the lower the better); the places that took a fragile
 * commune out of the white zones (couverture), counted by their first publication month and
 * rounded to 5 each month like the others.
 */
export const ALL_INDICATORS = {
  ...INDICATORS,
  aidants_formes: 'Aidants formés (attestations de formation délivrées)',
  heures_formation: 'Heures de formation suivies par les aidants',
  delai_orientation: 'Délai médian de réponse aux orientations, en jours (cible : au plus)',
  lieux_zones_blanches: 'Lieux ouverts en zone blanche',
} as const;
export type Indicator = keyof typeof ALL_INDICATORS;

/** The indicators whose target is a most (a delay): progress is full at or under the target. */
export const CEILING_INDICATORS: readonly Indicator[] = ['delai_orientation'];

/** Where a grant request stands; a decision (accepted or refused) has its date. */
export const GRANT_STATUSES = {
  deposee: 'Déposée',
  en_cours: 'En cours d’instruction',
  acceptee: 'Acceptée',
  refusee: 'Refusée',
} as const;
export type GrantStatus = keyof typeof GRANT_STATUSES;

/** The largest amount in euros an action, a co-financing or a grant request may carry. */
export const AMOUNT_MAX = 1_000_000_000;

export const NEWS_AUDIENCES = {
  public: 'Publique (page des actualités et membres)',
  membres: 'Membres du réseau seulement',
} as const;
export type NewsAudience = keyof typeof NEWS_AUDIENCES;

/** How a contact receives the news: each as it is published, or one weekly digest. */
export const NEWS_FREQUENCIES = {
  immediate: 'Chaque actualité dès sa publication',
  hebdomadaire: 'Un résumé par semaine (le lundi)',
} as const;
export type NewsFrequency = keyof typeof NEWS_FREQUENCIES;

/** Why the network keeps a contact's details, read to them in the form that collects them. */
export const CONTACT_PURPOSE =
  'Ces coordonnées servent seulement à la vie du réseau : réponse à la candidature, invitations aux réunions et actualités. Elles sont effacées un an après la sortie du réseau. Vous pouvez vous désabonner des actualités à tout moment.';

export const NAME_MAX = 200;
export const TEXT_MAX = 5000;
