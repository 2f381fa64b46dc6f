/**
 * `npm run bench -- orientations`: the referrals' dashboards and inbox with `BENCH_ORIENTATIONS`
 * referrals (100 000 by default) generated in SQL over three years, a fifth sent by the demo
 * helper and a fifth to their places. Each page is requested one at a time after a warm-up;
 * the bench prints p50 and p95 against the bare route of the same app, and the median of the
 * same domain functions called directly. Target: the dashboards and the inbox at p50 ≤ 20 ms.
 */
import { sql } from 'kysely';
import { DEMO_ACCOUNTS } from '../src/modules/comptes/index.ts';
import { type Helper, helperByEmail } from '../src/modules/mediateurs/index.ts';
import {
  receivedDashboard,
  receivedReferrals,
  sentDashboard,
  sentReferrals,
} from '../src/modules/orientations/lists.ts';
import { referralStatistics } from '../src/modules/orientations/statistics.ts';
import { openSession, SESSION_COOKIE } from '../src/platform/auth/sessions.ts';
import type { Db } from '../src/platform/db/database.ts';
import { median, percentile } from './stats.ts';

export type OrientationsBenchContext = {
  db: Db;
  kind: 'pglite' | 'postgres';
  baseUrl: string;
  barePath: string;
  progress: (message: string) => void;
};

export const orientationsRequested = (argv: readonly string[]) => argv.slice(2).includes('orientations');

export function referralsToGenerate(env: NodeJS.ProcessEnv): number {
  const raw = env.BENCH_ORIENTATIONS;
  if (raw === undefined || raw === '') return 100_000;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1_000 || count > 2_000_000)
    throw new Error(`BENCH_ORIENTATIONS must be a whole number from 1000 to 2000000, not « ${raw} »`);
  return count;
}

export const orientationsWatchdogMs = (count: number) => 600_000 + count * 2;

const RUNS = 200;
const WARM_UP = 20;
const BROWSER = { 'accept-encoding': 'gzip, br' };
const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);

/** The referrals, in one INSERT … SELECT: states in realistic proportions, three years of dates. */
async function generate(db: Db, count: number, demo: Helper): Promise<void> {
  const demoPlaceIds = (
    await db.selectFrom('mediateur_lieu').select('lieu_id').where('user_id', '=', demo.userId).execute()
  ).map((r) => r.lieu_id);
  // The other senders: accounts since deleted (`sent_by` null), spread over the collectivités.
  const collectivites = (await db.selectFrom('collectivite').select('id').orderBy('id').execute()).map(
    (c) => c.id,
  );
  const places = await db
    .selectFrom('lieu')
    .select(['id', 'collectivite_id'])
    .where('status', '=', 'publie')
    .orderBy('id')
    .limit(2000)
    .execute();
  if (places.length === 0) throw new Error('bench: no published place');
  const demoPlaces =
    demoPlaceIds.length > 0
      ? await db
          .selectFrom('lieu')
          .select(['id', 'collectivite_id'])
          .where('id', 'in', demoPlaceIds)
          .execute()
      : [];
  const destinations = demoPlaces.length > 0 ? demoPlaces : places.slice(0, 1);
  // Generated with the counting trigger off, then counted once (as the migration does).
  await sql`alter table orientation disable trigger orientation_count_insert_delete`.execute(db);
  await sql`
    insert into orientation (collectivite_id, sent_by, sender_name, sender_email, prenom, nom,
      contact_preference, telephone, motif, lieu_id, service, destination_name, destination_email,
      destination_collectivite_id, consent_mode, consent_text, status, created_at, updated_at,
      link_sent_at, studied_at, answered_at, refusal_reasons, closed_at, consent_revoked_at,
      consent_by, origin)
    select s.collectivite_id, s.user_id, 'Médiateur ' || (g % 97), 'mediateur@bench.example',
      'Prénom' || (g % 1000), 'Nom' || (g % 3000), 'telephone', '0600000000',
      'Démarches en ligne', d.id, 'Aide aux démarches administratives', 'Lieu ' || left(d.id::text, 8),
      'contact@bench.example', d.collectivite_id, 'en_personne', 'Accord', st.status, c.at, c.at, c.at,
      case when st.status in ('a_l_etude') then c.at + interval '2 days' end,
      case when st.status in ('acceptee', 'honoree', 'non_honoree', 'refusee')
        then c.at + make_interval(hours => 6 + (g % 240)) end,
      case when st.status = 'refusee' then array['complet']::text[] else '{}'::text[] end,
      case when st.status in ('honoree', 'non_honoree', 'refusee', 'expiree', 'retiree') then c.at + interval '20 days' end,
      case when st.status = 'retiree' then c.at + interval '3 days' end,
      s.user_id, 'fiche'
    from generate_series(1, ${count}) g
    cross join lateral (select now() - make_interval(days => g % 1095, mins => g % 1440) as at) c
    cross join lateral (select (array['envoyee','envoyee','a_l_etude','acceptee','acceptee','acceptee',
      'acceptee','acceptee','acceptee','honoree','honoree','honoree','honoree','non_honoree','refusee',
      'refusee','refusee','expiree','expiree','retiree'])[1 + g % 20] as status) st
    cross join lateral (select
      case when g % 5 = 0 then ${demo.userId}::uuid end as user_id,
      case when g % 5 = 0 then ${demo.collectiviteId}::int
        else (${collectivites}::int[])[1 + (g * 7) % ${collectivites.length}] end as collectivite_id) s
    cross join lateral (select
      case when g % 5 = 1 then (${destinations.map((p) => p.id)}::uuid[])[1 + g % ${destinations.length}]
        else (${places.map((p) => p.id)}::uuid[])[1 + (g * 13) % ${places.length}] end as id,
      case when g % 5 = 1 then (${destinations.map((p) => p.collectivite_id)}::int[])[1 + g % ${destinations.length}]
        else (${places.map((p) => p.collectivite_id)}::int[])[1 + (g * 13) % ${places.length}] end as collectivite_id) d
  `.execute(db);
  await sql`alter table orientation enable trigger orientation_count_insert_delete`.execute(db);
  await sql`delete from orientation_count`.execute(db);
  await sql`insert into orientation_count (side, owner, status, n)
    select 'envoi', sent_by, status, count(*) from orientation where sent_by is not null group by 2, 3
    union all
    select 'lieu', lieu_id, status, count(*) from orientation where lieu_id is not null group by 2, 3`.execute(
    db,
  );
  await sql`vacuum analyze orientation`.execute(db);
  await sql`vacuum analyze orientation_count`.execute(db);
}

