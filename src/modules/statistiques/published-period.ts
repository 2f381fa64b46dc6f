import { parisToday } from '../../platform/paris-time.ts';
import {
  distinctPresets,
  lastDayOf,
  type Period,
  type PeriodInput,
  type Preset,
  parsePeriod,
  shiftMonth,
} from './period.ts';

/**
 * The periods statistics are published over outside a helper's own view: whole calendar
 * months, ending at the latest with the last complete month. Two periods then only ever differ
 * by whole months (whose numbers are published anyway), and a published number changes once a
 * month, not every day (see disclosure.ts and the README, "Statistiques publiées").
 */

/** The last day of the last complete month, as `YYYY-MM-DD`. */
export const lastCompleteDay = (today: string = parisToday()): string => lastDayOf(shiftMonth(today, -1));

/**
 * A period as published: from the first day of its first month to the last day of its last
 * month, and no later than the last complete month (a period inside the month in progress
 * becomes the last complete month).
 */
export function publishedPeriod(period: Period, today: string = parisToday()): Period {
  const end = lastCompleteDay(today);
  const earliest = (a: string, b: string) => [a, b].sort()[0] as string;
  const au = earliest(lastDayOf(period.au.slice(0, 7)), end);
  return { du: earliest(`${period.du.slice(0, 7)}-01`, `${au.slice(0, 7)}-01`), au };
}

/** The periods offered in one click outside a helper's own view: whole months only. */
export function publishedPresets(today: string = parisToday()): Preset[] {
  const end = lastCompleteDay(today);
  const year = Number(today.slice(0, 4));
  const presets: Preset[] = [
    {
      id: '12-mois',
      label: '12 derniers mois complets',
      period: { du: `${shiftMonth(today, -12)}-01`, au: end },
    },
  ];
  // In January, this year has no complete month yet.
  if (end.startsWith(String(year)))
    presets.push({
      id: 'annee',
      label: 'Cette année (mois complets)',
      period: { du: `${year}-01-01`, au: end },
    });
  presets.push({
    id: 'annee-precedente',
    label: 'L’année dernière',
    period: { du: `${year - 1}-01-01`, au: `${year - 1}-12-31` },
  });
  return distinctPresets(presets);
}

/** The period asked in a URL or a form, as published; none asked means the 12 last complete months. */
export function parsePublishedPeriod(
  input: Record<string, unknown>,
  today: string = parisToday(),
): PeriodInput {
  const asked = parsePeriod(input, today);
  if (!asked.ok) return asked;
  const none = [input.du, input.au].every((v) => typeof v !== 'string' || v.trim() === '');
  return {
    ok: true,
    period: none ? (publishedPresets(today)[0] as Preset).period : publishedPeriod(asked.period, today),
  };
}
