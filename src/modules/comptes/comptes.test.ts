import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import {
  type Account,
  givenAccount,
  givenAdmin,
  givenCollectivite,
  TEST_PASSWORD,
} from '../../../test/helpers/builders.ts';
import { IDLE_TIMEOUT_MS } from '../../platform/auth/sessions.ts';

describe('sign-in and sessions', () => {
  let t: TestApp;
  let admin: Account;
  before(async () => {
    t = await createTestApp();
    admin = await givenAdmin(t, { name: 'Alice Administratrice' });
  });
  const signIn = (c: Client, account: Account) =>
    c.signIn(account.email, account.password, account.totpSecret);
  after(() => t.close());

  test('a professional signs in, sees their space, and signs out', async () => {
    const c = new Client(t.app);
    const res = await signIn(c, admin);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/espace');
    const cookie = (
      res.cookies as { name: string; httpOnly?: boolean; sameSite?: string; path?: string }[]
    ).find((k) => k.name === 'relais_session');
    assert.ok(cookie?.httpOnly);
    assert.equal(cookie?.sameSite, 'Lax');
    const anonymousNav = (await new Client(t.app).get('/lieux')).body.match(
      /<nav class="site-nav"[\s\S]*?<\/nav>/,
    )?.[0];
    assert.doesNotMatch(anonymousNav ?? '', /href="\/espace"/, 'no « Mon espace » before signing in');
    const space = await c.get('/espace');
    assert.equal(h1(space.body), 'Mon espace');
    const nav = (await c.get('/lieux')).body.match(/<nav class="site-nav"[\s\S]*?<\/nav>/)?.[0];
    assert.match(
      nav ?? '',
      /<li><a href="\/espace">Mon espace<\/a><\/li>/,
      '« Mon espace » in the navigation',
    );
    assert.match(space.body, /<a href="\/espace" aria-current="page">Mon espace<\/a>/);
    assert.match(space.body, /Alice Administratrice/);
    assert.match(space.body, /href="\/admin\/territoire"/);

    const stolen = c.cookies.get('relais_session')!;
    await c.post('/deconnexion', {});
    assert.equal(c.cookies.get('relais_session'), undefined);
    // The old cookie no longer opens anything.
    const replay = await t.app.inject({ url: '/espace', headers: { cookie: `relais_session=${stolen}` } });
    assert.equal(replay.statusCode, 302);
  });

  test('a wrong password and an unknown email get the same answer', async () => {
    const c = new Client(t.app);
    const wrong = await c.signIn(admin.email, 'not-the-password');
    const unknown = await c.signIn('nobody@example.org', 'not-the-password');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    const message = (body: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(body)?.[0];
    assert.equal(message(wrong.body), message(unknown.body));
    assert.match(wrong.body, /L’adresse e-mail ou le mot de passe est incorrect/);
    assert.equal(c.cookies.get('relais_session'), undefined);
  });

  test('sessions idle for more than 30 minutes end', async () => {
    const c = new Client(t.app);
    await signIn(c, admin);
    assert.equal((await c.get('/espace')).statusCode, 200);
    await t.db.db
      .updateTable('user_session')
      .set({ last_seen_at: new Date(Date.now() - IDLE_TIMEOUT_MS - 1000) })
      .execute();
    assert.equal((await c.get('/espace')).statusCode, 302);
  });

  test('sign-in is rate limited per address', async () => {
    const c = new Client(t.app);
    await c.get('/connexion');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await c.post('/connexion', { email: admin.email, password: `wrong-${i}` })).statusCode);
    }
    assert.ok(statuses.includes(429), `got ${statuses.join(',')}`);
    // The right password is refused too while the limit holds.
    const blocked = await c.post('/connexion', { email: admin.email, password: admin.password });
    assert.equal(blocked.statusCode, 429);
    assert.equal(h1(blocked.body), 'Trop de tentatives');
  });

  test('a person with roles in two collectivités chooses the one they act in, shown in the header', async () => {
    const id = async (code: string) => (await givenCollectivite(t, { code })).id;
    const [bron, roanne, vaulx] = [await id('69029'), await id('42187'), await id('69256')];
    const dana = await givenAccount(t, {
      email: 'deux@example.org',
      name: 'Dana Deux',
      password: TEST_PASSWORD,
      memberships: [
        { role: 'mediateur', collectiviteId: bron },
        { role: 'formateur', collectiviteId: roanne },
      ],
    });
    const c = new Client(t.app, { ip: '192.0.2.20' }); // the rate-limit test above used up 127.0.0.1
    await signIn(c, dana);
    const before = await c.get('/espace');
    assert.match(before.body, /Connecté : <span>Dana Deux<\/span> – <a href="\/espace">Bron<\/a>/);
    assert.match(before.body, /<select id="champ-collectivite"/);
    const switched = await c.post('/espace/collectivite', { collectivite: String(roanne) });
    assert.equal(switched.statusCode, 303);
    assert.match((await c.get('/espace')).body, /– <a href="\/espace">Roanne<\/a>/);
    const foreign = await c.post('/espace/collectivite', { collectivite: String(vaulx) });
    assert.equal(foreign.statusCode, 400);
    assert.match(foreign.body, /Choisissez une collectivité où vous avez un rôle/);
  });
});
