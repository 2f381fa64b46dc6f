/**
 * One activity export in a process of its own, for the activities' bench: the RSS of a process
 * doing nothing else (the bench's own process holds the app, the generated data's bookkeeping
 * and the load worker). Run by `activites.ts` with `EXPORT_JOB` (JSON: database URL, format,
 * row limit, the helpers in order); prints one `EXPORT_RESULT {…}` line.
 *
 * The rows are read as the route reads them (`exportRowStream`, keyset pages), the busiest
 * helpers' exports one after the other, and written to a sink that counts bytes; the RSS and
 * heap are sampled every 20 ms during the export. The process is what a server is: the bench
 * runs this file compiled to JavaScript (`compiledExportChild` in activites.ts), and it loads
 * the app's build (dist/, `npm run build`), so no TypeScript machinery is in its memory. The RSS
 * is also read before the app's modules are loaded (what Node holds) and once they are: what
 * the export itself adds is the rest.
 */
const rssAtStart = process.memoryUsage().rss;
const job = JSON.parse(process.env.EXPORT_JOB ?? '') as ExportJob;
const { pipeline } = await import('node:stream/promises');
/** A module of the build, typed as its source. */
const built = (file: string) => import(new URL(file, job.build).href);
const {
  activitiesStream,
  exportRowStream,
  writeActivitiesXlsx,
}: typeof import('../src/modules/activites/index.ts') = await built('modules/activites/index.js');
const { openDatabase }: typeof import('../src/platform/db/database.ts') =
  await built('platform/db/database.js');
const { countingSink, sampled } = await import('./memory.ts');

import type { ExportRow } from '../src/modules/activites/index.ts';
import type { Helper } from '../src/modules/mediateurs/index.ts';
import type { Db } from '../src/platform/db/database.ts';

export type ExportJob = {
  databaseUrl: string;
  format: 'xlsx' | 'csv';
  limit: number;
  helpers: Helper[];
  /** The build's folder, as a file URL ending in `/`. */
  build: string;
};

async function* helpersRows(db: Db, helpers: Helper[], limit: number): AsyncGenerator<ExportRow> {
  let left = limit;
  for (const helper of helpers) {
    for await (const row of exportRowStream(db, helper, {})) {
      if (left-- <= 0) return;
      yield row;
    }
  }
}

const handle = await openDatabase({ databaseUrl: job.databaseUrl, poolSize: 2 });
try {
  const rssBefore = process.memoryUsage().rss;
  const { sink, bytes } = countingSink();
  let rows = 0;
  const counted = async function* () {
    for await (const row of helpersRows(handle.db, job.helpers, job.limit)) {
      rows++;
      yield row;
    }
  };
  const started = performance.now();
  const { rssPeak, heapPeak, rssSamples } = await sampled(async () => {
    if (job.format === 'xlsx') await writeActivitiesXlsx(counted(), sink);
    else await pipeline(activitiesStream('csv', counted()), sink);
  });
  console.log(
    `EXPORT_RESULT ${JSON.stringify({
      rows,
      sec: (performance.now() - started) / 1000,
      bytes: bytes(),
      rssAtStart,
      rssBefore,
      rssSamples,
      rssPeak,
      heapPeak,
    })}`,
  );
} finally {
  await handle.close();
}
