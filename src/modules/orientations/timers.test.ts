import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import {
  givenAdmin,
  givenBeneficiary,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  givenPlace,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { assertReferralCountsMatch } from '../../../test/helpers/orientations.ts';
import { referralFields } from './fields.ts';
import { orientations } from './index.ts';
import { sendReferral } from './sending/service.ts';
import { DEFAULT_TIMERS, ERASED_REASON, eraseOldReferrals, readTimers, runReferralTimers } from './timers.ts';

const DAY = 24 * 3600 * 1000;
/** The clock moved forward by `days` (and a minute, past the referral's creation). */
const inDays = (days: number) => new Date(Date.now() + days * DAY + 60_000);

/**
 * The referrals' timers with a controlled clock: reminders every 10 days with a fresh link,
 * the receiving collectivité's coordinators alerted after two, expiry after 30 days unanswered
 * or 60 under study; an answer and the expiry never both win; the OPSN's administrators change
 * the delays.
 */
describe('referral timers', () => {
  let t: TestApp;
  let sender: TestHelper;
  let person = '';
  let place = '';
  let venissieuxCoordinator = '';
  let villeurbanneCoordinator = '';
  const CONTACT = 'contact@lieu-relance.example';

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const venissieux = await givenCollectivite(t, { code: '69259' });
    place = await givenPlace(t, { collectivite: venissieux, courriels: [CONTACT] });
    sender = await givenHelper(t, { collectivite: villeurbanne, places: 1 });
    person = await givenBeneficiary(t, sender, { prenom: 'Louis', nom: 'Bernard' });
    venissieuxCoordinator = (await givenCoordinator(t, { collectivite: venissieux })).email;
    villeurbanneCoordinator = (await givenCoordinator(t, { collectivite: villeurbanne })).email;
  });
  after(() => t.close());

  const db = () => t.db.db;
  const send = async () => {
    const sent = await sendReferral(
      db(),
      testConfig,
      sender,
      referralFields.parse({
        lieu: place,
        beneficiaire: person,
        service: 'Aide aux démarches administratives',
        contact_preference: 'via_referent',
        motif: 'Faire sa demande de logement social.',
        consent_mode: 'telephone',
        consentement: 'oui',
        confirmer: 'oui',
      }),
    );
    assert.ok(sent.ok);
    return sent.id;
  };
  const row = (id: string) =>
    db().selectFrom('orientation').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const mailsTo = (to: string) =>
    db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', to)
      .orderBy('id')
      .execute();
  const run = (days: number) => runReferralTimers(db(), testConfig, inDays(days));

  test('the job is declared with the module', () => {
    assert.deepEqual(
      orientations.jobs?.map((j) => j.name),
      ['orientations.delais', 'orientations.effacement'],
    );
  });

  test('reminders every 10 days with a fresh link, coordinators alerted after two, expiry after 30 days', async () => {
    const id = await send();
    const firstLink = /\/orientations\/reponse\/\S+/.exec((await mailsTo(CONTACT)).at(-1)!.body ?? '')![0];
    assert.deepEqual(await run(9), { expirees: 0, relances: 0, alertes: 0, honorees: 0 });
    assert.deepEqual(await run(10), { expirees: 0, relances: 1, alertes: 0, honorees: 0 });
    assert.equal((await run(10)).relances, 0, 'not twice for the same day');
    const reminded = await row(id);
    assert.equal(reminded.reminders, 1);
    assert.equal(reminded.link_version, 2);
    const reminder = (await mailsTo(CONTACT)).at(-1)!;
    assert.match(reminder.subject, /^Relance 1 : orientation/);
    assert.match(reminder.body ?? '', /\/orientations\/reponse\/[0-9a-f-]{36}\.2\./);
    // The first link is replaced by the reminder's.
    assert.equal((await new Client(t.app).get(firstLink)).statusCode, 410);

    assert.equal((await run(19)).relances, 0);
    const coordinatorMails = (await mailsTo(venissieuxCoordinator)).length;
    assert.deepEqual(await run(20), { expirees: 0, relances: 1, alertes: 1, honorees: 0 });
    const alert = (await mailsTo(venissieuxCoordinator)).slice(coordinatorMails);
    assert.equal(alert.length, 1);
    assert.match(alert[0]!.subject, /Orientation sans réponse/);
    assert.match(alert[0]!.body ?? '', /malgré 2 relances/);
    assert.deepEqual(
      await mailsTo(villeurbanneCoordinator),
      [],
      'only the receiving collectivité is alerted',
    );
    assert.equal((await run(21)).alertes, 0, 'alerted once');

    assert.equal((await run(29)).expirees, 0);
    assert.equal((await run(30)).expirees, 1);
    assert.equal((await row(id)).status, 'expiree');
    assert.match((await mailsTo(sender.email)).at(-1)!.subject, /Orientation expirée/);
    const journal = await db()
      .selectFrom('audit_event')
      .select('action')
      .where('subject_id', '=', id)
      .where('action', 'in', ['orientation.remind', 'orientation.escalate', 'orientation.expire'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      journal.map((j) => j.action),
      ['orientation.remind', 'orientation.remind', 'orientation.escalate', 'orientation.expire'],
    );
    // Accepting after the expiry, even with the latest link: refused, nothing changes.
    const latest = /\/orientations\/reponse\/\S+/.exec((await mailsTo(CONTACT)).at(-1)!.body ?? '')![0];
    const contact = new Client(t.app);
    await contact.get(latest);
    await contact.get('/connexion');
    assert.equal((await contact.post(`${latest}/accepter`, {})).statusCode, 409);
    assert.equal((await row(id)).status, 'expiree');
  });

  test('under study, a referral expires 60 days after it was put under study, not 30', async () => {
    const id = await send();
    await db()
      .updateTable('orientation')
      .set({ status: 'a_l_etude', studied_at: new Date() })
      .where('id', '=', id)
      .execute();
    await run(45);
    assert.equal((await row(id)).status, 'a_l_etude');
    await run(60);
    assert.equal((await row(id)).status, 'expiree');
  });

  test('an answer and the expiry never both win', async () => {
    const answered = await send();
    const link = /\/orientations\/reponse\/\S+/.exec((await mailsTo(CONTACT)).at(-1)!.body ?? '')![0];
    const contact = new Client(t.app);
    await contact.get(link);
    // The answer and the job at once (the job with the clock past the expiry).
    const [accepted] = await Promise.all([contact.post(`${link}/accepter`, {}), run(31)]);
    const status = (await row(answered)).status;
    if (accepted.statusCode === 303) assert.equal(status, 'acceptee');
    else {
      assert.equal(accepted.statusCode, 409);
      assert.equal(status, 'expiree');
    }
    const outcomes = await db()
      .selectFrom('audit_event')
      .select('action')
      .where('subject_id', '=', answered)
      .where('action', 'in', ['orientation.accept', 'orientation.expire'])
      .execute();
    assert.equal(outcomes.length, 1);
    // An accepted referral never expires later.
    if (status === 'acceptee') {
      await run(90);
      assert.equal((await row(answered)).status, 'acceptee');
    }
  });

  test('administrators change the delays; bad values change nothing; others may not', async () => {
    assert.deepEqual(await readTimers(db()), DEFAULT_TIMERS);
    const admin = await givenAdmin(t);
    const client = new Client(t.app);
    await client.signIn(admin.email, admin.password, admin.totpSecret);
    const page = await client.get('/admin/orientations');
    assert.equal(page.statusCode, 200);
    const good = {
      reminderDays: '3',
      escalateAfter: '1',
      expiryDays: '5',
      studyExpiryDays: '10',
      retentionMonths: '24',
    };
    for (const [bad, message] of [
      [{ ...good, reminderDays: '0' }, /Relance : 1 jour au moins/],
      [{ ...good, expiryDays: 'trente' }, /Expiration sans réponse : un nombre de jours/],
      [{ ...good, studyExpiryDays: '4' }, /au moins autant de jours que sans réponse/],
      // Never longer than the 24 months the consent promises.
      [{ ...good, retentionMonths: '36' }, /Conservation : 24 mois au plus/],
      [{ ...good, retentionMonths: '0' }, /Conservation : 1 mois au moins/],
    ] as const) {
      const res = await client.post('/admin/orientations', bad);
      assert.equal(res.statusCode, 400);
      assert.match(res.body, message);
    }
    assert.deepEqual(await readTimers(db()), DEFAULT_TIMERS);
    const coordinator = new Client(t.app);
    const c = await givenCoordinator(t);
    await coordinator.signIn(c.email, c.password, c.totpSecret);
    await coordinator.get('/espace');
    assert.equal((await coordinator.post('/admin/orientations', good)).statusCode, 403);
    await client.get('/admin/orientations');
    const saved = await client.post('/admin/orientations', good);
    assert.equal(saved.statusCode, 303);
    assert.deepEqual(await readTimers(db()), {
      reminderDays: 3,
      escalateAfter: 1,
      expiryDays: 5,
      studyExpiryDays: 10,
      retentionMonths: 24,
    });
    const id = await send();
    assert.deepEqual(await run(3), { expirees: 0, relances: 1, alertes: 1, honorees: 0 });
    await run(5);
    assert.equal((await row(id)).status, 'expiree');
  });

  test('after 24 months the person’s data is erased; dates, states and places stay for the statistics', async () => {
    const id = await send();
    const month = 31 * DAY;
    assert.equal(await eraseOldReferrals(db(), new Date(Date.now() + 23 * month)), 0);
    assert.ok((await eraseOldReferrals(db(), new Date(Date.now() + 25 * month))) >= 1);
    const erased = await row(id);
    assert.deepEqual(
      { prenom: erased.prenom, nom: erased.nom, motif: erased.motif, beneficiaire: erased.beneficiaire_id },
      { prenom: '', nom: '', motif: ERASED_REASON, beneficiaire: null },
    );
    assert.equal(erased.lieu_id, place);
    assert.equal(await eraseOldReferrals(db(), new Date(Date.now() + 25 * month)), 0, 'once');
    const page = await (async () => {
      const c = new Client(t.app);
      await c.signIn(sender.email, sender.password, sender.totpSecret);
      return c.get(`/orientations/${id}`);
    })();
    assert.match(page.body, /Personne \(données effacées\)/);
    assert.doesNotMatch(page.body, /Bernard/);
  });

  test('the OPSN may shorten the retention: the consent read to the person says so, and that data goes sooner even if it is lengthened again', async () => {
    const admin = await givenAdmin(t);
    const client = new Client(t.app);
    await client.signIn(admin.email, admin.password, admin.totpSecret);
    await client.get('/admin/orientations');
    const saved = await client.post('/admin/orientations', {
      ...Object.fromEntries(Object.entries(DEFAULT_TIMERS).map(([k, v]) => [k, String(v)])),
      retentionMonths: '6',
    });
    assert.equal(saved.statusCode, 303);
    const helper = new Client(t.app);
    await helper.signIn(sender.email, sender.password, sender.totpSecret);
    const form = await helper.get(`/orientations/nouvelle?lieu=${place}`);
    assert.match(form.body, /Combien de temps : 6 mois après l’envoi/);
    const id = await send();
    assert.match((await row(id)).consent_text, /Durée : 6 mois après l’envoi/);
    // Back to 24 months later: what was sent under 6 months still goes after 6, as it was told.
    await client.get('/admin/orientations');
    const back = await client.post('/admin/orientations', {
      ...Object.fromEntries(Object.entries(DEFAULT_TIMERS).map(([k, v]) => [k, String(v)])),
    });
    assert.equal(back.statusCode, 303);
    const month = 31 * DAY;
    assert.equal(await eraseOldReferrals(db(), new Date(Date.now() + 5 * month)), 0);
    assert.ok((await eraseOldReferrals(db(), new Date(Date.now() + 7 * month))) >= 1);
    assert.equal((await row(id)).motif, ERASED_REASON);
    // Settings saved before the retention was one read it as the default.
    await db()
      .updateTable('platform_setting')
      .set({
        value: JSON.stringify({ reminderDays: 10, escalateAfter: 2, expiryDays: 30, studyExpiryDays: 60 }),
      })
      .where('key', '=', 'orientation_timers')
      .execute();
    assert.deepEqual(await readTimers(db()), DEFAULT_TIMERS);
  });

  test('the dashboards’ counts, kept by a trigger, equal a recount after everything above', async () => {
    await assertReferralCountsMatch(t.db.db);
  });
});
