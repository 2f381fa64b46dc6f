import { type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import { calendarFile } from '../../platform/calendar.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import {
  allValues,
  codes,
  isUuid,
  optionalText,
  optionalUrl,
  requiredText,
  trimString,
  typedNumber,
} from '../../platform/forms.ts';
import { sendMail } from '../../platform/mail.ts';
import type { AgendaEntry, AgendaSource, ModuleContext } from '../../platform/module.ts';
import { formatDateTime, isCalendarDay, parisInstant } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { feedToken, isCurrentFeedToken, networkSecret } from './links.ts';
import { AUDIENCES, COMMITTEE_TYPES, EVENT_KINDS, FREQUENCIES, NAME_MAX, TEXT_MAX } from './vocabulary.ts';

export type NetworkEvent = Selectable<Database['reseau_evenement']>;
export type Committee = Selectable<Database['reseau_comite']>;

// ------------------------------------------------------------------ comités

export const committeeFields = z.object({
  nom: requiredText('le nom du comité', NAME_MAX),
  type: z.enum(codes(COMMITTEE_TYPES), { error: 'Choisissez le type de comité.' }),
  frequence: z.enum(codes(FREQUENCIES), { error: 'Choisissez la fréquence des réunions.' }),
});

export async function createCommittee(db: Db, actor: Actor, input: z.infer<typeof committeeFields>) {
  ensure(actor, 'network.manage');
  const row = await db
    .insertInto('reseau_comite')
    .values({ ...input, created_by: actor.kind === 'user' ? actor.userId : null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(db, {
    actor,
    action: 'network.committee.create',
    subject: { type: 'reseau_comite', id: row.id },
  });
  return row.id;
}

export async function updateCommittee(
  db: Db,
  actor: Actor,
  id: string,
  input: z.infer<typeof committeeFields>,
): Promise<boolean> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return false;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('reseau_comite')
      .set(input)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await audit(trx, { actor, action: 'network.committee.update', subject: { type: 'reseau_comite', id } });
    return true;
  });
}

export async function committee(db: Db, actor: Actor, id: string) {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return undefined;
  return db.selectFrom('reseau_comite').selectAll().where('id', '=', id).executeTakeFirst();
}

export function committees(db: Db) {
  return db.selectFrom('reseau_comite').selectAll().orderBy('nom').execute();
}

// ------------------------------------------------------------------ events

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const time = (label: string) =>
  z.preprocess(
    trimString,
    z
      .string({ error: `Saisissez l’heure de ${label}.` })
      .regex(TIME, `Heure de ${label} : saisissez-la comme 14:30.`),
  );
const day = (label: string) =>
  z.preprocess(
    trimString,
    z
      .string({ error: `Saisissez la date ${label}.` })
      .refine(isCalendarDay, `Date ${label} : saisissez une date valide, par exemple 2027-01-15.`),
  );

