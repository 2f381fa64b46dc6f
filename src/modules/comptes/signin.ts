import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import { ABSOLUTE_TIMEOUT_MS, openSession, SESSION_COOKIE } from '../../platform/auth/sessions.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';

export type FirstFactor = 'password' | 'proconnect';

/**
 * Called once a person has proved the first factor (password, or ProConnect): continues
 * the sign-in (second factor) and, once complete, opens the session and redirects.
 */
export async function completeFirstFactor(
  db: Db,
  config: Config,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  method: FirstFactor,
): Promise<FastifyReply> {
  return finishSignIn(db, config, request, reply, userId, method);
}

/** Opens a new session (a new id at every sign-in), journals it, and goes to the person's space. */
export async function finishSignIn(
  db: Db,
  config: Config,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  method: FirstFactor,
): Promise<FastifyReply> {
  const token = await openSession(db, userId);
  await audit(db, {
    actor: request.actor,
    action: 'auth.signin.success',
    subject: { type: 'user', id: userId },
    ip: request.ip,
    details: { method },
  });
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.startsWith('https:'),
    maxAge: ABSOLUTE_TIMEOUT_MS / 1000,
  });
  return reply.redirect('/espace', 303);
}
