import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Db } from '../db/database.ts';
import { needsReseal, openSecret, sealSecret } from './secret-box.ts';

/** TOTP (RFC 6238, 30-second codes) and single-use recovery codes. */

export const TOTP_ISSUER = 'Relais';
export const RECOVERY_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// URI and its QR code (as SVG markup) for an authenticator app. */
export async function enrolmentQr(secret: string, label: string): Promise<{ uri: string; svg: string }> {
  const uri = generateURI({ issuer: TOTP_ISSUER, label, secret });
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { uri, svg };
}

/** `ABCD EFGH …`: the secret in groups of four, easier to type into an app. */
export const groupedSecret = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

const normaliseCode = (code: string) => code.replace(/[\s-]/g, '');

/** Checks a code against a secret (the current step, or the one before for slow typists). */
export async function checkTotp(
  secret: string,
  code: string,
  afterTimeStep?: number,
): Promise<number | null> {
  const token = normaliseCode(code);
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({
    secret,
    token,
    epochTolerance: [30, 0],
    ...(afterTimeStep !== undefined ? { afterTimeStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/**
 * Accepts a person's TOTP code once: the accepted time step is recorded in the same
 * statement that checks it was not used, so a replayed code fails even under a race. A
 * secret stored in clear or under an older key is sealed again with the current one.
 */
export async function useTotpCode(db: Db, userId: string, code: string): Promise<boolean> {
  const user = await db
    .selectFrom('app_user')
    .select(['totp_secret', 'totp_last_step'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user?.totp_secret) return false;
  const secret = openSecret(db, user.totp_secret);
  const step = await checkTotp(secret, code, user.totp_last_step ?? undefined);
  if (step === null) return false;
  const updated = await db
    .updateTable('app_user')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return false;
  if (needsReseal(db, user.totp_secret)) {
    await db
      .updateTable('app_user')
      .set({ totp_secret: sealSecret(db, secret) })
      .where('id', '=', userId)
      .where('totp_secret', '=', user.totp_secret)
      .execute();
  }
  return true;
}

const hashCode = (code: string) =>
  createHash('sha256').update(normaliseCode(code).toLowerCase()).digest('hex');

/** Ten new recovery codes (`xxxx-xxxx-xxxx`), replacing any older ones; only hashes are stored. */
export async function newRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
    await trx
      .insertInto('recovery_code')
      .values(codes.map((c) => ({ user_id: userId, code_hash: hashCode(c), used_at: null })))
      .execute();
  });
  return codes;
}

/** Accepts an unused recovery code of this person, once. */
export async function useRecoveryCode(db: Db, userId: string, code: string): Promise<boolean> {
  const used = await db
    .updateTable('recovery_code')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashCode(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}
