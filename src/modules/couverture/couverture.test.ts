import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testConfig } from '../../../test/helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { seedDemoOnce } from '../../main.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { setPlaceStatus } from '../lieux/index.ts';
import { DEMO_COMMUNES } from '../territoires/index.ts';
import { saveCentres } from './centres.ts';
import { communePositions, coverageOf, placesOpeningWhiteZones, SERVICES, whiteZones } from './index.ts';
import { DEMO_TOWN_HALLS } from './seed.ts';

/**
 * Generated geography: communes of the Creuse (real INSEE codes, official populations) given
 * invented centres, and places set at known distances due north of them. `ll_to_earth` uses a
 * sphere of 6 378 168 m, so one degree of latitude is 111.32 km along a meridian.
 */
const KM_PER_DEGREE = (6_378_168 * Math.PI) / 180 / 1000;
const north = (from: { latitude: number; longitude: number }, km: number) => ({
  latitude: from.latitude + km / KM_PER_DEGREE,
  longitude: from.longitude,
});

/** `km` north and `km` east: √2 × km away, inside the square of side 2 × km around the start. */
const northEast = (from: { latitude: number; longitude: number }, km: number) => ({
  latitude: from.latitude + km / KM_PER_DEGREE,
  longitude: from.longitude + km / (KM_PER_DEGREE * Math.cos((from.latitude * Math.PI) / 180)),
});

const AHUN = { code: '23001', population: 1394, latitude: 46.1, longitude: 2.0 };
const AJAIN = { code: '23002', population: 1019, latitude: 46.5, longitude: 2.0 };
const ALLEYRAT = { code: '23003', population: 144 };
const ANZEME = { code: '23004', population: 551 };

const [DEMARCHES, OUTILS, INSERTION] = SERVICES;

let placeNumber = 0;

/** A place of the directory, published unless told otherwise. */
async function addPlace(
  db: Db,
  place: {
    code: string;
    services: string[];
    position?: { latitude: number; longitude: number };
    status?: 'publie' | 'brouillon';
  },
): Promise<string> {
  placeNumber += 1;
  const { rows } = await sql<{ id: string }>`
    insert into lieu (lmn_id, status, pivot, nom, commune, code_postal, code_insee, adresse, date_maj,
      latitude, longitude, services)
    values (${`couverture-test-${placeNumber}`}, ${place.status ?? 'publie'}, '00000000000000',
      ${`Lieu ${placeNumber}`}, 'Commune', '23000', ${place.code}, '1 place de la Mairie', '2026-01-15',
      ${place.position?.latitude ?? null}, ${place.position?.longitude ?? null}, ${place.services}::text[])
    returning id`.execute(db);
  const row = rows[0]!;
  return row.id;
}

