import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import { createInvitation } from '../../src/platform/auth/invitations.ts';
import { DEMO_MEMBER_NAMES, DEMO_OPSN_NAME, totpCode } from '../helpers/app.ts';
import { browserHarness, describeBrowser, formatViolations, runAxe } from '../helpers/browser.ts';

/**
 * The real app, listening on a port, seen through a headless Chromium: what a visitor
 * gets without JavaScript, keyboard use, reflow at 320 px, and axe-core audits (WCAG 2.1 AA).
 */

const OPSN_NAME = DEMO_OPSN_NAME;
const MEMBER_NAMES = DEMO_MEMBER_NAMES;
const ADMIN = DEMO_ACCOUNTS[0];
const ADMIN_EMAIL = ADMIN.email;

const SCREENSHOTS = {
  home: path.join(tmpdir(), 'relais-home.png'),
  villeurbanne320: path.join(tmpdir(), 'relais-villeurbanne-320.png'),
};

const SUITE = 'Relais in a real browser (Chromium)';

describeBrowser(SUITE, { timeout: 180_000 }, browserChecks);

function browserChecks() {
  const harness = browserHarness();
  const { openPage, goto } = harness;
  const relais = () => harness.relais();

  /** The pages must work without JavaScript: visitors' checks run with it off. */
  const withoutJs = (t: TestContext, options: BrowserContextOptions = {}) =>
    openPage(t, { javaScriptEnabled: false, ...options });

  /** axe-core needs JavaScript, and an exemption from the app's `script-src 'self'` CSP. */
  const forAxe = (t: TestContext) => openPage(t, { bypassCSP: true });

  /** Records the page's own sub-resources (stylesheets, images) that fail to load. */
  function brokenResources(page: Page): string[] {
    const broken: string[] = [];
    page.on('requestfailed', (r) => broken.push(`${r.url()} (${r.failure()?.errorText})`));
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'document' && r.status() >= 400)
        broken.push(`${r.url()} (${r.status()})`);
    });
    return broken;
  }

  async function assertNoAxeViolations(page: Page, label: string) {
    const violations = await runAxe(page);
    assert.equal(
      violations.length,
      0,
      formatViolations(`${label} (${new URL(page.url()).pathname})`, violations),
    );
  }

  /** The admin's audit page: signed in through the real forms once, the session reused. */
  const adminPage = () => harness.auditPage({ as: ADMIN });

  test('the home page is in French, titled with the OPSN, and links to its eight member communes', async (t) => {
    const page = await withoutJs(t, { viewport: { width: 1280, height: 900 } });
    const broken = brokenResources(page);
    await goto(page, '/');

    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    const headings = page.locator('h1');
    assert.equal(await headings.count(), 1, 'exactly one h1');
    assert.equal((await headings.textContent())?.trim(), OPSN_NAME);

    const members = await page
      .locator('main a[href^="/collectivites/"]')
      .evaluateAll((links) =>
        links
          .map((a) => ({ href: a.getAttribute('href') ?? '', name: a.textContent?.trim() ?? '' }))
          .filter((l) => /^\/collectivites\/[^/?#]+$/.test(l.href)),
      );
    assert.deepEqual(
      members.map((m) => m.name).sort((a, b) => a.localeCompare(b, 'fr')),
      MEMBER_NAMES,
    );
    assert.equal(new Set(members.map((m) => m.href)).size, 8, 'eight distinct collectivité pages');
    assert.ok(members.some((m) => m.href === '/collectivites/villeurbanne'));

    assert.deepEqual(broken, [], 'every stylesheet and image loads');
    await page.screenshot({ path: SCREENSHOTS.home, fullPage: true });
  });

  test('a collectivité page shows its name and wears its brand colour from its theme stylesheet', async (t) => {
    const page = await withoutJs(t);
    const broken = brokenResources(page);
    const theme = page.waitForResponse((r) => /\/collectivites\/villeurbanne\/theme\.css/.test(r.url()));
    await goto(page, '/collectivites/villeurbanne');

    assert.equal((await theme).status(), 200, 'the theme stylesheet loads');
    const headings = page.locator('h1');
    assert.equal(await headings.count(), 1, 'exactly one h1');
    assert.equal((await headings.textContent())?.trim(), 'Ville de Villeurbanne');
    const background = await page
      .locator('.site-header')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(background, 'rgb(163, 25, 91)', 'the header wears #a3195b');
    assert.deepEqual(broken, [], 'every stylesheet and image loads');
  });

  test('the first Tab reaches the « Aller au contenu » skip link, and Enter moves to the main content', async (t) => {
    const page = await withoutJs(t);
    await goto(page, '/');

    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const box = el?.getBoundingClientRect();
      return {
        tag: el?.tagName,
        text: el?.textContent?.trim(),
        href: el?.getAttribute('href'),
        visible: Boolean(box && box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0),
      };
    });
    assert.deepEqual(focused, { tag: 'A', text: 'Aller au contenu', href: '#contenu', visible: true });

    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#contenu');
    const target = await page.evaluate(() => ({
      hash: location.hash,
      active: `${document.activeElement?.tagName}#${document.activeElement?.id}`,
      targeted: document.querySelector(':target')?.tagName,
    }));
    assert.deepEqual(target, { hash: '#contenu', active: 'MAIN#contenu', targeted: 'MAIN' });

    // The next Tab goes on from the main content, not back to the header.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => Boolean(document.activeElement?.closest('main')));
    assert.ok(next, 'the next Tab stays inside the main content');
  });

  for (const [label, url, status] of [
    ['the home page', '/', 200],
    ['the list of member collectivités', '/collectivites', 200],
    ['a collectivité page', '/collectivites/villeurbanne', 200],
    ['the sign-in page', '/connexion', 200],
    ['the accessibility statement', '/accessibilite', 200],
    ['the 404 page', '/nope', 404],
  ] as const) {
    test(`axe finds no WCAG 2.1 A/AA violation on ${label} (${url})`, async () => {
      const page = await harness.auditPage();
      await goto(page, url, status);
      await assertNoAxeViolations(page, label);
    });
  }

  test('axe finds no WCAG 2.1 A/AA violation on the sign-in page after a wrong password', async (t) => {
    const page = await forAxe(t);
    await goto(page, '/connexion');
    await page.getByLabel('Adresse e-mail').fill(ADMIN_EMAIL);
    await page.getByLabel('Mot de passe').fill('not-the-password');
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/connexion',
      ),
      page.getByRole('button', { name: 'Se connecter' }).click(),
    ]);
    assert.equal(response.status(), 401);
    await page.waitForLoadState();
    const summary = page.locator('.error-summary[role="alert"]');
    assert.equal(await summary.count(), 1, 'an error summary is shown');
    assert.match((await summary.textContent()) ?? '', /incorrect/);
    assert.match(await page.title(), /^Erreur : /);
    await assertNoAxeViolations(page, 'the sign-in page with an error');
  });

  test('axe finds no WCAG 2.1 A/AA violation on the admin territory page, signed in as the admin', async () => {
    const page = await adminPage();
    await goto(page, '/espace');
    assert.equal(await page.locator('h1').textContent(), 'Mon espace', 'signed in, on « Mon espace »');
    await goto(page, '/admin/territoire');
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Territoire et collectivités membres');
    await assertNoAxeViolations(page, 'the admin territory page');
  });

  test('axe finds no WCAG 2.1 A/AA violation on a collectivité’s theme page, reached from the admin table', async () => {
    const page = await adminPage();
    await goto(page, '/admin/territoire');
    await page.getByRole('link', { name: 'Personnaliser Ville de Villeurbanne' }).click();
    await page.waitForURL(/\/admin\/territoire\/collectivites\/\d+\/theme$/);
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Personnaliser Ville de Villeurbanne');
    await assertNoAxeViolations(page, 'the theme page');
  });

  test('axe finds no violation along an invitation: password, TOTP enrolment, recovery codes, second factor', async (t) => {
    const invited = await createInvitation(relais().db.db, {
      email: 'invitee@example.org',
      name: 'Inès Invitée',
      membership: { role: 'admin', collectiviteId: null },
      invitedBy: null,
    });
    assert.ok(invited.ok);
    const page = await forAxe(t);
    await goto(page, `/invitation/${invited.token}`);
    await assertNoAxeViolations(page, 'the invitation page');
    await page.getByLabel('Mot de passe', { exact: true }).fill('cheval agrafe batterie');
    await page.getByLabel('Confirmez le mot de passe').fill('cheval agrafe batterie');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL('**/connexion/activer');
    await assertNoAxeViolations(page, 'the TOTP enrolment page');
    const secret = ((await page.locator('code.secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code à 6 chiffres').fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Activer' }).click();
    await page.locator('h1', { hasText: 'Vos codes de secours' }).waitFor();
    await assertNoAxeViolations(page, 'the recovery codes page');
    await page.screenshot({ path: path.join(tmpdir(), 'relais-recovery-codes.png'), fullPage: true });

    const again = await forAxe(t);
    await goto(again, '/connexion');
    await again.getByLabel('Adresse e-mail').fill('invitee@example.org');
    await again.getByLabel('Mot de passe').fill('cheval agrafe batterie');
    await again.getByRole('button', { name: 'Se connecter' }).click();
    await again.waitForURL('**/connexion/code');
    await assertNoAxeViolations(again, 'the second-factor page');
    // The code of enrolment was used within this 30-second step: lift the replay guard.
    await relais()
      .db.db.updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', 'invitee@example.org')
      .execute();
    await again.getByLabel('Code de sécurité').fill(await totpCode(secret));
    await again.getByRole('button', { name: 'Valider' }).click();
    await again.waitForURL('**/espace');
    assert.match((await again.locator('header').textContent()) ?? '', /Inès Invitée/);
  });

  test('at 320 px wide, the home page does not scroll sideways', async (t) => {
    const page = await withoutJs(t, { viewport: { width: 320, height: 640 } });
    await goto(page, '/');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `the home page is ${width} px wide at a 320 px viewport`);
  });

  test('at 320 px wide, a collectivité page does not scroll sideways (screenshot)', async (t) => {
    const page = await withoutJs(t, { viewport: { width: 320, height: 640 } });
    await goto(page, '/collectivites/villeurbanne');
    await page.screenshot({ path: SCREENSHOTS.villeurbanne320, fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `the collectivité page is ${width} px wide at a 320 px viewport`);
  });
}
