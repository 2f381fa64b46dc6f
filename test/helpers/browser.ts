import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, type TestContext, test } from 'node:test';
import type { AxeResults, Result as AxeViolation, RunOptions } from 'axe-core';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './app.ts';

/**
 * Real-browser checks: a headless Chromium driven by playwright-core (no downloaded
 * browser: the system's Chromium, `/usr/bin/chromium` unless `CHROMIUM_PATH` says otherwise)
 * and axe-core for automated accessibility audits.
 */

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const chromiumAbsent: string | false = existsSync(chromiumPath)
  ? false
  : `Chromium absent (${chromiumPath}): install Debian's chromium package or set CHROMIUM_PATH to run the browser tests`;

// CI installs Chromium, so there a missing browser is a failure, never a silent skip.
if (chromiumAbsent && process.env.CI) throw new Error(`${chromiumAbsent} (CI must run the browser tests)`);

/**
 * Why browser tests do not run here, or `false` when they do: for `{ skip }`. They check
 * pages, not the database: the PostgreSQL pass of the suite (DATABASE_URL set) leaves them
 * to the PGlite pass, which keeps the whole CI run short.
 */
export const chromiumMissing: string | false =
  chromiumAbsent ||
  (process.env.DATABASE_URL
    ? 'browser tests run in the PGlite pass of the suite (DATABASE_URL is set)'
    : false);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

/** The WCAG levels the app promises (RGAA 4 follows WCAG 2.1 AA). */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let axeSource: string | undefined;
const readAxeSource = () =>
  (axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

/**
 * Runs axe-core on the page as it is. The page's context needs JavaScript and
 * `bypassCSP: true`: the app's CSP (`script-src 'self'`) forbids the injected script otherwise.
 */
export async function runAxe(page: Page, tags: string[] = WCAG_AA_TAGS): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: readAxeSource() });
  const options: RunOptions = { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] };
  const results = await page.evaluate(
    (opts) =>
      (window as unknown as { axe: { run(c: Document, o: RunOptions): Promise<AxeResults> } }).axe.run(
        document,
        opts,
      ),
    options,
  );
  return results.violations;
}

/** A readable report of axe violations: rule, impact, help, link and each offending node. */
export function formatViolations(url: string, violations: AxeViolation[]): string {
  const lines = [`${violations.length} axe violation(s) on ${url}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} [${v.impact ?? 'n/a'}]: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes) {
      lines.push(`    at ${node.target.map(String).join(' > ')}`);
      const summary = node.failureSummary?.replace(/\s*\n\s*/g, ' ').trim();
      if (summary) lines.push(`       ${summary}`);
      lines.push(`       ${node.html.slice(0, 200)}`);
    }
  }
  return lines.join('\n');
}

/**
 * What a browser suite needs: Relais with the demo data (and what `setup` adds) listening on
 * loopback, one Chromium for the suite, and a fresh context per test (closed after it).
 */
export function browserHarness(setup?: (relais: TestApp) => Promise<void>) {
  let relais: TestApp | undefined;
  let browser: Browser | undefined;
  let baseURL = '';

  before(async () => {
    relais = await createTestApp({ demo: true });
    await setup?.(relais);
    baseURL = await relais.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await relais?.close();
    }
  });

  return {
    baseURL: () => baseURL,
    async openPage(t: TestContext, options: BrowserContextOptions = {}): Promise<Page> {
      assert.ok(browser, 'the browser has started');
      const context = await browser.newContext({ baseURL, locale: 'fr-FR', ...options });
      t.after(() => context.close());
      context.setDefaultTimeout(20_000);
      context.setDefaultNavigationTimeout(20_000);
      return context.newPage();
    },
  };
}

/** One test per page: it answers 200, has one h1, and axe-core finds no WCAG 2.1 AA violation. */
export function axeTests(
  openPage: (t: TestContext, options?: BrowserContextOptions) => Promise<Page>,
  urls: readonly string[],
): void {
  for (const url of urls) {
    test(`${url}: no axe-core violation, one h1`, async (t) => {
      const page = await openPage(t, { bypassCSP: true });
      const response = await page.goto(url);
      assert.equal(response?.status(), 200);
      assert.equal(await page.locator('h1').count(), 1);
      const violations = await runAxe(page);
      assert.equal(violations.length, 0, formatViolations(url, violations));
    });
  }
}

/** Each page, in this (narrow) page's viewport, does not scroll sideways. */
export async function assertReflows(page: Page, urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    await page.goto(url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${url} scrolls sideways by ${overflow} px at ${page.viewportSize()?.width} px`);
  }
}