type Timing = { p50: number; p95: number };

async function timeRuns(work: () => Promise<unknown>, runs = RUNS): Promise<Timing> {
  for (let i = 0; i < WARM_UP; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    times.push(performance.now() - t);
  }
  return { p50: median(times), p95: percentile(times, 95) };
}

async function page(ctx: OrientationsBenchContext, path: string, headers: Record<string, string>) {
  const response = await fetch(ctx.baseUrl + path, { headers });
  const body = await response.arrayBuffer();
  if (response.status !== 200)
    throw new Error(
      `bench: ${path} answered ${response.status}: ${Buffer.from(body).toString().slice(0, 300)}`,
    );
}

export async function runOrientationsBench(ctx: OrientationsBenchContext): Promise<void> {
  const { db, progress } = ctx;
  const count = referralsToGenerate(process.env);
  const demo = await helperByEmail(db, DEMO_ACCOUNTS[2].email);
  if (!demo) throw new Error('bench: the demo helper is missing');
  console.log(
    `Relais bench, referrals: ${ctx.kind === 'postgres' ? 'PostgreSQL server' : 'PGlite (embedded)'}, ` +
      `Node ${process.version}, ${count} generated referrals over three years\n`,
  );
  progress('generating the referrals…');
  const started = performance.now();
  await generate(db, count, demo);
  const generatedSec = ((performance.now() - started) / 1000).toFixed(1);
  const [sent, received] = await Promise.all([sentDashboard(db, demo), receivedDashboard(db, demo)]);
  console.log(
    `Generation (SQL): ${generatedSec} s; the demo helper sent ${sent.total} and their places received ${received.total}\n`,
  );

  const helperHeaders = {
    cookie: `${SESSION_COOKIE}=${await openSession(db, demo.userId)}`,
    ...BROWSER,
  };
  const admin = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', DEMO_ACCOUNTS[0].email)
    .executeTakeFirstOrThrow();
  const adminHeaders = { cookie: `${SESSION_COOKIE}=${await openSession(db, admin.id)}`, ...BROWSER };
  const targets: [string, Record<string, string>][] = [
    [ctx.barePath, {}],
    ['/orientations', helperHeaders],
    ['/orientations?statut=acceptee', helperHeaders],
    ['/orientations?page=20', helperHeaders],
    ['/orientations/recues', helperHeaders],
    ['/orientations/recues?statut=envoyee', helperHeaders],
    ['/espace', helperHeaders],
    ['/orientations/statistiques', adminHeaders],
  ];
  console.log(`Pages over HTTP, one request at a time (${RUNS} after ${WARM_UP} to warm up), ms:`);
  let bare = 0;
  for (const [path, headers] of targets) {
    progress(`${path}…`);
    const t = await timeRuns(() => page(ctx, path, headers));
    if (path === ctx.barePath) bare = t.p50;
    console.log(
      `  ${path.padEnd(40)} p50 ${ms(t.p50).padStart(6)}  p95 ${ms(t.p95).padStart(6)}  (${(t.p50 / bare).toFixed(1)}× the bare route)`,
    );
  }

  console.log('\nThe same domain functions called directly (median ms):');
  const direct: [string, () => Promise<unknown>][] = [
    [
      'sentDashboard + sentReferrals page 1',
      () => Promise.all([sentDashboard(db, demo), sentReferrals(db, demo, { page: 1 })]),
    ],
    [
      'receivedDashboard + receivedReferrals page 1',
      () => Promise.all([receivedDashboard(db, demo), receivedReferrals(db, demo, { page: 1 })]),
    ],
    ['referralStatistics (the OPSN, 12 months)', () => referralStatistics(db, { collectiviteIds: null })],
  ];
  for (const [label, work] of direct) {
    const t = await timeRuns(work, 50);
    console.log(`  ${label.padEnd(46)} p50 ${ms(t.p50).padStart(6)}  p95 ${ms(t.p95).padStart(6)}`);
  }
  const plan = await sql<{ 'QUERY PLAN': string }>`explain analyze select status, count(*) from orientation
    where sent_by = ${demo.userId} group by status`.execute(db);
  console.log(
    `\nPlan of a recount by state of the same sender (what orientation_count spares the dashboard):\n${plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`,
  );
}
