import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db/database.ts';
import { getOrCreateSecretSetting } from './settings.ts';

/**
 * Links that act without an account (a receiving structure answering a referral, a person
 * managing their appointment): a row's id, the link's version (bumped so that older links stop
 * working) and its expiry, signed with HMAC-SHA256 under a secret generated once and kept sealed
 * in the database, shared by every app process. The signature covers a purpose, so that one
 * kind of link's secret signs nothing that could be passed off as another. Nothing is stored per
 * link: the version in the row is what makes a replaced link stop working.
 */

export type SignedLinkCheck =
  | { ok: true; id: string; version: number; expiresAt: Date }
  /** Signed by us but past its date: the caller may still offer a new link. */
  | { ok: false; reason: 'expired'; id: string; version: number }
  | { ok: false; reason: 'invalid' };

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TOKEN = new RegExp(`^(${UUID})\\.([1-9][0-9]{0,5})\\.([1-9][0-9]{9,10})\\.([A-Za-z0-9_-]{43})$`);

/** The signing, checking and secret of one kind of link (`purpose`, its secret's setting name). */
export function signedLinks(purpose: string, secretSetting: string) {
  const signature = (secret: string, id: string, version: number, expires: number) =>
    createHmac('sha256', secret).update(`${purpose}:${id}:${version}:${expires}`).digest('base64url');
  return {
    /** The secret, generated at the first use. */
    secret(db: Db): Promise<string> {
      return getOrCreateSecretSetting(db, secretSetting, () => randomBytes(32).toString('base64url'));
    },
    /** A token for this row and version, valid until `expiresAt` (to the second). */
    sign(secret: string, id: string, version: number, expiresAt: Date): string {
      const expires = Math.floor(expiresAt.getTime() / 1000);
      return `${id}.${version}.${expires}.${signature(secret, id, version, expires)}`;
    },
    /** Checks a token's form and signature (in constant time), then its date. */
    check(secret: string, token: string, now: Date = new Date()): SignedLinkCheck {
      const m = TOKEN.exec(token);
      if (!m) return { ok: false, reason: 'invalid' };
      const [, id, v, e, sig] = m as unknown as [string, string, string, string, string];
      const version = Number(v);
      const expires = Number(e);
      const expected = Buffer.from(signature(secret, id, version, expires));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'invalid' };
      if (expires * 1000 <= now.getTime()) return { ok: false, reason: 'expired', id, version };
      return { ok: true, id, version, expiresAt: new Date(expires * 1000) };
    },
  };
}
