import { sql } from 'kysely';
import { audit } from '../../../platform/audit/journal.ts';
import type { Config } from '../../../platform/config.ts';
import type { Db } from '../../../platform/db/database.ts';
import { isUuid } from '../../../platform/forms.ts';
import { sendMail } from '../../../platform/mail.ts';
import { notifierFor } from '../../../platform/messaging/index.ts';
import { formatDate } from '../../../platform/paris-time.ts';
import type { FieldErrors } from '../../../platform/ui/components.tsx';
import {
  type BeneficiaryInput,
  beneficiaryFields,
  createBeneficiary,
  findVisibleBeneficiary,
} from '../../beneficiaires/index.ts';
import { type Helper, isHelperOfPlace } from '../../mediateurs/index.ts';
import { mailLink } from '../answer-mail.ts';
import {
  type Destination,
  destinationOf,
  destinationOutside,
  noContactMessage,
  type OutsideInput,
} from '../destination.ts';
import type { ReferralInput } from '../fields.ts';
import { type Referral, shortNameOf, type Transition, transition } from '../referral.ts';
import { readTimers } from '../timers.ts';
import { DUPLICATE_DAYS, NEW_PERSON, OPEN_STATUSES, retentionText, SHARED_DATA } from '../vocabulary.ts';

/** The text of the consent the person gives, recorded with the referral as it was shown. */
export function consentText(d: Pick<Destination, 'name'>, service: string, retentionMonths: number): string {
  return [
    `Destinataire : ${d.name}, service « ${service} ».`,
    `Données transmises : ${SHARED_DATA.join(' ; ')}.`,
    `Durée : ${retentionText(retentionMonths)}.`,
    'La personne peut retirer son accord à tout moment : l’orientation est alors close et le lieu prévenu.',
  ].join('\n');
}

export type Warnings = { ownStructure: boolean; duplicate: Pick<Referral, 'id' | 'created_at'> | null };

export type SendOutcome =
  | { ok: true; id: string; warnings: Warnings }
  | { ok: false; errors: FieldErrors }
  | { ok: false; warnings: Warnings };

/**
 * Sends a referral of one of the helper's people (or of a minimal new record: name and one
 * contact) to a service of a published place that has a contact email, or to a service outside
 * the territory (`outside`: its data·inclusion id and the snapshot the sender confirmed), with
 * the person's consent. A referral to one of the helper's own places or a
 * second one of the same person to the same service within 30 days is held back with a warning
 * until `confirmer` is ticked; the duplicate stays flagged.
 */
export async function sendReferral(
  db: Db,
  config: Config,
  helper: Helper,
  input: ReferralInput,
  outside?: OutsideInput,
): Promise<SendOutcome> {
  // The person: one of the helper's, or a minimal new record created with the referral.
  let person: { id: string | null; prenom: string; nom: string };
  let newPerson: BeneficiaryInput | undefined;
  if (input.beneficiaire === NEW_PERSON) {
    const parsed = beneficiaryFields.safeParse({
      prenom: input.nouveau_prenom,
      nom: input.nouveau_nom,
      telephone: input.telephone,
      email: input.email,
    });
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'beneficiaire');
        const field = key === 'prenom' ? 'nouveau_prenom' : key === 'nom' ? 'nouveau_nom' : key;
        errors[field] ??= issue.message;
      }
      return { ok: false, errors };
    }
    newPerson = parsed.data;
    person = { id: null, prenom: parsed.data.prenom ?? '', nom: parsed.data.nom ?? '' };
  } else {
    const found = await findVisibleBeneficiary(db, helper, input.beneficiaire);
    if (!found || found.anonyme)
      return { ok: false, errors: { beneficiaire: 'Choisissez une personne que vous accompagnez.' } };
    if (!found.prenom && !found.nom)
      return {
        ok: false,
        errors: { beneficiaire: 'La fiche de la personne n’a pas de nom : complétez-la d’abord.' },
      };
    person = { id: found.id, prenom: found.prenom ?? '', nom: found.nom ?? '' };
  }

  // The destination: a place of the directory with a contact, or a service outside the territory.
  let destination: Destination | undefined;
  if (outside) destination = destinationOutside(outside);
  else {
    destination = input.lieu ? await destinationOf(db, input.lieu) : undefined;
    if (!destination) return { ok: false, errors: { lieu: 'Ce lieu n’existe pas dans l’annuaire.' } };
  }
  if (!destination.email)
    return outside
      ? {
          ok: false,
          errors: {
            di_courriel: `Sans courriel de contact, ${destination.name} ne peut pas recevoir d’orientation par Relais${destination.phone ? ` : appelez-la au ${destination.phone}` : ''}.`,
          },
        }
      : { ok: false, errors: { lieu: noContactMessage(destination) } };
  if (!destination.services.includes(input.service))
    return { ok: false, errors: { service: 'Choisissez un des services de ce lieu.' } };

  const [ownStructure, duplicate, timers] = await Promise.all([
    destination.lieuId ? isHelperOfPlace(db, helper.userId, destination.lieuId) : false,
    person.id === null
      ? undefined
      : db
          .selectFrom('orientation')
          .select(['id', 'created_at'])
          .where('beneficiaire_id', '=', person.id)
          .where((eb) =>
            destination.lieuId
              ? eb('lieu_id', '=', destination.lieuId)
              : eb('di_service_id', '=', destination.diServiceId),
          )
          .where('service', '=', input.service)
          .where('created_at', '>', sql<Date>`now() - make_interval(days => ${DUPLICATE_DAYS})`)
          .where('status', '<>', 'retiree')
          .orderBy('created_at', 'desc')
          .executeTakeFirst(),
    readTimers(db),
  ]);
  const warnings: Warnings = { ownStructure, duplicate: duplicate ?? null };
  if ((ownStructure || duplicate) && !input.confirmer) return { ok: false, warnings };

  const row = await db.transaction().execute(async (trx) => {
    const personId = newPerson ? await createBeneficiary(trx, helper, newPerson) : person.id;
    const inserted = await trx
      .insertInto('orientation')
      .values({
        collectivite_id: helper.collectiviteId,
        sent_by: helper.userId,
        sender_name: helper.actor.name,
        sender_email: helper.actor.email,
        beneficiaire_id: personId,
        prenom: person.prenom,
        nom: person.nom,
        contact_preference: input.contact_preference,
        telephone: input.telephone ?? null,
        email: input.email ?? null,
        contact_autre: input.contact_preference === 'autre' ? (input.contact_autre ?? null) : null,
        disponibilite: input.disponibilite ?? null,
        motif: input.motif,
        lieu_id: destination.lieuId,
        di_service_id: destination.diServiceId,
        destination_address: destination.lieuId ? null : destination.address,
        destination_phone: destination.lieuId ? null : destination.phone,
        destination_referent: input.destination_referent ?? null,
        origin: input.origine ?? null,
        service: input.service,
        destination_name: destination.name,
        destination_email: destination.email as string,
        destination_collectivite_id: destination.collectiviteId,
        own_structure: ownStructure,
        duplicate_of: duplicate?.id ?? null,
        consent_mode: input.consent_mode,
        consent_by: helper.userId,
        consent_text: consentText(destination, input.service, timers.retentionMonths),
        erase_after: sql<Date>`now() + make_interval(months => ${timers.retentionMonths})`,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor: helper.actor,
      action: 'orientation.send',
      collectiviteId: helper.collectiviteId,
      subject: { type: 'orientation', id: inserted.id },
      details: {
        ...(destination.lieuId ? { lieu: destination.lieuId } : { data_inclusion: destination.diServiceId }),
        service: input.service,
        consentement: input.consent_mode,
        ...(newPerson ? { nouvelle_fiche: personId } : {}),
        ...(ownStructure ? { propre_structure: true } : {}),
        ...(duplicate ? { doublon_de: duplicate.id } : {}),
      },
    });
    return inserted;
  });
  await mailLink(db, config, row, row.link_version);
  return { ok: true, id: row.id, warnings };
}

