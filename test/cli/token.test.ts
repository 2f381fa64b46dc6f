import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { testConfig } from '../helpers/app.ts';
import { runRelais } from '../helpers/cli.ts';
import { createTestDataDir } from '../helpers/database.ts';

const admin = DEMO_ACCOUNTS[0];

describe('token commands', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let token = '';
  before(async () => {
    ({ env, cleanup } = await createTestDataDir());
    const seed = await runRelais(['seed'], env);
    assert.equal(seed.code, 0, seed.stderr);
  });
  after(() => cleanup());

  /** Opens the database the commands wrote to, once they have exited (PGlite allows one process). */
  async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
    const handle = await openDatabase(
      env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR! },
    );
    try {
      return await work(handle);
    } finally {
      await handle.close();
    }
  }

  const listIds = async () =>
    (await runRelais(['token', 'list'], env)).stdout.match(/^[0-9a-f-]{36}/gm) ?? [];

  test('token create prints the token once, with a warning; only its hash is stored', async () => {
    const res = await runRelais(
      ['token', 'create', '--email', admin.email, '--name', 'tableau de bord'],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /il ne sera plus jamais affiché/);
    token = /relais_[A-Za-z0-9_-]{43}/.exec(res.stdout)?.[0] ?? '';
    assert.ok(token, res.stdout);

    await withDatabase(async ({ db, kind }) => {
      const stored = await db
        .selectFrom('api_token')
        .select(['name', 'token_hash'])
        .where('token_hash', '=', createHash('sha256').update(token).digest('hex'))
        .executeTakeFirst();
      assert.equal(stored?.name, 'tableau de bord');
      // The app on the same database accepts it.
      const app = await buildApp({ config: testConfig, db, dbKind: kind, logger: createLogger('silent') });
      try {
        const me = await app.inject({ url: '/api/v1/moi', headers: { authorization: `Bearer ${token}` } });
        assert.equal(me.statusCode, 200, me.body);
        assert.equal((me.json() as { email: string }).email, admin.email);
      } finally {
        await app.close();
      }
    });
  });

  test('token list shows the tokens without their value', async () => {
    const res = await runRelais(['token', 'list', '--email', admin.email], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`${admin.email}\\s+actif\\s+tableau de bord`));
    assert.ok(!res.stdout.includes(token));
    const other = await runRelais(['token', 'list', '--email', DEMO_ACCOUNTS[1].email], env);
    assert.match(other.stdout, /Aucun jeton\./);
  });

  test('token revoke revokes once', async () => {
    const [id] = await listIds();
    assert.ok(id);
    const res = await runRelais(['token', 'revoke', id], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /révoqué/);
    assert.match((await runRelais(['token', 'list'], env)).stdout, /\srévoqué\s+tableau de bord/);
    const again = await runRelais(['token', 'revoke', id], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Erreur : Aucun jeton actif n’a l’identifiant/);
  });

  test('an unknown email, an empty name or a bad id: exit 1 with a French message', async () => {
    const unknown = await runRelais(
      ['token', 'create', '--email', 'personne@example.org', '--name', 'x'],
      env,
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Erreur : Aucun compte n’a l’adresse personne@example\.org/);
    assert.equal(unknown.stdout, '');
    const empty = await runRelais(['token', 'create', '--email', admin.email, '--name', '  '], env);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /Le nom du jeton doit compter de 1 à 100 caractères/);
    const badId = await runRelais(['token', 'revoke', 'pas-un-id'], env);
    assert.equal(badId.code, 1);
    assert.match(badId.stderr, /Aucun jeton actif/);
    assert.equal((await listIds()).length, 1, 'nothing was created');
  });
});
