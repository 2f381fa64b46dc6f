import type { Vocabulary } from '../../platform/forms.ts';
import type { Domain } from './questionnaire.ts';

/** The three profiles of a result (the rule is in `scoring.ts`, `score`). */
export const PROFILES = {
  eloigne: 'Éloigné du numérique',
  debutant: 'Débutant',
  autonome: 'Autonome',
} as const satisfies Vocabulary<string>;
export type Profile = keyof typeof PROFILES;

/** What the profile tells the person, in a sentence. */
export const PROFILE_TEXT: Record<Profile, string> = {
  eloigne:
    'Le numérique est encore difficile pour vous. Un lieu près de chez vous peut vous aider pas à pas.',
  debutant:
    'Vous savez déjà faire des choses. Vous pouvez progresser avec un atelier ou seul, à votre rythme.',
  autonome: 'Vous êtes à l’aise. Vous pouvez aller plus loin, et même aider quelqu’un autour de vous.',
};

/** How a helper ran the diagnosis: beside the person, or answering for them (with them there). */
export const MODES = {
  avec: 'La personne a répondu elle-même, avec le médiateur',
  pour: 'Le médiateur a répondu pour la personne, avec elle',
} as const satisfies Vocabulary<string>;
export type Mode = keyof typeof MODES;

/** The words for a level 0–5, as the result shows them beside the number. */
export const LEVEL_WORDS = [
  'Pas encore',
  'Découverte',
  'Débutant',
  'À l’aise',
  'Confirmé',
  'Expert',
] as const;

/** The themes of an activity report (national codes) that work on each domain. */
export const DOMAIN_THEMES: Record<Domain, readonly string[]> = {
  '1': ['navigation_sur_internet', 'contenus_numeriques'],
  '2': ['email', 'reseaux_sociaux'],
  '3': ['bureautique', 'creer_avec_le_numerique'],
  '4': ['securite_numerique'],
  '5': ['prendre_en_main_du_materiel'],
};
