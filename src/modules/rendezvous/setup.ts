import { sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import {
  allValues,
  blankToUndefined,
  codes,
  isUuid,
  optionalText,
  requiredText,
} from '../../platform/forms.ts';
import { addDays, isCalendarDay, parisInstant, parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { THEMATIQUES } from '../activites/index.ts';
import { placeNameOf, placeSummaries } from '../lieux/index.ts';
import { type Helper, helperCollectivites, isHelperOfPlace, requireHelper } from '../mediateurs/index.ts';
import { formatRule, formatTime, parseRule, parseTime } from './calendar.ts';
import {
  BOOKERS,
  DEFAULT_MAX_DELAY_DAYS,
  DEFAULT_MIN_DELAY_MIN,
  LOCATION_TYPES,
  MAX_CAPACITY,
  MAX_DURATION_MIN,
  WEEKDAYS,
} from './vocabulary.ts';

/**
 * What a place offers and when: its reasons ("motifs"), its helpers' weekly openings and their
 * absences. A helper sets them for the places of activity they work at.
 */

export type Reason = Awaited<ReturnType<typeof findReason>> & {};

export function findReason(db: Db, id: string) {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('rdv_motif')
    .selectAll()
    .where('id', '=', id)
    .where('actif', '=', true)
    .executeTakeFirst();
}

/** The active reasons of a place; `online`: only those anyone may book on line. */
export function reasonsOfPlace(db: Db, lieuId: string, options: { online?: boolean } = {}) {
  let q = db
    .selectFrom('rdv_motif')
    .selectAll()
    .where('lieu_id', '=', lieuId)
    .where('actif', '=', true)
    .orderBy('nom');
  if (options.online) q = q.where('reservable_par', '=', 'tout_le_monde');
  return q.execute();
}

/** The places with at least one reason anyone may book on line (published places only). */
export function bookablePlaces(db: Db, limit = 200) {
  return db
    .selectFrom('rdv_motif')
    .select(['lieu_id', (eb) => eb.fn.countAll<number>().as('reasons')])
    .where('actif', '=', true)
    .where('reservable_par', '=', 'tout_le_monde')
    .groupBy('lieu_id')
    .limit(limit)
    .execute();
}

const int = (label: string, min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v),
    z
      .number({ error: `${label} : un nombre entier` })
      .int(`${label} : un nombre entier`)
      .min(min, `${label} : au moins ${min}`)
      .max(max, `${label} : au plus ${max}`),
  );
const yes = z.preprocess((v) => v === 'oui', z.boolean());

export const reasonFields = z
  .object({
    nom: requiredText('le nom du motif', 120),
    duree_min: int('Durée en minutes', 5, MAX_DURATION_MIN).refine(
      (n) => n % 5 === 0,
      'Durée en minutes : un multiple de 5',
    ),
    location_type: z.enum(codes(LOCATION_TYPES), { error: 'Choisissez où a lieu le rendez-vous.' }),
    collectif: yes,
    capacite: z.preprocess(blankToUndefined, int('Nombre de places', 2, MAX_CAPACITY).optional()),
    delai_min_minutes: z.preprocess(
      (v) => blankToUndefined(v) ?? String(DEFAULT_MIN_DELAY_MIN),
      int('Délai minimum en minutes', 30, 60 * 24 * 30),
    ),
    delai_max_jours: z.preprocess(
      (v) => blankToUndefined(v) ?? String(DEFAULT_MAX_DELAY_DAYS),
      int('Délai maximum en jours', 1, 365),
    ),
    instructions: optionalText('les informations', 2000),
    reservable_par: z.enum(codes(BOOKERS), { error: 'Choisissez qui peut prendre ce rendez-vous.' }),
    modifiable: yes,
    liste_attente: yes,
    thematiques: z.preprocess(
      allValues,
      z
        .array(z.enum(codes(THEMATIQUES), { error: 'Thématiques : une valeur de la liste' }))
        .min(1, 'Cochez au moins une thématique : elle remplira le compte rendu.'),
    ),
  })
  .superRefine((r, ctx) => {
    if (r.collectif && r.capacite === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['capacite'],
        message: 'Saisissez le nombre de places de l’atelier.',
      });
  });
