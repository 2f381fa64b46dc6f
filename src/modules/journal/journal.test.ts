import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { type Account, givenAdmin, givenCoordinator } from '../../../test/helpers/builders.ts';

describe('audit journal pages', () => {
  let t: TestApp;
  let admin: Account;
  let coordinator: Account;
  before(async () => {
    t = await createTestApp();
    admin = await givenAdmin(t);
    coordinator = await givenCoordinator(t);
  });
  const signIn = async (c: Client, account: Account) =>
    c.signIn(account.email, account.password, account.totpSecret);
  after(() => t.close());

  test('sign-ins, failures and changes are journaled, and an administrator reads them', async () => {
    await new Client(t.app).signIn(admin.email, 'wrong password');
    const c = new Client(t.app);
    await signIn(c, admin);
    await c.get('/admin/territoire');
    await c.post('/admin/territoire/collectivites', { code: '42218' });

    const page = await c.get('/admin/journal');
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Journal d’audit');
    for (const label of ['Échec de connexion', 'Connexion réussie', 'Collectivité ajoutée'])
      assert.match(page.body, new RegExp(label));

    const filtered = await c.get('/admin/journal?action=auth.signin.failure');
    assert.match(filtered.body, /Échec de connexion/);
    // The account a sign-in was about is shown by its person, not its identifier.
    assert.ok(filtered.body.includes(`<td>Compte de ${admin.name} (${admin.email})</td>`), 'the person');
    assert.doesNotMatch(filtered.body, /<td>user [0-9a-f-]{36}<\/td>/);
    assert.doesNotMatch(filtered.body, /<td>Collectivité ajoutée<\/td>/);
  });

  test('the export is CSV, filtered, and itself journaled', async () => {
    const c = new Client(t.app);
    await signIn(c, admin);
    const csv = await c.get('/admin/journal.csv?action=collectivite.add');
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    assert.match(lines[0]!, /^id,date,acteur,action,libelle/);
    assert.ok(lines.length >= 2);
    assert.ok(lines.slice(1).every((l) => l.includes(',collectivite.add,')));
    const exported = await t.db.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'audit.export')
      .execute();
    assert.equal(exported.length, 1);
    assert.equal(exported[0]!.details.action, 'collectivite.add');
  });

  test('a bad date is explained in French', async () => {
    const c = new Client(t.app);
    await signIn(c, admin);
    const res = await c.get('/admin/journal?from=2026-13-45');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /La date de début n’existe pas|format AAAA-MM-JJ/);
  });

  test('only administrators read the journal', async () => {
    assert.equal((await new Client(t.app).get('/admin/journal')).statusCode, 302);
    const c = new Client(t.app);
    await signIn(c, coordinator);
    assert.equal((await c.get('/admin/journal')).statusCode, 403);
    assert.equal((await c.get('/admin/journal.csv')).statusCode, 403);
  });
});
