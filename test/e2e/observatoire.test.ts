import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { importIfn } from '../../src/modules/observatoire/import.ts';
import { systemActor } from '../../src/platform/auth/policy.ts';
import {
  assertReflows,
  axeTests,
  browserHarness,
  describeBrowser,
  formatViolations,
  runAxe,
  showMaps,
} from '../helpers/browser.ts';
import { file, line } from '../helpers/ifn-fixtures.ts';

/**
 * The public observatory in a real browser: axe-core audits (WCAG 2.1 AA), one h1, reflow at
 * 320 px without JavaScript, the embeddable page inside an iframe of another origin, and the
 * map drawn with coloured markers when JavaScript runs.
 */

const SUITE = 'public observatory in a real browser (Chromium)';
const PAGES = [
  '/observatoire',
  '/observatoire/villeurbanne',
  '/observatoire/opsn',
  '/observatoire/villeurbanne/integrer',
];

describeBrowser(SUITE, { timeout: 240_000 }, browserChecks);

function browserChecks() {
  // Tiles come from a loopback server (MAP_TILES_URL): nothing leaves the machine.
  const harness = browserHarness({
    tiles: true,
    setup: async (relais) => {
      const codes = ['69266', '69259', '69256', '69029', '69034', '69286', '42207', '42187'];
      const result = await importIfn(
        relais.db.db,
        systemActor('test'),
        file(
          ...codes.map((code, i) =>
            line(code, 4 + (i % 5) * 1.1, { name: code === '69266' ? 'Villeurbanne' : code }),
          ),
        ),
        { fileName: 'ifn.csv', year: 2023 },
      );
      assert.ok(result.ok && result.report.written);
    },
  });
  const { openPage, baseURL, auditPage } = harness;

  axeTests(harness, PAGES);

  test('without JavaScript, at 320 px: every page reflows', async (t) => {
    const page = await openPage(t, { javaScriptEnabled: false, viewport: { width: 320, height: 640 } });
    await assertReflows(page, PAGES);
    await page.goto('/observatoire/villeurbanne');
    await page.screenshot({ path: path.join(tmpdir(), 'relais-observatoire-320.png'), fullPage: true });
  });

  test('the embeddable page shows inside an iframe of another site', async (t) => {
    const page = await openPage(t);
    // A page of another site framing it: another port is another origin.
    const site = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><title>Site de la mairie</title><iframe src="${baseURL()}/observatoire/villeurbanne/integrer" title="Observatoire" width="900" height="700"></iframe>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => site.close(() => resolve())));
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    await page.waitForLoadState('load');
    const frame = page.frames().find((f) => f.url().includes('/integrer'));
    assert.ok(frame, 'the iframe loaded');
    await frame.waitForLoadState('load');
    assert.match((await frame.locator('h1').textContent()) ?? '', /Observatoire : Ville de Villeurbanne/);
  });

  test('with JavaScript, the map draws the places in the colours of their commune’s index', async (t) => {
    const page = await openPage(t, { viewport: { width: 1280, height: 900 } });
    await page.goto('/observatoire/opsn');
    await page.getByRole('button', { name: 'Afficher la carte' }).click();
    await page.locator('section.carte path.leaflet-interactive').first().waitFor();
    assert.ok((await page.locator('section.carte path.leaflet-interactive').count()) > 0);
    await page.screenshot({ path: path.join(tmpdir(), 'relais-observatoire-opsn.png'), fullPage: true });
  });

  test('at 320 px, with the map drawn: no axe-core violation (tables scroll by keyboard, the map’s attribution links are underlined)', async () => {
    const page = await auditPage({ viewport: { width: 320, height: 640 } });
    for (const url of PAGES) {
      await page.goto(url);
      await showMaps(page);
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(`${url} at 320 px`, violations));
    }
    // The map's attribution links (Leaflet, the tiles' authors) sit in its text: underlined.
    await page.goto('/observatoire/opsn');
    await showMaps(page);
    const attribution = await page.$$eval('.leaflet-control-attribution a', (links) =>
      links.map((a) => getComputedStyle(a).textDecorationLine),
    );
    assert.ok(attribution.length > 0, 'the map shows its attribution');
    assert.deepEqual(new Set(attribution), new Set(['underline']));
    // Each table that scrolls sideways at this width can take the focus and is named.
    await page.goto('/observatoire/opsn');
    const wraps = await page.$$eval('.table-wrap', (divs) =>
      divs.map((d) => ({
        scrolls: d.scrollWidth > d.clientWidth,
        tabindex: d.getAttribute('tabindex'),
        label: d.getAttribute('aria-label'),
      })),
    );
    assert.ok(
      wraps.some((w) => w.scrolls),
      'some table scrolls at 320 px',
    );
    for (const w of wraps) {
      assert.equal(w.tabindex, '0');
      assert.ok(w.label);
    }
  });

  test('without JavaScript, refused settings put the focus on the error summary', async (t) => {
    const page = await openPage(t, { javaScriptEnabled: false });
    const response = await page.goto('/observatoire/villeurbanne?rayon=abc');
    assert.equal(response?.status(), 400);
    // `autofocus` is applied when the page renders, and a page behind others in the same
    // browser is not rendered: bring it to the front, as a person's tab would be.
    await page.bringToFront();
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    assert.match(
      (await page.evaluate(() => document.activeElement?.textContent)) ?? '',
      /Il y a un problème[\s\S]*Distance de proximité/,
    );
  });
}
