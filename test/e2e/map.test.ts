import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BrowserContextOptions, Page } from 'playwright-core';
import {
  GeolocateButton,
  MAP_ASSETS,
  PickerMap,
  PlaceMap,
  ResultsMap,
} from '../../src/modules/lieux/map-view.tsx';
import { ANONYMOUS } from '../../src/platform/auth/policy.ts';
import { type Config, ConfigError, loadConfig } from '../../src/platform/config.ts';
import { registerHttpBasics, tileSource } from '../../src/platform/http/security.ts';
import { assetSources, assetUrl, buildManifest, registerAssets } from '../../src/platform/ui/assets.ts';
import { registerPages } from '../../src/platform/ui/page.ts';
import {
  browserHarness,
  describeBrowser,
  formatViolations,
  runAxe,
  settle,
  showMaps,
  watchProblems,
} from '../helpers/browser.ts';

/**
 * The maps of places (`src/modules/lieux/assets/carte.js`) on a small app made of the real
 * platform pieces (CSP, hashed assets, page layout), seen by a headless Chromium. Tiles come
 * from a second loopback server, so nothing leaves the machine and the CSP's `img-src` for
 * MAP_TILES_URL is put to the test.
 */

const SCREENSHOT = '/tmp/map-test.png';
const XSS_NAME = '<img src=x onerror="window.__xss = 1">Espace <b>piégé</b>';

/** Places around Lyon, close enough to cluster, one far away with a hostile name, and more. */
function places() {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < 24; i++) {
    items.push({
      id: `lyon-${i}`,
      nom: `Lieu ${i}`,
      commune: 'Lyon',
      latitude: 45.75 + (i % 6) * 0.004,
      longitude: 4.83 + Math.floor(i / 6) * 0.004,
      distance_km: i / 3,
      url: `/lieux/lyon-${i}`,
    });
  }
  items.push({
    id: 'xss',
    nom: XSS_NAME,
    commune: 'Biarritz',
    latitude: 43.4832,
    longitude: -1.5586,
    url: '/lieux/xss',
  });
  items.push({
    id: 'js',
    nom: 'Lien piégé',
    commune: 'Brest',
    latitude: 48.39,
    longitude: -4.486,
    url: 'javascript:alert(1)',
  });
  items.push({
    id: 'nowhere',
    nom: 'Sans coordonnées',
    commune: 'Paris',
    latitude: null,
    longitude: null,
    url: '/lieux/n',
  });
  return { total: items.length, items };
}
const PLACED = places().items.filter((item) => item.latitude !== null).length;

/** A 256 × 256 PNG tile: pale ground, a darker line on its top and left edges. */
function tilePng(): Buffer {
  const size = 256;
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    for (let x = 0; x < size; x++) {
      const edge = x === 0 || y === 0;
      raw.set(edge ? [190, 190, 200] : [242, 239, 233], row + 1 + x * 3);
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The platform's HTTP basics, assets and layout, with pages that hold every kind of map. */
async function mapApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify();
  await registerHttpBasics(app, config, 'x'.repeat(32));
  await registerAssets(app);
  app.decorateRequest('actor', null as never);
  app.addHook('onRequest', async (request) => {
    request.actor = ANONYMOUS;
  });
  registerPages(app, {
    loadIdentity: async () => ({ name: 'Relais test', shortName: 'Relais' }),
    loadCollectiviteName: async () => null,
    nav: [],
  });

  app.get('/carte/lieux.json', async () => places());
  app.get('/carte/panne.json', async (_request, reply) => reply.status(500).send({ error: 'panne' }));
  app.get('/carte/recherche', (_request, reply) => reply.page({ title: 'Résultats' }, '<h1>Résultats</h1>'));
  app.get('/carte', async (request, reply) => {
    const source = (request.query as { source?: string }).source === 'panne' ? 'panne' : 'lieux';
    // A .ts file: the map helpers are called as functions, the rest is fixed markup.
    const [geolocate, results, place, picker] = await Promise.all([
      GeolocateButton(),
      ResultsMap({ config, source: `/carte/${source}.json` }),
      PlaceMap({ config, lat: 45.764, lon: 4.8357, nom: 'Médiathèque <du> centre' }),
      PickerMap({ config, latInput: 'lat', lonInput: 'lon', lat: 45.75, lon: 4.85 }),
    ]);
    return reply.page(
      { title: 'Carte', ...MAP_ASSETS },
      `<h1>Lieux</h1>
      <form method="get" action="/carte/recherche" id="recherche">
        <label for="q">Commune</label>
        <input type="search" id="q" name="q" required>
        <input type="hidden" name="near" value="">
        <button type="submit">Rechercher</button>
        ${geolocate}
      </form>
      <ul id="liste"><li><a href="/lieux/lyon-0">Lieu 0</a></li></ul>
      ${results}
      <h2>Un lieu</h2>
      ${place}
      <h2>Placer un lieu</h2>
      <form method="post" action="/carte/placer">
        <label for="lat">Latitude</label>
        <input type="text" id="lat" name="latitude">
        <label for="lon">Longitude</label>
        <input type="text" id="lon" name="longitude">
        ${picker}
      </form>`,
    );
  });
  await app.ready();
  return app;
}

test('asset names are unique across platform, module and vendor files: a clash fails', () => {
  const sources = assetSources();
  const names = sources.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of [...MAP_ASSETS.scripts, ...MAP_ASSETS.styles, 'marker-icon.png', 'relais.css']) {
    assert.match(assetUrl(name), /^\/assets\/[^/]+\.[0-9a-f]{10}\.[a-z]+$/, name);
  }
  const relais = sources.find((s) => s.name === 'relais.css')!;
  assert.throws(() => buildManifest([relais, { name: 'relais.css', file: sources.at(-1)!.file }]), /clash/);
});

