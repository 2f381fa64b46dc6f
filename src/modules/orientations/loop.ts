import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { lastParticipationDate } from '../activites/index.ts';
import {
  type BeneficiaryInput,
  beneficiaryFields,
  createBeneficiary,
  findVisibleBeneficiary,
} from '../beneficiaires/index.ts';
import type { Helper } from '../mediateurs/index.ts';
import { lastHonouredAppointmentDay } from '../rendezvous/index.ts';
import type { Referral } from './referral.ts';
import { NEW_PERSON } from './vocabulary.ts';

/**
 * The loop closes (README, "Referrals"): the sender's record of the person and the receiving
 * side's are different records, and Relais never guesses that they are the same person. Only
 * the receiving side says so: one of the receiving place's helpers links the accepted referral
 * to their own record of the person (one of their people, or a record created from the
 * referral). From then on, an activity of that record dated on or after the day of the
 * acceptance closes the referral as honoured (`closed_via = 'activite'`), and so does an
 * appointment of that record noted honoured (`closed_via = 'rendezvous'`). The receiving side may
 * also say directly whether the person came (`closed_via = 'reponse'`).
 */

const LOOP_ACTOR = systemActor('orientations : personne reçue');

export type RecordLinkOutcome = { ok: true; personId: string } | { ok: false; reason: string };

/** Links an accepted referral to the receiving helper's record of the person (`nouvelle`: created from it). */
export async function linkReceivedRecord(
  db: Db,
  helper: Helper,
  r: Referral,
  choice: string,
  ip: string | null,
): Promise<RecordLinkOutcome> {
  if (r.status !== 'acceptee')
    return { ok: false, reason: 'Seule une orientation acceptée peut être reliée à une fiche.' };
  let personId: string;
  if (choice === NEW_PERSON) {
    const base = { prenom: r.prenom || undefined, nom: r.nom || undefined };
    const full = beneficiaryFields.safeParse({
      ...base,
      telephone: r.telephone ?? undefined,
      email: r.email ?? undefined,
    });
    // A contact the records refuse (an old format) is left out rather than refusing the record.
    const parsed = full.success ? full : beneficiaryFields.safeParse(base);
    if (!parsed.success)
      return { ok: false, reason: 'La personne n’a plus de nom : créez sa fiche vous-même.' };
    personId = await createBeneficiary(db, helper, parsed.data as BeneficiaryInput);
  } else {
    const person = await findVisibleBeneficiary(db, helper, choice);
    if (!person || person.anonyme)
      return { ok: false, reason: 'Choisissez une des personnes que vous accompagnez.' };
    personId = person.id;
  }
  const linked = await db
    .updateTable('orientation')
    .set({ received_beneficiaire_id: personId, received_linked_by: helper.userId, updated_at: new Date() })
    .where('id', '=', r.id)
    .where('status', '=', 'acceptee')
    .executeTakeFirst();
  if (Number(linked.numUpdatedRows) === 0)
    return { ok: false, reason: 'Seule une orientation acceptée peut être reliée à une fiche.' };
  await audit(db, {
    actor: helper.actor,
    action: 'orientation.link_record',
    collectiviteId: r.destination_collectivite_id,
    subject: { type: 'orientation', id: r.id },
    ip,
    details: { fiche: personId, creee: choice === NEW_PERSON },
  });
  await closeWhenReceived(db, new Date(), [r.id]);
  return { ok: true, personId };
}

/**
 * Closes as honoured the accepted referrals (all, or these) whose linked record took part in an
 * activity, or came to an appointment (noted honoured), on or after the day of the acceptance;
 * one conditional UPDATE, journaled per referral. `closed_via` says which (the activity when
 * both).
 */
export async function closeWhenReceived(db: Db, now: Date = new Date(), ids?: string[]): Promise<number> {
  if (ids && ids.length === 0) return 0;
  const accepted = sql`(answered_at at time zone 'Europe/Paris')::date`;
  const activity = lastParticipationDate(sql.ref('received_beneficiaire_id'));
  const appointment = lastHonouredAppointmentDay(sql.ref('received_beneficiaire_id'));
  let q = db
    .updateTable('orientation')
    .set({
      status: 'honoree',
      closed_at: now,
      closed_via: sql<string>`case when coalesce(${activity} >= ${accepted}, false) then 'activite' else 'rendezvous' end`,
      updated_at: now,
    })
    .where('status', '=', 'acceptee')
    .where('received_beneficiaire_id', 'is not', null)
    .where(sql<boolean>`(${activity} >= ${accepted} or ${appointment} >= ${accepted})`);
  if (ids) q = q.where('id', 'in', ids);
  const closed = await q.returning(['id', 'destination_collectivite_id', 'closed_via']).execute();
  for (const r of closed)
    await audit(db, {
      actor: LOOP_ACTOR,
      action: 'orientation.close',
      collectiviteId: r.destination_collectivite_id,
      subject: { type: 'orientation', id: r.id },
      details: { honoree: true, via: r.closed_via },
    });
  return closed.length;
}

/** The referral as it stands once an activity recorded since may have closed it (pages call this). */
export async function withLoopClosed(db: Db, r: Referral): Promise<Referral> {
  if (r.status !== 'acceptee' || !r.received_beneficiaire_id) return r;
  if ((await closeWhenReceived(db, new Date(), [r.id])) === 0) return r;
  return db.selectFrom('orientation').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow();
}
