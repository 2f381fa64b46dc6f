import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import type { Locator, Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import { sealJournal, verifyChain } from '../../src/platform/audit/journal.ts';
import { testConfig } from '../helpers/app.ts';
import {
  type Account,
  assertAccessible,
  browserHarness,
  describeBrowser,
  overflowAt,
  type PageOptions,
  type PageProblem,
  watchProblems,
} from '../helpers/browser.ts';
import { pdfText } from '../helpers/pdf.ts';

/**
 * Secure mandates in a real browser: the demo helper creates a mandate in person through the
 * one-question-per-page flow and confirms it with a fresh code, prints and downloads its
 * attestation, declares a use, revokes one démarche then the rest, while a signed-out visitor
 * follows each change on the public verification page. A second mandate asked by SMS becomes
 * active once an administrator answers « Oui » in the development outbox. Every page passes
 * axe-core (WCAG 2.1 AA) with one h1, reflows at 320 px, logs no error; the journal of all
 * this is intact, and a rewritten entry is caught.
 */

const HELPER: Account = DEMO_ACCOUNTS[2];
const ADMIN: Account = DEMO_ACCOUNTS[0];

/** The person of the mandate given in person, and the one who answers by SMS. */
const PERSON = { prenom: 'Odette', nom: 'Lambert', naissance: '1952-07-14', initiales: 'O. L.' };
const REMOTE = { prenom: 'Rachid', nom: 'Moreau', naissance: '1979-02-03', mobile: '06 12 34 56 78' };
const REMOTE_E164 = '+33612345678';
const USE_DESCRIPTION = 'Demande d’aide au logement sur caf.fr';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 667 };
const NARROW = { width: 320, height: 640 };

const SCREENSHOTS = {
  summary: '/tmp/mandat-recapitulatif.png',
  summaryPhone: '/tmp/mandat-recapitulatif-375.png',
  mandate: '/tmp/mandat-fiche.png',
  mandatePhone: '/tmp/mandat-fiche-375.png',
  attestation: '/tmp/mandat-attestation.png',
  attestationPrint: '/tmp/mandat-attestation-impression.png',
  revocation: '/tmp/mandat-revocation.png',
  verification: '/tmp/mandat-verification.png',
  pending: '/tmp/mandat-sms-en-attente.png',
  outbox: '/tmp/mandat-sms-admin.png',
};

const SUITE = 'secure mandates in a real browser (Chromium)';

describeBrowser(SUITE, { timeout: 300_000 }, browserChecks);

