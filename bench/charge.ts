/**
 * `npm run bench -- charge`: a mixed load shaped like a national peak against two app processes
 * on one PostgreSQL, for BENCH_DURATION seconds (600 by default), with two faults on the way.
 *
 * - The database is a cluster of the bench's own (`initdb` on a free port under the temporary
 *   directory, test/helpers/pg-cluster.ts): the machine's shared server is never restarted.
 * - Two `relais serve` processes on that database, as deployed: the load goes to both, each
 *   virtual client to one of them, and a connection refused (its process is down) goes to the
 *   other, as a reverse proxy does.
 * - Four classes of users, each an open Poisson load (bench/arrivals.ts): citizens searching the
 *   directory and reading place pages, helpers recording reports (`POST /api/v1/activites`),
 *   coordinators and the OPSN reading statistics, reusers fetching the open-data files.
 * - Faults: at a third of the run PostgreSQL stops as in a crash (`pg_ctl stop -m immediate`)
 *   and starts again; at two thirds one app process is killed (`kill -9`) and started again.
 * - Every 5 s: each process's RSS and the database's connections, then their slope.
 * - Afterwards: every report the API acknowledged (201) is in the database with its
 *   participations; the statistics counters equal a full recount; `relais audit verify` passes.
 *
 * Rates: BENCH_CHARGE_CITOYENS (20/s), BENCH_CHARGE_RECITS (15/s, the reports), BENCH_CHARGE_STATS
 * (1/s), BENCH_CHARGE_DONNEES (0.5/s); BENCH_CHARGE_PLACES places in the directory (5 000).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { seedDemoOnce } from '../src/main.ts';
import { modules } from '../src/modules/index.ts';
import { rebuildStatistics } from '../src/modules/statistiques/counters.ts';
import { openSession } from '../src/platform/auth/sessions.ts';
import { createToken } from '../src/platform/auth/tokens.ts';
import { createUser } from '../src/platform/auth/users.ts';
import { loadConfig } from '../src/platform/config.ts';
import { type Db, openDatabase, withServerConnection } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { parisToday } from '../src/platform/paris-time.ts';
import { buildApp } from '../test/helpers/cli.ts';
import {
  type Cluster,
  clusterUnavailable,
  createCluster,
  freePort,
  waitFor,
} from '../test/helpers/pg-cluster.ts';
import { type Answer, type ArrivalRequest, type ArrivalResult, poissonLoad } from './arrivals.ts';
import { importBenchPlaces, samplePlaceIds } from './lieux.ts';
import { SERVE_NODE_FLAGS } from './memory.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const NODE = process.execPath;
/** The app as `deploy/relais@.service` runs it: the build (`npm run build`, made first), its V8 flags. */
const APP = [...SERVE_NODE_FLAGS, 'dist/main.js'];

export const chargeRequested = (argv: readonly string[]) => argv.slice(2).includes('charge');

const envNumber = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: a positive number, got « ${raw} »`);
  return value;
};

const SAMPLE_SEC = 5;
const log = (text: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);

// ---------------------------------------------------------------------------------------------
// App processes

type AppProcess = { name: string; port: number; origin: string; child: ChildProcess; logFile: string };

async function startApp(name: string, port: number, env: Record<string, string>, dir: string) {
  const logFile = path.join(dir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(NODE, [...APP, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${origin}/healthz`)).ok, 120_000);
  return { name, port, origin, child, logFile } satisfies AppProcess;
}

function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: demo, places, helpers with tokens, coordinators with sessions, open data

type Workload = {
  citizens: ArrivalRequest[];
  reports: ArrivalRequest[];
  statistics: ArrivalRequest[];
  openData: ArrivalRequest[];
  helperIds: string[];
};

