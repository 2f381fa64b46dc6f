/**
 * Digital skills at scale: `node --import tsx bench/competences.ts` (PGlite in a temporary
 * folder) or `DATABASE_URL=postgres://… node --import tsx bench/competences.ts` (a throwaway
 * database on that server, dropped at the end).
 *
 * On the demo data plus BENCH_DIAGNOSTICS stored results (100 000 by default: two diagnoses each
 * for half as many people over two years, generated in SQL) and two years of monthly counts for
 * 200 communes, it times one request at a time through `app.inject` (no socket): the intro page
 * (the layout alone, the reference), a person's diagnoses and progress as their helper sees
 * them (the stored result page, target p50 ≤ 20 ms) beside the person's record (the same
 * session, visibility check and journal entry: the reference of a helper's page), the public result (scoring, the nearest
 * places of the directory and the count of the diagnosis) and the observatory; then the SQL of
 * the person's page run bare, with its plan. It prints a `BENCH_COMPETENCES_JSON` line at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { DEMO_HELPER_EMAIL } from '../src/modules/activites/index.ts';
import { beneficiaryFields, createBeneficiary } from '../src/modules/beneficiaires/index.ts';
import { CURRENT } from '../src/modules/competences/questionnaire.ts';
import { score } from '../src/modules/competences/scoring.ts';
import { answersAt } from '../src/modules/competences/seed.ts';
import { recordDiagnosis } from '../src/modules/competences/service.ts';
import { modules } from '../src/modules/index.ts';
import { helperByEmail } from '../src/modules/mediateurs/index.ts';
import { openSession, SESSION_COOKIE } from '../src/platform/auth/sessions.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase, withServerConnection } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { median, percentile } from './stats.ts';

// The statements one request sends (PostgreSQL only: PGlite has no client), to explain its time.
let statements: { text: string; ms: number }[] | null = null;
const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const started = performance.now();
  const config = args[0];
  const text = typeof config === 'string' ? config : ((config as { text?: string })?.text ?? '?');
  const result = originalQuery.apply(this, args);
  const log = statements;
  if (log && result && typeof (result as Promise<unknown>).then === 'function')
    void (result as Promise<unknown>).then(
      () => log.push({ text, ms: performance.now() - started }),
      () => log.push({ text: `(failed) ${text}`, ms: performance.now() - started }),
    );
  return result;
} as typeof pg.Client.prototype.query;

const count = Number(process.env.BENCH_DIAGNOSTICS || 100_000);
if (!Number.isInteger(count) || count < 1_000 || count > 5_000_000)
  throw new Error(
    `BENCH_DIAGNOSTICS must be a whole number from 1000 to 5000000, not « ${process.env.BENCH_DIAGNOSTICS} »`,
  );
const REQUESTS = Number(process.env.BENCH_REQUESTS || 400);
const serverUrl = process.env.DATABASE_URL;
const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-competences-'));
const name = `relais_bench_${randomBytes(6).toString('hex')}`;
let url: string | undefined;
if (serverUrl) {
  await withServerConnection(serverUrl, (client) => client.query(`create database "${name}"`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  url = u.toString();
}
const handle = await openDatabase(url ? { databaseUrl: url } : { dataDir });
const db = handle.db;
const progress = (message: string) => process.stderr.write(`[competences] ${message}\n`);
const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  progress(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
};

try {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    ...(url ? { DATABASE_URL: url } : {}),
  });
  await timed('migrate and demo data', async () => {
    await migrateToLatest(db, modules);
    await seedDemoOnce({ db, config });
  });
  const helper = (await helperByEmail(db, DEMO_HELPER_EMAIL))!;

  // The stored results: half as many people as results, each diagnosed twice, over two years.
  const people = Math.ceil(count / 2);
  const sample = score(
    CURRENT,
    answersAt(CURRENT, (i) => i % 4),
  );
  await timed(`${count} stored results for ${people} people`, async () => {
    await sql`insert into beneficiaire (collectivite_id, created_by, prenom, nom, commune_insee)
      select c.id, ${helper.userId}::uuid, 'Prénom' || g, 'Nom' || g, c.code
      from generate_series(1, ${people}) g
      join (select id, code, row_number() over (order by id) - 1 as k, count(*) over () as n from collectivite) c
        on c.k = g % c.n`.execute(db);
    await sql`insert into diagnostic (collectivite_id, beneficiaire_id, created_by, created_at, version, mode,
        answers, levels, domains, profile, equipment, connection, autonomy, confidence, urgent)
      select b.collectivite_id, b.id, ${helper.userId}::uuid,
        now() - (random() * interval '730 days'), 'v1', case when r.k = 1 then 'avec' else 'pour' end,
        '{}'::jsonb, ${JSON.stringify(sample.levels)}::jsonb, ${JSON.stringify(sample.domains)}::jsonb,
        (array['eloigne', 'debutant', 'autonome'])[1 + (abs(hashtext(b.id::text)) % 3)],
        '{smartphone}', '{donnees_mobiles}', 'partiellement_autonome', 1, null
      from (select id, collectivite_id from beneficiaire where prenom like 'Prénom%' limit ${people}) b
      cross join (values (1), (2)) r(k)
      limit ${count}`.execute(db);
    await sql`insert into diagnostic_mois (mois, commune_insee, indicator, n)
      select (date_trunc('month', now()) - m * interval '1 month')::date, lpad((69000 + c)::text, 5, '0'), i, 1 + (random() * 20)::int
      from generate_series(1, 24) m, generate_series(1, 200) c,
        unnest(array['total', 'profil:eloigne', 'profil:debutant', 'profil:autonome', 'faible:1.1', 'faible:2.1',
          'faible:4.1', 'faible:5.1', 'sans:ordinateur', 'sans:internet_maison']) i
      on conflict do nothing`.execute(db);
    await sql`analyze`.execute(db);
  });

  // The pages' people: named people of the demo helper, each diagnosed twice through the module.
  const mine: string[] = [];
  await timed('20 people of the demo helper, 2 diagnoses each', async () => {
    for (let i = 0; i < 20; i++) {
      const id = await createBeneficiary(
        db,
        helper,
        beneficiaryFields.parse({ prenom: 'Bench', nom: `Personne ${i}` }),
      );
      for (const level of [1, 2]) {
        const saved = await recordDiagnosis(
          db,
          helper,
          id,
          'avec',
          CURRENT,
          answersAt(CURRENT, () => level),
          {},
        );
        if (!saved.ok) throw new Error(saved.reason);
      }
      mine.push(id);
    }
  });

  const app = await buildApp({ config, db, dbKind: handle.kind, logger: createLogger('silent') });
  await app.ready();
  const cookie = `${SESSION_COOKIE}=${await openSession(db, helper.userId)}`;

  // The public result: the last page's form, as the browser sends it back.
  const start = await app.inject({ method: 'GET', url: '/competences/diagnostic' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(start.body)?.[1] ?? '';
  const publicCookie = start.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const answers = answersAt(CURRENT, (i) => i % 4, { urgence: 'social' });
  const resultBody = new URLSearchParams({
    _csrf: csrf,
    version: CURRENT.version,
    ...Object.fromEntries(Object.entries(answers).map(([k, v]) => [`r_${k}`, v])),
    question: 'commune',
    commune: 'Vénissieux',
  }).toString();

  let n = 0;
  type Target = { name: string; label: string; call: () => Promise<{ statusCode: number; body: string }> };
  const targets: Target[] = [
    {
      name: 'intro',
      label: 'GET /competences (reference: the layout alone)',
      call: () => app.inject({ url: '/competences' }),
    },
    {
      name: 'record',
      label: 'GET /beneficiaires/:id (reference: the person’s record, journaled like the page below)',
      call: () => app.inject({ url: `/beneficiaires/${mine[n++ % mine.length]}`, headers: { cookie } }),
    },
    {
      name: 'person',
      label: 'GET /competences/personnes/:id (stored results and progress, 20 people in turn)',
      call: () =>
        app.inject({ url: `/competences/personnes/${mine[n++ % mine.length]}`, headers: { cookie } }),
    },
    {
      name: 'result',
      label: 'POST /competences/diagnostic (public result: scoring, nearest places, count)',
      call: () =>
        app.inject({
          method: 'POST',
          url: '/competences/diagnostic',
          remoteAddress: `10.0.${(n >> 8) & 255}.${n++ & 255}`,
          headers: { cookie: publicCookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: resultBody,
        }),
    },
    {
      name: 'observatory',
      label: 'GET /competences/observatoire (12 months, 200 communes)',
      call: () => app.inject({ url: '/competences/observatoire' }),
    },
  ];
  const results: Record<string, { p50: number; p95: number }> = {};
  for (const target of targets) {
    const first = await target.call();
    if (first.statusCode !== 200)
      throw new Error(`${target.label}: ${first.statusCode} ${first.body.slice(0, 300)}`);
    for (let i = 0; i < 30; i++) await target.call();
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      const res = await target.call();
      times.push(performance.now() - started);
      if (res.statusCode !== 200) throw new Error(`${target.label}: ${res.statusCode}`);
    }
    results[target.name] = { p50: median(times), p95: percentile(times, 95) };
    console.log(
      `${target.label}\n  p50 ${median(times).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms (${REQUESTS} requests one at a time)`,
    );
    statements = [];
    await target.call();
    const sent = statements as { text: string; ms: number }[];
    statements = null;
    if (sent.length > 0)
      console.log(
        `  ${sent.length} statements, ${sent.reduce((a, q) => a + q.ms, 0).toFixed(2)} ms in round trips:\n` +
          sent
            .map((q) => `    ${q.ms.toFixed(2).padStart(6)} ms  ${q.text.replace(/\s+/g, ' ').slice(0, 110)}`)
            .join('\n'),
      );
  }
  // The person's page's own query, bare, and its plan.
  const query = sql`select d.id, d.created_at, u.name, d.version, d.mode, d.levels, d.domains, d.profile
    from diagnostic d left join app_user u on u.id = d.created_by
    where d.beneficiaire_id = ${mine[0]}::uuid order by d.created_at desc, d.id desc limit 50`;
  const bare: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await query.execute(db);
    bare.push(performance.now() - started);
  }
  const plan = await sql<{ 'QUERY PLAN': string }>`explain analyze ${query}`.execute(db);
  console.log(`The person's diagnoses query run bare: p50 ${median(bare).toFixed(2)} ms`);
  console.log(plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n'));
  const stored = await db
    .selectFrom('diagnostic')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  const person = results.person as { p50: number; p95: number };
  console.log(
    `\nStored results: ${Number(stored.n)}; person's page p50 ${person.p50.toFixed(2)} ms (target ≤ 20 ms): ${person.p50 <= 20 ? 'met' : 'MISSED'}; ` +
      `${(person.p50 / (results.record as { p50: number }).p50).toFixed(2)} × the person’s record`,
  );
  console.log(
    `BENCH_COMPETENCES_JSON ${JSON.stringify({ engine: handle.kind, stored: Number(stored.n), results, bareQueryP50: median(bare) })}`,
  );
  await app.close();
} finally {
  await handle.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (serverUrl)
    await withServerConnection(serverUrl, (client) => client.query(`drop database if exists "${name}"`));
}