export const eventFields = z
  .object({
    kind: z.enum(codes(EVENT_KINDS), { error: 'Choisissez le type d’événement.' }),
    comite: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    titre: requiredText('le titre', NAME_MAX),
    description: optionalText('la description', TEXT_MAX),
    date: day('de l’événement'),
    heure_debut: time('début'),
    date_fin: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : trimString(v)),
      z
        .string()
        .refine(isCalendarDay, 'Date de fin : saisissez une date valide, par exemple 2027-01-15.')
        .optional(),
    ),
    heure_fin: time('fin'),
    lieu: optionalText('le lieu', NAME_MAX),
    lien: optionalUrl('Lien de la visioconférence : saisissez une adresse qui commence par https://.'),
    audience: z.enum(codes(AUDIENCES), { error: 'Choisissez à qui l’événement est ouvert.' }),
    capacite: z.preprocess(
      typedNumber,
      z
        .number({ error: 'Nombre de places : saisissez un nombre.' })
        .int('Nombre de places : saisissez un nombre entier.')
        .min(1, 'Nombre de places : au moins 1.')
        .max(10_000, 'Nombre de places : 10 000 au plus.')
        .optional(),
    ),
    ordre_du_jour: optionalText('l’ordre du jour', TEXT_MAX),
    invites: z.preprocess(
      allValues,
      z.array(z.string().refine(isUuid, 'Choisissez des membres de la liste.')),
    ),
  })
  .transform((v, ctx) => {
    const wall = (d: string, t: string) => {
      const [h, mi] = t.split(':').map(Number) as [number, number];
      return parisInstant(d, h * 60 + mi);
    };
    const startsAt = wall(v.date, v.heure_debut);
    const endsAt = wall(v.date_fin ?? v.date, v.heure_fin);
    if (endsAt <= startsAt)
      ctx.addIssue({
        code: 'custom',
        path: ['heure_fin'],
        message: 'L’événement doit finir après son début : vérifiez la date et l’heure de fin.',
      });
    if (v.kind === 'comite' && !v.comite)
      ctx.addIssue({ code: 'custom', path: ['comite'], message: 'Choisissez le comité qui se réunit.' });
    if (!v.lieu && !v.lien)
      ctx.addIssue({
        code: 'custom',
        path: ['lieu'],
        message: 'Saisissez le lieu de l’événement ou le lien de la visioconférence.',
      });
    return { ...v, startsAt, endsAt };
  });
export type EventInput = z.infer<typeof eventFields>;

/**
 * The network's events as a calendar file: a feed, or the one event an invitation or a
 * cancellation carries (METHOD:CANCEL).
 */
export function calendar(
  events: readonly NetworkEvent[],
  options: { name: string; baseUrl: string; method?: 'PUBLISH' | 'CANCEL' },
  others: readonly AgendaEntry[] = [],
): string {
  const host = new URL(options.baseUrl).hostname;
  const fromOthers = others.map((o) => ({
    uid: `${o.uid}@${host}`,
    start: o.start,
    end: o.end,
    summary: `${o.kind} : ${o.title}`,
    location: o.where,
    url: new URL(o.href, options.baseUrl).href,
  }));
  return calendarFile(
    [
      ...events.map((e) => ({
        uid: `${e.id}@${host}`,
        start: e.starts_at,
        end: e.ends_at,
        summary: e.titre,
        description: e.description,
        location: [e.lieu, e.lien].filter(Boolean).join(' — '),
        url: e.lien ?? `${options.baseUrl}/reseau/agenda/${e.id}`,
        sequence: e.sequence,
        cancelled: e.cancelled_at !== null,
        updatedAt: e.updated_at,
      })),
      ...fromOthers,
    ],
    { name: options.name, product: 'Agenda du reseau', method: options.method ?? 'PUBLISH' },
  );
}

const when = (e: Pick<NetworkEvent, 'starts_at' | 'ends_at'>) =>
  `${formatDateTime(e.starts_at)} – ${formatDateTime(e.ends_at, 'short').split(' ')[1] ?? ''}`;

/** The contacts of some members who still receive the network's mail. */
async function contactsOf(db: Db, memberIds: readonly string[]) {
  if (memberIds.length === 0) return [];
  return db
    .selectFrom('reseau_contact')
    .innerJoin('reseau_membre', 'reseau_membre.id', 'reseau_contact.membre_id')
    .select(['reseau_contact.email', 'reseau_contact.nom'])
    .where('reseau_contact.membre_id', 'in', memberIds)
    .where('reseau_membre.status', '=', 'membre')
    .execute();
}

/**
 * An invitation, an update or a cancellation: the text says what and when, and the event goes
 * with it as a `text/calendar` file (METHOD PUBLISH, or CANCEL) that mail clients offer to add.
 */
