import type { Vocabulary } from '../../platform/forms.ts';
import { THEMATIQUES } from '../activites/index.ts';

/**
 * The codes of the resource library (stored in rows, filters and exports) and their French
 * labels. Themes are the national activity themes (`activites`), competences the Pix framework
 * (1.1–5.2), so that a resource is indexed like the work it serves.
 */

export { THEMATIQUES };

export const LICENCES = {
  etalab_2_0: 'Licence Ouverte Etalab 2.0',
  cc_by_sa_4_0: 'Creative Commons BY-SA 4.0',
  cc_by_nc_sa_4_0: 'Creative Commons BY-NC-SA 4.0',
  aucune: 'Aucune licence (tous droits réservés)',
} as const satisfies Vocabulary<string>;
export type Licence = keyof typeof LICENCES;

/** Where each licence's text is published (exchange formats carry it). */
export const LICENCE_URLS: Record<Licence, string | null> = {
  etalab_2_0: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
  cc_by_sa_4_0: 'https://creativecommons.org/licenses/by-sa/4.0/deed.fr',
  cc_by_nc_sa_4_0: 'https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr',
  aucune: null,
};

export const TYPES = {
  ressource_pedagogique: 'Ressource pédagogique',
  outil_numerique: 'Outil numérique',
  annuaire: 'Annuaire',
  article: 'Article',
  boite_a_outils: 'Boîte à outils',
  infographie: 'Infographie',
  methodologie: 'Méthodologie',
  questionnaire: 'Questionnaire',
  video_webinaire: 'Vidéo ou webinaire',
} as const satisfies Vocabulary<string>;

export const PUBLICS = {
  tous_publics: 'Tous publics',
  enfants: 'Enfants',
  adultes: 'Adultes',
  seniors: 'Seniors',
  parents: 'Parents',
  tres_eloignes_du_numerique: 'Personnes très éloignées du numérique',
  handicap_ou_perte_autonomie: 'Personnes en situation de handicap ou de perte d’autonomie',
  illettrisme: 'Personnes en situation d’illettrisme',
  allophones_ou_refugies: 'Personnes allophones ou réfugiées',
  insertion: 'Personnes en insertion',
} as const satisfies Vocabulary<string>;

/** The Pix competences (5 domains, 16 competences). */
export const COMPETENCES = {
  '1.1': '1.1 Mener une recherche et une veille d’information',
  '1.2': '1.2 Gérer des données',
  '1.3': '1.3 Traiter des données',
  '2.1': '2.1 Interagir',
  '2.2': '2.2 Partager et publier',
  '2.3': '2.3 Collaborer',
  '2.4': '2.4 S’insérer dans le monde numérique',
  '3.1': '3.1 Développer des documents textuels',
  '3.2': '3.2 Développer des documents multimédia',
  '3.3': '3.3 Adapter les documents à leur finalité',
  '3.4': '3.4 Programmer',
  '4.1': '4.1 Sécuriser l’environnement numérique',
  '4.2': '4.2 Protéger les données personnelles et la vie privée',
  '4.3': '4.3 Protéger la santé, le bien-être et l’environnement',
  '5.1': '5.1 Résoudre des problèmes techniques',
  '5.2': '5.2 Construire un environnement numérique',
} as const satisfies Vocabulary<string>;

export const STATUSES = {
  brouillon: 'Brouillon',
  publiee: 'Publiée',
} as const satisfies Vocabulary<string>;
export type Status = keyof typeof STATUSES;

export const VISIBILITIES = {
  publique: 'Publique : tout le monde, sans compte',
  reseau: 'Réseau : les professionnels connectés de l’OPSN',
  privee: 'Privée : vous et les coordinateurs de votre collectivité',
} as const satisfies Vocabulary<string>;
export type Visibility = keyof typeof VISIBILITIES;

export const BLOCK_KINDS = {
  titre_section: 'Titre de section',
  texte: 'Texte',
  lien: 'Lien',
  fichier: 'Fichier',
  image: 'Image',
} as const satisfies Vocabulary<string>;
export type BlockKind = keyof typeof BLOCK_KINDS;

export const REPORT_REASONS = {
  inapproprie: 'Contenu inapproprié',
  obsolete: 'Ressource obsolète',
  erreurs: 'Contient des erreurs',
  doublon: 'Doublon d’une autre ressource',
} as const satisfies Vocabulary<string>;
export type ReportReason = keyof typeof REPORT_REASONS;

/** What moderation decided. `retenu_depubliee`: the resource went back to draft. */
export const REPORT_OUTCOMES = {
  ouvert: 'À traiter',
  retenu_depubliee: 'Signalement retenu : ressource dépubliée',
  retenu_corrigee: 'Signalement retenu : ressource corrigée',
  rejete: 'Signalement non retenu',
} as const satisfies Vocabulary<string>;
export type ReportOutcome = keyof typeof REPORT_OUTCOMES;

export const RATINGS = {
  '4': '4 – Très utile',
  '3': '3 – Utile',
  '2': '2 – Peu utile',
  '1': '1 – Pas utile',
} as const satisfies Vocabulary<string>;

/** Badges on the average rating, shown from this many ratings. */
export const BADGE_MIN_RATINGS = 3;
export function badgeOf(average: number | null, count: number): string | null {
  if (average === null || count < BADGE_MIN_RATINGS) return null;
  if (average >= 3.5) return 'Très recommandée';
  if (average >= 2.5) return 'Recommandée';
  if (average >= 1.5) return 'Peu recommandée';
  return 'Non recommandée';
}

export const SORTS = {
  pertinence: 'Pertinence',
  date: 'Les plus récentes',
  note: 'Les mieux notées',
} as const satisfies Vocabulary<string>;
export type Sort = keyof typeof SORTS;

export const TITLE_MAX = 200;
export const SUMMARY_MAX = 1000;
export const TEXT_MAX = 20_000;
export const COMMENT_MAX = 1000;
/** Files of `fichier` blocks; images are decoded and re-encoded, so their own limit is lower. */
export const FILE_MAX_BYTES = 20 * 1024 * 1024;
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
