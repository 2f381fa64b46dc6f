import type { Selectable, Updateable } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { formatDay } from '../../platform/paris-time.ts';
import { CONSENT_MODES, STATUSES, type Status } from './vocabulary.ts';

export type Referral = Selectable<Database['orientation']>;

const initial = (nom: string) => (nom ? `${nom.slice(0, 1).toUpperCase()}.` : '');
/** How the receiving side names the person before accepting: first name and initial. */
export const ERASED = 'Personne (données effacées)';
export const shortNameOf = (r: Pick<Referral, 'prenom' | 'nom'>) =>
  [r.prenom, initial(r.nom)].filter(Boolean).join(' ') || ERASED;
export const fullNameOf = (r: Pick<Referral, 'prenom' | 'nom'>) =>
  [r.prenom, r.nom].filter(Boolean).join(' ') || ERASED;

export type Transition = { ok: true; referral: Referral } | { ok: false; reason: string };

const ALREADY = (r: Referral) =>
  `Cette orientation ne peut plus changer ainsi : elle est « ${STATUSES[r.status].toLowerCase()} ».`;

/**
 * Moves the referral from one of `from` to `to` in one statement: when two answers (or an
 * answer and the expiry job) race, exactly one changes it; the other gets the reason.
 */
export async function transition(
  db: Db,
  referral: Referral,
  from: readonly Status[],
  to: Status,
  set: Updateable<Database['orientation']>,
  event: {
    actor: Actor;
    action:
      | 'orientation.study'
      | 'orientation.accept'
      | 'orientation.refuse'
      | 'orientation.close'
      | 'orientation.withdraw_consent';
    ip: string | null;
    details: Record<string, unknown>;
    collectiviteId: number | null;
  },
): Promise<Transition> {
  return db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('orientation')
      .set({ ...set, status: to, updated_at: new Date() })
      .where('id', '=', referral.id)
      .where('status', 'in', [...from])
      .returningAll()
      .executeTakeFirst();
    if (!changed) {
      const now = await trx
        .selectFrom('orientation')
        .selectAll()
        .where('id', '=', referral.id)
        .executeTakeFirstOrThrow();
      return { ok: false as const, reason: ALREADY(now) };
    }
    await audit(trx, {
      actor: event.actor,
      action: event.action,
      collectiviteId: event.collectiviteId,
      subject: { type: 'orientation', id: referral.id },
      ip: event.ip,
      details: event.details,
    });
    return { ok: true as const, referral: changed };
  });
}

/** The consent as the record page shows it. */
export function consentSummary(r: Referral): string {
  return `Accord recueilli ${CONSENT_MODES[r.consent_mode].toLowerCase()} par ${r.sender_name}.`;
}

/** The availability date for people, or a dash. */
export const availabilityOf = (r: Pick<Referral, 'disponibilite'>) =>
  r.disponibilite ? formatDay(String(r.disponibilite).slice(0, 10)) : 'dès maintenant';
