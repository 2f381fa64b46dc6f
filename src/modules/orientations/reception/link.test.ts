import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { checkLink, signLink } from './link.ts';

const SECRET = 'secret-des-liens-d-orientation-des-tests';
const ID = '6e80b391-c2a5-478d-98a9-91413b29ecc8';
const NOW = new Date('2026-12-06T10:00:00Z');
const DAY = 24 * 3600 * 1000;

describe('answer links', () => {
  test('a link works for its referral and version for 8 days, then says it expired', () => {
    const token = signLink(SECRET, ID, 3, NOW);
    const ok = checkLink(SECRET, token, new Date(NOW.getTime() + 8 * DAY - 1000));
    assert.deepEqual(ok.ok && { id: ok.id, version: ok.version }, { id: ID, version: 3 });
    assert.deepEqual(checkLink(SECRET, token, new Date(NOW.getTime() + 8 * DAY)), {
      ok: false,
      reason: 'expired',
      id: ID,
      version: 3,
    });
  });

  test('another secret refuses it', () => {
    assert.deepEqual(checkLink(`${SECRET}-autre`, signLink(SECRET, ID, 1, NOW), NOW), {
      ok: false,
      reason: 'invalid',
    });
  });

  test('any change of one character is refused as invalid (never read as another referral or date)', () => {
    const token = signLink(SECRET, ID, 1, NOW);
    const alphabet = '0123456789abcdefABCDEF-_.xyz';
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.nat(alphabet.length - 1), (at, pick) => {
        const c = alphabet[pick] as string;
        fc.pre(token[at] !== c);
        const altered = token.slice(0, at) + c + token.slice(at + 1);
        assert.deepEqual(checkLink(SECRET, altered, NOW), { ok: false, reason: 'invalid' });
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary text never passes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        assert.equal(checkLink(SECRET, text, NOW).ok, false);
      }),
    );
  });
});
