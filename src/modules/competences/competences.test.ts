import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import {
  givenBeneficiary,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  givenPlace,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { givenResource, givenWorkshop } from '../../../test/helpers/offers.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { diagnosticsDataset, lastWholeMonth } from './observatory.ts';
import { CURRENT } from './questionnaire.ts';
import { score } from './scoring.ts';
import { answersAt } from './seed.ts';
import { countDiagnosis } from './service.ts';

/**
 * Digital skills through HTTP: the public questionnaire one page at a time (answers carried by
 * the pages and checked again on each), its result with Vénissieux places, a result sent by
 * email, a helper's two diagnoses of one person and their progress, the observatory and its
 * dataset. Attacks first: answers outside the choices, a skipped question, a tampered version
 * or carried answer, an unknown commune, another collectivité's person.
 */
describe('competences', () => {
  let t: TestApp;
  let helper: TestHelper;
  let otherHelper: TestHelper;
  let person = '';
  let place = '';
  const db = () => t.db.db;

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const venissieux = await givenCollectivite(t, { code: '69259' });
    place = await givenPlace(t, {
      collectivite: venissieux,
      nom: 'Médiathèque Lucie Aubrac',
      commune: 'Vénissieux',
      code_postal: '69200',
      code_insee: '69259',
      latitude: 45.6975,
      longitude: 4.8867,
      services: ['Maîtrise des outils numériques du quotidien', 'Utilisation sécurisée du numérique'],
    });
    helper = await givenHelper(t, { collectivite: venissieux, places: [place] });
    otherHelper = await givenHelper(t, { collectivite: villeurbanne, places: 1 });
    person = await givenBeneficiary(t, helper, { prenom: 'Nadia', nom: 'Haddad', commune_insee: '69259' });
  });
  after(() => t.close());

  const counted = async () =>
    Number(
      (
        await db()
          .selectFrom('diagnostic_mois')
          .select(sql<string>`coalesce(sum(n), 0)`.as('n'))
          .where('indicator', '=', 'total')
          .executeTakeFirstOrThrow()
      ).n,
    );
  const stored = async () =>
    Number(
      (await db().selectFrom('diagnostic').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n,
    );

  /** The hidden fields of a page's form, as the browser would send them back. */
  const hiddenOf = (html: string): Record<string, string> =>
    Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)]
        .filter((m) => m[1] !== '_csrf')
        .map((m) => [m[1] as string, (m[2] as string).replaceAll('&amp;', '&')]),
    );
  const questionOf = (html: string) => hiddenOf(html).question;

  /** Answers every question of a form at `action`: `answer(id)` gives the values; returns the last response. */
  async function answerAll(
    client: Client,
    action: string,
    first: string,
    answer: (id: string) => string | string[],
  ) {
    let page = first;
    for (let i = 0; i < 40; i++) {
      const id = questionOf(page);
      if (!id || id === 'commune') break;
      const res = await client.post(action, { ...hiddenOf(page), reponse: answer(id) });
      if (res.statusCode !== 200) return res;
      page = res.body;
    }
    return { statusCode: 200, body: page, headers: {} as Record<string, string> };
  }

  const helped = (id: string) =>
    id === 'equipement'
      ? ['smartphone']
      : id === 'connexion'
        ? ['donnees_mobiles']
        : id === 'autonomie'
          ? 'partiellement_autonome'
          : id === 'confiance'
            ? '1'
            : id === 'urgence'
              ? 'social'
              : '1';

  test('attacks: an answer outside the choices, a skipped question, a tampered version or answer change nothing', async () => {
    const client = new Client(t.app);
    const start = await client.get('/competences/diagnostic');
    assert.equal(start.statusCode, 200);
    assert.equal(questionOf(start.body), 'equipement');
    const before = await counted();

    const outside = await client.post('/competences/diagnostic', {
      ...hiddenOf(start.body),
      reponse: 'console',
    });
    assert.equal(outside.statusCode, 400);
    assert.match(outside.body, /n’est pas dans la liste/);
    assert.equal(questionOf(outside.body), 'equipement');

    const skipped = await client.post('/competences/diagnostic', hiddenOf(start.body));
    assert.equal(skipped.statusCode, 400);
    assert.match(skipped.body, /Cochez au moins une réponse/);
    assert.match(skipped.body, /href="#champ-reponse"/);

    const both = await client.post('/competences/diagnostic', {
      ...hiddenOf(start.body),
      reponse: ['aucun', 'tablette'],
    });
    assert.equal(both.statusCode, 400);

    const version = await client.post('/competences/diagnostic', {
      ...hiddenOf(start.body),
      version: 'v0',
      reponse: 'smartphone',
    });
    assert.equal(version.statusCode, 400);
    assert.match(version.body, /Ce questionnaire n’existe pas ou a changé/);

    const tampered = await client.post('/competences/diagnostic', {
      version: 'v1',
      r_equipement: 'smartphone',
      r_connexion: 'wifi-du-voisin',
      question: 'c1_1',
      reponse: '2',
    });
    assert.equal(tampered.statusCode, 400);
    assert.match(tampered.body, /Rien n’a été enregistré/);

    // A question jumped to by hand: sent back to the one expected.
    const jumped = await client.post('/competences/diagnostic', {
      version: 'v1',
      r_equipement: 'smartphone',
      question: 'urgence',
      reponse: 'logement',
    });
    assert.equal(jumped.statusCode, 400);
    assert.equal(questionOf(jumped.body), 'connexion');
    assert.match(jumped.body, /Répondez d’abord à cette question/);

    // A result asked for with unfinished answers.
    const early = await client.post('/competences/diagnostic', {
      version: 'v1',
      r_equipement: 'smartphone',
      question: 'commune',
      commune: '69259',
    });
    assert.equal(early.statusCode, 400);

    const last = await answerAll(client, '/competences/diagnostic', start.body, helped);
    const unknown = await client.post('/competences/diagnostic', {
      ...hiddenOf(last.body),
      commune: 'Vénissieux-sur-Mer',
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /n’est pas une commune connue/);
    assert.equal(await counted(), before);
    assert.equal(await stored(), 0);
  });

  test('a person alone: one question per page with its progress, back, and a result naming Vénissieux places', async () => {
    const client = new Client(t.app);
    const intro = await client.get('/competences');
    assert.equal(h1(intro.body), 'Faire le point sur mes compétences numériques');
    await assertValidHtml(intro.body, 'intro');
    const start = await client.get('/competences/diagnostic');
    assert.match(start.body, /Question 1 sur \d+/);
    await assertValidHtml(start.body, 'first question');
    const second = await client.post('/competences/diagnostic', {
      ...hiddenOf(start.body),
      reponse: 'smartphone',
    });
    assert.equal(questionOf(second.body), 'connexion');
    assert.match(second.body, /Question 2 sur/);
    const back = await client.post('/competences/diagnostic', { ...hiddenOf(second.body), retour: 'oui' });
    assert.equal(questionOf(back.body), 'equipement');
    assert.match(back.body, /value="smartphone" checked/);

    const before = await counted();
    const last = await answerAll(client, '/competences/diagnostic', start.body, helped);
    assert.equal(questionOf(last.body), 'commune');
    const final: Record<string, string> = { ...hiddenOf(last.body), commune: '69200' };
    assert.match(final.passage ?? '', /^[0-9a-f-]{36}$/, 'the last form carries the id of this pass');
    const result = await client.post('/competences/diagnostic', final);
    assert.equal(result.statusCode, 200, result.body.slice(0, 2000));
    const reloaded = await client.post('/competences/diagnostic', final);
    assert.equal(h1(reloaded.body), 'Votre résultat', 'a reload shows the result again');
    assert.equal(h1(result.body), 'Votre résultat');
    assert.match(result.body, /Médiathèque Lucie Aubrac/);
    assert.match(result.body, /Les Bons Clics/);
    assert.match(result.body, /DigComp/);
    await assertValidHtml(result.body, 'result');
    assert.equal(result.headers['cache-control'], 'no-store');
    // Counted once in its month and commune, the reload included; nothing personal kept.
    assert.equal(await counted(), before + 1);
    const row = await db()
      .selectFrom('diagnostic_mois')
      .select('commune_insee')
      .where('indicator', '=', 'total')
      .executeTakeFirstOrThrow();
    assert.equal(row.commune_insee, '69259');
    assert.equal(await stored(), 0);

    // Sent by email: the outbox has it, the journal says how, never to whom.
    const bad = await client.post('/competences/resultat/envoi', {
      ...hiddenOf(result.body),
      destinataire: 'pas une adresse',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Saisissez une adresse e-mail/);
    const sent = await client.post('/competences/resultat/envoi', {
      ...hiddenOf(result.body),
      destinataire: 'nadia@exemple.fr',
    });
    assert.equal(sent.statusCode, 200);
    assert.match(sent.body, /Votre résultat est envoyé par courriel/);
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', 'nadia@exemple.fr')
      .executeTakeFirstOrThrow();
    assert.match(mail.body ?? '', /Médiathèque Lucie Aubrac/);
    const journal = await db()
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'skill.send')
      .executeTakeFirstOrThrow();
    assert.doesNotMatch(JSON.stringify(journal.details), /nadia/);
    assert.equal(await counted(), before + 1, 'sending does not count again');
  });

  test('the result offers a workshop to book near the person and resources of the library on the competences to work on, never one that is not open to all', async () => {
    const coordinator = await givenCoordinator(t, { collectivite: helper.collectiviteId });
    const open = await givenWorkshop(t, helper, place, { nom: 'Atelier smartphone' });
    await givenWorkshop(t, helper, place, {
      nom: 'Atelier réservé aux agents',
      reservable_par: 'agents',
      hours: [10 * 60, 12 * 60],
    });
    const resource = (titre: string, visibilite: 'publique' | 'reseau', publish: boolean) =>
      givenResource(t, coordinator.actor, {
        titre,
        resume: 'Repérer un faux message de la banque ou de l’Assurance maladie. Et réagir.',
        visibilite,
        competences: ['4.1'],
        publish,
      });
    await resource('Reconnaître un message frauduleux', 'publique', true);
    await resource('Fiche réservée au réseau', 'reseau', true);
    await resource('Brouillon sur les arnaques', 'publique', false);

    const resultFor = async (answer: (id: string) => string | string[]) => {
      const client = new Client(t.app);
      const start = await client.get('/competences/diagnostic');
      const last = await answerAll(client, '/competences/diagnostic', start.body, answer);
      const result = await client.post('/competences/diagnostic', {
        ...hiddenOf(last.body),
        commune: '69200',
      });
      assert.equal(result.statusCode, 200, result.body.slice(0, 2000));
      return { client, result };
    };
    const { client, result } = await resultFor(helped);
    assert.match(result.body, /Un atelier près de chez vous/);
    assert.match(result.body, new RegExp(`href="/rendezvous/lieux/${place}/motifs/${open}"`));
    assert.match(
      result.body,
      /Médiathèque Lucie Aubrac, Vénissieux : prochaine séance le \d+ \S+ \d{4} à 14:00 \(8 places libres\)/,
    );
    assert.match(result.body, />Reconnaître un message frauduleux</);
    assert.match(result.body, /Repérer un faux message de la banque ou de l’Assurance maladie\./);
    assert.doesNotMatch(
      result.body,
      /Atelier réservé aux agents|Fiche réservée au réseau|Brouillon sur les arnaques/,
    );
    await assertValidHtml(result.body, 'result with workshops and resources');
    // The page's links lead somewhere anyone may go.
    const booking = await client.get(`/rendezvous/lieux/${place}/motifs/${open}`);
    assert.equal(booking.statusCode, 200);
    // The result sent by email carries them too, with full addresses.
    const sent = await client.post('/competences/resultat/envoi', {
      ...hiddenOf(result.body),
      destinataire: 'ateliers@exemple.fr',
    });
    assert.equal(sent.statusCode, 200);
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', 'ateliers@exemple.fr')
      .executeTakeFirstOrThrow();
    assert.match(
      mail.body ?? '',
      /Atelier smartphone : Médiathèque Lucie Aubrac, Vénissieux : prochaine séance .* https?:\/\/[^ ]+\/rendezvous\/lieux\//,
    );
    assert.match(mail.body ?? '', /Reconnaître un message frauduleux : .* https?:\/\/[^ ]+\/ressources\//);
    assert.doesNotMatch(mail.body ?? '', / \/lieux$/m, 'no link without its address');

    // Someone at ease everywhere is offered neither: nothing to work on.
    const expert = await resultFor((id) => (/^c\d/.test(id) ? '3' : helped(id)));
    assert.doesNotMatch(expert.result.body, /Atelier smartphone|Reconnaître un message frauduleux/);
  });

  test('another collectivité’s helper cannot see nor record the person, and nothing is stored', async () => {
    const other = new Client(t.app);
    await other.signIn(otherHelper.email, otherHelper.password, otherHelper.totpSecret);
    assert.equal((await other.get(`/competences/personnes/${person}`)).statusCode, 404);
    assert.equal((await other.get(`/competences/personnes/${person}/diagnostics.csv`)).statusCode, 404);
    assert.equal((await other.get(`/competences/personnes/${person}/diagnostic`)).statusCode, 404);
    await other.get('/competences/personnes');
    const answers = answersAt(CURRENT, () => 2);
    const forged = Object.fromEntries(Object.entries(answers).map(([k, v]) => [`r_${k}`, v]));
    const res = await other.post(`/competences/personnes/${person}/diagnostic`, {
      ...forged,
      version: 'v1',
      mode: 'avec',
      accord: 'oui',
      question: 'commune',
    });
    assert.equal(res.statusCode, 404);
    assert.equal(await stored(), 0);
    const anonymous = new Client(t.app);
    await anonymous.get('/competences');
    assert.equal((await anonymous.get(`/competences/personnes/${person}`)).statusCode, 302);
  });

  test('a helper records two diagnoses of one person, with consent, and sees the progress', async () => {
    const client = new Client(t.app);
    await client.signIn(helper.email, helper.password, helper.totpSecret);
    const list = await client.get('/competences/personnes');
    assert.match(list.body, /Nadia Haddad/);
    const empty = await client.get(`/competences/personnes/${person}`);
    assert.match(empty.body, /Aucun diagnostic pour l’instant/);
    const action = `/competences/personnes/${person}/diagnostic`;
    const consent = await client.get(action);
    await assertValidHtml(consent.body, 'consent');
    const refused = await client.post(action, { mode: 'avec' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Sans l’accord de la personne/);

    for (const answer of [(id: string) => helped(id), (id: string) => (/^c\d/.test(id) ? '2' : helped(id))]) {
      const first = await client.post(action, { mode: 'avec', accord: 'oui' });
      assert.equal(first.statusCode, 200);
      const done = await answerAll(client, action, first.body, answer);
      assert.equal(
        done.statusCode,
        303,
        /<div class="error-summary".*?<\/div>/s.exec(done.body)?.[0] ?? done.body.slice(0, 500),
      );
      assert.equal(done.headers.location, `/competences/personnes/${person}?ok=enregistre`);
    }
    assert.equal(await stored(), 2);
    const page = await client.get(`/competences/personnes/${person}?ok=enregistre`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Le diagnostic est enregistré/);
    assert.match(page.body, /Progrès depuis le premier diagnostic/);
    assert.match(page.body, /<td class="num">\+1<\/td>/);
    assert.match(page.body, /Thèmes proposés pour le prochain accompagnement/);
    await assertValidHtml(page.body, 'person');
    // The next report opens for this person with the themes of the two weakest domains checked.
    const next = page.body.match(/href="(\/activites\/nouveau\?[^"]+)"/)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'a link to a new report');
    const report = await client.get(next);
    assert.equal(report.statusCode, 200);
    const checked = [...report.body.matchAll(/name="thematiques" value="([a-z_]+)"[^>]*checked/g)].map(
      (m) => m[1],
    );
    const proposed = new URL(next, 'http://x').searchParams.getAll('thematiques');
    assert.ok(proposed.length >= 2);
    assert.deepEqual(checked.sort(), [...proposed].sort());
    assert.match(report.body, new RegExp(`value="${person}"[^>]*(checked|selected)`));
    const forged = await client.get(`/activites/nouveau?thematiques=pas_un_theme&thematiques=${proposed[0]}`);
    assert.deepEqual(
      [...forged.body.matchAll(/name="thematiques" value="([a-z_]+)"[^>]*checked/g)].map((m) => m[1]),
      [proposed[0]],
      'an unknown theme is not carried into the form',
    );
    const csv = await client.get(`/competences/personnes/${person}/diagnostics.csv`);
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body.trim().split('\n').length, 3);
    const record = await client.get(`/beneficiaires/${person}`);
    assert.match(record.body, new RegExp(`href="/competences/personnes/${person}"`));
    const space = await client.get('/espace');
    assert.match(space.body, /2 diagnostics ce mois-ci/);

    const actions = await db()
      .selectFrom('audit_event')
      .select('action')
      .where('subject_id', '=', person)
      .where('action', 'like', 'skill.%')
      .execute();
    const n = (a: string) => actions.filter((x) => x.action === a).length;
    assert.equal(n('skill.record'), 2);
    assert.ok(n('skill.read') >= 2);
    assert.equal(n('skill.export'), 1);
    const listed = await db()
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'skill.list')
      .execute();
    assert.ok(listed.some((e) => JSON.stringify(e.details).includes(person)));
  });

  test('the observatory shows whole months by commune, rounded to 5, small counts masked; so does the dataset', async () => {
    const month = lastWholeMonth();
    const at = new Date(`${month}T12:00:00Z`);
    for (let i = 0; i < 12; i++)
      await countDiagnosis(
        db(),
        score(
          CURRENT,
          answersAt(CURRENT, () => (i % 2 ? 0 : 2)),
        ),
        '69266',
        at,
      );
    for (let i = 0; i < 2; i++)
      await countDiagnosis(
        db(),
        score(
          CURRENT,
          answersAt(CURRENT, () => 3),
        ),
        '69256',
        at,
      );
    const client = new Client(t.app);
    const page = await client.get(`/competences/observatoire?mois=${month.slice(0, 7)}`);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body, 'observatory');
    assert.match(page.body, /Villeurbanne \(69266\)<\/th><td class="num">10</);
    assert.match(page.body, /Vaulx-en-Velin \(69256\)<\/th><td class="num">moins de 5</);
    // This month is not published, whatever it holds.
    const current = parisToday().slice(0, 7);
    const refused = await client.get(`/competences/observatoire?mois=${current}`);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /seuls les mois terminés/);
    assert.equal((await client.get('/competences/observatoire?mois=2026-13')).statusCode, 400);
    const rows = await diagnosticsDataset.generate!(db());
    const villeurbanne = rows.find((r) => r.commune_insee === '69266' && r.mois === month.slice(0, 7));
    assert.equal(villeurbanne?.diagnostics, 10);
    assert.ok(!rows.some((r) => r.commune_insee === '69256'));
    assert.ok(rows.every((r) => Number(r.diagnostics) % 5 === 0));
  });
});
