/**
 * The secure mandates' part of `npm run bench`, opt-in: `npm run bench -- mandats`.
 *
 * At the scale of an OPSN after six years (BENCH_MANDATS mandates, 200 000 by default on
 * PostgreSQL, 50 000 on PGlite, made by 50 habilitated helpers over the 8 demo collectivités
 * and by the demo helper, four of the helpers gone for seven months), it measures: the
 * generation itself; the demo helper's list of mandates, a mandate's page, its attestation and
 * its PDF over HTTP, one request at a time and under a few connections, against the bare
 * route, with the SQL each request runs timed bare, the indexes its plans use and the EXPLAIN
 * ANALYZE of queries over 5 ms; the public verification (`verificationOf`, its plan guarded
 * against a sequential scan); `createMandate`, `declareUse` and `attestationPdf` called
 * directly; the daily habilitation job and the lookups of `lastActivity`; and the daily purge
 * with the time spent in each foreign key's trigger. For the job and the purge it also shows
 * what indexes they lack would change (built in the throwaway database, then dropped).
 *
 * Everything is generated straight in SQL (`insert … select … from generate_series`): the
 * helpers and their activities (as many as mandates, over three years) as the activities'
 * bench makes them, then the mandates in realistic states, their authorisations, revocations,
 * uses and SMS consents, and the journal those six years would have written (sealed with
 * placeholder hashes: `audit verify` would reject it, the bench never verifies).
 *
 * `run.ts` starts the app on a throwaway database and hands over its load machinery.
 */
import { randomBytes } from 'node:crypto';
import { type CompiledQuery, type RawBuilder, sql } from 'kysely';
import { DEMO_ACCOUNTS } from '../src/modules/comptes/index.ts';
import {
  type AttestationDocument,
  attestationPdf,
  mandateAttestation,
  verificationQrSvg,
} from '../src/modules/mandats/attestation.ts';
import { createMandate } from '../src/modules/mandats/creation.ts';
import { isHabilitated } from '../src/modules/mandats/habilitation.ts';
import { mandateJobs, purgeMandates } from '../src/modules/mandats/jobs.ts';
import {
  authorisationsOf,
  declareUse,
  findVisibleMandate,
  listMandates,
  type Mandate,
  type MandateListFilter,
  recordMandateRead,
  revocationsOf,
  usesOf,
  verificationOf,
} from '../src/modules/mandats/service.ts';
import {
  ATTESTATION_TEMPLATE,
  CANCELLED_RETENTION_MONTHS,
  type Demarche,
  RETENTION_YEARS,
} from '../src/modules/mandats/vocabulary.ts';
import { type Helper, helperPlaces } from '../src/modules/mediateurs/index.ts';
import { sealJournal } from '../src/platform/audit/journal.ts';
import {
  defaultCollectiviteId,
  loadMemberships,
  openSession,
  resolveSession,
  SESSION_COOKIE,
} from '../src/platform/auth/sessions.ts';
import { loadConfig } from '../src/platform/config.ts';
import { NO_CONTRIBUTIONS } from '../src/platform/contributions.ts';
import type { Db } from '../src/platform/db/database.ts';
import type { Notifier } from '../src/platform/messaging/index.ts';
import { parisToday } from '../src/platform/paris-time.ts';
import { loadActivities } from './activites.ts';
import { analyzedPlanText, captureQueries, type Plan, planOf, type SqlTiming, timeQueries } from './lieux.ts';
import type { LoadJob, LoadResult, LoadSettings } from './run.ts';
import { median, percentile, pickSql, quote, type Weighted } from './stats.ts';

export type MandatsBenchContext = {
  db: Db;
  kind: 'pglite' | 'postgres';
  baseUrl: string;
  barePath: string;
  /** Where the configuration points its files (the job's mail outbox needs a configuration). */
  dataDir: string;
  measure(job: LoadJob): Promise<LoadResult>;
  progress(message: string): void;
};

/** `npm run bench -- mandats` */
export const mandatsRequested = (argv: readonly string[]) => argv.slice(2).includes('mandats');

export function mandatesToGenerate(env: NodeJS.ProcessEnv, kind: 'pglite' | 'postgres'): number {
  const raw = env.BENCH_MANDATS;
  if (raw === undefined || raw === '') return kind === 'postgres' ? 200_000 : 50_000;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1_000 || count > 2_000_000) {
    throw new Error(`BENCH_MANDATS must be a whole number from 1000 to 2000000, not « ${raw} »`);
  }
  return count;
}

/** Generation dominates (about 1 ms a mandate with its journal on a slow machine), then about 3 min of measures. */
export const mandatsWatchdogMs = (count: number) => 600_000 + count * 2;

/** The helpers the activities' bench creates, besides the demo helper. */
const BENCH_HELPERS = 50;
/** Six years of mandates: what the retention keeps (`RETENTION_YEARS` after the end). */
const DAYS = 6 * 365;
/** Pages slower than this get the EXPLAIN ANALYZE of their queries over it. */
const SLOW_QUERY_MS = 5;
/** One request at a time, then a few concurrent helpers. */
const SINGLE: LoadSettings = { connections: 1, warmupSec: 0, durationSec: 3, timeoutSec: 60 };
const LOADED: LoadSettings = { connections: 4, warmupSec: 0, durationSec: 5, timeoutSec: 60 };
/** Service calls timed one after the other. */
const CALLS = 500;
const VERIFICATIONS = 200;
/** Mandate pages requested in turn. */
const PAGES = 20;
/** Mandates the measured purge erases (the oldest closed ones). */
const PURGED = 20;
/** Under the verification page's limit of 20 a minute per address. */
const HTTP_VERIFICATIONS = { known: 10, unknown: 5 };
/** What a browser announces: pages are requested compressed. */
const BROWSER = { 'accept-encoding': 'gzip, br' };

