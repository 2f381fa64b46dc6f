import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runRelais, spawnRelais } from '../helpers/cli.ts';
import { createTestDataDir } from '../helpers/database.ts';

describe('command line', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ env, cleanup } = await createTestDataDir());
  });
  after(() => cleanup());

  const members = async () =>
    JSON.parse((await runRelais(['collectivite', 'list', '--json'], env)).stdout) as {
      code: string;
      name: string;
    }[];

  // These three run as real processes: what a shell sees, output and exit code included.
  test('--help lists every command, and each command has its own help', async () => {
    const help = await spawnRelais(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['serve', 'migrate', 'seed', 'collectivite', 'user'])
      assert.match(help.stdout, new RegExp(`\\n  ${command}\\b`));
    const add = await runRelais(['collectivite', 'add', '--help']);
    assert.equal(add.code, 0);
    assert.match(add.stdout, /code INSEE de la commune/);
  });

  test('an unknown command or a missing argument fails with a non-zero code', async () => {
    const unknown = await spawnRelais(['frobnicate']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const missing = await runRelais(['collectivite', 'add'], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /missing required argument 'code'/);
  });

  test('a bad environment variable is named, and nothing starts', async () => {
    const res = await spawnRelais(['migrate'], { ...env, PORT: 'abc', DATABASE_URL: 'mysql://nope' });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /PORT : doit être un nombre entier/);
    assert.match(res.stderr, /DATABASE_URL : doit être une URL postgres/);
  });

  test('migrate reports an up-to-date database', async () => {
    const res = await runRelais(['migrate'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Base à jour/);
  });

  test('collectivite add refuses an unknown code with its reason and adds nothing', async () => {
    const res = await runRelais(['collectivite', 'add', '99999'], env);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Erreur : Aucune commune n’a le code INSEE 99999/);
    assert.deepEqual(await members(), []);
  });

  test('collectivite add and list', async () => {
    const res = await runRelais(['collectivite', 'add', '42218'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Ajoutée : Saint-Étienne \(42218\), Loire/);
    const again = await runRelais(['collectivite', 'add', '42218'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /déjà membre/);
    assert.deepEqual(
      (await members()).map((m) => m.name),
      ['Saint-Étienne'],
    );
    const list = await runRelais(['collectivite', 'list'], env);
    assert.match(list.stdout, /42218\s+Saint-Étienne/);
  });

  test('seed loads the demo once', async () => {
    const first = await runRelais(['seed'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Données de démonstration chargées/);
    assert.equal((await members()).length, 9);
    const second = await runRelais(['seed'], env);
    assert.match(second.stdout, /Déjà chargées/);
  });

  test('user add checks the role and the collectivité', async () => {
    const noScope = await runRelais(
      ['user', 'add', '--email', 'x@example.org', '--name', 'X', '--role', 'mediateur'],
      env,
    );
    assert.equal(noScope.code, 1);
    assert.match(noScope.stderr, /indiquez --collectivite/);
    const badRole = await runRelais(
      ['user', 'add', '--email', 'x@example.org', '--name', 'X', '--role', 'roi'],
      env,
    );
    assert.notEqual(badRole.code, 0);
    assert.match(badRole.stderr, /Allowed choices are admin, coordinateur, mediateur, formateur/);
    const ok = await runRelais(
      [
        'user',
        'add',
        '--email',
        'Med@Example.org',
        '--name',
        'Méd',
        '--role',
        'mediateur',
        '--collectivite',
        '42218',
      ],
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /Lien d’invitation, à usage unique : http:\/\/127\.0\.0\.1:3000\/invitation\/[\w-]{43}/,
    );
    const list = await runRelais(['user', 'list'], env);
    assert.match(list.stdout, /med@example\.org\s+invited\s+mediateur/);
  });

  test('audit verify checks the journal chain', async () => {
    const res = await runRelais(['audit', 'verify'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Journal intact : \d+ entrée\(s\) vérifiée\(s\)/);
  });
});
