/** Memory sampling for the benches: the peak during a piece of work, not only what is left after. */

/**
 * The V8 flags of a server process (`deploy/relais@.service`, `npm start`): V8 sizes its young
 * generation from the machine's memory (up to 64 MB semi-spaces, about 130 MB of new space on
 * 24 GB), and an export's garbage fills it all; capped, the young generation stays at 24 MB.
 * The old generation: after each full collection V8 lets it grow to up to 4 times what was
 * live before collecting again, and an export's promoted garbage (its database pages) filled
 * that room, about 250 MB of heap for 100 000 rows; at 1.3 times, an export holds ~100 MB of
 * heap and 215–230 MB of RSS, for the same CPU time (`npm run bench -- activites exports`).
 */
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=30'] as const;

import { Writable } from 'node:stream';

/** A sink that counts what it is given. */
export function countingSink(): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  return { sink, bytes: () => bytes };
}

/**
 * Samples the process's RSS and heap every 20 ms while `work` runs, and returns their peaks,
 * with the RSS over the run (the peak of each tenth of it, in MB: a growth shows as a slope).
 */
export async function sampled<T>(
  work: () => Promise<T>,
): Promise<{ result: T; rssPeak: number; heapPeak: number; rssSamples: number[] }> {
  let rssPeak = 0;
  let heapPeak = 0;
  const series: number[] = [];
  const sample = () => {
    const usage = process.memoryUsage();
    rssPeak = Math.max(rssPeak, usage.rss);
    heapPeak = Math.max(heapPeak, usage.heapUsed);
    series.push(usage.rss);
  };
  sample();
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    sample();
    const tenth = Math.max(1, Math.ceil(series.length / 10));
    const rssSamples: number[] = [];
    for (let i = 0; i < series.length; i += tenth)
      rssSamples.push(Math.round(Math.max(...series.slice(i, i + tenth)) / 1e6));
    return { result, rssPeak, heapPeak, rssSamples };
  } finally {
    clearInterval(timer);
  }
}