function eventMail(
  config: Config,
  e: NetworkEvent,
  kind: 'invitation' | 'update' | 'cancel' | 'registration',
) {
  const cancelled = kind === 'cancel';
  const method = cancelled ? 'CANCEL' : 'PUBLISH';
  const ics = calendar([e], { name: e.titre, baseUrl: config.publicUrl, method });
  const opening = {
    invitation: `Vous êtes invité(e) : ${e.titre}`,
    update: `L’événement suivant a changé : ${e.titre}`,
    cancel: `L’événement suivant est annulé : ${e.titre}`,
    registration: `Votre inscription est enregistrée : ${e.titre}`,
  }[kind];
  const text = [
    'Bonjour,',
    '',
    opening,
    `Quand : ${when(e)}`,
    ...(e.lieu ? [`Où : ${e.lieu}`] : []),
    ...(e.lien ? [`Lien : ${e.lien}`] : []),
    ...(e.ordre_du_jour && !cancelled ? ['', 'Ordre du jour :', e.ordre_du_jour] : []),
    '',
    cancelled
      ? 'Le fichier joint (evenement.ics) retire l’événement de votre agenda.'
      : 'Le fichier joint (evenement.ics) ajoute l’événement à votre agenda.',
    '',
  ].join('\n');
  const subject = {
    invitation: `Invitation : ${e.titre}`,
    update: `Modifié : ${e.titre}`,
    cancel: `Annulé : ${e.titre}`,
    registration: `Inscription confirmée : ${e.titre}`,
  }[kind];
  return {
    subject,
    text,
    attachments: [
      {
        filename: 'evenement.ics',
        contentType: `text/calendar; method=${method}; charset=utf-8`,
        content: ics,
      },
    ],
  };
}

/** Creates an event and invites the chosen members' contacts (a comité's meeting, a network meeting…). */

