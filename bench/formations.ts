/**
 * The trainings' bench, opt-in: `node --import tsx bench/formations.ts` (PGlite in a temporary
 * directory), or with `DATABASE_URL=postgres://…` (a throwaway database on that server).
 *
 * At the scale of a large OPSN after a few years (BENCH_SESSIONS sessions, 2 000 by default,
 * two half-days each, over 40 trainings, and BENCH_INSCRIPTIONS registrations, 30 000 by default,
 * of 3 000 helpers), generated straight in SQL, it times over HTTP (`app.inject`, one request at
 * a time after a warm-up, so server time only) the public catalogue, a training's page and a
 * session's page, against a bare route of the same app, and prints median and p95.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { catalogue, findSession, upcomingSessions } from '../src/modules/formations/service.ts';
import { modules } from '../src/modules/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 2000);
const REGISTRATIONS = Number(process.env.BENCH_INSCRIPTIONS ?? 30000);
const HELPERS = 3000;
const TYPES = 40;
const RUNS = 300;

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-formations-'));
  const serverUrl = process.env.DATABASE_URL;
  let dbName = '';
  let url: string | undefined;
  if (serverUrl) {
    dbName = `relais_bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database "${dbName}"`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const handle = url ? await openDatabase({ databaseUrl: url }) : await openDatabase({ dataDir });
  const { db, kind } = handle;
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      DATABASE_URL: url,
    });
    await migrateToLatest(db, modules);
    await seedDemoOnce({ db, config });
    const started = performance.now();
    await sql`insert into app_user (email, name, status)
      select 'bench-aidant-' || g || '@formations.example', 'Aidant ' || g, 'active' from generate_series(1, ${HELPERS}) g`.execute(
      db,
    );
    await sql`insert into membership (user_id, role, collectivite_id)
      select u.id, 'mediateur', c.ids[1 + (u.n % array_length(c.ids, 1))]
      from (select id, row_number() over (order by id) as n from app_user where email like 'bench-aidant-%') u,
           (select array_agg(id order by id) as ids from collectivite) c`.execute(db);
    await sql`insert into formation_type (slug, titre, objectifs, programme, duree_minutes, modalite, publics)
      select 'bench-formation-' || g, 'Formation de charge ' || g, 'Objectifs ' || g, 'Programme ' || g, 420,
             (array['presentiel','distanciel','hybride'])[1 + g % 3], '{mediateur}'
      from generate_series(1, ${TYPES}) g`.execute(db);
    await sql`insert into formation_session (type_id, collectivite_id, capacite, places_prises, lieu_libelle, opens_at, closes_at)
      select t.id, case when g % 3 = 0 then null else (select id from collectivite order by id offset (g % 8) limit 1) end,
             12, 0, 'Salle ' || g,
             now() + make_interval(days => (g % 730) - 400), now() + make_interval(days => (g % 730) - 367)
      from generate_series(1, ${SESSIONS}) g
      join lateral (select id from formation_type where slug = 'bench-formation-' || (1 + g % ${TYPES})) t on true`.execute(
      db,
    );
    await sql`insert into formation_demi_journee (session_id, starts_at, ends_at)
      select s.id, s.closes_at + interval '2 days' + h * interval '4 hours' + interval '8 hours',
             s.closes_at + interval '2 days' + h * interval '4 hours' + interval '11 hours 30 minutes'
      from formation_session s cross join generate_series(0, 1) h
      where s.lieu_libelle like 'Salle %'`.execute(db);
    const perSession = Math.ceil(REGISTRATIONS / SESSIONS);
    await sql`with s as (select id, row_number() over (order by id) as n from formation_session where lieu_libelle like 'Salle %'),
      u as (select u.id, m.collectivite_id, row_number() over (order by u.id) as n from app_user u
            join membership m on m.user_id = u.id where u.email like 'bench-aidant-%')
      insert into formation_inscription (session_id, user_id, collectivite_id, status, created_at, confirmed_at)
      select s.id, u.id, u.collectivite_id, case when k < 12 then 'inscrit' else 'liste_attente' end,
             now() - make_interval(mins => k), case when k < 12 then now() end
      from s cross join generate_series(0, ${perSession - 1}) k
      join u on u.n = 1 + ((s.n * 7 + k) % ${HELPERS})
      limit ${REGISTRATIONS}`.execute(db);
    await sql`update formation_session s set places_prises = least(12, (select count(*) from formation_inscription i
      where i.session_id = s.id and i.status = 'inscrit'))`.execute(db);
    await sql`analyze`.execute(db);
    const counts = await sql<{ sessions: number; inscriptions: number }>`select
      (select count(*)::int from formation_session) as sessions, (select count(*)::int from formation_inscription) as inscriptions`.execute(
      db,
    );
    console.log(
      `${kind}: ${counts.rows[0]?.sessions} sessions, ${counts.rows[0]?.inscriptions} inscriptions generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const app = await buildApp({ config, db, dbKind: kind, logger: createLogger('silent') });
    app.get('/bench/bare', { config: { access: 'public' } }, async () => 'ok');
    await app.ready();
    const session = await sql<{ id: string; slug: string }>`select s.id, t.slug from formation_session s
      join formation_type t on t.id = s.type_id where s.lieu_libelle like 'Salle %' and s.closes_at > now()
      order by s.id limit 1`.execute(db);
    const { id, slug } = session.rows[0]!;
    const time = async (label: string, urlPath: string) => {
      for (let i = 0; i < 30; i++) await app.inject({ method: 'GET', url: urlPath });
      const times: number[] = [];
      let status = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const r = await app.inject({ method: 'GET', url: urlPath });
        times.push(performance.now() - t0);
        status = r.statusCode;
      }
      times.sort((a, b) => a - b);
      const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
      console.log(
        `${label.padEnd(28)} ${String(status)}  p50 ${p(0.5).toFixed(2)} ms  p95 ${p(0.95).toFixed(2)} ms`,
      );
      return p(0.5);
    };
    const bare = await time('bare route', '/bench/bare');
    const layout = await time('a static page (layout only)', '/mentions-legales');
    const direct = async (label: string, work: () => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await work();
      const times: number[] = [];
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        await work();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      console.log(`${label.padEnd(28)} SQL  p50 ${times[50]!.toFixed(2)} ms`);
    };
    const typeId = (await sql<{ id: string }>`select id from formation_type where slug = ${slug}`.execute(db))
      .rows[0]!.id;
    await direct('catalogue query', () => catalogue(db));
    await direct('training sessions query', () => upcomingSessions(db, typeId));
    await direct('session query', () => findSession(db, id));
    const results = {
      catalogue: await time('catalogue /formations', '/formations'),
      formation: await time('training page', `/formations/${slug}`),
      session: await time('session page', `/formations/sessions/${id}`),
    };
    console.log(
      `BENCH_FORMATIONS_JSON ${JSON.stringify({ kind, sessions: SESSIONS, inscriptions: REGISTRATIONS, bareP50: bare, layoutP50: layout, ...Object.fromEntries(Object.entries(results).map(([k, v]) => [`${k}P50`, Number(v.toFixed(2))])) })}`,
    );
    await app.close();
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (serverUrl && dbName) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    }
  }
}

await main();
