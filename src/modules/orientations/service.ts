import { type Selectable, type SqlBool, sql, type Updateable } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ANONYMOUS } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isUuid } from '../../platform/forms.ts';
import { sendMail } from '../../platform/mail.ts';
import { notifierFor } from '../../platform/messaging/index.ts';
import { formatDate, formatDay } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { findVisibleBeneficiary } from '../beneficiaires/index.ts';
import { findPublishedPlace } from '../lieux/index.ts';
import { type Helper, isHelperOfPlace, placeIdsOf } from '../mediateurs/index.ts';
import type { ReferralInput, RefusalInput } from './fields.ts';
import { checkLink, linkSecret, signLink } from './link.ts';
import {
  CONSENT_MODES,
  DUPLICATE_DAYS,
  LINK_DAYS,
  OPEN_STATUSES,
  REFUSAL_REASONS,
  RETENTION_TEXT,
  SHARED_DATA,
  STATUSES,
  type Status,
} from './vocabulary.ts';

export type Referral = Selectable<Database['orientation']>;

/** A link of these may be renewed: the place still has something to say. */
export const RENEWABLE_STATUSES: readonly Status[] = [...OPEN_STATUSES, 'acceptee'];
type Place = NonNullable<Awaited<ReturnType<typeof findPublishedPlace>>>;

/** Where a referral can go: a published place, its services, and whom to write to (or call). */
export type Destination = {
  lieuId: string;
  name: string;
  address: string;
  services: string[];
  email: string | null;
  phone: string | null;
  collectiviteId: number | null;
};

const destinationOfPlace = (p: Place): Destination => ({
  lieuId: p.id,
  name: p.nom,
  address: [p.adresse, p.complement_adresse, `${p.code_postal} ${p.commune}`].filter(Boolean).join(', '),
  services: p.services,
  email: p.courriels[0]?.trim() || null,
  phone: p.telephone[0]?.trim() || null,
  collectiviteId: p.collectivite_id,
});

/** A published place as a destination, or undefined (unknown, draft). */
export async function destinationOf(db: Db, lieuId: string): Promise<Destination | undefined> {
  const place = await findPublishedPlace(db, lieuId);
  return place ? destinationOfPlace(place) : undefined;
}

/** The sentence a place without contact email gets instead of the form. */
export function noContactMessage(d: Pick<Destination, 'name' | 'phone'>): string {
  return `${d.name} n’a pas d’adresse de contact : ce lieu ne peut pas recevoir d’orientation par Relais.${
    d.phone ? ` Appelez-le au ${d.phone}.` : ' Il n’a pas non plus de téléphone dans l’annuaire.'
  }`;
}

/** The text of the consent the person gives, recorded with the referral as it was shown. */
export function consentText(d: Pick<Destination, 'name'>, service: string): string {
  return [
    `Destinataire : ${d.name}, service « ${service} ».`,
    `Données transmises : ${SHARED_DATA.join(' ; ')}.`,
    `Durée : ${RETENTION_TEXT}.`,
    'La personne peut retirer son accord à tout moment : l’orientation est alors close et le lieu prévenu.',
  ].join('\n');
}

export type Warnings = { ownStructure: boolean; duplicate: Pick<Referral, 'id' | 'created_at'> | null };

export type SendOutcome =
  | { ok: true; id: string; warnings: Warnings }
  | { ok: false; errors: FieldErrors }
  | { ok: false; warnings: Warnings };

const initial = (nom: string) => (nom ? `${nom.slice(0, 1).toUpperCase()}.` : '');
/** How the receiving side names the person before accepting: first name and initial. */
export const ERASED = 'Personne (données effacées)';
export const shortNameOf = (r: Pick<Referral, 'prenom' | 'nom'>) =>
  [r.prenom, initial(r.nom)].filter(Boolean).join(' ') || ERASED;
export const fullNameOf = (r: Pick<Referral, 'prenom' | 'nom'>) =>
  [r.prenom, r.nom].filter(Boolean).join(' ') || ERASED;

const answerUrl = (config: Config, token: string) => `${config.publicUrl}/orientations/reponse/${token}`;

