import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import {
  givenBeneficiary,
  givenCollectivite,
  givenHelper,
  givenPlace,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { createToken } from '../../platform/auth/tokens.ts';
import { EXPORT_HEADER } from './export.ts';
import { linkSecret, signLink } from './reception/link.ts';
import type { Status } from './vocabulary.ts';

/**
 * Referrals through HTTP: a Villeurbanne helper refers a person to a Vénissieux place whose
 * contact has no account; the contact answers through the link in the outbox. Attacks first:
 * forged, altered, expired, replaced and replayed links, a link of another referral, answering
 * twice, a helper of another collectivité.
 */
describe('orientations', () => {
  let t: TestApp;
  let sender: TestHelper;
  let receiverHelper: TestHelper;
  let otherHelper: TestHelper;
  let person = '';
  let place = '';
  let silentPlace = '';
  const CONTACT = 'accueil@venissieux.example';
  let client: Client;

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const venissieux = await givenCollectivite(t, { code: '69259' });
    place = await givenPlace(t, {
      collectivite: venissieux,
      nom: 'Maison France Services de Vénissieux',
      commune: 'Vénissieux',
      code_postal: '69200',
      code_insee: '69259',
      courriels: [CONTACT],
      telephone: ['+33472000000'],
      services: ['Aide aux démarches administratives', 'Accès internet et matériel informatique'],
    });
    silentPlace = await givenPlace(t, {
      collectivite: venissieux,
      nom: 'Médiathèque sans courriel',
      telephone: ['+33472111111'],
    });
    sender = await givenHelper(t, { collectivite: villeurbanne, places: 1 });
    receiverHelper = await givenHelper(t, { collectivite: venissieux, places: [place] });
    otherHelper = await givenHelper(t, { collectivite: villeurbanne, places: 1 });
    person = await givenBeneficiary(t, sender, {
      prenom: 'Jeanne',
      nom: 'Martin',
      telephone: '06 12 34 56 78',
    });
    client = new Client(t.app);
    await client.signIn(sender.email, sender.password, sender.totpSecret);
  });
  after(() => t.close());

  const db = () => t.db.db;
  /** The referrals stored, or those in one state. */
  const count = async (status?: Status) => {
    let query = db()
      .selectFrom('orientation')
      .select((eb) => eb.fn.countAll<string>().as('n'));
    if (status) query = query.where('status', '=', status);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  const form = (overrides: Record<string, string | string[]> = {}) => ({
    lieu: place,
    beneficiaire: person,
    service: 'Aide aux démarches administratives',
    contact_preference: 'telephone',
    telephone: '06 12 34 56 78',
    motif: 'Renouveler sa carte vitale et créer son compte ameli.',
    consent_mode: 'en_personne',
    consentement: 'oui',
    ...overrides,
  });
  /** Sends a referral through the form; returns its id. */
  const send = async (overrides: Record<string, string | string[]> = {}) => {
    await client.get(`/orientations/nouvelle?lieu=${overrides.lieu ?? place}&beneficiaire=${person}`);
    const res = await client.post('/orientations/nouvelle', form(overrides));
    assert.equal(res.statusCode, 303, res.body.slice(0, 3000));
    return /\/orientations\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
  };
  /** The answer link of the last mail sent to the place's contact, as a path. */
  const lastLink = async () => {
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', CONTACT)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return /\/orientations\/reponse\/[^\s]+/.exec(mail.body ?? '')![0];
  };
  const statusOf = async (id: string) =>
    (await db().selectFrom('orientation').select('status').where('id', '=', id).executeTakeFirstOrThrow())
      .status;
  const reads = async (id: string) =>
    Number(
      (
        await db()
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('action', '=', 'orientation.read')
          .where('subject_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('a helper starts from a place page or a person’s record; the public sees no such link', async () => {
    const placePage = await client.get(`/lieux/${place}`);
    assert.match(placePage.body, new RegExp(`href="/orientations/nouvelle\\?lieu=${place}"`));
    const publicPage = await new Client(t.app).get(`/lieux/${place}`);
    assert.equal(publicPage.statusCode, 200);
    assert.doesNotMatch(publicPage.body, /Orienter une personne/);
    const record = await client.get(`/beneficiaires/${person}`);
    assert.match(
      record.body,
      new RegExp(`href="/orientations/nouvelle\\?beneficiaire=${person}&origine=fiche"`),
    );
    const search = await client.get(`/orientations/nouvelle?beneficiaire=${person}&q=France+Services`);
    assert.equal(search.statusCode, 200);
    assert.match(
      search.body,
      new RegExp(`/orientations/nouvelle\\?beneficiaire=${person}&(amp;)?lieu=${place}`),
    );
    const form = await client.get(`/orientations/nouvelle?beneficiaire=${person}&lieu=${place}`);
    assert.match(form.body, new RegExp(`<option value="${person}" selected>Jeanne Martin`));
  });

  // ------------------------------------------------------------------ bad input

  test('a place without contact email cannot receive: the page says so and offers its phone', async () => {
    const page = await client.get(`/orientations/nouvelle?lieu=${silentPlace}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /n’a pas d’adresse de contact/);
    assert.match(page.body, /Appelez-le au \+33472111111/);
    assert.doesNotMatch(page.body, /Envoyer l’orientation/);
    await client.get(`/orientations/nouvelle?lieu=${place}`);
    const before = await count();
    const res = await client.post('/orientations/nouvelle', form({ lieu: silentPlace }));
    assert.equal(res.statusCode, 400);
    assert.equal(await count(), before);
  });

  test('missing consent, a too-long reason, an unknown service or person: clear messages, nothing sent', async () => {
    await client.get(`/orientations/nouvelle?lieu=${place}`);
    const before = await count();
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ consentement: '' }, /Recueillez l’accord de la personne/],
      [{ motif: 'x'.repeat(601) }, /au plus 600 caractères/],
      [{ service: 'Service inventé' }, /Choisissez un des services de ce lieu/],
      [
        { beneficiaire: '00000000-0000-4000-8000-000000000000' },
        /Choisissez une personne que vous accompagnez/,
      ],
      [{ contact_preference: 'email' }, /Saisissez le courriel de la personne/],
      [{ lieu: '00000000-0000-4000-8000-000000000000' }, /Orienter une personne/],
    ];
    for (const [overrides, message] of cases) {
      const res = await client.post('/orientations/nouvelle', form(overrides));
      assert.equal(res.statusCode, 400, JSON.stringify(overrides));
      assert.match(res.body, message);
    }
    assert.equal(await count(), before);
    assert.equal(
      await db()
        .selectFrom('mail_outbox')
        .select('id')
        .where('recipient', '=', CONTACT)
        .execute()
        .then((r) => r.length),
      0,
    );
  });

  test('a person of another helper cannot be referred', async () => {
    const stranger = await givenBeneficiary(t, otherHelper, { prenom: 'Paul', nom: 'Durand' });
    await client.get(`/orientations/nouvelle?lieu=${place}`);
    const res = await client.post('/orientations/nouvelle', form({ beneficiaire: stranger }));
    assert.equal(res.statusCode, 400);
    assert.doesNotMatch(res.body, /Durand/);
  });

  // ------------------------------------------------------------------ sending and the link

  test('sending records the consent, journals it and mails a signed link to the place’s contact only', async () => {
    const id = await send();
    const row = await db()
      .selectFrom('orientation')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'envoyee');
    assert.equal(row.consent_mode, 'en_personne');
    assert.equal(row.consent_by, sender.id);
    assert.match(row.consent_text, /Maison France Services de Vénissieux/);
    assert.equal(row.own_structure, false);
    assert.equal(row.duplicate_of, null);
    const link = await lastLink();
    assert.match(link, /^\/orientations\/reponse\/[0-9a-f-]{36}\.1\.\d+\.[A-Za-z0-9_-]{43}$/);
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', CONTACT)
      .executeTakeFirstOrThrow();
    assert.doesNotMatch(mail.body ?? '', /06 12|Martin/, 'no contact details nor last name in the mail');
    const sent = await db()
      .selectFrom('audit_event')
      .select('actor_user_id')
      .where('action', '=', 'orientation.send')
      .where('subject_id', '=', id)
      .execute();
    assert.deepEqual(sent, [{ actor_user_id: sender.id }]);
    const page = await client.get(`/orientations/${id}?ok=envoyee`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /L’orientation est envoyée/);
    assert.match(page.body, /Accord recueilli en personne/);
    // The person may get a copy of their consent (by SMS, their preference here).
    const copy = await client.post(`/orientations/${id}/copie`, {});
    assert.equal(copy.statusCode, 303);
    assert.equal(copy.headers.location, `/orientations/${id}?ok=copie_sms`);
    const sms = await db()
      .selectFrom('sms_outbox')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(sms.telephone, '+33612345678');
    assert.match(sms.texte, /Destinataire : Maison France Services de Vénissieux/);
    assert.match(sms.texte, /Pour retirer votre accord, contactez/);
  });

  test('the same person to the same service within 30 days is held back, then flagged as a duplicate', async () => {
    const first = (
      await db().selectFrom('orientation').select('id').orderBy('created_at').executeTakeFirstOrThrow()
    ).id;
    await client.get(`/orientations/nouvelle?lieu=${place}`);
    const before = await count();
    const held = await client.post('/orientations/nouvelle', form());
    assert.equal(held.statusCode, 409);
    assert.match(held.body, /Doublon probable/);
    assert.equal(await count(), before);
    const id = await send({ confirmer: 'oui' });
    const row = await db()
      .selectFrom('orientation')
      .select('duplicate_of')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.duplicate_of, first);
    // Another service of the same place is no duplicate.
    await send({ service: 'Accès internet et matériel informatique' });
  });

  test('a referral to one’s own structure is warned before it goes', async () => {
    const own = sender.places[0]!;
    await db()
      .updateTable('lieu')
      .set({ courriels: ['moi@villeurbanne.example'] })
      .where('id', '=', own)
      .execute();
    await client.get(`/orientations/nouvelle?lieu=${own}`);
    const held = await client.post('/orientations/nouvelle', form({ lieu: own }));
    assert.equal(held.statusCode, 409);
    assert.match(held.body, /votre propre structure/);
    const id = await send({ lieu: own, confirmer: 'oui' });
    assert.equal(
      (
        await db()
          .selectFrom('orientation')
          .select('own_structure')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).own_structure,
      true,
    );
  });

  test('forged, altered, unknown and cross-referral links are refused and journaled, and show nothing', async () => {
    const a = await send({ service: 'Accès internet et matériel informatique', confirmer: 'oui' });
    const linkA = await lastLink();
    const b = await send({ confirmer: 'oui' });
    const linkB = await lastLink();
    const tokenA = linkA.split('/').pop()!;
    const tokenB = linkB.split('/').pop()!;
    const [idA, vA, eA, sigA] = tokenA.split('.') as [string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const anonymous = new Client(t.app);
    const bad = [
      `${idA}.${vA}.${eA}.${flip(sigA)}`, // forged signature
      `${b}.${vA}.${eA}.${sigA}`, // A's signature on B: a link of another referral
      `${idA}.${vA}.${Number(eA) + 86400 * 30}.${sigA}`, // a longer life
      `${idA}.2.${eA}.${sigA}`, // another version
      `${idA}.${vA}.${eA}`, // truncated
      'nimportequoi',
      `${tokenB}x`,
    ];
    const refusedBefore = await db()
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'orientation.link_refused')
      .execute();
    for (const token of bad) {
      const res = await anonymous.get(`/orientations/reponse/${encodeURIComponent(token)}`);
      assert.equal(res.statusCode, 400, token);
      assert.match(res.body, /Ce lien n’est pas valide/);
      assert.doesNotMatch(res.body, /Jeanne|Renouveler sa carte/);
      assert.equal(res.headers['cache-control'], 'no-store');
      await anonymous.get('/connexion'); // a CSRF token, as a form elsewhere would give
      const post = await anonymous.post(`/orientations/reponse/${encodeURIComponent(token)}/accepter`, {});
      assert.equal(post.statusCode, 400, token);
    }
    const refusedAfter = await db()
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'orientation.link_refused')
      .execute();
    assert.equal(refusedAfter.length - refusedBefore.length, bad.length * 2);
    assert.equal(await statusOf(a), 'envoyee');
    assert.equal(await statusOf(b), 'envoyee');
    // Both real links work, each for its own referral.
    assert.match((await anonymous.get(linkA)).body, /Accès internet/);
    assert.doesNotMatch((await anonymous.get(linkB)).body, /Accès internet/);
  });

  test('an expired link can only ask for a new one, sent to the place’s contact; the old one stops working', async () => {
    const id = await send({ confirmer: 'oui' });
    const secret = await linkSecret(db());
    const expired = signLink(secret, id, 1, new Date(Date.now() - 9 * 24 * 3600 * 1000));
    const anonymous = new Client(t.app);
    const page = await anonymous.get(`/orientations/reponse/${expired}`);
    assert.equal(page.statusCode, 410);
    assert.match(page.body, /Ce lien a expiré/);
    assert.doesNotMatch(page.body, /Jeanne/);
    const acceptExpired = await anonymous.post(`/orientations/reponse/${expired}/accepter`, {});
    assert.equal(acceptExpired.statusCode, 410);
    assert.equal(await statusOf(id), 'envoyee');
    const mailsBefore = await db()
      .selectFrom('mail_outbox')
      .select('id')
      .where('recipient', '=', CONTACT)
      .execute();
    await anonymous.get(`/orientations/reponse/${expired}`);
    const renewed = await anonymous.post(`/orientations/reponse/${expired}/renouveler`, {});
    assert.equal(renewed.statusCode, 200);
    assert.match(renewed.body, /Un nouveau lien a été envoyé à l’adresse de contact du lieu/);
    assert.doesNotMatch(
      renewed.body,
      /orientations\/reponse\/[0-9a-f-]{36}\.2/,
      'the new link is mailed, never shown',
    );
    const mailsAfter = await db()
      .selectFrom('mail_outbox')
      .select('id')
      .where('recipient', '=', CONTACT)
      .execute();
    assert.equal(mailsAfter.length, mailsBefore.length + 1);
    const fresh = await lastLink();
    assert.match(fresh, /\.2\.\d+\./);
    // The first link of version 1, still within its date, is replaced: it no longer answers.
    const v1 = signLink(secret, id, 1);
    const replaced = await anonymous.get(`/orientations/reponse/${v1}`);
    assert.equal(replaced.statusCode, 410);
    assert.match(replaced.body, /Ce lien a été remplacé/);
    assert.equal((await anonymous.get(fresh)).statusCode, 200);
  });

  test('the contact accepts through the link: contact details then appear, the sender is told, the person gets an SMS; twice is refused', async () => {
    const id = await send({ confirmer: 'oui' });
    const link = await lastLink();
    const contact = new Client(t.app);
    const readsBefore = await reads(id);
    const page = await contact.get(link);
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(page.body, /Orientation de Jeanne M\./);
    assert.doesNotMatch(page.body, /Martin|06 12 34 56 78/, 'no contact details before acceptance');
    assert.equal(await reads(id), readsBefore + 1, 'each opening is journaled');
    const study = await contact.post(`${link}/etude`, {});
    assert.equal(study.statusCode, 303);
    assert.equal(await statusOf(id), 'a_l_etude');
    await contact.get(link);
    assert.equal(await reads(id), readsBefore + 2);
    const smsBefore = await db().selectFrom('sms_outbox').select('id').execute();
    const accepted = await contact.post(`${link}/accepter`, {
      message: 'Nous l’appelons demain.',
      message_personne: 'Bonjour Jeanne, venez mardi à 10 h.',
    });
    assert.equal(accepted.statusCode, 303);
    assert.equal(await statusOf(id), 'acceptee');
    const sms = await db().selectFrom('sms_outbox').selectAll().orderBy('id', 'desc').execute();
    assert.equal(sms.length, smsBefore.length + 1);
    assert.equal(sms[0]!.telephone, '+33612345678');
    assert.equal(sms[0]!.texte, 'Bonjour Jeanne, venez mardi à 10 h.');
    const toSender = await db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', sender.email)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.match(toSender.subject, /Orientation acceptée/);
    assert.match(toSender.body ?? '', /Nous l’appelons demain/);
    const after = await contact.get(`${link}?ok=acceptee_sms`);
    assert.match(after.body, /Jeanne Martin/);
    assert.match(after.body, /06 12 34 56 78/);
    assert.match(after.body, /la personne orientée aussi par SMS/);
    // Accepting again (a replayed form), or refusing now: refused, nothing changes.
    const again = await contact.post(`${link}/accepter`, {});
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /ne peut plus changer/);
    const refuse = await contact.post(`${link}/refuser`, {
      motifs: 'complet',
      refus_message: 'Plus de place.',
    });
    assert.equal(refuse.statusCode, 409);
    assert.equal(await statusOf(id), 'acceptee');
    assert.equal((await db().selectFrom('sms_outbox').select('id').execute()).length, smsBefore.length + 1);
    // The sender sees « Acceptée »; then the place says the person came.
    assert.match((await client.get(`/orientations/${id}`)).body, /Acceptée/);
    // Past the link's 8 days, the place may still ask for a new one to close the loop.
    const secret = await linkSecret(db());
    const version = (
      await db()
        .selectFrom('orientation')
        .select('link_version')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).link_version;
    const old = signLink(secret, id, version, new Date(Date.now() - 9 * 24 * 3600 * 1000));
    const expiredPage = await contact.get(`/orientations/reponse/${old}`);
    assert.equal(expiredPage.statusCode, 410);
    assert.match(expiredPage.body, /Recevoir un nouveau lien/);
    const closed = await contact.post(`${link}/cloture`, { honoree: 'oui' });
    assert.equal(closed.statusCode, 303);
    assert.equal(await statusOf(id), 'honoree');
  });

  test('two answers at once: exactly one wins', async () => {
    const id = await send({ confirmer: 'oui' });
    const link = await lastLink();
    const a = new Client(t.app);
    const b = new Client(t.app);
    await a.get(link);
    await b.get(link);
    const [accept, refuse] = await Promise.all([
      a.post(`${link}/accepter`, {}),
      b.post(`${link}/refuser`, { motifs: 'complet', refus_message: 'Complet.' }),
    ]);
    assert.deepEqual([accept.statusCode, refuse.statusCode].sort(), [303, 409]);
    const answers = await db()
      .selectFrom('audit_event')
      .select('action')
      .where('subject_id', '=', id)
      .where('action', 'in', ['orientation.accept', 'orientation.refuse'])
      .execute();
    assert.equal(answers.length, 1);
  });

  test('refusing needs at least one known reason and a message', async () => {
    const id = await send({ confirmer: 'oui' });
    const link = await lastLink();
    const contact = new Client(t.app);
    await contact.get(link);
    const none = await contact.post(`${link}/refuser`, { refus_message: 'Non.' });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Cochez au moins une raison/);
    const unknown = await contact.post(`${link}/refuser`, {
      motifs: 'raison_inventee',
      refus_message: 'Non.',
    });
    assert.equal(unknown.statusCode, 400);
    const silent = await contact.post(`${link}/refuser`, { motifs: 'complet' });
    assert.equal(silent.statusCode, 400);
    assert.equal(await statusOf(id), 'envoyee');
    const ok = await contact.post(`${link}/refuser`, {
      motifs: ['complet', 'non_mobile'],
      refus_message: 'Session complète jusqu’en janvier.',
    });
    assert.equal(ok.statusCode, 303);
    const row = await db()
      .selectFrom('orientation')
      .select(['status', 'refusal_reasons'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'refusee', refusal_reasons: ['complet', 'non_mobile'] });
    const sentPage = await client.get(`/orientations/${id}`);
    assert.match(sentPage.body, /Plus de place disponible, Ne peut pas se déplacer/);
  });

  test('withdrawing consent closes the referral and tells the place; the link then offers no answer', async () => {
    const id = await send({ confirmer: 'oui' });
    const link = await lastLink();
    await client.get(`/orientations/${id}`);
    const res = await client.post(`/orientations/${id}/retrait`, {});
    assert.equal(res.statusCode, 303);
    assert.equal(await statusOf(id), 'retiree');
    const told = await db()
      .selectFrom('mail_outbox')
      .select('subject')
      .where('recipient', '=', CONTACT)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.match(told.subject, /Orientation retirée/);
    const contact = new Client(t.app);
    const page = await contact.get(link);
    assert.match(page.body, /Consentement retiré/);
    assert.doesNotMatch(page.body, /Accepter l’orientation/);
    await contact.get('/connexion'); // a CSRF token: a form kept open from before
    const accept = await contact.post(`${link}/accepter`, {});
    assert.equal(accept.statusCode, 409);
    assert.equal(await statusOf(id), 'retiree');
  });

  // ------------------------------------------------------------------ who sees what

  test('the place’s helpers see it in their inbox; another helper sees nothing of it', async () => {
    const id = await send({ confirmer: 'oui' });
    const member = new Client(t.app);
    await member.signIn(receiverHelper.email, receiverHelper.password, receiverHelper.totpSecret);
    const inbox = await member.get('/orientations/recues');
    assert.equal(inbox.statusCode, 200);
    assert.match(inbox.body, new RegExp(`/orientations/recues/${id}`));
    assert.match(inbox.body, /à traiter/);
    const readsBefore = await reads(id);
    const page = await member.get(`/orientations/recues/${id}`);
    assert.equal(page.statusCode, 200);
    assert.equal(await reads(id), readsBefore + 1);
    assert.doesNotMatch(page.body, /06 12 34 56 78/);
    // The receiving helper cannot read it as if they had sent it.
    assert.equal((await member.get(`/orientations/${id}`)).statusCode, 404);
    const stranger = new Client(t.app);
    await stranger.signIn(otherHelper.email, otherHelper.password, otherHelper.totpSecret);
    for (const url of [`/orientations/${id}`, `/orientations/recues/${id}`]) {
      const res = await stranger.get(url);
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /Jeanne/);
    }
    await stranger.get('/orientations');
    for (const url of [`/orientations/${id}/retrait`, `/orientations/recues/${id}/accepter`]) {
      const res = await stranger.post(url, {});
      assert.equal(res.statusCode, 404, url);
    }
    assert.doesNotMatch((await stranger.get('/orientations/recues')).body, /Jeanne/);
    assert.doesNotMatch((await stranger.get('/orientations')).body, /Jeanne/);
    assert.equal(await statusOf(id), 'envoyee');
    // The member answers from Relais: it is journaled under their account.
    const study = await member.post(`/orientations/recues/${id}/etude`, {});
    assert.equal(study.statusCode, 303);
    const studied = await db()
      .selectFrom('audit_event')
      .select('actor_user_id')
      .where('action', '=', 'orientation.study')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(studied.actor_user_id, receiverHelper.id);
  });

  test('the sent dashboard counts by state and filters in the URL', async () => {
    const page = await client.get('/orientations');
    assert.equal(page.statusCode, 200);
    const total = await count();
    assert.match(page.body, new RegExp(`${total} envoyées`));
    const refused = await client.get('/orientations?statut=refusee');
    assert.equal(refused.statusCode, 200);
    // One refused for its reasons, and one more when the refusal won the race of two answers.
    const refusedCount = await count('refusee');
    assert.ok(refusedCount >= 1);
    assert.match(refused.body, new RegExp(`Refusée \\(${refusedCount}\\)`));
    const rows = refused.body.match(/<tr>/g)?.length ?? 0;
    assert.equal(rows, 1 + refusedCount, 'the heading row and each refused referral');
    const unknown = await client.get('/orientations?statut=inconnu');
    assert.equal(unknown.statusCode, 200);
    // « Mon espace » says the same, with the next thing to do.
    const space = await client.get('/espace');
    assert.match(space.body, new RegExp(`en cours / ${total} envoyées`));
    assert.match(space.body, /href="\/orientations\/nouvelle"/);
  });
  test('the API sends with the same rules and lists sent and received referrals, each to its own', async () => {
    const bearer = async (h: TestHelper) => ({
      authorization: `Bearer ${await createToken(db(), h.id, 'intégration')}`,
      'content-type': 'application/json',
    });
    const mine = await bearer(sender);
    const post = (headers: Record<string, string>, body: unknown) =>
      t.app.inject({ method: 'POST', url: '/api/v1/orientations', headers, payload: JSON.stringify(body) });
    const body = { ...form(), consentement: true, service: 'Accès internet et matériel informatique' };
    const before = await count();
    const missing = await post(mine, { ...body, consentement: false });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().message, /Recueillez l’accord/);
    const tooLong = await post(mine, { ...body, motif: 'x'.repeat(601) });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(await count(), before);
    const held = await post(mine, body);
    assert.equal(held.statusCode, 409, held.body);
    assert.equal(held.json().error, 'avertissement');
    const created = await post(mine, { ...body, confirmer: true });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    assert.equal(created.json().statut, 'envoyee');
    assert.equal(created.json().doublon, true);
    assert.equal(await count(), before + 1);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/orientations' });
    assert.equal(anonymous.statusCode, 401);
    const sent = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orientations?statut=envoyee',
      headers: mine,
    });
    assert.equal(sent.statusCode, 200);
    assert.ok(sent.json().items.some((r: { id: string }) => r.id === id));
    assert.equal(JSON.stringify(sent.json()).includes('06 12'), false, 'never the contact details');
    const received = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orientations?sens=recues',
      headers: await bearer(receiverHelper),
    });
    const item = received.json().items.find((r: { id: string }) => r.id === id);
    assert.equal(item.personne, 'Jeanne M.');
    assert.equal(item.beneficiaire_id, null);
    for (const sens of ['envoyees', 'recues']) {
      const other = await t.app.inject({
        method: 'GET',
        url: `/api/v1/orientations?sens=${sens}`,
        headers: await bearer(otherHelper),
      });
      assert.equal(other.statusCode, 200);
      assert.equal(other.json().total, 0, sens);
    }
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/orientations?sens=autre', headers: mine });
    assert.equal(bad.statusCode, 400);
  });
  test('the XLSX export has the national columns, each side sees its own, and it is journaled', async () => {
    const sheetOf = async (c: Client, url: string) => {
      const res = await c.get(url);
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /spreadsheetml/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      const rows: unknown[][] = [];
      sheet.eachRow((row) => {
        rows.push((row.values as unknown[]).slice(1));
      });
      return rows;
    };
    const sent = await sheetOf(client, '/orientations/export.xlsx');
    assert.deepEqual(sent[0], [...EXPORT_HEADER]);
    assert.equal(sent.length - 1, await count());
    assert.ok(sent.slice(1).every((r) => r[2] === 'Jeanne Martin'));
    assert.ok(sent[1]![0] instanceof Date);
    const refused = await sheetOf(client, '/orientations/export.xlsx?statut=refusee');
    assert.equal(refused.length, 1 + (await count('refusee')));
    assert.ok(refused.slice(1).every((r) => r[1] === 'Refusée'));
    assert.ok(
      refused.some((r) => r[7] === 'Plus de place disponible, Ne peut pas se déplacer jusqu’au lieu'),
      'the reasons of the referral refused for them',
    );
    const member = new Client(t.app);
    await member.signIn(receiverHelper.email, receiverHelper.password, receiverHelper.totpSecret);
    const received = await sheetOf(member, '/orientations/export.xlsx?sens=recues');
    assert.ok(received.length > 1);
    for (const r of received.slice(1))
      assert.equal(
        r[2],
        ['Acceptée', 'Honorée', 'Non honorée'].includes(r[1] as string) ? 'Jeanne Martin' : 'Jeanne M.',
      );
    const stranger = new Client(t.app);
    await stranger.signIn(otherHelper.email, otherHelper.password, otherHelper.totpSecret);
    assert.equal((await sheetOf(stranger, '/orientations/export.xlsx?sens=recues')).length, 1);
    assert.equal((await sheetOf(stranger, '/orientations/export.xlsx')).length, 1);
    const journaled = await db()
      .selectFrom('audit_event')
      .select('actor_user_id')
      .where('action', '=', 'orientation.export')
      .execute();
    assert.equal(journaled.length, 5);
  });
  test('the API creates a minimal new person and sends outside the territory, with the form’s rules', async () => {
    const headers = {
      authorization: `Bearer ${await createToken(db(), sender.id, 'intégration')}`,
      'content-type': 'application/json',
    };
    const post = (body: unknown) =>
      t.app.inject({ method: 'POST', url: '/api/v1/orientations', headers, payload: JSON.stringify(body) });
    const people = async () =>
      Number(
        (
          await db()
            .selectFrom('beneficiaire')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const body = {
      ...form(),
      consentement: true,
      beneficiaire: 'nouvelle',
      nouveau_prenom: 'Karim',
      nouveau_nom: 'Haddad',
      contact_preference: 'email',
      telephone: undefined,
      email: 'karim.haddad@exemple.fr',
    };
    const [referralsBefore, peopleBefore] = [await count(), await people()];

    // Bad input: nothing is sent, no record is created.
    const noContact = await post({ ...body, contact_preference: 'via_referent', email: undefined });
    assert.equal(noContact.statusCode, 400, noContact.body);
    assert.match(noContact.json().erreurs.telephone, /au moins un moyen de contacter/);
    const noName = await post({ ...body, nouveau_nom: '' });
    assert.equal(noName.statusCode, 400);
    assert.match(noName.json().erreurs.nouveau_nom, /Saisissez le nom/);
    const someoneElses = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orientations',
      headers: { ...headers, authorization: `Bearer ${await createToken(db(), otherHelper.id, 'autre')}` },
      payload: JSON.stringify({ ...form(), consentement: true }),
    });
    assert.equal(someoneElses.statusCode, 400);
    assert.match(someoneElses.json().erreurs.beneficiaire, /une personne que vous accompagnez/);
    const outside = {
      ...form(),
      consentement: true,
      lieu: undefined,
      service: undefined,
      di_service: 'dora--centre-social-8e',
      di_nom: 'Centre social du 8e',
      di_service_nom: 'Accompagnement aux démarches',
      di_adresse: '12 rue Paul Cazeneuve, 69008 Lyon',
      di_courriel: 'accueil@cs8.example',
    };
    const badId = await post({ ...outside, di_service: 'pas un identifiant' });
    assert.equal(badId.statusCode, 400);
    assert.match(badId.json().erreurs.di_service, /source--identifiant/);
    const noMail = await post({ ...outside, di_courriel: undefined, di_telephone: '04 78 00 00 00' });
    assert.equal(noMail.statusCode, 400);
    assert.match(noMail.json().erreurs.di_courriel, /ne peut pas recevoir d’orientation.*04 78 00 00 00/);
    assert.deepEqual([await count(), await people()], [referralsBefore, peopleBefore]);

    // A minimal new record, created with the referral.
    const created = await post(body);
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().personne, 'Karim Haddad');
    const record = created.json().beneficiaire_id as string;
    assert.ok(record);
    assert.equal(await people(), peopleBefore + 1);
    const mine = await client.get(`/beneficiaires/${record}`);
    assert.equal(mine.statusCode, 200, 'the new record is the sender’s');
    assert.match(mine.body, /Haddad/);

    // Outside the territory: the snapshot is kept and the structure's contact gets the link.
    const sentOutside = await post(outside);
    assert.equal(sentOutside.statusCode, 201, sentOutside.body);
    assert.equal(sentOutside.json().lieu_id, null);
    assert.equal(sentOutside.json().data_inclusion_id, 'dora--centre-social-8e');
    assert.equal(sentOutside.json().lieu, 'Centre social du 8e');
    assert.equal(sentOutside.json().service, 'Accompagnement aux démarches');
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', 'accueil@cs8.example')
      .executeTakeFirstOrThrow();
    assert.match(mail.body ?? '', /\/orientations\/reponse\//);
    assert.equal(await count(), referralsBefore + 2);
  });
});
