import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { getOrCreateSecretSetting } from '../../platform/settings.ts';

/**
 * The link a person manages their appointment with, without an account: their booking's id,
 * the link's version (bumped on every move, so that older links stop working) and its expiry
 * (the appointment's start), signed with HMAC-SHA256 under a secret kept sealed in the
 * database. The signature covers a purpose: the secret signs nothing else.
 */

const PURPOSE = 'rendezvous-gestion';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TOKEN = new RegExp(`^(${UUID})\\.([1-9][0-9]{0,5})\\.([1-9][0-9]{9,10})\\.([A-Za-z0-9_-]{43})$`);

export function linkSecret(db: Db): Promise<string> {
  return getOrCreateSecretSetting(db, 'rendezvous_link_secret', () => randomBytes(32).toString('base64url'));
}

const signature = (secret: string, id: string, version: number, expires: number) =>
  createHmac('sha256', secret).update(`${PURPOSE}:${id}:${version}:${expires}`).digest('base64url');

/** A token for this booking and version, valid until `until` (the appointment's start). */
export function signLink(secret: string, id: string, version: number, until: Date): string {
  const expires = Math.floor(until.getTime() / 1000);
  return `${id}.${version}.${expires}.${signature(secret, id, version, expires)}`;
}

export type LinkCheck =
  | { ok: true; id: string; version: number }
  | { ok: false; reason: 'invalid' | 'expired' };

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
  if (expires * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, id, version };
}
