import { createHash, randomBytes } from 'node:crypto';
import { type Expression, type RawBuilder, sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { addDays, parisInstant, parisToday } from '../../platform/paris-time.ts';
import { recordActivities } from '../activites/index.ts';
import { placeNameOf, placeSummaries } from '../lieux/index.ts';
import { type Helper, isHelperOfPlace } from '../mediateurs/index.ts';
import { ensureAgenda } from './setup.ts';
import { OUTCOMES, type Status } from './vocabulary.ts';

/**
 * A helper's agenda (their appointments and the people booked, read journaled), the place's
 * view for coordinators (times and seats, no names), what happened at each appointment, and the
 * activity report an honoured appointment becomes, once.
 */

export type AgendaEntry = Awaited<ReturnType<typeof helperAgenda>>[number];

const participantsJson = sql<
  {
    id: string;
    prenom: string;
    nom: string;
    telephone: string | null;
    email: string | null;
    status: Status;
    channel: string;
    beneficiaire_id: string | null;
  }[]
>`coalesce((select json_agg(json_build_object(
      'id', p.id, 'prenom', p.prenom, 'nom', p.nom, 'telephone', p.telephone, 'email', p.email,
      'status', p.status, 'channel', p.channel, 'beneficiaire_id', p.beneficiaire_id) order by p.created_at)
    from rdv_participant p where p.rdv_id = r.id), '[]'::json)`;

/** The helper's appointments from `from` to `to` (Paris days, both included), journaled as one read. */
export async function helperAgenda(db: Db, helper: Helper, from: string, to: string) {
  const rows = await db
    .selectFrom('rdv as r')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .select([
      'r.id',
      'r.starts_at',
      'r.ends_at',
      'r.lieu_id',
      'r.capacite',
      'r.places_prises',
      'r.libere_at',
      'r.activite_id',
      'r.report_dismissed_at',
      'm.nom as motif_nom',
      'm.collectif',
      'm.location_type',
    ])
    .select(placeNameOf(sql.ref('r.lieu_id')).as('lieu_nom'))
    .select(participantsJson.as('participants'))
    .where('r.mediateur_id', '=', helper.userId)
    .where('r.starts_at', '>=', parisInstant(from, 0))
    .where('r.starts_at', '<', parisInstant(addDays(to, 1), 0))
    .orderBy('r.starts_at')
    .execute();
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.read',
    collectiviteId: helper.collectiviteId,
    details: { du: from, au: to, rendez_vous: rows.length },
  });
  return rows;
}

/** Who may see a place's agenda: its collectivité's coordinators, the OPSN's admins, its helpers. */
export async function mayViewPlace(db: Db, actor: Actor, lieuId: string): Promise<boolean> {
  if (!isUuid(lieuId)) return false;
  const [place] = await placeSummaries(db, [lieuId]);
  if (!place) return false;
  if (isAdmin(actor)) return true;
  if (
    place.collectivite_id !== null &&
    can(actor, 'appointments.oversee', { collectiviteId: place.collectivite_id })
  )
    return true;
  return actor.kind === 'user' && (await isHelperOfPlace(db, actor.userId, lieuId));
}

/** A place's appointments: times, reasons, helpers' names and seats; never the people booked. */
export function placeAgenda(db: Db, lieuId: string, from: string, to: string) {
  return db
    .selectFrom('rdv as r')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .innerJoin('app_user as u', 'u.id', 'r.mediateur_id')
    .select([
      'r.id',
      'r.starts_at',
      'r.ends_at',
      'r.capacite',
      'r.places_prises',
      'm.nom as motif_nom',
      'm.collectif',
      'u.name as mediateur',
    ])
    .where('r.lieu_id', '=', lieuId)
    .where('r.libere_at', 'is', null)
    .where('r.starts_at', '>=', parisInstant(from, 0))
    .where('r.starts_at', '<', parisInstant(addDays(to, 1), 0))
    .orderBy('r.starts_at')
    .execute();
}

/** One appointment of the helper's agenda, with its people; undefined when it is not theirs. */
export async function ownAppointment(db: Db, helper: Helper, id: string) {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom('rdv as r')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .select([
      'r.id',
      'r.starts_at',
      'r.ends_at',
      'r.lieu_id',
      'r.capacite',
      'r.places_prises',
      'r.libere_at',
      'r.activite_id',
      'r.report_claimed_at',
      'r.report_dismissed_at',
      'r.collectivite_id',
      'm.nom as motif_nom',
      'm.collectif',
      'm.location_type',
      'm.duree_min',
      'm.thematiques',
    ])
    .select(placeNameOf(sql.ref('r.lieu_id')).as('lieu_nom'))
    .select(participantsJson.as('participants'))
    .where('r.id', '=', id)
    .where('r.mediateur_id', '=', helper.userId)
    .executeTakeFirst();
  if (row)
    await audit(db, {
      actor: helper.actor,
      action: 'appointment.read',
      collectiviteId: helper.collectiviteId,
      subject: { type: 'rdv', id: row.id },
    });
  return row;
}
export type OwnAppointment = NonNullable<Awaited<ReturnType<typeof ownAppointment>>>;

