/**
 * The observatory's part of `npm run bench`, opt-in: `npm run bench -- observatoire`.
 *
 * With the national fragility index (about 35 000 communes and 1 255 EPCI), BENCH_PLACES
 * places (50 000 by default) and BENCH_ACTIVITES activities (2 000 000 by default on
 * PostgreSQL, 200 000 on PGlite), it measures: the import of the index files; the OPSN's
 * territory page and a commune's, one request at a time and under a few connections, against
 * `observeTerritory` and against the SQL they need run bare; the PDF report over HTTP and its
 * build alone; and the transferred weight of the public pages against the 50 KB budget.
 *
 * The index is MedNum's real files when `../shared/data/` holds them, else a generated file
 * over the current communes of the official geography. The places are those of the places
 * bench, imported with the module's own `importPlaces`; the activities those of the
 * activities bench, generated in SQL with the statistics counters recounted after the load.
 *
 * `run.ts` starts the app on a throwaway database and hands over its load and weighing machinery.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type CompiledQuery, sql } from 'kysely';
import { coverageOf, whiteZones } from '../src/modules/couverture/index.ts';
import { COMPONENTS } from '../src/modules/observatoire/ifn-file.ts';
import { importIfn } from '../src/modules/observatoire/import.ts';
import { indexComparison, listVintages } from '../src/modules/observatoire/query.ts';
import { reportPdf } from '../src/modules/observatoire/report-pdf.ts';
import { findTerritory, type Territory } from '../src/modules/observatoire/territory.ts';
import { parseSettings } from '../src/modules/observatoire/territory-routes.tsx';
import {
  communeIndexes,
  type Observation,
  type ObservationSettings,
  observeTerritory,
} from '../src/modules/observatoire/territory-service.ts';
import { namedStatisticsQueries, type Scope } from '../src/modules/statistiques/index.ts';
import { getOpsn } from '../src/modules/territoires/service.ts';
import { systemActor } from '../src/platform/auth/policy.ts';
import type { Db } from '../src/platform/db/database.ts';
import { parisToday } from '../src/platform/paris-time.ts';
import { prng } from '../src/platform/random.ts';
import { activitiesToGenerate, counterRows, loadActivities } from './activites.ts';
import { analyzePlaces, captureQueries, importBenchPlaces, placesToGenerate } from './lieux.ts';
import type { LoadJob, LoadResult, PageWeight } from './run.ts';
import { median, percentile } from './stats.ts';

export type ObservatoireBenchContext = {
  db: Db;
  kind: 'pglite' | 'postgres';
  baseUrl: string;
  barePath: string;
  /** Where generated files go (removed at the end). */
  dataDir: string;
  measure(job: LoadJob): Promise<LoadResult>;
  /** What a browser downloads for a page (compressed), with its stylesheets and scripts. */
  weigh(pagePath: string): Promise<PageWeight>;
  printWeights(weights: PageWeight[]): void;
  budgetBytes: number;
  progress(message: string): void;
};

/** `npm run bench -- observatoire` */
export const observatoireRequested = (argv: readonly string[]) => argv.slice(2).includes('observatoire');

/** Generation dominates (see activitesWatchdogMs), then the places' import, then about 5 min of measures. */
export const observatoireWatchdogMs = (activities: number, places: number) =>
  900_000 + activities * 0.6 + places * 4;

export function observatoireScale(env: NodeJS.ProcessEnv, kind: 'pglite' | 'postgres') {
  return { activities: activitiesToGenerate(env, kind), places: placesToGenerate(env) };
}

/** MedNum's files, as the tests find them (`../shared/data/`, beside the project). */
const REAL_DATA = path.resolve('..', 'shared', 'data');
/** What a browser announces: pages are requested compressed. */
const BROWSER = { 'accept-encoding': 'gzip, br' };
/** The vintage the bench imports. */
const YEAR = 2025;
/** One request at a time: at least this many runs after a warm-up, more within the time budget. */
const RUNS = { minRuns: 7, maxRuns: 30, budgetMs: 12_000 };
/** A few concurrent visitors. */
const CONNECTIONS = 4;
/** Pages slower than this get the EXPLAIN of their slowest query (as do queries over SLOW_QUERY_MS). */
const SLOW_PAGE_MS = 1000;
const SLOW_QUERY_MS = 200;

