import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp, testConfig, totpCode } from '../../../test/helpers/app.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './index.ts';

/**
 * Attacks on sign-in through HTTP: guessing the second factor (serially, in parallel, from
 * many addresses), replaying a code, locking an owner out with wrong passwords, and the
 * password-reset links.
 */

const [admin, coordination, mediation, formation] = DEMO_ACCOUNTS;

describe('sign-in under attack', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  const journal = (action: string, userEmail?: string) =>
    t.db.db
      .selectFrom('audit_event as e')
      .leftJoin('app_user as u', (j) => j.on('u.id', '=', (eb) => eb.cast('e.subject_id', 'uuid')))
      .select(['e.action', 'e.details'])
      .where('e.action', '=', action)
      .$if(userEmail !== undefined, (q) => q.where('u.email', '=', userEmail!))
      .execute();
  const mailsTo = (email: string) =>
    t.db.db.selectFrom('mail_outbox').selectAll().where('recipient', '=', email).orderBy('id').execute();
  const resetReplayGuard = (email: string) =>
    t.db.db.updateTable('app_user').set({ totp_last_step: null }).where('email', '=', email).execute();

  /** The password step, from `ip`: the client then holds a pending sign-in. */
  async function afterPassword(email: string, ip: string): Promise<Client> {
    const c = new Client(t.app, { ip });
    await c.get('/connexion');
    const first = await c.post('/connexion', { email, password: DEMO_PASSWORD });
    assert.equal(first.headers.location, '/connexion/code');
    await c.get('/connexion/code');
    return c;
  }

  /** Posts a code with this client's cookies from another address (an attacker with many). */
  function postCodeFrom(c: Client, ip: string, code: string) {
    return t.app.inject({
      method: 'POST',
      url: '/connexion/code',
      remoteAddress: ip,
      payload: new URLSearchParams({ _csrf: c.lastCsrf ?? '', code }).toString(),
      headers: {
        cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
  }

  test('wrong codes count per account: signing in again with the password gives no new tries', async () => {
    const attacker = await afterPassword(mediation.email, '198.51.100.1');
    for (let i = 0; i < 5; i++) await attacker.post('/connexion/code', { code: '000000' });
    // The attacker knows the password: a new pending sign-in, with the right code this time.
    const again = await afterPassword(mediation.email, '198.51.100.2');
    await resetReplayGuard(mediation.email);
    const right = await again.post('/connexion/code', { code: await totpCode(mediation.totpSecret) });
    assert.equal(right.statusCode, 401, 'the second factor is locked');
    assert.equal((await again.get('/espace')).statusCode, 302);
    const mail = (await mailsTo(mediation.email)).at(-1);
    assert.match(mail?.subject ?? '', /bloqué/);
    assert.match(mail?.body ?? '', /code/);
    assert.equal((await journal('auth.lockout', mediation.email)).length, 1);
  });

  test('many wrong codes at once from many addresses: at most five are checked', async () => {
    const attacker = await afterPassword(formation.email, '198.51.100.20');
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        postCodeFrom(attacker, `203.0.113.${i + 1}`, String(100000 + i).padStart(6, '0')),
      ),
    );
    assert.ok(answers.every((a) => a.statusCode < 500));
    const checked = await journal('auth.second_factor.failure', formation.email);
    assert.ok(checked.length <= 5, `${checked.length} codes checked`);
    const row = await t.db.db
      .selectFrom('app_user')
      .select('codes_locked_until')
      .where('email', '=', formation.email)
      .executeTakeFirstOrThrow();
    assert.ok(row.codes_locked_until && row.codes_locked_until > new Date());
  });

  test('one valid code sent twice at once signs in exactly once', async () => {
    await resetReplayGuard(coordination.email);
    const first = await afterPassword(coordination.email, '198.51.100.30');
    const second = await afterPassword(coordination.email, '198.51.100.31');
    const code = await totpCode(coordination.totpSecret);
    const answers = await Promise.all([
      first.post('/connexion/code', { code }),
      second.post('/connexion/code', { code }),
    ]);
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [303, 401]);
  });

  test('a signed-in session cannot guess the code that confirms sensitive actions', async () => {
    const thief = new Client(t.app, { ip: '198.51.100.60' });
    assert.equal((await thief.signIn(admin.email)).statusCode, 303);
    await thief.get('/connexion/confirmer');
    for (let i = 0; i < 5; i++) {
      // From other addresses: the per-address rate limit alone does not hold.
      const from = new Client(t.app, { ip: `198.51.100.${61 + i}` });
      from.cookies = thief.cookies;
      from.lastCsrf = thief.lastCsrf;
      await from.post('/connexion/confirmer', { code: String(111111 * (i + 1)).slice(0, 6) });
    }
    await resetReplayGuard(admin.email);
    const right = await thief.post('/connexion/confirmer', { code: await totpCode(admin.totpSecret) });
    assert.equal(right.statusCode, 401, 'the second factor is locked');
    // Lifted here for the tests below (a password reset lifts it too).
    await t.db.db
      .updateTable('app_user')
      .set({ failed_codes: 0, codes_locked_until: null })
      .where('email', '=', admin.email)
      .execute();
  });

  test('the second step is rate-limited per address', async () => {
    for (const url of ['/connexion/code', '/connexion/activer']) {
      const c = new Client(t.app, { ip: url === '/connexion/code' ? '198.51.100.40' : '198.51.100.41' });
      await c.get('/connexion');
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await c.post(url, { code: '000000' })).statusCode);
      assert.equal(statuses.at(-1), 429, url);
    }
  });

  test('wrong passwords from one address do not keep the owner out from theirs', async () => {
    const email = admin.email;
    for (let i = 0; i < 5; i++) {
      const c = new Client(t.app, { ip: '198.51.100.50' });
      await c.get('/connexion');
      await c.post('/connexion', { email, password: `mauvais-${i}` });
    }
    // The attacker's address is locked, even with the right password…
    const attacker = new Client(t.app, { ip: '198.51.100.50' });
    await attacker.get('/connexion');
    assert.equal((await attacker.post('/connexion', { email, password: DEMO_PASSWORD })).statusCode, 401);
    // …the owner, from their own address, signs in.
    const owner = new Client(t.app, { ip: '198.51.100.51' });
    assert.equal((await owner.signIn(email)).statusCode, 303);
    assert.equal((await owner.get('/espace')).statusCode, 200);
    assert.match((await mailsTo(email)).at(-1)?.subject ?? '', /bloqué/);
  });
});

