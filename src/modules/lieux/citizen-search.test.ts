import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { NEEDS, QUOI_EXAMPLES } from './needs.ts';

/** A citizen searching the demo directory in their own words, through the page and the API. */
describe('citizen search on the demo data', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  const page = async (query: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/lieux?${query}` });
    return { status: res.statusCode, body: res.body };
  };
  const api = async (q: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/lieux?q=${encodeURIComponent(q)}` });
    assert.equal(res.statusCode, 200, q);
    return res.json() as { total: number; services_du_besoin?: string[] };
  };

  const typed = [
    ...QUOI_EXAMPLES,
    ...NEEDS.flatMap((n) => n.terms),
    // Accents, capitals, plurals and slips people make.
    'impot',
    'IMPÔTS',
    'aide pour mes impôts',
    'ordinateurs',
    'ordinatuer',
    'smarphone',
    'cartes grises',
    'carte grisse',
    'pole emploi',
    'Emplois',
  ];

  test('every hint example, vocabulary term and common slip finds places, on the page and in the API', async () => {
    const missing: string[] = [];
    for (const q of typed) {
      const { status, body } = await page(`q=${encodeURIComponent(q)}`);
      assert.equal(status, 200, q);
      if (body.includes('Aucun lieu ne correspond')) missing.push(`page: ${q}`);
      if ((await api(q)).total === 0) missing.push(`api: ${q}`);
    }
    assert.deepEqual(missing, []);
  });

  test('the page says which services matched a need', async () => {
    const { body } = await page('q=imp%C3%B4ts');
    assert.match(body, /Lieux qui proposent : Aide aux démarches administratives/);
    assert.deepEqual((await api('CAF')).services_du_besoin, ['Aide aux démarches administratives']);
    const other = await page('q=m%C3%A9diath%C3%A8que');
    assert.doesNotMatch(other.body, /Lieux qui proposent/);
  });

  test('a postcode shared by several communes searches them all and lists them', async () => {
    const { status, body } = await page('ou=42300');
    assert.equal(status, 200);
    assert.match(body, /Bus numérique du Roannais/);
    assert.match(body, /Le code postal 42300 couvre \d+ communes : Roanne, [^<]*Mably/);
    assert.doesNotMatch(body, /Aucun lieu n’est référencé/);
  });

  test('around a commune, places within 30 km first, and a link to widen', async () => {
    const near = await page('ou=Villeurbanne');
    assert.match(near.body, /lieux?<\/span><span> à moins de 30 km de Villeurbanne/);
    assert.doesNotMatch(near.body, /Bus numérique du Roannais/);
    assert.match(
      near.body,
      /<a href="\/lieux\?ou=Villeurbanne&(amp;)?rayon_km=100">Élargir la recherche à 100 km<\/a>/,
    );
    const wider = await page('ou=Villeurbanne&rayon_km=100');
    assert.match(wider.body, /Bus numérique du Roannais/);
    assert.doesNotMatch(wider.body, /Élargir la recherche/);
  });

  test('a position the page cannot read gets the normal page and a message in French', async () => {
    const { status, body } = await page('near=abc&q=CAF');
    assert.equal(status, 200);
    assert.match(body, /Nous n’avons pas pu lire votre position/);
    assert.match(body, /Lieux qui proposent/);
  });

  test('the home page leads with the search form', async () => {
    const { body } = await t.app.inject({ method: 'GET', url: '/' });
    const featured = body.indexOf('Trouver de l’aide près de chez vous');
    assert.ok(
      featured > 0 && featured < body.indexOf('Ce que nous vous proposons'),
      'the search comes first',
    );
    assert.match(body, /<form method="get" action="\/lieux"[^>]*>[\s\S]*name="q"[\s\S]*name="ou"/);
    assert.match(body, /ex\. : impôts, CAF, ordinateur, médiathèque/);
  });

  test('a commune filter given in the address is shown in the form, and can be unticked', async () => {
    const { status, body } = await page('commune=69266');
    assert.equal(status, 200);
    assert.match(
      body,
      /<input type="checkbox" id="commune" name="commune" value="69266" checked\/><label for="commune">Seulement à Villeurbanne<\/label>/,
    );
  });

  test('the list shows phone numbers, and citizen pages speak plain French', async () => {
    const list = await page('ou=Villeurbanne');
    assert.match(list.body, /Téléphone : <a href="tel:\+33478031234">04 78 03 12 34<\/a>/);
    assert.doesNotMatch(list.body, /Outils du quotidien/);
    assert.match(list.body, /Utiliser un ordinateur ou un téléphone/);
    const id = /href="\/lieux\/([0-9a-f-]{36})">France Services de Villeurbanne/.exec(list.body)?.[1];
    const place = await t.app.inject({ method: 'GET', url: `/lieux/${id}` });
    assert.doesNotMatch(place.body, /Se présenter|Maîtrise des outils numériques du quotidien/);
    assert.match(place.body, /Sans rendez-vous, aux heures d’ouverture/);
  });

  test('opening hours keep each time in one piece on a narrow screen', async () => {
    const list = await page('q=France%20Services%20Villeurbanne');
    const id = /href="\/lieux\/([0-9a-f-]{36})">France Services de Villeurbanne/.exec(list.body)?.[1];
    const place = await t.app.inject({ method: 'GET', url: `/lieux/${id}` });
    assert.match(place.body, /12\u00a0h\u00a030, 13\u00a0h\u00a030 – 17\u00a0h/);
    assert.doesNotMatch(place.body, /\d h \d\d/);
  });
});
