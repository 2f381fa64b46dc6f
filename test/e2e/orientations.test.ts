import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Page } from 'playwright-core';
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
import { givenBeneficiary, givenPlace } from '../helpers/builders.ts';

/**
 * Referrals in a real browser: the demo Villeurbanne helper refers a person from a Vénissieux
 * place's page; the place's contact, who has no account, opens the link of the outbox and
 * accepts; the helper then sees « Acceptée » and the person's SMS is in the outbox. Every page
 * passes axe-core (WCAG 2.1 AA) with one h1, reflows at 320 px and logs no error.
 */

const HELPER: Account = DEMO_ACCOUNTS[2];
const CONTACT = 'accueil@mfs-venissieux.example';
const DESKTOP = { width: 1280, height: 900 };

describeBrowser('referrals in a real browser (Chromium)', { timeout: 240_000 }, () => {
  let helper: Page;
  let contact: Page;
  const problems: string[] = [];
  let place = '';
  const harness = browserHarness({
    setup: async (relais) => {
      const db = relais.db.db;
      const venissieux = await db
        .selectFrom('collectivite')
        .select('id')
        .where('code', '=', '69259')
        .executeTakeFirstOrThrow();
      place = await givenPlace(relais, {
        collectivite: venissieux.id,
        nom: 'Maison France Services des Minguettes',
        commune: 'Vénissieux',
        code_postal: '69200',
        code_insee: '69259',
        courriels: [CONTACT],
        telephone: ['+33472000000'],
        services: ['Aide aux démarches administratives'],
      });
      const demoHelper = await helperByEmail(db, HELPER.email);
      assert.ok(demoHelper);
      await givenBeneficiary(relais, demoHelper, {
        prenom: 'Yasmine',
        nom: 'Belkacem',
        telephone: '06 11 22 33 44',
      });
    },
  });
  const { goto } = harness;
  const db = () => harness.relais().db.db;

  before(async () => {
    helper = await harness.newPage({ as: HELPER, bypassCSP: true, viewport: DESKTOP });
    contact = await harness.newPage({ bypassCSP: true, viewport: DESKTOP });
    for (const page of [helper, contact]) await watchProblems(page, { into: problems });
  });

  test('the helper refers a person from the place’s page, with their consent', async () => {
    await goto(helper, `/lieux/${place}`);
    await helper.getByRole('link', { name: 'Orienter une personne' }).click();
    await helper.waitForURL(`**/orientations/nouvelle?lieu=${place}`);
    await assertAccessible(helper, 'referral form');
    await helper.getByLabel('Personne orientée').selectOption({ label: 'Yasmine Belkacem' });
    await helper.getByLabel('Service').selectOption('Aide aux démarches administratives');
    await helper.getByLabel('Par téléphone').first().check();
    await helper.getByLabel('Téléphone de la personne').fill('06 11 22 33 44');
    await helper
      .getByLabel('Motif de l’orientation')
      .fill('Déclarer ses revenus en ligne pour la première fois.');
    await helper.getByLabel('En personne').check();
    await helper.getByLabel('La personne a donné son accord, je l’enregistre à mon nom').check();
    await helper.screenshot({ path: '/tmp/orientation-formulaire.png', fullPage: true });
    await helper.getByRole('button', { name: 'Envoyer l’orientation' }).click();
    await helper.waitForURL(/\/orientations\/[0-9a-f-]{36}\?ok=envoyee$/);
    await helper.getByText('L’orientation est envoyée').waitFor();
    await assertAccessible(helper, 'sent referral');
    assert.ok((await overflowAt(helper, 320)) <= 0, 'the referral page reflows at 320 px');
  });

  test('the place’s contact, without an account, accepts through the link in the outbox', async () => {
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', CONTACT)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const link = /http:\/\/[^\s]+\/orientations\/reponse\/[^\s]+/.exec(mail.body ?? '')![0];
    await goto(contact, new URL(link).pathname);
    await contact.getByRole('heading', { level: 1, name: 'Orientation de Yasmine B.' }).waitFor();
    assert.equal(await contact.getByText('06 11 22 33 44').count(), 0, 'no phone before acceptance');
    await assertAccessible(contact, 'received referral (link)');
    assert.ok((await overflowAt(contact, 320)) <= 0, 'the answer page reflows at 320 px');
    await contact.getByRole('button', { name: 'Mettre à l’étude' }).click();
    await contact.getByText('L’orientation est à l’étude.').waitFor();
    await contact
      .getByLabel('Message à la personne qui a orienté (facultatif)')
      .fill('Rendez-vous proposé mardi.');
    await contact.getByRole('button', { name: 'Accepter l’orientation' }).click();
    await contact.getByText('la personne orientée aussi par SMS').waitFor();
    await contact.getByText('06 11 22 33 44').first().waitFor();
    await contact.screenshot({ path: '/tmp/orientation-acceptee.png', fullPage: true });
    await assertAccessible(contact, 'accepted referral (link)');
    const sms = await db()
      .selectFrom('sms_outbox')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(sms.telephone, '+33611223344');
    assert.match(
      sms.texte,
      /votre orientation vers Maison France Services des Minguettes \(Aide aux démarches administratives\) est acceptée/,
    );
  });

  test('the helper sees « Acceptée » on their dashboard; the inbox is accessible too', async () => {
    await goto(helper, '/orientations');
    await helper.getByRole('cell', { name: 'Acceptée' }).waitFor();
    await helper.getByText('1 en cours').waitFor();
    await assertAccessible(helper, 'sent referrals');
    await goto(helper, '/orientations/recues');
    await assertAccessible(helper, 'received referrals');
    await goto(helper, '/orientations/nouvelle?q=Minguettes');
    await assertAccessible(helper, 'choose a place');
  });

  test('the form outside the territory and the coordinators’ statistics are accessible', async () => {
    await goto(helper, '/orientations/nouvelle?di=dora--centre-social-8e');
    await helper.getByLabel('Nom de la structure').waitFor();
    await assertAccessible(helper, 'referral outside the territory');
    await helper.screenshot({ path: '/tmp/orientation-hors-territoire.png', fullPage: true });
    const coordinator = await harness.newPage({ as: DEMO_ACCOUNTS[1], bypassCSP: true, viewport: DESKTOP });
    await watchProblems(coordinator, { into: problems });
    await goto(coordinator, '/orientations/statistiques');
    await coordinator.getByRole('heading', { level: 1, name: 'Statistiques des orientations' }).waitFor();
    await assertAccessible(coordinator, 'referral statistics');
    assert.ok((await overflowAt(coordinator, 320)) <= 0, 'the statistics reflow at 320 px');
    await coordinator.screenshot({ path: '/tmp/orientation-statistiques.png', fullPage: true });
  });

  test('no page logged an error', () => {
    assert.deepEqual(problems, []);
  });
});
