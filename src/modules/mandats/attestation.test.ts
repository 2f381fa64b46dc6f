import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import {
  HELPER_PASSWORD,
  type MandateWorld,
  mandateWorld,
  newMandate,
  OTHER_HELPER_EMAIL,
  OTHER_HELPER_TOTP,
  signedInHelper,
} from '../../../test/helpers/mandats.ts';
import { layoutProblems, pdfTags, pdfText } from '../../../test/helpers/pdf.ts';
import { revokeMandate } from './service.ts';

describe('mandates: attestations and the public verification page', () => {
  let t: TestApp;
  let w: MandateWorld;
  let helper: Client;
  let visitor = 0;
  /** Each anonymous visitor comes from its own address: the verification pages are rate-limited. */
  const anonymous = () => new Client(t.app, { ip: `198.51.100.${++visitor}` });

  before(async () => {
    t = await createTestApp();
    w = await mandateWorld(t);
    helper = await signedInHelper(t);
  });
  after(() => t.close());

  const readsOf = async (id: string) =>
    (
      await t.db.db
        .selectFrom('audit_event')
        .select('details')
        .where('action', '=', 'mandat.consulte')
        .where('subject_id', '=', id)
        .where('actor_user_id', '=', w.helper.userId)
        .execute()
    ).map((e) => e.details.quoi);

  test('the print page states the mandate, the rights, the fingerprint and the QR code; reading it is journaled', async () => {
    const m = await newMandate(t, w, {
      prenom: 'Henriette',
      nom: 'Lefèvre',
      demarches: ['social', 'logement'],
    });
    const res = await helper.get(`/mandats/${m.id}/attestation`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<h1>Attestation de mandat<\/h1>/);
    assert.match(res.body, /article 1984 du Code civil, Henriette Lefèvre, née ou né le 12 mars 1948/);
    assert.match(res.body, /Social – Santé \(par exemple/);
    assert.match(res.body, /Logement \(par exemple/);
    assert.doesNotMatch(res.body, /Transports – Mobilité/, 'only the démarches of the mandate');
    assert.match(res.body, /révoquer ce mandat à tout moment/);
    assert.match(res.body, /conservées 6 ans après la fin du mandat/);
    assert.match(res.body, /Signature de la personne : Henriette Lefèvre/);
    assert.ok(res.body.includes(`/mandats/verifier/${m.empreinte}`));
    assert.match(res.body, /role="img" aria-label="QR code de la page de vérification"><svg/);
    assert.deepEqual(await readsOf(m.id), ['attestation']);
  });

  test('the PDF says the same, with the fingerprint, and a mandate waiting for consent has none', async () => {
    const m = await newMandate(t, w, { prenom: 'Gaston', nom: 'Perrin', demarches: ['travail'] });
    const res = await helper.get(`/mandats/${m.id}/attestation.pdf`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.match(String(res.headers['content-disposition']), /attestation-mandat-[0-9a-f]{12}\.pdf/);
    assert.ok(res.rawPayload.toString('latin1').startsWith('%PDF-'));
    const text = pdfText(res.rawPayload).replace(/\n/g, ' ');
    assert.match(text, /Attestation de mandat/);
    assert.match(text, /article 1984 du Code civil, Gaston Perrin/);
    assert.match(text, /Travail – Formation/);
    assert.match(text, /Vos droits/);
    assert.ok(text.includes(m.empreinte!), 'the fingerprint is printed');
    const tags = pdfTags(res.rawPayload);
    assert.equal(tags.marked, true, 'tagged');
    assert.equal(tags.lang, 'fr-FR');
    assert.equal(tags.title, 'Attestation de mandat');
    assert.deepEqual(layoutProblems(res.rawPayload), []);
    assert.deepEqual(await readsOf(m.id), ['attestation PDF']);

    const pending = await newMandate(t, w, {
      prenom: 'Lucien',
      consentement: 'sms',
      telephone: '+33612345678',
    });
    assert.equal(pending.status, 'en_attente');
    assert.equal((await helper.get(`/mandats/${pending.id}/attestation`)).statusCode, 409);
    assert.equal((await helper.get(`/mandats/${pending.id}/attestation.pdf`)).statusCode, 409);
  });

  test('a revocation has its own attestation, on the page and in PDF', async () => {
    const m = await newMandate(t, w, { prenom: 'Odette', demarches: ['social', 'argent', 'justice'] });
    const revoked = await revokeMandate(t.db.db, w.helper, m, ['argent'], 'personne');
    assert.ok(revoked.ok);
    const page = await helper.get(`/mandats/${m.id}/revocations/${revoked.value}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Attestation de révocation de mandat/);
    assert.match(page.body, /Demandée par : la personne, à la structure\. Enregistrée par /);
    assert.match(page.body, /<li>Argent – Impôts – Consommation<\/li>/);
    // What the verification page checks is the mandate's fingerprint; the revocation's is kept as a reference.
    assert.ok(page.body.includes(`<code class="mandat-fingerprint">${m.empreinte}</code>`));
    const ownFingerprint = await t.db.db
      .selectFrom('revocation')
      .select('empreinte')
      .where('id', '=', revoked.value)
      .executeTakeFirstOrThrow();
    assert.ok(
      page.body.includes(
        `Empreinte SHA-256 de cette révocation, gardée au journal : ${ownFingerprint.empreinte}`,
      ),
    );
    assert.match(page.body, /Le mandat couvre encore, jusqu’au .+ : Social – Santé ; Justice\./);
    const pdf = await helper.get(`/mandats/${m.id}/revocations/${revoked.value}/attestation.pdf`);
    assert.equal(pdf.statusCode, 200);
    assert.match(pdfText(pdf.rawPayload).replace(/\n/g, ' '), /Attestation de révocation de mandat/);
    assert.equal(pdfTags(pdf.rawPayload).title, 'Attestation de révocation de mandat');
    assert.equal(pdfTags(pdf.rawPayload).marked, true, 'tagged');
    assert.deepEqual(await readsOf(m.id), ['attestation de révocation', 'attestation de révocation PDF']);

    const other = await newMandate(t, w, { prenom: 'Anatole' });
    assert.equal(
      (await helper.get(`/mandats/${other.id}/revocations/${revoked.value}`)).statusCode,
      404,
      'a revocation is only read through its own mandate',
    );
    assert.equal((await helper.get(`/mandats/${m.id}/revocations/pas-un-identifiant`)).statusCode, 404);
  });

  test('a helper of another structure reads no attestation, and nothing is journaled for them', async () => {
    const m = await newMandate(t, w, { prenom: 'Raymonde' });
    const outsider = new Client(t.app);
    await outsider.signIn(OTHER_HELPER_EMAIL, HELPER_PASSWORD, OTHER_HELPER_TOTP);
    for (const url of [`/mandats/${m.id}/attestation`, `/mandats/${m.id}/attestation.pdf`])
      assert.equal((await outsider.get(url)).statusCode, 404, url);
    const reads = await t.db.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'mandat.consulte')
      .where('subject_id', '=', m.id)
      .execute();
    assert.equal(reads.length, 0);
    assert.equal((await anonymous().get(`/mandats/${m.id}/attestation`)).statusCode, 302, 'sign in first');
  });

  test('verification says valid and names the structure, then follows a revocation, with initials only', async () => {
    const m = await newMandate(t, w, { prenom: 'Émile', nom: 'Zanetti', demarches: ['social', 'logement'] });
    let res = await anonymous().get(`/mandats/verifier/${m.empreinte}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-robots-tag'], 'noindex, nofollow');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.match(res.body, /Ce mandat est valide\./);
    assert.match(res.body, /<dd>É\. Z\.<\/dd>/);
    assert.doesNotMatch(res.body, /Émile|Zanetti|1948/, 'never the name nor the birth date');
    assert.match(
      res.body,
      /Structure qui l’a établi<\/dt>\s*<dd>France Services de Villeurbanne \(Villeurbanne\)<\/dd>/,
      'the structure to ask about it, by name only',
    );
    assert.match(res.body, /Logement/);

    await revokeMandate(t.db.db, w.helper, m, ['logement'], 'aidant');
    res = await anonymous().get(`/mandats/verifier/${m.empreinte!.toUpperCase()}`);
    assert.match(res.body, /Ce mandat est valide\./);
    assert.match(res.body, /Démarches révoquées<\/dt>\s*<dd>\s*<ul class="mandat-list">\s*<li>Logement/);

    await revokeMandate(t.db.db, w.helper, m, ['social'], 'aidant');
    res = await anonymous().get(`/mandats/verifier/${m.empreinte}`);
    assert.match(res.body, /Ce mandat est révoqué/);
  });

  test('the form sends a typed fingerprint to its page and refuses a malformed one in French', async () => {
    const m = await newMandate(t, w, { prenom: 'Firmin' });
    const form = await anonymous().get('/mandats/verifier');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<label for="champ-empreinte">Empreinte de l’attestation<\/label>/);
    const spaced = m.empreinte!.replace(/(.{8})/g, '$1 ');
    const go = await anonymous().get(`/mandats/verifier?empreinte=${encodeURIComponent(spaced)}`);
    assert.equal(go.statusCode, 303);
    assert.equal(go.headers.location, `/mandats/verifier/${m.empreinte}`);
    const bad = await anonymous().get('/mandats/verifier?empreinte=zz12');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /L’empreinte compte 64 caractères/);
    assert.match(bad.body, /value="zz12"/);
    const empty = await anonymous().get('/mandats/verifier?empreinte=');
    assert.match(empty.body, /Saisissez l’empreinte imprimée/);
  });

  test('random fingerprints get a 404 without data, and probing is rate-limited', async () => {
    const random = () =>
      [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/mandats/verifier/${random()}`,
        remoteAddress: '203.0.113.77',
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 404) {
        assert.match(res.body, /Aucun mandat ne correspond à cette empreinte/);
        assert.doesNotMatch(res.body, /Ce mandat|Personne/);
      }
    }
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(404));
    assert.deepEqual(statuses.slice(20), [429, 429]);
    const notHex = await anonymous().get('/mandats/verifier/pas-une-empreinte');
    assert.equal(notHex.statusCode, 404);
  });
});
