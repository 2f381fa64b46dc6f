import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { formatDateTime, parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { helperCollectivites } from '../mediateurs/index.ts';
import { displayName, listCollectivites } from '../territoires/index.ts';
import { audienceRefusal } from './audience.ts';
import { cancelMail, offerMail, registrationMail, tell } from './mail.ts';
import {
  type CancelReason,
  CHECKIN_MINUTES,
  CLOSE_DAYS_BEFORE,
  LATE_DAYS,
  type Modality,
  OFFER_HOURS,
  type RegistrationStatus,
} from './vocabulary.ts';

/**
 * Trainings: the catalogue, sessions by half-day, registrations whose seats the database holds
 * (a waiting list that offers each freed seat for 48 hours), attendance, certificates and the
 * habilitation they lead to. Every function takes the actor and checks the resource.
 */

/**
 * Takes the session's row lock inside a transaction, so that seats are counted and given one
 * change at a time (a cancellation and an expired offer may free the same seat).
 */
const lockSession = (trx: Db, sessionId: string) =>
  trx.selectFrom('formation_session').select('id').where('id', '=', sessionId).forUpdate().execute();

export type Outcome<T = void> = { ok: true; value: T } | { ok: false; status: number; message: string };
const fail = (status: number, message: string): { ok: false; status: number; message: string } => ({
  ok: false,
  status,
  message,
});
const done = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** The display names of the member collectivités, by id (a few dozen rows). */
export async function collectiviteNames(db: Db): Promise<Map<number, string>> {
  return new Map((await listCollectivites(db)).map((c) => [c.id, displayName(c)]));
}

const userIdOf = (actor: Actor) => (actor.kind === 'user' ? actor.userId : null);

/** A Paris calendar day of an instant. */
export const dayOf = (instant: Date) => parisToday(instant);

// ------------------------------------------------------------------------------- catalogue

export type TrainingType = {
  id: string;
  collectivite_id: number | null;
  slug: string;
  titre: string;
  objectifs: string;
  programme: string;
  duree_minutes: number;
  modalite: Modality;
  prerequis: string | null;
  publics: string[];
  prestataire: string | null;
  certifiante: boolean;
  habilitante: boolean;
  presence_min_pct: number;
};

const TYPE_COLUMNS = [
  'id',
  'collectivite_id',
  'slug',
  'titre',
  'objectifs',
  'programme',
  'duree_minutes',
  'modalite',
  'prerequis',
  'publics',
  'prestataire',
  'certifiante',
  'habilitante',
  'presence_min_pct',
] as const;

/** The public catalogue: every training, with the number of sessions still open to registration. */
export async function catalogue(db: Db, now = new Date()) {
  return db
    .selectFrom('formation_type as t')
    .select(TYPE_COLUMNS.map((c) => `t.${c}` as const))
    .select((eb) =>
      eb
        .selectFrom('formation_session as s')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('s.type_id', '=', 't.id')
        .where('s.status', '=', 'active')
        .where('s.closes_at', '>', now)
        .as('sessions_ouvertes'),
    )
    .orderBy('t.titre')
    .execute();
}

export function typeBySlug(db: Db, slug: string): Promise<TrainingType | undefined> {
  return db.selectFrom('formation_type').select(TYPE_COLUMNS).where('slug', '=', slug).executeTakeFirst();
}

/** The types an organiser may run sessions of: the OPSN's and their collectivités'. */
export function typesFor(db: Db, actor: Actor) {
  const mine = organiserCollectivites(actor);
  let q = db.selectFrom('formation_type').select(['id', 'titre', 'collectivite_id']).orderBy('titre');
  if (!isAdmin(actor))
    q = q.where((eb) =>
      eb.or([eb('collectivite_id', 'is', null), ...(mine.length ? [eb('collectivite_id', 'in', mine)] : [])]),
    );
  return q.execute();
}

/** Whether this person registers for trainings: helpers (médiateurs). */
export const registersForTraining = (actor: Actor) => helperCollectivites(actor).length > 0;

/** Whether this person organises trainings somewhere: administrators, coordinators. */
export const organisesAny = (actor: Actor) => isAdmin(actor) || organiserCollectivites(actor).length > 0;

/** The collectivités where this person organises trainings (coordinators). */
export function organiserCollectivites(actor: Actor): number[] {
  if (actor.kind !== 'user') return [];
  return actor.memberships
    .filter((m) => m.role === 'coordinateur' && m.collectiviteId !== null)
    .map((m) => m.collectiviteId as number);
}

export type TypeInput = {
  titre: string;
  objectifs: string;
  programme: string;
  duree_heures: number;
  modalite: Modality;
  prerequis?: string | undefined;
  publics: string[];
  prestataire?: string | undefined;
  certifiante: boolean;
  habilitante: boolean;
};

const slugify = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'formation';

/** A training's columns as its form gives them, on creation and on change alike. */
export function typeColumns(input: TypeInput) {
  return {
    titre: input.titre,
    objectifs: input.objectifs,
    programme: input.programme,
    duree_minutes: Math.round(input.duree_heures * 60),
    modalite: input.modalite,
    prerequis: input.prerequis ?? null,
    publics: input.publics,
    prestataire: input.prestataire ?? null,
    // A training that leads to the habilitation always gives a certificate.
    certifiante: input.certifiante || input.habilitante,
    habilitante: input.habilitante,
  };
}

/** Adds a training to the catalogue: the OPSN's (administrators) or the coordinator's collectivité's. */
export async function createType(db: Db, actor: Actor, input: TypeInput): Promise<Outcome<string>> {
  const collectiviteId = isAdmin(actor) ? null : (organiserCollectivites(actor)[0] ?? null);
  if (!isAdmin(actor) && collectiviteId === null) throw new ForbiddenError();
  let slug = slugify(input.titre);
  if (await typeBySlug(db, slug)) slug = `${slug}-${randomInt(1000, 9999)}`;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('formation_type')
      .values({
        collectivite_id: collectiviteId,
        slug,
        ...typeColumns(input),
        created_by: userIdOf(actor),
      })
      .returning('slug')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'training.create',
      collectiviteId,
      subject: { type: 'formation_type', id: row.slug },
    });
    return done(row.slug);
  });
}

// -------------------------------------------------------------------------------- sessions

export type HalfDayInput = { starts_at: Date; ends_at: Date };

export type SessionInput = {
  type_id: string;
  halfDays: HalfDayInput[];
  capacite: number;
  lieu_id?: string | undefined;
  lieu_libelle?: string | undefined;
  lien_distance?: string | undefined;
  intra: boolean;
  formateurs: string[];
  opens_at?: Date | undefined;
  closes_at?: Date | undefined;
};

