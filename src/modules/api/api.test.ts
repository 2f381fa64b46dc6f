import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, DEMO_MEMBER_NAMES, type TestApp } from '../../../test/helpers/app.ts';
import { openSession, SESSION_COOKIE } from '../../platform/auth/sessions.ts';
import { createToken, revokeToken } from '../../platform/auth/tokens.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';

const coordinator = DEMO_ACCOUNTS[1];

describe('JSON API /api/v1', () => {
  let t: TestApp;
  let coordinatorId = '';
  before(async () => {
    t = await createTestApp({ demo: true });
    ({ id: coordinatorId } = await t.db.db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', coordinator.email)
      .executeTakeFirstOrThrow());
  });
  after(() => t.close());

  const get = (url: string, token?: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      url,
      headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
    });

  const assertUnauthorized = (res: Awaited<ReturnType<typeof get>>) => {
    assert.equal(res.statusCode, 401, res.body);
    assert.match(String(res.headers['www-authenticate']), /^Bearer /);
    const body = res.json() as { error: string; message: string };
    assert.equal(body.error, 'unauthorized');
    assert.match(body.message, /jeton|Authentification/i);
  };

  const tokenId = async (name: string) =>
    (await t.db.db.selectFrom('api_token').select('id').where('name', '=', name).executeTakeFirstOrThrow())
      .id;

  test('a created token says who it belongs to, with roles and collectivité codes', async () => {
    const token = await createToken(t.db.db, coordinatorId, 'moi');
    const res = await get('/api/v1/moi', token);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json(), {
      id: coordinatorId,
      name: coordinator.name,
      email: coordinator.email,
      roles: [{ role: 'coordinateur', collectivite: coordinator.collectivite }],
    });
  });

  test('the admin role covers the whole OPSN: no collectivité', async () => {
    const admin = await t.db.db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', DEMO_ACCOUNTS[0].email)
      .executeTakeFirstOrThrow();
    const res = await get('/api/v1/moi', await createToken(t.db.db, admin.id, 'admin'));
    assert.deepEqual((res.json() as { roles: unknown }).roles, [{ role: 'admin', collectivite: null }]);
  });

  test('no token, a wrong token, or a session cookie alone: 401 with a Bearer challenge', async () => {
    assertUnauthorized(await get('/api/v1/moi'));
    assertUnauthorized(await get('/api/v1/moi', `relais_${'x'.repeat(43)}`));
    assertUnauthorized(await get('/api/v1/moi', undefined, { authorization: 'Basic YTpi' }));
    const session = await openSession(t.db.db, coordinatorId);
    assertUnauthorized(await get('/api/v1/moi', undefined, { cookie: `${SESSION_COOKIE}=${session}` }));
    // The same cookie still opens the pages.
    const page = await get('/espace', undefined, { cookie: `${SESSION_COOKIE}=${session}` });
    assert.equal(page.statusCode, 200);
  });

  test('a revoked token gets 401, on public routes too', async () => {
    const token = await createToken(t.db.db, coordinatorId, 'révoqué');
    assert.equal((await get('/api/v1/moi', token)).statusCode, 200);
    assert.ok(await revokeToken(t.db.db, await tokenId('révoqué')));
    assertUnauthorized(await get('/api/v1/moi', token));
    assertUnauthorized(await get('/api/v1/collectivites', token));
  });

  test('the token of a disabled person gets 401', async () => {
    const { id } = await t.db.db
      .insertInto('app_user')
      .values({ email: 'parti@example.org', name: 'Parti' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const token = await createToken(t.db.db, id, 'désactivé');
    assert.equal((await get('/api/v1/moi', token)).statusCode, 200);
    await sql`update app_user set status = 'disabled' where id = ${id}`.execute(t.db.db);
    assertUnauthorized(await get('/api/v1/moi', token));
  });

  test('failed bearer attempts are journaled with the ip', async () => {
    const before = await t.db.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'auth.token.failure')
      .execute();
    await t.app.inject({
      url: '/api/v1/moi',
      remoteAddress: '198.51.100.9',
      headers: { authorization: 'Bearer relais_faux' },
    });
    const after = await t.db.db
      .selectFrom('audit_event')
      .select(['ip', 'actor_label'])
      .where('action', '=', 'auth.token.failure')
      .orderBy('id')
      .execute();
    assert.equal(after.length, before.length + 1);
    assert.deepEqual(after.at(-1), { ip: '198.51.100.9', actor_label: 'anonyme' });
  });

  test('tokens are stored hashed: the clear value is nowhere in the database', async () => {
    const token = await createToken(t.db.db, coordinatorId, 'haché');
    await get('/api/v1/moi', token);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(t.db.db);
    for (const { table_name } of tables.rows) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(table_name)} as r
        where r::text like ${`%${token.slice('relais_'.length)}%`}`.execute(t.db.db);
      assert.equal(rows[0]!.n, 0, `the token appears in ${table_name}`);
    }
  });

  test('creation and revocation are journaled', async () => {
    await createToken(t.db.db, coordinatorId, 'suivi');
    const id = await tokenId('suivi');
    await revokeToken(t.db.db, id);
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'actor_label'])
      .where('subject_type', '=', 'api_token')
      .where('subject_id', '=', id)
      .orderBy('id')
      .execute();
    assert.deepEqual(events, [
      { action: 'token.create', actor_label: 'cli' },
      { action: 'token.revoke', actor_label: 'cli' },
    ]);
  });

  test('token uses are journaled, at most once a minute per token', async () => {
    const token = await createToken(t.db.db, coordinatorId, 'journal des usages');
    const id = await tokenId('journal des usages');
    for (let i = 0; i < 3; i++) assert.equal((await get('/api/v1/moi', token)).statusCode, 200);
    const uses = await t.db.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'token.use')
      .where('subject_id', '=', id)
      .execute();
    assert.equal(uses.length, 1);
  });

  test('the member collectivités, without a token', async () => {
    const res = await get('/api/v1/collectivites');
    assert.equal(res.statusCode, 200, res.body);
    const list = res.json() as Record<string, unknown>[];
    assert.equal(list.length, DEMO_MEMBER_NAMES.length);
    const villeurbanne = list.find((c) => c.code === '69266');
    assert.deepEqual(villeurbanne, {
      code: '69266',
      kind: 'commune',
      name: 'Villeurbanne',
      slug: 'villeurbanne',
      departement: { code: '69', name: 'Rhône' },
      population: villeurbanne?.population,
    });
    assert.equal(typeof villeurbanne?.population, 'number');
  });

  test('errors on /api/ are JSON', async () => {
    const res = await get('/api/v1/nulle-part');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { error: 'not_found', message: 'Ressource introuvable.' });
  });

  test('the OpenAPI document describes the /api/v1 routes and the bearer scheme', async () => {
    const res = await get('/api/v1/openapi.json');
    assert.equal(res.statusCode, 200, res.body);
    const doc = res.json() as {
      openapi: string;
      paths: Record<string, { get: { description: string; security: unknown; responses: object } }>;
      components: { securitySchemes: unknown };
    };
    assert.match(doc.openapi, /^3\.1/);
    // Every /api/v1 route of the app is documented, whichever module adds it.
    const apiRoutes = [
      ...new Set(
        t.app.routeInventory
          .map((r) => r.split(' ')[1]!)
          .filter((path) => path.startsWith('/api/v1/') && !path.endsWith('/openapi.json'))
          .map((path) => path.replace(/:(\w+)/g, '{$1}')),
      ),
    ].sort();
    assert.ok(apiRoutes.includes('/api/v1/lieux'));
    assert.deepEqual(Object.keys(doc.paths).sort(), apiRoutes);
    assert.deepEqual(doc.paths['/api/v1/moi']!.get.security, [{ bearer: [] }]);
    assert.ok(doc.paths['/api/v1/moi']!.get.description);
    assert.ok('200' in doc.paths['/api/v1/moi']!.get.responses);
    assert.deepEqual(doc.components.securitySchemes, { bearer: { type: 'http', scheme: 'bearer' } });
  });

  test('/api/docs presents every operation readably, without a script', async () => {
    const res = await get('/api/docs');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    for (const path of ['/api/v1/moi', '/api/v1/collectivites', '/api/v1/lieux', '/api/v1/lieux.csv']) {
      assert.ok(res.body.includes(`GET ${path}</code>`), `${path} is documented`);
    }
    assert.match(res.body, /<code>near<\/code>/);
    assert.doesNotMatch(res.body, /<script/);
  });
});