export type ReasonInput = z.output<typeof reasonFields>;

/** Creates a reason at one of the helper's places, or changes one of its reasons. */
export async function saveReason(
  db: Db,
  helper: Helper,
  lieuId: string,
  input: ReasonInput,
  id?: string,
): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
  const [place] = await placeSummaries(db, [lieuId]);
  if (!place || !(await isHelperOfPlace(db, helper.userId, lieuId)))
    return { ok: false, errors: { formulaire: 'Ce lieu n’est pas un de vos lieux d’activité.' } };
  const values = {
    nom: input.nom,
    duree_min: input.duree_min,
    location_type: input.location_type,
    collectif: input.collectif,
    capacite: input.collectif ? (input.capacite ?? null) : null,
    delai_min_minutes: input.delai_min_minutes,
    delai_max_jours: input.delai_max_jours,
    instructions: input.instructions ?? null,
    reservable_par: input.reservable_par,
    modifiable: input.modifiable,
    liste_attente: input.liste_attente,
    thematiques: input.thematiques,
  };
  let saved: string | undefined;
  if (id) {
    const row = await db
      .updateTable('rdv_motif')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', id)
      .where('lieu_id', '=', lieuId)
      .returning('id')
      .executeTakeFirst();
    saved = row?.id;
  } else {
    const row = await db
      .insertInto('rdv_motif')
      .values({
        ...values,
        lieu_id: lieuId,
        collectivite_id: place.collectivite_id ?? helper.collectiviteId,
        created_by: helper.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    saved = row.id;
  }
  if (!saved) return { ok: false, errors: { formulaire: 'Ce motif n’existe pas à ce lieu.' } };
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.reason_save',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'rdv_motif', id: saved },
  });
  return { ok: true, id: saved };
}

// ------------------------------------------------------------------ openings

const dayField = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ error: `${label} : une date` }).refine(isCalendarDay, `${label} : une date comme 2026-12-07`),
  );
const timeField = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (parseTime(v) ?? v) : v),
    z.number({ error: `${label} : une heure comme 09:30` }),
  );

export const openingFields = z
  .object({
    jours: z.preprocess(
      allValues,
      z
        .array(z.enum(codes(WEEKDAYS), { error: 'Jours : un jour de la semaine' }))
        .min(1, 'Cochez au moins un jour de la semaine.'),
    ),
    intervalle: z.preprocess((v) => blankToUndefined(v) ?? '1', int('Toutes les combien de semaines', 1, 4)),
    debut: timeField('Heure de début'),
    fin: timeField('Heure de fin'),
    premier_jour: dayField('Premier jour'),
    dernier_jour: z.preprocess(blankToUndefined, dayField('Dernier jour').optional()),
    motifs: z.preprocess(allValues, z.array(z.string()).min(1, 'Cochez au moins un motif proposé.')),
  })
  .superRefine((o, ctx) => {
    if (o.fin <= o.debut)
      ctx.addIssue({
        code: 'custom',
        path: ['fin'],
        message: 'L’heure de fin doit suivre l’heure de début.',
      });
    if (o.dernier_jour && o.dernier_jour < o.premier_jour)
      ctx.addIssue({
        code: 'custom',
        path: ['dernier_jour'],
        message: 'Le dernier jour doit suivre le premier jour.',
      });
  });
export type OpeningInput = z.output<typeof openingFields>;

export type Opening = Awaited<ReturnType<typeof openingsOf>>[number];

/** A helper's openings, at every place, with each place's name. */
export function openingsOf(db: Db, userId: string) {
  return db
    .selectFrom('rdv_plage as p')
    .select([
      'p.id',
      'p.lieu_id',
      'p.rrule',
      'p.debut_min',
      'p.fin_min',
      'p.premier_jour',
      'p.dernier_jour',
      'p.motif_ids',
    ])
    .select(placeNameOf(sql.ref('p.lieu_id')).as('lieu_nom'))
    .where('p.mediateur_id', '=', userId)
    .where((eb) => eb.or([eb('p.dernier_jour', 'is', null), eb('p.dernier_jour', '>=', parisToday())]))
    .orderBy('p.premier_jour')
    .execute();
}