test('MAP_TILES_URL: https with {z} {x} {y}, http only on loopback; its origin joins img-src', () => {
  const c = loadConfig({});
  assert.equal(c.mapTilesUrl, 'https://tile.openstreetmap.org/{z}/{x}/{y}.png');
  assert.equal(c.mapAttribution, '© les contributeurs d’OpenStreetMap');
  assert.equal(tileSource(c.mapTilesUrl), 'https://tile.openstreetmap.org');
  assert.equal(tileSource('https://{s}.tile.example.fr/{z}/{x}/{y}.png'), 'https://*.tile.example.fr');
  assert.equal(tileSource('http://127.0.0.1:8080/t/{z}/{x}/{y}.png'), 'http://127.0.0.1:8080');
  for (const bad of [
    'http://tiles.example.fr/{z}/{x}/{y}.png',
    'https://tiles.example.fr/{z}/{x}.png',
    'https://tiles.{z}.example.fr/{z}/{x}/{y}.png',
    'tiles',
  ]) {
    assert.throws(
      () => loadConfig({ MAP_TILES_URL: bad }),
      (e: unknown) => e instanceof ConfigError && /MAP_TILES_URL/.test(e.message),
      bad,
    );
  }
});

const SUITE = 'maps of places in a real browser (Chromium)';
describeBrowser(SUITE, { timeout: 120_000 }, browserChecks);

