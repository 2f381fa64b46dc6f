import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { findCollectiviteByCode } from '../../src/modules/territoires/index.ts';
import { createUser } from '../../src/platform/auth/users.ts';
import { parisToday } from '../../src/platform/paris-time.ts';
import {
  type Account,
  browserHarness,
  describeBrowser,
  formatViolations,
  type PageOptions,
  runAxe,
  settle,
  watchProblems as watchBrowserProblems,
} from '../helpers/browser.ts';

/**
 * The helper's workspace in a real browser: a helper records an individual report with the
 * keyboard alone, then a workshop with known and anonymous participants, finds both in the
 * list, exports them (XLSX and CSV), and the statistics add up exactly to what was recorded.
 * Then axe-core audits, reflow at 320 px, no console error nor CSP violation, the form
 * without JavaScript, and coordinators kept away from the people's identities.
 */

const HELPER: Account = DEMO_ACCOUNTS.find((a) => a.email === 'mediation@demo.relais.example')!;
const COORDINATOR: Account = DEMO_ACCOUNTS.find((a) => a.email === 'coordination@demo.relais.example')!;
/** A coordinator of another collectivité (Roanne), created for these tests. */
const OTHER_COORDINATOR: Account = {
  email: 'coordination-roanne@test.relais.example',
  totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
};

/** The demo's people (src/modules/activites/seed.ts): none of these names may reach a coordinator. */
const DEMO_NAMES = ['Jeanne Martin', 'Mohamed Benali', 'Lucie Bernard', 'Paulette Girard', 'Hugo Marchand'];

const SCREENSHOTS = {
  form: '/tmp/activite-form.png',
  formPhone: '/tmp/activite-form-375.png',
  workshop: '/tmp/activite-atelier.png',
  workshopPhone: '/tmp/activite-atelier-375.png',
  list: '/tmp/activites-liste.png',
  statistics: '/tmp/statistiques.png',
  statisticsPhone: '/tmp/statistiques-375.png',
};

const PHONE = { width: 375, height: 667 };
const DESKTOP = { width: 1280, height: 900 };
/** Key presses allowed for a whole individual report, from the list to the saved report. */
const MAX_KEY_PRESSES = 60;

const WORKSHOP_TITLE = 'Sauvegarder ses photos (test e2e)';

const SUITE = 'the helper’s activity reports in a real browser (Chromium)';

describeBrowser(SUITE, { timeout: 300_000 }, browserChecks);