/** Half-days in order, or the French error of the first problem (keyed by the form's field). */
export function checkHalfDays(halfDays: HalfDayInput[]): FieldErrors {
  if (halfDays.length === 0) return { demi_journees: 'Ajoutez au moins une demi-journée.' };
  const sorted = [...halfDays].sort((a, b) => a.starts_at.getTime() - b.starts_at.getTime());
  for (const [i, h] of halfDays.entries())
    if (h.ends_at <= h.starts_at)
      return { [`fin_${i + 1}`]: `La demi-journée ${i + 1} finit avant de commencer : vérifiez les heures.` };
  for (let i = 1; i < sorted.length; i++)
    if ((sorted[i] as HalfDayInput).starts_at < (sorted[i - 1] as HalfDayInput).ends_at)
      return { demi_journees: 'Deux demi-journées se chevauchent : vérifiez les dates et les heures.' };
  return {};
}

/** The formateurs an organiser may name: accounts with the `formateur` role. */
export function trainerChoices(db: Db) {
  return db
    .selectFrom('membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name'])
    .where('m.role', '=', 'formateur')
    .where('u.status', '=', 'active')
    .distinct()
    .orderBy('u.name')
    .execute();
}

/** Creates a session; its organiser is the coordinator's collectivité, or the OPSN for an administrator. */
export async function createSession(
  db: Db,
  actor: Actor,
  input: SessionInput,
  now = new Date(),
): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
  const collectiviteId = isAdmin(actor) ? null : (organiserCollectivites(actor)[0] ?? null);
  if (!isAdmin(actor) && collectiviteId === null) throw new ForbiddenError();
  const types = await typesFor(db, actor);
  if (!types.some((t) => t.id === input.type_id))
    return { ok: false, errors: { type_id: 'Choisissez une formation du catalogue.' } };
  const halfErrors = checkHalfDays(input.halfDays);
  if (Object.keys(halfErrors).length) return { ok: false, errors: halfErrors };
  const first = Math.min(...input.halfDays.map((h) => h.starts_at.getTime()));
  if (first <= now.getTime())
    return { ok: false, errors: { demi_journees: 'La première demi-journée doit être à venir.' } };
  const opens = input.opens_at ?? now;
  const closes = input.closes_at ?? new Date(first - CLOSE_DAYS_BEFORE * 86_400_000);
  if (closes.getTime() > first)
    return {
      ok: false,
      errors: { closes_at: 'Les inscriptions doivent fermer avant la première demi-journée.' },
    };
  if (closes <= opens)
    return {
      ok: false,
      errors: {
        closes_at: `Les inscriptions fermeraient avant d’ouvrir : par défaut elles ferment ${CLOSE_DAYS_BEFORE} jours avant la première demi-journée. Choisissez une date de fermeture.`,
      },
    };
  if (input.intra && collectiviteId === null)
    return {
      ok: false,
      errors: { intra: 'Une session intra est réservée à une collectivité : l’OPSN n’en a pas.' },
    };
  if (!input.lieu_id && !input.lieu_libelle && !input.lien_distance)
    return {
      ok: false,
      errors: { lieu_id: 'Choisissez un lieu, décrivez-le ou donnez le lien de la visio.' },
    };
  const trainers = await trainerChoices(db);
  const unknownTrainer = input.formateurs.find((f) => !trainers.some((t) => t.id === f));
  if (unknownTrainer)
    return { ok: false, errors: { formateurs: 'Choisissez les formateurs dans la liste.' } };
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('formation_session')
      .values({
        type_id: input.type_id,
        collectivite_id: collectiviteId,
        intra: input.intra,
        lieu_id: input.lieu_id ?? null,
        lieu_libelle: input.lieu_libelle ?? null,
        lien_distance: input.lien_distance ?? null,
        capacite: input.capacite,
        opens_at: opens,
        closes_at: closes,
        motif_annulation: null,
        created_by: userIdOf(actor),
        cancelled_at: null,
        cancelled_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('formation_demi_journee')
      .values(
        input.halfDays.map((h) => ({
          session_id: row.id,
          starts_at: h.starts_at,
          ends_at: h.ends_at,
          code_emargement: null,
          code_expires_at: null,
        })),
      )
      .execute();
    if (input.formateurs.length)
      await trx
        .insertInto('formation_formateur')
        .values(input.formateurs.map((user_id) => ({ session_id: row.id, user_id })))
        .execute();
    await audit(trx, {
      actor,
      action: 'training_session.create',
      collectiviteId,
      subject: { type: 'formation_session', id: row.id },
      details: { demiJournees: input.halfDays.length, capacite: input.capacite },
    });
    return row.id;
  });
  return { ok: true, id };
}

export type Session = Awaited<ReturnType<typeof findSession>> & {};

