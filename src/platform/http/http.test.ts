import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { dbKind } from '../../../test/helpers/database.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { loadConfig } from '../config.ts';

describe('platform over HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  test('/healthz checks the database and answers JSON', async () => {
    const res = await t.app.inject('/healthz');
    assert.equal(res.statusCode, 200);
    const body = res.json() as {
      status: string;
      database: { status: string; kind: string; latencyMs: number };
    };
    assert.equal(body.status, 'ok');
    assert.equal(body.database.status, 'ok');
    assert.equal(body.database.kind, dbKind);
    assert.equal(typeof body.database.latencyMs, 'number');
  });

  test('/metrics exposes Prometheus metrics, including request durations', async () => {
    await t.app.inject('/');
    const res = await t.app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/plain/);
    assert.match(
      res.body,
      /relais_http_request_duration_seconds_count\{method="GET",route="\/",status="200"\} \d+/,
    );
    assert.match(res.body, /process_cpu_user_seconds_total/);
  });

  test('pages carry a strict Content-Security-Policy without inline script or style', async () => {
    const res = await t.app.inject('/');
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(res.body, /<script|style="/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  test('pages are compressed for clients that accept it', async () => {
    const res = await t.app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers['content-encoding'], 'gzip');
    const html = gunzipSync(res.rawPayload).toString();
    assert.match(html, /<h1>Syndicat mixte/);
    assert.ok(res.rawPayload.length < html.length);
  });

  test('static assets have hashed names and a year of cache; stale names are 404', async () => {
    const home = await t.app.inject('/');
    const css = /href="(\/assets\/relais\.[0-9a-f]{10}\.css)"/.exec(home.body)?.[1];
    assert.ok(css);
    const res = await t.app.inject(css);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/css/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await t.app.inject('/assets/relais.0000000000.css')).statusCode, 404);
    assert.equal((await t.app.inject('/assets/relais.css')).statusCode, 404);
  });

  test('an unexpected error shows a French 500 page with a reference, and no detail', async () => {
    const broken = await createTestApp({
      extend: (app) =>
        app.get('/boom', { config: { access: 'public' } }, async () => {
          throw new Error('secret internal detail');
        }),
    });
    const res = await broken.app.inject('/boom').finally(() => broken.close());
    assert.equal(res.statusCode, 500);
    assert.equal(h1(res.body), 'Une erreur est survenue');
    assert.match(res.body, /Rien n’a été enregistré/);
    assert.doesNotMatch(res.body, /secret internal detail/);
  });

  test('pages for a signed-in person and non-public routes are never stored by a cache', async () => {
    const helper = new Client(t.app);
    await helper.signIn('mediation@demo.relais.example');
    for (const url of [
      '/mandats',
      '/activites',
      '/activites/nouvelle',
      '/beneficiaires',
      '/statistiques',
      '/espace',
      '/',
      '/lieux',
      '/observatoire',
    ]) {
      const res = await helper.get(url);
      assert.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
      assert.equal(res.headers['cache-control'], 'no-store', `${url} as a helper`);
    }
    const admin = new Client(t.app);
    await admin.signIn('admin@demo.relais.example');
    for (const url of ['/admin/journal', '/admin/personnes', '/admin/lieux', '/admin/territoire']) {
      const res = await admin.get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['cache-control'], 'no-store', `${url} as an administrator`);
    }
    // A restricted route refused to an anonymous visitor is not stored either.
    const anonymous = new Client(t.app);
    for (const url of ['/mandats', '/admin/journal', '/beneficiaires']) {
      assert.equal((await anonymous.get(url)).headers['cache-control'], 'no-store', `${url} anonymously`);
    }
    // Public pages keep their own caching; content-addressed assets stay immutable for everybody.
    assert.equal((await anonymous.get('/')).headers['cache-control'], undefined);
    const css = /href="(\/assets\/relais\.[0-9a-f]{10}\.css)"/.exec((await helper.get('/')).body)?.[1];
    assert.ok(css);
    assert.equal((await helper.get(css)).headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  test('a NUL byte anywhere in a request is refused in French with a 400, never a 500', async () => {
    const anonymous = new Client(t.app);
    const helper = new Client(t.app);
    await helper.signIn('mediation@demo.relais.example');
    const admin = new Client(t.app);
    await admin.signIn('admin@demo.relais.example');
    const cases: [Client, string][] = [
      [anonymous, '/lieux?q=%00'],
      [anonymous, '/lieux?q=caf%C3%A9%00'],
      [helper, '/beneficiaires?q=%00'],
      [admin, '/admin/lieux?q=%00'],
      [admin, '/admin/journal?action=%00'],
      [anonymous, '/collectivites/ville%00urbanne'],
    ];
    for (const [client, url] of cases) {
      const res = await client.get(url);
      assert.equal(res.statusCode, 400, url);
      assert.equal(h1(res.body), 'Demande invalide', url);
      assert.match(res.body, /caractère nul/, url);
    }
    const api = await t.app.inject('/api/v1/lieux?q=%00');
    assert.equal(api.statusCode, 400);
    assert.deepEqual(api.json(), {
      error: 'caractere_nul',
      message: 'La demande contient un caractère nul (\\0) : retirez-le et recommencez.',
    });
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/activites',
      payload: { note: 'a\u0000b' },
    });
    assert.equal(json.statusCode, 400);
    // A form: refused before anything reads it.
    await anonymous.get('/connexion');
    const form = await anonymous.post('/connexion', {
      email: 'admin@demo.relais.example\u0000',
      password: 'x',
    });
    assert.equal(form.statusCode, 400);
    assert.match(form.body, /caractère nul/);
  });

  test('every public page is valid HTML in French with exactly one h1', async () => {
    const pages = [
      '/',
      '/collectivites',
      '/collectivites/villeurbanne',
      '/connexion',
      '/accessibilite',
      '/mentions-legales',
      '/donnees-personnelles',
      '/plan-du-site',
      '/introuvable',
    ];
    for (const url of pages) {
      const res = await new Client(t.app).get(url);
      assert.match(res.body, /^<!doctype html><html lang="fr">/, url);
      assert.match(res.body, /<a class="skip-link" href="#contenu">/, url);
      await assertValidHtml(res.body, url);
    }
  });
});