/**
 * Notes what happened for one person of one of the helper's appointments. `honore` and
 * `absent` only once it has begun; `annule` (by the service) and `excuse` free the seat.
 */
export async function setStatus(
  db: Db,
  helper: Helper,
  appointment: OwnAppointment,
  participantId: string,
  status: string,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (!(OUTCOMES as readonly string[]).includes(status))
    return { ok: false, message: 'Choisissez ce qui s’est passé.' };
  const person = appointment.participants.find((p) => p.id === participantId);
  if (!person) return { ok: false, message: 'Cette personne n’est pas inscrite à ce rendez-vous.' };
  if ((status === 'honore' || status === 'absent') && appointment.starts_at > now)
    return { ok: false, message: 'Ce rendez-vous n’a pas encore commencé : notez la présence ensuite.' };
  if (appointment.activite_id && (person.status === 'honore' || status === 'honore'))
    return {
      ok: false,
      message: 'Le compte rendu de ce rendez-vous est déjà enregistré : la présence ne change plus.',
    };
  const freeing =
    (status === 'excuse' || status === 'annule') && person.status !== 'excuse' && person.status !== 'annule';
  const returning =
    (status === 'honore' || status === 'absent' || status === 'a_venir') &&
    (person.status === 'excuse' || person.status === 'annule');
  if (returning) return { ok: false, message: 'Ce rendez-vous est annulé : prenez-en un nouveau.' };
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('rdv_participant')
      .set({ status: status as Status, status_at: now, status_by: helper.userId })
      .where('id', '=', participantId)
      .where('rdv_id', '=', appointment.id)
      .execute();
    if (freeing)
      await trx
        .updateTable('rdv')
        .set((eb) => ({
          places_prises: eb('places_prises', '-', 1),
          libere_at: sql<Date | null>`case when capacite = 1 then ${now}::timestamptz else libere_at end`,
          updated_at: now,
        }))
        .where('id', '=', appointment.id)
        .where('places_prises', '>', 0)
        .execute();
  });
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.status',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'rdv_participant', id: participantId },
    details: { status },
  });
  return { ok: true };
}

const CANAL: Record<string, string> = {
  sur_place: 'lieu_activite',
  domicile: 'domicile',
  telephone: 'distance',
  visio: 'distance',
};

/** The activity report an honoured appointment becomes, as the activity form takes it. */
export function draftReport(a: OwnAppointment): Record<string, unknown> | null {
  const honoured = a.participants.filter((p) => p.status === 'honore');
  if (honoured.length === 0) return null;
  const known = honoured.flatMap((p) => (p.beneficiaire_id ? [p.beneficiaire_id] : []));
  const anonymous = honoured.length - known.length;
  const canal = CANAL[a.location_type] ?? 'lieu_activite';
  const base = {
    date: parisToday(a.starts_at),
    duree_min: String(a.duree_min),
    canal,
    ...(canal === 'lieu_activite' ? { lieu_id: a.lieu_id } : {}),
    thematiques: a.thematiques,
    materiels: [],
    demarches: [],
    beneficiaires: known,
  };
  if (!a.collectif)
    return {
      ...base,
      type: 'individuel',
      ...(known.length === 0 ? { anonyme: { genre: '', tranche_age: '', statut: '' } } : {}),
    };
  return {
    ...base,
    type: 'collectif',
    titre: a.motif_nom,
    ...(anonymous > 0 ? { anonymes: { total: String(anonymous) } } : {}),
  };
}

/**
 * Records the draft report of an honoured appointment. The appointment is claimed first by a
 * conditional update, so that two clicks (or two tabs) never record it twice.
 */
export async function confirmReport(
  db: Db,
  helper: Helper,
  a: OwnAppointment,
  now = new Date(),
): Promise<{ ok: true; activiteId: string } | { ok: false; message: string }> {
  const raw = draftReport(a);
  if (!raw) return { ok: false, message: 'Notez d’abord qui est venu : personne n’est marqué présent.' };
  const claimed = await db
    .updateTable('rdv')
    .set({ report_claimed_at: now })
    .where('id', '=', a.id)
    .where('mediateur_id', '=', helper.userId)
    .where('activite_id', 'is', null)
    .where('report_claimed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!claimed) return { ok: false, message: 'Le compte rendu de ce rendez-vous est déjà enregistré.' };
  const saved = await recordActivities(db, helper, [raw]);
  if (!saved.ok) {
    await db.updateTable('rdv').set({ report_claimed_at: null }).where('id', '=', a.id).execute();
    const errors = Object.values(saved.rejected[0]?.errors ?? {});
    return { ok: false, message: `Le compte rendu n’a pas pu être enregistré : ${errors.join(' ; ')}` };
  }
  const activiteId = saved.ids[0] as string;
  await db
    .updateTable('rdv')
    .set({ activite_id: activiteId, updated_at: now })
    .where('id', '=', a.id)
    .execute();
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.report',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'rdv', id: a.id },
    details: { activite: activiteId },
  });
  return { ok: true, activiteId };
}

