/**
 * The network's roadmap page at 500 actions with their indicators (issue 20):
 * `node --import tsx bench/reseau.ts` (PGlite in a temporary folder), or with
 * `DATABASE_URL=postgres://…` (a throwaway database on that server); `BENCH_ACTIONS` to change
 * the count. It migrates and seeds the demo (its ~300 activities over twelve months feed the
 * indicators), adds the actions across the OPSN and every collectivité, each with an indicator
 * over its own months (activities, accompaniments, helpers trained, training hours, and one in
 * ten the referrals' median delay), two porteurs and two co-financings, then times, one request at a time after
 * a warm-up: `GET /reseau/feuille-de-route` over HTTP (inject) with the scopes' monthly counts
 * kept (as served for 5 minutes) and recomputed each time, `roadmapsWithProgress` alone both
 * ways, and a bare route of the same app, and prints p50 and p95 of each.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { seedDemoOnce } from '../src/main.ts';
import { modules } from '../src/modules/index.ts';
import { forgetProgressCounts, roadmapsWithProgress } from '../src/modules/reseau/roadmap.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { parisToday } from '../src/platform/paris-time.ts';
import { timed } from './stats.ts';

const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 500);

/** The indicators the actions cycle through; one in ten is the referrals' delay (a median per window). */
const INDICATOR_CYCLE = [
  'activites',
  'accompagnements',
  'aidants_formes',
  'heures_formation',
  'activites',
  'accompagnements',
  'aidants_formes',
  'heures_formation',
  'activites',
  'delai_orientation',
] as const;

const dataDir = mkdtempSync(path.join(tmpdir(), 'relais-bench-reseau-'));
const serverUrl = process.env.DATABASE_URL;
const dbName = serverUrl ? `relais_bench_${randomBytes(6).toString('hex')}` : '';
const serverQuery = async (text: string) => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(text);
  await admin.end();
};
let url: string | undefined;
if (serverUrl) {
  await serverQuery(`create database "${dbName}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  url = u.toString();
}
const handle = url ? await openDatabase({ databaseUrl: url }) : await openDatabase({ dataDir });
try {
  const { db, kind } = handle;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    ...(url ? { DATABASE_URL: url } : {}),
  });
  await migrateToLatest(db, modules);
  await seedDemoOnce({ db, config });
  const app = await buildApp({ config, db, dbKind: kind, logger: createLogger('silent') });
  app.get('/bench-bare', { config: { access: 'public' } }, async () => 'ok');
  await app.ready();

  const roadmap = await db.selectFrom('reseau_feuille_route').select('id').executeTakeFirstOrThrow();
  const collectivites = (await db.selectFrom('collectivite').select('id').execute()).map((c) => c.id);
  const scopes: (number | null)[] = [null, ...collectivites];
  const year = Number(parisToday().slice(0, 4));
  const rows = Array.from({ length: ACTIONS }, (_, i) => ({
    feuille_route_id: roadmap.id,
    titre: `Action ${String(i + 1).padStart(3, '0')} du banc d’essai`,
    description: null,
    besoins: ['animer_la_gouvernance'],
    status: 'en_cours' as const,
    debut: `${year - 1 - (i % 3)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
    fin: `${year + 1}-12-31`,
    budget_euros: 1000 * (i % 50),
    indicateur: INDICATOR_CYCLE[i % INDICATOR_CYCLE.length] ?? ('activites' as const),
    indicateur_collectivite_id: scopes[i % scopes.length] ?? null,
    cible: i % 10 === 9 ? 5 + (i % 20) : 100 + i,
  }));
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto('reseau_action')
      .values(rows.slice(i, i + 100))
      .execute();
  // Two porteurs and two co-financings per action, from the demo's members.
  const members = (
    await db.selectFrom('reseau_membre').select('id').where('status', '=', 'membre').execute()
  ).map((m) => m.id);
  const actionIds = (await db.selectFrom('reseau_action').select('id').orderBy('created_at').execute()).map(
    (a) => a.id,
  );
  const pick = (i: number) => members[i % members.length] as string;
  for (let i = 0; i < actionIds.length; i += 100) {
    const slice = actionIds.slice(i, i + 100);
    await db
      .insertInto('reseau_action_porteur')
      .values(
        slice.flatMap((id, j) => [pick(j), pick(j + 1)].map((membre_id) => ({ action_id: id, membre_id }))),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('reseau_cofinancement')
      .values(
        slice.flatMap((id, j) => [
          { action_id: id, membre_id: pick(j), montant_euros: 500 + j, created_by: null },
          { action_id: id, membre_id: pick(j + 1), montant_euros: 250, created_by: null },
        ]),
      )
      .execute();
  }
  const total = (await db.selectFrom('reseau_action').select('id').execute()).length;
  console.log(`Roadmap page with ${total} actions (${kind}), ${scopes.length} scopes of statistics`);

  const page = await app.inject({ method: 'GET', url: '/reseau/feuille-de-route' });
  if (page.statusCode !== 200) throw new Error(`roadmap page answered ${page.statusCode}`);
  console.log(
    `page size ${(page.body.length / 1024).toFixed(0)} KB uncompressed, ${(page.body.match(/<progress/g) ?? []).length} progress bars`,
  );

  const bare = await timed('GET /bench-bare (same app)', () =>
    app.inject({ method: 'GET', url: '/bench-bare' }),
  );
  const http = await timed('GET /reseau/feuille-de-route', () =>
    app.inject({ method: 'GET', url: '/reseau/feuille-de-route' }),
  );
  const cold = await timed('GET /reseau/feuille-de-route, counts recomputed', () => {
    forgetProgressCounts(db);
    return app.inject({ method: 'GET', url: '/reseau/feuille-de-route' });
  });
  await timed('roadmapsWithProgress, counts kept', () => roadmapsWithProgress(db));
  await timed('roadmapsWithProgress, counts recomputed', () => {
    forgetProgressCounts(db);
    return roadmapsWithProgress(db);
  });
  console.log(
    `BENCH_RESEAU_JSON ${JSON.stringify({
      actions: total,
      engine: kind,
      page_p50_ms: http.p50,
      page_p95_ms: http.p95,
      cold_p50_ms: cold.p50,
      cold_p95_ms: cold.p95,
      bare_p50_ms: bare.p50,
    })}`,
  );
  await app.close();
} finally {
  await handle.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (serverUrl) await serverQuery(`drop database if exists "${dbName}"`);
}
