import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Client, createTestApp, type TestApp, totpCode } from '../../../test/helpers/app.ts';
import { type Account, givenHelper } from '../../../test/helpers/builders.ts';
import { LOCK_AFTER_FAILURES } from '../../platform/auth/lockout.ts';

/**
 * One TOTP code sent several times at the same moment, by pending sign-ins with the password
 * (an attacker who saw the code over the owner's shoulder races the owner): exactly one gets in.
 *
 * On PostgreSQL the requests really run at once, and the test makes the worst interleaving
 * happen every time: each request reads the account and checks the code, then waits before
 * writing the accepted time step until all of them are there (a trigger of this test database
 * holds their update). Only the update's own guard can then refuse the others. PGlite runs one
 * query at a time: there the requests race without that help.
 */
describe('concurrent TOTP replay', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  /** The password step from `ip`: the client then holds a pending sign-in. */
  async function afterPassword(account: Account, ip: string): Promise<Client> {
    const client = new Client(t.app, { ip });
    await client.get('/connexion');
    const first = await client.post('/connexion', { email: account.email, password: account.password });
    assert.equal(first.headers.location, '/connexion/code');
    await client.get('/connexion/code');
    return client;
  }

  /**
   * PostgreSQL: until `release`, every statement that writes a TOTP time step waits (before it
   * touches a row) on an advisory lock that a separate session holds; `waiting` counts them.
   */
  async function holdTimeStepWrites() {
    const url = t.db.env.DATABASE_URL;
    if (!url) return null;
    const session = new pg.Client({ connectionString: url });
    await session.connect();
    await session.query(`
      create or replace function test_hold_time_step() returns trigger language plpgsql as $$
      begin
        if current_query() like '%"totp_last_step" = %' then perform pg_advisory_xact_lock(727275); end if;
        return null;
      end $$`);
    await session.query(`
      create or replace trigger test_hold_time_step before update on app_user
      for each statement execute function test_hold_time_step()`);
    await session.query('select pg_advisory_lock(727275)');
    return {
      async waitFor(count: number) {
        // Bounded, so that a request that never comes fails the test instead of hanging it.
        for (let polls = 0; polls < 2000; polls++) {
          const { rows } = await session.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
             where datname = current_database() and wait_event = 'advisory'`,
          );
          if (rows[0]!.n === count) return;
          await sleep(10);
        }
        throw new Error(`${count} requests never reached the time step's update`);
      },
      async release() {
        await session.query('select pg_advisory_unlock(727275)');
        await session.query('drop trigger test_hold_time_step on app_user');
        await session.end();
      },
    };
  }

  // Up to the attempts before the second factor locks (that lock has its own tests), and no more
  // than the test database's connections.
  for (const count of [2, LOCK_AFTER_FAILURES - 2]) {
    test(`${count} sign-ins post one code at once: exactly one succeeds`, async () => {
      const helper = await givenHelper(t);
      const clients: Client[] = [];
      for (let i = 0; i < count; i++) clients.push(await afterPassword(helper, `198.51.100.${i + 1}`));
      const code = await totpCode(helper.totpSecret);
      const hold = await holdTimeStepWrites();
      const posted = Promise.all(clients.map((c) => c.post('/connexion/code', { code })));
      if (hold) {
        await hold.waitFor(count);
        await hold.release();
      }
      const answers = await posted;

      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [303, ...Array(count - 1).fill(401)]);
      for (const refused of answers.filter((a) => a.statusCode === 401))
        assert.match(refused.body, /Ce code n’est pas valable/);
      const inside = await Promise.all(clients.map(async (c) => (await c.get('/espace')).statusCode));
      assert.deepEqual(inside.sort(), [200, ...Array(count - 1).fill(302)]);
    });
  }
});
