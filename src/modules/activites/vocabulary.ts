import type { Vocabulary } from '../../platform/forms.ts';

/**
 * The national vocabulary of helpers' activity reports ("comptes rendus d'activité"), as
 * conseillers numériques record them: codes for storage and exchange, French labels for
 * people. Changing a code breaks comparisons with national data. The people's own
 * vocabulary (gender, age band, status) is in `beneficiaires`.
 */

export const TYPES_ACTIVITE = {
  individuel: 'Accompagnement individuel',
  collectif: 'Atelier collectif',
} as const satisfies Vocabulary<string>;
export type TypeActivite = keyof typeof TYPES_ACTIVITE;

/** Where it took place ("canal"). */
export const CANAUX = {
  lieu_activite: 'Lieu d’activité',
  domicile: 'À domicile',
  distance: 'À distance',
  autre_lieu: 'Autre lieu',
} as const satisfies Vocabulary<string>;

export const DUREES_PRESETS = [15, 30, 45, 60, 90, 120] as const;

export const MATERIELS = {
  ordinateur: 'Ordinateur',
  telephone: 'Téléphone',
  tablette: 'Tablette',
  autre: 'Autre matériel',
  aucun: 'Pas de matériel',
} as const satisfies Vocabulary<string>;

export const THEMATIQUES = {
  diagnostic_numerique: 'Diagnostic numérique',
  prendre_en_main_du_materiel: 'Prendre en main du matériel',
  maintenance_de_materiel: 'Maintenance de matériel',
  contenus_numeriques: 'Gérer ses contenus numériques',
  navigation_sur_internet: 'Navigation sur internet',
  email: 'E-mail',
  bureautique: 'Bureautique',
  reseaux_sociaux: 'Réseaux sociaux',
  sante: 'Santé',
  banque_et_achats_en_ligne: 'Banque et achats en ligne',
  entrepreneuriat: 'Accompagner un professionnel (entrepreneuriat)',
  insertion_professionnelle: 'Insertion professionnelle',
  securite_numerique: 'Sécurité numérique',
  parentalite: 'Parentalité',
  scolarite_et_numerique: 'Scolarité et numérique',
  creer_avec_le_numerique: 'Créer avec le numérique',
  culture_numerique: 'Culture numérique',
  intelligence_artificielle: 'Intelligence artificielle',
  aide_aux_demarches_administratives: 'Aide aux démarches administratives',
} as const satisfies Vocabulary<string>;
export type Thematique = keyof typeof THEMATIQUES;

/** The theme that opens the list of procedures. */
export const THEME_DEMARCHES: Thematique = 'aide_aux_demarches_administratives';

export const DEMARCHES = {
  papiers_elections_citoyennete: 'Papiers – élections – citoyenneté',
  famille_scolarite: 'Famille – scolarité',
  social_sante: 'Social – santé',
  travail_formation: 'Travail – formation',
  logement: 'Logement',
  transports_mobilite: 'Transports – mobilité',
  argent_impots: 'Argent – impôts',
  justice: 'Justice',
  etrangers_europe: 'Étrangers – Europe',
  loisirs_sports_culture: 'Loisirs – sports – culture',
  associations: 'Associations',
} as const satisfies Vocabulary<string>;

export const AUTONOMIES = {
  entierement_accompagne: 'Entièrement accompagné',
  partiellement_autonome: 'Partiellement autonome',
  autonome: 'Autonome',
} as const satisfies Vocabulary<string>;

export const STRUCTURES_REDIRECTION = {
  administration: 'Administration',
  mediation_numerique: 'Médiation numérique',
  operateur_ou_organisme_en_charge: 'Opérateur ou organisme en charge',
  aide_sociale: 'Aide sociale',
  insertion_professionnelle: 'Insertion professionnelle',
  france_services: 'France Services',
  autre: 'Autre',
} as const satisfies Vocabulary<string>;

export const NIVEAUX_ATELIER = {
  debutant: 'Débutant',
  intermediaire: 'Intermédiaire',
  avance: 'Avancé',
} as const satisfies Vocabulary<string>;
