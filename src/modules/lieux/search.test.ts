import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { prng } from '../../platform/random.ts';
import { findCommune } from '../territoires/index.ts';
import { importPlaces } from './import.ts';
import { openingState } from './opening-hours.ts';
import { COUNT_CAP, type SearchResult, searchPlaces, searchSchema } from './search.ts';
import { FRAIS, MODALITES_ACCOMPAGNEMENT, PUBLICS, SERVICES } from './vocabulary.ts';

/**
 * Search over a few thousand generated places spread over metropolitan France, checked
 * against the same question answered in JavaScript over the generated data.
 */

const random = prng(20261128);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const some = <T>(values: readonly T[], p: number): T[] => values.filter(() => random() < p);

/** Metropolitan France, roughly: where generated places and query points fall. */
const randomPoint = () => ({ lat: 42.6 + random() * 8.4, lon: -4.4 + random() * 12 });

const COMMUNE_CODES = [
  '69266', // Villeurbanne
  '69029', // Bron
  '69259', // Vénissieux
  '13055', // Marseille
  '31555', // Toulouse
  '33063', // Bordeaux
  '44109', // Nantes
  '67482', // Strasbourg
  '59350', // Lille
  '35238', // Rennes
  '16015', // Angoulême
  '29019', // Brest
  '21231', // Dijon
  '63113', // Clermont-Ferrand
  '93066', // Saint-Denis
];
const COMMUNES = COMMUNE_CODES.map((code) => {
  const commune = findCommune(code);
  assert.ok(commune, `commune ${code} in the reference data`);
  return commune;
});

const NAMES = [
  (c: string) => `Médiathèque de ${c}`,
  () => 'Bibliothèque municipale',
  (c: string) => `France Services ${c}`,
  () => `Centre social ${pick(['des Buers', 'Bellevue', 'du Château', 'Jean-Macé'])}`,
  () => 'Espace public numérique',
  () => `Maison de quartier ${pick(['Saint-Jean', 'les Minguettes', 'la Source'])}`,
  (c: string) => `CCAS de ${c}`,
  () => 'Tiers-lieu La Fabrique',
  () => 'Mission locale',
  () => 'Point numérique CAF',
];

const HOURS = [
  'Mo-Fr 09:00-12:00,14:00-17:00',
  'Tu-Sa 10:00-18:00',
  'We 14:00-18:00',
  'Mo,Th 09:00-12:00',
  'Sa 09:00-12:00',
  'Mo-Su 08:00-20:00',
  'Mo-Fr 13:30-19:00',
  null,
];

type Generated = {
  id: string;
  nom: string;
  commune: string;
  code_postal: string;
  code_insee: string;
  latitude: number | null;
  longitude: number | null;
  services: string[];
  publics: string[];
  modalites: string[];
  frais: string[];
  horaires: string | null;
  draft: boolean;
};

function generatePlace(i: number, draft: boolean): Generated {
  const commune = pick(COMMUNES);
  const point = random() < 0.05 ? null : randomPoint();
  return {
    id: `${draft ? 'brouillon' : 'lieu'}-${i}`,
    nom: pick(NAMES)(commune.name),
    commune: commune.name,
    code_postal: pick(commune.postcodes),
    code_insee: commune.code,
    latitude: point?.lat ?? null,
    longitude: point?.lon ?? null,
    services: some(SERVICES, 0.2),
    publics: some(PUBLICS, 0.15),
    modalites: some(MODALITES_ACCOMPAGNEMENT, 0.3),
    frais: some(FRAIS, 0.3),
    horaires: pick(HOURS),
    draft,
  };
}

const PUBLISHED = Array.from({ length: 3000 }, (_, i) => generatePlace(i, false));
const DRAFTS = Array.from({ length: 60 }, (_, i) => generatePlace(i, true));

function lmnRow(p: Generated): Record<string, unknown> {
  return {
    id: p.id,
    pivot: '00000000000000',
    nom: p.nom,
    commune: p.commune,
    code_postal: p.code_postal,
    code_insee: p.code_insee,
    adresse: '1 place de la Mairie',
    latitude: p.latitude,
    longitude: p.longitude,
    services: p.services.join('|'),
    publics_specifiquement_adresses: p.publics,
    modalites_accompagnement: p.modalites.join('|'),
    frais_a_charge: p.frais.join('|'),
    horaires: p.horaires,
    date_maj: '2026-11-02',
  };
}

