import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import {
  type Account,
  givenActivity,
  givenAdmin,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
  type TestHelper,
} from '../../../test/helpers/builders.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { pdfText as readPdf } from '../../../test/helpers/pdf.ts';
import { checkFile, pdfText } from './files.ts';
import { renderMarkdown, unsafeText } from './markdown.ts';

/** A small PDF holding `text`, as office software would send one. */
async function pdfOf(text: string): Promise<Buffer> {
  const doc = new PDFDocument();
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => doc.on('end', resolve));
  doc.text(text);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

const png = () =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();

describe('markdown and files', () => {
  test('text blocks escape everything and only link to http(s) and mailto', () => {
    const html = renderMarkdown(
      '<b>x</b> **gras** [ok](https://a.fr) [ko](javascript:alert(1))\n\n- un\n- deux',
    );
    assert.ok(html.includes('&lt;b&gt;x&lt;/b&gt;'));
    assert.ok(html.includes('<strong>gras</strong>'));
    assert.ok(html.includes('<a href="https://a.fr">ok</a>'));
    assert.ok(!html.includes('href="javascript'));
    assert.ok(html.includes('<ul><li>un</li><li>deux</li></ul>'));
    assert.ok(unsafeText('<script>alert(1)</script>'));
    assert.ok(unsafeText('[x](java\nscript:alert(1))'));
    assert.equal(unsafeText('Un texte simple, avec un lien [ici](https://exemple.fr).'), undefined);
  });

  test('files are recognised by their content, not their name', async () => {
    assert.equal((checkFile(Buffer.from('MZ\x90\x00rest')) as { ok: boolean }).ok, false);
    assert.match(
      (checkFile(Buffer.from('PK\x03\x04\x14\x00\x00\x00\x00\x00')) as { reason: string }).reason,
      /archives/,
    );
    assert.match(
      (checkFile(Buffer.from('Ceci n’est pas un PDF')) as { reason: string }).reason,
      /pas accepté/,
    );
    const pdf = await pdfOf('Fiche atelier phishing');
    const checked = checkFile(pdf);
    assert.ok(checked.ok && checked.contentType === 'application/pdf');
    assert.match(pdfText(pdf), /phishing/);
  });
});

/**
 * The library through HTTP: a coordinator writes and publishes a resource with text, link,
 * image and PDF blocks; anonymous people find it, misspelled; a helper rates it, reports it,
 * collects it and prints the booklet; moderation resolves the report. Attacks first: other
 * roles writing, private and draft resources by address and by search, unsafe blocks and files.
 */
