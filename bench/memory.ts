/** Memory sampling for the benches: the peak during a piece of work, not only what is left after. */
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

/** Samples the process's RSS and heap every 20 ms while `work` runs, and returns their peaks. */
export async function sampled<T>(
  work: () => Promise<T>,
): Promise<{ result: T; rssPeak: number; heapPeak: number }> {
  let rssPeak = 0;
  let heapPeak = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    rssPeak = Math.max(rssPeak, usage.rss);
    heapPeak = Math.max(heapPeak, usage.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    sample();
    return { result, rssPeak, heapPeak };
  } finally {
    clearInterval(timer);
  }
}