/** The columns of an event that its form gives, on creation and on change alike. */
function eventColumns(input: EventInput) {
  return {
    kind: input.kind,
    comite_id: input.kind === 'comite' ? (input.comite ?? null) : null,
    titre: input.titre,
    description: input.description ?? null,
    starts_at: input.startsAt,
    ends_at: input.endsAt,
    lieu: input.lieu ?? null,
    lien: input.lien ?? null,
    audience: input.audience,
    capacite: input.audience === 'public' ? (input.capacite ?? null) : null,
    ordre_du_jour: input.ordre_du_jour ?? null,
  };
}
export async function createEvent(
  db: Db,
  config: Config,
  actor: Actor,
  input: EventInput,
): Promise<{ ok: true; id: string; invited: number } | { ok: false; errors: FieldErrors }> {
  ensure(actor, 'network.manage');
  if (input.comite) {
    const c = isUuid(input.comite)
      ? await db.selectFrom('reseau_comite').select('id').where('id', '=', input.comite).executeTakeFirst()
      : undefined;
    if (!c) return { ok: false, errors: { comite: 'Choisissez un comité de la liste.' } };
  }
  const invited = input.invites.length
    ? await db
        .selectFrom('reseau_membre')
        .select('id')
        .where('id', 'in', input.invites)
        .where('status', '=', 'membre')
        .execute()
    : [];
  if (invited.length !== new Set(input.invites).size)
    return { ok: false, errors: { invites: 'Choisissez des membres actuels du réseau.' } };
  const event = await db.transaction().execute(async (trx) => {
    const e = await trx
      .insertInto('reseau_evenement')
      .values({
        ...eventColumns(input),
        cancelled_at: null,
        created_by: actor.kind === 'user' ? actor.userId : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (invited.length)
      await trx
        .insertInto('reseau_invitation')
        .values(invited.map((m) => ({ evenement_id: e.id, membre_id: m.id })))
        .execute();
    await audit(trx, {
      actor,
      action: 'network.event.create',
      subject: { type: 'reseau_evenement', id: e.id },
      details: { invites: invited.length },
    });
    return e;
  });
  const contacts = await contactsOf(
    db,
    invited.map((m) => m.id),
  );
  const mail = eventMail(config, event, 'invitation');
  for (const c of contacts) await sendMail(db, config, { to: c.email, ...mail });
  return { ok: true, id: event.id, invited: contacts.length };
}

/**
 * Changes an event (not a cancelled one): calendars get the new version (SEQUENCE bumped).
 * Invited members kept and registered people receive the change, newly invited members the
 * invitation, and members no longer invited the cancellation, each with the event attached.
 */
export async function updateEvent(
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  input: EventInput,
): Promise<{ ok: true; mailed: number } | { ok: false; errors: FieldErrors } | 'not_found' | 'cancelled'> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  if (input.comite) {
    const c = isUuid(input.comite)
      ? await db.selectFrom('reseau_comite').select('id').where('id', '=', input.comite).executeTakeFirst()
      : undefined;
    if (!c) return { ok: false, errors: { comite: 'Choisissez un comité de la liste.' } };
  }
  const wanted = [...new Set(input.invites)];
  const current = await db
    .selectFrom('reseau_invitation')
    .select('membre_id')
    .where('evenement_id', '=', id)
    .execute();
  const before = new Set(current.map((i) => i.membre_id));
  const added = wanted.filter((m) => !before.has(m));
  const validAdded = added.length
    ? await db
        .selectFrom('reseau_membre')
        .select('id')
        .where('id', 'in', added)
        .where('status', '=', 'membre')
        .execute()
    : [];
  if (validAdded.length !== added.length)
    return { ok: false, errors: { invites: 'Choisissez des membres actuels du réseau.' } };
  const removed = [...before].filter((m) => !wanted.includes(m));
  const kept = [...before].filter((m) => wanted.includes(m));
  const updated = await db.transaction().execute(async (trx) => {
    const e = await trx
      .updateTable('reseau_evenement')
      .set({
        ...eventColumns(input),
        sequence: sql<number>`sequence + 1`,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('cancelled_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!e) return undefined;
    if (removed.length)
      await trx
        .deleteFrom('reseau_invitation')
        .where('evenement_id', '=', id)
        .where('membre_id', 'in', removed)
        .execute();
    if (added.length)
      await trx
        .insertInto('reseau_invitation')
        .values(added.map((m) => ({ evenement_id: id, membre_id: m })))
        .execute();
    await audit(trx, {
      actor,
      action: 'network.event.update',
      subject: { type: 'reseau_evenement', id },
      details: { ajoutes: added.length, retires: removed.length },
    });
    return e;
  });
  if (!updated) {
    const exists = await db
      .selectFrom('reseau_evenement')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return exists ? 'cancelled' : 'not_found';
  }
  const registered = await db
    .selectFrom('reseau_inscription')
    .select('email')
    .where('evenement_id', '=', id)
    .execute();
  const invitedNow = new Set((await contactsOf(db, added)).map((c) => c.email));
  const cancelledFor = new Set((await contactsOf(db, removed)).map((c) => c.email));
  const changedFor = new Set([
    ...(await contactsOf(db, kept)).map((c) => c.email),
    ...registered.map((r) => r.email),
  ]);
  let mailed = 0;
  for (const [addresses, kind] of [
    [invitedNow, 'invitation'],
    [changedFor, 'update'],
    [cancelledFor, 'cancel'],
  ] as const) {
    const mail = eventMail(config, updated, kind);
    for (const to of addresses) {
      await sendMail(db, config, { to, ...mail });
      mailed++;
    }
  }
  return { ok: true, mailed };
}

export type EventDetail = {
  event: NetworkEvent;
  committee: Committee | undefined;
  invitations: { membre_id: string; nom: string; present: boolean | null }[];
  registrations: { nom: string; email: string; created_at: Date }[];
  decisions: {
    id: string;
    texte: string;
    action_id: string | null;
    action_titre: string | null;
    created_at: Date;
  }[];
  /** The minutes' versions, newest first. */
  minutes: { id: number; texte: string; at: Date }[];
};

/** An event for the coordinators, with its invited members and registrations (journaled). */
export async function eventDetail(db: Db, actor: Actor, id: string): Promise<EventDetail | undefined> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return undefined;
  const event = await db.selectFrom('reseau_evenement').selectAll().where('id', '=', id).executeTakeFirst();
  if (!event) return undefined;
  const [committee, invitations, registrations, decisions, minutes] = await Promise.all([
    event.comite_id
      ? db.selectFrom('reseau_comite').selectAll().where('id', '=', event.comite_id).executeTakeFirst()
      : undefined,
    db
      .selectFrom('reseau_invitation')
      .innerJoin('reseau_membre', 'reseau_membre.id', 'reseau_invitation.membre_id')
      .select(['reseau_invitation.membre_id', 'reseau_membre.nom', 'reseau_invitation.present'])
      .where('evenement_id', '=', id)
      .orderBy('reseau_membre.nom')
      .execute(),
    db
      .selectFrom('reseau_inscription')
      .select(['nom', 'email', 'created_at'])
      .where('evenement_id', '=', id)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('reseau_decision')
      .leftJoin('reseau_action', 'reseau_action.id', 'reseau_decision.action_id')
      .select([
        'reseau_decision.id',
        'reseau_decision.texte',
        'reseau_decision.action_id',
        'reseau_action.titre as action_titre',
        'reseau_decision.created_at',
      ])
      .where('evenement_id', '=', id)
      .orderBy('reseau_decision.created_at')
      .execute(),
    db
      .selectFrom('reseau_compte_rendu')
      .select(['id', 'texte', 'at'])
      .where('evenement_id', '=', id)
      .orderBy('id', 'desc')
      .execute(),
  ]);
  if (registrations.length > 0)
    await audit(db, {
      actor,
      action: 'network.event.read',
      subject: { type: 'reseau_evenement', id },
      details: { inscrits: registrations.length },
    });
  return { event, committee, invitations, registrations, decisions, minutes };
}

export const minutesFields = z.object({
  compte_rendu: optionalText('le compte rendu', 50_000),
  presents: z.preprocess(allValues, z.array(z.string())),
});

/**
 * Records a meeting's minutes and who attended (among the invited members). A new text of the
 * minutes is kept as a new version: earlier ones stay, dated, with who wrote them.
 */
export async function recordMinutes(db: Db, actor: Actor, id: string, input: z.infer<typeof minutesFields>) {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return false;
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('reseau_evenement')
      .select('compte_rendu')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) return false;
    const text = input.compte_rendu ?? null;
    if (text !== before.compte_rendu) {
      await trx
        .updateTable('reseau_evenement')
        .set({ compte_rendu: text, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      if (text !== null)
        await trx
          .insertInto('reseau_compte_rendu')
          .values({ evenement_id: id, texte: text, by: actor.kind === 'user' ? actor.userId : null })
          .execute();
    }
    const presents = input.presents.filter(isUuid);
    await trx
      .updateTable('reseau_invitation')
      .set({ present: presents.length ? sql<boolean>`membre_id in (${sql.join(presents)})` : false })
      .where('evenement_id', '=', id)
      .execute();
    await audit(trx, { actor, action: 'network.event.minutes', subject: { type: 'reseau_evenement', id } });
    return true;
  });
}

export const decisionTextFields = z.object({
  texte: requiredText('la décision', TEXT_MAX),
  action: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().refine(isUuid, 'Choisissez une action de la liste.').optional(),
  ),
});

export async function addDecision(
  db: Db,
  actor: Actor,
  id: string,
  input: z.infer<typeof decisionTextFields>,
): Promise<'ok' | 'not_found' | FieldErrors> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  const e = await db.selectFrom('reseau_evenement').select('id').where('id', '=', id).executeTakeFirst();
  if (!e) return 'not_found';
  if (input.action) {
    const a = await db
      .selectFrom('reseau_action')
      .select('id')
      .where('id', '=', input.action)
      .executeTakeFirst();
    if (!a) return { action: 'Choisissez une action de la liste.' };
  }
  await db.transaction().execute(async (trx) => {
    const d = await trx
      .insertInto('reseau_decision')
      .values({
        evenement_id: id,
        texte: input.texte,
        action_id: input.action ?? null,
        created_by: actor.kind === 'user' ? actor.userId : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'network.event.decision',
      subject: { type: 'reseau_evenement', id },
      details: { decision: d.id },
    });
  });
  return 'ok';
}