function browserChecks() {
  const tileRequests: string[] = [];

  const harness = browserHarness({
    // A page of maps alone, with tiles from a loopback server: nothing leaves the machine.
    serve: async () => {
      const png = tilePng();
      const tiles = Fastify();
      tiles.get('/tiles/:z/:x/:y', (request, reply) => {
        tileRequests.push(request.url);
        return reply.type('image/png').send(png);
      });
      const tilesURL = await tiles.listen({ port: 0, host: '127.0.0.1' });
      const config = loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        MAP_TILES_URL: `${tilesURL}/tiles/{z}/{x}/{y}.png`,
        MAP_ATTRIBUTION: '© <script>Tuiles</script> de test',
      });
      const app = await mapApp(config);
      return {
        app,
        async close() {
          await app.close();
          await tiles.close();
        },
      };
    },
    context: { viewport: { width: 1024, height: 900 } },
  });

  /** A fresh context's page; `problems` collects CSP violations, script errors and failed loads. */
  async function openPage(t: TestContext, options: BrowserContextOptions = {}) {
    const page = await harness.openPage(t, options);
    const problems: string[] = [];
    await watchProblems(page, { into: problems });
    return { page, problems };
  }

  async function cspViolations(page: Page): Promise<string[]> {
    return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  }

  /** The places the results map shows: single markers plus the counts on the clusters. */
  async function placesShown(page: Page): Promise<{ markers: number; clusters: number; total: number }> {
    return page.evaluate(() => {
      const map = document.querySelector('[data-map="resultats"]')!;
      const clusters = [...map.querySelectorAll('.marker-cluster')];
      const markers = map.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length;
      const inClusters = clusters.reduce((sum, c) => sum + Number(c.textContent), 0);
      return { markers, clusters: clusters.length, total: markers + inClusters };
    });
  }

  test('without JavaScript the maps and the button stay hidden, and the search form works', async (t) => {
    const { page, problems } = await openPage(t, { javaScriptEnabled: false });
    await page.goto('/carte');
    for (const selector of ['[data-map="resultats"]', '[data-map="lieu"]', '[data-map="picker"]']) {
      assert.equal(await page.locator(selector).isVisible(), false, `${selector} stays hidden`);
    }
    assert.equal(await page.getByRole('button', { name: 'Utiliser ma position' }).isVisible(), false);
    assert.ok(await page.locator('#liste a').isVisible(), 'the list is there');
    await page.getByLabel('Commune').fill('Lyon');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL('**/carte/recherche?**');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'Lyon');
    assert.deepEqual(problems, []);
  });

  test('the results map clusters the placed items, and popups show names as text', async (t) => {
    const { page, problems } = await openPage(t);
    await page.goto('/carte');
    await showMaps(page);
    const map = page.locator('[data-map="resultats"]');
    await map.locator('.leaflet-tile-loaded').first().waitFor();
    assert.equal(
      await map.getAttribute('aria-label'),
      'Carte des lieux (la liste ci-dessus contient les mêmes lieux)',
    );
    await page.waitForFunction((expected) => {
      const m = document.querySelector('[data-map="resultats"]')!;
      const single = m.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length;
      const inClusters = [...m.querySelectorAll('.marker-cluster')].reduce(
        (s, c) => s + Number(c.textContent),
        0,
      );
      return single + inClusters === expected;
    }, PLACED);
    const shown = await placesShown(page);
    assert.equal(shown.total, PLACED, 'every item with coordinates, and only those, is on the map');
    assert.ok(shown.clusters >= 1, `nearby places are clustered (${JSON.stringify(shown)})`);
    assert.ok(tileRequests.length > 0, 'tiles come from MAP_TILES_URL');

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The attribution is configuration, shown as text.
    const credit = map.locator('.leaflet-control-attribution');
    assert.match((await credit.textContent()) ?? '', /© <script>Tuiles<\/script> de test/);

    // The hostile name: a marker title, then a popup link, never markup.
    const hostile = map.locator('.leaflet-marker-icon[title^="<img"]');
    assert.equal(await hostile.getAttribute('alt'), XSS_NAME);
    await hostile.click();
    const link = map.locator('.leaflet-popup-content a');
    await link.waitFor();
    assert.equal(await link.textContent(), XSS_NAME);
    assert.equal(await link.getAttribute('href'), `${harness.baseURL()}/lieux/xss`);
    assert.match((await map.locator('.leaflet-popup-content').textContent()) ?? '', /Biarritz/);
    assert.equal(await page.locator('img[src="x"], .leaflet-popup b').count(), 0, 'no element from the name');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await map.locator('.leaflet-popup-close-button').getAttribute('aria-label'), 'Fermer');

    // A `javascript:` URL from the data never becomes a link.
    await map.locator('.leaflet-popup-close-button').click();
    await map.locator('.leaflet-marker-icon[title="Lien piégé"]').click();
    await map.locator('.leaflet-popup-content strong', { hasText: 'Lien piégé' }).waitFor();
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);

    // The single place's map: one marker, named.
    const place = page.locator('[data-map="lieu"]');
    assert.equal(await place.locator('.leaflet-marker-icon').count(), 1);
    assert.equal(
      await place.locator('.leaflet-marker-icon').getAttribute('title'),
      'Médiathèque <du> centre',
    );

    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems, []);
  });

  test('settle() waits for what a page fetches after its load: the places, then every tile', async (t) => {
    const { page, problems } = await openPage(t);
    // The places' data is held until the test lets it go.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = () => {};
    const seen = new Promise<void>((resolve) => {
      asked = resolve;
    });
    await page.route('**/carte/lieux.json', async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await page.goto('/carte');
    // The results map loads only now, after the load event: its data, then its tiles.
    await page.getByRole('button', { name: 'Afficher la carte' }).first().click();
    await seen;
    let settled = false;
    const settling = settle(page).then(() => {
      settled = true;
    });
    for (let i = 0; i < 3; i++)
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    assert.equal(settled, false, 'settle() waits while the places are on their way');
    release();
    await settling;
    const map = page.locator('[data-map="resultats"]');
    assert.ok(await map.isVisible(), 'the map is drawn');
    assert.ok((await map.locator('.leaflet-marker-icon').count()) > 0, 'the places are on it');
    const tiles = await map
      .locator('img.leaflet-tile')
      .evaluateAll((images) => images.map((i) => (i as HTMLImageElement).complete));
    assert.ok(tiles.length > 0 && tiles.every(Boolean), `every tile has loaded (${tiles.length})`);
    assert.deepEqual(problems, []);
  });

  test('with the maps drawn, axe-core finds no WCAG 2.1 AA violation', async (t) => {
    // axe is injected: it needs an exemption from the page's CSP (the other tests keep it).
    const { page } = await openPage(t, { bypassCSP: true });
    await page.goto('/carte');
    await showMaps(page);
    await page.locator('[data-map="resultats"] .marker-cluster').first().waitFor();
    await page.locator('[data-map="picker"]').click({ position: { x: 100, y: 80 } });
    await page.locator('[data-map="picker"] .leaflet-marker-icon').waitFor();
    const violations = await runAxe(page);
    assert.equal(violations.length, 0, formatViolations('/carte', violations));
  });

  test('when the places cannot be loaded, the map stays hidden and the list stays', async (t) => {
    const { page, problems } = await openPage(t);
    const failed = page.waitForResponse((r) => r.url().endsWith('/carte/panne.json'));
    await page.goto('/carte?source=panne');
    await showMaps(page);
    await failed;
    await page.locator('[data-map="lieu"] .leaflet-marker-icon').waitFor();
    assert.equal(await page.locator('[data-map="resultats"]').isVisible(), false);
    assert.ok(await page.locator('#liste a').isVisible());
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(
      problems.filter((p) => !p.includes('/carte/panne.json') && !/status of 500/.test(p)),
      [],
      'only the failing source is reported',
    );
  });

  test('the picker writes the clicked position into the inputs, and follows what is typed', async (t) => {
    const { page, problems } = await openPage(t);
    await page.goto('/carte');
    await showMaps(page);
    const picker = page.locator('[data-map="picker"]');
    await picker.locator('.leaflet-tile-loaded').first().waitFor();
    await picker.scrollIntoViewIfNeeded();
    await page.evaluate(() => {
      const w = window as unknown as { __changes: string[] };
      w.__changes = [];
      for (const id of ['lat', 'lon'])
        document.getElementById(id)!.addEventListener('change', () => w.__changes.push(id));
    });
    assert.equal(await picker.locator('.leaflet-marker-icon').count(), 0, 'no marker before a click');
    await picker.click({ position: { x: 100, y: 80 } });
    const lat = await page.locator('#lat').inputValue();
    const lon = await page.locator('#lon').inputValue();
    assert.match(lat, /^45\.\d{1,6}$/);
    assert.match(lon, /^4\.\d{1,6}$/);
    assert.ok(Number(lat) > 45.75 && Number(lon) < 4.85, `north-west of the centre: ${lat}, ${lon}`);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __changes: string[] }).__changes), [
      'lat',
      'lon',
    ]);
    const marker = picker.locator('.leaflet-marker-icon');
    assert.equal(await marker.count(), 1);

    // Typing a position moves the marker there, and the map to it.
    await page.locator('#lat').fill('45.7');
    await page.locator('#lon').fill('4,9');
    const box = (await picker.boundingBox())!;
    await page.waitForFunction(() => {
      const m = document.querySelector('[data-map="picker"]')!;
      const icon = m.querySelector('.leaflet-marker-icon')!.getBoundingClientRect();
      const frame = m.getBoundingClientRect();
      return Math.abs(icon.left + icon.width / 2 - (frame.left + frame.width / 2)) < 3;
    });
    const icon = (await marker.boundingBox())!;
    assert.ok(
      Math.abs(icon.y + icon.height - (box.y + box.height / 2)) < 3,
      'the marker tip is at the centre',
    );
    assert.equal(await marker.count(), 1, 'still one marker');

    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems, []);
  });

  test('« Utiliser ma position » puts lat,lon in `near` and submits the search', async (t) => {
    const { page, problems } = await openPage(t, {
      permissions: ['geolocation'],
      geolocation: { latitude: 45.764043, longitude: 4.835659 },
    });
    await page.goto('/carte');
    await showMaps(page);
    const button = page.getByRole('button', { name: 'Utiliser ma position' });
    await button.click();
    await page.waitForURL('**/carte/recherche?**');
    assert.equal(new URL(page.url()).searchParams.get('near'), '45.76404,4.83566');
    assert.deepEqual(problems, []);
  });

  test('when the position is refused, the status says to type the commune', async (t) => {
    const { page, problems } = await openPage(t);
    await page.context().clearPermissions();
    await page.goto('/carte');
    await showMaps(page);
    await page.getByRole('button', { name: 'Utiliser ma position' }).click();
    const status = page.locator('[data-geolocate-status]');
    await page.waitForFunction(() =>
      document.querySelector('[data-geolocate-status]')?.textContent?.startsWith('Position non disponible'),
    );
    assert.equal(await status.textContent(), 'Position non disponible : tapez votre commune.');
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    assert.ok(page.url().endsWith('/carte'), 'no submission');
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems, []);
  });
}
