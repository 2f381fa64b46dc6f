import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { ANONYMOUS, systemActor } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { formatDateTime, parisToday } from '../../platform/paris-time.ts';
import { type Booking, manageUrl } from './booking.ts';
import { linkSecret, signLink } from './link.ts';
import { deliver } from './messages.ts';
import { findReason } from './setup.ts';
import { freeSlots } from './slots.ts';
import {
  MOVE_UNTIL_HOURS,
  WAITLIST_MAX_NOTICES,
  WAITLIST_MIN_DAYS_AHEAD,
  WAITLIST_NOTICE_EVERY_HOURS,
} from './vocabulary.ts';

/**
 * The waiting list of a reason that offers one: a person whose appointment is more than 7 days
 * away asks, through their link, to be told of an earlier free slot. A job tells them, at most
 * 3 times and once a day, while the appointment is still more than 7 days away; they move it
 * through the same link. Moving or cancelling the appointment ends the wait.
 */

const DAY_MS = 24 * 3600_000;

export type WaitlistState = {
  /** The person may join (or has joined) the list for this appointment. */
  offered: boolean;
  joined: boolean;
  notices: number;
};

const farEnough = (startsAt: Date, now: Date) =>
  startsAt.getTime() - now.getTime() > WAITLIST_MIN_DAYS_AHEAD * DAY_MS;

/** Where this booking stands with the waiting list of its reason. */
export async function waitlistOf(db: Db, booking: Booking, now = new Date()): Promise<WaitlistState> {
  const row = await db
    .selectFrom('rdv_attente')
    .select(['notices', 'ended_at'])
    .where('participant_id', '=', booking.id)
    .executeTakeFirst();
  const reason = await db
    .selectFrom('rdv_motif')
    .select('liste_attente')
    .where('id', '=', booking.motif_id)
    .executeTakeFirst();
  const offered =
    Boolean(reason?.liste_attente) &&
    booking.modifiable &&
    booking.status === 'a_venir' &&
    farEnough(booking.starts_at, now);
  const notices = row?.notices ?? 0;
  return {
    offered: offered && notices < WAITLIST_MAX_NOTICES,
    joined: offered && row !== undefined && row.ended_at === null && notices < WAITLIST_MAX_NOTICES,
    notices,
  };
}

/** The person asks to be told of an earlier slot; refused with a French message when it cannot be. */
export async function joinWaitlist(
  db: Db,
  booking: Booking,
  ip: string | null,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; message: string }> {
  const state = await waitlistOf(db, booking, now);
  if (!state.offered)
    return {
      ok: false,
      message:
        state.notices >= WAITLIST_MAX_NOTICES
          ? 'Vous avez déjà reçu les 3 messages de la liste d’attente pour ce rendez-vous.'
          : `La liste d’attente n’est proposée que pour un rendez-vous dans plus de ${WAITLIST_MIN_DAYS_AHEAD} jours, quand le lieu l’offre.`,
    };
  if (state.joined) return { ok: true };
  await db
    .insertInto('rdv_attente')
    .values({ participant_id: booking.id, collectivite_id: booking.collectivite_id })
    .onConflict((oc) => oc.column('participant_id').doUpdateSet({ ended_at: null }))
    .execute();
  await audit(db, {
    actor: ANONYMOUS,
    action: 'appointment.waitlist_join',
    collectiviteId: booking.collectivite_id,
    subject: { type: 'rdv_participant', id: booking.id },
    ip,
  });
  return { ok: true };
}

/** The person no longer waits (they asked, or moved the appointment). */
export async function leaveWaitlist(
  db: Db,
  booking: Pick<Booking, 'id' | 'collectivite_id'>,
  ip: string | null,
  now = new Date(),
): Promise<boolean> {
  const row = await db
    .updateTable('rdv_attente')
    .set({ ended_at: now })
    .where('participant_id', '=', booking.id)
    .where('ended_at', 'is', null)
    .returning('participant_id')
    .executeTakeFirst();
  if (!row) return false;
  await audit(db, {
    actor: ANONYMOUS,
    action: 'appointment.waitlist_leave',
    collectiviteId: booking.collectivite_id,
    subject: { type: 'rdv_participant', id: booking.id },
    ip,
  });
  return true;
}