/** Cancels an event: calendars get it CANCELLED (sequence bumped), invited and registered people a mail. */
export async function cancelEvent(
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
): Promise<'ok' | 'not_found' | 'already'> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  const e = await db
    .updateTable('reseau_evenement')
    .set({ cancelled_at: new Date(), updated_at: new Date(), sequence: sql<number>`sequence + 1` })
    .where('id', '=', id)
    .where('cancelled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!e) {
    const exists = await db
      .selectFrom('reseau_evenement')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return exists ? 'already' : 'not_found';
  }
  await audit(db, { actor, action: 'network.event.cancel', subject: { type: 'reseau_evenement', id } });
  const invited = await db
    .selectFrom('reseau_invitation')
    .select('membre_id')
    .where('evenement_id', '=', id)
    .execute();
  const registered = await db
    .selectFrom('reseau_inscription')
    .select('email')
    .where('evenement_id', '=', id)
    .execute();
  const to = new Set([
    ...(
      await contactsOf(
        db,
        invited.map((i) => i.membre_id),
      )
    ).map((c) => c.email),
    ...registered.map((r) => r.email),
  ]);
  const mail = eventMail(config, e, 'cancel');
  for (const address of to) await sendMail(db, config, { to: address, ...mail });
  return 'ok';
}

/** Upcoming events (and those of the last 30 days), all of them: for the coordinators. */
export function upcomingEvents(db: Db, now: Date = new Date()) {
  return db
    .selectFrom('reseau_evenement')
    .selectAll()
    .where('ends_at', '>', new Date(now.getTime() - 30 * 86_400_000))
    .orderBy('starts_at')
    .limit(200)
    .execute();
}

