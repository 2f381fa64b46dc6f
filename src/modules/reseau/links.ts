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

/** A contact's calendar feed token: `<contact>.<version>.<signature>`; a reset bumps the version. */
export const contactFeedToken = (secret: string, contactId: string, version: number) =>
  `${contactId}.${version}.${sign(secret, 'reseau-flux-contact', `${contactId}:${version}`)}`;

/**
 * What a contact's feed token names when it was signed here (any version: a reset one is told
 * apart from an altered one); undefined for an altered token.
 */
export function readContactFeedToken(
  secret: string,
  token: string,
): { contactId: string; version: number } | undefined {
  const match = /^([0-9a-f-]{36})\.([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const contactId = match[1] as string;
  const version = Number(match[2]);
  return same(token, contactFeedToken(secret, contactId, version)) ? { contactId, version } : undefined;
}