/** The sender's referral (undefined for anyone else: no hint that it exists). */
export function referralOfSender(db: Db, helper: Helper, id: string): Promise<Referral | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('orientation')
    .selectAll()
    .where('id', '=', id)
    .where('sent_by', '=', helper.userId)
    .executeTakeFirst();
}

/**
 * The person withdraws their consent (the sender records it): the referral closes, whatever
 * its answer, and the receiving place is told. Already closed referrals keep their outcome.
 */
export async function withdrawConsent(
  db: Db,
  config: Config,
  helper: Helper,
  referral: Referral,
  ip: string | null,
): Promise<Transition> {
  const now = new Date();
  const done = await transition(
    db,
    referral,
    [...OPEN_STATUSES, 'acceptee'],
    'retiree',
    { consent_revoked_at: now, consent_revoked_by: helper.userId, closed_at: now },
    {
      actor: helper.actor,
      action: 'orientation.withdraw_consent',
      ip,
      collectiviteId: referral.collectivite_id,
      details: { statut_precedent: referral.status },
    },
  );
  if (!done.ok) return done;
  await sendMail(db, config, {
    to: referral.destination_email,
    subject: `Orientation retirée : ${shortNameOf(referral)}`,
    text: [
      `La personne orientée vers ${referral.destination_name} (service « ${referral.service} ») par ${referral.sender_name} a retiré son accord.`,
      'L’orientation est close : ne la contactez pas à ce titre, et effacez ce que vous auriez noté d’elle pour cette orientation.',
    ].join('\n'),
  });
  return done;
}

/**
 * Sends the person a copy of the consent they gave (by SMS or email, as they prefer, through the
 * platform's messaging), with how to withdraw it. Journaled; the text holds no other data.
 */
export async function sendConsentCopy(
  db: Db,
  config: Config,
  helper: Helper,
  r: Referral,
  ip: string | null,
): Promise<{ ok: true; channel: 'sms' | 'email' } | { ok: false; reason: string }> {
  const text = [
    `Bonjour ${r.prenom}, voici l’accord que vous avez donné le ${formatDate(r.consent_at, 'short')} pour être orienté(e) :`,
    r.consent_text,
    `Pour retirer votre accord, contactez ${r.sender_name} (${r.sender_email}).`,
  ].join('\n');
  try {
    const delivery = await notifierFor(db, config).notify(
      { phone: r.telephone, email: r.email, prefers: r.contact_preference === 'email' ? 'email' : 'sms' },
      { subject: 'Votre accord pour une orientation', text },
    );
    await audit(db, {
      actor: helper.actor,
      action: 'orientation.consent_copy',
      collectiviteId: r.collectivite_id,
      subject: { type: 'orientation', id: r.id },
      ip,
      details: { canal: delivery.channel },
    });
    return { ok: true, channel: delivery.channel };
  } catch {
    return {
      ok: false,
      reason:
        'La copie n’a pas pu partir : il faut un numéro de portable ou un courriel de la personne dans l’orientation.',
    };
  }
}
