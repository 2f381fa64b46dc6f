import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import {
  givenBeneficiary,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  givenPlace,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { readCalendar } from '../../../test/helpers/calendar.ts';
import { dbKind } from '../../../test/helpers/database.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { addDays, formatDateTime, parisToday } from '../../platform/paris-time.ts';
import { computeStatistics } from '../statistiques/index.ts';
import { formatRule, frenchHolidays, parseRule, recurrenceDays } from './calendar.ts';
import { purgeOldAppointments, sendReminders } from './jobs.ts';
import { linkSecret, signLink } from './link.ts';
import { freeSlots } from './slots.ts';
import { sendWaitlistNotices } from './waitlist.ts';

/**
 * Appointments through HTTP: a Villeurbanne helper sets up a reason and a workshop with their
 * openings; people book on line without an account, get their confirmation and calendar file,
 * move and cancel through their link; the reminder job runs on a controlled clock; the helper
 * notes who came and confirms the draft report, which the statistics count. Attacks first.
 */

describe('rendezvous: calendar rules', () => {
  test('French public holidays, Easter-based ones included, without Alsace-Moselle’s', () => {
    const h = frenchHolidays(2027);
    assert.equal(h.size, 11);
    assert.ok(h.has('2027-03-29'), 'Lundi de Pâques');
    assert.ok(h.has('2027-05-06'), 'Ascension');
    assert.ok(h.has('2027-05-17'), 'Lundi de Pentecôte');
    assert.ok(h.has('2027-07-14') && h.has('2027-12-25') && !h.has('2027-12-26'));
    assert.ok(frenchHolidays(2026).has('2026-04-06'), 'Lundi de Pâques 2026');
  });
  test('weekly rules every n weeks, weeks counted from the first day’s', () => {
    const rule = parseRule('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH')!;
    assert.deepEqual(rule, { weekdays: [1, 4], interval: 2 });
    assert.equal(formatRule({ weekdays: [4, 1, 4], interval: 2 }), 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH');
    // First day a Wednesday: that week's Thursday, then every other week.
    assert.deepEqual(recurrenceDays(rule, '2026-12-09', '2026-12-01', '2027-01-04'), [
      '2026-12-10',
      '2026-12-21',
      '2026-12-24',
      '2027-01-04',
    ]);
    assert.deepEqual(recurrenceDays(rule, '2026-12-07', '2026-12-14', '2026-12-20'), []);
    for (const text of [
      'FREQ=DAILY;INTERVAL=1;BYDAY=MO',
      'FREQ=WEEKLY;INTERVAL=1;BYDAY=XX',
      'FREQ=WEEKLY;INTERVAL=1;BYDAY=1MO',
    ])
      assert.equal(parseRule(text), null, text);
  });
});

describe('rendezvous', () => {
  let t: TestApp;
  let helper: TestHelper;
  let otherHelper: TestHelper;
  let place = '';
  let reason = '';
  let workshop = '';
  let privateReason = '';
  let helperClient: Client;
  let ipCounter = 10;
  const db = () => t.db.db;
  const person = (n: string, extra: Record<string, string> = {}) => ({
    prenom: `Prénom${n}`,
    nom: `Nom${n}`,
    email: `personne${n}@exemple.fr`,
    consentement: 'oui',
    ...extra,
  });
  const publicClient = () => new Client(t.app, { ip: `10.0.0.${ipCounter++}` });
  const count = async (table: 'rdv' | 'rdv_participant' | 'rdv_plage' | 'activite') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** The slot keys offered on a reason's page, in time order. */
  const slotKeys = async (client: Client, reasonId: string) => {
    const res = await client.get(`/rendezvous/lieux/${place}/motifs/${reasonId}`);
    assert.equal(res.statusCode, 200, res.body.slice(0, 2000));
    return [...res.body.matchAll(/name="creneau" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!);
  };
  /** Books through the public pages; returns the response of the POST. */
  const bookAs = async (client: Client, reasonId: string, key: string, fields: Record<string, string>) => {
    const form = await client.get(`/rendezvous/lieux/${place}/motifs/${reasonId}/reserver?creneau=${key}`);
    assert.equal(form.statusCode, 200, form.body.slice(0, 2000));
    return client.post(`/rendezvous/lieux/${place}/motifs/${reasonId}/reserver`, { creneau: key, ...fields });
  };
  const lastMailTo = async (email: string) =>
    db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body', 'attachments'])
      .where('recipient', '=', email)
      .orderBy('id', 'desc')
      .executeTakeFirst();
  /** The first key at least `hours` ahead. */
  const keyAfter = (keys: string[], hours: number) =>
    keys.find((k) => Number(k.split('_')[1]) * 1000 > Date.now() + hours * 3600_000)!;
  const linkIn = (body: string | null | undefined) => /\/rendezvous\/gestion\/[^\s/]+/.exec(body ?? '')![0];

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const venissieux = await givenCollectivite(t, { code: '69259' });
    place = await givenPlace(t, { collectivite: villeurbanne, nom: 'Espace numérique Gratte-Ciel' });
    helper = await givenHelper(t, { collectivite: villeurbanne, places: [place] });
    otherHelper = await givenHelper(t, { collectivite: venissieux, places: 1 });
    helperClient = new Client(t.app);
    await helperClient.signIn(helper.email, helper.password, helper.totpSecret);

    const settings = `/rendezvous/lieux/${place}/reglages`;
    const reasonForm = {
      nom: 'Aide aux démarches en ligne',
      duree_min: '30',
      location_type: 'sur_place',
      reservable_par: 'tout_le_monde',
      modifiable: 'oui',
      instructions: 'Apportez vos identifiants.',
      thematiques: ['aide_aux_demarches_administratives'],
    };
    await helperClient.get(settings);
    const created = await helperClient.post(`/rendezvous/lieux/${place}/motifs`, reasonForm);
    assert.equal(created.statusCode, 303, created.body.slice(0, 3000));
    await helperClient.post(`/rendezvous/lieux/${place}/motifs`, {
      ...reasonForm,
      nom: 'Atelier smartphone',
      duree_min: '90',
      collectif: 'oui',
      capacite: '3',
      thematiques: ['prendre_en_main_du_materiel'],
    });
    await helperClient.post(`/rendezvous/lieux/${place}/motifs`, {
      ...reasonForm,
      nom: 'Rendez-vous sur orientation',
      reservable_par: 'agents_et_prescripteurs',
    });
    const reasons = await db().selectFrom('rdv_motif').select(['id', 'nom']).execute();
    reason = reasons.find((r) => r.nom === 'Aide aux démarches en ligne')!.id;
    workshop = reasons.find((r) => r.nom === 'Atelier smartphone')!.id;
    privateReason = reasons.find((r) => r.nom === 'Rendez-vous sur orientation')!.id;
    const everyDay = ['1', '2', '3', '4', '5', '6', '7'];
    const opening = await helperClient.post(`/rendezvous/lieux/${place}/plages`, {
      jours: everyDay,
      debut: '09:00',
      fin: '12:00',
      intervalle: '1',
      premier_jour: parisToday(),
      motifs: [reason, privateReason],
    });
    assert.equal(opening.statusCode, 303, opening.body.slice(0, 3000));
    await helperClient.post(`/rendezvous/lieux/${place}/plages`, {
      jours: everyDay,
      debut: '14:00',
      fin: '15:30',
      intervalle: '1',
      premier_jour: parisToday(),
      motifs: [workshop],
    });
    assert.equal(await count('rdv_plage'), 2);
  });
  after(() => t.close());

  // ------------------------------------------------------------ attacks and bad input first

  test('an overlapping opening is refused in French and nothing changes', async () => {
    await helperClient.get(`/rendezvous/lieux/${place}/reglages`);
    const res = await helperClient.post(`/rendezvous/lieux/${place}/plages`, {
      jours: ['2'],
      debut: '11:00',
      fin: '13:00',
      premier_jour: parisToday(),
      motifs: [reason],
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /chevauche une de vos plages/);
    const bad = await helperClient.post(`/rendezvous/lieux/${place}/plages`, {
      jours: ['2'],
      debut: '18:00',
      fin: '17:00',
      premier_jour: parisToday(),
      motifs: [reason],
    });
    assert.match(bad.body, /L’heure de fin doit suivre l’heure de début/);
    assert.equal(await count('rdv_plage'), 2);
  });

  test('another collectivité’s helper and coordinator see neither the settings nor the agenda of the place', async () => {
    const other = new Client(t.app);
    await other.signIn(otherHelper.email, otherHelper.password, otherHelper.totpSecret);
    assert.equal((await other.get(`/rendezvous/lieux/${place}/reglages`)).statusCode, 404);
    assert.equal((await other.get(`/rendezvous/lieux/${place}/agenda`)).statusCode, 404);
    await other.get('/rendezvous/agenda');
    const forged = await other.post(`/rendezvous/lieux/${place}/plages`, {
      jours: ['1'],
      debut: '16:00',
      fin: '17:00',
      premier_jour: parisToday(),
      motifs: [reason],
    });
    assert.equal(forged.statusCode, 404);
    const coordinator = await givenCoordinator(t, { collectivite: otherHelper.collectiviteId });
    const c = new Client(t.app);
    await c.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
    assert.equal((await c.get(`/rendezvous/lieux/${place}/agenda`)).statusCode, 404);
    assert.equal(await count('rdv_plage'), 2);
  });

  test('a reason for agents only is not bookable on line', async () => {
    const anyone = publicClient();
    const list = await anyone.get(`/rendezvous/lieux/${place}`);
    assert.doesNotMatch(list.body, /Rendez-vous sur orientation/);
    assert.equal((await anyone.get(`/rendezvous/lieux/${place}/motifs/${privateReason}`)).statusCode, 404);
  });

  test('a place’s page offers « Prendre rendez-vous ici » when it has a reason anyone may book, and only then', async () => {
    const anyone = publicClient();
    const page = await anyone.get(`/lieux/${place}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`href="/rendezvous/lieux/${place}"[^>]*>\\s*Prendre rendez-vous ici`));
    await assertValidHtml(page.body);
    const other = await anyone.get(`/lieux/${otherHelper.places[0]}`);
    assert.equal(other.statusCode, 200);
    assert.doesNotMatch(other.body, /Prendre rendez-vous ici/);
  });

  test('a slot in the past, outside the window or forged is refused and nothing is written', async () => {
    const anyone = publicClient();
    const [key] = await slotKeys(anyone, reason);
    const plage = key!.split('_')[0];
    const before = await count('rdv_participant');
    await anyone.get(`/rendezvous/lieux/${place}/motifs/${reason}/reserver?creneau=${key}`);
    const past = Math.floor((Date.now() - 3600_000) / 1000);
    const far = Math.floor((Date.now() + 200 * 24 * 3600_000) / 1000);
    for (const forged of [
      `${plage}_${past}`,
      `${plage}_${far}`,
      `${plage}_${Number(key!.split('_')[1]) + 60}`,
      'nimporte',
    ]) {
      const res = await anyone.get(`/rendezvous/lieux/${place}/motifs/${reason}/reserver?creneau=${forged}`);
      assert.equal(res.statusCode, 400);
      const post = await anyone.post(`/rendezvous/lieux/${place}/motifs/${reason}/reserver`, {
        creneau: forged,
        ...person('x'),
      });
      assert.equal(post.statusCode, 409);
      assert.match(post.body, /n’est plus (libre|proposé)/);
    }
    assert.equal(await count('rdv_participant'), before);
  });

  test('bad contact details: a clear message next to the field, nothing written', async () => {
    const anyone = publicClient();
    const [key] = await slotKeys(anyone, reason);
    const before = await count('rdv_participant');
    const landline = await bookAs(
      anyone,
      reason,
      key!,
      person('y', { email: '', telephone: '04 72 00 00 00' }),
    );
    assert.equal(landline.statusCode, 400);
    assert.match(landline.body, /n’est pas un portable français/);
    await assertValidHtml(landline.body);
    const noConsent = await bookAs(anyone, reason, key!, person('y', { consentement: '' }));
    assert.match(noConsent.body, /Cochez la case pour accepter/);
    const nothing = await bookAs(anyone, reason, key!, { prenom: 'A', nom: 'B', consentement: 'oui' });
    assert.match(nothing.body, /Donnez un numéro de téléphone portable ou une adresse de courriel/);
    assert.equal(await count('rdv_participant'), before);
  });

  test('twenty people taking the same last slot at once: exactly one gets it', async () => {
    const keys = await slotKeys(publicClient(), reason);
    const key = keys.at(-1)!;
    const clients = Array.from({ length: 20 }, () => publicClient());
    for (const c of clients)
      await c.get(`/rendezvous/lieux/${place}/motifs/${reason}/reserver?creneau=${key}`);
    const answers = await Promise.all(
      clients.map((c, i) =>
        c.post(`/rendezvous/lieux/${place}/motifs/${reason}/reserver`, {
          creneau: key,
          ...person(`course${i}`),
        }),
      ),
    );
    assert.equal(answers.filter((r) => r.statusCode === 303).length, 1);
    assert.equal(answers.filter((r) => r.statusCode === 409).length, 19);
    const start = new Date(Number(key.split('_')[1]) * 1000);
    const booked = await db().selectFrom('rdv').select('id').where('starts_at', '=', start).execute();
    assert.equal(booked.length, 1);
  });

  test('a booking PostgreSQL aborts as a deadlock reads its slot again and gets it', {
    skip:
      dbKind === 'postgres'
        ? false
        : 'PGlite has one connection: no two transactions can wait for each other',
  }, async () => {
    const keys = await slotKeys(publicClient(), reason);
    const key = keys.at(-2)!;
    const start = new Date(Number(key.split('_')[1]) * 1000);
    const minute = 60_000;
    const other = new pg.Client({ connectionString: t.db.env.DATABASE_URL });
    await other.connect();
    try {
      // The other transaction waits long before looking for deadlocks: the booking is the one aborted.
      await other.query(`set deadlock_timeout = '30s'`);
      await other.query('begin');
      const insertOver = (from: number, to: number) =>
        other.query(
          `insert into rdv (collectivite_id, lieu_id, motif_id, mediateur_id, agenda_numero, starts_at, ends_at, capacite, places_prises)
             select m.collectivite_id, m.lieu_id, m.id, $2, a.numero, $3, $4, 1, 1
               from rdv_motif m, rdv_agenda a where m.id = $1 and a.user_id = $2`,
          [reason, helper.id, new Date(from), new Date(to)],
        );
      await insertOver(start.getTime(), start.getTime() + minute);
      const client = publicClient();
      await client.get(`/rendezvous/lieux/${place}/motifs/${reason}/reserver?creneau=${key}`);
      const answer = client.post(`/rendezvous/lieux/${place}/motifs/${reason}/reserver`, {
        creneau: key,
        ...person('impasse'),
      });
      // The booking's insert waits for the other transaction, which then waits for the booking's.
      for (let waiting = 0; waiting === 0; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const { rows } = await other.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        waiting = rows[0]!.n;
      }
      await insertOver(start.getTime() + 29 * minute, start.getTime() + 30 * minute);
      await other.query('rollback');
      const res = await answer;
      assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
      const booked = await db().selectFrom('rdv').select('id').where('starts_at', '=', start).execute();
      assert.equal(booked.length, 1);
    } finally {
      await other.end();
    }
  });

  test('booking floods: a fourth booking with one email in a day is refused', async () => {
    const keys = await slotKeys(publicClient(), reason);
    const flood = person('flood');
    for (let i = 0; i < 3; i++)
      assert.equal((await bookAs(publicClient(), reason, keys[i]!, flood)).statusCode, 303);
    const fourth = await bookAs(publicClient(), reason, keys[3]!, flood);
    assert.equal(fourth.statusCode, 400);
    assert.match(fourth.body, /Trop de rendez-vous/);
  });

  // ------------------------------------------------------------ the person's journey

  let token = '';
  let firstStart = new Date();

  test('a person books without an account, gets the confirmation with a valid .ics, and moves it through the link', async () => {
    const anyone = publicClient();
    const page = await anyone.get('/rendezvous');
    assert.match(page.body, /Espace numérique Gratte-Ciel/);
    const keys = await slotKeys(anyone, reason);
    const chosen = keyAfter(keys, 72);
    const res = await bookAs(
      anyone,
      reason,
      chosen,
      person('1', { email: 'jeanne@exemple.fr', prenom: 'Jeanne', nom: 'Martin' }),
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    const confirmation = await anyone.get(res.headers.location as string);
    assert.match(confirmation.body, /Votre rendez-vous est confirmé/);
    assert.match(confirmation.body, /Annuler le rendez-vous/);
    await assertValidHtml(confirmation.body);
    const mail = await lastMailTo('jeanne@exemple.fr');
    assert.match(mail!.subject, /Rendez-vous confirmé : Aide aux démarches en ligne/);
    assert.match(mail!.body!, /Apportez vos identifiants/);
    const link = linkIn(mail!.body);
    firstStart = new Date(Number(chosen.split('_')[1]) * 1000);

    const ics = await anyone.get(`${link}/rendez-vous.ics`);
    assert.equal(ics.statusCode, 200);
    assert.match(ics.headers['content-type'] as string, /^text\/calendar/);
    const [event] = readCalendar(ics.body).events;
    assert.equal(event!.start.getTime(), firstStart.getTime());
    assert.equal(event!.summary, 'Aide aux démarches en ligne');
    assert.match(event!.location!, /Espace numérique Gratte-Ciel/);
    assert.equal(event!.status, 'CONFIRMED');
    // The same calendar file is joined to the confirmation.
    const [joined] = mail!.attachments ?? [];
    assert.equal(joined?.filename, 'rendez-vous.ics');
    assert.equal(joined?.contentType, 'text/calendar; method=PUBLISH; charset=utf-8');
    const [attached] = readCalendar(joined?.content ?? '').events;
    assert.equal(attached!.start.getTime(), firstStart.getTime());
    assert.equal(attached!.summary, 'Aide aux démarches en ligne');

    // Move to the next free slot at least two days away.
    const movePage = await anyone.get(`${link}/deplacer`);
    assert.equal(movePage.statusCode, 200);
    const later = [...movePage.body.matchAll(/name="creneau" id="[^"]+" value="([^"]+)"/g)]
      .map((m) => m[1]!)
      .find((k) => k !== chosen && Number(k.split('_')[1]) * 1000 > Date.now() + 3 * 24 * 3600_000)!;
    const moved = await anyone.post(`${link}/deplacer`, { creneau: later });
    assert.equal(moved.statusCode, 303, moved.body.slice(0, 2000));
    token = (moved.headers.location as string).split('/')[3]!.split('?')[0]!;
    const newMail = await lastMailTo('jeanne@exemple.fr');
    assert.match(newMail!.subject, /Rendez-vous déplacé/);
    // The first slot is free again; the old link says the appointment moved.
    const free = await freeSlots(
      db(),
      await db().selectFrom('rdv_motif').selectAll().where('id', '=', reason).executeTakeFirstOrThrow(),
      parisToday(firstStart),
      parisToday(firstStart),
    );
    assert.ok(free.some((s) => s.start.getTime() === firstStart.getTime()));
    const old = await anyone.get(link);
    assert.equal(old.statusCode, 410);
    assert.match(old.body, /a été déplacé/);
    firstStart = new Date(Number(later.split('_')[1]) * 1000);
    const [movedEvent] = readCalendar(
      (await anyone.get(`/rendezvous/gestion/${token}/rendez-vous.ics`)).body,
    ).events;
    assert.equal(movedEvent!.start.getTime(), firstStart.getTime());
    assert.equal(movedEvent!.uid, event!.uid, 'the same event, moved');
    assert.ok(movedEvent!.sequence > event!.sequence, 'a later version of it');
  });

  test('an altered link is refused and journaled; a replayed move changes nothing', async () => {
    const anyone = publicClient();
    const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const res = await anyone.get(`/rendezvous/gestion/${altered}`);
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Ce lien n’est pas valide/);
    const refused = await db()
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'appointment.link_refused')
      .execute();
    assert.ok(refused.length >= 2);
  });

  /** The first minute from an hour ahead on which the appointment's agenda has nothing else. */
  async function freeMinuteWithin4Hours(rdvId: string): Promise<Date> {
    const { agenda_numero } = await db()
      .selectFrom('rdv')
      .select('agenda_numero')
      .where('id', '=', rdvId)
      .executeTakeFirstOrThrow();
    const from = Date.now() + 3600_000;
    const taken = await db()
      .selectFrom('rdv')
      .select(['starts_at', 'ends_at'])
      .where('agenda_numero', '=', agenda_numero)
      .where('id', '!=', rdvId)
      .where('libere_at', 'is', null)
      .where('ends_at', '>', new Date(from))
      .where('starts_at', '<', new Date(from + 3 * 3600_000))
      .execute();
    for (let start = from; start < from + 3 * 3600_000 - 60_000; start += 60_000) {
      const end = start + 60_000;
      if (taken.every((t) => t.ends_at.getTime() <= start || t.starts_at.getTime() >= end))
        return new Date(start);
    }
    throw new Error('no free minute in the agenda within 4 hours');
  }

  test('too late: cancelling within 4 hours is refused', async () => {
    const anyone = publicClient();
    const keys = await slotKeys(anyone, reason);
    const res = await bookAs(anyone, reason, keys[0]!, person('late', { email: 'tard@exemple.fr' }));
    const link = (res.headers.location as string).split('?')[0]!;
    const participant = await db()
      .selectFrom('rdv_participant')
      .select('rdv_id')
      .where('email', '=', 'tard@exemple.fr')
      .executeTakeFirstOrThrow();
    // Moved to between one and four hours from now (the link's signature carries its own expiry,
    // still ahead), at a minute when the agenda has nothing else: earlier tests' appointments
    // may stand there, depending on the time of day.
    const soon = await freeMinuteWithin4Hours(participant.rdv_id);
    await db()
      .updateTable('rdv')
      .set({ starts_at: soon, ends_at: new Date(soon.getTime() + 60_000) })
      .where('id', '=', participant.rdv_id)
      .execute();
    await anyone.get(link);
    const cancel = await anyone.post(`${link}/annuler`, {});
    assert.equal(cancel.statusCode, 409);
    assert.match(cancel.body, /ne peut plus être annulé en ligne/);
    const row = await db()
      .selectFrom('rdv_participant')
      .select('status')
      .where('email', '=', 'tard@exemple.fr')
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'a_venir');
  });

  test('another person books a workshop seat, sees the seats left, and cancels', async () => {
    const anyone = publicClient();
    const key = keyAfter(await slotKeys(anyone, workshop), 6);
    const page = await anyone.get(`/rendezvous/lieux/${place}/motifs/${workshop}`);
    assert.match(page.body, /\(3 places\)/);
    const res = await bookAs(anyone, workshop, key, person('w', { email: 'atelier@exemple.fr' }));
    assert.equal(res.statusCode, 303);
    const second = await bookAs(
      publicClient(),
      workshop,
      key,
      person('w2', { email: 'atelier2@exemple.fr' }),
    );
    assert.equal(second.statusCode, 303);
    const after = await anyone.get(`/rendezvous/lieux/${place}/motifs/${workshop}`);
    assert.match(after.body, /\(1 place\)/);
    const link = (second.headers.location as string).split('?')[0]!;
    const c2 = publicClient();
    await c2.get(link);
    assert.equal((await c2.post(`${link}/annuler`, {})).statusCode, 303);
    const replay = await c2.post(`${link}/annuler`, {});
    assert.equal(replay.statusCode, 409);
    // The service cancels a third person's seat: they are told.
    await bookAs(publicClient(), workshop, key, person('w3', { email: 'atelier3@exemple.fr' }));
    const first = await db()
      .selectFrom('rdv_participant')
      .select(['id', 'rdv_id'])
      .where('email', '=', 'atelier3@exemple.fr')
      .executeTakeFirstOrThrow();
    await helperClient.get(`/rendezvous/fiche?rdv=${first.rdv_id}`);
    const cancelled = await helperClient.post('/rendezvous/fiche/presence', {
      rdv: first.rdv_id,
      participant: first.id,
      statut: 'annule',
    });
    assert.equal(cancelled.statusCode, 303);
    assert.match(
      (await lastMailTo('atelier3@exemple.fr'))!.subject,
      /Rendez-vous annulé : Atelier smartphone/,
    );
    assert.match((await anyone.get(`/rendezvous/lieux/${place}/motifs/${workshop}`)).body, /\(2 places\)/);
  });

  test('the reminder job sends the 48 h reminder once, with the workshop’s title; SMS when asked, mail once the budget is spent', async () => {
    const booking = await db()
      .selectFrom('rdv_participant as p')
      .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
      .select(['r.starts_at'])
      .where('p.email', '=', 'atelier@exemple.fr')
      .executeTakeFirstOrThrow();
    const clock = new Date(booking.starts_at.getTime() - 47 * 3600_000);
    const first = await sendReminders(db(), testConfig, clock);
    assert.ok(first['rappels envoyés'] >= 1);
    const mail = await lastMailTo('atelier@exemple.fr');
    assert.match(mail!.subject, /Rappel : atelier « Atelier smartphone »/);
    const again = await sendReminders(db(), testConfig, clock);
    assert.equal((await lastMailTo('atelier@exemple.fr'))!.subject, mail!.subject);
    assert.equal(
      (
        await db()
          .selectFrom('mail_outbox')
          .select('id')
          .where('recipient', '=', 'atelier@exemple.fr')
          .execute()
      ).length,
      2,
    );
    assert.equal(again['rappels envoyés'], 0);

    // SMS when asked; once the collectivité's budget is spent, mail instead.
    const anyone = publicClient();
    const keys = await slotKeys(anyone, reason);
    await bookAs(
      anyone,
      reason,
      keys.at(-2)!,
      person('sms', { email: 'sms@exemple.fr', telephone: '06 12 34 56 78', sms: 'oui' }),
    );
    const sms = await db()
      .selectFrom('sms_outbox')
      .select(['telephone', 'texte'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(sms.telephone, '+33612345678');
    assert.match(sms.texte, /Annuler ou déplacer/);
    await db()
      .insertInto('rdv_sms_budget')
      .values({ collectivite_id: helper.collectiviteId, budget: 1 })
      .execute();
    const smsBefore = (await db().selectFrom('sms_outbox').select('id').execute()).length;
    await bookAs(
      publicClient(),
      reason,
      keys.at(-3)!,
      person('sms2', { email: 'sms2@exemple.fr', telephone: '06 98 76 54 32', sms: 'oui' }),
    );
    assert.equal((await db().selectFrom('sms_outbox').select('id').execute()).length, smsBefore);
    assert.match((await lastMailTo('sms2@exemple.fr'))!.subject, /Rendez-vous confirmé/);
  });

  // ------------------------------------------------------------ the helper's side

  test('the helper’s agenda names the people (journaled); the place’s view for coordinators does not', async () => {
    const day = parisToday(firstStart);
    const res = await helperClient.get(`/rendezvous/agenda?vue=semaine&jour=${day}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Jeanne Martin/);
    await assertValidHtml(res.body);
    const reads = await db()
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'appointment.read')
      .execute();
    assert.ok(reads.length >= 1);
    const coordinator = await givenCoordinator(t, { collectivite: helper.collectiviteId });
    const c = new Client(t.app);
    await c.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
    const view = await c.get(`/rendezvous/lieux/${place}/agenda?jour=${day}`);
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /Aide aux démarches en ligne/);
    assert.doesNotMatch(view.body, /Jeanne|Martin/);
    const csv = await helperClient.get(`/rendezvous/export.csv?du=${day}&au=${day}`);
    assert.match(csv.body, /Jeanne;?,?Martin|Jeanne,Martin/);
    const exports = await db()
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'appointment.export')
      .execute();
    assert.equal(exports.length, 1);
  });

  test('the helper marks the appointment honoured and confirms the draft report once; the statistics count it', async () => {
    const rdv = await db()
      .selectFrom('rdv_participant as p')
      .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
      .select(['r.id', 'p.id as participant'])
      .where('p.email', '=', 'jeanne@exemple.fr')
      .executeTakeFirstOrThrow();
    await helperClient.get(`/rendezvous/fiche?rdv=${rdv.id}`);
    const tooSoon = await helperClient.post('/rendezvous/fiche/presence', {
      rdv: rdv.id,
      participant: rdv.participant,
      statut: 'honore',
    });
    assert.equal(tooSoon.statusCode, 409);
    assert.match(tooSoon.body, /n’a pas encore commencé/);
    // Time passes: the appointment took place an hour ago.
    const past = new Date(Date.now() - 3600_000);
    await db()
      .updateTable('rdv')
      .set({ starts_at: past, ends_at: new Date(past.getTime() + 30 * 60_000) })
      .where('id', '=', rdv.id)
      .execute();
    const marked = await helperClient.post('/rendezvous/fiche/presence', {
      rdv: rdv.id,
      participant: rdv.participant,
      statut: 'honore',
    });
    assert.equal(marked.statusCode, 303);
    const page = await helperClient.get(`/rendezvous/fiche?rdv=${rdv.id}`);
    assert.match(page.body, /Un compte rendu prérempli est prêt/);
    await assertValidHtml(page.body);
    const period = { du: addDays(parisToday(), -30), au: parisToday() };
    const scope = { kind: 'mediateur' as const, id: helper.userId, name: 'x' };
    const before = (await computeStatistics(db(), scope, period)).activites;
    const [confirmed, twice] = await Promise.all([
      helperClient.post('/rendezvous/fiche/compte-rendu', { rdv: rdv.id, action: 'confirmer' }),
      helperClient.post('/rendezvous/fiche/compte-rendu', { rdv: rdv.id, action: 'confirmer' }),
    ]);
    assert.deepEqual([confirmed.statusCode, twice.statusCode].sort(), [303, 409]);
    const saved = await db()
      .selectFrom('rdv')
      .select('activite_id')
      .where('id', '=', rdv.id)
      .executeTakeFirstOrThrow();
    assert.ok(saved.activite_id);
    const activity = await db()
      .selectFrom('activite')
      .selectAll()
      .where('id', '=', saved.activite_id)
      .executeTakeFirstOrThrow();
    assert.equal(activity.duree_min, 30);
    assert.equal(activity.lieu_id, place);
    assert.deepEqual(activity.thematiques, ['aide_aux_demarches_administratives']);
    assert.equal((await computeStatistics(db(), scope, period)).activites, before + 1);
    const third = await helperClient.post('/rendezvous/fiche/compte-rendu', {
      rdv: rdv.id,
      action: 'confirmer',
    });
    assert.equal(third.statusCode, 409);
  });

  test('a helper books on the phone for a person they follow; a no-show shows on the person’s record', async () => {
    const jeanne = await givenBeneficiary(t, helper, { prenom: 'Odette', nom: 'Blanc' });
    const keys = await slotKeys(helperClient, privateReason);
    const res = await bookAs(helperClient, privateReason, keys[0]!, {
      beneficiaire: jeanne,
      prenom: 'Odette',
      nom: 'Blanc',
      telephone: '07 11 22 33 44',
      consentement: 'oui',
    });
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    const id = /rdv=([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
    const past = new Date(Date.now() - 2 * 3600_000);
    await db()
      .updateTable('rdv')
      .set({ starts_at: past, ends_at: new Date(past.getTime() + 30 * 60_000) })
      .where('id', '=', id)
      .execute();
    const p = await db()
      .selectFrom('rdv_participant')
      .select('id')
      .where('rdv_id', '=', id)
      .executeTakeFirstOrThrow();
    await helperClient.get(`/rendezvous/fiche?rdv=${id}`);
    await helperClient.post('/rendezvous/fiche/presence', { rdv: id, participant: p.id, statut: 'absent' });
    const record = await helperClient.get(`/beneficiaires/${jeanne}`);
    assert.match(record.body, /dont 1 absence/);
  });

  test('the helper’s calendar feed: a secret token, first names only, a reset stops the old one', async () => {
    await helperClient.get('/rendezvous/agenda/flux');
    const page = await helperClient.post('/rendezvous/agenda/flux', {});
    const url = /\/rendezvous\/flux\/[A-Za-z0-9_-]{43}\/agenda\.ics/.exec(page.body)![0];
    const feed = await publicClient().get(url);
    assert.equal(feed.statusCode, 200);
    const { events } = readCalendar(feed.body);
    assert.ok(events.some((e) => /Jeanne/.test(e.summary)));
    assert.doesNotMatch(feed.body, /Martin/);
    await helperClient.get('/rendezvous/agenda/flux');
    await helperClient.post('/rendezvous/agenda/flux', {});
    assert.equal((await publicClient().get(url)).statusCode, 404);
  });

  test('the coordinators set the monthly SMS budget; bad input and helpers change nothing', async () => {
    const coordinator = await givenCoordinator(t, { collectivite: helper.collectiviteId });
    const c = new Client(t.app);
    await c.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
    const page = await c.get('/rendezvous/sms');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /SMS envoyés ce mois-ci, sur un budget de 1/);
    assert.equal((await c.post('/rendezvous/sms', { budget: '-3' })).statusCode, 400);
    assert.equal((await c.post('/rendezvous/sms', { budget: '250' })).statusCode, 303);
    await helperClient.get('/rendezvous/agenda');
    assert.equal((await helperClient.post('/rendezvous/sms', { budget: '9' })).statusCode, 403);
    const row = await db()
      .selectFrom('rdv_sms_budget')
      .select('budget')
      .where('collectivite_id', '=', helper.collectiviteId)
      .executeTakeFirstOrThrow();
    assert.equal(row.budget, 250);
  });

  test('the space shows the day’s figures; appointments two years old are erased', async () => {
    const space = await helperClient.get('/espace');
    assert.match(space.body, /Rendez-vous/);
    assert.match(space.body, /href="\/rendezvous\/agenda"/);
    const total = await count('rdv');
    const erased = await purgeOldAppointments(db(), new Date(Date.now() + 3 * 365 * 24 * 3600_000));
    assert.equal(erased, total);
    assert.equal(await count('rdv_participant'), 0);
  });

  test('a link signed for another booking id never opens this one', async () => {
    const secret = await linkSecret(db());
    const forged = signLink(
      `${secret}x`,
      '00000000-0000-4000-8000-000000000000',
      1,
      new Date(Date.now() + 3600_000),
    );
    assert.equal((await publicClient().get(`/rendezvous/gestion/${forged}`)).statusCode, 400);
  });

  test('waiting list: told of an earlier free slot at most 3 times, once a day, only more than 7 days ahead', async () => {
    // The helper offers the waiting list on the individual reason (the edit form shows it checked).
    const reasonRow = await db()
      .selectFrom('rdv_motif')
      .selectAll()
      .where('id', '=', reason)
      .executeTakeFirstOrThrow();
    await helperClient.get(`/rendezvous/lieux/${place}/reglages?motif=${reason}`);
    const saved = await helperClient.post(`/rendezvous/lieux/${place}/motifs`, {
      id: reason,
      nom: reasonRow.nom,
      duree_min: String(reasonRow.duree_min),
      location_type: reasonRow.location_type,
      reservable_par: reasonRow.reservable_par,
      modifiable: 'oui',
      liste_attente: 'oui',
      thematiques: reasonRow.thematiques,
    });
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 2000));
    const edit = await helperClient.get(`/rendezvous/lieux/${place}/reglages?motif=${reason}`);
    assert.match(edit.body, /name="liste_attente" value="oui"[^>]*checked/);
    // Two weeks away: the helper is absent until then, so the first free slots are 14 days ahead.
    await helperClient.get('/rendezvous/absences');
    const absent = await helperClient.post('/rendezvous/absences', {
      titre: 'Congés',
      du: parisToday(),
      au: addDays(parisToday(), 13),
    });
    assert.equal(absent.statusCode, 303);
    const [first, second] = await slotKeys(publicClient(), reason);
    const early = await bookAs(publicClient(), reason, first!, person('wl1', { email: 'tot@exemple.fr' }));
    const late = await bookAs(
      publicClient(),
      reason,
      second!,
      person('wl2', { email: 'attente@exemple.fr' }),
    );
    assert.equal(early.statusCode, 303);
    assert.equal(late.statusCode, 303);
    const earlyLink = (early.headers.location as string).split('?')[0]!;
    const lateLink = (late.headers.location as string).split('?')[0]!;
    const waiter = publicClient();
    const manage = await waiter.get(lateLink);
    assert.match(manage.body, /Me prévenir d’un créneau plus tôt/);
    await assertValidHtml(manage.body);
    // An altered link joins nothing.
    const altered = `${lateLink.slice(0, -2)}${lateLink.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal((await waiter.post(`${altered}/attente`, { action: 'rejoindre' })).statusCode, 400);
    assert.equal((await db().selectFrom('rdv_attente').select('participant_id').execute()).length, 0);
    const joined = await waiter.post(`${lateLink}/attente`, { action: 'rejoindre' });
    assert.equal(joined.statusCode, 303);
    assert.match((await waiter.get(lateLink)).body, /Vous êtes sur la liste d’attente/);

    const mailsTo = async (email: string) =>
      db()
        .selectFrom('mail_outbox')
        .select(['subject', 'body'])
        .where('recipient', '=', email)
        .orderBy('id')
        .execute();
    const confirmations = (await mailsTo('attente@exemple.fr')).length;
    // Nothing earlier is free: no message.
    const now = Date.now();
    assert.equal(
      (await sendWaitlistNotices(db(), testConfig, new Date(now)))['messages de liste d’attente'],
      0,
    );
    // The earlier person cancels: the waiting one is told, once that day.
    const other = publicClient();
    await other.get(earlyLink);
    assert.equal((await other.post(`${earlyLink}/annuler`, {})).statusCode, 303);
    const firstStart = new Date(Number(first!.split('_')[1]) * 1000);
    assert.equal(
      (await sendWaitlistNotices(db(), testConfig, new Date(now)))['messages de liste d’attente'],
      1,
    );
    assert.equal(
      (await sendWaitlistNotices(db(), testConfig, new Date(now + 3600_000)))['messages de liste d’attente'],
      0,
    );
    let mails = await mailsTo('attente@exemple.fr');
    assert.equal(mails.length, confirmations + 1);
    assert.match(mails.at(-1)!.subject, /Un créneau plus tôt : Aide aux démarches en ligne/);
    assert.ok(mails.at(-1)!.body!.includes(formatDateTime(firstStart)), mails.at(-1)!.body!);
    assert.match(mails.at(-1)!.body!, /\/rendezvous\/gestion\/[^\s/]+\/deplacer/);
    // The next days: two more, the last saying so; then no more.
    for (const day of [1, 2, 3])
      await sendWaitlistNotices(db(), testConfig, new Date(now + day * 24 * 3600_000 + 60_000));
    mails = await mailsTo('attente@exemple.fr');
    assert.equal(mails.length, confirmations + 3);
    assert.match(mails.at(-1)!.body!, /C’est le dernier message de la liste d’attente/);
    const row = await db().selectFrom('rdv_attente').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.notices, 3);
    assert.doesNotMatch((await waiter.get(lateLink)).body, /Me prévenir d’un créneau plus tôt/);

    // An appointment 7 days away or less cannot join: a clear message, nothing written.
    const secret = await linkSecret(db());
    const rebooked = await bookAs(
      publicClient(),
      reason,
      first!,
      person('wl3', { email: 'proche@exemple.fr' }),
    );
    assert.equal(rebooked.statusCode, 303);
    const near = await db()
      .selectFrom('rdv_participant')
      .select(['id', 'rdv_id'])
      .where('email', '=', 'proche@exemple.fr')
      .executeTakeFirstOrThrow();
    const inFiveDays = new Date(now + 5 * 24 * 3600_000);
    await db()
      .updateTable('rdv')
      .set({ starts_at: inFiveDays, ends_at: new Date(inFiveDays.getTime() + 30 * 60_000) })
      .where('id', '=', near.rdv_id)
      .execute();
    const nearLink = `/rendezvous/gestion/${signLink(secret, near.id, 1, inFiveDays)}`;
    const c = publicClient();
    assert.doesNotMatch((await c.get(nearLink)).body, /Me prévenir d’un créneau plus tôt/);
    const refused = await c.post(`${nearLink}/attente`, { action: 'rejoindre' });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /plus de 7 jours/);
    assert.equal((await db().selectFrom('rdv_attente').select('participant_id').execute()).length, 1);
  });

  test('the helper edits an opening, removes an absence, moves an appointment and withdraws a reason; another collectivité’s helper cannot', async () => {
    const other = new Client(t.app);
    await other.signIn(otherHelper.email, otherHelper.password, otherHelper.totpSecret);
    const absence = await db().selectFrom('rdv_absence').select('id').executeTakeFirstOrThrow();
    const waiting = await db()
      .selectFrom('rdv_participant')
      .select(['id', 'rdv_id'])
      .where('email', '=', 'attente@exemple.fr')
      .executeTakeFirstOrThrow();
    // Attacks first: nothing changes.
    await other.get('/rendezvous/absences');
    assert.equal(
      (await other.post('/rendezvous/absences/supprimer', { absence: absence.id })).statusCode,
      400,
    );
    assert.equal(
      (await other.post(`/rendezvous/lieux/${place}/motifs/retirer`, { motif: workshop })).statusCode,
      404,
    );
    assert.equal(
      (await other.get(`/rendezvous/fiche/deplacer?rdv=${waiting.rdv_id}&participant=${waiting.id}`))
        .statusCode,
      404,
    );
    assert.equal(
      (
        await other.post('/rendezvous/fiche/deplacer', {
          rdv: waiting.rdv_id,
          participant: waiting.id,
          creneau: 'x_1',
        })
      ).statusCode,
      404,
    );
    assert.equal((await db().selectFrom('rdv_absence').select('id').execute()).length, 1);
    assert.equal(
      (
        await db()
          .selectFrom('rdv_motif')
          .select('actif')
          .where('id', '=', workshop)
          .executeTakeFirstOrThrow()
      ).actif,
      true,
    );

    // The helper removes the absence: its slots are offered again.
    await helperClient.get('/rendezvous/absences');
    const removed = await helperClient.post('/rendezvous/absences/supprimer', { absence: absence.id });
    assert.equal(removed.statusCode, 303);
    assert.equal((await db().selectFrom('rdv_absence').select('id').execute()).length, 0);

    // Edits the morning opening: the form comes filled in; an overlap is refused, unchanged.
    const openings = await db().selectFrom('rdv_plage').selectAll().orderBy('debut_min').execute();
    const morning = openings[0]!;
    const afternoon = openings[1]!;
    const form = await helperClient.get(`/rendezvous/lieux/${place}/reglages?plage=${morning.id}`);
    assert.match(form.body, /Modifier la plage d’ouverture/);
    assert.match(form.body, /name="debut"[^>]*value="09:00"/);
    const fields = {
      id: morning.id,
      jours: ['1', '2', '3', '4', '5', '6', '7'],
      debut: '09:00',
      fin: '11:00',
      intervalle: '1',
      premier_jour: morning.premier_jour,
      motifs: morning.motif_ids,
    };
    const overlap = await helperClient.post(`/rendezvous/lieux/${place}/plages`, {
      ...fields,
      id: afternoon.id,
      debut: '10:00',
      fin: '15:00',
      motifs: [workshop],
    });
    assert.equal(overlap.statusCode, 400);
    assert.match(overlap.body, /chevauche/);
    const edited = await helperClient.post(`/rendezvous/lieux/${place}/plages`, fields);
    assert.equal(edited.statusCode, 303, edited.body.slice(0, 2000));
    const after = await db().selectFrom('rdv_plage').selectAll().orderBy('debut_min').execute();
    assert.equal(after.length, 2);
    assert.equal(after[0]!.fin_min, 11 * 60);
    assert.equal(after[1]!.debut_min, afternoon.debut_min);

    // Moves the waiting person's appointment: they get the new time and a new link; the old one stops.
    const oldLink = linkIn((await lastMailTo('attente@exemple.fr'))!.body);
    const page = await helperClient.get(
      `/rendezvous/fiche/deplacer?rdv=${waiting.rdv_id}&participant=${waiting.id}`,
    );
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body);
    const key = [...page.body.matchAll(/name="creneau" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!)[2]!;
    const refused = await helperClient.post('/rendezvous/fiche/deplacer', {
      rdv: waiting.rdv_id,
      participant: waiting.id,
      creneau: `${key.split('_')[0]}_${Number(key.split('_')[1]) + 60}`,
    });
    assert.equal(refused.statusCode, 409);
    await helperClient.get(`/rendezvous/fiche/deplacer?rdv=${waiting.rdv_id}&participant=${waiting.id}`);
    const moved = await helperClient.post('/rendezvous/fiche/deplacer', {
      rdv: waiting.rdv_id,
      participant: waiting.id,
      creneau: key,
    });
    assert.equal(moved.statusCode, 303, moved.body.slice(0, 2000));
    const now = await db()
      .selectFrom('rdv_participant as p')
      .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
      .select(['r.starts_at', 'p.rdv_id'])
      .where('p.id', '=', waiting.id)
      .executeTakeFirstOrThrow();
    assert.equal(now.starts_at.getTime(), Number(key.split('_')[1]) * 1000);
    assert.match((await lastMailTo('attente@exemple.fr'))!.subject, /Rendez-vous déplacé/);
    assert.equal((await publicClient().get(oldLink)).statusCode, 410);
    const journal = await db()
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'appointment.reschedule')
      .execute();
    assert.equal(journal.length, 1);

    // Withdraws the workshop: no longer bookable; its appointments stay.
    await helperClient.get(`/rendezvous/lieux/${place}/reglages`);
    const withdrawn = await helperClient.post(`/rendezvous/lieux/${place}/motifs/retirer`, {
      motif: workshop,
    });
    assert.equal(withdrawn.statusCode, 303);
    assert.equal((await publicClient().get(`/rendezvous/lieux/${place}/motifs/${workshop}`)).statusCode, 404);
    assert.doesNotMatch((await publicClient().get(`/rendezvous/lieux/${place}`)).body, /Atelier smartphone/);
  });
});
