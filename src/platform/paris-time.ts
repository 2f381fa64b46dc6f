/** The Paris wall clock of an instant, and back: what people read on their watch in France. */

/** Built once: building a formatter costs far more than using it (every recorded report asks). */
const parisDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });

/** Today's date in France (or the date of `now` there), as `YYYY-MM-DD`. */
export function parisToday(now: Date = new Date()): string {
  return parisDate.format(now);
}

export type WallClock = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
};

const parisFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

export function parisWallClock(instant: Date): WallClock {
  const parts: Record<string, number> = {};
  for (const part of parisFormat.formatToParts(instant)) parts[part.type] = Number(part.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Milliseconds to add to an instant to read the Paris wall clock as if it were UTC. */
function parisOffset(instantMs: number): number {
  const w = parisWallClock(new Date(instantMs));
  const wholeSeconds = Math.floor(instantMs / 1000) * 1000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - wholeSeconds;
}

/** A time missing in spring moves one hour later; a time seen twice in autumn takes the second one. */
export function parisWallToInstant(w: WallClock): Date {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const firstGuess = asUtc - parisOffset(asUtc);
  return new Date(asUtc - parisOffset(firstGuess));
}
