import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import { type CliDatabase, openCliDatabase } from '../../../test/helpers/cli.ts';
import { type MandateWorld, mandateWorld, newMandate } from '../../../test/helpers/mandats.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { createUser } from '../../platform/auth/users.ts';
import type { Db } from '../../platform/db/database.ts';
import { DEMO_PASSWORD } from '../comptes/index.ts';
import { expirePendingConsents } from './creation.ts';
import { grantHabilitation, isHabilitated } from './habilitation.ts';
import { expireMandates, purgeMandates, reviewHabilitations } from './jobs.ts';
import { declareUse } from './service.ts';

const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const JOB = 'tâche planifiée';

/** `d` moved by whole calendar months, then days (local time, as the jobs count). */
function shift(d: Date, months: number, days = 0): Date {
  const x = new Date(d);
  x.setMonth(x.getMonth() + months);
  x.setDate(x.getDate() + days);
  return x;
}

const frenchDay = (d: Date) => d.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });

/** The moment the inactivity reviews start from: the middle of a month, in the past. */
const T0 = new Date(2026, 5, 15, 12, 0, 0);

type FreshHelper = { id: string; email: string; name: string };

describe('mandates: scheduled jobs', () => {
  let t: TestApp;
  let w: MandateWorld;
  let db: Db;
  let made = 0;

  before(async () => {
    t = await createTestApp({ demo: true });
    db = t.db.db;
    w = await mandateWorld(t);
  });
  after(() => t.close());

  /**
   * A new helper of the demo collectivité, habilitated, whose signs of activity are exactly
   * these: the habilitation itself, a session last seen, an activity report recorded.
   */
  async function freshHelper(activity: { accordee: Date; session?: Date; activite?: Date }) {
    made++;
    const helper: FreshHelper = {
      id: '',
      email: `aidant-${made}@villeurbanne.example`,
      name: `Aidant Numéro ${made}`,
    };
    helper.id = await createUser(db, {
      email: helper.email,
      name: helper.name,
      password: DEMO_PASSWORD,
      totpSecret: TOTP,
      memberships: [{ role: 'mediateur', collectiviteId: w.helper.collectiviteId }],
    });
    await grantHabilitation(db, systemActor('test'), helper.id, w.helper.collectiviteId, {
      dateFormation: '2025-06-01',
      certifiePar: 'Aidants Connect',
    });
    await db
      .updateTable('habilitation')
      .set({ granted_at: activity.accordee })
      .where('user_id', '=', helper.id)
      .execute();
    if (activity.session)
      await db
        .insertInto('user_session')
        .values({
          id: `session-de-test-${made}`,
          user_id: helper.id,
          active_collectivite_id: w.helper.collectiviteId,
          last_seen_at: activity.session,
          expires_at: new Date(activity.session.getTime() + 12 * HOUR),
        })
        .execute();
    if (activity.activite) await recordActivity(helper.id, activity.activite);
    return helper;
  }

  async function recordActivity(userId: string, at: Date) {
    await sql`insert into activite (collectivite_id, mediateur_id, type, date, duree_min, canal, created_at, updated_at)
      values (${w.helper.collectiviteId}, ${userId}, 'individuel', ${at.toISOString().slice(0, 10)}, 30,
        'domicile', ${at}, ${at})`.execute(db);
  }

  /** The tests' helpers leave the reviews of the next tests alone. */
  async function forget(...helpers: FreshHelper[]) {
    await db
      .deleteFrom('habilitation')
      .where(
        'user_id',
        'in',
        helpers.map((h) => h.id),
      )
      .execute();
  }

  const review = (now: Date) => reviewHabilitations(db, testConfig, now);
  const counts = (warned: number, withdrawn: number, cleared: number) => ({
    'aidants avertis': warned,
    'habilitations retirées': withdrawn,
    'avertissements levés': cleared,
  });
  const habilitationOf = (h: FreshHelper) =>
    db.selectFrom('habilitation').selectAll().where('user_id', '=', h.id).executeTakeFirstOrThrow();
  const mailsTo = (h: FreshHelper) =>
    db.selectFrom('mail_outbox').selectAll().where('recipient', '=', h.email).orderBy('id').execute();
  const journal = (action: string, subjectId: string) =>
    db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', action)
      .where('subject_id', '=', subjectId)
      .orderBy('id')
      .execute();

  test('a helper inactive five months and a day is warned once by email; the others are not', async () => {
    const lastSeen = shift(T0, -5, -1);
    // Each sign of activity counts: the latest one decides.
    const warned = await freshHelper({ accordee: shift(T0, -8), session: lastSeen, activite: shift(T0, -6) });
    const byReport = await freshHelper({
      accordee: shift(T0, -8),
      session: shift(T0, -7),
      activite: shift(T0, -5, 1),
    });
    const bySession = await freshHelper({ accordee: shift(T0, -8), session: shift(T0, -4) });
    const byGrant = await freshHelper({ accordee: shift(T0, -5, 1) });

    assert.deepEqual(await review(T0), counts(1, 0, 0));
    assert.equal((await habilitationOf(warned)).warned_at?.getTime(), T0.getTime());
    const mails = await mailsTo(warned);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.subject, 'Relais : votre habilitation aux mandats va être retirée');
    assert.equal(mails[0]!.status, 'outbox');
    assert.match(mails[0]!.body ?? '', new RegExp(`^Bonjour ${warned.name},`));
    assert.match(
      mails[0]!.body ?? '',
      new RegExp(`depuis le ${frenchDay(lastSeen).replace(/\//g, '\\/')}\\.`),
    );
    assert.match(mails[0]!.body ?? '', /connectez-vous à Relais/);
    const journaled = await journal('habilitation.avertie', warned.id);
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]!.actor_label, JOB);
    assert.equal(journaled[0]!.actor_user_id, null);
    assert.equal(journaled[0]!.collectivite_id, w.helper.collectiviteId);
    assert.deepEqual(journaled[0]!.details, { derniereActivite: lastSeen.toISOString() });
    for (const other of [byReport, bySession, byGrant]) {
      assert.equal((await habilitationOf(other)).warned_at, null, other.name);
      assert.deepEqual(await mailsTo(other), [], other.name);
    }

    // The next days' reviews do not warn them again.
    await forget(byReport, bySession, byGrant);
    assert.deepEqual(await review(shift(T0, 0, 1)), counts(0, 0, 0));
    assert.deepEqual(await review(shift(T0, 0, 2)), counts(0, 0, 0));
    assert.equal((await mailsTo(warned)).length, 1);
    assert.equal((await journal('habilitation.avertie', warned.id)).length, 1);
    assert.equal((await habilitationOf(warned)).warned_at?.getTime(), T0.getTime());
    assert.equal(await isHabilitated(db, warned.id), true);
    await forget(warned);
  });

  test('a month after the warning, still inactive, the helper loses the habilitation', async () => {
    const inactive = await freshHelper({ accordee: shift(T0, -8) });
    assert.deepEqual(await review(T0), counts(1, 0, 0));
    assert.deepEqual(await review(shift(T0, 1, -1)), counts(0, 0, 0));
    assert.equal(await isHabilitated(db, inactive.id), true);

    const monthLater = shift(T0, 1);
    assert.deepEqual(await review(monthLater), counts(0, 1, 0));
    assert.equal(await isHabilitated(db, inactive.id), false);
    const row = await habilitationOf(inactive);
    assert.equal(row.withdrawn_at?.getTime(), monthLater.getTime());
    assert.equal(row.withdrawn_by, null);
    assert.equal(row.motif_retrait, `inactivité depuis le ${frenchDay(shift(T0, -8))}`);
    const journaled = await journal('habilitation.retiree', inactive.id);
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]!.actor_label, JOB);
    assert.equal(journaled[0]!.collectivite_id, w.helper.collectiviteId);
    assert.deepEqual(journaled[0]!.details, { motif: row.motif_retrait });

    // Withdrawn once: the next reviews leave it alone.
    assert.deepEqual(await review(shift(T0, 1, 1)), counts(0, 0, 0));
    assert.equal((await journal('habilitation.retiree', inactive.id)).length, 1);
    assert.equal((await mailsTo(inactive)).length, 1);
    await forget(inactive);
  });

  test('activity after the warning clears it instead, and the count starts again', async () => {
    const back = await freshHelper({ accordee: shift(T0, -8) });
    assert.deepEqual(await review(T0), counts(1, 0, 0));
    const reported = shift(T0, 0, 3);
    await recordActivity(back.id, reported);

    assert.deepEqual(await review(shift(T0, 1)), counts(0, 0, 1));
    assert.equal((await habilitationOf(back)).warned_at, null);
    assert.equal(await isHabilitated(db, back.id), true);
    assert.deepEqual(await journal('habilitation.retiree', back.id), []);

    // Five months and a day after that activity, a new warning.
    assert.deepEqual(await review(shift(reported, 5, -1)), counts(0, 0, 0));
    assert.deepEqual(await review(shift(reported, 5, 1)), counts(1, 0, 0));
    assert.equal((await mailsTo(back)).length, 2);
    await forget(back);
  });

  test('signing in after the warning counts, though the session is gone once signed out', async () => {
    const signer = await freshHelper({ accordee: shift(T0, -8) });
    assert.deepEqual(await review(T0), counts(1, 0, 0));

    const c = new Client(t.app);
    const signedIn = await c.signIn(signer.email, DEMO_PASSWORD, TOTP);
    assert.equal(signedIn.statusCode, 303);
    await c.get('/espace');
    await c.post('/deconnexion', {});
    assert.deepEqual(
      await db.selectFrom('user_session').select('id').where('user_id', '=', signer.id).execute(),
      [],
    );

    // More than a month after the warning: without the sign-in, the habilitation would go.
    assert.deepEqual(await review(new Date(Date.now() + HOUR)), counts(0, 0, 1));
    assert.equal(await isHabilitated(db, signer.id), true);
    assert.equal((await habilitationOf(signer)).warned_at, null);
    await forget(signer);
  });

  test('months are counted on the calendar: on 31 July, five months back is the end of February', async () => {
    const july31 = new Date(2026, 6, 31, 12);
    const firstOfMarch = await freshHelper({ accordee: new Date(2026, 2, 1, 12) });
    const lateFebruary = await freshHelper({ accordee: new Date(2026, 1, 27, 12) });
    assert.deepEqual(await review(july31), counts(1, 0, 0));
    assert.equal((await habilitationOf(firstOfMarch)).warned_at, null);
    assert.equal((await habilitationOf(lateFebruary)).warned_at?.getTime(), july31.getTime());
    await forget(firstOfMarch, lateFebruary);
  });

  test('an active mandate past its end expires, journaled; the others stay active', async () => {
    const now = new Date();
    const ended = await newMandate(t, w, { prenom: 'Émile', nom: 'Échu' }, shift(now, -7));
    const running = await newMandate(t, w, { prenom: 'Paul', nom: 'Encours' }, shift(now, -1));
    assert.ok(ended.fin && ended.fin < now);
    assert.equal(ended.status, 'actif');

    assert.equal(await expireMandates(db, now), 1);
    const expired = await db
      .selectFrom('mandat')
      .selectAll()
      .where('id', '=', ended.id)
      .executeTakeFirstOrThrow();
    assert.equal(expired.status, 'expire');
    assert.equal(expired.closed_at?.getTime(), ended.fin!.getTime());
    assert.equal(expired.motif_fermeture, 'arrivé à échéance');
    const journaled = await journal('mandat.expire', ended.id);
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]!.actor_label, JOB);
    assert.equal(journaled[0]!.collectivite_id, ended.collectivite_id);
    assert.deepEqual(journaled[0]!.details, { fin: ended.fin!.toISOString() });

    const still = await db
      .selectFrom('mandat')
      .selectAll()
      .where('id', '=', running.id)
      .executeTakeFirstOrThrow();
    assert.equal(still.status, 'actif');
    assert.equal(still.closed_at, null);
    assert.deepEqual(await journal('mandat.expire', running.id), []);
    // Run again, nothing more to do.
    assert.equal(await expireMandates(db, now), 0);
    assert.equal((await journal('mandat.expire', ended.id)).length, 1);
  });

  test('an SMS request without an answer for 24 hours is cancelled; a recent one stays open', async () => {
    const now = new Date();
    const sms = { consentement: 'sms', telephone: '06 11 11 11 11' } as const;
    const stale = await newMandate(
      t,
      w,
      { ...sms, prenom: 'Simone', nom: 'Silence' },
      new Date(now.getTime() - 25 * HOUR),
    );
    const fresh = await newMandate(
      t,
      w,
      { ...sms, telephone: '06 22 22 22 22', prenom: 'Rémi', nom: 'Récent' },
      new Date(now.getTime() - HOUR),
    );
    assert.equal(stale.status, 'en_attente');

    assert.equal(await expirePendingConsents(db, now), 1);
    const cancelled = await db
      .selectFrom('mandat')
      .selectAll()
      .where('id', '=', stale.id)
      .executeTakeFirstOrThrow();
    assert.equal(cancelled.status, 'annule');
    assert.equal(cancelled.motif_fermeture, 'sans réponse sous 24 h');
    assert.equal(cancelled.closed_at?.getTime(), now.getTime());
    const consent = await db
      .selectFrom('consentement_sms')
      .select('status')
      .where('mandat_id', '=', stale.id)
      .executeTakeFirstOrThrow();
    assert.equal(consent.status, 'expire');
    const journaled = await journal('mandat.sms_refuse', stale.id);
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]!.actor_label, JOB);
    assert.deepEqual(journaled[0]!.details, { motif: 'sans réponse sous 24 h' });

    const open = await db
      .selectFrom('mandat')
      .select('status')
      .where('id', '=', fresh.id)
      .executeTakeFirstOrThrow();
    assert.equal(open.status, 'en_attente');
    const openConsent = await db
      .selectFrom('consentement_sms')
      .select('status')
      .where('mandat_id', '=', fresh.id)
      .executeTakeFirstOrThrow();
    assert.equal(openConsent.status, 'envoye');
  });

  test('the purge deletes mandates six years after their end and unaccepted requests after three months', async () => {
    const now = new Date();
    /** A mandate closed at `closed`, with the dates its status requires. */
    const close = async (id: string, status: 'expire' | 'revoque' | 'refuse', closed: Date) => {
      await db
        .updateTable('mandat')
        .set(
          status === 'refuse'
            ? { status, closed_at: closed, motif_fermeture: 'refusé par SMS' }
            : { status, debut: shift(closed, -6), fin: closed, closed_at: closed },
        )
        .where('id', '=', id)
        .execute();
    };
    const old = await newMandate(t, w, {
      prenom: 'Octave',
      nom: 'Ancien',
      demarches: ['social', 'logement'],
    });
    assert.deepEqual(
      await declareUse(db, w.helper, old, { demarche: 'social', description: 'Demande de RSA' }),
      { ok: true, value: undefined },
    );
    await close(old.id, 'expire', shift(now, -72, -1));
    const fiveYears = await newMandate(t, w, { prenom: 'Quentin', nom: 'Quinquennal' });
    await close(fiveYears.id, 'expire', shift(now, -60));
    const refused = await newMandate(t, w, {
      consentement: 'sms',
      telephone: '06 33 33 33 33',
      prenom: 'Rose',
      nom: 'Refus',
    });
    await close(refused.id, 'refuse', shift(now, -4));
    const refusedLately = await newMandate(t, w, {
      consentement: 'sms',
      telephone: '06 44 44 44 44',
      prenom: 'Luc',
      nom: 'Récent',
    });
    await close(refusedLately.id, 'refuse', shift(now, -2));

    const rowsOf = async (id: string) => ({
      mandat: (await db.selectFrom('mandat').select('id').where('id', '=', id).execute()).length,
      autorisations: (await db.selectFrom('autorisation').select('id').where('mandat_id', '=', id).execute())
        .length,
      usages: (await db.selectFrom('mandat_usage').select('id').where('mandat_id', '=', id).execute()).length,
      sms: (await db.selectFrom('consentement_sms').select('id').where('mandat_id', '=', id).execute())
        .length,
    });
    assert.deepEqual(await rowsOf(old.id), { mandat: 1, autorisations: 2, usages: 1, sms: 0 });
    assert.deepEqual(await rowsOf(refused.id), { mandat: 1, autorisations: 0, usages: 0, sms: 1 });

    const summary = await purgeMandates(db, now);
    assert.equal(summary['mandats effacés'], 2);
    assert.deepEqual(await rowsOf(old.id), { mandat: 0, autorisations: 0, usages: 0, sms: 0 });
    assert.deepEqual(await rowsOf(refused.id), { mandat: 0, autorisations: 0, usages: 0, sms: 0 });
    assert.deepEqual(await rowsOf(fiveYears.id), { mandat: 1, autorisations: 2, usages: 0, sms: 0 });
    assert.deepEqual(await rowsOf(refusedLately.id), { mandat: 1, autorisations: 0, usages: 0, sms: 1 });

    const journaled = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'mandat.purge')
      .execute();
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]!.actor_label, JOB);
    const details = journaled[0]!.details as { mandats: number; ids: string[] };
    assert.equal(details.mandats, 2);
    assert.deepEqual([...details.ids].sort(), [old.id, refused.id].sort());
    // Nothing more the next day.
    assert.equal((await purgeMandates(db, new Date(now.getTime() + DAY)))['mandats effacés'], 0);
  });
});

