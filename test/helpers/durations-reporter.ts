import path from 'node:path';
import type { TestEvent } from 'node:test/reporters';

/**
 * A `node --test` reporter that test/run.ts adds beside the spec reporter: how long each test
 * file's top-level tests and suites took, as one JSON object `{ "file": milliseconds }` written
 * at the end. The runner sums them over batches, prints the slowest files and keeps them in
 * test/timings.json with `--record-timings`. The time a batch spends loading modules belongs to
 * no file: the runner counts it apart.
 */
export default async function* durations(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const totals: Record<string, number> = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.nesting !== 0 || !data.file) continue;
    const file = path.relative(process.cwd(), data.file);
    totals[file] = (totals[file] ?? 0) + data.details.duration_ms;
  }
  yield `${JSON.stringify(totals)}\n`;
}
