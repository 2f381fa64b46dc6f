import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { helperByEmail } from '../../src/modules/mediateurs/index.ts';
import { runReferralTimers } from '../../src/modules/orientations/timers.ts';
import { testConfig } from '../helpers/app.ts';
import {
  type Account,
  assertAccessible,
  browserHarness,
  describeBrowser,
  overflowAt,
  watchProblems,
} from '../helpers/browser.ts';
import { givenBeneficiary, givenCoordinator, givenHelper, givenPlace } from '../helpers/builders.ts';

/**
 * The whole loop of referrals in a real browser: the demo Villeurbanne helper refers a person
 * from a Vénissieux place's page; the place's contact, who has no account, opens the link of the
 * outbox and accepts; the helper then sees « Acceptée » and the person's SMS is in the outbox; a
 * helper of the receiving place links the referral to their record of the person and records an
 * activity for her, and the referral becomes « Honorée ». A second referral is refused with
 * reasons; a third is reminded, escalates to the Vénissieux coordinator and expires with the
 * clock moved forward. The dashboards, the XLSX export and the coordinators' indicators count
 * them. Every page passes axe-core (WCAG 2.1 AA) with one h1, reflows at 320 px and logs no error.
 */

const HELPER: Account = DEMO_ACCOUNTS[2];
const CONTACT = 'accueil@mfs-venissieux.example';
const RECEIVER: Account = {
  email: 'accueil-numerique@venissieux.example',
  totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
};
const VENISSIEUX_COORDINATOR = 'coordination@venissieux.example';
const DAY = 24 * 3600_000;
const DESKTOP = { width: 1280, height: 900 };

