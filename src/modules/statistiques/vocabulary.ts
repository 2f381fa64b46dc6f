import type { Vocabulary } from '../../platform/forms.ts';

/**
 * Duration bands of the national statistics. The counters compute them in SQL
 * (`relais_tranche_duree`, created with the roll-up migration of module activites).
 */
export const TRANCHES_DUREE = {
  moins_30: 'Moins de 30 min',
  de_30_a_60: '30 min à 1 h',
  de_60_a_120: '1 h à 2 h',
  plus_120: '2 h ou plus',
} as const satisfies Vocabulary<string>;
export type TrancheDuree = keyof typeof TRANCHES_DUREE;

export function trancheDuree(minutes: number): TrancheDuree {
  if (minutes < 30) return 'moins_30';
  if (minutes < 60) return 'de_30_a_60';
  if (minutes < 120) return 'de_60_a_120';
  return 'plus_120';
}
