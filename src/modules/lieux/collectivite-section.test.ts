import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { givenCollectivite, givenPlace } from '../../../test/helpers/builders.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';

/** A collectivité's public page lists its published places, and only them. */
describe('places on a collectivité’s public page', () => {
  let t: TestApp;
  let page = '';
  let emptyPage = '';

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const bron = await givenCollectivite(t, { code: '69029' });
    const empty = await givenCollectivite(t, { code: '69034' });
    await givenPlace(t, {
      collectivite: villeurbanne,
      nom: 'Médiathèque du Tonkin',
      telephone: ['+33478031234'],
    });
    await givenPlace(t, { collectivite: villeurbanne, nom: 'Brouillon des Gratte-Ciel', published: false });
    await givenPlace(t, { collectivite: bron, nom: 'CCAS de Bron', commune: 'Bron', code_insee: '69029' });
    const get = async (slug: string) => {
      const res = await new Client(t.app).get(`/collectivites/${slug}`);
      assert.equal(res.statusCode, 200);
      return res.body;
    };
    page = await get(villeurbanne.slug);
    emptyPage = await get(empty.slug);
  });
  after(() => t.close());

  test('its published places are listed with a link, their address and phone', async () => {
    assert.match(page, /<h2 id="lieux-collectivite">Où trouver de l’aide<\/h2>/);
    assert.match(page, /<a href="\/lieux\/[0-9a-f-]{36}">Médiathèque du Tonkin<\/a>/);
    assert.match(page, /<a href="tel:\+33478031234">04 78 03 12 34<\/a>/);
    await assertValidHtml(page);
  });

  test('drafts and other collectivités’ places are not', () => {
    assert.doesNotMatch(page, /Brouillon des Gratte-Ciel/);
    assert.doesNotMatch(page, /CCAS de Bron/);
  });

  test('a collectivité without a published place says so and leads to the directory', () => {
    assert.match(emptyPage, /n’est encore publié dans l’annuaire/);
    assert.match(emptyPage, /<a href="\/lieux">Chercher un lieu près de chez vous<\/a>/);
  });
});