/** A session with its training, half-days and trainers; undefined when there is none. */
export async function findSession(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  const s = await db
    .selectFrom('formation_session as s')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .select([
      's.id',
      's.type_id',
      's.collectivite_id',
      's.intra',
      's.lieu_id',
      's.lieu_libelle',
      's.lien_distance',
      's.capacite',
      's.places_prises',
      's.status',
      's.motif_annulation',
      's.opens_at',
      's.closes_at',
      't.titre',
      't.slug',
      't.modalite',
      't.duree_minutes',
      't.habilitante',
      't.certifiante',
      't.presence_min_pct',
      't.objectifs',
      't.prestataire',
      't.publics',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!s) return undefined;
  const [halfDays, trainers, names] = await Promise.all([
    db
      .selectFrom('formation_demi_journee')
      .select(['id', 'starts_at', 'ends_at', 'code_emargement', 'code_expires_at'])
      .where('session_id', '=', id)
      .orderBy('starts_at')
      .execute(),
    db
      .selectFrom('formation_formateur as f')
      .innerJoin('app_user as u', 'u.id', 'f.user_id')
      .select(['u.id', 'u.name'])
      .where('f.session_id', '=', id)
      .orderBy('u.name')
      .execute(),
    collectiviteNames(db),
  ]);
  const organisateur = s.collectivite_id === null ? null : (names.get(s.collectivite_id) ?? null);
  return { ...s, organisateur, halfDays, trainers };
}

/** Whether `actor` organises this session: administrators, coordinators of its collectivité. */
export function organises(actor: Actor, session: { collectivite_id: number | null }): boolean {
  return can(
    actor,
    'trainings.manage',
    session.collectivite_id === null ? {} : { collectiviteId: session.collectivite_id },
  );
}

export const isTrainer = (actor: Actor, session: { trainers: { id: string }[] }) =>
  actor.kind === 'user' && session.trainers.some((t) => t.id === actor.userId);

/** Organisers and the session's trainers run it (attendance, certificates, cancelling it). */
export const runs = (actor: Actor, session: NonNullable<Session>) =>
  organises(actor, session) || isTrainer(actor, session);

/** Sessions of a training still to come, for its public page. */
export function upcomingSessions(db: Db, typeId: string, now = new Date()) {
  return db
    .selectFrom('formation_session as s')
    .select([
      's.id',
      's.collectivite_id',
      's.capacite',
      's.places_prises',
      's.intra',
      's.closes_at',
      's.opens_at',
      's.lieu_libelle',
      's.lien_distance',
      sql<Date>`(select min(d.starts_at) from formation_demi_journee d where d.session_id = s.id)`.as(
        'debut',
      ),
      sql<number>`(select count(*)::int from formation_demi_journee d where d.session_id = s.id)`.as(
        'demi_journees',
      ),
    ])
    .where('s.type_id', '=', typeId)
    .where('s.status', '=', 'active')
    .where(
      sql<boolean>`exists (select 1 from formation_demi_journee d where d.session_id = s.id and d.starts_at > ${now})`,
    )
    .orderBy('debut')
    .limit(50)
    .execute();
}

/** Sessions a person runs: as a trainer, or as an organiser (their collectivités', all for administrators). */
export function sessionsRunBy(db: Db, actor: Actor, limit = 100) {
  const uid = userIdOf(actor);
  const mine = organiserCollectivites(actor);
  return db
    .selectFrom('formation_session as s')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .select([
      's.id',
      's.status',
      's.capacite',
      's.places_prises',
      't.titre',
      sql<Date>`(select min(d.starts_at) from formation_demi_journee d where d.session_id = s.id)`.as(
        'debut',
      ),
      sql<number>`(select count(*)::int from formation_inscription i where i.session_id = s.id and i.status = 'liste_attente')`.as(
        'attente',
      ),
    ])
    .where((eb) =>
      isAdmin(actor)
        ? eb.lit(true)
        : eb.or([
            eb.exists(
              eb
                .selectFrom('formation_formateur as f')
                .select('f.user_id')
                .whereRef('f.session_id', '=', 's.id')
                .where('f.user_id', '=', uid ?? '00000000-0000-0000-0000-000000000000'),
            ),
            ...(mine.length ? [eb('s.collectivite_id', 'in', mine)] : []),
          ]),
    )
    .orderBy('debut', 'desc')
    .limit(limit)
    .execute();
}

// --------------------------------------------------------------------------- registrations

export type Registration = {
  id: string;
  session_id: string;
  user_id: string;
  collectivite_id: number;
  status: RegistrationStatus;
  offered_at: Date | null;
  offer_expires_at: Date | null;
};

const REGISTRATION_COLUMNS = [
  'id',
  'session_id',
  'user_id',
  'collectivite_id',
  'status',
  'offered_at',
  'offer_expires_at',
] as const;

export function findRegistration(db: Db, id: string): Promise<Registration | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('formation_inscription')
    .select(REGISTRATION_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The collectivité where `userId` is a helper, or null. */
async function helperCollectivite(db: Db, userId: string): Promise<number | null> {
  const row = await db
    .selectFrom('membership')
    .select('collectivite_id')
    .where('user_id', '=', userId)
    .where('role', '=', 'mediateur')
    .executeTakeFirst();
  return row?.collectivite_id ?? null;
}

/** The helpers of the collectivités a coordinator looks after, for registering them. */
export function teamHelpers(db: Db, actor: Actor) {
  const mine = isAdmin(actor) ? null : organiserCollectivites(actor);
  let q = db
    .selectFrom('membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name', 'm.collectivite_id'])
    .where('m.role', '=', 'mediateur')
    .where('u.status', '=', 'active')
    .orderBy('u.name')
    .limit(500);
  if (mine !== null)
    q = mine.length ? q.where('m.collectivite_id', 'in', mine) : q.where(sql<boolean>`false`);
  return q.execute();
}

const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

/**
 * Registers a helper: themselves, or one of their team by a coordinator. The seat is taken in
 * the same statement that checks it is free (`places_prises < capacite`), so however many
 * requests arrive at once the session never holds more than its capacity; the others wait in
 * line. Registering twice is refused by a unique index.
 */
export async function register(
  db: Db,
  config: Config,
  actor: Actor,
  sessionId: string,
  learnerId: string,
  now = new Date(),
  options: { telephone?: string | undefined } = {},
): Promise<Outcome<{ id: string; status: RegistrationStatus }>> {
  const session = await findSession(db, sessionId);
  if (!session) return fail(404, 'Cette session n’existe pas.');
  const collectiviteId = await helperCollectivite(db, learnerId);
  if (collectiviteId === null)
    return fail(400, 'Seuls les médiateurs numériques s’inscrivent aux formations.');
  const self = userIdOf(actor) === learnerId;
  if (!self && !can(actor, 'trainings.manage', { collectiviteId }))
    throw new ForbiddenError('Vous ne pouvez inscrire que les médiateurs de votre équipe.');
  if (session.status !== 'active')
    return fail(409, 'Cette session est annulée : on ne peut plus s’y inscrire.');
  if (now < session.opens_at)
    return fail(409, `Les inscriptions ouvrent le ${formatDateTime(session.opens_at)}.`);
  if (now >= session.closes_at) return fail(409, 'Les inscriptions à cette session sont closes.');
  if (session.intra && session.collectivite_id !== collectiviteId)
    return fail(
      409,
      `Cette session est réservée aux équipes de ${session.organisateur ?? 'sa collectivité'}.`,
    );
  const outside = await audienceRefusal(db, session.publics, learnerId, self);
  if (outside) return fail(409, outside);
  try {
    const value = await db.transaction().execute(async (trx) => {
      const seat = await trx
        .updateTable('formation_session')
        .set({ places_prises: sql`places_prises + 1` })
        .where('id', '=', sessionId)
        .where('status', '=', 'active')
        .where(sql<boolean>`places_prises < capacite`)
        .returning('id')
        .executeTakeFirst();
      const status: RegistrationStatus = seat ? 'inscrit' : 'liste_attente';
      const row = await trx
        .insertInto('formation_inscription')
        .values({
          session_id: sessionId,
          user_id: learnerId,
          collectivite_id: collectiviteId,
          status,
          offered_at: null,
          offer_expires_at: null,
          created_by: userIdOf(actor),
          confirmed_at: seat ? now : null,
          cancelled_at: null,
          cancelled_by: null,
          motif_annulation: null,
          reminded_7_at: null,
          reminded_1_at: null,
          // Only the learner gives their own number for SMS reminders.
          telephone_rappel: self ? (options.telephone ?? null) : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, {
        actor,
        action: seat ? 'training_registration.create' : 'training_registration.wait',
        collectiviteId,
        subject: { type: 'formation_inscription', id: row.id },
        details: { session: sessionId, parCoordinateur: !self },
      });
      return { id: row.id, status };
    });
    await tell(db, config, learnerId, registrationMail(config, session, value.status));
    return done(value);
  } catch (error) {
    if (isUniqueViolation(error))
      return fail(
        409,
        self
          ? 'Vous êtes déjà inscrit à cette session.'
          : 'Cette personne est déjà inscrite à cette session.',
      );
    throw error;
  }
}

type SeatOffer = { inscriptionId: string; userId: string };

/**
 * A seat is free again: offered to the first person waiting (who has 48 hours to confirm), or
 * given back when nobody waits. Runs in the caller's transaction, the session's row locked.
 */
async function freeSeat(trx: Db, sessionId: string, now: Date): Promise<SeatOffer | null> {
  const next = await trx
    .selectFrom('formation_inscription')
    .select(['id', 'user_id'])
    .where('session_id', '=', sessionId)
    .where('status', '=', 'liste_attente')
    .where('offered_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  if (!next) {
    await trx
      .updateTable('formation_session')
      .set({ places_prises: sql`greatest(places_prises - 1, 0)` })
      .where('id', '=', sessionId)
      .execute();
    return null;
  }
  await trx
    .updateTable('formation_inscription')
    .set({ offered_at: now, offer_expires_at: new Date(now.getTime() + OFFER_HOURS * 3_600_000) })
    .where('id', '=', next.id)
    .execute();
  await audit(trx, {
    actor: { kind: 'system', label: 'formations' },
    action: 'training_registration.offer',
    subject: { type: 'formation_inscription', id: next.id },
    details: { session: sessionId },
  });
  return { inscriptionId: next.id, userId: next.user_id };
}

/** Whether `actor` may act on this registration as its learner, their coordinator, or the session's organiser. */
export async function registrationAccess(
  db: Db,
  actor: Actor,
  r: Registration,
): Promise<{ learner: boolean; coordinator: boolean; session: NonNullable<Session> }> {
  const session = (await findSession(db, r.session_id)) as NonNullable<Session>;
  const learner = userIdOf(actor) === r.user_id;
  const coordinator =
    can(actor, 'trainings.manage', { collectiviteId: r.collectivite_id }) || organises(actor, session);
  return { learner, coordinator, session };
}

/**
 * Cancels a registration: the learner until the day before the first half-day, their
 * coordinator (or the organiser) at any time. A held seat goes to the next person waiting.
 */
export async function cancelRegistration(
  db: Db,
  config: Config,
  actor: Actor,
  inscriptionId: string,
  now = new Date(),
): Promise<Outcome<{ offered: boolean }>> {
  const r = await findRegistration(db, inscriptionId);
  if (!r) return fail(404, 'Cette inscription n’existe pas.');
  const { learner, coordinator, session } = await registrationAccess(db, actor, r);
  if (!learner && !coordinator) throw new ForbiddenError();
  if (r.status === 'annule') return fail(409, 'Cette inscription est déjà annulée.');
  const first = session.halfDays[0]?.starts_at;
  if (!coordinator && first && parisToday(now) >= dayOf(first))
    return fail(
      409,
      'Vous pouvez annuler jusqu’à la veille de la formation. Demandez à votre coordinateur de le faire.',
    );
  const reason: CancelReason = coordinator && !learner ? 'coordinateur' : 'apprenant';
  const offer = await db.transaction().execute(async (trx) => {
    await lockSession(trx, r.session_id);
    const row = await trx
      .updateTable('formation_inscription')
      .set({
        status: 'annule',
        cancelled_at: now,
        cancelled_by: userIdOf(actor),
        motif_annulation: reason,
        offered_at: null,
        offer_expires_at: null,
        telephone_rappel: null,
      })
      .where('id', '=', r.id)
      .where('status', '<>', 'annule')
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await audit(trx, {
      actor,
      action: 'training_registration.cancel',
      collectiviteId: r.collectivite_id,
      subject: { type: 'formation_inscription', id: r.id },
      details: { session: r.session_id, motif: reason },
    });
    const heldSeat = r.status === 'inscrit' || r.offered_at !== null;
    return heldSeat ? freeSeat(trx, r.session_id, now) : null;
  });
  if (offer === undefined) return fail(409, 'Cette inscription est déjà annulée.');
  if (!learner) await tell(db, config, r.user_id, cancelMail(session));
  if (offer) await tell(db, config, offer.userId, offerMail(config, session, offer.inscriptionId));
  return done({ offered: offer !== null });
}

/** The learner confirms the seat offered to them from the waiting list. */
export async function confirmOffer(
  db: Db,
  config: Config,
  actor: Actor,
  inscriptionId: string,
  now = new Date(),
): Promise<Outcome> {
  const r = await findRegistration(db, inscriptionId);
  if (!r || r.user_id !== userIdOf(actor)) return fail(404, 'Cette inscription n’existe pas.');
  if (r.status !== 'liste_attente' || !r.offer_expires_at)
    return fail(409, 'Aucune place ne vous est proposée pour cette session.');
  if (r.offer_expires_at <= now)
    return fail(409, 'Le délai de 48 heures pour confirmer cette place est passé.');
  const row = await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('formation_inscription')
      .set({ status: 'inscrit', offered_at: null, offer_expires_at: null, confirmed_at: now })
      .where('id', '=', r.id)
      .where('status', '=', 'liste_attente')
      .where('offer_expires_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (updated)
      await audit(trx, {
        actor,
        action: 'training_registration.confirm',
        collectiviteId: r.collectivite_id,
        subject: { type: 'formation_inscription', id: r.id },
      });
    return updated;
  });
  if (!row) return fail(409, 'Aucune place ne vous est proposée pour cette session.');
  const session = await findSession(db, r.session_id);
  if (session) await tell(db, config, r.user_id, registrationMail(config, session, 'inscrit'));
  return done(undefined);
}

/** Offers not confirmed within 48 hours end; each seat goes to the next person waiting. */
export async function expireOffers(db: Db, config: Config, now = new Date()): Promise<number> {
  const expired = await db
    .selectFrom('formation_inscription')
    .select(REGISTRATION_COLUMNS)
    .where('status', '=', 'liste_attente')
    .where('offer_expires_at', '<=', now)
    .limit(500)
    .execute();
  for (const r of expired) {
    const offer = await db.transaction().execute(async (trx) => {
      await lockSession(trx, r.session_id);
      const row = await trx
        .updateTable('formation_inscription')
        .set({
          status: 'annule',
          cancelled_at: now,
          motif_annulation: 'offre_expiree',
          offered_at: null,
          offer_expires_at: null,
        })
        .where('id', '=', r.id)
        .where('status', '=', 'liste_attente')
        .where('offer_expires_at', '<=', now)
        .returning('id')
        .executeTakeFirst();
      if (!row) return null;
      await audit(trx, {
        actor: { kind: 'system', label: 'formations' },
        action: 'training_registration.cancel',
        collectiviteId: r.collectivite_id,
        subject: { type: 'formation_inscription', id: r.id },
        details: { motif: 'offre_expiree' },
      });
      return freeSeat(trx, r.session_id, now);
    });
    if (offer) {
      const session = await findSession(db, r.session_id);
      if (session) await tell(db, config, offer.userId, offerMail(config, session, offer.inscriptionId));
    }
  }
  return expired.length;
}

/** Changes the capacity: never below the seats held; new seats go to the people waiting. */
export async function changeCapacity(
  db: Db,
  config: Config,
  actor: Actor,
  sessionId: string,
  capacite: number,
  now = new Date(),
): Promise<Outcome> {
  const session = await findSession(db, sessionId);
  if (!session) return fail(404, 'Cette session n’existe pas.');
  if (!organises(actor, session)) throw new ForbiddenError();
  const offers = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('formation_session')
      .select(['places_prises', 'capacite'])
      .where('id', '=', sessionId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (capacite < row.places_prises) return null;
    await trx.updateTable('formation_session').set({ capacite }).where('id', '=', sessionId).execute();
    await audit(trx, {
      actor,
      action: 'training_session.capacity',
      collectiviteId: session.collectivite_id,
      subject: { type: 'formation_session', id: sessionId },
      details: { avant: row.capacite, apres: capacite },
    });
    const made: SeatOffer[] = [];
    for (let free = capacite - row.places_prises; free > 0; free--) {
      // Take the seat first, then offer it: freeSeat gives it back when nobody waits.
      await trx
        .updateTable('formation_session')
        .set({ places_prises: sql`places_prises + 1` })
        .where('id', '=', sessionId)
        .execute();
      const offer = await freeSeat(trx, sessionId, now);
      if (!offer) break;
      made.push(offer);
    }
    return made;
  });
  if (offers === null)
    return fail(
      400,
      `La capacité ne peut pas être inférieure au nombre de places prises (${session.places_prises}) : annulez d’abord des inscriptions.`,
    );
  for (const o of offers) await tell(db, config, o.userId, offerMail(config, session, o.inscriptionId));
  return done(undefined);
}

