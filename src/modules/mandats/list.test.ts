import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import {
  type MandateWorld,
  mandateWorld,
  newMandate,
  signedInHelper,
} from '../../../test/helpers/mandats.ts';
import { createBeneficiary } from '../beneficiaires/index.ts';

const REDIRECT = '<meta http-equiv="refresh" content="0;url=https://attaquant.example/">';

describe('mandates: the lists', () => {
  let t: TestApp;
  let w: MandateWorld;
  let personId: string;

  before(async () => {
    t = await createTestApp();
    w = await mandateWorld(t);
    personId = await createBeneficiary(t.db.db, w.helper, {
      prenom: REDIRECT,
      nom: 'Martin',
      sans_telephone: false,
    });
    await newMandate(t, w, { beneficiaireId: personId, prenom: 'Lucie', nom: 'Martin' });
  });
  after(() => t.close());

  test('a person’s name made of markup is shown as text on their mandates list', async () => {
    const helper = await signedInHelper(t);
    const res = await helper.get(`/mandats?beneficiaire=${personId}`);
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /<meta http-equiv="refresh"/);
    assert.match(res.body, /<h1>Mandats de &lt;meta http-equiv=&#34;refresh&#34;/);
  });

  test('each list view is journaled as a read of personal data, with its filter and no name', async () => {
    const helper = await signedInHelper(t);
    const reads = () =>
      t.db.db
        .selectFrom('audit_event')
        .select(['action', 'actor_user_id', 'collectivite_id', 'subject_type', 'subject_id', 'details'])
        .where('action', '=', 'mandat.list')
        .orderBy('id')
        .execute();
    const before = (await reads()).length;
    assert.equal((await helper.get('/mandats')).statusCode, 200);
    assert.equal((await helper.get(`/mandats?vue=structure&statut=actif&lieu=${w.placeId}`)).statusCode, 200);
    assert.equal((await helper.get(`/mandats?beneficiaire=${personId}`)).statusCode, 200);
    const entries = (await reads()).slice(before);
    assert.equal(entries.length, 3);
    for (const e of entries) {
      assert.equal(e.actor_user_id, w.helper.userId);
      assert.equal(e.collectivite_id, w.helper.collectiviteId);
      assert.doesNotMatch(JSON.stringify(e.details), /Martin|Lucie|meta/);
    }
    assert.deepEqual(entries[0]!.details, { vue: 'mes', lignes: entries[0]!.details.lignes });
    assert.deepEqual(entries[1]!.details, {
      vue: 'structure',
      lieu: w.placeId,
      statut: 'actif',
      lignes: entries[1]!.details.lignes,
    });
    assert.deepEqual([entries[2]!.subject_type, entries[2]!.subject_id], ['beneficiaire', personId]);
    assert.equal(entries[2]!.details.vue, 'structure');
    assert.equal(entries[2]!.details.lignes, 1);
    // A refused filter (a person this helper cannot see) shows nothing and journals nothing.
    const foreign = await helper.get('/mandats?beneficiaire=00000000-0000-4000-8000-000000000000');
    assert.equal(foreign.statusCode, 404);
    assert.equal((await reads()).length, before + 3);
  });
});
