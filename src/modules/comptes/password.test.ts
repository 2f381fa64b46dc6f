import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { type Account, givenAdmin, givenCoordinator } from '../../../test/helpers/builders.ts';

describe('password reset by email', () => {
  let t: TestApp;
  let person: Account;
  before(async () => {
    t = await createTestApp();
    person = await givenCoordinator(t);
  });
  after(() => t.close());

  const lastMailTo = async (email: string) =>
    t.db.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', email)
      .orderBy('id', 'desc')
      .executeTakeFirst();
  /** The reset mail goes out after the answer. */
  const waitForMailTo = async (email: string) => {
    for (let i = 0; i < 100; i++) {
      const mail = await lastMailTo(email);
      if (mail) return mail;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  };

  test('the answer is the same for an unknown address, and no mail goes out', async () => {
    const c = new Client(t.app);
    await c.get('/mot-de-passe-oublie');
    const known = await c.post('/mot-de-passe-oublie', { email: person.email });
    await c.get('/mot-de-passe-oublie');
    const unknown = await c.post('/mot-de-passe-oublie', { email: 'personne@example.org' });
    const notice = (body: string) => /<div class="notice notice--success"[\s\S]*?<\/div>/.exec(body)?.[0];
    assert.ok(notice(known.body));
    assert.equal(notice(known.body), notice(unknown.body));
    assert.equal(await lastMailTo('personne@example.org'), undefined);
  });

  test('the link sets a new password once, ends every session, and the old password stops working', async () => {
    const signedIn = new Client(t.app);
    await signedIn.signIn(person.email, person.password, person.totpSecret);
    assert.equal((await signedIn.get('/espace')).statusCode, 200);

    const c = new Client(t.app);
    await c.get('/mot-de-passe-oublie');
    await c.post('/mot-de-passe-oublie', { email: person.email });
    const token = /\/mot-de-passe\/([\w-]{43})/.exec((await waitForMailTo(person.email))?.body ?? '')?.[1];
    assert.ok(token);

    await c.get(`/mot-de-passe/${token}`);
    const weak = await c.post(`/mot-de-passe/${token}`, {
      password: 'azertyuiop123',
      confirmation: 'azertyuiop123',
    });
    assert.equal(weak.statusCode, 400);
    const done = await c.post(`/mot-de-passe/${token}`, {
      password: 'girafe lampadaire orage',
      confirmation: 'girafe lampadaire orage',
    });
    assert.equal(h1(done.body), 'Mot de passe changé');
    assert.equal((await signedIn.get('/espace')).statusCode, 302, 'sessions ended');
    assert.equal((await c.get(`/mot-de-passe/${token}`)).statusCode, 410, 'single use');

    const old = await new Client(t.app).signIn(person.email, person.password, person.totpSecret);
    assert.equal(old.statusCode, 401, 'old password refused');
    const renewed = await new Client(t.app).signIn(
      person.email,
      'girafe lampadaire orage',
      person.totpSecret,
    );
    assert.equal(renewed.statusCode, 303);
  });
});

describe('outbox', () => {
  test('administrators read the mail kept without SMTP; others may not', async () => {
    const t = await createTestApp();
    try {
      const person = await givenCoordinator(t);
      const admin = await givenAdmin(t);
      const c = new Client(t.app);
      await c.get('/mot-de-passe-oublie');
      await c.post('/mot-de-passe-oublie', { email: person.email });
      const a = new Client(t.app);
      await a.signIn(admin.email, admin.password, admin.totpSecret);
      const page = await a.get('/admin/courriels');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /choisir un nouveau mot de passe/);
      // The one-time link is shown in this reading only, and kept in no later page nor backup.
      const link = /\/mot-de-passe\/[\w-]{43}/;
      assert.match(page.body, link);
      const again = await a.get('/admin/courriels');
      assert.doesNotMatch(again.body, link);
      assert.match(again.body, /lien à usage unique masqué/);
      const stored = await t.db.db.selectFrom('mail_outbox').select('body').execute();
      assert.ok(stored.every((m) => !link.test(m.body ?? '')));
      const coordinator = new Client(t.app);
      await coordinator.signIn(person.email, person.password, person.totpSecret);
      assert.equal((await coordinator.get('/admin/courriels')).statusCode, 403);
    } finally {
      await t.close();
    }
  });
});