/** Mails the answer link of this version to the place's contact (`reminder`: the how-many-th reminder). */
export async function mailLink(
  db: Db,
  config: Config,
  r: Referral,
  version: number,
  now: Date = new Date(),
  reminder = 0,
): Promise<void> {
  const token = signLink(await linkSecret(db), r.id, version, now);
  await sendMail(db, config, {
    to: r.destination_email,
    subject: `${reminder > 0 ? `Relance ${reminder} : o` : 'O'}rientation de ${shortNameOf(r)} vers « ${r.service} »`,
    text: [
      'Bonjour,',
      '',
      `${r.sender_name} oriente vers ${r.destination_name} (service « ${r.service} ») une personne qui a donné son accord : ${shortNameOf(r)}.`,
      ...(reminder > 0 ? ['', 'Cette orientation attend toujours votre réponse.'] : []),
      '',
      `Pour la lire et y répondre (mettre à l’étude, accepter ou refuser), ouvrez ce lien, valable ${LINK_DAYS} jours :`,
      answerUrl(config, token),
      '',
      'Ne transférez pas ce lien : il donne accès à cette orientation. Les coordonnées de la personne apparaissent une fois l’orientation acceptée.',
      '',
      'Relais',
    ].join('\n'),
  });
}

/**
 * Sends a referral of one of the helper's people to a service of a published place that has a
 * contact email, with the person's consent. A referral to one of the helper's own places or a
 * second one of the same person to the same service within 30 days is held back with a warning
 * until `confirmer` is ticked; the duplicate stays flagged.
 */
export async function sendReferral(
  db: Db,
  config: Config,
  helper: Helper,
  input: ReferralInput,
): Promise<SendOutcome> {
  const person = await findVisibleBeneficiary(db, helper, input.beneficiaire);
  if (!person || person.anonyme)
    return { ok: false, errors: { beneficiaire: 'Choisissez une personne que vous accompagnez.' } };
  if (!person.prenom && !person.nom)
    return {
      ok: false,
      errors: { beneficiaire: 'La fiche de la personne n’a pas de nom : complétez-la d’abord.' },
    };
  const destination = await destinationOf(db, input.lieu);
  if (!destination) return { ok: false, errors: { lieu: 'Ce lieu n’existe pas dans l’annuaire.' } };
  if (!destination.email) return { ok: false, errors: { lieu: noContactMessage(destination) } };
  if (!destination.services.includes(input.service))
    return { ok: false, errors: { service: 'Choisissez un des services de ce lieu.' } };

  const [ownStructure, duplicate] = await Promise.all([
    isHelperOfPlace(db, helper.userId, destination.lieuId),
    db
      .selectFrom('orientation')
      .select(['id', 'created_at'])
      .where('beneficiaire_id', '=', person.id)
      .where('lieu_id', '=', destination.lieuId)
      .where('service', '=', input.service)
      .where('created_at', '>', sql<Date>`now() - make_interval(days => ${DUPLICATE_DAYS})`)
      .where('status', '<>', 'retiree')
      .orderBy('created_at', 'desc')
      .executeTakeFirst(),
  ]);
  const warnings: Warnings = { ownStructure, duplicate: duplicate ?? null };
  if ((ownStructure || duplicate) && !input.confirmer) return { ok: false, warnings };

  const row = await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('orientation')
      .values({
        collectivite_id: helper.collectiviteId,
        sent_by: helper.userId,
        sender_name: helper.actor.name,
        sender_email: helper.actor.email,
        beneficiaire_id: person.id,
        prenom: person.prenom ?? '',
        nom: person.nom ?? '',
        contact_preference: input.contact_preference,
        telephone:
          input.contact_preference === 'telephone' ? (input.telephone ?? null) : (input.telephone ?? null),
        email: input.email ?? null,
        contact_autre: input.contact_preference === 'autre' ? (input.contact_autre ?? null) : null,
        disponibilite: input.disponibilite ?? null,
        motif: input.motif,
        lieu_id: destination.lieuId,
        service: input.service,
        destination_name: destination.name,
        destination_email: destination.email as string,
        destination_collectivite_id: destination.collectiviteId,
        own_structure: ownStructure,
        duplicate_of: duplicate?.id ?? null,
        consent_mode: input.consent_mode,
        consent_by: helper.userId,
        consent_text: consentText(destination, input.service),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor: helper.actor,
      action: 'orientation.send',
      collectiviteId: helper.collectiviteId,
      subject: { type: 'orientation', id: inserted.id },
      details: {
        lieu: destination.lieuId,
        service: input.service,
        consentement: input.consent_mode,
        ...(ownStructure ? { propre_structure: true } : {}),
        ...(duplicate ? { doublon_de: duplicate.id } : {}),
      },
    });
    return inserted;
  });
  await mailLink(db, config, row, row.link_version);
  return { ok: true, id: row.id, warnings };
}