describeBrowser('referrals in a real browser (Chromium)', { timeout: 240_000 }, () => {
  let helper: Page;
  let contact: Page;
  const problems: string[] = [];
  let place = '';
  /** The three referrals: honoured, refused, expired. */
  const ids: string[] = [];
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
      await givenBeneficiary(relais, demoHelper, {
        prenom: 'Marc',
        nom: 'Dupont',
        telephone: '06 22 33 44 55',
      });
      await givenBeneficiary(relais, demoHelper, {
        prenom: 'Lucie',
        nom: 'Moreau',
        telephone: '06 33 44 55 66',
      });
      // A helper of the receiving place who uses Relais (the place's contact does not), and the
      // coordinator of Vénissieux that unanswered referrals escalate to.
      await givenHelper(relais, {
        collectivite: venissieux.id,
        places: [place],
        email: RECEIVER.email,
        totpSecret: RECEIVER.totpSecret,
        password: DEMO_PASSWORD,
      });
      await givenCoordinator(relais, { collectivite: venissieux.id, email: VENISSIEUX_COORDINATOR });
    },
  });
  const { goto } = harness;
  const db = () => harness.relais().db.db;

  const idIn = (url: string) => /\/orientations\/([0-9a-f-]{36})/.exec(url)![1]!;
  /** The answer link of the last mail to the place's contact, as a path. */
  const lastLink = async () => {
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', CONTACT)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return new URL(/http:\/\/[^\s]+\/orientations\/reponse\/[^\s]+/.exec(mail.body ?? '')![0]).pathname;
  };
  /** The demo helper refers one of their people to the place, through the form; returns its id. */
  const refer = async (person: string, phone: string, motif: string) => {
    await goto(helper, `/orientations/nouvelle?lieu=${place}`);
    await helper.getByLabel('Personne orientée').selectOption({ label: person });
    await helper.getByLabel('Service').selectOption('Aide aux démarches administratives');
    await helper.getByLabel('Par téléphone').first().check();
    await helper.getByLabel('Téléphone de la personne').fill(phone);
    await helper.getByLabel('Motif de l’orientation').fill(motif);
    await helper.getByLabel('Par téléphone').last().check();
    await helper.getByLabel('La personne a donné son accord, je l’enregistre à mon nom').check();
    await helper.getByRole('button', { name: 'Envoyer l’orientation' }).click();
    await helper.waitForURL(/\/orientations\/[0-9a-f-]{36}\?ok=envoyee$/);
    return idIn(helper.url());
  };

  before(async () => {
    helper = await harness.newPage({ as: HELPER, bypassCSP: true, viewport: DESKTOP });
    contact = await harness.newPage({ bypassCSP: true, viewport: DESKTOP });
    // A download counts as an aborted load, which is no failure.
    for (const page of [helper, contact])
      await watchProblems(page, {
        into: problems,
        ignore: (problem) => problem.kind === 'failed' && /\/orientations\/export\.xlsx/.test(problem.url),
      });
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
    ids.push(idIn(helper.url()));
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

  test('a helper of the receiving place links their record and records an activity: « Honorée »', async () => {
    const receiver = await harness.newPage({ as: RECEIVER, bypassCSP: true, viewport: DESKTOP });
    await watchProblems(receiver, { into: problems });
    await goto(receiver, '/orientations/recues');
    await receiver.getByRole('link', { name: /Yasmine Belkacem/ }).click();
    await receiver.waitForURL(`**/orientations/recues/${ids[0]}`);
    await receiver
      .getByLabel('Fiche de la personne')
      .selectOption({ label: 'Créer sa fiche à partir de l’orientation' });
    await receiver.getByRole('button', { name: 'Relier' }).click();
    await receiver.getByRole('link', { name: 'enregistrez son accompagnement' }).click();
    await receiver.waitForURL('**/activites/nouveau?beneficiaire=*');
    // The report is for her: the person is chosen already.
    assert.ok(await receiver.locator('#participant-existant').isChecked());
    assert.match(await receiver.getByLabel('Personne', { exact: true }).inputValue(), /^[0-9a-f-]{36}$/);
    await receiver.getByLabel('30 min', { exact: true }).check();
    await receiver.locator('#canal-lieu_activite').check();
    await receiver.getByLabel('Ordinateur', { exact: true }).check();
    await receiver.getByLabel('Gérer ses contenus numériques', { exact: true }).check();
    await receiver.getByRole('button', { name: 'Enregistrer' }).click();
    await receiver.waitForURL(/\/activites\/[0-9a-f-]{36}\?ok=enregistre$/);

    await goto(helper, `/orientations/${ids[0]}`);
    await helper.getByText('Honorée', { exact: true }).first().waitFor();
    await helper.getByText('oui : le lieu a enregistré son accompagnement').waitFor();
    await assertAccessible(helper, 'honoured referral');
    await receiver.close();
  });

  test('a second referral is refused with reasons through the link', async () => {
    ids.push(await refer('Marc Dupont', '06 22 33 44 55', 'Trouver une formation au numérique.'));
    await goto(contact, await lastLink());
    await contact.getByRole('heading', { level: 1, name: 'Orientation de Marc D.' }).waitFor();
    await contact.getByLabel('Plus de place disponible').check();
    await contact.getByLabel('Pas intéressée').check();
    await contact
      .getByLabel('Message à la personne qui a orienté', { exact: true })
      .fill('Complet jusqu’en mars.');
    await contact.getByRole('button', { name: 'Refuser l’orientation' }).click();
    await contact.waitForURL('**?ok=refusee');
    await assertAccessible(contact, 'refused referral (link)');
    await goto(helper, `/orientations/${ids[1]}`);
    await helper.getByText('Refusée', { exact: true }).first().waitFor();
    await helper.getByText('Plus de place disponible', { exact: false }).first().waitFor();
  });

  test('a third is reminded, escalates to the coordinator, then expires with the clock moved forward', async () => {
    ids.push(await refer('Lucie Moreau', '06 33 44 55 66', 'Créer son espace France Travail.'));
    const sentAt = (
      await db()
        .selectFrom('orientation')
        .select('created_at')
        .where('id', '=', ids[2]!)
        .executeTakeFirstOrThrow()
    ).created_at.getTime();
    const at = (days: number) => runReferralTimers(db(), testConfig, new Date(sentAt + days * DAY + 60_000));
    assert.equal((await at(10)).relances, 1);
    const alerted = await at(20);
    assert.deepEqual([alerted.relances, alerted.alertes], [1, 1]);
    const alert = await db()
      .selectFrom('mail_outbox')
      .select('subject')
      .where('recipient', '=', VENISSIEUX_COORDINATOR)
      .executeTakeFirstOrThrow();
    assert.match(alert.subject, /Orientation sans réponse/);
    assert.equal((await at(30)).expirees, 1);
    await goto(helper, `/orientations/${ids[2]}`);
    await helper.getByText('Expirée', { exact: true }).first().waitFor();
    // The place's latest link no longer offers an answer.
    await goto(contact, await lastLink());
    assert.equal(await contact.getByRole('button', { name: 'Accepter l’orientation' }).count(), 0);
  });

  test('the dashboards and the XLSX export count the three', async () => {
    await goto(helper, '/orientations');
    await helper.getByText('0 en cours').waitFor();
    await helper.getByText('3 envoyées').waitFor();
    const [download] = await Promise.all([
      helper.waitForEvent('download'),
      helper.getByRole('link', { name: 'Télécharger ces orientations (tableur XLSX)' }).click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const rows: unknown[][] = [];
    workbook.worksheets[0]!.eachRow((row) => {
      rows.push((row.values as unknown[]).slice(1));
    });
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => [r[1], r[2]])
        .sort(),
      [
        ['Expirée', 'Lucie Moreau'],
        ['Honorée', 'Yasmine Belkacem'],
        ['Refusée', 'Marc Dupont'],
      ],
    );
    assert.match(String(rows.find((r) => r[1] === 'Refusée')![7]), /Plus de place disponible/);
    const receiver = await harness.newPage({ as: RECEIVER, bypassCSP: true, viewport: DESKTOP });
    await goto(receiver, '/orientations/recues');
    await receiver.getByText('0 à traiter').waitFor();
    await receiver.getByText('3 reçues').waitFor();
    await receiver.close();
  });

  test('a month later, the coordinators’ indicators count them (with counts rounded to 5)', async () => {
    // The indicators read whole past months: the three move to last month, beside two more of
    // each outcome, so that each state's 3 rounds to 5 only because the three are counted.
    await sql`update orientation set created_at = created_at - interval '1 month',
        answered_at = answered_at - interval '1 month', closed_at = closed_at - interval '1 month'
      where id = any(${ids}::uuid[])`.execute(db());
    const model = await db().selectFrom('orientation').selectAll().where('id', 'in', ids).execute();
    const copies = model.flatMap((r) =>
      [1, 2].map(() => {
        const { id: _id, ...rest } = r;
        return { ...rest, duplicate_of: null };
      }),
    );
    await db()
      .insertInto('orientation')
      .values(copies as never)
      .execute();
    const coordinator = await harness.newPage({ as: DEMO_ACCOUNTS[1], bypassCSP: true, viewport: DESKTOP });
    await watchProblems(coordinator, { into: problems });
    await goto(coordinator, '/orientations/statistiques');
    const cell = (row: string) =>
      coordinator
        .locator('tr', { has: coordinator.getByRole('rowheader', { name: row, exact: true }) })
        .getByRole('cell')
        .first();
    for (const state of ['Honorée', 'Refusée', 'Expirée'])
      assert.equal(await cell(state).textContent(), '5', state);
    assert.equal(await cell('Aide aux démarches administratives').textContent(), '10');
    assert.equal(await cell('Plus de place disponible').textContent(), '5');
    await coordinator.getByText('Taux d’acceptation : 50 %').waitFor();
    await coordinator
      .getByText('Personnes reçues parmi les orientations acceptées et closes : 100 %')
      .waitFor();
    await coordinator.getByRole('rowheader', { name: 'Maison France Services des Minguettes' }).waitFor();
    await assertAccessible(coordinator, 'referral statistics with figures');
    await coordinator.screenshot({ path: '/tmp/orientation-indicateurs.png', fullPage: true });
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
