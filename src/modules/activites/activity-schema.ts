import { AsyncLocalStorage } from 'node:async_hooks';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/db/schema.ts';
import {
  allValues,
  blankToUndefined,
  codes,
  isBlank,
  isUuid,
  lastValue,
  typedNumber,
} from '../../platform/forms.ts';
import { isCalendarDay } from '../../platform/paris-time.ts';
import {
  type BeneficiaryInput,
  beneficiaryFields,
  GENRES,
  STATUTS,
  TRANCHES_AGE,
} from '../beneficiaires/index.ts';
import type { PlaceSummary } from '../lieux/index.ts';
import { resolveTypedCommune } from '../territoires/index.ts';
import {
  AUTONOMIES,
  CANAUX,
  DEMARCHES,
  DUREES_PRESETS,
  MATERIELS,
  NIVEAUX_ATELIER,
  STRUCTURES_REDIRECTION,
  THEMATIQUES,
  THEME_DEMARCHES,
  TYPES_ACTIVITE,
} from './vocabulary.ts';

/**
 * What an activity report must be, for the form and for the API alike: one zod schema, fed
 * with what only the server knows (today, the helper's places, the people they see). Both
 * send the same shape (national codes); the form's fields are converted by `rawFromForm`.
 * Errors are keyed by the field's path (`date`, `anonymes.genres`, `nouveau_beneficiaire.nom`).
 */

/** Reports older than this are refused: the national programme started in 2015. */
export const EARLIEST_DATE = '2015-01-01';
export const MAX_DURATION_MIN = 12 * 60;
/** A workshop's anonymous participants, at most. */
export const MAX_ANONYMOUS = 500;
/** What the schema checks against the database, gathered by the service first. */
export type ValidationContext = {
  today: string;
  /** The helper's places of activity. */
  places: ReadonlyMap<string, PlaceSummary>;
  /** Of these people, the ones the helper sees. */
  visible: (ids: string[]) => Promise<ReadonlySet<string>>;
};

/** Anonymous participants of a workshop: a total and how some of them split. */
export type AnonymousCounts = z.output<typeof anonymousCounts>;

/** What a participation copies of its person. */
export type AnonymousPerson = Pick<
  Selectable<Database['participation']>,
  'genre' | 'tranche_age' | 'statut' | 'commune_insee'
>;

/** The columns of `activite` a report's author sets (a form edits them, a check yields them). */
type ActivityFields = Omit<
  Selectable<Database['activite']>,
  'id' | 'collectivite_id' | 'mediateur_id' | 'created_at' | 'updated_at'
>;

/** A checked report, ready to store: the columns of `activite` it sets, and its people. */
export type ActivityInput = ActivityFields & {
  /** Known people (one for an individual report, when it is someone already followed). */
  beneficiaires: string[];
  /** A person to record with the report: the one accompanied, or one of a workshop's participants. */
  nouveau_beneficiaire: BeneficiaryInput | null;
  /** Set when the helper said this new person is nobody they already follow. */
  nouveau_confirme: boolean;
  /** An individual report's person who gave no identity. */
  anonyme: AnonymousPerson | null;
  /** A workshop's anonymous participants. */
  anonymes: AnonymousCounts | null;
};

// ---------------------------------------------------------------- field schemas

const optionalText = (label: string, max: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string({ error: `${label} : du texte` })
      .trim()
      .max(max, `${label} : ${max} caractères au plus`)
      .optional(),
  );

const optionalCode = <V extends Record<string, string>>(label: string, vocabulary: V) =>
  z.preprocess(
    blankToUndefined,
    z.enum(codes(vocabulary), { error: `${label} : valeur inconnue` }).optional(),
  );

/** A field that may come once or repeated, as a list; blank values left out. */
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]).filter((x) => !isBlank(x));

/** A list of codes of a national vocabulary; one value alone is a list of one. */
const codeList = (label: string, vocabulary: Record<string, string>, noun: string) =>
  z.preprocess(
    asList,
    z
      .array(z.string({ error: `${label} : des codes de la liste nationale` }), {
        error: `${label} : une liste de codes`,
      })
      .superRefine((list, ctx) => {
        const unknown = list.find((c) => !Object.hasOwn(vocabulary, c));
        if (unknown !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `${label} : « ${unknown} » n’est pas ${noun} de la liste`,
          });
      })
      .transform((list) => [...new Set(list)]),
  );

