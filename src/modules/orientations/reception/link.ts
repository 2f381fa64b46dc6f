import type { Db } from '../../../platform/db/database.ts';
import { DAY_MS } from '../../../platform/paris-time.ts';
import { signedLinks } from '../../../platform/signed-link.ts';
import { LINK_DAYS } from '../vocabulary.ts';

/**
 * The link the receiving structure answers with, without an account: the referral's id, the
 * link's version (bumped when a new one is sent) and its expiry, `LINK_DAYS` days after it is
 * sent (see `src/platform/signed-link.ts`).
 */
const links = signedLinks('orientation-reponse', 'orientation_link_secret');

/** The link's secret, generated once and shared by every app process. */
export const linkSecret = (db: Db): Promise<string> => links.secret(db);

/** A link's token for this referral and version, valid `LINK_DAYS` days from `now`. */
export function signLink(secret: string, id: string, version: number, now: Date = new Date()): string {
  return links.sign(secret, id, version, new Date(now.getTime() + LINK_DAYS * DAY_MS));
}

/** Checks a token's form and signature (in constant time), then its date. */
export const checkLink = links.check;
