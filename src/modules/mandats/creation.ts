import { audit } from '../../platform/audit/journal.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import {
  type InboundSms,
  maskPhone,
  type Notifier,
  normaliseMobile,
  type SmsAnswerHandler,
} from '../../platform/messaging/index.ts';
import { findVisibleBeneficiary } from '../beneficiaires/index.ts';
import { type Helper, helperPlaces } from '../mediateurs/index.ts';
import { ensureMandates } from './habilitation.ts';
import {
  activateMandate,
  effectiveStatus,
  findVisibleMandate,
  type Mandate,
  type MandateRequest,
  newSalt,
  type Outcome,
} from './service.ts';
import { ATTESTATION_TEMPLATE, DEMARCHES, DUREES, SMS_CONSENT_HOURS } from './vocabulary.ts';

/** The SMS asking for consent: who, for what, how long, and how to answer. */
export function consentMessage(helperName: string, placeName: string, req: MandateRequest): string {
  const demarches = req.demarches.map((d) => DEMARCHES[d].label).join(', ');
  return (
    `Relais : ${helperName} (${placeName}) vous demande un mandat pour faire en votre nom ces démarches : ` +
    `${demarches}, pendant ${DUREES[req.duree].label}. Répondez OUI pour accepter. ` +
    `Toute autre réponse, ou aucune réponse sous ${SMS_CONSENT_HOURS} h, annule la demande.`
  );
}

/**
 * Creates a mandate from a checked request. In person, it is active at once (the person
 * signs the printed attestation); by SMS, it waits for the person's "Oui". Refused with the
 * reason, and nothing written, when a piece does not belong to this helper.
 */
export async function createMandate(
  db: Db,
  helper: Helper,
  req: MandateRequest,
  notifier: Notifier,
  now = new Date(),
): Promise<Outcome<Mandate>> {
  ensureMandates(helper);
  const places = await helperPlaces(db, helper.userId);
  const place = places.find((p) => p.id === req.lieuId);
  if (!place) return { ok: false, reason: 'Choisissez une structure parmi vos lieux d’activité.' };
  if (req.beneficiaireId && !(await findVisibleBeneficiary(db, helper, req.beneficiaireId)))
    return { ok: false, reason: 'Cette personne n’est pas parmi celles que vous accompagnez.' };
  if (req.renouvelleId) {
    const old = await findVisibleMandate(db, helper, req.renouvelleId);
    if (!old || effectiveStatus(old, now) === 'en_attente')
      return { ok: false, reason: 'Le mandat à renouveler est introuvable.' };
  }
  if (req.demarches.length === 0) return { ok: false, reason: 'Choisissez au moins une démarche.' };
  const telephone = req.consentement === 'sms' ? normaliseMobile(req.telephone ?? '') : null;
  if (req.consentement === 'sms' && !telephone)
    return { ok: false, reason: 'Pour un accord par SMS, saisissez un numéro de téléphone portable.' };
  if (telephone) {
    const open = await db
      .selectFrom('consentement_sms')
      .select('id')
      .where('telephone', '=', telephone)
      .where('status', '=', 'envoye')
      .executeTakeFirst();
    if (open)
      return {
        ok: false,
        reason:
          'Une demande d’accord par SMS attend déjà la réponse de ce numéro : attendez sa réponse ou son expiration (24 h).',
      };
  }

  const created = await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('mandat')
      .values({
        collectivite_id: place.collectivite_id ?? helper.collectiviteId,
        lieu_id: place.id,
        mediateur_id: helper.userId,
        beneficiaire_id: req.beneficiaireId,
        prenom: req.prenom,
        nom: req.nom,
        date_naissance: req.dateNaissance,
        piece_identite: req.pieceIdentite,
        telephone,
        consentement: req.consentement,
        status: 'en_attente',
        duree: req.duree,
        demarches: req.demarches,
        debut: null,
        fin: null,
        empreinte: null,
        sel: newSalt(),
        modele: ATTESTATION_TEMPLATE,
        renouvelle_id: req.renouvelleId,
        closed_at: null,
        motif_fermeture: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor: helper.actor,
      action: 'mandat.personne_identifiee',
      collectiviteId: place.collectivite_id ?? helper.collectiviteId,
      subject: { type: 'mandat', id },
      details: { pieceIdentite: req.pieceIdentite, pieceVue: true, beneficiaire: req.beneficiaireId },
    });
    if (req.consentement === 'presentiel') return activateMandate(trx, helper.actor, id, req.demarches, now);
    await trx
      .insertInto('consentement_sms')
      .values({
        mandat_id: id,
        telephone: telephone as string,
        sent_at: now,
        expires_at: new Date(now.getTime() + SMS_CONSENT_HOURS * 3600_000),
        status: 'envoye',
        answered_at: null,
        message_id: null,
      })
      .execute();
    return trx.selectFrom('mandat').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  });
  if (req.consentement === 'presentiel') return { ok: true, value: created };
  return sendConsentRequest(db, helper, created, consentMessage(helper.actor.name, place.nom, req), notifier);
}

