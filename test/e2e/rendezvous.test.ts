import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import {
  type Account,
  assertAccessible,
  browserHarness,
  describeBrowser,
  watchProblems,
} from '../helpers/browser.ts';
import { readCalendar } from '../helpers/calendar.ts';

/**
 * Appointments in a real browser: a person books the demo Villeurbanne place's individual
 * reason at 320 px with JavaScript off, and reaches the confirmation; the pages they went
 * through, and the helper's agenda and settings, pass axe-core (WCAG 2.1 AA) with one h1.
 */

const HELPER: Account = DEMO_ACCOUNTS[2];
const PHONE = { width: 320, height: 640 };

describeBrowser('appointments in a real browser (Chromium)', { timeout: 180_000 }, () => {
  let person: Page;
  const problems: string[] = [];
  const visited: string[] = [];
  const harness = browserHarness();
  const { goto } = harness;

  before(async () => {
    person = await harness.newPage({ javaScriptEnabled: false, viewport: PHONE });
    await watchProblems(person, { into: problems });
  });

  const sideways = async (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  test('a person books a slot without JavaScript at 320 px and gets the confirmation', async () => {
    await goto(person, '/rendezvous');
    visited.push(new URL(person.url()).pathname);
    await person.locator('.rdv-list a').first().click();
    visited.push(new URL(person.url()).pathname);
    await person.getByRole('link', { name: 'Aide aux démarches en ligne' }).click();
    visited.push(new URL(person.url()).pathname);
    assert.ok((await sideways(person)) <= 0, 'the slots page does not scroll sideways at 320 px');
    // A slot more than 2 days ahead, so that it can be moved through the link afterwards.
    const keys = await person
      .locator('input[name="creneau"]')
      .evaluateAll((inputs) => inputs.map((i) => ({ id: i.id, value: (i as HTMLInputElement).value })));
    const later = keys.find((k) => Number(k.value.split('_')[1]) * 1000 > Date.now() + 72 * 3600_000);
    assert.ok(later, 'a slot more than 3 days ahead is offered');
    await person.locator(`label[for="${later.id}"]`).click();
    await person.getByRole('button', { name: 'Continuer' }).click();
    await person.waitForURL('**/reserver?creneau=*');
    await person.getByLabel('Prénom').fill('Paulette');
    await person.getByLabel('Nom', { exact: true }).fill('Girard');
    await person.getByLabel('Adresse de courriel').fill('paulette.girard@exemple.fr');
    await person.getByText('J’accepte d’être contacté').click();
    assert.ok((await sideways(person)) <= 0, 'the form does not scroll sideways at 320 px');
    await person.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await person.waitForURL('**/rendezvous/gestion/**');
    assert.match((await person.locator('main').textContent()) ?? '', /Votre rendez-vous est confirmé/);
    assert.ok((await sideways(person)) <= 0, 'the confirmation does not scroll sideways at 320 px');
    visited.push(new URL(person.url()).pathname);
    await person.screenshot({ path: '/tmp/rendezvous-confirmation-320.png', fullPage: true });
    assert.deepEqual(problems, []);
  });

  test('the confirmation is in the outbox with a valid .ics; the person moves the appointment through the link', async () => {
    const db = harness.relais().db.db;
    const mail = await db
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', 'paulette.girard@exemple.fr')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.match(mail.subject, /Rendez-vous confirmé : Aide aux démarches en ligne/);
    const link = new URL(/https?:\/\/\S+\/rendezvous\/gestion\/[^\s/]+/.exec(mail.body ?? '')![0]).pathname;
    const ics = await person.request.get(`${link}/rendez-vous.ics`);
    assert.equal(ics.status(), 200);
    const [event] = readCalendar(await ics.text()).events;
    assert.equal(event!.summary, 'Aide aux démarches en ligne');
    const booked = await db
      .selectFrom('rdv_participant as p')
      .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
      .select('r.starts_at')
      .where('p.email', '=', 'paulette.girard@exemple.fr')
      .executeTakeFirstOrThrow();
    assert.equal(event!.start.getTime(), booked.starts_at.getTime());

    await goto(person, link);
    await person.getByRole('link', { name: 'Déplacer le rendez-vous' }).click();
    await person.waitForURL('**/deplacer');
    assert.ok((await sideways(person)) <= 0, 'the move page does not scroll sideways at 320 px');
    const keys = await person
      .locator('input[name="creneau"]')
      .evaluateAll((inputs) => inputs.map((i) => ({ id: i.id, value: (i as HTMLInputElement).value })));
    const later = keys.filter((k) => Number(k.value.split('_')[1]) * 1000 > Date.now() + 72 * 3600_000)[1];
    assert.ok(later, 'another slot more than 3 days ahead is offered');
    await person.locator(`label[for="${later.id}"]`).click();
    await person.getByRole('button', { name: 'Continuer' }).click();
    await person.waitForURL('**/rendezvous/gestion/**?ok=deplace');
    assert.match((await person.locator('main').textContent()) ?? '', /Votre rendez-vous est déplacé/);
    // The old link now says the appointment moved: the audits visit the new one and its move page.
    const manage = new URL(person.url()).pathname;
    visited.splice(0, visited.length, ...visited.filter((p) => !p.startsWith('/rendezvous/gestion/')));
    visited.push(manage, `${manage}/deplacer`);
    const moved = await db
      .selectFrom('rdv_participant as p')
      .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
      .select(['r.starts_at', 'p.link_version'])
      .where('p.email', '=', 'paulette.girard@exemple.fr')
      .executeTakeFirstOrThrow();
    assert.notEqual(moved.starts_at.getTime(), booked.starts_at.getTime());
    assert.equal(moved.link_version, 2);
    assert.deepEqual(problems, []);
  });

  test('another person books a workshop seat, seeing the seats left', async () => {
    const other = await harness.newPage({ javaScriptEnabled: false, viewport: PHONE });
    await goto(other, '/rendezvous');
    await other.locator('.rdv-list a').first().click();
    await other.getByRole('link', { name: 'Atelier smartphone' }).click();
    assert.match((await other.locator('main').textContent()) ?? '', /\(\d+ places?\)/);
    await other.locator('.rdv-slot label').first().click();
    await other.getByRole('button', { name: 'Continuer' }).click();
    await other.waitForURL('**/reserver?creneau=*');
    await other.getByLabel('Prénom').fill('Lucien');
    await other.getByLabel('Nom', { exact: true }).fill('Bernard');
    await other.getByLabel('Adresse de courriel').fill('lucien.bernard@exemple.fr');
    await other.getByText('J’accepte d’être contacté').click();
    await other.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await other.waitForURL('**/rendezvous/gestion/**');
    assert.match((await other.locator('main').textContent()) ?? '', /Votre rendez-vous est confirmé/);
    assert.ok((await sideways(other)) <= 0);
    const seat = await harness
      .relais()
      .db.db.selectFrom('rdv_participant as p')
      .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
      .select(['r.capacite', 'r.places_prises'])
      .where('p.email', '=', 'lucien.bernard@exemple.fr')
      .executeTakeFirstOrThrow();
    assert.equal(seat.capacite, 8);
    assert.ok(seat.places_prises >= 1);
  });

  test('the booking pages pass axe-core', async () => {
    const page = await harness.auditPage({ viewport: PHONE });
    for (const url of visited) {
      await goto(page, url);
      await assertAccessible(page, url);
    }
  });

  test('the helper’s agenda and settings pass axe-core', async () => {
    const page = await harness.auditPage({ as: HELPER });
    await goto(page, '/rendezvous/agenda');
    await assertAccessible(page, 'agenda');
    const settings = await page.locator('a[href$="/reglages"]').first().getAttribute('href');
    assert.ok(settings);
    await goto(page, settings);
    await assertAccessible(page, 'settings');
    await page.screenshot({ path: '/tmp/rendezvous-settings.png', fullPage: true });
  });

  test('the helper marks the first appointment honoured and confirms the draft report in one click; their statistics count it', async () => {
    const db = harness.relais().db.db;
    const booked = await db
      .selectFrom('rdv_participant as p')
      .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
      .select(['r.id', 'r.starts_at', 'r.ends_at'])
      .where('p.email', '=', 'paulette.girard@exemple.fr')
      .where('p.status', '=', 'a_venir')
      .executeTakeFirstOrThrow();
    // Time passes: the appointment began an hour ago (its length kept).
    const began = new Date(Date.now() - 3600_000);
    await db
      .updateTable('rdv')
      .set({
        starts_at: began,
        ends_at: new Date(began.getTime() + (booked.ends_at.getTime() - booked.starts_at.getTime())),
      })
      .where('id', '=', booked.id)
      .execute();
    const helper = await harness.auditPage({ as: HELPER, viewport: PHONE });
    const activities = async () => {
      await goto(helper, '/statistiques');
      const item = helper.locator('.stats-summary__item', { hasText: 'Activités' }).first();
      return Number(((await item.locator('dd').textContent()) ?? '').replace(/\D/g, ''));
    };
    const before = await activities();
    await goto(helper, `/rendezvous/fiche?rdv=${booked.id}`);
    const form = helper.locator('form.rdv-person', { hasText: 'Paulette Girard' });
    await form.getByLabel('Honoré').check();
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await helper.getByText('Un compte rendu prérempli est prêt').waitFor();
    assert.ok((await sideways(helper)) <= 0, 'the appointment page does not scroll sideways at 320 px');
    await assertAccessible(helper, 'the appointment with its draft report');
    await helper.getByRole('button', { name: 'Enregistrer le compte rendu' }).click();
    await helper.getByText('Le compte rendu est enregistré').first().waitFor();
    assert.equal(await activities(), before + 1, 'the statistics count the confirmed report');
  });
});
