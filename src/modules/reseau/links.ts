import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { getOrCreateSecretSetting } from '../../platform/settings.ts';

/**
 * The network's signed links, under one secret generated once and kept sealed in the database:
 * the calendar feed of the network (its token carries a version that a reset bumps, so an old
 * link stops working) and each contact's one-click unsubscribe link. Each signature covers its
 * purpose, so that one kind of link can never be passed off as the other.
 */

export function networkSecret(db: Db): Promise<string> {
  return getOrCreateSecretSetting(db, 'reseau_link_secret', () => randomBytes(32).toString('base64url'));
}

const sign = (secret: string, purpose: string, subject: string) =>
  createHmac('sha256', secret).update(`${purpose}:${subject}`).digest('base64url');

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The feed's token for one version: `<version>.<signature>`. */
export const feedToken = (secret: string, version: number) =>
  `${version}.${sign(secret, 'reseau-flux', String(version))}`;

/** Whether a token is the feed's current one. */
export function isCurrentFeedToken(secret: string, version: number, token: string): boolean {
  return same(token, feedToken(secret, version));
}

/** The signature of a contact's unsubscribe link. */
export const unsubscribeSignature = (secret: string, contactId: string) =>
  sign(secret, 'reseau-desabonnement', contactId);

export const isUnsubscribeSignature = (secret: string, contactId: string, signature: string) =>
  same(signature, unsubscribeSignature(secret, contactId));
