import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConfigError, loadConfig } from './config.ts';

test('defaults start Relais on 127.0.0.1:3000 with ./data on PGlite', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.dataDir, path.resolve('data'));
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.publicUrl, 'http://127.0.0.1:3000');
  assert.equal(c.trustProxy, false);
});

test('variables are read and empty ones fall back to defaults', () => {
  const c = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgres://u@db:5432/relais',
    PUBLIC_URL: 'https://relais.example.fr/',
    TRUST_PROXY: '10.0.0.2, fd00::/8,loopback',
    LOG_LEVEL: '',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, 'postgres://u@db:5432/relais');
  assert.equal(c.publicUrl, 'https://relais.example.fr');
  assert.deepEqual(c.trustProxy, ['10.0.0.2', 'fd00::/8', 'loopback']);
  assert.equal(c.logLevel, 'info');
});

test('each bad variable is named with a French and English explanation', () => {
  try {
    loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', TRUST_PROXY: 'yes', COOKIE_SECRET: 'short' });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const names = error.problems.map((p) => p.split(' ')[0]);
    assert.deepEqual(names.sort(), ['COOKIE_SECRET', 'DATABASE_URL', 'PORT', 'TRUST_PROXY']);
    assert.match(
      error.message,
      /PORT : doit être un nombre entier \/ must be an integer \(valeur reçue \/ got: « abc »\)/,
    );
  }
});

test('TRUST_PROXY takes proxy addresses only: never every hop, nor a count a client could fill', () => {
  for (const value of ['true', '1', '10.0.0.2,', '10.0.0.0/33', 'proxy.example.fr', '*']) {
    assert.deepEqual(badVariables({ TRUST_PROXY: value }), ['TRUST_PROXY'], value);
  }
  assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '::1' }).trustProxy, ['::1']);
});

test('any port outside 1–65535 or not an integer is refused', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: -100000, max: 0 }).map(String),
        fc.integer({ min: 65536 }).map(String),
        fc.string().filter((s) => s.trim() !== '' && !/^\s*\d+\s*$/.test(s)),
        fc.constantFrom('1e3', '0x10', '80.5', '+80'),
      ),
      (port) => {
        assert.throws(
          () => loadConfig({ PORT: port }),
          (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message),
        );
      },
    ),
  );
});

/** The names of the variables a ConfigError complains about, sorted. */
function badVariables(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => p.split(' ')[0]!).sort();
  }
  assert.fail('should throw');
}

test('SMS: the development provider by default, and no callback secret unless one is set', () => {
  const dev = loadConfig({});
  assert.deepEqual(dev.sms, { provider: 'dev', url: undefined, key: undefined, callbackSecret: undefined });
  // No built-in secret in any environment: without one of its own, the callback refuses everything.
  for (const NODE_ENV of ['development', 'test', 'production'])
    assert.equal(loadConfig({ NODE_ENV }).sms.callbackSecret, undefined, NODE_ENV);
  assert.equal(
    loadConfig({ NODE_ENV: 'production', SMS_CALLBACK_SECRET: 'un-secret-de-production' }).sms.callbackSecret,
    'un-secret-de-production',
  );
});

test('SMS: the HTTP provider takes its URL, key and callback secret', () => {
  const c = loadConfig({
    NODE_ENV: 'production',
    SMS_PROVIDER: 'http',
    SMS_PROVIDER_URL: 'https://sms.example.fr/v1/messages',
    SMS_PROVIDER_KEY: 'cle-du-fournisseur',
    SMS_CALLBACK_SECRET: 'secret-des-rappels-signes',
  });
  assert.deepEqual(c.sms, {
    provider: 'http',
    url: 'https://sms.example.fr/v1/messages',
    key: 'cle-du-fournisseur',
    callbackSecret: 'secret-des-rappels-signes',
  });
  // Plain http only on this machine (a local test server).
  assert.equal(
    loadConfig({
      SMS_PROVIDER: 'http',
      SMS_PROVIDER_URL: 'http://127.0.0.1:8025/sms',
      SMS_PROVIDER_KEY: 'k',
      SMS_CALLBACK_SECRET: 'secret-des-rappels-signes',
    }).sms.url,
    'http://127.0.0.1:8025/sms',
  );
});

test('SMS: the HTTP provider without its variables, or with bad values, is named in French and English', () => {
  assert.deepEqual(badVariables({ SMS_PROVIDER: 'http' }), [
    'SMS_CALLBACK_SECRET',
    'SMS_PROVIDER_KEY',
    'SMS_PROVIDER_URL',
  ]);
  assert.throws(
    () =>
      loadConfig({ SMS_PROVIDER: 'http', SMS_PROVIDER_URL: 'https://sms.example.fr', SMS_PROVIDER_KEY: 'k' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.length === 1 &&
      /^SMS_CALLBACK_SECRET : manquante : SMS_PROVIDER=http demande .* \/ missing: /.test(e.problems[0]!),
  );
  assert.throws(
    () => loadConfig({ SMS_PROVIDER: 'ovh' }),
    /SMS_PROVIDER : doit valoir dev ou http \/ must be dev or http \(valeur reçue \/ got: « ovh »\)/,
  );
  assert.deepEqual(
    badVariables({
      SMS_PROVIDER: 'http',
      SMS_PROVIDER_URL: 'http://sms.example.fr/envoi',
      SMS_PROVIDER_KEY: 'k',
      SMS_CALLBACK_SECRET: 'court',
    }),
    ['SMS_CALLBACK_SECRET', 'SMS_PROVIDER_URL'],
  );
  assert.deepEqual(badVariables({ SMS_PROVIDER_URL: 'pas une url' }), ['SMS_PROVIDER_URL']);
});

test('a read replica: its URL and the lag it may have, only beside a PostgreSQL server', () => {
  assert.equal(loadConfig({}).databaseReplica, undefined);
  assert.deepEqual(
    loadConfig({
      DATABASE_URL: 'postgres://relais@db1:5432/relais',
      DATABASE_REPLICA_URL: 'postgres://relais@db2:5432/relais',
      DATABASE_REPLICA_MAX_LAG: '30',
    }).databaseReplica,
    { url: 'postgres://relais@db2:5432/relais', maxLagMs: 30_000 },
  );
  assert.equal(
    loadConfig({ DATABASE_URL: 'postgres://a@b/c', DATABASE_REPLICA_URL: 'postgres://a@d/c' }).databaseReplica
      ?.maxLagMs,
    10_000,
  );
  assert.deepEqual(badVariables({ DATABASE_REPLICA_URL: 'postgres://relais@db2:5432/relais' }), [
    'DATABASE_REPLICA_URL',
  ]);
  assert.deepEqual(
    badVariables({
      DATABASE_URL: 'postgres://a@b/c',
      DATABASE_REPLICA_URL: 'mysql://a@d/c',
      DATABASE_REPLICA_MAX_LAG: 'dix',
    }),
    ['DATABASE_REPLICA_MAX_LAG', 'DATABASE_REPLICA_URL'],
  );
});

test('the delay of the jobs that follow a change: two minutes by default, 1 to 3600 seconds', () => {
  assert.equal(loadConfig({}).signalDelay, 120);
  assert.equal(loadConfig({ RELAIS_SIGNAL_DELAY: '5' }).signalDelay, 5);
  for (const bad of ['0', '3601', 'deux', '1.5'])
    assert.throws(
      () => loadConfig({ RELAIS_SIGNAL_DELAY: bad }),
      (e: unknown) => e instanceof ConfigError && /^RELAIS_SIGNAL_DELAY : doit être/.test(e.problems[0]!),
      bad,
    );
});
