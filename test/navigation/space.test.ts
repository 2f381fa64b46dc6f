import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { modules } from '../../src/modules/index.ts';
import { proposePlaces } from '../../src/modules/mediateurs/place-approval.ts';
import type { RelaisModule } from '../../src/platform/module.ts';
import { Client, createTestApp, h1, type TestApp } from '../helpers/app.ts';
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
  type TestHelper,
} from '../helpers/builders.ts';

/**
 * `/espace` is each role's home: blocks that say where the person stands and what to do next
 * (each module says what it shows whom), read here through HTTP as each role would.
 */

/** A job that always fails, so that the administrator's home has something to say. */
const failing: RelaisModule = {
  name: 'essai',
  jobs: [
    {
      name: 'essai.panne',
      label: 'Tâche d’essai toujours en panne',
      schedule: '0 4 * * *',
      run: () => Promise.reject(new Error('panne voulue')),
    },
  ],
};

/** The block with this heading, as HTML (from its heading to the end of its section). */
function block(html: string, title: string): string | undefined {
  const start = html.indexOf(`>${title}</h2>`);
  if (start < 0) return undefined;
  return html.slice(start, html.indexOf('</section>', start));
}

/** The text of an HTML fragment, tags left out. */
const text = (html: string | undefined) => (html ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('each role’s home (/espace)', () => {
  let t: TestApp;
  let helper: TestHelper;
  let newcomer: TestHelper;
  let habilitated: TestHelper;
  let coordinator: Account;
  let otherCoordinator: Account;
  let admin: Account;
  let trainer: Account;

  const spaceOf = async (account: Account) => {
    const client = new Client(t.app);
    const signedIn = await client.signIn(account.email, account.password, account.totpSecret);
    assert.equal(signedIn.statusCode, 303);
    const page = await client.get('/espace');
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Mon espace');
    return page.body;
  };

  before(async () => {
    t = await createTestApp({ modules: [...modules, failing] });
    const villeurbanne = await givenCollectivite(t);
    const venissieux = await givenCollectivite(t);
    helper = await givenHelper(t, { collectivite: villeurbanne, places: 1 });
    const person = await givenBeneficiary(t, helper);
    await givenActivity(t, helper, { beneficiaires: [person] });
    await givenActivity(t, helper);
    habilitated = await givenHelper(t, { collectivite: villeurbanne, places: 1 });
    await givenMandate(t, habilitated);
    // A helper of Vénissieux whose only place waits for approval.
    newcomer = await givenHelper(t, { collectivite: venissieux });
    const place = await givenPlace(t, { collectivite: venissieux });
    const proposed = await proposePlaces(t.db.db, newcomer, [place]);
    assert.ok(proposed.ok);
    coordinator = await givenCoordinator(t, { collectivite: venissieux });
    otherCoordinator = await givenCoordinator(t, { collectivite: villeurbanne });
    admin = await givenAdmin(t);
    trainer = await givenAccount(t, {
      memberships: [{ role: 'formateur', collectiviteId: villeurbanne.id }],
    });
  });
  after(() => t?.close());

  test('a helper sees today’s reports, « Nouveau compte rendu » and their people first', async () => {
    const html = await spaceOf(helper);
    const reports = block(html, 'Mes comptes rendus d’activité');
    assert.match(text(reports), /2 comptes rendus aujourd’hui/);
    assert.match(text(reports), /2 comptes rendus ce mois-ci/);
    assert.match(reports ?? '', /<a class="button" href="\/activites\/nouveau">Nouveau compte rendu<\/a>/);
    assert.match(text(block(html, 'Les personnes que j’accompagne')), /1 personne suivie/);
    assert.match(html, /href="\/statistiques">Mes statistiques</);
    assert.ok(
      html.indexOf('Mes comptes rendus d’activité') < html.indexOf('Les personnes que j’accompagne'),
      'the reports come first',
    );
  });

  test('a helper not habilitated is told how to become one, with no link to the mandates', async () => {
    const html = await spaceOf(helper);
    assert.match(text(block(html, 'Mes mandats')), /il faut être habilité/);
    assert.doesNotMatch(html, /href="\/mandats/);
  });

  test('a person’s record offers their mandates only to a helper habilitated to use them', async () => {
    for (const [who, offered] of [
      [helper, false],
      [habilitated, true],
    ] as const) {
      const person = await givenBeneficiary(t, who, { prenom: 'Marcel', nom: 'Dupont' });
      const client = new Client(t.app);
      await client.signIn(who.email, who.password, who.totpSecret);
      const record = await client.get(`/beneficiaires/${person}`);
      assert.equal(record.statusCode, 200);
      const links = [`/mandats?beneficiaire=${person}`, `/mandats/nouveau?beneficiaire=${person}`];
      for (const link of links) {
        assert.equal(record.body.includes(`href="${link}"`), offered, `${link} offered: ${offered}`);
        if (offered) assert.equal((await client.get(link)).statusCode, 200, link);
      }
    }
  });

  test('a habilitated helper sees their mandates and may create one', async () => {
    const html = await spaceOf(habilitated);
    const mandates = block(html, 'Mes mandats');
    assert.match(text(mandates), /1 mandat actif/);
    assert.match(mandates ?? '', /href="\/mandats"/);
    assert.match(mandates ?? '', /href="\/mandats\/nouveau"/);
  });

  test('a helper whose places wait for approval is sent to choose them, not to a report form', async () => {
    const html = await spaceOf(newcomer);
    const reports = block(html, 'Mes comptes rendus d’activité');
    assert.match(text(reports), /choisissez d’abord vos lieux d’activité/);
    assert.match(reports ?? '', /href="\/activites\/lieux"/);
    assert.doesNotMatch(reports ?? '', /\/activites\/nouveau/);
  });

  test('a coordinator sees the places and helpers awaiting them, and their collectivité’s statistics', async () => {
    const html = await spaceOf(coordinator);
    const approvals = text(block(html, 'Lieux d’activité des médiateurs'));
    assert.match(approvals, /1 lieu d’activité attend votre approbation/);
    assert.match(approvals, /1 médiateur attend son premier lieu approuvé/);
    assert.match(html, /<a class="button" href="\/admin\/lieux-activite">/);
    assert.match(text(block(html, 'Habilitation aux mandats')), /1 médiateur n’est pas habilité/);
    const statistics = text(block(html, 'Statistiques'));
    assert.match(statistics, /Vénissieux, en \S+ \d{4} : 0 accompagnement, 0 personne/);
    assert.match(statistics, /Statistiques de Vénissieux/);
    const places = block(html, 'Lieux de médiation numérique');
    assert.match(text(places), /1 lieu publié/);
    assert.match(places ?? '', /href="\/admin\/lieux\/import">Importer des lieux/);
    assert.equal(block(html, 'Mes comptes rendus d’activité'), undefined, 'no helper block');
    assert.equal(block(html, 'Tâches planifiées'), undefined, 'no administrator block');
  });

  test('a coordinator counts only their own collectivité’s helpers', async () => {
    const html = await spaceOf(otherCoordinator);
    assert.match(
      text(block(html, 'Lieux d’activité des médiateurs')),
      /Aucun lieu d’activité n’attend votre approbation/,
    );
    // Villeurbanne's helpers: one habilitated, one not.
    assert.match(text(block(html, 'Habilitation aux mandats')), /1 médiateur n’est pas habilité/);
    assert.match(text(block(html, 'Statistiques')), /Statistiques de Villeurbanne/);
    assert.doesNotMatch(html, /Vénissieux/);
  });

  test('an administrator sees the failing jobs, the journal’s seal and every administration page', async () => {
    const client = new Client(t.app);
    await client.signIn(admin.email, admin.password, admin.totpSecret);
    let html = (await client.get('/espace')).body;
    assert.match(text(block(html, 'Tâches planifiées')), /Aucune tâche en échec/);
    await client.get('/admin/taches');
    assert.equal((await client.post('/admin/taches/lancer', { tache: 'essai.panne' })).statusCode, 303);

    html = (await client.get('/espace')).body;
    const jobs = text(block(html, 'Tâches planifiées'));
    assert.match(jobs, /Une tâche a échoué à sa dernière exécution : Tâche d’essai toujours en panne/);
    const journal = text(block(html, 'Journal d’audit'));
    assert.match(journal, /Les entrées ne sont pas signées/);
    assert.match(text(block(html, 'Indice de fragilité numérique')), /Aucun millésime importé/);
    assert.match(
      text(block(html, 'Données ouvertes')),
      /Lieux de médiation numérique : pas encore disponible/,
    );
    assert.match(text(block(html, 'Courriels')), /aucun serveur SMTP n’est configuré/i);
    // Three places in all, whatever their collectivité.
    assert.match(text(block(html, 'Lieux de médiation numérique')), /3 lieux publiés/);
    for (const page of [
      '/admin/taches',
      '/admin/journal',
      '/admin/observatoire/ifn',
      '/admin/territoire',
      '/admin/personnes',
      '/admin/lieux',
      '/admin/lieux/import',
      '/admin/lieux-activite',
      '/admin/habilitations',
      '/admin/courriels',
      '/statistiques/opsn',
      '/donnees',
    ])
      assert.match(html, new RegExp(`href="${page}"`), page);
    assert.equal(block(html, 'Mes comptes rendus d’activité'), undefined, 'an administrator is no helper');
  });

  test('a trainer finds the sessions they run, and nothing of the helpers’ or coordinators’ tools', async () => {
    const html = await spaceOf(trainer);
    const own = block(html, 'Sessions que j’anime');
    assert.ok(own, 'the trainer’s block');
    assert.match(own, /<a href="\/formations\/gestion">/);
    assert.doesNotMatch(html, /Relais n’a pas encore d’outil pour vos rôles/);
    assert.doesNotMatch(html, /Formations de mon équipe|Mes formations/);
  });
});