const seconds = (since: number) => (performance.now() - since) / 1000;
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '—');
const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(ratio < 10 ? 2 : 1)}×` : '—');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
type Runs = { runs: number; p50: number; p95: number; mean: number };
const summarise = (values: number[]): Runs => ({
  runs: values.length,
  p50: median(values),
  p95: percentile(values, 95),
  mean: values.reduce((s, v) => s + v, 0) / values.length,
});

/** Times `work(i)` for i = 0 … count − 1, one call after the other, after one warm-up call. */
async function timeCalls(count: number, work: (i: number) => Promise<unknown>): Promise<Runs> {
  await work(count);
  const elapsed: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await work(i);
    elapsed.push(performance.now() - t);
  }
  return summarise(elapsed);
}

// ---------------------------------------------------------------------------------------------
// Generation

// What people ask helpers to do on their behalf, most often first (in the spirit of Aidants
// Connect's published figures: social benefits, taxes and work first).
const DEMARCHE_WEIGHTS: Weighted = [
  ['social', 25],
  ['argent', 20],
  ['travail', 15],
  ['logement', 12],
  ['papiers', 10],
  ['famille', 8],
  ['transports', 5],
  ['etranger', 3],
  ['justice', 1],
  ['loisirs', 1],
];
const DUREE_WEIGHTS: Weighted = [
  ['1j', 10],
  ['1m', 20],
  ['6m', 30],
  ['12m', 40],
];
const PIECE_WEIGHTS: Weighted = [
  ['carte_identite', 60],
  ['titre_sejour', 15],
  ['passeport', 12],
  ['permis_conduire', 10],
  ['autre', 3],
];
const FIRST_NAMES = ['Josette', 'Ahmed', 'Lucienne', 'Mamadou', 'Monique', 'Karim', 'Fatoumata', 'Gérard'];
const LAST_NAMES = ['Durand', 'Benali', 'Petit', 'Diallo', 'Lefèvre', 'Nguyen', 'Moreau', 'Haddad', 'Roux'];
const USE_DESCRIPTIONS = [
  'Déclaration de revenus',
  'Demande de complémentaire santé solidaire',
  'Actualisation mensuelle France Travail',
  'Demande d’aide au logement',
  'Prise de rendez-vous en préfecture',
  'Téléchargement d’une attestation',
  'Mise à jour de la situation familiale',
];
const array = (values: readonly string[]) => sql.raw(`array[${values.map(quote).join(', ')}]::text[]`);

/**
 * The demo helper (h = 0, the busiest) and the 50 bench helpers, with the places their
 * mandates are made at, and when they stopped working (the last INACTIVE ones: nothing of
 * theirs after that, which the daily job must notice).
 */
const POOL_TABLE = sql`create table bench_mandat_helper (
  h integer primary key,
  user_id uuid not null,
  email text not null,
  collectivite_id integer not null,
  lieux uuid[] not null,
  left_at timestamptz
)`;
/** Helpers who left (the job warns them): the last ones of the pool, gone for INACTIVE_DAYS. */
const INACTIVE = 4;
const INACTIVE_DAYS = 200;

/**
 * One row per mandate with everything drawn for it, from which the tables are filled: the
 * helper (busy ones make more), the date (more recently than six years ago), the duration,
 * the démarches (1 to 3), the consent (15 % by SMS), and what happened to it: a pending SMS
 * request when it is less than a day old, some refused or unanswered ones of the last three
 * months (older ones are purged), otherwise started, then revoked (10 %), partly revoked
 * (10 % of those with several démarches), expired when past their end, or active.
 */
function drawMandatesSql(count: number, helpers: number) {
  const draws = Array.from({ length: 19 }, (_, i) => `random() r${i}`).join(', ');
  const demarche = (column: string) => pickSql(column, DEMARCHE_WEIGHTS);
  return sql`create table bench_mandat_gen as
    with src as materialized (
      select g, ${sql.raw(draws)} from generate_series(1, ${count}::int) g
    ),
    a as materialized (
      select s.*, h.user_id, h.email, h.collectivite_id,
        h.lieux[1 + floor(s.r1 * cardinality(h.lieux))::int] as lieu_id,
        coalesce(h.left_at, now()) - pow(s.r2, 1.3)
          * (coalesce(h.left_at, now()) - (now() - interval '${sql.raw(String(DAYS))} days')) as created,
        h.left_at,
        ${sql.raw(pickSql('s.r3', DUREE_WEIGHTS))} as duree,
        s.r4 < 0.15 as sms,
        array(select distinct d from unnest(array[${sql.raw(demarche('s.r5'))},
          case when s.r6 < 0.45 then ${sql.raw(demarche('s.r7'))} end,
          case when s.r6 < 0.15 then ${sql.raw(demarche('s.r8'))} end]) d where d is not null order by d) as demarches
      from src s join bench_mandat_helper h
        on h.h = least(${helpers}::int - 1, floor(pow(s.r0, 1.2) * ${helpers}::int)::int)
    ),
    b as (
      select a.*,
        case when sms and created > now() - interval '1 day' then 'en_attente'
          when sms and created > now() - interval '3 months' and r9 < 0.15
            then (case when r9 < 0.075 then 'refuse' else 'annule' end)
          else 'started' end as phase
      from a
    ),
    c as (
      select b.*, case when phase = 'started' then
          date_trunc('second', case when sms then created + r10 * interval '3 hours' else created end) end as debut
      from b
    ),
    d as (
      select c.*, debut + (case duree when '1j' then interval '1 day' when '1m' then interval '1 month'
          when '6m' then interval '6 months' else interval '12 months' end) as fin
      from c
    ),
    e as (
      select d.*, debut is not null and r11 < 0.10 as full_revoke,
        case when debut is not null and (r11 < 0.10 or (r11 < 0.20 and cardinality(demarches) >= 2))
          then debut + r12 * (least(fin, now()) - debut) end as revoked_at
      from d
    )
    select g, md5('bench-m-' || g)::uuid as id, user_id, email, collectivite_id, lieu_id, left_at, created, duree, sms,
      demarches, debut, case when debut is not null then fin end as fin, revoked_at, full_revoke,
      case when phase <> 'started' then phase when full_revoke then 'revoque'
        when fin <= now() then 'expire' else 'actif' end as status,
      case when phase = 'refuse' then created + r10 * interval '3 hours'
        when phase = 'annule' then created + interval '1 day'
        when full_revoke then revoked_at when debut is not null and fin <= now() then fin end as closed_at,
      case when phase = 'refuse' then 'refusé par SMS' when phase = 'annule' then 'sans réponse sous 24 h'
        when full_revoke then 'révoqué' when debut is not null and fin <= now() then 'arrivé à échéance' end
        as motif,
      case when revoked_at is null then null when full_revoke then demarches else demarches[1:1] end as revoked,
      case when r13 < 0.4 then 'aidant' else 'personne' end as requested_by,
      case when debut is not null then floor(pow(r14, 2) * 5)::int else 0 end as uses,
      (${array(FIRST_NAMES)})[1 + floor(r15 * ${FIRST_NAMES.length})::int] as prenom,
      (${array(LAST_NAMES)})[1 + floor(r16 * ${LAST_NAMES.length})::int] as nom,
      date '1935-01-01' + floor(r17 * 25000)::int as date_naissance,
      ${sql.raw(pickSql('r18', PIECE_WEIGHTS))} as piece,
      case when sms then '+336' || lpad(g::text, 8, '0') end as telephone
    from e`;
}

const fillMandatesSql = sql`insert into mandat (id, collectivite_id, lieu_id, mediateur_id, beneficiaire_id,
    prenom, nom, date_naissance, piece_identite, telephone, consentement, status, duree, demarches, debut, fin,
    empreinte, sel, modele, renouvelle_id, created_at, closed_at, motif_fermeture)
  select id, collectivite_id, lieu_id, user_id, null, prenom, nom, date_naissance, piece, telephone,
    case when sms then 'sms' else 'presentiel' end, status, duree, demarches, debut, fin,
    case when debut is not null then encode(sha256(convert_to('bench-mandat-' || g, 'UTF8')), 'hex') end,
    md5('bench-sel-' || g), ${ATTESTATION_TEMPLATE}, null, created, closed_at, motif
  from bench_mandat_gen order by created`;

const fillRevocationsSql = sql`insert into revocation (id, mandat_id, demarches, requested_by, revoked_by, revoked_at, empreinte)
  select md5('bench-r-' || g)::uuid, id, revoked, requested_by, user_id, revoked_at,
    encode(sha256(convert_to('bench-revocation-' || g, 'UTF8')), 'hex')
  from bench_mandat_gen where revoked_at is not null order by revoked_at`;

const fillAuthorisationsSql = sql`insert into autorisation (mandat_id, demarche, revoked_at, revocation_id)
  select g.id, d, case when d = any(g.revoked) then g.revoked_at end,
    case when d = any(g.revoked) then md5('bench-r-' || g.g)::uuid end
  from bench_mandat_gen g cross join unnest(g.demarches) d
  where g.debut is not null order by g.debut`;

/** Each use before the mandate's end, its revocation and now, for one of its démarches. */
const fillUsesSql = sql`insert into mandat_usage (mandat_id, autorisation_id, mediateur_id, demarche, description, created_at)
  select u.id, a.id, u.user_id, a.demarche, u.description, u.le
  from (select g.id, g.user_id,
          g.demarches[1 + floor(random() * cardinality(g.demarches))::int] as demarche,
          (${array(USE_DESCRIPTIONS)})[1 + floor(random() * ${USE_DESCRIPTIONS.length})::int] as description,
          g.debut + random() * (least(g.fin, coalesce(g.revoked_at, g.fin), coalesce(g.left_at, now())) - g.debut)
            as le
        from bench_mandat_gen g cross join generate_series(1, g.uses) k where g.uses > 0 offset 0) u
  join autorisation a on a.mandat_id = u.id and a.demarche = u.demarche
  order by u.le`;

const fillConsentsSql = sql`insert into consentement_sms (mandat_id, telephone, sent_at, expires_at, status,
    answered_at, message_id)
  select id, telephone, created, created + interval '24 hours',
    case status when 'en_attente' then 'envoye' when 'refuse' then 'refuse' when 'annule' then 'expire'
      else 'accepte' end,
    case status when 'en_attente' then null when 'annule' then null when 'refuse' then closed_at else debut end,
    'bench-sms-' || g
  from bench_mandat_gen where sms order by created`;

/** A placeholder 64-hex hash for the generated entry at `seq` (not the entry's real hash). */
const placeholderHash = (seq: string) => `(md5('bench-audit-' || ${seq}) || md5('bench-audit+' || ${seq}))`;

/**
 * The journal six years of these mandates would have written, in time order (the window's), sealed after the
 * entries already there: each mandate's steps (person identified, SMS sent and answered,
 * attestation and authorisations created, reads, uses, revocations, expiry) and the helpers'
 * sign-ins (4 working days out of 5). Returns how many entries it wrote.
 */
async function fillJournal(db: Db): Promise<number> {
  await sealJournal(db);
  const last = await db
    .selectFrom('audit_event')
    .select(['seq', 'hash'])
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const base = String(last?.seq ?? 0);
  const genesis = last?.hash ?? '0'.repeat(64);
  const mask = `left(g.telephone, 4) || '••••••' || right(g.telephone, 2)`;
  const { numAffectedRows } = await sql`insert into audit_event (at, actor_user_id, actor_label, action,
      collectivite_id, subject_type, subject_id, ip, details, seq, prev_hash, hash)
    select at, actor_user_id, actor_label, action, collectivite_id, subject_type, subject_id, ip, details,
      ${base}::bigint + n,
      case when n = 1 then ${genesis} else ${sql.raw(placeholderHash(`(${base}::bigint + n - 1)`))} end,
      ${sql.raw(placeholderHash(`(${base}::bigint + n)`))}
    from (select e.*, row_number() over (order by e.at) as n from (
      select g.created as at, g.user_id as actor_user_id, g.email as actor_label,
        'mandat.personne_identifiee' as action, g.collectivite_id, 'mandat' as subject_type,
        g.id::text as subject_id, null as ip,
        jsonb_build_object('pieceIdentite', g.piece, 'pieceVue', true, 'beneficiaire', null) as details
      from bench_mandat_gen g
      union all
      select g.created + interval '1 second', g.user_id, g.email, 'mandat.sms_envoye', g.collectivite_id, 'mandat',
        g.id::text, null, jsonb_build_object('telephone', ${sql.raw(mask)}, 'messageId', 'bench-sms-' || g.g)
      from bench_mandat_gen g where g.sms
      union all
      select coalesce(g.debut, g.closed_at), null, 'réponse SMS de la personne',
        case when g.debut is not null then 'mandat.sms_recu' else 'mandat.sms_refuse' end,
        g.collectivite_id, 'mandat', g.id::text, null, jsonb_build_object('messageId', 'bench-in-' || g.g)
      from bench_mandat_gen g where g.sms and g.status <> 'en_attente'
      union all
      select g.debut, g.user_id, g.email, 'mandat.attestation_creee', g.collectivite_id, 'mandat', g.id::text, null,
        jsonb_build_object('empreinte', m.empreinte, 'modele', m.modele)
      from bench_mandat_gen g join mandat m on m.id = g.id where g.debut is not null
      union all
      select g.debut, g.user_id, g.email, 'mandat.autorisation_creee', g.collectivite_id, 'mandat', g.id::text, null,
        jsonb_build_object('demarche', d, 'fin', g.fin)
      from bench_mandat_gen g cross join unnest(g.demarches) d where g.debut is not null
      union all
      select g.debut + interval '2 minutes', g.user_id, g.email, 'mandat.consulte', g.collectivite_id, 'mandat',
        g.id::text, null, jsonb_build_object('quoi', 'attestation')
      from bench_mandat_gen g where g.debut is not null
      union all
      select u.created_at - interval '1 minute', u.mediateur_id, g.email, 'mandat.consulte', g.collectivite_id, 'mandat',
        g.id::text, null, jsonb_build_object('quoi', 'fiche')
      from mandat_usage u join bench_mandat_gen g on g.id = u.mandat_id
      union all
      select u.created_at, u.mediateur_id, g.email, 'mandat.autorisation_utilisee', g.collectivite_id, 'mandat', g.id::text,
        null, jsonb_build_object('demarche', u.demarche, 'description', u.description)
      from mandat_usage u join bench_mandat_gen g on g.id = u.mandat_id
      union all
      select g.revoked_at, g.user_id, g.email, 'mandat.autorisation_revoquee', g.collectivite_id, 'mandat',
        g.id::text, null, jsonb_build_object('demarche', d, 'demandeePar', g.requested_by)
      from bench_mandat_gen g cross join unnest(g.revoked) d where g.revoked_at is not null
      union all
      select g.revoked_at, g.user_id, g.email, 'mandat.revoque', g.collectivite_id, 'mandat', g.id::text, null,
        jsonb_build_object('demandeePar', g.requested_by)
      from bench_mandat_gen g where g.full_revoke
      union all
      select g.fin, null, 'tâche planifiée', 'mandat.expire', g.collectivite_id, 'mandat', g.id::text, null,
        jsonb_build_object('fin', g.fin)
      from bench_mandat_gen g where g.status = 'expire'
      union all
      select d + interval '8 hours' + random() * interval '3 hours', null, 'anonyme', 'auth.signin.success', null,
        'user', h.user_id::text, '127.0.0.1', jsonb_build_object('method', 'password', 'secondFactor', 'totp')
      from bench_mandat_helper h
      cross join generate_series(date_trunc('day', now() - interval '${sql.raw(String(DAYS))} days'),
        date_trunc('day', coalesce(h.left_at, now()) - interval '1 day'), interval '1 day') d
      where extract(isodow from d) < 6 and random() < 0.8
    ) e) numbered`.execute(db);
  return Number(numAffectedRows ?? 0);
}

type Generation = {
  helpers: number;
  activities: number;
  activitiesSec: number;
  stepsSec: Record<string, number>;
  totalSec: number;
};

/** The demo helper, as the routes see them once signed in. */
async function demoHelper(db: Db): Promise<Helper & { places: string[] }> {
  const account = DEMO_ACCOUNTS[2];
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'name'])
    .where('email', '=', account.email)
    .executeTakeFirstOrThrow();
  const memberships = await loadMemberships(db, user.id);
  const collectiviteId = defaultCollectiviteId(memberships);
  if (collectiviteId === null) throw new Error(`bench: ${account.email} helps in no collectivité`);
  if (!(await isHabilitated(db, user.id)))
    throw new Error(`bench: ${account.email} is not habilitated (the demo data should habilitate them)`);
  const places = (
    await db
      .selectFrom('mediateur_lieu')
      .select('lieu_id')
      .where('user_id', '=', user.id)
      .orderBy('lieu_id')
      .execute()
  ).map((r) => r.lieu_id);
  if (places.length === 0) throw new Error(`bench: ${account.email} has no place of activity`);
  return {
    actor: {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      memberships,
      activeCollectiviteId: collectiviteId,
    },
    userId: user.id,
    collectiviteId,
    places,
  };
}

/**
 * The helpers (the activities' bench's 50, with `activities` activities over three years, and
 * the demo helper), all habilitated six years ago; then `count` mandates and all that hangs
 * from them; then VACUUM ANALYZE. Each step timed.
 */
async function generate(
  ctx: MandatsBenchContext,
  count: number,
  activities: number,
  demo: Helper & { places: string[] },
): Promise<Generation> {
  const { db, progress } = ctx;
  const started = performance.now();
  const { helpers, generation } = await loadActivities(ctx, activities, parisToday());
  const stepsSec: Record<string, number> = {};
  const step = async <T>(name: string, message: string, work: () => Promise<T>): Promise<T> => {
    progress(message);
    const t = performance.now();
    const result = await work();
    stepsSec[name] = round(seconds(t), 2);
    return result;
  };
  await step('helpers', 'habilitating the helpers…', async () => {
    await POOL_TABLE.execute(db);
    await sql`insert into bench_mandat_helper
      select 0, ${demo.userId}::uuid, ${demo.actor.email}, ${demo.collectiviteId}::int, ${demo.places}::uuid[]`.execute(
      db,
    );
    await sql`insert into bench_mandat_helper
      select b.h + 1, b.user_id, u.email, b.collectivite_id, array[b.lieu_id]
      from bench_helper b join app_user u on u.id = b.user_id where b.lieu_id is not null`.execute(db);
    await sql`update bench_mandat_helper set left_at = now() - interval '${sql.raw(String(INACTIVE_DAYS))} days'
      where h > (select max(h) from bench_mandat_helper) - ${INACTIVE}::int`.execute(db);
    // Their activities stop when they left too.
    await sql`delete from activite a using bench_mandat_helper h
      where a.mediateur_id = h.user_id and h.left_at is not null and a.created_at > h.left_at`.execute(db);
    await sql`insert into habilitation (user_id, collectivite_id, date_formation, certified_by, granted_at)
      select user_id, collectivite_id, (now() - interval '${sql.raw(String(DAYS + 40))} days' + h * interval '1 day')::date,
        'Aidants Connect — formation des aidants habilités',
        now() - interval '${sql.raw(String(DAYS + 30))} days' + h * interval '1 day'
      from bench_mandat_helper
      on conflict (user_id) do update set granted_at = excluded.granted_at,
        date_formation = excluded.date_formation`.execute(db);
  });
  const pool = helpers.filter((h) => h.lieuId !== null).length + 1;
  // One connection: setseed makes the same draws on every run.
  await db.connection().execute(async (conn) => {
    await sql`select setseed(0.6)`.execute(conn);
    await step('draws', `drawing ${count} mandates…`, () => drawMandatesSql(count, pool).execute(conn));
    await step('mandat', 'writing the mandates…', () => fillMandatesSql.execute(conn));
    await step('revocation', 'writing the revocations…', () => fillRevocationsSql.execute(conn));
    await step('autorisation', 'writing the authorisations…', () => fillAuthorisationsSql.execute(conn));
    await step('mandat_usage', 'writing the uses…', () => fillUsesSql.execute(conn));
    await step('consentement_sms', 'writing the SMS consents…', () => fillConsentsSql.execute(conn));
    await step('audit_event', 'writing six years of journal…', () => fillJournal(conn));
  });
  await sql`drop table bench_mandat_gen`.execute(db);
  // What autovacuum does after such a load (PGlite has none): statistics, visibility map.
  await step('vacuumAnalyze', 'VACUUM ANALYZE…', () =>
    sql`vacuum analyze mandat, autorisation, revocation, mandat_usage, consentement_sms, audit_event, habilitation,
      activite, participation`.execute(db),
  );
  return {
    helpers: pool,
    activities: generation.activities,
    activitiesSec: generation.totalSec,
    stepsSec,
    totalSec: round(seconds(started)),
  };
}

type Counts = {
  tables: Record<string, number>;
  statuses: Record<string, number>;
  revokedAuthorisations: number;
  pendingSms: number;
  signins: number;
  sizes: Record<string, number>;
  demo: { own: number; visible: number; activeVisible: number };
};

async function countRows(db: Db, demo: Helper & { places: string[] }): Promise<Counts> {
  const tables: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  for (const table of [
    'habilitation',
    'mandat',
    'autorisation',
    'revocation',
    'mandat_usage',
    'consentement_sms',
    'audit_event',
    'activite',
  ]) {
    const { rows } = await sql<{ n: number; bytes: string }>`
      select (select count(*) from ${sql.table(table)})::int as n,
        pg_total_relation_size(${table}::regclass)::text as bytes`.execute(db);
    tables[table] = rows[0]!.n;
    sizes[table] = Number(rows[0]!.bytes);
  }
  const statuses = Object.fromEntries(
    (
      await sql<{ status: string; n: number }>`
        select status, count(*)::int as n from mandat group by status order by n desc`.execute(db)
    ).rows.map((r) => [r.status, r.n]),
  );
  const one = async (query: RawBuilder<{ n: number }>) => (await query.execute(db)).rows[0]!.n;
  return {
    tables,
    statuses,
    sizes,
    revokedAuthorisations: await one(
      sql<{ n: number }>`select count(*)::int as n from autorisation where revoked_at is not null`,
    ),
    pendingSms: await one(
      sql<{ n: number }>`select count(*)::int as n from consentement_sms where status = 'envoye'`,
    ),
    signins: await one(
      sql<{ n: number }>`select count(*)::int as n from audit_event where action = 'auth.signin.success'`,
    ),
    demo: {
      own: await one(
        sql<{ n: number }>`select count(*)::int as n from mandat where mediateur_id = ${demo.userId}`,
      ),
      visible: await one(sql<{ n: number }>`select count(*)::int as n from mandat
        where mediateur_id = ${demo.userId} or lieu_id = any(${demo.places}::uuid[])`),
      activeVisible: await one(sql<{ n: number }>`select count(*)::int as n from mandat
        where (mediateur_id = ${demo.userId} or lieu_id = any(${demo.places}::uuid[]))
          and status = 'actif' and fin > now()`),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// SQL: what a request runs, bare, and its plans

type QueryReport = {
  label: string;
  sql: string;
  parameters: readonly unknown[];
  ms: number;
  indexes: string[];
  seqScans: string[];
  plan?: string;
};
type SqlReport = { name: string; totalMs: number; runs: number; queries: QueryReport[] };

/** "select mandat", "insert audit_event": the statement and the first table it names. */
function labelOf(query: CompiledQuery<unknown>): string {
  const verb = /^\s*(\w+)/.exec(query.sql)?.[1]?.toLowerCase() ?? '?';
  // The statement's own table, not a subquery's: parenthesised parts out first.
  let outer = query.sql;
  for (let previous = ''; previous !== outer; ) {
    previous = outer;
    outer = outer.replace(/\([^()]*\)/g, '');
  }
  const table = /\b(?:from|into|update)\s+"?([a-z_]+)"?/i.exec(outer)?.[1] ?? '?';
  return `${verb} ${table}`;
}

const oneLine = (text: string, max = 160) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

async function planText(db: Db, query: CompiledQuery<unknown>, kind: MandatsBenchContext['kind']) {
  // EXPLAIN ANALYZE runs the statement: only for reads.
  if (!/^\s*select/i.test(query.sql)) return `(a write: not run again)\n${query.sql}`;
  if (kind === 'pglite') return analyzedPlanText(db, query);
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>({
    ...query,
    sql: `explain (analyze, buffers) ${query.sql}`,
  });
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/**
 * Queries run bare one after the other (a warm-up run, then at least 5 runs within about a
 * second), with their plans, and the EXPLAIN ANALYZE of those over SLOW_QUERY_MS.
 */
async function reportQueries(
  ctx: MandatsBenchContext,
  name: string,
  queries: CompiledQuery<unknown>[],
): Promise<SqlReport> {
  const { db } = ctx;
  await timeQueries(db, queries, { minRuns: 1, maxRuns: 1 });
  const timing: SqlTiming = await timeQueries(db, queries, { minRuns: 5, maxRuns: 50, budgetMs: 1000 });
  const reports: QueryReport[] = [];
  for (const [i, query] of queries.entries()) {
    const plan: Plan = await planOf(db, query);
    const report: QueryReport = {
      label: labelOf(query),
      sql: query.sql,
      parameters: query.parameters,
      ms: timing.perQueryMs[i]!,
      indexes: [...new Set(plan.indexes)],
      seqScans: [...new Set(plan.seqScans)],
    };
    if (report.ms > SLOW_QUERY_MS) report.plan = await planText(db, query, ctx.kind);
    reports.push(report);
  }
  return { name, totalMs: timing.medianMs, runs: timing.runs, queries: reports };
}

/** The queries behind a request, captured from the domain calls it makes, reported as above. */
async function sqlOf(
  ctx: MandatsBenchContext,
  name: string,
  work: (db: Db) => Promise<unknown>,
): Promise<SqlReport> {
  const { queries } = await captureQueries(ctx.db, work);
  return reportQueries(ctx, name, queries);
}

function printSql(report: SqlReport): void {
  console.log(
    `\n${report.name}: ${report.queries.length} queries, ${ms(report.totalMs)} ms run bare one after the other ` +
      `(median of ${report.runs})`,
  );
  for (const q of report.queries) {
    const access =
      (q.seqScans.length ? `SEQ SCAN ${q.seqScans.join('+')}` : '') +
      (q.seqScans.length && q.indexes.length ? ', ' : '') +
      (q.indexes.length ? q.indexes.join('+') : q.seqScans.length ? '' : 'no table read');
    console.log(`  ${ms(q.ms).padStart(7)} ms  ${q.label.padEnd(24)} [${access}]`);
    console.log(`              ${oneLine(q.sql)}`);
  }
}

function printSlowPlans(reports: SqlReport[]): void {
  const seen = new Set<string>();
  for (const report of reports) {
    for (const q of report.queries) {
      if (!q.plan || seen.has(q.sql)) continue;
      seen.add(q.sql);
      console.log(`\nSlow query of ${report.name} (${q.label}), ${ms(q.ms)} ms:`);
      console.log(`    ${q.sql.replace(/\s+/g, ' ')}\n    parameters: ${JSON.stringify(q.parameters)}`);
      console.log(q.plan.replace(/^/gm, '    '));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

type Target = { name: string; label: string; paths: string[] };
type TargetReport = Target & { single: LoadResult; loaded: LoadResult; bytes: number; status: number };

/** Requests the first paths once (a warm-up, and a check that they answer 200), returning the quickest time. */
async function warmUp(ctx: MandatsBenchContext, target: Target, headers: Record<string, string>) {
  let quickest = Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (const p of target.paths.slice(0, 3)) {
    const t = performance.now();
    const response = await fetch(ctx.baseUrl + p, { headers });
    const body = await response.arrayBuffer();
    if (response.status !== 200)
      throw new Error(
        `bench: ${p} answered ${response.status}: ${Buffer.from(body).toString().slice(0, 300)}`,
      );
    quickest = Math.min(quickest, performance.now() - t);
    bytes = body.byteLength;
  }
  return { quickest, bytes };
}

/** One request at a time, then LOADED's connections, long enough to see about 20 answers each. */
async function measureTarget(
  ctx: MandatsBenchContext,
  target: Target,
  headers: Record<string, string>,
): Promise<TargetReport> {
  const { quickest, bytes } = await warmUp(ctx, target, headers);
  const job = (load: LoadSettings): LoadJob => ({
    url: ctx.baseUrl + target.paths[0]!,
    headers,
    ...(target.paths.length > 1 ? { paths: target.paths } : {}),
    ...load,
  });
  const singleSec = Math.min(10, Math.max(SINGLE.durationSec, Math.ceil((20 * quickest) / 1000) + 1));
  ctx.progress(`${target.name}: one request at a time for ${singleSec} s…`);
  const single = await ctx.measure(job({ ...SINGLE, durationSec: singleSec }));
  const loadedSec = Math.min(
    15,
    Math.max(LOADED.durationSec, Math.ceil((20 * single.latencyMs.p50) / LOADED.connections / 1000) + 1),
  );
  ctx.progress(`${target.name}: ${LOADED.connections} connections for ${loadedSec} s…`);
  const loaded = await ctx.measure(job({ ...LOADED, durationSec: loadedSec }));
  for (const [what, r] of [
    ['one at a time', single],
    ['under load', loaded],
  ] as const) {
    if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0)
      throw new Error(
        `bench: ${target.name} ${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts ` +
          `of ${r.requests} answers`,
      );
  }
  return { ...target, single, loaded, bytes, status: 200 };
}

function printTargets(reports: TargetReport[], sqlByName: Map<string, SqlReport>): void {
  const bare = reports[0]!;
  const labelWidth = Math.max(...reports.map((r) => r.label.length));
  console.log(
    `\nOver HTTP, signed in as the demo helper: one request at a time, then ${LOADED.connections} connections ` +
      `(ms; × = ratio to the bare route in the same run; SQL = the request's queries run bare)`,
  );
  console.log(
    `  ${'target'.padEnd(16)} ${'path'.padEnd(labelWidth)}  ${'1-conn p50'.padStart(10)} ${'p95'.padStart(7)} ` +
      `${'×bare p50'.padStart(9)}   ${`${LOADED.connections}-conn req/s`.padStart(12)} ${'×bare'.padStart(7)} ` +
      `${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'×bare p95'.padStart(9)}   ${'SQL'.padStart(6)} ${'KB'.padStart(6)}`,
  );
  for (const r of reports) {
    const s = r.single.latencyMs;
    const l = r.loaded.latencyMs;
    const sqlMs = sqlByName.get(r.name)?.totalMs;
    console.log(
      `  ${r.name.padEnd(16)} ${r.label.padEnd(labelWidth)}  ${ms(s.p50).padStart(10)} ${ms(s.p95).padStart(7)} ` +
        `${times(s.p50 / bare.single.latencyMs.p50).padStart(9)}   ${Math.round(r.loaded.rps).toString().padStart(12)} ` +
        `${times(r.loaded.rps / bare.loaded.rps).padStart(7)} ${ms(l.p50).padStart(7)} ${ms(l.p95).padStart(7)} ` +
        `${times(l.p95 / bare.loaded.latencyMs.p95).padStart(9)}   ${(sqlMs === undefined ? '' : ms(sqlMs)).padStart(6)} ` +
        `${(r.bytes / 1000).toFixed(1).padStart(6)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Main

type Verification = {
  known: Runs;
  unknown: Runs;
  index: string;
  plan: string[];
  http: { known: Runs; unknown: Runs; statuses: number[] };
};

async function measureVerification(ctx: MandatsBenchContext): Promise<Verification> {
  const { db, progress } = ctx;
  progress(`verificationOf: ${VERIFICATIONS} known and ${VERIFICATIONS} unknown fingerprints…`);
  const known = (
    await sql<{ empreinte: string }>`select empreinte from mandat where empreinte is not null
      order by md5(empreinte) limit ${VERIFICATIONS}`.execute(db)
  ).rows.map((r) => r.empreinte);
  const unknown = Array.from({ length: VERIFICATIONS }, () => randomBytes(32).toString('hex'));
  const knownRuns = await timeCalls(known.length, async (i) => {
    if (!(await verificationOf(db, known[i % known.length]!)))
      throw new Error('bench: a known fingerprint is not found');
  });
  const unknownRuns = await timeCalls(unknown.length, async (i) => {
    if (await verificationOf(db, unknown[i % unknown.length]!))
      throw new Error('bench: a random fingerprint is found');
  });

  // The lookup must walk the unique index on mandat.empreinte, never read the whole table.
  const { rows: indexRows } = await sql<{ indexname: string }>`select indexname from pg_indexes
    where tablename = 'mandat' and indexdef like '%UNIQUE%(empreinte)%'`.execute(db);
  const index = indexRows[0]?.indexname;
  if (!index) throw new Error('bench: mandat.empreinte has no unique index');
  const { queries } = await captureQueries(db, (d) => verificationOf(d, known[0]!));
  const lookup = queries.find((q) => /from "mandat"/.test(q.sql));
  if (!lookup) throw new Error('bench: verificationOf sent no query on mandat');
  const plan = await planOf(db, lookup);
  if (plan.seqScans.includes('mandat') || !plan.indexes.includes(index))
    throw new Error(
      `bench: the verification lookup does NOT walk ${index}: ${plan.nodes.join(' > ')}\n${lookup.sql}`,
    );

  // Over HTTP, a few only: 20 a minute per address, and the bench's app trusts no proxy
  // (TRUST_PROXY is off), so x-forwarded-for cannot spread the requests over addresses.
  progress('/mandats/verifier/…: a few requests over HTTP…');
  const statuses: number[] = [];
  const get = async (fingerprint: string, expected: number) => {
    const response = await fetch(`${ctx.baseUrl}/mandats/verifier/${fingerprint}`, { headers: BROWSER });
    await response.arrayBuffer();
    statuses.push(response.status);
    if (response.status !== expected)
      throw new Error(`bench: /mandats/verifier answered ${response.status}, not ${expected}`);
  };
  const httpKnown = await timeCalls(HTTP_VERIFICATIONS.known - 1, (i) => get(known[i + 1]!, 200));
  const httpUnknown = await timeCalls(HTTP_VERIFICATIONS.unknown - 1, (i) => get(unknown[i + 1]!, 404));
  return {
    known: knownRuns,
    unknown: unknownRuns,
    index,
    plan: plan.nodes,
    http: { known: httpKnown, unknown: httpUnknown, statuses },
  };
}

type Operations = {
  create: Runs;
  createSql: SqlReport;
  declareUse: Runs;
  attestation: Runs;
  qrSvg: Runs;
  pdf: Runs;
  pdfBytes: number;
};

async function measureOperations(
  ctx: MandatsBenchContext,
  demo: Helper & { places: string[] },
  publicUrl: string,
  pageIds: string[],
): Promise<Operations> {
  const { db, progress } = ctx;
  const noSms: Notifier = { notify: () => Promise.reject(new Error('no message in the bench')) };
  const demarches: Demarche[][] = [['social'], ['argent', 'travail'], ['logement', 'famille', 'papiers']];
  const request = (i: number) => ({
    lieuId: demo.places[i % demo.places.length]!,
    beneficiaireId: null,
    prenom: FIRST_NAMES[i % FIRST_NAMES.length]!,
    nom: `Banc ${i}`,
    dateNaissance: '1950-06-15',
    pieceIdentite: 'carte_identite',
    telephone: null,
    consentement: 'presentiel' as const,
    demarches: demarches[i % demarches.length]!,
    duree: '12m' as const,
    renouvelleId: null,
  });
  progress(`createMandate in person × ${CALLS}…`);
  const created: Mandate[] = [];
  const create = await timeCalls(CALLS, async (i) => {
    const outcome = await createMandate(db, demo, request(i), noSms);
    if (!outcome.ok) throw new Error(`bench: createMandate refused: ${outcome.reason}`);
    created.push(outcome.value);
  });
  // Its reads, timed bare (its writes cannot run twice): the replacement lookup above all.
  const { queries } = await captureQueries(db, (d) => createMandate(d, demo, request(CALLS + 1), noSms));
  const reads = queries.filter((q) => /^\s*select/i.test(q.sql));
  const createSql = await reportQueries(
    ctx,
    `createMandate's ${reads.length} reads (of its ${queries.length} queries)`,
    reads,
  );

  // Uses on the demo helper's active mandates (those just created included), one open démarche each.
  const { rows: open } = await sql<{ id: string; demarche: string }>`
    select distinct on (m.id) m.id, a.demarche from mandat m join autorisation a on a.mandat_id = m.id
    where m.mediateur_id = ${demo.userId} and m.status = 'actif' and m.fin > now() and a.revoked_at is null
    order by m.id, a.demarche limit ${CALLS}`.execute(db);
  const mandates = new Map(
    (
      await db
        .selectFrom('mandat')
        .selectAll()
        .where(
          'id',
          'in',
          open.map((o) => o.id),
        )
        .execute()
    ).map((m) => [m.id, m]),
  );
  progress(`declareUse × ${CALLS} over ${open.length} active mandates…`);
  const declare = await timeCalls(CALLS, async (i) => {
    const o = open[i % open.length]!;
    const outcome = await declareUse(db, demo, mandates.get(o.id)!, {
      demarche: o.demarche,
      description: 'Déclaration de revenus (bench)',
    });
    if (!outcome.ok) throw new Error(`bench: declareUse refused: ${outcome.reason}`);
  });

  progress('mandateAttestation, verificationQrSvg and attestationPdf alone…');
  const pageMandates = await db.selectFrom('mandat').selectAll().where('id', 'in', pageIds).execute();
  const documents: AttestationDocument[] = [];
  const attestation = await timeCalls(pageMandates.length * 3, async (i) => {
    documents[i % pageMandates.length] = await mandateAttestation(
      db,
      pageMandates[i % pageMandates.length]!,
      publicUrl,
    );
  });
  const qrSvg = await timeCalls(documents.length * 3, (i) =>
    verificationQrSvg(documents[i % documents.length]!.verifyUrl),
  );
  let pdfBytes = 0;
  const pdf = await timeCalls(documents.length * 3, async (i) => {
    pdfBytes = (await attestationPdf(documents[i % documents.length]!)).length;
  });
  return { create, createSql, declareUse: declare, attestation, qrSvg, pdf, pdfBytes };
}

type SubPlanTiming = { name: string; ms: number; loops: number; filteredOut: number; access: string[] };
type Analyzed = { ms: number; rows: number; subplans: SubPlanTiming[] };
type JobReport = {
  runMs: number;
  summary: unknown;
  sql: string;
  /** The select under EXPLAIN ANALYZE: run once, as it may take long. */
  analyzed: Analyzed;
  plan: string;
  candidate: { indexes: string[]; selectMs: number; analyzed: Analyzed; plan: string } | null;
};

/** An index the bench tries in its throwaway database, to show what it would change. */
type Candidate = {
  name: string;
  table: string;
  columns: string;
  where?: string;
  /** How to recognise an index of the application that already does the job. */
  present?: RegExp;
};

/** The job's sign-in lookup and its latest-activity lookup (the index on activite is on `date`). */
const JOB_CANDIDATES: Candidate[] = [
  {
    name: 'bench_audit_signin',
    table: 'audit_event',
    columns: 'subject_id, at',
    where: "action = 'auth.signin.success'",
    present: /\(subject_id\b/,
  },
  {
    name: 'bench_activite_mediateur_created',
    table: 'activite',
    columns: 'mediateur_id, created_at',
    present: /\(mediateur_id, created_at\b/,
  },
];

const describe = (c: Candidate) => `${c.table} (${c.columns})${c.where ? ` where ${c.where}` : ''}`;

async function missingIndexes(db: Db, candidates: Candidate[]): Promise<Candidate[]> {
  const missing: Candidate[] = [];
  for (const c of candidates) {
    const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes
      where tablename = ${c.table}`.execute(db);
    if (!rows.some((r) => c.present?.test(r.indexdef))) missing.push(c);
  }
  return missing;
}

/** `work` with the candidate indexes built (and their tables analysed), dropped again after it. */
async function withIndexes<T>(db: Db, candidates: Candidate[], work: () => Promise<T>): Promise<T> {
  const tables = [...new Set(candidates.map((c) => c.table))];
  for (const c of candidates)
    await sql
      .raw(`create index ${c.name} on ${c.table} (${c.columns})${c.where ? ` where ${c.where}` : ''}`)
      .execute(db);
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
  try {
    return await work();
  } finally {
    for (const c of candidates) await sql`drop index ${sql.id(c.name)}`.execute(db);
    for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
  }
}

type JsonPlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Subplan Name'?: string;
  'Parent Relationship'?: string;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: JsonPlanNode[];
};

/** Rows a plan node and those under it read and threw away (per loop × loops). */
function filteredOut(node: JsonPlanNode): number {
  const own = (node['Rows Removed by Filter'] ?? 0) * (node['Actual Loops'] ?? 1);
  return own + (node.Plans ?? []).reduce((sum, child) => sum + filteredOut(child), 0);
}

/** The access paths under a plan node: `Index Scan using x`, `Seq Scan on y`. */
function accessPaths(node: JsonPlanNode, out: string[] = []): string[] {
  if (node['Index Name']) out.push(`${node['Node Type']} using ${node['Index Name']}`);
  else if (node['Relation Name']) out.push(`${node['Node Type']} on ${node['Relation Name']}`);
  for (const child of node.Plans ?? []) accessPaths(child, out);
  return out;
}

/**
 * The query under EXPLAIN (ANALYZE, FORMAT JSON): its execution time, its rows, and the time
 * spent in each of its subplans (actual time × loops) with the rows they filtered out.
 */
async function analyzeJson(db: Db, query: CompiledQuery<unknown>): Promise<Analyzed> {
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>({
    ...query,
    sql: `explain (analyze, format json) ${query.sql}`,
  });
  const raw = rows[0]?.['QUERY PLAN'];
  const document = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
    Plan: JsonPlanNode;
    'Execution Time': number;
  }[];
  const subplans: SubPlanTiming[] = [];
  const walk = (node: JsonPlanNode) => {
    if (node['Parent Relationship'] === 'SubPlan' || node['Parent Relationship'] === 'InitPlan') {
      subplans.push({
        name: node['Subplan Name'] ?? node['Node Type'],
        ms: (node['Actual Total Time'] ?? 0) * (node['Actual Loops'] ?? 1),
        loops: node['Actual Loops'] ?? 1,
        filteredOut: filteredOut(node),
        access: [...new Set(accessPaths(node))],
      });
      return;
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(document[0]!.Plan);
  return { ms: document[0]!['Execution Time'], rows: document[0]!.Plan['Actual Rows'] ?? 0, subplans };
}

/**
 * The daily habilitation job once, then its select (the `lastActivity` of every habilitated
 * helper) once under EXPLAIN ANALYZE: each run may take long at scale.
 */
async function measureJob(
  ctx: MandatsBenchContext,
  config: ReturnType<typeof loadConfig>,
): Promise<JobReport> {
  const { db, progress } = ctx;
  const job = mandateJobs().find((j) => j.name === 'mandats.habilitations');
  if (!job) throw new Error('bench: no job mandats.habilitations');
  progress('the mandats.habilitations job, once…');
  const t = performance.now();
  const { queries, result } = await captureQueries(db, (d) => job.run({ db: d, config }, NO_CONTRIBUTIONS));
  const runMs = performance.now() - t;
  const select = queries[0];
  if (!select || !/from "habilitation"/.test(select.sql))
    throw new Error('bench: the habilitation job did not start by reading the habilitations');
  progress('its select under EXPLAIN ANALYZE…');
  const analyzed = await analyzeJson(db, select);
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>({
    ...select,
    sql: `explain ${select.sql}`,
  });
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');

  // What indexes fitted to its two heavy lookups would change (each only if missing).
  let candidate: JobReport['candidate'] = null;
  const missing = await missingIndexes(db, JOB_CANDIDATES);
  if (missing.length > 0) {
    progress(`the job's select again with ${missing.map((c) => c.name).join(', ')}…`);
    candidate = await withIndexes(db, missing, async () => {
      const timing = await timeQueries(db, [select], { minRuns: 5, maxRuns: 50, budgetMs: 1000 });
      return {
        indexes: missing.map(describe),
        selectMs: timing.medianMs,
        analyzed: await analyzeJson(db, select),
        plan: await planText(db, select, ctx.kind),
      };
    });
  }
  return { runMs, summary: result, sql: select.sql, analyzed, plan, candidate };
}

function printSubplans(subplans: SubPlanTiming[]): void {
  for (const s of subplans)
    console.log(
      `    ${ms(s.ms).padStart(8)} ms  ${s.name.padEnd(10)} × ${String(s.loops).padStart(3)}  ` +
        `${String(s.filteredOut).padStart(9)} rows filtered out  ${s.access.join(', ')}`,
    );
}

type TriggerTiming = { constraint: string; relation: string; ms: number; calls: number };
type PurgeReport = {
  asOf: Date;
  runMs: number;
  summary: Record<string, number>;
  without: PurgeExplain;
  withFkIndexes: PurgeExplain | null;
  unindexed: { constraint: string; table: string; column: string; references: string }[];
};

/** The same day `months` earlier, or that month's last day (as jobs.ts computes the purge's limits). */
function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  const day = d.getDate();
  d.setDate(1);
  d.setMonth(d.getMonth() - months);
  d.setDate(Math.min(day, new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate()));
  return d;
}

class Rollback extends Error {
  constructor(readonly plan: unknown) {
    super('rolled back on purpose');
  }
}

/**
 * The daily purge on the day the PURGED oldest closed mandates reach their six years: first its
 * DELETE under EXPLAIN ANALYZE in a transaction rolled back (the time spent in each foreign
 * key's trigger), again with an index on each referencing column that has none (built, then
 * dropped), then the job's function for real. Last, as it erases data.
 */
async function measurePurge(ctx: MandatsBenchContext): Promise<PurgeReport> {
  const { db, progress } = ctx;
  const { rows } = await sql<{ closed_at: Date }>`select closed_at from mandat
    where status in ('expire', 'revoque') order by closed_at limit 1 offset ${PURGED - 1}`.execute(db);
  const asOf = new Date(rows[0]!.closed_at);
  asOf.setMonth(asOf.getMonth() + RETENTION_YEARS * 12);
  asOf.setDate(asOf.getDate() + 1);
  const { rows: unindexed } = await sql<PurgeReport['unindexed'][number]>`
    select c.conname as "constraint", c.conrelid::regclass::text as "table", a.attname as "column",
      c.confrelid::regclass::text as "references"
    from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid::regclass::text in ('mandat', 'autorisation', 'revocation')
      and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])
    order by 2, 3`.execute(db);

  const asOfDay = asOf.toISOString().slice(0, 10);
  progress(`the purge's DELETE under EXPLAIN ANALYZE (rolled back), as of ${asOfDay}…`);
  const without = await explainPurge(db, asOf);
  const candidates: Candidate[] = unindexed.map((u) => ({
    name: `bench_fk_${u.table}_${u.column}`,
    table: u.table,
    columns: u.column,
  }));
  let withFkIndexes: PurgeExplain | null = null;
  if (candidates.length > 0) {
    progress(`the same with ${candidates.length} indexes on the foreign keys' columns…`);
    withFkIndexes = await withIndexes(db, candidates, () => explainPurge(db, asOf));
  }

  progress('purgeMandates (the mandats.purge job) for real…');
  const t = performance.now();
  const summary = await purgeMandates(db, asOf);
  const runMs = performance.now() - t;
  return { asOf, runMs, summary, without, withFkIndexes, unindexed };
}

type PurgeExplain = { ms: number; deleted: number; triggers: TriggerTiming[] };

/**
 * The DELETE of purgeMandates (jobs.ts) as of `asOf`, under EXPLAIN ANALYZE in a transaction
 * rolled back: how long, and how long in each foreign key's trigger.
 */
async function explainPurge(db: Db, asOf: Date): Promise<PurgeExplain> {
  let plan: unknown;
  try {
    await db.transaction().execute(async (trx) => {
      const { rows: explained } = await sql<{ 'QUERY PLAN': unknown }>`explain (analyze, format json)
        delete from mandat
        where (status in ('expire', 'revoque') and closed_at < ${monthsBefore(asOf, RETENTION_YEARS * 12)})
          or (status in ('refuse', 'annule') and closed_at < ${monthsBefore(asOf, CANCELLED_RETENTION_MONTHS)})
        returning id, status`.execute(trx);
      throw new Rollback(explained[0]?.['QUERY PLAN']);
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
    plan = error.plan;
  }
  type Explained = {
    Plan: { 'Actual Rows'?: number };
    'Execution Time': number;
    Triggers?: {
      'Constraint Name'?: string;
      'Trigger Name': string;
      Relation: string;
      Time: number;
      Calls: number;
    }[];
  };
  const [document] = (typeof plan === 'string' ? JSON.parse(plan) : plan) as Explained[];
  const triggers = (document?.Triggers ?? [])
    .map((t) => ({
      constraint: t['Constraint Name'] ?? t['Trigger Name'],
      relation: t.Relation,
      ms: t.Time,
      calls: t.Calls,
    }))
    .sort((a, b) => b.ms - a.ms);
  return {
    ms: document?.['Execution Time'] ?? Number.NaN,
    deleted: document?.Plan['Actual Rows'] ?? 0,
    triggers,
  };
}

/** Mandates of the demo helper to request pages of: theirs and their colleagues', started ones (they have an attestation). */
async function pageMandateIds(db: Db, demo: Helper & { places: string[] }): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select id from mandat
    where (mediateur_id = ${demo.userId} or lieu_id = any(${demo.places}::uuid[])) and empreinte is not null
    order by md5(id::text) limit ${PAGES}`.execute(db);
  if (rows.length === 0) throw new Error('bench: the demo helper sees no mandate');
  return rows.map((r) => r.id);
}

export async function runMandatsBench(ctx: MandatsBenchContext): Promise<void> {
  const { db, progress } = ctx;
  const started = performance.now();
  const count = mandatesToGenerate(process.env, ctx.kind);
  // As many activities as mandates (far fewer than a real OPSN's): enough for lastActivity to read.
  const activities = count;
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: ctx.dataDir });
  console.log(
    `Relais bench, mandates: ${ctx.kind === 'postgres' ? 'PostgreSQL server' : 'PGlite (embedded)'}, ` +
      `Node ${process.version}, ${count} generated mandates over six years, ${BENCH_HELPERS} helpers and the demo ` +
      `helper, 8 collectivités\n`,
  );

  // 1. Generation.
  const demo = await demoHelper(db);
  const generation = await generate(ctx, count, activities, demo);
  const counts = await countRows(db, demo);
  const t = counts.tables;
  console.log(
    `Generation (SQL): ${generation.totalSec} s in all\n` +
      `  ${generation.helpers - 1} helpers and ${generation.activities} activities with their people ` +
      `(bench/activites-data.ts, counters recounted, VACUUM ANALYZE): ${generation.activitiesSec} s\n` +
      `  ${Object.entries(generation.stepsSec)
        .map(([n, s]) => `${n} ${s} s`)
        .join(', ')}\n` +
      `  rows: habilitation ${t.habilitation}, mandat ${t.mandat} (${Object.entries(counts.statuses)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}), autorisation ${t.autorisation} (${counts.revokedAuthorisations} revoked), ` +
      `revocation ${t.revocation}, mandat_usage ${t.mandat_usage}, consentement_sms ${t.consentement_sms} ` +
      `(${counts.pendingSms} awaiting an answer), audit_event ${t.audit_event} (${counts.signins} sign-ins), ` +
      `activite ${t.activite}\n` +
      `  sizes with indexes: ${Object.entries(counts.sizes)
        .map(([n, b]) => `${n} ${mb(b)}`)
        .join(', ')}\n` +
      `  the measured helper (${demo.actor.email}, the busiest, ${demo.places.length} places): ` +
      `${counts.demo.own} mandates of theirs, ${counts.demo.visible} visible with their places', ` +
      `${counts.demo.activeVisible} of those active`,
  );

  // 2. Pages over HTTP, and their SQL.
  const user = await db
    .selectFrom('app_user')
    .select('id')
    .where('id', '=', demo.userId)
    .executeTakeFirstOrThrow();
  const token = await openSession(db, user.id);
  const headers = { cookie: `${SESSION_COOKIE}=${token}`, ...BROWSER };
  const ids = await pageMandateIds(db, demo);
  const pages = (suffix: string) => ids.map((id) => `/mandats/${id}${suffix}`);
  const targets: Target[] = [
    { name: 'bare', label: ctx.barePath, paths: [ctx.barePath] },
    { name: 'list-mine', label: '/mandats', paths: ['/mandats'] },
    {
      name: 'list-active',
      label: '/mandats?vue=structure&statut=actif',
      paths: ['/mandats?vue=structure&statut=actif'],
    },
    { name: 'list-structure', label: '/mandats?vue=structure', paths: ['/mandats?vue=structure'] },
    { name: 'mandate', label: `/mandats/:id (${ids.length} in turn)`, paths: pages('') },
    { name: 'attestation', label: '/mandats/:id/attestation', paths: pages('/attestation') },
    { name: 'attestation-pdf', label: '/mandats/:id/attestation.pdf', paths: pages('/attestation.pdf') },
  ];
  const session = (d: Db) => resolveSession(d, token);
  const list = (filter: MandateListFilter) => async (d: Db) => {
    await session(d);
    await isHabilitated(d, demo.userId);
    await helperPlaces(d, demo.userId);
    return listMandates(d, demo, filter);
  };
  const firstId = ids[0]!;
  const mandate = async (d: Db) => {
    await session(d);
    await isHabilitated(d, demo.userId);
    const m = (await findVisibleMandate(d, demo, firstId))!;
    await recordMandateRead(d, demo, m, 'fiche');
    // The page's reads (mandate-routes.tsx, detailPage).
    await d
      .selectFrom('lieu')
      .select(['nom', 'commune'])
      .where('id', '=', m.lieu_id)
      .executeTakeFirstOrThrow();
    if (m.mediateur_id)
      await d.selectFrom('app_user').select('name').where('id', '=', m.mediateur_id).executeTakeFirst();
    await authorisationsOf(d, m.id);
    await usesOf(d, m.id);
    await revocationsOf(d, m.id);
    await d
      .selectFrom('consentement_sms')
      .select(['status', 'sent_at', 'expires_at', 'telephone'])
      .where('mandat_id', '=', m.id)
      .orderBy('sent_at', 'desc')
      .executeTakeFirst();
  };
  const attestation = async (d: Db) => {
    await session(d);
    await isHabilitated(d, demo.userId);
    const m = (await findVisibleMandate(d, demo, firstId))!;
    await recordMandateRead(d, demo, m, 'attestation');
    await mandateAttestation(d, m, config.publicUrl);
  };
  progress('the SQL of each page, bare…');
  const sqlReports: SqlReport[] = [
    await sqlOf(ctx, 'list-mine: GET /mandats', list({ vue: 'mes' })),
    await sqlOf(
      ctx,
      'list-active: GET /mandats?vue=structure&statut=actif',
      list({ vue: 'structure', statut: 'actif' }),
    ),
    await sqlOf(ctx, 'list-structure: GET /mandats?vue=structure', list({ vue: 'structure' })),
    await sqlOf(ctx, 'mandate: GET /mandats/:id', mandate),
    await sqlOf(ctx, 'attestation: GET /mandats/:id/attestation (and .pdf)', attestation),
  ];
  const sqlByName = new Map(sqlReports.map((r) => [r.name.split(':')[0]!, r]));
  sqlByName.set('attestation-pdf', sqlReports[4]!);
  const visibleRows = {
    mine: (await listMandates(db, demo, { vue: 'mes' })).length,
    active: (await listMandates(db, demo, { vue: 'structure', statut: 'actif' })).length,
    structure: (await listMandates(db, demo, { vue: 'structure' })).length,
  };
  const reports: TargetReport[] = [];
  for (const target of targets) reports.push(await measureTarget(ctx, target, headers));
  printTargets(reports, sqlByName);
  console.log(
    `  (rows listed: /mandats ${visibleRows.mine}, ?vue=structure&statut=actif ${visibleRows.active}, ` +
      `?vue=structure ${visibleRows.structure}; at most 500. Every mandate page, attestation and PDF also ` +
      `journals the read: one audit_event insert per request, part of the cost above)`,
  );
  for (const report of sqlReports) printSql(report);

  // 3. Public verification.
  const verification = await measureVerification(ctx);
  console.log(
    `\nPublic verification, verificationOf called directly (${VERIFICATIONS} fingerprints each, one after the other):\n` +
      `  known:   p50 ${ms(verification.known.p50)} ms, p95 ${ms(verification.known.p95)} ms\n` +
      `  unknown: p50 ${ms(verification.unknown.p50)} ms, p95 ${ms(verification.unknown.p95)} ms\n` +
      `  plan of the lookup: ${verification.plan.join(' > ')} (uses ${verification.index}: OK, no Seq Scan on mandat)\n` +
      `  over HTTP, ${HTTP_VERIFICATIONS.known + HTTP_VERIFICATIONS.unknown} requests one at a time ` +
      `(the page allows 20 a minute per address; the bench's app trusts no proxy, so no x-forwarded-for): ` +
      `known p50 ${ms(verification.http.known.p50)} ms, unknown p50 ${ms(verification.http.unknown.p50)} ms ` +
      `(${times(verification.http.known.p50 / reports[0]!.single.latencyMs.p50)} the bare route)`,
  );

  // 4. Service operations.
  const operations = await measureOperations(ctx, demo, config.publicUrl, ids);
  console.log(
    `\nService operations, called directly one after the other (ms):\n` +
      `  createMandate in person × ${CALLS}: mean ${ms(operations.create.mean)}, p50 ${ms(operations.create.p50)}, ` +
      `p95 ${ms(operations.create.p95)}\n` +
      `  declareUse × ${CALLS}: mean ${ms(operations.declareUse.mean)}, p50 ${ms(operations.declareUse.p50)}, ` +
      `p95 ${ms(operations.declareUse.p95)}\n` +
      `  mandateAttestation (its SQL and the document) × ${operations.attestation.runs}: p50 ${ms(operations.attestation.p50)}, ` +
      `p95 ${ms(operations.attestation.p95)}\n` +
      `  verificationQrSvg (the print page's QR code) × ${operations.qrSvg.runs}: p50 ${ms(operations.qrSvg.p50)}\n` +
      `  attestationPdf alone × ${operations.pdf.runs}: mean ${ms(operations.pdf.mean)}, p50 ${ms(operations.pdf.p50)}, ` +
      `p95 ${ms(operations.pdf.p95)} per document (${(operations.pdfBytes / 1000).toFixed(1)} KB)`,
  );
  printSql(operations.createSql);

  // 5. The daily habilitation job.
  const job = await measureJob(ctx, config);
  console.log(
    `\nDaily job mandats.habilitations over ${job.analyzed.rows} habilitated helpers: ${ms(job.runMs)} ms once ` +
      `(${JSON.stringify(job.summary)})`,
  );
  console.log(
    `  its select (the lastActivity of each helper), once under EXPLAIN ANALYZE: ${ms(job.analyzed.ms)} ms, ` +
      'of which in each subquery (actual time × loops):',
  );
  printSubplans(job.analyzed.subplans);
  console.log(`    ${oneLine(job.sql, 400)}`);
  console.log(job.plan.replace(/^/gm, '    '));
  if (job.candidate) {
    console.log(
      `  with candidate indexes ${job.candidate.indexes.join(' and ')}, created for the measure then dropped: ` +
        `the select takes ${ms(job.candidate.analyzed.ms)} ms under EXPLAIN ANALYZE ` +
        `(${times(job.analyzed.ms / job.candidate.analyzed.ms)} faster; ${ms(job.candidate.selectMs)} ms run bare), of which:`,
    );
    printSubplans(job.candidate.analyzed.subplans);
    console.log(job.candidate.plan.replace(/^/gm, '    '));
  }

  printSlowPlans([...sqlReports, operations.createSql]);

  // 6. The purge, last: it erases data.
  const purge = await measurePurge(ctx);
  console.log(
    `\nDaily purge as it would run on ${purge.asOf.toISOString().slice(0, 10)} (when the ${PURGED} oldest closed ` +
      `mandates reach six years): purgeMandates ${ms(purge.runMs)} ms (${JSON.stringify(purge.summary)}), ` +
      `${ms(purge.runMs / Math.max(1, purge.summary['mandats effacés'] ?? 0))} ms a mandate`,
  );
  const printExplain = (title: string, e: PurgeExplain) => {
    console.log(
      `  ${title}: ${e.deleted} mandates in ${ms(e.ms)} ms; time in the foreign keys’ triggers ` +
        '(each cascade’s own cascades on their own line):',
    );
    for (const t of e.triggers)
      console.log(`    ${ms(t.ms).padStart(9)} ms  ${t.constraint} (on ${t.relation}, ${t.calls} calls)`);
  };
  printExplain('its DELETE under EXPLAIN ANALYZE (rolled back)', purge.without);
  if (purge.withFkIndexes)
    printExplain(
      'the same with an index on each foreign key column below (built for the measure, then dropped)',
      purge.withFkIndexes,
    );
  console.log(
    `  foreign keys to mandat, autorisation or revocation without an index starting with their column: ${
      purge.unindexed.map((u) => `${u.table}.${u.column} → ${u.references}`).join(', ') || 'none'
    }`,
  );

  const load = (r: LoadResult) => ({
    rps: round(r.rps),
    p50: round(r.latencyMs.p50, 2),
    p95: round(r.latencyMs.p95, 2),
    requests: r.requests,
  });
  const runs = (r: Runs) => ({
    runs: r.runs,
    mean: round(r.mean, 2),
    p50: round(r.p50, 2),
    p95: round(r.p95, 2),
  });
  const sqlSummary = (r: SqlReport) => ({
    totalMs: round(r.totalMs, 2),
    queries: r.queries.map((q) => ({
      label: q.label,
      ms: round(q.ms, 2),
      indexes: q.indexes,
      seqScans: q.seqScans,
    })),
  });
  const explainSummary = (e: PurgeExplain) => ({
    ms: round(e.ms, 1),
    deleted: e.deleted,
    triggers: e.triggers.map((t) => ({ ...t, ms: round(t.ms, 1) })),
  });
  const bare = reports[0]!;
  const summary = {
    db: ctx.kind,
    node: process.version,
    mandates: count,
    generation,
    rows: counts,
    http: reports.map((r) => ({
      name: r.name,
      path: r.label,
      single: load(r.single),
      loaded: { connections: LOADED.connections, ...load(r.loaded) },
      singleP50OverBare: round(r.single.latencyMs.p50 / bare.single.latencyMs.p50, 2),
      loadedRpsOverBare: round(r.loaded.rps / bare.loaded.rps, 3),
      bytes: r.bytes,
    })),
    sql: Object.fromEntries(sqlReports.map((r) => [r.name.split(':')[0]!, sqlSummary(r)])),
    verification: {
      known: runs(verification.known),
      unknown: runs(verification.unknown),
      index: verification.index,
      plan: verification.plan,
      httpKnown: runs(verification.http.known),
      httpUnknown: runs(verification.http.unknown),
    },
    operations: {
      createMandate: runs(operations.create),
      createMandateReads: sqlSummary(operations.createSql),
      declareUse: runs(operations.declareUse),
      mandateAttestation: runs(operations.attestation),
      verificationQrSvg: runs(operations.qrSvg),
      attestationPdf: runs(operations.pdf),
      pdfBytes: operations.pdfBytes,
    },
    job: {
      runMs: round(job.runMs, 1),
      helpers: job.analyzed.rows,
      summary: job.summary,
      selectMs: round(job.analyzed.ms, 2),
      subplans: job.analyzed.subplans.map((s) => ({ ...s, ms: round(s.ms, 2) })),
      candidate: job.candidate && {
        indexes: job.candidate.indexes,
        selectMs: round(job.candidate.analyzed.ms, 2),
        selectBareMs: round(job.candidate.selectMs, 2),
        subplans: job.candidate.analyzed.subplans.map((s) => ({ ...s, ms: round(s.ms, 2) })),
      },
    },
    purge: {
      asOf: purge.asOf.toISOString(),
      runMs: round(purge.runMs, 1),
      summary: purge.summary,
      explain: explainSummary(purge.without),
      explainWithFkIndexes: purge.withFkIndexes && explainSummary(purge.withFkIndexes),
      unindexedForeignKeys: purge.unindexed,
    },
    elapsedSec: round(seconds(started)),
  };
  console.log(`\nBENCH_MANDATS_JSON ${JSON.stringify(summary)}`);
}
