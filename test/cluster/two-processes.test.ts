import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { generate } from 'otplib';
import { DEMO_HELPER_EMAIL } from '../../src/modules/activites/index.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { verifyChain } from '../../src/platform/audit/journal.ts';
import { createToken, listTokens, revokeToken } from '../../src/platform/auth/tokens.ts';
import { buildApp, freePort, runRelais, spawnUntilReady } from '../helpers/cli.ts';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/database.ts';

/**
 * Two `serve` processes on one PostgreSQL database behave as one: what the deployment example
 * (deploy/) runs, started the way its service unit starts it, with the settings its environment
 * file names. Requests alternate between the two processes.
 */

/** The unit's command line, after the program (`node`): run from the unit's working directory. */
function unitCommand(): { args: string[]; portVariable: string } {
  const unit = readFileSync('deploy/relais@.service', 'utf8');
  const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
  assert.equal(execStart[0], '/opt/relais/node_modules/.bin/node', 'the unit runs the pinned Node.js');
  assert.match(unit, /^WorkingDirectory=\/opt\/relais$/m);
  assert.match(unit, /^Environment=PORT=%i$/m, 'the instance name is the port');
  return { args: execStart.slice(1), portVariable: 'PORT' };
}

/** The variables of the example environment file, with their example values. */
function exampleEnvironment(): Record<string, string> {
  const lines = readFileSync('deploy/relais.env.example', 'utf8').split('\n');
  return Object.fromEntries(
    lines
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

type Server = { child: ChildProcess; url: string; output: () => string };

/** What the unit gives a process: its environment file's settings, nothing of the test's own. */
const unitEnvironment = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  ...env,
});

async function startProcess(args: string[], env: Record<string, string>): Promise<Server> {
  const server = await spawnUntilReady(args, unitEnvironment(env));
  return { ...server, url: `http://127.0.0.1:${env.PORT}` };
}

/** A person's browser: keeps its cookies, whichever process answers. */
class Browser {
  cookies = new Map<string, string>();
  csrf = '';

