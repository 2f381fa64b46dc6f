import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import { openSecret } from '../../platform/auth/secret-box.ts';
import { hashSecretToken, newSecretToken } from '../../platform/auth/secret-token.ts';
import { isFreshlyConfirmed } from '../../platform/auth/session-admin.ts';
import {
  ABSOLUTE_TIMEOUT_MS,
  openSession,
  resolveSession,
  SESSION_COOKIE,
} from '../../platform/auth/sessions.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';

/**
 * Sign-in in two steps. The first factor (password, or ProConnect) opens a short-lived
 * pending sign-in; the second (a TOTP code, or a recovery code) turns it into a session.
 * A person without a TOTP app enrols one before their first session: no role skips it.
 */

export type FirstFactor = 'password' | 'proconnect';

/**
 * The person behind an account, as the actor of what they do before their session exists
 * (accepting an invitation, choosing a new password, enrolling a second factor, signing in):
 * the journal then names them rather than « anonyme ».
 */
export async function accountActor(db: Db, userId: string): Promise<Actor> {
  const user = await db
    .selectFrom('app_user')
    .select(['email', 'name'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return {
    kind: 'user',
    userId,
    email: user.email,
    name: user.name,
    memberships: [],
    activeCollectiviteId: null,
  };
}

export const PENDING_COOKIE = 'relais_pending';
const PENDING_TTL_MS = 10 * 60 * 1000;
/** Wrong codes allowed in one pending sign-in before it must start over. */
export const MAX_CODE_ATTEMPTS = 5;

const secureCookies = (config: Config) => config.publicUrl.startsWith('https:');

/**
 * What a module asks to do once the person proves their second factor (a TOTP or recovery
 * code, not a first enrolment): e.g. ProConnect links a new identity only then.
 */
export type ConfirmAction = { kind: string; data: Record<string, unknown> };
type ConfirmHandler = (
  db: Db,
  userId: string,
  data: Record<string, unknown>,
  origin: FastifyRequest,
) => Promise<void>;
const confirmHandlers = new Map<string, ConfirmHandler>();

/** Registers what a confirm action of this kind does (a module calls it when its routes load). */
export function onSecondFactorConfirmed(kind: string, handler: ConfirmHandler): void {
  confirmHandlers.set(kind, handler);
}

/** Called once a first factor is proved: continues with the second factor. */
export async function completeFirstFactor(
  db: Db,
  config: Config,
  _request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  method: FirstFactor,
  confirmAction?: ConfirmAction,
): Promise<FastifyReply> {
  const token = newSecretToken();
  await db
    .insertInto('pending_signin')
    .values({
      id: hashSecretToken(token),
      user_id: userId,
      method,
      enrol_secret: null,
      expires_at: new Date(Date.now() + PENDING_TTL_MS),
      confirm_action: confirmAction ? JSON.stringify(confirmAction) : null,
    })
    .execute();
  reply.setCookie(PENDING_COOKIE, token, {
    path: '/connexion',
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(config),
    maxAge: PENDING_TTL_MS / 1000,
  });
  const user = await db
    .selectFrom('app_user')
    .select('totp_secret')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return reply.redirect(user.totp_secret ? '/connexion/code' : '/connexion/activer', 303);
}

export type PendingSignIn = {
  key: string;
  userId: string;
  email: string;
  method: FirstFactor;
  hasTotp: boolean;
  /** Opened (see secret-box.ts). */
  enrolSecret: string | null;
  confirmAction: ConfirmAction | null;
};

/** The pending sign-in of this browser, if any and not expired. */
export async function loadPending(db: Db, request: FastifyRequest): Promise<PendingSignIn | null> {
  const token = request.cookies[PENDING_COOKIE];
  if (!token) return null;
  const row = await db
    .selectFrom('pending_signin as p')
    .innerJoin('app_user as u', 'u.id', 'p.user_id')
    .select([
      'p.id',
      'p.user_id',
      'p.method',
      'p.enrol_secret',
      'p.confirm_action',
      'p.expires_at',
      'u.email',
      'u.totp_secret',
      'u.status',
    ])
    .where('p.id', '=', hashSecretToken(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= new Date() || row.status !== 'active') return null;
  return {
    key: row.id,
    userId: row.user_id,
    email: row.email,
    method: row.method as FirstFactor,
    hasTotp: row.totp_secret !== null,
    enrolSecret: row.enrol_secret === null ? null : openSecret(db, row.enrol_secret),
    confirmAction: row.confirm_action === null ? null : (JSON.parse(row.confirm_action) as ConfirmAction),
  };
}

/** Counts a wrong code in one statement; returns true when the pending sign-in is now used up. */
export async function countFailedCode(db: Db, pending: PendingSignIn): Promise<boolean> {
  const row = await db
    .updateTable('pending_signin')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', pending.key)
    .returning('attempts')
    .executeTakeFirst();
  if (row && row.attempts < MAX_CODE_ATTEMPTS) return false;
  await db.deleteFrom('pending_signin').where('id', '=', pending.key).execute();
  return true;
}

/** Ends a pending sign-in (its second factor is locked). */
export async function dropPending(db: Db, pending: PendingSignIn): Promise<void> {
  await db.deleteFrom('pending_signin').where('id', '=', pending.key).execute();
}

/** Opens a new session (a new id at every sign-in), journals it, and ends the pending sign-in. */
export async function finishSignIn(
  db: Db,
  config: Config,
  request: FastifyRequest,
  reply: FastifyReply,
  pending: PendingSignIn,
  secondFactor: 'totp' | 'recovery-code' | 'enrolment',
): Promise<void> {
  await db.deleteFrom('pending_signin').where('id', '=', pending.key).execute();
  if (pending.confirmAction && secondFactor !== 'enrolment') {
    const handler = confirmHandlers.get(pending.confirmAction.kind);
    await handler?.(db, pending.userId, pending.confirmAction.data, request);
  }
  const token = await openSession(db, pending.userId);
  // The page answering this request already shows the person signed in.
  const actor = await resolveSession(db, token);
  await audit(db, {
    actor: actor ?? (await accountActor(db, pending.userId)),
    action: 'auth.signin.success',
    subject: { type: 'user', id: pending.userId },
    ip: request.ip,
    details: { method: pending.method, secondFactor },
  });
  if (actor) request.actor = actor;
  reply.clearCookie(PENDING_COOKIE, { path: '/connexion' });
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(config),
    maxAge: ABSOLUTE_TIMEOUT_MS / 1000,
  });
}

/**
 * The guard of sensitive actions: unless the person confirmed a fresh TOTP code in this
 * session within five minutes, sends them to confirm it and come back to `back` (a page
 * under /admin/). Returns the redirect to send, or null when the action may go on.
 */
export async function requireFreshConfirmation(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  back: string,
): Promise<FastifyReply | null> {
  if (await isFreshlyConfirmed(db, request.cookies[SESSION_COOKIE])) return null;
  return reply.redirect(`/connexion/confirmer?retour=${encodeURIComponent(back)}`, 303);
}
