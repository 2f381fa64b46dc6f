/**
 * The places directory's part of `npm run bench`: national-scale data, its import, the SQL
 * the searches run (timed bare, and their plans), and a correctness guard for distance search.
 * `run.ts` drives it and measures the HTTP side with its load machinery.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CompiledQuery, type KyselyPlugin, type QueryId, type RootOperationNode, sql } from 'kysely';
import { importPlaces } from '../src/modules/lieux/import.ts';
import { locateCommune, searchPlaces, searchSchema } from '../src/modules/lieux/search.ts';
import { findPublishedPlace } from '../src/modules/lieux/service.ts';
import { systemActor } from '../src/platform/auth/policy.ts';
import type { Db } from '../src/platform/db/database.ts';
import { prng } from '../src/platform/random.ts';
import { generatePlacesCsv } from './lieux-data.ts';
import { median } from './stats.ts';

/** Places generated when BENCH_PLACES is not set: the design's national scale. */
export const DEFAULT_PLACES = 50_000;

/** "A few milliseconds server-side", read by the bench as at most this much SQL time. */
export const SEARCH_BUDGET_MS = 5;
/** "A place page renders in under 10 ms". */
export const PLACE_PAGE_BUDGET_MS = 10;

export function placesToGenerate(env: NodeJS.ProcessEnv): number {
  const raw = env.BENCH_PLACES;
  if (raw === undefined || raw === '') return DEFAULT_PLACES;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 100 || count > 1_000_000) {
    throw new Error(`BENCH_PLACES must be a whole number from 100 to 1000000, not « ${raw} »`);
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Data and import

export type ImportStats = {
  places: number;
  csvBytes: number;
  generateSec: number;
  importSec: number;
  rowsPerSec: number;
  /** Where the import's time went, step by step (seconds), as `importPlaces` tells it. */
  steps: [string, number][];
  /** The longest the server's thread was held during the import (ms), and its 99th percentile. */
  eventLoopDelayMs: { max: number; p99: number };
  /**
   * PostgreSQL only: other sessions seen waiting for a lock, sampled every 100 ms during the
   * import (the most at once, and in how many samples of how many).
   */
  lockWaits?: { max: number; samplesWaiting: number; samples: number };
  /** Rows of pg_stats about `lieu` right after the import: 0 means the planner works blind. */
  statsRowsBeforeAnalyze: number;
  analyzeSec: number;
};

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Generates the places, writes them to a file as a person would upload it, and imports that
 * file with the module's own `importPlaces` (timed alone: generation and reading apart).
 */
export async function importBenchPlaces(
  db: Db,
  dir: string,
  count: number,
  /** Wraps the import alone (the bench loads the server while it runs). */
  around: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  { sampleLocks = false } = {},
): Promise<Omit<ImportStats, 'statsRowsBeforeAnalyze' | 'analyzeSec'>> {
  let started = performance.now();
  const { csv } = generatePlacesCsv(count);
  const file = path.join(dir, 'lieux-bench.csv');
  writeFileSync(file, csv);
  const generateSec = seconds(started);
  const content = readFileSync(file, 'utf8');

  const steps: [string, number][] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  started = performance.now();
  delay.enable();
  const locks = sampleLocks ? lockSampler(db) : undefined;
  const result = await around(() =>
    importPlaces(db, systemActor('bench'), content, {
      fileName: 'lieux-bench.csv',
      source: 'bench',
      onStep: (step, ms) => {
        steps.push([step, ms / 1000]);
      },
    }),
  );
  delay.disable();
  const lockWaits = await locks?.stop();
  const importSec = seconds(started);
  if (!result.ok) throw new Error(`bench: the import refused the generated file: ${result.reason}`);
  const { report } = result;
  if (report.created !== count || report.rejected !== 0 || !report.written) {
    const firstError = report.rows.find((r) => r.errors.length > 0);
    throw new Error(
      `bench: import created ${report.created} of ${count} places, rejected ${report.rejected}` +
        (firstError ? ` (line ${firstError.line}: ${JSON.stringify(firstError.errors[0])})` : ''),
    );
  }
  return {
    places: count,
    csvBytes: Buffer.byteLength(csv),
    generateSec,
    importSec,
    rowsPerSec: count / importSec,
    steps,
    eventLoopDelayMs: { max: delay.max / 1e6, p99: delay.percentile(99) / 1e6 },
    ...(lockWaits ? { lockWaits } : {}),
  };
}

/** Counts, every 100 ms until stopped, the sessions of this database waiting for a lock. */
function lockSampler(db: Db): { stop: () => Promise<NonNullable<ImportStats['lockWaits']>> } {
  const result = { max: 0, samplesWaiting: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
      const waiting = rows[0]?.n ?? 0;
      result.samples += 1;
      if (waiting > 0) result.samplesWaiting += 1;
      result.max = Math.max(result.max, waiting);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return result;
    },
  };
}

