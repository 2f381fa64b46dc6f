import { createHash, randomBytes } from 'node:crypto';

/**
 * The secrets Relais hands out (session cookies, invitation and reset links, pending
 * sign-ins, API tokens): 256 random bits, of which only a SHA-256 is stored, so a stolen
 * table gives nothing that works.
 */
export const newSecretToken = () => randomBytes(32).toString('base64url');

export const hashSecretToken = (token: string) => createHash('sha256').update(token).digest('hex');
