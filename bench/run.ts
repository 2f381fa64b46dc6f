/**
 * `npm run bench`: how fast and how heavy Relais' public pages are.
 *
 * Throughput and latency are reported as ratios to a bare Fastify route measured in the same run
 * (shared/DESIGN.md, "Budgets": ratios beat absolutes on shared machines), and the public pages'
 * transferred weight is checked against the 50 KB budget.
 *
 * Everything runs in one process: the app listens on the main thread while autocannon fires the
 * requests from a worker thread, so that generating the load does not share the server's event loop.
 *
 * DATABASE_URL set: the bench creates a throwaway `relais_bench_<random>` database on that server,
 * never touches the given database's tables, and drops the throwaway one at the end.
 *
 * The places directory is measured at national scale (BENCH_PLACES, 50 000 by default): the
 * generated places are imported with the module's own import (timed), then its searches and
 * pages are loaded like the other targets, their SQL is timed bare and its plans read, a guard
 * checks distance search against a brute-force sort, and the directory's pages are weighed
 * with their scripts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, type MessagePort, parentPort, Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { CompiledQuery } from 'kysely';
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { modules } from '../src/modules/index.ts';
import { searchPlaces, searchSchema } from '../src/modules/lieux/search.ts';
import { loadConfig } from '../src/platform/config.ts';
import {
  type DatabaseHandle,
  type Db,
  openDatabase,
  withServerConnection,
} from '../src/platform/db/database.ts';
import { collectMigrations, migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { parisToday } from '../src/platform/paris-time.ts';
import {
  activitesRequested,
  activitesWatchdogMs,
  activitiesToGenerate,
  loadActivities,
  runActivitesBench,
} from './activites.ts';
import { poissonLoad } from './arrivals.ts';
import {
  analyzedPlanText,
  analyzePlaces,
  captureQueries,
  checkNearest,
  type ImportStats,
  importBenchPlaces,
  type LieuxTarget,
  lieuxTargets,
  type NearestCheck,
  PLACE_PAGE_BUDGET_MS,
  placesToGenerate,
  planOf,
  planSummary,
  SEARCH_BUDGET_MS,
  type SqlTiming,
  samplePlaceIds,
  statisticsRows,
  timeQueries,
} from './lieux.ts';
import { mandatesToGenerate, mandatsRequested, mandatsWatchdogMs, runMandatsBench } from './mandats.ts';
import {
  observatoireRequested,
  observatoireScale,
  observatoireWatchdogMs,
  runObservatoireBench,
} from './observatoire.ts';
import {
  orientationsRequested,
  orientationsWatchdogMs,
  referralsToGenerate,
  runOrientationsBench,
} from './orientations.ts';

/** Each request gets `timeoutSec` to answer: a slow search under load may queue for seconds. */
const LOAD = { connections: 10, warmupSec: 1, durationSec: 5, timeoutSec: 30 };
/** The directory's targets once more, one request at a time: their latency without queueing. */
const SINGLE = { connections: 1, warmupSec: 0, durationSec: 1.5, timeoutSec: 30 };
export type LoadSettings = typeof LOAD;
/** "50 KB" in the design, read as 50 000 bytes (the stricter reading). */
const BUDGET_BYTES = 50_000;
/** About 4 min at 50 000 places on 2 cores, most of it fixed; past this something hangs. */
const watchdogMs = (places: number) => 240_000 + places * 4;

/** What a browser announces: page requests are measured compressed, as it receives them. */
const BROWSER = { 'accept-encoding': 'gzip, br' };

type Target = {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** Shown instead of the path. */
  label?: string;
  /** Several paths, requested in turn (the first one is `path`). */
  paths?: readonly string[];
};

const STARTED = performance.now();
/** Progress on stderr, with the seconds since the start: the report itself goes to stdout. */
const progress = (message: string) =>
  console.error(`[${((performance.now() - STARTED) / 1000).toFixed(1).padStart(5)} s] ${message}`);

const BARE: Target = { name: 'bare', path: '/bench/bare', headers: {} };
const TARGETS: Target[] = [
  BARE,
  { name: 'healthz', path: '/healthz', headers: {} },
  { name: 'home', path: '/', headers: BROWSER },
  { name: 'collectivite', path: '/collectivites/villeurbanne', headers: BROWSER },
];
/** Public pages whose weight is checked against the budget (the directory's are added once known). */
const WEIGHED_PAGES = ['/', '/collectivites/villeurbanne'];

// ---------------------------------------------------------------------------------------------
// Load generation (worker thread)

/** A request of a load job cycling through several (each with its own method, headers, body). */
type LoadRequest = { method?: string; path: string; headers?: Record<string, string>; body?: string };
export type LoadJob = {
  url: string;
  headers: Record<string, string>;
  paths?: readonly string[];
  method?: string;
  body?: string;
  requests?: LoadRequest[];
  /** Requests per second over all connections (unset: as fast as the server answers). */
  overallRate?: number;
  /**
   * Poisson arrivals instead of autocannon's closed loop: `helpers` virtual helpers, one
   * request at a time each, `rate` requests per second together (`arrivals.ts`);
   * `connections` is then unused.
   */
  arrivals?: { rate: number; helpers: number; stop?: SharedArrayBuffer };
} & LoadSettings;
type Percentiles = { p50: number; p95: number; p99: number };
export type LoadResult = {
  requests: number;
  durationSec: number;
  rps: number;
  latencyMs: Percentiles;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** With Poisson arrivals: sends that had to wait for the helper's previous answer. */
  late?: number;
};
type LoadReply = { ok: true; result: LoadResult } | { ok: false; error: string };

// autocannon ships no type definitions: this is the part of its API the bench uses. Inside a worker
// thread it returns its raw result (it expects a manager thread to aggregate it): only the fields
// common to both shapes are read.
type AutocannonResult = { duration: number; non2xx: number; errors: number; timeouts: number };
type AutocannonRun = PromiseLike<AutocannonResult> & {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};
type Autocannon = (options: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  duration: number;
  timeout: number;
  method?: string;
  body?: string;
  requests?: LoadRequest[];
}) => AutocannonRun;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Waits for the server to finish the requests a run left in flight (autocannon stops waiting
 * for them, the server does not), so that the next run starts clean: requests one at a time
 * until they stop getting faster. A single request is not enough: the abandoned requests'
 * later queries queue behind its first one.
 */
