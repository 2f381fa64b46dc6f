import type { Db } from '../../platform/db/database.ts';
import { signedLinks } from '../../platform/signed-link.ts';

/**
 * The link a person manages their appointment with, without an account: their booking's id,
 * the link's version (bumped on every move, so that older links stop working) and its expiry,
 * the appointment's start (see `src/platform/signed-link.ts`).
 */
const links = signedLinks('rendezvous-gestion', 'rendezvous_link_secret');

export const linkSecret = (db: Db): Promise<string> => links.secret(db);

/** A token for this booking and version, valid until `until` (the appointment's start). */
export const signLink = (secret: string, id: string, version: number, until: Date): string =>
  links.sign(secret, id, version, until);

/** Checks a token's form and signature (in constant time), then its date. */
export const checkLink = links.check;