describe('proxies and metrics', () => {
  const proxied = (from: string, forwardedFor: string) => ({
    remoteAddress: '10.0.0.2',
    headers: { 'x-forwarded-for': `${forwardedFor}, ${from}` },
  });
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TRUST_PROXY: '10.0.0.2' }),
    });
  });
  after(() => t.close());

  test('TRUST_PROXY names the proxies: a client writing X-Forwarded-For cannot choose its address', async () => {
    // The verification page allows 20 requests a minute per address: rotating a forged
    // left-most hop must not give a new allowance.
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await t.app.inject({
        url: `/mandats/verifier/${'0'.repeat(64)}`,
        ...proxied('203.0.113.7', `198.51.100.${i}`),
      });
      statuses.push(res.statusCode);
    }
    assert.ok(statuses.includes(429), `rate limited: ${statuses.join(' ')}`);
    // /metrics is not for a client claiming to be the machine itself.
    const metrics = await t.app.inject({ url: '/metrics', ...proxied('203.0.113.7', '127.0.0.1') });
    assert.notEqual(metrics.statusCode, 200);
    // The journal records the address the proxy saw, not the forged one.
    await t.app.inject({
      url: '/api/v1/moi',
      ...proxied('203.0.113.8', '192.0.2.99'),
      headers: { ...proxied('203.0.113.8', '192.0.2.99').headers, authorization: 'Bearer relais_faux' },
    });
    const ips = await t.db.db
      .selectFrom('audit_event')
      .select('ip')
      .where('action', '=', 'auth.token.failure')
      .execute();
    assert.deepEqual(
      ips.map((r) => r.ip),
      ['203.0.113.8'],
    );
  });

  test('TRUST_PROXY=true (every hop) is refused, with what to write instead', () => {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: 'true' }),
      /TRUST_PROXY : doit valoir false ou les adresses des proxys/,
    );
  });

  test('/metrics: only its bearer token once Relais listens beyond loopback', async () => {
    const open = await createTestApp({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '0.0.0.0' }),
    });
    try {
      // No token configured: hidden, even from the machine itself.
      assert.equal((await open.app.inject('/metrics')).statusCode, 404);
    } finally {
      await open.close();
    }
    const token = 'jeton-des-metriques-0123456789';
    const guarded = await createTestApp({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '0.0.0.0', METRICS_TOKEN: token }),
    });
    try {
      assert.equal((await guarded.app.inject('/metrics')).statusCode, 401);
      const wrong = await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer faux' } });
      assert.equal(wrong.statusCode, 401);
      const right = await guarded.app.inject({
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(right.statusCode, 200);
    } finally {
      await guarded.close();
    }
  });
});