describe('ressources', () => {
  let t: TestApp;
  let coordinator: Account;
  let otherCoordinator: Account;
  let helper: TestHelper;
  let coord: Client;
  let other: Client;
  let help: Client;
  let anon: Client;
  let resource = '';
  let privateResource = '';
  let pdfFile = '';

  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    const venissieux = await givenCollectivite(t, { code: '69259' });
    coordinator = await givenCoordinator(t, { collectivite: villeurbanne, name: 'Camille Coordinatrice' });
    otherCoordinator = await givenCoordinator(t, { collectivite: venissieux });
    helper = await givenHelper(t, { collectivite: villeurbanne, places: 1, name: 'Hugo Médiateur' });
    await givenAdmin(t);
    coord = new Client(t.app);
    await coord.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
    other = new Client(t.app);
    await other.signIn(otherCoordinator.email, otherCoordinator.password, otherCoordinator.totpSecret);
    help = new Client(t.app);
    await help.signIn(helper.email, helper.password, helper.totpSecret);
    anon = new Client(t.app);
  });
  after(() => t.close());

  const db = () => t.db.db;
  const count = async (table: 'ressource' | 'ressource_bloc' | 'ressource_fichier') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const form = (overrides: Record<string, string | string[]> = {}) => ({
    titre: 'Se protéger des arnaques en ligne',
    resume: 'Reconnaître les messages frauduleux et les faux sites.',
    licence: 'etalab_2_0',
    visibilite: 'publique',
    thematiques: ['securite_numerique'],
    types: ['ressource_pedagogique'],
    publics: ['seniors'],
    competences: ['4.1'],
    ...overrides,
  });
  const create = async (client: Client, overrides: Record<string, string | string[]> = {}) => {
    await client.get('/ressources/nouvelle');
    const res = await client.post('/ressources/nouvelle', form(overrides));
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    return /\/ressources\/([0-9a-f-]{36})\/modifier/.exec(res.headers.location as string)![1]!;
  };
  const addBlock = async (id: string, fields: Record<string, string>) => {
    await coord.get(`/ressources/${id}/modifier`);
    return coord.post(`/ressources/${id}/blocs`, fields);
  };
  const upload = async (id: string, fields: Record<string, string>, bytes: Buffer, filename: string) => {
    await coord.get(`/ressources/${id}/modifier`);
    return coord.postMultipart(`/ressources/${id}/blocs/fichier`, fields, {
      name: `${fields.kind}-fichier`,
      bytes,
      filename,
    });
  };

  test('only coordinators and administrators write resources; bad input changes nothing', async () => {
    assert.equal((await anon.get('/ressources/nouvelle')).headers.location, '/connexion');
    assert.equal((await help.get('/ressources/nouvelle')).statusCode, 403);
    await coord.get('/ressources/nouvelle');
    const before = await count('ressource');
    const res = await coord.post('/ressources/nouvelle', form({ titre: '', licence: '' }));
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Saisissez le titre/);
    assert.match(res.body, /Choisissez une licence/);
    assert.equal(await count('ressource'), before);
    resource = await create(coord);
    privateResource = await create(coord, {
      titre: 'Procédure interne confidentielle',
      visibilite: 'privee',
    });
  });

  test('unsafe blocks and files are refused in French, and nothing is stored', async () => {
    const blocks = await count('ressource_bloc');
    const files = await count('ressource_fichier');
    let res = await addBlock(resource, { kind: 'texte', 'texte-texte': 'Bonjour <script>alert(1)</script>' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /ni code HTML, ni script/);
    res = await addBlock(resource, { kind: 'texte', 'texte-texte': '[clic](javascript:alert(1))' });
    assert.equal(res.statusCode, 400);
    res = await addBlock(resource, {
      kind: 'lien',
      'lien-url': 'javascript:alert(1)',
      'lien-titre': 'Piège',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /commence par https:\/\//);
    res = await upload(resource, { kind: 'image', 'image-alt': '' }, await png(), 'photo.png');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /texte alternatif/);
    res = await upload(resource, { kind: 'fichier' }, Buffer.from('MZ\x90\x00 programme'), 'fiche.pdf');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /programmes et les scripts/);
    res = await upload(
      resource,
      { kind: 'fichier' },
      Buffer.from('PK\x03\x04\x14\x00\x00\x00'),
      'fiches.zip',
    );
    assert.match(res.body, /archives/);
    res = await upload(
      resource,
      { kind: 'image', 'image-alt': 'Un faux' },
      Buffer.from('%PDF-1.4 pas une image'),
      'image.png',
    );
    assert.match(res.body, /doit être une image PNG, JPEG ou WebP/);
    res = await upload(resource, { kind: 'fichier' }, Buffer.alloc(20 * 1024 * 1024 + 10, 0x25), 'gros.pdf');
    assert.equal(res.statusCode, 413);
    assert.match(res.body, /20 Mo/);
    assert.equal(await count('ressource_bloc'), blocks);
    assert.equal(await count('ressource_fichier'), files);
    // Publishing without content is refused too.
    await coord.get(`/ressources/${resource}/modifier`);
    res = await coord.post(`/ressources/${resource}/publier`, {});
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /au moins un bloc/);
  });

  test('a coordinator publishes a resource with text, link, image and PDF blocks', async () => {
    assert.equal(
      (await addBlock(resource, { kind: 'titre_section', 'titre_section-titre': 'Les signes qui alertent' }))
        .statusCode,
      303,
    );
    assert.equal(
      (
        await addBlock(resource, {
          kind: 'texte',
          'texte-texte': 'Un message qui **presse** est suspect.\n\n- faux colis\n- fausse amende',
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await addBlock(resource, {
          kind: 'lien',
          'lien-url': 'https://www.cybermalveillance.gouv.fr',
          'lien-titre': 'Cybermalveillance',
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await upload(
          resource,
          { kind: 'image', 'image-alt': 'Un faux SMS de livraison' },
          await png(),
          'sms.png',
        )
      ).statusCode,
      303,
    );
    const res = await upload(
      resource,
      { kind: 'fichier', 'fichier-titre': 'Fiche à imprimer' },
      await pdfOf('Hameçonnage : les rançongiciels expliqués'),
      'fiche.pdf',
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    await assertValidHtml((await coord.get(`/ressources/${resource}/modifier`)).body, 'the edit page');
    assert.equal((await coord.post(`/ressources/${resource}/publier`, {})).statusCode, 303);
    const page = await anon.get(`/ressources/${resource}`);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body, 'the resource page');
    assert.match(page.body, /<strong>presse<\/strong>/);
    assert.match(page.body, /alt="Un faux SMS de livraison"/);
    pdfFile = /\/ressources\/[0-9a-f-]{36}\/fichiers\/([0-9a-f-]{36})" download/.exec(page.body)![1]!;
    const file = await anon.get(`/ressources/${resource}/fichiers/${pdfFile}`);
    assert.equal(file.headers['content-type'], 'application/pdf');
    assert.equal(file.headers['x-content-type-options'], 'nosniff');
    assert.match(String(file.headers['content-disposition']), /^attachment; filename="fiche.pdf"/);
  });

  test('private and draft resources are hidden by address, by file and by search', async () => {
    assert.equal((await anon.get(`/ressources/${privateResource}`)).statusCode, 404);
    assert.equal((await help.get(`/ressources/${privateResource}`)).statusCode, 404);
    assert.equal((await other.get(`/ressources/${privateResource}`)).statusCode, 404);
    assert.equal((await other.get(`/ressources/${resource}/modifier`)).statusCode, 404);
    assert.equal((await coord.get(`/ressources/${privateResource}`)).statusCode, 200);
    const search = await coord.get('/ressources?q=confidentielle');
    assert.doesNotMatch(search.body, /Procédure interne/);
    assert.equal((await anon.get('/ressources/not-an-id')).statusCode, 404);
  });

  test('anyone finds it without an account: accents, plurals, PDF text, and a misspelling corrected', async () => {
    for (const q of ['arnaque', 'securite', 'messages frauduleux', 'rançongiciel', 'cybermalveillance']) {
      const res = await anon.get(`/ressources?q=${encodeURIComponent(q)}`);
      assert.match(res.body, /Se protéger des arnaques en ligne/, q);
    }
    const typo = await anon.get(`/ressources?q=${encodeURIComponent('arnaqes')}`);
    assert.match(typo.body, /Résultats pour « <strong>arnaques<\/strong> »/);
    assert.match(typo.body, /Se protéger des arnaques en ligne/);
    await assertValidHtml(typo.body, 'the search page');
    const facet = await anon.get('/ressources?thematiques=securite_numerique&tri=date');
    assert.match(facet.body, /Sécurité numérique \(1\)/);
    const nothing = await anon.get('/ressources?q=tricot');
    assert.match(nothing.body, /Aucune ressource trouvée/);
    const empty = await coord.get('/ressources/recherches-sans-resultat');
    assert.match(empty.body, /tricot/);
    assert.equal((await help.get('/ressources/recherches-sans-resultat')).statusCode, 403);
  });

  test('helpers rate it once each, badges appear from three ratings, the author replies', async () => {
    await help.get(`/ressources/${resource}`);
    assert.equal((await help.post(`/ressources/${resource}/note`, { note: '5' })).statusCode, 400);
    assert.equal(
      (await help.post(`/ressources/${resource}/note`, { note: '3', commentaire: 'Utile en atelier' }))
        .statusCode,
      303,
    );
    await help.get(`/ressources/${resource}`);
    assert.equal((await help.post(`/ressources/${resource}/note`, { note: '4' })).statusCode, 303);
    const r = await db()
      .selectFrom('ressource')
      .select(['rating_count', 'rating_average'])
      .where('id', '=', resource)
      .executeTakeFirstOrThrow();
    assert.deepEqual([r.rating_count, r.rating_average], [1, 4]);
    await coord.get(`/ressources/${resource}`);
    const own = await coord.post(`/ressources/${resource}/note`, { note: '4' });
    assert.equal(own.statusCode, 409);
    for (const name of ['Aline', 'Bruno']) {
      const h = await givenHelper(t, { name });
      const c = new Client(t.app);
      await c.signIn(h.email, h.password, h.totpSecret);
      await c.get(`/ressources/${resource}`);
      await c.post(`/ressources/${resource}/note`, { note: '3' });
    }
    const page = await anon.get(`/ressources/${resource}`);
    assert.match(page.body, /Recommandée/); // (4 + 3 + 3) / 3
    await coord.get(`/ressources/${resource}`);
    const replied = await coord.post(`/ressources/${resource}/reponse`, {
      personne: helper.id,
      [`reponse-${helper.id}`]: 'Merci !',
    });
    assert.equal(replied.statusCode, 303);
    assert.match(
      (await help.get(`/ressources/${resource}`)).body,
      /Réponse de l’auteur : <span>Merci !<\/span>/,
    );
  });

  test('a report reaches moderation, is resolved, and the reporter gets the outcome', async () => {
    await help.get(`/ressources/${resource}`);
    assert.equal(
      (await help.post(`/ressources/${resource}/signalement`, { motif: 'autre' })).statusCode,
      400,
    );
    assert.equal(
      (
        await help.post(`/ressources/${resource}/signalement`, {
          motif: 'obsolete',
          signalement: 'Le lien a changé.',
        })
      ).statusCode,
      303,
    );
    assert.equal((await help.get('/ressources/moderation')).statusCode, 403);
    const queueOther = await other.get('/ressources/moderation');
    assert.match(queueOther.body, /Aucun signalement à traiter/);
    const queue = await coord.get('/ressources/moderation');
    assert.match(queue.body, /Ressource obsolète/);
    assert.match(queue.body, /Hugo Médiateur/);
    const report = /action="\/ressources\/moderation\/([0-9a-f-]{36})"/.exec(queue.body)![1]!;
    const refused = await other.post(`/ressources/moderation/${report}`, { decision: 'rejete' });
    assert.equal(refused.statusCode, 409);
    await coord.get('/ressources/moderation');
    const done = await coord.post(`/ressources/moderation/${report}`, {
      decision: 'retenu_corrigee',
      message: 'Lien corrigé.',
    });
    assert.equal(done.statusCode, 303);
    const mail = await db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', helper.email)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.match(mail.body ?? '', /Signalement retenu : ressource corrigée/);
    assert.match(mail.body ?? '', /Lien corrigé/);
    const reads = await db()
      .selectFrom('audit_event')
      .select('actor_label')
      .where('action', '=', 'resource.reports_read')
      .execute();
    assert.ok(reads.some((r) => r.actor_label === coordinator.email));
  });

  test('a collection is exported as one PDF booklet and shared by a revocable link', async () => {
    await help.get('/ressources/collections');
    const created = await help.post('/ressources/collections', { titre: 'Atelier sécurité' });
    assert.equal(created.statusCode, 303);
    const collection = /\/ressources\/collections\/([0-9a-f-]{36})/.exec(
      created.headers.location as string,
    )![1]!;
    await help.get(`/ressources/${resource}`);
    assert.equal((await help.post(`/ressources/${resource}/collection`, { collection })).statusCode, 303);
    // Private resources never enter a booklet, even added.
    const pdf = await help.get(`/ressources/collections/${collection}/livret.pdf`);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const text = readPdf(pdf.rawPayload);
    assert.match(text, /Atelier sécurité/);
    assert.match(text, /Sommaire/);
    assert.match(text, /Se protéger des arnaques en ligne/);
    assert.match(text, /https:\/\/www\.cybermalveillance\.gouv\.fr/);
    assert.match(text, /faux colis/);
    // Not public: nobody else reads it, but by the share link.
    assert.equal((await anon.get(`/ressources/collections/${collection}`)).statusCode, 404);
    await other.get('/ressources/collections');
    assert.equal((await other.post('/ressources/collections/partage', { collection })).statusCode, 400);
    await help.get(`/ressources/collections/${collection}`);
    await help.post('/ressources/collections/partage', { collection });
    const page = await help.get(`/ressources/collections/${collection}`);
    const link = /\/ressources\/partage\/[A-Za-z0-9_-]+/.exec(page.body)![0];
    assert.equal((await anon.get(link)).statusCode, 200);
    await help.post('/ressources/collections/partage', { collection, lien: 'retirer' });
    assert.equal((await anon.get(link)).statusCode, 404);
  });

  test('every change is kept and an older version can be restored', async () => {
    await coord.get(`/ressources/${resource}/informations`);
    assert.equal(
      (await coord.post(`/ressources/${resource}/informations`, form({ titre: 'Titre changé' }))).statusCode,
      303,
    );
    const history = await coord.get(`/ressources/${resource}/historique`);
    assert.match(history.body, /Informations modifiées/);
    const r = await db()
      .selectFrom('ressource_version')
      .select('version')
      .where('ressource_id', '=', resource)
      .where('change', '=', 'Publiée')
      .executeTakeFirstOrThrow();
    assert.equal((await coord.post(`/ressources/${resource}/historique/${r.version}`, {})).statusCode, 303);
    assert.match(
      (await anon.get(`/ressources/${resource}`)).body,
      /<h1>Se protéger des arnaques en ligne<\/h1>/,
    );
  });

  test('suggested on an activity report of the same theme, and in the export', async () => {
    const activity = await givenActivity(t, helper, { thematiques: ['securite_numerique'] });
    const page = await help.get(`/ressources/suggestions?activite=${activity}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Se protéger des arnaques en ligne/);
    const report = await help.get(`/activites/${activity}`);
    assert.match(report.body, /Ressources sur les thématiques de cet accompagnement/);
    assert.match(report.body, new RegExp(`href="/ressources/${resource}"`));
    assert.match(report.body, new RegExp(`href="/ressources/suggestions\\?activite=${activity}"`));
    assert.equal((await coord.get(`/ressources/suggestions?activite=${activity}`)).statusCode, 403);
    const foreign = await givenHelper(t, {});
    const c = new Client(t.app);
    await c.signIn(foreign.email, foreign.password, foreign.totpSecret);
    assert.equal((await c.get(`/ressources/suggestions?activite=${activity}`)).statusCode, 404);
    const exported = JSON.parse((await anon.get('/ressources/export.json')).body);
    const item = exported.ressources.find((x: { id: string }) => x.id === resource);
    assert.equal(item.licence, 'etalab_2_0');
    assert.match(item.url, new RegExp(`/ressources/${resource}$`));
    assert.ok(!exported.ressources.some((x: { id: string }) => x.id === privateResource));
  });

  test('a word found in more than a thousand resources: capped count, title matches first, exact date order', async () => {
    // 1 010 resources whose text says « zorglub », newest first, and an old one whose title does.
    await sql`
      insert into ressource (titre, resume, status, visibilite, thematiques, author_name, search_text, published_at)
      select 'Fiche ' || i, 'Une fiche.', 'publiee', 'publique', '{email}', 'Lot', 'Le mot zorglub est ici.',
        now() - (i || ' minutes')::interval
      from generate_series(1, 1010) i`.execute(db());
    await sql`
      insert into ressource (titre, resume, status, visibilite, author_name, published_at)
      values ('Le guide Zorglub', 'Tout sur lui.', 'publiee', 'publique', 'Lot', now() - interval '1 year')`.execute(
      db(),
    );
    const page = await anon.get('/ressources?q=zorglub');
    assert.match(page.body, /Plus de 1\s?000 ressources/);
    assert.match(page.body, /ajoutez un mot ou un filtre/);
    assert.doesNotMatch(page.body, /E-mail \(\d+\)/, 'no facet count above the cap');
    const titles = [...page.body.matchAll(/<h3[^>]*>\s*<a[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
    assert.equal(titles[0], 'Le guide Zorglub', 'the title match ranks first although it is the oldest');
    const byDate = await anon.get('/ressources?q=zorglub&tri=date');
    const dated = [...byDate.body.matchAll(/<h3[^>]*>\s*<a[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
    assert.deepEqual(dated.slice(0, 3), ['Fiche 1', 'Fiche 2', 'Fiche 3']);
    assert.doesNotMatch(byDate.body, /page=51/, 'no page beyond the thousand first');
    const narrowed = await anon.get('/ressources?q=zorglub+guide');
    assert.match(narrowed.body, /1 ressource</);
    assert.match(narrowed.body, /E-mail \(0\)/, 'facets counted again below the cap');
  });

  test('an administrator makes a collection in the OPSN’s name, which every administrator keeps; nobody else may', async () => {
    const adminA = await givenAdmin(t, { name: 'Alix Administratrice' });
    const adminB = await givenAdmin(t, { name: 'Basile Administrateur' });
    const a = new Client(t.app);
    await a.signIn(adminA.email, adminA.password, adminA.totpSecret);
    const b = new Client(t.app);
    await b.signIn(adminB.email, adminB.password, adminB.totpSecret);
    await a.get('/admin/territoire');
    const named = await a.post('/admin/territoire/opsn', {
      name: 'Syndicat numérique des Monts',
      shortName: 'SNM',
    });
    assert.equal(named.statusCode, 303, named.body.slice(0, 1000));
    const collections = async () =>
      Number(
        (
          await db()
            .selectFrom('ressource_collection')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    // Attack first: the box is not offered to a coordinator, and a forged one changes nothing.
    const page = await coord.get('/ressources/collections');
    assert.doesNotMatch(page.body, /name="au_nom_opsn"/);
    const before = await collections();
    const forged = await coord.post('/ressources/collections', {
      titre: 'Sélection officielle',
      au_nom_opsn: 'oui',
    });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /Seul un administrateur de l’OPSN peut faire une collection en son nom/);
    assert.equal(await collections(), before);

    const form = await a.get('/ressources/collections');
    assert.match(form.body, /name="au_nom_opsn"/);
    const created = await a.post('/ressources/collections', {
      titre: 'La sélection de l’OPSN',
      publique: 'oui',
      au_nom_opsn: 'oui',
    });
    assert.equal(created.statusCode, 303, created.body.slice(0, 1000));
    const id = /\/ressources\/collections\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1]!;
    const shown = await anon.get(`/ressources/collections/${id}`);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Syndicat numérique des Monts/);
    assert.doesNotMatch(shown.body, /Alix Administratrice/);
    await assertValidHtml(shown.body, 'a collection in the OPSN’s name');
    // Another administrator finds it among theirs and adds a resource to it.
    assert.match((await b.get('/ressources/collections')).body, /La sélection de l’OPSN/);
    await b.get(`/ressources/${resource}`);
    const added = await b.post(`/ressources/${resource}/collection`, { collection: id });
    assert.equal(added.statusCode, 303, added.body.slice(0, 1000));
    const items = await db()
      .selectFrom('ressource_collection_item')
      .select('ressource_id')
      .where('collection_id', '=', id)
      .execute();
    assert.deepEqual(
      items.map((r) => r.ressource_id),
      [resource],
    );
    // A coordinator who follows it may read it, never change it.
    await coord.get(`/ressources/collections/${id}`);
    const refused = await coord.post(`/ressources/${resource}/collection`, { collection: id });
    assert.equal(refused.statusCode, 400, 'not one of their collections');
    assert.equal(
      (
        await db()
          .selectFrom('ressource_collection_item')
          .select('ressource_id')
          .where('collection_id', '=', id)
          .execute()
      ).length,
      1,
    );
  });
});
