import type { Db } from '../db/database.ts';
import { hashSecretToken } from './secret-token.ts';

/** A person's sessions, seen from "my sessions" and by administrators. */

/** A public handle for a session: part of its stored hash, never the cookie value. */
export const sessionHandle = (storedId: string) => storedId.slice(0, 16);

export type SessionView = {
  handle: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  current: boolean;
};

export async function listSessions(db: Db, userId: string, currentToken?: string): Promise<SessionView[]> {
  const current = currentToken ? hashSecretToken(currentToken) : null;
  const rows = await db
    .selectFrom('user_session')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    handle: sessionHandle(r.id),
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    current: r.id === current,
  }));
}

/** Ends one of the person's sessions by its handle; false when no such session. */
export async function revokeSession(db: Db, userId: string, handle: string): Promise<boolean> {
  if (!/^[0-9a-f]{16}$/.test(handle)) return false;
  const result = await db
    .deleteFrom('user_session')
    .where('user_id', '=', userId)
    .where('id', 'like', `${handle}%`)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Ends every session of a person (sign-out everywhere, deactivation, role or factor change). */
export async function revokeAllSessions(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom('user_session').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How long a fresh TOTP confirmation allows sensitive actions. */
export const REAUTH_WINDOW_MS = 5 * 60 * 1000;

export async function isFreshlyConfirmed(
  db: Db,
  cookieToken: string | undefined,
  now = new Date(),
): Promise<boolean> {
  if (!cookieToken) return false;
  const row = await db
    .selectFrom('user_session')
    .select('reauth_at')
    .where('id', '=', hashSecretToken(cookieToken))
    .executeTakeFirst();
  return Boolean(row?.reauth_at && now.getTime() - row.reauth_at.getTime() < REAUTH_WINDOW_MS);
}

export async function markConfirmed(db: Db, cookieToken: string): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ reauth_at: new Date() })
    .where('id', '=', hashSecretToken(cookieToken))
    .execute();
}

/** Switches the collectivité a session acts in, among the person's own memberships. */
export async function setActiveCollectivite(
  db: Db,
  cookieToken: string,
  memberships: { collectiviteId: number | null }[],
  collectiviteId: number,
): Promise<boolean> {
  if (!memberships.some((m) => m.collectiviteId === collectiviteId)) return false;
  await db
    .updateTable('user_session')
    .set({ active_collectivite_id: collectiviteId })
    .where('id', '=', hashSecretToken(cookieToken))
    .execute();
  return true;
}
