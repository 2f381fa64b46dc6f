import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/**
 * Throttles for guessing, counted in one statement each so that parallel requests cannot
 * lose an increment (no read-modify-write).
 *
 * - Wrong passwords are counted per account *and address*: five from one address lock
 *   that address out of that account (15 minutes, doubling each time), while the owner
 *   signs in from theirs. Anyone can type an email; only the owner should be stopped by
 *   the owner's own mistakes.
 * - Second-factor attempts are counted per account: reaching the code means knowing the
 *   password, so the lock stops every address until it ends or the password is reset.
 *   An attempt is counted *before* its code is checked, so no more than five codes are
 *   ever checked per lock, however many requests arrive at once.
 */

export const LOCK_AFTER_FAILURES = 5;
export const FIRST_LOCK_MS = 15 * 60 * 1000;

/** `failures` is the count after this one; every fifth locks for FIRST_LOCK_MS doubled each time. */
const lockUntilSql = (failures: ReturnType<typeof sql>, lockedUntil: ReturnType<typeof sql>, now: Date) =>
  sql<Date | null>`case when (${failures}) % ${LOCK_AFTER_FAILURES} = 0
    then ${now}::timestamptz + (${FIRST_LOCK_MS} * power(2, (${failures}) / ${LOCK_AFTER_FAILURES} - 1)) * interval '1 millisecond'
    else ${lockedUntil} end`;

/** Whether wrong passwords from this address lock it out of this account now. */
export async function isAddressLocked(db: Db, userId: string, address: string, now = new Date()) {
  const row = await db
    .selectFrom('signin_failure')
    .select('locked_until')
    .where('user_id', '=', userId)
    .where('address', '=', address)
    .executeTakeFirst();
  return row?.locked_until != null && row.locked_until > now;
}

/** Counts a wrong password from this address; returns when this failure locked it, else null. */
export async function countWrongPassword(
  db: Db,
  userId: string,
  address: string,
  now = new Date(),
): Promise<Date | null> {
  const failures = sql`signin_failure.failures + 1`;
  const row = await db
    .insertInto('signin_failure')
    .values({ user_id: userId, address, failures: 1, locked_until: null })
    .onConflict((oc) =>
      oc.columns(['user_id', 'address']).doUpdateSet({
        failures: sql`${failures}`,
        locked_until: lockUntilSql(failures, sql`signin_failure.locked_until`, now),
      }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  return row.failures % LOCK_AFTER_FAILURES === 0 ? row.locked_until : null;
}

/** The right password from this address: its count starts over. */
export async function clearWrongPasswords(db: Db, userId: string, address: string): Promise<void> {
  await db
    .deleteFrom('signin_failure')
    .where('user_id', '=', userId)
    .where('address', '=', address)
    .execute();
}

export type CodeAttempt = { lockedUntil: Date | null };

/**
 * Reserves one second-factor attempt before a code is checked. Null when the account's
 * second factor is locked: the code must not be checked. `lockedUntil` is set when this
 * attempt reached the limit (if its code is wrong, the owner is told).
 */
export async function reserveCodeAttempt(
  db: Db,
  userId: string,
  now = new Date(),
): Promise<CodeAttempt | null> {
  const failures = sql`failed_codes + 1`;
  const row = await db
    .updateTable('app_user')
    .set({
      failed_codes: sql`${failures}`,
      codes_locked_until: lockUntilSql(failures, sql`codes_locked_until`, now),
    })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('codes_locked_until', 'is', null), eb('codes_locked_until', '<=', now)]))
    .returning(['failed_codes', 'codes_locked_until'])
    .executeTakeFirst();
  if (!row) return null;
  return { lockedUntil: row.failed_codes % LOCK_AFTER_FAILURES === 0 ? row.codes_locked_until : null };
}

/** A code was accepted: the count starts over and any lock this attempt set is lifted. */
export async function clearCodeAttempts(db: Db, userId: string): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ failed_codes: 0, codes_locked_until: null })
    .where('id', '=', userId)
    .execute();
}

export type CodeCheck =
  | { outcome: 'accepted' }
  | { outcome: 'locked' }
  | { outcome: 'wrong'; lockedUntil: Date | null };

/**
 * Checks a second-factor code of the person within their per-account count: the attempt
 * is reserved first (none when locked), cleared when `check` accepts the code. A wrong
 * code that reached the limit comes back with `lockedUntil` (to warn the owner).
 */
export async function checkCodeCounted(
  db: Db,
  userId: string,
  check: () => Promise<boolean>,
): Promise<CodeCheck> {
  const attempt = await reserveCodeAttempt(db, userId);
  if (!attempt) return { outcome: 'locked' };
  if (!(await check())) return { outcome: 'wrong', lockedUntil: attempt.lockedUntil };
  await clearCodeAttempts(db, userId);
  return { outcome: 'accepted' };
}

/** A new password (reset by email) ends every lock of the account. */
export async function clearAllLocks(db: Db, userId: string): Promise<void> {
  await clearCodeAttempts(db, userId);
  await db.deleteFrom('signin_failure').where('user_id', '=', userId).execute();
}
