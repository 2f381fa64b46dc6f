import path from 'node:path';
import type { TestEvent } from 'node:test/reporters';

/**
 * A `node --test` reporter that test/run.ts adds beside the spec reporter: how long each
 * top-level test or suite took, in the order they ended, as one JSON array of
 * `[file, milliseconds]` written at the end. `file` is where the test was declared: for a suite
 * declared through a helper (`describeBrowser`), the helper's file, which the runner gives back
 * to the test file that called it. The runner sums them by file over batches, prints the slowest
 * files and keeps them in test/timings.json with `--record-timings`. The time a batch spends
 * loading modules belongs to no file: the runner counts it apart.
 */
export default async function* durations(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const ended: [string, number][] = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.nesting !== 0 || !data.file) continue;
    ended.push([path.relative(process.cwd(), data.file), data.details.duration_ms]);
  }
  yield `${JSON.stringify(ended)}\n`;
}
