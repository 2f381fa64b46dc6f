import { vocabularyOptions } from '../../platform/forms.ts';
import type { Service } from '../lieux/index.ts';

/**
 * The self-diagnosis as versioned data: competences, questions, answers, weights and the
 * recommendation rules. A stored result names its version, and a version, once published, is
 * never changed: a new wording or weight is a new version beside it, so old results keep
 * meaning what they meant.
 */

/** The five domains of the national framework (Pix), by number. */
export const DOMAINS = {
  '1': 'Informations et données',
  '2': 'Communication et collaboration',
  '3': 'Création de contenu',
  '4': 'Protection et sécurité',
  '5': 'Environnement numérique',
} as const;
export type Domain = keyof typeof DOMAINS;
export const DOMAIN_CODES = Object.keys(DOMAINS) as Domain[];

export type Competence = {
  code: string;
  domain: Domain;
  /** Pix's name of the competence. */
  label: string;
  /** The DigComp 2.2 competences it matches, so that a result compares with Pix and Europe. */
  digcomp: readonly string[];
};

/** The 16 competences of Pix (codes 1.1–5.2), with their DigComp 2.2 equivalents. */
export const COMPETENCES: readonly Competence[] = [
  {
    code: '1.1',
    domain: '1',
    label: 'Mener une recherche et une veille d’information',
    digcomp: ['1.1', '1.2'],
  },
  { code: '1.2', domain: '1', label: 'Gérer des données', digcomp: ['1.3'] },
  { code: '1.3', domain: '1', label: 'Traiter des données', digcomp: ['1.3'] },
  { code: '2.1', domain: '2', label: 'Interagir', digcomp: ['2.1'] },
  { code: '2.2', domain: '2', label: 'Partager et publier', digcomp: ['2.2'] },
  { code: '2.3', domain: '2', label: 'Collaborer', digcomp: ['2.4'] },
  { code: '2.4', domain: '2', label: 'S’insérer dans le monde numérique', digcomp: ['2.3', '2.5', '2.6'] },
  { code: '3.1', domain: '3', label: 'Développer des documents textuels', digcomp: ['3.1'] },
  { code: '3.2', domain: '3', label: 'Développer des documents multimédia', digcomp: ['3.1'] },
  { code: '3.3', domain: '3', label: 'Adapter les documents à leur finalité', digcomp: ['3.2', '3.3'] },
  { code: '3.4', domain: '3', label: 'Programmer', digcomp: ['3.4'] },
  { code: '4.1', domain: '4', label: 'Sécuriser l’environnement numérique', digcomp: ['4.1'] },
  {
    code: '4.2',
    domain: '4',
    label: 'Protéger les données personnelles et la vie privée',
    digcomp: ['4.2'],
  },
  {
    code: '4.3',
    domain: '4',
    label: 'Protéger la santé, le bien-être et l’environnement',
    digcomp: ['4.3', '4.4'],
  },
  { code: '5.1', domain: '5', label: 'Résoudre des problèmes techniques', digcomp: ['5.1'] },
  {
    code: '5.2',
    domain: '5',
    label: 'Construire un environnement numérique',
    digcomp: ['5.2', '5.3', '5.4'],
  },
];
export const COMPETENCE_CODES = COMPETENCES.map((c) => c.code);

/** The four answers to a skill question, worth 0 to 3. */
export const SKILL_ANSWERS = [
  { value: '0', label: 'Je ne sais pas' },
  { value: '1', label: 'Avec de l’aide' },
  { value: '2', label: 'Seul' },
  { value: '3', label: 'Je peux l’expliquer à quelqu’un' },
] as const;
export const SKILL_MAX = 3;

export const EQUIPMENT = {
  smartphone: 'Un smartphone',
  ordinateur: 'Un ordinateur',
  tablette: 'Une tablette',
  aucun: 'Aucun de ces appareils',
} as const;
export type Equipment = keyof typeof EQUIPMENT;

export const CONNECTION = {
  internet_maison: 'Internet à la maison',
  donnees_mobiles: 'Internet sur mon téléphone (données mobiles)',
  aucune: 'Je n’ai pas internet',
} as const;
export type Connection = keyof typeof CONNECTION;

/** The national codes of autonomy (as in activity reports), said as the person would. */
export const AUTONOMY = {
  entierement_accompagne: 'Quelqu’un fait avec moi',
  partiellement_autonome: 'Je fais une partie seul',
  autonome: 'Je fais tout seul',
} as const;
export type Autonomy = keyof typeof AUTONOMY;