/** Cancels the whole session (organiser or trainer): every registration ends and everyone is told. */
export async function cancelSession(
  db: Db,
  config: Config,
  actor: Actor,
  sessionId: string,
  motif: string,
  now = new Date(),
): Promise<Outcome> {
  const session = await findSession(db, sessionId);
  if (!session) return fail(404, 'Cette session n’existe pas.');
  if (!runs(actor, session)) throw new ForbiddenError();
  if (session.status === 'annulee') return fail(409, 'Cette session est déjà annulée.');
  const people = await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('formation_session')
      .set({
        status: 'annulee',
        motif_annulation: motif,
        cancelled_at: now,
        cancelled_by: userIdOf(actor),
        places_prises: 0,
      })
      .where('id', '=', sessionId)
      .execute();
    const rows = await trx
      .updateTable('formation_inscription')
      .set({
        status: 'annule',
        cancelled_at: now,
        cancelled_by: userIdOf(actor),
        motif_annulation: 'session_annulee',
        offered_at: null,
        offer_expires_at: null,
      })
      .where('session_id', '=', sessionId)
      .where('status', '<>', 'annule')
      .returning('user_id')
      .execute();
    await audit(trx, {
      actor,
      action: 'training_session.cancel',
      collectiviteId: session.collectivite_id,
      subject: { type: 'formation_session', id: sessionId },
      details: { inscriptions: rows.length },
    });
    return rows.map((r) => r.user_id);
  });
  for (const userId of people)
    await tell(db, config, userId, {
      subject: `Session annulée : ${session.titre}`,
      text: `La session de la formation « ${session.titre} » qui devait commencer le ${formatDateTime(session.halfDays[0]?.starts_at ?? now)} est annulée.\n\nMotif : ${motif}\n\nVotre inscription est annulée. Les autres sessions sont au catalogue des formations.`,
    });
  return done(undefined);
}

