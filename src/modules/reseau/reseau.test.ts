import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import { readCalendar } from '../../../test/helpers/calendar.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { purgeContacts, purgeRegistrations } from './members.ts';
import { sendWeeklyDigest } from './news.ts';
import { checkSiret } from './siret.ts';

describe('SIRET', () => {
  test('a SIRET is 14 digits with a valid Luhn key (La Poste aside)', () => {
    assert.deepEqual(checkSiret('216 902 668 00013'), { ok: true, siret: '21690266800013' });
    assert.equal(checkSiret('21690266800014').ok, false);
    assert.match(
      (checkSiret('2169026680001') as { message: string }).message,
      /14 chiffres \(vous en avez saisi 13\)/,
    );
    assert.match((checkSiret('2169026680001A') as { message: string }).message, /que des chiffres/);
    assert.equal(checkSiret('35600000000010').ok, true); // La Poste: digits add up to a multiple of 5
    assert.equal(checkSiret('00000000000000').ok, false, 'zeros: an unknown SIRET in the national files');
  });
});

describe('the territorial network over HTTP', () => {
  let t: TestApp;
  let admin: Client;
  const db = () => t.db.db;
  const outbox = (to: string) =>
    db()
      .selectFrom('mail_outbox')
      .select(['recipient', 'subject', 'body', 'headers', 'attachments'])
      .where('recipient', '=', to)
      .orderBy('id')
      .execute();
  const journal = (action: string) =>
    db().selectFrom('audit_event').select(['action', 'subject_id']).where('action', '=', action).execute();
  const memberCount = async () => (await db().selectFrom('reseau_membre').select('id').execute()).length;

  const APPLICATION = {
    nom: 'Médiathèque du Tonkin',
    kind: 'association',
    siret: '50123456100030',
    commune: 'Villeurbanne',
    roles: ['beneficiaire'],
    public: 'oui',
    contact_nom: 'Lina Perret',
    contact_fonction: 'Médiatrice',
    contact_email: 'lina@tonkin.example',
    accord: 'oui',
  };

  before(async () => {
    t = await createTestApp({ demo: true });
    admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
  });
  after(() => t.close());

  test('the public pages answer without an account, valid and with one h1', async () => {
    const anonymous = new Client(t.app);
    for (const url of [
      '/reseau',
      '/reseau/adhesion',
      '/reseau/membres',
      '/reseau/feuille-de-route',
      '/reseau/agenda',
      '/reseau/actualites',
    ]) {
      const res = await anonymous.get(url);
      assert.equal(res.statusCode, 200, url);
      await assertValidHtml(res.body, url);
    }
    const members = await anonymous.get('/reseau/membres');
    assert.match(members.body, /Ville de Villeurbanne/);
    assert.doesNotMatch(members.body, /Repair Café/, 'a candidate is not a member yet');
    assert.doesNotMatch(members.body, /@/, 'no contact on the public page');
  });

  test('a bad SIRET, a missing agreement: French errors and nothing recorded', async () => {
    const anonymous = new Client(t.app);
    await anonymous.get('/reseau/adhesion');
    const before = await memberCount();
    const wrongKey = await anonymous.post('/reseau/adhesion', { ...APPLICATION, siret: '50123456100031' });
    assert.equal(wrongKey.statusCode, 400);
    assert.match(wrongKey.body, /Ce SIRET n’existe pas/);
    assert.match(wrongKey.body, /value="Médiathèque du Tonkin"/, 'what was typed comes back');
    const short = await anonymous.post('/reseau/adhesion', { ...APPLICATION, siret: '5012345610003' });
    assert.match(short.body, /Le SIRET compte 14 chiffres/);
    const { accord: _, ...noAgreement } = APPLICATION;
    const refused = await anonymous.post('/reseau/adhesion', noAgreement);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Cochez la case pour accepter/);
    await assertValidHtml(refused.body, 'the form with its errors');
    assert.equal(await memberCount(), before);
  });

  let applicant = '';
  test('a structure applies without an account and the coordination accepts it', async () => {
    const anonymous = new Client(t.app);
    await anonymous.get('/reseau/adhesion');
    const res = await anonymous.post('/reseau/adhesion', APPLICATION);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/reseau/adhesion/envoyee');
    const row = await db()
      .selectFrom('reseau_membre')
      .selectAll()
      .where('siret', '=', '50123456100030')
      .executeTakeFirstOrThrow();
    applicant = row.id;
    assert.equal(row.status, 'candidat');
    assert.equal((await journal('network.member.apply')).length, 1);
    // The same SIRET again while the first application waits: refused.
    await anonymous.get('/reseau/adhesion');
    const twice = await anonymous.post('/reseau/adhesion', APPLICATION);
    assert.match(twice.body, /déjà membre du réseau ou sa candidature est en cours/);

    const list = await admin.get('/admin/reseau/membres?statut=candidat');
    assert.match(list.body, /Médiathèque du Tonkin/);
    await assertValidHtml(list.body, 'the members list');
    assert.ok((await journal('network.member.list')).length >= 1, 'the list is journaled');
    const page = await admin.get(`/admin/reseau/membres/${applicant}`);
    assert.match(page.body, /lina@tonkin\.example/);
    await assertValidHtml(page.body, 'a member page');
    assert.equal((await journal('network.member.read')).length, 1);
    const accepted = await admin.post(`/admin/reseau/membres/${applicant}/decision`, {
      decision: 'accepter',
      roles: ['beneficiaire', 'observateur'],
      message: 'Bienvenue !',
    });
    assert.equal(accepted.statusCode, 303);
    const after = await db()
      .selectFrom('reseau_membre')
      .selectAll()
      .where('id', '=', applicant)
      .executeTakeFirstOrThrow();
    assert.equal(after.status, 'membre');
    assert.deepEqual(after.roles, ['beneficiaire', 'observateur']);
    const mails = await outbox('lina@tonkin.example');
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.body ?? '', /est acceptée[\s\S]*Bienvenue !/);
    const history = await db()
      .selectFrom('reseau_membre_statut')
      .select('status')
      .where('membre_id', '=', applicant)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      history.map((h) => h.status),
      ['candidat', 'membre'],
    );
    // Answering twice changes nothing.
    await admin.get(`/admin/reseau/membres/${applicant}`);
    const again = await admin.post(`/admin/reseau/membres/${applicant}/decision`, { decision: 'refuser' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /déjà reçu une réponse/);
  });

  test('only the OPSN’s administrators run the network', async () => {
    const coordinator = new Client(t.app);
    await coordinator.signIn(DEMO_ACCOUNTS[1].email);
    assert.equal((await coordinator.get('/admin/reseau/membres')).statusCode, 403);
    for (const url of [
      '/admin/reseau/membres/nouveau',
      `/admin/reseau/membres/${applicant}/modifier`,
      `/admin/reseau/membres/${applicant}/contacts`,
    ])
      assert.equal((await coordinator.get(url)).statusCode, 403, url);
    await coordinator.get('/espace');
    const before = await memberCount();
    const forged = await coordinator.post('/admin/reseau/membres/nouveau', {
      nom: 'Intrus',
      kind: 'service_etat',
    });
    assert.equal(forged.statusCode, 403);
    assert.equal(await memberCount(), before, 'nothing added by a coordinator');
    const anonymous = new Client(t.app);
    const res = await anonymous.get(`/admin/reseau/membres/${applicant}`);
    assert.ok([302, 403].includes(res.statusCode));
    assert.doesNotMatch(res.body, /lina@tonkin/);
  });

  let meeting = '';
  test('a comité meets: invitations with the event as iCalendar, minutes and a decision', async () => {
    await admin.get('/admin/reseau/comites');
    const created = await admin.post('/admin/reseau/comites', {
      nom: 'Comité technique',
      type: 'technique',
      frequence: 'mensuelle',
    });
    assert.equal(created.statusCode, 303);
    const comite = await db()
      .selectFrom('reseau_comite')
      .select('id')
      .where('nom', '=', 'Comité technique')
      .executeTakeFirstOrThrow();
    const form = await admin.get('/admin/reseau/evenements/nouveau?type=comite');
    await assertValidHtml(form.body, 'the event form');
    const fields = {
      kind: 'comite',
      comite: comite.id,
      titre: 'Comité technique de janvier',
      date: '2027-01-15',
      heure_debut: '14:00',
      heure_fin: '16:00',
      lieu: 'Salle du conseil, 12 rue de la République',
      audience: 'invites',
      ordre_du_jour: 'Bilan; suites',
      invites: [applicant],
    };
    const backwards = await admin.post('/admin/reseau/evenements/nouveau', { ...fields, heure_fin: '13:00' });
    assert.equal(backwards.statusCode, 400);
    assert.match(backwards.body, /L’événement doit finir après son début/);
    assert.equal(
      (await db().selectFrom('reseau_evenement').select('id').where('titre', '=', fields.titre).execute())
        .length,
      0,
    );
    const ok = await admin.post('/admin/reseau/evenements/nouveau', fields);
    assert.equal(ok.statusCode, 303);
    meeting = String(ok.headers.location).split('/').at(-1)!.split('?')[0]!;
    const invitation = (await outbox('lina@tonkin.example')).at(-1)!;
    assert.match(invitation.subject, /Invitation : Comité technique de janvier/);
    assert.doesNotMatch(invitation.body ?? '', /BEGIN:VCALENDAR/, 'the calendar is a file, not text');
    const file = invitation.attachments?.[0];
    assert.equal(file?.filename, 'evenement.ics');
    assert.equal(file?.contentType, 'text/calendar; method=PUBLISH; charset=utf-8');
    const parsed = readCalendar(file.content);
    assert.equal(parsed.method, 'PUBLISH');
    assert.equal(parsed.events[0]!.zone, 'Europe/Paris');
    assert.equal(parsed.events[0]!.wallStart, '2027-01-15T14:00:00');
    assert.equal(parsed.events[0]!.wallEnd, '2027-01-15T16:00:00');

    const page = await admin.get(`/admin/reseau/evenements/${meeting}`);
    await assertValidHtml(page.body, 'the meeting page');
    const minutes = await admin.post(`/admin/reseau/evenements/${meeting}/compte-rendu`, {
      compte_rendu: 'Les membres ont fait le point sur les permanences.',
      presents: [applicant],
    });
    assert.equal(minutes.statusCode, 303);
    const invitationRow = await db()
      .selectFrom('reseau_invitation')
      .select('present')
      .where('evenement_id', '=', meeting)
      .executeTakeFirstOrThrow();
    assert.equal(invitationRow.present, true);
    const corrected = await admin.post(`/admin/reseau/evenements/${meeting}/compte-rendu`, {
      compte_rendu: 'Les membres ont fait le point sur les permanences du trimestre.',
      presents: [applicant],
    });
    assert.equal(corrected.statusCode, 303);
    const versions = await db()
      .selectFrom('reseau_compte_rendu')
      .select('texte')
      .where('evenement_id', '=', meeting)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      versions.map((v) => v.texte),
      [
        'Les membres ont fait le point sur les permanences.',
        'Les membres ont fait le point sur les permanences du trimestre.',
      ],
      'minutes are versioned, never overwritten',
    );
    const withVersions = await admin.get(`/admin/reseau/evenements/${meeting}`);
    assert.match(
      withVersions.body,
      /Versions précédentes du compte rendu[\s\S]*Les membres ont fait le point sur les permanences\.</,
    );
    const action = await db()
      .selectFrom('reseau_action')
      .select('id')
      .where('indicateur', '=', 'activites')
      .executeTakeFirstOrThrow();
    await admin.get(`/admin/reseau/evenements/${meeting}`);
    const decision = await admin.post(`/admin/reseau/evenements/${meeting}/decisions`, {
      texte: 'Ouvrir une permanence le samedi matin.',
      action: action.id,
    });
    assert.equal(decision.statusCode, 303);
    const shown = await admin.get(`/admin/reseau/evenements/${meeting}`);
    assert.match(shown.body, /Ouvrir une permanence le samedi matin\. \(action : Accompagner les habitants/);
    const empty = await admin.post(`/admin/reseau/evenements/${meeting}/decisions`, { texte: ' ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Saisissez la décision/);
  });

  test('a roadmap action shows progress computed from the demo activities', async () => {
    const res = await new Client(t.app).get('/reseau/feuille-de-route');
    const row =
      /Accompagner les habitants dans leurs démarches[\s\S]*?<progress max="100" value="(\d+)"/.exec(
        res.body,
      );
    assert.ok(row, 'the action has a progress bar');
    assert.ok(Number(row[1]) > 0, `progress computed from the demo activities (${row[1]} %)`);
    assert.match(res.body, /Pas d’indicateur/);
    // A bad action changes nothing.
    await admin.get('/admin/reseau/feuille-de-route');
    const feuille = await db().selectFrom('reseau_feuille_route').select('id').executeTakeFirstOrThrow();
    const before = (await db().selectFrom('reseau_action').select('id').execute()).length;
    const bad = await admin.post('/admin/reseau/actions', {
      feuille: feuille.id,
      titre: 'Action à l’envers',
      debut: '2027-06-01',
      fin: '2027-01-01',
      indicateur: 'activites',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /L’action doit finir après son début/);
    assert.equal((await db().selectFrom('reseau_action').select('id').execute()).length, before);
  });

  test('the public feed reads in an iCalendar reader with Paris times, summer and winter', async () => {
    await admin.get('/admin/reseau/evenements/nouveau');
    for (const [titre, date] of [
      ['Atelier d’été', '2027-07-01'],
      ['Atelier d’hiver', '2027-01-20'],
    ] as const) {
      const res = await admin.post('/admin/reseau/evenements/nouveau', {
        kind: 'atelier',
        titre,
        date,
        heure_debut: '14:00',
        heure_fin: '15:30',
        lieu: 'Médiathèque, 1 place Lazare-Goujon, Villeurbanne',
        audience: 'public',
        capacite: '1',
      });
      assert.equal(res.statusCode, 303, titre);
      await admin.get('/admin/reseau/evenements/nouveau');
    }
    const feed = await new Client(t.app).get('/reseau/agenda.ics');
    assert.match(String(feed.headers['content-type']), /^text\/calendar/);
    const { events } = readCalendar(feed.body);
    const summer = events.find((e) => e.summary === 'Atelier d’été')!;
    const winter = events.find((e) => e.summary === 'Atelier d’hiver')!;
    assert.equal(summer.wallStart, '2027-07-01T14:00:00');
    assert.equal(summer.start.toISOString(), '2027-07-01T12:00:00.000Z');
    assert.equal(winter.wallEnd, '2027-01-20T15:30:00');
    assert.equal(winter.location, 'Médiathèque, 1 place Lazare-Goujon, Villeurbanne');
    const stored = await db()
      .selectFrom('reseau_evenement')
      .select(['titre', 'starts_at'])
      .where('titre', 'in', ['Atelier d’été', 'Atelier d’hiver'])
      .execute();
    const byTitle = new Map(stored.map((s) => [s.titre, s.starts_at.toISOString()]));
    assert.equal(byTitle.get('Atelier d’été'), '2027-07-01T12:00:00.000Z', 'UTC+2 in summer');
    assert.equal(byTitle.get('Atelier d’hiver'), '2027-01-20T13:00:00.000Z', 'UTC+1 in winter');
    assert.ok(
      !events.some((e) => e.summary === 'Comité technique de janvier'),
      'an event on invitation stays out of the public feed',
    );
  });

  test('registrations: the last seat goes to exactly one of two people at once; a full event says so', async () => {
    const event = await db()
      .selectFrom('reseau_evenement')
      .select('id')
      .where('titre', '=', 'Atelier d’été')
      .executeTakeFirstOrThrow();
    const a = new Client(t.app, { ip: '10.0.0.1' });
    const b = new Client(t.app, { ip: '10.0.0.2' });
    await Promise.all([a.get(`/reseau/agenda/${event.id}`), b.get(`/reseau/agenda/${event.id}`)]);
    const [ra, rb] = await Promise.all([
      a.post(`/reseau/agenda/${event.id}/inscription`, { nom: 'Anne', email: 'anne@example.org' }),
      b.post(`/reseau/agenda/${event.id}/inscription`, { nom: 'Bruno', email: 'bruno@example.org' }),
    ]);
    assert.deepEqual([ra.statusCode, rb.statusCode].sort(), [303, 409]);
    const loser = ra.statusCode === 409 ? ra : rb;
    assert.match(loser.body, /Il n’y a plus de place/);
    assert.equal(
      (
        await db()
          .selectFrom('reseau_inscription')
          .select('id')
          .where('evenement_id', '=', event.id)
          .execute()
      ).length,
      1,
    );
  });

  test('the network’s private feed works behind its token until it is reset', async () => {
    const home = await admin.get('/admin/reseau');
    await assertValidHtml(home.body, 'the network’s administration');
    const url = /(\/reseau\/calendrier\/[^<\s]+\.ics)/.exec(home.body)![1]!;
    const first = await new Client(t.app).get(url);
    assert.equal(first.statusCode, 200);
    assert.ok(readCalendar(first.body).events.some((e) => e.summary === 'Comité technique de janvier'));
    const reset = await admin.post('/admin/reseau/calendrier/renouveler', {});
    assert.equal(reset.statusCode, 303);
    const old = await new Client(t.app).get(url);
    assert.equal(old.statusCode, 404);
    assert.match(old.body, /n’est plus valable : il a été renouvelé/);
    const altered = await new Client(t.app).get(url.replace(/.\.ics$/, 'x.ics'));
    assert.equal(altered.statusCode, 404);
    const fresh = /(\/reseau\/calendrier\/[^<\s]+\.ics)/.exec((await admin.get('/admin/reseau')).body)![1]!;
    assert.notEqual(fresh, url);
    assert.equal((await new Client(t.app).get(fresh)).statusCode, 200);
  });

  test('news reach the members; one unsubscribes with one click; an altered link changes nothing', async () => {
    await admin.get('/admin/reseau/actualites');
    const empty = await admin.post('/admin/reseau/actualites', { titre: '', texte: '', audience: 'public' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Saisissez le titre/);
    const res = await admin.post('/admin/reseau/actualites', {
      titre: 'Nouvelle permanence',
      texte: 'Une permanence ouvre le samedi.',
      audience: 'public',
    });
    assert.equal(res.statusCode, 303);
    const mail = (await outbox('lina@tonkin.example')).at(-1)!;
    assert.match(mail.subject, /Actualité du réseau : Nouvelle permanence/);
    assert.equal(
      (await outbox('bonjour@repaircafe.demo.relais.example')).length,
      0,
      'a candidate gets no news',
    );
    const link = /(\/reseau\/desabonnement\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{43})/.exec(mail.body ?? '')![1]!;
    const anonymous = new Client(t.app);
    const altered = await anonymous.get(`${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`);
    assert.equal(altered.statusCode, 404);
    assert.match(altered.body, /rien n’a changé/);
    await anonymous.get(link);
    const forged = await anonymous.post(`${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`, {});
    assert.equal(forged.statusCode, 404);
    assert.equal((await journal('network.unsubscribe.refused')).length, 1);
    const contact = await db()
      .selectFrom('reseau_contact')
      .select(['id', 'unsubscribed_at'])
      .where('email', '=', 'lina@tonkin.example')
      .executeTakeFirstOrThrow();
    assert.equal(contact.unsubscribed_at, null);
    const page = await anonymous.get(link);
    await assertValidHtml(page.body, 'the unsubscribe page');
    const done = await anonymous.post(link, {});
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Vous êtes désabonné/);
    await admin.get('/admin/reseau/actualites');
    await admin.post('/admin/reseau/actualites', {
      titre: 'Deuxième nouvelle',
      texte: 'Texte.',
      audience: 'public',
    });
    assert.ok(!(await outbox('lina@tonkin.example')).some((m) => m.subject.includes('Deuxième nouvelle')));
    const atom = await anonymous.get('/reseau/actualites.atom');
    assert.match(String(atom.headers['content-type']), /^application\/atom\+xml/);
    assert.match(atom.body, /<title>Deuxième nouvelle<\/title>/);
  });

  test('the RFC 8058 one-click target unsubscribes with a POST and no form token', async () => {
    const contact = await db()
      .selectFrom('reseau_contact')
      .select('id')
      .where('email', '=', 'contact@connexions.demo.relais.example')
      .executeTakeFirstOrThrow();
    const mail = (await outbox('contact@connexions.demo.relais.example')).at(-1)!;
    assert.equal(mail.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const target = /^<(http[^>]+)>$/.exec(mail.headers?.['List-Unsubscribe'] ?? '')![1]!;
    const link = new URL(target).pathname.replace(/^\/api\/v1/, '');
    assert.match(link, /^\/reseau\/desabonnement\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{43}$/);
    assert.match(mail.body ?? '', new RegExp(link), 'the same link in the text, for a browser');
    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1${link.slice(0, -2)}xx`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(bad.statusCode, 404);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1${link}`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.statusCode, 200);
    const row = await db()
      .selectFrom('reseau_contact')
      .select('unsubscribed_at')
      .where('id', '=', contact.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.unsubscribed_at);
  });

  test('the export holds members and contacts, formulas neutralised, and is journaled', async () => {
    const res = await admin.get('/admin/reseau/membres/export.csv');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Médiathèque du Tonkin.*lina@tonkin\.example.*désabonné/);
    assert.equal((await journal('network.member.export')).length, 1);
  });

  test('a withdrawn member keeps its history and leaves the public page', async () => {
    await admin.get(`/admin/reseau/membres/${applicant}`);
    const res = await admin.post(`/admin/reseau/membres/${applicant}/retrait`, { message: '' });
    assert.equal(res.statusCode, 303);
    const history = await db()
      .selectFrom('reseau_membre_statut')
      .select('status')
      .where('membre_id', '=', applicant)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      history.map((h) => h.status),
      ['candidat', 'membre', 'retire'],
    );
    assert.doesNotMatch((await new Client(t.app).get('/reseau/membres')).body, /Tonkin/);
  });
  test('the daily erasure: contacts a year after leaving, registrations a month after the event', async () => {
    const old = new Date(Date.now() - 400 * 86_400_000);
    const gone = await db()
      .insertInto('reseau_membre')
      .values({
        nom: 'Ancienne structure',
        siret: null,
        kind: 'service_etat',
        commune: null,
        status: 'retire',
        presentation: null,
        updated_at: old,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('reseau_contact')
      .values({
        membre_id: gone.id,
        nom: 'Ancien contact',
        fonction: null,
        email: 'ancien@example.org',
        telephone: null,
        consent_at: old,
      })
      .execute();
    const past = await db()
      .insertInto('reseau_evenement')
      .values({
        kind: 'atelier',
        comite_id: null,
        titre: 'Atelier passé',
        description: null,
        starts_at: old,
        ends_at: new Date(old.getTime() + 3_600_000),
        lieu: 'Ici',
        lien: null,
        audience: 'public',
        capacite: 5,
        ordre_du_jour: null,
        cancelled_at: null,
        created_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('reseau_inscription')
      .values({ evenement_id: past.id, nom: 'Ancien inscrit', email: 'inscrit@example.org' })
      .execute();
    assert.equal(await purgeContacts(db()), 1);
    assert.equal(await purgeRegistrations(db()), 1);
    assert.equal(
      (await db().selectFrom('reseau_contact').select('id').where('membre_id', '=', gone.id).execute())
        .length,
      0,
    );
    assert.ok(
      (await db().selectFrom('reseau_contact').select('id').execute()).length > 0,
      'current members keep theirs',
    );
    assert.ok(
      (await db().selectFrom('reseau_inscription').select('id').execute()).length > 0,
      'future events keep theirs',
    );
  });

  test('the coordination adds a place of the directory as a member, once; or a structure by SIRET', async () => {
    const place = await db()
      .selectFrom('lieu')
      .select(['id', 'nom', 'commune', 'pivot'])
      .where('status', '=', 'publie')
      .orderBy('nom')
      .executeTakeFirstOrThrow();
    const search = await admin.get(`/admin/reseau/membres/nouveau?q=${encodeURIComponent(place.nom)}`);
    assert.equal(search.statusCode, 200);
    await assertValidHtml(search.body, 'the add-a-member page with results');
    assert.ok(search.body.includes(`/admin/reseau/membres/nouveau?lieu=${place.id}`), 'the place is offered');
    const chosen = await admin.get(`/admin/reseau/membres/nouveau?lieu=${place.id}`);
    assert.ok(chosen.body.includes(`name="lieu" value="${place.id}"`));
    const fields = {
      lieu: place.id,
      nom: place.nom,
      kind: 'association',
      siret: '',
      commune: place.commune,
      roles: ['observateur'],
      public: 'oui',
    };
    const noSiret = await admin.post('/admin/reseau/membres/nouveau', fields);
    assert.equal(noSiret.statusCode, 400);
    assert.match(noSiret.body, /Saisissez le SIRET de la structure/);
    const added = await admin.post('/admin/reseau/membres/nouveau', { ...fields, siret: '41816609600069' });
    assert.equal(added.statusCode, 303);
    const id = String(added.headers.location).split('/').at(-1)!.split('?')[0]!;
    const row = await db()
      .selectFrom('reseau_membre')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'membre');
    assert.equal(row.lieu_id, place.id);
    assert.deepEqual(row.roles, ['observateur']);
    assert.equal((await journal('network.member.add')).length, 1);
    const history = await db()
      .selectFrom('reseau_membre_statut')
      .select('status')
      .where('membre_id', '=', id)
      .execute();
    assert.deepEqual(
      history.map((h) => h.status),
      ['membre'],
    );
    const again = await admin.post('/admin/reseau/membres/nouveau', {
      ...fields,
      siret: '',
      kind: 'service_etat',
    });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /Ce lieu de l’annuaire est déjà membre du réseau/);
    const listed = await admin.get(`/admin/reseau/membres/nouveau?q=${encodeURIComponent(place.nom)}`);
    assert.match(listed.body, /déjà dans le réseau/);

    const before = await memberCount();
    const wrongKey = await admin.post('/admin/reseau/membres/nouveau', {
      nom: 'Espace numérique du Tonkin',
      kind: 'association',
      siret: '50123456100031',
    });
    assert.equal(wrongKey.statusCode, 400);
    assert.match(wrongKey.body, /Ce SIRET n’existe pas/);
    assert.equal(await memberCount(), before);
    const bySiret = await admin.post('/admin/reseau/membres/nouveau', {
      nom: 'Espace numérique du Tonkin',
      kind: 'association',
      siret: '732 829 320 00074',
    });
    assert.equal(bySiret.statusCode, 303);
    const page = await admin.get(String(bySiret.headers.location));
    assert.match(page.body, /annuaire-entreprises\.data\.gouv\.fr\/etablissement\/73282932000074/);
    await assertValidHtml(page.body, 'a member added by SIRET');
  });

  test('a member’s structure is corrected and a contact added with their agreement', async () => {
    const member = await db()
      .selectFrom('reseau_membre')
      .select(['id', 'siret'])
      .where('nom', '=', 'Espace numérique du Tonkin')
      .executeTakeFirstOrThrow();
    const form = await admin.get(`/admin/reseau/membres/${member.id}/modifier`);
    await assertValidHtml(form.body, 'the member edit form');
    assert.match(form.body, /value="73282932000074"/);
    const bad = await admin.post(`/admin/reseau/membres/${member.id}/modifier`, {
      nom: 'Espace numérique',
      kind: 'association',
      siret: '7328293200007',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Le SIRET compte 14 chiffres/);
    const ok = await admin.post(`/admin/reseau/membres/${member.id}/modifier`, {
      nom: 'Espace numérique de Villeurbanne',
      kind: 'association',
      siret: '73282932000074',
      commune: 'Villeurbanne',
      roles: ['cofinanceur', 'coporteur'],
    });
    assert.equal(ok.statusCode, 303);
    const row = await db()
      .selectFrom('reseau_membre')
      .selectAll()
      .where('id', '=', member.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.nom, 'Espace numérique de Villeurbanne');
    assert.deepEqual([...row.roles].sort(), ['cofinanceur', 'coporteur']);

    await admin.get(`/admin/reseau/membres/${member.id}/contacts`);
    const contact = {
      contact_nom: 'Hugo Martin',
      contact_email: 'hugo@espace.example',
      contact_frequence: 'hebdomadaire',
    };
    const noAgreement = await admin.post(`/admin/reseau/membres/${member.id}/contacts`, contact);
    assert.equal(noAgreement.statusCode, 400);
    assert.match(noAgreement.body, /la personne doit avoir accepté/);
    const added = await admin.post(`/admin/reseau/membres/${member.id}/contacts`, {
      ...contact,
      accord: 'oui',
    });
    assert.equal(added.statusCode, 303);
    const twice = await admin.post(`/admin/reseau/membres/${member.id}/contacts`, {
      ...contact,
      accord: 'oui',
    });
    assert.match(twice.body, /déjà un contact de la structure/);
    const stored = await db()
      .selectFrom('reseau_contact')
      .select(['frequence', 'consent_at'])
      .where('email', '=', 'hugo@espace.example')
      .execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.frequence, 'hebdomadaire');
  });

  test('news: the weekly digest carries the week’s news once to those who chose it', async () => {
    await admin.get('/admin/reseau/actualites');
    await admin.post('/admin/reseau/actualites', {
      titre: 'Appel à projets numérique',
      texte: 'Dépôt des dossiers avant la fin du mois.',
      audience: 'membres',
    });
    assert.equal((await outbox('hugo@espace.example')).length, 0, 'the digest contact waits for Monday');
    const immediate = (await outbox('contact@connexions.demo.relais.example')).length;
    const sent = await sendWeeklyDigest(db(), testConfig);
    assert.ok(sent.news >= 1);
    assert.equal(sent.recipients, 1);
    const [digest] = await outbox('hugo@espace.example');
    assert.match(digest!.subject, /Les actualités du réseau de la semaine/);
    assert.match(digest!.body ?? '', /Appel à projets numérique/);
    assert.equal(digest!.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    assert.deepEqual(await sendWeeklyDigest(db(), testConfig), { news: 0, recipients: 0 }, 'never twice');
    assert.equal((await outbox('contact@connexions.demo.relais.example')).length, immediate);
  });

  test('an event changed: SEQUENCE bumped, invited told with the file; a member no longer invited gets CANCEL', async () => {
    const members = await db()
      .selectFrom('reseau_membre')
      .select(['id', 'nom'])
      .where('nom', 'in', ['Espace numérique de Villeurbanne', 'Ville de Villeurbanne'])
      .execute();
    const espace = members.find((m) => m.nom === 'Espace numérique de Villeurbanne')!;
    const ville = members.find((m) => m.nom === 'Ville de Villeurbanne')!;
    const villeContact = await db()
      .selectFrom('reseau_contact')
      .select('email')
      .where('membre_id', '=', ville.id)
      .executeTakeFirstOrThrow();
    await admin.get('/admin/reseau/evenements/nouveau');
    const fields = {
      kind: 'reunion_reseau',
      titre: 'Réunion du réseau de février',
      date: '2027-02-10',
      heure_debut: '09:30',
      heure_fin: '11:00',
      lieu: 'Maison des services',
      audience: 'invites',
      invites: [espace.id, ville.id],
    };
    const created = await admin.post('/admin/reseau/evenements/nouveau', fields);
    assert.equal(created.statusCode, 303);
    const id = String(created.headers.location).split('/').at(-1)!.split('?')[0]!;
    const form = await admin.get(`/admin/reseau/evenements/${id}/modifier`);
    await assertValidHtml(form.body, 'the event edit form');
    assert.match(form.body, /value="09:30"/);
    const backwards = await admin.post(`/admin/reseau/evenements/${id}/modifier`, {
      ...fields,
      heure_fin: '09:00',
    });
    assert.equal(backwards.statusCode, 400);
    assert.match(backwards.body, /L’événement doit finir après son début/);
    const unchanged = await db()
      .selectFrom('reseau_evenement')
      .select(['sequence', 'starts_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(unchanged.sequence, 0);
    const moved = await admin.post(`/admin/reseau/evenements/${id}/modifier`, {
      ...fields,
      heure_debut: '10:00',
      heure_fin: '12:00',
      invites: [espace.id],
    });
    assert.equal(moved.statusCode, 303);
    const change = (await outbox('hugo@espace.example')).at(-1)!;
    assert.match(change.subject, /Modifié : Réunion du réseau de février/);
    const changed = readCalendar(change.attachments![0]!.content);
    assert.equal(changed.method, 'PUBLISH');
    assert.equal(changed.events[0]!.wallStart, '2027-02-10T10:00:00');
    assert.equal(changed.events[0]!.sequence, 1);
    const removed = (await outbox(villeContact.email)).at(-1)!;
    assert.match(removed.subject, /Annulé : Réunion du réseau de février/);
    assert.equal(removed.attachments![0]!.contentType, 'text/calendar; method=CANCEL; charset=utf-8');
    assert.equal(readCalendar(removed.attachments![0]!.content).method, 'CANCEL');
    // Cancelled, then no more changes.
    await admin.get(`/admin/reseau/evenements/${id}`);
    assert.equal((await admin.post(`/admin/reseau/evenements/${id}/annulation`, {})).statusCode, 303);
    const cancel = (await outbox('hugo@espace.example')).at(-1)!;
    const cancelled = readCalendar(cancel.attachments![0]!.content);
    assert.equal(cancelled.method, 'CANCEL');
    assert.equal(cancelled.events[0]!.status, 'CANCELLED');
    assert.equal(cancelled.events[0]!.sequence, 2);
    const late = await admin.post(`/admin/reseau/evenements/${id}/modifier`, fields);
    assert.match(String(late.headers.location), /ok=deja_annule/);
    assert.equal(
      (
        await db()
          .selectFrom('reseau_evenement')
          .select('sequence')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).sequence,
      2,
    );
  });

  test('comités, roadmaps and actions are edited; an action’s progress follows its new target', async () => {
    const comite = await db().selectFrom('reseau_comite').select('id').executeTakeFirstOrThrow();
    await admin.get(`/admin/reseau/comites/${comite.id}/modifier`);
    const badComite = await admin.post(`/admin/reseau/comites/${comite.id}/modifier`, {
      nom: 'X',
      type: 'aucun',
      frequence: 'mensuelle',
    });
    assert.equal(badComite.statusCode, 400);
    assert.match(badComite.body, /Choisissez le type de comité/);
    const okComite = await admin.post(`/admin/reseau/comites/${comite.id}/modifier`, {
      nom: 'Comité technique élargi',
      type: 'technique',
      frequence: 'trimestrielle',
    });
    assert.equal(okComite.statusCode, 303);
    assert.equal(
      (
        await db()
          .selectFrom('reseau_comite')
          .select('frequence')
          .where('id', '=', comite.id)
          .executeTakeFirstOrThrow()
      ).frequence,
      'trimestrielle',
    );

    const roadmap = await db().selectFrom('reseau_feuille_route').selectAll().executeTakeFirstOrThrow();
    const roadmapForm = await admin.get(`/admin/reseau/feuilles-de-route/${roadmap.id}/modifier`);
    await assertValidHtml(roadmapForm.body, 'the roadmap edit form');
    const okRoadmap = await admin.post(`/admin/reseau/feuilles-de-route/${roadmap.id}/modifier`, {
      nom: `${roadmap.nom} (révisée)`,
      perimetre: roadmap.perimetre,
    });
    assert.equal(okRoadmap.statusCode, 303);

    const action = await db()
      .selectFrom('reseau_action')
      .selectAll()
      .where('titre', '=', 'Accompagner les habitants dans leurs démarches')
      .executeTakeFirstOrThrow();
    const percentOf = async () => {
      const res = await new Client(t.app).get('/reseau/feuille-de-route');
      return Number(
        /Accompagner les habitants dans leurs démarches[\s\S]*?<progress max="100" value="(\d+)"/.exec(
          res.body,
        )![1],
      );
    };
    const value = Number(
      /Accompagner les habitants dans leurs démarches[\s\S]*? — ([\d\u202f ]+) sur /
        .exec((await new Client(t.app).get('/reseau/feuille-de-route')).body)![1]!
        .replace(/\D/g, ''),
    );
    assert.ok(value > 0);
    const form = await admin.get(`/admin/reseau/actions/${action.id}/modifier`);
    await assertValidHtml(form.body, 'the action edit form');
    const base = {
      feuille: action.feuille_route_id,
      titre: action.titre,
      debut: action.debut,
      fin: action.fin,
      indicateur: action.indicateur,
      collectivite:
        action.indicateur_collectivite_id === null ? '' : String(action.indicateur_collectivite_id),
      besoins: action.besoins,
    };
    const bad = await admin.post(`/admin/reseau/actions/${action.id}/modifier`, { ...base, cible: '0' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Cible : au moins 1/);
    const ok = await admin.post(`/admin/reseau/actions/${action.id}/modifier`, {
      ...base,
      cible: String(value * 4),
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(await percentOf(), 25, 'the progress is the computed value over the new target');
  });
});