export const CONFIDENCE = {
  '0': 'Pas du tout',
  '1': 'Un peu',
  '2': 'Assez',
  '3': 'Tout à fait',
} as const;

/** The ten démarches (as mandates name them), or none. */
export const URGENT = {
  aucune: 'Non, rien d’urgent',
  papiers: 'Papiers, élections',
  famille: 'Famille, école',
  social: 'Aides sociales, santé',
  travail: 'Travail, formation',
  logement: 'Logement',
  transports: 'Transports',
  argent: 'Argent, impôts',
  justice: 'Justice',
  etranger: 'Titre de séjour, Europe',
  loisirs: 'Loisirs, sport, culture',
} as const;
export type Urgent = keyof typeof URGENT;

type Choice = { value: string; label: string };

/** One page of the questionnaire. */
export type Question =
  | {
      id: string;
      kind: 'skill';
      competence: string;
      text: string;
      /** A basic question of its domain: when every basic one is « Je ne sais pas », the others are skipped. */
      basic: boolean;
      weight: number;
    }
  | {
      id: 'equipement' | 'connexion';
      kind: 'multi';
      text: string;
      hint: string;
      choices: readonly Choice[];
      /** The choice that excludes the others (« aucun »). */
      none: string;
    }
  | {
      id: 'autonomie' | 'confiance' | 'urgence';
      kind: 'single';
      text: string;
      hint?: string;
      choices: readonly Choice[];
    };

export type SkillQuestion = Extract<Question, { kind: 'skill' }>;

const skill = (competence: string, text: string, basic = false): SkillQuestion => ({
  id: `c${competence.replace('.', '_')}`,
  kind: 'skill',
  competence,
  text,
  basic,
  weight: 1,
});

/** A next step: a kind of place, or a link to learn alone, for the people a condition selects. */
export type Condition =
  | { kind: 'domain'; code: Domain; max: number }
  | { kind: 'competence'; code: string; max: number }
  | { kind: 'domainsAtLeast'; min: number }
  | { kind: 'equipment'; value: Equipment }
  | { kind: 'connection'; value: Connection }
  | { kind: 'urgent' };

export type Rule = {
  id: string;
  when: Condition;
  /** A service of the directory (LMN): places offering it, nearest first. */
  service?: Service;
  /** A resource to learn alone, tagged with the competences it trains. */
  resource?: { title: string; href: string; text: string; competences: readonly string[] };
};

export type Questionnaire = {
  version: string;
  questions: readonly Question[];
  rules: readonly Rule[];
};

const PIX = 'https://pix.fr';
const BONS_CLICS = 'https://www.lesbonsclics.fr';