describe('coverage of communes by the published places', () => {
  let handle: TestDatabase;
  let db: Db;
  before(async () => {
    handle = await createTestDatabase();
    db = handle.db;
  });
  after(() => handle.close());
  beforeEach(async () => {
    await sql`delete from lieu`.execute(db);
    await sql`delete from commune_centre`.execute(db);
  });

  const centres = (...communes: { code: string; latitude: number; longitude: number }[]) =>
    saveCentres(db, communes, 'tests');

  test('a service offered 3 km away is nearby, one offered 8 km away is not', async () => {
    await centres(AHUN, AJAIN);
    // Both places belong to Ajain but stand north of Ahun's centre.
    await addPlace(db, { code: AJAIN.code, services: [DEMARCHES], position: north(AHUN, 3) });
    await addPlace(db, { code: AJAIN.code, services: [OUTILS], position: north(AHUN, 8) });
    // 6.4 km away, but within the bounding box of a 5 km radius: the exact distance decides.
    await addPlace(db, { code: AJAIN.code, services: [INSERTION], position: northEast(AHUN, 4.5) });

    const coverage = await coverageOf(db, [AHUN.code]);
    assert.equal(coverage.radiusKm, 5);
    const [ahun] = coverage.communes;
    assert.equal(ahun?.position, 'centre');
    assert.equal(ahun?.places, 0);
    assert.equal(ahun?.services[DEMARCHES], 'proche');
    assert.equal(ahun?.services[OUTILS], 'aucun');
    assert.equal(ahun?.services[INSERTION], 'aucun');

    const wider = await coverageOf(db, [AHUN.code], { radiusKm: 6.5 });
    assert.equal(wider.communes[0]?.services[INSERTION], 'proche');
    assert.equal(wider.communes[0]?.services[OUTILS], 'aucun');
    const widest = await coverageOf(db, [AHUN.code], { radiusKm: 10 });
    assert.equal(widest.communes[0]?.services[OUTILS], 'proche');
    const narrower = await coverageOf(db, [AHUN.code], { radiusKm: 2.9 });
    assert.equal(narrower.communes[0]?.services[DEMARCHES], 'aucun');
  });

  test('a service of a place in the commune counts as in the commune, however far from its centre', async () => {
    await centres(AHUN);
    await addPlace(db, { code: AHUN.code, services: [INSERTION], position: north(AHUN, 20) });
    await addPlace(db, { code: AHUN.code, services: [OUTILS] });
    const [ahun] = (await coverageOf(db, [AHUN.code])).communes;
    assert.equal(ahun?.places, 2);
    assert.equal(ahun?.services[INSERTION], 'commune');
    assert.equal(ahun?.services[OUTILS], 'commune');
    assert.equal(ahun?.services[DEMARCHES], 'aucun');
  });

  test('drafts count nowhere: not in the commune, not nearby, not as a position', async () => {
    await centres(AHUN);
    await addPlace(db, {
      code: AHUN.code,
      services: [DEMARCHES],
      position: north(AHUN, 1),
      status: 'brouillon',
    });
    await addPlace(db, {
      code: AJAIN.code,
      services: [OUTILS],
      position: north(AHUN, 2),
      status: 'brouillon',
    });
    const coverage = await coverageOf(db, [AHUN.code, AJAIN.code]);
    const [ahun, ajain] = coverage.communes;
    assert.equal(ahun?.places, 0);
    assert.ok(SERVICES.every((s) => ahun?.services[s] === 'aucun'));
    assert.equal(ajain?.position, 'inconnue');
    assert.ok(SERVICES.every((s) => ajain?.services[s] === 'inconnu'));
  });

  test('places per 10 000 inhabitants and shares of the population, computed by hand', async () => {
    await centres(AHUN, AJAIN);
    await addPlace(db, { code: AHUN.code, services: [DEMARCHES, OUTILS], position: north(AHUN, 0.5) });
    await addPlace(db, { code: AHUN.code, services: [DEMARCHES], position: north(AHUN, 1) });
    await addPlace(db, { code: AHUN.code, services: [INSERTION], status: 'brouillon' });
    // Ajain's only place: 4 km north of its centre, offering what Ahun lacks.
    await addPlace(db, { code: AJAIN.code, services: [INSERTION], position: north(AJAIN, 4) });

    const coverage = await coverageOf(db, [AHUN.code, AJAIN.code, AHUN.code]);
    assert.deepEqual(
      coverage.communes.map((c) => [c.code, c.name, c.population, c.places]),
      [
        ['23001', 'Ahun', 1394, 2],
        ['23002', 'Ajain', 1019, 1],
      ],
    );
    const [ahun, ajain] = coverage.communes;
    assert.equal(ahun?.placesPer10k, (2 * 10_000) / 1394);
    assert.equal(ajain?.placesPer10k, (1 * 10_000) / 1019);

    const { totals } = coverage;
    assert.equal(totals.communes, 2);
    assert.equal(totals.population, 1394 + 1019);
    assert.equal(totals.places, 3);
    assert.equal(totals.placesPer10k, (3 * 10_000) / 2413);
    // Démarches: in Ahun; not within 5 km of Ajain's centre (44 km away).
    assert.deepEqual(totals.shares[DEMARCHES!], {
      commune: 1394 / 2413,
      proche: 0,
      aucun: 1019 / 2413,
      inconnu: 0,
    });
    assert.deepEqual(totals.shares[INSERTION!], {
      commune: 1019 / 2413,
      proche: 0,
      aucun: 1394 / 2413,
      inconnu: 0,
    });
    // The draft offering insertion in Ahun changed nothing; publishing it does.
    const draft = await db
      .selectFrom('lieu')
      .select('id')
      .where('status', '=', 'brouillon')
      .executeTakeFirstOrThrow();
    await setPlaceStatus(db, systemActor('tests'), draft.id, 'publie');
    const after = await coverageOf(db, [AHUN.code, AJAIN.code]);
    assert.equal(after.communes[0]?.places, 3);
    assert.equal(after.totals.shares[INSERTION!].commune, 1);
  });

  test('a commune without a centre is placed at the mean of its published places, and says so', async () => {
    await centres(AHUN);
    const a = { latitude: 46.2, longitude: 2.1 };
    const b = { latitude: 46.24, longitude: 2.16 };
    await addPlace(db, { code: AJAIN.code, services: [DEMARCHES], position: a });
    await addPlace(db, { code: AJAIN.code, services: [OUTILS], position: b });
    await addPlace(db, {
      code: AJAIN.code,
      services: [OUTILS],
      position: { latitude: 48, longitude: 2 },
      status: 'brouillon',
    });
    // Alleyrat: one published place without coordinates. Anzême: nothing at all.
    await addPlace(db, { code: ALLEYRAT.code, services: [INSERTION] });

    const positions = await communePositions(db, [AHUN.code, AJAIN.code, ALLEYRAT.code, ANZEME.code]);
    assert.deepEqual(positions.get(AHUN.code), {
      kind: 'centre',
      latitude: AHUN.latitude,
      longitude: AHUN.longitude,
    });
    const ajain = positions.get(AJAIN.code);
    assert.equal(ajain?.kind, 'lieux');
    assert.ok(Math.abs(ajain.latitude - 46.22) < 1e-9 && Math.abs(ajain.longitude - 2.13) < 1e-9);
    assert.deepEqual(positions.get(ALLEYRAT.code), { kind: 'inconnue', latitude: null, longitude: null });
    assert.deepEqual(positions.get(ANZEME.code), { kind: 'inconnue', latitude: null, longitude: null });

    const coverage = await coverageOf(db, [AJAIN.code, ALLEYRAT.code, ANZEME.code]);
    const [ajainCoverage, alleyrat, anzeme] = coverage.communes;
    assert.equal(ajainCoverage?.position, 'lieux');
    assert.equal(ajainCoverage?.services[OUTILS], 'commune');
    // Alleyrat's own place tells what is there; nothing tells what is near.
    assert.equal(alleyrat?.position, 'inconnue');
    assert.equal(alleyrat?.services[INSERTION], 'commune');
    assert.equal(alleyrat?.services[DEMARCHES], 'inconnu');
    assert.ok(SERVICES.every((s) => anzeme?.services[s] === 'inconnu'));
    assert.equal(
      coverage.totals.shares[DEMARCHES!].inconnu,
      (ALLEYRAT.population + ANZEME.population) / 1714,
    );

    // Once a centre is imported, it wins over the places' mean.
    await centres({ code: AJAIN.code, latitude: AJAIN.latitude, longitude: AJAIN.longitude });
    assert.deepEqual((await communePositions(db, [AJAIN.code])).get(AJAIN.code), {
      kind: 'centre',
      latitude: AJAIN.latitude,
      longitude: AJAIN.longitude,
    });
  });

  test('white zones follow the places: unpublishing the only nearby place makes one', async () => {
    await centres(AHUN, AJAIN);
    const near = await addPlace(db, { code: AJAIN.code, services: [DEMARCHES], position: north(AHUN, 3) });
    await addPlace(db, { code: AJAIN.code, services: [OUTILS], position: north(AHUN, 8) });
    const index = new Map([
      [AHUN.code, 8],
      [AJAIN.code, 9],
      [ALLEYRAT.code, 6.5],
      [ANZEME.code, null],
    ]);
    const options = { indexOf: (code: string) => index.get(code) ?? null, threshold: 7 };
    const codes = [AHUN.code, AJAIN.code, ALLEYRAT.code, ANZEME.code];

    // Ahun has a place 3 km away; Ajain has places in it; Alleyrat is not fragile enough;
    // Anzême's index is unknown.
    assert.deepEqual(await whiteZones(db, codes, options), []);

    await setPlaceStatus(db, systemActor('tests'), near, 'brouillon');
    const zones = await whiteZones(db, codes, options);
    assert.deepEqual(
      zones.map((z) => [z.code, z.name, z.population, z.index, z.position]),
      [['23001', 'Ahun', 1394, 8, 'centre']],
    );
    assert.ok(Math.abs(zones[0]!.nearestKm! - 8) < 0.01, `nearest place at ${zones[0]?.nearestKm} km`);
    // A wider radius reaches the place 8 km away.
    assert.deepEqual(await whiteZones(db, codes, { ...options, radiusKm: 10 }), []);

    await setPlaceStatus(db, systemActor('tests'), near, 'publie');
    assert.deepEqual(await whiteZones(db, codes, options), []);
  });

  test('white zones: a fragile commune without a position is listed as such, most fragile first', async () => {
    await centres(AHUN);
    const index = new Map([
      [AHUN.code, 7],
      [ALLEYRAT.code, 9.5],
    ]);
    const zones = await whiteZones(db, [AHUN.code, ALLEYRAT.code], {
      indexOf: (code) => index.get(code) ?? null,
      threshold: 7,
    });
    assert.deepEqual(
      zones.map((z) => [z.code, z.position, z.nearestKm]),
      [
        [ALLEYRAT.code, 'inconnue', null],
        [AHUN.code, 'centre', null],
      ],
    );
  });

  test('places opening white zones: the first place serving each fragile commune, counted once', async () => {
    await centres(AHUN, AJAIN);
    // Ajain's first place stands 3 km north of Ahun: it serves both, and counts once.
    const near = await addPlace(db, { code: AJAIN.code, services: [DEMARCHES], position: north(AHUN, 3) });
    await addPlace(db, { code: AHUN.code, services: [OUTILS] });
    await addPlace(db, { code: AJAIN.code, services: [OUTILS], position: north(AHUN, 8) });
    await addPlace(db, { code: ALLEYRAT.code, services: [OUTILS] });
    // PGlite's clock counts milliseconds: places added one after the other may share an instant,
    // and then neither is first. Ajain's first place is made a millisecond older.
    await sql`update lieu set created_at = created_at - interval '1 millisecond' where id = ${near}`.execute(
      db,
    );
    const index = new Map([
      [AHUN.code, 8],
      [AJAIN.code, 9],
      [ALLEYRAT.code, 6.5],
    ]);
    const options = { indexOf: (code: string) => index.get(code) ?? null, threshold: 7 };
    const codes = [AHUN.code, AJAIN.code, ALLEYRAT.code, ANZEME.code];
    const month = parisToday().slice(0, 7);
    assert.deepEqual(await placesOpeningWhiteZones(db, codes, options), new Map([[month, 1]]));
    // Withdrawn: Ahun's own place and Ajain's other one are now the first of each.
    await setPlaceStatus(db, systemActor('tests'), near, 'brouillon');
    assert.deepEqual(await placesOpeningWhiteZones(db, codes, options), new Map([[month, 2]]));
    // Alleyrat fragile enough: its place counts too.
    assert.deepEqual(
      await placesOpeningWhiteZones(db, codes, { ...options, threshold: 6 }),
      new Map([[month, 3]]),
    );
    assert.deepEqual(await placesOpeningWhiteZones(db, [ANZEME.code], options), new Map());
  });

  test('places published in the same millisecond: the earlier to the microsecond opens the white zone', async () => {
    await centres(AHUN, AJAIN);
    // Ajain's place 3 km north of Ahun serves both; Ahun's own serves Ahun only.
    const near = await addPlace(db, { code: AJAIN.code, services: [DEMARCHES], position: north(AHUN, 3) });
    const own = await addPlace(db, { code: AHUN.code, services: [OUTILS] });
    // Ajain's place is published 0.5 ms before Ahun's, within the same millisecond, and its id
    // sorts last: only the microseconds tell it came first.
    const last = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
    await sql`update lieu set id = ${last}::uuid where id = ${near}`.execute(db);
    await sql`update lieu set created_at = date_trunc('second', now())
      + case when id = ${last}::uuid then interval '100 microseconds' else interval '600 microseconds' end
      where id in (${last}::uuid, ${own}::uuid)`.execute(db);
    const index = new Map([
      [AHUN.code, 8],
      [AJAIN.code, 9],
    ]);
    const month = parisToday().slice(0, 7);
    const options = { indexOf: (code: string) => index.get(code) ?? null, threshold: 7 };
    assert.deepEqual(
      await placesOpeningWhiteZones(db, [AHUN.code, AJAIN.code], options),
      new Map([[month, 1]]),
      'one place opened both white zones',
    );
  });

  test('a radius must be positive and reasonable', async () => {
    await assert.rejects(coverageOf(db, [AHUN.code], { radiusKm: 0 }), RangeError);
    await assert.rejects(coverageOf(db, [AHUN.code], { radiusKm: Number.NaN }), RangeError);
    await assert.rejects(whiteZones(db, [], { radiusKm: 1000, indexOf: () => 1, threshold: 0 }), RangeError);
    assert.deepEqual((await coverageOf(db, [])).totals.placesPer10k, null);
  });
});

