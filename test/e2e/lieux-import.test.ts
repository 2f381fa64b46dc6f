import assert from 'node:assert/strict';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import {
  assertAccessible,
  browserHarness,
  describeBrowser,
  overflowAt,
  watchProblems,
} from '../helpers/browser.ts';

/**
 * A coordinator imports a spreadsheet in another layout from the browser: the mapping step
 * (columns → fields of the standard, first rows shown), the dry run that flags a place outside
 * the territory, then « Importer » without sending the file again. Each page is audited.
 */

const COORDINATOR = DEMO_ACCOUNTS.find((a) => a.email === 'coordination@demo.relais.example')!;

const HEADER = ['Identifiant', 'Nom de la structure', 'Adresse', 'CP', 'Ville', 'Mise à jour', 'Horaires'];
const MAPPING: Record<string, string> = {
  Identifiant: 'id',
  'Nom de la structure': 'nom',
  Adresse: 'adresse',
  CP: 'code_postal',
  Ville: 'commune',
  'Mise à jour': 'date_maj',
  Horaires: 'horaires',
};

async function workbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Structures');
  sheet.addRow(HEADER);
  sheet.addRow([
    'nav-1',
    'Espace numérique Gratte-Ciel',
    '2 rue Michel-Servet',
    69100,
    'Villeurbanne',
    '01/03/2025',
    'Mo-Fr 09:00-12:00',
  ]);
  sheet.addRow([
    'nav-2',
    'Point numérique Part-Dieu',
    '5 rue Servient',
    69003,
    'Lyon',
    '01/03/2025',
    'Mo-Fr 09:00-19:00; Sa 17:00',
  ]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describeBrowser(
  'a places import in another layout, in a real browser (Chromium)',
  { timeout: 180_000 },
  () => {
    const harness = browserHarness();

    test('mapping step, dry run, then « Importer » without sending the file again', async (t) => {
      // axe is injected as a script: the context lets it through the page's CSP.
      const page = await harness.openPage(t, {
        as: COORDINATOR,
        viewport: { width: 1280, height: 900 },
        bypassCSP: true,
      });
      const problems = await watchProblems(page);
      await harness.goto(page, '/admin/lieux/import');
      await page.getByLabel('Fichier (XLSX, CSV ou JSON, 20 Mo au plus)').setInputFiles({
        name: 'structures.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: await workbook(),
      });
      await page.getByRole('button', { name: 'Importer' }).click();
      await page.getByRole('heading', { name: 'Correspondance des colonnes' }).waitFor();
      assert.equal((await page.locator('h1').textContent())?.trim(), 'Correspondance des colonnes');
      assert.ok(await page.getByRole('cell', { name: 'Point numérique Part-Dieu' }).isVisible());
      await assertAccessible(page, 'the mapping step');
      assert.ok((await overflowAt(page, 320)) <= 0, 'the mapping step reflows at 320 px');
      await page.screenshot({ path: '/tmp/lieux-import-mapping.png', fullPage: true });

      for (const [column, field] of Object.entries(MAPPING))
        await page.getByLabel(`Colonne « ${column.toLowerCase()} »`).selectOption(field);
      await page.getByRole('button', { name: 'Vérifier le fichier avec cette correspondance' }).click();
      await page.getByRole('heading', { name: 'Rapport d’import' }).waitFor();
      assert.ok(await page.locator('.notice', { hasText: 'Lieux hors du territoire' }).isVisible());
      assert.match(await page.locator('main').innerText(), /Lyon \(69123\) : 1 lieu\(x\)/);
      await assertAccessible(page, 'the dry run with its « Importer »');
      await page.screenshot({ path: '/tmp/lieux-import-dry-run.png', fullPage: true });

      await page.getByRole('button', { name: 'Importer', exact: true }).click();
      await page.waitForURL(/\/admin\/lieux\/imports\/[^/]+$/);
      assert.match((await page.locator('.notice').first().textContent()) ?? '', /Import enregistré/);
      const created = await page
        .locator('dl.summary-list dt', { hasText: 'Créées' })
        .locator('+ dd')
        .textContent();
      assert.equal(created?.trim(), '2');
      assert.deepEqual(await problems(), []);
    });
  },
);
