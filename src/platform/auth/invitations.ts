import type { Db } from '../db/database.ts';
import { hashPassword } from './passwords.ts';
import type { Membership } from './policy.ts';
import { hashSecretToken, newSecretToken } from './secret-token.ts';
import { normaliseEmail } from './users.ts';

/** Invitations: a single-use link, valid seven days, by which a person chooses a password. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type NewInvitation = { email: string; name: string; membership: Membership; invitedBy: string | null };

/** Creates the invited person (no password yet) and their invitation; returns the link's token. */
export async function createInvitation(
  db: Db,
  invite: NewInvitation,
  now = new Date(),
): Promise<{ ok: true; userId: string; token: string } | { ok: false; reason: string }> {
  const email = normaliseEmail(invite.email);
  const taken = await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) return { ok: false, reason: `Un compte existe déjà pour ${email}.` };
  const token = newSecretToken();
  const userId = await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('app_user')
      .values({
        email,
        name: invite.name,
        status: 'invited',
        password_hash: null,
        totp_secret: null,
        totp_last_step: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('membership')
      .values({
        user_id: id,
        role: invite.membership.role,
        collectivite_id: invite.membership.collectiviteId,
      })
      .execute();
    await trx
      .insertInto('invitation')
      .values({
        token_hash: hashSecretToken(token),
        user_id: id,
        invited_by: invite.invitedBy,
        expires_at: new Date(now.getTime() + INVITATION_TTL_MS),
        used_at: null,
      })
      .execute();
    return id;
  });
  return { ok: true, userId, token };
}

export type OpenInvitation = { id: string; userId: string; email: string; name: string };

/** The invitation behind a link, when it is unused, unexpired, and its person still invited. */
export async function findOpenInvitation(
  db: Db,
  token: string,
  now = new Date(),
): Promise<OpenInvitation | null> {
  const row = await db
    .selectFrom('invitation as i')
    .innerJoin('app_user as u', 'u.id', 'i.user_id')
    .select(['i.id', 'i.user_id', 'i.expires_at', 'i.used_at', 'u.email', 'u.name', 'u.status'])
    .where('i.token_hash', '=', hashSecretToken(token))
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now || row.status !== 'invited') return null;
  return { id: row.id, userId: row.user_id, email: row.email, name: row.name };
}

/** Uses the invitation: sets the password and activates the person, once (a second use fails). */
export async function acceptInvitation(
  db: Db,
  invitation: OpenInvitation,
  password: string,
): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('invitation')
      .set({ used_at: new Date() })
      .where('id', '=', invitation.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return false;
    await trx
      .updateTable('app_user')
      .set({ password_hash: passwordHash, status: 'active' })
      .where('id', '=', invitation.userId)
      .execute();
    return true;
  });
}

/** Of these accounts, those that `inviterId` invited (one of their invitations names them). */
export async function accountsInvitedBy(db: Db, inviterId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('invitation')
    .select('user_id')
    .distinct()
    .where('invited_by', '=', inviterId)
    .where('user_id', 'in', userIds)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/** Who invited this person: every account that sent them an invitation (most recent first). */
export async function invitersOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('invitation')
    .select('invited_by')
    .where('user_id', '=', userId)
    .where('invited_by', 'is not', null)
    .orderBy('created_at', 'desc')
    .execute();
  return [...new Set(rows.map((r) => r.invited_by as string))];
}
