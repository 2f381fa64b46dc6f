import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import {
  type Account,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { runRelais } from '../../../test/helpers/cli.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { openDatabase } from '../../platform/db/database.ts';
import { sendFollowDigests } from './follows.ts';
import { sendReviewReminders } from './jobs.ts';

/**
 * Follows, digests, review reminders and JSON import, through their entry points: the follow
 * forms and `/ressources/suivis` over HTTP (attacks first: anonymous, another person's follow,
 * a private resource or collection), the two jobs on a controlled clock, and
 * `relais import ressources` on the command line.
 */
describe('ressources: follows, digests, review reminders, JSON import', () => {
  let t: TestApp;
  let coordinator: Account;
  let helper: TestHelper;
  let outsider: TestHelper;
  let coord: Client;
  let help: Client;
  let out: Client;
  let anon: Client;
  let resource = '';
  let privateResource = '';
  let collection = '';
  let privateCollection = '';
  let collectiviteCode = '';

  const db = () => t.db.db;
  const form = (overrides: Record<string, string | string[]> = {}) => ({
    titre: 'Créer son adresse e-mail',
    resume: 'Pas à pas, avec un téléphone.',
    licence: 'etalab_2_0',
    visibilite: 'publique',
    thematiques: ['email'],
    ...overrides,
  });
  /** A resource written by the coordinator, with one text block, published unless told. */
  const write = async (overrides: Record<string, string | string[]> = {}, publish = true) => {
    await coord.get('/ressources/nouvelle');
    const res = await coord.post('/ressources/nouvelle', form(overrides));
    assert.equal(res.statusCode, 303, res.body.slice(0, 1000));
    const id = /\/ressources\/([0-9a-f-]{36})\/modifier/.exec(res.headers.location as string)![1]!;
    await coord.get(`/ressources/${id}/modifier`);
    await coord.post(`/ressources/${id}/blocs`, { kind: 'texte', 'texte-texte': 'Ouvrez l’application.' });
    if (publish) assert.equal((await coord.post(`/ressources/${id}/publier`, {})).statusCode, 303);
    return id;
  };
  const follows = async (userId: string) =>
    Number(
      (
        await db()
          .selectFrom('ressource_suivi')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const mailsTo = (email: string) =>
    db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', email)
      .orderBy('id', 'asc')
      .execute();

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    collectiviteCode = villeurbanne.code;
    coordinator = await givenCoordinator(t, { collectivite: villeurbanne, name: 'Camille Coordinatrice' });
    helper = await givenHelper(t, { collectivite: villeurbanne, name: 'Hugo Médiateur' });
    outsider = await givenHelper(t, { name: 'Inès Ailleurs' });
    coord = new Client(t.app);
    await coord.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
    help = new Client(t.app);
    await help.signIn(helper.email, helper.password, helper.totpSecret);
    out = new Client(t.app);
    await out.signIn(outsider.email, outsider.password, outsider.totpSecret);
    anon = new Client(t.app);
    resource = await write();
    privateResource = await write({ titre: 'Procédure interne', visibilite: 'privee' });
    // A public collection and a private one, by the outsider.
    await out.get('/ressources/collections');
    let res = await out.post('/ressources/collections', { titre: 'Courriel pas à pas', publique: 'on' });
    collection = /collections\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
    res = await out.post('/ressources/collections', { titre: 'Mes brouillons' });
    privateCollection = /collections\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
    await out.get(`/ressources/${resource}`);
    await out.post(`/ressources/${resource}/collection`, { collection });
  });
  after(() => t.close());

  test('following needs an account, reads only what the person may read, and stops only their own', async () => {
    await anon.get(`/ressources/${resource}`);
    const anonymous = await anon.post('/ressources/suivis', { ressource: resource, quoi: 'auteur' });
    assert.ok([302, 403].includes(anonymous.statusCode), String(anonymous.statusCode));
    assert.equal((await db().selectFrom('ressource_suivi').select('id').execute()).length, 0);
    await help.get('/ressources/suivis');
    // A private resource, by its address: not found, and nothing followed.
    for (const quoi of ['auteur', 'base'])
      assert.equal(
        (await help.post('/ressources/suivis', { ressource: privateResource, quoi })).statusCode,
        404,
      );
    // Someone else's private collection, and one's own: nothing to follow.
    assert.equal((await help.post('/ressources/suivis', { collection: privateCollection })).statusCode, 404);
    await out.get('/ressources/suivis');
    assert.equal((await out.post('/ressources/suivis', { collection })).statusCode, 404);
    // Nothing named, or something else than an author or a library: a French message.
    const nothing = await help.post('/ressources/suivis', {});
    assert.equal(nothing.statusCode, 400);
    assert.match(nothing.body, /Rien à suivre/);
    const what = await help.post('/ressources/suivis', { ressource: resource, quoi: 'tout' });
    assert.equal(what.statusCode, 400);
    assert.match(what.body, /Choisissez de suivre l’auteur/);
    assert.equal(await follows(helper.id), 0);
    // The author cannot follow themselves: no button, and the form refuses.
    const own = await coord.get(`/ressources/${resource}`);
    assert.doesNotMatch(own.body, /Suivre les ressources de/);
    assert.match(own.body, /Suivre la bibliothèque de/);
    await coord.get(`/ressources/${resource}`);
    assert.equal(
      (await coord.post('/ressources/suivis', { ressource: resource, quoi: 'auteur' })).statusCode,
      400,
    );
    // Another person's follow cannot be stopped by its id.
    await out.get(`/ressources/${resource}`);
    await out.post('/ressources/suivis', { ressource: resource, quoi: 'base' });
    const theirs = await db()
      .selectFrom('ressource_suivi')
      .select('id')
      .where('user_id', '=', outsider.id)
      .executeTakeFirstOrThrow();
    await help.get('/ressources/suivis');
    assert.equal((await help.post('/ressources/suivis', { suivi: theirs.id })).statusCode, 303);
    assert.equal(await follows(outsider.id), 1);
    await out.get('/ressources/suivis');
    await out.post('/ressources/suivis', { suivi: theirs.id });
    assert.equal(await follows(outsider.id), 0);
  });

  test('a helper follows an author, a library and a public collection, and lists them', async () => {
    const page = await help.get(`/ressources/${resource}`);
    assert.match(page.body, /Suivre les ressources de Camille Coordinatrice/);
    assert.match(page.body, /Suivre la bibliothèque de /);
    for (const quoi of ['auteur', 'auteur', 'base']) {
      await help.get(`/ressources/${resource}`);
      const res = await help.post('/ressources/suivis', { ressource: resource, quoi, suivre: 'oui' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `/ressources/${resource}?ok=suivi#suivre`);
    }
    const shown = await help.get(`/ressources/${resource}?ok=suivi`);
    assert.match(shown.body, /Ne plus suivre les ressources de Camille Coordinatrice/);
    assert.match(shown.body, /C’est suivi/);
    await assertValidHtml(shown.body, 'a followed resource');
    const c = await help.get(`/ressources/collections/${collection}`);
    assert.match(c.body, /Suivre cette collection/);
    assert.equal((await help.post('/ressources/suivis', { collection })).statusCode, 303);
    assert.equal(await follows(helper.id), 3, 'following twice keeps one follow');
    const list = await help.get('/ressources/suivis');
    assert.equal(list.statusCode, 200);
    await assertValidHtml(list.body, 'my follows');
    assert.match(list.body, /Les ressources de Camille Coordinatrice/);
    assert.match(list.body, /La bibliothèque de /);
    assert.match(list.body, new RegExp(`href="/ressources/collections/${collection}"`));
    assert.match(list.body, /La collection « Courriel pas à pas »/);
    assert.match((await help.get('/espace')).body, /href="\/ressources\/suivis"/);
    // The author follows their own library: their own changes will not be mailed to them.
    await coord.get(`/ressources/${resource}`);
    await coord.post('/ressources/suivis', { ressource: resource, quoi: 'base' });
    assert.equal(await follows(coordinator.id), 1);
  });

  test('the digest: one mail a day at most, each resource once, nothing private, nothing before the follow', async () => {
    // Before anything new: no mail.
    assert.deepEqual(await sendFollowDigests(db(), testConfig, new Date()), { 'résumés envoyés': 0 });
    const fresh = await write({ titre: 'Envoyer une pièce jointe' });
    await write({ titre: 'Note interne', visibilite: 'privee' });
    await write({ titre: 'Brouillon en cours' }, false);
    // The followed resource is revised twice.
    for (const titre of ['Créer son adresse e-mail (mis à jour)', 'Créer son adresse e-mail']) {
      await coord.get(`/ressources/${resource}/informations`);
      await coord.post(`/ressources/${resource}/informations`, form({ titre }));
    }
    const later = new Date();
    assert.deepEqual(await sendFollowDigests(db(), testConfig, later), { 'résumés envoyés': 1 });
    const [digest, ...others] = await mailsTo(helper.email);
    assert.equal(others.length, 0);
    assert.match(digest!.subject, /1 nouvelle, 1 mise à jour/);
    const body = digest!.body ?? '';
    assert.match(
      body,
      new RegExp(`Nouvelle ressource : Envoyer une pièce jointe\\n  .*/ressources/${fresh}`),
    );
    assert.match(body, /Mise à jour : Créer son adresse e-mail\n/);
    assert.equal(
      body.match(/Créer son adresse e-mail/g)?.length,
      1,
      'a resource revised twice is listed once',
    );
    assert.doesNotMatch(body, /Note interne|Brouillon en cours|Procédure interne/);
    assert.match(body, /vous suivez Camille Coordinatrice/);
    assert.match(body, /\/ressources\/suivis/);
    // The author is not told of their own work; the outsider follows nothing now.
    assert.equal((await mailsTo(coordinator.email)).length, 0);
    assert.equal((await mailsTo(outsider.email)).length, 0);
    // Another revision within 24 hours: no second mail until the day has passed.
    await coord.get(`/ressources/${fresh}/informations`);
    await coord.post(`/ressources/${fresh}/informations`, form({ titre: 'Joindre un document' }));
    const hourLater = new Date(later.getTime() + 3600_000);
    assert.deepEqual(await sendFollowDigests(db(), testConfig, hourLater), { 'résumés envoyés': 0 });
    const dayLater = new Date(later.getTime() + 24 * 3600_000 + 1000);
    assert.deepEqual(await sendFollowDigests(db(), testConfig, dayLater), { 'résumés envoyés': 1 });
    const second = (await mailsTo(helper.email))[1]!;
    assert.match(second.subject, /1 mise à jour/);
    assert.match(second.body ?? '', /Mise à jour : Joindre un document/);
    assert.doesNotMatch(second.body ?? '', /Créer son adresse/);
  });

  test('stopping a follow stops its mail', async () => {
    const list = await help.get('/ressources/suivis');
    for (const id of [...list.body.matchAll(/name="suivi" value="([0-9a-f-]{36})"/g)].map((m) => m[1]!))
      assert.equal((await help.post('/ressources/suivis', { suivi: id })).statusCode, 303);
    assert.equal(await follows(helper.id), 0);
    assert.match((await help.get('/ressources/suivis')).body, /Vous ne suivez rien/);
    await coord.get(`/ressources/${resource}/informations`);
    await coord.post(`/ressources/${resource}/informations`, form({ titre: 'Encore changé' }));
    const far = new Date(Date.now() + 3 * 24 * 3600_000);
    assert.deepEqual(await sendFollowDigests(db(), testConfig, far), { 'résumés envoyés': 0 });
  });

  test('authors are reminded once when the review date has passed, and again after a new date', async () => {
    await coord.get(`/ressources/${resource}/informations`);
    const set = await coord.post(
      `/ressources/${resource}/informations`,
      form({ titre: 'Créer son adresse e-mail', review_on: '2027-01-01' }),
    );
    assert.equal(set.statusCode, 303);
    const before = await sendReviewReminders(
      db(),
      testConfig,
      '2027-01-01',
      new Date('2027-01-01T08:00:00Z'),
    );
    assert.deepEqual(
      before,
      { 'auteurs relancés': 0, 'ressources à vérifier': 0 },
      'not before the day after',
    );
    const run = () => sendReviewReminders(db(), testConfig, '2027-01-05', new Date('2027-01-05T06:10:00Z'));
    assert.deepEqual(await run(), { 'auteurs relancés': 1, 'ressources à vérifier': 1 });
    const mail = (await mailsTo(coordinator.email)).at(-1)!;
    assert.match(mail.subject, /Votre ressource « Créer son adresse e-mail » est à vérifier/);
    assert.match(mail.body ?? '', /à vérifier depuis le 01\/01\/2027/);
    assert.match(mail.body ?? '', new RegExp(`/ressources/${resource}/modifier`));
    assert.deepEqual(await run(), { 'auteurs relancés': 0, 'ressources à vérifier': 0 }, 'once per date');
    await coord.get(`/ressources/${resource}/informations`);
    await coord.post(
      `/ressources/${resource}/informations`,
      form({ titre: 'Créer son adresse e-mail', review_on: '2027-06-01' }),
    );
    assert.deepEqual(
      await sendReviewReminders(db(), testConfig, '2027-06-02', new Date('2027-06-02T06:10:00Z')),
      { 'auteurs relancés': 1, 'ressources à vérifier': 1 },
    );
  });

  test('JSON import keeps licences, authors and back-links; rejects and warns in French; --strict writes nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'relais-ressources-'));
    const cli = (args: string[]) =>
      runRelais(
        args,
        t.db.env,
        t.db.pglite ? { openDatabase: () => openDatabase({ pglite: t.db.pglite! }) } : {},
      );
    const count = async () =>
      Number(
        (
          await db()
            .selectFrom('ressource')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    try {
      const file = path.join(dir, 'la-base.json');
      await writeFile(
        file,
        JSON.stringify({
          format: 'relais-ressources/1',
          ressources: [
            {
              titre: 'Fiche : France Connect',
              resume: 'Se connecter aux services publics.',
              licence: 'Etalab-2.0',
              auteur: 'Les Bases du numérique',
              contributeurs: 'Équipe X',
              url: 'https://labase.example/ressources/france-connect',
              thematiques: ['aide_aux_demarches_administratives', 'inconnue'],
              publics: ['seniors'],
              liens: [
                { titre: 'FranceConnect', url: 'https://franceconnect.gouv.fr' },
                { titre: 'Piège', url: 'javascript:alert(1)' },
              ],
              a_verifier_le: '2027-12-31',
            },
            { titre: 'Sans licence', auteur: 'Quelqu’un', url: 'https://labase.example/ressources/2' },
            { titre: 'Tableur', licence: 'cc_by_sa_4_0', auteur: 'Réseau voisin', liens: [] },
          ],
        }),
      );
      const before = await count();
      const strict = await cli([
        'import',
        'ressources',
        file,
        '--strict',
        '--collectivite',
        collectiviteCode,
      ]);
      assert.notEqual(strict.code, 0);
      assert.match(strict.stdout, /licence absente ou inconnue/);
      assert.match(strict.stdout, /Import strict \(--strict\) refusé/);
      assert.equal(await count(), before, 'strict: nothing written');
      const unreadable = path.join(dir, 'cassé.json');
      await writeFile(unreadable, '{ "ressources": [');
      const broken = await cli(['import', 'ressources', unreadable]);
      assert.notEqual(broken.code, 0);
      assert.match(broken.stderr, /Fichier illisible : ce n’est pas du JSON/);
      const done = await cli(['import', 'ressources', file, '--collectivite', collectiviteCode]);
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /créées \(en brouillon\) : 2/);
      assert.match(done.stdout, /rejetées : 1/);
      assert.match(done.stdout, /n° 2 \(Sans licence\) licence/);
      assert.match(done.stdout, /thematiques « inconnue » : valeur inconnue : ignorée/);
      assert.match(done.stdout, /liens\[1\] « javascript:alert\(1\) » : adresse illisible/);
      assert.equal(await count(), before + 2);
      const imported = await db()
        .selectFrom('ressource')
        .selectAll()
        .where('source_url', '=', 'https://labase.example/ressources/france-connect')
        .executeTakeFirstOrThrow();
      assert.equal(imported.licence, 'etalab_2_0');
      assert.equal(imported.author_name, 'Les Bases du numérique');
      assert.equal(imported.status, 'brouillon');
      assert.deepEqual(imported.thematiques, ['aide_aux_demarches_administratives']);
      assert.equal(imported.review_on, '2027-12-31');
      const blocks = await db()
        .selectFrom('ressource_bloc')
        .select(['kind', 'url'])
        .where('ressource_id', '=', imported.id)
        .execute();
      assert.deepEqual(blocks, [{ kind: 'lien', url: 'https://franceconnect.gouv.fr/' }]);
      const journal = await db()
        .selectFrom('audit_event')
        .select('action')
        .where('action', '=', 'resource.import')
        .execute();
      assert.equal(journal.length, 2);
      // A draft: hidden from others; its collectivité's coordinator publishes it.
      assert.equal((await anon.get(`/ressources/${imported.id}`)).statusCode, 404);
      await coord.get(`/ressources/${imported.id}/modifier`);
      assert.equal((await coord.post(`/ressources/${imported.id}/publier`, {})).statusCode, 303);
      const page = await anon.get(`/ressources/${imported.id}`);
      assert.match(page.body, /Reprise de : <a href="https:\/\/labase\.example\/ressources\/france-connect"/);
      assert.match(page.body, /Licence Ouverte|Etalab/i);
      const exported = JSON.parse((await anon.get('/ressources/export.json')).body);
      const item = exported.ressources.find((x: { id: string }) => x.id === imported.id);
      assert.equal(item.source, 'https://labase.example/ressources/france-connect');
      assert.equal(item.auteur, 'Les Bases du numérique');
      assert.equal(item.licence, 'etalab_2_0');
      // The same file again: already imported.
      const again = await cli(['import', 'ressources', file]);
      assert.match(again.stdout, /déjà importée dans la bibliothèque/);
      assert.equal(await count(), before + 3, 'only the resource without an address comes again');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('an editor imports a JSON file from the library’s pages; a helper may not', async () => {
    const json = Buffer.from(
      JSON.stringify([
        {
          titre: 'Fiche : Ameli',
          licence: 'cc_by_sa_4_0',
          auteur: 'Réseau voisin',
          url: 'https://voisin.example/r/1',
        },
        { titre: 'Sans licence', auteur: 'Quelqu’un' },
      ]),
    );
    const file = (bytes: Buffer) => ({ name: 'fichier', bytes, filename: 'voisin.json' });
    await help.get('/ressources/collections');
    assert.equal((await help.postMultipart('/ressources/import', {}, file(json))).statusCode, 403);
    assert.equal((await help.get('/ressources/import')).statusCode, 403);
    const form = await coord.get('/ressources/import');
    assert.equal(form.statusCode, 200);
    await assertValidHtml(form.body, 'the import form');
    const empty = await coord.postMultipart('/ressources/import', {});
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choisissez le fichier JSON/);
    await coord.get('/ressources/import');
    const broken = await coord.postMultipart('/ressources/import', {}, file(Buffer.from('[{')));
    assert.equal(broken.statusCode, 400);
    assert.match(broken.body, /Fichier illisible : ce n’est pas du JSON/);
    await coord.get('/ressources/import');
    const done = await coord.postMultipart('/ressources/import', {}, file(json));
    assert.equal(done.statusCode, 200);
    await assertValidHtml(done.body, 'the import report');
    assert.match(done.body, /<dt>Créées en brouillon<\/dt><dd>1<\/dd>/);
    assert.match(done.body, /licence absente ou inconnue/);
    const draft = await db()
      .selectFrom('ressource')
      .select(['id', 'collectivite_id', 'licence', 'status'])
      .where('source_url', '=', 'https://voisin.example/r/1')
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [draft.collectivite_id, draft.licence, draft.status],
      [coordinator.actor.activeCollectiviteId, 'cc_by_sa_4_0', 'brouillon'],
    );
    assert.match(done.body, new RegExp(`href="/ressources/${draft.id}/modifier"`));
  });
});
