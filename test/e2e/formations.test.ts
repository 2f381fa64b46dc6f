import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { parisToday } from '../../src/platform/paris-time.ts';
import {
  type Account,
  assertAccessible,
  browserHarness,
  describeBrowser,
  overflowAt,
  watchProblems,
} from '../helpers/browser.ts';
import { givenHelper } from '../helpers/builders.ts';

/**
 * Trainings in a real browser, on the demo data: the Villeurbanne coordinator creates a
 * two-half-day session with 3 seats; the demo helper registers, the coordinator registers three
 * of the team (the last one waits); the demo helper cancels and the waiting helper confirms the
 * seat offered; the trainer records both half-days; certificates are issued, printed and verified
 * through the QR page; the coordinator grants the mandate habilitation. Each page passes axe-core.
 */

const COORDINATOR: Account = DEMO_ACCOUNTS[1];
const HELPER: Account = DEMO_ACCOUNTS[2];
const TRAINER: Account = DEMO_ACCOUNTS[3];
const DESKTOP = { width: 1280, height: 900 };
const TEAM = ['Amina Diallo', 'Bruno Lefèvre', 'Chloé Roussel'];
const WAITING: Account = {
  email: 'chloe.roussel@villeurbanne.example',
  totpSecret: 'KRUGS4ZANFZSAYJAORSXG5BAMFRWG33V',
};