export const V1: Questionnaire = {
  version: 'v1',
  questions: [
    {
      id: 'equipement',
      kind: 'multi',
      text: 'Quels appareils avez-vous chez vous ?',
      hint: 'Cochez tout ce que vous avez.',
      choices: vocabularyOptions(EQUIPMENT),
      none: 'aucun',
    },
    {
      id: 'connexion',
      kind: 'multi',
      text: 'Comment allez-vous sur internet ?',
      hint: 'Cochez tout ce que vous avez.',
      choices: vocabularyOptions(CONNECTION),
      none: 'aucune',
    },
    skill('1.1', 'Je sais chercher une information sur internet, par exemple des horaires.', true),
    skill('1.2', 'Je sais ranger mes photos ou mes documents dans un dossier.'),
    skill('1.3', 'Je sais faire un tableau simple pour suivre mes dépenses.'),
    skill('2.1', 'Je sais envoyer une photo par SMS ou par e-mail.', true),
    skill('2.2', 'Je sais publier un message ou une photo sur un réseau social.'),
    skill('2.3', 'Je sais partager un document en ligne avec une autre personne.'),
    skill('2.4', 'Je sais me connecter à mon compte sur le site de la CAF ou d’ameli.'),
    skill('3.1', 'Je sais écrire une lettre sur un ordinateur ou un téléphone.', true),
    skill('3.2', 'Je sais prendre une photo et la recadrer avant de l’envoyer.'),
    skill('3.3', 'Je sais enregistrer un document en PDF pour l’envoyer.'),
    skill('3.4', 'Je sais régler un rappel qui se répète chaque semaine.'),
    skill('4.1', 'Je sais reconnaître un faux message qui demande mon mot de passe.', true),
    skill('4.2', 'Je sais choisir qui voit mes photos sur un réseau social.'),
    skill('4.3', 'Je sais limiter le temps que je passe devant les écrans.'),
    skill('5.1', 'Je sais redémarrer mon téléphone quand il ne marche plus bien.', true),
    skill('5.2', 'Je sais installer une application sur mon téléphone.'),
    {
      id: 'autonomie',
      kind: 'single',
      text: 'Pour vos démarches en ligne, comment faites-vous ?',
      choices: vocabularyOptions(AUTONOMY),
    },
    {
      id: 'confiance',
      kind: 'single',
      text: 'Vous sentez-vous à l’aise avec le numérique ?',
      choices: vocabularyOptions(CONFIDENCE),
    },
    {
      id: 'urgence',
      kind: 'single',
      text: 'Avez-vous une démarche urgente à faire ?',
      hint: 'Choisissez la plus urgente.',
      choices: vocabularyOptions(URGENT),
    },
  ],
  rules: [
    { id: 'urgence', when: { kind: 'urgent' }, service: 'Aide aux démarches administratives' },
    {
      id: 'sans-appareil',
      when: { kind: 'equipment', value: 'aucun' },
      service: 'Acquisition de matériel informatique à prix solidaire',
    },
    {
      id: 'sans-internet',
      when: { kind: 'connection', value: 'aucune' },
      service: 'Accès internet et matériel informatique',
    },
    {
      id: 'securite',
      when: { kind: 'domain', code: '4', max: 1 },
      service: 'Utilisation sécurisée du numérique',
    },
    {
      id: 'outils',
      when: { kind: 'domain', code: '5', max: 2 },
      service: 'Maîtrise des outils numériques du quotidien',
    },
    {
      id: 'outils-info',
      when: { kind: 'domain', code: '1', max: 2 },
      service: 'Maîtrise des outils numériques du quotidien',
    },
    {
      id: 'outils-communication',
      when: { kind: 'domain', code: '2', max: 2 },
      service: 'Maîtrise des outils numériques du quotidien',
    },
    {
      id: 'creation',
      when: { kind: 'domain', code: '3', max: 1 },
      service: 'Loisirs et créations numériques',
    },
    {
      id: 'bons-clics-debuter',
      when: { kind: 'domain', code: '5', max: 2 },
      resource: {
        title: 'Les Bons Clics : débuter avec un téléphone ou un ordinateur',
        href: BONS_CLICS,
        text: 'Des fiches et des vidéos gratuites pour apprendre à son rythme.',
        competences: ['5.1', '5.2', '2.1'],
      },
    },
    {
      id: 'bons-clics-securite',
      when: { kind: 'domain', code: '4', max: 2 },
      resource: {
        title: 'Les Bons Clics : se protéger en ligne',
        href: BONS_CLICS,
        text: 'Reconnaître les arnaques et protéger ses comptes.',
        competences: ['4.1', '4.2'],
      },
    },
    {
      id: 'bons-clics-recherche',
      when: { kind: 'domain', code: '1', max: 2 },
      resource: {
        title: 'Les Bons Clics : chercher sur internet',
        href: BONS_CLICS,
        text: 'Trouver une information sûre et ranger ses documents.',
        competences: ['1.1', '1.2'],
      },
    },
    {
      id: 'pix',
      when: { kind: 'domainsAtLeast', min: 3 },
      resource: {
        title: 'Pix : mesurer et certifier ses compétences',
        href: PIX,
        text: 'Un test en ligne gratuit, avec un compte, pour aller plus loin et obtenir un certificat.',
        competences: COMPETENCE_CODES,
      },
    },
    {
      id: 'pix-creation',
      when: { kind: 'domain', code: '3', max: 3 },
      resource: {
        title: 'Pix : créer des documents',
        href: PIX,
        text: 'Des épreuves pour progresser sur les textes, les images et les PDF.',
        competences: ['3.1', '3.2', '3.3'],
      },
    },
  ],
};

/** Every version of the questionnaire, by name; new diagnostics use the current one. */
export const QUESTIONNAIRES: Readonly<Record<string, Questionnaire>> = { v1: V1 };
export const CURRENT = V1;

export const competenceOf = (code: string): Competence | undefined =>
  COMPETENCES.find((c) => c.code === code);