const count = (label: string) =>
  z.preprocess(
    (v) => (v !== undefined && isBlank(v) ? 0 : typedNumber(v)),
    z
      .number({ error: `${label} : un nombre entier` })
      .int(`${label} : un nombre entier`)
      .min(0, `${label} : pas de nombre négatif`)
      .max(MAX_ANONYMOUS, `${label} : ${MAX_ANONYMOUS} au plus`),
  );

/** How some of the anonymous participants split (by gender, age band or status). */
const breakdown = (label: string, vocabulary: Record<string, string>) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? {} : v),
    z
      .record(z.string(), count(label), { error: `${label} : un nombre par valeur` })
      .superRefine((counts, ctx) => {
        const unknown = Object.keys(counts).find((k) => !Object.hasOwn(vocabulary, k));
        if (unknown !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `${label} : « ${unknown} » n’est pas une valeur de la liste`,
          });
      }),
  );

/** A calendar date, as the date field sends it (2026-11-20) or as typed without one (20/11/2026). */
const dateField = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const fr = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(v);
    return fr ? `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}` : v.trim();
  },
  z
    .string({ error: 'Date : saisissez la date de l’accompagnement' })
    .min(1, 'Date : saisissez la date de l’accompagnement')
    .refine(isCalendarDay, 'Date : une date comme 20/11/2026'),
);

const anonymousPerson = z.object({
  genre: optionalCode('Genre', GENRES),
  tranche_age: optionalCode('Tranche d’âge', TRANCHES_AGE),
  statut: optionalCode('Statut', STATUTS),
  commune: optionalText('Commune', 200),
});

/** How a workshop's anonymous participants may split: by each attribute of a participation. */
export const BREAKDOWNS = [
  { key: 'genres', attribute: 'genre', by: 'genre', vocabulary: GENRES },
  { key: 'tranches_age', attribute: 'tranche_age', by: 'âge', vocabulary: TRANCHES_AGE },
  { key: 'statuts', attribute: 'statut', by: 'statut', vocabulary: STATUTS },
] as const;

const anonymousCounts = z.object({
  total: count('Nombre de participants anonymes'),
  genres: breakdown('Répartition par genre', GENRES),
  tranches_age: breakdown('Répartition par âge', TRANCHES_AGE),
  statuts: breakdown('Répartition par statut', STATUTS),
});

const flag = (label: string) =>
  z.preprocess(
    (v) => (v === 'oui' || v === 'true' ? true : v === 'non' || v === 'false' || isBlank(v) ? false : v),
    z.boolean({ error: `${label} : oui ou non` }).default(false),
  );

/** A new person's commune may be typed by name: it is stored by its INSEE code. */
const communeByName = (v: unknown) => {
  if (isBlank(v)) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const commune = (v as { commune_insee?: unknown }).commune_insee;
  if (typeof commune !== 'string' || isBlank(commune) || /^\s*(\d{5}|2[AB]\d{3})\s*$/i.test(commune))
    return v;
  const resolved = resolveTypedCommune(commune);
  return resolved.ok ? { ...v, commune_insee: resolved.commune.code } : v;
};