/** The registrations of a session, for those who run it (journaled: it lists people). */
export async function sessionRegistrations(db: Db, actor: Actor, session: NonNullable<Session>) {
  if (!runs(actor, session)) throw new ForbiddenError();
  const rows = await db
    .selectFrom('formation_inscription as i')
    .innerJoin('app_user as u', 'u.id', 'i.user_id')
    .leftJoin('formation_attestation as a', 'a.inscription_id', 'i.id')
    .select([
      'i.id',
      'i.user_id',
      'i.status',
      'i.offered_at',
      'i.offer_expires_at',
      'i.created_at',
      'i.motif_annulation',
      'u.name',
      'u.email',
      'i.collectivite_id',
      'a.code',
      'a.revoked_at',
      'a.id as attestation_id',
    ])
    .where('i.session_id', '=', session.id)
    .orderBy(sql`case i.status when 'inscrit' then 0 when 'liste_attente' then 1 else 2 end`)
    .orderBy('i.created_at')
    .execute();
  const presences = await db
    .selectFrom('formation_presence as p')
    .innerJoin('formation_inscription as i', 'i.id', 'p.inscription_id')
    .select(['p.inscription_id', 'p.demi_journee_id', 'p.present'])
    .where('i.session_id', '=', session.id)
    .execute();
  await audit(db, {
    actor,
    action: 'training_session.read',
    collectiviteId: session.collectivite_id,
    subject: { type: 'formation_session', id: session.id },
    details: { personnes: rows.length },
  });
  return { rows, presences };
}

