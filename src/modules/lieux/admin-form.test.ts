import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { givenCollectivite, givenCoordinator } from '../../../test/helpers/builders.ts';
import {
  loadLmnSchema,
  parseCsvRecords,
  REFERENCE_MISSING,
  validateLmnRecords,
} from '../../../test/helpers/lmn-schema.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { LMN_FIELD_NAMES } from './vocabulary.ts';

/**
 * The place form as a coordinator uses it (`/admin/lieux/nouveau`, CSRF token of the page
 * read first), and the created place, with several phone numbers, in the LMN v1 exports.
 */

const NAME = 'Espace numérique du Tonkin';

describe('creating a place with the web form', () => {
  let t: TestApp;
  let coordinator: Client;
  let placeId = '';

  before(async () => {
    t = await createTestApp();
    const account = await givenCoordinator(t, {
      collectivite: await givenCollectivite(t, { code: '69266' }),
    });
    coordinator = new Client(t.app);
    await coordinator.signIn(account.email, account.password, account.totpSecret);
  });
  after(() => t.close());

  test('a coordinator creates a place: it exists, as a draft, and its page shows it', async () => {
    const form = await coordinator.get('/admin/lieux/nouveau');
    assert.equal(form.statusCode, 200);
    const villeurbanne = await findCollectiviteByCode(t.db.db, '69266');
    const res = await coordinator.post('/admin/lieux/nouveau', {
      collectivite: String(villeurbanne!.id),
      nom: NAME,
      pivot: '21690266800013',
      adresse: '12 rue du Tonkin',
      code_postal: '69100',
      commune: 'Villeurbanne',
      telephone: '04 78 03 12 34\n06 12 34 56 78',
      courriels: 'tonkin@exemple.fr',
      services: 'Aide aux démarches administratives',
    });
    assert.equal(res.statusCode, 303, res.body.match(/error-summary[\s\S]*?<\/ul>/)?.[0] ?? res.body);
    const location = String(res.headers.location);
    assert.match(location, /^\/admin\/lieux\/[0-9a-f-]{36}\?ok=enregistre$/);
    placeId = location.slice('/admin/lieux/'.length, location.indexOf('?'));

    const row = await t.db.db.selectFrom('lieu').selectAll().where('id', '=', placeId).executeTakeFirst();
    assert.ok(row);
    assert.equal(row.nom, NAME);
    assert.equal(row.status, 'brouillon');
    assert.equal(row.collectivite_id, villeurbanne!.id);
    assert.match(row.lmn_id, /^relais-[0-9a-f-]{36}$/);
    assert.deepEqual(row.telephone, ['+33478031234', '+33612345678']);

    const page = await coordinator.get(location);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('Le lieu a été enregistré.'));
    assert.ok(page.body.includes(NAME));

    await coordinator.post(`/admin/lieux/${placeId}/publier`, {});
    const shown = await new Client(t.app).get(`/lieux/${placeId}`);
    assert.equal(shown.statusCode, 200);
    assert.ok(shown.body.includes(NAME));
  });

  test('saving a list in another order is not a change: no revision, same update date', async () => {
    const villeurbanne = await findCollectiviteByCode(t.db.db, '69266');
    const fields = {
      collectivite: String(villeurbanne!.id),
      nom: 'Espace numérique des Gratte-Ciel',
      pivot: '21690266800013',
      adresse: '3 avenue Henri Barbusse',
      code_postal: '69100',
      commune: 'Villeurbanne',
      services: ['Aide aux démarches administratives', 'Maîtrise des outils numériques du quotidien'],
    };
    const created = await coordinator.post('/admin/lieux/nouveau', fields);
    assert.equal(created.statusCode, 303, created.body.match(/error-summary[\s\S]*?<\/ul>/)?.[0]);
    const path = String(created.headers.location).split('?')[0]!;
    const id = path.slice('/admin/lieux/'.length);
    const revisions = () =>
      t.db.db.selectFrom('lieu_revision').select('id').where('lieu_id', '=', id).execute();
    const before = await t.db.db
      .selectFrom('lieu')
      .select('date_maj')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const count = (await revisions()).length;

    await coordinator.get(path);
    const reordered = await coordinator.post(path, {
      ...fields,
      services: ['Maîtrise des outils numériques du quotidien', 'Aide aux démarches administratives'],
    });
    assert.equal(reordered.statusCode, 303);
    assert.match(String(reordered.headers.location), /\?ok=inchange$/);
    assert.equal((await revisions()).length, count);
    const after = await t.db.db
      .selectFrom('lieu')
      .select('date_maj')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after.date_maj, before.date_maj);

    await coordinator.get(path);
    const changed = await coordinator.post(path, {
      ...fields,
      services: 'Aide aux démarches administratives',
    });
    assert.match(String(changed.headers.location), /\?ok=enregistre$/);
    assert.equal((await revisions()).length, count + 1, 'a removed service is a change');
  });

  test('without the CSRF token, nothing is created', async () => {
    const before = await t.db.db.selectFrom('lieu').select('id').execute();
    const res = await coordinator.post('/admin/lieux/nouveau', { _csrf: '', nom: 'Sans jeton' });
    assert.equal(res.statusCode, 403);
    assert.equal((await t.db.db.selectFrom('lieu').select('id').execute()).length, before.length);
  });

  test('LMN v1 CSV and JSON with several phone numbers validate against the official schema', {
    skip: REFERENCE_MISSING,
  }, async () => {
    assert.ok(placeId, 'the place of the first test');
    const schema = loadLmnSchema()!;
    const csv = parseCsvRecords((await new Client(t.app).get('/api/v1/lieux.csv')).body);
    const json = (await new Client(t.app).get('/api/v1/lieux.json')).json() as Record<
      string,
      string | number | null
    >[];
    const asText = (record: Record<string, string | number | null>) =>
      Object.fromEntries(LMN_FIELD_NAMES.map((n) => [n, record[n] === null ? '' : String(record[n])]));
    for (const records of [csv, json.map(asText)]) {
      const ours = records.find((r) => r.nom === NAME);
      assert.ok(ours, 'the new place is exported');
      assert.equal(ours.telephone, '+33478031234', 'the first number, as the standard allows one');
      assert.deepEqual(validateLmnRecords(records, schema), []);
    }
  });
});