// ------------------------------------------------------------------ who reads a referral

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

export type Transition = { ok: true; referral: Referral } | { ok: false; reason: string };

const ALREADY = (r: Referral) =>
  `Cette orientation ne peut plus changer ainsi : elle est « ${STATUSES[r.status].toLowerCase()} ».`;

/**
 * Moves the referral from one of `from` to `to` in one statement: when two answers (or an
 * answer and the expiry job) race, exactly one changes it; the other gets the reason.
 */
async function transition(
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
  const personText = input.message_personne ?? defaultPersonMessage(r, await destinationOf(db, r.lieu_id));
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
    { closed_at: new Date() },
    {
      actor: receiverActor(receiver),
      action: 'orientation.close',
      ip: receiver.ip,
      collectiviteId: referral.destination_collectivite_id,
      details: { ...receiverDetails(receiver, referral), honoree: honoured },
    },
  );
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

// ------------------------------------------------------------------ lists and dashboards

export type ListQuery = { status?: Status | undefined; page: number };
export const PAGE_SIZE = 50;

export type Dashboard = { total: number; byStatus: Partial<Record<Status, number>> };

async function dashboardOf(
  db: Db,
  where: (q: ReturnType<typeof base>) => ReturnType<typeof base>,
): Promise<Dashboard> {
  const rows = await where(base(db))
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
    .execute();
  const byStatus: Partial<Record<Status, number>> = {};
  let total = 0;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    total += Number(r.n);
  }
  return { total, byStatus };
}

const base = (db: Db) => db.selectFrom('orientation');

async function listOf(
  db: Db,
  where: (q: ReturnType<typeof base>) => ReturnType<typeof base>,
  query: ListQuery,
): Promise<{ rows: Referral[]; count: number }> {
  let q = where(base(db));
  if (query.status) q = q.where('status', '=', query.status);
  const [{ n }, rows] = await Promise.all([
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(PAGE_SIZE)
      .offset((query.page - 1) * PAGE_SIZE)
      .execute(),
  ]);
  return { rows, count: Number(n) };
}

const sentBy = (helper: Helper) => (q: ReturnType<typeof base>) => q.where('sent_by', '=', helper.userId);
const receivedBy = (helper: Helper) => (q: ReturnType<typeof base>) =>
  q.where(sql<SqlBool>`lieu_id in (${placeIdsOf(helper.userId)})`);

export const sentDashboard = (db: Db, helper: Helper) => dashboardOf(db, sentBy(helper));
export const receivedDashboard = (db: Db, helper: Helper) => dashboardOf(db, receivedBy(helper));
export const sentReferrals = (db: Db, helper: Helper, query: ListQuery) => listOf(db, sentBy(helper), query);
export const receivedReferrals = (db: Db, helper: Helper, query: ListQuery) =>
  listOf(db, receivedBy(helper), query);

/** The consent as the record page shows it. */
export function consentSummary(r: Referral): string {
  return `Accord recueilli ${CONSENT_MODES[r.consent_mode].toLowerCase()} par ${r.sender_name}.`;
}

/** The availability date for people, or a dash. */
export const availabilityOf = (r: Pick<Referral, 'disponibilite'>) =>
  r.disponibilite ? formatDay(String(r.disponibilite).slice(0, 10)) : 'dès maintenant';