/** Sends the consent SMS of a pending mandate; a failed send cancels the mandate. */
async function sendConsentRequest(
  db: Db,
  helper: Helper,
  m: Mandate,
  text: string,
  notifier: Notifier,
): Promise<Outcome<Mandate>> {
  const base = {
    actor: helper.actor,
    collectiviteId: m.collectivite_id,
    subject: { type: 'mandat', id: m.id },
  };
  try {
    // Only the number: the person answers the SMS itself.
    const sent = await notifier.notify({ phone: m.telephone }, { subject: 'Demande de mandat', text });
    if (sent.channel !== 'sms') throw new Error('The consent request must go by SMS');
    const { messageId } = sent;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('consentement_sms')
        .set({ message_id: messageId })
        .where('mandat_id', '=', m.id)
        .execute();
      await audit(trx, {
        ...base,
        action: 'mandat.sms_envoye',
        details: { telephone: maskPhone(m.telephone), messageId },
      });
    });
    return { ok: true, value: m };
  } catch {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('consentement_sms')
        .set({ status: 'echec' })
        .where('mandat_id', '=', m.id)
        .execute();
      await trx
        .updateTable('mandat')
        .set({ status: 'annule', closed_at: new Date(), motif_fermeture: 'SMS non envoyé' })
        .where('id', '=', m.id)
        .execute();
      await audit(trx, {
        ...base,
        action: 'mandat.sms_echec',
        details: { telephone: maskPhone(m.telephone) },
      });
    });
    return {
      ok: false,
      reason:
        'Le SMS n’a pas pu être envoyé : la demande est annulée. Réessayez plus tard ou recueillez l’accord en présence de la personne.',
    };
  }
}

/** Whether an answer is the person's "Oui" (case, accents, spaces and punctuation aside). */
export function isYes(text: string): boolean {
  return (
    text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z]/g, '') === 'oui'
  );
}

export type AnswerResult = 'accepte' | 'refuse' | 'expire';

/**
 * The person's answer to a consent request (the platform checked the signature, normalised the
 * number and refused replays): "Oui" within 24 hours activates the mandate, anything else
 * refuses it. Undefined when no request awaits an answer from that number.
 */
async function receiveConsentAnswer(trx: Db, sms: InboundSms, now: Date): Promise<AnswerResult | undefined> {
  const actor = systemActor('réponse SMS de la personne');
  const consent = await trx
    .selectFrom('consentement_sms')
    .selectAll()
    .where('telephone', '=', sms.from)
    .where('status', '=', 'envoye')
    .forUpdate()
    .executeTakeFirst();
  if (!consent) return undefined;
  const m = await trx
    .selectFrom('mandat')
    .selectAll()
    .where('id', '=', consent.mandat_id)
    .executeTakeFirstOrThrow();
  const base = { actor, collectiviteId: m.collectivite_id, subject: { type: 'mandat', id: m.id } };
  if (consent.expires_at.getTime() <= now.getTime()) {
    await closeConsent(trx, consent.id, m.id, 'expire', 'annule', 'sans réponse sous 24 h', now);
    await audit(trx, {
      ...base,
      action: 'mandat.sms_refuse',
      details: { motif: 'délai dépassé', messageId: sms.messageId },
    });
    return 'expire';
  }
  if (!isYes(sms.text)) {
    await closeConsent(trx, consent.id, m.id, 'refuse', 'refuse', 'refusé par SMS', now);
    await audit(trx, {
      ...base,
      action: 'mandat.sms_refuse',
      details: { motif: 'réponse autre que « Oui »', messageId: sms.messageId },
    });
    return 'refuse';
  }
  await trx
    .updateTable('consentement_sms')
    .set({ status: 'accepte', answered_at: now })
    .where('id', '=', consent.id)
    .execute();
  await audit(trx, { ...base, action: 'mandat.sms_recu', details: { messageId: sms.messageId } });
  await activateMandate(trx, actor, m.id, m.demarches as MandateRequest['demarches'], now);
  return 'accepte';
}