/** The public agenda: public events to come (cancelled ones stay, marked). */
export function publicEvents(db: Db, now: Date = new Date()) {
  return db
    .selectFrom('reseau_evenement')
    .selectAll()
    .where('audience', '=', 'public')
    .where('ends_at', '>', now)
    .orderBy('starts_at')
    .limit(200)
    .execute();
}

export async function publicEvent(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  const e = await db
    .selectFrom('reseau_evenement')
    .selectAll()
    .where('id', '=', id)
    .where('audience', '=', 'public')
    .executeTakeFirst();
  if (!e) return undefined;
  const taken = await db
    .selectFrom('reseau_inscription')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('evenement_id', '=', id)
    .executeTakeFirstOrThrow();
  return { event: e, registered: taken.n };
}

export const registrationFields = z.object({
  nom: requiredText('votre nom', NAME_MAX),
  email: z.preprocess(
    trimString,
    z.email('Saisissez une adresse électronique valide, par exemple nom@exemple.fr.').max(200),
  ),
});

export type RegistrationResult = 'ok' | 'not_found' | 'closed' | 'full' | 'already' | 'no_registration';

/**
 * Registers someone to a public event with limited seats. The event's row is locked for the
 * count and the insert: of concurrent registrations for the last seat, exactly one wins.
 */
