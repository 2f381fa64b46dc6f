/**
 * The activities' part of `npm run bench`, opt-in: `npm run bench -- activites`.
 *
 * At the scale of an OPSN after three years (BENCH_ACTIVITES activities, 2 000 000 by default on
 * PostgreSQL, 200 000 on PGlite, over the 8 demo collectivités and 50 helpers), it measures:
 * recording a report through the API under 50 concurrent helpers (against the bare route);
 * a collectivité's and the OPSN's statistics over a year (against their bare SQL); the XLSX
 * and CSV exports of 100 000 rows; and what the secondary indexes of `activite` and
 * `participation` cost on write (10 000 reports inserted with them and without them).
 *
 * `run.ts` starts the app on a throwaway database and hands over its load machinery.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { type CompiledQuery, sql } from 'kysely';
import ts from 'typescript';
import {
  activitiesStream,
  EXPORT_PAGE,
  type ExportRow,
  exportRowStream,
  writeActivitiesXlsx,
} from '../src/modules/activites/index.ts';
import { DEMO_ACCOUNTS } from '../src/modules/comptes/index.ts';
import type { Helper } from '../src/modules/mediateurs/index.ts';
import {
  compactStatistics,
  computeStatistics,
  DISTINCT_SETTINGS,
  namedStatisticsQueries,
  type Period,
  publishedPresets,
  type QuerySettings,
  type RawStatistics,
  rebuildStatistics,
  type Scope,
  splitPeriod,
} from '../src/modules/statistiques/index.ts';
import { loadMemberships, openSession, SESSION_COOKIE } from '../src/platform/auth/sessions.ts';
import { createToken } from '../src/platform/auth/tokens.ts';
import { createUser } from '../src/platform/auth/users.ts';
import type { Db } from '../src/platform/db/database.ts';
import { parisToday } from '../src/platform/paris-time.ts';
import { buildApp } from '../test/helpers/cli.ts';
import {
  activitiesSql,
  beneficiariesSql,
  type GenerationShape,
  HELPER_TABLE,
  HELPERS_BY_COMMUNE,
} from './activites-data.ts';
import type { ExportJob } from './export-child.ts';
import { countingSink, SERVE_NODE_FLAGS, sampled } from './memory.ts';
import type { LoadJob, LoadResult, LoadSettings } from './run.ts';
import { median, percentile } from './stats.ts';

export type ActivitesBenchContext = {
  db: Db;
  kind: 'pglite' | 'postgres';
  baseUrl: string;
  barePath: string;
  measure(job: LoadJob): Promise<LoadResult>;
  progress(message: string): void;
  /** The throwaway database's URL (PostgreSQL): the exports run in processes of their own. */
  databaseUrl?: string | undefined;
};

/** `npm run bench -- activites` */
export const activitesRequested = (argv: readonly string[]) => argv.slice(2).includes('activites');

/** `npm run bench -- activites record`: the recording measurements alone (generation, then section 1). */
const recordOnly = (argv: readonly string[]) => argv.slice(2).includes('record');
/** `npm run bench -- activites statistiques`: the statistics alone (no recording, no exports). */
const statisticsOnly = (argv: readonly string[]) => argv.slice(2).includes('statistiques');

export function activitiesToGenerate(env: NodeJS.ProcessEnv, kind: 'pglite' | 'postgres'): number {
  const raw = env.BENCH_ACTIVITES;
  if (raw === undefined || raw === '') return kind === 'postgres' ? 2_000_000 : 200_000;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 10_000 || count > 5_000_000) {
    throw new Error(`BENCH_ACTIVITES must be a whole number from 10000 to 5000000, not « ${raw} »`);
  }
  return count;
}

/** Generation dominates: about 0.5 ms an activity on a slow machine, plus the measurements. */
export const activitesWatchdogMs = (count: number) => 600_000 + count * 0.6;

const HELPERS = 50;
/** Reports inserted with and without the secondary indexes. */
const WRITE_BATCH = 10_000;
const EXPORT_ROWS = 100_000;
const EXPORT_ROWS_LARGE = 1_000_000;
/** The design's memory budget of an export, whatever its size. */
const EXPORT_RSS_BUDGET_MB = 250;
const CHUNK = 200_000;
/** Concurrent helpers recording reports. */
const POST_LOAD: LoadSettings = { connections: 50, warmupSec: 1, durationSec: 5, timeoutSec: 30 };
/**
 * Reports per second from the 50 helpers together, with Poisson arrivals (`arrivals.ts`): each
 * helper sends one report at a time, at exponential gaps. `BENCH_POISSON_RATE` changes it.
 */
const POISSON_RATE = Number(process.env.BENCH_POISSON_RATE) || 200;
const POISSON_LOAD: LoadSettings = { connections: HELPERS, warmupSec: 2, durationSec: 10, timeoutSec: 30 };
/** Lone reports, one after the other: the latency of one request without any queue. */
const LONE_POSTS = 200;

const seconds = (since: number) => (performance.now() - since) / 1000;
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '—');
const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// Helpers, people, reports

type BenchHelper = { userId: string; collectiviteId: number; lieuId: string | null; token: string };

/** 50 helpers over the 8 demo collectivités, each with an API token and a place of theirs when there is one. */
async function createHelpers(db: Db): Promise<{ helpers: BenchHelper[]; communes: string[] }> {
  await HELPER_TABLE.execute(db);
  let h = 0;
  const communes = Object.keys(HELPERS_BY_COMMUNE);
  for (const code of communes) {
    const collectivite = await db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    const places = await db
      .selectFrom('lieu')
      .select(['id', 'code_insee'])
      .where('collectivite_id', '=', collectivite.id)
      .where('status', '=', 'publie')
      .orderBy('id')
      .execute();
    for (let i = 0; i < HELPERS_BY_COMMUNE[code]!; i++, h++) {
      const userId = await createUser(db, {
        email: `bench.mediateur.${h}@bench.relais.example`,
        name: `Médiateur ${h}`,
        memberships: [{ role: 'mediateur', collectiviteId: collectivite.id }],
      });
      const place = places.length > 0 ? places[i % places.length]! : null;
      if (place)
        await db.insertInto('mediateur_lieu').values({ user_id: userId, lieu_id: place.id }).execute();
      await sql`insert into bench_helper values (${h}, ${userId}::uuid, ${collectivite.id}, ${code},
        ${place?.id ?? null}::uuid, ${place?.code_insee ?? code})`.execute(db);
    }
  }
  return { helpers: await helperTokens(db), communes };
}

/** The helpers of `bench_helper`, each with a new API token (tokens are kept hashed only). */
async function helperTokens(db: Db): Promise<BenchHelper[]> {
  const { rows } = await sql<{ user_id: string; collectivite_id: number; lieu_id: string | null }>`
    select user_id, collectivite_id, lieu_id from bench_helper order by h`.execute(db);
  const helpers: BenchHelper[] = [];
  for (const row of rows) {
    const token = await createToken(db, row.user_id, 'bench');
    helpers.push({ userId: row.user_id, collectiviteId: row.collectivite_id, lieuId: row.lieu_id, token });
  }
  return helpers;
}

