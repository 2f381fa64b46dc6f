export const THRESHOLD = 5;

/** A number as shown: exact, under the threshold (`lt5`), or masked so that another cannot be recomputed. */
export type Shown = number | 'lt5' | 'masque';

type CellStatus = 'shown' | 'small' | 'secondary';

/**
 * Whether a reader who knows the shown cells, that the sum of all cells lies in `sum`, that
 * each `small` cell is between 1 and 4 and each `secondary` one at least 5, can tell the exact
 * value of a masked cell. With one linear sum and box bounds, each cell's possible values are
 * exactly the interval below.
 */
function discloses(
  values: readonly number[],
  status: readonly CellStatus[],
  sum: { lo: number; hi: number },
) {
  const masked = values.flatMap((_, i) => (status[i] === 'shown' ? [] : [i]));
  if (masked.length === 0) return false;
  const shown = values.reduce((s, v, i) => (status[i] === 'shown' ? s + v : s), 0);
  const lo = sum.lo - shown;
  const hi = sum.hi - shown;
  const bounds: [number, number][] = masked.map((i) =>
    status[i] === 'small' ? [1, THRESHOLD - 1] : [THRESHOLD, Number.POSITIVE_INFINITY],
  );
  const lows = bounds.reduce((s, [l]) => s + l, 0);
  const finiteHighs = bounds.reduce((s, [, u]) => (Number.isFinite(u) ? s + u : s), 0);
  const infinite = bounds.filter(([, u]) => !Number.isFinite(u)).length;
  return bounds.some(([l, u]) => {
    const othersHigh =
      infinite - (Number.isFinite(u) ? 0 : 1) > 0 ? Infinity : finiteHighs - (Number.isFinite(u) ? u : 0);
    const least = Math.max(l, lo - othersHigh);
    const most = Math.min(u, hi - (lows - l));
    return least >= most;
  });
}

/**
 * The cells of one breakdown (a partition of a total the reader knows to lie in `sum`), as
 * they may be shown: cells of 1 to 4 become "< 5"; while a masked cell could still be
 * recomputed from the total and the other cells, the smallest shown non-zero cell is masked
 * too. Null when even that cannot protect it: the breakdown is then not shown at all.
 */
export function protect(values: readonly number[], sum: { lo: number; hi: number }): Shown[] | null {
  const status: CellStatus[] = values.map((v) => (v > 0 && v < THRESHOLD ? 'small' : 'shown'));
  while (discloses(values, status, sum)) {
    let next = -1;
    values.forEach((v, i) => {
      if (status[i] === 'shown' && v > 0 && (next < 0 || v < (values[next] as number))) next = i;
    });
    if (next < 0) return null;
    status[next] = 'secondary';
  }
  return values.map((v, i) => (status[i] === 'shown' ? v : status[i] === 'small' ? 'lt5' : 'masque'));
}

/** A total as shown: under the threshold it is "< 5". */
export const shownTotal = (n: number, exact: boolean): Shown =>
  exact || n === 0 || n >= THRESHOLD ? n : 'lt5';

/** What the reader knows of a total from how it is shown. */
export const knownSum = (shown: Shown, n: number) =>
  shown === 'lt5'
    ? { lo: 1, hi: THRESHOLD - 1 }
    : shown === 'masque'
      ? { lo: 0, hi: Infinity }
      : { lo: n, hi: n };