  async request(server: Server, path: string, init: { form?: Record<string, string>; ip?: string } = {}) {
    const headers: Record<string, string> = {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      // Through the proxy, which TRUST_PROXY names: this is the client's address.
      'x-forwarded-for': init.ip ?? '192.0.2.10',
    };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${server.url}${path}`, {
      method: init.form ? 'POST' : 'GET',
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, location: response.headers.get('location'), body };
  }

  post(server: Server, path: string, fields: Record<string, string>, ip?: string) {
    return this.request(server, path, { form: { _csrf: this.csrf, ...fields }, ip });
  }
}

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, seconds: number) => {
  let value = await read();
  for (let waited = 0; !done(value) && waited < seconds * 1000; waited += 250) {
    await sleep(250);
    value = await read();
  }
  return value;
};

describe('two app processes on one PostgreSQL database', {
  skip: serverUrl ? false : 'PostgreSQL only: PGlite serves one process',
}, () => {
  let database: TestDatabase;
  let a: Server;
  let b: Server;
  const admin = DEMO_ACCOUNTS.find((account) => account.role === 'admin')!;
  const auditKey = 'cle-du-journal-des-tests-de-grappe-0123456789';
  /** The processes' environment: the example file's, with this test's database and secrets. */
  let env: Record<string, string> = {};

  before(async () => {
    // What the deployment runs: the build of the sources (`npm run build`).
    await buildApp();
    database = await createTestDatabase({ demo: true });
    const { args, portVariable } = unitCommand();
    const example = exampleEnvironment();
    const settings: Record<string, string> = {
      DATABASE_URL: database.env.DATABASE_URL!,
      DATABASE_REPLICA_URL: '',
      COOKIE_SECRET: 'secret-des-cookies-des-tests-de-grappe-0123456789',
      RELAIS_SECRET_KEY: 'cle-des-secrets-des-tests-de-grappe-0123456789',
      RELAIS_AUDIT_KEY: auditKey,
      METRICS_TOKEN: 'jeton-des-metriques-des-tests',
      // Mail stays in the outbox, SMS in the development outbox, the log says only what is wrong.
      SMTP_URL: '',
      SMS_PROVIDER: 'dev',
      LOG_LEVEL: 'warn',
      // The open data follows a change after 2 seconds instead of two minutes.
      RELAIS_SIGNAL_DELAY: '2',
    };
    for (const name of Object.keys(settings))
      assert.ok(name in example, `${name} is in deploy/relais.env.example`);
    env = { ...example, ...settings };
    const [portA, portB] = [String(await freePort()), String(await freePort())];
    // Started together, as systemd starts both instances at boot.
    [a, b] = await Promise.all([
      startProcess(args, { ...env, [portVariable]: portA }),
      startProcess(args, { ...env, [portVariable]: portB }),
    ]);
  });

  after(async () => {
    for (const server of [a, b]) {
      if (!server || server.child.exitCode !== null) continue;
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    await database?.close();
  });

  test('a session and a CSRF token from one process are accepted by the other', async () => {
    const browser = new Browser();
    await browser.request(a, '/connexion');
    const password = await browser.post(b, '/connexion', { email: admin.email, password: DEMO_PASSWORD });
    assert.equal(password.status, 303, password.body);
    assert.equal(password.location, '/connexion/code');
    await browser.request(a, '/connexion/code');
    const code = await browser.post(b, '/connexion/code', {
      code: await generate({ secret: admin.totpSecret }),
    });
    assert.equal(code.status, 303, code.body);
    const space = await browser.request(a, '/espace');
    assert.equal(space.status, 200);
    assert.match(space.body, /Se déconnecter/);
    const other = await browser.request(b, '/espace');
    assert.equal(other.status, 200);
    // A form whose token is not the one of this browser's CSRF cookie is refused by either.
    const forged = await browser.post(b, '/admin/territoire/opsn', {
      _csrf: 'faux',
      name: 'X',
      shortName: 'X',
    });
    assert.equal(forged.status, 403);
  });

  test('a setting changed through one process shows at once on the other', async () => {
    const browser = new Browser();
    await browser.request(a, '/connexion');
    await browser.post(a, '/connexion', { email: admin.email, password: DEMO_PASSWORD });
    // The code of the previous test may not be used twice: wait for the next 30-second step.
    await database.db
      .updateTable('app_user')
      .set({ totp_last_step: null })
      .where('email', '=', admin.email)
      .execute();
    await browser.request(a, '/connexion/code');
    await browser.post(a, '/connexion/code', { code: await generate({ secret: admin.totpSecret }) });

    // Process B keeps the OPSN's identity in memory, for every page.
    const home = await browser.request(b, '/');
    assert.match(home.body, /Syndicat mixte Numérique Rhône-Loire/);
    await browser.request(a, '/admin/territoire');
    const saved = await browser.post(a, '/admin/territoire/opsn', {
      name: 'Syndicat Numérique des Monts du Lyonnais',
      shortName: 'SNML',
    });
    assert.equal(saved.status, 303, saved.body);
    // B hears of the change within milliseconds, well before its copy would expire (5 s).
    const seen = await waitFor(
      async () => (await browser.request(b, '/')).body,
      (body) => body.includes('Syndicat Numérique des Monts du Lyonnais'),
      1,
    );
    assert.match(seen, /Syndicat Numérique des Monts du Lyonnais/);
  });

  test('a rate limit counts the requests made to both processes', async () => {
    const browser = new Browser();
    const statuses: number[] = [];
    // The sign-in form allows ten attempts a minute per address.
    for (let i = 0; i < 12; i++) {
      const response = await browser.post(
        i % 2 ? b : a,
        '/connexion',
        { email: 'x@exemple.fr', password: 'x' },
        '198.51.100.77',
      );
      statuses.push(response.status);
    }
    assert.ok(
      statuses.slice(0, 10).every((s) => s !== 429),
      statuses.join(' '),
    );
    assert.deepEqual(statuses.slice(10), [429, 429], statuses.join(' '));
  });

  test('an API token revoked, or whose person loses the role, is refused at once by both processes', async () => {
    const helper = await database.db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', DEMO_HELPER_EMAIL)
      .executeTakeFirstOrThrow();
    const list = (server: Server, token: string) =>
      fetch(`${server.url}/api/v1/activites`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '192.0.2.40' },
      }).then((response) => response.status);
    const token = await createToken(database.db, helper.id, 'grappe');
    // Both processes have used it (a process that kept it would answer from memory next).
    for (let i = 0; i < 3; i++) assert.deepEqual([await list(a, token), await list(b, token)], [200, 200]);
    const { id } = (await listTokens(database.db, helper.id)).find((t) => t.name === 'grappe')!;
    assert.ok(await revokeToken(database.db, id));
    // No wait: the very next request to either process is refused.
    assert.deepEqual([await list(b, token), await list(a, token)], [401, 401]);

    const other = await createToken(database.db, helper.id, 'grappe-2');
    assert.deepEqual([await list(a, other), await list(b, other)], [200, 200]);
    const roles = await database.db
      .selectFrom('membership')
      .selectAll()
      .where('user_id', '=', helper.id)
      .execute();
    await database.db
      .updateTable('membership')
      .set({ role: 'formateur' })
      .where('user_id', '=', helper.id)
      .execute();
    try {
      assert.deepEqual([await list(b, other), await list(a, other)], [403, 403]);
    } finally {
      await database.db.deleteFrom('membership').where('user_id', '=', helper.id).execute();
      await database.db.insertInto('membership').values(roles).execute();
    }
  });

  test('the jobs both schedulers queue at the first start run once, in one process', async () => {
    const firstStart = ['taches.analyse', 'donnees.publication'];
    const runs = await waitFor(
      () =>
        database.db
          .selectFrom('job_run')
          .select(['name', 'finished_at', 'ok'])
          .where('name', 'in', firstStart)
          .execute(),
      (rows) => rows.length >= firstStart.length && rows.every((r) => r.finished_at !== null),
      90,
    );
    assert.deepEqual(runs.map((r) => r.name).sort(), [...firstStart].sort(), JSON.stringify(runs));
    assert.ok(
      runs.every((r) => r.ok),
      JSON.stringify(runs),
    );
    // Queued once: no second run waits in the queue for after the first.
    const { rows } = await sql<{ name: string; n: number }>`
      select name, count(*)::int as n from pgboss.job where name in (${sql.join(firstStart)}) group by name`.execute(
      database.db,
    );
    assert.deepEqual(
      Object.fromEntries(rows.map((r) => [r.name, r.n])),
      Object.fromEntries(firstStart.map((name) => [name, 1])),
    );
  });

  test('places imported by another process are published in the open data once, by one of the servers', async () => {
    const publications = () =>
      database.db
        .selectFrom('job_run')
        .select(['finished_at', 'ok', 'started_by'])
        .where('name', '=', 'donnees.publication')
        .orderBy('started_at')
        .execute();
    // The first start's publication has run (previous test): what follows is the change's.
    const before = await publications();
    assert.ok(before.length > 0 && before.every((r) => r.finished_at !== null), JSON.stringify(before));
    const dir = mkdtempSync(path.join(tmpdir(), 'relais-grappe-'));
    try {
      // Two imports from the command line (a third process) within the delay: one run.
      for (const id of ['grappe-1', 'grappe-2']) {
        const file = path.join(dir, `${id}.csv`);
        writeFileSync(
          file,
          'id,pivot,nom,adresse,code_postal,commune,date_maj\n' +
            `${id},00000000000000,Espace ${id},1 place Lazare-Goujon,69100,Villeurbanne,2026-11-01\n`,
        );
        const imported = await runRelais(['import', 'lieux', file], {
          DATABASE_URL: database.env.DATABASE_URL!,
        });
        assert.equal(imported.code, 0, imported.stdout + imported.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The scheduler looks for due signals every 15 seconds.
    const after = await waitFor(
      publications,
      (rows) => rows.length > before.length && rows.every((r) => r.finished_at !== null),
      60,
    );
    assert.equal(after.length, before.length + 1, JSON.stringify(after));
    assert.ok(after.at(-1)?.ok, JSON.stringify(after.at(-1)));
    const csv = await (await fetch(`${b.url}/donnees/lieux-mediation-numerique.csv`)).text();
    for (const name of ['Espace grappe-1', 'Espace grappe-2']) assert.ok(csv.includes(name), name);
    // Nothing else waits: the two changes made that one run.
    await sleep(3_000);
    assert.equal((await publications()).length, after.length);
    assert.deepEqual(await database.db.selectFrom('job_signal').selectAll().execute(), []);
  });

  test('both processes seal the journal, one at a time: one chain, signed, without a fork', async () => {
    const unsealed = await waitFor(
      async () =>
        (
          await database.db
            .selectFrom('audit_event')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('seq', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      (n) => n === 0,
      10,
    );
    assert.equal(unsealed, 0);
    const check = await verifyChain(database.db, { key: auditKey });
    assert.equal(check.ok, true, JSON.stringify(check));
    // The entries of both processes are in it: the sign-ins made through A and through B.
    const signIns = await database.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'like', 'auth.%')
      .execute();
    assert.ok(signIns.length >= 2);
  });

  test('the build runs what the sources run: a command a server starts, and a large import checked in its worker', async () => {
    // How a server starts a command of its own (the restore drill): the build's entry point, no loader.
    const built = pathToFileURL(path.resolve('dist/platform/cli-process.js')).href;
    const { MAIN, runRelaisProcess }: typeof import('../../src/platform/cli-process.ts') = await import(
      built
    );
    assert.equal(MAIN, path.resolve('dist/main.js'));
    const dir = mkdtempSync(path.join(tmpdir(), 'relais-build-'));
    try {
      // Over a megabyte: read and checked in a worker thread, whose file sits beside the import's.
      const rows = Array.from(
        { length: 10_000 },
        (_, i) =>
          `build-${i},00000000000000,Espace numérique build-${i},Villeurbanne,69100,1 place Lazare-Goujon,2024-04-02`,
      );
      const file = path.join(dir, 'lieux.csv');
      writeFileSync(file, `id,pivot,nom,commune,code_postal,adresse,date_maj\n${rows.join('\n')}\n`);
      assert.ok(statSync(file).size > 1024 * 1024, 'large enough for the worker');
      const result = await runRelaisProcess(['import', 'lieux', file], {
        env: unitEnvironment(env),
      });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /créées : 10000\b/);
      const { n } = await database.db
        .selectFrom('lieu')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('nom', 'like', 'Espace numérique build-%')
        .executeTakeFirstOrThrow();
      assert.equal(Number(n), 10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the deployment example starts these processes: its unit and its settings', () => {
    const { args } = unitCommand();
    assert.deepEqual(args, ['--max-semi-space-size=8', '--heap-growing-percent=30', 'dist/main.js', 'serve']);
    const example = exampleEnvironment();
    for (const name of [
      'NODE_ENV',
      'PUBLIC_URL',
      'TRUST_PROXY',
      'DATABASE_URL',
      'COOKIE_SECRET',
      'RELAIS_SECRET_KEY',
      'RELAIS_AUDIT_KEY',
    ])
      assert.ok(name in example, name);
    assert.equal(example.NODE_ENV, 'production');
    // No secret is written in the example: each is generated by whoever deploys.
    for (const name of [
      'COOKIE_SECRET',
      'RELAIS_SECRET_KEY',
      'RELAIS_AUDIT_KEY',
      'METRICS_TOKEN',
      'SMS_PROVIDER_KEY',
      'SMS_CALLBACK_SECRET',
    ])
      assert.equal(example[name], '', name);
    const proxy = readFileSync('deploy/nginx.conf', 'utf8');
    for (const port of ['3001', '3002']) assert.match(proxy, new RegExp(`server 127\\.0\\.0\\.1:${port}`));
    assert.match(proxy, /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  });
});
