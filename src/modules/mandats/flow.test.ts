import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import { type Client, createTestApp, type TestApp, Client as TestClient } from '../../../test/helpers/app.ts';
import { givenBeneficiary, givenCollectivite, givenHelper } from '../../../test/helpers/builders.ts';
import {
  HELPER_EMAIL,
  HELPER_PASSWORD,
  HELPER_TOTP,
  type MandateWorld,
  mandateWorld,
  OTHER_HELPER_EMAIL,
  OTHER_HELPER_TOTP,
  signedInHelper,
} from '../../../test/helpers/mandats.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { answerRegistry, receiveSmsAnswer } from '../../platform/messaging/index.ts';
import { consentAnswers } from './creation.ts';

/** The answers to consent requests, as the platform's SMS callback dispatches them. */
const answers = answerRegistry([consentAnswers]);

import { withdrawHabilitation } from './habilitation.ts';

describe('mandates: the step-by-step creation and the life of a mandate, over HTTP', () => {
  let t: TestApp;
  let w: MandateWorld;
  let helper: Client;

  before(async () => {
    t = await createTestApp();
    w = await mandateWorld(t);
    helper = await signedInHelper(t);
  });
  after(() => t.close());

  /** The TOTP replay guard remembers the sign-in's step: each confirmation needs a new one. */
  async function freshCode(offsetSeconds = 0): Promise<string> {
    await t.db.db
      .updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', HELPER_EMAIL)
      .execute();
    return generate({ secret: HELPER_TOTP, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
  }

  /** Answers every question from the start page; returns the draft's summary address. */
  async function answerAll(answers: {
    consentement: 'presentiel' | 'sms';
    telephone?: string;
    prenom?: string;
  }) {
    await helper.get('/mandats/nouveau');
    let res = await helper.post('/mandats/nouveau', {});
    assert.equal(res.statusCode, 303);
    let location = res.headers.location as string;
    assert.match(location, /^\/mandats\/brouillons\/[0-9a-f-]{36}\/personne$/);
    const base = location.replace(/\/personne$/, '');
    const fields: Record<string, Record<string, string>> = {
      personne: {
        prenom: answers.prenom ?? 'Josette',
        nom: 'Durand',
        date_naissance: '12/03/1948',
        piece_identite: 'passeport',
        piece_vue: 'oui',
      },
      structure: { lieu: w.placeId },
      demarches: { demarches: 'social' },
      duree: { duree: '1m' },
      consentement: { consentement: answers.consentement, telephone: answers.telephone ?? '' },
    };
    for (let i = 0; i < 6 && !location.endsWith('/recapitulatif'); i++) {
      const step = location.slice(base.length + 1);
      const page = await helper.get(location);
      assert.equal(page.statusCode, 200, `${step} page`);
      res = await helper.post(location, fields[step]!);
      assert.equal(res.statusCode, 303, `${step}: ${res.body.slice(0, 300)}`);
      location = res.headers.location as string;
    }
    assert.equal(location, `${base}/recapitulatif`);
    return location;
  }

  test('a helper without habilitation is refused, with the reason', async () => {
    await withdrawHabilitation(t.db.db, systemActor('test'), w.other.userId, 'test');
    const other = new TestClient(t.app);
    await other.signIn(OTHER_HELPER_EMAIL, HELPER_PASSWORD, OTHER_HELPER_TOTP);
    const res = await other.get('/mandats/nouveau');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /pas habilité/);
    assert.equal((await other.get('/mandats')).statusCode, 403);
  });

  test('the start page offers the people the helper accompanies, and the mandate is tied to the one chosen', async () => {
    const odette = await givenBeneficiary(t, w.helper, { prenom: 'Odette', nom: 'Rivière' });
    const elsewhere = await givenHelper(t, { collectivite: await givenCollectivite(t, { code: '69259' }) });
    const stranger = await givenBeneficiary(t, elsewhere, { prenom: 'Sidonie', nom: 'Ailleurs' });
    const start = await helper.get('/mandats/nouveau');
    assert.match(start.body, /<label for="champ-beneficiaire">Pour qui \?<\/label>/);
    assert.match(start.body, new RegExp(`<option value="${odette}">Odette Rivière</option>`));
    assert.doesNotMatch(start.body, /Sidonie/, 'nobody of another collectivité');

    const chosen = await helper.post('/mandats/nouveau', { beneficiaire: odette });
    const page = await helper.get(chosen.headers.location as string);
    assert.match(
      page.body,
      /Mandat pour une personne que vous accompagnez : <strong>Odette Rivière<\/strong>/,
    );
    assert.match(page.body, /name="prenom"[^>]*value="Odette"/);

    // Someone the helper may not see, named in a forged form: a draft for nobody in particular.
    const forged = await helper.post('/mandats/nouveau', { beneficiaire: stranger });
    const blank = await helper.get(forged.headers.location as string);
    assert.doesNotMatch(blank.body, /Sidonie|Ailleurs|personne que vous accompagnez/);
  });

  test('each question refuses a bad answer with a French message and keeps nothing of it', async () => {
    await helper.get('/mandats/nouveau');
    const start = await helper.post('/mandats/nouveau', {});
    const url = start.headers.location as string;
    await helper.get(url);
    const res = await helper.post(url, {
      prenom: 'Josette',
      nom: '',
      date_naissance: '31/02/2030',
      piece_identite: 'carte_bancaire',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Saisissez le nom de la personne/);
    assert.match(res.body, /Choisissez le document d’identité/);
    assert.match(res.body, /Confirmez que vous avez vérifié l’identité/);
    const id = url.split('/')[3]!;
    const draft = await t.db.db
      .selectFrom('mandat_brouillon')
      .select('data')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(draft.data.prenom, undefined);
    // The summary cannot be reached before the questions are answered.
    const summary = await helper.get(`/mandats/brouillons/${id}/recapitulatif`);
    assert.equal(summary.statusCode, 303);
    assert.equal(summary.headers.location, url);
  });

  test('in person: check your answers, a wrong or expired code refused, a fresh one creates an active mandate', async () => {
    const summaryUrl = await answerAll({ consentement: 'presentiel' });
    const summary = await helper.get(summaryUrl);
    assert.equal(summary.statusCode, 200);
    assert.match(summary.body, /Josette Durand, née ou né le 12\/03\/1948/);
    assert.match(summary.body, /article 1984 du Code civil/);
    const confirm = summaryUrl.replace(/recapitulatif$/, 'confirmer');
    const before = await t.db.db.selectFrom('mandat').select('id').execute();

    let res = await helper.post(confirm, { code: '000000' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /incorrect ou a expiré/);
    await helper.get(summaryUrl);
    res = await helper.post(confirm, { code: await freshCode(-120) });
    assert.equal(res.statusCode, 400, 'a code from two minutes ago');
    assert.equal((await t.db.db.selectFrom('mandat').select('id').execute()).length, before.length);

    await helper.get(summaryUrl);
    res = await helper.post(confirm, { code: await freshCode() });
    assert.equal(res.statusCode, 303);
    const location = res.headers.location as string;
    assert.match(location, /^\/mandats\/[0-9a-f-]{36}\?ok=cree$/);
    const id = location.slice('/mandats/'.length, location.indexOf('?'));
    const m = await t.db.db.selectFrom('mandat').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(
      [m.status, m.prenom, m.piece_identite, m.consentement],
      ['actif', 'Josette', 'passeport', 'presentiel'],
    );
    const page = await helper.get(location);
    assert.match(page.body, /Actif/);
    assert.ok(page.body.includes(m.empreinte!));
    // The draft is gone: confirming twice creates nothing more.
    assert.equal((await helper.post(confirm, { code: await freshCode() })).statusCode, 404);
    const refused = await t.db.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'mandat.code_refuse')
      .execute();
    assert.equal(refused.length, 2);
  });

  test('uses, revocation of one démarche, and what another structure’s helper sees', async () => {
    const summaryUrl = await answerAll({ consentement: 'presentiel', prenom: 'Marcel' });
    await helper.get(summaryUrl);
    const res = await helper.post(summaryUrl.replace(/recapitulatif$/, 'confirmer'), {
      code: await freshCode(),
    });
    const id = (res.headers.location as string).slice('/mandats/'.length, -'?ok=cree'.length);
    // This flow chose one démarche; add a second one directly to revoke one of two.
    await t.db.db.insertInto('autorisation').values({ mandat_id: id, demarche: 'logement' }).execute();

    await helper.get(`/mandats/${id}`);
    let r = await helper.post(`/mandats/${id}/usages`, {
      demarche: 'social',
      description: 'Demande de complémentaire santé solidaire',
    });
    assert.equal(r.statusCode, 303);
    await helper.get(`/mandats/${id}`);
    r = await helper.post(`/mandats/${id}/usages`, { demarche: 'justice', description: 'Plainte' });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /pas couverte/);

    await helper.get(`/mandats/${id}/revoquer`);
    r = await helper.post(`/mandats/${id}/revoquer`, { portee: 'demarches' });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /Cochez au moins une démarche/);
    r = await helper.post(`/mandats/${id}/revoquer`, {
      portee: 'demarches',
      demarches: 'logement',
      demandeur: 'personne',
    });
    assert.equal(r.statusCode, 303);
    assert.match(r.headers.location as string, new RegExp(`^/mandats/${id}/revocations/[0-9a-f-]{36}$`));
    const rows = await t.db.db
      .selectFrom('autorisation')
      .select(['demarche', 'revoked_at'])
      .where('mandat_id', '=', id)
      .orderBy('demarche')
      .execute();
    assert.deepEqual(
      rows.map((a) => [a.demarche, a.revoked_at !== null]),
      [
        ['logement', true],
        ['social', false],
      ],
    );
    await helper.get(`/mandats/${id}`);
    r = await helper.post(`/mandats/${id}/usages`, { demarche: 'logement', description: 'APL' });
    assert.equal(r.statusCode, 400);

    // Another structure's helper (habilitated again) neither sees nor uses it.
    const { grantHabilitation } = await import('./habilitation.ts');
    await grantHabilitation(t.db.db, systemActor('test'), w.other.userId, w.helper.collectiviteId, {
      dateFormation: '2026-02-01',
      certifiePar: 'Organisme de formation',
    });
    const other = new TestClient(t.app);
    await other.signIn(OTHER_HELPER_EMAIL, HELPER_PASSWORD, OTHER_HELPER_TOTP);
    assert.equal((await other.get(`/mandats/${id}`)).statusCode, 404);
    await other.get('/mandats');
    assert.equal(
      (await other.post(`/mandats/${id}/usages`, { demarche: 'social', description: 'essai' })).statusCode,
      404,
    );
    const list = await other.get('/mandats?vue=structure');
    assert.doesNotMatch(list.body, /Marcel/);

    // Lists: mine, by state.
    const mine = await helper.get('/mandats?statut=actif');
    assert.match(mine.body, /Marcel Durand/);
    const revoked = await helper.get('/mandats?statut=revoque');
    assert.doesNotMatch(revoked.body, /Marcel Durand/);
  });

  test('by SMS the mandate is pending, and renewal starts a new flow from the old mandate', async () => {
    const summaryUrl = await answerAll({ consentement: 'sms', telephone: '07 11 22 33 44', prenom: 'Lucie' });
    await helper.get(summaryUrl);
    const res = await helper.post(summaryUrl.replace(/recapitulatif$/, 'confirmer'), {
      code: await freshCode(),
    });
    assert.equal(res.statusCode, 303);
    assert.match(res.headers.location as string, /\?ok=sms$/);
    const page = await helper.get(res.headers.location as string);
    assert.match(page.body, /En attente du consentement/);
    assert.match(page.body, /\+337••••••44/);
    const outbox = await t.db.db
      .selectFrom('sms_outbox')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(outbox.telephone, '+33711223344');
    assert.match(outbox.texte, /Répondez OUI/);

    const active = await t.db.db
      .selectFrom('mandat')
      .select('id')
      .where('prenom', '=', 'Marcel')
      .executeTakeFirstOrThrow();
    await helper.get(`/mandats/${active.id}`);
    const renew = await helper.post(`/mandats/${active.id}/renouveler`, {});
    assert.equal(renew.statusCode, 303);
    const form = await helper.get(renew.headers.location as string);
    assert.match(form.body, /value="Marcel"/);
    const draftId = (renew.headers.location as string).split('/')[3]!;
    const draft = await t.db.db
      .selectFrom('mandat_brouillon')
      .select('data')
      .where('id', '=', draftId)
      .executeTakeFirstOrThrow();
    assert.equal(draft.data.renouvelleId, active.id);
    assert.equal(draft.data.pieceVue, undefined, 'the identity is checked again');
  });

  test('the helper cancels a request still waiting for consent; a late « Oui » then creates nothing', async () => {
    const summaryUrl = await answerAll({
      consentement: 'sms',
      telephone: '07 55 66 77 88',
      prenom: 'Gisèle',
    });
    await helper.get(summaryUrl);
    const res = await helper.post(summaryUrl.replace(/recapitulatif$/, 'confirmer'), {
      code: await freshCode(),
    });
    assert.equal(res.statusCode, 303);
    const pageUrl = (res.headers.location as string).replace(/\?.*$/, '');
    const pending = await helper.get(pageUrl);
    assert.match(pending.body, /Annuler la demande d’accord/);
    assert.doesNotMatch(pending.body, /Renouveler ce mandat/);
    const cancelled = await helper.post(`${pageUrl}/annuler`, {});
    assert.equal(cancelled.statusCode, 303);
    const page = await helper.get(cancelled.headers.location as string);
    assert.match(page.body, /La demande est annulée/);
    assert.match(page.body, /mandat-status--annule/);
    const id = pageUrl.split('/')[2]!;
    const rows = await t.db.db
      .selectFrom('consentement_sms')
      .innerJoin('mandat', 'mandat.id', 'consentement_sms.mandat_id')
      .select(['consentement_sms.status as consent', 'mandat.status as mandate', 'mandat.empreinte'])
      .where('mandat.id', '=', id)
      .execute();
    assert.deepEqual(rows, [{ consent: 'annule', mandate: 'annule', empreinte: null }]);
    const answer = await receiveSmsAnswer(t.db.db, answers, {
      from: '+33755667788',
      text: 'Oui',
      messageId: 'late-oui',
    });
    assert.equal(answer, 'sans_demande');
    assert.equal(
      (await t.db.db.selectFrom('autorisation').select('id').where('mandat_id', '=', id).execute()).length,
      0,
    );
    const again = await helper.post(`${pageUrl}/annuler`, {});
    assert.equal(again.statusCode, 400);
    assert.match(
      again.body,
      /Seule une demande qui attend encore la réponse de la personne peut être annulée/,
    );
    const journaled = await t.db.db
      .selectFrom('audit_event')
      .select('action')
      .where('subject_id', '=', id)
      .where('action', '=', 'mandat.demande_annulee')
      .execute();
    assert.equal(journaled.length, 1);
  });
});