async function prepare(db: Db, dir: string, places: number, env: Record<string, string>): Promise<Workload> {
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  await seedDemoOnce({ db, config });
  log(`importing ${places} places…`);
  await importBenchPlaces(db, dir, places);
  await sql`analyze`.execute(db);

  const collectivites = await db.selectFrom('collectivite').select(['id', 'code']).orderBy('id').execute();
  const today = parisToday();
  const reports: ArrivalRequest[] = [];
  const statistics: ArrivalRequest[] = [];
  const helperIds: string[] = [];
  for (const [c, collectivite] of collectivites.entries()) {
    const placesOf = await db
      .selectFrom('lieu')
      .select('id')
      .where('collectivite_id', '=', collectivite.id)
      .where('status', '=', 'publie')
      .orderBy('id')
      .execute();
    for (let i = 0; i < 5; i++) {
      const h = c * 5 + i;
      const userId = await createUser(db, {
        email: `charge.mediateur.${h}@bench.relais.example`,
        name: `Médiateur ${h}`,
        memberships: [{ role: 'mediateur', collectiviteId: collectivite.id }],
      });
      helperIds.push(userId);
      const place = placesOf.length ? placesOf[i % placesOf.length]! : null;
      if (place)
        await db.insertInto('mediateur_lieu').values({ user_id: userId, lieu_id: place.id }).execute();
      const token = await createToken(db, userId, 'charge');
      reports.push({
        method: 'POST',
        path: '/api/v1/activites',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'individuel',
          date: today,
          duree_min: [30, 45, 60][h % 3],
          canal: place ? 'lieu_activite' : 'distance',
          ...(place ? { lieu_id: place.id } : {}),
          materiels: ['telephone'],
          thematiques: ['aide_aux_demarches_administratives', 'email'],
          demarches: ['social_sante'],
          autonomie: 'partiellement_autonome',
          anonyme: { genre: h % 2 ? 'feminin' : 'masculin', tranche_age: 'de_60_a_69', statut: 'retraite' },
        }),
      });
    }
    const coordinator = await createUser(db, {
      email: `charge.coordination.${c}@bench.relais.example`,
      name: `Coordination ${c}`,
      memberships: [{ role: 'coordinateur', collectiviteId: collectivite.id }],
    });
    const session = await openSession(db, coordinator);
    statistics.push({
      path: `/statistiques/collectivites/${collectivite.id}`,
      headers: { cookie: `relais_session=${session}` },
    });
  }
  const admin = await createUser(db, {
    email: 'charge.opsn@bench.relais.example',
    name: 'Administration OPSN',
    memberships: [{ role: 'admin', collectiviteId: null }],
  });
  statistics.push({
    path: '/statistiques/opsn',
    headers: { cookie: `relais_session=${await openSession(db, admin)}` },
  });

  const ids = await samplePlaceIds(db, 200, places);
  const words = ['mediatheque', 'numerique', 'france services', 'emploi', 'mairie', 'centre social'];
  const communes = ['Lyon', 'Villeurbanne', 'Roanne', 'Marseille', 'Lille', 'Rennes', '69100', 'Bordeaux'];
  const citizens: ArrivalRequest[] = [];
  for (let i = 0; i < 240; i++) {
    const kind = i % 4;
    if (kind < 2) citizens.push({ path: `/lieux/${ids[i % ids.length]}` });
    else if (kind === 2) citizens.push({ path: `/lieux?q=${encodeURIComponent(words[i % words.length]!)}` });
    else citizens.push({ path: `/lieux?ou=${encodeURIComponent(communes[i % communes.length]!)}` });
  }

  log('publishing the open-data files…');
  await run(NODE, [...APP, 'donnees', 'publier'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  const files = await db.selectFrom('donnees_fichier').select(['dataset', 'format']).execute();
  const openData = files.map((f) => ({ path: `/donnees/${f.dataset}.${f.format}` }));
  if (openData.length === 0) throw new Error('bench: no open-data file was published');
  return { citizens, reports, statistics, openData, helperIds };
}

// ---------------------------------------------------------------------------------------------
// Measures

/** Least-squares slope of y over x (per unit of x). */
function slope(points: readonly [number, number][]): number {
  const ok = points.filter(([, y]) => Number.isFinite(y));
  if (ok.length < 2) return Number.NaN;
  const mx = ok.reduce((s, [x]) => s + x, 0) / ok.length;
  const my = ok.reduce((s, [, y]) => s + y, 0) / ok.length;
  const num = ok.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = ok.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

type Sample = { t: number; rssA: number; rssB: number; connections: number };
type Fault = { name: string; at: number; recoveredAt?: number };
type ClassName = 'citoyens' | 'comptes rendus' | 'statistiques' | 'données ouvertes';
/** A request that failed: when it was planned and when it ended, in seconds from the start. */
type Failure = { cls: ClassName; from: number; t: number; what: string };

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

// ---------------------------------------------------------------------------------------------

export async function runCharge(): Promise<void> {
  const unavailable = clusterUnavailable();
  if (unavailable) {
    console.error(`bench charge: cannot make a PostgreSQL cluster here: ${unavailable}`);
    process.exitCode = 1;
    return;
  }
  const durationSec = envNumber('BENCH_DURATION', 600);
  const rates = {
    citoyens: envNumber('BENCH_CHARGE_CITOYENS', 20),
    'comptes rendus': envNumber('BENCH_CHARGE_RECITS', 15),
    statistiques: envNumber('BENCH_CHARGE_STATS', 1),
    'données ouvertes': envNumber('BENCH_CHARGE_DONNEES', 0.5),
  } satisfies Record<ClassName, number>;
  const places = envNumber('BENCH_CHARGE_PLACES', 5_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'relais-charge-'));
  const apps: AppProcess[] = [];
  let cluster: Cluster | undefined;
  try {
    log('making the PostgreSQL cluster…');
    cluster = await createCluster({ settings: { max_connections: '200' } });
    await withServerConnection(cluster.url(), (c) => c.query('create database relais'));
    const url = cluster.url('relais');
    const env = {
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      // The load comes from one address with a few tokens: the per-address limit is not measured here.
      API_RATE_LIMIT: '10000000',
      RELAIS_AUDIT_KEY: 'cle-du-journal-du-banc-de-charge-0123456789',
      COOKIE_SECRET: 'secret-des-cookies-du-banc-de-charge-0123456789',
    };
    await buildApp();
    const handle = await openDatabase({ databaseUrl: url, poolSize: 4 });
    let workload: Workload;
    try {
      await migrateToLatest(handle.db, modules);
      workload = await prepare(handle.db, dir, places, env);
    } finally {
      await handle.close();
    }

    log('starting two app processes…');
    const ports = [await freePort(), await freePort()];
    apps.push(await startApp('A', ports[0]!, env, dir), await startApp('B', ports[1]!, env, dir));
    const origins = apps.map((a) => a.origin);

    // Sampling: RSS of each process, connections to the database.
    const samples: Sample[] = [];
    const faults: Fault[] = [];
    const failures: Failure[] = [];
    const acknowledged = new Map<string, number>();
    const perSecond = new Map<ClassName, Map<number, number>>();
    const start = performance.now();
    const elapsed = () => (performance.now() - start) / 1000;
    const countConnections = async () => {
      try {
        return await withServerConnection(cluster!.url(), async (c) => {
          const { rows } = await c.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where datname = 'relais'",
          );
          return rows[0]!.n - 0;
        });
      } catch {
        return Number.NaN;
      }
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({
          t: elapsed(),
          rssA: rssMb(apps[0]!.child.pid),
          rssB: rssMb(apps[1]!.child.pid),
          connections: await countConnections(),
        });
        await sleep(SAMPLE_SEC * 1000);
      }
    })();

    const classJob = (cls: ClassName, requests: ArrivalRequest[], helpers: number, keepBody = false) =>
      poissonLoad({
        origin: origins[0]!,
        origins,
        requests,
        rate: rates[cls],
        helpers,
        warmupSec: 0,
        durationSec,
        timeoutSec: 30,
        seed: cls.length * 7919,
        keepBody,
        onAnswer: (answer: Answer) => {
          const t = (answer.at - start) / 1000;
          const second = Math.floor(t);
          const bucket = perSecond.get(cls) ?? new Map<number, number>();
          perSecond.set(cls, bucket);
          if (answer.status >= 200 && answer.status < 400) bucket.set(second, (bucket.get(second) ?? 0) + 1);
          else
            failures.push({
              cls,
              from: t - answer.latencyMs / 1000,
              t,
              what: answer.error ? `no answer (${answer.error})` : `HTTP ${answer.status}`,
            });
          if (cls === 'comptes rendus' && answer.status === 201 && answer.body) {
            const saved = JSON.parse(answer.body) as { id: string; participants?: unknown[] };
            acknowledged.set(saved.id, saved.participants?.length ?? 1);
          }
        },
      });

    log(
      `load for ${durationSec} s: citizens ${rates.citoyens}/s, reports ${rates['comptes rendus']}/s, statistics ${rates.statistiques}/s, open data ${rates['données ouvertes']}/s`,
    );
    const loads = Promise.all([
      classJob('citoyens', workload.citizens, 80),
      classJob('comptes rendus', workload.reports, workload.reports.length, true),
      classJob('statistiques', workload.statistics, workload.statistics.length),
      classJob('données ouvertes', workload.openData, 4),
    ]);

    // The faults, while the load runs.
    const faultsDone = (async () => {
      await sleep((durationSec / 3) * 1000);
      const restart: Fault = {
        name: 'PostgreSQL stopped as in a crash (immediate) and started',
        at: elapsed(),
      };
      faults.push(restart);
      log('fault: PostgreSQL immediate stop and start…');
      await cluster!.restart('immediate');
      restart.recoveredAt = elapsed();
      log(`PostgreSQL back after ${fmt(restart.recoveredAt - restart.at)} s`);

      await sleep(Math.max(0, (durationSec * 2) / 3 - elapsed()) * 1000);
      const kill: Fault = { name: 'app process B killed (kill -9) and started again', at: elapsed() };
      faults.push(kill);
      log('fault: kill -9 of app process B…');
      const b = apps[1]!;
      b.child.kill('SIGKILL');
      await new Promise((resolve) => b.child.once('exit', resolve));
      apps[1] = await startApp('B', b.port, env, dir);
      kill.recoveredAt = elapsed();
      log(`app process B answering again after ${fmt(kill.recoveredAt - kill.at)} s`);
    })();

    const [citizens, reports, statistics, openData] = await loads;
    await faultsDone;
    sampling = false;
    await sampler;
    const results: [ClassName, ArrivalResult][] = [
      ['citoyens', citizens],
      ['comptes rendus', reports],
      ['statistiques', statistics],
      ['données ouvertes', openData],
    ];

    // ---- Checks after the run, on the database itself
    log('checking the database…');
    const check = await openDatabase({ databaseUrl: url, poolSize: 2 });
    let lost = 0;
    let wrongParticipations = 0;
    let unacknowledged = 0;
    let countersEqual = false;
    let counterDiff = 0;
    try {
      const ids = [...acknowledged.keys()];
      const { rows } = await sql<{ id: string; n: number }>`
        select a.id::text as id, count(p.activite_id)::int as n
        from activite a left join participation p on p.activite_id = a.id
        where a.id = any(${ids}::uuid[]) group by a.id`.execute(check.db);
      const stored = new Map(rows.map((r) => [r.id, r.n]));
      for (const [id, n] of acknowledged) {
        if (!stored.has(id)) lost++;
        else if (stored.get(id) !== n) wrongParticipations++;
      }
      const { rows: all } = await sql<{ n: number }>`
        select count(*)::int as n from activite where mediateur_id = any(${workload.helperIds}::uuid[])`
        .execute(check.db)
        .catch(() => ({ rows: [{ n: Number.NaN }] }));
      unacknowledged = all[0]!.n - (acknowledged.size - lost);

      const counters = async () => {
        const { rows: c } = await sql<{ r: string }>`
          select concat_ws('|', collectivite_id, mois, dim, code, sum(n)) as r from (
            select collectivite_id, mois, dim, code, n from stat_total
            union all select collectivite_id, mois, dim, code, n from stat_delta) t
          group by collectivite_id, mois, dim, code having sum(n) <> 0
          union all select concat_ws('|', 'personne', collectivite_id, mois, beneficiaire_id, n) from stat_personne
          union all select concat_ws('|', 'premiere', beneficiaire_id, premiere) from stat_premiere`.execute(
          check.db,
        );
        return new Set(c.map((x) => x.r));
      };
      const kept = await counters();
      await rebuildStatistics(check.db);
      const recounted = await counters();
      counterDiff =
        [...kept].filter((r) => !recounted.has(r)).length + [...recounted].filter((r) => !kept.has(r)).length;
      countersEqual = counterDiff === 0;
    } finally {
      await check.close();
    }
    const audit = await run(NODE, [...APP, 'audit', 'verify'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    }).then(
      (r) => ({ ok: true, text: r.stdout.trim() }),
      (e: { stdout?: string; stderr?: string }) => ({
        ok: false,
        text: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim(),
      }),
    );

    // ---- Summary
    // In flight during a fault: planned before its recovery (and 2 s more), ended after it began.
    const inWindow = (f: Failure) =>
      faults.some((fault) => f.from <= (fault.recoveredAt ?? fault.at) + 2 && f.t >= fault.at - 1);
    const outside = failures.filter((f) => !inWindow(f));
    const warmup = Math.max(30, durationSec / 10);
    const steady = samples.filter((s) => s.t > warmup);
    const lastRecovery = Math.max(...faults.map((f) => f.recoveredAt ?? f.at));
    const connAfter = slope(
      samples
        .filter((s) => s.t > lastRecovery + 30)
        .map((s) => [s.t / 60, s.connections] as [number, number]),
    );
    const minutes = (points: [number, number][]) => points.map(([t, y]) => [t / 60, y] as [number, number]);
    const killAt = faults[1]?.recoveredAt ?? Number.POSITIVE_INFINITY;
    const rssA = slope(minutes(steady.map((s) => [s.t, s.rssA])));
    const rssB = slope(minutes(steady.filter((s) => s.t > killAt + warmup).map((s) => [s.t, s.rssB])));
    const rssBBefore = slope(
      minutes(steady.filter((s) => s.t < (faults[1]?.at ?? 0)).map((s) => [s.t, s.rssB])),
    );
    const conn = slope(minutes(steady.map((s) => [s.t, s.connections])));
    const range = (values: number[]) => {
      const ok = values.filter(Number.isFinite);
      return ok.length ? `${fmt(Math.min(...ok), 0)}–${fmt(Math.max(...ok), 0)}` : '—';
    };

    const lines: string[] = [];
    lines.push(
      `\nLoad test (bench/charge.ts): ${fmt(durationSec / 60, 1)} min, two app processes on PostgreSQL 15 (own cluster), ${places} places`,
    );
    lines.push(
      'class             rate    answered   req/s    p50 ms    p95 ms   errors (in flight)  non-2xx  rerouted',
    );
    for (const [cls, r] of results) {
      const failed = failures.filter((f) => f.cls === cls);
      lines.push(
        `${cls.padEnd(17)} ${String(rates[cls]).padStart(4)}/s ${String(r.requests).padStart(9)} ${fmt(r.rps).padStart(7)} ${fmt(r.latencyMs.p50).padStart(9)} ${fmt(r.latencyMs.p95).padStart(9)} ${String(r.errors + r.timeouts).padStart(10)} (${failed.filter(inWindow).length} of all failures in flight during a fault) ${String(r.non2xx).padStart(6)} ${String(r.rerouted).padStart(9)}`,
      );
    }
    lines.push('faults:');
    for (const f of faults)
      lines.push(
        `  t=${fmt(f.at, 0)} s  ${f.name}; answering again after ${fmt((f.recoveredAt ?? Number.NaN) - f.at)} s`,
      );
    lines.push(
      `failures of requests not in flight during a fault (from 1 s before it to 2 s after its recovery): ${outside.length}` +
        (outside.length
          ? ` (${outside
              .slice(0, 5)
              .map((f) => `${f.cls} t=${fmt(f.t)} ${f.what}`)
              .join('; ')})`
          : ''),
    );
    const byWhat = new Map<string, number>();
    for (const f of failures) byWhat.set(`${f.cls}: ${f.what}`, (byWhat.get(`${f.cls}: ${f.what}`) ?? 0) + 1);
    if (byWhat.size) lines.push(`failures by kind: ${[...byWhat].map(([k, n]) => `${k} ×${n}`).join('; ')}`);
    lines.push(
      `RSS (MB, after the first ${fmt(warmup, 0)} s): process A ${range(steady.map((s) => s.rssA))}, slope ${fmt(rssA, 2)} MB/min; process B before its kill ${fmt(rssBBefore, 2)} MB/min, after its restart ${fmt(rssB, 2)} MB/min (${range(steady.filter((s) => s.t > killAt + warmup).map((s) => s.rssB))})`,
    );
    lines.push(
      `database connections: ${range(steady.map((s) => s.connections))}, slope ${fmt(conn, 2)} per min over the run, ${fmt(connAfter, 2)} per min from 30 s after the last fault (${samples.length} samples every ${SAMPLE_SEC} s)`,
    );
    lines.push(
      `acknowledged reports: ${acknowledged.size}; missing from the database: ${lost}; with other participations than acknowledged: ${wrongParticipations}; stored but never acknowledged (answer lost in a fault): ${unacknowledged}`,
    );
    lines.push(
      `statistics counters equal a full recount: ${countersEqual ? 'yes' : `NO (${counterDiff} rows differ)`}`,
    );
    lines.push(`audit verify: ${audit.ok ? 'passes' : 'FAILS'} (${audit.text.split('\n')[0]})`);
    console.log(lines.join('\n'));
    console.log(
      `\nBENCH_CHARGE_JSON ${JSON.stringify({
        durationSec,
        rates,
        classes: Object.fromEntries(results.map(([c, r]) => [c, r])),
        faults,
        failuresOutsideFaults: outside.length,
        failures: failures.length,
        rssSlopeMbPerMin: { A: rssA, B: rssB },
        connectionsSlopePerMin: conn,
        connectionsSlopeAfterFaultsPerMin: connAfter,
        acknowledged: acknowledged.size,
        lost,
        wrongParticipations,
        unacknowledged,
        countersEqual,
        auditOk: audit.ok,
      })}`,
    );
    if (lost || wrongParticipations || !countersEqual || !audit.ok || outside.length) process.exitCode = 1;
  } finally {
    for (const app of apps) app.child.kill('SIGTERM');
    await sleep(500);
    await cluster?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}