async function drain(job: LoadJob): Promise<void> {
  let previous = Number.POSITIVE_INFINITY;
  for (let probe = 0; probe < 50; probe++) {
    const started = performance.now();
    const response = await fetch(job.url, {
      method: job.method ?? 'GET',
      headers: job.headers,
      ...(job.body ? { body: job.body } : {}),
    });
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (elapsed >= previous * 0.8) return;
    previous = elapsed;
  }
}

async function runLoad(autocannon: Autocannon, job: LoadJob): Promise<LoadResult> {
  if (job.arrivals) {
    const url = new URL(job.url);
    const result = await poissonLoad({
      origin: url.origin,
      requests: job.requests ?? [
        {
          path: url.pathname + url.search,
          headers: job.headers,
          ...(job.method ? { method: job.method } : {}),
          ...(job.body ? { body: job.body } : {}),
        },
      ],
      ...job.arrivals,
      warmupSec: job.warmupSec,
      durationSec: job.durationSec,
      timeoutSec: job.timeoutSec,
    });
    await drain(job);
    return result;
  }
  const options = {
    url: job.url,
    headers: job.headers,
    connections: job.connections,
    timeout: job.timeoutSec,
    ...(job.overallRate ? { overallRate: job.overallRate } : {}),
    ...(job.method ? { method: job.method } : {}),
    ...(job.body ? { body: job.body } : {}),
    // Each connection requests the paths (or requests) in turn.
    ...(job.requests
      ? { requests: job.requests }
      : job.paths
        ? { requests: job.paths.map((path) => ({ path })) }
        : {}),
  };
  if (job.warmupSec > 0) {
    await autocannon({ ...options, duration: job.warmupSec });
    await drain(job);
  }

  // autocannon's own latency histogram has whole-millisecond resolution, too coarse for a bare
  // route answering in a fraction of one: keep every response time instead.
  const latencies: number[] = [];
  const run = autocannon({ ...options, duration: job.durationSec });
  run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await run;
  await drain(job);

  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    durationSec: result.duration,
    rps: latencies.length / result.duration,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** The worker's side: runs each job it is sent and replies with its result. */
function serveLoadJobs(port: MessagePort): void {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  port.on('message', async (job: LoadJob) => {
    let reply: LoadReply;
    try {
      reply = { ok: true, result: await runLoad(autocannon, job) };
    } catch (error) {
      reply = { ok: false, error: String(error) };
    }
    port.postMessage(reply);
  });
}

/** The main thread's side: sends one job to the worker and waits for its reply. */
function measure(worker: Worker, job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once('error', onError);
    worker.once('message', (reply: LoadReply) => {
      worker.off('error', onError);
      if (reply.ok) resolve(reply.result);
      else reject(new Error(`load worker: ${reply.error}`));
    });
    worker.postMessage(job);
  });
}

// ---------------------------------------------------------------------------------------------
// Database and app

type BenchDatabase = { handle: DatabaseHandle; url: string | undefined; dispose(): Promise<void> };

/**
 * pg-pool's end() resolves before its sockets are closed, and the app's pool has no 'error'
 * listener: forcing the drop would kill a closing connection and crash the process. So wait for
 * the app's connections to be gone, then drop normally.
 */
async function dropWhenUnused(serverUrl: string, name: string): Promise<void> {
  await withServerConnection(serverUrl, async (client) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { rows } = await client.query<{ n: number }>(
        'select count(*)::int as n from pg_stat_activity where datname = $1',
        [name],
      );
      if (rows[0]?.n === 0) break;
      await sleep(100);
    }
    await client.query(`drop database if exists "${name}"`);
  });
}

/** A database of its own on the given server, so the bench never touches that server's data. */
async function openThrowawayDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `relais_bench_${randomBytes(6).toString('hex')}`;
  await withServerConnection(serverUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString() });
  return {
    handle,
    url: url.toString(),
    async dispose() {
      await handle.close();
      await dropWhenUnused(serverUrl, name);
    },
  };
}

/** A database's URL on the server of `serverUrl`. */
function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Whether the kept database `name` can be copied: it exists, its generation finished (the
 * bench_generation row) with the rows laid out as the generator lays them out now, and every
 * migration it ran is still one of the code's (those the code added since are applied to the copy).
 */
async function keptDatabaseUsable(serverUrl: string, name: string, count: number): Promise<boolean> {
  const exists = await withServerConnection(serverUrl, async (client) => {
    const { rows } = await client.query('select 1 from pg_database where datname = $1', [name]);
    return rows.length > 0;
  });
  if (!exists) return false;
  const known = new Set(Object.keys(collectMigrations(modules)));
  return withServerConnection(databaseUrl(serverUrl, name), async (client) => {
    const generated = await client.query<{ ok: boolean }>(
      `select to_regclass('bench_generation') is not null as ok`,
    );
    if (!generated.rows[0]?.ok) return false;
    const { rows } = await client.query<{ activities: number; layout: string | null }>(
      `select activities, shape->>'layout' as layout from bench_generation`,
    );
    // Generated by an older bench: made again (see `GenerationShape.layout`).
    if (rows[0]?.activities !== count || rows[0]?.layout !== 'chronological') return false;
    const ran = await client.query<{ name: string }>('select name from relais_migration');
    return ran.rows.every((r) => known.has(r.name));
  });
}

/**
 * The activities at scale take many minutes to generate: on PostgreSQL they are generated once
 * into a kept database, `relais_bench_activites_<count>`, and each run works on a copy of it
 * (CREATE DATABASE … TEMPLATE, a file copy), dropped at the end like any throwaway database.
 * `BENCH_REUSE=0` generates into the throwaway database as before; a kept database that the
 * code's migrations no longer describe, or whose generation did not finish, is made again.
 */