/** The shape both the form (once converted) and the API send. */
const rawActivity = z.object({
  type: z.enum(codes(TYPES_ACTIVITE), { error: 'Type : « individuel » ou « collectif »' }),
  date: dateField,
  duree_min: z.preprocess(
    typedNumber,
    z
      .number({ error: 'Durée : choisissez une durée ou saisissez-la en minutes' })
      .int('Durée : un nombre entier de minutes')
      .min(1, 'Durée : au moins 1 minute')
      .max(MAX_DURATION_MIN, 'Durée : 12 heures au plus (720 minutes)'),
  ),
  canal: z.enum(codes(CANAUX), { error: 'Lieu : choisissez où l’accompagnement a eu lieu' }),
  lieu_id: z.preprocess(blankToUndefined, z.string({ error: 'Lieu d’activité : un identifiant' }).optional()),
  commune: optionalText('Commune', 200),
  materiels: codeList('Matériel', MATERIELS, 'un matériel'),
  thematiques: codeList('Thématiques', THEMATIQUES, 'une thématique'),
  demarches: codeList('Démarches', DEMARCHES, 'une démarche'),
  autonomie: optionalCode('Autonomie', AUTONOMIES),
  titre: optionalText('Titre de l’atelier', 200),
  niveau: optionalCode('Niveau', NIVEAUX_ATELIER),
  oriente: flag('Orientation'),
  orientation: optionalCode('Structure d’orientation', STRUCTURES_REDIRECTION),
  notes: optionalText('Notes', 4000),
  beneficiaires: z.preprocess(
    asList,
    z
      .array(z.string({ error: 'Personnes : des identifiants' }), {
        error: 'Personnes : une liste d’identifiants',
      })
      .transform((ids) => [...new Set(ids)]),
  ),
  nouveau_beneficiaire: z.preprocess(communeByName, beneficiaryFields.optional()),
  doublon: z.preprocess(
    blankToUndefined,
    z.string({ error: 'Doublon : « nouveau » ou un identifiant' }).optional(),
  ),
  anonyme: z.preprocess(blankToUndefined, anonymousPerson.optional()),
  anonymes: z.preprocess(blankToUndefined, anonymousCounts.optional()),
});

type RawActivity = z.output<typeof rawActivity>;

/** The helper and day of the report being checked (`parseActivity`): the schema is built once. */
const checking = new AsyncLocalStorage<ValidationContext>();

const activitySchema = rawActivity
  .superRefine(async (a, issue) => {
    for (const { path, message } of await contextIssues(a, checking.getStore()!))
      issue.addIssue({ code: 'custom', path, message });
  })
  .transform((a): ActivityInput => normalise(a, checking.getStore()!));

/**
 * Checks a report for this helper today: the report as stored, or the French error of each
 * field (what depends on the helper and the day too, unless a field's type is wrong).
 */
export async function parseActivity(
  raw: unknown,
  ctx: ValidationContext,
): Promise<{ ok: true; input: ActivityInput } | { ok: false; errors: ActivityErrors }> {
  const parsed = await checking.run(ctx, () => activitySchema.safeParseAsync(raw ?? {}));
  return parsed.success
    ? { ok: true, input: parsed.data }
    : { ok: false, errors: errorsOf(parsed.error.issues) };
}

