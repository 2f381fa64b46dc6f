import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import {
  givenActivity,
  givenAdmin,
  givenBeneficiary,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  givenPlace,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { assertReferralCountsMatch } from '../../../test/helpers/orientations.ts';
import { parisToday } from '../../platform/paris-time.ts';

/**
 * The second landing of referrals through HTTP: sending a minimal new person, from an activity
 * report, with the destination's access criteria and a named referent; a service outside the
 * territory given by its data·inclusion id; and the loop that closes when the receiving place
 * records an activity of the person it linked to the referral. Attacks first.
 */
describe('orientations: sending, outside the territory, the loop', () => {
  let t: TestApp;
  let sender: TestHelper;
  let receiverHelper: TestHelper;
  let strangerHelper: TestHelper;
  let bronId = 0;
  let villeurbanneId = 0;
  let person = '';
  let place = '';
  const CONTACT = 'accueil@bron.example';
  const OUTSIDE = 'contact@structure-hors.example';
  let client: Client;

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const bron = await givenCollectivite(t, { code: '69029' });
    place = await givenPlace(t, {
      collectivite: bron,
      nom: 'Espace social de Bron',
      courriels: [CONTACT],
      services: ['Aide aux démarches administratives'],
      publics_specifiquement_adresses: ['Seniors'],
      frais_a_charge: ['Gratuit sous condition'],
    });
    bronId = bron.id;
    villeurbanneId = villeurbanne.id;
    sender = await givenHelper(t, { collectivite: villeurbanne, places: 1 });
    receiverHelper = await givenHelper(t, { collectivite: bron, places: [place] });
    strangerHelper = await givenHelper(t, { collectivite: bron, places: 1 });
    person = await givenBeneficiary(t, sender, {
      prenom: 'Paul',
      nom: 'Durand',
      telephone: '06 11 22 33 44',
    });
    client = new Client(t.app);
    await client.signIn(sender.email, sender.password, sender.totpSecret);
  });
  after(() => t.close());

  const db = () => t.db.db;
  const count = async (table: 'orientation' | 'beneficiaire') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const base = {
    service: 'Aide aux démarches administratives',
    contact_preference: 'telephone',
    telephone: '06 11 22 33 44',
    motif: 'Faire sa demande de retraite en ligne.',
    consent_mode: 'en_personne',
    consentement: 'oui',
  };
  const lastLinkTo = async (to: string) => {
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', to)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return { body: mail.body ?? '', link: /\/orientations\/reponse\/[^\s]+/.exec(mail.body ?? '')![0] };
  };
  const row = (id: string) =>
    db().selectFrom('orientation').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const idOf = (location: unknown) => /\/orientations\/([0-9a-f-]{36})/.exec(String(location))![1]!;

  test('a minimal new person needs a name and one contact: otherwise nothing is created', async () => {
    await client.get(`/orientations/nouvelle?lieu=${place}`);
    const before = [await count('orientation'), await count('beneficiaire')];
    const noContact = await client.post('/orientations/nouvelle', {
      ...base,
      lieu: place,
      beneficiaire: 'nouvelle',
      nouveau_prenom: 'Lina',
      telephone: '',
      contact_preference: 'via_referent',
    });
    assert.equal(noContact.statusCode, 400);
    assert.match(noContact.body, /Saisissez le nom de la personne/);
    assert.match(noContact.body, /au moins un moyen de contacter la personne/);
    const forged = await client.post('/orientations/nouvelle', {
      ...base,
      lieu: place,
      beneficiaire: 'quelqu’un',
    });
    assert.equal(forged.statusCode, 400);
    assert.deepEqual([await count('orientation'), await count('beneficiaire')], before);
  });

  test('the form shows the place’s access criteria; a new person gets a minimal record; the referent is named', async () => {
    const page = await client.get(`/orientations/nouvelle?lieu=${place}`);
    assert.match(page.body, /Conditions d’accès déclarées par le lieu/);
    assert.match(page.body, /Seniors/);
    assert.match(page.body, /Gratuit sous condition/);
    assert.match(page.body, /Nouvelle personne \(pas encore de fiche\)/);
    assert.match(page.body, /name="origine" value="lieu"/);
    const sent = await client.post('/orientations/nouvelle', {
      ...base,
      origine: 'lieu',
      lieu: place,
      beneficiaire: 'nouvelle',
      nouveau_prenom: 'Lina',
      nouveau_nom: 'Benali',
      destination_referent: 'Mme Roux, conseillère',
    });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 2000));
    const r = await row(idOf(sent.headers.location));
    assert.equal(r.origin, 'lieu');
    assert.equal(r.destination_referent, 'Mme Roux, conseillère');
    const record = await db()
      .selectFrom('beneficiaire')
      .select(['prenom', 'nom', 'created_by'])
      .where('id', '=', r.beneficiaire_id!)
      .executeTakeFirstOrThrow();
    assert.deepEqual(record, { prenom: 'Lina', nom: 'Benali', created_by: sender.userId });
    const mail = await lastLinkTo(CONTACT);
    assert.match(mail.body, /À l’attention de : Mme Roux, conseillère/);
    const contact = new Client(t.app);
    assert.match((await contact.get(mail.link)).body, /Mme Roux, conseillère/);
  });

  test('from an activity report that says « orientation : oui », the reason starts from it', async () => {
    const activity = await givenActivity(t, sender, {
      beneficiaires: [person],
      oriente: true,
      orientation: 'aide_sociale',
    });
    const fromReport = new RegExp(
      `href="/orientations/nouvelle\\?beneficiaire=${person}&origine=compte_rendu"`,
    );
    assert.match((await client.get(`/beneficiaires/${person}`)).body, fromReport);
    const report = await client.get(`/activites/${activity}`);
    assert.match(report.body, fromReport, 'the report page offers to refer the person it names');
    assert.match(report.body, /ce compte rendu dit « orientée »/);
    const form = await client.get(
      `/orientations/nouvelle?beneficiaire=${person}&origine=compte_rendu&lieu=${place}`,
    );
    assert.match(form.body, /Orientation décidée lors de l’accompagnement du/);
    assert.match(form.body, /name="origine" value="compte_rendu"/);
    const sent = await client.post('/orientations/nouvelle', {
      ...base,
      lieu: place,
      beneficiaire: person,
      origine: 'compte_rendu',
    });
    assert.equal(sent.statusCode, 303);
    assert.equal((await row(idOf(sent.headers.location))).origin, 'compte_rendu');
  });

  test('outside the territory: a malformed data·inclusion id or a snapshot without contact sends nothing', async () => {
    const before = await count('orientation');
    const bad = await client.get('/orientations/nouvelle?di=%3Cscript%3E');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /de la forme source--identifiant/);
    assert.doesNotMatch(bad.body, /[^"]<script>/);
    assert.match(bad.body, /class="error-summary/);
    const ok = await client.get('/orientations/nouvelle?di=dora--svc-42');
    assert.equal(ok.statusCode, 200);
    assert.match(
      ok.body,
      /name="di_service"[^>]*value="dora--svc-42"|value="dora--svc-42"[^>]*name="di_service"/,
    );
    const snapshot = {
      ...base,
      beneficiaire: person,
      di_service: 'dora--svc-42',
      di_nom: 'Centre social de Lyon 8e',
      di_service_nom: 'Accompagnement social',
      di_adresse: '12 rue Paul Cazeneuve, 69008 Lyon',
      di_telephone: '04 78 00 00 00',
    };
    const noMail = await client.post('/orientations/nouvelle', snapshot);
    assert.equal(noMail.statusCode, 400);
    assert.match(noMail.body, /ne peut pas recevoir d’orientation par Relais : appelez-la au 04 78 00 00 00/);
    const forgedId = await client.post('/orientations/nouvelle', {
      ...snapshot,
      di_service: 'pas un identifiant',
      di_courriel: OUTSIDE,
    });
    assert.equal(forgedId.statusCode, 400);
    assert.equal(await count('orientation'), before);
  });

  test('outside the territory: the snapshot is kept, the contact answers through the link, the duplicate is flagged', async () => {
    const snapshot = {
      ...base,
      beneficiaire: person,
      di_service: 'dora--svc-42',
      di_nom: 'Centre social de Lyon 8e',
      di_service_nom: 'Accompagnement social',
      di_adresse: '12 rue Paul Cazeneuve, 69008 Lyon',
      di_courriel: OUTSIDE,
    };
    const sent = await client.post('/orientations/nouvelle', snapshot);
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 2000));
    const r = await row(idOf(sent.headers.location));
    assert.equal(r.lieu_id, null);
    assert.equal(r.di_service_id, 'dora--svc-42');
    assert.equal(r.destination_name, 'Centre social de Lyon 8e');
    assert.equal(r.service, 'Accompagnement social');
    assert.equal(r.destination_address, '12 rue Paul Cazeneuve, 69008 Lyon');
    const { link } = await lastLinkTo(OUTSIDE);
    const contact = new Client(t.app);
    const page = await contact.get(link);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Centre social de Lyon 8e/);
    const again = await client.post('/orientations/nouvelle', snapshot);
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /Doublon probable/);
  });

  test('the loop: only the receiving place’s helpers link their record; an activity then closes it as honoured', async () => {
    const sent = await client.post('/orientations/nouvelle', {
      ...base,
      lieu: place,
      beneficiaire: person,
      service: 'Aide aux démarches administratives',
      confirmer: 'oui',
    });
    const id = idOf(sent.headers.location);
    const receiver = new Client(t.app);
    await receiver.signIn(receiverHelper.email, receiverHelper.password, receiverHelper.totpSecret);
    const page = await receiver.get(`/orientations/recues/${id}`);
    // Before acceptance there is nothing to link.
    assert.doesNotMatch(page.body, /Sa fiche dans vos accompagnements/);
    const early = await receiver.post(`/orientations/recues/${id}/fiche`, { fiche: 'nouvelle' });
    assert.equal(early.statusCode, 400);
    assert.equal((await row(id)).received_beneficiaire_id, null);
    assert.equal((await receiver.post(`/orientations/recues/${id}/accepter`, {})).statusCode, 303);

    // A helper of another place, and the sender, cannot link it.
    const stranger = new Client(t.app);
    await stranger.signIn(strangerHelper.email, strangerHelper.password, strangerHelper.totpSecret);
    await stranger.get('/espace');
    assert.equal(
      (await stranger.post(`/orientations/recues/${id}/fiche`, { fiche: 'nouvelle' })).statusCode,
      404,
    );
    assert.equal(
      (await client.post(`/orientations/recues/${id}/fiche`, { fiche: 'nouvelle' })).statusCode,
      404,
    );
    // The sender's record of the person is not the receiver's to choose.
    const theirs = await receiver.get(`/orientations/recues/${id}`);
    assert.match(theirs.body, /Sa fiche dans vos accompagnements/);
    const notMine = await receiver.post(`/orientations/recues/${id}/fiche`, { fiche: person });
    assert.equal(notMine.statusCode, 400);
    assert.match(notMine.body, /Choisissez une des personnes que vous accompagnez/);

    const linked = await receiver.post(`/orientations/recues/${id}/fiche`, { fiche: 'nouvelle' });
    assert.equal(linked.statusCode, 303);
    const r = await row(id);
    assert.ok(r.received_beneficiaire_id);
    assert.notEqual(r.received_beneficiaire_id, person);
    assert.equal(r.status, 'acceptee');
    const shown = await receiver.get(`/orientations/recues/${id}`);
    assert.match(shown.body, new RegExp(`/activites/nouveau\\?beneficiaire=${r.received_beneficiaire_id}`));

    await givenActivity(t, receiverHelper, { beneficiaires: [r.received_beneficiaire_id] });
    // The sender's page shows it honoured as soon as it is opened (the hourly job does the rest).
    const senderPage = await client.get(`/orientations/${id}`);
    assert.match(senderPage.body, /Honorée/);
    assert.match(senderPage.body, /le lieu a enregistré son accompagnement/);
    const closed = await row(id);
    assert.equal(closed.status, 'honoree');
    assert.equal(closed.closed_via, 'activite');
    const journal = await db()
      .selectFrom('audit_event')
      .select('action')
      .where('subject_id', '=', id)
      .where('action', 'in', ['orientation.link_record', 'orientation.close'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      journal.map((j) => j.action),
      ['orientation.link_record', 'orientation.close'],
    );
  });

  test('the loop: an appointment of the linked record closes it once noted honoured, not when missed', async () => {
    const sent = await client.post('/orientations/nouvelle', {
      ...base,
      lieu: place,
      beneficiaire: person,
      confirmer: 'oui',
    });
    const id = idOf(sent.headers.location);
    const receiver = new Client(t.app);
    await receiver.signIn(receiverHelper.email, receiverHelper.password, receiverHelper.totpSecret);
    await receiver.get(`/orientations/recues/${id}`);
    assert.equal((await receiver.post(`/orientations/recues/${id}/accepter`, {})).statusCode, 303);
    assert.equal(
      (await receiver.post(`/orientations/recues/${id}/fiche`, { fiche: 'nouvelle' })).statusCode,
      303,
    );
    const record = (await row(id)).received_beneficiaire_id!;
    assert.ok(record);

    // The receiving helper opens appointments at the place and books one for the linked record.
    await receiver.get(`/rendezvous/lieux/${place}/reglages`);
    const reason = await receiver.post(`/rendezvous/lieux/${place}/motifs`, {
      nom: 'Rendez-vous sur orientation',
      duree_min: '30',
      location_type: 'sur_place',
      reservable_par: 'agents_et_prescripteurs',
      modifiable: 'oui',
      thematiques: ['aide_aux_demarches_administratives'],
    });
    assert.equal(reason.statusCode, 303, reason.body.slice(0, 2000));
    const motif = (await db().selectFrom('rdv_motif').select('id').executeTakeFirstOrThrow()).id;
    const opening = await receiver.post(`/rendezvous/lieux/${place}/plages`, {
      jours: ['1', '2', '3', '4', '5', '6', '7'],
      debut: '09:00',
      fin: '12:00',
      intervalle: '1',
      premier_jour: parisToday(),
      motifs: [motif],
    });
    assert.equal(opening.statusCode, 303, opening.body.slice(0, 2000));
    // It was accepted three hours ago; each appointment below took place since.
    await db()
      .updateTable('orientation')
      .set({ answered_at: new Date(Date.now() - 3 * 3600_000) })
      .where('id', '=', id)
      .execute();
    const book = async (hoursAgo: number) => {
      const slots = await receiver.get(`/rendezvous/lieux/${place}/motifs/${motif}`);
      const keys = [...slots.body.matchAll(/name="creneau" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]!);
      const key = keys.find((k) => Number(k.split('_')[1]) * 1000 > Date.now() + 2 * 3600_000)!;
      await receiver.get(`/rendezvous/lieux/${place}/motifs/${motif}/reserver?creneau=${key}`);
      const booked = await receiver.post(`/rendezvous/lieux/${place}/motifs/${motif}/reserver`, {
        creneau: key,
        beneficiaire: record,
        prenom: 'Paul',
        nom: 'Durand',
        telephone: '06 11 22 33 44',
        consentement: 'oui',
      });
      assert.equal(booked.statusCode, 303, booked.body.slice(0, 2000));
      const rdv = /rdv=([0-9a-f-]{36})/.exec(String(booked.headers.location))![1]!;
      // Time passes: the appointment took place, after the acceptance.
      const past = new Date(Date.now() - hoursAgo * 3600_000);
      await db()
        .updateTable('rdv')
        .set({ starts_at: past, ends_at: new Date(past.getTime() + 30 * 60_000) })
        .where('id', '=', rdv)
        .execute();
      await receiver.get(`/rendezvous/fiche?rdv=${rdv}`);
      const participant = await db()
        .selectFrom('rdv_participant')
        .select('id')
        .where('rdv_id', '=', rdv)
        .executeTakeFirstOrThrow();
      return { rdv, participant: participant.id };
    };

    // Missed: the referral stays accepted.
    const missed = await book(2);
    const absent = await receiver.post('/rendezvous/fiche/presence', { ...missed, statut: 'absent' });
    assert.equal(absent.statusCode, 303, absent.body.slice(0, 2000));
    assert.doesNotMatch((await client.get(`/orientations/${id}`)).body, /Honorée/);
    assert.equal((await row(id)).status, 'acceptee');

    // Came: the referral is honoured as soon as either side opens it.
    const came = await book(1);
    const honoured = await receiver.post('/rendezvous/fiche/presence', { ...came, statut: 'honore' });
    assert.equal(honoured.statusCode, 303, honoured.body.slice(0, 2000));
    const senderPage = await client.get(`/orientations/${id}`);
    assert.match(senderPage.body, /Honorée/);
    assert.match(senderPage.body, /elle est venue à un rendez-vous du lieu/);
    const closed = await row(id);
    assert.equal(closed.status, 'honoree');
    assert.equal(closed.closed_via, 'rendezvous');
    const journal = await db()
      .selectFrom('audit_event')
      .select('details')
      .where('subject_id', '=', id)
      .where('action', '=', 'orientation.close')
      .executeTakeFirstOrThrow();
    assert.deepEqual(journal.details, { honoree: true, via: 'rendezvous' });
  });

  test('statistics: coordinators only, their collectivités only, counts rounded to 5, small groups hidden', async () => {
    // Last month (a complete one): 7 accepted referrals to the Bron place answered in 2 days, 1
    // refused; 2 answered by another structure (fewer than 5: no median for it). And 9 between
    // two other collectivités that Bron's coordinator must not count.
    const other = await givenCollectivite(t);
    const elsewhere = await givenCollectivite(t);
    const otherPlace = await givenPlace(t, { collectivite: elsewhere, courriels: ['x@ailleurs.example'] });
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10, 10));
    const answered = new Date(lastMonth.getTime() + 2 * 24 * 3600 * 1000);
    const rowOf = (over: Record<string, unknown>) => ({
      collectivite_id: villeurbanneId,
      sender_name: 'S',
      sender_email: 's@example.fr',
      prenom: 'A',
      nom: 'B',
      contact_preference: 'telephone' as const,
      telephone: '0600000000',
      motif: 'Motif',
      lieu_id: place,
      service: 'Aide aux démarches administratives',
      destination_name: 'Espace social de Bron',
      destination_email: CONTACT,
      destination_collectivite_id: bronId,
      consent_mode: 'en_personne' as const,
      consent_text: 'Accord',
      created_at: lastMonth,
      ...over,
    });
    await db()
      .insertInto('orientation')
      .values([
        ...Array.from({ length: 7 }, () => rowOf({ status: 'acceptee', answered_at: answered })),
        rowOf({ status: 'refusee', answered_at: answered, refusal_reasons: ['complet'] }),
        ...Array.from({ length: 2 }, () =>
          rowOf({
            status: 'acceptee',
            answered_at: answered,
            lieu_id: otherPlace,
            destination_name: 'Autre lieu',
          }),
        ),
        ...Array.from({ length: 9 }, () =>
          rowOf({
            collectivite_id: other.id,
            destination_collectivite_id: elsewhere.id,
            lieu_id: otherPlace,
            destination_name: 'Autre lieu',
            status: 'refusee',
            answered_at: answered,
            refusal_reasons: ['non_interesse'],
          }),
        ),
      ] as never)
      .execute();

    assert.equal((await client.get('/orientations/statistiques')).statusCode, 403);
    assert.notEqual((await new Client(t.app).get('/orientations/statistiques')).statusCode, 200);
    const coordinator = await givenCoordinator(t, { collectivite: bronId });
    const c = new Client(t.app);
    await c.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
    assert.match((await c.get('/espace')).body, /href="\/orientations\/statistiques"/);
    const page = await c.get('/orientations/statistiques');
    assert.equal(page.statusCode, 200);
    // 9 accepted and 1 refused last month: rounded, 10 and 0; the other collectivités' 9 are not counted.
    assert.match(page.body, /10 orientations \(arrondi\)/);
    assert.match(page.body, /<th scope="row">Acceptée<\/th><td>10<\/td>/);
    assert.doesNotMatch(page.body, /Pas intéressée/);
    assert.match(page.body, /Taux d’acceptation : 100 %/);
    // Every answer of the scope took 2 days.
    assert.match(page.body, /Délai médian de réponse : 2 j/);
    // The Bron place answered 8 times in 2 days; the other structure twice only: not detailed.
    assert.match(page.body, /Espace social de Bron<\/th><td>10<\/td><td>2 j<\/td>/);
    assert.doesNotMatch(page.body, /Autre lieu/);
    assert.match(page.body, /1 structure\(s\) avec moins de 5 réponses/);
    // By theme (the service of the place): the 10 of its scope.
    assert.match(page.body, /Aide aux démarches administratives<\/th><td>10<\/td>/);
    // A person's name never appears, nor a count under 5.
    assert.doesNotMatch(page.body, /Lina|Paul|Durand/);

    // The OPSN sees every theme; outside the territory is one theme; a theme under 5 is masked.
    await db()
      .insertInto('orientation')
      .values([
        ...Array.from({ length: 3 }, () =>
          rowOf({
            lieu_id: null,
            di_service_id: 'dora--centre-social',
            service: 'Accompagnement social',
            destination_name: 'Centre social hors territoire',
            destination_collectivite_id: null,
            status: 'expiree',
          }),
        ),
        ...Array.from({ length: 2 }, () =>
          rowOf({
            collectivite_id: other.id,
            destination_collectivite_id: elsewhere.id,
            lieu_id: otherPlace,
            destination_name: 'Autre lieu',
            service: 'Accès internet et matériel informatique',
          }),
        ),
      ] as never)
      .execute();
    const admin = await givenAdmin(t);
    const a = new Client(t.app);
    await a.signIn(admin.email, admin.password, admin.totpSecret);
    const all = (await a.get('/orientations/statistiques')).body;
    // 7 + 1 + 2 + 9 = 19 in the month: 20; the 3 outside: 5; the 2 of another theme: 0, not shown.
    assert.match(all, /Aide aux démarches administratives<\/th><td>20<\/td>/);
    assert.match(all, /Services hors du territoire \(data·inclusion\)<\/th><td>5<\/td>/);
    assert.doesNotMatch(all, /Accès internet et matériel informatique<\/th>/);
    assert.doesNotMatch((await c.get('/orientations/statistiques')).body, /hors du territoire \(data/);
  });

  test('the dashboards’ counts, kept by a trigger, equal a recount after everything above', async () => {
    await assertReferralCountsMatch(t.db.db);
  });
});
