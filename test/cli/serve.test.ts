import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { freePort, runRelais, startServer } from '../helpers/cli.ts';
import { createTestDataDir, serverUrl } from '../helpers/database.ts';

/**
 * The server process on one embedded data directory, in three starts (each costs a new Node.js
 * process loading the whole app, so the tests share them, in order): the first start with the
 * demo, a production start that a command meets holding the directory, and a restart on the same
 * data once that command has taken over the lock. PGlite only: a PostgreSQL server serves many
 * processes, and the other parts run on both elsewhere (see test/engine-neutral-files.txt).
 */
const SECRET_KEY = 'k'.repeat(32);

describe('the server process on an embedded database', {
  skip: serverUrl ? 'PostgreSQL serves many processes: nothing to lock' : false,
}, () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let port: string;
  before(async () => {
    ({ env, cleanup } = await createTestDataDir());
    port = String(await freePort());
  });
  after(() => cleanup());

  test('serve --demo seeds and publishes its open data on first start, and stops cleanly on SIGTERM', async (t) => {
    const first = await startServer(['--demo'], { ...env, PORT: port });
    t.after(() => first.child.kill('SIGKILL'));
    assert.match(first.output(), new RegExp(`Relais est prêt : http://127\\.0\\.0\\.1:${port}`));
    assert.match(first.output(), /admin@demo\.relais\.example/);
    const home = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Syndicat mixte Numérique Rhône-Loire/);
    // A new instance publishes its open data at once, not at night: the places' files are served.
    let places = 0;
    for (let waited = 0; waited < 60_000 && places !== 200; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      places = (await fetch(`http://127.0.0.1:${port}/donnees/lieux-mediation-numerique.csv`)).status;
    }
    assert.equal(places, 200, 'the places dataset published at the first start');
    // Every dataset at once (one run publishes them all), each named by the DCAT catalogue.
    let list = '';
    for (let waited = 0; waited < 30_000; waited += 250) {
      list = await (await fetch(`http://127.0.0.1:${port}/donnees`)).text();
      if (!list.includes('Pas encore disponible')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const titles = [
      ...list.matchAll(/<h2 id="jeu-[^"]+"><a href="\/donnees\/[^"]+">([^<]+)<\/a><\/h2>/g),
    ].map((m) => m[1]!);
    assert.ok(titles.length >= 3, `datasets listed: ${titles.join(', ')}`);
    assert.doesNotMatch(list, /Pas encore disponible/);
    assert.equal(list.match(/Mis à jour le/g)?.length, titles.length, 'each dataset is available');
    const catalogue = JSON.parse(
      await (await fetch(`http://127.0.0.1:${port}/donnees/catalogue.jsonld`)).text(),
    ) as { 'dcat:dataset': { 'dct:title': { '@value': string } }[] };
    assert.deepEqual(
      catalogue['dcat:dataset'].map((d) => d['dct:title']['@value']).sort(),
      titles.map((title) => title.replaceAll('&#39;', "'").replaceAll('&amp;', '&')).sort(),
    );
    first.child.kill('SIGTERM');
    const [code] = await once(first.child, 'exit');
    assert.equal(code, 0);
  });

  test('serve in production warns, on the console and in the log, about each unsafe setting; a command refuses the directory it holds, and takes it once the server is killed', async (t) => {
    const server = await startServer([], {
      ...env,
      PORT: port,
      NODE_ENV: 'production',
      // No scheduled work: the server is killed below without a chance to finish a write.
      RELAIS_JOBS: 'off',
      COOKIE_SECRET: '',
      SMTP_URL: '',
      SMS_PROVIDER: 'dev',
      // Production refuses to start without it; the other secrets are left out to be warned about.
      RELAIS_SECRET_KEY: SECRET_KEY,
      RELAIS_AUDIT_KEY: '',
    });
    t.after(() => server.child.kill('SIGKILL'));
    // The warning goes to standard error, the log and the banner to standard output: the pipes
    // deliver them in any order.
    const complete = () =>
      / {2}- SMTP_URL/.test(server.output()) && /"msg":"unsafe settings"/.test(server.output());
    for (let waited = 0; waited < 10_000 && !complete(); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const output = server.output();
    assert.match(output, /Attention, réglages à revoir \(voir SECURITY\.md\) :/);
    for (const name of [
      'PUBLIC_URL',
      'COOKIE_SECRET',
      'RELAIS_AUDIT_KEY',
      'SMS_PROVIDER=dev',
      'SMTP_URL',
      'RELAIS_BACKUP_DESTINATION',
    ]) {
      assert.match(output, new RegExp(`  - ${name}`), name);
    }
    assert.match(output, /"msg":"unsafe settings"/);

    // The embedded database belongs to the running server: a command refuses it.
    const refused = await runRelais(['token', 'list'], env);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `Erreur : la base embarquée de .* est ouverte par un autre processus Relais \\(pid ${server.child.pid}, « serve »`,
      ),
    );
    assert.equal(refused.stdout, '');
    // The server dies without cleaning up: its lock is stale, and the next command takes over.
    server.child.kill('SIGKILL');
    await once(server.child, 'exit');
    const listed = await runRelais(['token', 'list'], env);
    assert.equal(listed.code, 0, listed.stderr);
  });

  test('once the command has ended, serve --demo starts again on the same data without seeding it twice, and stops cleanly on SIGINT', async (t) => {
    // The production start sealed its generated cookie secret with its key: the same instance.
    const again = await startServer(['--demo'], { ...env, PORT: port, RELAIS_SECRET_KEY: SECRET_KEY });
    t.after(() => again.child.kill('SIGKILL'));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const page = await (await fetch(`http://127.0.0.1:${port}/collectivites`)).text();
    // Still the eight demo communes: the demo was not seeded twice.
    assert.equal(page.match(/<tr><td><a href="\/collectivites\//g)?.length, 8);
    again.child.kill('SIGINT');
    const [code] = await once(again.child, 'exit');
    assert.equal(code, 0);
  });
});
