/**
 * Where the time of one `POST /api/v1/activites` goes, on PostgreSQL:
 * `DATABASE_URL=postgres://… node --import tsx bench/record-profile.ts [count]`.
 *
 * On a throwaway database with the demo data, the demo helper records `count` reports (200 by
 * default) one after the other through `app.inject` (no socket), with a fresh API token. Every
 * statement sent to the server is counted and timed (round trip as the client sees it), and
 * the request's own time is split into the statements' time and the rest (Fastify, JSON, zod,
 * the service's JavaScript). It prints the statements of one request with their median time,
 * the medians over all requests, and the CPU time a request costs (with PROFILE_CONCURRENCY=n,
 * also when n senders post at once, so that reports share their statements): in this process (Fastify,
 * zod, Kysely, pg) and in the database's server processes serving it (read from `/proc`, when
 * the server runs on this machine): CPU time does not depend on what else the machine runs,
 * unlike latencies. With `PROFILE_CPU=file.cpuprofile`, the measured requests
 * (not the start-up) are CPU-profiled into that file (open it in Chrome's DevTools).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { DEMO_HELPER_EMAIL } from '../src/modules/activites/index.ts';
import { modules } from '../src/modules/index.ts';
import { helperByEmail } from '../src/modules/mediateurs/index.ts';
import { createToken } from '../src/platform/auth/tokens.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase, withServerConnection } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { parisToday } from '../src/platform/paris-time.ts';
import { median } from './stats.ts';

type Sent = { text: string; ms: number };
let current: Sent[] | null = null;

// Every statement the pool's clients send: its text and round-trip time.
const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const started = performance.now();
  const config = args[0];
  const text = typeof config === 'string' ? config : ((config as { text?: string })?.text ?? '?');
  const result = originalQuery.apply(this, args);
  if (current && result && typeof (result as Promise<unknown>).then === 'function') {
    const log = current;
    void (result as Promise<unknown>).then(
      () => log.push({ text, ms: performance.now() - started }),
      () => log.push({ text: `(failed) ${text}`, ms: performance.now() - started }),
    );
  }
  return result;
} as typeof pg.Client.prototype.query;

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('DATABASE_URL: a PostgreSQL server to create a throwaway database on');
const count = Number(process.argv[2] ?? 200);
const name = `relais_profile_${randomBytes(6).toString('hex')}`;
await withServerConnection(serverUrl, (client) => client.query(`create database "${name}"`));
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-profile-'));
const handle = await openDatabase({ databaseUrl: url.toString() });
try {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: url.toString(),
    API_RATE_LIMIT: '100000000',
  });
  await migrateToLatest(handle.db, modules);
  await seedDemoOnce({ db: handle.db, config });
  const app = await buildApp({ config, db: handle.db, dbKind: 'postgres', logger: createLogger('silent') });
  const helper = (await helperByEmail(handle.db, DEMO_HELPER_EMAIL))!;
  const token = await createToken(handle.db, helper.userId, 'profile');
  const place = await handle.db
    .selectFrom('mediateur_lieu')
    .select('lieu_id')
    .where('user_id', '=', helper.userId)
    .executeTakeFirst();
  const body = JSON.stringify({
    type: 'individuel',
    date: parisToday(),
    duree_min: 45,
    canal: place ? 'lieu_activite' : 'distance',
    ...(place ? { lieu_id: place.lieu_id } : {}),
    materiels: ['telephone'],
    thematiques: ['aide_aux_demarches_administratives', 'email'],
    demarches: ['social_sante'],
    autonomie: 'partiellement_autonome',
    anonyme: { genre: 'feminin', tranche_age: 'de_60_a_69', statut: 'retraite' },
  });
  const post = () =>
    app.inject({
      method: 'POST',
      url: '/api/v1/activites',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: body,
    });
  for (let i = 0; i < 20; i++) await post();

  // The server processes of this database (the pool's connections), for their CPU time.
  const backends = async () =>
    (
      await handle.db
        .selectFrom(sql<{ pid: number; datname: string }>`pg_stat_activity`.as('s'))
        .select('pid')
        .where('datname', '=', name)
        .execute()
    ).map((r) => r.pid);
  /** CPU milliseconds of each process, when readable (utime and stime, after the command's parenthesis). */
  const cpuOf = (pids: number[]) =>
    new Map(
      pids.flatMap((pid) => {
        try {
          const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
          return [[pid, (Number(fields[11]) + Number(fields[12])) * 10] as const];
        } catch {
          return [];
        }
      }),
    );
  const totals: number[] = [];
  const inQueries: number[] = [];
  const perStatement = new Map<string, number[]>();
  let sample: Sent[] = [];
  const profiler = process.env.PROFILE_CPU ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpuBefore = process.cpuUsage();
  const serverBefore = cpuOf(await backends());
  // With PROFILE_CONCURRENCY=n, first the same number of reports from n senders at once: what
  // a report costs when reports share their statements (report-writer.ts).
  const concurrency = Number(process.env.PROFILE_CONCURRENCY ?? 0);
  if (concurrency > 0) {
    const appBefore = process.cpuUsage();
    const serverBefore = cpuOf(await backends());
    const started = performance.now();
    let left = count;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) {
          const response = await post();
          if (response.statusCode !== 201)
            throw new Error(`answered ${response.statusCode}: ${response.body}`);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const app = process.cpuUsage(appBefore);
    const server = [...cpuOf(await backends())].reduce(
      (sum, [pid, after]) => sum + after - (serverBefore.get(pid) ?? 0),
      0,
    );
    console.log(
      `${count} POST from ${concurrency} senders at once: ${Math.round(count / elapsed)} req/s; CPU per request ` +
        `${((app.user + app.system) / 1000 / count).toFixed(2)} ms in this process, ${(server / count).toFixed(2)} ms ` +
        `in the database's server processes`,
    );
  }
  for (let i = 0; i < count; i++) {
    const log: Sent[] = [];
    current = log;
    const started = performance.now();
    const response = await post();
    const elapsed = performance.now() - started;
    current = null;
    if (response.statusCode !== 201) throw new Error(`answered ${response.statusCode}: ${response.body}`);
    totals.push(elapsed);
    inQueries.push(log.reduce((s, q) => s + q.ms, 0));
    for (const [k, q] of log.entries()) {
      const key = `${k + 1}. ${q.text.replace(/\s+/g, ' ').slice(0, 110)}`;
      const times = perStatement.get(key) ?? [];
      times.push(q.ms);
      perStatement.set(key, times);
    }
    sample = log;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = cpuOf(await backends());
  // A connection opened meanwhile counts whole; one closed meanwhile is lost (the pool keeps them 10 s).
  const serverCpu = [...serverAfter].reduce(
    (sum, [pid, after]) => sum + after - (serverBefore.get(pid) ?? 0),
    0,
  );
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.PROFILE_CPU!, JSON.stringify(profile));
    profiler.disconnect();
  }
  console.log(
    `${count} POST /api/v1/activites one after the other (app.inject): ${sample.length} statements each\n` +
      `  request p50 ${median(totals).toFixed(2)} ms, of which statements ${median(inQueries).toFixed(2)} ms ` +
      `(round trips as the client sees them), the rest ${(median(totals) - median(inQueries)).toFixed(2)} ms`,
  );
  console.log(
    `  CPU per request: ${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms in this process, ` +
      `${(serverCpu / count).toFixed(2)} ms in the ${serverAfter.size} server processes of the database`,
  );
  for (const [key, times] of perStatement)
    console.log(`  ${median(times).toFixed(2).padStart(6)} ms  ${key}`);
  // The connection the requests used (the pool hands back the last one released): its prepared statements.
  const prepared = await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
    select statement, generic_plans, custom_plans from pg_prepared_statements`.execute(handle.db);
  for (const p of prepared.rows)
    console.log(
      `  prepared: ${p.generic_plans} generic plans, ${p.custom_plans} custom: ${p.statement.replace(/\s+/g, ' ').slice(0, 90)}`,
    );
  await app.close();
} finally {
  await handle.close();
  rmSync(dataDir, { recursive: true, force: true });
  await withServerConnection(serverUrl, (client) => client.query(`drop database if exists "${name}"`));
}
