import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Client, createTestApp, h1, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import { assertValidHtml as assertValidPage } from '../../../test/helpers/html.ts';
import {
  loadLmnSchema,
  parseCsvRecords,
  REFERENCE_MISSING,
  readReference,
  validateLmnRecords,
} from '../../../test/helpers/lmn-schema.ts';
import { LMN_FIELD_NAMES } from './vocabulary.ts';

/** The demo's places: ten published, one draft. */
const DRAFT_NAME = 'Atelier numérique seniors (Gratte-Ciel)';
const PUBLISHED_COUNT = 10;

type Item = {
  id: string;
  lmn_id: string;
  nom: string;
  commune: string;
  code_insee: string | null;
  latitude: number | null;
  longitude: number | null;
  services: string[];
  horaires: string | null;
  ouvert: boolean | null;
  distance_km: number | null;
  url: string;
};
type SearchBody = { total: number; total_plafonne: boolean; page: number; limit: number; items: Item[] };

function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6378.168 * Math.asin(Math.sqrt(a));
}

async function assertValidHtml(html: string, url: string): Promise<void> {
  assert.match(html, /^<!doctype html><html lang="fr">/, url);
  await assertValidPage(html, url);
}

/** Place ids in the order a results page lists them. */
const listedIds = (html: string) =>
  [...html.matchAll(/<h2 class="h3"><a href="\/lieux\/([0-9a-f-]{36})">/g)].map((m) => m[1]);