describe('demo: the town halls of the demo communes', () => {
  let handle: TestDatabase;
  before(async () => {
    handle = await createTestDatabase();
    await seedDemoOnce({ db: handle.db, config: testConfig });
  });
  after(() => handle.close());

  test('every demo member has its town hall, near its demo places', async () => {
    const seeded = new Set(DEMO_TOWN_HALLS.map((t) => t.code));
    assert.ok(DEMO_COMMUNES.every((code) => seeded.has(code)));
    const { communes } = await coverageOf(handle.db, DEMO_COMMUNES);
    for (const commune of communes) {
      assert.equal(commune.position, 'centre', commune.name);
      assert.equal(commune.name, DEMO_TOWN_HALLS.find((t) => t.code === commune.code)?.name);
      // The demo places stand at addresses of their commune: within 3 km of its town hall.
      const { rows } = await sql<{ km: number }>`
        select max(earth_distance(ll_to_earth(latitude, longitude),
          ll_to_earth(${commune.latitude}, ${commune.longitude}))) / 1000 as km
        from lieu where code_insee = ${commune.code} and latitude is not null`.execute(handle.db);
      assert.ok(rows[0]!.km < 3, `${commune.name}: a demo place ${rows[0]?.km} km from the town hall`);
    }
    // Vaulx-en-Velin's inhabitants find the help Villeurbanne's places give, 3 km away.
    const vaulx = communes.find((c) => c.code === '69256');
    assert.equal(vaulx?.services['Loisirs et créations numériques'], 'proche');
  });
});
