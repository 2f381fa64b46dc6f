import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { type Actor, ANONYMOUS, ForbiddenError, type Role } from '../auth/policy.ts';
import { type Access, passesRole, registerAccess } from './access.ts';

const person = (...memberships: [Role, number | null][]): Actor => ({
  kind: 'user',
  userId: '00000000-0000-4000-8000-000000000001',
  email: 'personne@example.org',
  name: 'Personne',
  memberships: memberships.map(([role, collectiviteId]) => ({ role, collectiviteId })),
  activeCollectiviteId: null,
});

const ADMIN = person(['admin', null]);
const COORDINATOR = person(['coordinateur', 7]);
const HELPER = person(['mediateur', 7]);
const TRAINER = person(['formateur', 7]);

/** A bare app with the access hook, whose actor comes from the `x-actor` header. */
async function appWith(routes: [string, Access][]) {
  const app = Fastify();
  const actors: Record<string, Actor> = {
    admin: ADMIN,
    coordinator: COORDINATOR,
    helper: HELPER,
    trainer: TRAINER,
  };
  app.decorateRequest('actor', null as never);
  app.addHook('onRequest', async (request) => {
    request.actor = actors[String(request.headers['x-actor'])] ?? ANONYMOUS;
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ForbiddenError && request.actor.kind === 'anonymous' && request.method === 'GET')
      return reply.redirect('/connexion');
    return reply.status(error instanceof ForbiddenError ? 403 : 500).send((error as Error).message);
  });
  registerAccess(app);
  for (const [url, access] of routes) {
    app.get(url, { config: { access } }, async () => 'ok');
    app.post(url, { config: { access } }, async () => 'ok');
  }
  await app.ready();
  return app;
}

describe('access declared in the route registration', () => {
  test('a route registered without an access stops the app from starting', async () => {
    const app = Fastify();
    registerAccess(app);
    assert.throws(() => app.get('/oubliee', async () => 'ok'), /GET \/oubliee: no access declared/);
    await app.close();
  });

  test('the app lists each route with its access, HEAD left out', async () => {
    const app = await appWith([
      ['/public', 'public'],
      ['/lieux/:lieu', { coordinatorOf: 'lieu' }],
    ]);
    assert.deepEqual(
      [...app.routeAccess],
      [
        ['GET /public', 'public'],
        ['POST /public', 'public'],
        ['GET /lieux/:lieu', { coordinatorOf: 'lieu' }],
        ['POST /lieux/:lieu', { coordinatorOf: 'lieu' }],
      ],
    );
    await app.close();
  });

  test('the role part of each access', () => {
    const cases: [Access, Actor[], Actor[]][] = [
      ['public', [ANONYMOUS, ADMIN, HELPER], []],
      ['signed-in', [ADMIN, COORDINATOR, HELPER, TRAINER], [ANONYMOUS]],
      ['admin', [ADMIN], [ANONYMOUS, COORDINATOR, HELPER, TRAINER]],
      ['coordinator', [ADMIN, COORDINATOR], [ANONYMOUS, HELPER, TRAINER]],
      [{ coordinatorOf: 'id' }, [ADMIN, COORDINATOR], [ANONYMOUS, HELPER, TRAINER]],
      // Administrators are not helpers: the people helped are the helpers' own to see.
      ['helper', [HELPER], [ANONYMOUS, ADMIN, COORDINATOR, TRAINER]],
      [{ helperOf: 'id' }, [HELPER], [ANONYMOUS, ADMIN, COORDINATOR, TRAINER]],
      [{ coordinatorOrHelperOf: 'id' }, [ADMIN, COORDINATOR, HELPER], [ANONYMOUS, TRAINER]],
      [{ trainerOf: 'id' }, [ADMIN, COORDINATOR, TRAINER], [ANONYMOUS, HELPER]],
    ];
    for (const [access, yes, no] of cases) {
      for (const actor of yes)
        assert.equal(passesRole(actor, access), true, JSON.stringify({ access, actor }));
      for (const actor of no)
        assert.equal(passesRole(actor, access), false, JSON.stringify({ access, actor }));
    }
  });

  test('pages: sign in first, or 403; the JSON API: 401 with its challenge, or 403', async () => {
    const app = await appWith([
      ['/espace', 'signed-in'],
      ['/admin', 'admin'],
      ['/aide', 'helper'],
      ['/api/v1/moi', 'signed-in'],
      ['/api/v1/aide', 'helper'],
    ]);
    const call = (method: 'GET' | 'POST' | 'HEAD', url: string, actor?: string) =>
      app.inject({ method, url, headers: actor ? { 'x-actor': actor } : {} });

    for (const method of ['GET', 'POST', 'HEAD'] as const) {
      const res = await call(method, '/espace');
      assert.equal(res.statusCode, 302, `${method} /espace`);
      assert.equal(res.headers.location, '/connexion');
    }
    assert.equal((await call('GET', '/espace', 'trainer')).statusCode, 200);

    const anonymousGet = await call('GET', '/admin');
    assert.equal(anonymousGet.statusCode, 302);
    assert.equal(anonymousGet.headers.location, '/connexion');
    // HEAD shares its GET's declaration: refused too (the error pages redirect GET only).
    assert.equal((await call('HEAD', '/admin')).statusCode, 403);
    assert.equal((await call('POST', '/admin')).statusCode, 403);
    assert.equal((await call('GET', '/admin', 'coordinator')).statusCode, 403);
    assert.equal((await call('HEAD', '/admin', 'coordinator')).statusCode, 403);
    assert.equal((await call('GET', '/admin', 'admin')).body, 'ok');

    const helpersOnly = await call('GET', '/aide', 'admin');
    assert.equal(helpersOnly.statusCode, 403);
    assert.equal(helpersOnly.body, 'Réservé aux médiateurs numériques.');

    const anonymousApi = await call('GET', '/api/v1/moi');
    assert.equal(anonymousApi.statusCode, 401);
    assert.equal(anonymousApi.headers['www-authenticate'], 'Bearer realm="relais"');
    assert.equal(anonymousApi.json().error, 'unauthorized');
    const refusedApi = await call('POST', '/api/v1/aide', 'coordinator');
    assert.equal(refusedApi.statusCode, 403);
    assert.deepEqual(refusedApi.json(), {
      error: 'forbidden',
      message: 'Réservé aux médiateurs numériques.',
    });
    assert.equal((await call('POST', '/api/v1/aide', 'helper')).body, 'ok');
    await app.close();
  });

  test('a route may give the refusal its own words', async () => {
    const app = Fastify();
    app.decorateRequest('actor', null as never);
    app.addHook('onRequest', async (request) => {
      request.actor = COORDINATOR;
    });
    app.setErrorHandler((error, _request, reply) => reply.status(403).send((error as Error).message));
    registerAccess(app);
    app.get(
      '/taches',
      { config: { access: 'admin', refusal: 'Seuls les administrateurs.' } },
      async () => 'ok',
    );
    const res = await app.inject('/taches');
    assert.equal(res.statusCode, 403);
    assert.equal(res.body, 'Seuls les administrateurs.');
    await app.close();
  });
});
