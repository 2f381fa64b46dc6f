import { type SqlBool, sql } from 'kysely';
import { audit } from '../../../platform/audit/journal.ts';
import { type Actor, ANONYMOUS } from '../../../platform/auth/policy.ts';
import type { Config } from '../../../platform/config.ts';
import type { Db } from '../../../platform/db/database.ts';
import { isUuid } from '../../../platform/forms.ts';
import { sendMail } from '../../../platform/mail.ts';
import { notifierFor } from '../../../platform/messaging/index.ts';
import { type Helper, placeIdsOf } from '../../mediateurs/index.ts';
import { type Destination, destinationOfReferral } from '../destination.ts';
import type { RefusalInput } from '../fields.ts';
import { fullNameOf, type Referral, shortNameOf, type Transition, transition } from '../referral.ts';
import { OPEN_STATUSES, REFUSAL_REASONS } from '../vocabulary.ts';

/** A referral to one of the helper's places of activity (their inbox), or undefined. */
export function referralOfReceiver(db: Db, helper: Helper, id: string): Promise<Referral | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('orientation')
    .selectAll()
    .where('id', '=', id)
    .where(sql<SqlBool>`lieu_id in (${placeIdsOf(helper.userId)})`)
    .executeTakeFirst();
}

/** Who answers: the place's contact through the link, or one of its helpers signed in. */
export type Receiver =
  | { kind: 'link'; ip: string | null }
  | { kind: 'member'; helper: Helper; ip: string | null };

const receiverActor = (r: Receiver): Actor => (r.kind === 'member' ? r.helper.actor : ANONYMOUS);
const receiverFields = (r: Receiver, referral: Referral) =>
  r.kind === 'member'
    ? { answered_by: r.helper.userId, answered_by_label: r.helper.actor.name }
    : { answered_by: null, answered_by_label: referral.destination_email };
const receiverDetails = (r: Receiver, referral: Referral) =>
  r.kind === 'member' ? { via: 'compte' } : { via: 'lien', contact: referral.destination_email };

/** Journals that the receiving side opened the referral (each opening). */
export async function recordReceiverRead(db: Db, receiver: Receiver, referral: Referral): Promise<void> {
  await audit(db, {
    actor: receiverActor(receiver),
    action: 'orientation.read',
    collectiviteId: referral.destination_collectivite_id,
    subject: { type: 'orientation', id: referral.id },
    ip: receiver.ip,
    details: { ...receiverDetails(receiver, referral), statut: referral.status },
  });
}

/** The receiving side puts the referral under study (its expiry moves from 30 to 60 days). */
export function studyReferral(db: Db, receiver: Receiver, referral: Referral): Promise<Transition> {
  return transition(
    db,
    referral,
    ['envoyee'],
    'a_l_etude',
    { studied_at: new Date(), ...receiverFields(receiver, referral) },
    {
      actor: receiverActor(receiver),
      action: 'orientation.study',
      ip: receiver.ip,
      collectiviteId: referral.destination_collectivite_id,
      details: receiverDetails(receiver, referral),
    },
  );
}

/** The message the person gets when accepted, pre-filled for the receiving side to adjust. */
export function defaultPersonMessage(r: Referral, d: Destination | undefined): string {
  const address = d ? ` Adresse : ${d.address}.` : '';
  const phone = d?.phone ? ` Téléphone : ${d.phone}.` : '';
  return `Bonjour ${r.prenom}, votre orientation vers ${r.destination_name} (${r.service}) est acceptée : le lieu va vous contacter.${address}${phone}`.slice(
    0,
    480,
  );
}

export type AcceptOutcome =
  | { ok: true; referral: Referral; person: 'sms' | 'email' | 'referent' | 'aucun' | 'echec' }
  | { ok: false; reason: string };

/**
 * The receiving side accepts: the sender is told by email (with the message), the person by SMS
 * or email as they prefer (through the platform's messaging; SMS stay in its outbox in
 * development). A message that cannot go out does not undo the acceptance: the page says so.
 */
