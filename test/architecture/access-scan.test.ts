import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

/**
 * `scripts/access-scan.cjs`, run by `npm run check`, fails on a route file that checks who
 * may call it by hand instead of declaring its access in the registration.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SCAN = join(ROOT, 'scripts', 'access-scan.cjs');

const run = (...dirs: string[]) =>
  spawnSync(process.execPath, [SCAN, ...dirs], { cwd: ROOT, encoding: 'utf8' });

describe('the access scan of route files', () => {
  const planted = mkdtempSync(join(tmpdir(), 'relais-access-scan-'));
  after(() => rmSync(planted, { recursive: true, force: true }));

  const plant = (name: string, text: string) => {
    const dir = join(planted, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'routes.tsx'), text);
    return dir;
  };

  test('the code of Relais declares every access', () => {
    const result = run();
    assert.equal(result.status, 0, result.stderr);
  });

  test('fails on each kind of hand-written check, naming the file and line', () => {
    const dir = plant(
      'hand-written',
      `import { ensure, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';

export function routes(app) {
  app.get('/admin/x', { config: { access: 'public' } }, async (request, reply) => {
    if (!isAdmin(request.actor)) throw new ForbiddenError();
    return 'x';
  });
  app.get('/y', { config: { access: 'public' } }, async (request, reply) => {
    if (request.actor.kind !== 'user') return reply.redirect('/connexion');
    ensure(request.actor, 'opsn.manage');
    return request.actor.memberships.some((m) => m.role === 'coordinateur');
  });
  app.post('/z', { preHandler: async () => {}, config: { access: 'public' } }, async () => 'z');
}
`,
    );
    const result = run(dir);
    assert.equal(result.status, 1);
    const file = join(dir, 'routes.tsx');
    for (const expected of [
      `${file}:5: calls a role predicate`,
      `${file}:5: throws ForbiddenError`,
      `${file}:9: compares actor.kind`,
      `${file}:9: sends to sign-in itself`,
      `${file}:10: calls ensure()`,
      `${file}:11: reads the roles`,
      `${file}:13: adds its own preHandler`,
    ]) {
      assert.ok(result.stderr.includes(expected), `${expected}\n${result.stderr}`);
    }
  });

  test('lets declared routes, domain calls and what a page shows through', () => {
    const dir = plant(
      'declared',
      `import { can } from '../../platform/auth/policy.ts';

export function routes(app) {
  // Comments may speak of isAdmin(actor) and new ForbiddenError().
  app.get('/admin/x', { config: { access: 'admin' } }, async (request, reply) => {
    const person = await loadPerson(db, request.actor, request.params.personne);
    const form = { role: 'admin' };
    if (form.role !== 'admin') return reply.redirect('/connexion', 303);
    return can(request.actor, 'opsn.manage') ? 'tout' : person;
  });
}
`,
    );
    const result = run(dir);
    assert.equal(result.status, 0, result.stderr);
  });

  test('reads only the files that register routes', () => {
    const dir = plant(
      'domain',
      `export const x = (actor) => { if (!isAdmin(actor)) throw new ForbiddenError(); };\n`,
    );
    assert.equal(run(dir).status, 0);
  });
});