const seconds = (since: number) => (performance.now() - since) / 1000;
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '—');
const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—');
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

type Runs = { runs: number; p50: number; p95: number; max: number };

const summarise = (values: number[]): Runs => ({
  runs: values.length,
  p50: median(values),
  p95: percentile(values, 95),
  max: Math.max(...values),
});

/** `work` once to warm up, then at least `minRuns` times, more while within `budgetMs`. */
async function repeat(work: () => Promise<unknown>, options = RUNS): Promise<Runs> {
  await work();
  const elapsed: number[] = [];
  const started = performance.now();
  while (
    elapsed.length < options.maxRuns &&
    (elapsed.length < options.minRuns || performance.now() - started < options.budgetMs)
  ) {
    const t = performance.now();
    await work();
    elapsed.push(performance.now() - t);
  }
  return summarise(elapsed);
}

/** GET one request at a time (a warm-up first), reading the whole body; refuses anything but 200. */
async function sequentialGet(url: string, options = RUNS): Promise<Runs & { bytes: number }> {
  let bytes = 0;
  const runs = await repeat(async () => {
    const response = await fetch(url, { headers: BROWSER });
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`bench: ${url} answered ${response.status}`);
    bytes = body.byteLength;
  }, options);
  return { ...runs, bytes };
}

// ---------------------------------------------------------------------------------------------
// The index

type IndexImport = {
  source: 'mednum' | 'generated';
  file: string;
  kind: string;
  rows: number;
  bytes: number;
  read: number;
  imported: number;
  rejected: number;
  warned: number;
  importSec: number;
};

type RawCommune = { code: string; nom: string; type: string };
type RawEpci = { code: string; nom: string };

/** Five components drawn on the 1–10 scale with one decimal, and their mean as the total. */
function scores(random: () => number): string[] {
  const components = COMPONENTS.map(() => 1 + Math.round(random() * 90) / 10);
  const total = components.reduce((sum, c) => sum + c, 0) / components.length;
  return [...components.map((c) => c.toFixed(1)), String(Math.round(total * 100) / 100)];
}

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * MedNum's format over the official geography's current communes (one row each, about
 * 35 000) and its EPCI, scores drawn at random: for when the real files are not at hand.
 */
function generatedIndexFiles(): { name: string; bytes: Buffer }[] {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
  const read = <T>(file: string) => JSON.parse(readFileSync(path.join(dir, 'data', file), 'utf8')) as T;
  const header = `name,division,code,${COMPONENTS.join(',')},total`;
  const random = prng(35_000);
  const communes = read<RawCommune[]>('communes.json')
    .filter((c) => c.type === 'commune-actuelle')
    .map((c) => [csvCell(c.nom), 'city', c.code, ...scores(random)].join(','));
  const epcis = read<RawEpci[]>('epci.json').map((e) =>
    [csvCell(e.nom), 'epci', e.code, ...scores(random)].join(','),
  );
  const file = (lines: string[]) => Buffer.from(`${[header, ...lines].join('\n')}\n`);
  return [
    { name: 'ifn-communes-generees.csv', bytes: file(communes) },
    { name: 'ifn-epci-generes.csv', bytes: file(epcis) },
  ];
}

/** Imports the communes' file, then the EPCI's, with the module's own `importIfn`, each timed alone. */
async function importIndex(db: Db): Promise<IndexImport[]> {
  const real = ['ifn-communes.csv', 'ifn-epci.csv'].map((name) => path.join(REAL_DATA, name));
  const source = real.every((file) => existsSync(file)) ? 'mednum' : 'generated';
  const files =
    source === 'mednum'
      ? real.map((file) => ({ name: path.basename(file), bytes: readFileSync(file) }))
      : generatedIndexFiles();
  const imports: IndexImport[] = [];
  for (const { name, bytes } of files) {
    const started = performance.now();
    const result = await importIfn(db, systemActor('bench'), bytes, { fileName: name, year: YEAR });
    const importSec = seconds(started);
    if (!result.ok) throw new Error(`bench: the index import refused ${name}: ${result.reason}`);
    const { report } = result;
    if (!report.written) throw new Error(`bench: the index import wrote nothing from ${name}`);
    imports.push({
      source,
      file: source === 'mednum' ? path.join('..', 'shared', 'data', name) : name,
      kind: report.kind,
      rows: report.read,
      bytes: bytes.length,
      read: report.read,
      imported: report.imported,
      rejected: report.rejected,
      warned: report.rows.filter((r) => r.warnings.length > 0).length,
      importSec,
    });
  }
  return imports;
}

