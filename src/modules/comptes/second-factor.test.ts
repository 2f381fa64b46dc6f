import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp, totpCode } from '../../../test/helpers/app.ts';
import {
  type Account,
  givenAccount,
  givenCollectivite,
  givenCoordinator,
  givenHelper,
} from '../../../test/helpers/builders.ts';
import { createInvitation, INVITATION_TTL_MS } from '../../platform/auth/invitations.ts';

describe('invitation, second factor and lockout', () => {
  let t: TestApp;
  let mediator: Account;
  let coordinator: Account;
  let trainer: Account;
  before(async () => {
    t = await createTestApp();
    const villeurbanne = await givenCollectivite(t, { code: '69266' });
    mediator = await givenHelper(t, { collectivite: villeurbanne });
    coordinator = await givenCoordinator(t, { collectivite: villeurbanne });
    trainer = await givenAccount(t, {
      memberships: [{ role: 'formateur', collectiviteId: villeurbanne.id }],
    });
  });
  after(() => t.close());

  const invite = async (email: string, now?: Date) => {
    const villeurbanne = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', '69266')
      .executeTakeFirstOrThrow();
    const result = await createInvitation(
      t.db.db,
      {
        email,
        name: 'Nina Nouvelle',
        membership: { role: 'mediateur', collectiviteId: villeurbanne.id },
        invitedBy: null,
      },
      now,
    );
    assert.ok(result.ok);
    return result.token;
  };

  test('an invited person chooses a password, enrols a TOTP app, and gets ten recovery codes', async () => {
    const token = await invite('nina@example.org');
    const c = new Client(t.app);
    const page = await c.get(`/invitation/${token}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /nina@example\.org/);

    const weak = await c.post(`/invitation/${token}`, {
      password: 'motdepasse123',
      confirmation: 'motdepasse123',
    });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /trop courant/);
    const short = await c.post(`/invitation/${token}`, { password: 'court', confirmation: 'court' });
    assert.match(short.body, /au moins 12 caractères/);
    const mismatch = await c.post(`/invitation/${token}`, {
      password: 'cheval agrafe batterie',
      confirmation: 'cheval agrafe',
    });
    assert.match(mismatch.body, /ne sont pas identiques/);

    const ok = await c.post(`/invitation/${token}`, {
      password: 'cheval agrafe batterie',
      confirmation: 'cheval agrafe batterie',
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/connexion/activer');
    // No session before the second factor.
    assert.equal((await c.get('/espace')).statusCode, 302);

    const enrol = await c.get('/connexion/activer');
    assert.equal(h1(enrol.body), 'Activer la double authentification');
    assert.match(enrol.body, /<svg[^>]*>/);
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replace(/ /g, '');
    assert.ok(secret);
    const wrong = await c.post('/connexion/activer', { code: '000000' });
    assert.equal(wrong.statusCode, 400);
    const done = await c.post('/connexion/activer', { code: await totpCode(secret) });
    assert.equal(done.statusCode, 200);
    assert.equal(h1(done.body), 'Vos codes de secours');
    const codes = [
      ...done.body.matchAll(/<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/code><\/li>/g),
    ].map((m) => m[1]);
    assert.equal(new Set(codes).size, 10);
    // The same codes can be downloaded as a text file (the page is their only showing).
    const file =
      /href="data:text\/plain;charset=utf-8,([^"]+)"\s+download="relais-codes-de-secours\.txt"/.exec(
        done.body,
      );
    assert.ok(file, 'a download link');
    const text = decodeURIComponent(file[1]!);
    for (const code of codes) assert.ok(text.includes(`\r\n${code}\r\n`), `${code} in the file`);
    assert.equal((await c.get('/espace')).statusCode, 200);
    // The journal names the person as the actor of each step, not « anonyme ».
    const nina = await t.db.db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'nina@example.org')
      .executeTakeFirstOrThrow();
    const steps = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'actor_label'])
      .where('subject_id', '=', nina.id)
      .where('action', 'in', ['auth.invitation.accepted', 'auth.totp.enrolled', 'auth.signin.success'])
      .execute();
    assert.deepEqual(steps.map((s) => s.action).sort(), [
      'auth.invitation.accepted',
      'auth.signin.success',
      'auth.totp.enrolled',
    ]);
    for (const step of steps) assert.equal(step.actor_label, 'nina@example.org', step.action);

    // The link is single-use.
    const again = await new Client(t.app).get(`/invitation/${token}`);
    assert.equal(again.statusCode, 410);

    // A recovery code signs in once, not twice.
    const r = new Client(t.app);
    await r.get('/connexion');
    await r.post('/connexion', { email: 'nina@example.org', password: 'cheval agrafe batterie' });
    await r.get('/connexion/code');
    assert.equal((await r.post('/connexion/code', { code: codes[0]! })).statusCode, 303);
    const r2 = new Client(t.app);
    await r2.get('/connexion');
    await r2.post('/connexion', { email: 'nina@example.org', password: 'cheval agrafe batterie' });
    await r2.get('/connexion/code');
    assert.equal((await r2.post('/connexion/code', { code: codes[0]! })).statusCode, 401);
  });

  test('an expired invitation is refused', async () => {
    const token = await invite('late@example.org', new Date(Date.now() - INVITATION_TTL_MS - 1000));
    assert.equal((await new Client(t.app).get(`/invitation/${token}`)).statusCode, 410);
  });

  test('a TOTP code is accepted once: replaying it fails', async () => {
    const code = await totpCode(mediator.totpSecret);
    await t.db.db
      .updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', mediator.email)
      .execute();
    const first = new Client(t.app);
    await first.get('/connexion');
    await first.post('/connexion', { email: mediator.email, password: mediator.password });
    await first.get('/connexion/code');
    assert.equal((await first.post('/connexion/code', { code })).statusCode, 303);

    const replay = new Client(t.app);
    await replay.get('/connexion');
    await replay.post('/connexion', { email: mediator.email, password: mediator.password });
    await replay.get('/connexion/code');
    const refused = await replay.post('/connexion/code', { code });
    assert.equal(refused.statusCode, 401);
    assert.match(refused.body, /Ce code n’est pas valable/);
    assert.equal((await replay.get('/espace')).statusCode, 302);
  });

  test('five wrong codes end the pending sign-in', async () => {
    const c = new Client(t.app);
    await c.get('/connexion');
    await c.post('/connexion', { email: coordinator.email, password: coordinator.password });
    let last = await c.get('/connexion/code');
    for (let i = 0; i < 5; i++) last = await c.post('/connexion/code', { code: '123456' });
    assert.equal(h1(last.body), 'Connexion expirée');
    assert.equal((await c.get('/connexion/code')).headers.location, '/connexion');
  });

  test('repeated wrong passwords lock that address out, even against the right one, and the owner is told', async () => {
    const email = trainer.email;
    for (let i = 0; i < 5; i++) {
      const c = new Client(t.app, { ip: '192.0.2.10' });
      await c.get('/connexion');
      await c.post('/connexion', { email, password: `mauvais-${i}` });
    }
    const c = new Client(t.app, { ip: '192.0.2.10' });
    await c.get('/connexion');
    const right = await c.post('/connexion', { email, password: trainer.password });
    assert.equal(right.statusCode, 401);
    assert.match(right.body, /L’adresse e-mail ou le mot de passe est incorrect/);
    const mail = await t.db.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', email)
      .executeTakeFirst();
    assert.match(mail?.subject ?? '', /bloqué/);
    const journal = await t.db.db
      .selectFrom('audit_event')
      .select('details')
      .where('action', '=', 'auth.lockout')
      .execute();
    assert.equal(journal.filter((e) => e.details.kind === 'password').length, 1);
  });
});