describe('mandates: the expiry job through the command line', () => {
  let cli: CliDatabase;
  before(async () => {
    cli = await openCliDatabase();
    const added = await cli.run(['collectivite', 'add', '42218']);
    assert.equal(added.code, 0, added.stderr);
  });
  after(() => cli.close());

  const withDatabase = <T>(work: (db: Db) => Promise<T>) => work(cli.db);

  test('jobs run mandats.expiration closes an ended mandate and an unanswered SMS request', async () => {
    const ids = await withDatabase(async (db) => {
      const { id: collectiviteId } = await db
        .selectFrom('collectivite')
        .select('id')
        .executeTakeFirstOrThrow();
      const { rows: places } = await sql<{ id: string }>`
        insert into lieu (lmn_id, collectivite_id, pivot, nom, commune, code_postal, adresse, date_maj)
        values ('cli-mandats', ${collectiviteId}, '00000000000000', 'Maison France services',
          'Saint-Chamond', '42400', '1 place de la Liberté', '2026-11-01')
        returning id`.execute(db);
      const lieuId = places[0]!.id;
      const { rows: ended } = await sql<{ id: string }>`
        insert into mandat (collectivite_id, lieu_id, prenom, nom, piece_identite, consentement, status,
          duree, demarches, debut, fin, empreinte, sel, modele)
        values (${collectiviteId}, ${lieuId}, 'Émile', 'Échu', 'passeport', 'presentiel', 'actif', '1m',
          array['social'], now() - interval '40 days', now() - interval '10 days', 'empreinte-cli',
          'sel', 'relais-mandat-2026-12')
        returning id`.execute(db);
      const { rows: pending } = await sql<{ id: string }>`
        insert into mandat (collectivite_id, lieu_id, prenom, nom, piece_identite, consentement, status,
          duree, demarches, telephone, sel, modele)
        values (${collectiviteId}, ${lieuId}, 'Simone', 'Silence', 'passeport', 'sms', 'en_attente', '6m',
          array['logement'], '+33611111111', 'sel', 'relais-mandat-2026-12')
        returning id`.execute(db);
      await sql`insert into consentement_sms (mandat_id, telephone, sent_at, expires_at, status)
        values (${pending[0]!.id}, '+33611111111', now() - interval '25 hours', now() - interval '1 hour',
          'envoye')`.execute(db);
      return { ended: ended[0]!.id, pending: pending[0]!.id };
    });

    const res = await cli.run(['jobs', 'run', 'mandats.expiration']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout.trim(),
      'Tâche mandats.expiration terminée : mandats expirés : 1, demandes SMS annulées : 1.',
    );
    await withDatabase(async (db) => {
      const statuses = await db
        .selectFrom('mandat')
        .select(['id', 'status'])
        .where('id', 'in', [ids.ended, ids.pending])
        .execute();
      assert.deepEqual(Object.fromEntries(statuses.map((m) => [m.id, m.status])), {
        [ids.ended]: 'expire',
        [ids.pending]: 'annule',
      });
      const runs = await db
        .selectFrom('job_run')
        .selectAll()
        .where('name', '=', 'mandats.expiration')
        .execute();
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.started_by, 'cli');
      assert.equal(runs[0]?.ok, true);
      assert.deepEqual(runs[0]?.summary, { 'mandats expirés': 1, 'demandes SMS annulées': 1 });
      const journaled = await db
        .selectFrom('audit_event')
        .select('action')
        .where('subject_id', 'in', [ids.ended, ids.pending])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        journaled.map((e) => e.action),
        ['mandat.expire', 'mandat.sms_refuse'],
      );
    });
  });

  test('audit verify covers the mandate entries: intact, then altered in the database', async () => {
    const intact = await cli.run(['audit', 'verify']);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /Journal intact : \d+ entrée\(s\) vérifiée\(s\)/);
    const altered = await withDatabase(async (db) => {
      // Someone with the database owner's rights, going around the append-only trigger.
      await sql`alter table audit_event disable trigger audit_event_no_change`.execute(db);
      const { rows } = await sql<{ seq: number }>`
        update audit_event set details = details || '{"demarche": "argent"}'::jsonb
        where action = 'mandat.expire' returning seq`.execute(db);
      await sql`alter table audit_event enable trigger audit_event_no_change`.execute(db);
      return rows;
    });
    assert.equal(altered.length, 1);
    const broken = await cli.run(['audit', 'verify']);
    assert.equal(broken.code, 1);
    assert.match(
      broken.stderr,
      new RegExp(`Journal altéré : l’entrée n° ${altered[0]!.seq} est la première en défaut`),
    );
  });
});
