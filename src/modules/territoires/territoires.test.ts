import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { Client, createTestApp, DEMO_MEMBER_NAMES, h1, type TestApp } from '../../../test/helpers/app.ts';
import { storeFile } from '../../platform/files.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { DEMO_COMMUNES } from './seed.ts';

const admin = DEMO_ACCOUNTS[0].email;
const coordinator = DEMO_ACCOUNTS[1].email;

/** JPEG's magic bytes, then anything: what a careless or hostile upload looks like. */
const CORRUPT_JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('ceci n’est pas une image '.repeat(40)),
]);

describe('territoires over HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  const countMembers = async () =>
    (
      await t.db.db
        .selectFrom('collectivite')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  test('the home page shows the OPSN and its eight member communes', async () => {
    const res = await new Client(t.app).get('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.equal(h1(res.body), 'Syndicat mixte Numérique Rhône-Loire');
    for (const name of DEMO_MEMBER_NAMES) {
      assert.ok(res.body.includes(`>${name}</a>`), `${name} is listed`);
    }
    assert.match(res.body, /8 collectivités membres/);
    assert.equal(DEMO_COMMUNES.length, 8);
    // Public pages set no cookie.
    assert.equal(res.headers['set-cookie'], undefined);
  });

  test('members are listed in French alphabetical order', async () => {
    const res = await new Client(t.app).get('/collectivites');
    const names = [...res.body.matchAll(/<td><a href="\/collectivites\/[^"]+">([^<]+)<\/a>/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(names, DEMO_MEMBER_NAMES);
  });

  test('a collectivité page wears its theme and shows reference data', async () => {
    const res = await new Client(t.app).get('/collectivites/villeurbanne');
    assert.equal(res.statusCode, 200);
    assert.equal(h1(res.body), 'Ville de Villeurbanne');
    assert.match(res.body, /Code INSEE<\/dt><dd>69266/);
    assert.match(res.body, /Rhône \(69\)/);
    assert.match(res.body, /Auvergne-Rhône-Alpes/);
    const css = /href="(\/collectivites\/villeurbanne\/theme\.css\?v=[0-9a-f]+)"/.exec(res.body)?.[1];
    assert.ok(css, 'links its theme stylesheet');
    const theme = await new Client(t.app).get(css);
    assert.equal(theme.statusCode, 200);
    assert.equal(theme.body, ':root{--brand:#a3195b}');
  });

  test('an unknown collectivité answers a French 404 page', async () => {
    const res = await new Client(t.app).get('/collectivites/atlantide');
    assert.equal(res.statusCode, 404);
    assert.equal(h1(res.body), 'Page introuvable');
    assert.match(res.body, /<html lang="fr">/);
  });

  test('administration asks anonymous visitors to sign in, and refuses a coordinator', async () => {
    const anonymous = await new Client(t.app).get('/admin/territoire');
    assert.equal(anonymous.statusCode, 302);
    assert.equal(anonymous.headers.location, '/connexion');

    const c = new Client(t.app);
    await c.signIn(coordinator);
    const page = await c.get('/admin/territoire');
    assert.equal(page.statusCode, 403);
    assert.equal(h1(page.body), 'Accès refusé');
    await c.get('/collectivites');
    const before = await countMembers();
    const add = await c.post('/admin/territoire/collectivites', { code: '42218' });
    assert.equal(add.statusCode, 403);
    assert.equal(await countMembers(), before);
  });

  test('an administrator adds a commune by INSEE code and an EPCI by SIREN', async () => {
    const c = new Client(t.app);
    await c.signIn(admin);
    await c.get('/admin/territoire');
    const add = await c.post('/admin/territoire/collectivites', { code: '42218' });
    assert.equal(add.statusCode, 303);
    assert.equal(add.headers.location, '/admin/territoire?ok=ajoutee');
    const stEtienne = await t.db.db
      .selectFrom('collectivite')
      .selectAll()
      .where('code', '=', '42218')
      .executeTakeFirstOrThrow();
    assert.equal(stEtienne.name, 'Saint-Étienne');
    assert.equal(stEtienne.slug, 'saint-etienne');
    assert.equal(stEtienne.departement_name, 'Loire');
    assert.deepEqual(stEtienne.postcodes, ['42000', '42100', '42230']);

    await c.get('/admin/territoire');
    const epci = await c.post('/admin/territoire/collectivites', { code: '200046977' });
    assert.equal(epci.statusCode, 303);
    const page = await new Client(t.app).get('/collectivites/metropole-de-lyon');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Intercommunalité \(EPCI\)/);
    assert.match(page.body, /<h2>Communes membres<\/h2>/);
    assert.match(page.body, /<li>Villeurbanne \(/);
  });

  test('an unknown or malformed code is refused with the reason, and nothing is saved', async () => {
    const c = new Client(t.app);
    await c.signIn(admin);
    const before = await countMembers();
    for (const [code, reason] of [
      ['99999', 'Aucune commune n’a le code INSEE 99999'],
      ['abc', 'Le code doit être un code INSEE de commune'],
      ['69381', 'arrondissement municipal'],
      ['69266', 'est déjà membre'],
      ['', 'Saisissez le code INSEE'],
    ] as const) {
      await c.get('/admin/territoire');
      const res = await c.post('/admin/territoire/collectivites', { code });
      assert.equal(res.statusCode, 400, code);
      assert.ok(res.body.includes(reason), `${code}: ${reason}`);
      assert.match(res.body, /<title>Erreur : /);
      assert.match(res.body, /class="error-summary"/);
      assert.match(res.body, /aria-invalid="true"/);
    }
    assert.equal(await countMembers(), before);
  });

  test('a form without its CSRF token is refused and changes nothing', async () => {
    const c = new Client(t.app);
    await c.signIn(admin);
    const before = await countMembers();
    const res = await c.post('/admin/territoire/collectivites', { code: '42095', _csrf: 'forged' });
    assert.equal(res.statusCode, 403);
    assert.equal(h1(res.body), 'Le formulaire a expiré');
    assert.equal(await countMembers(), before);
  });

  test('a coordinator themes their own collectivité; a colour without contrast is refused', async () => {
    const c = new Client(t.app);
    await c.signIn(coordinator);
    const villeurbanne = await t.db.db
      .selectFrom('collectivite')
      .selectAll()
      .where('code', '=', '69266')
      .executeTakeFirstOrThrow();
    const url = `/admin/territoire/collectivites/${villeurbanne.id}/theme`;

    await c.get(url);
    const pale = await c.postMultipart(url, { displayName: 'Villeurbanne', brandColour: '#ffcc00' });
    assert.equal(pale.statusCode, 400);
    assert.match(pale.body, /pas assez contrastée/);
    const unchanged = await t.db.db
      .selectFrom('collectivite')
      .select('brand_colour')
      .where('id', '=', villeurbanne.id)
      .executeTakeFirstOrThrow();
    assert.equal(unchanged.brand_colour, '#a3195b');

    await c.get(url);
    // A real one-pixel PNG (the logo is decoded, so it must be an image, not just its signature).
    const png = await sharp({ create: { width: 1, height: 1, channels: 4, background: '#1a5e20' } })
      .png()
      .toBuffer();
    const ok = await c.postMultipart(
      url,
      { displayName: 'Villeurbanne', brandColour: '#1A5E20' },
      { name: 'logo', bytes: png, filename: 'logo.png' },
    );
    assert.equal(ok.statusCode, 303);
    const saved = await t.db.db
      .selectFrom('collectivite')
      .selectAll()
      .where('id', '=', villeurbanne.id)
      .executeTakeFirstOrThrow();
    assert.equal(saved.brand_colour, '#1a5e20');
    assert.equal(saved.display_name, 'Villeurbanne');
    assert.ok(saved.logo_file_id);
    const logo = await new Client(t.app).get(`/fichiers/${saved.logo_file_id}`);
    assert.equal(logo.headers['content-type'], 'image/png');
    // Decoded and written again as PNG: the same one pixel.
    const meta = await sharp(logo.rawPayload).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1, 1]);

    // A coordinator of Villeurbanne cannot theme another commune.
    const bron = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', '69029')
      .executeTakeFirstOrThrow();
    const other = await c.get(`/admin/territoire/collectivites/${bron.id}/theme`);
    assert.equal(other.statusCode, 403);
  });

  test('a file that is not an image is refused as a logo', async () => {
    const c = new Client(t.app);
    await c.signIn(admin);
    const bron = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', '69029')
      .executeTakeFirstOrThrow();
    const url = `/admin/territoire/collectivites/${bron.id}/theme`;
    await c.get(url);
    const res = await c.postMultipart(
      url,
      {},
      { name: 'logo', bytes: Buffer.from('<svg onload="alert(1)"/>'), filename: 'logo.svg' },
    );
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /PNG, JPEG ou WebP/);
  });

  test('a corrupt image with JPEG magic bytes is refused as a logo, and nothing changes', async () => {
    const c = new Client(t.app);
    await c.signIn(admin);
    const bron = await t.db.db
      .selectFrom('collectivite')
      .selectAll()
      .where('code', '=', '69029')
      .executeTakeFirstOrThrow();
    const url = `/admin/territoire/collectivites/${bron.id}/theme`;
    await c.get(url);
    const res = await c.postMultipart(url, {}, { name: 'logo', bytes: CORRUPT_JPEG, filename: 'logo.jpg' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /L’image est illisible ou abîmée/);
    const after = await t.db.db
      .selectFrom('collectivite')
      .selectAll()
      .where('id', '=', bron.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.logo_file_id, bron.logo_file_id);
  });

  test('a bad logo already stored does not break the public PDF report: it goes out without it', async () => {
    // As a logo stored before uploads were decoded would be.
    const stored = await storeFile(t.db.db, CORRUPT_JPEG, 'image/jpeg');
    await t.db.db
      .updateTable('collectivite')
      .set({ logo_file_id: stored })
      .where('code', '=', '69266')
      .execute();
    await t.db.db.updateTable('opsn').set({ logo_file_id: stored }).execute();
    const res = await new Client(t.app).get(
      '/observatoire/villeurbanne/rapport.pdf?du=2026-01-01&au=2026-06-30',
    );
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.ok(res.rawPayload.toString('latin1').startsWith('%PDF-'));
  });

  test('an administrator removes a member, but not one that still has people', async () => {
    const c = new Client(t.app);
    await c.signIn(admin);
    const villeurbanne = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', '69266')
      .executeTakeFirstOrThrow();
    await c.get(`/admin/territoire/collectivites/${villeurbanne.id}/retirer`);
    const refused = await c.post(`/admin/territoire/collectivites/${villeurbanne.id}/retirer`, {});
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /ont encore un rôle/);

    const roanne = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', '42187')
      .executeTakeFirstOrThrow();
    await c.get(`/admin/territoire/collectivites/${roanne.id}/retirer`);
    const removed = await c.post(`/admin/territoire/collectivites/${roanne.id}/retirer`, {});
    assert.equal(removed.statusCode, 303);
    assert.equal((await new Client(t.app).get('/collectivites/roanne')).statusCode, 404);
  });

  test('the OPSN identity form validates each field in French', async () => {
    const c = new Client(t.app);
    await c.signIn(admin);
    await c.get('/admin/territoire');
    const bad = await c.post('/admin/territoire/opsn', {
      name: '',
      shortName: 'X',
      contactEmail: 'pas-un-mail',
      contactPhone: '12',
      website: 'ftp://x',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Saisissez le nom de l’OPSN/);
    assert.match(bad.body, /adresse e-mail valide/);
    assert.match(bad.body, /numéro de téléphone français/);
    assert.match(bad.body, /adresse web complète/);
    const opsn = await t.db.db.selectFrom('opsn').select('name').executeTakeFirstOrThrow();
    assert.equal(opsn.name, 'Syndicat mixte Numérique Rhône-Loire');

    await c.get('/admin/territoire');
    const ok = await c.post('/admin/territoire/opsn', {
      name: 'Numérique Rhône-Loire',
      shortName: 'NRL',
      contactPhone: '04 72 11 22 33',
    });
    assert.equal(ok.statusCode, 303);
    const home = await new Client(t.app).get('/');
    assert.equal(h1(home.body), 'Numérique Rhône-Loire');
    assert.match(home.body, /04 72 11 22 33/);
  });
});