/** A helper's registrations, newest first. */
export function myRegistrations(db: Db, userId: string) {
  return db
    .selectFrom('formation_inscription as i')
    .innerJoin('formation_session as s', 's.id', 'i.session_id')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .leftJoin('formation_attestation as a', 'a.inscription_id', 'i.id')
    .leftJoin('formation_avis as v', 'v.inscription_id', 'i.id')
    .select([
      'i.id',
      'i.status',
      'i.offer_expires_at',
      'i.motif_annulation',
      's.id as session_id',
      's.status as session_status',
      't.titre',
      'a.id as attestation_id',
      'a.revoked_at',
      'v.created_at as avis_at',
      sql<Date>`(select min(d.starts_at) from formation_demi_journee d where d.session_id = s.id)`.as(
        'debut',
      ),
      sql<Date>`(select max(d.ends_at) from formation_demi_journee d where d.session_id = s.id)`.as('fin'),
    ])
    .where('i.user_id', '=', userId)
    .orderBy('i.created_at', 'desc')
    .limit(200)
    .execute();
}

/** The registrations of a coordinator's team (their collectivités'; all for administrators), journaled. */
export async function teamRegistrations(db: Db, actor: Actor) {
  const mine = isAdmin(actor) ? null : organiserCollectivites(actor);
  let q = db
    .selectFrom('formation_inscription as i')
    .innerJoin('app_user as u', 'u.id', 'i.user_id')
    .innerJoin('formation_session as s', 's.id', 'i.session_id')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .leftJoin('formation_attestation as a', 'a.inscription_id', 'i.id')
    .select([
      'i.id',
      'i.status',
      'i.offer_expires_at',
      'u.name',
      's.id as session_id',
      't.titre',
      't.habilitante',
      'a.id as attestation_id',
      'a.code',
      'a.revoked_at',
      'a.habilitation_at',
      sql<Date>`(select min(d.starts_at) from formation_demi_journee d where d.session_id = s.id)`.as(
        'debut',
      ),
    ])
    .orderBy('i.created_at', 'desc')
    .limit(200);
  if (mine !== null)
    q = mine.length ? q.where('i.collectivite_id', 'in', mine) : q.where(sql<boolean>`false`);
  const rows = await q.execute();
  await audit(db, {
    actor,
    action: 'training_registration.team_read',
    details: { lignes: rows.length },
  });
  return rows;
}

// ------------------------------------------------------------------------------ attendance

/** Records who was present at a half-day (the others absent), from the screen or a sign-in sheet. */
export async function recordAttendance(
  db: Db,
  actor: Actor,
  session: NonNullable<Session>,
  halfDayId: string,
  presentIds: string[],
  source: 'ecran' | 'feuille',
  now = new Date(),
): Promise<Outcome<{ presents: number; absents: number }>> {
  if (!runs(actor, session)) throw new ForbiddenError();
  const half = session.halfDays.find((h) => h.id === halfDayId);
  if (!half) return fail(400, 'Choisissez une demi-journée de cette session.');
  if (dayOf(half.starts_at) > parisToday(now))
    return fail(409, 'Les présences se saisissent à partir du jour de la demi-journée.');
  const learners = await db
    .selectFrom('formation_inscription')
    .select('id')
    .where('session_id', '=', session.id)
    .where('status', '=', 'inscrit')
    .execute();
  const ids = new Set(learners.map((l) => l.id));
  if (presentIds.some((p) => !ids.has(p)))
    return fail(400, 'Une des personnes cochées n’est pas inscrite à cette session.');
  const late = now.getTime() > half.ends_at.getTime() + LATE_DAYS * 86_400_000;
  const value = await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('formation_presence')
      .select(['inscription_id', 'present'])
      .where('demi_journee_id', '=', halfDayId)
      .execute();
    const was = new Map(before.map((b) => [b.inscription_id, b.present]));
    const rows = [...ids].map((id) => ({
      inscription_id: id,
      demi_journee_id: halfDayId,
      present: presentIds.includes(id),
      source,
      recorded_at: now,
      recorded_by: userIdOf(actor),
    }));
    const changed = rows.filter((r) => was.has(r.inscription_id) && was.get(r.inscription_id) !== r.present);
    if (rows.length)
      await trx
        .insertInto('formation_presence')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['inscription_id', 'demi_journee_id']).doUpdateSet((eb) => ({
            present: eb.ref('excluded.present'),
            source: eb.ref('excluded.source'),
            recorded_at: eb.ref('excluded.recorded_at'),
            recorded_by: eb.ref('excluded.recorded_by'),
          })),
        )
        .execute();
    const presents = rows.filter((r) => r.present).length;
    await audit(trx, {
      actor,
      action:
        changed.length > 0 || (late && before.length === 0)
          ? 'training_attendance.correct'
          : 'training_attendance.record',
      collectiviteId: session.collectivite_id,
      subject: { type: 'formation_demi_journee', id: halfDayId },
      details: {
        session: session.id,
        presents,
        absents: rows.length - presents,
        source,
        ...(changed.length
          ? { corrections: changed.map((c) => ({ inscription: c.inscription_id, present: c.present })) }
          : {}),
        ...(late ? { tardif: true } : {}),
      },
    });
    return { presents, absents: rows.length - presents };
  });
  return done(value);
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const randomCode = (length: number, alphabet = CODE_ALPHABET) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

/** Opens a check-in code for a half-day, on its day, for 30 minutes. */
export async function openCheckin(
  db: Db,
  actor: Actor,
  session: NonNullable<Session>,
  halfDayId: string,
  now = new Date(),
): Promise<Outcome<string>> {
  if (!runs(actor, session)) throw new ForbiddenError();
  const half = session.halfDays.find((h) => h.id === halfDayId);
  if (!half) return fail(400, 'Choisissez une demi-journée de cette session.');
  if (dayOf(half.starts_at) !== parisToday(now))
    return fail(409, 'Le code d’émargement s’ouvre le jour de la demi-journée.');
  const code = randomCode(6, '0123456789');
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('formation_demi_journee')
      .set({ code_emargement: code, code_expires_at: new Date(now.getTime() + CHECKIN_MINUTES * 60_000) })
      .where('id', '=', halfDayId)
      .execute();
    await audit(trx, {
      actor,
      action: 'training_attendance.checkin_open',
      collectiviteId: session.collectivite_id,
      subject: { type: 'formation_demi_journee', id: halfDayId },
    });
  });
  return done(code);
}

