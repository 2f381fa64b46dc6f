/** Memory sampling for the benches: the peak during a piece of work, not only what is left after. */

/**
 * The V8 flags of a server process (`deploy/relais@.service`, `npm start`): V8 sizes its young
 * generation from the machine's memory (up to 64 MB semi-spaces, about 130 MB of new space on
 * 24 GB), and an export's garbage fills it all; capped, the young generation stays at 24 MB.
 */
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=8'] as const;

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
