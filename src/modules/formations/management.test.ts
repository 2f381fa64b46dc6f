import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import {
  type Account,
  givenAccount,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { runRelais } from '../../../test/helpers/cli.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { createToken } from '../../platform/auth/tokens.ts';
import { openDatabase } from '../../platform/db/database.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { runTrainingTimers } from './jobs.ts';

/**
 * What organisers change after creating, and who may follow a training: the audience of a
 * training (roles, or programmes a coordinator declares for their helpers) is enforced at
 * registration; trainings and sessions are edited by those who may (attacks first, nothing
 * changes on a refusal); the completion file of a training body is imported by the command line.
 */
describe('formations: audience, editing, completion import', () => {
  let t: TestApp;
  let coordinator: Account & { collectiviteId: number };
  let otherCoordinator: Account;
  let trainer: Account;
  let cnfs: TestHelper;
  let plain: TestHelper;
  let foreigner: TestHelper;
  const clients = new Map<string, Client>();
  let slug = '';
  let typeId = '';
  let sessionId = '';
  const DAY = 86_400_000;
  const day = (offset: number) => parisToday(new Date(Date.now() + offset * DAY));
  const db = () => t.db.db;
  const as = async (account: Account) => {
    let c = clients.get(account.email);
    if (!c) {
      c = new Client(t.app);
      const r = await c.signIn(account.email, account.password, account.totpSecret);
      assert.equal(r.statusCode, 303, `sign-in of ${account.email}`);
      clients.set(account.email, c);
    }
    return c;
  };
  const journal = async (action: string) =>
    (await db().selectFrom('audit_event').select('details').where('action', '=', action).execute()).length;
  const statusOf = async (helper: TestHelper) =>
    (
      await db()
        .selectFrom('formation_inscription')
        .select('status')
        .where('user_id', '=', helper.id)
        .where('session_id', '=', sessionId)
        .where('status', '<>', 'annule')
        .executeTakeFirst()
    )?.status;
  const halfDays = () =>
    db()
      .selectFrom('formation_demi_journee')
      .select(['id', 'starts_at', 'ends_at'])
      .where('session_id', '=', sessionId)
      .orderBy('starts_at')
      .execute();

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const venissieux = await givenCollectivite(t, { code: '69259' });
    coordinator = await givenCoordinator(t, { collectivite: villeurbanne });
    otherCoordinator = await givenCoordinator(t, { collectivite: venissieux });
    trainer = await givenAccount(t, {
      name: 'Fabien Formateur',
      memberships: [{ role: 'formateur', collectiviteId: villeurbanne.id }],
    });
    cnfs = await givenHelper(t, { collectivite: villeurbanne, name: 'Jeanne Martin' });
    plain = await givenHelper(t, { collectivite: villeurbanne, name: 'Paul Durand' });
    foreigner = await givenHelper(t, { collectivite: venissieux, name: 'Rémi Voisin' });
    const c = await as(coordinator);
    await c.get('/formations/gestion/catalogue/nouvelle');
    const created = await c.post('/formations/gestion/catalogue/nouvelle', {
      titre: 'Accompagner les démarches en ligne',
      objectifs: 'Accompagner sans faire à la place.',
      programme: 'Les démarches les plus demandées.',
      duree_heures: '7',
      modalite: 'presentiel',
      publics: ['conseiller_numerique'],
      options: ['certifiante'],
    });
    assert.equal(created.statusCode, 303, created.body);
    const type = await db().selectFrom('formation_type').select(['id', 'slug']).executeTakeFirstOrThrow();
    typeId = type.id;
    slug = type.slug;
    await c.get('/formations/gestion/sessions/nouvelle');
    const session = await c.post('/formations/gestion/sessions/nouvelle', {
      type_id: typeId,
      date_1: day(10),
      debut_1: '09:00',
      fin_1: '12:30',
      date_2: day(10),
      debut_2: '13:30',
      fin_2: '17:00',
      capacite: '5',
      lieu_libelle: 'Médiathèque, Villeurbanne',
      formateurs: [trainer.id],
    });
    assert.equal(session.statusCode, 303, session.body);
    sessionId = (await db().selectFrom('formation_session').select('id').executeTakeFirstOrThrow()).id;
  });
  after(() => t.close());

  test('a training for conseillers numériques refuses other helpers, whoever registers them', async () => {
    const self = await as(plain);
    await self.get(`/formations/sessions/${sessionId}`);
    const r = await self.post(`/formations/sessions/${sessionId}/inscription`, {});
    assert.equal(r.statusCode, 409);
    assert.match(
      r.body,
      /réservée aux publics suivants : Conseillers numériques\. Vous n’en faites pas partie/,
    );
    const c = await as(coordinator);
    await c.get(`/formations/sessions/${sessionId}`);
    const byCoordinator = await c.post(`/formations/sessions/${sessionId}/inscrire`, { personne: cnfs.id });
    assert.equal(byCoordinator.statusCode, 409);
    assert.match(byCoordinator.body, /Cette personne n’en fait pas partie/);
    assert.equal(await statusOf(plain), undefined);
    assert.equal(await statusOf(cnfs), undefined);
  });

  test('programmes: another collectivité’s coordinator and helpers cannot declare them; nothing changes', async () => {
    const other = await as(otherCoordinator);
    const page = await other.get('/formations/equipe/programmes');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Jeanne Martin/);
    const forged = await other.post('/formations/equipe/programmes', {
      personnes: [cnfs.id],
      [`programmes-${cnfs.id}`]: ['conseiller_numerique'],
    });
    assert.equal(forged.statusCode, 403);
    const helper = await as(cnfs);
    await helper.get('/formations/mes-inscriptions');
    const bySelf = await helper.post('/formations/equipe/programmes', {
      personnes: [cnfs.id],
      [`programmes-${cnfs.id}`]: ['conseiller_numerique'],
    });
    assert.equal(bySelf.statusCode, 403);
    const c = await as(coordinator);
    await c.get('/formations/equipe/programmes');
    const unknown = await c.post('/formations/equipe/programmes', {
      personnes: [cnfs.id],
      [`programmes-${cnfs.id}`]: ['astronaute'],
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /Cochez des programmes de la liste/);
    assert.equal((await db().selectFrom('formation_programme').selectAll().execute()).length, 0);
    assert.equal(await journal('training_programme.set'), 0);
  });

  test('the coordinator declares a conseiller numérique, who then registers', async () => {
    const c = await as(coordinator);
    const page = await c.get('/formations/equipe/programmes');
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body);
    assert.match(page.body, /Jeanne Martin/);
    assert.doesNotMatch(page.body, /Rémi Voisin/);
    const saved = await c.post('/formations/equipe/programmes', {
      personnes: [cnfs.id, plain.id],
      [`programmes-${cnfs.id}`]: ['conseiller_numerique', 'aidant_connect'],
    });
    assert.equal(saved.statusCode, 303);
    const again = await c.get('/formations/equipe/programmes?ok=programmes');
    assert.match(again.body, /Les programmes de l’équipe sont enregistrés/);
    assert.equal(await journal('training_programme.set'), 1, 'one person changed, one journal entry');
    const helper = await as(cnfs);
    await helper.get(`/formations/sessions/${sessionId}`);
    const r = await helper.post(`/formations/sessions/${sessionId}/inscription`, {});
    assert.equal(r.statusCode, 303);
    assert.equal(await statusOf(cnfs), 'inscrit');
  });

  test('editing a training: refused to a coordinator of another collectivité and for bad input; done by its owner', async () => {
    const url = `/formations/gestion/catalogue/${slug}/modifier`;
    const other = await as(otherCoordinator);
    assert.equal((await other.get(url)).statusCode, 403);
    await other.get('/formations/gestion/catalogue/nouvelle');
    const forged = await other.post(url, {
      titre: 'Piratée',
      objectifs: 'x',
      programme: 'x',
      duree_heures: '1',
      modalite: 'distanciel',
      publics: ['mediateur'],
    });
    assert.equal(forged.statusCode, 403);
    const helper = await as(plain);
    assert.equal((await helper.get(url)).statusCode, 403);
    const c = await as(coordinator);
    const form = await c.get(url);
    assert.equal(form.statusCode, 200);
    await assertValidHtml(form.body);
    assert.match(form.body, /value="Accompagner les démarches en ligne"/);
    const bad = await c.post(url, {
      titre: 'Accompagner les démarches en ligne (nouvelle version)',
      objectifs: 'Accompagner sans faire à la place.',
      programme: 'Les démarches.',
      duree_heures: '0',
      modalite: 'presentiel',
      publics: [],
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Cochez au moins un public/);
    assert.match(bad.body, /au moins une demi-heure/);
    const ok = await c.post(url, {
      titre: 'Accompagner les démarches en ligne (nouvelle version)',
      objectifs: 'Accompagner sans faire à la place.',
      programme: 'Les démarches les plus demandées.',
      duree_heures: '7',
      modalite: 'hybride',
      publics: ['conseiller_numerique'],
      options: ['certifiante'],
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `/formations/${slug}?ok=type_modifie`);
    const type = await db()
      .selectFrom('formation_type')
      .select(['titre', 'modalite', 'slug'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(type, {
      titre: 'Accompagner les démarches en ligne (nouvelle version)',
      modalite: 'hybride',
      slug,
    });
    assert.equal(await journal('training.update'), 1);
    const publicPage = await new Client(t.app).get(`/formations/${slug}`);
    assert.doesNotMatch(publicPage.body, /Modifier cette formation/);
  });

  test('editing a session: refused to another coordinator and to its trainer; bad half-days change nothing', async () => {
    const url = `/formations/gestion/sessions/${sessionId}/modifier`;
    const before = await halfDays();
    const change = {
      date_1: day(12),
      debut_1: '09:00',
      fin_1: '12:30',
      date_2: day(13),
      debut_2: '09:00',
      fin_2: '12:30',
      lieu_libelle: 'Maison des services, Villeurbanne',
      formateurs: [trainer.id],
    };
    const other = await as(otherCoordinator);
    assert.equal((await other.get(url)).statusCode, 403);
    await other.get('/formations/gestion/catalogue/nouvelle');
    assert.equal((await other.post(url, change)).statusCode, 403);
    const tr = await as(trainer);
    const trainerPage = await tr.get(url);
    assert.equal(trainerPage.statusCode, 403);
    assert.match(trainerPage.body, /Seuls les organisateurs de la session la modifient/);
    const c = await as(coordinator);
    const form = await c.get(url);
    assert.equal(form.statusCode, 200);
    await assertValidHtml(form.body);
    assert.match(form.body, new RegExp(`name="date_1"[^>]*value="${day(10)}"`));
    for (const [overrides, message] of [
      [{ debut_2: '11:00', date_2: day(12) }, /se chevauchent/],
      [{ debut_1: '12:30', fin_1: '09:00' }, /finit avant de commencer/],
      [
        { date_1: '', debut_1: '', fin_1: '', date_2: '', debut_2: '', fin_2: '' },
        /Ajoutez au moins une demi-journée/,
      ],
      [{ lieu_libelle: '' }, /Choisissez un lieu, décrivez-le/],
      [{ closes_at: day(20) }, /doivent fermer avant la première demi-journée/],
    ] as const) {
      const r = await c.post(url, { ...change, ...overrides });
      assert.equal(r.statusCode, 400, JSON.stringify(overrides));
      assert.match(r.body, message);
    }
    assert.deepEqual(await halfDays(), before);
    assert.equal(await journal('training_session.update'), 0);
  });

  test('the organiser moves the session: half-days keep their identity, the registered are told', async () => {
    const url = `/formations/gestion/sessions/${sessionId}/modifier`;
    const before = await halfDays();
    const c = await as(coordinator);
    await c.get(url);
    const r = await c.post(url, {
      date_1: day(12),
      debut_1: '09:00',
      fin_1: '12:30',
      date_2: day(13),
      debut_2: '09:00',
      fin_2: '12:30',
      lieu_libelle: 'Maison des services, Villeurbanne',
      formateurs: [trainer.id],
    });
    assert.equal(r.statusCode, 303, r.body);
    const after = await halfDays();
    assert.deepEqual(
      after.map((h) => h.id),
      before.map((h) => h.id),
    );
    assert.deepEqual(
      after.map((h) => parisToday(h.starts_at)),
      [day(12), day(13)],
    );
    const mail = await db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', cnfs.email)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.match(mail.subject, /^Session modifiée/);
    assert.match(mail.body ?? '', /Maison des services/);
    assert.equal(await journal('training_session.update'), 1);
  });

  test('the API: catalogue and sessions in public (no one’s name), registering with a helper’s token under the same rules', async () => {
    const get = (url: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url, headers });
    const post = (url: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url, headers, payload: '{}' });
    const bearer = async (h: TestHelper) => ({
      authorization: `Bearer ${await createToken(db(), h.id, 'intégration')}`,
      'content-type': 'application/json',
    });
    const types = await get('/api/v1/formations');
    assert.equal(types.statusCode, 200);
    assert.deepEqual(
      types.json().map((x: { slug: string; publics: string[] }) => [x.slug, x.publics]),
      [[slug, ['conseiller_numerique']]],
    );
    const sessions = await get(`/api/v1/formations/sessions?formation=${slug}`);
    assert.equal(sessions.statusCode, 200);
    const [s] = sessions.json();
    assert.equal(s.id, sessionId);
    assert.equal(s.demi_journees.length, 2);
    assert.equal(s.places_restantes, 4);
    assert.doesNotMatch(sessions.body, /Jeanne|Martin/);
    const url = `/api/v1/formations/sessions/${sessionId}/inscription`;
    assert.equal((await post(url, { 'content-type': 'application/json' })).statusCode, 401);
    const outside = await post(url, await bearer(plain));
    assert.equal(outside.statusCode, 409);
    assert.match(outside.json().message, /réservée aux publics suivants/);
    const twice = await post(url, await bearer(cnfs));
    assert.equal(twice.statusCode, 409);
    assert.match(twice.json().message, /déjà inscrit/);
    const unknown = await post(
      '/api/v1/formations/sessions/00000000-0000-0000-0000-000000000000/inscription',
      await bearer(cnfs),
    );
    assert.equal(unknown.statusCode, 404);
    const mine = await get('/api/v1/formations/inscriptions', await bearer(cnfs));
    assert.equal(mine.statusCode, 200);
    assert.deepEqual(
      mine.json().map((r: { session: string; statut: string }) => [r.session, r.statut]),
      [[sessionId, 'inscrit']],
    );
    assert.equal(
      (
        await db()
          .selectFrom('formation_inscription')
          .select('id')
          .where('session_id', '=', sessionId)
          .execute()
      ).length,
      1,
      'nothing registered by the refused calls',
    );
  });

  test('SMS reminders: a wrong mobile number is refused and nothing changes; the reminder goes by SMS; the number is erased after', async () => {
    const learner = await givenHelper(t, { collectivite: coordinator.collectiviteId, name: 'Sarah Texto' });
    const c = await as(coordinator);
    await c.get('/formations/equipe/programmes');
    const declared = await c.post('/formations/equipe/programmes', {
      personnes: [learner.id],
      [`programmes-${learner.id}`]: ['conseiller_numerique'],
    });
    assert.equal(declared.statusCode, 303);
    const h = await as(learner);
    const page = await h.get(`/formations/sessions/${sessionId}`);
    assert.match(page.body, /Mobile pour un rappel par SMS/);
    const wrong = await h.post(`/formations/sessions/${sessionId}/inscription`, { telephone: '12 34' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Saisissez un numéro de mobile français/);
    assert.match(wrong.body, /value="12 34"/);
    await assertValidHtml(wrong.body);
    assert.equal(await statusOf(learner), undefined);
    const r = await h.post(`/formations/sessions/${sessionId}/inscription`, { telephone: '06 12 34 56 78' });
    assert.equal(r.statusCode, 303);
    const phoneOf = async () =>
      (
        await db()
          .selectFrom('formation_inscription')
          .select('telephone_rappel')
          .where('user_id', '=', learner.id)
          .executeTakeFirstOrThrow()
      ).telephone_rappel;
    assert.equal(await phoneOf(), '+33612345678');
    const first = (await halfDays())[0]!.starts_at.getTime();
    await runTrainingTimers(db(), testConfig, new Date(first - 5 * DAY));
    const sms = await db().selectFrom('sms_outbox').select(['telephone', 'texte']).execute();
    assert.equal(sms.length, 1, 'only the learner who gave a number gets an SMS');
    assert.equal(sms[0]?.telephone, '+33612345678');
    assert.match(
      sms[0]?.texte ?? '',
      /^Rappel : formation « Accompagner les démarches en ligne.* » dans 7 jours/,
    );
    await runTrainingTimers(db(), testConfig, new Date(first - 5 * DAY));
    assert.equal((await db().selectFrom('sms_outbox').select('id').execute()).length, 1, 'sent once');
    const timers = await runTrainingTimers(db(), testConfig, new Date(first + 2 * DAY));
    assert.equal(timers['numéros de mobile effacés'], 1);
    assert.equal(await phoneOf(), null);
  });

  test('the completion file of a training body: attendance in one transaction, each rejected row with its reason, --strict all or nothing', async () => {
    // The session happened: its half-days are moved to the past.
    const days = await halfDays();
    const past = (n: number) => new Date(Date.now() - n * DAY);
    for (const [i, h] of days.entries())
      await db()
        .updateTable('formation_demi_journee')
        .set({ starts_at: past(3 - i), ends_at: new Date(past(3 - i).getTime() + 3 * 3_600_000) })
        .where('id', '=', h.id)
        .execute();
    const dir = mkdtempSync(path.join(tmpdir(), 'relais-completion-'));
    const file = path.join(dir, 'presences.csv');
    writeFileSync(
      file,
      [
        'courriel;nom;presence_1;presence_2',
        `${cnfs.email.toUpperCase()};Jeanne Martin;present;oui`,
        `${foreigner.email};Rémi Voisin;present;present`,
        'inconnu@example.org;Personne;present;absent',
        `${cnfs.email};Jeanne Martin;absent;absent`,
      ].join('\n'),
    );
    const pglite = t.db.pglite;
    const options = pglite ? { openDatabase: () => openDatabase({ pglite }) } : {};
    const run = (args: string[]) => runRelais(args, t.db.env, options);
    const presences = () => db().selectFrom('formation_presence').select(['present', 'source']).execute();

    const strict = await run(['import', 'presences-formation', file, '--session', sessionId, '--strict']);
    assert.notEqual(strict.code, 0);
    assert.match(strict.stdout, /rejetées : 3/);
    assert.match(strict.stdout, /Import strict \(--strict\) refusé/);
    assert.deepEqual(await presences(), []);

    const unknownSession = await run([
      'import',
      'presences-formation',
      file,
      '--session',
      '00000000-0000-0000-0000-000000000000',
    ]);
    assert.notEqual(unknownSession.code, 0);
    assert.match(unknownSession.stderr, /Aucune session de formation/);

    const r = await run(['import', 'presences-formation', file, '--session', sessionId]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /acceptées : 1/);
    assert.match(r.stdout, /ligne 3 \([^)]+\) : personne inscrite à cette session introuvable/);
    assert.match(
      r.stdout,
      /ligne 4 \(inconnu@example\.org\) : personne inscrite à cette session introuvable/,
    );
    assert.match(r.stdout, /ligne 5 \([^)]+\) : personne déjà présente plus haut dans le fichier/);
    assert.deepEqual(await presences(), [
      { present: true, source: 'import' },
      { present: true, source: 'import' },
    ]);
    assert.equal(await journal('training_completion.import'), 1);
    // The certificate follows the imported attendance.
    const tr = await as(trainer);
    await tr.get(`/formations/gestion/sessions/${sessionId}`);
    const issued = await tr.post(`/formations/gestion/sessions/${sessionId}/attestations`, {});
    assert.equal(issued.statusCode, 303);
    assert.match(issued.headers.location as string, /n=1$/);
  });

  test('once attendance is recorded, the half-days no longer change', async () => {
    const url = `/formations/gestion/sessions/${sessionId}/modifier`;
    const c = await as(coordinator);
    await c.get(url);
    const r = await c.post(url, {
      date_1: day(20),
      debut_1: '09:00',
      fin_1: '12:30',
      lieu_libelle: 'Maison des services, Villeurbanne',
      formateurs: [trainer.id],
    });
    assert.equal(r.statusCode, 409);
    assert.match(r.body, /Des présences sont déjà enregistrées/);
    assert.equal((await halfDays()).length, 2);
  });

  test('figures per collectivité: exact for the team, masked under 5 people for another collectivité’s coordinator', async () => {
    const other = await as(otherCoordinator);
    const masked = await other.get('/formations/equipe');
    assert.equal(masked.statusCode, 200);
    assert.match(masked.body, /Masqué \(moins de 5 personnes\)/);
    const c = await as(coordinator);
    const own = await c.get('/formations/equipe');
    await assertValidHtml(own.body);
    assert.doesNotMatch(own.body, /Masqué/);
    assert.match(own.body, /<td>1<\/td><td>6<\/td>/, 'one helper trained, 6 hours attended');
  });

  test('the questionnaire is aggregated per training for those who run a session, from 5 answers', async () => {
    const tr = await as(trainer);
    const before = await tr.get(`/formations/gestion/sessions/${sessionId}`);
    assert.match(before.body, /Sur toutes les sessions de cette formation/);
    assert.match(before.body, /0 réponse : les moyennes s’affichent à partir de 5 réponses/);
    const people = [];
    for (const name of ['Ana A', 'Ben B', 'Cyl C']) {
      const h = await givenHelper(t, { collectivite: coordinator.collectiviteId, name });
      people.push(h.id);
    }
    const ids = (
      await db()
        .insertInto('formation_inscription')
        .values(
          people.map((user_id) => ({
            session_id: sessionId,
            user_id,
            collectivite_id: coordinator.collectiviteId,
            status: 'inscrit' as const,
            offered_at: null,
            offer_expires_at: null,
            created_by: null,
            confirmed_at: new Date(),
            cancelled_at: null,
            cancelled_by: null,
            motif_annulation: null,
            reminded_7_at: null,
            reminded_1_at: null,
          })),
        )
        .returning('id')
        .execute()
    ).map((r) => r.id);
    const all = await db()
      .selectFrom('formation_inscription')
      .select('id')
      .where('session_id', '=', sessionId)
      .where('status', '=', 'inscrit')
      .execute();
    assert.equal(all.length, 5);
    for (const [i, r] of all.entries())
      await db()
        .insertInto('formation_avis')
        .values({
          inscription_id: r.id,
          note_contenu: 4,
          note_animation: i < 2 ? 5 : 3,
          note_utilite: 5,
          commentaire: null,
        })
        .execute();
    assert.equal(ids.length, 3);
    const page = await tr.get(`/formations/gestion/sessions/${sessionId}`);
    const section = page.body.slice(page.body.indexOf('Sur toutes les sessions de cette formation'));
    assert.match(section, /5 \(1 session\)/);
    assert.match(section, /L’animation était claire<\/dt><dd[^>]*>3\.8 \/ 5/);
  });
});
