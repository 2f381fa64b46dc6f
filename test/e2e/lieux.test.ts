import assert from 'node:assert/strict';
import { before, type TestContext, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import { NEEDS } from '../../src/modules/lieux/needs.ts';
import {
  browserHarness,
  describeBrowser,
  formatViolations,
  type PageOptions,
  runAxe,
  settle,
  showMaps,
  watchProblems,
} from '../helpers/browser.ts';

/**
 * The places directory in a real browser: a coordinator imports a messy file at the national
 * standard, fixes a place and publishes it, and a citizen on a phone, without JavaScript,
 * finds it. Then axe-core audits, reflow at 320 px, and no console error nor CSP violation.
 * Tiles come from a loopback server, so nothing leaves the machine.
 */

const COORDINATOR = DEMO_ACCOUNTS.find((a) => a.email === 'coordination@demo.relais.example')!;

const SCREENSHOTS = {
  search: '/tmp/lieux-search.png',
  place: '/tmp/lieux-place.png',
  form: '/tmp/lieux-form.png',
};

const PHONE = { width: 375, height: 667 };
const DESKTOP = { width: 1280, height: 900 };

/**
 * A messy file as coordinators get them: a clean row; a row with the v0.1 field `courriel`,
 * a phone typed with spaces and `;` between services; a row whose postcode has four digits.
 */
const MESSY_CSV = [
  'id,pivot,nom,adresse,code_postal,commune,date_maj,latitude,longitude,services,telephone,courriel',
  'buers-1,00000000000000,Point numérique Croix-Luizet,5 rue Octavie,69100,Villeurbanne,2025-03-01,45.7781,4.8921,Aide aux démarches administratives,,',
  'buers-2,00000000000000,Cyberbase des Buers,12 rue des Buers,69100,Villeurbanne,2025-03-01,45.7735,4.8968,Aide aux démarches administratives;Maîtrise des outils numériques du quotidien,04 78 85 12 34,cyberbase@buers.example',
  'buers-3,00000000000000,Espace Cusset,8 rue Pierre-Cusset,6910,Villeurbanne,2025-03-01,,,Aide aux démarches administratives,,',
  '',
].join('\n');

/** A row that passes and one that is rejected, for the pages the audits need. */
const CONTROL_CSV = [
  'id,pivot,nom,adresse,code_postal,commune,date_maj,telephone',
  'controle-1,00000000000000,Espace de contrôle Grandclément,3 place Grandclément,69100,Villeurbanne,2025-03-01,04.78.00.00.01',
  'controle-2,00000000000000,Espace de contrôle rejeté,3 place Grandclément,691,Villeurbanne,2025-03-01,',
  '',
].join('\n');

const SUITE = 'the places directory in a real browser (Chromium)';

describeBrowser(SUITE, { timeout: 240_000 }, browserChecks);

function browserChecks() {
  /** Pages the audits visit, found once in `before`. */
  const urls = { place: '', adminPlace: '', report: '' };

  // Tiles come from a loopback server (MAP_TILES_URL).
  const harness = browserHarness({ tiles: true });

  // The coordinator's stored import report with a rejected row and warnings, and a demo place
  // the coordinator manages, for the audits.
  before(async () => {
    const page = await harness.newPage({ as: COORDINATOR });
    urls.report = await uploadPlaces(page, CONTROL_CSV, 'Fichier de contrôle', { draft: true });
    await goto(page, '/lieux?q=France+Services+Villeurbanne');
    urls.place = (await page.locator('.result a').first().getAttribute('href')) ?? '';
    assert.match(urls.place, /^\/lieux\/[^/]+$/, 'a demo place is found');
    await goto(page, '/admin/lieux?q=France+Services');
    urls.adminPlace =
      (await page
        .getByRole('link', { name: 'France Services de Villeurbanne', exact: true })
        .getAttribute('href')) ?? '';
    assert.match(urls.adminPlace, /^\/admin\/lieux\/[^/]+$/, 'the coordinator manages a demo place');
    await page.context().close();
  });

  /** A page in its own fresh context (the coordinator's session if `signedIn`), closed when the test ends. */
  const openPage = (t: TestContext, { signedIn, ...options }: PageOptions & { signedIn?: boolean } = {}) =>
    harness.openPage(t, { ...(signedIn ? { as: COORDINATOR } : {}), ...options });

  /** Goes to the page and draws its maps, as a person wanting the map would. */
  async function goto(page: Page, url: string, status = 200) {
    const response = await harness.goto(page, url, status);
    await showMaps(page);
    return response;
  }

  /** Uploads a file on /admin/lieux/import; returns the stored report's path. */
  async function uploadPlaces(page: Page, csv: string, source: string, options: { draft: boolean }) {
    await goto(page, '/admin/lieux/import');
    await page.getByLabel('Fichier (XLSX, CSV ou JSON, 20 Mo au plus)').setInputFiles({
      name: 'lieux.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await page.getByLabel('Nom de la source').fill(source);
    if (options.draft) await page.getByLabel('Créer les nouveaux lieux en brouillon').check();
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.waitForURL(/\/admin\/lieux\/imports\/[^/]+$/);
    return new URL(page.url()).pathname;
  }

  /** The definition lists' terms and details, as [term, detail] pairs. */
  function definitions(page: Page, selector: string): Promise<[string, string][]> {
    return page.locator(selector).evaluate((dl) =>
      [...dl.querySelectorAll('dt')].map((dt) => [
        // Times keep their parts together with non-breaking spaces: compare the words.
        dt.textContent?.replaceAll('\u00a0', ' ').trim() ?? '',
        dt.nextElementSibling?.textContent?.replaceAll('\u00a0', ' ').trim() ?? '',
      ]),
    );
  }

  test('a coordinator imports a messy file in draft, fixes and publishes a place; a citizen without JavaScript finds it on a phone', async (t) => {
    // The coordinator, at a desktop, signed in (through the forms, once for the suite).
    const admin = await openPage(t, { signedIn: true, viewport: DESKTOP });
    const adminProblems = await watchProblems(admin);
    await goto(admin, '/espace');
    await admin.getByRole('link', { name: /lieux/i }).first().waitFor();

    const reportPath = await uploadPlaces(admin, MESSY_CSV, 'Recensement des Buers', { draft: true });
    assert.equal((await admin.locator('h1').textContent())?.trim(), 'Rapport d’import');
    assert.match((await admin.locator('.notice').textContent()) ?? '', /Import enregistré/);
    const counts = Object.fromEntries(await definitions(admin, 'dl.summary-list'));
    assert.equal(counts['Lignes lues'], '3');
    assert.equal(counts.Créées, '2');
    assert.equal(counts['Mises à jour'], '0');
    assert.equal(counts.Rejetées, '1');

    // The rejected row, its field, value and reason, in the table under « Lignes rejetées ».
    const rejectedTable = admin.locator('h2', { hasText: 'Lignes rejetées' }).locator('+ .table-wrap table');
    const rejectedRows = await rejectedTable
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim())),
      );
    assert.deepEqual(rejectedRows, [
      ['4', 'buers-3', 'Espace Cusset', 'rejeté', 'code_postal', '6910', 'format attendu : cinq chiffres'],
    ]);
    assert.ok(await rejectedTable.getByText('format attendu : cinq chiffres').isVisible());
    // What was mended on the way is told too.
    const warnings =
      (await admin.locator('h2', { hasText: 'Avertissements' }).locator('+ .table-wrap').textContent()) ?? '';
    assert.match(warnings, /séparateur « ; » remplacé par « \| »/);
    // The v0.1 `courriel` is renamed quietly (checked in the form below), never « ignoré ».
    assert.doesNotMatch(warnings, /courriel/);
    const csvLink = admin.getByRole('link', { name: 'Télécharger le rapport complet (CSV)' });
    assert.equal(await csvLink.getAttribute('href'), `${reportPath}/rapport.csv`);

    // The draft, in the list of places.
    await goto(admin, '/admin/lieux');
    const row = admin.locator('tbody tr', { hasText: 'Cyberbase des Buers' });
    assert.equal((await row.locator('.tag').textContent())?.trim(), 'Brouillon');
    assert.match((await row.textContent()) ?? '', /Recensement des Buers/);
    await row.getByRole('link', { name: 'Cyberbase des Buers' }).click();
    await admin.waitForURL(/\/admin\/lieux\/[^/]+$/);
    const adminPath = new URL(admin.url()).pathname;

    // What the import made of the messy values.
    assert.equal(
      await admin.getByRole('textbox', { name: 'Téléphone', exact: true }).inputValue(),
      '04 78 85 12 34',
    );
    assert.equal(
      await admin.getByRole('textbox', { name: 'Courriel', exact: true }).inputValue(),
      'cyberbase@buers.example',
    );
    for (const service of [
      'Aide aux démarches administratives',
      'Maîtrise des outils numériques du quotidien',
    ]) {
      assert.ok(await admin.getByLabel(service, { exact: true }).isChecked(), `${service} is checked`);
    }

    // The coordinator adds the opening hours with the timetable, then saves.
    const slot = (day: string, n: number, part: 'début' | 'fin') =>
      admin.getByLabel(`${day}, créneau ${n}, ${part}`, { exact: true });
    await slot('Lundi', 1, 'début').fill('09:00');
    await slot('Lundi', 1, 'fin').fill('12:00');
    await slot('Mercredi', 1, 'début').fill('14:00');
    await slot('Mercredi', 1, 'fin').fill('17:30');
    await admin.screenshot({ path: SCREENSHOTS.form, fullPage: true });
    await admin.getByRole('button', { name: 'Enregistrer' }).click();
    await admin.waitForURL(`**${adminPath}?ok=enregistre`);
    assert.match((await admin.locator('.notice').textContent()) ?? '', /Le lieu a été enregistré/);
    assert.equal(await slot('Mercredi', 1, 'fin').inputValue(), '17:30', 'the hours are kept');
    assert.equal((await admin.locator('p .tag').textContent())?.trim(), 'Brouillon');

    await admin.getByRole('button', { name: 'Publier dans l’annuaire public' }).click();
    await admin.waitForURL(`**${adminPath}?ok=publie`);
    assert.equal((await admin.locator('p .tag').textContent())?.trim(), 'Publié');
    const publicPath = await admin.getByRole('link', { name: 'Voir la page publique' }).getAttribute('href');
    assert.match(publicPath ?? '', /^\/lieux\/[^/]+$/);

    // The history tells the story.
    await goto(admin, `${adminPath}/historique`);
    const history = (await admin.locator('ol.history').textContent()) ?? '';
    for (const kind of ['Import', 'Modification', 'Publication']) assert.match(history, new RegExp(kind));
    assert.deepEqual(await adminProblems(), [], 'no console error nor CSP violation on the admin side');

    // A citizen, on a phone, without JavaScript, in a fresh context.
    const citizen = await openPage(t, {
      javaScriptEnabled: false,
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
    });
    await goto(citizen, '/lieux');
    await citizen.getByLabel('Quoi ?').fill('Buers');
    await citizen.getByRole('button', { name: 'Rechercher' }).click();
    await citizen.waitForURL('**/lieux?**');
    assert.equal(new URL(citizen.url()).searchParams.get('q'), 'Buers');
    assert.equal(await citizen.locator('[data-map]').isVisible(), false, 'no map without JavaScript');
    const hit = citizen.locator('.result', { hasText: 'Cyberbase des Buers' });
    assert.match(
      (await hit.locator('.result__address').textContent()) ?? '',
      /12 rue des Buers, 69100 Villeurbanne/,
    );
    assert.equal(
      await citizen.locator('.result', { hasText: 'Espace Cusset' }).count(),
      0,
      'the rejected row is nowhere',
    );
    await citizen.screenshot({ path: SCREENSHOTS.search, fullPage: true });

    await hit.getByRole('link', { name: 'Cyberbase des Buers' }).click();
    await citizen.waitForURL(`**${publicPath}`);
    assert.equal((await citizen.locator('h1').textContent())?.trim(), 'Cyberbase des Buers');
    const address = await citizen.locator('address > span').allTextContents();
    assert.deepEqual(address, ['12 rue des Buers', '69100 Villeurbanne']);
    assert.deepEqual(await definitions(citizen, 'dl.timetable'), [
      ['Lundi', '9 h – 12 h'],
      ['Mardi', 'Fermé'],
      ['Mercredi', '14 h – 17 h 30'],
      ['Jeudi', 'Fermé'],
      ['Vendredi', 'Fermé'],
      ['Samedi', 'Fermé'],
      ['Dimanche', 'Fermé'],
    ]);
    const phone = citizen.locator('.contact-list a[href^="tel:"]');
    assert.equal(await phone.getAttribute('href'), 'tel:+33478851234');
    assert.equal(await phone.textContent(), '04 78 85 12 34');
    assert.equal(
      await citizen.locator('.contact-list a[href^="mailto:"]').getAttribute('href'),
      'mailto:cyberbase@buers.example',
    );
    await citizen.screenshot({ path: SCREENSHOTS.place, fullPage: true });
    const width = await citizen.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the place page is ${width} px wide on a ${PHONE.width} px phone`);
  });

  /** The pages of the directory, public then for coordinators: label, path (known after `before`), signed in. */
  const PAGES: [label: string, path: () => string, signedIn: boolean][] = [
    ['the search page with results', () => '/lieux?q=num%C3%A9rique', false],
    ['a place page', () => urls.place, false],
    ['the list of places', () => '/admin/lieux', true],
    ['the edit form of a place', () => urls.adminPlace, true],
    ['the new place form', () => '/admin/lieux/nouveau', true],
    ['the import page', () => '/admin/lieux/import', true],
    ['an import report', () => urls.report, true],
    ['the history of a place', () => `${urls.adminPlace}/historique`, true],
  ];

  for (const [label, path, withSession] of PAGES) {
    test(`axe finds no WCAG 2.1 A/AA violation on ${label}, JavaScript on`, async (_t) => {
      const url = path();
      const page = await harness.auditPage({
        ...(withSession ? { as: COORDINATOR } : {}),
        viewport: DESKTOP,
      });
      await goto(page, url);
      if (url.startsWith('/lieux?'))
        assert.ok((await page.locator('.result').count()) > 0, 'the search has results');
      // Audit the pages as drawn, maps and all, with the filters open.
      for (const map of await page.locator('[data-map]').all()) {
        if (await map.isVisible()) await map.locator('.leaflet-tile-loaded').first().waitFor();
      }
      if ((await page.locator('details.filters').count()) > 0)
        await page.locator('details.filters summary').click();
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(`${label} (${url})`, violations));
    });
  }

  for (const [label, path] of [
    ['the search page', '/lieux?q=num%C3%A9rique'],
    ['a place page', () => urls.place],
  ] as const) {
    test(`at 320 px wide, ${label} does not scroll sideways, with or without JavaScript`, async () => {
      const url = typeof path === 'function' ? path() : path;
      for (const javaScriptEnabled of [false, true]) {
        // Shared by the tests that only read.
        const page = await harness.sharedPage({ javaScriptEnabled, viewport: { width: 320, height: 640 } });
        await goto(page, url);
        if (javaScriptEnabled && (await page.locator('[data-map]').count()) > 0)
          await page.locator('[data-map] .leaflet-tile-loaded').first().waitFor();
        // Opened filters are part of the page too.
        if ((await page.locator('details.filters').count()) > 0)
          await page.locator('details.filters summary').click();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(
          width <= 320,
          `${url} is ${width} px wide at 320 px (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`,
        );
      }
    });
  }

  test('from the home page, a citizen on a phone without JavaScript searches in their own words and a shared postcode', async () => {
    const page = await harness.sharedPage({
      javaScriptEnabled: false,
      viewport: { width: 320, height: 640 },
    });
    await goto(page, '/');
    const search = page.locator('form.search-form');
    await search.getByLabel('Quoi ?').fill('impots');
    await search.getByLabel('Où ?').fill('42300');
    await search.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL('**/lieux?**');
    await page.getByText('Lieux qui proposent : Aide aux démarches administratives').waitFor();
    await page.getByText(/Le code postal 42300 couvre \d+ communes : Roanne/).waitFor();
    await page.getByRole('link', { name: 'Bus numérique du Roannais' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `the results are ${width} px wide at 320 px`);
  });

  test('every example the « Quoi ? » hint shows, and every term of the needs vocabulary, finds places', async () => {
    const page = await harness.sharedPage({ javaScriptEnabled: false });
    await goto(page, '/');
    const hint = (await page.locator('form.search-form #q-aide').textContent()) ?? '';
    const examples = /\(ex\. : ([^)]+)\)/.exec(hint)?.[1]?.split(', ') ?? [];
    assert.ok(examples.length >= 3, `the hint gives examples: ${hint}`);
    const missing: string[] = [];
    // The examples through the home page's form, as a citizen would type them.
    for (const example of examples) {
      await goto(page, '/');
      await page.locator('form.search-form').getByLabel('Quoi ?').fill(example);
      await page.locator('form.search-form').getByRole('button', { name: 'Rechercher' }).click();
      await page.waitForURL('**/lieux?**');
      if ((await page.locator('.results .result').count()) === 0) missing.push(`exemple : ${example}`);
    }
    // Each term of the vocabulary: the address that form sends.
    for (const term of NEEDS.flatMap((need) => need.terms)) {
      await goto(page, `/lieux?q=${encodeURIComponent(term)}`);
      if ((await page.locator('.results .result').count()) === 0) missing.push(`vocabulaire : ${term}`);
    }
    assert.deepEqual(missing, []);
  });

  test('at 320 px wide, the place form (timetable, map picker, checkboxes) does not scroll sideways', async () => {
    const page = await harness.sharedPage({ as: COORDINATOR, viewport: { width: 320, height: 640 } });
    await goto(page, urls.adminPlace);
    await page.locator('[data-map="picker"] .leaflet-tile-loaded').first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `the place form is ${width} px wide at 320 px`);
  });

  test('at 200 % zoom of a 1280 px window (a 640 px layout viewport), the search and place pages do not scroll sideways', async (t) => {
    const page = await openPage(t, {
      javaScriptEnabled: false,
      viewport: { width: 640, height: 480 },
      deviceScaleFactor: 2,
    });
    for (const url of ['/lieux?q=num%C3%A9rique', urls.place]) {
      await goto(page, url);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${url} overflows by ${overflow} px at 200 % zoom`);
    }
  });

  test('no console error nor CSP violation on the directory’s pages, JavaScript on, maps drawn', async (t) => {
    // One page per session visits them all (they change nothing): a problem fails on the page that made it.
    const pages = {
      public: await openPage(t, { viewport: DESKTOP }),
      coordinator: await openPage(t, { signedIn: true, viewport: DESKTOP }),
    };
    const problems = {
      public: await watchProblems(pages.public),
      coordinator: await watchProblems(pages.coordinator),
    };
    for (const [label, path, withSession] of PAGES) {
      const url = path();
      const page = withSession ? pages.coordinator : pages.public;
      await goto(page, url);
      for (const map of await page.locator('[data-map]').all()) {
        if (await map.isVisible()) await map.locator('.leaflet-tile-loaded').first().waitFor();
      }
      // The results map's data and the last tiles, before counting the problems.
      await settle(page);
      // The picker draws too (the place of the demo has coordinates).
      if (url === urls.adminPlace) assert.ok(await page.locator('[data-map="picker"]').isVisible());
      assert.deepEqual(await problems[withSession ? 'coordinator' : 'public'](), [], `${label} (${url})`);
    }
    assert.ok(harness.tileRequests().length > 0, 'the tiles come from MAP_TILES_URL');
  });

  test('printed, a place page shows its content without the map nor the forms', async (t) => {
    const page = await openPage(t, { viewport: DESKTOP });
    await goto(page, urls.place);
    await page.locator('[data-map="lieu"] .leaflet-tile-loaded').first().waitFor();
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('[data-map="lieu"]').isVisible(), false, 'no map on paper');
    assert.equal(await page.locator('form').first().isVisible(), false, 'no form on paper');
    assert.ok(await page.locator('address').isVisible());
    assert.ok(await page.locator('dl.timetable').isVisible());
    assert.ok(await page.locator('.contact-list').isVisible());
  });
}