/** What a report must also satisfy for this helper today: its date, place, people and their counts. */
async function contextIssues(a: RawActivity, ctx: ValidationContext): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path: path.split('.'), message });
  if (a.date < EARLIEST_DATE) add('date', 'Date : pas avant le 1er janvier 2015');
  else if (a.date > ctx.today) add('date', 'Date : l’accompagnement ne peut pas être dans le futur');

  if (a.canal === 'lieu_activite') {
    if (a.lieu_id === undefined) add('lieu_id', 'Lieu d’activité : choisissez un de vos lieux d’activité');
    else if (!ctx.places.has(a.lieu_id))
      add('lieu_id', 'Lieu d’activité : ce lieu n’est pas un de vos lieux d’activité');
  }
  if (a.canal === 'autre_lieu') {
    if (a.commune === undefined)
      add('commune', 'Commune : saisissez la commune où l’accompagnement a eu lieu');
    else {
      const resolved = resolveTypedCommune(a.commune);
      if (!resolved.ok) add('commune', `Commune : ${resolved.reason}`);
    }
  }
  if (a.demarches.length > 0 && !a.thematiques.includes(THEME_DEMARCHES))
    add('demarches', 'Démarches : cochez aussi la thématique « Aide aux démarches administratives »');
  if (a.thematiques.length === 0) add('thematiques', 'Thématiques : cochez au moins une thématique');
  if (a.oriente && a.orientation === undefined)
    add('orientation', 'Orientation : choisissez vers quel type de structure la personne a été orientée');

  if (a.type === 'individuel') {
    const people =
      a.beneficiaires.length +
      (a.nouveau_beneficiaire ? 1 : 0) +
      (a.anonyme ? 1 : 0) +
      (a.anonymes ? a.anonymes.total : 0);
    if (people !== 1)
      add(
        'participant',
        people === 0
          ? 'Personne accompagnée : choisissez une personne déjà suivie, créez-en une ou indiquez une personne anonyme'
          : 'Personne accompagnée : un accompagnement individuel concerne exactement une personne',
      );
    if (a.anonyme?.commune !== undefined) {
      const resolved = resolveTypedCommune(a.anonyme.commune);
      if (!resolved.ok) add('anonyme.commune', `Commune de la personne : ${resolved.reason}`);
    }
  } else {
    if (a.titre === undefined) add('titre', 'Titre de l’atelier : saisissez le titre de l’atelier');
    if (a.anonyme)
      add(
        'participant',
        'Participants : un atelier compte des personnes déjà suivies, une nouvelle personne et des participants anonymes (total et répartitions)',
      );
    const total = a.anonymes?.total ?? 0;
    for (const { key, by } of BREAKDOWNS) {
      const assigned = Object.values(a.anonymes?.[key] ?? {}).reduce((x, y) => x + y, 0);
      if (assigned > total)
        add(
          `anonymes.${key}`,
          `Répartition par ${by} : ${assigned} personnes réparties, plus que les ${total} participants anonymes`,
        );
    }
    if (a.beneficiaires.length + (a.nouveau_beneficiaire ? 1 : 0) + total === 0)
      add('participant', 'Participants : ajoutez au moins un participant, connu ou anonyme');
  }
  if (a.doublon !== undefined && a.doublon !== 'nouveau' && !isUuid(a.doublon))
    add('doublon', 'Doublon : « nouveau » ou l’identifiant d’une personne existante');

  const people = [...a.beneficiaires, ...(a.doublon && isUuid(a.doublon) ? [a.doublon] : [])];
  if (people.some((id) => !isUuid(id))) add('beneficiaires', 'Personne accompagnée : identifiant inconnu');
  else if (people.length > 0) {
    const seen = await ctx.visible(people);
    if (people.some((id) => !seen.has(id)))
      add(
        a.beneficiaires.every((id) => seen.has(id)) ? 'doublon' : 'beneficiaires',
        'Personne accompagnée : cette personne n’est pas suivie dans vos lieux d’activité',
      );
  }
  return issues;
}

function normalise(a: RawActivity, ctx: ValidationContext): ActivityInput {
  const individual = a.type === 'individuel';
  const place = a.canal === 'lieu_activite' && a.lieu_id ? ctx.places.get(a.lieu_id) : undefined;
  const otherCommune = a.canal === 'autre_lieu' && a.commune ? resolveTypedCommune(a.commune) : undefined;
  // The new person was someone already followed: the report takes that person instead.
  const existing = a.nouveau_beneficiaire && a.doublon && isUuid(a.doublon) ? a.doublon : undefined;
  const anonymousCommune = a.anonyme?.commune ? resolveTypedCommune(a.anonyme.commune) : undefined;
  return {
    type: a.type,
    date: a.date,
    duree_min: a.duree_min,
    canal: a.canal,
    lieu_id: place?.id ?? null,
    commune_insee: place ? place.code_insee : otherCommune?.ok ? otherCommune.commune.code : null,
    materiels: a.materiels,
    thematiques: a.thematiques,
    demarches: a.demarches,
    autonomie: individual ? (a.autonomie ?? null) : null,
    titre: individual ? null : (a.titre ?? null),
    niveau: individual ? null : (a.niveau ?? null),
    oriente: a.oriente,
    orientation: a.oriente ? (a.orientation ?? null) : null,
    notes: a.notes ?? null,
    beneficiaires: existing ? [...new Set([...a.beneficiaires, existing])] : a.beneficiaires,
    nouveau_beneficiaire: existing ? null : (a.nouveau_beneficiaire ?? null),
    nouveau_confirme: a.doublon === 'nouveau',
    anonyme:
      individual && a.anonyme
        ? {
            genre: a.anonyme.genre ?? 'non_communique',
            tranche_age: a.anonyme.tranche_age ?? 'non_communique',
            statut: a.anonyme.statut ?? 'non_communique',
            commune_insee: anonymousCommune?.ok ? anonymousCommune.commune.code : null,
          }
        : null,
    anonymes: !individual && a.anonymes && a.anonymes.total > 0 ? a.anonymes : null,
  };
}