async function reuseActivitiesDatabase(
  serverUrl: string,
  count: number,
  dataDir: string,
): Promise<BenchDatabase> {
  const kept = `relais_bench_activites_${count}`;
  if (!(await keptDatabaseUsable(serverUrl, kept, count))) {
    progress(`generating the kept database ${kept} (once; later runs copy it)…`);
    await withServerConnection(serverUrl, async (client) => {
      await client.query(`drop database if exists "${kept}"`);
      await client.query(`create database "${kept}"`);
    });
    const url = databaseUrl(serverUrl, kept);
    const handle = await openDatabase({ databaseUrl: url });
    try {
      await migrateToLatest(handle.db, modules);
      await seedDemoOnce({ db: handle.db, config: benchConfig(dataDir, url) });
      await loadActivities({ db: handle.db, progress }, count, parisToday());
    } finally {
      await handle.close();
    }
  }
  const name = `relais_bench_${randomBytes(6).toString('hex')}`;
  progress(`copying the kept database ${kept} into ${name}…`);
  // CREATE DATABASE … TEMPLATE waits for nobody: retry while a closing connection lingers.
  await withServerConnection(serverUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database "${name}" template "${kept}"`);
        return;
      } catch (error) {
        if (attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
        await sleep(200);
      }
    }
  });
  const url = databaseUrl(serverUrl, name);
  const handle = await openDatabase({ databaseUrl: url });
  return {
    handle,
    url,
    async dispose() {
      await handle.close();
      await dropWhenUnused(serverUrl, name);
    },
  };
}

async function openBenchDatabase(dataDir: string): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) return openThrowawayDatabase(serverUrl);
  const handle = await openDatabase({ dataDir });
  return { handle, url: undefined, dispose: () => handle.close() };
}

function benchConfig(dataDir: string, url: string | undefined) {
  return loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    // The load comes from one address: the API's per-address limit would measure the limiter.
    API_RATE_LIMIT: '100000000',
  });
}

/** Migrates and seeds the database, builds the app with the bare route, and listens on loopback. */
async function startApp(database: BenchDatabase, dataDir: string): Promise<FastifyInstance> {
  const { db, kind } = database.handle;
  const config = benchConfig(dataDir, database.url);
  await migrateToLatest(db, modules);
  await seedDemoOnce({ db, config });
  const app = await buildApp({ config, db, dbKind: kind, logger: createLogger('silent') });
  // The reference point: a route doing nothing, behind the same plugins and global hooks as the pages.
  app.get(BARE.path, { config: { access: 'public' } }, async () => 'ok');
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

function baseUrlOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

// ---------------------------------------------------------------------------------------------
// Throughput and latency

type TargetReport = Target & LoadResult & { throughputRatio: number; p95Ratio: number };

function loadJob(baseUrl: string, target: Target, load: LoadSettings): LoadJob {
  const job: LoadJob = { url: baseUrl + target.path, headers: target.headers, ...load };
  if (target.paths) job.paths = target.paths;
  return job;
}

/**
 * How long to load a target that answers one request in `singleMs`: long enough to see about
 * 20 answers under load (PGlite runs one query at a time), from LOAD's duration up to 15 s.
 */
function loadSecondsFor(singleMs: number): number {
  const wanted = Math.ceil((20 * singleMs) / 1000) + 1;
  return Number.isFinite(wanted) ? Math.min(15, Math.max(LOAD.durationSec, wanted)) : LOAD.durationSec;
}

async function measureTargets(
  worker: Worker,
  baseUrl: string,
  targets: Target[],
  loadOf: (target: Target) => LoadSettings = () => LOAD,
): Promise<TargetReport[]> {
  const results: { target: Target; result: LoadResult }[] = [];
  for (const target of targets) {
    const load = loadOf(target);
    progress(`measuring ${target.name} (${target.label ?? target.path}) for ${load.durationSec} s…`);
    const result = await measure(worker, loadJob(baseUrl, target, load));
    results.push({ target, result });
  }
  const bare = results.find((r) => r.target === BARE)!.result;
  return results.map(({ target, result }) => ({
    ...target,
    ...result,
    throughputRatio: result.rps / bare.rps,
    p95Ratio: result.latencyMs.p95 / bare.latencyMs.p95,
  }));
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '—');
/** Two decimals; small ratios (slow searches against the bare route) with two significant digits. */
const times = (ratio: number) => {
  if (!Number.isFinite(ratio)) return '—';
  return `${ratio === 0 || ratio >= 0.01 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
};

function printTargets(reports: TargetReport[]): void {
  const pathWidth = Math.max(28, ...reports.map((r) => (r.label ?? r.path).length));
  const columns: [string, number, (r: TargetReport) => string][] = [
    ['target', 13, (r) => r.name],
    ['path', pathWidth, (r) => r.label ?? r.path],
    ['req/s', 8, (r) => Math.round(r.rps).toString()],
    ['throughput', 15, (r) => `${times(r.throughputRatio)} bare`],
    ['p50 ms', 7, (r) => ms(r.latencyMs.p50)],
    ['p95 ms', 7, (r) => ms(r.latencyMs.p95)],
    ['p99 ms', 7, (r) => ms(r.latencyMs.p99)],
    ['p95 latency', 15, (r) => `${times(r.p95Ratio)} bare`],
    ['non-2xx', 7, (r) => r.non2xx.toString()],
  ];
  // Text columns align left, numbers right.
  const cell = (text: string, width: number, index: number) =>
    index < 2 ? text.padEnd(width) : text.padStart(width);
  console.log(columns.map(([title, width], i) => cell(title, width, i)).join('  '));
  for (const report of reports) {
    console.log(columns.map(([, width, value], i) => cell(value(report), width, i)).join('  '));
  }
  for (const r of reports) {
    if (r.non2xx > 0) console.log(`WARNING: ${r.name} (${r.path}) got ${r.non2xx} non-2xx responses`);
    if (r.requests < 20) {
      console.log(
        `WARNING: ${r.name} (${r.label ?? r.path}) answered ${r.requests} requests in ${r.durationSec} s: ` +
          'too few for stable figures (each waits for the requests queued before it)',
      );
    }
    if (r.errors + r.timeouts > 0) {
      console.log(`WARNING: ${r.name} (${r.path}) had ${r.errors} errors and ${r.timeouts} timeouts`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Page weight

export type Transfer = {
  path: string;
  status: number;
  encoding: string;
  headerBytes: number;
  bodyBytes: number;
};
export type PageWeight = {
  page: Transfer;
  uncompressedBytes: number;
  /** Stylesheets and scripts: what the page itself makes the browser download. */
  assets: Transfer[];
  totalBytes: number;
  /** What the map script fetches once running (results as JSON, marker images), tiles aside. */
  mapExtras: Transfer[];
  totalWithMapBytes: number;
};

/** GET with Node's bare HTTP client, which leaves the body as sent (no decompression). */
function getAsSent(url: URL, acceptEncoding: string): Promise<{ transfer: Transfer; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers: { 'accept-encoding': acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        // Status line, one `name: value` line per header, and the blank line, as the server wrote them.
        const statusLine = `HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}\r\n`;
        let headerBytes = Buffer.byteLength(statusLine) + 2;
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          headerBytes += Buffer.byteLength(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}\r\n`);
        }
        const transfer = {
          path: url.pathname + url.search,
          status: response.statusCode ?? 0,
          encoding: response.headers['content-encoding'] ?? 'identity',
          headerBytes,
          bodyBytes: body.length,
        };
        resolve({ transfer, body });
      });
    });
    request.on('error', reject);
  });
}

/** The hrefs of `<link rel="stylesheet">` tags, print ones included: browsers download them too. */
function stylesheetHrefs(html: string): string[] {
  const hrefs: string[] = [];
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = /\brel="([^"]*)"/i.exec(tag)?.[1] ?? '';
    const href = /\bhref="([^"]*)"/i.exec(tag)?.[1];
    if (href && rel.toLowerCase().split(/\s+/).includes('stylesheet'))
      hrefs.push(href.replaceAll('&amp;', '&'));
  }
  return hrefs;
}

/** The `src` of `<script>` tags. */
function scriptSrcs(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/gi)].map((m) => m[1]!.replaceAll('&amp;', '&'));
}

/**
 * What `carte.js` fetches once it draws a map: the results' JSON (`data-source`) and the marker
 * images Leaflet shows (the standard-resolution ones). Map tiles are outside the budget.
 */
function mapFetches(html: string): string[] {
  const section = /<section\b[^>]*\bdata-map="[^"]*"[^>]*>/i.exec(html)?.[0];
  if (!section) return [];
  return ['data-source', 'data-icon', 'data-shadow']
    .map((name) => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(section)?.[1])
    .filter((value): value is string => Boolean(value))
    .map((value) => value.replaceAll('&amp;', '&'));
}

const bytesOf = (transfers: Transfer[]) => transfers.reduce((sum, t) => sum + t.headerBytes + t.bodyBytes, 0);

/** What a browser downloads for a page, its stylesheets and scripts: headers and bodies as sent. */
async function measurePageWeight(baseUrl: string, pagePath: string): Promise<PageWeight> {
  const pageUrl = new URL(pagePath, baseUrl);
  const compressed = await getAsSent(pageUrl, 'br, gzip');
  const plain = await getAsSent(pageUrl, 'identity');
  const html = plain.body.toString('utf8');
  const assets: Transfer[] = [];
  for (const href of [...stylesheetHrefs(html), ...scriptSrcs(html)]) {
    assets.push((await getAsSent(new URL(href, pageUrl), 'br, gzip')).transfer);
  }
  const mapExtras: Transfer[] = [];
  for (const href of mapFetches(html)) {
    mapExtras.push((await getAsSent(new URL(href, pageUrl), 'br, gzip')).transfer);
  }
  const totalBytes = bytesOf([compressed.transfer, ...assets]);
  return {
    page: compressed.transfer,
    uncompressedBytes: plain.body.length,
    assets,
    totalBytes,
    mapExtras,
    totalWithMapBytes: totalBytes + bytesOf(mapExtras),
  };
}

/** Bytes under 1 KB as such, above in KB (1 KB = 1000 bytes, as in the budget). */
const size = (bytes: number) => (bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} KB`);

function printWeights(weights: PageWeight[]): void {
  const transfers = weights.flatMap((w) => [w.page, ...w.assets, ...w.mapExtras]);
  // Long hashed or query-string paths are cut: the table stays readable.
  const pathWidth = Math.min(60, Math.max(...transfers.map((t) => t.path.length)));
  const shown = (p: string) => (p.length > pathWidth ? `${p.slice(0, pathWidth - 1)}…` : p);
  const line = (t: Transfer, note = '') =>
    `  ${shown(t.path).padEnd(pathWidth)}  ${t.status}  ${t.encoding.padEnd(8)}  ${size(t.bodyBytes).padStart(7)} body` +
    `  + ${size(t.headerBytes).padStart(6)} headers${note}`;

  console.log(
    `\nTransferred weight (accept-encoding: br, gzip; budget ${size(BUDGET_BYTES)} per public page)`,
  );
  for (const weight of weights) {
    console.log(line(weight.page, `   (${size(weight.uncompressedBytes)} uncompressed)`));
    for (const asset of weight.assets) console.log(line(asset));
    const share = Math.round((weight.totalBytes / BUDGET_BYTES) * 100);
    const verdict = weight.totalBytes <= BUDGET_BYTES ? 'within budget' : 'OVER BUDGET';
    const what = weight.assets.length ? 'with its stylesheets and scripts' : 'alone';
    console.log(`  = ${size(weight.totalBytes)} ${what}, ${share} % of the budget: ${verdict}`);
    if (weight.mapExtras.length > 0) {
      console.log('  then its map script fetches (map tiles aside):');
      for (const extra of weight.mapExtras) console.log(line(extra));
      const withMap = weight.totalWithMapBytes;
      const note = withMap <= BUDGET_BYTES ? 'within budget' : 'over the budget';
      console.log(
        `  = ${size(withMap)} with the map's data and markers, ${Math.round((withMap / BUDGET_BYTES) * 100)} % (${note})`,
      );
    }
    console.log('');
  }
  for (const t of transfers) {
    if (t.status < 200 || t.status > 299) console.log(`WARNING: ${t.path} answered ${t.status}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Places directory

/** A search or page of the directory: its results, its SQL timed bare, its plans, its HTTP latency. */
type DirectoryItem = {
  name: string;
  label: string;
  /** A search (budget: a few ms), or a page. */
  search: boolean;
  /** How many places it found ("1000+" past the count's cap), or "1" for a place page. */
  results: string;
  queries: CompiledQuery<unknown>[];
  sqlBefore: SqlTiming | null;
  sql: SqlTiming | null;
  plans: string[];
  /** One request at a time (no queueing), when measured over HTTP. */
  single: LoadResult | null;
};

/** A Tuesday at 10:30 in Paris: "open now" with most places open, whatever the time of the run. */
const OPEN_HOURS_NOW = new Date('2026-11-24T10:30:00+01:00');

function resultsOf(result: unknown): string {
  if (result && typeof result === 'object' && 'total' in result) {
    const { total, totalIsCapped } = result as { total: number; totalIsCapped: boolean };
    return totalIsCapped ? `${total}+` : String(total);
  }
  return result ? '1' : '0';
}

/** The SQL each target's request runs (and "open now" at opening hours), captured, and what it found. */
async function directoryItems(db: Db, targets: LieuxTarget[], now: Date): Promise<DirectoryItem[]> {
  const work = [
    ...targets.map((t) => ({ name: t.name, label: t.label, run: (d: Db) => t.work(d, now) })),
    {
      name: 'ouvert-mardi',
      label: 'ouvert=maintenant, a Tuesday at 10:30 (SQL only)',
      run: (d: Db) => searchPlaces(d, searchSchema.parse({ ouvert: 'maintenant' }), OPEN_HOURS_NOW),
    },
  ];
  const items: DirectoryItem[] = [];
  for (const { name, label, run } of work) {
    const { queries, result } = await captureQueries(db, run);
    items.push({
      name,
      label,
      search: name !== 'page-lieu',
      results: resultsOf(result),
      queries,
      sqlBefore: null,
      sql: null,
      plans: [],
      single: null,
    });
  }
  return items;
}

/** Times each distinct set of queries once (the HTML search repeats the API's). */
async function timeItems(
  db: Db,
  items: DirectoryItem[],
  options: Parameters<typeof timeQueries>[2],
): Promise<Map<DirectoryItem, SqlTiming>> {
  const byKey = new Map<string, SqlTiming>();
  const timings = new Map<DirectoryItem, SqlTiming>();
  for (const item of items) {
    const key = JSON.stringify(item.queries.map((q) => [q.sql, q.parameters]));
    let timing = byKey.get(key);
    if (!timing) {
      progress(`timing the SQL of ${item.name}…`);
      timing = await timeQueries(db, item.queries, options);
      byKey.set(key, timing);
    }
    timings.set(item, timing);
  }
  return timings;
}

/** What other people ask while an import runs: the home page and the bare route, 20 requests/s. */
const IMPORT_LOAD = { rate: 20, helpers: 4, idleSec: 10 };
/** The design's bound on how long an import may stall another request. */
const IMPORT_STALL_BUDGET_MS = 100;

function importLoadJob(baseUrl: string, stop?: SharedArrayBuffer): LoadJob {
  return {
    url: baseUrl + BARE.path,
    headers: {},
    requests: [{ path: '/' }, { path: BARE.path }],
    arrivals: { rate: IMPORT_LOAD.rate, helpers: IMPORT_LOAD.helpers, ...(stop ? { stop } : {}) },
    connections: IMPORT_LOAD.helpers,
    warmupSec: 0,
    // Until the import ends (the stop flag), else a fixed span on the idle server.
    durationSec: stop ? 3600 : IMPORT_LOAD.idleSec,
    timeoutSec: 60,
  };
}

function printUnderImport(during: LoadResult, idle: LoadResult): void {
  const line = (name: string, r: LoadResult) =>
    `  ${name.padEnd(22)} ${r.requests} answers over ${r.durationSec.toFixed(1)} s, p50 ${r.latencyMs.p50.toFixed(1)} ms, ` +
    `p95 ${r.latencyMs.p95.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, non-2xx ${r.non2xx}, errors ${r.errors + r.timeouts}`;
  console.log(
    `Other requests (/ and the bare route, Poisson arrivals at ${IMPORT_LOAD.rate} req/s, latency from the planned send):\n` +
      `${line('while importing', during)}\n${line('idle server', idle)}\n` +
      `  p95 while importing ${during.latencyMs.p95 <= IMPORT_STALL_BUDGET_MS ? 'within' : 'OVER'} the ` +
      `${IMPORT_STALL_BUDGET_MS} ms budget (${(during.latencyMs.p95 / idle.latencyMs.p95).toFixed(1)}× idle)`,
  );
}

function printImport(stats: ImportStats): void {
  console.log(
    `Places directory: ${stats.places} generated places (LMN v1 CSV, ${(stats.csvBytes / 1e6).toFixed(1)} MB, ` +
      `made in ${stats.generateSec.toFixed(1)} s)\n` +
      `  importPlaces: ${stats.places} rows in ${stats.importSec.toFixed(1)} s = ${Math.round(stats.rowsPerSec)} rows/s\n` +
      `  its steps: ${stats.steps.map(([step, sec]) => `${step} ${sec.toFixed(1)} s`).join(', ')}\n` +
      `  the server's thread held at most ${Math.round(stats.eventLoopDelayMs.max)} ms at a time during it ` +
      `(event loop delay, p99 ${Math.round(stats.eventLoopDelayMs.p99)} ms)\n` +
      (stats.lockWaits
        ? `  other sessions waiting for a lock during it: at most ${stats.lockWaits.max} at once, in ` +
          `${stats.lockWaits.samplesWaiting} of ${stats.lockWaits.samples} samples (every 100 ms)\n`
        : '') +
      `  then ANALYZE lieu: ${stats.analyzeSec.toFixed(1)} s ` +
      `(statistics rows about lieu before it: ${stats.statsRowsBeforeAnalyze})`,
  );
}

function guardLine(check: NearestCheck): string {
  const nearest =
    check.failures.length === 0
      ? `OK: for ${check.points} points, the ${check.neighbours} nearest from /api/v1/lieux?near= equal a ` +
        `brute-force great-circle sort over ${check.places} published places`
      : `WRONG for ${check.failures.length} of ${check.points} points`;
  const plan = check.planOk
    ? 'the nearest query walks the lieu_geo index (no Seq Scan on lieu)'
    : `the nearest query does NOT walk lieu_geo: ${check.plan.nodes.join(' > ')}`;
  return `Distance search guard: ${nearest}; ${plan}`;
}

const cell = (text: string, width: number, left: boolean) =>
  left ? text.padEnd(width) : text.padStart(width);

function printDirectory(items: DirectoryItem[]): void {
  const labelWidth = Math.max(...items.map((i) => i.label.length));
  const columns: [string, number, (i: DirectoryItem) => string][] = [
    ['target', 13, (i) => i.name],
    ['what', labelWidth, (i) => i.label],
    ['found', 6, (i) => i.results],
    ['1-conn p50', 10, (i) => (i.single ? ms(i.single.latencyMs.p50) : '')],
    ['1-conn p95', 10, (i) => (i.single ? ms(i.single.latencyMs.p95) : '')],
    ['SQL ms', 8, (i) => (i.sql ? ms(i.sql.medianMs) : '')],
    ['before ANALYZE', 14, (i) => (i.sqlBefore ? ms(i.sqlBefore.medianMs) : '')],
    ['each query ms', 16, (i) => (i.sql ? i.sql.perQueryMs.map(ms).join(' + ') : '')],
    ['plans', 0, (i) => i.plans.join(' | ')],
  ];
  console.log(
    '\nPlaces directory, server side: latency one request at a time, and the SQL of the request ' +
      'run bare (median, ms; count then page for searches)',
  );
  console.log(columns.map(([title, width], i) => cell(title, width, i < 2 || i === 8)).join('  '));
  for (const item of items) {
    console.log(columns.map(([, width, value], i) => cell(value(item), width, i < 2 || i === 8)).join('  '));
  }
}

function printBudgets(items: DirectoryItem[], targets: TargetReport[]): void {
  const searches = items.filter((i) => i.search && i.sql);
  const within = searches.filter((i) => i.sql!.medianMs <= SEARCH_BUDGET_MS);
  const over = searches.filter((i) => i.sql!.medianMs > SEARCH_BUDGET_MS);
  const list = (some: DirectoryItem[]) =>
    some.map((i) => `${i.name} ${ms(i.sql!.medianMs)} ms`).join(', ') || 'none';
  console.log(
    `\nBudgets (design: searches answer in a few ms server-side, read here as SQL <= ${SEARCH_BUDGET_MS} ms)`,
  );
  console.log(`  searches within: ${list(within)}`);
  console.log(`  searches OVER:   ${list(over)}`);
  const page = items.find((i) => i.name === 'page-lieu');
  if (page?.single) {
    const p50 = page.single.latencyMs.p50;
    const verdict = p50 < PLACE_PAGE_BUDGET_MS ? 'within budget' : 'OVER BUDGET';
    console.log(
      `  place page: ${ms(p50)} ms p50 over HTTP, one request at a time (SQL ${ms(page.sql?.medianMs ?? Number.NaN)} ms), ` +
        `budget ${PLACE_PAGE_BUDGET_MS} ms: ${verdict}`,
    );
  }
  const near = items.find((i) => i.name === 'lieux-near');
  const loaded = targets.find((t) => t.name === 'lieux-near');
  if (near?.sql && near.single && loaded) {
    const sqlMs = near.sql.medianMs;
    console.log(
      `  nearest places: SQL ${ms(sqlMs)} ms run bare (median of ${near.sql.runs}); over HTTP, p50 ` +
        `${ms(near.single.latencyMs.p50)} ms one request at a time (${times(near.single.latencyMs.p50 / sqlMs)} the SQL), ` +
        `${ms(loaded.latencyMs.p50)} ms under ${LOAD.connections} connections (${times(loaded.latencyMs.p50 / sqlMs)})`,
    );
  }
}

/** EXPLAIN ANALYZE of the slowest query of each search over budget, once per distinct query. */
async function printSlowPlans(db: Db, items: DirectoryItem[]): Promise<void> {
  const seen = new Set<string>();
  for (const item of items) {
    if (!item.sql || item.sql.medianMs <= SEARCH_BUDGET_MS) continue;
    const slowest = item.sql.perQueryMs.indexOf(Math.max(...item.sql.perQueryMs));
    const query = item.queries[slowest]!;
    const key = JSON.stringify([query.sql, query.parameters]);
    if (seen.has(key)) continue;
    seen.add(key);
    console.log(`\nSlow query of ${item.name} (${item.label}), ${ms(item.sql.perQueryMs[slowest]!)} ms:`);
    console.log(`  ${query.sql}\n  parameters: ${JSON.stringify(query.parameters)}`);
    console.log((await analyzedPlanText(db, query)).replace(/^/gm, '    '));
  }
}

// ---------------------------------------------------------------------------------------------
// Main

const round3 = (value: number) => Number(value.toFixed(3));

type DirectorySummary = { imported: ImportStats; items: DirectoryItem[]; guard: NearestCheck };

/** The machine-readable line, for notes and for comparing runs. */
function jsonSummary(
  db: string,
  targets: TargetReport[],
  weights: PageWeight[],
  directory: DirectorySummary,
  elapsedMs: number,
) {
  const timing = (t: SqlTiming | null) =>
    t && { medianMs: round3(t.medianMs), perQueryMs: t.perQueryMs.map(round3), runs: t.runs };
  return {
    db,
    node: process.version,
    load: LOAD,
    single: SINGLE,
    targets: targets.map((t) => ({
      name: t.name,
      path: t.path,
      rps: Math.round(t.rps),
      throughputRatio: round3(t.throughputRatio),
      latencyMs: { p50: round3(t.latencyMs.p50), p95: round3(t.latencyMs.p95), p99: round3(t.latencyMs.p99) },
      p95Ratio: round3(t.p95Ratio),
      requests: t.requests,
      durationSec: t.durationSec,
      non2xx: t.non2xx,
      errors: t.errors,
      timeouts: t.timeouts,
    })),
    weight: weights.map((w) => ({
      path: w.page.path,
      encoding: w.page.encoding,
      compressedBytes: w.page.bodyBytes,
      uncompressedBytes: w.uncompressedBytes,
      assets: w.assets.map((a) => ({ path: a.path, encoding: a.encoding, bytes: a.bodyBytes })),
      totalTransferredBytes: w.totalBytes,
      budgetBytes: BUDGET_BYTES,
      withinBudget: w.totalBytes <= BUDGET_BYTES,
      mapFetches: w.mapExtras.map((a) => ({ path: a.path, encoding: a.encoding, bytes: a.bodyBytes })),
      totalWithMapBytes: w.totalWithMapBytes,
    })),
    lieux: {
      import: {
        ...directory.imported,
        generateSec: round3(directory.imported.generateSec),
        importSec: round3(directory.imported.importSec),
        rowsPerSec: Math.round(directory.imported.rowsPerSec),
        analyzeSec: round3(directory.imported.analyzeSec),
      },
      items: directory.items.map((i) => ({
        name: i.name,
        what: i.label,
        found: i.results,
        singleLatencyMs: i.single && {
          p50: round3(i.single.latencyMs.p50),
          p95: round3(i.single.latencyMs.p95),
        },
        sql: timing(i.sql),
        sqlBeforeAnalyze: timing(i.sqlBefore),
        plans: i.plans,
      })),
      guard: {
        ok: directory.guard.failures.length === 0 && directory.guard.planOk,
        points: directory.guard.points,
        neighbours: directory.guard.neighbours,
        places: directory.guard.places,
        failures: directory.guard.failures,
        nearestPlan: directory.guard.plan.nodes,
      },
      searchBudgetMs: SEARCH_BUDGET_MS,
      placePageBudgetMs: PLACE_PAGE_BUDGET_MS,
    },
    elapsedSec: Math.round(elapsedMs / 100) / 10,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const places = placesToGenerate(process.env);
  const timeoutMs = watchdogMs(places);
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${timeoutMs / 1000} s, giving up (temporary data may remain)`);
    process.exit(1);
  }, timeoutMs);
  watchdog.unref();

  // Undone at the end, last opened first, each step even if another one fails.
  const cleanup: (() => unknown)[] = [];
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Started first: it loads this file's imports (about 0.6 s) while the database initialises.
    const worker = new Worker(new URL(import.meta.url));
    cleanup.push(() => worker.terminate());
    const database = await openBenchDatabase(dataDir);
    cleanup.push(() => database.dispose());
    const app = await startApp(database, dataDir);
    cleanup.push(() => app.close());
    const { db } = database.handle;

    const baseUrl = baseUrlOf(app);
    const dbLabel = database.handle.kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL server';
    console.log(
      `Relais bench: ${dbLabel}, Node ${process.version}, ${LOAD.connections} connections, ` +
        `${LOAD.warmupSec} s warm-up + ${LOAD.durationSec} s per target, load from a worker thread\n`,
    );

    // The directory at scale: import, SQL before and after fresh statistics, correctness guard.
    // Other requests while the import runs (Poisson arrivals from the worker, latency from the
    // planned send), then the same load on the idle server: the import must not stall them.
    progress(`generating and importing ${places} places, other requests arriving meanwhile…`);
    const stop = new SharedArrayBuffer(4);
    let duringImport: Promise<LoadResult> | undefined;
    const imported = await importBenchPlaces(
      db,
      dataDir,
      places,
      async (work) => {
        duringImport = measure(worker, importLoadJob(baseUrl, stop));
        try {
          return await work();
        } finally {
          Atomics.store(new Int32Array(stop), 0, 1);
        }
      },
      { sampleLocks: database.handle.kind === 'postgres' },
    );
    const underImport = await duringImport!;
    progress('the same requests without an import…');
    const withoutImport = await measure(worker, importLoadJob(baseUrl));
    printUnderImport(underImport, withoutImport);
    const statsRowsBeforeAnalyze = await statisticsRows(db);
    const placeIds = await samplePlaceIds(db, 50, places);
    const lieux = lieuxTargets(placeIds, BROWSER);
    const items = await directoryItems(db, lieux, new Date());
    for (const [item, timing] of await timeItems(db, items, { minRuns: 3, maxRuns: 3 }))
      item.sqlBefore = timing;
    progress('ANALYZE lieu…');
    const analyzeSec = await analyzePlaces(db);
    const importStats: ImportStats = { ...imported, statsRowsBeforeAnalyze, analyzeSec };
    printImport(importStats);
    // `npm run bench -- import`: the places import and what it does to other requests, alone.
    if (process.argv.slice(2).includes('import')) return;
    for (const [item, timing] of await timeItems(db, items, {})) item.sql = timing;
    for (const item of items) {
      for (const query of item.queries) item.plans.push(planSummary(await planOf(db, query)));
    }
    progress('checking distance search…');
    const guard = await checkNearest(db, baseUrl);
    console.log(guardLine(guard));
    if (guard.failures.length > 0 || !guard.planOk) {
      for (const failure of guard.failures) console.log(`  ${failure}`);
      throw new Error('bench: distance search is wrong (see the guard line above)');
    }
    console.log('');

    // One request at a time first: it tells how long a slow search must be loaded to answer enough.
    const loads = new Map<string, LoadSettings>();
    for (const target of lieux) {
      progress(`measuring ${target.name} one request at a time…`);
      const item = items.find((i) => i.name === target.name)!;
      item.single = await measure(worker, loadJob(baseUrl, target, SINGLE));
      loads.set(target.name, { ...LOAD, durationSec: loadSecondsFor(item.single.latencyMs.p50) });
    }
    const targets = await measureTargets(
      worker,
      baseUrl,
      [...TARGETS, ...lieux],
      (t) => loads.get(t.name) ?? LOAD,
    );
    printTargets(targets);
    const longer = targets.filter((t) => t.durationSec > LOAD.durationSec + 0.5);
    if (longer.length > 0) {
      console.log(
        `(loaded longer, to see about 20 answers: ${longer.map((t) => `${t.name} ${Math.round(t.durationSec)} s`).join(', ')})`,
      );
    }
    printDirectory(items);
    printBudgets(items, targets);

    progress('weighing pages…');
    const weights: PageWeight[] = [];
    for (const pagePath of [...WEIGHED_PAGES, '/lieux', `/lieux/${placeIds[0]}`]) {
      weights.push(await measurePageWeight(baseUrl, pagePath));
    }
    printWeights(weights);
    progress('explaining the slow queries…');
    await printSlowPlans(db, items);

    const directory = { imported: importStats, items, guard };
    const summary = jsonSummary(
      database.handle.kind,
      targets,
      weights,
      directory,
      performance.now() - started,
    );
    console.log(`\nBENCH_JSON ${JSON.stringify(summary)}`);
  } finally {
    for (const undo of cleanup.reverse()) {
      try {
        await undo();
      } catch (error) {
        console.error('bench: cleanup step failed:', error);
      }
    }
    clearTimeout(watchdog);
  }
}

type OnDemand = {
  database: BenchDatabase;
  app: FastifyInstance;
  worker: Worker;
  dataDir: string;
};

/** The app on a throwaway database with the load worker, for a bench run on demand, undone at the end. */
async function onDemand(
  timeoutMs: number,
  run: (bench: OnDemand) => Promise<void>,
  open: (dataDir: string) => Promise<BenchDatabase> = openBenchDatabase,
): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${timeoutMs / 1000} s, giving up (temporary data may remain)`);
    process.exit(1);
  }, timeoutMs);
  watchdog.unref();
  const cleanup: (() => unknown)[] = [];
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const worker = new Worker(new URL(import.meta.url));
    cleanup.push(() => worker.terminate());
    const database = await open(dataDir);
    cleanup.push(() => database.dispose());
    const app = await startApp(database, dataDir);
    cleanup.push(() => app.close());
    await run({ database, app, worker, dataDir });
  } finally {
    for (const undo of cleanup.reverse()) {
      try {
        await undo();
      } catch (error) {
        console.error('bench: cleanup step failed:', error);
      }
    }
    clearTimeout(watchdog);
  }
}

/** `npm run bench -- activites`: the activities at scale instead of the pages (bench/activites.ts). */
async function mainActivites(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const count = activitiesToGenerate(process.env, serverUrl ? 'postgres' : 'pglite');
  const reuse = serverUrl && process.env.BENCH_REUSE !== '0';
  await onDemand(
    activitesWatchdogMs(count),
    ({ database, app, worker }) =>
      runActivitesBench({
        db: database.handle.db,
        kind: database.handle.kind,
        baseUrl: baseUrlOf(app),
        barePath: BARE.path,
        measure: (job) => measure(worker, job),
        progress,
        databaseUrl: database.url,
      }),
    reuse ? (dataDir) => reuseActivitiesDatabase(serverUrl, count, dataDir) : openBenchDatabase,
  );
}

/** `npm run bench -- observatoire`: the observatory at national scale (bench/observatoire.ts). */
async function mainObservatoire(): Promise<void> {
  const scale = observatoireScale(process.env, process.env.DATABASE_URL ? 'postgres' : 'pglite');
  await onDemand(
    observatoireWatchdogMs(scale.activities, scale.places),
    ({ database, app, worker, dataDir }) => {
      const baseUrl = baseUrlOf(app);
      return runObservatoireBench({
        db: database.handle.db,
        kind: database.handle.kind,
        baseUrl,
        barePath: BARE.path,
        dataDir,
        measure: (job) => measure(worker, job),
        weigh: (pagePath) => measurePageWeight(baseUrl, pagePath),
        printWeights,
        budgetBytes: BUDGET_BYTES,
        progress,
      });
    },
  );
}

/** `npm run bench -- mandats`: the secure mandates at an OPSN's six-year scale (bench/mandats.ts). */
async function mainMandats(): Promise<void> {
  const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  await onDemand(
    mandatsWatchdogMs(mandatesToGenerate(process.env, kind)),
    ({ database, app, worker, dataDir }) =>
      runMandatsBench({
        db: database.handle.db,
        kind: database.handle.kind,
        baseUrl: baseUrlOf(app),
        barePath: BARE.path,
        dataDir,
        measure: (job) => measure(worker, job),
        progress,
      }),
  );
}

/** `npm run bench -- orientations`: the referrals' dashboards and inbox at 100 000 referrals (bench/orientations.ts). */
async function mainOrientations(): Promise<void> {
  await onDemand(orientationsWatchdogMs(referralsToGenerate(process.env)), ({ database, app }) =>
    runOrientationsBench({
      db: database.handle.db,
      kind: database.handle.kind,
      baseUrl: baseUrlOf(app),
      barePath: BARE.path,
      progress,
    }),
  );
}

if (isMainThread) {
  if (process.argv.slice(2).includes('charge')) await (await import('./charge.ts')).runCharge();
  else if (activitesRequested(process.argv)) await mainActivites();
  else if (orientationsRequested(process.argv)) await mainOrientations();
  else if (observatoireRequested(process.argv)) await mainObservatoire();
  else if (mandatsRequested(process.argv)) await mainMandats();
  else await main();
} else serveLoadJobs(parentPort!);
