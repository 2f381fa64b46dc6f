import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { regenerateDatasets } from '../../src/modules/donnees/index.ts';
import { modules } from '../../src/modules/index.ts';
import { systemActor } from '../../src/platform/auth/policy.ts';
import { collectDatasets } from '../../src/platform/open-data.ts';
import { assertReflows, axeTests, browserHarness, describeBrowser } from '../helpers/browser.ts';

/**
 * The open-data pages in a real browser: axe-core audits (WCAG 2.1 AA), one h1, no JavaScript
 * needed to download, and reflow at 320 px (the column dictionary scrolls within its frame).
 */

const SUITE = 'open data pages in a real browser (Chromium)';
const PAGES = ['/donnees', '/donnees/activite-mediation-numerique', '/donnees/indice-fragilite-couverture'];

describeBrowser(SUITE, { timeout: 180_000 }, browserChecks);

function browserChecks() {
  const harness = browserHarness({
    setup: async (relais) => {
      await regenerateDatasets(relais.db.db, systemActor('test'), collectDatasets(modules));
    },
  });
  const { openPage } = harness;

  axeTests(harness, PAGES);

  test('without JavaScript, at 320 px: the list reflows and its CSV link downloads the file', async (t) => {
    const page = await openPage(t, { javaScriptEnabled: false, viewport: { width: 320, height: 640 } });
    await assertReflows(page, PAGES);
    await page.goto('/donnees');
    await page.screenshot({ path: path.join(tmpdir(), 'relais-donnees-320.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[href="/donnees/lieux-mediation-numerique.csv"]').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'lieux-mediation-numerique.csv');
    const file = await download.path();
    assert.ok(file, 'the file was downloaded');
  });
}
