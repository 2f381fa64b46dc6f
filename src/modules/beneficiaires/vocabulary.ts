import type { Vocabulary } from '../../platform/forms.ts';

/**
 * The national vocabulary of the people helpers accompany, as conseillers numériques record
 * them: codes for storage and exchange, French labels for people. Changing a code breaks
 * comparisons with national data.
 */

export const GENRES = {
  masculin: 'Masculin',
  feminin: 'Féminin',
  non_communique: 'Non communiqué',
} as const satisfies Vocabulary<string>;
export type Genre = keyof typeof GENRES;

export const STATUTS = {
  scolarise: 'Scolarisé',
  sans_emploi: 'Sans emploi',
  en_emploi: 'En emploi',
  retraite: 'Retraité',
  non_communique: 'Non communiqué',
} as const satisfies Vocabulary<string>;
export type Statut = keyof typeof STATUTS;

export const TRANCHES_AGE = {
  moins_12: 'Moins de 12 ans',
  de_12_a_17: '12 à 17 ans',
  de_18_a_24: '18 à 24 ans',
  de_25_a_39: '25 à 39 ans',
  de_40_a_59: '40 à 59 ans',
  de_60_a_69: '60 à 69 ans',
  plus_70: '70 ans ou plus',
  non_communique: 'Non communiqué',
} as const satisfies Vocabulary<string>;
export type TrancheAge = keyof typeof TRANCHES_AGE;

/** The age band of someone born in `birthYear`, as of `onDate` (the band is by age reached that year). */
export function trancheAge(birthYear: number | null, onDate: Date = new Date()): TrancheAge {
  if (birthYear === null) return 'non_communique';
  const age = onDate.getUTCFullYear() - birthYear;
  if (age < 12) return 'moins_12';
  if (age < 18) return 'de_12_a_17';
  if (age < 25) return 'de_18_a_24';
  if (age < 40) return 'de_25_a_39';
  if (age < 60) return 'de_40_a_59';
  if (age < 70) return 'de_60_a_69';
  return 'plus_70';
}