/** `Lundi, jeudi de 09:00 à 12:00`. */
export function openingText(o: { rrule: string; debut_min: number; fin_min: number }): string {
  const rule = parseRule(o.rrule);
  if (!rule) return o.rrule;
  const days = rule.weekdays
    .map((d) => WEEKDAYS[String(d) as keyof typeof WEEKDAYS].toLowerCase())
    .join(', ');
  const every = rule.interval === 1 ? 'chaque semaine' : `toutes les ${rule.interval} semaines`;
  return `${days[0]?.toUpperCase()}${days.slice(1)}, ${every}, de ${formatTime(o.debut_min)} à ${formatTime(o.fin_min)}`;
}

/**
 * Adds a weekly opening of the helper at one of their places, or changes one of theirs (booked
 * appointments stay). Refused when it overlaps another
 * of their openings (any place): a common weekday, overlapping hours and dates.
 */
export async function saveOpening(
  db: Db,
  helper: Helper,
  lieuId: string,
  input: OpeningInput,
  id?: string,
): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
  const [place] = await placeSummaries(db, [lieuId]);
  if (!place || !(await isHelperOfPlace(db, helper.userId, lieuId)))
    return { ok: false, errors: { formulaire: 'Ce lieu n’est pas un de vos lieux d’activité.' } };
  const reasons = await reasonsOfPlace(db, lieuId);
  if (input.motifs.some((m) => !reasons.some((r) => r.id === m)))
    return { ok: false, errors: { motifs: 'Un des motifs cochés n’est pas proposé à ce lieu.' } };
  if (!id && input.premier_jour < addDays(parisToday(), -1))
    return { ok: false, errors: { premier_jour: 'Le premier jour ne peut pas être dans le passé.' } };
  const weekdays = input.jours.map(Number);
  const others = await db
    .selectFrom('rdv_plage')
    .select(['id', 'rrule', 'debut_min', 'fin_min', 'premier_jour', 'dernier_jour'])
    .select(placeNameOf(sql.ref('rdv_plage.lieu_id')).as('lieu_nom'))
    .where('mediateur_id', '=', helper.userId)
    .where('debut_min', '<', input.fin)
    .where('fin_min', '>', input.debut)
    .where((eb) => eb.or([eb('dernier_jour', 'is', null), eb('dernier_jour', '>=', input.premier_jour)]))
    .$if(input.dernier_jour !== undefined, (q) => q.where('premier_jour', '<=', input.dernier_jour as string))
    .$if(id !== undefined, (q) => q.where('id', '<>', id as string))
    .execute();
  const clash = others.find((o) => parseRule(o.rrule)?.weekdays.some((d) => weekdays.includes(d)));
  if (clash)
    return {
      ok: false,
      errors: {
        jours: `Cette plage chevauche une de vos plages (${openingText(clash)}, ${clash.lieu_nom}) : changez les jours ou les heures.`,
      },
    };
  const values = {
    motif_ids: input.motifs,
    rrule: formatRule({ weekdays, interval: input.intervalle }),
    debut_min: input.debut,
    fin_min: input.fin,
    premier_jour: input.premier_jour,
    dernier_jour: input.dernier_jour ?? null,
  };
  const row = id
    ? await db
        .updateTable('rdv_plage')
        .set(values)
        .where('id', '=', id)
        .where('mediateur_id', '=', helper.userId)
        .where('lieu_id', '=', lieuId)
        .returning('id')
        .executeTakeFirst()
    : await db
        .insertInto('rdv_plage')
        .values({
          ...values,
          collectivite_id: place.collectivite_id ?? helper.collectiviteId,
          lieu_id: lieuId,
          mediateur_id: helper.userId,
          created_by: helper.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
  if (!row) return { ok: false, errors: { formulaire: 'Cette plage n’existe pas ou n’est pas la vôtre.' } };
  await ensureAgenda(db, helper.userId);
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.opening_save',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'rdv_plage', id: row.id },
  });
  return { ok: true, id: row.id };
}

