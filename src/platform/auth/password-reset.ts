import type { Db } from '../db/database.ts';
import { clearAllLocks } from './lockout.ts';
import { hashPassword } from './passwords.ts';
import { hashSecretToken, newSecretToken } from './secret-token.ts';
import { normaliseEmail } from './users.ts';

/** Password reset by email: a single-use link valid one hour. */
export const RESET_TTL_MS = 60 * 60 * 1000;

/** A reset link for an active account, or null (the caller answers the same either way). */
export async function requestReset(
  db: Db,
  email: string,
  now = new Date(),
): Promise<{ userId: string; email: string; token: string } | null> {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'email'])
    .where('email', '=', normaliseEmail(email))
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!user) return null;
  const token = newSecretToken();
  await db
    .insertInto('password_reset')
    .values({
      token_hash: hashSecretToken(token),
      user_id: user.id,
      expires_at: new Date(now.getTime() + RESET_TTL_MS),
      used_at: null,
    })
    .execute();
  return { userId: user.id, email: user.email, token };
}

/** The person a reset link is for, while it is unused and unexpired. */
export async function findReset(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ userId: string; email: string } | null> {
  const row = await db
    .selectFrom('password_reset as r')
    .innerJoin('app_user as u', 'u.id', 'r.user_id')
    .select(['r.user_id', 'r.expires_at', 'r.used_at', 'u.email', 'u.status'])
    .where('r.token_hash', '=', hashSecretToken(token))
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now || row.status !== 'active') return null;
  return { userId: row.user_id, email: row.email };
}

/**
 * Uses the link once: sets the password, ends every other reset link of the person and
 * every session, and lifts every lock (see lockout.ts).
 */
export async function completeReset(db: Db, token: string, password: string): Promise<string | null> {
  const reset = await findReset(db, token);
  if (!reset) return null;
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('password_reset')
      .set({ used_at: new Date() })
      .where('token_hash', '=', hashSecretToken(token))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return null;
    await trx
      .updateTable('password_reset')
      .set({ used_at: new Date() })
      .where('user_id', '=', reset.userId)
      .where('used_at', 'is', null)
      .execute();
    await trx
      .updateTable('app_user')
      .set({ password_hash: passwordHash })
      .where('id', '=', reset.userId)
      .execute();
    await clearAllLocks(trx, reset.userId);
    await trx.deleteFrom('user_session').where('user_id', '=', reset.userId).execute();
    return reset.userId;
  });
}
