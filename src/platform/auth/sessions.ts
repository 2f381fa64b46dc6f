import type { Db } from '../db/database.ts';
import type { Actor, Membership } from './policy.ts';
import { hashSecretToken, newSecretToken } from './secret-token.ts';

export const SESSION_COOKIE = 'relais_session';
/** Idle and absolute lifetimes of a session. */
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;

/** Opens a session and returns the cookie value (only its hash is stored). */
export async function openSession(db: Db, userId: string, now = new Date()): Promise<string> {
  const token = newSecretToken();
  const memberships = await loadMemberships(db, userId);
  await db
    .insertInto('user_session')
    .values({
      id: hashSecretToken(token),
      user_id: userId,
      active_collectivite_id: defaultCollectiviteId(memberships),
      last_seen_at: now,
      expires_at: new Date(now.getTime() + ABSOLUTE_TIMEOUT_MS),
    })
    .execute();
  return token;
}

export async function closeSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('user_session').where('id', '=', hashSecretToken(token)).execute();
}

/** A person's roles, for the actor of a session or of an API token. */
export async function loadMemberships(db: Db, userId: string): Promise<Membership[]> {
  const rows = await db
    .selectFrom('membership')
    .select(['role', 'collectivite_id'])
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => ({ role: r.role, collectiviteId: r.collectivite_id }));
}

/** The collectivité a person acts in until they choose another: their first one. */
export function defaultCollectiviteId(memberships: Membership[]): number | null {
  return memberships.find((m) => m.collectiviteId !== null)?.collectiviteId ?? null;
}

/**
 * The actor behind a session cookie, or null when the session is unknown, idle for too
 * long, past its absolute end, or its person is disabled. Touches the session.
 */
export async function resolveSession(db: Db, token: string, now = new Date()): Promise<Actor | null> {
  const id = hashSecretToken(token);
  const row = await db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select([
      's.user_id',
      's.last_seen_at',
      's.expires_at',
      's.active_collectivite_id',
      'u.email',
      'u.name',
      'u.status',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const idle = now.getTime() - row.last_seen_at.getTime() > IDLE_TIMEOUT_MS;
  if (idle || row.expires_at <= now || row.status !== 'active') {
    await db.deleteFrom('user_session').where('id', '=', id).execute();
    return null;
  }
  // Touch at most once a minute: a page view should not always write.
  if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
    await db.updateTable('user_session').set({ last_seen_at: now }).where('id', '=', id).execute();
  }
  return {
    kind: 'user',
    userId: row.user_id,
    email: row.email,
    name: row.name,
    memberships: await loadMemberships(db, row.user_id),
    activeCollectiviteId: row.active_collectivite_id,
  };
}
