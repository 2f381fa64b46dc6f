import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { importPlaces } from '../../src/modules/lieux/index.ts';
import { importIfn } from '../../src/modules/observatoire/import.ts';
import { createShare } from '../../src/modules/statistiques/shares.ts';
import { systemActor } from '../../src/platform/auth/policy.ts';
import { Client, createTestApp, type TestApp, testConfig } from '../helpers/app.ts';
import { browserHarness, describeBrowser, formatViolations, goto, runAxe } from '../helpers/browser.ts';
import {
  type Account,
  givenAccount,
  givenActivity,
  givenAdmin,
  givenBeneficiary,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  givenMandate,
  givenPlace,
} from '../helpers/builders.ts';
import { file, line } from '../helpers/ifn-fixtures.ts';
import { givenGrant, givenMinutes, givenNetwork } from '../helpers/reseau.ts';

/**
 * No dead ends: from each role's home, every same-site link the pages show to that person is
 * followed (GET, breadth first, within a bound), and none may answer 403, 404 or a server
 * error, nor send a signed-in person back to the sign-in page. A link a person may not follow
 * is not shown to them. Besides, every administration page must be linked from some page, and
 * every page reached passes axe-core in Chromium without any violation.
 */

/**
 * How many pages a crawl reads at most, and how many addresses of one kind of page it follows
 * (the same path but for its ids and its query: another place's page, another period).
 */
const MAX_PAGES = 300;
const MAX_VARIANTS = 2;

/** The kind of page an address shows: its path with ids and tokens replaced. */
const kindOf = (path: string) =>
  path
    .split('/')
    .map((segment) => (/^(\d+|[0-9a-f-]{36}|[\w-]{40,})$/.test(segment) ? ':id' : segment))
    .join('/');

/** The roles, in the order they are crawled: the citizen first (the public files are checked then). */
const CITIZEN = 'citoyen non connecté';
const ROLES = [
  CITIZEN,
  'élu (lien de statistiques partagé)',
  'médiateur',
  'médiateur habilité aux mandats',
  'coordinateur',
  'administrateur',
  'formateur',
];

type Role = {
  name: string;
  /** Where the person starts: their space, the public home or a link they were given. */
  start: string;
  account?: Account;
};

/** `html`: the answer is a page (text/html), not a file. */
type Visit = { url: string; from: string; status: number; location?: string; html: boolean };

/** The same-site links of an HTML page (`<a href>`), fragments left out, entities decoded. */
function linksOf(html: string, base: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(/<a\b[^>]*?\bhref="([^"]*)"/g)) {
    const raw = (match[1] ?? '').replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"');
    const url = new URL(raw, `http://relais.test${base}`);
    if (url.origin !== 'http://relais.test') continue;
    found.push(url.pathname + url.search);
  }
  return found;
}

/**
 * What a crawl reads: every page reachable by links from `start`, and what each answered.
 * `checked`: files (not pages) already downloaded without signing in, not fetched again.
 */
async function crawl(
  client: Client,
  start: string,
  checked: ReadonlySet<string>,
): Promise<{ visits: Visit[]; linked: Set<string>; files: string[] }> {
  const seen = new Set<string>([start]);
  const variants = new Map<string, number>();
  const queue: { url: string; from: string }[] = [{ url: start, from: '(départ)' }];
  const visits: Visit[] = [];
  const linked = new Set<string>();
  const files: string[] = [];
  while (queue.length > 0 && visits.length < MAX_PAGES) {
    const { url, from } = queue.shift()!;
    const response = await client.get(url);
    const location = response.headers.location as string | undefined;
    const html = String(response.headers['content-type'] ?? '').startsWith('text/html');
    visits.push({ url, from, status: response.statusCode, html, ...(location ? { location } : {}) });
    const next: string[] = [];
    if (location && response.statusCode >= 300 && response.statusCode < 400) next.push(location);
    if (html && response.statusCode < 300) next.push(...linksOf(response.body, url));
    if (!html && response.statusCode === 200) files.push(url);
    for (const link of next) {
      const path = link.split('?')[0]!;
      linked.add(path);
      if (seen.has(link) || checked.has(link) || path.startsWith('/assets/')) continue;
      seen.add(link);
      const count = variants.get(kindOf(path)) ?? 0;
      if (count >= MAX_VARIANTS) continue;
      variants.set(kindOf(path), count + 1);
      queue.push({ url: link, from: url });
    }
  }
  return { visits, linked, files };
}

