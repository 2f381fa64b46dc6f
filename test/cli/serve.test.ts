import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { freePort, startServer } from '../helpers/cli.ts';
import { createTestDataDir } from '../helpers/database.ts';

let env: Record<string, string>;
let cleanup: () => Promise<void>;
before(async () => {
  ({ env, cleanup } = await createTestDataDir());
});
after(() => cleanup());

test('serve --demo seeds and publishes its open data on first start, stops cleanly on SIGTERM, and starts again on the same data', async (t) => {
  const port = String(await freePort());
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
  first.child.kill('SIGTERM');
  const [code] = await once(first.child, 'exit');
  assert.equal(code, 0);

  const second = await startServer(['--demo'], { ...env, PORT: port });
  t.after(() => second.child.kill('SIGKILL'));
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  const page = await (await fetch(`http://127.0.0.1:${port}/collectivites`)).text();
  // Still the eight demo communes: the demo was not seeded twice.
  assert.equal(page.match(/<tr><td><a href="\/collectivites\//g)?.length, 8);
  second.child.kill('SIGINT');
  const [code2] = await once(second.child, 'exit');
  assert.equal(code2, 0);
});

test('serve in production warns, on the console and in the log, about each unsafe setting', async (t) => {
  const port = String(await freePort());
  const server = await startServer([], {
    ...env,
    PORT: port,
    NODE_ENV: 'production',
    RELAIS_JOBS: 'off',
    COOKIE_SECRET: '',
    SMTP_URL: '',
    SMS_PROVIDER: 'dev',
    // Production refuses to start without it; the other secrets are left out to be warned about.
    RELAIS_SECRET_KEY: 'k'.repeat(32),
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
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
});
