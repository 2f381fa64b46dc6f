/** Summaries of timings and generation helpers shared by the benches. */

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Nearest-rank percentile. */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/**
 * Runs `work` `warmup` times, then `runs` times one after the other, and prints its p50 and
 * p95 (nearest rank) in milliseconds under `label`.
 */
export async function timed(
  label: string,
  work: () => Promise<unknown>,
  { runs = 200, warmup = 20 }: { runs?: number; warmup?: number } = {},
): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmup; i++) await work();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await work();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const result = { p50: percentile(ms, 50), p95: percentile(ms, 95) };
  console.log(
    `${label.padEnd(44)} p50 ${result.p50.toFixed(2).padStart(7)} ms   p95 ${result.p95.toFixed(2).padStart(7)} ms`,
  );
  return result;
}

/** Weighted codes: a code and its weight (the weights need not add up to 100). */
export type Weighted = readonly (readonly [string, number])[];

/** A SQL string literal. */
export const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** A CASE choosing a code by weight from a uniform draw in [0, 1) (`column`, raw SQL). */
export function pickSql(column: string, weights: Weighted): string {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let cumulated = 0;
  const branches = weights.slice(0, -1).map(([code, weight]) => {
    cumulated += weight;
    return `when ${column} < ${(cumulated / total).toFixed(6)} then ${quote(code)}`;
  });
  return `(case ${branches.join(' ')} else ${quote(weights[weights.length - 1]![0])} end)`;
}
