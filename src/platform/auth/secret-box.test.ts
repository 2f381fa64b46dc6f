import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp, testConfig, totpCode } from '../../../test/helpers/app.ts';
import { type CliDatabase, openCliDatabase } from '../../../test/helpers/cli.ts';
import { DEMO_ACCOUNTS } from '../../modules/comptes/index.ts';
import { createInvitation } from './invitations.ts';
import { resealStoredSecrets } from './reseal.ts';
import { useSecretKeys } from './secret-box.ts';

/** Stored secrets (TOTP seeds, cookie secret) are sealed with RELAIS_SECRET_KEY, not kept in clear. */

const newKey = () => randomBytes(32).toString('base64');
const keyA = newKey();
const keyB = newKey();
const SEALED = /^enc1\.[\w-]{8}\.[\w-]+\.[\w-]+$/;
const keyIdOf = (stored: string | null | undefined) => stored?.split('.')[1];

describe('sealed secrets', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      demo: true,
      config: { ...testConfig, secretKeys: { current: keyA, previous: [] } },
    });
  });
  after(() => t.close());

  const storedSeed = async (email: string) =>
    (
      await t.db.db
        .selectFrom('app_user')
        .select('totp_secret')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).totp_secret;

  test('a TOTP seed enrolled through the pages and the cookie secret are stored sealed', async () => {
    const { id: collectiviteId } = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', '69266')
      .executeTakeFirstOrThrow();
    const invited = await createInvitation(t.db.db, {
      email: 'scellee@example.org',
      name: 'Scellée',
      membership: { role: 'mediateur', collectiviteId },
      invitedBy: null,
    });
    assert.ok(invited.ok);
    const c = new Client(t.app);
    await c.get(`/invitation/${invited.token}`);
    const password = 'cheval agrafe batterie';
    await c.post(`/invitation/${invited.token}`, { password, confirmation: password });
    const enrol = await c.get('/connexion/activer');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replace(/ /g, '');
    assert.ok(secret);
    const pending = await t.db.db.selectFrom('pending_signin').select('enrol_secret').execute();
    assert.ok(
      pending.length > 0 && pending.every((p) => p.enrol_secret === null || SEALED.test(p.enrol_secret)),
    );
    assert.equal((await c.post('/connexion/activer', { code: await totpCode(secret) })).statusCode, 200);

    const stored = await storedSeed('scellee@example.org');
    assert.match(stored ?? '', SEALED);
    assert.ok(!stored?.includes(secret));
    const cookieSecret = await t.db.db
      .selectFrom('platform_setting')
      .select('value')
      .where('key', '=', 'cookie_secret')
      .executeTakeFirstOrThrow();
    assert.match(cookieSecret.value, SEALED);

    // The sealed seed still signs in.
    const again = new Client(t.app);
    assert.equal((await again.signIn('scellee@example.org', password, secret)).statusCode, 303);
  });

  test('a seed stored in clear before the key keeps working and is sealed on its next use', async () => {
    const person = DEMO_ACCOUNTS[2];
    assert.equal(await storedSeed(person.email), person.totpSecret, 'seeded before the key was set');
    assert.equal((await new Client(t.app).signIn(person.email)).statusCode, 303);
    assert.match((await storedSeed(person.email)) ?? '', SEALED);
  });

  test('rotation: the previous key still opens, and resealing moves every secret to the new key', async () => {
    const person = DEMO_ACCOUNTS[2];
    const idA = keyIdOf(await storedSeed(person.email));
    useSecretKeys(t.db.db, { current: keyB, previous: [keyA] });
    try {
      assert.equal((await new Client(t.app).signIn(person.email)).statusCode, 303);
      const idB = keyIdOf(await storedSeed(person.email));
      assert.notEqual(idB, idA, 'sealed again under the new key on use');
      const count = await resealStoredSecrets(t.db.db);
      assert.ok(count.totpSecrets >= 1 && count.settings === 1, JSON.stringify(count));
      const seeds = await t.db.db.selectFrom('app_user').select('totp_secret').execute();
      assert.ok(seeds.every((s) => s.totp_secret === null || keyIdOf(s.totp_secret) === idB));
      // The old key can go now.
      useSecretKeys(t.db.db, { current: keyB, previous: [] });
      assert.equal((await new Client(t.app).signIn(DEMO_ACCOUNTS[1].email)).statusCode, 303);
    } finally {
      useSecretKeys(t.db.db, { current: keyA, previous: [keyB] });
    }
  });
});

describe('secret key on the command line', () => {
  let cli: CliDatabase;
  before(async () => {
    cli = await openCliDatabase();
  });
  after(() => cli.close());

  test('production refuses to open the database without RELAIS_SECRET_KEY', async () => {
    const refused = await cli.run(['migrate'], { NODE_ENV: 'production' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /RELAIS_SECRET_KEY : manquante, obligatoire en production/);
  });

  test('`secrets reseal` seals under the new key what the previous one sealed', async () => {
    const env = { NODE_ENV: 'test' };
    assert.equal((await cli.run(['seed'], { ...env, RELAIS_SECRET_KEY: keyA })).code, 0);
    // Sealed under A: the new key alone cannot open them.
    const unknownKey = await cli.run(['secrets', 'reseal'], { ...env, RELAIS_SECRET_KEY: keyB });
    assert.equal(unknownKey.code, 1);
    assert.match(unknownKey.stderr, /chiffré avec une clé inconnue/);
    const rotated = { ...env, RELAIS_SECRET_KEY: keyB, RELAIS_SECRET_KEY_PREVIOUS: keyA };
    const first = await cli.run(['secrets', 'reseal'], rotated);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Secrets rechiffrés : ${DEMO_ACCOUNTS.length} graine\\(s\\) TOTP`));
    const second = await cli.run(['secrets', 'reseal'], { ...env, RELAIS_SECRET_KEY: keyB });
    assert.match(second.stdout, /Secrets rechiffrés : 0 graine\(s\) TOTP/);
  });
});