/** The numbers among these with a consent request awaiting their answer, and until when. */
async function awaitingConsent(db: Db, phones: string[]): Promise<Map<string, Date>> {
  if (phones.length === 0) return new Map();
  const open = await db
    .selectFrom('consentement_sms')
    .select(['telephone', 'expires_at'])
    .where('status', '=', 'envoye')
    .where('telephone', 'in', phones)
    .execute();
  return new Map(open.map((o) => [o.telephone, o.expires_at]));
}

/** The answers to consent requests, as the platform's SMS callback hands them over. */
export const consentAnswers: SmsAnswerHandler = {
  purpose: 'mandat.consentement',
  receive: receiveConsentAnswer,
  awaiting: awaitingConsent,
  results: {
    accepte: 'Réponse transmise : la demande est acceptée, le mandat est actif.',
    refuse: 'Réponse transmise : la demande est refusée, le mandat ne sera pas créé.',
    expire: 'Réponse transmise trop tard : le délai de 24 h est dépassé, la demande est annulée.',
  } satisfies Record<AnswerResult, string>,
};

async function closeConsent(
  trx: Db,
  consentId: string,
  mandatId: string,
  consentStatus: 'expire' | 'refuse' | 'annule',
  mandateStatus: 'annule' | 'refuse',
  motif: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('consentement_sms')
    .set({ status: consentStatus, answered_at: consentStatus === 'refuse' ? now : null })
    .where('id', '=', consentId)
    .execute();
  await trx
    .updateTable('mandat')
    .set({ status: mandateStatus, closed_at: now, motif_fermeture: motif })
    .where('id', '=', mandatId)
    .execute();
}

/** Silence for 24 hours cancels the request (scheduled job). */
export async function expirePendingConsents(db: Db, now = new Date()): Promise<number> {
  const open = await db
    .selectFrom('consentement_sms as c')
    .innerJoin('mandat as m', 'm.id', 'c.mandat_id')
    .select(['c.id', 'c.mandat_id', 'm.collectivite_id'])
    .where('c.status', '=', 'envoye')
    .where('c.expires_at', '<=', now)
    .execute();
  const actor = systemActor('tâche planifiée');
  for (const c of open) {
    await db.transaction().execute(async (trx) => {
      await closeConsent(trx, c.id, c.mandat_id, 'expire', 'annule', 'sans réponse sous 24 h', now);
      await audit(trx, {
        actor,
        action: 'mandat.sms_refuse',
        collectiviteId: c.collectivite_id,
        subject: { type: 'mandat', id: c.mandat_id },
        details: { motif: 'sans réponse sous 24 h' },
      });
    });
  }
  return open.length;
}

/** The helper withdraws a request still waiting for the person's answer (a wrong number, a change of mind). */
export async function cancelPendingRequest(
  db: Db,
  helper: Helper,
  m: Mandate,
  now = new Date(),
): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const consent = await trx
      .selectFrom('consentement_sms')
      .select('id')
      .where('mandat_id', '=', m.id)
      .where('status', '=', 'envoye')
      .forUpdate()
      .executeTakeFirst();
    if (!consent || m.status !== 'en_attente')
      return {
        ok: false as const,
        reason: 'Seule une demande qui attend encore la réponse de la personne peut être annulée.',
      };
    await closeConsent(trx, consent.id, m.id, 'annule', 'annule', 'annulée par l’aidant', now);
    await audit(trx, {
      actor: helper.actor,
      action: 'mandat.demande_annulee',
      collectiviteId: m.collectivite_id,
      subject: { type: 'mandat', id: m.id },
      details: {},
    });
    return { ok: true as const, value: undefined };
  });
}
