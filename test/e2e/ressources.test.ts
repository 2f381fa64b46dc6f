import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import PDFDocument from 'pdfkit';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import { helperByEmail } from '../../src/modules/mediateurs/index.ts';
import {
  type Account,
  assertAccessible,
  browserHarness,
  describeBrowser,
  overflowAt,
  watchProblems,
} from '../helpers/browser.ts';
import { givenActivity } from '../helpers/builders.ts';
import { pdfText } from '../helpers/pdf.ts';

/**
 * The resource library in a real browser: the demo coordinator publishes a resource with text,
 * link, image and PDF blocks; a citizen, without JavaScript on a 320 px screen, finds it with a
 * misspelled query; the demo helper rates it, follows its author, sees it suggested for a report on the same theme,
 * collects it and downloads the booklet, whose text is read back; their report reaches
 * moderation and is resolved. Every page passes axe-core with one h1 and logs no error.
 */

const COORDINATOR: Account = DEMO_ACCOUNTS[1];
const HELPER: Account = DEMO_ACCOUNTS[2];
const TITLE = 'Repérer le hameçonnage par SMS';

async function pdfOf(text: string): Promise<Buffer> {
  const doc = new PDFDocument();
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => doc.on('end', resolve));
  doc.text(text);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

describeBrowser('the resource library in a real browser (Chromium)', { timeout: 240_000 }, () => {
  let coordinator: Page;
  let helper: Page;
  let citizen: Page;
  let activity = '';
  let resourceUrl = '';
  const problems: string[] = [];
  const harness = browserHarness({
    setup: async (relais) => {
      const demoHelper = await helperByEmail(relais.db.db, HELPER.email);
      assert.ok(demoHelper);
      activity = await givenActivity(relais, demoHelper, { thematiques: ['securite_numerique'] });
    },
  });
  const { goto } = harness;

  before(async () => {
    coordinator = await harness.newPage({
      as: COORDINATOR,
      bypassCSP: true,
      viewport: { width: 1280, height: 900 },
    });
    helper = await harness.newPage({ as: HELPER, bypassCSP: true, viewport: { width: 1280, height: 900 } });
    citizen = await harness.newPage({ javaScriptEnabled: false, viewport: { width: 320, height: 640 } });
    for (const page of [coordinator, helper, citizen])
      await watchProblems(page, {
        into: problems,
        // An image of the page still loading when a click leaves it is cancelled, not broken.
        ignore: (p) => p.kind === 'failed' && /\/fichiers\//.test(p.url) && /ERR_ABORTED/.test(p.text),
      });
  });

  test('a coordinator publishes a resource with text, link, image and PDF blocks', async () => {
    await goto(coordinator, '/ressources/nouvelle');
    await assertAccessible(coordinator, 'new resource');
    await coordinator.getByLabel('Titre', { exact: true }).fill(TITLE);
    await coordinator
      .getByLabel('Résumé (facultatif)')
      .fill('Les faux SMS de livraison et d’amende, et comment réagir.');
    await coordinator.getByLabel('Sécurité numérique').check();
    await coordinator.getByRole('button', { name: 'Enregistrer' }).click();
    await coordinator.waitForURL(/\/modifier\?ok=creee/);
    await coordinator
      .getByLabel('Texte', { exact: true })
      .fill('Un SMS qui **presse** de payer est une arnaque.\n\n- faux colis\n- fausse amende');
    await coordinator.getByRole('button', { name: 'Ajouter le texte' }).click();
    await coordinator.waitForURL(/ok=bloc/);
    await coordinator.getByText('Lien', { exact: true }).click();
    await coordinator.getByLabel('Adresse du lien').fill('https://www.cybermalveillance.gouv.fr');
    await coordinator.getByLabel('Titre du lien').fill('Cybermalveillance.gouv.fr');
    await coordinator.getByRole('button', { name: 'Ajouter le lien' }).click();
    await coordinator.waitForURL(/ok=bloc/);
    await coordinator.getByText('Image', { exact: true }).click();
    const png = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    await coordinator
      .getByLabel('Image (PNG, JPEG ou WebP, 5 Mo au plus)')
      .setInputFiles({ name: 'sms.png', mimeType: 'image/png', buffer: png });
    await coordinator.getByLabel('Texte alternatif').fill('Un faux SMS de livraison');
    await coordinator.getByRole('button', { name: 'Ajouter l’image' }).click();
    await coordinator.waitForURL(/ok=bloc/);
    await coordinator.getByText('Fichier', { exact: true }).click();
    await coordinator
      .getByLabel('Fichier (PDF, image ou document bureautique, 20 Mo au plus)')
      .setInputFiles({
        name: 'fiche.pdf',
        mimeType: 'application/pdf',
        buffer: await pdfOf('Fiche atelier smishing'),
      });
    await coordinator.getByRole('button', { name: 'Ajouter le fichier' }).click();
    await coordinator.waitForURL(/ok=bloc/);
    await assertAccessible(coordinator, 'editing a resource');
    await coordinator.getByRole('button', { name: 'Publier' }).click();
    await coordinator.waitForURL(/ok=publiee/);
    resourceUrl = new URL(coordinator.url()).pathname;
    await assertAccessible(coordinator, 'a published resource');
  });

  test('a citizen without JavaScript at 320 px finds it with a misspelled query', async () => {
    await goto(citizen, '/ressources');
    await citizen.getByLabel('Rechercher une ressource').fill('hamesonnage');
    await citizen.getByRole('button', { name: 'Rechercher' }).click();
    await citizen.waitForURL(/q=hamesonnage/);
    assert.match((await citizen.locator('main').textContent()) ?? '', /Résultats pour « hameconnage »/);
    const audit = await harness.auditPage();
    await goto(audit, new URL(citizen.url()).pathname + new URL(citizen.url()).search);
    await assertAccessible(audit, 'search corrected');
    assert.ok((await overflowAt(citizen, 320)) <= 0, 'the search reflows at 320 px');
    await citizen.getByRole('link', { name: TITLE }).click();
    await citizen.waitForURL(`**${resourceUrl}`);
    assert.ok(await citizen.getByRole('img', { name: 'Un faux SMS de livraison' }).isVisible());
    assert.ok((await overflowAt(citizen, 320)) <= 0, 'the resource reflows at 320 px');
    await citizen.screenshot({ path: '/tmp/ressource-320.png', fullPage: true });
    await goto(audit, resourceUrl);
    await assertAccessible(audit, 'a resource, read by a citizen');
  });

  test('a helper rates it, sees it suggested on a report of the same theme, and prints a booklet', async () => {
    await goto(helper, resourceUrl);
    await helper.getByLabel('3 – Utile').check();
    await helper.getByRole('button', { name: 'Noter' }).click();
    await helper.waitForURL(/ok=note/);
    await helper.getByRole('button', { name: /^Suivre les ressources de / }).click();
    await helper.waitForURL(/ok=suivi/);
    await helper.getByRole('button', { name: /^Ne plus suivre les ressources de / }).waitFor();
    await helper.screenshot({ path: '/tmp/ressource-suivie.png', fullPage: true });
    await goto(helper, '/ressources/suivis');
    await assertAccessible(helper, 'my follows');
    await helper.screenshot({ path: '/tmp/ressources-suivis.png', fullPage: true });
    await helper.getByText(/^Les ressources de /).waitFor();
    await goto(helper, `/ressources/suggestions?activite=${activity}`);
    await assertAccessible(helper, 'suggestions for a report');
    await helper.getByRole('link', { name: TITLE }).waitFor();
    await goto(helper, '/ressources/collections');
    await helper.getByLabel('Titre de la collection').fill('Atelier arnaques');
    await helper.getByRole('button', { name: 'Créer la collection' }).click();
    await helper.waitForURL(/\/ressources\/collections\/[0-9a-f-]{36}$/);
    const collection = helper.url();
    await goto(helper, resourceUrl);
    await helper.getByLabel('Ajouter à une de mes collections').selectOption({ label: 'Atelier arnaques' });
    await helper.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await helper.waitForURL(/ok=collection/);
    await helper.goto(collection);
    await assertAccessible(helper, 'a collection');
    const response = await helper.request.get(`${collection}/livret.pdf`);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    const text = pdfText(await response.body());
    assert.match(text, /Atelier arnaques/);
    assert.match(text, new RegExp(TITLE));
    assert.match(text, /https:\/\/www\.cybermalveillance\.gouv\.fr/);
  });

  test('a report reaches moderation and is resolved', async () => {
    await goto(helper, resourceUrl);
    await helper.getByText('Signaler un problème').click();
    await helper.getByLabel('Ressource obsolète').check();
    await helper.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await helper.waitForURL(/ok=signalement/);
    await goto(coordinator, '/ressources/moderation');
    await assertAccessible(coordinator, 'moderation');
    await coordinator.getByLabel('Signalement non retenu').check();
    await coordinator.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await coordinator.waitForURL(/ok=decision/);
    assert.match((await coordinator.locator('main').textContent()) ?? '', /Aucun signalement à traiter/);
    await goto(coordinator, '/ressources/import');
    await assertAccessible(coordinator, 'the JSON import form');
    await coordinator.screenshot({ path: '/tmp/ressources-import.png', fullPage: true });
    assert.deepEqual(problems, []);
  });
});