// ---------------------------------------------------------------------------------------------
// The SQL a page needs, bare

type Group = {
  name: string;
  queries: CompiledQuery<unknown>[];
  labels: string[];
  /** The statistics run with JIT off and 32 MB of work_mem, as the service sets them. */
  statisticsSettings: boolean;
};

type GroupTiming = { name: string; medianMs: number; perQueryMs: number[]; labels: string[] };
type BareSql = { runs: number; medianMs: number; groups: GroupTiming[] };

/** "lieu", "ifn_score"…: the first table a query reads, to name it. */
const tableOf = (query: CompiledQuery<unknown>) => /\bfrom\s+"?([a-z_]+)"?/i.exec(query.sql)?.[1] ?? 'values';

const settingQuery = (query: CompiledQuery<unknown>) => /^\s*select set_config\(/i.test(query.sql);

function groupOf(name: string, queries: CompiledQuery<unknown>[], statisticsSettings = false): Group {
  const kept = queries.filter((q) => !settingQuery(q));
  return { name, queries: kept, labels: kept.map(tableOf), statisticsSettings };
}

const scopeOf = (t: Territory): Scope =>
  t.collectivite
    ? { kind: 'collectivite', id: t.collectivite.id, name: t.collectivite.name }
    : { kind: 'opsn', name: t.name };

/**
 * The queries behind a territory's page, by part: finding the territory, its index, its
 * coverage, its white zones, and its activity (the statistics' aggregates, as compiled).
 */
async function pageGroups(db: Db, slug: string, settings: ObservationSettings): Promise<Group[]> {
  const lookup = await captureQueries(db, (d) => findTerritory(d, slug));
  const territory = lookup.result!;
  const index = await captureQueries(db, (d) =>
    Promise.all([
      listVintages(d),
      territory.indexCode ? indexComparison(d, territory.indexCode) : null,
      communeIndexes(d, territory.communes),
    ]),
  );
  const communes = index.result[2];
  const coverage = await captureQueries(db, (d) =>
    coverageOf(d, territory.communes, { radiusKm: settings.radiusKm }),
  );
  const zones = await captureQueries(db, (d) =>
    whiteZones(d, territory.communes, {
      radiusKm: settings.radiusKm,
      threshold: settings.threshold,
      indexOf: (code) => communes.get(code)?.total ?? null,
    }),
  );
  const statistics = namedStatisticsQueries(scopeOf(territory), settings.period);
  return [
    groupOf('lookup', lookup.queries),
    groupOf('index', index.queries),
    groupOf('coverage', coverage.queries),
    groupOf('white zones', zones.queries),
    {
      name: 'statistics',
      queries: statistics.map((q) => q.query.compile(db)) as CompiledQuery<unknown>[],
      labels: statistics.map((q) => q.name),
      statisticsSettings: true,
    },
  ];
}

async function withStatisticsSettings(conn: Db, on: boolean): Promise<void> {
  // The service's settings: those of every statistics query, and the distinct-people query's
  // hash joins (the only query-specific setting; harmless to the others, single-table scans).
  if (on)
    await sql`select set_config('jit', 'off', false), set_config('work_mem', '32MB', false),
                     set_config('enable_nestloop', 'off', false)`.execute(conn);
  else await sql`reset jit; reset work_mem; reset enable_nestloop`.execute(conn).catch(() => undefined);
}

/** The groups' queries one after the other on one connection: a warm-up run, then as `repeat`. */
async function timeGroups(db: Db, groups: Group[]): Promise<BareSql> {
  const each = groups.map((g) => g.queries.map(() => [] as number[]));
  const sums = groups.map(() => [] as number[]);
  const totals: number[] = [];
  await db.connection().execute(async (conn) => {
    const once = async (record: boolean) => {
      let total = 0;
      for (const [g, group] of groups.entries()) {
        if (group.statisticsSettings) await withStatisticsSettings(conn, true);
        let sum = 0;
        for (const [i, query] of group.queries.entries()) {
          const t = performance.now();
          await conn.executeQuery(query);
          const elapsed = performance.now() - t;
          if (record) each[g]![i]!.push(elapsed);
          sum += elapsed;
        }
        if (group.statisticsSettings) await withStatisticsSettings(conn, false);
        if (record) sums[g]!.push(sum);
        total += sum;
      }
      if (record) totals.push(total);
    };
    await once(false);
    const started = performance.now();
    while (
      totals.length < RUNS.maxRuns &&
      (totals.length < 5 || performance.now() - started < RUNS.budgetMs / 2)
    )
      await once(true);
  });
  return {
    runs: totals.length,
    medianMs: median(totals),
    groups: groups.map((g, i) => ({
      name: g.name,
      medianMs: median(sums[i]!),
      perQueryMs: each[i]!.map(median),
      labels: g.labels,
    })),
  };
}

/** The slowest query of the groups, with its EXPLAIN ANALYZE (and BUFFERS on PostgreSQL). */
async function explainSlowest(db: Db, kind: 'pglite' | 'postgres', groups: Group[], bare: BareSql) {
  let best = { g: 0, i: 0, ms: -1 };
  for (const [g, timing] of bare.groups.entries())
    for (const [i, value] of timing.perQueryMs.entries()) if (value > best.ms) best = { g, i, ms: value };
  const group = groups[best.g]!;
  const query = group.queries[best.i]!;
  const plan = await db.connection().execute(async (conn) => {
    await withStatisticsSettings(conn, group.statisticsSettings);
    const options = kind === 'postgres' ? 'analyze, buffers' : 'analyze';
    const { rows } = await conn.executeQuery<{ 'QUERY PLAN': string }>({
      ...query,
      sql: `explain (${options}) ${query.sql}`,
    });
    await withStatisticsSettings(conn, false);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  return {
    name: `${group.name}: ${group.labels[best.i]}`,
    ms: best.ms,
    text: `${query.sql}\nparameters: ${JSON.stringify(query.parameters)}\n${plan}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

type PageReport = {
  name: string;
  path: string;
  territory: { kind: string; communes: number; places: number; population: number | null };
  queries: number;
  bare: BareSql;
  observe: Runs;
  single: Runs & { bytes: number };
  loaded: LoadResult | null;
  slowest: { name: string; ms: number; text: string } | null;
};

/** Published places of these communes (what the coverage counts). */
async function placesIn(db: Db, communes: string[]): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from lieu where status = 'publie' and code_insee = any(${communes}::text[])`.execute(
    db,
  );
  return rows[0]!.n;
}

/** Load for about 20 answers under a few connections, from 5 s up to 20 s. */
const loadSecondsFor = (p50Ms: number) =>
  Math.min(20, Math.max(5, Math.ceil((20 * p50Ms) / CONNECTIONS / 1000) + 1));

async function measurePage(
  ctx: ObservatoireBenchContext,
  name: string,
  slug: string,
  settings: ObservationSettings,
): Promise<PageReport> {
  const { db, progress } = ctx;
  const pagePath = `/observatoire/${slug}`;
  const territory = (await findTerritory(db, slug))!;
  progress(`${pagePath}: its SQL, bare…`);
  const groups = await pageGroups(db, slug, settings);
  const captured = await captureQueries(db, (d) => observeTerritory(d, territory, settings));
  const bare = await timeGroups(db, groups);
  progress(`${pagePath}: observeTerritory…`);
  const observe = await repeat(() => observeTerritory(db, territory, settings));
  progress(`${pagePath}: over HTTP, one request at a time…`);
  const single = await sequentialGet(ctx.baseUrl + pagePath);
  const durationSec = loadSecondsFor(single.p50);
  progress(`${pagePath}: under ${CONNECTIONS} connections for ${durationSec} s…`);
  const loaded = await ctx.measure({
    url: ctx.baseUrl + pagePath,
    headers: BROWSER,
    connections: CONNECTIONS,
    warmupSec: 0,
    durationSec,
    timeoutSec: 120,
  });
  const slowQuery = Math.max(...bare.groups.flatMap((g) => g.perQueryMs));
  const slowest =
    single.p50 > SLOW_PAGE_MS || slowQuery > SLOW_QUERY_MS
      ? await explainSlowest(db, ctx.kind, groups, bare)
      : null;
  return {
    name,
    path: pagePath,
    territory: {
      kind: territory.kind,
      communes: territory.communes.length,
      places: await placesIn(db, territory.communes),
      population: territory.population,
    },
    queries: captured.queries.filter((q) => !settingQuery(q)).length,
    bare,
    observe,
    single,
    loaded,
    slowest,
  };
}

type PdfReport = {
  path: string;
  single: Runs & { bytes: number };
  loaded: LoadResult | null;
  build: Runs;
  pdfBytes: number;
};

async function measurePdf(
  ctx: ObservatoireBenchContext,
  slug: string,
  settings: ObservationSettings,
): Promise<PdfReport> {
  const { db, progress } = ctx;
  const pdfPath = `/observatoire/${slug}/rapport.pdf`;
  const territory = (await findTerritory(db, slug))!;
  const observation: Observation = await observeTerritory(db, territory, settings);
  const opsn = await getOpsn(db);
  const who = {
    opsnName: opsn?.name ?? 'OPSN',
    opsnLogoId: opsn?.logo_file_id ?? null,
    publicUrl: ctx.baseUrl,
  };
  progress(`${pdfPath}: reportPdf alone, on a computed observation…`);
  let pdfBytes = 0;
  const build = await repeat(async () => {
    pdfBytes = (await reportPdf(db, observation, who)).length;
  });
  progress(`${pdfPath}: over HTTP, one request at a time…`);
  const single = await sequentialGet(ctx.baseUrl + pdfPath);
  const durationSec = loadSecondsFor(single.p50);
  progress(`${pdfPath}: under ${CONNECTIONS} connections for ${durationSec} s…`);
  const loaded = await ctx.measure({
    url: ctx.baseUrl + pdfPath,
    headers: BROWSER,
    connections: CONNECTIONS,
    warmupSec: 0,
    durationSec,
    timeoutSec: 120,
  });
  return { path: pdfPath, single, loaded, build, pdfBytes };
}

// ---------------------------------------------------------------------------------------------
// Output

function printPage(p: PageReport, bareRoute: Runs): void {
  const t = p.territory;
  const observationSql = p.bare.medianMs - (p.bare.groups.find((g) => g.name === 'lookup')?.medianMs ?? 0);
  console.log(
    `\nGET ${p.path} (${p.name}: ${t.kind}, ${t.communes} communes, ${t.population ?? '?'} inhabitants, ` +
      `${t.places} published places; observeTerritory runs ${p.queries} queries)`,
  );
  console.log(
    `  bare SQL, one query after the other on one connection (median of ${p.bare.runs}): ${ms(p.bare.medianMs)} ms = ` +
      p.bare.groups.map((g) => `${g.name} ${ms(g.medianMs)}`).join(' + '),
  );
  for (const g of p.bare.groups) {
    if (g.perQueryMs.length === 0) continue;
    console.log(
      `    ${g.name.padEnd(11)} ${g.perQueryMs.map((value, i) => `${g.labels[i]} ${ms(value)}`).join(', ')}`,
    );
  }
  console.log(
    `  observeTerritory (its queries in parallel, folding, masking): p50 ${ms(p.observe.p50)} ms, ` +
      `p95 ${ms(p.observe.p95)} ms over ${p.observe.runs} (${times(p.observe.p50 / observationSql)} its bare SQL)`,
  );
  const s = p.single;
  console.log(
    `  HTTP one request at a time: p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms over ${s.runs} after a warm-up = ` +
      `${times(s.p50 / p.observe.p50)} observeTerritory, ${times(s.p50 / p.bare.medianMs)} the bare SQL ` +
      `(${times(s.p50 / bareRoute.p50)} the bare route); page ${kb(s.bytes)} uncompressed`,
  );
  if (p.loaded) {
    const l = p.loaded;
    console.log(
      `  HTTP under ${CONNECTIONS} connections: ${l.rps.toFixed(2)} req/s, p50 ${ms(l.latencyMs.p50)} ms, ` +
        `p95 ${ms(l.latencyMs.p95)} ms over ${l.requests} answers (${times(l.latencyMs.p50 / p.bare.medianMs)} ` +
        `the bare SQL at p50), non-2xx ${l.non2xx}, errors ${l.errors + l.timeouts}`,
    );
  }
}

function printPdf(r: PdfReport, page: PageReport, bareRoute: Runs): void {
  const s = r.single;
  console.log(`\nGET ${r.path} (${kb(r.pdfBytes)}, two A4 pages)`);
  console.log(
    `  reportPdf alone, on a computed observation: p50 ${ms(r.build.p50)} ms, p95 ${ms(r.build.p95)} ms ` +
      `over ${r.build.runs}`,
  );
  const expected = page.observe.p50 + r.build.p50;
  console.log(
    `  HTTP one request at a time: p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms over ${s.runs} after a warm-up = ` +
      `${times(s.p50 / expected)} observeTerritory + reportPdf, ` +
      `${times(s.p50 / (page.bare.medianMs + r.build.p50))} the bare SQL + reportPdf, ` +
      `${times(s.p50 / page.bare.medianMs)} the bare SQL alone (${times(s.p50 / bareRoute.p50)} the bare route)`,
  );
  if (r.loaded) {
    const l = r.loaded;
    console.log(
      `  HTTP under ${CONNECTIONS} connections: ${l.rps.toFixed(2)} req/s, p50 ${ms(l.latencyMs.p50)} ms, ` +
        `p95 ${ms(l.latencyMs.p95)} ms over ${l.requests} answers, non-2xx ${l.non2xx}, errors ${l.errors + l.timeouts}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Main

const DEMO_COMMUNES = ['69266', '69259', '69256', '69029', '69034', '69286', '42207', '42187'];

export async function runObservatoireBench(ctx: ObservatoireBenchContext): Promise<void> {
  const { db, progress } = ctx;
  const started = performance.now();
  const { activities: count, places } = observatoireScale(process.env, ctx.kind);
  console.log(
    `Relais bench, observatory: ${ctx.kind === 'postgres' ? 'PostgreSQL server' : 'PGlite (embedded)'}, ` +
      `Node ${process.version}; the national index, ${places} places, ${count} activities\n`,
  );

  // 1. The index.
  progress('importing the fragility index…');
  const index = await importIndex(db);
  const source = index[0]!.source;
  console.log(
    source === 'mednum'
      ? `Index: MedNum's files (${REAL_DATA}), vintage ${YEAR}, imported with importIfn`
      : `Index: MedNum's files not found in ${REAL_DATA}: generated files over the current communes and the EPCI of ` +
          `@etalab/decoupage-administratif, random scores; vintage ${YEAR}, imported with importIfn`,
  );
  for (const i of index) {
    console.log(
      `  ${i.file} (${i.kind}, ${i.rows} rows, ${(i.bytes / 1e6).toFixed(2)} MB): ${i.importSec.toFixed(2)} s ` +
        `= ${Math.round(i.rows / i.importSec)} rows/s; ${i.imported} imported (${i.warned} with a remark), ${i.rejected} rejected`,
    );
  }

  // 2. The places.
  progress(`generating and importing ${places} places with importPlaces…`);
  const imported = await importBenchPlaces(db, ctx.dataDir, places);
  const analyzeSec = await analyzePlaces(db);
  const { rows: demo } = await sql<{ code: string; places: number; centre: string | null }>`
    select d.code, (select count(*)::int from lieu l where l.status = 'publie' and l.code_insee = d.code) as places,
      (select c.source from commune_centre c where c.code_insee = d.code) as centre
    from unnest(${DEMO_COMMUNES}::text[]) as d(code)`.execute(db);
  console.log(
    `Places: ${places} generated (bench/lieux-data.ts, communes drawn by population), imported with importPlaces ` +
      `(the module's own import of an LMN CSV file, ${(imported.csvBytes / 1e6).toFixed(1)} MB) in ` +
      `${imported.importSec.toFixed(1)} s = ${Math.round(imported.rowsPerSec)} rows/s, then ANALYZE lieu ${analyzeSec.toFixed(1)} s`,
  );
  console.log(
    `  published places of the demo communes (with the demo's own): ${demo.map((d) => `${d.code} ${d.places}`).join(', ')}; ` +
      `reference points: ${demo.filter((d) => d.centre).length} of ${demo.length} (${[...new Set(demo.map((d) => d.centre ?? 'none'))].join(', ')})`,
  );
  if (demo.some((d) => d.places === 0 || !d.centre))
    throw new Error('bench: a demo commune has no published place or no reference point');

  // 3. The activities.
  const today = parisToday();
  const { generation } = await loadActivities(ctx, count, today);
  const counters = await counterRows(db);
  console.log(
    `Activities: ${generation.activities} activities and ${generation.participations} participations over 3 years ` +
      `(bench/activites-data.ts, in SQL, statistics counters off during the load) in ${generation.activitiesSec} s; ` +
      `secondary indexes rebuilt, counters recounted by rebuildStatistics in ${generation.countersSec} s ` +
      `(${counters.totals} monthly counters), ANALYZE ${generation.analyzeSec} s; ${generation.totalSec} s in all`,
  );

  // 4. The pages, their SQL, the PDF.
  const input = parseSettings({});
  if (!input.ok) throw new Error('bench: the default settings are refused');
  const settings = input.settings;
  console.log(
    `\nSettings of the pages (their defaults): ${settings.period.du} … ${settings.period.au}, ` +
      `nearby within ${settings.radiusKm} km, white zones from an index of ${settings.threshold}`,
  );
  const opsnHtml = await (await fetch(`${ctx.baseUrl}/observatoire/opsn`)).text();
  if (!opsnHtml.includes('Villeurbanne')) throw new Error('bench: the OPSN page does not show its communes');

  progress('the bare route, one request at a time and under 10 connections…');
  const bareSingle = await sequentialGet(ctx.baseUrl + ctx.barePath, {
    minRuns: 200,
    maxRuns: 200,
    budgetMs: 0,
  });
  const bareLoaded = await ctx.measure({
    url: ctx.baseUrl + ctx.barePath,
    headers: {},
    connections: 10,
    warmupSec: 1,
    durationSec: 5,
    timeoutSec: 30,
  });
  const opsn = await measurePage(ctx, 'the OPSN', 'opsn', settings);
  const commune = await measurePage(ctx, 'a member commune', 'villeurbanne', settings);
  const pdf = await measurePdf(ctx, 'opsn', settings);

  console.log(
    `\nBare route ${ctx.barePath}: one request at a time p50 ${ms(bareSingle.p50)} ms, p95 ${ms(bareSingle.p95)} ms ` +
      `over ${bareSingle.runs}; under 10 connections ${Math.round(bareLoaded.rps)} req/s, p50 ` +
      `${ms(bareLoaded.latencyMs.p50)} ms, p95 ${ms(bareLoaded.latencyMs.p95)} ms`,
  );
  printPage(opsn, bareSingle);
  printPage(commune, bareSingle);
  printPdf(pdf, opsn, bareSingle);
  for (const p of [opsn, commune]) {
    if (!p.slowest) continue;
    console.log(`\nSlowest query of ${p.path}: ${p.slowest.name}, ${ms(p.slowest.ms)} ms`);
    console.log(p.slowest.text.replace(/^/gm, '    '));
  }

  // 5. Weight.
  progress('weighing the public pages…');
  const weights: PageWeight[] = [];
  for (const pagePath of ['/observatoire', '/observatoire/opsn', '/observatoire/villeurbanne'])
    weights.push(await ctx.weigh(pagePath));
  ctx.printWeights(weights);

  // Summary.
  const indexSec = index.reduce((sum, i) => sum + i.importSec, 0);
  const pageLine = (p: PageReport) =>
    `  ${p.path.padEnd(28)} HTTP p50 ${ms(p.single.p50)} ms (p95 ${ms(p.single.p95)}) = ` +
    `${times(p.single.p50 / p.observe.p50)} observeTerritory (${ms(p.observe.p50)} ms), ` +
    `${times(p.single.p50 / p.bare.medianMs)} bare SQL (${ms(p.bare.medianMs)} ms)` +
    (p.loaded
      ? `; ${CONNECTIONS} conn. p50 ${ms(p.loaded.latencyMs.p50)} ms, ${p.loaded.rps.toFixed(2)} req/s`
      : '');
  console.log('\nSummary');
  console.log(
    `  index import: ${index.map((i) => `${i.kind} ${i.rows} rows ${i.importSec.toFixed(2)} s`).join(', ')} ` +
      `(${source === 'mednum' ? "MedNum's files" : 'generated files'}; ${indexSec.toFixed(2)} s in all)`,
  );
  console.log(pageLine(opsn));
  console.log(pageLine(commune));
  console.log(
    `  ${pdf.path.padEnd(28)} HTTP p50 ${ms(pdf.single.p50)} ms (p95 ${ms(pdf.single.p95)}); reportPdf alone ` +
      `p50 ${ms(pdf.build.p50)} ms (p95 ${ms(pdf.build.p95)}); HTTP = ` +
      `${times(pdf.single.p50 / (opsn.observe.p50 + pdf.build.p50))} observeTerritory + reportPdf, ` +
      `${times(pdf.single.p50 / opsn.bare.medianMs)} the bare SQL; ${kb(pdf.pdfBytes)}`,
  );
  console.log(
    `  weight: ${weights
      .map(
        (w) =>
          `${w.page.path} ${kb(w.totalBytes)} (${Math.round((w.totalBytes / ctx.budgetBytes) * 100)} %` +
          (w.mapExtras.length ? `, ${kb(w.totalWithMapBytes)} with the map's data` : '') +
          ')',
      )
      .join(', ')} against ${kb(ctx.budgetBytes)}`,
  );

  const runs = (r: Runs) => ({
    runs: r.runs,
    p50: round(r.p50, 2),
    p95: round(r.p95, 2),
    max: round(r.max, 2),
  });
  const load = (r: LoadResult | null, connections = CONNECTIONS) =>
    r && {
      connections,
      rps: round(r.rps, 2),
      p50: round(r.latencyMs.p50, 2),
      p95: round(r.latencyMs.p95, 2),
      requests: r.requests,
      durationSec: r.durationSec,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
    };
  const page = (p: PageReport) => ({
    path: p.path,
    territory: p.territory,
    queries: p.queries,
    bareSqlMs: round(p.bare.medianMs, 2),
    bareSqlRuns: p.bare.runs,
    bareSqlByPart: Object.fromEntries(p.bare.groups.map((g) => [g.name, round(g.medianMs, 2)])),
    bareSqlPerQueryMs: Object.fromEntries(
      p.bare.groups.map((g) => [g.name, g.perQueryMs.map((v, i) => [g.labels[i], round(v, 2)])]),
    ),
    observeTerritoryMs: runs(p.observe),
    httpSingleMs: runs(p.single),
    httpOverObserve: round(p.single.p50 / p.observe.p50, 2),
    httpOverBareSql: round(p.single.p50 / p.bare.medianMs, 2),
    httpOverBareRoute: round(p.single.p50 / bareSingle.p50, 1),
    loaded: load(p.loaded),
    slowestQuery: p.slowest && { name: p.slowest.name, ms: round(p.slowest.ms, 2) },
  });
  const summary = {
    db: ctx.kind,
    node: process.version,
    scale: { activities: generation.activities, participations: generation.participations, places },
    index: index.map((i) => ({ ...i, importSec: round(i.importSec, 3) })),
    places: {
      generated: places,
      importSec: round(imported.importSec, 2),
      rowsPerSec: Math.round(imported.rowsPerSec),
      analyzeSec: round(analyzeSec, 2),
      demoCommunes: Object.fromEntries(demo.map((d) => [d.code, d.places])),
    },
    activities: {
      generationSec: generation.totalSec,
      activitiesSec: generation.activitiesSec,
      countersSec: generation.countersSec,
      analyzeSec: generation.analyzeSec,
      counters,
    },
    settings,
    bareRoute: { single: runs(bareSingle), loaded: load(bareLoaded, 10) },
    pages: { opsn: page(opsn), commune: page(commune) },
    pdf: {
      path: pdf.path,
      bytes: pdf.pdfBytes,
      buildMs: runs(pdf.build),
      httpSingleMs: runs(pdf.single),
      httpOverObservePlusBuild: round(pdf.single.p50 / (opsn.observe.p50 + pdf.build.p50), 2),
      httpOverBareSql: round(pdf.single.p50 / opsn.bare.medianMs, 2),
      loaded: load(pdf.loaded),
    },
    weight: weights.map((w) => ({
      path: w.page.path,
      compressedBytes: w.page.bodyBytes,
      uncompressedBytes: w.uncompressedBytes,
      totalTransferredBytes: w.totalBytes,
      totalWithMapBytes: w.totalWithMapBytes,
      budgetBytes: ctx.budgetBytes,
      withinBudget: w.totalBytes <= ctx.budgetBytes,
    })),
    elapsedSec: round(seconds(started)),
  };
  console.log(`\nBENCH_OBSERVATOIRE_JSON ${JSON.stringify(summary)}`);
}