/**
 * Deletes a row of the helper's own (an opening, an absence) and journals it; false when the id
 * names none of theirs. Booked appointments stay.
 */
async function deleteOwn(
  db: Db,
  helper: Helper,
  table: 'rdv_plage' | 'rdv_absence',
  action: 'appointment.opening_delete' | 'appointment.absence_delete',
  id: string,
): Promise<boolean> {
  if (!isUuid(id)) return false;
  const row = await db
    .deleteFrom(table)
    .where('id', '=', id)
    .where('mediateur_id', '=', helper.userId)
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  await audit(db, {
    actor: helper.actor,
    action,
    collectiviteId: helper.collectiviteId,
    subject: { type: table, id },
  });
  return true;
}

/** Ends one of the helper's openings (booked appointments stay). */
export const deleteOpening = (db: Db, helper: Helper, id: string): Promise<boolean> =>
  deleteOwn(db, helper, 'rdv_plage', 'appointment.opening_delete', id);

/** Withdraws a reason of one of the helper's places: no longer offered; booked appointments stay. */
export async function withdrawReason(db: Db, helper: Helper, lieuId: string, id: string): Promise<boolean> {
  if (!isUuid(id) || !(await isHelperOfPlace(db, helper.userId, lieuId))) return false;
  const row = await db
    .updateTable('rdv_motif')
    .set({ actif: false, updated_at: new Date() })
    .where('id', '=', id)
    .where('lieu_id', '=', lieuId)
    .where('actif', '=', true)
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.reason_withdraw',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'rdv_motif', id },
  });
  return true;
}

export const absenceFields = z
  .object({
    titre: requiredText('la raison de l’absence (congés, formation…)', 120),
    du: dayField('Du'),
    au: dayField('Au'),
  })
  .refine((a) => a.au >= a.du, { path: ['au'], message: 'Le dernier jour doit suivre le premier.' });

/** A helper's absence over whole days: no slot is offered then. */
export async function saveAbsence(
  db: Db,
  helper: Helper,
  input: z.output<typeof absenceFields>,
): Promise<string> {
  const row = await db
    .insertInto('rdv_absence')
    .values({
      collectivite_id: helper.collectiviteId,
      mediateur_id: helper.userId,
      titre: input.titre,
      debut: parisInstant(input.du, 0),
      fin: parisInstant(addDays(input.au, 1), 0),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(db, {
    actor: helper.actor,
    action: 'appointment.absence_save',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'rdv_absence', id: row.id },
  });
  return row.id;
}

/** Removes one of the helper's absences: its slots are offered again. */
export const deleteAbsence = (db: Db, helper: Helper, id: string): Promise<boolean> =>
  deleteOwn(db, helper, 'rdv_absence', 'appointment.absence_delete', id);

export function absencesOf(db: Db, userId: string) {
  return db
    .selectFrom('rdv_absence')
    .select(['id', 'titre', 'debut', 'fin'])
    .where('mediateur_id', '=', userId)
    .where('fin', '>', new Date())
    .orderBy('debut')
    .execute();
}

/** The number of a helper's agenda, created on first use. */
export async function ensureAgenda(db: Db, userId: string): Promise<number> {
  await db
    .insertInto('rdv_agenda')
    .values({ user_id: userId })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await db
    .selectFrom('rdv_agenda')
    .select('numero')
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.numero;
}

/** The helper booking for someone at this place (phone booking), or null for anyone else. */
export async function agentAt(db: Db, actor: Actor, lieuId: string): Promise<Helper | null> {
  if (helperCollectivites(actor).length === 0) return null;
  const helper = requireHelper(actor);
  return (await isHelperOfPlace(db, helper.userId, lieuId)) ? helper : null;
}
