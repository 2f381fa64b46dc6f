import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import {
  type MandateWorld,
  mandateRequest,
  mandateWorld,
  newMandate,
} from '../../../test/helpers/mandats.ts';
import { loadConfig } from '../../platform/config.ts';
import {
  createNotifier,
  type Notifier,
  notifierFor,
  signCallback,
  smsSenderFor,
} from '../../platform/messaging/index.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { consentMessage, createMandate } from './creation.ts';

const CALLBACK = '/api/sms/reponses';
const SECRET = testConfig.sms.callbackSecret as string;

type CallbackOptions = {
  /** The secret to sign with (the app's by default). */
  secret?: string;
  /** Unix seconds (now by default). */
  timestamp?: number;
  /** No signature headers at all. */
  unsigned?: boolean;
  /** Sign this text but send the body as given. */
  signedText?: string;
};

/** Posts a provider callback, signed like the provider does unless told otherwise. */
function callback(t: TestApp, body: string | Record<string, unknown>, options: CallbackOptions = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!options.unsigned) {
    headers['x-relais-timestamp'] = timestamp;
    headers['x-relais-signature'] =
      `sha256=${signCallback(options.secret ?? SECRET, timestamp, options.signedText ?? raw)}`;
  }
  return t.app.inject({ method: 'POST', url: CALLBACK, headers, payload: raw });
}

