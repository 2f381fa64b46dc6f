import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';

/**
 * Secrets Relais must read back (TOTP seeds, the generated cookie secret) are sealed with
 * AES-256-GCM under a key from the environment (`RELAIS_SECRET_KEY`), so that a copy of
 * the database (a backup) does not hold them. A sealed value reads
 * `enc1.<key id>.<iv>.<ciphertext and tag>` (base64url); older keys
 * (`RELAIS_SECRET_KEY_PREVIOUS`) still open what they sealed, and such values, like
 * values stored in clear before the key existed, are sealed again with the current key on
 * their next use or by `relais secrets reseal`.
 *
 * Without any key (development and tests only: production refuses to start) values are
 * stored in clear.
 */

export type SecretKeys = { current: string | undefined; previous: string[] };

type Key = { id: string; bytes: Buffer };
type Keyring = { current: Key | undefined; byId: Map<string, Key> };

const PREFIX = 'enc1';

function deriveKey(secret: string): Key {
  const bytes = Buffer.from(hkdfSync('sha256', secret, 'relais', 'relais secret box v1', 32));
  const id = createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
  return { id, bytes };
}

/** The keyring of each database handle: set once by whoever opens it (app or command line). */
const keyrings = new WeakMap<Db, Keyring>();

export function useSecretKeys(db: Db, keys: SecretKeys): void {
  const current = keys.current ? deriveKey(keys.current) : undefined;
  const all = [current, ...keys.previous.map(deriveKey)].filter((k) => k !== undefined);
  keyrings.set(db, { current, byId: new Map(all.map((k) => [k.id, k])) });
}

const keyringOf = (db: Db): Keyring => keyrings.get(db) ?? { current: undefined, byId: new Map() };

export const isSealed = (stored: string) => stored.startsWith(`${PREFIX}.`);

/** Seals a secret with the current key (or returns it as is when no key is set). */
export function sealSecret(db: Db, plain: string): string {
  const key = keyringOf(db).current;
  if (!key) return plain;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return [PREFIX, key.id, iv.toString('base64url'), sealed.toString('base64url')].join('.');
}

export class SecretKeyError extends Error {}

/** Opens a stored secret (sealed with any known key, or in clear). */
export function openSecret(db: Db, stored: string): string {
  if (!isSealed(stored)) return stored;
  const [, id = '', iv = '', data = ''] = stored.split('.');
  const key = keyringOf(db).byId.get(id);
  if (!key)
    throw new SecretKeyError(
      `Un secret est chiffré avec une clé inconnue (${id}) : définissez RELAIS_SECRET_KEY (ou RELAIS_SECRET_KEY_PREVIOUS) avec cette clé.`,
    );
  const bytes = Buffer.from(data, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}

/** Whether a stored secret should be sealed again: in clear or under an older key, while a key is set. */
export function needsReseal(db: Db, stored: string): boolean {
  const current = keyringOf(db).current;
  if (!current) return false;
  return !isSealed(stored) || stored.split('.')[1] !== current.id;
}