export async function acceptReferral(
  db: Db,
  config: Config,
  receiver: Receiver,
  referral: Referral,
  input: { message?: string | undefined; message_personne?: string | undefined },
): Promise<AcceptOutcome> {
  const done = await transition(
    db,
    referral,
    OPEN_STATUSES,
    'acceptee',
    { answered_at: new Date(), answer_message: input.message ?? null, ...receiverFields(receiver, referral) },
    {
      actor: receiverActor(receiver),
      action: 'orientation.accept',
      ip: receiver.ip,
      collectiviteId: referral.destination_collectivite_id,
      details: receiverDetails(receiver, referral),
    },
  );
  if (!done.ok) return done;
  const r = done.referral;
  await sendMail(db, config, {
    to: r.sender_email,
    subject: `Orientation acceptée : ${shortNameOf(r)} vers « ${r.service} »`,
    text: [
      `${r.destination_name} a accepté votre orientation de ${fullNameOf(r)} (service « ${r.service} »).`,
      ...(input.message ? ['', 'Son message :', input.message] : []),
      '',
      `Suivre l’orientation : ${config.publicUrl}/orientations/${r.id}`,
    ].join('\n'),
  });
  const personText = input.message_personne ?? defaultPersonMessage(r, await destinationOfReferral(db, r));
  let person: 'sms' | 'email' | 'referent' | 'aucun' | 'echec' = 'aucun';
  if (r.contact_preference === 'via_referent') person = 'referent';
  else if (r.contact_preference === 'telephone' || r.contact_preference === 'email') {
    try {
      const delivery = await notifierFor(db, config).notify(
        r.contact_preference === 'telephone' ? { phone: r.telephone, prefers: 'sms' } : { email: r.email },
        { subject: `Votre orientation vers ${r.destination_name}`, text: personText },
      );
      person = delivery.channel;
    } catch {
      person = 'echec';
    }
  }
  return { ok: true, referral: r, person };
}

/** The receiving side refuses with at least one reason and a message to the sender. */
export async function refuseReferral(
  db: Db,
  config: Config,
  receiver: Receiver,
  referral: Referral,
  input: RefusalInput,
): Promise<Transition> {
  const done = await transition(
    db,
    referral,
    OPEN_STATUSES,
    'refusee',
    {
      answered_at: new Date(),
      refusal_reasons: input.motifs,
      answer_message: input.message,
      closed_at: new Date(),
      ...receiverFields(receiver, referral),
    },
    {
      actor: receiverActor(receiver),
      action: 'orientation.refuse',
      ip: receiver.ip,
      collectiviteId: referral.destination_collectivite_id,
      details: { ...receiverDetails(receiver, referral), motifs: input.motifs },
    },
  );
  if (!done.ok) return done;
  const r = done.referral;
  await sendMail(db, config, {
    to: r.sender_email,
    subject: `Orientation refusée : ${shortNameOf(r)} vers « ${r.service} »`,
    text: [
      `${r.destination_name} a refusé votre orientation de ${fullNameOf(r)} (service « ${r.service} »).`,
      `Raisons : ${input.motifs.map((m) => REFUSAL_REASONS[m]).join(', ')}.`,
      '',
      'Son message :',
      input.message,
      '',
      `Suivre l’orientation : ${config.publicUrl}/orientations/${r.id}`,
    ].join('\n'),
  });
  return done;
}

/** After acceptance, the receiving side says whether the person came. */
export function closeReferral(
  db: Db,
  receiver: Receiver,
  referral: Referral,
  honoured: boolean,
): Promise<Transition> {
  return transition(
    db,
    referral,
    ['acceptee'],
    honoured ? 'honoree' : 'non_honoree',
    { closed_at: new Date(), closed_via: 'reponse' },
    {
      actor: receiverActor(receiver),
      action: 'orientation.close',
      ip: receiver.ip,
      collectiviteId: referral.destination_collectivite_id,
      details: { ...receiverDetails(receiver, referral), honoree: honoured },
    },
  );
}
