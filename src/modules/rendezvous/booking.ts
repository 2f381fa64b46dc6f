import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ANONYMOUS } from '../../platform/auth/policy.ts';
import { calendarFile } from '../../platform/calendar.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isChecked, optionalEmail, requiredText } from '../../platform/forms.ts';
import { normaliseMobile } from '../../platform/messaging/index.ts';
import { formatDateTime, parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { placePostalAddress } from '../lieux/index.ts';
import { checkLink, linkSecret, signLink } from './link.ts';
import { deliver } from './messages.ts';
import { ensureAgenda, findReason, type Reason } from './setup.ts';
import { freeSlots, parseSlotKey, type Slot } from './slots.ts';
import {
  BOOKINGS_PER_CONTACT_PER_DAY,
  CANCEL_UNTIL_HOURS,
  type Channel,
  LOCATION_TYPES,
  MOVE_UNTIL_HOURS,
} from './vocabulary.ts';

/**
 * Booking, for the person on line (no account) or by a helper on the phone: a free slot of a
 * reason, a name and a way to be reached, and consent to be contacted. The database decides
 * who gets a contested slot: `rdv_no_overlap` refuses a second appointment over the same time
 * of the same agenda, and a workshop's seat is taken by a conditional update. The person then
 * manages the appointment through a signed link: cancel until 4 h before, move until 2 days.
 */

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

export const personFields = z
  .object({
    prenom: requiredText('votre prénom', 100),
    nom: requiredText('votre nom', 100),
    telephone: z.preprocess(
      (v) => text(v) || undefined,
      z.string().max(30, 'Téléphone : 30 caractères au plus').optional(),
    ),
    email: optionalEmail('Courriel : une adresse comme nom@exemple.fr'),
    sms: z.preprocess(isChecked, z.boolean()),
    rappel_24h: z.preprocess(isChecked, z.boolean()),
    consentement: z.preprocess(
      isChecked,
      z.literal(true, { error: 'Cochez la case pour accepter d’être contacté pour ce rendez-vous.' }),
    ),
  })
  .superRefine((p, ctx) => {
    const add = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (!p.telephone && !p.email)
      add('telephone', 'Donnez un numéro de téléphone portable ou une adresse de courriel.');
    const needsMobile = p.telephone && (p.sms || !p.email);
    if (needsMobile && !normaliseMobile(p.telephone as string))
      add(
        'telephone',
        'Ce numéro n’est pas un portable français (06 ou 07) : les SMS ne peuvent pas y arriver. Donnez un portable ou une adresse de courriel.',
      );
    if (p.sms && !p.telephone) add('telephone', 'Pour recevoir des SMS, donnez un numéro de portable.');
  });
export type PersonInput = z.output<typeof personFields>;

export type BookingRequest = {
  reason: Reason;
  key: string;
  person: PersonInput;
  channel: Channel;
  actor: Actor;
  beneficiaireId?: string | null;
  ip?: string | null;
  now?: Date;
};

export type Booked = { ok: true; participantId: string; token: string; rdvId: string };
type Refused = { ok: false; errors: FieldErrors };

const TAKEN = 'Ce créneau vient d’être pris ou n’est plus proposé : choisissez-en un autre.';

class SeatGone extends Error {}
const errorCode = (error: unknown) => (error as { code?: string } | null)?.code;
/** `rdv_no_overlap` refused the appointment: another one holds that time. */
const isOverlap = (error: unknown) => errorCode(error) === '23P01';
/**
 * Two bookings inserted over the same time at the same instant may each wait for the other
 * before the exclusion constraint decides; PostgreSQL then aborts one as a deadlock. Its slot
 * is read again: by then the other booking holds it, or it is free.
 */
const isDeadlock = (error: unknown) => errorCode(error) === '40P01';
const SLOT_ATTEMPTS = 3;

/** The slot `key` names, when it is still free for this reason. */
export async function findFreeSlot(
  db: Db,
  reason: Reason,
  key: string,
  now: Date,
): Promise<Slot | undefined> {
  const parsed = parseSlotKey(key);
  if (!parsed) return undefined;
  const day = parisToday(parsed.start);
  const slots = await freeSlots(db, reason, day, day, now);
  return slots.find((s) => s.start.getTime() === parsed.start.getTime());
}

/** Takes a seat at `slot` (a new appointment, or a seat of its workshop): the appointment's id. */
async function takeSeat(trx: Kysely<Database>, reason: Reason, slot: Slot, agenda: number): Promise<string> {
  if (slot.rdvId) {
    const row = await trx
      .updateTable('rdv')
      .set((eb) => ({ places_prises: eb('places_prises', '+', 1), updated_at: new Date() }))
      .where('id', '=', slot.rdvId)
      .where('libere_at', 'is', null)
      .whereRef('places_prises', '<', 'capacite')
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new SeatGone();
    return row.id;
  }
  const row = await trx
    .insertInto('rdv')
    .values({
      collectivite_id: reason.collectivite_id,
      lieu_id: reason.lieu_id,
      motif_id: reason.id,
      mediateur_id: slot.helperId,
      agenda_numero: agenda,
      starts_at: slot.start,
      ends_at: slot.end,
      capacite: reason.capacite ?? 1,
      places_prises: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Gives a seat back: an individual appointment's slot is free again. */
async function releaseSeat(trx: Kysely<Database>, rdvId: string, now: Date): Promise<void> {
  await trx
    .updateTable('rdv')
    .set((eb) => ({
      places_prises: eb('places_prises', '-', 1),
      libere_at: sql<Date | null>`case when capacite = 1 then ${now}::timestamptz else libere_at end`,
      updated_at: now,
    }))
    .where('id', '=', rdvId)
    .where('places_prises', '>', 0)
    .execute();
}

/** Runs `work` on a free slot, again when a workshop session appeared or a deadlock aborted it. */
async function onFreeSlot<T>(
  db: Db,
  reason: Reason,
  key: string,
  now: Date,
  work: (trx: Transaction<Database>, slot: Slot, agenda: number) => Promise<T>,
): Promise<T | null> {
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
    const slot = await findFreeSlot(db, reason, key, now);
    if (!slot) return null;
    const agenda = await ensureAgenda(db, slot.helperId);
    try {
      return await db.transaction().execute((trx) => work(trx, slot, agenda));
    } catch (error) {
      if (error instanceof SeatGone) return null;
      if (isDeadlock(error)) continue;
      // Someone took the slot first; a workshop may now have a session with seats left.
      if (!isOverlap(error)) throw error;
      if (!reason.collectif) return null;
    }
  }
  return null;
}

/** Books a slot; nothing is written when anything is wrong. */
export async function book(db: Db, config: Config, request: BookingRequest): Promise<Booked | Refused> {
  const { reason, person, channel } = request;
  const now = request.now ?? new Date();
  if (channel === 'en_ligne' && reason.reservable_par !== 'tout_le_monde')
    return { ok: false, errors: { creneau: 'Ce motif ne se réserve pas en ligne : appelez le lieu.' } };
  const phone = person.telephone ? (normaliseMobile(person.telephone) ?? person.telephone) : null;
  const email = person.email?.toLowerCase() ?? null;
  if (channel === 'en_ligne') {
    const recent = await db
      .selectFrom('rdv_participant')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('created_at', '>', new Date(now.getTime() - 24 * 3600_000))
      .where((eb) =>
        eb.or([
          ...(phone ? [eb('telephone', '=', phone)] : []),
          ...(email ? [eb(eb.fn('lower', ['email']), '=', email)] : []),
        ]),
      )
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= BOOKINGS_PER_CONTACT_PER_DAY)
      return {
        ok: false,
        errors: {
          formulaire:
            'Trop de rendez-vous ont été pris aujourd’hui avec ce numéro ou cette adresse : appelez le lieu pour en prendre un autre.',
        },
      };
  }
  const booked = await onFreeSlot(db, reason, request.key, now, async (trx, slot, agenda) => {
    const rdvId = await takeSeat(trx, reason, slot, agenda);
    const participant = await trx
      .insertInto('rdv_participant')
      .values({
        rdv_id: rdvId,
        collectivite_id: reason.collectivite_id,
        prenom: person.prenom,
        nom: person.nom,
        telephone: phone,
        email,
        sms_prefere: person.sms,
        rappel_24h: person.rappel_24h,
        consent_at: now,
        beneficiaire_id: request.beneficiaireId ?? null,
        channel,
        booked_by: request.actor.kind === 'user' ? request.actor.userId : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { rdvId, participantId: participant.id, start: slot.start };
  });
  if (!booked) return { ok: false, errors: { creneau: TAKEN } };
  await audit(db, {
    actor: request.actor,
    action: 'appointment.book',
    collectiviteId: reason.collectivite_id,
    subject: { type: 'rdv_participant', id: booked.participantId },
    ip: request.ip ?? null,
    details: { motif: reason.id, channel },
  });
  const token = signLink(await linkSecret(db), booked.participantId, 1, booked.start);
  await sendConfirmation(db, config, booked.participantId, token, 'confirme');
  return { ok: true, participantId: booked.participantId, token, rdvId: booked.rdvId };
}

// ------------------------------------------------------------------ a booking as its person sees it

export type Booking = Awaited<ReturnType<typeof bookingById>> & {};

export function bookingById(db: Db, participantId: string) {
  return db
    .selectFrom('rdv_participant as p')
    .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .select([
      'p.id',
      'p.rdv_id',
      'p.prenom',
      'p.nom',
      'p.telephone',
      'p.email',
      'p.sms_prefere',
      'p.status',
      'p.link_version',
      'p.collectivite_id',
      'r.starts_at',
      'r.ends_at',
      'r.lieu_id',
      'r.mediateur_id',
      'r.libere_at',
      'm.id as motif_id',
      'm.nom as motif_nom',
      'm.collectif',
      'm.location_type',
      'm.instructions',
      'm.modifiable',
    ])
    .where('p.id', '=', participantId)
    .executeTakeFirst();
}

export type LinkOutcome =
  | { state: 'ok'; booking: Booking; token: string }
  | { state: 'invalid' | 'expired' | 'replaced' };

/** The booking a link manages, or why the link does not work (journaled). */
export async function bookingOfLink(
  db: Db,
  token: string,
  ip: string | null,
  now = new Date(),
): Promise<LinkOutcome> {
  const checked = checkLink(await linkSecret(db), token, now);
  let outcome: LinkOutcome;
  if (!checked.ok) outcome = { state: checked.reason };
  else {
    const booking = await bookingById(db, checked.id);
    if (!booking) outcome = { state: 'invalid' };
    else if (booking.link_version !== checked.version) outcome = { state: 'replaced' };
    else return { state: 'ok', booking, token };
  }
  await audit(db, {
    actor: ANONYMOUS,
    action: 'appointment.link_refused',
    ip,
    details: { reason: outcome.state },
  });
  return outcome;
}

/** Whether the person may still cancel, move, or neither, and why not. */
export function selfService(booking: Booking, now = new Date()) {
  const left = booking.starts_at.getTime() - now.getTime();
  const open = booking.status === 'a_venir' && booking.modifiable;
  return {
    cancel: open && left >= CANCEL_UNTIL_HOURS * 3600_000,
    move: open && left >= MOVE_UNTIL_HOURS * 3600_000,
  };
}

/** The person cancels their booking through their link. */
export async function cancelByPerson(
  db: Db,
  booking: Booking,
  ip: string | null,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (!selfService(booking, now).cancel)
    return {
      ok: false,
      message: booking.modifiable
        ? `Ce rendez-vous ne peut plus être annulé en ligne (jusqu’à ${CANCEL_UNTIL_HOURS} heures avant) : appelez le lieu.`
        : 'Ce rendez-vous ne s’annule pas en ligne : appelez le lieu.',
    };
  const done = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('rdv_participant')
      .set({ status: 'excuse', status_at: now })
      .where('id', '=', booking.id)
      .where('status', '=', 'a_venir')
      .where('link_version', '=', booking.link_version)
      .returning('id')
      .executeTakeFirst();
    if (row) await releaseSeat(trx, booking.rdv_id, now);
    return row !== undefined;
  });
  if (!done) return { ok: false, message: 'Ce rendez-vous est déjà annulé.' };
  await audit(db, {
    actor: ANONYMOUS,
    action: 'appointment.cancel',
    collectiviteId: booking.collectivite_id,
    subject: { type: 'rdv_participant', id: booking.id },
    ip,
  });
  return { ok: true };
}

/** The person moves their booking to another free slot of the same reason. */
export async function moveByPerson(
  db: Db,
  config: Config,
  booking: Booking,
  key: string,
  ip: string | null,
  now = new Date(),
): Promise<{ ok: true; token: string; rdvId: string } | { ok: false; message: string }> {
  if (!selfService(booking, now).move)
    return {
      ok: false,
      message: booking.modifiable
        ? 'Ce rendez-vous ne peut plus être déplacé en ligne (jusqu’à 2 jours avant) : appelez le lieu.'
        : 'Ce rendez-vous ne se déplace pas en ligne : appelez le lieu.',
    };
  return moveBooking(db, config, booking, key, { actor: ANONYMOUS, ip, now });
}

/**
 * Moves a booking still to come to another free slot of its reason (the person through their
 * link, or a helper of the place at any time): the old link stops working, the person gets the
 * new one.
 */
export async function moveBooking(
  db: Db,
  config: Config,
  booking: Booking,
  key: string,
  by: { actor: Actor; ip: string | null; now?: Date },
): Promise<{ ok: true; token: string; rdvId: string } | { ok: false; message: string }> {
  const now = by.now ?? new Date();
  if (booking.status !== 'a_venir') return { ok: false, message: 'Ce rendez-vous est annulé ou passé.' };
  const reason = await findReason(db, booking.motif_id);
  if (!reason) return { ok: false, message: 'Ce motif n’est plus proposé : appelez le lieu.' };
  const moved = await onFreeSlot(db, reason, key, now, async (trx, slot, agenda) => {
    const rdvId = await takeSeat(trx, reason, slot, agenda);
    const row = await trx
      .updateTable('rdv_participant')
      .set({
        rdv_id: rdvId,
        link_version: sql`link_version + 1`,
        reminded_48_at: null,
        reminded_24_at: null,
      })
      .where('id', '=', booking.id)
      .where('status', '=', 'a_venir')
      .where('link_version', '=', booking.link_version)
      .returning('link_version')
      .executeTakeFirst();
    if (!row) throw new SeatGone();
    await releaseSeat(trx, booking.rdv_id, now);
    return { version: row.link_version, start: slot.start, rdvId };
  });
  if (!moved) return { ok: false, message: TAKEN };
  await audit(db, {
    actor: by.actor,
    action: by.actor.kind === 'user' ? 'appointment.reschedule' : 'appointment.move',
    collectiviteId: booking.collectivite_id,
    subject: { type: 'rdv_participant', id: booking.id },
    ip: by.ip,
  });
  const token = signLink(await linkSecret(db), booking.id, moved.version, moved.start);
  await sendConfirmation(db, config, booking.id, token, 'deplace');
  return { ok: true, token, rdvId: moved.rdvId };
}

// ------------------------------------------------------------------ messages

export const manageUrl = (config: Config, token: string) => `${config.publicUrl}/rendezvous/gestion/${token}`;

/** Where it takes place, in a sentence: the place's address, or the phone, home, video. */
export async function whereText(db: Db, b: Pick<Booking, 'lieu_id' | 'location_type'>): Promise<string> {
  const place = await placePostalAddress(db, b.lieu_id);
  const address = `${place.nom}, ${place.adresse}, ${place.code_postal} ${place.commune}`;
  return b.location_type === 'sur_place' ? address : `${LOCATION_TYPES[b.location_type]} (${address})`;
}

/** The appointment as a calendar file, the same at its link's address and joined to its confirmation. */
export async function appointmentCalendar(
  db: Db,
  config: Config,
  b: Booking,
  token: string,
): Promise<string> {
  return calendarFile(
    [
      {
        uid: `${b.id}@relais`,
        start: b.starts_at,
        end: b.ends_at,
        sequence: b.link_version,
        summary: b.motif_nom,
        location: await whereText(db, b),
        description: [b.instructions, `Annuler ou déplacer : ${manageUrl(config, token)}`]
          .filter(Boolean)
          .join('\n\n'),
        cancelled: b.status !== 'a_venir',
      },
    ],
    { name: b.motif_nom, product: 'Rendez-vous' },
  );
}

/** The confirmation of a booking or of its move, with the link to manage it and its calendar file. */
async function sendConfirmation(
  db: Db,
  config: Config,
  participantId: string,
  token: string,
  kind: 'confirme' | 'deplace',
): Promise<void> {
  const b = await bookingById(db, participantId);
  if (!b) return;
  const when = formatDateTime(b.starts_at);
  const where = await whereText(db, b);
  const verb = kind === 'confirme' ? 'est confirmé' : 'est déplacé';
  const link = manageUrl(config, token);
  await deliver(
    db,
    config,
    b.collectivite_id,
    { email: b.email, phone: b.telephone, prefers: b.sms_prefere ? 'sms' : 'email' },
    {
      subject: `Rendez-vous ${kind === 'confirme' ? 'confirmé' : 'déplacé'} : ${b.motif_nom}, le ${when}`,
      text: [
        `Bonjour ${b.prenom},`,
        '',
        `Votre rendez-vous « ${b.motif_nom} » ${verb} : le ${when}.`,
        `Lieu : ${where}.`,
        ...(b.instructions ? ['', b.instructions] : []),
        '',
        `Ajoutez-le à votre agenda avec le fichier joint (ou : ${link}/rendez-vous.ics).`,
        `Annuler (jusqu’à ${CANCEL_UNTIL_HOURS} heures avant) ou déplacer (jusqu’à 2 jours avant) : ${link}`,
        '',
        'Vous recevrez un rappel deux jours avant.',
      ].join('\n'),
      sms: `RDV ${b.motif_nom} le ${when}, ${where}. Annuler ou déplacer : ${link}`,
      attachments: [
        {
          filename: 'rendez-vous.ics',
          contentType: 'text/calendar; method=PUBLISH; charset=utf-8',
          content: await appointmentCalendar(db, config, b, token),
        },
      ],
    },
  );
}

/** Tells the person the service cancelled their appointment (when it was still to come). */
export async function tellCancelledByService(
  db: Db,
  config: Config,
  participantId: string,
  now = new Date(),
) {
  const b = await bookingById(db, participantId);
  if (!b || b.starts_at <= now) return;
  const when = formatDateTime(b.starts_at);
  await deliver(
    db,
    config,
    b.collectivite_id,
    { email: b.email, phone: b.telephone, prefers: b.sms_prefere ? 'sms' : 'email' },
    {
      subject: `Rendez-vous annulé : ${b.motif_nom}, le ${when}`,
      text: [
        `Bonjour ${b.prenom},`,
        '',
        `Nous devons annuler votre rendez-vous « ${b.motif_nom} » du ${when}. Veuillez nous en excuser.`,
        `Pour en prendre un autre : ${config.publicUrl}/rendezvous/lieux/${b.lieu_id}`,
      ].join('\n'),
      sms: `RDV ${b.motif_nom} du ${when} annulé par le lieu. Nouveau RDV : ${config.publicUrl}/rendezvous/lieux/${b.lieu_id}`,
    },
    now,
  );
}
