import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import {
  type Account,
  assertAccessible,
  browserHarness,
  describeBrowser,
  overflowAt,
  watchProblems,
} from '../helpers/browser.ts';

/**
 * The territorial network in a real browser: a structure applies through the public form
 * (no account) and the OPSN's administrator accepts it; the administrator plans a comité
 * meeting, invites the new member (the invitation with its iCalendar is in the outbox), records
 * the minutes and a decision tied to an action; the public roadmap shows progress computed from
 * the demo activities; a news item reaches the member, who unsubscribes in one click. Every page
 * passes axe-core (WCAG 2.1 AA) with one h1, reflows at 320 px and logs no error.
 */

const ADMIN: Account = DEMO_ACCOUNTS[0];
const CONTACT = 'direction@centre-social.example';
const DESKTOP = { width: 1280, height: 900 };

describeBrowser('the territorial network in a real browser (Chromium)', { timeout: 240_000 }, () => {
  let admin: Page;
  let visitor: Page;
  const problems: string[] = [];
  const harness = browserHarness();
  const { goto } = harness;
  const db = () => harness.relais().db.db;
  const lastMail = () =>
    db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body', 'headers', 'attachments'])
      .where('recipient', '=', CONTACT)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();

  before(async () => {
    admin = await harness.newPage({ as: ADMIN, bypassCSP: true, viewport: DESKTOP });
    visitor = await harness.newPage({ bypassCSP: true, viewport: DESKTOP });
    // The refused application answers 400 on purpose (its French error is checked).
    const refusedForm = (p: { url: string; text: string }) =>
      p.url.endsWith('/reseau/adhesion') && (p.text === '400' || p.text.includes('status of 400'));
    for (const page of [admin, visitor]) await watchProblems(page, { into: problems, ignore: refusedForm });
  });

  test('a structure applies through the public form and is accepted', async () => {
    await goto(visitor, '/reseau');
    await assertAccessible(visitor, 'network home');
    await visitor.getByRole('link', { name: 'Rejoindre le réseau' }).first().click();
    await visitor.getByLabel('Nom de la structure', { exact: true }).fill('Centre social des Buers');
    await visitor.getByLabel('Type de structure').selectOption('association');
    await visitor.getByLabel('SIRET', { exact: true }).fill('501 234 561 00031');
    await visitor.getByLabel('Nom et prénom').fill('Nadia Haddad');
    await visitor.getByLabel('Adresse électronique').fill(CONTACT);
    await visitor.getByLabel('J’accepte que le réseau utilise ces coordonnées pour cet usage').check();
    await visitor.getByRole('button', { name: 'Envoyer la candidature' }).click();
    await visitor.getByText('Ce SIRET n’existe pas').first().waitFor();
    await assertAccessible(visitor, 'application with an error');
    await visitor.getByLabel('SIRET', { exact: true }).fill('501 234 561 00030');
    await visitor.getByLabel('J’accepte que le réseau utilise ces coordonnées pour cet usage').check();
    await visitor.getByRole('button', { name: 'Envoyer la candidature' }).click();
    await visitor.getByRole('heading', { level: 1, name: 'Candidature envoyée' }).waitFor();
    assert.ok((await overflowAt(visitor, 320)) <= 0);

    await goto(admin, '/espace');
    await admin.getByRole('link', { name: 'Examiner les candidatures' }).click();
    await admin.getByRole('link', { name: 'Centre social des Buers' }).click();
    await assertAccessible(admin, 'application to answer');
    await admin.getByLabel('Accepter : la structure devient membre').check();
    await admin.getByLabel('Coporteur').check();
    await admin.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await admin.getByText('La candidature est acceptée').waitFor();
    await assertAccessible(admin, 'accepted member');
    assert.match((await lastMail()).subject, /Bienvenue dans le réseau/);
  });

  test('a comité meeting: invitation with its calendar, minutes and a decision', async () => {
    await goto(admin, '/admin/reseau/evenements/nouveau?type=comite');
    await assertAccessible(admin, 'event form');
    await admin
      .getByLabel('Comité (pour une réunion de comité)')
      .selectOption({ label: 'Comité de pilotage' });
    await admin.getByLabel('Titre', { exact: true }).fill('Comité de pilotage de mars');
    await admin.getByLabel('Date', { exact: true }).fill('2027-03-18');
    await admin.getByLabel('Heure de début').fill('14:00');
    await admin.getByLabel('Heure de fin').fill('16:00');
    await admin.getByLabel('Lieu (adresse)').fill('Siège du syndicat');
    await admin.getByLabel('Centre social des Buers').check();
    await admin.getByRole('button', { name: 'Créer l’événement et envoyer les invitations' }).click();
    await admin.getByText('L’événement est créé').waitFor();
    const invitation = await lastMail();
    assert.match(invitation.subject, /Invitation : Comité de pilotage de mars/);
    const calendarFile = invitation.attachments?.[0];
    assert.match(calendarFile?.contentType ?? '', /^text\/calendar; method=PUBLISH/);
    assert.match(calendarFile?.content ?? '', /DTSTART;TZID=Europe\/Paris:20270318T140000/);
    await admin.getByLabel('Centre social des Buers').check();
    await admin.getByLabel('Compte rendu').fill('Point sur les permanences du trimestre.');
    await admin.getByRole('button', { name: 'Enregistrer le compte rendu' }).click();
    await admin.getByText('Le compte rendu et les présences sont enregistrés.').waitFor();
    await admin.getByLabel('Nouvelle décision').fill('Ouvrir une permanence le samedi.');
    await admin
      .getByLabel('Action de la feuille de route concernée (facultatif)')
      .selectOption({ label: 'Accompagner les habitants dans leurs démarches' });
    await admin.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await admin.getByText('(action : Accompagner les habitants dans leurs démarches)').waitFor();
    await assertAccessible(admin, 'meeting with minutes and decision');
    await admin.screenshot({ path: '/tmp/reseau-reunion.png', fullPage: true });
  });

  test('the public roadmap shows progress computed from the demo activities', async () => {
    await goto(visitor, '/reseau/feuille-de-route');
    const bar = visitor.getByRole('row', { name: /Accompagner les habitants/ }).locator('progress');
    assert.ok(Number(await bar.getAttribute('value')) > 0);
    await assertAccessible(visitor, 'public roadmap');
    assert.ok((await overflowAt(visitor, 320)) <= 0);
    await visitor.screenshot({ path: '/tmp/reseau-feuille-de-route.png', fullPage: true });
    await goto(visitor, '/reseau/agenda');
    await assertAccessible(visitor, 'public agenda');
  });

  test('news reach the member, who unsubscribes in one click', async () => {
    await goto(admin, '/admin/reseau/actualites');
    await admin.getByLabel('Titre', { exact: true }).fill('Permanences du samedi');
    await admin
      .getByLabel('Texte', { exact: true })
      .fill('Le centre social ouvre une permanence le samedi matin.');
    await admin.getByRole('button', { name: 'Publier et envoyer' }).click();
    await admin.getByText('L’actualité est publiée').waitFor();
    await assertAccessible(admin, 'news');
    const mail = await lastMail();
    assert.equal(mail.headers?.['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    const link = /http:\/\/[^\s]+\/reseau\/desabonnement\/[^\s]+/.exec(mail.body ?? '')![0];
    await goto(visitor, new URL(link).pathname);
    await assertAccessible(visitor, 'unsubscribe');
    await visitor.getByRole('button', { name: 'Me désabonner' }).click();
    await visitor.getByRole('heading', { level: 1, name: 'Vous êtes désabonné(e)' }).waitFor();
    const contact = await db()
      .selectFrom('reseau_contact')
      .select('unsubscribed_at')
      .where('email', '=', CONTACT)
      .executeTakeFirstOrThrow();
    assert.ok(contact.unsubscribed_at);
  });

  test('no page logged an error', () => {
    assert.deepEqual(problems, []);
  });
});