type IndexDef = { name: string; table: string; definition: string };

/** The secondary indexes of activite and participation (not those behind a constraint). */
async function secondaryIndexes(db: Db): Promise<IndexDef[]> {
  const { rows } = await sql<IndexDef>`
    select i.indexname as name, i.tablename as "table", i.indexdef as definition
    from pg_indexes i
    where i.schemaname = current_schema() and i.tablename in ('activite', 'participation')
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)
    order by i.tablename, i.indexname`.execute(db);
  return rows;
}

async function dropIndexes(db: Db, indexes: IndexDef[]): Promise<void> {
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(db);
}

/** Recreates the indexes, timing each (seconds by name). */
async function createIndexes(db: Db, indexes: IndexDef[]): Promise<Record<string, number>> {
  const built: Record<string, number> = {};
  for (const index of indexes) {
    const started = performance.now();
    await sql.raw(index.definition).execute(db);
    built[index.name] = round(seconds(started), 2);
  }
  return built;
}

type Sizes = Record<string, { rows: number; bytes: number }>;

async function relationSizes(db: Db, indexes: IndexDef[]): Promise<Sizes> {
  const sizes: Sizes = {};
  for (const table of ['activite', 'participation', 'beneficiaire']) {
    const { rows } = await sql<{ n: number; bytes: string }>`
      select (select count(*) from ${sql.table(table)})::int as n,
             pg_relation_size(${table}::regclass)::text as bytes`.execute(db);
    sizes[table] = { rows: rows[0]!.n, bytes: Number(rows[0]!.bytes) };
  }
  for (const name of [...indexes.map((i) => i.name), 'activite_pkey', 'participation_pkey']) {
    const { rows } = await sql<{ bytes: string }>`
      select pg_relation_size(${name}::regclass)::text as bytes`.execute(db);
    sizes[name] = { rows: 0, bytes: Number(rows[0]!.bytes) };
  }
  return sizes;
}

type Generation = {
  activities: number;
  participations: number;
  beneficiaries: number;
  beneficiariesSec: number;
  activitiesSec: number;
  indexesSec: Record<string, number>;
  countersSec: number;
  analyzeSec: number;
  totalSec: number;
  sizes: Sizes;
};

/** Everything generated straight in SQL, the secondary indexes built after the rows (as a bulk load does). */
async function generate(
  ctx: Pick<ActivitesBenchContext, 'db' | 'progress'>,
  count: number,
  shape: GenerationShape,
  indexes: IndexDef[],
): Promise<Generation> {
  const { db, progress } = ctx;
  const started = performance.now();
  await dropIndexes(db, indexes);
  // A bulk load: the statistics counters are recounted once at the end, as the indexes are built.
  await counterTriggers(db, false);
  let beneficiariesSec = 0;
  let activitiesSec = 0;
  // One connection: setseed makes the same data on every run.
  await db.connection().execute(async (conn) => {
    await sql`select setseed(0.2026)`.execute(conn);
    progress(`generating ${shape.perHelper * shape.helpers} people…`);
    let t = performance.now();
    await beneficiariesSql(shape.perHelper, Number(shape.today.slice(0, 4)), shape.communes).execute(conn);
    beneficiariesSec = seconds(t);
    t = performance.now();
    for (let from = 1; from <= count; from += CHUNK) {
      const to = Math.min(count, from + CHUNK - 1);
      progress(`generating activities ${from}–${to} of ${count}…`);
      await activitiesSql(from, to, shape).execute(conn);
    }
    activitiesSec = seconds(t);
  });
  progress('building the secondary indexes…');
  const indexesSec = await createIndexes(db, indexes);
  progress('recounting the statistics counters…');
  let t = performance.now();
  await rebuildStatistics(db);
  const countersSec = seconds(t);
  await counterTriggers(db, true);
  // What autovacuum does after such a load: statistics for the planner, and the visibility map
  // that lets the counters be read from their indexes alone.
  progress('VACUUM ANALYZE…');
  t = performance.now();
  await sql`vacuum analyze activite, participation, beneficiaire, stat_total, stat_personne, stat_premiere`.execute(
    db,
  );
  const analyzeSec = seconds(t);
  const sizes = await relationSizes(db, indexes);
  return {
    activities: sizes.activite!.rows,
    participations: sizes.participation!.rows,
    beneficiaries: sizes.beneficiaire!.rows,
    beneficiariesSec: round(beneficiariesSec),
    activitiesSec: round(activitiesSec),
    indexesSec,
    countersSec: round(countersSec, 2),
    analyzeSec: round(analyzeSec, 2),
    totalSec: round(seconds(started)),
    sizes,
  };
}

// ---------------------------------------------------------------------------------------------
// Recording under load

/** A valid individual anonymous report for each helper (the API's body), at their place when they have one. */
function postRequests(helpers: BenchHelper[], today: string) {
  return helpers.map((h, i) => ({
    method: 'POST',
    path: '/api/v1/activites',
    headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'individuel',
      date: today,
      duree_min: [30, 45, 60][i % 3],
      canal: h.lieuId ? 'lieu_activite' : 'distance',
      ...(h.lieuId ? { lieu_id: h.lieuId } : {}),
      materiels: ['telephone'],
      thematiques: ['aide_aux_demarches_administratives', 'email'],
      demarches: ['social_sante'],
      autonomie: 'partiellement_autonome',
      anonyme: { genre: i % 2 ? 'feminin' : 'masculin', tranche_age: 'de_60_a_69', statut: 'retraite' },
    }),
  }));
}

function postJob(ctx: ActivitesBenchContext, helpers: BenchHelper[], today: string): LoadJob {
  const requests = postRequests(helpers, today);
  const first = requests[0]!;
  return {
    url: ctx.baseUrl + first.path,
    method: 'POST',
    headers: first.headers,
    body: first.body,
    requests,
    ...POST_LOAD,
  };
}

/** `count` requests one after the other (the helpers' reports in turn, or `path` with GET): their latency alone. */
async function lonePosts(
  ctx: ActivitesBenchContext,
  helpers: BenchHelper[],
  today: string,
  count: number,
  path?: string,
): Promise<{ p50: number; p95: number }> {
  const requests = postRequests(helpers, today);
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const request = requests[i % requests.length]!;
    const started = performance.now();
    const response = path
      ? await fetch(ctx.baseUrl + path)
      : await fetch(ctx.baseUrl + request.path, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
  }
  return { p50: median(latencies), p95: percentile(latencies, 95) };
}

