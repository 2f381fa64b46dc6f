import type { Db } from '../db/database.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Membership } from './policy.ts';

export type NewUser = { email: string; name: string; password?: string; memberships: Membership[] };

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Creates a person and their memberships in one transaction. */
export async function createUser(db: Db, user: NewUser): Promise<string> {
  const passwordHash = user.password ? await hashPassword(user.password) : null;
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('app_user')
      .values({ email: normaliseEmail(user.email), name: user.name, password_hash: passwordHash })
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

export type Authentication = { ok: true; userId: string } | { ok: false; userId: string | null };

/**
 * Checks an email and password. On failure, `userId` names the account that was tried
 * (for the journal) when it exists; the caller must answer the same either way.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<Authentication> {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash', 'status'])
    .where('email', '=', normaliseEmail(email))
    .executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  if (ok && user?.status === 'active') return { ok: true, userId: user.id };
  return { ok: false, userId: user?.id ?? null };
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
