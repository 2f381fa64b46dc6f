import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countParticipations } from '../../src/modules/activites/index.ts';
import { findVisibleBeneficiary } from '../../src/modules/beneficiaires/index.ts';
import { findPublishedPlace } from '../../src/modules/lieux/index.ts';
import { helperPlaceIds } from '../../src/modules/mediateurs/index.ts';
import { Client, createTestApp, type TestApp } from './app.ts';
import {
  COLLECTIVITE_CODES,
  givenActivity,
  givenAdmin,
  givenBeneficiary,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  givenMandate,
  givenPlace,
} from './builders.ts';

/** The builders make what they say, and what they make works through the application. */
describe('test data builders', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('collectivités: the next free code, or the one given, never twice', async () => {
    const first = await givenCollectivite(t);
    const second = await givenCollectivite(t.db);
    assert.equal(first.code, COLLECTIVITE_CODES[0]);
    assert.equal(second.code, COLLECTIVITE_CODES[1]);
    const lyon = await givenCollectivite(t.db.db, { code: '69123' });
    assert.equal(lyon.name, 'Lyon');
    await assert.rejects(givenCollectivite(t, { code: '69123' }), /déjà membre/);
  });

  test('accounts sign in through the forms with their password and second factor', async () => {
    const admin = await givenAdmin(t);
    const coordinator = await givenCoordinator(t);
    const helper = await givenHelper(t, { collectivite: coordinator.collectiviteId });
    for (const account of [admin, coordinator, helper]) {
      const client = new Client(t.app);
      const signedIn = await client.signIn(account.email, account.password, account.totpSecret);
      assert.equal(signedIn.statusCode, 303, account.email);
      assert.equal((await client.get('/espace')).statusCode, 200, account.email);
    }
    assert.equal(helper.collectiviteId, coordinator.collectiviteId);
    assert.notEqual(admin.email, coordinator.email);
  });

  test('a helper with new places of activity, published, or with the places given', async () => {
    const helper = await givenHelper(t, { places: 2 });
    assert.equal(helper.places.length, 2);
    assert.deepEqual((await helperPlaceIds(t.db.db, helper.userId)).sort(), [...helper.places].sort());
    for (const id of helper.places) assert.ok(await findPublishedPlace(t.db.db, id));

    const draft = await givenPlace(t, {
      collectivite: helper.collectiviteId,
      published: false,
      nom: 'Annexe',
    });
    assert.equal(await findPublishedPlace(t.db.db, draft), undefined);
    const colleague = await givenHelper(t, { collectivite: helper.collectiviteId, places: [draft] });
    assert.deepEqual(await helperPlaceIds(t.db.db, colleague.userId), [draft]);
    assert.deepEqual(await helperPlaceIds(t.db.db, (await givenHelper(t)).userId), []);
  });

  test('people helped and reports: visible to their helper, counted', async () => {
    const helper = await givenHelper(t, { places: 1 });
    const person = await givenBeneficiary(t, helper, { prenom: 'Paulette', annee_naissance: 1939 });
    const found = await findVisibleBeneficiary(t.db.db, helper, person);
    assert.equal(found?.prenom, 'Paulette');
    assert.equal(found?.nom, 'Martin');
    await givenActivity(t, helper, { beneficiaires: [person] });
    await givenActivity(t, helper, { beneficiaires: [person], thematiques: ['sante'] });
    await givenActivity(t, helper);
    assert.equal(await countParticipations(t.db.db, person), 2);

    const client = new Client(t.app);
    await client.signIn(helper.email, helper.password, helper.totpSecret);
    const list = await client.get('/activites');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Paulette/);

    // Without places of activity, at the person's home; a refused report says why.
    const homeless = await givenHelper(t);
    assert.ok(await givenActivity(t, homeless));
    await assert.rejects(givenActivity(t, helper, { thematiques: [] }), /thematiques/);
  });

  test('mandates: the helper is habilitated, the mandate is at their place', async () => {
    const helper = await givenHelper(t, { places: 1 });
    const mandate = await givenMandate(t, helper, { nom: 'Lemoine' });
    assert.equal(mandate.lieu_id, helper.places[0]);
    assert.equal(mandate.nom, 'Lemoine');
    const again = await givenMandate(t, helper, { duree: '12m' });
    assert.notEqual(again.id, mandate.id);
    await assert.rejects(givenMandate(t, await givenHelper(t)), /no place of activity/);
  });
});