function browserChecks() {
  /** The helper's page, signed in once, kept from one test to the next (bypassCSP: axe runs there). */
  let helper: Page;
  /** A signed-out visitor's page, for the public verification. */
  let visitor: Page;
  /** What each page logged that it should not have (console errors, script errors, CSP). */
  const problems: string[] = [];
  /** Documents answering 400 on purpose (a refused form): not counted as problems. */
  const expected400 = new Set<string>();

  /** The mandate given in person: its id and fingerprint, known once created. */
  const inPerson = { id: '', fingerprint: '' };
  let firstRevocationUrl = '';

  const harness = browserHarness();
  const { goto, signIn, freshCode } = harness;
  const db = () => harness.relais().db.db;

  before(async () => {
    helper = await newPage({ bypassCSP: true, viewport: DESKTOP });
    visitor = await newPage({ bypassCSP: true, viewport: DESKTOP });
  });

  /** A page in a fresh context, watched for problems, closed with the suite. */
  async function newPage(options: PageOptions = {}): Promise<Page> {
    const page = await harness.newPage(options);
    await watchProblems(page, { into: problems, ignore: expected });
    return page;
  }

  /** A refused form answers 400 on purpose, and a navigation may cut the favicon's load short. */
  function expected(problem: PageProblem): boolean {
    const pathname = new URL(problem.url).pathname;
    if (problem.kind === 'console') return /status of 400/.test(problem.text) && expected400.has(pathname);
    if (problem.kind === 'http') return problem.status === 400 && expected400.has(pathname);
    if (problem.kind === 'failed')
      return problem.resourceType !== 'document' && problem.text === 'net::ERR_ABORTED';
    return false;
  }

  /** One h1, and no WCAG 2.1 A/AA violation on the page as it is. */
  const audit = assertAccessible;

  async function assertNoSideScroll(page: Page, label: string): Promise<void> {
    const overflow = await overflowAt(page, NARROW.width, NARROW.height);
    assert.ok(overflow <= 0, `${label} (${page.url()}) scrolls sideways by ${overflow} px at 320 px`);
  }

  const sorted = (list: string[]) => [...list].sort((a, b) => a.localeCompare(b, 'fr'));
  const text = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const h1 = (page: Page) => text(page.locator('h1'));
  const main = (page: Page) => text(page.locator('main'));
  /** The `<dd>` right after the `<dt>` of this term. */
  const definition = (page: Page, term: string) => page.locator(`dl.summary-list dt:text-is("${term}") + dd`);
  const statusTag = (page: Page) => text(page.locator('main .mandat-status').first());

  /**
   * From /mandats/nouveau to the summary page, one question per page, with the mouse and,
   * for the duration, the keyboard alone. `each` runs on every question page.
   */
  async function fillFlow(
    page: Page,
    person: { prenom: string; nom: string; naissance: string },
    choices: { demarches: string[]; duree: string; consent: 'presentiel' | { mobile: string } },
    each: (label: string) => Promise<void> = async () => {},
  ): Promise<string> {
    await goto(page, '/mandats/nouveau');
    assert.equal(await h1(page), 'Créer un mandat');
    await page.getByRole('button', { name: 'Commencer' }).click();
    await page.waitForURL(/\/mandats\/brouillons\/[0-9a-f-]{36}\/personne$/);
    const draftId = new URL(page.url()).pathname.split('/')[3]!;

    assert.equal(await h1(page), 'Qui donne mandat ?');
    await each('the step « personne »');
    await page.getByLabel('Prénom').fill(person.prenom);
    await page.getByLabel('Nom', { exact: true }).fill(person.nom);
    await page.getByLabel('Date de naissance').fill(person.naissance);
    await page.getByLabel('Carte nationale d’identité').check();
    await page.getByLabel('J’ai vérifié l’identité de la personne sur ce document, en sa présence').check();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL(/\/(structure|demarches)$/);

    if (page.url().endsWith('/structure')) {
      assert.equal(await h1(page), 'Dans quelle structure le mandat est-il signé ?');
      await each('the step « structure »');
      await page.locator('input[name="lieu"]').first().check();
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.waitForURL(/\/demarches$/);
    }

    assert.equal(await h1(page), 'Pour quelles démarches ?');
    assert.match(await main(page), /Étape \d sur \d/);
    await each('the step « démarches »');
    for (const label of choices.demarches) await page.getByLabel(label, { exact: true }).check();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL(/\/duree$/);

    assert.equal(await h1(page), 'Pour combien de temps ?');
    await each('the step « durée »');
    // The keyboard alone: Space chooses the duration, Tab reaches « Continuer », Enter sends.
    await page.getByLabel(choices.duree, { exact: true }).focus();
    await page.keyboard.press('Space');
    assert.ok(await page.getByLabel(choices.duree, { exact: true }).isChecked());
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Continuer');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/consentement$/);

    assert.equal(await h1(page), 'Comment la personne donne-t-elle son accord ?');
    await each('the step « consentement »');
    if (choices.consent === 'presentiel') {
      await page.getByLabel('En présence de la personne', { exact: false }).check();
    } else {
      await page.getByLabel('À distance, par SMS', { exact: false }).check();
      await page
        .getByLabel('Téléphone portable de la personne', { exact: false })
        .fill(choices.consent.mobile);
    }
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL(`**/mandats/brouillons/${draftId}/recapitulatif`);
    assert.equal(await h1(page), 'Vérifiez le mandat avant de le créer');
    return draftId;
  }

  /** Types a fresh code on the summary page and confirms; returns the new mandate's id. */
  async function confirm(page: Page, button: string, flash: 'cree' | 'sms'): Promise<string> {
    await page.getByLabel('Code de votre application d’authentification').fill(await freshCode(HELPER));
    await page.getByRole('button', { name: button }).click();
    await page.waitForURL(new RegExp(`/mandats/[0-9a-f-]{36}\\?ok=${flash}$`));
    return new URL(page.url()).pathname.split('/')[2]!;
  }

  test('the helper creates a mandate in person, confirms it with a fresh code, prints and downloads its attestation', async () => {
    const page = helper;
    await signIn(page, HELPER);

    const audited: string[] = [];
    const draftId = await fillFlow(
      page,
      PERSON,
      { demarches: ['Social – santé', 'Logement'], duree: '6 mois', consent: 'presentiel' },
      async (label) => {
        await audit(page, label);
        audited.push(label);
      },
    );
    // The demo helper works at several places: every question has its page, each audited.
    const places = await db()
      .selectFrom('mediateur_lieu as ml')
      .innerJoin('app_user as u', 'u.id', 'ml.user_id')
      .select('ml.lieu_id')
      .where('u.email', '=', HELPER.email)
      .execute();
    assert.ok(places.length > 1, 'the demo helper works at several places');
    assert.deepEqual(audited, [
      'the step « personne »',
      'the step « structure »',
      'the step « démarches »',
      'the step « durée »',
      'the step « consentement »',
    ]);

    // ------------------------------------------------------------ the summary
    assert.equal(
      await text(definition(page, 'Personne')),
      'Odette Lambert, née ou né le 14/07/1952 Modifier : personne',
    );
    assert.deepEqual(await definition(page, 'Démarches').locator('li').allTextContents(), [
      'Social – santé',
      'Logement',
    ]);
    assert.match(await text(definition(page, 'Durée')), /^6 mois /);
    assert.match(await text(definition(page, 'Accord')), /^En présence de la personne/);
    const preview = await text(page.locator('.mandat-preview'));
    assert.match(preview, /article 1984 du Code civil, Odette Lambert donne mandat à Mehdi Médiateur/);
    assert.match(preview, /pendant 6 mois/);
    await audit(page, 'the summary page');
    await page.screenshot({ path: SCREENSHOTS.summary, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: SCREENSHOTS.summaryPhone, fullPage: true });
    await page.setViewportSize(DESKTOP);
    await assertNoSideScroll(page, 'the summary page');

    // A wrong code is refused and creates nothing.
    const summaryPath = `/mandats/brouillons/${draftId}/confirmer`;
    expected400.add(summaryPath);
    const right = await freshCode(HELPER);
    const wrong = right.replace(/^./, (d) => String((Number(d) + 1) % 10));
    await page.getByLabel('Code de votre application d’authentification').fill(wrong);
    await page.getByRole('button', { name: 'Confirmer et créer le mandat' }).click();
    await page.waitForURL(`**${summaryPath}`);
    assert.match(await text(page.locator('.error-summary')), /Ce code est incorrect ou a expiré/);
    const before = await db().selectFrom('mandat').select('id').where('nom', '=', PERSON.nom).execute();
    assert.equal(before.length, 0, 'no mandate without the right code');

    // ------------------------------------------------------------ the right code: an active mandate
    inPerson.id = await confirm(page, 'Confirmer et créer le mandat', 'cree');
    assert.equal(await h1(page), 'Mandat de Odette Lambert');
    assert.equal(await statusTag(page), 'Actif');
    assert.match(await text(page.locator('.notice--success')), /Le mandat est créé/);
    inPerson.fingerprint = await text(page.locator('code.mandat-fingerprint'));
    assert.match(inPerson.fingerprint, /^[0-9a-f]{64}$/);
    const stored = await db()
      .selectFrom('mandat')
      .select(['empreinte', 'status', 'duree', 'demarches'])
      .where('id', '=', inPerson.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored, {
      empreinte: inPerson.fingerprint,
      status: 'actif',
      duree: '6m',
      demarches: ['social', 'logement'],
    });
    assert.deepEqual(sorted(await page.locator('main table tbody th').allTextContents()), [
      'Logement',
      'Social – santé',
    ]);
    assert.deepEqual(
      (await page.locator('main table tbody td').allTextContents()).map((s) => s.trim()),
      ['Couverte', 'Couverte'],
    );
    await audit(page, 'the mandate page');
    await page.screenshot({ path: SCREENSHOTS.mandate, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: SCREENSHOTS.mandatePhone, fullPage: true });
    await page.setViewportSize(DESKTOP);
    await assertNoSideScroll(page, 'the mandate page');

    // ------------------------------------------------------------ the attestation to print
    await page.getByRole('link', { name: 'Attestation à imprimer' }).click();
    await page.waitForURL(`**/mandats/${inPerson.id}/attestation`);
    assert.equal(await h1(page), 'Attestation de mandat');
    const attestation = await text(page.locator('article.mandat-attestation'));
    assert.match(
      attestation,
      /En application de l’article 1984 du Code civil, Odette Lambert, née ou né le 14 juillet 1952, donne mandat à Mehdi Médiateur/,
    );
    assert.match(attestation, /Social – santé \(par exemple : Carte vitale/);
    assert.match(attestation, /Logement \(par exemple : Aides au logement/);
    assert.match(attestation, /Signature de la personne : Odette Lambert/);
    assert.equal(await page.locator('.mandat-verify__qr svg').count(), 1, 'the QR code is drawn');
    assert.ok((await page.locator('.mandat-verify__qr svg path').count()) > 0, 'the QR code has modules');
    assert.equal(await text(page.locator('.mandat-verify code.mandat-fingerprint')), inPerson.fingerprint);
    assert.match(
      (await page.locator('.mandat-verify a').getAttribute('href')) ?? '',
      new RegExp(`/mandats/verifier/${inPerson.fingerprint}$`),
    );
    await audit(page, 'the attestation page');
    await assertNoSideScroll(page, 'the attestation page');
    await page.screenshot({ path: SCREENSHOTS.attestation, fullPage: true });
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.locator('.mandat-no-print').first().isHidden(), 'the buttons are not printed');
    assert.ok(await page.locator('.site-nav').first().isHidden(), 'the site’s navigation is not printed');
    assert.ok(await page.locator('.mandat-signatures').isVisible(), 'the signature boxes are printed');
    await page.screenshot({ path: SCREENSHOTS.attestationPrint, fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // ------------------------------------------------------------ the PDF, with the helper's cookies
    const pdfHref = await page.getByRole('link', { name: 'Télécharger en PDF' }).getAttribute('href');
    assert.equal(pdfHref, `/mandats/${inPerson.id}/attestation.pdf`);
    const pdf = await page.request.get(pdfHref);
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/);
    const bytes = await pdf.body();
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const words = pdfText(bytes);
    assert.match(words, /Attestation de mandat/);
    assert.match(words, /Odette Lambert/);
    assert.ok(words.replace(/\s/g, '').includes(inPerson.fingerprint), 'the PDF prints the fingerprint');
    // Signed out, the PDF is nobody's.
    const anonymous = await visitor.request.get(pdfHref, { maxRedirects: 0 });
    assert.notEqual(anonymous.status(), 200);
    assert.doesNotMatch(anonymous.headers()['content-type'] ?? '', /pdf/);
  });

  test('a signed-out visitor verifies the new mandate, from its address and from the form', async () => {
    const page = visitor;
    const response = await goto(page, `/mandats/verifier/${inPerson.fingerprint}`);
    assert.match(response.headers()['x-robots-tag'] ?? '', /noindex/);
    assert.equal(await h1(page), 'Vérification d’un mandat');
    assert.equal(await text(page.locator('.mandat-verdict')), 'Ce mandat est valide.');
    assert.equal(await text(definition(page, 'Personne')), PERSON.initiales);
    assert.deepEqual(sorted(await definition(page, 'Démarches couvertes').locator('li').allTextContents()), [
      'Logement',
      'Social – santé',
    ]);
    const html = await page.content();
    for (const secret of [PERSON.prenom, PERSON.nom, '1952', 'Mehdi'])
      assert.ok(!html.includes(secret), `« ${secret} » is not on the public page`);
    await audit(page, 'a verification result');
    await assertNoSideScroll(page, 'a verification result');
    await page.screenshot({ path: SCREENSHOTS.verification, fullPage: true });

    // The form: the fingerprint typed in groups of eight, as read off the paper.
    await page.getByRole('link', { name: 'Vérifier une autre empreinte' }).click();
    await page.waitForURL('**/mandats/verifier');
    assert.equal(await h1(page), 'Vérifier un mandat');
    await audit(page, 'the verification form');
    await assertNoSideScroll(page, 'the verification form');
    await page.getByLabel('Empreinte de l’attestation').click();
    await page.keyboard.type(inPerson.fingerprint.match(/.{8}/g)!.join(' '));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/mandats/verifier/${inPerson.fingerprint}`);
    assert.equal(await text(page.locator('.mandat-verdict')), 'Ce mandat est valide.');
  });

  test('the helper declares a use, revokes one démarche then the rest; the public page follows', async () => {
    const page = helper;
    await goto(page, `/mandats/${inPerson.id}`);

    // ------------------------------------------------------------ a use, declared
    const form = page.locator('section', {
      has: page.locator('h2', { hasText: 'Déclarer une utilisation' }),
    });
    await form.getByLabel('Démarche réalisée').selectOption({ label: 'Logement' });
    await form.getByLabel('Ce que vous avez fait').fill(USE_DESCRIPTION);
    await form.getByRole('button', { name: 'Enregistrer l’utilisation' }).click();
    await page.waitForURL(`**/mandats/${inPerson.id}?ok=usage`);
    assert.match(await text(page.locator('.notice--success')), /L’utilisation du mandat est enregistrée/);
    const uses = page.locator('h2:text-is("Utilisations") + ul.mandat-list li');
    assert.equal(await uses.count(), 1);
    assert.match(
      await text(uses.first()),
      new RegExp(`— Logement : ${USE_DESCRIPTION} \\(Mehdi Médiateur\\)$`),
    );

    // ------------------------------------------------------------ one démarche revoked
    await page.getByRole('link', { name: 'Révoquer une démarche ou le mandat' }).click();
    await page.waitForURL(`**/mandats/${inPerson.id}/revoquer`);
    assert.equal(await h1(page), 'Révoquer le mandat de Odette Lambert');
    assert.ok(await page.getByLabel('Seulement les démarches cochées ci-dessous').isChecked());
    await audit(page, 'the revocation form');
    await assertNoSideScroll(page, 'the revocation form');
    await page.getByLabel('Logement', { exact: true }).check();
    await page.getByLabel('La personne, à la structure').check();
    await page.getByRole('button', { name: 'Révoquer', exact: true }).click();
    await page.waitForURL(new RegExp(`/mandats/${inPerson.id}/revocations/[0-9a-f-]{36}$`));
    firstRevocationUrl = new URL(page.url()).pathname;
    assert.equal(await h1(page), 'Attestation de révocation de mandat');
    const revocation = await text(page.locator('article.mandat-attestation'));
    assert.match(revocation, /Odette Lambert le .* est révoqué pour les démarches suivantes\./);
    const revoked = page.locator('article section', { has: page.locator('h2:text-is("La révocation")') });
    assert.deepEqual(await revoked.locator('li').allTextContents(), ['Logement']);
    assert.match(revocation, /Demandée par : la personne, à la structure\. Enregistrée par Mehdi Médiateur/);
    assert.match(revocation, /Le mandat couvre encore, jusqu’au .* : Social – santé\./);
    await audit(page, 'the revocation attestation');
    await assertNoSideScroll(page, 'the revocation attestation');
    await page.screenshot({ path: SCREENSHOTS.revocation, fullPage: true });

    await goto(visitor, `/mandats/verifier/${inPerson.fingerprint}`);
    assert.equal(await text(visitor.locator('.mandat-verdict')), 'Ce mandat est valide.');
    assert.deepEqual(await definition(visitor, 'Démarches couvertes').locator('li').allTextContents(), [
      'Social – santé',
    ]);
    assert.deepEqual(await definition(visitor, 'Démarches révoquées').locator('li').allTextContents(), [
      'Logement',
    ]);

    // ------------------------------------------------------------ the mandate page tells it
    await goto(page, `/mandats/${inPerson.id}`);
    assert.equal(await statusTag(page), 'Actif');
    const logement = page.locator('main table tbody tr', {
      has: page.locator('th', { hasText: 'Logement' }),
    });
    assert.match(await text(logement.locator('td')), /^Révoquée le /);
    assert.deepEqual(
      await page.getByLabel('Démarche réalisée').locator('option').allTextContents(),
      ['Choisissez', 'Social – santé'],
      'a revoked démarche can no longer be declared',
    );
    assert.equal(await page.locator(`a[href="${firstRevocationUrl}"]`).count(), 1);

    // ------------------------------------------------------------ the rest revoked
    await page.getByRole('link', { name: 'Révoquer une démarche ou le mandat' }).click();
    await page.waitForURL(`**/mandats/${inPerson.id}/revoquer`);
    await page.getByLabel('Tout le mandat').check();
    await page.getByLabel('L’aidant', { exact: true }).check();
    await page.getByRole('button', { name: 'Révoquer', exact: true }).click();
    await page.waitForURL(new RegExp(`/mandats/${inPerson.id}/revocations/[0-9a-f-]{36}$`));
    assert.notEqual(new URL(page.url()).pathname, firstRevocationUrl);
    assert.match(
      await text(page.locator('article.mandat-attestation')),
      /Le mandat ne couvre plus aucune démarche : il est entièrement révoqué\./,
    );
    await goto(page, `/mandats/${inPerson.id}`);
    assert.equal(await statusTag(page), 'Révoqué');
    assert.equal(await page.getByRole('link', { name: 'Révoquer une démarche ou le mandat' }).count(), 0);
    assert.equal(await page.getByLabel('Démarche réalisée').count(), 0, 'no use of a revoked mandate');
    assert.equal(await page.locator('h2:text-is("Révocations") + ul li').count(), 2);

    await goto(visitor, `/mandats/verifier/${inPerson.fingerprint}`);
    assert.match(await text(visitor.locator('.mandat-verdict')), /^Ce mandat est révoqué/);
    assert.equal(await text(definition(visitor, 'Personne')), PERSON.initiales);
  });

  test('a mandate asked by SMS waits, and becomes active when the person answers « Oui »', async () => {
    assert.equal(testConfig.sms.provider, 'dev', 'the tests use the development SMS provider (outbox)');
    const page = helper;
    await fillFlow(page, REMOTE, {
      demarches: ['Famille – scolarité'],
      duree: '1 mois',
      consent: { mobile: REMOTE.mobile },
    });
    assert.equal(await text(definition(page, 'Accord')), `Par SMS au ${REMOTE_E164} Modifier : accord`);
    assert.match(await text(page.locator('.mandat-preview')), /Il ne sera actif qu’après sa réponse « Oui »/);
    const id = await confirm(page, 'Confirmer et envoyer la demande par SMS', 'sms');
    assert.equal(await h1(page), 'Mandat de Rachid Moreau');
    assert.equal(await statusTag(page), 'En attente du consentement');
    const stateOf = () =>
      db()
        .selectFrom('mandat')
        .select(['status', 'empreinte'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    assert.deepEqual(await stateOf(), { status: 'en_attente', empreinte: null });
    assert.match(await main(page), /Demande envoyée par SMS le .* au \+336••••••78\./);
    assert.equal(await page.getByRole('link', { name: 'Attestation à imprimer' }).count(), 0);
    await audit(page, 'a pending mandate');
    await page.screenshot({ path: SCREENSHOTS.pending, fullPage: true });
    const sent = await db()
      .selectFrom('sms_outbox')
      .select('texte')
      .where('telephone', '=', REMOTE_E164)
      .execute();
    assert.equal(sent.length, 1, 'one SMS in the development outbox');
    assert.match(sent[0]!.texte, /Mehdi Médiateur .* Famille – scolarité, pendant 1 mois\. Répondez OUI/);

    // ------------------------------------------------------------ the administrator answers for the person
    const admin = await newPage({ bypassCSP: true, viewport: DESKTOP });
    await signIn(admin, ADMIN);
    await goto(admin, '/admin/sms');
    assert.equal(await h1(admin), 'SMS envoyés (développement)');
    const number = admin.locator('section.card', { has: admin.locator(`h2:text-is("${REMOTE_E164}")`) });
    assert.match(await text(number), /Une demande d’accord attend la réponse de ce numéro/);
    assert.match(await text(number.locator('tbody')), /Famille – scolarité/);
    await audit(admin, 'the SMS outbox');
    await assertNoSideScroll(admin, 'the SMS outbox');
    await admin.screenshot({ path: SCREENSHOTS.outbox, fullPage: true });
    await number.getByLabel('Répondre au nom de la personne').fill('Oui');
    await number.getByRole('button', { name: /^Envoyer la réponse/ }).click();
    await admin.waitForURL('**/admin/sms?resultat=accepte');
    assert.match(
      await text(admin.locator('.notice--success')),
      /la demande est acceptée, le mandat est actif/,
    );
    assert.match(await text(number), /Aucune demande en attente pour ce numéro/);

    // ------------------------------------------------------------ the helper sees it active
    await page.reload();
    assert.equal(await statusTag(page), 'Actif');
    assert.equal(await page.getByRole('link', { name: 'Attestation à imprimer' }).count(), 1);
    assert.equal(await text(definition(page, 'Accord')), 'À distance, par SMS');
    const active = await stateOf();
    assert.equal(active.status, 'actif');
    assert.equal(await text(page.locator('code.mandat-fingerprint')), active.empreinte);
  });

  test('the list of mandates shows both, and passes axe at 1280 px and reflows at 320 px', async () => {
    const page = helper;
    await goto(page, '/mandats');
    assert.equal(await h1(page), 'Mandats');
    const row = (name: string) => page.locator('tbody tr', { has: page.getByRole('link', { name }) });
    assert.equal(await text(row('Odette Lambert').locator('.mandat-status')), 'Révoqué');
    assert.equal(await text(row('Rachid Moreau').locator('.mandat-status')), 'Actif');
    assert.match(await text(row('Rachid Moreau')), /Famille – scolarité/);
    await audit(page, 'the list of mandates');
    await assertNoSideScroll(page, 'the list of mandates');
  });

  test('without JavaScript, the flow starts, and an empty first step is refused in French', async () => {
    const page = await newPage({
      storageState: await helper.context().storageState(),
      javaScriptEnabled: false,
    });
    await goto(page, '/mandats/nouveau');
    await page.getByRole('button', { name: 'Commencer' }).click();
    assert.equal(await h1(page), 'Qui donne mandat ?');
    const step = page.url();
    expected400.add(new URL(step).pathname); // a refused form answers 400
    await page.getByRole('button', { name: 'Continuer' }).click();
    assert.equal(await page.locator('.error-summary').count(), 1, 'the empty step shows its errors');
    assert.equal(await h1(page), 'Qui donne mandat ?');
    assert.equal(new URL(page.url()).pathname, new URL(step).pathname);
  });

  test('no console error, script error nor failed request on any page visited', () => {
    assert.deepEqual(problems, []);
  });

  test('without the CSP bypass, the mandate pages break no Content Security Policy', async () => {
    // The audits above need `bypassCSP`; here the pages run under the app's real policy.
    const session = await helper.context().storageState();
    const page = await newPage({ storageState: session, viewport: DESKTOP });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    for (const url of [
      '/mandats',
      '/mandats/nouveau',
      `/mandats/${inPerson.id}`,
      `/mandats/${inPerson.id}/attestation`,
      firstRevocationUrl,
      '/mandats/verifier',
    ])
      await goto(page, url);
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
  });

  // Last: it rewrites history, which breaks the chain for whatever would come after.
  test('the journal of all this is intact, and a rewritten mandate entry breaks it', async () => {
    await sealJournal(db());
    const check = await verifyChain(db());
    assert.equal(check.ok, true, JSON.stringify(check));
    const actions = (
      await db().selectFrom('audit_event').select('action').where('subject_id', '=', inPerson.id).execute()
    ).map((r) => r.action);
    for (const action of [
      'mandat.attestation_creee',
      'mandat.autorisation_utilisee',
      'mandat.autorisation_revoquee',
      'mandat.revoque',
    ])
      assert.ok(actions.includes(action), `${action} is journaled (${[...new Set(actions)].join(', ')})`);

    const target = await db()
      .selectFrom('audit_event')
      .select(['id', 'seq'])
      .where('action', '=', 'mandat.autorisation_utilisee')
      .where('subject_id', '=', inPerson.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(target.seq, null, 'the entry is sealed');
    // The database itself refuses the change…
    await assert.rejects(
      sql`update audit_event set details = '{"description": "rien"}' where id = ${target.id}`.execute(db()),
      /ajout seul|append-only/,
    );
    // …so someone with the owner's rights disables the guard first.
    await sql`alter table audit_event disable trigger audit_event_no_change`.execute(db());
    await sql`update audit_event set details = '{"description": "rien"}' where id = ${target.id}`.execute(
      db(),
    );
    await sql`alter table audit_event enable trigger audit_event_no_change`.execute(db());
    const broken = await verifyChain(db());
    assert.equal(broken.ok, false);
    assert.equal(!broken.ok && Number(broken.brokenAt), Number(target.id));
  });
}
