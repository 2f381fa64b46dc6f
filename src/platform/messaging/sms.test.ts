import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signCallback, verifyCallback } from './sms.ts';

test('signatures: HMAC-SHA256 of "<timestamp>.<body>", five minutes either way, no secret trusts nothing', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const ts = String(now.getTime() / 1000);
  const body = '{"id":"m1","from":"+33612345678","text":"Oui"}';
  const signature = signCallback('secret-de-test-assez-long', ts, body);
  // Computed apart: printf '%s' "$ts.$body" | openssl dgst -sha256 -hmac secret-de-test-assez-long
  assert.equal(signature, 'c363e18421a78e63f23e2d0b73b28ac1907428ba91e0bd15f5a0ce4d1b1d28ee');
  assert.equal(signCallback('secret-de-test-assez-long', Number(ts), body), signature);
  const ok = (secret: string | undefined, timestamp: string, header: string, raw: string, at = now) =>
    verifyCallback(secret, timestamp, header, raw, at);
  assert.equal(ok('secret-de-test-assez-long', ts, `sha256=${signature}`, body), true);
  assert.equal(ok('secret-de-test-assez-long', ts, `sha256=${signature.toUpperCase()}`, body), true);
  assert.equal(ok('un-autre-secret-assez-long', ts, `sha256=${signature}`, body), false);
  assert.equal(ok('secret-de-test-assez-long', ts, `sha256=${signature}`, `${body} `), false);
  assert.equal(ok('secret-de-test-assez-long', ts, signature, body), false, 'the sha256= prefix is required');
  assert.equal(ok('secret-de-test-assez-long', ts, 'sha256=abc', body), false);
  assert.equal(ok(undefined, ts, `sha256=${signature}`, body), false);
  assert.equal(ok('', ts, `sha256=${signature}`, body), false);
  assert.equal(
    ok('secret-de-test-assez-long', ts, `sha256=${signature}`, body, new Date(now.getTime() + 300_000)),
    true,
  );
  assert.equal(
    ok('secret-de-test-assez-long', ts, `sha256=${signature}`, body, new Date(now.getTime() + 301_000)),
    false,
  );
  assert.equal(
    ok('secret-de-test-assez-long', ts, `sha256=${signature}`, body, new Date(now.getTime() - 301_000)),
    false,
  );
  assert.equal(
    verifyCallback('secret-de-test-assez-long', undefined, `sha256=${signature}`, body, now),
    false,
  );
  assert.equal(verifyCallback('secret-de-test-assez-long', ts, undefined, body, now), false);
  assert.equal(
    verifyCallback('secret-de-test-assez-long', `${ts}.5`, `sha256=${signature}`, body, now),
    false,
  );
});