export async function register(
  db: Db,
  config: Config,
  id: string,
  input: z.infer<typeof registrationFields>,
  ip: string | null,
): Promise<RegistrationResult> {
  if (!isUuid(id)) return 'not_found';
  const email = input.email.toLowerCase();
  const result = await db.transaction().execute(async (trx): Promise<RegistrationResult> => {
    const e = await trx
      .selectFrom('reseau_evenement')
      .select(['id', 'capacite', 'cancelled_at', 'starts_at'])
      .where('id', '=', id)
      .where('audience', '=', 'public')
      .forUpdate()
      .executeTakeFirst();
    if (!e) return 'not_found';
    if (e.capacite === null) return 'no_registration';
    if (e.cancelled_at || e.starts_at <= new Date()) return 'closed';
    const taken = await trx
      .selectFrom('reseau_inscription')
      .select([sql<number>`count(*)::int`.as('n'), sql<boolean>`bool_or(email = ${email})`.as('mine')])
      .where('evenement_id', '=', id)
      .executeTakeFirstOrThrow();
    if (taken.mine) return 'already';
    if (taken.n >= e.capacite) return 'full';
    await trx.insertInto('reseau_inscription').values({ evenement_id: id, nom: input.nom, email }).execute();
    await audit(trx, {
      actor: { kind: 'anonymous' },
      action: 'network.event.register',
      subject: { type: 'reseau_evenement', id },
      ip,
    });
    return 'ok';
  });
  if (result === 'ok') {
    const e = await db
      .selectFrom('reseau_evenement')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await sendMail(db, config, { to: email, ...eventMail(config, e, 'registration') });
  }
  return result;
}

// ------------------------------------------------------------------ feeds

/** The public feed: every public event of the last year and to come (cancelled ones as CANCELLED). */
/** The other modules' public dates from now to a year ahead (training sessions…), in time order. */
export async function otherDates(ctx: ModuleContext, sources: readonly AgendaSource[], now = new Date()) {
  const window = { from: now, to: new Date(now.getTime() + 365 * 86_400_000) };
  const entries = (await Promise.all(sources.map((source) => source(ctx, window)))).flat();
  return entries.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The public feed: the network's public events, and the other modules' public dates. */
export async function publicFeed(
  db: Db,
  config: Config,
  others: readonly AgendaEntry[] = [],
): Promise<string> {
  const events = await db
    .selectFrom('reseau_evenement')
    .selectAll()
    .where('audience', '=', 'public')
    .where('ends_at', '>', sql<Date>`now() - interval '1 year'`)
    .orderBy('starts_at')
    .execute();
  return calendar(events, { name: 'Agenda public du réseau', baseUrl: config.publicUrl }, others);
}

/** The private feed's version: 1 until its first reset (a new instance holds no row, so a restore finds it empty). */
async function feedVersion(db: Db) {
  const row = await db.selectFrom('reseau_flux').select('version').where('id', '=', 1).executeTakeFirst();
  return row?.version ?? 1;
}

/** The network's private feed (every event), behind its token; undefined for a reset or altered one. */
export async function networkFeed(db: Db, config: Config, token: string): Promise<string | undefined> {
  const [secret, version] = await Promise.all([networkSecret(db), feedVersion(db)]);
  if (!isCurrentFeedToken(secret, version, token.replace(/\.ics$/, ''))) return undefined;
  const events = await db
    .selectFrom('reseau_evenement')
    .selectAll()
    .where('ends_at', '>', sql<Date>`now() - interval '1 year'`)
    .orderBy('starts_at')
    .execute();
  return calendar(events, { name: 'Agenda du réseau', baseUrl: config.publicUrl });
}

/** The address of the network's private feed, for the coordinators. */
export async function networkFeedUrl(db: Db, config: Config, actor: Actor): Promise<string> {
  ensure(actor, 'network.manage');
  const [secret, version] = await Promise.all([networkSecret(db), feedVersion(db)]);
  return `${config.publicUrl}/reseau/calendrier/${feedToken(secret, version)}.ics`;
}

/** A new address for the private feed: the old one stops working at once. */
export async function resetNetworkFeed(db: Db, actor: Actor): Promise<void> {
  ensure(actor, 'network.manage');
  await db
    .insertInto('reseau_flux')
    .values({ id: 1, version: 2, reset_at: new Date() })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ version: sql<number>`reseau_flux.version + 1`, reset_at: new Date() }),
    )
    .execute();
  await audit(db, { actor, action: 'network.feed.reset' });
}
