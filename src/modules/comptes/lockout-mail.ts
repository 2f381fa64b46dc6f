import type { FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { sendMail } from '../../platform/mail.ts';
import { formatDateTime } from '../../platform/paris-time.ts';

/** What was locked: wrong passwords lock one address; wrong codes lock the second factor. */
export type LockKind = 'password' | 'code';

const CAUSE: Record<LockKind, string[]> = {
  password: [
    'Plusieurs mots de passe erronés ont été saisis pour votre compte Relais depuis une même adresse',
    'réseau : cette adresse ne peut plus se connecter à votre compte jusqu’au',
  ],
  code: [
    'Plusieurs codes de sécurité erronés ont été saisis après votre mot de passe : la connexion à votre',
    'compte Relais est bloquée jusqu’au',
  ],
};

const ADVICE: Record<LockKind, string> = {
  password:
    'Vous pouvez toujours vous connecter depuis votre appareil habituel. Si ce n’était pas vous, prévenez votre administrateur : quelqu’un essaie peut-être votre mot de passe.',
  code: 'Si ce n’était pas vous, quelqu’un connaît sans doute votre mot de passe : changez-le dès maintenant avec « Mot de passe oublié » (cela lève aussi le blocage) et prévenez votre administrateur.',
};

/** Journals a lock and tells the account's owner by email. */
export async function warnOfLockout(
  db: Db,
  config: Config,
  request: FastifyRequest,
  userId: string,
  kind: LockKind,
  until: Date,
): Promise<void> {
  const user = await db
    .selectFrom('app_user')
    .select('email')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  await audit(db, {
    actor: request.actor,
    action: 'auth.lockout',
    subject: { type: 'user', id: userId },
    ip: request.ip,
    details: { kind, until: until.toISOString() },
  });
  await sendMail(db, config, {
    to: user.email,
    subject: 'Relais : votre compte est bloqué temporairement',
    text: [
      'Bonjour,',
      '',
      ...CAUSE[kind],
      `${formatDateTime(until, 'short', true)} (heure de Paris).`,
      '',
      ADVICE[kind],
    ].join('\n'),
  });
}