/** Checks one report goes through before loading: a refusal would measure the 400 path. */
async function checkPost(ctx: ActivitesBenchContext, helpers: BenchHelper[], today: string): Promise<void> {
  for (const request of postRequests(helpers, today).slice(0, 2)) {
    const response = await fetch(ctx.baseUrl + request.path, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    if (response.status !== 201)
      throw new Error(`bench: POST /api/v1/activites answered ${response.status}: ${await response.text()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics

type SqlTimes = { runs: number; sumMs: number; perQueryMs: number[]; names: string[] };

/** The aggregates of a view run bare one after the other on one connection, with the service's settings. */
async function timeStatisticsSql(
  db: Db,
  queries: CompiledQuery<unknown>[],
  names: string[],
  settings: (QuerySettings | undefined)[] = [],
  minRuns = 3,
) {
  const each: number[][] = queries.map(() => []);
  const totals: number[] = [];
  await db.connection().execute(async (conn) => {
    await sql`select set_config('jit', 'off', false), set_config('work_mem', '32MB', false)`.execute(conn);
    const started = performance.now();
    while (totals.length < minRuns || (performance.now() - started < 8000 && totals.length < 20)) {
      let total = 0;
      for (const [i, query] of queries.entries()) {
        await applySettings(conn, settings[i]);
        const t = performance.now();
        await conn.executeQuery(query);
        const elapsed = performance.now() - t;
        await applySettings(conn, settings[i], true);
        each[i]!.push(elapsed);
        total += elapsed;
      }
      totals.push(total);
    }
    await sql`reset jit; reset work_mem`.execute(conn).catch(() => undefined);
  });
  return {
    runs: totals.length,
    sumMs: median(totals),
    perQueryMs: each.map(median),
    names,
  } satisfies SqlTimes;
}

/** A query's own planner settings (as the service gives it), or back to the defaults. */
async function applySettings(conn: Db, settings: QuerySettings | undefined, reset = false): Promise<void> {
  for (const [name, value] of Object.entries(settings ?? {}))
    await (reset ? sql`reset ${sql.id(name)}` : sql`select set_config(${name}, ${value}, false)`).execute(
      conn,
    );
}

async function explain(
  db: Db,
  query: CompiledQuery<unknown>,
  kind: 'pglite' | 'postgres',
  settings?: QuerySettings,
): Promise<string> {
  return db.connection().execute(async (conn) => {
    await sql`select set_config('jit', 'off', false), set_config('work_mem', '32MB', false)`.execute(conn);
    await applySettings(conn, settings);
    const options = kind === 'postgres' ? 'analyze, buffers' : 'analyze';
    const { rows } = await conn.executeQuery<{ 'QUERY PLAN': string }>({
      ...query,
      sql: `explain (${options}) ${query.sql}`,
    });
    await applySettings(conn, settings, true);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/** Sequential GETs (one warm-up first): the latency of a page alone. */
async function sequential(url: string, cookie: string, count: number) {
  const latencies: number[] = [];
  let bytes = 0;
  for (let i = 0; i <= count; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers: { cookie, 'accept-encoding': 'gzip, br' } });
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`bench: ${url} answered ${response.status}`);
    if (i > 0) latencies.push(performance.now() - started);
    bytes = body.byteLength;
  }
  return { p50: median(latencies), max: Math.max(...latencies), count: latencies.length, bytes };
}

async function sessionCookie(db: Db, email: string): Promise<string> {
  const user = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return `${SESSION_COOKIE}=${await openSession(db, user.id)}`;
}

function compiledStatistics(db: Db, scope: Scope, period: Period) {
  const named = namedStatisticsQueries(scope, period);
  return {
    names: named.map((q) => q.name),
    queries: named.map((q) => q.query.compile(db)) as CompiledQuery<unknown>[],
    settings: named.map((q) => q.settings),
  };
}

/**
 * The distinct people as they were read before `stat_distinct` (the set of a scope's
 * people-months, then their first participations): the same numbers, for comparison.
 */
function peopleFromMonthsSql(scope: Scope, period: Period) {
  const scoped = scope.kind === 'collectivite' ? sql`collectivite_id = ${scope.id} and` : sql``;
  return sql<{ personnes: number; nouvelles: number }>`
    with s as materialized (
      select distinct beneficiaire_id from stat_personne
      where ${scoped} mois between ${period.du}::date and ${period.au}::date)
    select (select count(*) from s)::int as personnes,
           (select count(*) from stat_premiere f
            where f.premiere between ${period.du}::date and ${period.au}::date
              and f.beneficiaire_id in (select beneficiaire_id from s))::int as nouvelles`;
}

/** The people-months query timed bare, and whether it finds the numbers the service showed. */
async function measurePeopleFromMonths(db: Db, scope: Scope, period: Period, raw: RawStatistics) {
  const query = peopleFromMonthsSql(scope, period).compile(db) as CompiledQuery<unknown>;
  const times = await timeStatisticsSql(db, [query], ['people-months'], [DISTINCT_SETTINGS]);
  const { rows } = await db.executeQuery<{ personnes: number; nouvelles: number }>(query);
  const same = rows[0]?.personnes === raw.personnes && rows[0]?.nouvelles === raw.nouvelles;
  if (!same)
    throw new Error(
      `bench: the distinct people's counters give ${raw.personnes}/${raw.nouvelles}, ` +
        `the people-months ${rows[0]?.personnes}/${rows[0]?.nouvelles}`,
    );
  return { ms: times.sumMs, personnes: raw.personnes, nouvelles: raw.nouvelles };
}

type StatisticsReport = {
  scope: string;
  path: string;
  period: Period;
  activities: number;
  participations: number;
  single: { p50: number; max: number; count: number; bytes: number };
  bareSingle: { p50: number };
  loaded: LoadResult | null;
  bareLoaded: LoadResult | null;
  service: { medianMs: number; runs: number };
  sql: SqlTimes;
  slowest: { name: string; ms: number; plan: string };
  /** Whole months only: the distinct people read as before stat_distinct. */
  peopleMonths: { ms: number; personnes: number; nouvelles: number } | null;
};

async function measureStatistics(
  ctx: ActivitesBenchContext,
  scope: Scope,
  path: string,
  cookie: string,
  period: Period,
  loaded: boolean,
): Promise<StatisticsReport> {
  const { db, progress } = ctx;
  const url = `${ctx.baseUrl}${path}?du=${period.du}&au=${period.au}`;
  progress(`statistics ${path}: bare SQL…`);
  const { names, queries, settings } = compiledStatistics(db, scope, period);
  const sqlTimes = await timeStatisticsSql(db, queries, names, settings);
  progress(`statistics ${path}: computeStatistics (its queries in parallel, as the page)…`);
  const serviceRuns: number[] = [];
  let raw = await computeStatistics(db, scope, period);
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    raw = await computeStatistics(db, scope, period);
    serviceRuns.push(performance.now() - t);
  }
  progress(`statistics ${path}: over HTTP, one request at a time…`);
  const single = await sequential(url, cookie, 15);
  // The bare route just before, for ratios (this machine is shared).
  const bareSingle = await sequential(ctx.baseUrl + ctx.barePath, '', 15);
  let load: LoadResult | null = null;
  let bareLoad: LoadResult | null = null;
  if (loaded) {
    const durationSec = Math.min(30, Math.max(5, Math.ceil((single.p50 / 1000) * 3) + 2));
    progress(`statistics ${path}: under 10 connections for ${durationSec} s, and the bare route…`);
    const job = { connections: 10, warmupSec: 0, durationSec, timeoutSec: 120 };
    load = await ctx.measure({ url, headers: { cookie, 'accept-encoding': 'gzip, br' }, ...job });
    bareLoad = await ctx.measure({ url: ctx.baseUrl + ctx.barePath, headers: {}, ...job });
  }
  const peopleMonths =
    splitPeriod(period).edges.length === 0 ? await measurePeopleFromMonths(db, scope, period, raw) : null;
  const slowestIndex = sqlTimes.perQueryMs.indexOf(Math.max(...sqlTimes.perQueryMs));
  progress(`statistics ${path}: EXPLAIN of its slowest query…`);
  const plan = await explain(db, queries[slowestIndex]!, ctx.kind, settings[slowestIndex]);
  return {
    scope: scope.kind,
    path,
    period,
    activities: raw.activites,
    participations: raw.accompagnements,
    single,
    bareSingle,
    loaded: load,
    bareLoaded: bareLoad,
    service: { medianMs: median(serviceRuns), runs: serviceRuns.length },
    sql: sqlTimes,
    peopleMonths,
    slowest: {
      name: names[slowestIndex]!,
      ms: sqlTimes.perQueryMs[slowestIndex]!,
      plan: `${queries[slowestIndex]!.sql}\nparameters: ${JSON.stringify(queries[slowestIndex]!.parameters)}\n${plan}`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Exports

type StreamedExport = {
  format: 'xlsx' | 'csv';
  /** `own`: a process doing the export alone (PostgreSQL); `bench`: the bench's (PGlite). */
  process: 'own' | 'bench';
  rows: number;
  sec: number;
  bytes: number;
  /** Process RSS before the export, and its peak while the export ran (sampled every 20 ms). */
  rssBeforeMb: number;
  /** Own process: its RSS before the app's modules were loaded (Node alone). */
  rssAtStartMb?: number;
  /** The RSS's peak in each tenth of the export. */
  rssSamplesMb: number[];
  rssPeakMb: number;
  heapPeakMb: number;
};
type ExportReport = { helpers: number; runs: StreamedExport[] };

/**
 * The export rows of the busiest helpers one after the other (each helper's own export, read
 * page by page as the route reads it), up to `limit` rows: one stream, never in memory whole.
 */
async function* helpersRows(db: Db, helpers: Helper[], limit: number): AsyncGenerator<ExportRow> {
  let left = limit;
  for (const helper of helpers) {
    for await (const row of exportRowStream(db, helper, {})) {
      if (left-- <= 0) return;
      yield row;
    }
  }
}

/**
 * `export-child.ts` and the `memory.ts` it uses, compiled to JavaScript in a folder of their
 * own: run as TypeScript, Node would load its type stripper (18 MB of RSS) into a process that
 * stands for a server, which holds no TypeScript machinery.
 */
function compiledExportChild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'relais-export-child-'));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
  for (const name of ['export-child', 'memory']) {
    const source = readFileSync(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2024,
        verbatimModuleSyntax: true,
        rewriteRelativeImportExtensions: true,
      },
    });
    writeFileSync(path.join(dir, `${name}.js`), outputText);
  }
  return path.join(dir, 'export-child.js');
}

