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
    TRUST_PROXY: 'true',
    LOG_LEVEL: '',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, 'postgres://u@db:5432/relais');
  assert.equal(c.publicUrl, 'https://relais.example.fr');
  assert.equal(c.trustProxy, true);
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
