import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, type TestContext, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import type { AxeResults, Result as AxeViolation, RunOptions } from 'axe-core';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
  type Request,
} from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { type Config, loadConfig } from '../../src/platform/config.ts';
import { createTestApp, type TestApp, totpCode } from './app.ts';

/**
 * Real-browser checks: a headless Chromium driven by playwright-core (no downloaded
 * browser: the system's, unless `CHROMIUM_PATH` names another) and axe-core for automated
 * accessibility audits.
 */

/**
 * Debian's Chromium headless shell: the same engine as its Chromium, without the desktop browser
 * around it, which takes the suites about half the processor time (.ci/run installs both).
 */
const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

export const chromiumPath =
  process.env.CHROMIUM_PATH || (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium');

const chromiumAbsent: string | false = existsSync(chromiumPath)
  ? false
  : `Chromium absent (${chromiumPath}): install Debian's chromium-headless-shell (or chromium) package or set CHROMIUM_PATH to run the browser tests`;

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

/**
 * One Chromium per test process, shared by every browser suite of the process (test/run.ts runs
 * several files in one), each suite in contexts of its own: launching costs about a second.
 * Launched by the first suite that needs it; closed once every test of the process is done, by
 * a hook of the whole run (registered here, at the top level, when a suite first imports this).
 */
let sharedBrowser: Promise<Browser> | undefined;

function browser(): Promise<Browser> {
  if (!sharedBrowser) {
    const launched = launchChromium();
    sharedBrowser = launched;
    // A browser that crashed or failed to start is launched anew for the next suite.
    const forget = () => {
      if (sharedBrowser === launched) sharedBrowser = undefined;
    };
    launched.then((b) => b.on('disconnected', forget), forget);
  }
  return sharedBrowser;
}

after(async () => {
  const launched = sharedBrowser;
  sharedBrowser = undefined;
  await (await launched?.catch(() => undefined))?.close();
});

/** The WCAG levels the app promises (RGAA 4 follows WCAG 2.1 AA). */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let axeSource: string | undefined;
const readAxeSource = () =>
  (axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

/**
 * Runs axe-core on the page as it is. The page's context needs JavaScript and
 * `bypassCSP: true`: the app's CSP (`script-src 'self'`) forbids the injected script otherwise.
 * The harness's contexts with `bypassCSP` load axe-core in every page they open (an init
 * script, sent to Chromium once per context and compiled once); in other pages it is added here
 * (its half megabyte sent and compiled again for each page: twice the time of the audit itself).
 */
export async function runAxe(page: Page, tags: string[] = WCAG_AA_TAGS): Promise<AxeViolation[]> {
  const loaded = () => typeof (window as unknown as { axe?: { run?: unknown } }).axe?.run === 'function';
  if (!(await page.evaluate(loaded))) await page.addScriptTag({ content: readAxeSource() });
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

export type Account = { email: string; totpSecret: string };

/** What a suite's server is: the real app on a test database by default (`relais()`). */
type Served = { app: FastifyInstance; close(): Promise<void> };

export type PageOptions = BrowserContextOptions & {
  /** Signed in as this account (signed in once per suite, the session reused). */
  as?: Account;
};

/**
 * Declares a browser suite: one visibly skipped test when Chromium is missing or the suite runs
 * on PostgreSQL (a skipped suite would count as zero tests in the summary).
 */
export function describeBrowser(name: string, options: { timeout: number }, body: () => void): void {
  if (chromiumMissing) test(name, { skip: chromiumMissing }, () => {});
  else describe(name, options, body);
}

/**
 * What every browser suite needs, set up in `before` and closed in `after`: Relais (with the
 * demo data and what `setup` adds, or what `serve` starts) listening on loopback, the process's
 * Chromium, pages in fresh contexts (closed after their test, or with the suite), sign-in
 * through the real forms, once per account, and shared pages for read-only visits.
 */
export function browserHarness<T extends Served = TestApp>(
  options: {
    config?: Config;
    setup?: (relais: TestApp) => Promise<void>;
    serve?: () => Promise<T>;
    /** Defaults of every context (French, Paris time, a 15-second timeout otherwise). */
    context?: BrowserContextOptions;
    /**
     * Map tiles from a loopback server (`tileRequests` counts them), so that nothing leaves the
     * machine: the default server's configuration names it in MAP_TILES_URL.
     */
    tiles?: boolean;
  } = {},
) {
  let served: T | undefined;
  let chromiumBrowser: Browser | undefined;
  let tiles: Tiles | undefined;
  let baseURL = '';
  /** Every context of the suite still open: closed in `after`, before the server. */
  const contexts = new Set<BrowserContext>();
  const sessions = new Map<string, Promise<StorageState>>();
  const sharedPages = new Map<string, Promise<Page>>();

  before(async () => {
    // Chromium starts while the app is built.
    const launching = browser();
    launching.catch(() => {});
    if (options.tiles) tiles = await tileServer();
    if (options.serve) served = await options.serve();
    else {
      const config =
        options.config ??
        (tiles
          ? loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MAP_TILES_URL: tiles.template })
          : undefined);
      const relais = await createTestApp({ demo: true, ...(config ? { config } : {}) });
      served = relais as unknown as T;
      await options.setup?.(relais);
    }
    baseURL = await served.app.listen({ port: 0, host: '127.0.0.1' });
    chromiumBrowser = await launching;
  });

  after(async () => {
    // Contexts first, so no keep-alive connection holds the servers open; each step even if another failed.
    try {
      for (const context of contexts) await context.close();
    } finally {
      try {
        await served?.close();
      } finally {
        await tiles?.close();
      }
    }
  });

  async function newContext(pageOptions: PageOptions = {}): Promise<BrowserContext> {
    assert.ok(chromiumBrowser, 'the browser has started');
    const { as, ...contextOptions } = pageOptions;
    const context = await chromiumBrowser.newContext({
      baseURL,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      ...options.context,
      ...(as ? { storageState: await session(as) } : {}),
      ...contextOptions,
    });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(15_000);
    // A context that bypasses the CSP is one for audits (see `runAxe`).
    if (contextOptions.bypassCSP ?? options.context?.bypassCSP)
      await context.addInitScript({ content: readAxeSource() });
    contexts.add(context);
    context.on('close', () => contexts.delete(context));
    trackRequests(context);
    return context;
  }

  /** The app's test database (the default server only). */
  const relais = (): TestApp => served as unknown as TestApp;

  /** Clears the TOTP replay guard: sign-ins and confirmations may fall in one 30-second step. */
  async function freshCode(account: Account): Promise<string> {
    await relais()
      .db.db.updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', account.email)
      .execute();
    return totpCode(account.totpSecret);
  }

  /** Password, then TOTP, through the real forms; ends on « Mon espace ». */
  async function signIn(page: Page, account: Account, password = DEMO_PASSWORD): Promise<void> {
    await goto(page, '/connexion');
    await page.getByLabel('Adresse e-mail').fill(account.email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/connexion/code');
    await page.getByLabel('Code de sécurité').fill(await freshCode(account));
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL('**/espace');
  }

  /** The account's session, signed in once per suite in a context of its own. */
  function session(account: Account): Promise<StorageState> {
    let stored = sessions.get(account.email);
    if (!stored) {
      stored = (async () => {
        const context = await newContext();
        try {
          await signIn(await context.newPage(), account);
          return await context.storageState();
        } finally {
          await context.close();
        }
      })();
      sessions.set(account.email, stored);
    }
    return stored;
  }

  /**
   * One page per set of options, for visits that change nothing (audits, reflow, console
   * watch): a context costs time, and a warm one has the assets in its cache. Closed with the suite.
   */
  function sharedPage(pageOptions: SharedPageOptions = {}): Promise<Page> {
    const { as, ...contextOptions } = pageOptions;
    const key = JSON.stringify([as?.email, Object.entries(contextOptions).sort()]);
    let page = sharedPages.get(key);
    if (!page) {
      page = newContext(pageOptions).then((context) => context.newPage());
      sharedPages.set(key, page);
    }
    return page;
  }

  return {
    baseURL: () => baseURL,
    relais,
    served: () => served!,
    freshCode,
    signIn,
    session,
    /** The loopback tile server's requests so far (`tiles: true`). */
    tileRequests: (): readonly string[] => tiles?.requests ?? [],
    /** A page in its own fresh context, closed when the test ends. */
    async openPage(t: TestContext, pageOptions: PageOptions = {}): Promise<Page> {
      const context = await newContext(pageOptions);
      t.after(() => context.close());
      return context.newPage();
    },
    /** A page in its own fresh context, closed with the suite (for state kept across tests). */
    async newPage(pageOptions: PageOptions = {}): Promise<Page> {
      const context = await newContext(pageOptions);
      return context.newPage();
    },
    sharedPage,
    /**
     * The shared page of a session and viewport for read-only audits (axe needs JavaScript and
     * `bypassCSP`: the app's CSP forbids the injected script otherwise).
     */
    auditPage: (
      pageOptions: { as?: Account; viewport?: { width: number; height: number } } = {},
    ): Promise<Page> => sharedPage({ ...pageOptions, bypassCSP: true }),
    goto,
  };
}

/** What makes a shared page: the session, and context options that survive a visit. */
export type SharedPageOptions = {
  as?: Account;
  viewport?: { width: number; height: number };
  javaScriptEnabled?: boolean;
  bypassCSP?: boolean;
  acceptDownloads?: boolean;
};

/** Requests under way in each context the harness made, for `settle`. */
const pendingRequests = new WeakMap<BrowserContext, Set<Request>>();

function trackRequests(context: BrowserContext): void {
  const pending = new Set<Request>();
  context.on('request', (r) => pending.add(r));
  context.on('requestfinished', (r) => pending.delete(r));
  context.on('requestfailed', (r) => pending.delete(r));
  pendingRequests.set(context, pending);
}

function requestOf(page: Page, request: Request): boolean {
  try {
    return request.frame().page() === page;
  } catch {
    return false; // a service worker's request has no frame
  }
}

/**
 * Waits until the page has loaded and none of its requests is under way, two animation frames
 * after the last one ended: what its scripts fetch, and the tiles of its maps. Unlike
 * `networkidle`, which waits for half a second of quiet on every page, this ends as soon as the
 * page is settled (most pages have no script at all). Pages of the harness only.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  const pending = pendingRequests.get(page.context());
  assert.ok(pending, 'the page comes from the harness');
  const mine = () => [...pending].filter((r) => requestOf(page, r));
  for (;;) {
    const under = mine();
    if (under.length === 0) {
      await page.evaluate(
        () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
      );
      if (mine().length === 0) return;
      continue;
    }
    // Each request ends in a response read whole, or in a failure.
    await Promise.all(
      under.map((r) =>
        r
          .response()
          .then((response) => response?.finished())
          .catch(() => undefined),
      ),
    );
  }
}

/** A loopback server of map tiles: a plain 1 × 1 PNG for every tile (Leaflet stretches it). */
type Tiles = { template: string; requests: string[]; close(): Promise<void> };

async function tileServer(): Promise<Tiles> {
  const png = tilePng();
  const requests: string[] = [];
  const server = Fastify();
  server.get('/tiles/:z/:x/:y', (request, reply) => {
    requests.push(request.url);
    return reply.type('image/png').send(png);
  });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { template: `${url}/tiles/{z}/{x}/{y}.png`, requests, close: () => server.close() };
}

/** A plain 1 × 1 PNG of the colour of land on a map. */
function tilePng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 242, 239, 233]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** Goes to `url` and checks the status it answers. */
export async function goto(page: Page, url: string, status = 200) {
  const response = await page.goto(url);
  assert.ok(response, `${url} answered`);
  assert.equal(response.status(), status, `${url} answers ${status}`);
  return response;
}

/** Public maps wait for « Afficher la carte »: press every such button, as a person wanting the map would. */
export async function showMaps(page: Page): Promise<void> {
  await page.$$eval('button.carte__afficher', (buttons) => {
    for (const b of buttons) (b as HTMLButtonElement).click();
  });
  // Each button goes once its map is drawn (or has failed): then the page is settled.
  await page.waitForFunction(() => !document.querySelector('button.carte__afficher'));
}

/** Something a page did that it should not have. */
export type PageProblem = {
  kind: 'console' | 'script' | 'failed' | 'http';
  /** The page's address (console, script) or the request's (failed, http). */
  url: string;
  text: string;
  status?: number;
  resourceType?: string;
};

/**
 * Watches a page for console errors, script errors, failed loads, HTTP errors and CSP
 * violations; returns a function that lists them. `ignore` leaves aside expected ones (a
 * download counted as an aborted load, a refused form answering 400); `into` collects them
 * in a list of the caller's (several pages, one list).
 */
export async function watchProblems(
  page: Page,
  options: { ignore?: (problem: PageProblem) => boolean; into?: string[] } = {},
): Promise<() => Promise<string[]>> {
  const problems = options.into ?? [];
  const note = (problem: PageProblem) => {
    if (!options.ignore?.(problem)) problems.push(`${problem.kind} on ${problem.url}: ${problem.text}`);
  };
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text()))
      note({ kind: 'console', url: page.url(), text: message.text() });
  });
  page.on('pageerror', (error) => note({ kind: 'script', url: page.url(), text: error.message }));
  page.on('requestfailed', (r) =>
    note({
      kind: 'failed',
      url: r.url(),
      text: r.failure()?.errorText ?? '',
      resourceType: r.resourceType(),
    }),
  );
  page.on('response', (r) => {
    if (r.status() >= 400)
      note({
        kind: 'http',
        url: r.url(),
        text: String(r.status()),
        status: r.status(),
        resourceType: r.request().resourceType(),
      });
  });
  // Recorded from the start; Playwright's init scripts are not subject to the page's CSP.
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return async () => [
    ...problems,
    ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).map(
      (v) => `CSP: ${v}`,
    ),
  ];
}

/** One h1, and no WCAG 2.1 A/AA violation on the page as it is. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  assert.equal(await page.locator('h1').count(), 1, `${label}: one h1`);
  const violations = await runAxe(page);
  assert.equal(
    violations.length,
    0,
    formatViolations(`${label} (${new URL(page.url()).pathname})`, violations),
  );
}

/** One test per page: it answers 200, has one h1, and axe-core finds no WCAG 2.1 AA violation. */
export function axeTests(harness: ReturnType<typeof browserHarness>, urls: readonly string[]): void {
  for (const url of urls) {
    test(`${url}: no axe-core violation, one h1`, async () => {
      const page = await harness.auditPage();
      await goto(page, url);
      await assertAccessible(page, url);
    });
  }
}

/** How far the page scrolls sideways at this width (the viewport is restored after). */
export async function overflowAt(page: Page, width: number, height = 640): Promise<number> {
  const size = page.viewportSize();
  await page.setViewportSize({ width, height });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (size) await page.setViewportSize(size);
  return overflow;
}

/** Each page, in this (narrow) page's viewport, does not scroll sideways. */
export async function assertReflows(page: Page, urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    await page.goto(url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${url} scrolls sideways by ${overflow} px at ${page.viewportSize()?.width} px`);
  }
}