describe('password reset', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  const linksTo = async (email: string) =>
    (
      await t.db.db
        .selectFrom('mail_outbox')
        .select('body')
        .where('recipient', '=', email)
        .orderBy('id')
        .execute()
    ).flatMap((m) => [...(m.body ?? '').matchAll(/\/mot-de-passe\/([\w-]{43})/g)].map((x) => x[1]!));

  async function requestReset(email: string) {
    const c = new Client(t.app);
    await c.get('/mot-de-passe-oublie');
    const answer = await c.post('/mot-de-passe-oublie', { email });
    assert.equal(answer.statusCode, 200);
  }

  /** The mail goes out after the answer: wait for it. */
  async function waitForLinks(email: string, count: number) {
    for (let i = 0; i < 100; i++) {
      const links = await linksTo(email);
      if (links.length >= count) return links;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${count} reset links for ${email}`);
  }

  test('using one reset link ends every other link of that person', async () => {
    await requestReset(coordination.email);
    await requestReset(coordination.email);
    const [first, second] = await waitForLinks(coordination.email, 2);
    const c = new Client(t.app);
    await c.get(`/mot-de-passe/${first}`);
    const done = await c.post(`/mot-de-passe/${first}`, {
      password: 'girafe lampadaire orage',
      confirmation: 'girafe lampadaire orage',
    });
    assert.equal(h1(done.body), 'Mot de passe changé');
    assert.equal((await new Client(t.app).get(`/mot-de-passe/${second}`)).statusCode, 410);
  });
});

describe('password reset with a slow mail server', () => {
  let t: TestApp;
  const sockets = new Set<Socket>();
  // A mail server that accepts connections and never answers.
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  before(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    t = await createTestApp({
      demo: true,
      // Short timeouts: the mail fails soon after the test, in the background.
      config: {
        ...testConfig,
        smtpUrl: `smtp://127.0.0.1:${port}/?greetingTimeout=1000&connectionTimeout=1000`,
      },
    });
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await t.close();
  });

  test('the answer does not wait for the mail: the same page comes back while the mail server has not answered', async () => {
    const mailsTo = (email: string) =>
      t.db.db.selectFrom('mail_outbox').select('status').where('recipient', '=', email).execute();
    const ask = async (email: string) => {
      const c = new Client(t.app);
      await c.get('/mot-de-passe-oublie');
      return c.post('/mot-de-passe-oublie', { email });
    };
    const unknown = await ask('personne@example.org');
    const known = await ask(coordination.email);
    assert.equal(known.statusCode, 200);
    assert.equal(h1(known.body), h1(unknown.body), 'the same page whether the account exists or not');
    // The outcome of a mail is written once the mail server has answered or failed: the silent
    // server never answers, so nothing is written yet when the page has come back.
    assert.deepEqual(await mailsTo(coordination.email), [], 'the page came back before the mail was sent');
    // The mail was really attempted, in the background: it fails once the server's timeout passes.
    while ((await mailsTo(coordination.email)).length === 0) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await mailsTo(coordination.email), [{ status: 'failed' }]);
  });
});