/** Errors by field path, the first one of each field. */
export type ActivityErrors = Record<string, string>;

/** A refusal of one field (a zod issue, or one of `contextIssues`). */
type FieldIssue = { path: PropertyKey[]; message: string };

export function errorsOf(issues: readonly FieldIssue[]): ActivityErrors {
  const errors: ActivityErrors = {};
  for (const issue of issues) {
    // A bad item of a list or record is the list's error.
    const path = issue.path.filter((p) => typeof p === 'string');
    const key = path.length > 0 ? path.join('.') : 'formulaire';
    errors[key] ??= issue.message;
  }
  return errors;
}

/**
 * One attribute per anonymous participant from the counts: those given first, the rest
 * "non communiqué". Participant i gets the i-th gender, age band and status.
 */
export function expandAnonymous(counts: AnonymousCounts): AnonymousPerson[] {
  const expand = (split: Record<string, number>) => {
    const values = Object.entries(split).flatMap(([code, n]) => Array<string>(n).fill(code));
    while (values.length < counts.total) values.push('non_communique');
    return values;
  };
  const [genres, ages, statuts] = BREAKDOWNS.map((b) => expand(counts[b.key]));
  return Array.from({ length: counts.total }, (_, i) => ({
    genre: genres![i]!,
    tranche_age: ages![i]!,
    statut: statuts![i]!,
    commune_insee: null,
  }));
}

// ---------------------------------------------------------------- the form

/** The form as typed: field name → value(s). */
export type FormValues = Record<string, string | string[] | undefined>;

/** The submitted form's fields, strings only (what the page shows again on an error). */
export function formValuesFrom(body: unknown): FormValues {
  const values: FormValues = {};
  if (!body || typeof body !== 'object') return values;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === '_csrf') continue;
    if (typeof value === 'string') values[key] = value;
    else if (Array.isArray(value)) values[key] = value.filter((v): v is string => typeof v === 'string');
  }
  return values;
}

const prefixed = (values: FormValues, prefix: string) => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values))
    if (key.startsWith(prefix)) {
      const v = lastValue(value);
      if (v !== undefined) out[key.slice(prefix.length)] = v;
    }
  return out;
};

/**
 * The form's fields in the API's shape. Only what the chosen options use is kept: the
 * commune of another place, the place of a place of activity, the chosen kind of person.
 */
export function rawFromForm(values: FormValues): Record<string, unknown> {
  const type = lastValue(values.type);
  const canal = lastValue(values.canal);
  const duree = lastValue(values.duree);
  const oriente = lastValue(values.oriente);
  const raw: Record<string, unknown> = {
    type,
    date: lastValue(values.date),
    duree_min:
      duree === 'autre' || (duree === undefined && lastValue(values.duree_autre))
        ? lastValue(values.duree_autre)
        : duree,
    canal,
    lieu_id: canal === 'lieu_activite' ? lastValue(values.lieu_id) : undefined,
    commune: canal === 'autre_lieu' ? lastValue(values.commune) : undefined,
    materiels: allValues(values.materiels),
    thematiques: allValues(values.thematiques),
    demarches: allValues(values.demarches),
    oriente: oriente === 'oui',
    orientation: oriente === 'oui' ? lastValue(values.orientation) : undefined,
    notes: lastValue(values.notes),
  };
  if (type === 'collectif') {
    raw.titre = lastValue(values.titre);
    raw.niveau = lastValue(values.niveau);
    raw.beneficiaires = allValues(values.beneficiaires);
    raw.anonymes = {
      total: lastValue(values['anonymes.total']),
      ...Object.fromEntries(BREAKDOWNS.map(({ key }) => [key, prefixed(values, `anonymes.${key}.`)])),
    };
    // A new participant, when any of their fields is filled in.
    const person = prefixed(values, 'nouveau_beneficiaire.');
    if (Object.values(person).some((v) => !isBlank(v))) {
      raw.nouveau_beneficiaire = person;
      raw.doublon = lastValue(values.doublon);
    }
  } else {
    raw.autonomie = lastValue(values.autonomie);
    const participant = lastValue(values.participant);
    if (participant === 'existant') raw.beneficiaires = allValues(values.beneficiaires);
    if (participant === 'nouveau') {
      raw.nouveau_beneficiaire = prefixed(values, 'nouveau_beneficiaire.');
      raw.doublon = lastValue(values.doublon);
    }
    if (participant === 'anonyme') raw.anonyme = prefixed(values, 'anonyme.');
  }
  return raw;
}