export async function statisticsRows(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stats where tablename = 'lieu'`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Fresh statistics for the planner. PostgreSQL's autovacuum would gather them within a minute
 * of a big import (at a moment the bench cannot predict); PGlite has no autovacuum at all.
 */
export async function analyzePlaces(db: Db): Promise<number> {
  const started = performance.now();
  await sql`analyze lieu`.execute(db);
  return seconds(started);
}

/** Some published places of the generated set, the same ones for the same data. */
export async function samplePlaceIds(db: Db, count: number, places: number): Promise<string[]> {
  const random = prng(7);
  const wanted = new Set<string>();
  while (wanted.size < Math.min(count, places)) {
    wanted.add(`bench-${String(1 + Math.floor(random() * places)).padStart(6, '0')}`);
  }
  const rows = await db
    .selectFrom('lieu')
    .select(['id', 'lmn_id'])
    .where('lmn_id', '=', sql<string>`any(${[...wanted]}::text[])`)
    .where('status', '=', 'publie')
    .orderBy('lmn_id')
    .execute();
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// Targets

/** What `run.ts` measures over HTTP, and the domain calls the request makes, to time their SQL. */
export type LieuxTarget = {
  name: string;
  path: string;
  /** Shown instead of the path (the path decoded, or a note for several paths). */
  label: string;
  headers: Record<string, string>;
  /** Several paths to cycle through (place pages). */
  paths?: string[];
  /** The domain calls behind the request, run on a capturing database to get their SQL. */
  work: (db: Db, now: Date) => Promise<unknown>;
};

/** The search parameters of a path, as the API reads them. */
const searchOf = (target: string) => {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of new URL(target, 'http://x').searchParams) {
    const previous = params[key];
    params[key] = previous === undefined ? value : [previous, value].flat();
  }
  return searchSchema.parse(params);
};

const api = (name: string, query: string, headers: Record<string, string>): LieuxTarget => {
  const target = `/api/v1/lieux?${query}`;
  return {
    name,
    path: target,
    label: decodeURIComponent(target),
    headers,
    work: (db, now) => searchPlaces(db, searchOf(target), now),
  };
};

/** The directory's searches and pages, as a person or a client of the API requests them. */
export function lieuxTargets(placeIds: string[], browser: Record<string, string>): LieuxTarget[] {
  const filter = new URLSearchParams({ services: 'Aide aux démarches administratives', frais: 'Gratuit' });
  const placePaths = placeIds.map((id) => `/lieux/${id}`);
  return [
    api('lieux-q', 'q=mediatheque', browser),
    api('lieux-typo', 'q=mediateque', browser),
    api('lieux-filtres', filter.toString().replaceAll('+', '%20'), browser),
    api('lieux-near', 'near=45.76,4.84', browser),
    api('lieux-rayon', 'near=45.76,4.84&rayon_km=10', browser),
    api('lieux-ouvert', 'ouvert=maintenant', browser),
    {
      name: 'page-lieux-ou',
      path: '/lieux?ou=Lyon',
      label: '/lieux?ou=Lyon',
      headers: browser,
      // What routes.tsx does for "Où ?": the middle of the commune's places, then nearest first within 30 km.
      work: async (db, now) => {
        const located = await locateCommune(db, 'Lyon');
        const query = searchSchema.parse({});
        return searchPlaces(
          db,
          located?.centre ? { ...query, near: located.centre, rayon_km: 30 } : query,
          now,
        );
      },
    },
    {
      name: 'page-lieu',
      path: placePaths[0]!,
      label: `/lieux/:id (${placePaths.length} places in turn)`,
      headers: browser,
      paths: placePaths,
      work: (db) => findPublishedPlace(db, placeIds[0]!),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// SQL: capture, timing, plans

/**
 * Runs `work` on a database that records every query it executes, and returns them compiled.
 * Kysely also hands subqueries to plugins (under the id of the builder they came from): a node
 * counts only once a result comes back for its id, so subqueries are not taken for queries.
 */
export async function captureQueries<T>(
  db: Db,
  work: (db: Db) => Promise<T>,
): Promise<{ queries: CompiledQuery<unknown>[]; result: T }> {
  const latest = new Map<string, { node: RootOperationNode; queryId: QueryId }>();
  const sent: { node: RootOperationNode; queryId: QueryId }[] = [];
  const recorder: KyselyPlugin = {
    transformQuery(args) {
      latest.set(args.queryId.queryId, { node: args.node, queryId: args.queryId });
      return args.node;
    },
    async transformResult(args) {
      const query = latest.get(args.queryId.queryId);
      if (query) sent.push(query);
      return args.result;
    },
  };
  const result = await work(db.withPlugin(recorder));
  return { queries: sent.map(({ node, queryId }) => db.getExecutor().compileQuery(node, queryId)), result };
}

export type SqlTiming = { runs: number; medianMs: number; perQueryMs: number[] };

/**
 * The queries run one after the other, as the request runs them, without HTTP nor rendering:
 * at least `minRuns` times, more while within `budgetMs`, up to `maxRuns`.
 */
export async function timeQueries(
  db: Db,
  queries: CompiledQuery<unknown>[],
  { minRuns = 3, maxRuns = 100, budgetMs = 1000 } = {},
): Promise<SqlTiming> {
  const totals: number[] = [];
  const each: number[][] = queries.map(() => []);
  const started = performance.now();
  while (totals.length < maxRuns && (totals.length < minRuns || performance.now() - started < budgetMs)) {
    let total = 0;
    for (const [i, query] of queries.entries()) {
      const t = performance.now();
      await db.executeQuery(query);
      const elapsed = performance.now() - t;
      each[i]!.push(elapsed);
      total += elapsed;
    }
    totals.push(total);
  }
  return { runs: totals.length, medianMs: median(totals), perQueryMs: each.map(median) };
}

export type Plan = {
  /** The plan's nodes in order, as `Index Scan using lieu_geo`, `Seq Scan on lieu`… */
  nodes: string[];
  indexes: string[];
  seqScans: string[];
};

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
};

function walk(node: PlanNode, plan: Plan): void {
  const type = node['Node Type'];
  const index = node['Index Name'];
  const relation = node['Relation Name'];
  plan.nodes.push(index ? `${type} using ${index}` : relation ? `${type} on ${relation}` : type);
  if (index) plan.indexes.push(index);
  if (type === 'Seq Scan' && relation) plan.seqScans.push(relation);
  for (const child of node.Plans ?? []) walk(child, plan);
}

const explainQuery = (query: CompiledQuery<unknown>, options: string) =>
  CompiledQuery.raw(`explain (${options}) ${query.sql}`, [...query.parameters]);

/** The planner's choice for a query, with the same parameters. */
export async function planOf(db: Db, query: CompiledQuery<unknown>): Promise<Plan> {
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>(explainQuery(query, 'format json'));
  const raw = rows[0]?.['QUERY PLAN'];
  const document = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const plan: Plan = { nodes: [], indexes: [], seqScans: [] };
  walk(document[0]!.Plan, plan);
  return plan;
}

/** EXPLAIN ANALYZE as text, to print a slow query's plan. */
export async function analyzedPlanText(db: Db, query: CompiledQuery<unknown>): Promise<string> {
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(explainQuery(query, 'analyze'));
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** "Seq Scan" when a query reads the whole `lieu` table, else the indexes it uses. */
export function planSummary(plan: Plan): string {
  if (plan.seqScans.includes('lieu')) return 'Seq Scan on lieu';
  if (plan.indexes.length > 0) return [...new Set(plan.indexes)].join('+');
  return plan.nodes[plan.nodes.length - 1] ?? '?';
}

// ---------------------------------------------------------------------------------------------
// Correctness guard: distance search

/** earthdistance's sphere (`earth()`), in kilometres. */
const EARTH_RADIUS_KM = 6378.168;
const RADIANS = Math.PI / 180;

/** Great-circle distance (haversine), in kilometres. */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RADIANS;
  const dLon = (lon2 - lon1) * RADIANS;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RADIANS) * Math.cos(lat2 * RADIANS) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export type NearestCheck = {
  points: number;
  neighbours: number;
  places: number;
  failures: string[];
  plan: Plan;
  planOk: boolean;
};

/** Where the guard looks from: mostly the mainland (sea included), a city, and overseas. */
function guardPoints(count: number): [number, number][] {
  const random = prng(20);
  const points: [number, number][] = [[45.76, 4.84]];
  const overseas: [number, number][] = [
    [16.2, -61.5],
    [14.64, -61.02],
    [4.9, -52.3],
    [-21.1, 55.5],
    [-12.8, 45.15],
  ];
  for (const [lat, lon] of overseas) points.push([lat + random() * 0.2 - 0.1, lon + random() * 0.2 - 0.1]);
  while (points.length < count) points.push([41.4 + random() * 9.7, -5.2 + random() * 14.8]);
  return points.map(([lat, lon]) => [Number(lat.toFixed(4)), Number(lon.toFixed(4))]);
}

type ApiPage = { items: { id: string; distance_km: number | null }[] };

/**
 * For each point, the API's nearest places must be the nearest by a brute-force great-circle
 * sort over every published place (equal distances may come in any order), with the distance
 * the API states; and the nearest query must walk the `lieu_geo` index, not scan the table.
 */
export async function checkNearest(
  db: Db,
  baseUrl: string,
  count = 20,
  neighbours = 10,
): Promise<NearestCheck> {
  const places = await db
    .selectFrom('lieu')
    .select(['id', 'latitude', 'longitude'])
    .where('status', '=', 'publie')
    .where('latitude', 'is not', null)
    .execute();
  const failures: string[] = [];
  const points = guardPoints(count);
  // A millimetre: float rounding between PostgreSQL's cube arithmetic and the haversine.
  const tolerance = 1e-6;

  for (const [lat, lon] of points) {
    const distances = new Map<string, number>();
    for (const p of places) distances.set(p.id, greatCircleKm(lat, lon, p.latitude!, p.longitude!));
    const expected = [...distances.values()].sort((a, b) => a - b).slice(0, neighbours);

    const response = await fetch(`${baseUrl}/api/v1/lieux?near=${lat},${lon}&limit=${neighbours}`);
    if (!response.ok) {
      failures.push(`near=${lat},${lon}: HTTP ${response.status}`);
      continue;
    }
    const { items } = (await response.json()) as ApiPage;
    if (items.length !== expected.length || new Set(items.map((i) => i.id)).size !== items.length) {
      failures.push(`near=${lat},${lon}: ${items.length} distinct places, ${expected.length} expected`);
      continue;
    }
    for (const [rank, item] of items.entries()) {
      const actual = distances.get(item.id);
      const wanted = expected[rank]!;
      if (actual === undefined || Math.abs(actual - wanted) > tolerance) {
        failures.push(
          `near=${lat},${lon}: #${rank + 1} is ${item.id} at ${actual?.toFixed(4) ?? '(not a published place)'} km,` +
            ` the ${rank + 1}th nearest is at ${wanted.toFixed(4)} km`,
        );
        break;
      }
      if (item.distance_km === null || Math.abs(item.distance_km - actual) > 0.006) {
        failures.push(`near=${lat},${lon}: ${item.id} stated at ${item.distance_km} km, is at ${actual} km`);
        break;
      }
    }
  }

  const { queries } = await captureQueries(db, (capturing) =>
    searchPlaces(capturing, searchOf('/?near=45.76,4.84&limit=10')),
  );
  const nearest = queries.find((q) => q.sql.includes('<->'));
  if (!nearest) throw new Error('bench: the nearest search sent no query ordered by distance (<->)');
  const plan = await planOf(db, nearest);
  const planOk = plan.indexes.includes('lieu_geo') && !plan.seqScans.includes('lieu');
  return { points: points.length, neighbours, places: places.length, failures, plan, planOk };
}
