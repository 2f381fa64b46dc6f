import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CURRENT } from '../../src/modules/competences/questionnaire.ts';
import { answersAt } from '../../src/modules/competences/seed.ts';
import { recordDiagnosis } from '../../src/modules/competences/service.ts';
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
import { givenBeneficiary } from '../helpers/builders.ts';

/**
 * Digital skills in a real browser: a person completes the questionnaire without JavaScript at
 * 320 px and gets a result naming Vénissieux places and a resource; the same walk with axe-core
 * on every page of the questionnaire; the demo helper records a second diagnosis of one person
 * (the first one is given) and sees the progress; the observatory shows the demo counts.
 */

const HELPER: Account = DEMO_ACCOUNTS[2];
const NARROW = { width: 320, height: 640 };

/** What a person answers: the basics on their own, the rest with help, an urgent démarche. */
const choiceFor = (question: string, skills: string): string[] =>
  question === 'Quels appareils avez-vous chez vous ?'
    ? ['Un smartphone']
    : question === 'Comment allez-vous sur internet ?'
      ? ['Internet sur mon téléphone (données mobiles)']
      : question === 'Pour vos démarches en ligne, comment faites-vous ?'
        ? ['Je fais une partie seul']
        : question === 'Vous sentez-vous à l’aise avec le numérique ?'
          ? ['Un peu']
          : question === 'Avez-vous une démarche urgente à faire ?'
            ? ['Aides sociales, santé']
            : [skills];

/** Answers every question page by page; `check(page)` runs on each. Returns how many pages. */
async function walk(
  page: Page,
  skills: string,
  check: (page: Page, n: number) => Promise<void>,
): Promise<number> {
  for (let n = 1; n < 40; n++) {
    const heading = ((await page.locator('h1').textContent()) ?? '').trim();
    if (!(await page.locator('input[name="question"]').count())) return n - 1;
    if ((await page.locator('input[name="question"]').getAttribute('value')) === 'commune') return n - 1;
    await check(page, n);
    for (const label of choiceFor(heading, skills)) await page.getByLabel(label, { exact: true }).check();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForLoadState('load');
  }
  throw new Error('the questionnaire did not end');
}

describeBrowser('digital skills in a real browser (Chromium)', { timeout: 240_000 }, () => {
  const problems: string[] = [];
  let person = '';
  const harness = browserHarness({
    setup: async (relais) => {
      const helper = await helperByEmail(relais.db.db, HELPER.email);
      assert.ok(helper);
      person = await givenBeneficiary(relais, helper, {
        prenom: 'Louise',
        nom: 'Morel',
        commune_insee: '69266',
      });
      // A first diagnosis, recorded earlier: the browser records the second one.
      const first = await recordDiagnosis(
        relais.db.db,
        helper,
        person,
        'avec',
        CURRENT,
        answersAt(CURRENT, () => 1),
        {},
      );
      assert.ok(first.ok);
    },
  });
  const { goto, openPage } = harness;
  let helperPage: Page;

  before(async () => {
    helperPage = await harness.newPage({ as: HELPER, bypassCSP: true });
    await watchProblems(helperPage, { into: problems });
  });

  test('without JavaScript at 320 px, a person completes it and gets Vénissieux places, a workshop and resources', async (t) => {
    const page = await openPage(t, { javaScriptEnabled: false, viewport: NARROW });
    await watchProblems(page, { into: problems });
    await page.goto('/competences');
    await page.getByRole('link', { name: 'Commencer le questionnaire' }).click();
    await page.waitForURL('**/competences/diagnostic');
    const pages = await walk(page, 'Avec de l’aide', async (p, n) => {
      assert.ok((await overflowAt(p, 320)) <= 0, `question ${n} reflows at 320 px`);
      await p.getByText(new RegExp(`^Question ${n} sur \\d+$`)).waitFor();
    });
    assert.ok(pages >= 16, `${pages} questions`);
    await page.getByLabel('Votre commune ou votre code postal').fill('Vénissieux');
    await page.getByRole('button', { name: 'Voir mon résultat' }).click();
    await page.getByRole('heading', { level: 1, name: 'Votre résultat' }).waitFor();
    await page.getByRole('link', { name: 'Maison des services publics de Vénissieux' }).first().waitFor();
    await page
      .getByRole('link', { name: /Les Bons Clics/ })
      .first()
      .waitFor();
    // The territory's own offer: the demo's workshop with its next session, the library's resources.
    await page.getByRole('link', { name: 'Atelier smartphone' }).waitFor();
    assert.match(await page.locator('.skills-steps').innerText(), /prochaine séance le \d+ \S+ \d{4}/);
    await page.getByRole('link', { name: 'Se protéger des arnaques en ligne' }).waitFor();
    assert.ok((await overflowAt(page, 320)) <= 0, 'the result reflows at 320 px');
    await page.screenshot({
      path: path.join(tmpdir(), 'relais-competences-resultat-320.png'),
      fullPage: true,
    });
  });

  test('axe-core finds no violation on any page of the questionnaire, nor on the result', async (t) => {
    const page = await openPage(t, { bypassCSP: true, viewport: NARROW });
    // The one 400 here is the page sent back on purpose without an answer.
    await watchProblems(page, { into: problems, ignore: (p) => /\b400\b/.test(p.text) });
    await page.goto('/competences');
    await assertAccessible(page, 'intro');
    await page.goto('/competences/diagnostic');
    // Continuer without an answer: the error summary and the field's error, audited too.
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText('Cochez au moins une réponse pour continuer.').first().waitFor();
    await assertAccessible(page, 'question with its error');
    await page.screenshot({ path: path.join(tmpdir(), 'relais-competences-erreur-320.png'), fullPage: true });
    await walk(page, 'Seul', (p, n) => assertAccessible(p, `question ${n}`));
    await assertAccessible(page, 'commune');
    await page.getByLabel('Votre commune ou votre code postal').fill('69200');
    await page.getByRole('button', { name: 'Voir mon résultat' }).click();
    await page.getByRole('heading', { level: 1, name: 'Votre résultat' }).waitFor();
    await assertAccessible(page, 'result');
  });

  test('a helper records a second diagnosis of one person and sees the progress', async () => {
    await goto(helperPage, `/competences/personnes/${person}/diagnostic`);
    await helperPage.getByLabel('La personne a répondu elle-même, avec le médiateur').check();
    await helperPage.getByLabel('La personne est d’accord pour garder le résultat dans sa fiche.').check();
    await helperPage.getByRole('button', { name: 'Commencer' }).click();
    await helperPage.waitForLoadState('load');
    await walk(helperPage, 'Seul', async () => {});
    await helperPage.getByText('Le diagnostic est enregistré dans la fiche.').waitFor();
    await helperPage.getByRole('heading', { name: 'Progrès depuis le premier diagnostic' }).waitFor();
    await assertAccessible(helperPage, 'person’s diagnoses');
    assert.ok((await overflowAt(helperPage, 320)) <= 0, 'the person’s page reflows at 320 px');
    await helperPage.screenshot({
      path: path.join(tmpdir(), 'relais-competences-progres.png'),
      fullPage: true,
    });
  });

  test('the observatory shows the demo counts, accessible', async (t) => {
    const page = await openPage(t, { bypassCSP: true });
    await page.goto('/competences/observatoire');
    await page.getByRole('rowheader', { name: 'Tout le territoire' }).waitFor();
    await assertAccessible(page, 'observatory');
    assert.ok((await overflowAt(page, 320)) <= 0, 'the observatory reflows at 320 px');
  });

  test('no page logged an error', () => {
    assert.deepEqual(problems, []);
  });
});