/** An API or schema error path as the form's field (the duration is typed in two fields). */
export function formErrors(errors: ActivityErrors): ActivityErrors {
  const out: ActivityErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    out[key === 'duree_min' ? 'duree' : key] ??= message;
  }
  return out;
}

/** The form's duration fields for a number of minutes: a preset, or "other" with the minutes. */
export function durationValues(minutes: number): FormValues {
  return (DUREES_PRESETS as readonly number[]).includes(minutes)
    ? { duree: String(minutes) }
    : { duree: 'autre', duree_autre: String(minutes) };
}

type StoredParticipation = AnonymousPerson & { beneficiaire_id: string | null };

/**
 * The form of a stored report, to change it or (`copy`) to start a new one from it. A copy
 * is dated today and keeps what describes the activity (kind, duration, place, equipment,
 * themes, procedures, a workshop's title and level); it leaves out what belonged to that
 * day: the notes, and for an individual report the person, their autonomy and orientation.
 * A workshop keeps its participants, known and anonymous: workshops run as series with the
 * same group, and unticking the absent is quicker than finding everyone again.
 */
export function formValuesOfActivity(
  a: ActivityFields,
  participations: StoredParticipation[],
  copy?: { today: string },
): FormValues {
  const values: FormValues = {
    type: a.type,
    date: copy ? copy.today : a.date,
    ...durationValues(a.duree_min),
    canal: a.canal,
    lieu_id: a.lieu_id ?? undefined,
    commune: a.canal === 'autre_lieu' ? (a.commune_insee ?? undefined) : undefined,
    materiels: a.materiels,
    thematiques: a.thematiques,
    demarches: a.demarches,
  };
  if (a.type === 'collectif') {
    values.titre = a.titre ?? undefined;
    values.niveau = a.niveau ?? undefined;
    values.beneficiaires = participations.flatMap((p) => (p.beneficiaire_id ? [p.beneficiaire_id] : []));
    const anonymous = participations.filter((p) => p.beneficiaire_id === null);
    values['anonymes.total'] = String(anonymous.length);
    for (const { key, attribute } of BREAKDOWNS) {
      const counts = new Map<string, number>();
      for (const p of anonymous)
        if (p[attribute] !== 'non_communique') counts.set(p[attribute], (counts.get(p[attribute]) ?? 0) + 1);
      for (const [code, n] of counts) values[`anonymes.${key}.${code}`] = String(n);
    }
  }
  if (!copy || a.type === 'collectif') {
    values.oriente = a.oriente ? 'oui' : 'non';
    values.orientation = a.orientation ?? undefined;
  }
  if (!copy) {
    values.notes = a.notes ?? undefined;
    if (a.type === 'individuel') {
      values.autonomie = a.autonomie ?? undefined;
      const person = participations[0];
      if (person?.beneficiaire_id) {
        values.participant = 'existant';
        values.beneficiaires = person.beneficiaire_id;
      } else if (person) {
        values.participant = 'anonyme';
        for (const key of ['genre', 'tranche_age', 'statut'] as const)
          values[`anonyme.${key}`] = person[key] === 'non_communique' ? undefined : person[key];
        values['anonyme.commune'] = person.commune_insee ?? undefined;
      }
    }
  }
  return values;
}