export async function dismissReport(
  db: Db,
  helper: Helper,
  a: OwnAppointment,
  now = new Date(),
): Promise<void> {
  await db
    .updateTable('rdv')
    .set({ report_dismissed_at: now })
    .where('id', '=', a.id)
    .where('mediateur_id', '=', helper.userId)
    .where('activite_id', 'is', null)
    .execute();
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.report_dismiss',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'rdv', id: a.id },
  });
}

/** Figures of the helper's space: today, the coming week, what is left to note. */
export async function helperFigures(db: Db, userId: string, now = new Date()) {
  const today = parisToday(now);
  const row = await db
    .selectFrom('rdv as r')
    .select([
      sql<number>`count(*) filter (where r.starts_at >= ${parisInstant(today, 0)} and r.starts_at < ${parisInstant(addDays(today, 1), 0)})`.as(
        'today',
      ),
      sql<number>`count(*) filter (where r.starts_at >= ${now} and r.starts_at < ${parisInstant(addDays(today, 8), 0)})`.as(
        'week',
      ),
      sql<number>`count(*) filter (where r.starts_at < ${now} and exists (
        select 1 from rdv_participant p where p.rdv_id = r.id and p.status = 'a_venir'))`.as('to_note'),
      sql<number>`count(*) filter (where r.activite_id is null and r.report_dismissed_at is null and exists (
        select 1 from rdv_participant p where p.rdv_id = r.id and p.status = 'honore'))`.as('to_report'),
    ])
    .where('r.mediateur_id', '=', userId)
    .where('r.libere_at', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    today: Number(row.today),
    week: Number(row.week),
    toNote: Number(row.to_note),
    toReport: Number(row.to_report),
  };
}

/**
 * The Paris day of `person`'s last honoured appointment, as a subquery (null: none). Other
 * modules read it to know that a person was received (a referral's loop).
 */
export function lastHonouredAppointmentDay(person: Expression<string>): RawBuilder<string | null> {
  return sql<string | null>`(select max((r.starts_at at time zone 'Europe/Paris')::date)
    from rdv_participant p join rdv r on r.id = p.rdv_id
    where p.beneficiaire_id = ${person} and p.status = 'honore')`;
}

/** A person's appointments (no-shows included), for their record: journaled. */
export async function personAppointments(db: Db, helper: Helper, beneficiaireId: string) {
  const rows = await db
    .selectFrom('rdv_participant as p')
    .innerJoin('rdv as r', 'r.id', 'p.rdv_id')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .select(['r.starts_at', 'p.status', 'm.nom as motif_nom'])
    .where('p.beneficiaire_id', '=', beneficiaireId)
    .where('p.collectivite_id', '=', helper.collectiviteId)
    .orderBy('r.starts_at', 'desc')
    .limit(20)
    .execute();
  if (rows.length > 0)
    await audit(db, {
      actor: helper.actor,
      action: 'appointment.read',
      collectiviteId: helper.collectiviteId,
      subject: { type: 'beneficiaire', id: beneficiaireId },
    });
  return rows;
}

// ------------------------------------------------------------------ the calendar feed

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new secret feed token for the helper (the old one stops working): shown once. */
export async function resetFeedToken(db: Db, helper: Helper): Promise<string> {
  await ensureAgenda(db, helper.userId);
  const token = randomBytes(32).toString('base64url');
  await db
    .updateTable('rdv_agenda')
    .set({ feed_token_hash: digest(token) })
    .where('user_id', '=', helper.userId)
    .execute();
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.feed_reset',
    collectiviteId: helper.collectiviteId,
  });
  return token;
}

export async function hasFeed(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('rdv_agenda')
    .select('feed_token_hash')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Boolean(row?.feed_token_hash);
}

/** The events of the feed a token opens (first names only), or undefined for an unknown token. */
export async function feedOf(db: Db, token: string, now = new Date()) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const agenda = await db
    .selectFrom('rdv_agenda')
    .select('user_id')
    .where('feed_token_hash', '=', digest(token))
    .executeTakeFirst();
  if (!agenda) return undefined;
  return db
    .selectFrom('rdv as r')
    .innerJoin('rdv_motif as m', 'm.id', 'r.motif_id')
    .select(['r.id', 'r.starts_at', 'r.ends_at', 'r.libere_at', 'm.nom as motif_nom', 'm.collectif'])
    .select(placeNameOf(sql.ref('r.lieu_id')).as('lieu_nom'))
    .select(
      sql<string[]>`coalesce((select array_agg(p.prenom order by p.created_at) from rdv_participant p
        where p.rdv_id = r.id and p.status not in ('excuse', 'annule')), '{}')`.as('prenoms'),
    )
    .where('r.mediateur_id', '=', agenda.user_id)
    .where('r.starts_at', '>', new Date(now.getTime() - 30 * 24 * 3600_000))
    .orderBy('r.starts_at')
    .limit(2000)
    .execute();
}
