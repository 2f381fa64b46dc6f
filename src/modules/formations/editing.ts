import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { formatDateTime, parisToday, parisWallClock } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { halfDayLines, tell } from './mail.ts';
import {
  checkHalfDays,
  type HalfDayInput,
  organises,
  type Session,
  type TrainingType,
  type TypeInput,
  trainerChoices,
  typeBySlug,
  typeColumns,
} from './service.ts';
import { CLOSE_DAYS_BEFORE } from './vocabulary.ts';

/**
 * Changing what was created: a training of the catalogue (by whoever may add one there), and a
 * session (by its organisers): half-days, place, trainers, registration window. Registered and
 * waiting people are told when the dates or the place change. Everything is journaled.
 */

/** Whether `actor` may change this training: administrators for the OPSN's, coordinators for their collectivité's. */
export const editsType = (actor: Actor, type: Pick<TrainingType, 'collectivite_id'>) =>
  type.collectivite_id === null
    ? isAdmin(actor)
    : can(actor, 'trainings.manage', { collectiviteId: type.collectivite_id });

/** Changes a training of the catalogue (its slug, and so its address, stays). */
export async function updateType(
  db: Db,
  actor: Actor,
  slug: string,
  input: TypeInput,
): Promise<{ ok: true } | { ok: false; status: number; message: string }> {
  const type = await typeBySlug(db, slug);
  if (!type) return { ok: false, status: 404, message: 'Cette formation n’est pas au catalogue.' };
  if (!editsType(actor, type)) throw new ForbiddenError('Vous ne pouvez pas modifier cette formation.');
  const next = typeColumns(input);
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter(
    (k) => JSON.stringify(next[k]) !== JSON.stringify(type[k]),
  );
  if (changed.length === 0) return { ok: true };
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('formation_type').set(next).where('id', '=', type.id).execute();
    await audit(trx, {
      actor,
      action: 'training.update',
      collectiviteId: type.collectivite_id,
      subject: { type: 'formation_type', id: type.slug },
      details: { champs: changed },
    });
  });
  return { ok: true };
}

export type SessionChange = {
  halfDays: HalfDayInput[];
  lieu_id?: string | undefined;
  lieu_libelle?: string | undefined;
  lien_distance?: string | undefined;
  intra: boolean;
  formateurs: string[];
  closes_at?: Date | undefined;
};

const HHMM = (d: Date) => {
  const w = parisWallClock(d);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};

/** The session form's values for a session as it is. */
export function sessionFormValues(
  session: NonNullable<Session>,
): Record<string, string | string[] | undefined> {
  const values: Record<string, string | string[] | undefined> = {
    lieu_id: session.lieu_id ?? undefined,
    lieu_libelle: session.lieu_libelle ?? undefined,
    lien_distance: session.lien_distance ?? undefined,
    formateurs: session.trainers.map((t) => t.id),
    intra: session.intra ? 'oui' : undefined,
    closes_at: parisToday(session.closes_at),
  };
  for (const [i, h] of session.halfDays.entries()) {
    values[`date_${i + 1}`] = parisToday(h.starts_at);
    values[`debut_${i + 1}`] = HHMM(h.starts_at);
    values[`fin_${i + 1}`] = HHMM(h.ends_at);
  }
  return values;
}

const sameHalfDays = (a: HalfDayInput[], b: { starts_at: Date; ends_at: Date }[]) =>
  a.length === b.length &&
  a.every(
    (h, i) =>
      h.starts_at.getTime() === b[i]?.starts_at.getTime() && h.ends_at.getTime() === b[i]?.ends_at.getTime(),
  );

/**
 * Changes a session (its organisers only). Half-days keep their identity in order (calendar
 * entries update rather than duplicate); once attendance is recorded they no longer change.
 */
