import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import {
  type Account,
  givenAccount,
  givenAdmin,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { readCalendar } from '../../../test/helpers/calendar.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { givenResource } from '../../../test/helpers/offers.ts';
import { layoutProblems, pdfTags, pdfText } from '../../../test/helpers/pdf.ts';
import { parisInstant, parisToday } from '../../platform/paris-time.ts';
import { sessionsDataset } from './datasets.ts';
import { runTrainingTimers } from './jobs.ts';

/**
 * Trainings through HTTP: a Villeurbanne coordinator creates a two-half-day session with 3
 * seats, four helpers register (the fourth waits), one cancels and the waiting helper is offered
 * the seat and confirms, the trainer records attendance, certificates are issued and verified,
 * and the habilitation follows. Bad input and attacks first at each step: nothing changes.
 */
describe('formations', () => {
  let t: TestApp;
  let coordinator: Account & { collectiviteId: number };
  let otherCoordinator: Account;
  let trainer: Account;
  let otherTrainer: Account;
  let helpers: TestHelper[] = [];
  let foreigner: TestHelper;
  let admin: Account;
  const clients = new Map<string, Client>();
  let typeId = '';
  let sessionId = '';
  const DAY = 86_400_000;
  const day = (offset: number) => parisToday(new Date(Date.now() + offset * DAY));

  const db = () => t.db.db;
  const as = async (account: Account) => {
    let c = clients.get(account.email);
    if (!c) {
      c = new Client(t.app);
      const r = await c.signIn(account.email, account.password, account.totpSecret);
      assert.equal(r.statusCode, 303, `sign-in of ${account.email}`);
      clients.set(account.email, c);
    }
    return c;
  };
  const count = async (
    table: 'formation_session' | 'formation_inscription' | 'formation_attestation' | 'formation_presence',
  ) =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const registrationOf = (helper: TestHelper) =>
    db()
      .selectFrom('formation_inscription')
      .selectAll()
      .where('user_id', '=', helper.id)
      .where('session_id', '=', sessionId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
  const journal = async (action: string) =>
    Number(
      (
        await db()
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('action', '=', action)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const outboxTo = (email: string) =>
    db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', email)
      .orderBy('id')
      .execute();

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const venissieux = await givenCollectivite(t, { code: '69259' });
    coordinator = await givenCoordinator(t, { collectivite: villeurbanne, name: 'Claire Coordination' });
    otherCoordinator = await givenCoordinator(t, { collectivite: venissieux });
    trainer = await givenAccount(t, {
      name: 'Fabien Formateur',
      memberships: [{ role: 'formateur', collectiviteId: villeurbanne.id }],
    });
    otherTrainer = await givenAccount(t, {
      memberships: [{ role: 'formateur', collectiviteId: venissieux.id }],
    });
    admin = await givenAdmin(t);
    helpers = [];
    for (const name of ['Jeanne Martin', 'Paul Durand', 'Inès Petit', 'Louis Bernard'])
      helpers.push(await givenHelper(t, { collectivite: villeurbanne, name }));
    foreigner = await givenHelper(t, { collectivite: venissieux });
    const admins = await as(admin);
    await admins.get('/formations/gestion/catalogue/nouvelle');
    const created = await admins.post('/formations/gestion/catalogue/nouvelle', {
      titre: 'Habilitation Aidants Connect',
      objectifs: 'Agir au nom d’une personne avec un mandat.',
      programme: 'Le mandat, le consentement, la révocation.',
      duree_heures: '7',
      modalite: 'presentiel',
      publics: ['mediateur', 'france_services'],
      options: ['certifiante', 'habilitante'],
    });
    assert.equal(created.statusCode, 303, created.body);
    typeId = (await db().selectFrom('formation_type').select('id').executeTakeFirstOrThrow()).id;
  });
  after(() => t.close());

  const sessionForm = (overrides: Record<string, string | string[]> = {}) => ({
    type_id: typeId,
    date_1: day(10),
    debut_1: '09:00',
    fin_1: '12:30',
    date_2: day(10),
    debut_2: '13:30',
    fin_2: '17:00',
    capacite: '3',
    lieu_libelle: 'Maison des services, Villeurbanne',
    formateurs: [trainer.id],
    ...overrides,
  });

  test('the public catalogue and a training page, without an account', async () => {
    const anonymous = new Client(t.app);
    const list = await anonymous.get('/formations');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Habilitation Aidants Connect/);
    await assertValidHtml(list.body);
    const page = await anonymous.get('/formations/habilitation-aidants-connect');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Aucune session n’est prévue/);
    assert.equal((await anonymous.get('/formations/inconnue')).statusCode, 404);
  });

  test('a training page suggests the library’s resources on its subject, each only to who may read it', async () => {
    await givenResource(t, coordinator.actor, { titre: 'Le guide de l’aidant Aidants Connect' });
    await givenResource(t, coordinator.actor, {
      titre: 'Aidants Connect entre collègues',
      visibilite: 'reseau',
    });
    await givenResource(t, coordinator.actor, { titre: 'Brouillon Aidants Connect', publish: false });
    await givenResource(t, coordinator.actor, { titre: 'Cuisine et jardinage' });
    const anonymous = await new Client(t.app).get('/formations/habilitation-aidants-connect');
    assert.match(anonymous.body, /Ressources pour aller plus loin/);
    assert.match(anonymous.body, />Le guide de l’aidant Aidants Connect</);
    assert.doesNotMatch(anonymous.body, /entre collègues|Brouillon|Cuisine/);
    await assertValidHtml(anonymous.body);
    const professional = await (await as(coordinator)).get('/formations/habilitation-aidants-connect');
    assert.match(professional.body, />Aidants Connect entre collègues</);
    assert.doesNotMatch(professional.body, /Brouillon|Cuisine/);
  });

  test('a session with bad half-days or no half-day is refused in French, and nothing is created', async () => {
    const c = await as(coordinator);
    await c.get('/formations/gestion/sessions/nouvelle');
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [
        { date_1: '', debut_1: '', fin_1: '', date_2: '', debut_2: '', fin_2: '' },
        /Ajoutez au moins une demi-journée/,
      ],
      [{ debut_2: '11:00' }, /se chevauchent/],
      [{ debut_1: '12:30', fin_1: '09:00' }, /finit avant de commencer/],
      [{ date_1: '2027-02-30' }, /Saisissez la date de la demi-journée 1/],
      [{ capacite: '0' }, /au moins une place/],
      [{ date_1: day(1), date_2: day(1) }, /fermeraient avant d’ouvrir/],
      [{ type_id: '00000000-0000-0000-0000-000000000000' }, /Choisissez une formation du catalogue/],
    ];
    for (const [overrides, message] of cases) {
      const r = await c.post('/formations/gestion/sessions/nouvelle', sessionForm(overrides));
      assert.equal(r.statusCode, 400, JSON.stringify(overrides));
      assert.match(r.body, message);
      assert.match(r.body, /<title>Erreur : /);
    }
    assert.equal(await count('formation_session'), 0);
  });

  test('a coordinator creates a two-half-day session with 3 seats', async () => {
    const c = await as(coordinator);
    await c.get('/formations/gestion/sessions/nouvelle');
    const r = await c.post('/formations/gestion/sessions/nouvelle', sessionForm());
    assert.equal(r.statusCode, 303, r.body);
    sessionId = (await db().selectFrom('formation_session').select('id').executeTakeFirstOrThrow()).id;
    const page = await c.get(`/formations/gestion/sessions/${sessionId}`);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body);
    assert.match(page.body, /Personne ne s’est encore inscrit/);
    const ics = await new Client(t.app).get(`/formations/sessions/${sessionId}/agenda.ics`);
    assert.equal(ics.statusCode, 200);
    assert.match(ics.headers['content-type'] as string, /text\/calendar/);
    const { events } = readCalendar(ics.body);
    assert.deepEqual(
      events.map((e) => [e.summary, e.wallStart, e.wallEnd, e.location]),
      [
        [
          'Habilitation Aidants Connect (1/2)',
          `${day(10)}T09:00:00`,
          `${day(10)}T12:30:00`,
          'Maison des services, Villeurbanne',
        ],
        [
          'Habilitation Aidants Connect (2/2)',
          `${day(10)}T13:30:00`,
          `${day(10)}T17:00:00`,
          'Maison des services, Villeurbanne',
        ],
      ],
    );
  });

  test('the session’s half-days are on the network’s public agenda and its feed, unless reserved to one collectivité', async () => {
    const anonymous = new Client(t.app);
    const page = await anonymous.get('/reseau/agenda');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Formations et autres dates du territoire/);
    assert.equal(page.body.split(`href="/formations/sessions/${sessionId}"`).length - 1, 2, 'each half-day');
    await assertValidHtml(page.body);
    const feed = readCalendar((await anonymous.get('/reseau/agenda.ics')).body);
    assert.deepEqual(
      feed.events
        .filter((e) => e.summary.startsWith('Formation : '))
        .map((e) => [e.summary, e.wallStart, e.location]),
      [
        [
          'Formation : Habilitation Aidants Connect',
          `${day(10)}T09:00:00`,
          'Maison des services, Villeurbanne',
        ],
        [
          'Formation : Habilitation Aidants Connect',
          `${day(10)}T13:30:00`,
          'Maison des services, Villeurbanne',
        ],
      ],
    );
    await db().updateTable('formation_session').set({ intra: true }).where('id', '=', sessionId).execute();
    try {
      assert.doesNotMatch((await anonymous.get('/reseau/agenda')).body, /\/formations\/sessions\//);
      assert.doesNotMatch((await anonymous.get('/reseau/agenda.ics')).body, /Formation : /);
    } finally {
      await db().updateTable('formation_session').set({ intra: false }).where('id', '=', sessionId).execute();
    }
  });

  test('four helpers register: three get a seat, the fourth waits; twice is refused', async () => {
    for (const [i, h] of helpers.entries()) {
      const c = await as(h);
      const page = await c.get(`/formations/sessions/${sessionId}`);
      assert.match(page.body, i < 3 ? /M’inscrire</ : /M’inscrire sur la liste d’attente/);
      const r = await c.post(`/formations/sessions/${sessionId}/inscription`, {});
      assert.equal(r.statusCode, 303);
      assert.match(r.headers.location as string, i < 3 ? /ok=inscrit/ : /ok=attente/);
    }
    assert.deepEqual(await Promise.all(helpers.map(async (h) => (await registrationOf(h)).status)), [
      'inscrit',
      'inscrit',
      'inscrit',
      'liste_attente',
    ]);
    const again = await (await as(helpers[0]!)).post(`/formations/sessions/${sessionId}/inscription`, {});
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /déjà inscrit/);
    assert.equal(await count('formation_inscription'), 4);
    const mails = await outboxTo(helpers[0]!.email);
    assert.match(mails[0]?.subject ?? '', /Inscription confirmée/);
    assert.match(mails[0]?.body ?? '', /agenda\.ics/);
    // The confirmation carries the dates as a calendar file, read back by a calendar parser.
    const [attached] =
      (
        await db()
          .selectFrom('mail_outbox')
          .select('attachments')
          .where('recipient', '=', helpers[0]!.email)
          .orderBy('id')
          .executeTakeFirstOrThrow()
      ).attachments ?? [];
    assert.equal(attached?.contentType, 'text/calendar; method=PUBLISH; charset=utf-8');
    assert.deepEqual(
      readCalendar(attached?.content ?? '').events.map((e) => [e.summary, e.wallStart]),
      [
        ['Habilitation Aidants Connect (1/2)', `${day(10)}T09:00:00`],
        ['Habilitation Aidants Connect (2/2)', `${day(10)}T13:30:00`],
      ],
    );
  });

  test('reminders go once, 7 days before the first half-day', async () => {
    const soon = new Date(Date.now() + 4 * DAY);
    const first = await runTrainingTimers(db(), testConfig, soon);
    assert.equal(first['rappels envoyés'], 3);
    assert.match(
      (await outboxTo(helpers[0]!.email)).at(-1)?.subject ?? '',
      /^Rappel : Habilitation Aidants Connect dans 7 jours/,
    );
    assert.equal((await runTrainingTimers(db(), testConfig, soon))['rappels envoyés'], 0);
  });

  test('attacks on registration: another collectivité’s coordinator, an intra session, a closed window, capacity below the registered', async () => {
    // The Vénissieux coordinator cannot register a Villeurbanne helper.
    const other = await as(otherCoordinator);
    await other.get(`/formations/sessions/${sessionId}`);
    const r = await other.post(`/formations/sessions/${sessionId}/inscrire`, { personne: helpers[0]!.id });
    assert.equal(r.statusCode, 403);
    // Intra: reserved to Villeurbanne's teams.
    await db().updateTable('formation_session').set({ intra: true }).where('id', '=', sessionId).execute();
    const f = await as(foreigner);
    await f.get(`/formations/sessions/${sessionId}`);
    const intra = await f.post(`/formations/sessions/${sessionId}/inscription`, {});
    assert.equal(intra.statusCode, 409);
    assert.match(intra.body, /réservée aux équipes/);
    await db().updateTable('formation_session').set({ intra: false }).where('id', '=', sessionId).execute();
    // Outside the window.
    const window = await db()
      .selectFrom('formation_session')
      .select(['opens_at', 'closes_at'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    // Opened an hour ago and closed a second ago (a window opens before it closes).
    await db()
      .updateTable('formation_session')
      .set({ opens_at: new Date(Date.now() - 3_600_000), closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', sessionId)
      .execute();
    const closed = await f.post(`/formations/sessions/${sessionId}/inscription`, {});
    assert.equal(closed.statusCode, 409);
    assert.match(closed.body, /sont closes/);
    await db().updateTable('formation_session').set(window).where('id', '=', sessionId).execute();
    assert.equal(await count('formation_inscription'), 4);
    // Capacity below the seats held.
    const c = await as(coordinator);
    await c.get(`/formations/gestion/sessions/${sessionId}`);
    const cap = await c.post(`/formations/gestion/sessions/${sessionId}/capacite`, { capacite: '2' });
    assert.equal(cap.statusCode, 400);
    assert.match(cap.body, /ne peut pas être inférieure au nombre de places prises \(3\)/);
    const s = await db()
      .selectFrom('formation_session')
      .select(['capacite', 'places_prises'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(s, { capacite: 3, places_prises: 3 });
    // A trainer of another session sees nothing of this one.
    const ot = await as(otherTrainer);
    assert.equal((await ot.get(`/formations/gestion/sessions/${sessionId}`)).statusCode, 403);
  });

  test('one cancels: the waiting helper is offered the seat and confirms it', async () => {
    const paul = await as(helpers[1]!);
    await paul.get('/formations/mes-inscriptions');
    const r = await paul.post(
      `/formations/inscriptions/${(await registrationOf(helpers[1]!)).id}/annuler`,
      {},
    );
    assert.equal(r.statusCode, 303);
    assert.match(r.headers.location as string, /annulee_offerte/);
    const louis = await registrationOf(helpers[3]!);
    assert.equal(louis.status, 'liste_attente');
    assert.ok(louis.offer_expires_at && louis.offer_expires_at.getTime() - Date.now() > 47 * 3_600_000);
    assert.match((await outboxTo(helpers[3]!.email)).at(-1)?.subject ?? '', /Une place s’est libérée/);
    // Someone else cannot confirm Louis's seat.
    const ines = await as(helpers[2]!);
    await ines.get('/formations/mes-inscriptions');
    assert.equal((await ines.post(`/formations/inscriptions/${louis.id}/confirmer`, {})).statusCode, 404);
    const l = await as(helpers[3]!);
    const mine = await l.get('/formations/mes-inscriptions');
    assert.match(mine.body, /Confirmer ma place/);
    await assertValidHtml(mine.body);
    const ok = await l.post(`/formations/inscriptions/${louis.id}/confirmer`, {});
    assert.equal(ok.statusCode, 303);
    assert.equal((await registrationOf(helpers[3]!)).status, 'inscrit');
    const s = await db()
      .selectFrom('formation_session')
      .select('places_prises')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    assert.equal(s.places_prises, 3);
  });

  test('an offer not confirmed within 48 hours goes to the next person waiting', async () => {
    // Paul registers again (waiting), then Jeanne cancels: Paul is offered her seat, and lets it expire.
    const paul = await as(helpers[1]!);
    await paul.get(`/formations/sessions/${sessionId}`);
    assert.match(
      (await paul.post(`/formations/sessions/${sessionId}/inscription`, {})).headers.location as string,
      /attente/,
    );
    const f = await as(foreigner);
    await f.get(`/formations/sessions/${sessionId}`);
    await f.post(`/formations/sessions/${sessionId}/inscription`, {});
    const c = await as(coordinator);
    await c.get('/formations/equipe');
    const jeanne = await registrationOf(helpers[0]!);
    assert.equal((await c.post(`/formations/inscriptions/${jeanne.id}/annuler`, {})).statusCode, 303);
    assert.ok((await registrationOf(helpers[1]!)).offer_expires_at);
    const summary = await runTrainingTimers(db(), testConfig, new Date(Date.now() + 49 * 3_600_000));
    assert.equal(summary['places proposées expirées'], 1);
    const paulNow = await registrationOf(helpers[1]!);
    assert.equal(paulNow.status, 'annule');
    assert.equal(paulNow.motif_annulation, 'offre_expiree');
    const next = await db()
      .selectFrom('formation_inscription')
      .selectAll()
      .where('user_id', '=', foreigner.id)
      .executeTakeFirstOrThrow();
    assert.ok(next.offer_expires_at, 'the next person waiting is offered the seat');
    await f.get('/formations/mes-inscriptions');
    assert.equal((await f.post(`/formations/inscriptions/${next.id}/confirmer`, {})).statusCode, 303);
  });

  let halfDays: { id: string }[] = [];

  test('attendance: refused before the day, then recorded by the trainer for both half-days', async () => {
    halfDays = await db()
      .selectFrom('formation_demi_journee')
      .select('id')
      .where('session_id', '=', sessionId)
      .orderBy('starts_at')
      .execute();
    const tr = await as(trainer);
    const page = await tr.get(`/formations/gestion/sessions/${sessionId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Les présences se saisissent à partir du jour de la demi-journée/);
    const early = await tr.post(`/formations/gestion/sessions/${sessionId}/presences`, {
      demi_journee: halfDays[0]!.id,
      presents: [],
    });
    assert.equal(early.statusCode, 409);
    assert.equal(await count('formation_presence'), 0);
    // Time passes: the first half-day was yesterday, the second started an hour ago, or at
    // midnight in Paris when that was less than an hour ago (it opens its check-in code on its day).
    const now = Date.now();
    const secondStart = Math.max(now - 3_600_000, parisInstant(parisToday(), 0).getTime());
    await db()
      .updateTable('formation_demi_journee')
      .set({ starts_at: new Date(now - DAY - 3 * 3_600_000), ends_at: new Date(now - DAY) })
      .where('id', '=', halfDays[0]!.id)
      .execute();
    await db()
      .updateTable('formation_demi_journee')
      .set({ starts_at: new Date(secondStart), ends_at: new Date(now + 2 * 3_600_000) })
      .where('id', '=', halfDays[1]!.id)
      .execute();
    const registered = await db()
      .selectFrom('formation_inscription')
      .select(['id', 'user_id'])
      .where('session_id', '=', sessionId)
      .where('status', '=', 'inscrit')
      .execute();
    const id = (h: { id: string }) => registered.find((r) => r.user_id === h.id)!.id;
    const [ines, louis] = [helpers[2]!, helpers[3]!];
    // A person not registered cannot be marked present.
    const forged = await tr.post(`/formations/gestion/sessions/${sessionId}/presences`, {
      demi_journee: halfDays[0]!.id,
      presents: [(await registrationOf(helpers[1]!)).id],
    });
    assert.equal(forged.statusCode, 400);
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    const first = await tr.post(`/formations/gestion/sessions/${sessionId}/presences`, {
      demi_journee: halfDays[0]!.id,
      presents: [id(ines), id(louis), id(foreigner)],
      source: 'feuille',
    });
    assert.equal(first.statusCode, 303, first.body);
    const second = await tr.post(`/formations/gestion/sessions/${sessionId}/presences`, {
      demi_journee: halfDays[1]!.id,
      presents: [id(louis), id(foreigner)],
    });
    assert.equal(second.statusCode, 303);
    assert.equal(await count('formation_presence'), 6);
    // Recording the same again is no correction.
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    await tr.post(`/formations/gestion/sessions/${sessionId}/presences`, {
      demi_journee: halfDays[0]!.id,
      presents: [id(ines), id(louis), id(foreigner)],
    });
    assert.equal(await journal('training_attendance.record'), 3);
    const sheet = await tr.get(
      `/formations/gestion/sessions/${sessionId}/feuille.pdf?demi_journee=${halfDays[0]!.id}`,
    );
    assert.equal(sheet.statusCode, 200);
    assert.match(pdfText(sheet.rawPayload), /Inès Petit/);
  });

  test('a check-in code: the code of another half-day or a wrong one is refused; the right one records the presence', async () => {
    const tr = await as(trainer);
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    const yesterday = await tr.post(`/formations/gestion/sessions/${sessionId}/code`, {
      demi_journee: halfDays[0]!.id,
    });
    assert.equal(yesterday.statusCode, 409);
    const opened = await tr.post(`/formations/gestion/sessions/${sessionId}/code`, {
      demi_journee: halfDays[1]!.id,
    });
    assert.equal(opened.statusCode, 200);
    const code = /class="training-code"[^>]*>(\d{6})</.exec(opened.body)?.[1];
    assert.ok(code);
    const ines = helpers[2]!;
    const c = await as(ines);
    const mine = await c.get('/formations/mes-inscriptions');
    assert.match(mine.body, /Code d’émargement/);
    const reg = (await registrationOf(ines)).id;
    const wrongHalf = await c.post(`/formations/inscriptions/${reg}/emargement`, {
      demi_journee: halfDays[0]!.id,
      code,
    });
    assert.equal(wrongHalf.statusCode, 400);
    assert.match(wrongHalf.body, /n’est pas ouvert ou a expiré/);
    const wrong = await c.post(`/formations/inscriptions/${reg}/emargement`, {
      demi_journee: halfDays[1]!.id,
      code: code === '000000' ? '111111' : '000000',
    });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /n’est pas celui de cette demi-journée/);
    const ok = await c.post(`/formations/inscriptions/${reg}/emargement`, {
      demi_journee: halfDays[1]!.id,
      code,
    });
    assert.equal(ok.statusCode, 303);
    const p = await db()
      .selectFrom('formation_presence')
      .select(['present', 'source'])
      .where('inscription_id', '=', reg)
      .where('demi_journee_id', '=', halfDays[1]!.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(p, { present: true, source: 'code' });
    // Then Inès is marked absent again by the trainer: she did leave.
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    const regs = await db()
      .selectFrom('formation_inscription')
      .select(['id', 'user_id'])
      .where('session_id', '=', sessionId)
      .where('status', '=', 'inscrit')
      .execute();
    await tr.post(`/formations/gestion/sessions/${sessionId}/presences`, {
      demi_journee: halfDays[1]!.id,
      presents: regs.filter((r) => r.user_id !== ines.id).map((r) => r.id),
    });
    assert.equal(await journal('training_attendance.correct'), 1);
  });

  let certificates: { id: string; code: string; user_id: string }[] = [];

  test('certificates: refused for someone absent, issued to those present at every half-day', async () => {
    const tr = await as(trainer);
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    const absent = await tr.post(`/formations/gestion/sessions/${sessionId}/attestations`, {
      inscription: (await registrationOf(helpers[2]!)).id,
    });
    assert.equal(absent.statusCode, 409);
    assert.match(absent.body, /pas assisté à assez de demi-journées/);
    assert.equal(await count('formation_attestation'), 0);
    const issued = await tr.post(`/formations/gestion/sessions/${sessionId}/attestations`, {});
    assert.equal(issued.statusCode, 303);
    assert.match(issued.headers.location as string, /n=2/);
    certificates = await db()
      .selectFrom('formation_attestation as a')
      .innerJoin('formation_inscription as i', 'i.id', 'a.inscription_id')
      .select(['a.id', 'a.code', 'i.user_id'])
      .execute();
    assert.deepEqual(certificates.map((c) => c.user_id).sort(), [helpers[3]!.id, foreigner.id].sort());
    // Issuing again gives nothing new.
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    assert.match(
      (await tr.post(`/formations/gestion/sessions/${sessionId}/attestations`, {})).headers
        .location as string,
      /n=0/,
    );
  });

  test('a certificate is printed by its learner and their coordinator, verified through its code, never shown to others', async () => {
    const louis = certificates.find((c) => c.user_id === helpers[3]!.id)!;
    const l = await as(helpers[3]!);
    const page = await l.get(`/formations/attestations/${louis.id}`);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body);
    assert.match(page.body, /Louis Bernard/);
    assert.match(page.body, /<svg/);
    const pdf = await l.get(`/formations/attestations/${louis.id}/attestation.pdf`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const text = pdfText(pdf.rawPayload);
    assert.match(text, /Louis Bernard/);
    assert.ok(text.includes(louis.code));
    // Tagged for screen readers (French, a structure tree, no untagged text) and inside its page.
    const tags = pdfTags(pdf.rawPayload);
    assert.equal(tags.marked, true, 'tagged');
    assert.equal(tags.lang, 'fr-FR');
    assert.ok(tags.tree, 'a StructTreeRoot');
    assert.deepEqual(
      tags.untagged.map((r) => r.text),
      [],
    );
    assert.deepEqual(layoutProblems(pdf.rawPayload), []);
    assert.equal((await (await as(coordinator)).get(`/formations/attestations/${louis.id}`)).statusCode, 200);
    assert.equal(await journal('training_certificate.read'), 1);
    // Another helper, another collectivité's coordinator: refused.
    assert.equal((await (await as(helpers[0]!)).get(`/formations/attestations/${louis.id}`)).statusCode, 403);
    assert.equal(
      (await (await as(otherCoordinator)).get(`/formations/attestations/${louis.id}`)).statusCode,
      403,
    );
    // The public page: valid, initials only.
    const anonymous = new Client(t.app);
    const v = await anonymous.get(`/formations/verifier/${louis.code.toLowerCase().replace(/-/g, '')}`);
    assert.equal(v.statusCode, 200);
    assert.match(v.body, /Attestation valide/);
    assert.match(v.body, /L\. B\./);
    assert.doesNotMatch(v.body, /Louis|Bernard/);
    assert.equal(v.headers['x-robots-tag'], 'noindex, nofollow');
    const forged = await anonymous.get('/formations/verifier/ABCD-EFGH-JKLM');
    assert.equal(forged.statusCode, 404);
    assert.doesNotMatch(forged.body, /Louis/);
    const malformed = await anonymous.get('/formations/verifier?code=12');
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /12 caractères/);
  });

  test('forged verification codes are rate-limited', async () => {
    const prober = new Client(t.app, { ip: '203.0.113.9' });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++)
      statuses.push(
        (
          await t.app.inject({
            method: 'GET',
            url: `/formations/verifier/AAAA-BBBB-${String(i).padStart(4, '2')}`,
            remoteAddress: '203.0.113.9',
          })
        ).statusCode,
      );
    assert.ok(statuses.includes(429), statuses.join(','));
    void prober;
  });

  test('the mandate training proposes the habilitation; the coordinator grants it in one action', async () => {
    const c = await as(coordinator);
    const team = await c.get('/formations/equipe');
    assert.equal(team.statusCode, 200);
    await assertValidHtml(team.body);
    assert.match(team.body, /Habiliter Louis Bernard aux mandats/);
    // The Vénissieux helper's certificate is not the Villeurbanne coordinator's to act on.
    assert.doesNotMatch(team.body, new RegExp(foreigner.name));
    const foreign = certificates.find((x) => x.user_id === foreigner.id)!;
    assert.equal((await c.post(`/formations/attestations/${foreign.id}/habiliter`, {})).statusCode, 403);
    const louis = certificates.find((x) => x.user_id === helpers[3]!.id)!;
    await c.get('/formations/equipe');
    const granted = await c.post(`/formations/attestations/${louis.id}/habiliter`, {});
    assert.equal(granted.statusCode, 303, granted.body);
    const h = await db()
      .selectFrom('habilitation')
      .selectAll()
      .where('user_id', '=', helpers[3]!.id)
      .executeTakeFirstOrThrow();
    assert.ok(h.certified_by.includes(louis.code), h.certified_by);
    // The training's date is the day its last half-day ends (in Paris), whatever the hour now.
    const last = await db()
      .selectFrom('formation_demi_journee')
      .select('ends_at')
      .where('session_id', '=', sessionId)
      .orderBy('ends_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(h.date_formation, parisToday(last.ends_at));
    await c.get('/formations/equipe');
    assert.equal((await c.post(`/formations/attestations/${louis.id}/habiliter`, {})).statusCode, 409);
  });

  test('revocation with a reason: the verification page then says revoked', async () => {
    const foreign = certificates.find((x) => x.user_id === foreigner.id)!;
    const c = await as(otherCoordinator);
    await c.get(`/formations/attestations/${foreign.id}`);
    const empty = await c.post(`/formations/attestations/${foreign.id}/revoquer`, { motif: '' });
    assert.equal(empty.statusCode, 400);
    const r = await c.post(`/formations/attestations/${foreign.id}/revoquer`, {
      motif: 'Présence déclarée par erreur',
    });
    assert.equal(r.statusCode, 303);
    const v = await new Client(t.app).get(`/formations/verifier/${foreign.code}`);
    assert.match(v.body, /Attestation révoquée/);
  });

  test('the satisfaction questionnaire, the export and the journal of reads', async () => {
    const l = await as(helpers[3]!);
    const reg = (await registrationOf(helpers[3]!)).id;
    await l.get(`/formations/inscriptions/${reg}/avis`);
    const bad = await l.post(`/formations/inscriptions/${reg}/avis`, { note_contenu: '6' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /note de 1 à 5/);
    assert.equal(
      (
        await l.post(`/formations/inscriptions/${reg}/avis`, {
          note_contenu: '5',
          note_animation: '4',
          note_utilite: '5',
        })
      ).statusCode,
      303,
    );
    await l.get(`/formations/inscriptions/${reg}/avis`);
    assert.equal(
      (
        await l.post(`/formations/inscriptions/${reg}/avis`, {
          note_contenu: '5',
          note_animation: '4',
          note_utilite: '5',
        })
      ).statusCode,
      409,
    );
    const tr = await as(trainer);
    const page = await tr.get(`/formations/gestion/sessions/${sessionId}`);
    assert.match(page.body, /1 réponse : les moyennes s’affichent à partir de 5 réponses/);
    const before = await journal('training_session.export');
    const csv = await tr.get(`/formations/gestion/sessions/${sessionId}/inscrits.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /^\ufeffnom,courriel,collectivite,etat/);
    assert.match(csv.body, /Louis Bernard/);
    assert.equal(await journal('training_session.export'), before + 1);
    assert.ok((await journal('training_session.read')) >= 5);
    assert.ok((await journal('training_registration.team_read')) >= 1);
  });

  test('the spaces of a helper, a coordinator and a trainer', async () => {
    const l = await (await as(helpers[3]!)).get('/espace');
    assert.match(l.body, /Mes formations/);
    const c = await (await as(coordinator)).get('/espace');
    assert.match(c.body, /Formations de mon équipe/);
    const tr = await (await as(trainer)).get('/espace');
    assert.match(tr.body, /Sessions que j’anime/);
    const list = await (await as(trainer)).get('/formations/gestion');
    assert.match(list.body, /Habilitation Aidants Connect/);
  });

  test('the open dataset publishes sessions with counts rounded to 5, and no one’s name', async () => {
    const rows = await sessionsDataset.generate!(db());
    const row = rows.find((r) => r.session === sessionId);
    assert.ok(row);
    assert.equal(row.places, 3);
    assert.equal(row.inscrits, 5, '3 registered round to 5');
    assert.ok(Number(row.presents_moyenne) % 5 === 0);
    assert.doesNotMatch(JSON.stringify(rows), /Louis|Bernard|@/);
  });

  test('a trainer cancels the whole session: everyone is told', async () => {
    const tr = await as(trainer);
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    const empty = await tr.post(`/formations/gestion/sessions/${sessionId}/annuler`, { motif: ' ' });
    assert.equal(empty.statusCode, 400);
    const r = await tr.post(`/formations/gestion/sessions/${sessionId}/annuler`, {
      motif: 'Formateur malade',
    });
    assert.equal(r.statusCode, 303);
    const live = await db()
      .selectFrom('formation_inscription')
      .select('id')
      .where('session_id', '=', sessionId)
      .where('status', '<>', 'annule')
      .execute();
    assert.equal(live.length, 0);
    assert.match((await outboxTo(helpers[3]!.email)).at(-1)?.body ?? '', /Formateur malade/);
    void sql;
  });
});
