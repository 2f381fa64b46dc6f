import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../../platform/db/database.ts';
import { getOrCreateSecretSetting } from '../../../platform/settings.ts';
import { LINK_DAYS } from '../vocabulary.ts';

/**
 * The link the receiving structure answers with, without an account: the referral's id, the
 * link's version (bumped when a new one is sent) and its expiry, signed with HMAC-SHA256 under a
 * secret kept (sealed) in the database. The signature covers a purpose, so that the secret signs
 * nothing else that could be passed off as an answer link. Nothing is stored per link: the
 * version in the row is what makes a replaced link stop working.
 */

const PURPOSE = 'orientation-reponse';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TOKEN = new RegExp(`^(${UUID})\\.([1-9][0-9]{0,5})\\.([1-9][0-9]{9,10})\\.([A-Za-z0-9_-]{43})$`);

/** The link's secret, generated once and shared by every app process. */
export function linkSecret(db: Db): Promise<string> {
  return getOrCreateSecretSetting(db, 'orientation_link_secret', () => randomBytes(32).toString('base64url'));
}

const signature = (secret: string, id: string, version: number, expires: number) =>
  createHmac('sha256', secret).update(`${PURPOSE}:${id}:${version}:${expires}`).digest('base64url');

/** A link's token for this referral and version, valid `LINK_DAYS` days from `now`. */
export function signLink(secret: string, id: string, version: number, now: Date = new Date()): string {
  const expires = Math.floor(now.getTime() / 1000) + LINK_DAYS * 24 * 3600;
  return `${id}.${version}.${expires}.${signature(secret, id, version, expires)}`;
}

export type LinkCheck =
  | { ok: true; id: string; version: number; expiresAt: Date }
  /** Signed by us but past its date: it may still ask for a new link (sent to the place, not to the asker). */
  | { ok: false; reason: 'expired'; id: string; version: number }
  | { ok: false; reason: 'invalid' };

/** Checks a token's form and signature (in constant time), then its date. */
export function checkLink(secret: string, token: string, now: Date = new Date()): LinkCheck {
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
}