/**
 * Tells the people waiting of an earlier free slot: one notice a day at most, 3 in all, only
 * while their appointment is more than 7 days away. One free-slot search per reason.
 */
export async function sendWaitlistNotices(db: Db, config: Config, now = new Date()) {
  const waiting = await db
    .selectFrom('rdv_attente as a')
    .innerJoin('rdv_participant as p', 'p.id', 'a.participant_id')
    .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .select([
      'p.id',
      'p.prenom',
      'p.telephone',
      'p.email',
      'p.sms_prefere',
      'p.link_version',
      'p.collectivite_id',
      'a.notices',
      'r.starts_at',
      'm.id as motif_id',
      'm.nom as motif_nom',
    ])
    .where('a.ended_at', 'is', null)
    .where('a.notices', '<', WAITLIST_MAX_NOTICES)
    .where((eb) =>
      eb.or([
        eb('a.last_notice_at', 'is', null),
        eb('a.last_notice_at', '<=', new Date(now.getTime() - WAITLIST_NOTICE_EVERY_HOURS * 3600_000)),
      ]),
    )
    .where('p.status', '=', 'a_venir')
    .where('r.libere_at', 'is', null)
    .where('r.starts_at', '>', new Date(now.getTime() + WAITLIST_MIN_DAYS_AHEAD * DAY_MS))
    .where('m.liste_attente', '=', true)
    .where('m.modifiable', '=', true)
    .where('m.actif', '=', true)
    .orderBy('r.starts_at')
    .limit(2000)
    .execute();
  const byReason = new Map<string, typeof waiting>();
  for (const w of waiting) byReason.set(w.motif_id, [...(byReason.get(w.motif_id) ?? []), w]);
  const secret = await linkSecret(db);
  let sent = 0;
  for (const [motifId, people] of byReason) {
    const reason = await findReason(db, motifId);
    if (!reason) continue;
    const latest = new Date(Math.max(...people.map((p) => p.starts_at.getTime())));
    const slots = await freeSlots(db, reason, parisToday(now), parisToday(latest), now);
    // A person moves only to a slot at least as far ahead as a move allows.
    const movable = slots.filter((s) => s.start.getTime() - now.getTime() >= MOVE_UNTIL_HOURS * 3600_000);
    for (const p of people) {
      const earlier = movable.find((s) => s.start < p.starts_at);
      if (!earlier) continue;
      const claimed = await db
        .updateTable('rdv_attente')
        .set({ notices: sql`notices + 1`, last_notice_at: now })
        .where('participant_id', '=', p.id)
        .where('notices', '=', p.notices)
        .where('ended_at', 'is', null)
        .returning('notices')
        .executeTakeFirst();
      if (!claimed) continue;
      const link = manageUrl(config, signLink(secret, p.id, p.link_version, p.starts_at));
      const when = formatDateTime(earlier.start);
      const last = claimed.notices >= WAITLIST_MAX_NOTICES;
      const delivery = await deliver(
        db,
        config,
        p.collectivite_id,
        { email: p.email, phone: p.telephone, prefers: p.sms_prefere ? 'sms' : 'email' },
        {
          subject: `Un créneau plus tôt : ${p.motif_nom}, le ${when}`,
          text: [
            `Bonjour ${p.prenom},`,
            '',
            `Un créneau plus tôt que votre rendez-vous « ${p.motif_nom} » du ${formatDateTime(p.starts_at)} est libre : le ${when}.`,
            `Pour déplacer votre rendez-vous (s’il est encore libre) : ${link}/deplacer`,
            '',
            last
              ? 'C’est le dernier message de la liste d’attente pour ce rendez-vous.'
              : `Pour ne plus être prévenu : ${link}`,
          ].join('\n'),
          sms: `Créneau plus tôt pour votre RDV ${p.motif_nom} : le ${when}. Déplacer : ${link}/deplacer`,
        },
        now,
      );
      if (delivery) sent++;
    }
  }
  const result = { 'messages de liste d’attente': sent };
  if (sent > 0)
    await audit(db, {
      actor: systemActor('tâche planifiée'),
      action: 'appointment.waitlist_notify',
      details: result,
    });
  return result;
}
