/**
 * Which backups to keep: the newest of each of the last N days, weeks, months and years that
 * have a backup (as restic's `forget --keep-daily` counts them), read in Europe/Paris time.
 * Counting periods that have a backup, not calendar periods, means that backups which stopped
 * for a month never let the rule delete the last good ones. The newest backup is always kept.
 */

export type RetentionRule = { daily: number; weekly: number; monthly: number; yearly: number };

export const DEFAULT_RETENTION = '7d,4w,12m';

const UNITS = { d: 'daily', w: 'weekly', m: 'monthly', y: 'yearly' } as const;

/** `7d,4w,12m` (days, weeks, months, years; any order, each at most once) → a rule; else a French error. */
export function parseRetention(text: string): RetentionRule | { error: string } {
  const rule: RetentionRule = { daily: 0, weekly: 0, monthly: 0, yearly: 0 };
  const seen = new Set<string>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,4})([dwmy])$/.exec(part);
    if (!match || seen.has(match[2]!)) {
      return {
        error: `« ${part} » : attendu des nombres suivis de d (jours), w (semaines), m (mois) ou y (années), chacun une fois, séparés par des virgules, par exemple 7d,4w,12m`,
      };
    }
    seen.add(match[2]!);
    rule[UNITS[match[2] as keyof typeof UNITS]] = Number(match[1]);
  }
  return rule;
}

/** The rule in French: `7 quotidiennes, 4 hebdomadaires, 12 mensuelles`. */
export function describeRetention(rule: RetentionRule): string {
  const parts = [
    [rule.daily, 'quotidienne'],
    [rule.weekly, 'hebdomadaire'],
    [rule.monthly, 'mensuelle'],
    [rule.yearly, 'annuelle'],
  ] as const;
  const kept = parts.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}${n > 1 ? 's' : ''}`);
  return kept.length ? kept.join(', ') : 'la plus récente seulement';
}

const parisDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Paris calendar day of `date`, as year, month, day. */
function dayOf(date: Date): [number, number, number] {
  const [y, m, d] = parisDay.format(date).split('-').map(Number);
  return [y!, m!, d!];
}

/** ISO 8601 week (`2026-W49`): weeks start on Monday, week 1 holds the year's first Thursday. */
function isoWeek([y, m, d]: [number, number, number]): string {
  const day = Date.UTC(y, m - 1, d);
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${week}`;
}

const PERIODS: [keyof RetentionRule, (day: [number, number, number]) => string][] = [
  ['daily', ([y, m, d]) => `${y}-${m}-${d}`],
  ['weekly', isoWeek],
  ['monthly', ([y, m]) => `${y}-${m}`],
  ['yearly', ([y]) => `${y}`],
];

/**
 * Splits `backups` into those the rule keeps and those it removes (each list newest first).
 * Idempotent: applied again to what it kept, it keeps all of it.
 */
export function applyRetention<T extends { name: string; createdAt: Date }>(
  backups: readonly T[],
  rule: RetentionRule,
): { keep: T[]; remove: T[] } {
  const newestFirst = [...backups].sort(
    (a, b) =>
      b.createdAt.getTime() - a.createdAt.getTime() || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0),
  );
  const kept = new Set<T>(newestFirst.slice(0, 1));
  const days = new Map(newestFirst.map((b) => [b, dayOf(b.createdAt)]));
  for (const [unit, period] of PERIODS) {
    const periods = new Set<string>();
    for (const backup of newestFirst) {
      if (periods.size >= rule[unit]) break;
      const key = period(days.get(backup)!);
      if (periods.has(key)) continue;
      periods.add(key);
      kept.add(backup);
    }
  }
  return {
    keep: newestFirst.filter((b) => kept.has(b)),
    remove: newestFirst.filter((b) => !kept.has(b)),
  };
}