/** A learner checks in to a half-day with the code the trainer shows. */
export async function checkIn(
  db: Db,
  actor: Actor,
  inscriptionId: string,
  halfDayId: string,
  code: string,
  now = new Date(),
): Promise<Outcome> {
  const r = await findRegistration(db, inscriptionId);
  if (!r || r.user_id !== userIdOf(actor)) return fail(404, 'Cette inscription n’existe pas.');
  if (r.status !== 'inscrit') return fail(409, 'Vous n’êtes pas inscrit à cette session.');
  const half = isUuid(halfDayId)
    ? await db
        .selectFrom('formation_demi_journee')
        .select(['id', 'code_emargement', 'code_expires_at'])
        .where('id', '=', halfDayId)
        .where('session_id', '=', r.session_id)
        .executeTakeFirst()
    : undefined;
  if (!half) return fail(400, 'Choisissez une demi-journée de votre session.');
  const typed = code.replace(/\s+/g, '');
  if (!half.code_emargement || !half.code_expires_at || half.code_expires_at <= now)
    return fail(
      400,
      'Le code d’émargement de cette demi-journée n’est pas ouvert ou a expiré : demandez-le au formateur.',
    );
  if (typed !== half.code_emargement)
    return fail(400, 'Ce code n’est pas celui de cette demi-journée : vérifiez-le auprès du formateur.');
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('formation_presence')
      .values({
        inscription_id: r.id,
        demi_journee_id: half.id,
        present: true,
        source: 'code',
        recorded_at: now,
        recorded_by: r.user_id,
      })
      .onConflict((oc) =>
        oc
          .columns(['inscription_id', 'demi_journee_id'])
          .doUpdateSet({ present: true, source: 'code', recorded_at: now }),
      )
      .execute();
    await audit(trx, {
      actor,
      action: 'training_attendance.checkin',
      collectiviteId: r.collectivite_id,
      subject: { type: 'formation_demi_journee', id: half.id },
    });
  });
  return done(undefined);
}

// ---------------------------------------------------------------------------- certificates

/** Who among the registered meets the training's attendance rule, with their minutes attended. */
export async function eligibility(db: Db, session: NonNullable<Session>) {
  const rows = await db
    .selectFrom('formation_inscription as i')
    .leftJoin('formation_presence as p', (j) =>
      j.onRef('p.inscription_id', '=', 'i.id').on('p.present', '=', true),
    )
    .leftJoin('formation_demi_journee as d', 'd.id', 'p.demi_journee_id')
    .select([
      'i.id',
      sql<number>`count(d.id)::int`.as('presents'),
      sql<number>`coalesce(sum(extract(epoch from (d.ends_at - d.starts_at)) / 60), 0)::int`.as('minutes'),
    ])
    .where('i.session_id', '=', session.id)
    .where('i.status', '=', 'inscrit')
    .groupBy('i.id')
    .execute();
  const total = session.halfDays.length;
  return rows.map((r) => ({
    ...r,
    eligible: total > 0 && (r.presents * 100) / total >= session.presence_min_pct,
  }));
}

/**
 * Issues the certificates of a session: to everyone who meets the attendance rule (or to the
 * one person named, refused when they do not), once the last half-day has started.
 */