/** One export in a process of its own (`export-child.ts`): its RSS is the export's alone. */
async function exportInChild(
  script: string,
  job: ExportJob,
): Promise<Omit<StreamedExport, 'format' | 'process'>> {
  const child = spawn(
    process.execPath,
    // The V8 flags a server runs with (`deploy/relais@.service`, `npm start`).
    [...SERVE_NODE_FLAGS, script],
    { env: { ...process.env, EXPORT_JOB: JSON.stringify(job) }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = out.split('\n').find((l) => l.startsWith('EXPORT_RESULT '));
  if (code !== 0 || !line) throw new Error(`bench: the export process ended with ${code}: ${out}`);
  const r = JSON.parse(line.slice('EXPORT_RESULT '.length)) as {
    rows: number;
    sec: number;
    bytes: number;
    rssAtStart: number;
    rssBefore: number;
    rssPeak: number;
    heapPeak: number;
    rssSamples: number[];
  };
  return {
    rows: r.rows,
    sec: round(r.sec, 2),
    bytes: r.bytes,
    rssAtStartMb: Math.round(r.rssAtStart / 1e6),
    rssBeforeMb: Math.round(r.rssBefore / 1e6),
    rssPeakMb: Math.round(r.rssPeak / 1e6),
    heapPeakMb: Math.round(r.heapPeak / 1e6),
    rssSamplesMb: r.rssSamples,
  };
}

/** The same in the bench's process (PGlite: its one connection is this process's). */
async function exportHere(
  db: Db,
  helpers: Helper[],
  format: 'xlsx' | 'csv',
  limit: number,
): Promise<Omit<StreamedExport, 'format' | 'process'>> {
  const rssBefore = process.memoryUsage().rss;
  const { sink, bytes } = countingSink();
  let rows = 0;
  const counted = async function* () {
    for await (const row of helpersRows(db, helpers, limit)) {
      rows++;
      yield row;
    }
  };
  const t = performance.now();
  const { rssPeak, heapPeak, rssSamples } = await sampled(async () => {
    if (format === 'xlsx') await writeActivitiesXlsx(counted(), sink);
    else await pipeline(activitiesStream('csv', counted()), sink);
  });
  return {
    rows,
    sec: round(seconds(t), 2),
    bytes: bytes(),
    rssBeforeMb: Math.round(rssBefore / 1e6),
    rssPeakMb: Math.round(rssPeak / 1e6),
    heapPeakMb: Math.round(heapPeak / 1e6),
    rssSamplesMb: rssSamples,
  };
}

/**
 * The activity exports streamed from the database as the route streams them (keyset pages of
 * the busiest helpers' reports), written to a counting sink: XLSX and CSV of 100 000 rows,
 * and CSV of 1 000 000 (fewer when the generated data has fewer participations), with the
 * process's RSS sampled during each.
 */
async function measureExport(ctx: ActivitesBenchContext, helpers: BenchHelper[]): Promise<ExportReport> {
  const { db, progress } = ctx;
  const { rows: busiest } = await sql<{ mediateur_id: string; n: number }>`
    select a.mediateur_id, count(*)::int as n from participation p join activite a on a.id = p.activite_id
    where a.mediateur_id = any(${helpers.map((h) => h.userId)}::uuid[])
    group by a.mediateur_id order by n desc`.execute(db);
  const ordered: Helper[] = [];
  for (const { mediateur_id } of busiest) {
    const bench = helpers.find((h) => h.userId === mediateur_id)!;
    const memberships = await loadMemberships(db, bench.userId);
    ordered.push({
      actor: {
        kind: 'user',
        userId: bench.userId,
        email: 'bench',
        name: 'bench',
        memberships,
        activeCollectiviteId: bench.collectiviteId,
      },
      userId: bench.userId,
      collectiviteId: bench.collectiviteId,
    });
  }
  const available = busiest.reduce((sum, b) => sum + b.n, 0);
  // Each export process runs the build, as a server does (`deploy/relais@.service`).
  const build = new URL('../dist/', import.meta.url).href;
  let script: string | undefined;
  if (ctx.databaseUrl) {
    await buildApp();
    script = compiledExportChild();
  }
  const runs: StreamedExport[] = [];
  for (const [format, wanted] of [
    ['xlsx', EXPORT_ROWS],
    ['csv', EXPORT_ROWS],
    ['csv', EXPORT_ROWS_LARGE],
  ] as const) {
    const limit = Math.min(wanted, available);
    progress(`streaming the ${format.toUpperCase()} export of ${limit} rows…`);
    const measured =
      ctx.databaseUrl && script
        ? await exportInChild(script, {
            databaseUrl: ctx.databaseUrl,
            format,
            limit,
            helpers: ordered,
            build,
          })
        : await exportHere(db, ordered, format, limit);
    runs.push({ format, process: script ? 'own' : 'bench', ...measured });
  }
  if (script) rmSync(path.dirname(script), { recursive: true, force: true });
  return { helpers: ordered.length, runs };
}

// ---------------------------------------------------------------------------------------------
// Main

/** CPU milliseconds used so far by the database's server processes (from `/proc`: the server on this machine). */
async function databaseCpuMs(db: Db): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database()`.execute(db);
  const used = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // utime and stime, the 14th and 15th fields, counted after the command's closing parenthesis.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      used.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {}
  }
  return used;
}

type CpuPerRequest = { appMs: number; databaseMs: number };

/**
 * Runs a load and measures the CPU time each answer costs: in this process (the app, and the
 * load generator's thread) and in the database's server processes. Unlike throughput, CPU time
 * hardly depends on what else the machine runs: on 2 quiet cores, about 2 000 / (app + database)
 * requests per second at most, and 1 000 / app for the app's one thread.
 */
async function withCpu(
  ctx: ActivitesBenchContext,
  job: LoadJob,
): Promise<LoadResult & { cpu?: CpuPerRequest }> {
  if (ctx.kind !== 'postgres') return ctx.measure(job);
  const appBefore = process.cpuUsage();
  const dbBefore = await databaseCpuMs(ctx.db);
  const result = await ctx.measure(job);
  const app = process.cpuUsage(appBefore);
  const dbAfter = await databaseCpuMs(ctx.db);
  let databaseMs = 0;
  for (const [pid, used] of dbAfter) databaseMs += used - (dbBefore.get(pid) ?? 0);
  // The warm-up's answers cost CPU too: count them at the measured rate.
  const answers = result.rps * (job.warmupSec + job.durationSec);
  return {
    ...result,
    cpu: {
      appMs: round((app.user + app.system) / 1000 / answers, 3),
      databaseMs: round(databaseMs / answers, 3),
    },
  };
}

const cpuLine = (r: { cpu?: CpuPerRequest }) =>
  r.cpu ? `  CPU per answer: app ${ms3(r.cpu.appMs)} ms, database ${ms3(r.cpu.databaseMs)} ms` : '';
const ms3 = (value: number) => value.toFixed(3);

function loadLine(name: string, r: LoadResult, bare: LoadResult): string {
  return (
    `  ${name.padEnd(34)} ${Math.round(r.rps).toString().padStart(6)} req/s (${times(r.rps / bare.rps)} bare)` +
    `  p50 ${ms(r.latencyMs.p50)} ms  p95 ${ms(r.latencyMs.p95)} ms (${times(r.latencyMs.p95 / bare.latencyMs.p95)} bare)` +
    `  p99 ${ms(r.latencyMs.p99)} ms  non-2xx ${r.non2xx}  errors ${r.errors + r.timeouts}`
  );
}

/**
 * The distinct people of a period with days at its ends as they were read before (the set of
 * the scope's people-months and of the edge days' participations): for comparison.
 */
function peopleWithEdgesBeforeSql(scope: Scope, period: Period) {
  const { months, edges } = splitPeriod(period);
  const scoped = scope.kind === 'collectivite' ? sql`collectivite_id = ${scope.id} and` : sql``;
  const sources = [
    ...(months
      ? [
          sql`select beneficiaire_id from stat_personne
              where ${scoped} mois between ${months.du}::date and ${months.au}::date`,
        ]
      : []),
    ...edges.map(
      (edge) => sql`select beneficiaire_id from participation
        where ${scoped} date between ${edge.du}::date and ${edge.au}::date and beneficiaire_id is not null`,
    ),
  ];
  return sql<{ personnes: number; nouvelles: number }>`
    with s as materialized (select distinct beneficiaire_id from (${sql.join(sources, sql` union all `)}) u)
    select (select count(*) from s)::int as personnes,
           (select count(*) from stat_premiere f
            where f.premiere between ${period.du}::date and ${period.au}::date
              and f.beneficiaire_id in (select beneficiaire_id from s))::int as nouvelles`;
}

type EdgePeriodReport = {
  scope: string;
  period: Period;
  personnes: number;
  nouvelles: number;
  distinctMs: number;
  beforeMs: number;
  serviceMs: number;
};

/**
 * The network's roadmap asks for periods from a month's first day to today: their distinct
 * people from the counters and the edge days (now), against the people-months set (before),
 * both bare, and `computeStatistics` whole; the bench stops if the numbers differ.
 */
async function measureEdgePeriod(db: Db, scope: Scope, period: Period): Promise<EdgePeriodReport> {
  const named = namedStatisticsQueries(scope, period);
  const distinct = named.find((q) => q.name === 'distinct')!;
  const now = distinct.query.compile(db) as CompiledQuery<unknown>;
  const before = peopleWithEdgesBeforeSql(scope, period).compile(db) as CompiledQuery<unknown>;
  const times = await timeStatisticsSql(
    db,
    [now, before],
    ['distinct', 'before'],
    [distinct.settings, DISTINCT_SETTINGS],
  );
  const [a] = (await db.executeQuery<{ personnes: number; nouvelles: number }>(now)).rows;
  const [b] = (await db.executeQuery<{ personnes: number; nouvelles: number }>(before)).rows;
  if (a?.personnes !== b?.personnes || a?.nouvelles !== b?.nouvelles)
    throw new Error(
      `bench: ${scope.kind} ${period.du}..${period.au}: ${JSON.stringify(a)} now, ${JSON.stringify(b)} before`,
    );
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await computeStatistics(db, scope, period);
    runs.push(performance.now() - t);
  }
  return {
    scope: scope.kind,
    period,
    personnes: a!.personnes,
    nouvelles: a!.nouvelles,
    distinctMs: round(times.perQueryMs[0]!, 2),
    beforeMs: round(times.perQueryMs[1]!, 2),
    serviceMs: round(median(runs), 2),
  };
}

function printEdgePeriod(r: EdgePeriodReport): void {
  console.log(
    `  ${r.scope.padEnd(12)} ${r.period.du} … ${r.period.au}: ${r.personnes} people (${r.nouvelles} new); ` +
      `distinct people ${ms(r.distinctMs)} ms from the counters and the edge days, ${ms(r.beforeMs)} ms from ` +
      `the people-months (${times(r.beforeMs / r.distinctMs)}); computeStatistics p50 ${ms(r.serviceMs)} ms`,
  );
}

function printStatistics(s: StatisticsReport): void {
  console.log(
    `\n${s.path} over ${s.period.du} … ${s.period.au}: ${s.activities} activities, ${s.participations} participations`,
  );
  console.log(
    `  bare SQL, the ${s.sql.names.length} aggregates one after the other (median of ${s.sql.runs}): ${ms(s.sql.sumMs)} ms = ` +
      s.sql.names.map((n, i) => `${n} ${ms(s.sql.perQueryMs[i]!)}`).join(' + '),
  );
  if (s.peopleMonths)
    console.log(
      `  distinct people (${s.peopleMonths.personnes}, of them ${s.peopleMonths.nouvelles} new) from stat_distinct: ` +
        `${ms(s.sql.perQueryMs[s.sql.names.indexOf('distinct')]!)} ms; the same from the set of people-months ` +
        `(as before stat_distinct): ${ms(s.peopleMonths.ms)} ms`,
    );
  console.log(
    `  computeStatistics (queries in parallel + folding): ${ms(s.service.medianMs)} ms ` +
      `(${times(s.service.medianMs / s.sql.sumMs)} the bare SQL)`,
  );
  console.log(
    `  HTTP one at a time: p50 ${ms(s.single.p50)} ms, max ${ms(s.single.max)} ms over ${s.single.count} ` +
      `(${times(s.single.p50 / s.sql.sumMs)} the bare SQL; page ${(s.single.bytes / 1000).toFixed(1)} KB); ` +
      `bare route p50 ${ms(s.bareSingle.p50)} ms`,
  );
  if (s.loaded) {
    const l = s.loaded.latencyMs;
    console.log(
      `  HTTP under 10 connections: ${s.loaded.rps.toFixed(2)} req/s, p50 ${ms(l.p50)} ms, p95 ${ms(l.p95)} ms ` +
        `(${times(l.p50 / s.sql.sumMs)} the bare SQL at p50), ${s.loaded.requests} answers, non-2xx ${s.loaded.non2xx}` +
        (s.bareLoaded
          ? `; the bare route ${Math.round(s.bareLoaded.rps)} req/s (${times(s.loaded.rps / s.bareLoaded.rps)})`
          : ''),
    );
  }
}

/** How many counters the recount made. */
export async function counterRows(db: Db) {
  const count = async (table: 'stat_total' | 'stat_personne' | 'stat_premiere') =>
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  return {
    totals: await count('stat_total'),
    people: await count('stat_personne'),
    first: await count('stat_premiere'),
  };
}

/** Turns the statistics counters' triggers (the only user triggers of these tables) off or back on. */
async function counterTriggers(db: Db, enabled: boolean): Promise<void> {
  const verb = sql.raw(enabled ? 'enable' : 'disable');
  for (const table of ['activite', 'participation'])
    await sql`alter table ${sql.id(table)} ${verb} trigger user`.execute(db);
}

/**
 * The 50 helpers, then `count` activities over 3 years up to `today` with their people and
 * participations, the statistics counters off during the load and recounted after it
 * (`rebuildStatistics`), then ANALYZE. The helpers take the collectivités' published places.
 */
export async function loadActivities(
  ctx: Pick<ActivitesBenchContext, 'db' | 'progress'>,
  count: number,
  today: string,
) {
  const reused = await generatedActivities(ctx.db, count);
  if (reused) {
    ctx.progress(
      `reusing the ${count} activities generated on ${reused.shape.today}; new tokens for the helpers…`,
    );
    return {
      ...reused,
      helpers: await helperTokens(ctx.db),
      indexes: await secondaryIndexes(ctx.db),
    };
  }
  ctx.progress('creating 50 helpers and their tokens…');
  const { helpers, communes } = await createHelpers(ctx.db);
  const shape: GenerationShape = {
    helpers: HELPERS,
    perHelper: Math.max(10, Math.round(count / 8 / HELPERS)),
    today,
    days: 3 * 365,
    communes,
    activities: count,
    layout: 'chronological',
  };
  const indexes = await secondaryIndexes(ctx.db);
  const generation = await generate(ctx, count, shape, indexes);
  await sql`create table bench_generation (activities integer primary key, shape jsonb not null, generation jsonb not null)`.execute(
    ctx.db,
  );
  await sql`insert into bench_generation values (${count}, ${JSON.stringify(shape)}::jsonb,
    ${JSON.stringify(generation)}::jsonb)`.execute(ctx.db);
  return { helpers, shape, indexes, generation, reused: false };
}

/**
 * What a copy of a kept database (`reuseActivitiesDatabase` in run.ts) already holds: the
 * generated activities of a previous run, with how they were made and how long that took.
 */
async function generatedActivities(
  db: Db,
  count: number,
): Promise<{ shape: GenerationShape; generation: Generation; reused: true } | undefined> {
  const { rows } = await sql<{ exists: boolean }>`
    select to_regclass('bench_generation') is not null as exists`.execute(db);
  if (!rows[0]?.exists) return undefined;
  const found = await sql<{ shape: GenerationShape; generation: Generation }>`
    select shape, generation from bench_generation where activities = ${count}`.execute(db);
  const row = found.rows[0];
  if (!row) throw new Error(`bench: the kept database does not hold ${count} generated activities`);
  // Migrations added since the copy was made may have new tables to analyze.
  await sql`analyze`.execute(db);
  return { ...row, reused: true };
}

/** The exports' memory, printed (section 3 of the bench, or alone with `exports`). */
async function measureAndPrintExports(
  ctx: ActivitesBenchContext,
  helpers: BenchHelper[],
): Promise<ExportReport> {
  const exported = await measureExport(ctx, helpers);
  console.log(
    `\nExports streamed from the database (keyset pages of ${EXPORT_PAGE} reports, the busiest helpers' ` +
      `exports one after the other), each in a process of its own on PostgreSQL, RSS sampled every 20 ms ` +
      `during each (budget ${EXPORT_RSS_BUDGET_MB} MB):`,
  );
  for (const run of exported.runs)
    console.log(
      `  ${run.format.toUpperCase().padEnd(4)} ${String(run.rows).padStart(8)} rows: ${run.sec} s, ${mb(run.bytes)}; ` +
        (run.rssAtStartMb === undefined
          ? ''
          : `RSS ${run.rssAtStartMb} MB at the process's start (Node alone), `) +
        `RSS ${run.rssBeforeMb} MB before, peak ${run.rssPeakMb} MB during` +
        ` (${run.rssPeakMb <= EXPORT_RSS_BUDGET_MB ? 'within' : 'OVER'} the budget); heap peak ${run.heapPeakMb} MB` +
        (run.process === 'bench' ? ' (in the bench’s own process, which holds the app)' : '') +
        `\n       RSS over the export, by tenths (MB): ${run.rssSamplesMb.join(' ')}`,
    );
  return exported;
}

/** Section 2: statistics over the published year, and over the roadmap's periods up to today. */
async function measureAndPrintStatistics(ctx: ActivitesBenchContext, today: string) {
  const { db } = ctx;
  // 2. Statistics over a year.
  // The period the pages of a collectivité and of the OPSN open on: the 12 last complete months
  // (outside a helper's own view, periods are whole months: published-period.ts).
  const period = publishedPresets(today)[0]!.period;
  const villeurbanne = await db
    .selectFrom('collectivite')
    .select(['id', 'name'])
    .where('code', '=', '69266')
    .executeTakeFirstOrThrow();
  const coordinator = await sessionCookie(db, DEMO_ACCOUNTS[1].email);
  const admin = await sessionCookie(db, DEMO_ACCOUNTS[0].email);
  const collectivite = await measureStatistics(
    ctx,
    { kind: 'collectivite', id: villeurbanne.id, name: villeurbanne.name },
    `/statistiques/collectivites/${villeurbanne.id}`,
    coordinator,
    period,
    true,
  );
  const opsn = await measureStatistics(
    ctx,
    { kind: 'opsn', name: 'OPSN' },
    '/statistiques/opsn',
    admin,
    period,
    false,
  );
  printStatistics(collectivite);
  printStatistics(opsn);
  for (const s of [collectivite, opsn]) {
    console.log(`\nSlowest query of ${s.path}: ${s.slowest.name}, ${ms(s.slowest.ms)} ms`);
    console.log(s.slowest.plan.replace(/^/gm, '    '));
  }

  const yearStart = `${today.slice(0, 4)}-01-01`;
  const edgePeriod = {
    du: today.endsWith('-01') ? `${Number(today.slice(0, 4)) - 1}-01-01` : yearStart,
    au: today,
  };
  ctx.progress(`statistics over ${edgePeriod.du} … ${edgePeriod.au} (the roadmap's: up to today)…`);
  const edges = [
    await measureEdgePeriod(
      db,
      { kind: 'collectivite', id: villeurbanne.id, name: villeurbanne.name },
      edgePeriod,
    ),
    await measureEdgePeriod(db, { kind: 'opsn', name: 'OPSN' }, edgePeriod),
  ];
  console.log(
    '\nA period from a month’s first day to today (the network’s roadmap), bare SQL one at a time:',
  );
  for (const r of edges) printEdgePeriod(r);
  return { collectivite, opsn, edges };
}

export async function runActivitesBench(ctx: ActivitesBenchContext): Promise<void> {
  const { db, progress } = ctx;
  const started = performance.now();
  const count = activitiesToGenerate(process.env, ctx.kind);
  const today = parisToday();
  console.log(
    `Relais bench, activities: ${ctx.kind === 'postgres' ? 'PostgreSQL server' : 'PGlite (embedded)'}, ` +
      `Node ${process.version}, ${count} generated activities over 3 years, 8 collectivités, ${HELPERS} helpers\n`,
  );

  const { helpers, shape, indexes, generation, reused } = await loadActivities(ctx, count, today);
  const size = (name: string) => mb(generation.sizes[name]?.bytes ?? 0);
  const counters = await counterRows(db);
  console.log(
    `Generation (SQL, secondary indexes built after the rows): ${generation.totalSec} s in all` +
      (reused ? ` (on ${shape.today}; this run works on a copy of the kept database)\n` : '\n') +
      `  ${generation.beneficiaries} people in ${generation.beneficiariesSec} s; ${generation.activities} activities ` +
      `and ${generation.participations} participations in ${generation.activitiesSec} s ` +
      `(${Math.round(generation.activities / generation.activitiesSec)} activities/s)\n` +
      `  index builds: ${Object.entries(generation.indexesSec)
        .map(([n, s]) => `${n} ${s} s`)
        .join(', ')}; VACUUM ANALYZE ${generation.analyzeSec} s\n` +
      `  sizes: activite ${size('activite')}, participation ${size('participation')}, beneficiaire ${size('beneficiaire')}; ` +
      `indexes ${[...indexes.map((i) => i.name), 'activite_pkey', 'participation_pkey']
        .map((n) => `${n} ${size(n)}`)
        .join(', ')}\n` +
      `  statistics counters recounted after the load in ${generation.countersSec} s: ${counters.totals} monthly ` +
      `counters, ${counters.people} people-months, ${counters.first} first participations`,
  );

  // `npm run bench -- activites exports`: the generated data, then the exports alone.
  if (process.argv.slice(2).includes('exports')) {
    const exported = await measureAndPrintExports(ctx, helpers);
    console.log(`\nBENCH_ACTIVITES_EXPORTS_JSON ${JSON.stringify(exported)}`);
    return;
  }

  if (statisticsOnly(process.argv)) {
    const { edges } = await measureAndPrintStatistics(ctx, today);
    console.log(
      `\nBENCH_ACTIVITES_JSON ${JSON.stringify({ db: ctx.kind, activities: generation.activities, edges })}`,
    );
    return;
  }

  // 1. Recording under 50 concurrent helpers.
  await checkPost(ctx, helpers, today);
  progress('bare route under 50 connections…');
  const bare = await withCpu(ctx, { url: ctx.baseUrl + ctx.barePath, headers: {}, ...POST_LOAD });
  progress('POST /api/v1/activites under 50 connections (50 helpers, distinct tokens)…');
  const post = await withCpu(ctx, postJob(ctx, helpers, today));
  // The 50 helpers recording at a steady pace with Poisson arrivals: latency is then the
  // service time plus the queueing that real arrivals cause, not the queue a saturated closed
  // loop builds (latency = connections / throughput).
  progress(`POST /api/v1/activites, ${HELPERS} helpers, Poisson arrivals at ${POISSON_RATE} reports/s…`);
  const steady = await ctx.measure({
    ...postJob(ctx, helpers, today),
    ...POISSON_LOAD,
    arrivals: { rate: POISSON_RATE, helpers: HELPERS },
  });
  progress(`bare route, Poisson arrivals at ${POISSON_RATE} req/s…`);
  const bareSteady = await ctx.measure({
    url: ctx.baseUrl + ctx.barePath,
    headers: {},
    ...POISSON_LOAD,
    arrivals: { rate: POISSON_RATE, helpers: HELPERS },
  });
  progress(`${LONE_POSTS} lone POST /api/v1/activites, one after the other…`);
  const lone = await lonePosts(ctx, helpers, today, LONE_POSTS);
  const loneBare = await lonePosts(ctx, helpers, today, LONE_POSTS, ctx.barePath);
  console.log(`\nRecording a report, ${POST_LOAD.connections} connections, ${POST_LOAD.durationSec} s each:`);
  console.log(loadLine('bare route, saturated', bare, bare) + cpuLine(bare));
  console.log(loadLine('POST /api/v1/activites, saturated', post, bare) + cpuLine(post));
  console.log(
    `Poisson arrivals, ${HELPERS} helpers sending one request at a time, ${POISSON_LOAD.durationSec} s after ${POISSON_LOAD.warmupSec} s of warm-up (latency from the planned send):`,
  );
  console.log(loadLine(`bare route at ${POISSON_RATE} req/s`, bareSteady, bareSteady));
  console.log(
    `${loadLine(`POST at ${POISSON_RATE} reports/s`, steady, bareSteady)}  late sends ${steady.late ?? 0}`,
  );
  console.log(
    `Lone requests, one after the other (${LONE_POSTS}): POST p50 ${ms(lone.p50)} ms, p95 ${ms(lone.p95)} ms; ` +
      `bare route p50 ${ms(loneBare.p50)} ms (${times(lone.p50 / loneBare.p50)} bare)`,
  );

  const load = (r: LoadResult) => ({
    rps: Math.round(r.rps),
    p50: round(r.latencyMs.p50, 2),
    p95: round(r.latencyMs.p95, 2),
    p99: round(r.latencyMs.p99, 2),
    requests: r.requests,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  });
  const record = {
    connections: POST_LOAD.connections,
    cpuPerAnswer: { bare: bare.cpu, post: post.cpu },
    bare: load(bare),
    post: load(post),
    p95Ratio: round(post.latencyMs.p95 / bare.latencyMs.p95, 2),
    throughputRatio: round(post.rps / bare.rps, 3),
    poisson: {
      rate: POISSON_RATE,
      helpers: HELPERS,
      bare: load(bareSteady),
      post: { ...load(steady), late: steady.late ?? 0 },
    },
    lone: {
      posts: LONE_POSTS,
      p50: round(lone.p50, 2),
      p95: round(lone.p95, 2),
      bareP50: round(loneBare.p50, 2),
    },
  };
  if (recordOnly(process.argv)) {
    const summary = { db: ctx.kind, node: process.version, activities: generation.activities, record };
    console.log(`\nBENCH_ACTIVITES_JSON ${JSON.stringify(summary)}`);
    return;
  }
  const { collectivite, opsn, edges } = await measureAndPrintStatistics(ctx, today);

  // 3. Exports.
  const exported = await measureAndPrintExports(ctx, helpers);

  // 4. What the secondary indexes cost on write.
  const batch = async (label: string, from: number) => {
    progress(`inserting ${WRITE_BATCH} activities ${label}…`);
    const t = performance.now();
    await activitiesSql(from, from + WRITE_BATCH - 1, shape).execute(db);
    return round(seconds(t), 2);
  };
  const withIndexes = await batch('with the secondary indexes', count + 1);
  await dropIndexes(db, indexes);
  const withoutIndexes = await batch('without the secondary indexes', count + WRITE_BATCH + 1);
  progress('POST /api/v1/activites under 50 connections without the secondary indexes…');
  const postWithout = await ctx.measure(postJob(ctx, helpers, today));
  progress('rebuilding the secondary indexes…');
  const rebuilt = await createIndexes(db, indexes);
  // 5. What the statistics counters' triggers cost on write.
  const withCounters = await batch('with the statistics counters', count + 2 * WRITE_BATCH + 1);
  progress('POST /api/v1/activites under 50 connections with the statistics counters, again…');
  const postWithCounters = await ctx.measure(postJob(ctx, helpers, today));
  // The distinct people's counters alone (the trigger on stat_personne), off.
  await sql`alter table stat_personne disable trigger user`.execute(db);
  const withoutDistinct = await batch('without the distinct people’s counters', count + 4 * WRITE_BATCH + 1);
  progress('POST /api/v1/activites under 50 connections without the distinct people’s counters…');
  const postWithoutDistinct = await ctx.measure(postJob(ctx, helpers, today));
  await sql`alter table stat_personne enable trigger user`.execute(db);
  await counterTriggers(db, false);
  const withoutCounters = await batch('without the statistics counters', count + 3 * WRITE_BATCH + 1);
  progress('POST /api/v1/activites under 50 connections without the statistics counters…');
  const postWithoutCounters = await ctx.measure(postJob(ctx, helpers, today));
  await counterTriggers(db, true);
  progress('folding the deltas of everything recorded since the load…');
  const foldStarted = performance.now();
  const folded = await compactStatistics(db);
  const foldSec = round(seconds(foldStarted), 2);
  console.log(
    `\nWrite cost of the statistics counters (statement triggers on activite and participation):\n` +
      `  ${WRITE_BATCH} activities in one INSERT … SELECT: ${withCounters} s with them, ` +
      `${withoutCounters} s without (${times(withCounters / withoutCounters)}), ` +
      `${withoutDistinct} s without the distinct people’s counters alone (stat_distinct)\n` +
      loadLine('POST with the counters', post, bare) +
      '\n' +
      loadLine('POST with them, just before', postWithCounters, bare) +
      '\n' +
      loadLine('POST without stat_distinct’s', postWithoutDistinct, bare) +
      '\n' +
      loadLine('POST without them', postWithoutCounters, bare) +
      `\n  folding the ${folded} delta rows written since the load into the totals: ${foldSec} s`,
  );
  console.log(
    `\nWrite cost of the secondary indexes (${indexes.map((i) => i.name).join(', ')}):\n` +
      `  ${WRITE_BATCH} activities (+ their participations) in one INSERT … SELECT: ${withIndexes} s with them, ` +
      `${withoutIndexes} s without (${times(withIndexes / withoutIndexes)})\n` +
      loadLine('POST with the indexes', post, bare) +
      '\n' +
      loadLine('POST without them', postWithout, bare) +
      `\n  rebuilding them: ${Object.entries(rebuilt)
        .map(([n, s]) => `${n} ${s} s`)
        .join(', ')}`,
  );

  const statistics = (s: StatisticsReport) => ({
    path: s.path,
    period: s.period,
    activities: s.activities,
    participations: s.participations,
    sqlMs: round(s.sql.sumMs),
    peopleMonthsMs: s.peopleMonths && round(s.peopleMonths.ms),
    perQueryMs: Object.fromEntries(s.sql.names.map((n, i) => [n, round(s.sql.perQueryMs[i]!)])),
    serviceMs: round(s.service.medianMs),
    httpSingleP50Ms: round(s.single.p50),
    httpSingleRatio: round(s.single.p50 / s.sql.sumMs, 2),
    loaded: s.loaded && load(s.loaded),
    bareLoaded: s.bareLoaded && load(s.bareLoaded),
    bareSingleP50Ms: round(s.bareSingle.p50, 2),
  });
  const summary = {
    db: ctx.kind,
    node: process.version,
    generation: { ...generation, sizes: undefined },
    sizesBytes: Object.fromEntries(Object.entries(generation.sizes).map(([k, v]) => [k, v.bytes])),
    record,
    statistics: { collectivite: statistics(collectivite), opsn: statistics(opsn), edges },
    export: exported,
    writeCost: {
      batch: WRITE_BATCH,
      withIndexesSec: withIndexes,
      withoutIndexesSec: withoutIndexes,
      postWithout: load(postWithout),
      rebuildSec: rebuilt,
      withCountersSec: withCounters,
      withoutCountersSec: withoutCounters,
      withoutDistinctSec: withoutDistinct,
      postWithCounters: load(postWithCounters),
      postWithoutDistinct: load(postWithoutDistinct),
      postWithoutCounters: load(postWithoutCounters),
      folded,
      foldSec,
    },
    counters,
    elapsedSec: round(seconds(started)),
  };
  console.log(`\nBENCH_ACTIVITES_JSON ${JSON.stringify(summary)}`);
}