/** Whether a visit ended where the person could not go on. */
function deadEnd(visit: Visit, signedIn: boolean): boolean {
  if (visit.status === 403 || visit.status === 404 || visit.status >= 500) return true;
  return signedIn && (visit.location?.startsWith('/connexion') ?? false);
}

// The crawls, then the audits of their pages in Chromium (most of the time, on a loaded machine).
describe('no dead ends from any role’s home', { timeout: 900_000 }, () => {
  let t: TestApp;
  /** Each role, by name, once its data is made. */
  const roles = new Map<string, Role>();
  /** Every path some crawled page links to, for the administration pages' check. */
  const linked = new Set<string>();
  /** Files anyone may download (the open data, the reports in PDF): checked once, without signing in. */
  const publicFiles = new Set<string>();
  /** What each role's crawl read, and the session it read it with: audited in Chromium below. */
  const crawled = new Map<string, { visits: Visit[]; cookies: Map<string, string> }>();

  before(async () => {
    t = await createTestApp();
    const collectivite = await givenCollectivite(t);
    await givenPlace(t, { collectivite, nom: 'Médiathèque du centre' });
    const helper = await givenHelper(t, { collectivite, places: 1, name: 'Aline Aidante' });
    const person = await givenBeneficiary(t, helper);
    await givenActivity(t, helper, { beneficiaires: [person] });
    await givenActivity(t, helper);
    const habilitated = await givenHelper(t, { collectivite, places: 1, name: 'Hugo Habilité' });
    await givenMandate(t, habilitated);
    await givenBeneficiary(t, habilitated, { prenom: 'Marcel', nom: 'Dupont' });
    await givenActivity(t, habilitated);
    const coordinator = await givenCoordinator(t, { collectivite, name: 'Chloé Coordinatrice' });
    const admin = await givenAdmin(t, { name: 'Adèle Administratrice' });
    // The network's administration pages (a member, a comité meeting with its minutes, a roadmap and its action with a grant request).
    const network = await givenNetwork(t.db.db, testConfig);
    await givenMinutes(t.db.db, network.event);
    await givenGrant(t.db.db, network.action);
    const trainer = await givenAccount(t, {
      name: 'Fabien Formateur',
      memberships: [{ role: 'formateur', collectiviteId: collectivite.id }],
    });
    // An import of places and one of the fragility index, so that their reports are linked.
    const places = await importPlaces(
      t.db.db,
      systemActor('test'),
      JSON.stringify([
        {
          id: 'import-test-1',
          pivot: '00000000000000',
          nom: 'Maison France Services',
          commune: 'Villeurbanne',
          code_postal: '69100',
          adresse: '2 place Lazare-Goujon',
          date_maj: '2026-11-01',
        },
      ]),
      { fileName: 'lieux.json', collectiviteCode: collectivite.code },
    );
    assert.ok(places.ok);
    const index = await importIfn(
      t.db.db,
      systemActor('test'),
      file(line('69266', 7.2), line('69029', 6.1)),
      { fileName: 'ifn-2023.csv', year: 2023 },
    );
    assert.ok(index.ok && index.report.written);
    const token = await createShare(
      t.db.db,
      coordinator.actor,
      {
        scope: { kind: 'collectivite', id: collectivite.id, name: collectivite.name },
        collectiviteId: collectivite.id,
        exact: false,
      },
      { du: '2026-01-01', au: '2026-12-31' },
    );
    for (const role of [
      { name: CITIZEN, start: '/' },
      { name: 'élu (lien de statistiques partagé)', start: `/statistiques/partage/${token}` },
      { name: 'médiateur', start: '/espace', account: helper },
      { name: 'médiateur habilité aux mandats', start: '/espace', account: habilitated },
      { name: 'coordinateur', start: '/espace', account: coordinator },
      { name: 'administrateur', start: '/espace', account: admin },
      { name: 'formateur', start: '/espace', account: trainer },
    ])
      roles.set(role.name, role);
  });
  after(() => t?.close());

  for (const name of ROLES)
    test(`${name}: every link shown leads somewhere they may go`, async () => {
      const role = roles.get(name)!;
      const client = new Client(t.app);
      if (role.account) {
        const { email, password, totpSecret } = role.account;
        assert.equal((await client.signIn(email, password, totpSecret)).statusCode, 303, 'signed in');
      }
      const { visits, linked: reached, files } = await crawl(client, role.start, publicFiles);
      crawled.set(name, { visits, cookies: client.cookies });
      if (!role.account) for (const file of files) publicFiles.add(file);
      for (const path of reached) linked.add(path);
      assert.ok(visits.length > 3, 'the crawl reads more than its start page');
      const problems = visits
        .filter((visit) => deadEnd(visit, role.account !== undefined))
        .map((v) => `${v.url} → ${v.status}${v.location ? ` ${v.location}` : ''} (lien de ${v.from})`);
      assert.deepEqual(problems, []);
    });

  test('every administration page is linked from some page', () => {
    const pages = [...t.app.routeAccess.keys()]
      .filter((route) => route.startsWith('GET /admin'))
      .map((route) => route.slice('GET '.length));
    const pattern = (page: string) => new RegExp(`^${page.replace(/:[a-z]+/g, '[^/]+')}$`);
    const orphans = pages.filter((page) => ![...linked].some((path) => pattern(page).test(path)));
    assert.deepEqual(orphans, []);
  });

  /**
   * Every page the roles reached, in Chromium with each role's session, audited by axe-core
   * (WCAG 2.1 A and AA): any violation fails, whatever its impact. One context per role, so
   * axe-core is sent to Chromium and compiled once per role (the harness's audit contexts load
   * it in every page they open), and the pages' assets come from that context's cache.
   */
  describeBrowser('axe-core on every page the roles reach', { timeout: 900_000 }, () => {
    const harness = browserHarness({
      // The app the crawl used, served on loopback: closed with the suite above.
      serve: async () => ({ app: t.app, close: async () => {} }),
    });

    for (const name of ROLES)
      test(`${name}: no axe-core violation on any page`, async (ctx) => {
        const reached = crawled.get(name);
        if (!reached) return ctx.skip('the crawl of this role did not run');
        const pages = reached.visits.filter((v) => v.status === 200 && v.html).map((v) => v.url);
        const page = await harness.newPage({
          bypassCSP: true,
          storageState: {
            cookies: [...reached.cookies].map(([cookieName, value]) => ({
              name: cookieName,
              value,
              domain: '127.0.0.1',
              path: '/',
              expires: -1,
              httpOnly: true,
              secure: false,
              sameSite: 'Lax' as const,
            })),
            origins: [],
          },
        });
        const failures: string[] = [];
        for (const url of pages) {
          await goto(page, url);
          const shown = new URL(page.url());
          assert.equal(shown.pathname + shown.search, url, 'the page itself, not a redirection (signed in)');
          const violations = await runAxe(page);
          if (violations.length > 0) failures.push(formatViolations(url, violations));
        }
        ctx.diagnostic(`${pages.length} pages audited out of ${reached.visits.length} addresses read`);
        assert.deepEqual(failures, []);
      });
  });
});
