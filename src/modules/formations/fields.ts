import { z } from 'zod';
import {
  allValues,
  lastValue,
  optionalText,
  optionalUrl,
  requiredText,
  typedNumber,
} from '../../platform/forms.ts';
import { isCalendarDay, parisInstant } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import type { FeedbackInput, HalfDayInput, TypeInput } from './service.ts';
import { HALF_DAY_ROWS } from './views.tsx';
import { AUDIENCES, FEEDBACK_QUESTIONS, MODALITIES } from './vocabulary.ts';

/** The forms of trainings: their French messages, and what they become for the service. */

const TIME = /^([01]?\d|2[0-3])[:hH]([0-5]\d)$/;

const instant = (day: string, time: string) => {
  const t = TIME.exec(time.trim()) as RegExpExecArray;
  return parisInstant(day, Number(t[1]) * 60 + Number(t[2]));
};

/** The half-days typed on the session form (rows left blank are skipped). */
export function halfDaysOf(
  body: Record<string, unknown>,
): { ok: true; value: HalfDayInput[] } | { ok: false; errors: FieldErrors } {
  const out: HalfDayInput[] = [];
  for (let n = 1; n <= HALF_DAY_ROWS; n++) {
    const day = (lastValue(body[`date_${n}`]) ?? '').trim();
    const start = (lastValue(body[`debut_${n}`]) ?? '').trim();
    const end = (lastValue(body[`fin_${n}`]) ?? '').trim();
    if (!day && !start && !end) continue;
    if (!isCalendarDay(day))
      return {
        ok: false,
        errors: { [`date_${n}`]: `Saisissez la date de la demi-journée ${n}, par exemple 2027-01-12.` },
      };
    if (!TIME.test(start))
      return {
        ok: false,
        errors: { [`debut_${n}`]: `Saisissez l’heure de début de la demi-journée ${n}, par exemple 09:00.` },
      };
    if (!TIME.test(end))
      return {
        ok: false,
        errors: { [`fin_${n}`]: `Saisissez l’heure de fin de la demi-journée ${n}, par exemple 12:30.` },
      };
    out.push({ starts_at: instant(day, start), ends_at: instant(day, end) });
  }
  return { ok: true, value: out };
}

export const capacityField = z.preprocess(
  typedNumber,
  z
    .number({ error: 'Saisissez le nombre de places, un nombre entier.' })
    .int('Saisissez le nombre de places, un nombre entier.')
    .min(1, 'Il faut au moins une place.')
    .max(500, 'Une session compte au plus 500 places.'),
);

export const sessionFields = z.object({
  type_id: z
    .string({ error: 'Choisissez une formation du catalogue.' })
    .min(1, 'Choisissez une formation du catalogue.'),
  capacite: capacityField,
  lieu_id: optionalText('le lieu', 40),
  lieu_libelle: optionalText('la description du lieu', 300),
  lien_distance: optionalUrl('Le lien de la visioconférence doit commencer par https:// (ou http://).'),
  closes_at: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .refine(isCalendarDay, 'Saisissez la date de fin des inscriptions, par exemple 2027-01-10.')
      .optional(),
  ),
});

/** The session form when changing a session: its training and capacity stay. */
export const sessionChangeFields = sessionFields.omit({ type_id: true, capacite: true });

export const motifField = z.object({
  motif: requiredText('le motif', 500),
});

export const typeFields = z.object({
  titre: requiredText('le titre', 200),
  objectifs: requiredText('les objectifs', 4000),
  programme: requiredText('le programme', 8000),
  duree_heures: z.preprocess(
    typedNumber,
    z
      .number({ error: 'Saisissez la durée en heures, par exemple 7 ou 3,5.' })
      .min(0.5, 'La durée est d’au moins une demi-heure.')
      .max(200, 'La durée est d’au plus 200 heures.'),
  ),
  modalite: z.enum(Object.keys(MODALITIES) as [keyof typeof MODALITIES], {
    error: 'Choisissez la modalité.',
  }),
  prerequis: optionalText('les prérequis', 2000),
  prestataire: optionalText('l’organisme de formation', 200),
});

export function typeInputOf(
  body: Record<string, unknown>,
): { ok: true; value: TypeInput } | { ok: false; errors: FieldErrors } {
  const parsed = typeFields.safeParse(body);
  const publics = allValues(body.publics);
  const errors: FieldErrors = {};
  if (!parsed.success)
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
  if (publics.length === 0) errors.publics = 'Cochez au moins un public.';
  else if (publics.some((p) => !(p in AUDIENCES))) errors.publics = 'Cochez des publics de la liste.';
  if (!parsed.success || Object.keys(errors).length) return { ok: false, errors };
  const options = allValues(body.options);
  return {
    ok: true,
    value: {
      ...parsed.data,
      publics,
      certifiante: options.includes('certifiante'),
      habilitante: options.includes('habilitante'),
    },
  };
}

const note = (label: string) =>
  z.preprocess(
    typedNumber,
    z
      .number({ error: `Choisissez une note de 1 à 5 pour « ${label} ».` })
      .int()
      .min(1, `Choisissez une note de 1 à 5 pour « ${label} ».`)
      .max(5, `Choisissez une note de 1 à 5 pour « ${label} ».`),
  );

export const feedbackFields: z.ZodType<FeedbackInput> = z.object({
  note_contenu: note(FEEDBACK_QUESTIONS.note_contenu),
  note_animation: note(FEEDBACK_QUESTIONS.note_animation),
  note_utilite: note(FEEDBACK_QUESTIONS.note_utilite),
  commentaire: optionalText('le commentaire', 1000),
});