/** The radius of PostgreSQL earthdistance's sphere (`earth()`), in metres. */
const EARTH_RADIUS_M = 6378168;

/** Great-circle distance in kilometres (haversine), on earthdistance's sphere. */
function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return (2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)))) / 1000;
}

const withPosition = PUBLISHED.filter(
  (p): p is Generated & { latitude: number; longitude: number } => p.latitude !== null,
);

const unaccented = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

describe('searchPlaces over a few thousand places', () => {
  let t: TestDatabase;
  let db: Db;
  const FIXED_NOW = new Date('2026-03-11T09:30:00Z'); // a Wednesday, 10:30 in Paris

  before(async () => {
    t = await createTestDatabase();
    db = t.db;
    const actor = systemActor('tests');
    const published = await importPlaces(db, actor, JSON.stringify(PUBLISHED.map(lmnRow)), {
      fileName: 'generes.json',
    });
    assert.ok(published.ok && published.report.created === PUBLISHED.length, 'every place imported');
    const drafts = await importPlaces(db, actor, JSON.stringify(DRAFTS.map(lmnRow)), {
      fileName: 'brouillons.json',
      draft: true,
    });
    assert.ok(drafts.ok && drafts.report.created === DRAFTS.length, 'every draft imported');
    await sql`analyze lieu`.execute(db);
  });
  after(() => t.close());

  const search = (params: Record<string, unknown>, now?: Date): Promise<SearchResult> =>
    searchPlaces(db, searchSchema.parse(params), now);

  /** Every hit of a query, page after page (500 a page), as standard ids. */
  async function allIds(params: Record<string, unknown>, now?: Date): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let page = 1; ; page++) {
      const result = await search({ ...params, limit: 500, page }, now);
      for (const hit of result.hits) ids.add(hit.lmn_id);
      if (result.hits.length < 500) {
        assert.equal(result.totalIsCapped, false, 'the query matches fewer than COUNT_CAP places');
        assert.equal(result.total, ids.size, 'total counts every hit');
        return ids;
      }
    }
  }

  /** Compares a query's hits with the published places `expected` keeps. */
  async function assertFinds(
    params: Record<string, unknown>,
    expected: (p: Generated) => boolean,
    now?: Date,
  ): Promise<void> {
    const wanted = PUBLISHED.filter(expected).map((p) => p.id);
    assert.ok(wanted.length > 0, `${JSON.stringify(params)} has something to find`);
    assert.ok(wanted.length < COUNT_CAP, `${JSON.stringify(params)}: fewer than ${COUNT_CAP} to find`);
    const found = await allIds(params, now);
    assert.deepEqual([...found].sort(), wanted.sort(), JSON.stringify(params));
  }

  test('text ignores accents: "mediatheque" finds every Médiathèque', async () => {
    await assertFinds({ q: 'mediatheque' }, (p) => p.nom.startsWith('Médiathèque'));
    await assertFinds({ q: 'MÉDIATHÈQUE' }, (p) => p.nom.startsWith('Médiathèque'));
  });

  test('text tolerates typos in names and communes', async () => {
    await assertFinds({ q: 'Mediatheqe' }, (p) => p.nom.startsWith('Médiathèque'));
    await assertFinds({ q: 'Villeurbane' }, (p) => p.commune === 'Villeurbanne');
    await assertFinds({ q: 'Strasbour' }, (p) => p.commune === 'Strasbourg');
  });

  test('text uses French stemming: "démarche" finds the services "démarches"', async () => {
    const demarches = (p: Generated) => p.services.includes('Aide aux démarches administratives');
    await assertFinds({ q: 'démarche' }, demarches);
    await assertFinds({ q: 'demarches administrative' }, demarches);
  });

  test('the best-ranked hits come first: a name beats a commune', async () => {
    const result = await search({ q: 'Médiathèque Bron', limit: 5 });
    assert.ok(result.hits.length > 0);
    for (const hit of result.hits) assert.match(unaccented(hit.nom), /mediatheque de bron/);
  });

  test('a postcode as query finds the places of that postcode', async () => {
    await assertFinds({ q: '69100' }, (p) => p.code_postal === '69100');
    const none = await search({ q: '99999' });
    assert.equal(none.total, 0);
  });

  test('the commune filter takes an INSEE code, a postcode or a name', async () => {
    const villeurbanne = (p: Generated) => p.code_insee === '69266';
    await assertFinds({ commune: '69266' }, villeurbanne);
    await assertFinds({ commune: 'Villeurbanne' }, villeurbanne);
    await assertFinds({ commune: 'villeurbanne' }, villeurbanne);
    // 69500 is Bron's postcode and no INSEE code (69100 would be Irigny's INSEE code).
    await assertFinds({ commune: '69500' }, (p) => p.code_insee === '69029');
    await assertFinds({ commune: 'Clermont Ferrand' }, (p) => p.code_insee === '63113');
    const result = await search({ commune: 'Villeurbanne' });
    assert.deepEqual(result.communes, ['69266']);
    const unknown = await search({ commune: 'Atlantide' });
    assert.equal(unknown.total, 0);
  });

  test('the département filter keeps the places of its communes', async () => {
    await assertFinds({ departement: '69' }, (p) => p.code_insee.startsWith('69'));
  });

  test('each value of each vocabulary filters the places that have it', async () => {
    const filters: [string, readonly string[], (p: Generated) => string[]][] = [
      ['services', SERVICES, (p) => p.services],
      ['publics', PUBLICS, (p) => p.publics],
      ['modalites', MODALITES_ACCOMPAGNEMENT, (p) => p.modalites],
      ['frais', FRAIS, (p) => p.frais],
    ];
    for (const [param, values, of] of filters) {
      for (const value of values) await assertFinds({ [param]: value }, (p) => of(p).includes(value));
    }
  });

  test('several values of a filter mean any of them; several filters mean all of them', async () => {
    const [a, b] = [PUBLICS[0], PUBLICS[3]];
    await assertFinds({ publics: [a, b] }, (p) => p.publics.includes(a) || p.publics.includes(b));
    await assertFinds({ publics: `${a}|${b}` }, (p) => p.publics.includes(a) || p.publics.includes(b));
    await assertFinds(
      { services: SERVICES[0], frais: 'Gratuit', commune: '69266' },
      (p) => p.services.includes(SERVICES[0]) && p.frais.includes('Gratuit') && p.code_insee === '69266',
    );
  });

  test('ouvert=maintenant keeps the places open at that instant', async () => {
    // Wednesday 10:30, Saturday 16:00, Sunday 21:00 (Paris); the Rhône keeps counts below the cap.
    for (const now of [FIXED_NOW, new Date('2026-03-14T15:00:00Z'), new Date('2026-03-15T20:00:00Z')]) {
      const open = (p: Generated) =>
        p.code_insee.startsWith('69') && p.horaires !== null && openingState(p.horaires, now)?.open === true;
      const expected = PUBLISHED.filter(open).length;
      if (expected === 0) {
        const result = await search({ ouvert: 'maintenant', departement: '69' }, now);
        assert.equal(result.total, 0, now.toISOString());
      } else {
        await assertFinds({ ouvert: 'maintenant', departement: '69' }, open, now);
      }
    }
    // 10:30 on a Wednesday: the weekday timetables are open, "Sa 09:00-12:00" is not.
    const wednesday = await allIds({ ouvert: 'maintenant', commune: '69266' }, FIXED_NOW);
    const villeurbanne = PUBLISHED.filter((p) => p.code_insee === '69266');
    assert.ok(
      villeurbanne.some((p) => p.horaires === 'Mo-Fr 09:00-12:00,14:00-17:00' && wednesday.has(p.id)),
    );
    assert.ok(!villeurbanne.some((p) => p.horaires === 'Sa 09:00-12:00' && wednesday.has(p.id)));
  });

  test('drafts are never returned', async () => {
    const draftIds = new Set(DRAFTS.map((d) => d.id));
    const queries: Record<string, unknown>[] = [
      { q: 'mediatheque' },
      { q: '69100' },
      { commune: '69266' },
      { services: SERVICES[0] },
      { ouvert: 'maintenant' },
      { near: `${DRAFTS[0]!.latitude ?? 45.76},${DRAFTS[0]!.longitude ?? 4.88}`, rayon_km: 100 },
    ];
    for (const params of queries) {
      const result = await search({ ...params, limit: 500 }, FIXED_NOW);
      const leaked = result.hits.filter((h) => draftIds.has(h.lmn_id));
      assert.deepEqual(leaked, [], JSON.stringify(params));
    }
    for (const draft of DRAFTS.filter((d) => d.latitude !== null).slice(0, 5)) {
      const nearest = await search({ near: `${draft.latitude},${draft.longitude}`, limit: 3 });
      assert.ok(!nearest.hits.some((h) => draftIds.has(h.lmn_id)), 'not even right next to a draft');
    }
  });

  test('near: the 10 nearest places are those of a brute-force great-circle sort', async () => {
    for (let i = 0; i < 20; i++) {
      const point = randomPoint();
      const expected = withPosition
        .map((p) => ({ id: p.id, km: haversineKm(point.lat, point.lon, p.latitude, p.longitude) }))
        .sort((a, b) => a.km - b.km);
      const distanceOf = new Map(expected.map((e) => [e.id, e.km]));
      const result = await search({ near: `${point.lat},${point.lon}`, limit: 10 });
      assert.equal(result.hits.length, 10);
      assert.equal(new Set(result.hits.map((h) => h.lmn_id)).size, 10);
      for (const [rank, hit] of result.hits.entries()) {
        const label = `point ${i} (${point.lat.toFixed(4)},${point.lon.toFixed(4)}), rank ${rank}`;
        const wanted = expected[rank]!.km;
        // The place at this rank is at the rank's distance (another place at the same distance may take it).
        assert.ok(Math.abs(distanceOf.get(hit.lmn_id)! - wanted) <= 1e-9 * wanted, `${label}: ${hit.lmn_id}`);
        assert.ok(hit.distance_km !== null, label);
        assert.ok(
          Math.abs(hit.distance_km - wanted) <= 0.005 * wanted,
          `${label}: ${hit.distance_km} km, JavaScript says ${wanted} km`,
        );
      }
    }
  });

  test('near with rayon_km returns exactly the places within the radius, nearest first', async () => {
    // `withPosition` leaves out the places without coordinates: they must not come back either.
    for (let i = 0; i < 10; i++) {
      const point = randomPoint();
      const radius = pick([15, 40, 80]);
      const distances = withPosition.map((p) => ({
        id: p.id,
        km: haversineKm(point.lat, point.lon, p.latitude, p.longitude),
      }));
      // Places within a hair of the circle may fall either side of it in floating point.
      const onEdge = (km: number) => Math.abs(km - radius) <= 1e-6 * radius;
      const inside = distances.filter((d) => d.km <= radius && !onEdge(d.km)).map((d) => d.id);
      const edge = new Set(distances.filter((d) => onEdge(d.km)).map((d) => d.id));
      const params = { near: `${point.lat},${point.lon}`, rayon_km: radius };
      const found = await allIds(params);
      assert.deepEqual(
        [...found].filter((id) => !edge.has(id)).sort(),
        inside.sort(),
        `point ${i} (${point.lat},${point.lon}), ${radius} km`,
      );
      const first = await search({ ...params, limit: 500 });
      const kms = first.hits.map((h) => h.distance_km as number);
      assert.deepEqual(
        kms,
        [...kms].sort((a, b) => a - b),
        'ordered by distance',
      );
      assert.ok(kms.every((km) => km <= radius * (1 + 1e-6)));
    }
  });

  test('the nearest query walks the lieu_geo index, without reading the whole table', async () => {
    for (const params of [{ near: '45.7758,4.8636' }, { near: '48.85,2.35', rayon_km: 30 }]) {
      const captured: CompiledQuery[] = [];
      const spy = db.withPlugin({
        transformQuery: (args) => {
          captured.push(db.getExecutor().compileQuery(args.node, args.queryId));
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      await searchPlaces(spy, searchSchema.parse({ ...params, limit: 10 }));
      const nearest = captured.find((q) => q.sql.includes('<->'));
      assert.ok(nearest, `the nearest query among ${captured.map((q) => q.sql).join('\n')}`);
      // With a few thousand rows and fresh statistics (ANALYZE in `before`), the planner
      // picks the index unaided: no `enable_seqscan = off` here.
      const explained = await db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${nearest.sql}`, [...nearest.parameters]),
      );
      const plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /lieu_geo/, `${JSON.stringify(params)}\n${plan}`);
      assert.doesNotMatch(plan, /Seq Scan on lieu/, `${JSON.stringify(params)}\n${plan}`);
    }
  });
});