describeBrowser('trainings in a real browser (Chromium)', { timeout: 300_000 }, () => {
  let coordinator: Page;
  let helper: Page;
  let trainer: Page;
  let waiting: Page;
  let visitor: Page;
  const problems: string[] = [];
  let sessionUrl = '';
  const harness = browserHarness({
    setup: async (relais) => {
      const villeurbanne = await relais.db.db
        .selectFrom('collectivite')
        .select('id')
        .where('code', '=', '69266')
        .executeTakeFirstOrThrow();
      for (const name of TEAM)
        await givenHelper(relais, {
          collectivite: villeurbanne.id,
          name,
          password: DEMO_PASSWORD,
          ...(name === 'Chloé Roussel' ? { email: WAITING.email, totpSecret: WAITING.totpSecret } : {}),
        });
    },
  });
  const { goto } = harness;
  const db = () => harness.relais().db.db;

  before(async () => {
    coordinator = await harness.newPage({ as: COORDINATOR, bypassCSP: true, viewport: DESKTOP });
    helper = await harness.newPage({ as: HELPER, bypassCSP: true, viewport: DESKTOP });
    trainer = await harness.newPage({ as: TRAINER, bypassCSP: true, viewport: DESKTOP });
    waiting = await harness.newPage({ as: WAITING, bypassCSP: true, viewport: DESKTOP });
    visitor = await harness.newPage({ bypassCSP: true, viewport: DESKTOP });
    // The refused form (overlapping half-days) answers 400 on purpose, and its browser says so.
    const refusedForm = (p: { url: string; text: string }) =>
      p.url.endsWith('/formations/gestion/sessions/nouvelle') && /400/.test(p.text);
    for (const page of [coordinator, helper, trainer, waiting, visitor])
      await watchProblems(page, { into: problems, ignore: refusedForm });
  });

  test('the catalogue is public; the coordinator creates a two-half-day session with 3 seats', async () => {
    await goto(visitor, '/formations');
    await assertAccessible(visitor, 'catalogue');
    assert.ok((await overflowAt(visitor, 320)) <= 0, 'the catalogue reflows at 320 px');
    await goto(coordinator, '/formations/gestion/sessions/nouvelle');
    await assertAccessible(coordinator, 'new session');
    await coordinator
      .getByLabel('Formation', { exact: true })
      .selectOption({ label: 'Habilitation Aidants Connect' });
    const day = parisToday(new Date(Date.now() + 10 * 86_400_000));
    await coordinator.locator('#champ-date_1').fill(day);
    await coordinator.locator('#champ-debut_1').fill('09:00');
    await coordinator.locator('#champ-fin_1').fill('12:30');
    await coordinator.locator('#champ-date_2').fill(day);
    // Overlapping half-days first: refused, in French, next to the field.
    await coordinator.locator('#champ-debut_2').fill('11:00');
    await coordinator.locator('#champ-fin_2').fill('17:00');
    await coordinator.getByLabel('Nombre de places').fill('3');
    await coordinator
      .getByLabel('Ou décrivez le lieu (facultatif)')
      .fill('Maison des services, Villeurbanne');
    await coordinator.getByLabel('Fanny Formatrice').check();
    await coordinator.getByRole('button', { name: 'Créer la session' }).click();
    await coordinator.getByText('Deux demi-journées se chevauchent').first().waitFor();
    await assertAccessible(coordinator, 'new session with an error');
    await coordinator.locator('#champ-debut_2').fill('13:30');
    await coordinator.getByRole('button', { name: 'Créer la session' }).click();
    await coordinator.waitForURL(/\/formations\/gestion\/sessions\/[0-9a-f-]{36}\?ok=creee$/);
    sessionUrl = new URL(coordinator.url()).pathname.replace('/gestion', '');
    await assertAccessible(coordinator, 'session management');
  });

  test('four helpers register: the demo helper, then three of the team by the coordinator; the last waits', async () => {
    await goto(helper, sessionUrl);
    await assertAccessible(helper, 'session page');
    await helper.getByRole('button', { name: 'M’inscrire' }).click();
    await helper.getByText('Vous êtes inscrit').waitFor();
    for (const name of TEAM) {
      await goto(coordinator, sessionUrl);
      await coordinator.getByLabel('Inscrire un médiateur de mon équipe').selectOption({ label: name });
      await coordinator.getByRole('button', { name: 'Inscrire', exact: true }).click();
      await coordinator
        .getByText(name === 'Chloé Roussel' ? 'sur la liste d’attente' : 'La personne est inscrite')
        .waitFor();
    }
    await assertAccessible(coordinator, 'session page (coordinator)');
  });

  test('the demo helper cancels; the waiting helper is offered the seat and confirms it', async () => {
    await goto(helper, '/formations/mes-inscriptions');
    await assertAccessible(helper, 'my trainings');
    await helper.getByRole('button', { name: 'Annuler mon inscription' }).first().click();
    await helper.getByText('la place est proposée').waitFor();
    await goto(waiting, '/formations/mes-inscriptions');
    await assertAccessible(waiting, 'my trainings, a seat offered');
    await waiting.getByRole('button', { name: 'Confirmer ma place' }).click();
    await waiting.getByText('Votre place est confirmée').waitFor();
  });

  test('the trainer records attendance for both half-days and issues the certificates', async () => {
    // Time passes: the first half-day was yesterday, the second started an hour ago.
    const id = sessionUrl.split('/').at(-1)!;
    const halfDays = await db()
      .selectFrom('formation_demi_journee')
      .select('id')
      .where('session_id', '=', id)
      .orderBy('starts_at')
      .execute();
    const now = Date.now();
    await db()
      .updateTable('formation_demi_journee')
      .set({ starts_at: new Date(now - 86_400_000 - 3 * 3_600_000), ends_at: new Date(now - 86_400_000) })
      .where('id', '=', halfDays[0]!.id)
      .execute();
    await db()
      .updateTable('formation_demi_journee')
      .set({ starts_at: new Date(now - 3_600_000), ends_at: new Date(now + 2 * 3_600_000) })
      .where('id', '=', halfDays[1]!.id)
      .execute();
    await goto(trainer, '/espace');
    await trainer.getByRole('link', { name: 'Mes sessions : inscrits, présences, attestations' }).click();
    await trainer.locator(`a[href="/formations/gestion${sessionUrl.slice('/formations'.length)}"]`).click();
    await assertAccessible(trainer, 'session management (trainer)');
    for (const [i, section] of (await trainer.locator('section.training-halfday').all()).entries()) {
      for (const name of TEAM) await section.getByLabel(name).check();
      await section.getByRole('button', { name: 'Enregistrer les présences' }).click();
      await trainer.getByText('Les présences sont enregistrées.').waitFor();
      assert.ok(i < 2);
      if (i === 0) await trainer.locator('section.training-halfday').nth(1).waitFor();
    }
    await trainer.getByRole('button', { name: 'Délivrer les attestations' }).click();
    await trainer.getByText('3 attestations délivrées.').waitFor();
    await trainer.screenshot({ path: '/tmp/formation-gestion.png', fullPage: true });
    await assertAccessible(trainer, 'session with certificates');
  });

  test('a certificate is printed and verified through its QR page; the coordinator grants the habilitation', async () => {
    await goto(coordinator, '/formations/equipe');
    await assertAccessible(coordinator, 'team trainings');
    const code = await db()
      .selectFrom('formation_attestation as a')
      .innerJoin('formation_inscription as i', 'i.id', 'a.inscription_id')
      .innerJoin('app_user as u', 'u.id', 'i.user_id')
      .select(['a.id', 'a.code'])
      .where('u.email', '=', WAITING.email)
      .executeTakeFirstOrThrow();
    await goto(coordinator, `/formations/attestations/${code.id}`);
    await coordinator.getByText(code.code).first().waitFor();
    await coordinator.screenshot({ path: '/tmp/formation-attestation.png', fullPage: true });
    await assertAccessible(coordinator, 'certificate');
    const pdf = await coordinator.request.get(`/formations/attestations/${code.id}/attestation.pdf`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    await goto(visitor, `/formations/verifier/${code.code}`);
    await visitor.getByText('Attestation valide.').waitFor();
    await visitor.getByText('C. R.').waitFor();
    assert.equal(await visitor.getByText('Roussel').count(), 0, 'initials only');
    await assertAccessible(visitor, 'verification');
    await goto(coordinator, '/formations/equipe');
    await coordinator.getByRole('button', { name: 'Habiliter Chloé Roussel aux mandats' }).click();
    await coordinator.getByText('L’habilitation aux mandats est accordée.').waitFor();
    const h = await db()
      .selectFrom('habilitation as h')
      .innerJoin('app_user as u', 'u.id', 'h.user_id')
      .select('h.certified_by')
      .where('u.email', '=', WAITING.email)
      .executeTakeFirstOrThrow();
    assert.ok(h.certified_by.includes(code.code));
  });

  test('no page logged an error', () => {
    assert.deepEqual(problems, []);
  });
});
