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
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { modules } from '../src/modules/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { type DatabaseHandle, openDatabase, withServerConnection } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';

const LOAD = { connections: 10, warmupSec: 1, durationSec: 5 };
/** "50 KB" in the design, read as 50 000 bytes (the stricter reading). */
const BUDGET_BYTES = 50_000;
/** A run takes about 30 s; past this something hangs, and the bench gives up. */
const WATCHDOG_MS = 90_000;

/** What a browser announces: page requests are measured compressed, as it receives them. */
const BROWSER = { 'accept-encoding': 'gzip, br' };

type Target = { name: string; path: string; headers: Record<string, string> };

const BARE: Target = { name: 'bare', path: '/bench/bare', headers: {} };
const TARGETS: Target[] = [
  BARE,
  { name: 'healthz', path: '/healthz', headers: {} },
  { name: 'home', path: '/', headers: BROWSER },
  { name: 'collectivite', path: '/collectivites/villeurbanne', headers: BROWSER },
];
/** Public pages whose weight is checked against the budget. */
const WEIGHED_PAGES = ['/', '/collectivites/villeurbanne'];

// ---------------------------------------------------------------------------------------------
// Load generation (worker thread)

type LoadJob = { url: string; headers: Record<string, string> } & typeof LOAD;
type Percentiles = { p50: number; p95: number; p99: number };
type LoadResult = {
  requests: number;
  durationSec: number;
  rps: number;
  latencyMs: Percentiles;
  non2xx: number;
  errors: number;
  timeouts: number;
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
}) => AutocannonRun;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runLoad(autocannon: Autocannon, job: LoadJob): Promise<LoadResult> {
  const options = { url: job.url, headers: job.headers, connections: job.connections };
  await autocannon({ ...options, duration: job.warmupSec });

  // autocannon's own latency histogram has whole-millisecond resolution, too coarse for a bare
  // route answering in a fraction of one: keep every response time instead.
  const latencies: number[] = [];
  const run = autocannon({ ...options, duration: job.durationSec });
  run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await run;

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

async function openBenchDatabase(dataDir: string): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) return openThrowawayDatabase(serverUrl);
  const handle = await openDatabase({ dataDir });
  return { handle, url: undefined, dispose: () => handle.close() };
}

/** Migrates and seeds the database, builds the app with the bare route, and listens on loopback. */
async function startApp(database: BenchDatabase, dataDir: string): Promise<FastifyInstance> {
  const { db, kind } = database.handle;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
  });
  await migrateToLatest(db, modules);
  await seedDemoOnce({ db, config });
  const app = await buildApp({ config, db, dbKind: kind, logger: createLogger('silent') });
  // The reference point: a route doing nothing, behind the same plugins and global hooks as the pages.
  app.get(BARE.path, async () => 'ok');
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

async function measureTargets(worker: Worker, baseUrl: string): Promise<TargetReport[]> {
  const results: { target: Target; result: LoadResult }[] = [];
  for (const target of TARGETS) {
    console.error(`measuring ${target.name} (${target.path})…`);
    const result = await measure(worker, { url: baseUrl + target.path, headers: target.headers, ...LOAD });
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

const ms = (value: number) => value.toFixed(2);
const times = (ratio: number) => `${ratio.toFixed(2)}×`;

function printTargets(reports: TargetReport[]): void {
  const columns: [string, number, (r: TargetReport) => string][] = [
    ['target', 13, (r) => r.name],
    ['path', 28, (r) => r.path],
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
    if (r.errors + r.timeouts > 0) {
      console.log(`WARNING: ${r.name} (${r.path}) had ${r.errors} errors and ${r.timeouts} timeouts`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Page weight

type Transfer = { path: string; status: number; encoding: string; headerBytes: number; bodyBytes: number };
type PageWeight = { page: Transfer; uncompressedBytes: number; assets: Transfer[]; totalBytes: number };

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

/** What a browser downloads for a page and its stylesheets: headers and bodies as sent. */
async function measurePageWeight(baseUrl: string, pagePath: string): Promise<PageWeight> {
  const pageUrl = new URL(pagePath, baseUrl);
  const compressed = await getAsSent(pageUrl, 'br, gzip');
  const plain = await getAsSent(pageUrl, 'identity');
  const assets: Transfer[] = [];
  for (const href of stylesheetHrefs(plain.body.toString('utf8'))) {
    assets.push((await getAsSent(new URL(href, pageUrl), 'br, gzip')).transfer);
  }
  const transfers = [compressed.transfer, ...assets];
  return {
    page: compressed.transfer,
    uncompressedBytes: plain.body.length,
    assets,
    totalBytes: transfers.reduce((sum, t) => sum + t.headerBytes + t.bodyBytes, 0),
  };
}

/** Bytes under 1 KB as such, above in KB (1 KB = 1000 bytes, as in the budget). */
const size = (bytes: number) => (bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} KB`);

function printWeights(weights: PageWeight[]): void {
  const transfers = weights.flatMap((w) => [w.page, ...w.assets]);
  const pathWidth = Math.max(...transfers.map((t) => t.path.length));
  const line = (t: Transfer, note = '') =>
    `  ${t.path.padEnd(pathWidth)}  ${t.status}  ${t.encoding.padEnd(8)}  ${size(t.bodyBytes).padStart(7)} body` +
    `  + ${size(t.headerBytes).padStart(6)} headers${note}`;

  console.log(
    `\nTransferred weight (accept-encoding: br, gzip; budget ${size(BUDGET_BYTES)} per public page)`,
  );
  for (const weight of weights) {
    console.log(line(weight.page, `   (${size(weight.uncompressedBytes)} uncompressed)`));
    for (const asset of weight.assets) console.log(line(asset));
    const share = Math.round((weight.totalBytes / BUDGET_BYTES) * 100);
    const verdict = weight.totalBytes <= BUDGET_BYTES ? 'within budget' : 'OVER BUDGET';
    console.log(
      `  = ${size(weight.totalBytes)} with its stylesheets, ${share} % of the budget: ${verdict}\n`,
    );
  }
  for (const t of transfers) {
    if (t.status < 200 || t.status > 299) console.log(`WARNING: ${t.path} answered ${t.status}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

const round3 = (value: number) => Number(value.toFixed(3));

/** The machine-readable line, for notes and for comparing runs. */
function jsonSummary(db: string, targets: TargetReport[], weights: PageWeight[], elapsedMs: number) {
  return {
    db,
    node: process.version,
    load: LOAD,
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
    })),
    elapsedSec: Math.round(elapsedMs / 100) / 10,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const watchdog = setTimeout(() => {
    console.error(
      `bench: still running after ${WATCHDOG_MS / 1000} s, giving up (temporary data may remain)`,
    );
    process.exit(1);
  }, WATCHDOG_MS);
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

    const baseUrl = baseUrlOf(app);
    const dbLabel = database.handle.kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL server';
    console.log(
      `Relais bench: ${dbLabel}, Node ${process.version}, ${LOAD.connections} connections, ` +
        `${LOAD.warmupSec} s warm-up + ${LOAD.durationSec} s per target, load from a worker thread\n`,
    );

    const targets = await measureTargets(worker, baseUrl);
    printTargets(targets);

    const weights: PageWeight[] = [];
    for (const pagePath of WEIGHED_PAGES) weights.push(await measurePageWeight(baseUrl, pagePath));
    printWeights(weights);

    const summary = jsonSummary(database.handle.kind, targets, weights, performance.now() - started);
    console.log(`BENCH_JSON ${JSON.stringify(summary)}`);
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

if (isMainThread) await main();
else serveLoadJobs(parentPort!);