describe('uploads', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t.close());

  const multipart = (boundary: string, body: string | Buffer, headers: Record<string, string> = {}) => ({
    method: 'POST' as const,
    payload: body,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
  });

  /** A well-formed multipart body: `_csrf` first, as the forms put it, then a file. */
  function form(csrf: string, file: Buffer): Buffer {
    const head =
      `--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n` +
      '--b\r\nContent-Disposition: form-data; name="fichier"; filename="lieux.csv"\r\nContent-Type: text/csv\r\n\r\n';
    return Buffer.concat([Buffer.from(head), file, Buffer.from('\r\n--b--\r\n')]);
  }

  async function signedIn() {
    const admin = new Client(t.app);
    await admin.signIn('admin@demo.relais.example');
    await admin.get('/admin/lieux/import');
    return admin;
  }

  test('an anonymous upload is refused before its body is read', async () => {
    const res = await t.app.inject({ url: '/admin/lieux/import', ...multipart('b', '--b\r\nnot a part') });
    assert.equal(res.statusCode, 403);
  });

  test('an upload without the form’s token is refused before its file is read', async () => {
    const admin = await signedIn();
    const res = await t.app.inject({
      url: '/admin/lieux/import',
      ...multipart('b', `${form('faux', Buffer.from('id,nom\n'))}`.slice(0, 120), {
        cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      }),
    });
    assert.equal(res.statusCode, 403);
    assert.equal(h1(res.body), 'Le formulaire a expiré');
  });

  test('malformed multipart gets a French 400, not a 500', async () => {
    const admin = await signedIn();
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const whole = form(admin.lastCsrf!, Buffer.from('id,nom\n1,a\n'));
    for (const body of [whole.subarray(0, whole.length - 20), Buffer.from('--b\r\ngarbage\r\n\r\n')]) {
      const res = await t.app.inject({ url: '/admin/lieux/import', ...multipart('b', body, { cookie }) });
      assert.ok([400, 403].includes(res.statusCode), `${res.statusCode}`);
    }
    const truncated = await t.app.inject({
      url: '/admin/lieux/import',
      ...multipart('b', whole.subarray(0, whole.length - 20), { cookie }),
    });
    assert.equal(truncated.statusCode, 400);
    assert.match(truncated.body, /Le fichier envoyé est incomplet ou illisible/);
  });

  test('a gzip-encoded oversized upload is answered at once by a listening server', async () => {
    const admin = await signedIn();
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const bomb = gzipSync(form(admin.lastCsrf!, Buffer.alloc(25 * 1024 * 1024, 0x61)));
    const origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${origin}/admin/lieux/import`, {
      method: 'POST',
      body: bomb,
      headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-encoding': 'gzip', cookie },
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 415);
    assert.match(await res.text(), /sans compression/);
  });

  test('an oversized upload gets a French 413', async () => {
    const admin = await signedIn();
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.inject({
      url: '/admin/lieux/import',
      ...multipart('b', form(admin.lastCsrf!, Buffer.alloc(21 * 1024 * 1024, 0x61)), { cookie }),
    });
    assert.equal(res.statusCode, 413);
    assert.match(res.body, /20 Mo/);
  });

  test('a route that takes no file refuses multipart without reading it', async () => {
    const client = new Client(t.app);
    await client.get('/connexion');
    const res = await client.postMultipart('/connexion', {
      email: 'admin@demo.relais.example',
      password: 'relais-demo-2026',
    });
    assert.equal(res.statusCode, 415);
    assert.match(res.body, /n’accepte pas de fichier/);
  });

  test('a real upload still works: places imported from the form', async () => {
    const admin = await signedIn();
    const res = await admin.postMultipart(
      '/admin/lieux/import',
      { collectivite: '', essai: 'oui' },
      { name: 'fichier', bytes: Buffer.from('id,nom\n'), filename: 'lieux.csv' },
    );
    // The form was read: the file reached the import, which found no place in it.
    assert.match(res.body, /Le fichier ne contient aucun lieu/);
  });
});

describe('API abuse', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      demo: true,
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', API_RATE_LIMIT: '30' }),
    });
  });
  after(() => t.close());

  const failures = () =>
    t.db.db
      .selectFrom('audit_event')
      .select(['ip', 'details'])
      .where('action', '=', 'auth.token.failure')
      .orderBy('id')
      .execute();

  test('the API is rate-limited per address, in French JSON', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      statuses.push(
        (await t.app.inject({ url: '/api/v1/collectivites', remoteAddress: '198.51.100.1' })).statusCode,
      );
    }
    assert.deepEqual(statuses.slice(0, 30), Array(30).fill(200));
    const refused = await t.app.inject({ url: '/api/v1/collectivites', remoteAddress: '198.51.100.1' });
    assert.equal(refused.statusCode, 429);
    assert.match(refused.headers['retry-after'] as string, /^\d+$/);
    assert.equal((refused.json() as { error: string }).error, 'trop_de_requetes');
    assert.match((refused.json() as { message: string }).message, /Trop de requêtes/);
    // Another address is not affected.
    assert.equal(
      (await t.app.inject({ url: '/api/v1/collectivites', remoteAddress: '198.51.100.2' })).statusCode,
      200,
    );
  });

  test('the API is rate-limited per token, whatever the address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await t.app.inject({
        url: '/api/v1/moi',
        remoteAddress: `203.0.113.${i}`,
        headers: { authorization: 'Bearer relais_toujours-le-meme' },
      });
      statuses.push(res.statusCode);
    }
    assert.equal(statuses.filter((s) => s === 429).length, 2, statuses.join(' '));
  });

  test('wrong tokens are journaled once per address and minute, with their count', async () => {
    const before = (await failures()).length;
    for (let i = 0; i < 20; i++) {
      await t.app.inject({
        url: '/api/v1/moi',
        remoteAddress: '192.0.2.50',
        headers: { authorization: `Bearer relais_essai-${i}` },
      });
    }
    const now = (await failures()).slice(before);
    assert.equal(now.length, 1, 'the first failure, at once');
    assert.equal(now[0]!.ip, '192.0.2.50');
  });

  test('the count of the other failures is journaled when the minute ends, or when the app closes', async () => {
    const other = await createTestApp();
    for (let i = 0; i < 20; i++) {
      await other.app.inject({
        url: '/api/v1/moi',
        remoteAddress: '192.0.2.51',
        headers: { authorization: `Bearer relais_essai-${i}` },
      });
    }
    await other.app.close();
    const rows = await other.db.db
      .selectFrom('audit_event')
      .select(['ip', 'details'])
      .where('action', '=', 'auth.token.failure')
      .orderBy('id')
      .execute()
      .finally(() => other.db.close());
    assert.deepEqual(
      rows.map((r) => [r.ip, (r.details as { tentatives: number }).tentatives]),
      [
        ['192.0.2.51', 1],
        ['192.0.2.51', 19],
      ],
    );
  });
});
