import { audit } from '../../../platform/audit/journal.ts';
import { ANONYMOUS } from '../../../platform/auth/policy.ts';
import type { Config } from '../../../platform/config.ts';
import type { Db } from '../../../platform/db/database.ts';
import { mailLink } from '../answer-mail.ts';
import type { Referral } from '../referral.ts';
import { OPEN_STATUSES, type Status } from '../vocabulary.ts';
import { checkLink, linkSecret } from './link.ts';

/** A link of these may be renewed: the place still has something to say. */
export const RENEWABLE_STATUSES: readonly Status[] = [...OPEN_STATUSES, 'acceptee'];

export type LinkOutcome =
  | { state: 'ok'; referral: Referral; token: string }
  | { state: 'invalid' }
  /** Past its date, or replaced by a newer link: a new one can be sent to the place. */
  | { state: 'expired' | 'replaced'; referral: Referral };

/** The referral an answer link designates, after checking its signature, date and version. */
export async function referralOfLink(db: Db, token: string, ip: string | null): Promise<LinkOutcome> {
  const checked = checkLink(await linkSecret(db), token);
  const refused = async (reason: string, id?: string) => {
    await audit(db, {
      actor: ANONYMOUS,
      action: 'orientation.link_refused',
      ip,
      ...(id ? { subject: { type: 'orientation', id } } : {}),
      details: { raison: reason },
    });
  };
  if (!checked.ok && checked.reason === 'invalid') {
    await refused('invalide');
    return { state: 'invalid' };
  }
  const referral = await db
    .selectFrom('orientation')
    .selectAll()
    .where('id', '=', checked.id)
    .executeTakeFirst();
  if (!referral) {
    await refused('inconnue');
    return { state: 'invalid' };
  }
  if (checked.version !== referral.link_version) {
    await refused('remplace', referral.id);
    return { state: 'replaced', referral };
  }
  if (!checked.ok) {
    await refused('expire', referral.id);
    return { state: 'expired', referral };
  }
  return { state: 'ok', referral, token };
}

/**
 * Sends a new link to the place's contact (never to whoever asks): older links stop working.
 * Only while the referral awaits an answer, or once accepted (the place then says whether the
 * person came).
 */
export async function renewLink(
  db: Db,
  config: Config,
  referral: Referral,
  ip: string | null,
): Promise<boolean> {
  if (!RENEWABLE_STATUSES.includes(referral.status)) return false;
  const row = await db
    .updateTable('orientation')
    .set((eb) => ({ link_version: eb('link_version', '+', 1), link_sent_at: new Date() }))
    .where('id', '=', referral.id)
    .where('link_version', '=', referral.link_version)
    .returningAll()
    .executeTakeFirst();
  if (!row) return false;
  await audit(db, {
    actor: ANONYMOUS,
    action: 'orientation.renew_link',
    collectiviteId: referral.destination_collectivite_id,
    subject: { type: 'orientation', id: referral.id },
    ip,
    details: { contact: referral.destination_email },
  });
  await mailLink(db, config, row, row.link_version);
  return true;
}