export async function updateSession(
  db: Db,
  config: Config,
  actor: Actor,
  session: NonNullable<Session>,
  input: SessionChange,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; status: number; errors: FieldErrors }> {
  if (!organises(actor, session))
    throw new ForbiddenError('Seuls les organisateurs de la session la modifient.');
  const refuse = (errors: FieldErrors, status = 400) => ({ ok: false as const, status, errors });
  if (session.status === 'annulee') return refuse({ demi_journees: 'Cette session est annulée.' }, 409);
  const halfDays = [...input.halfDays].sort((a, b) => a.starts_at.getTime() - b.starts_at.getTime());
  const halfErrors = checkHalfDays(input.halfDays);
  if (Object.keys(halfErrors).length) return refuse(halfErrors);
  const datesChange = !sameHalfDays(halfDays, session.halfDays);
  if (datesChange) {
    const recorded = await db
      .selectFrom('formation_presence as p')
      .innerJoin('formation_demi_journee as d', 'd.id', 'p.demi_journee_id')
      .select('p.inscription_id')
      .where('d.session_id', '=', session.id)
      .limit(1)
      .executeTakeFirst();
    if (recorded)
      return refuse(
        {
          demi_journees:
            'Des présences sont déjà enregistrées : les demi-journées de cette session ne changent plus.',
        },
        409,
      );
    if ((halfDays[0] as HalfDayInput).starts_at <= now)
      return refuse({ demi_journees: 'La première demi-journée doit être à venir.' });
  }
  const first = (halfDays[0] as HalfDayInput).starts_at.getTime();
  const closes = input.closes_at ?? new Date(first - CLOSE_DAYS_BEFORE * 86_400_000);
  if (closes.getTime() > first)
    return refuse({ closes_at: 'Les inscriptions doivent fermer avant la première demi-journée.' });
  if (closes <= session.opens_at)
    return refuse({
      closes_at: `Les inscriptions fermeraient avant d’ouvrir (${formatDateTime(session.opens_at)}) : choisissez une date de fermeture plus tardive.`,
    });
  if (input.intra && session.collectivite_id === null)
    return refuse({ intra: 'Une session intra est réservée à une collectivité : l’OPSN n’en a pas.' });
  if (input.intra && !session.intra) {
    const outsider = await db
      .selectFrom('formation_inscription')
      .select('id')
      .where('session_id', '=', session.id)
      .where('status', '<>', 'annule')
      .where('collectivite_id', '<>', session.collectivite_id as number)
      .limit(1)
      .executeTakeFirst();
    if (outsider)
      return refuse({
        intra:
          'Des personnes d’autres collectivités sont inscrites : annulez d’abord leurs inscriptions pour réserver la session.',
      });
  }
  if (!input.lieu_id && !input.lieu_libelle && !input.lien_distance)
    return refuse({ lieu_id: 'Choisissez un lieu, décrivez-le ou donnez le lien de la visio.' });
  const trainers = await trainerChoices(db);
  if (input.formateurs.some((f) => !trainers.some((t) => t.id === f)))
    return refuse({ formateurs: 'Choisissez les formateurs dans la liste.' });
  const placeChanges =
    (input.lieu_id ?? null) !== session.lieu_id ||
    (input.lieu_libelle ?? null) !== session.lieu_libelle ||
    (input.lien_distance ?? null) !== session.lien_distance;
  const trainersChange =
    [...input.formateurs].sort().join() !==
    session.trainers
      .map((t) => t.id)
      .sort()
      .join();
  const changed = [
    ...(datesChange ? ['demi_journees'] : []),
    ...(placeChanges ? ['lieu'] : []),
    ...(trainersChange ? ['formateurs'] : []),
    ...(input.intra !== session.intra ? ['intra'] : []),
    ...(closes.getTime() !== session.closes_at.getTime() ? ['fin_inscriptions'] : []),
  ];
  if (changed.length === 0) return { ok: true };
  const people = await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('formation_session')
      .set({
        lieu_id: input.lieu_id ?? null,
        lieu_libelle: input.lieu_libelle ?? null,
        lien_distance: input.lien_distance ?? null,
        intra: input.intra,
        closes_at: closes,
      })
      .where('id', '=', session.id)
      .execute();
    if (datesChange) {
      for (const [i, h] of halfDays.entries()) {
        const existing = session.halfDays[i];
        if (existing)
          await trx
            .updateTable('formation_demi_journee')
            .set({ starts_at: h.starts_at, ends_at: h.ends_at, code_emargement: null, code_expires_at: null })
            .where('id', '=', existing.id)
            .execute();
        else
          await trx
            .insertInto('formation_demi_journee')
            .values({
              session_id: session.id,
              starts_at: h.starts_at,
              ends_at: h.ends_at,
              code_emargement: null,
              code_expires_at: null,
            })
            .execute();
      }
      const surplus = session.halfDays.slice(halfDays.length).map((h) => h.id);
      if (surplus.length) await trx.deleteFrom('formation_demi_journee').where('id', 'in', surplus).execute();
      // Reminders follow the new dates.
      await trx
        .updateTable('formation_inscription')
        .set({ reminded_7_at: null, reminded_1_at: null })
        .where('session_id', '=', session.id)
        .execute();
    }
    if (trainersChange) {
      await trx.deleteFrom('formation_formateur').where('session_id', '=', session.id).execute();
      if (input.formateurs.length)
        await trx
          .insertInto('formation_formateur')
          .values(input.formateurs.map((user_id) => ({ session_id: session.id, user_id })))
          .execute();
    }
    await audit(trx, {
      actor,
      action: 'training_session.update',
      collectiviteId: session.collectivite_id,
      subject: { type: 'formation_session', id: session.id },
      details: { champs: changed },
    });
    if (!datesChange && !placeChanges) return [];
    const rows = await trx
      .selectFrom('formation_inscription')
      .select('user_id')
      .where('session_id', '=', session.id)
      .where('status', '<>', 'annule')
      .execute();
    return rows.map((r) => r.user_id);
  });
  const where = [
    input.lieu_libelle ? `Lieu : ${input.lieu_libelle}` : '',
    input.lien_distance ? `À distance : ${input.lien_distance}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  for (const userId of people)
    await tell(db, config, userId, {
      subject: `Session modifiée : ${session.titre}`,
      text: `La session de la formation « ${session.titre} » a changé.\n\n${halfDayLines({ halfDays })}\n${where}\n\nLe fichier d’agenda à jour : ${config.publicUrl}/formations/sessions/${session.id}/agenda.ics\n\nSi vous ne pouvez plus venir, annulez pour libérer votre place : ${config.publicUrl}/formations/mes-inscriptions`,
    });
  return { ok: true };
}