function browserChecks() {
  let helperId = '';
  let villeurbanneId = 0;
  /** Pages the audits visit, found once in `before`. */
  const urls = { activity: '', person: '' };

  const harness = browserHarness({
    setup: async (relais) => {
      const db = relais.db.db;
      helperId = (
        await db
          .selectFrom('app_user')
          .select('id')
          .where('email', '=', HELPER.email)
          .executeTakeFirstOrThrow()
      ).id;
      const villeurbanne = await findCollectiviteByCode(db, '69266');
      const roanne = await findCollectiviteByCode(db, '42187');
      assert.ok(villeurbanne && roanne, 'the demo has Villeurbanne and Roanne');
      villeurbanneId = villeurbanne.id;
      await createUser(db, {
        email: OTHER_COORDINATOR.email,
        name: 'Romane Coordinatrice',
        password: DEMO_PASSWORD,
        totpSecret: OTHER_COORDINATOR.totpSecret,
        memberships: [{ role: 'coordinateur', collectiviteId: roanne.id }],
      });

      // A demo report and a demo person of the helper, for the audits.
      const activity = await db
        .selectFrom('activite')
        .select('id')
        .where('mediateur_id', '=', helperId)
        .where('type', '=', 'collectif')
        .orderBy('date', 'desc')
        .executeTakeFirstOrThrow();
      urls.activity = `/activites/${activity.id}`;
      const person = await db
        .selectFrom('beneficiaire')
        .select('id')
        .where('created_by', '=', helperId)
        .where('nom', '=', 'Martin')
        .executeTakeFirstOrThrow();
      urls.person = `/beneficiaires/${person.id}`;
    },
  });
  const { goto } = harness;
  const relais = () => harness.relais();

  /** A page in its own fresh context (the helper's session if `asHelper`), closed when the test ends. */
  const openPage = (t: TestContext, { asHelper, ...options }: PageOptions & { asHelper?: boolean } = {}) =>
    harness.openPage(t, { acceptDownloads: true, ...(asHelper ? { as: HELPER } : {}), ...options });

  /** Problems on a page; a download counts as an aborted load, which is no failure. */
  const watchProblems = (page: Page) =>
    watchBrowserProblems(page, {
      ignore: (problem) => problem.kind === 'failed' && /\/export\.(csv|xlsx)/.test(problem.url),
    });

  /** What the database holds for the helper today: activities by type, participations by gender. */
  async function recordedToday() {
    const db = relais().db.db;
    const day = parisToday();
    const activities = await db
      .selectFrom('activite')
      .select(['type', db.fn.countAll<number>().as('n')])
      .where('mediateur_id', '=', helperId)
      .where('date', '=', day)
      .groupBy('type')
      .execute();
    const participations = await db
      .selectFrom('participation as p')
      .innerJoin('activite as a', 'a.id', 'p.activite_id')
      .select(['p.genre', db.fn.countAll<number>().as('n')])
      .where('a.mediateur_id', '=', helperId)
      .where('a.date', '=', day)
      .groupBy('p.genre')
      .execute();
    const byType = Object.fromEntries(activities.map((r) => [r.type, Number(r.n)]));
    const byGenre = Object.fromEntries(participations.map((r) => [r.genre, Number(r.n)]));
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    return { byType, byGenre, activities: sum(byType), accompagnements: sum(byGenre) };
  }

  /** A statistics table's rows, as code → number (the exact view shows plain numbers). */
  async function tableNumbers(page: Page, id: string): Promise<Record<string, number>> {
    const rows = await page
      .locator(`#${id} tr[data-code]`)
      .evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute('data-code') ?? '', tr.querySelector('td')?.textContent ?? '']),
      );
    return Object.fromEntries(rows.map(([code, n]) => [code, Number((n ?? '').replace(/\s/g, ''))]));
  }

  /** A report's participations in the database, as [genre, age band, status] codes, sorted. */
  async function participationsOf(activityId: string): Promise<string[][]> {
    const rows = await relais()
      .db.db.selectFrom('participation')
      .select(['genre', 'tranche_age', 'statut'])
      .where('activite_id', '=', activityId)
      .execute();
    return rows.map((r) => [r.genre, r.tranche_age, r.statut]).sort();
  }

  test('a helper records an individual report with the keyboard alone, then a workshop; finds, exports and counts them', async (t) => {
    const page = await openPage(t, { asHelper: true, viewport: DESKTOP });
    const problems = await watchProblems(page);
    const day = parisToday();
    const before = await recordedToday();

    // ---------------------------------------------------------------- the keyboard alone
    let presses = 0;
    const press = async (key: string, times = 1) => {
      for (let i = 0; i < times; i++) {
        presses++;
        await page.keyboard.press(key);
      }
    };
    const typeText = async (text: string) => {
      presses += text.length;
      await page.keyboard.type(text);
    };
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return '';
        const id = el.id ? `#${el.id}` : '';
        return `${el.tagName.toLowerCase()}${id}${el instanceof HTMLAnchorElement ? ` ${el.textContent?.trim()}` : ''}`;
      });
    /** Tabs forward until the focus is on `selector`; fails after `max` presses. */
    const tabTo = async (selector: string, max = 40) => {
      for (let i = 0; i < max; i++) {
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        await press('Tab');
      }
      assert.fail(`${selector} not reached by Tab (focus on ${await focused()})`);
    };

    await goto(page, '/activites');
    // Skip link, then the first link of the content: « Nouveau compte rendu individuel ».
    await press('Tab');
    assert.match(await focused(), /Aller au contenu/, 'the first Tab reaches the skip link');
    await press('Enter');
    await tabTo('a[href="/activites/nouveau?type=individuel"]', 10);
    await press('Enter');
    await page.waitForURL('**/activites/nouveau?type=individuel');
    assert.equal(await page.locator('h1').textContent(), 'Nouveau compte rendu individuel');
    assert.equal(await page.locator('#champ-date').inputValue(), day, 'the date is today');

    await press('Tab');
    await press('Enter');
    // The date is today already: on to the duration, a preset of 45 minutes.
    await tabTo('input[name="duree"]', 15);
    const durations = await page
      .locator('input[name="duree"]')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    const from = await page.evaluate(() => (document.activeElement as HTMLInputElement).value);
    const steps = durations.indexOf('45') - durations.indexOf(from);
    await press(steps >= 0 ? 'ArrowRight' : 'ArrowLeft', Math.abs(steps));
    assert.ok(await page.locator('#duree-45').isChecked(), '45 min is chosen');
    // The place of activity stays the one of the last report; on to the person: anonymous.
    await tabTo('input[name="participant"]', 5);
    const participantFrom = await page.evaluate(() => (document.activeElement as HTMLInputElement).value);
    const participants = ['existant', 'nouveau', 'anonyme'];
    await press('ArrowDown', participants.indexOf('anonyme') - participants.indexOf(participantFrom));
    if (!(await page.locator('#participant-anonyme').isChecked())) await press('Space');
    assert.ok(await page.locator('#participant-anonyme').isChecked(), 'an anonymous person');
    // Their gender, age band and status: type-ahead in the closed lists.
    await press('Tab');
    await typeText('f');
    await press('Tab');
    await typeText('4');
    await press('Tab');
    await typeText('r');
    const anonymous = await page.evaluate(() =>
      ['anonyme.genre', 'anonyme.tranche_age', 'anonyme.statut'].map(
        (name) => (document.querySelector(`[name="${name}"]`) as HTMLSelectElement).value,
      ),
    );
    assert.deepEqual(anonymous, ['feminin', 'de_40_a_59', 'retraite']);
    // A computer, and the theme « E-mail ».
    await tabTo('#materiels-ordinateur', 5);
    await press('Space');
    await tabTo('#thematiques-email', 15);
    await press('Space');
    await page.screenshot({ path: SCREENSHOTS.form, fullPage: true });
    await tabTo('button[value="enregistrer"]', 40);
    await press('Enter');
    await page.waitForURL(/\/activites\/[0-9a-f-]{36}\?ok=enregistre$/);
    t.diagnostic(`individual report: ${presses} key presses`);
    assert.ok(presses <= MAX_KEY_PRESSES, `${presses} key presses for an individual report`);
    const individualId = new URL(page.url()).pathname.split('/')[2]!;
    assert.match((await page.locator('.notice').textContent()) ?? '', /Le compte rendu a été enregistré/);
    assert.equal(await page.locator('h1').textContent(), `Accompagnement individuel du ${frenchDate(day)}`);
    const summary = Object.fromEntries(
      await page
        .locator('dl.summary-list')
        .evaluate((dl) =>
          [...dl.querySelectorAll('dt')].map((dt) => [
            dt.textContent?.trim() ?? '',
            dt.nextElementSibling?.textContent?.trim() ?? '',
          ]),
        ),
    );
    assert.equal(summary.Durée, '45 min');
    assert.equal(summary.Thématiques, 'E-mail');
    assert.equal(summary.Matériel, 'Ordinateur');
    assert.deepEqual(await participationsOf(individualId), [['feminin', 'de_40_a_59', 'retraite']]);

    // ---------------------------------------------------------------- a workshop
    await goto(page, '/activites/nouveau?type=collectif');
    assert.equal(await page.locator('h1').textContent(), 'Nouveau compte rendu d’atelier');
    await page.getByLabel('Titre de l’atelier').fill(WORKSHOP_TITLE);
    await page.getByLabel('Niveau').selectOption('debutant');
    await page.getByLabel('1 h 30', { exact: true }).check();
    await page.locator('#canal-lieu_activite').check();
    const known = page.locator('input[name="beneficiaires"][type="checkbox"]');
    assert.ok((await known.count()) >= 2, 'the helper’s recent people are offered');
    await known.nth(0).check();
    await known.nth(1).check();
    const knownIds = [await known.nth(0).inputValue(), await known.nth(1).inputValue()];
    await page.getByLabel('Nombre de participants anonymes').fill('5');
    const breakdown = (legend: string) => page.getByRole('group', { name: legend, exact: true });
    await breakdown('Par genre').getByLabel('Féminin').fill('3');
    await breakdown('Par genre').getByLabel('Masculin').fill('1');
    await breakdown('Par âge').getByLabel('60 à 69 ans').fill('2');
    await breakdown('Par âge').getByLabel('70 ans ou plus').fill('1');
    await breakdown('Par statut').getByLabel('Retraité').fill('3');
    await page.getByLabel('Ordinateur', { exact: true }).check();
    await page.getByLabel('Gérer ses contenus numériques', { exact: true }).check();
    await page.screenshot({ path: SCREENSHOTS.workshop, fullPage: true });
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/activites\/[0-9a-f-]{36}\?ok=enregistre$/);
    const workshopId = new URL(page.url()).pathname.split('/')[2]!;
    assert.equal(
      await page.locator('h1').textContent(),
      `Atelier « ${WORKSHOP_TITLE} » du ${frenchDate(day)}`,
    );
    assert.equal(await page.locator('h2', { hasText: 'Participants' }).textContent(), 'Participants (7)');
    const told = (await page.locator('main').textContent()) ?? '';
    assert.match(told, /5 participants anonymes\. Genre : /);
    for (const part of [
      'Féminin : 3',
      'Masculin : 1',
      '60 à 69 ans : 2',
      '70 ans ou plus : 1',
      'Retraité : 3',
    ])
      assert.ok(told.includes(part), `the anonymous participants' « ${part} » is told`);
    const workshopRows = await participationsOf(workshopId);
    assert.equal(workshopRows.length, 7, 'two known people and five anonymous ones');
    const known0 = await relais()
      .db.db.selectFrom('participation')
      .select('beneficiaire_id')
      .where('activite_id', '=', workshopId)
      .where('beneficiaire_id', 'is not', null)
      .execute();
    assert.deepEqual(known0.map((r) => r.beneficiaire_id).sort(), [...knownIds].sort());

    // ---------------------------------------------------------------- the list, filtered
    await goto(page, `/activites?du=${day}&au=${day}&type=individuel`);
    assert.equal(await page.locator(`a[href="/activites/${individualId}"]`).count(), 1);
    assert.equal(await page.locator(`a[href="/activites/${workshopId}"]`).count(), 0);
    assert.equal(
      await page.locator(`a[href="/activites/${individualId}"]`).textContent(),
      'Accompagnement : personne anonyme',
    );
    await goto(page, `/activites?du=${day}&au=${day}&type=collectif`);
    assert.equal(await page.locator(`a[href="/activites/${individualId}"]`).count(), 0);
    const workshopRow = page.locator('tbody tr', { has: page.locator(`a[href="/activites/${workshopId}"]`) });
    assert.deepEqual(
      (await workshopRow.locator('td').allTextContents()).map((s) => s.trim()),
      [
        frenchDate(day),
        `Atelier : ${WORKSHOP_TITLE}`,
        'Gérer ses contenus numériques',
        await workshopPlace(workshopId),
        '1 h 30',
        '7',
      ],
    );
    await goto(page, `/activites?du=${day}&au=${day}`);
    assert.equal(
      await page.locator('.results-count').textContent(),
      `${before.activities + 2} compte${before.activities + 2 > 1 ? 's' : ''} rendu${before.activities + 2 > 1 ? 's' : ''}`,
    );
    await page.screenshot({ path: SCREENSHOTS.list, fullPage: true });

    // ---------------------------------------------------------------- the exports of today
    const download = async (name: string) => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name, exact: true }).click(),
      ]);
      const path = await file.path();
      return { name: file.suggestedFilename(), bytes: readFileSync(path) };
    };
    const xlsx = await download('tableur XLSX');
    assert.equal(xlsx.name, `comptes-rendus-${day}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const xlsxRows = sheet
      .getSheetValues()
      .slice(2)
      .filter(Boolean)
      .map((row) => Object.fromEntries(header.map((h, i) => [h, (row as unknown[])[i + 1]])));
    assert.equal(xlsxRows.length, before.accompagnements + 8, 'one row per participation of the day');
    const mine = (id: string) => xlsxRows.filter((r) => r['Identifiant du compte rendu'] === id);
    const [individualRow] = mine(individualId);
    assert.equal(mine(individualId).length, 1);
    assert.ok(individualRow);
    assert.equal((individualRow.Date as Date).toISOString().slice(0, 10), day);
    assert.equal(individualRow.Type, 'Accompagnement individuel');
    assert.equal(individualRow.Participants, 1);
    assert.equal(individualRow['Durée (minutes)'], 45);
    assert.equal(individualRow.Thématiques, 'E-mail');
    assert.equal(individualRow.Genre, 'Féminin');
    assert.equal(individualRow['Tranche d’âge'], '40 à 59 ans');
    assert.equal(individualRow.Statut, 'Retraité');
    const workshopXlsx = mine(workshopId);
    assert.equal(workshopXlsx.length, 7, 'the workshop: one row per participant');
    for (const row of workshopXlsx) {
      assert.equal(row.Type, 'Atelier collectif');
      assert.equal(row['Nom de l’atelier'], WORKSHOP_TITLE);
      assert.equal(row.Participants, 7);
      assert.equal(row['Durée (minutes)'], 90);
    }
    const labelsOf = (rows: Record<string, unknown>[]) =>
      rows.map((r) => [r.Genre, r['Tranche d’âge'], r.Statut].map(String)).sort();
    assert.deepEqual(labelsOf(workshopXlsx), await participationLabels(workshopId));

    const csv = await download('CSV');
    assert.equal(csv.name, `comptes-rendus-${day}.csv`);
    const text = csv.bytes.toString('utf8');
    assert.ok(text.startsWith('\uFEFF'), 'the CSV starts with a byte-order mark');
    const csvRows = parse(text.slice(1), { columns: true, delimiter: ';' }) as Record<string, string>[];
    assert.equal(csvRows.length, before.accompagnements + 8);
    const csvMine = (id: string) => csvRows.filter((r) => r['Identifiant du compte rendu'] === id);
    assert.equal(csvMine(individualId).length, 1);
    assert.equal(csvMine(individualId)[0]!.Date, day);
    assert.equal(csvMine(workshopId).length, 7);
    assert.deepEqual(labelsOf(csvMine(workshopId)), await participationLabels(workshopId));

    // ---------------------------------------------------------------- the statistics of today
    const after = await recordedToday();
    assert.equal(after.activities, before.activities + 2, 'two more activities today');
    assert.equal(after.accompagnements, before.accompagnements + 8, 'eight more accompaniments today');
    await goto(page, `/statistiques?du=${day}&au=${day}`);
    const figures = Object.fromEntries(
      await page
        .locator('#synthese .stats-summary__item')
        .evaluateAll((items) =>
          items.map((i) => [
            i.querySelector('dt')?.textContent?.trim() ?? '',
            i.querySelector('dd')?.textContent?.trim() ?? '',
          ]),
        ),
    );
    assert.equal(figures.Activités, String(after.activities));
    assert.equal(figures.Accompagnements, String(after.accompagnements));
    const types = await tableNumbers(page, 'tableau-type');
    assert.deepEqual(types, {
      individuel: after.byType.individuel ?? 0,
      collectif: after.byType.collectif ?? 0,
      total: after.activities,
    });
    assert.equal(types.individuel, (before.byType.individuel ?? 0) + 1);
    assert.equal(types.collectif, (before.byType.collectif ?? 0) + 1);
    const genres = await tableNumbers(page, 'tableau-genre');
    assert.deepEqual(genres, {
      masculin: after.byGenre.masculin ?? 0,
      feminin: after.byGenre.feminin ?? 0,
      non_communique: after.byGenre.non_communique ?? 0,
      total: after.accompagnements,
    });
    const months = await tableNumbers(page, 'tableau-mois');
    assert.equal(months[day.slice(0, 7)], after.activities, 'this month’s activities');
    await page.screenshot({ path: SCREENSHOTS.statistics, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: SCREENSHOTS.statisticsPhone, fullPage: true });
    assert.deepEqual(await problems(), [], 'no console error nor CSP violation');

    // The forms on a phone, for the eyes.
    await goto(page, '/activites/nouveau?type=individuel');
    await page.getByLabel('Une personne anonyme').check();
    await page.screenshot({ path: SCREENSHOTS.formPhone, fullPage: true });
    await goto(page, '/activites/nouveau?type=collectif');
    await page.screenshot({ path: SCREENSHOTS.workshopPhone, fullPage: true });
  });

  /** The place column of the list for a report at one of the helper's places. */
  async function workshopPlace(activityId: string): Promise<string> {
    const row = await relais()
      .db.db.selectFrom('activite as a')
      .innerJoin('lieu as l', 'l.id', 'a.lieu_id')
      .select('l.nom')
      .where('a.id', '=', activityId)
      .executeTakeFirstOrThrow();
    return row.nom;
  }

  /** A report's participations as the exports label them, sorted. */
  async function participationLabels(activityId: string): Promise<string[][]> {
    const { GENRES, STATUTS, TRANCHES_AGE } = await import('../../src/modules/beneficiaires/index.ts');
    const label = (v: Record<string, string>, code: string) => v[code] ?? code;
    return (await participationsOf(activityId))
      .map(([g, a, s]) => [label(GENRES, g!), label(TRANCHES_AGE, a!), label(STATUTS, s!)])
      .sort();
  }

  /** The helper's pages: label, path (known after `before`). */
  const PAGES: [label: string, path: () => string, prepare?: (page: Page) => Promise<void>][] = [
    ['the list of reports', () => '/activites'],
    [
      'the individual form, an anonymous person chosen',
      () => '/activites/nouveau?type=individuel',
      async (page) => page.getByLabel('Une personne anonyme').check(),
    ],
    [
      'the individual form, a new person chosen',
      () => '/activites/nouveau?type=individuel',
      async (page) => page.getByLabel('Une nouvelle personne').check(),
    ],
    ['the workshop form', () => '/activites/nouveau?type=collectif'],
    ['a report', () => urls.activity],
    ['the people helped', () => '/beneficiaires'],
    ['the places of activity', () => '/activites/lieux'],
    ['a person’s page', () => urls.person],
    [
      'the statistics',
      () => '/statistiques',
      async (page) => page.locator('details.stats-definitions summary').click(),
    ],
  ];

  for (const [label, path, prepare] of PAGES) {
    test(`axe finds no WCAG 2.1 A/AA violation on ${label}`, async () => {
      const url = path();
      const page = await harness.auditPage({ as: HELPER, viewport: DESKTOP });
      await goto(page, url);
      await prepare?.(page);
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(`${label} (${url})`, violations));
    });
  }

  test('no console error nor CSP violation on the helper’s pages', async (t) => {
    // One page visits them all (they change nothing): a problem fails on the page that made it.
    const page = await openPage(t, { asHelper: true, viewport: DESKTOP });
    const problems = await watchProblems(page);
    for (const [label, path, prepare] of PAGES) {
      const url = path();
      await goto(page, url);
      await prepare?.(page);
      await settle(page);
      assert.deepEqual(await problems(), [], `${label} (${url})`);
    }
  });

  for (const [label, url] of [
    ['the list of reports, filters and all', '/activites'],
    ['the individual form', '/activites/nouveau?type=individuel'],
    ['the workshop form', '/activites/nouveau?type=collectif'],
    ['the statistics', '/statistiques'],
    ['the people helped', '/beneficiaires'],
    ['the places of activity', '/activites/lieux'],
  ] as const) {
    test(`at 320 px wide, ${label} does not scroll sideways, with or without JavaScript`, async () => {
      for (const javaScriptEnabled of [false, true]) {
        // Shared by these tests: they only read.
        const page = await harness.sharedPage({
          as: HELPER,
          javaScriptEnabled,
          viewport: { width: 320, height: 640 },
        });
        await goto(page, url);
        const widths = [await page.evaluate(() => document.documentElement.scrollWidth)];
        // Every option of the individual form opened in turn.
        if (url.includes('individuel'))
          for (const option of [
            'Une nouvelle personne',
            'Une personne anonyme',
            'Une personne déjà suivie',
          ]) {
            await page.getByLabel(option, { exact: true }).check();
            widths.push(await page.evaluate(() => document.documentElement.scrollWidth));
          }
        const widest = Math.max(...widths);
        assert.ok(
          widest <= 320,
          `${url} is ${widest} px wide at 320 px (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`,
        );
      }
    });
  }

  test('without JavaScript, the individual form records a new person', async (t) => {
    const page = await openPage(t, { asHelper: true, javaScriptEnabled: false, viewport: PHONE });
    await goto(page, '/activites/nouveau?type=individuel');
    await page.getByLabel('30 min', { exact: true }).check();
    await page.getByLabel('Une nouvelle personne', { exact: true }).check();
    await page.getByLabel('Prénom').fill('Zoé');
    await page.getByLabel('Nom', { exact: true }).fill('Sansscript');
    await page.getByLabel('Année de naissance').fill('1990');
    await page.getByLabel('Commune de résidence', { exact: true }).fill('Villeurbanne');
    await page.getByLabel('N’a pas de téléphone').check();
    await page.locator('#materiels-telephone').check();
    await page.getByLabel('Navigation sur internet', { exact: true }).check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/activites\/[0-9a-f-]{36}\?ok=enregistre$/);
    assert.match((await page.locator('.notice').textContent()) ?? '', /Le compte rendu a été enregistré/);
    assert.match((await page.locator('main').textContent()) ?? '', /Zoé Sansscript/);
    const person = await relais()
      .db.db.selectFrom('beneficiaire')
      .select(['commune_insee', 'sans_telephone'])
      .where('nom', '=', 'Sansscript')
      .executeTakeFirstOrThrow();
    assert.deepEqual(person, { commune_insee: '69266', sans_telephone: true });
  });

  test('a coordinator approves a proposed place without JavaScript, on a page axe finds no fault with', async (t) => {
    const db = relais().db.db;
    // The demo helper proposes the draft place of Villeurbanne.
    const draft = await db
      .selectFrom('lieu')
      .select('id')
      .where('nom', 'like', 'Atelier numérique seniors%')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('mediateur_lieu_proposition')
      .values({ user_id: helperId, lieu_id: draft.id })
      .execute();

    const audited = await openPage(t, { as: COORDINATOR, bypassCSP: true, viewport: DESKTOP });
    await goto(audited, '/admin/lieux-activite');
    const violations = await runAxe(audited);
    assert.equal(violations.length, 0, formatViolations('the coordinators’ places page', violations));
    assert.ok(
      (await audited.evaluate(() => document.documentElement.scrollWidth)) <= DESKTOP.width,
      'no sideways scroll',
    );

    const page = await openPage(t, {
      as: COORDINATOR,
      javaScriptEnabled: false,
      viewport: { width: 320, height: 640 },
    });
    await goto(page, '/admin/lieux-activite');
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 320, 'fits 320 px');
    await page.getByRole('button', { name: /^Approuver/ }).click();
    await page.waitForURL(/\/admin\/lieux-activite\?collectivite=\d+&ok=approuver$/);
    assert.match((await page.locator('.notice').textContent()) ?? '', /Le lieu est approuvé/);
    const approved = await db
      .selectFrom('mediateur_lieu')
      .select('lieu_id')
      .where('user_id', '=', helperId)
      .where('lieu_id', '=', draft.id)
      .executeTakeFirst();
    assert.ok(approved, 'the place is approved');
  });

  test('coordinators reach no identity: 403 on the helper’s pages, no name in the statistics', async (t) => {
    const page = await openPage(t, { as: COORDINATOR, viewport: DESKTOP });
    for (const url of ['/activites', '/activites/nouveau', '/beneficiaires', urls.activity, urls.person])
      await goto(page, url, 403);
    const response = await goto(page, `/statistiques/collectivites/${villeurbanneId}`);
    const html = await response.text();
    for (const name of [...DEMO_NAMES, 'Sansscript'])
      assert.ok(!html.includes(name.split(' ').at(-1)!), `${name} is not on the coordinator’s statistics`);
    assert.match(html, /les nombres de personnes/, 'the masking rule is told');

    // A coordinator of another collectivité reaches neither these people nor these statistics.
    const other = await openPage(t, { as: OTHER_COORDINATOR, viewport: DESKTOP });
    for (const url of ['/activites', '/beneficiaires', urls.activity, urls.person, '/statistiques'])
      await goto(other, url, 403);
    await goto(other, `/statistiques/collectivites/${villeurbanneId}`, 403);
  });
}

/** 2026-11-20 → 20/11/2026. */
function frenchDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}
