import type { Db } from '../db/database.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Membership } from './policy.ts';

export type NewUser = {
  email: string;
  name: string;
  password?: string;
  /** An already enrolled TOTP secret (demo accounts and tests). */
  totpSecret?: string;
  memberships: Membership[];
};

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Creates a person and their memberships in one transaction. */
export async function createUser(db: Db, user: NewUser): Promise<string> {
  const passwordHash = user.password ? await hashPassword(user.password) : null;
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('app_user')
      .values({
        email: normaliseEmail(user.email),
        name: user.name,
        password_hash: passwordHash,
        totp_secret: user.totpSecret ?? null,
        totp_last_step: null,
        locked_until: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (user.memberships.length > 0) {
      await trx
        .insertInto('membership')
        .values(
          user.memberships.map((m) => ({ user_id: id, role: m.role, collectivite_id: m.collectiviteId })),
        )
        .execute();
    }
    return id;
  });
}

export type Authentication =
  | { ok: true; userId: string }
  | { ok: false; userId: string | null; lockedNow: boolean };

/** Failures before an account is locked, and the first lock's length (it doubles each time). */
export const LOCK_AFTER_FAILURES = 5;
export const FIRST_LOCK_MS = 15 * 60 * 1000;

/**
 * Checks an email and password. A locked account refuses even the right password. On
 * failure, `userId` names the account tried (for the journal) and `lockedNow` says this
 * failure locked it (to warn its owner); the caller answers the same in every case.
 */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
  now = new Date(),
): Promise<Authentication> {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash', 'status', 'failed_signins', 'locked_until'])
    .where('email', '=', normaliseEmail(email))
    .executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  if (!user) return { ok: false, userId: null, lockedNow: false };
  const locked = user.locked_until !== null && user.locked_until > now;
  if (ok && !locked && user.status === 'active') {
    if (user.failed_signins > 0) {
      await db
        .updateTable('app_user')
        .set({ failed_signins: 0, locked_until: null })
        .where('id', '=', user.id)
        .execute();
    }
    return { ok: true, userId: user.id };
  }
  if (locked) return { ok: false, userId: user.id, lockedNow: false };
  const failures = user.failed_signins + 1;
  const lockedNow = failures % LOCK_AFTER_FAILURES === 0;
  const lockMs = FIRST_LOCK_MS * 2 ** (failures / LOCK_AFTER_FAILURES - 1);
  await db
    .updateTable('app_user')
    .set({
      failed_signins: failures,
      ...(lockedNow ? { locked_until: new Date(now.getTime() + lockMs) } : {}),
    })
    .where('id', '=', user.id)
    .execute();
  return { ok: false, userId: user.id, lockedNow };
}

/** How many people hold a role in a collectivité (a collectivité with people cannot be removed). */
export async function countMembersOf(db: Db, collectiviteId: number): Promise<number> {
  const row = await db
    .selectFrom('membership')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('collectivite_id', '=', collectiviteId)
    .executeTakeFirstOrThrow();
  return row.n;
}