export async function issueCertificates(
  db: Db,
  actor: Actor,
  session: NonNullable<Session>,
  only?: string,
  now = new Date(),
): Promise<Outcome<number>> {
  if (!runs(actor, session)) throw new ForbiddenError();
  if (!session.certifiante) return fail(409, 'Cette formation ne délivre pas d’attestation.');
  const last = session.halfDays.at(-1);
  if (!last || last.starts_at > now)
    return fail(409, 'Les attestations se délivrent après la dernière demi-journée.');
  const all = await eligibility(db, session);
  let chosen = all.filter((e) => e.eligible);
  if (only !== undefined) {
    const one = all.find((e) => e.id === only);
    if (!one) return fail(400, 'Cette personne n’est pas inscrite à cette session.');
    if (!one.eligible)
      return fail(
        409,
        'Cette personne n’a pas assisté à assez de demi-journées pour recevoir l’attestation : vérifiez les présences.',
      );
    chosen = [one];
  }
  const issued = await db.transaction().execute(async (trx) => {
    let n = 0;
    for (const e of chosen) {
      const row = await trx
        .insertInto('formation_attestation')
        .values({
          inscription_id: e.id,
          code: `${randomCode(4)}-${randomCode(4)}-${randomCode(4)}`,
          minutes_presentes: e.minutes,
          issued_by: userIdOf(actor),
          revoked_at: null,
          revoked_by: null,
          motif_revocation: null,
          habilitation_at: null,
          habilitation_by: null,
        })
        .onConflict((oc) => oc.column('inscription_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) continue;
      n++;
      await audit(trx, {
        actor,
        action: 'training_certificate.issue',
        collectiviteId: session.collectivite_id,
        subject: { type: 'formation_attestation', id: row.id },
        details: { session: session.id, inscription: e.id },
      });
    }
    return n;
  });
  return done(issued);
}

export type Certificate = NonNullable<Awaited<ReturnType<typeof certificateRow>>>;

function certificateRow(db: Db, where: { id?: string; code?: string }) {
  let q = db
    .selectFrom('formation_attestation as a')
    .innerJoin('formation_inscription as i', 'i.id', 'a.inscription_id')
    .innerJoin('app_user as u', 'u.id', 'i.user_id')
    .innerJoin('formation_session as s', 's.id', 'i.session_id')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .select([
      'a.id',
      'a.code',
      'a.minutes_presentes',
      'a.issued_at',
      'a.revoked_at',
      'a.motif_revocation',
      'a.habilitation_at',
      'i.user_id',
      'i.collectivite_id',
      'i.session_id',
      's.collectivite_id as session_collectivite_id',
      'u.name',
      't.titre',
      't.objectifs',
      't.habilitante',
      't.prestataire',
      sql<Date>`(select min(d.starts_at) from formation_demi_journee d where d.session_id = s.id)`.as(
        'debut',
      ),
      sql<Date>`(select max(d.ends_at) from formation_demi_journee d where d.session_id = s.id)`.as('fin'),
    ]);
  if (where.id !== undefined) q = q.where('a.id', '=', where.id);
  if (where.code !== undefined) q = q.where('a.code', '=', where.code);
  return q.executeTakeFirst();
}

/** A certificate for its learner, their coordinator, or those who ran the session (journaled for the others). */
export async function certificateFor(db: Db, actor: Actor, id: string): Promise<Certificate | undefined> {
  if (!isUuid(id)) return undefined;
  const c = await certificateRow(db, { id });
  if (!c) return undefined;
  const learner = userIdOf(actor) === c.user_id;
  if (!learner) {
    const session = await findSession(db, c.session_id);
    const allowed =
      can(actor, 'trainings.manage', { collectiviteId: c.collectivite_id }) ||
      (session !== undefined && runs(actor, session));
    if (!allowed) throw new ForbiddenError();
    await audit(db, {
      actor,
      action: 'training_certificate.read',
      collectiviteId: c.collectivite_id,
      subject: { type: 'formation_attestation', id: c.id },
    });
  }
  return c;
}

/** The normal form of a typed verification code: `ABCD-EFGH-JKLM`, or null when it cannot be one. */
export function normaliseCode(typed: string): string | null {
  const raw = typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (raw.length !== 12 || [...raw].some((c) => !CODE_ALPHABET.includes(c))) return null;
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/** Initials only: « Jeanne Martin » → « J. M. ». */
export const initials = (name: string) =>
  name
    .split(/[\s-]+/)
    .filter(Boolean)
    .map((w) => `${w[0]?.toUpperCase()}.`)
    .join(' ');

/** What the public verification page may say of a certificate: never the full name. */
export async function verification(db: Db, code: string) {
  const c = await certificateRow(db, { code });
  if (!c) return undefined;
  return {
    code: c.code,
    valide: c.revoked_at === null,
    revokedAt: c.revoked_at,
    initiales: initials(c.name),
    titre: c.titre,
    debut: c.debut,
    fin: c.fin,
    minutes: c.minutes_presentes,
  };
}

/** Revokes a certificate with a reason (organisers and coordinators of the learner). */
export async function revokeCertificate(db: Db, actor: Actor, id: string, motif: string): Promise<Outcome> {
  const c = await certificateFor(db, actor, id);
  if (!c) return fail(404, 'Cette attestation n’existe pas.');
  if (!can(actor, 'trainings.manage', { collectiviteId: c.collectivite_id }) && !isAdmin(actor)) {
    const session = await findSession(db, c.session_id);
    if (!session || !organises(actor, session)) throw new ForbiddenError();
  }
  if (c.revoked_at) return fail(409, 'Cette attestation est déjà révoquée.');
  const reason = motif.trim();
  if (reason === '') return fail(400, 'Saisissez le motif de la révocation.');
  if (reason.length > 500) return fail(400, 'Le motif de la révocation doit faire au plus 500 caractères.');
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('formation_attestation')
      .set({ revoked_at: new Date(), revoked_by: userIdOf(actor), motif_revocation: reason })
      .where('id', '=', c.id)
      .execute();
    await audit(trx, {
      actor,
      action: 'training_certificate.revoke',
      collectiviteId: c.collectivite_id,
      subject: { type: 'formation_attestation', id: c.id },
      details: { motif: reason },
    });
  });
  return done(undefined);
}

// ---------------------------------------------------------------------------- feedback

export type FeedbackInput = {
  note_contenu: number;
  note_animation: number;
  note_utilite: number;
  commentaire?: string | undefined;
};

/** The learner answers the questionnaire once, after the last half-day. */
export async function giveFeedback(
  db: Db,
  actor: Actor,
  inscriptionId: string,
  input: FeedbackInput,
  now = new Date(),
): Promise<Outcome> {
  const r = await findRegistration(db, inscriptionId);
  if (!r || r.user_id !== userIdOf(actor)) return fail(404, 'Cette inscription n’existe pas.');
  if (r.status !== 'inscrit') return fail(409, 'Seules les personnes inscrites donnent leur avis.');
  const session = await findSession(db, r.session_id);
  const last = session?.halfDays.at(-1);
  if (!last || last.starts_at > now) return fail(409, 'Le questionnaire s’ouvre à la dernière demi-journée.');
  const row = await db
    .insertInto('formation_avis')
    .values({ inscription_id: r.id, ...input, commentaire: input.commentaire ?? null })
    .onConflict((oc) => oc.column('inscription_id').doNothing())
    .returning('inscription_id')
    .executeTakeFirst();
  if (!row) return fail(409, 'Vous avez déjà donné votre avis sur cette formation. Merci !');
  return done(undefined);
}

/** Averages of the questionnaire for a session, or null under the threshold of answers. */
export async function feedbackSummary(db: Db, sessionId: string, threshold: number) {
  const row = await db
    .selectFrom('formation_avis as v')
    .innerJoin('formation_inscription as i', 'i.id', 'v.inscription_id')
    .select([
      sql<number>`count(*)::int`.as('n'),
      sql<number>`round(avg(v.note_contenu), 1)::float8`.as('note_contenu'),
      sql<number>`round(avg(v.note_animation), 1)::float8`.as('note_animation'),
      sql<number>`round(avg(v.note_utilite), 1)::float8`.as('note_utilite'),
      sql<
        string[]
      >`coalesce(array_agg(v.commentaire order by random()) filter (where v.commentaire is not null), '{}')`.as(
        'commentaires',
      ),
    ])
    .where('i.session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  return row.n >= threshold ? row : { n: row.n };
}

/** Averages of the questionnaire over every session of a training, or only the count under the threshold. */
export async function typeFeedbackSummary(db: Db, typeId: string, threshold: number) {
  const row = await db
    .selectFrom('formation_avis as v')
    .innerJoin('formation_inscription as i', 'i.id', 'v.inscription_id')
    .innerJoin('formation_session as s', 's.id', 'i.session_id')
    .select([
      sql<number>`count(*)::int`.as('n'),
      sql<number>`count(distinct s.id)::int`.as('sessions'),
      sql<number>`round(avg(v.note_contenu), 1)::float8`.as('note_contenu'),
      sql<number>`round(avg(v.note_animation), 1)::float8`.as('note_animation'),
      sql<number>`round(avg(v.note_utilite), 1)::float8`.as('note_utilite'),
    ])
    .where('s.type_id', '=', typeId)
    .executeTakeFirstOrThrow();
  return row.n >= threshold ? row : { n: row.n, sessions: row.sessions };
}

// --------------------------------------------------------------------------- habilitation

/** Certificates of habilitating trainings of the coordinator's helpers, not yet turned into a habilitation. */
export function habilitationProposals(db: Db, actor: Actor) {
  const mine = isAdmin(actor) ? null : organiserCollectivites(actor);
  let q = db
    .selectFrom('formation_attestation as a')
    .innerJoin('formation_inscription as i', 'i.id', 'a.inscription_id')
    .innerJoin('app_user as u', 'u.id', 'i.user_id')
    .innerJoin('formation_session as s', 's.id', 'i.session_id')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .select([
      'a.id',
      'a.code',
      'u.name',
      't.titre',
      sql<Date>`(select max(d.ends_at) from formation_demi_journee d where d.session_id = s.id)`.as('fin'),
    ])
    .where('t.habilitante', '=', true)
    .where('a.revoked_at', 'is', null)
    .where('a.habilitation_at', 'is', null)
    .orderBy('a.issued_at')
    .limit(200);
  if (mine !== null)
    q = mine.length ? q.where('i.collectivite_id', 'in', mine) : q.where(sql<boolean>`false`);
  return q.execute();
}

export const habilitationBasis = (c: { titre: string; code: string }) =>
  `Formation « ${c.titre} », attestation ${c.code}`;
