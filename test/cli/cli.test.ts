import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CliDatabase, openCliDatabase, spawnRelais } from '../helpers/cli.ts';

describe('command line', () => {
  let cli: CliDatabase;
  before(async () => {
    cli = await openCliDatabase();
  });
  after(() => cli.close());

  const members = async () =>
    JSON.parse((await cli.run(['collectivite', 'list', '--json'])).stdout) as {
      code: string;
      name: string;
    }[];

  test('--help lists every command, and each command has its own help', async () => {
    const help = await cli.run(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['serve', 'migrate', 'seed', 'collectivite', 'user'])
      assert.match(help.stdout, new RegExp(`\\n  ${command}\\b`));
    const add = await cli.run(['collectivite', 'add', '--help']);
    assert.equal(add.code, 0);
    assert.match(add.stdout, /code INSEE de la commune/);
  });

  test('an unknown command or a missing argument fails with a non-zero code', async () => {
    const unknown = await cli.run(['frobnicate']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const missing = await cli.run(['collectivite', 'add']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /missing required argument 'code'/);
  });

  // A real process: what a shell sees of the binary, its exit code included.
  test('a bad environment variable is named, and nothing starts', async () => {
    const res = await spawnRelais(['migrate'], { PORT: 'abc', DATABASE_URL: 'mysql://nope' });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /PORT : doit être un nombre entier/);
    assert.match(res.stderr, /DATABASE_URL : doit être une URL postgres/);
  });

  test('migrate reports an up-to-date database', async () => {
    const res = await cli.run(['migrate']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Base à jour/);
  });

  test('collectivite add refuses an unknown code with its reason and adds nothing', async () => {
    const res = await cli.run(['collectivite', 'add', '99999']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Erreur : Aucune commune n’a le code INSEE 99999/);
    assert.deepEqual(await members(), []);
  });

  test('collectivite add and list', async () => {
    const res = await cli.run(['collectivite', 'add', '42218']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Ajoutée : Saint-Étienne \(42218\), Loire/);
    const again = await cli.run(['collectivite', 'add', '42218']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /déjà membre/);
    assert.deepEqual(
      (await members()).map((m) => m.name),
      ['Saint-Étienne'],
    );
    const list = await cli.run(['collectivite', 'list']);
    assert.match(list.stdout, /42218\s+Saint-Étienne/);
  });

  test('seed loads the demo once', async () => {
    const first = await cli.run(['seed']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Données de démonstration chargées/);
    assert.equal((await members()).length, 9);
    const second = await cli.run(['seed']);
    assert.match(second.stdout, /Déjà chargées/);
  });

  test('user add checks the role and the collectivité', async () => {
    const noScope = await cli.run([
      'user',
      'add',
      '--email',
      'x@example.org',
      '--name',
      'X',
      '--role',
      'mediateur',
    ]);
    assert.equal(noScope.code, 1);
    assert.match(noScope.stderr, /indiquez --collectivite/);
    const badRole = await cli.run([
      'user',
      'add',
      '--email',
      'x@example.org',
      '--name',
      'X',
      '--role',
      'roi',
    ]);
    assert.notEqual(badRole.code, 0);
    assert.match(badRole.stderr, /Allowed choices are admin, coordinateur, mediateur, formateur/);
    const ok = await cli.run([
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
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /Lien d’invitation, à usage unique : http:\/\/127\.0\.0\.1:3000\/invitation\/[\w-]{43}/,
    );
    const list = await cli.run(['user', 'list']);
    assert.match(list.stdout, /med@example\.org\s+invited\s+mediateur/);
  });

  test('audit verify checks the journal chain', async () => {
    const res = await cli.run(['audit', 'verify']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Journal intact : \d+ entrée\(s\) vérifiée\(s\)/);
  });
});
