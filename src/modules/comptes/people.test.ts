import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp, totpCode } from '../../../test/helpers/app.ts';
import { DEMO_ACCOUNTS } from './index.ts';

const [admin, coordinator, mediator] = DEMO_ACCOUNTS;

describe('people administration, re-authentication and sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  const userId = async (email: string) =>
    (await t.db.db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow())
      .id;
  const collectiviteId = async (code: string) =>
    (await t.db.db.selectFrom('collectivite').select('id').where('code', '=', code).executeTakeFirstOrThrow())
      .id;

  test('a coordinator invites into their collectivité only, and never an administrator', async () => {
    const c = new Client(t.app);
    await c.signIn(coordinator.email);
    const page = await c.get('/admin/personnes');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Mehdi Médiateur/);
    assert.doesNotMatch(page.body, /Alice Administratrice/);
    assert.doesNotMatch(page.body, /<option value="admin"/);

    const villeurbanne = String(await collectiviteId('69266'));
    const bron = String(await collectiviteId('69029'));
    const asAdmin = await c.post('/admin/personnes', {
      name: 'X',
      email: 'x@example.org',
      role: 'admin',
      collectiviteId: '',
    });
    assert.equal(asAdmin.statusCode, 403);
    await c.get('/admin/personnes');
    const foreign = await c.post('/admin/personnes', {
      name: 'Y',
      email: 'y@example.org',
      role: 'mediateur',
      collectiviteId: bron,
    });
    assert.equal(foreign.statusCode, 403);
    await c.get('/admin/personnes');
    const bad = await c.post('/admin/personnes', {
      name: '',
      email: 'pas-un-mail',
      role: 'mediateur',
      collectiviteId: villeurbanne,
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Saisissez le prénom et le nom/);
    assert.match(bad.body, /adresse e-mail valide/);
    await c.get('/admin/personnes');
    const ok = await c.post('/admin/personnes', {
      name: 'Zoé Zèbre',
      email: 'zoe@example.org',
      role: 'mediateur',
      collectiviteId: villeurbanne,
    });
    assert.equal(ok.statusCode, 303);
    const mail = await t.db.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', 'zoe@example.org')
      .executeTakeFirstOrThrow();
    assert.match(mail.body ?? '', /\/invitation\/[\w-]{43}/);
    const invited = await t.db.db
      .selectFrom('app_user')
      .select('status')
      .where('email', '=', 'zoe@example.org')
      .executeTakeFirstOrThrow();
    assert.equal(invited.status, 'invited');
  });

  test('a coordinator cannot give themselves the administrator role', async () => {
    const c = new Client(t.app);
    await c.signIn(coordinator.email);
    const self = await userId(coordinator.email);
    await c.get(`/admin/personnes/${self}`);
    const res = await c.post(`/admin/personnes/${self}/role`, {
      role: 'admin',
      collectiviteId: String(await collectiviteId('69266')),
    });
    assert.ok([400, 403].includes(res.statusCode), String(res.statusCode));
    const roles = await t.db.db.selectFrom('membership').select('role').where('user_id', '=', self).execute();
    assert.deepEqual(
      roles.map((r) => r.role),
      ['coordinateur'],
    );
  });

  test('changing a role ends the person’s sessions; deactivation locks them out until reactivated', async () => {
    const m = new Client(t.app);
    await m.signIn(mediator.email);
    assert.equal((await m.get('/espace')).statusCode, 200);

    const c = new Client(t.app);
    await c.signIn(coordinator.email);
    const target = await userId(mediator.email);
    await c.get(`/admin/personnes/${target}`);
    const changed = await c.post(`/admin/personnes/${target}/role`, {
      role: 'formateur',
      collectiviteId: String(await collectiviteId('69266')),
    });
    assert.equal(changed.statusCode, 303);
    assert.equal((await m.get('/espace')).statusCode, 302, 'the old session no longer works');

    await c.get(`/admin/personnes/${target}`);
    assert.equal(
      (await c.post(`/admin/personnes/${target}/statut`, { action: 'desactiver' })).statusCode,
      303,
    );
    const refused = await new Client(t.app).signIn(mediator.email);
    assert.equal(refused.statusCode, 401);
    await c.get(`/admin/personnes/${target}`);
    assert.equal(
      (await c.post(`/admin/personnes/${target}/statut`, { action: 'reactiver' })).statusCode,
      303,
    );
    const back = await new Client(t.app).signIn(mediator.email);
    assert.equal(back.statusCode, 303);
    const actions = await t.db.db
      .selectFrom('audit_event')
      .select('action')
      .where('subject_id', '=', target)
      .execute();
    for (const a of ['user.role', 'user.deactivate', 'user.reactivate'])
      assert.ok(
        actions.some((e) => e.action === a),
        a,
      );
  });

  test('resetting someone’s second factor asks the administrator for a fresh code first', async () => {
    const a = new Client(t.app);
    await a.signIn(admin.email);
    const target = await userId(mediator.email);
    await a.get(`/admin/personnes/${target}`);
    const first = await a.post(`/admin/personnes/${target}/totp`, { confirm: 'oui' });
    assert.equal(first.statusCode, 303);
    assert.equal(
      first.headers.location,
      `/connexion/confirmer?retour=${encodeURIComponent(`/admin/personnes/${target}`)}`,
    );

    await a.get(first.headers.location as string);
    const wrong = await a.post('/connexion/confirmer', {
      code: '000000',
      retour: `/admin/personnes/${target}`,
    });
    assert.equal(wrong.statusCode, 401);
    await t.db.db
      .updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', admin.email)
      .execute();
    const confirmed = await a.post('/connexion/confirmer', {
      code: await totpCode(admin.totpSecret),
      retour: `/admin/personnes/${target}`,
    });
    assert.equal(confirmed.headers.location, `/admin/personnes/${target}`);

    await a.get(`/admin/personnes/${target}`);
    const reset = await a.post(`/admin/personnes/${target}/totp`, { confirm: 'oui' });
    assert.equal(reset.headers.location, `/admin/personnes/${target}?ok=totp`);
    const user = await t.db.db
      .selectFrom('app_user')
      .select('totp_secret')
      .where('id', '=', target)
      .executeTakeFirstOrThrow();
    assert.equal(user.totp_secret, null);

    // A coordinator may not reset anyone's second factor.
    const c = new Client(t.app);
    await c.signIn(coordinator.email);
    await c.get(`/admin/personnes/${target}`);
    assert.equal((await c.post(`/admin/personnes/${target}/totp`, { confirm: 'oui' })).statusCode, 403);
  });

  test('a person lists their sessions, closes one, and signs out everywhere', async () => {
    const one = new Client(t.app);
    await one.signIn(admin.email);
    const two = new Client(t.app);
    await two.signIn(admin.email);
    const page = await one.get('/compte/sessions');
    assert.equal(h1(page.body), 'Mes sessions');
    assert.match(page.body, /Cette session/);
    const handles = [...page.body.matchAll(/name="session" value="([0-9a-f]{16})"/g)].map((m) => m[1]!);
    assert.ok(handles.length >= 1);
    for (const handle of handles) await one.post('/compte/sessions/fermer', { session: handle });
    assert.equal((await two.get('/espace')).statusCode, 302, 'the other session ended');
    assert.equal((await one.get('/espace')).statusCode, 200, 'this one goes on');

    const unknown = await one.post('/compte/sessions/fermer', { session: '0123456789abcdef' });
    assert.equal(unknown.statusCode, 400);
    await one.get('/compte/sessions');
    await one.post('/compte/sessions/toutes', { confirm: 'oui' });
    assert.equal((await one.get('/espace')).statusCode, 302);
  });
});