describe('mandates: consent by SMS, the provider callback and the development outbox', () => {
  let t: TestApp;
  let w: MandateWorld;

  before(async () => {
    t = await createTestApp({ demo: true });
    w = await mandateWorld(t);
  });
  after(() => t.close());

  const mandate = (id: string) =>
    t.db.db
      .selectFrom('mandat')
      .select(['status', 'empreinte', 'motif_fermeture'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const journal = (id: string, action: string) =>
    t.db.db
      .selectFrom('audit_event')
      .select(['action', 'actor_label', 'details'])
      .where('subject_type', '=', 'mandat')
      .where('subject_id', '=', id)
      .where('action', '=', action)
      .execute();
  const handled = (messageId: string) =>
    t.db.db.selectFrom('sms_entrant').select('message_id').where('message_id', '=', messageId).execute();

  test('a signed « Oui » activates the mandate, journaled; the signature covers the raw body', async () => {
    const pending = await newMandate(t, w, {
      consentement: 'sms',
      telephone: '06 10 00 00 01',
      prenom: 'Anne',
    });
    assert.equal(pending.status, 'en_attente');
    const raw = '{ "text": "Oui",  "from": "06 10 00 00 01", "id": "prov-in-1" }';
    // The same JSON, laid out otherwise, does not carry the signature of the raw text sent.
    const reformatted = await callback(t, raw, { signedText: JSON.stringify(JSON.parse(raw)) });
    assert.equal(reformatted.statusCode, 401);
    assert.equal((await mandate(pending.id)).status, 'en_attente');

    const res = await callback(t, raw);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { resultat: 'accepte' });
    const active = await mandate(pending.id);
    assert.equal(active.status, 'actif');
    assert.match(active.empreinte ?? '', /^[0-9a-f]{64}$/);
    const received = await journal(pending.id, 'mandat.sms_recu');
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]!.details, { messageId: 'prov-in-1' });
    assert.equal(received[0]!.actor_label, 'réponse SMS de la personne');
  });

  test('a forged, a missing or a stale signature is refused with 401, and changes nothing', async () => {
    const pending = await newMandate(t, w, { consentement: 'sms', telephone: '0610000002', prenom: 'Bruno' });
    const body = { id: 'prov-in-2', from: '+33610000002', text: 'Oui' };
    const now = Math.floor(Date.now() / 1000);
    const attempts = {
      forged: await callback(t, body, { secret: 'pas-le-secret-du-fournisseur' }),
      missing: await callback(t, body, { unsigned: true }),
      stale: await callback(t, body, { timestamp: now - 6 * 60 }),
      future: await callback(t, body, { timestamp: now + 6 * 60 }),
      emptySignature: await t.app.inject({
        method: 'POST',
        url: CALLBACK,
        headers: {
          'content-type': 'application/json',
          'x-relais-timestamp': String(now),
          'x-relais-signature': 'sha256=',
        },
        payload: JSON.stringify(body),
      }),
    };
    for (const [name, res] of Object.entries(attempts)) {
      assert.equal(res.statusCode, 401, name);
      assert.match(res.json().erreur, /Signature absente, invalide ou trop ancienne/, name);
    }
    assert.deepEqual(await mandate(pending.id), {
      status: 'en_attente',
      empreinte: null,
      motif_fermeture: null,
    });
    assert.deepEqual(await journal(pending.id, 'mandat.sms_recu'), []);
    // A refused call does not use up the provider's message id: the genuine one still counts.
    assert.deepEqual(await handled('prov-in-2'), []);
    const genuine = await callback(t, body);
    assert.deepEqual([genuine.statusCode, genuine.json()], [200, { resultat: 'accepte' }]);
    assert.equal((await mandate(pending.id)).status, 'actif');
  });

  test('a replayed signed answer is refused with 409 and changes nothing', async () => {
    const first = await newMandate(t, w, { consentement: 'sms', telephone: '0610000003', prenom: 'Chloé' });
    const body = JSON.stringify({ id: 'prov-in-3', from: '+33610000003', text: 'Oui' });
    const timestamp = Math.floor(Date.now() / 1000);
    assert.equal((await callback(t, body, { timestamp })).statusCode, 200);
    assert.equal((await mandate(first.id)).status, 'actif');
    // A new request to the same number: the old « Oui », replayed as captured, must not answer it.
    const second = await newMandate(t, w, { consentement: 'sms', telephone: '0610000003', prenom: 'Denis' });
    const replay = await callback(t, body, { timestamp });
    assert.equal(replay.statusCode, 409);
    assert.equal(replay.json().resultat, 'rejoue');
    assert.equal((await mandate(second.id)).status, 'en_attente');
    assert.equal((await journal(first.id, 'mandat.sms_recu')).length, 1);
    assert.deepEqual(await journal(second.id, 'mandat.sms_recu'), []);
  });

  test('an answer other than « Oui » refuses; an answer after 24 hours cancels', async () => {
    const refused = await newMandate(t, w, { consentement: 'sms', telephone: '0610000004', prenom: 'Élise' });
    const no = await callback(t, { id: 'prov-in-4', from: '+33610000004', text: 'Non merci' });
    assert.deepEqual([no.statusCode, no.json()], [200, { resultat: 'refuse' }]);
    assert.deepEqual(await mandate(refused.id), {
      status: 'refuse',
      empreinte: null,
      motif_fermeture: 'refusé par SMS',
    });
    assert.equal((await journal(refused.id, 'mandat.sms_refuse')).length, 1);

    const late = await newMandate(t, w, { consentement: 'sms', telephone: '0610000005', prenom: 'Fabien' });
    await t.db.db
      .updateTable('consentement_sms')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('mandat_id', '=', late.id)
      .execute();
    const yes = await callback(t, { id: 'prov-in-5', from: '+33610000005', text: 'Oui' });
    assert.deepEqual([yes.statusCode, yes.json()], [200, { resultat: 'expire' }]);
    assert.deepEqual(await mandate(late.id), {
      status: 'annule',
      empreinte: null,
      motif_fermeture: 'sans réponse sous 24 h',
    });

    // No request open for the number: nothing to answer.
    const stray = await callback(t, { id: 'prov-in-6', from: '+33610000099', text: 'Oui' });
    assert.deepEqual([stray.statusCode, stray.json()], [200, { resultat: 'sans_demande' }]);
  });

  test('a signed body that is not the expected JSON is refused with 400', async () => {
    const pending = await newMandate(t, w, {
      consentement: 'sms',
      telephone: '0610000006',
      prenom: 'Gilles',
    });
    for (const body of [
      '{"id":"prov-in-7","text":"Oui"}',
      '{"id":"","from":"+33610000006","text":"Oui"}',
      '{"id":"prov-in-7","from":"+33610000006","text":42}',
      'pas du JSON',
      '[]',
    ]) {
      const res = await callback(t, body);
      assert.equal(res.statusCode, 400, body);
      assert.match(res.json().erreur, /Corps invalide/);
    }
    assert.equal((await mandate(pending.id)).status, 'en_attente');
    assert.deepEqual(await handled('prov-in-7'), []);
  });

  test('the development provider writes each message to the outbox', async () => {
    const before = await t.db.db.selectFrom('sms_outbox').select('id').execute();
    const req = mandateRequest(w, { consentement: 'sms', telephone: '07 20 00 00 01', prenom: 'Hugo' });
    const created = await createMandate(t.db.db, w.helper, req, notifierFor(t.db.db, testConfig));
    assert.ok(created.ok);
    const rows = await t.db.db.selectFrom('sms_outbox').selectAll().orderBy('id', 'desc').execute();
    assert.equal(rows.length, before.length + 1);
    const place = await t.db.db
      .selectFrom('lieu')
      .select('nom')
      .where('id', '=', w.placeId)
      .executeTakeFirstOrThrow();
    assert.equal(rows[0]!.telephone, '+33720000001');
    assert.equal(rows[0]!.texte, consentMessage(w.helper.actor.name, place.nom, req));
    const consent = await t.db.db
      .selectFrom('consentement_sms')
      .select(['message_id', 'status'])
      .where('mandat_id', '=', created.value.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(consent, { message_id: `dev-${rows[0]!.id}`, status: 'envoye' });
  });

  test('the HTTP provider gets the bearer key and the JSON; its failure cancels the request', async () => {
    const calls: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
    let answer: { status: number; body: string } = { status: 200, body: '{"id":"fournisseur-42"}' };
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        calls.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const config = loadConfig({
        NODE_ENV: 'test',
        SMS_PROVIDER: 'http',
        SMS_PROVIDER_URL: `http://127.0.0.1:${port}/v1/sms`,
        SMS_PROVIDER_KEY: 'cle-secrete-du-fournisseur',
        SMS_CALLBACK_SECRET: 'secret-des-rappels-du-fournisseur',
      });
      const sender: Notifier = createNotifier({
        sms: smsSenderFor(t.db.db, config),
        mail: () => Promise.reject(new Error('no mail here')),
      });
      const outboxBefore = (await t.db.db.selectFrom('sms_outbox').select('id').execute()).length;

      const req = mandateRequest(w, { consentement: 'sms', telephone: '07 20 00 00 02', prenom: 'Inès' });
      const sent = await createMandate(t.db.db, w.helper, req, sender);
      assert.ok(sent.ok);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.method, 'POST');
      assert.equal(calls[0]!.url, '/v1/sms');
      assert.equal(calls[0]!.headers.authorization, 'Bearer cle-secrete-du-fournisseur');
      assert.match(calls[0]!.headers['content-type'] ?? '', /^application\/json/);
      const place = await t.db.db
        .selectFrom('lieu')
        .select('nom')
        .where('id', '=', w.placeId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(calls[0]!.body), {
        to: '+33720000002',
        text: consentMessage(w.helper.actor.name, place.nom, req),
      });
      const consent = await t.db.db
        .selectFrom('consentement_sms')
        .select(['message_id', 'status'])
        .where('mandat_id', '=', sent.value.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(consent, { message_id: 'fournisseur-42', status: 'envoye' });
      // Nothing went to the development outbox.
      assert.equal((await t.db.db.selectFrom('sms_outbox').select('id').execute()).length, outboxBefore);

      // An id in the answer does not make an error status a success.
      answer = { status: 500, body: '{"id":"fournisseur-43","erreur":"panne"}' };
      const failed = await createMandate(
        t.db.db,
        w.helper,
        mandateRequest(w, { consentement: 'sms', telephone: '07 20 00 00 03', prenom: 'Jules' }),
        sender,
      );
      assert.equal(calls.length, 2);
      assert.ok(!failed.ok);
      assert.match(failed.reason, /^Le SMS n’a pas pu être envoyé : la demande est annulée\./);
      const cancelled = await t.db.db
        .selectFrom('mandat as m')
        .innerJoin('consentement_sms as c', 'c.mandat_id', 'm.id')
        .select(['m.status', 'm.motif_fermeture', 'c.status as sms'])
        .where('m.prenom', '=', 'Jules')
        .executeTakeFirstOrThrow();
      assert.deepEqual(cancelled, { status: 'annule', motif_fermeture: 'SMS non envoyé', sms: 'echec' });

      // A 200 without a message id is no proof that the message left.
      answer = { status: 200, body: '{"statut":"ok"}' };
      const noId = await createMandate(
        t.db.db,
        w.helper,
        mandateRequest(w, { consentement: 'sms', telephone: '07 20 00 00 04', prenom: 'Karim' }),
        sender,
      );
      assert.equal(calls.length, 3);
      assert.ok(!noId.ok);
      const karim = await t.db.db
        .selectFrom('mandat')
        .select('status')
        .where('prenom', '=', 'Karim')
        .executeTakeFirstOrThrow();
      assert.equal(karim.status, 'annule');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('the outbox lists the messages for administrators; answering there activates the mandate', async () => {
    const req = mandateRequest(w, { consentement: 'sms', telephone: '07 30 00 00 01', prenom: 'Léa' });
    const created = await createMandate(t.db.db, w.helper, req, notifierFor(t.db.db, testConfig));
    assert.ok(created.ok);
    const admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
    const page = await admin.get('/admin/sms');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>SMS envoyés \(développement\)<\/h1>/);
    assert.match(page.body, /<h2 class="h3" id="numero-0">\+33730000001<\/h2>/);
    assert.match(page.body, /Une demande d’accord attend la réponse de ce numéro jusqu’au/);
    assert.match(page.body, /vous demande un mandat pour faire en votre nom ces démarches/);
    assert.match(
      page.body,
      /<caption>Messages envoyés au \+33730000001, les plus récents d’abord<\/caption>/,
    );
    assert.match(page.body, /<label for="champ-texte-0">\s*Répondre au nom de la personne/);
    assert.match(page.body, /name="telephone" value="\+33730000001"/);

    // An empty answer is asked again, and changes nothing.
    const empty = await admin.post('/admin/sms/repondre', { telephone: '+33730000001', texte: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /href="#champ-texte-0">Saisissez la réponse de la personne/);
    assert.equal((await mandate(created.value.id)).status, 'en_attente');

    const res = await admin.post('/admin/sms/repondre', { telephone: '+33730000001', texte: 'oui' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/admin/sms?resultat=accepte');
    const after = await admin.get(res.headers.location as string);
    assert.match(after.body, /Réponse transmise : la demande est acceptée, le mandat est actif\./);
    assert.match(after.body, /Aucune demande en attente pour ce numéro\./);
    assert.equal((await mandate(created.value.id)).status, 'actif');
    const received = await journal(created.value.id, 'mandat.sms_recu');
    assert.equal(received.length, 1);
    assert.match(String((received[0]!.details as { messageId: string }).messageId), /^dev-in-[0-9a-f-]{36}$/);

    // Answering a number with nothing pending says so.
    const again = await admin.post('/admin/sms/repondre', { telephone: '+33730000001', texte: 'Oui' });
    assert.equal(again.headers.location, '/admin/sms?resultat=sans_demande');
    const said = await admin.get('/admin/sms?resultat=sans_demande');
    assert.match(said.body, /aucune demande en attente pour ce numéro/);
  });

  test('the outbox is for administrators only', async () => {
    const helper = new Client(t.app);
    await helper.signIn(DEMO_ACCOUNTS[2].email);
    const pending = await newMandate(t, w, { consentement: 'sms', telephone: '0730000002', prenom: 'Marc' });
    assert.equal((await helper.get('/admin/sms')).statusCode, 403);
    await helper.get('/espace'); // a page with a CSRF token for the form below
    const res = await helper.post('/admin/sms/repondre', { telephone: '+33730000002', texte: 'Oui' });
    assert.equal(res.statusCode, 403);
    assert.equal((await mandate(pending.id)).status, 'en_attente');
    const anonymous = await new Client(t.app).get('/admin/sms');
    assert.deepEqual([anonymous.statusCode, anonymous.headers.location], [302, '/connexion']);
  });
});

describe('mandates: SMS with the HTTP provider configured', () => {
  let t: TestApp;
  const secret = 'secret-des-rappels-de-production';

  before(async () => {
    const sms = loadConfig({
      NODE_ENV: 'production',
      SMS_PROVIDER: 'http',
      SMS_PROVIDER_URL: 'https://sms.example.invalid/v1/sms',
      SMS_PROVIDER_KEY: 'cle',
      SMS_CALLBACK_SECRET: secret,
    }).sms;
    t = await createTestApp({ demo: true, config: { ...testConfig, sms } });
  });
  after(() => t.close());

  test('there is no outbox; callbacks need the configured secret, not the tests’ one', async () => {
    const admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
    assert.equal((await admin.get('/admin/sms')).statusCode, 404);
    await admin.get('/espace'); // a page with a CSRF token for the form below
    const post = await admin.post('/admin/sms/repondre', { telephone: '+33610000001', texte: 'Oui' });
    assert.equal(post.statusCode, 404);
    const body = { id: 'prod-1', from: '+33610000001', text: 'Oui' };
    assert.equal((await callback(t, body, { secret: SECRET })).statusCode, 401);
    const genuine = await callback(t, body, { secret });
    assert.deepEqual([genuine.statusCode, genuine.json()], [200, { resultat: 'sans_demande' }]);
  });
});

describe('mandates: SMS callbacks with the default configuration', () => {
  let t: TestApp;
  let w: MandateWorld;

  before(async () => {
    // What `relais serve` runs with when nothing is set: SMS_PROVIDER=dev, NODE_ENV unset.
    t = await createTestApp({ demo: true, config: loadConfig({ LOG_LEVEL: 'silent' }) });
    w = await mandateWorld(t);
  });
  after(() => t.close());

  test('a « Oui » signed with a secret written in the source does not activate a pending mandate', async () => {
    const pending = await newMandate(t, w, { consentement: 'sms', telephone: '0610000031', prenom: 'Paul' });
    const body = { id: 'attaque-1', from: '+33610000031', text: 'Oui' };
    for (const secret of ['relais-dev-sms-callback-secret', SECRET]) {
      const res = await callback(t, body, { secret });
      assert.equal(res.statusCode, 401, secret);
    }
    const row = await t.db.db
      .selectFrom('mandat')
      .select('status')
      .where('id', '=', pending.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'en_attente');
  });

  test('the development outbox still answers in the person’s name without a callback secret', async () => {
    const pending = await newMandate(t, w, { consentement: 'sms', telephone: '0610000032', prenom: 'Rose' });
    const admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
    assert.equal((await admin.get('/admin/sms')).statusCode, 200);
    const res = await admin.post('/admin/sms/repondre', { telephone: '+33610000032', texte: 'Oui' });
    assert.equal(res.headers.location, '/admin/sms?resultat=accepte');
    const row = await t.db.db
      .selectFrom('mandat')
      .select('status')
      .where('id', '=', pending.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'actif');
  });
});
