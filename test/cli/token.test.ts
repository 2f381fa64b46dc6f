import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { DEMO_ACCOUNTS } from '../../src/modules/comptes/index.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { testConfig } from '../helpers/app.ts';
import { type CliDatabase, openCliDatabase } from '../helpers/cli.ts';
import { dbKind } from '../helpers/database.ts';

const admin = DEMO_ACCOUNTS[0];

describe('token commands', () => {
  let cli: CliDatabase;
  let token = '';
  before(async () => {
    cli = await openCliDatabase({ demo: true });
  });
  after(() => cli.close());

  const listIds = async () => (await cli.run(['token', 'list'])).stdout.match(/^[0-9a-f-]{36}/gm) ?? [];

  test('token create prints the token once, with a warning; only its hash is stored', async () => {
    const res = await cli.run(['token', 'create', '--email', admin.email, '--name', 'tableau de bord']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /il ne sera plus jamais affiché/);
    token = /relais_[A-Za-z0-9_-]{43}/.exec(res.stdout)?.[0] ?? '';
    assert.ok(token, res.stdout);

    const stored = await cli.db
      .selectFrom('api_token')
      .select(['name', 'token_hash'])
      .where('token_hash', '=', createHash('sha256').update(token).digest('hex'))
      .executeTakeFirst();
    assert.equal(stored?.name, 'tableau de bord');
    // The app on the same database accepts it.
    const app = await buildApp({ config: testConfig, db: cli.db, dbKind, logger: createLogger('silent') });
    try {
      const me = await app.inject({ url: '/api/v1/moi', headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal((me.json() as { email: string }).email, admin.email);
    } finally {
      await app.close();
    }
  });

  test('token list shows the tokens without their value', async () => {
    const res = await cli.run(['token', 'list', '--email', admin.email]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`${admin.email}\\s+actif\\s+tableau de bord`));
    assert.ok(!res.stdout.includes(token));
    const other = await cli.run(['token', 'list', '--email', DEMO_ACCOUNTS[1].email]);
    assert.match(other.stdout, /Aucun jeton\./);
  });

  test('token revoke revokes once', async () => {
    const [id] = await listIds();
    assert.ok(id);
    const res = await cli.run(['token', 'revoke', id]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /révoqué/);
    assert.match((await cli.run(['token', 'list'])).stdout, /\srévoqué\s+tableau de bord/);
    const again = await cli.run(['token', 'revoke', id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Erreur : Aucun jeton actif n’a l’identifiant/);
  });

  test('an unknown email, an empty name or a bad id: exit 1 with a French message', async () => {
    const unknown = await cli.run(['token', 'create', '--email', 'personne@example.org', '--name', 'x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Erreur : Aucun compte n’a l’adresse personne@example\.org/);
    assert.equal(unknown.stdout, '');
    const empty = await cli.run(['token', 'create', '--email', admin.email, '--name', '  ']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /Le nom du jeton doit compter de 1 à 100 caractères/);
    const badId = await cli.run(['token', 'revoke', 'pas-un-id']);
    assert.equal(badId.code, 1);
    assert.match(badId.stderr, /Aucun jeton actif/);
    assert.equal((await listIds()).length, 1, 'nothing was created');
  });
});