describe('places API and public pages (demo data)', () => {
  let t: TestApp;
  let places: {
    id: string;
    lmn_id: string;
    nom: string;
    status: string;
    latitude: number | null;
    longitude: number | null;
    code_insee: string | null;
  }[];
  let draftId: string;

  before(async () => {
    t = await createTestApp({ demo: true });
    places = await t.db.db
      .selectFrom('lieu')
      .select(['id', 'lmn_id', 'nom', 'status', 'latitude', 'longitude', 'code_insee'])
      .execute();
    draftId = places.find((p) => p.nom === DRAFT_NAME)!.id;
  });
  after(() => t.close());

  const published = () => places.filter((p) => p.status === 'publie');
  const get = (url: string) => new Client(t.app).get(url);
  const getJson = async <T>(url: string): Promise<T> => {
    const res = await get(url);
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    return res.json() as T;
  };

  test('the demo has ten published places and one draft', () => {
    assert.equal(published().length, PUBLISHED_COUNT);
    assert.equal(places.find((p) => p.id === draftId)?.status, 'brouillon');
  });

  describe('/api/v1/lieux', () => {
    test('answers the published places in the documented shape', async () => {
      const body = await getJson<SearchBody>('/api/v1/lieux?limit=100');
      assert.deepEqual(Object.keys(body).sort(), ['items', 'limit', 'page', 'total', 'total_plafonne']);
      assert.equal(body.total, PUBLISHED_COUNT);
      assert.equal(body.total_plafonne, false);
      assert.equal(body.page, 1);
      assert.equal(body.limit, 100);
      assert.equal(body.items.length, PUBLISHED_COUNT);
      assert.deepEqual(
        body.items.map((i) => i.id).sort(),
        published()
          .map((p) => p.id)
          .sort(),
      );
      const item = body.items.find((i) => i.lmn_id === 'demo-villeurbanne-france-services');
      assert.ok(item);
      assert.deepEqual(Object.keys(item).sort(), [
        'adresse',
        'code_insee',
        'code_postal',
        'commune',
        'complement_adresse',
        'distance_km',
        'frais_a_charge',
        'horaires',
        'id',
        'latitude',
        'lmn_id',
        'longitude',
        'modalites_accompagnement',
        'nom',
        'ouvert',
        'services',
        'telephone',
        'url',
      ]);
      assert.equal(item.nom, 'France Services de Villeurbanne');
      assert.equal(item.commune, 'Villeurbanne');
      assert.equal(item.code_insee, '69266');
      assert.equal(item.latitude, 45.7665);
      assert.deepEqual(item.services, [
        'Aide aux démarches administratives',
        'Maîtrise des outils numériques du quotidien',
      ]);
      assert.equal(typeof item.ouvert, 'boolean');
      assert.equal(item.distance_km, null, 'no distance without near');
      assert.equal(item.url, `${testConfig.publicUrl}/lieux/${item.id}`);
    });

    test('never answers the draft', async () => {
      const all = await getJson<SearchBody>('/api/v1/lieux?limit=500');
      assert.ok(!all.items.some((i) => i.id === draftId || i.nom === DRAFT_NAME));
      const byName = await getJson<SearchBody>(`/api/v1/lieux?q=${encodeURIComponent('Atelier seniors')}`);
      assert.ok(!byName.items.some((i) => i.nom === DRAFT_NAME));
      const nearby = await getJson<SearchBody>('/api/v1/lieux?near=45.7699,4.8801&limit=3');
      assert.ok(!nearby.items.some((i) => i.id === draftId), 'not even next to it');
    });

    test('near orders by distance and gives each one', async () => {
      const body = await getJson<SearchBody>('/api/v1/lieux?near=45.7758,4.8636');
      assert.equal(body.items.length, PUBLISHED_COUNT);
      assert.equal(body.items[0]?.lmn_id, 'demo-villeurbanne-mediatheque');
      assert.equal(body.items[0]?.distance_km, 0);
      const distances = body.items.map((i) => i.distance_km as number);
      assert.deepEqual(
        distances,
        [...distances].sort((a, b) => a - b),
      );
      for (const item of body.items) {
        const km = haversineKm(45.7758, 4.8636, item.latitude!, item.longitude!);
        assert.ok(Math.abs(item.distance_km! - km) <= Math.max(0.005 * km, 0.006), `${item.nom}: ${km}`);
        assert.equal(item.distance_km, Math.round(item.distance_km! * 100) / 100, 'rounded to 10 m');
      }
      const within = await getJson<SearchBody>('/api/v1/lieux?near=45.7758,4.8636&rayon_km=5');
      assert.ok(within.items.length > 0 && within.items.length < PUBLISHED_COUNT);
      assert.ok(within.items.every((i) => (i.distance_km as number) <= 5));
    });

    test('filters by text, service and commune', async () => {
      const text = await getJson<SearchBody>('/api/v1/lieux?q=mediatheque');
      assert.deepEqual(text.items.map((i) => i.nom).sort(), [
        'Médiathèque de Caluire',
        'Médiathèque du Tonkin',
      ]);
      const service = await getJson<SearchBody>(
        `/api/v1/lieux?services=${encodeURIComponent('Utilisation sécurisée du numérique')}`,
      );
      assert.deepEqual(service.items.map((i) => i.lmn_id).sort(), [
        'demo-saint-chamond-france-services',
        'demo-villeurbanne-centre-social',
      ]);
      const commune = await getJson<SearchBody>('/api/v1/lieux?commune=69266');
      assert.equal(commune.total, 3);
    });

    test('bad parameters get a 400 with a French message', async () => {
      const cases: [string, string][] = [
        ['near=abc', 'près de : « latitude,longitude » attendu, par exemple 45.76,4.88'],
        ['services=Nope', 'services : valeur inconnue'],
        ['limit=9999', 'limit : 500 lieux par page au plus'],
        ['limit=abc', 'limit : nombre entier de 1 à 500 attendu'],
        ['page=0', 'page : nombre entier de 1 à 1000 attendu'],
        ['rayon_km=1000&near=45.7,4.8', 'rayon : de 0,1 à 500 kilomètres'],
        ['ouvert=demain', 'ouvert : seule valeur possible « maintenant »'],
      ];
      for (const [query, message] of cases) {
        const res = await get(`/api/v1/lieux?${query}`);
        assert.equal(res.statusCode, 400, query);
        assert.deepEqual(res.json(), { error: 'bad_request', message }, query);
      }
    });
  });

  describe('open-data exports', () => {
    test('/api/v1/lieux.csv: the standard’s columns in order, one line per published place', async () => {
      const res = await get('/api/v1/lieux.csv');
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/);
      const [header] = res.body.split('\n');
      assert.equal(header, LMN_FIELD_NAMES.join(','));
      const records = parseCsvRecords(res.body);
      assert.equal(records.length, PUBLISHED_COUNT);
      assert.ok(!records.some((r) => r.nom === DRAFT_NAME));
      assert.deepEqual(
        records.map((r) => r.id).sort(),
        published()
          .map((p) => p.lmn_id)
          .sort(),
      );
    });

    test('/api/v1/lieux.csv validates against the official LMN schema', {
      skip: REFERENCE_MISSING,
    }, async () => {
      const schema = loadLmnSchema();
      assert.ok(schema);
      const res = await get('/api/v1/lieux.csv');
      assert.equal(res.body.split('\n')[0], schema.fields.map((f) => f.name).join(','));
      const records = parseCsvRecords(res.body);
      assert.deepEqual(validateLmnRecords(records, schema), []);
    });

    test('/api/v1/lieux.json holds the same places and values as the CSV', async () => {
      const json = await getJson<Record<string, string | number | null>[]>('/api/v1/lieux.json');
      const csv = parseCsvRecords((await get('/api/v1/lieux.csv')).body);
      assert.equal(json.length, csv.length);
      const asCsv = (record: Record<string, string | number | null>) =>
        Object.fromEntries(LMN_FIELD_NAMES.map((n) => [n, record[n] === null ? '' : String(record[n])]));
      assert.deepEqual(json.map(asCsv), csv);
    });

    test('/api/v1/structures.json and services.json: one structure per published place', async () => {
      const structures =
        await getJson<{ id: string; nom: string; source: string }[]>('/api/v1/structures.json');
      const services = await getJson<{ id: string; structure_id: string }[]>('/api/v1/services.json');
      assert.ok(Array.isArray(structures) && Array.isArray(services));
      assert.equal(structures.length, PUBLISHED_COUNT);
      assert.deepEqual(
        structures.map((s) => s.id).sort(),
        published()
          .map((p) => p.lmn_id)
          .sort(),
      );
      assert.ok(!structures.some((s) => s.nom === DRAFT_NAME));
      assert.ok(services.length >= PUBLISHED_COUNT, 'every demo place offers at least one service');
      const ids = new Set(structures.map((s) => s.id));
      assert.ok(services.every((s) => ids.has(s.structure_id)));
      assert.equal(new Set(services.map((s) => s.id)).size, services.length);
    });

    test('structures and services validate against the data.inclusion schemas', {
      skip: REFERENCE_MISSING,
    }, async () => {
      const ajv = new Ajv2020({ allErrors: true, strict: true });
      addFormats.default(ajv);
      const schema = (name: string) => JSON.parse(readReference('data-inclusion', name) ?? 'null') as object;
      const structure = ajv.compile(schema('structure.json'));
      const service = ajv.compile(schema('service.json'));
      for (const s of await getJson<unknown[]>('/api/v1/structures.json')) {
        assert.ok(structure(s), JSON.stringify(structure.errors));
      }
      for (const s of await getJson<unknown[]>('/api/v1/services.json')) {
        assert.ok(service(s), JSON.stringify(service.errors));
      }
    });

    test('the OpenAPI document lists /lieux and its parameters', async () => {
      const doc = await getJson<{
        paths: Record<string, { get?: { parameters?: { name: string; in: string }[]; responses?: object } }>;
      }>('/api/v1/openapi.json');
      const lieux = doc.paths['/api/v1/lieux']?.get;
      assert.ok(lieux, `paths: ${Object.keys(doc.paths).join(', ')}`);
      const names = (lieux.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const name of ['q', 'services', 'publics', 'modalites', 'frais', 'commune', 'near', 'rayon_km']) {
        assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
      }
      for (const name of ['ouvert', 'page', 'limit']) assert.ok(names.includes(name), name);
      assert.ok(lieux.responses && '200' in lieux.responses && '400' in lieux.responses);
      for (const path of [
        '/api/v1/lieux.csv',
        '/api/v1/lieux.json',
        '/api/v1/structures.json',
        '/api/v1/services.json',
      ])
        assert.ok(doc.paths[path]?.get, path);
    });
  });

  describe('public pages', () => {
    test('/lieux lists the published places, in plain HTML', async () => {
      const res = await get('/lieux');
      assert.equal(res.statusCode, 200);
      assert.equal(h1(res.body), 'Trouver de l’aide au numérique');
      assert.match(res.body, /10 lieux/);
      assert.deepEqual(
        listedIds(res.body).sort(),
        published()
          .map((p) => p.id)
          .sort(),
      );
      assert.ok(!res.body.includes(DRAFT_NAME));
      assert.ok(res.body.includes('>Médiathèque du Tonkin</a>'));
      // The search is a plain GET form: it works without JavaScript.
      assert.match(res.body, /<form method="get" action="\/lieux"/);
      await assertValidHtml(res.body, '/lieux');
    });

    test('/lieux?q=… filters', async () => {
      const res = await get('/lieux?q=mediatheque');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /2 lieux/);
      const ids = listedIds(res.body);
      assert.deepEqual(ids.map((id) => places.find((p) => p.id === id)?.nom).sort(), [
        'Médiathèque de Caluire',
        'Médiathèque du Tonkin',
      ]);
      assert.match(res.body, /<input type="search"[^>]*value="mediatheque"/);
      const none = await get('/lieux?q=piscine');
      assert.match(none.body, /Aucun lieu ne correspond/);
      assert.deepEqual(listedIds(none.body), []);
    });

    test('/lieux with bad parameters says what is wrong, in French, with a 400', async () => {
      const res = await get('/lieux?ouvert=demain');
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /ouvert : seule valeur possible « maintenant »/);
      await assertValidHtml(res.body, '/lieux?ouvert=demain');
    });

    for (const ou of ['Villeurbanne', 'villeurbanne', '69100']) {
      test(`/lieux?ou=${ou} orders by distance from Villeurbanne, within 30 km`, async () => {
        const res = await get(`/lieux?ou=${ou}`);
        assert.equal(res.statusCode, 200);
        assert.match(res.body, /à moins de 30 km de Villeurbanne/);
        // Centred on the middle of Villeurbanne's published places.
        const own = published().filter((p) => p.code_insee === '69266');
        const lat = own.reduce((s, p) => s + p.latitude!, 0) / own.length;
        const lon = own.reduce((s, p) => s + p.longitude!, 0) / own.length;
        const expected = published()
          .map((p) => ({ id: p.id, km: haversineKm(lat, lon, p.latitude!, p.longitude!) }))
          .filter((p) => p.km <= 30)
          .sort((a, b) => a.km - b.km)
          .map((p) => p.id);
        assert.deepEqual(listedIds(res.body), expected);
        assert.match(res.body, /· à \d+ m<\/strong>|· à [\d,]+ km<\/strong>/);
        if (ou === 'Villeurbanne') await assertValidHtml(res.body, `/lieux?ou=${ou}`);
      });
    }

    test('a commune without places falls back to its département', async () => {
      const res = await get('/lieux?ou=Lyon');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Aucun lieu n’est référencé à Lyon : voici les lieux de son département\./);
      const rhone = published().filter((p) => p.code_insee?.startsWith('69'));
      assert.deepEqual(listedIds(res.body).sort(), rhone.map((p) => p.id).sort());
      assert.ok(rhone.length < PUBLISHED_COUNT, 'the Loire places are left out');
      const unknown = await get('/lieux?ou=Atlantide');
      assert.match(unknown.body, /Nous ne trouvons pas de commune « Atlantide »/);
    });

    test('a place’s page shows its name, address, hours in French, contacts and JSON-LD', async () => {
      const place = places.find((p) => p.lmn_id === 'demo-villeurbanne-france-services')!;
      const res = await get(`/lieux/${place.id}`);
      assert.equal(res.statusCode, 200);
      assert.equal(h1(res.body), 'France Services de Villeurbanne');
      assert.match(res.body, /<address>\s*<span>3 avenue Aristide-Briand<\/span>/);
      assert.match(res.body, /69100 Villeurbanne/);
      assert.match(res.body, /<dt>Lundi<\/dt>/);
      assert.match(res.body, /<dt>Dimanche<\/dt>/);
      assert.match(res.body, /<a href="tel:\+33478031234">04 78 03 12 34<\/a>/);
      assert.match(
        res.body,
        /<a href="https:\/\/www\.openstreetmap\.org\/directions\?route=%3B45\.7665%2C4\.8795"/,
      );
      const jsonLd = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(res.body)?.[1];
      assert.ok(jsonLd, 'has JSON-LD');
      const data = JSON.parse(jsonLd) as Record<string, unknown>;
      assert.equal(data['@context'], 'https://schema.org');
      assert.equal(data['@type'], 'Place');
      assert.equal(data.name, 'France Services de Villeurbanne');
      assert.equal(data.telephone, '+33478031234');
      assert.equal(data.openingHours, 'Mo-Fr 09:00-12:30,13:30-17:00');
      assert.deepEqual(data.geo, { '@type': 'GeoCoordinates', latitude: 45.7665, longitude: 4.8795 });
      assert.equal(data.url, `${testConfig.publicUrl}/lieux/${place.id}`);
      await assertValidHtml(res.body, '/lieux/:id');
    });

    test('a draft, an unknown id or a malformed id answer 404', async () => {
      for (const id of [draftId, '00000000-0000-4000-8000-000000000000', 'demo-bron-ccas', 'abc']) {
        const res = await get(`/lieux/${id}`);
        assert.equal(res.statusCode, 404, id);
        assert.equal(h1(res.body), 'Page introuvable', id);
        assert.ok(!res.body.includes(DRAFT_NAME));
      }
    });
  });
});
