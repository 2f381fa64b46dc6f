import type { Db } from '../db/database.ts';
import { clearWrongPasswords, countWrongPassword, isAddressLocked } from './lockout.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Membership } from './policy.ts';
import { sealSecret } from './secret-box.ts';

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
        totp_secret: user.totpSecret ? sealSecret(db, user.totpSecret) : null,
        totp_last_step: null,
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
  | { ok: false; userId: string | null; lockedUntil: Date | null };

/**
 * Checks an email and password from an address. Wrong passwords lock that address out of
 * the account (see lockout.ts), even against the right password, and never the owner
 * elsewhere. On failure, `userId` names the account tried (for the journal) and
 * `lockedUntil` is set when this failure locked the address (to warn the owner); the
 * caller answers the same in every case.
 */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
  address: string,
  now = new Date(),
): Promise<Authentication> {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash', 'status'])
    .where('email', '=', normaliseEmail(email))
    .executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  if (!user) return { ok: false, userId: null, lockedUntil: null };
  if (await isAddressLocked(db, user.id, address, now))
    return { ok: false, userId: user.id, lockedUntil: null };
  if (ok && user.status === 'active') {
    await clearWrongPasswords(db, user.id, address);
    return { ok: true, userId: user.id };
  }
  return { ok: false, userId: user.id, lockedUntil: await countWrongPassword(db, user.id, address, now) };
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
