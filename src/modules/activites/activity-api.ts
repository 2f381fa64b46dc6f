import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { codes } from '../../platform/forms.ts';
import { errorBody, helperTokenErrors, pageBody } from '../../platform/http/api-docs.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { isCalendarDay } from '../../platform/paris-time.ts';
import { beneficiaryJson, GENRES, STATUTS, TRANCHES_AGE } from '../beneficiaires/index.ts';
import { requireHelper } from '../mediateurs/index.ts';
import { MAX_ANONYMOUS, MAX_DURATION_MIN } from './activity-schema.ts';
import {
  type ActivityFilters,
  apiActivities,
  recordActivity,
  type StoredActivity,
} from './activity-service.ts';
import {
  AUTONOMIES,
  CANAUX,
  DEMARCHES,
  MATERIELS,
  NIVEAUX_ATELIER,
  STRUCTURES_REDIRECTION,
  THEMATIQUES,
  TYPES_ACTIVITE,
} from './vocabulary.ts';

const API_PAGE_SIZE = 50;

// ---------------------------------------------------------------- OpenAPI schemas

const codeList = (description: string, vocabulary: Record<string, string>) => ({
  type: 'array',
  items: { type: 'string', enum: Object.keys(vocabulary) },
  description,
});
const code = (description: string, vocabulary: Record<string, string>) => ({
  type: ['string', 'null'],
  enum: [...Object.keys(vocabulary), null],
  description,
});
const counts = (description: string, vocabulary: Record<string, string>) => ({
  type: 'object',
  description: `${description} (clés : ${Object.keys(vocabulary).join(', ')})`,
  additionalProperties: { type: 'integer', minimum: 0 },
});

/** A participant's gender, age band and status, as codes. */
const personCodes = {
  genre: { type: 'string', enum: Object.keys(GENRES) },
  tranche_age: { type: 'string', enum: Object.keys(TRANCHES_AGE) },
  statut: { type: 'string', enum: Object.keys(STATUTS) },
};

/** A token that is not a helper's. */
const validationBody = {
  type: 'object',
  description: 'Données refusées : rien n’a été enregistré',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: '`validation` quand un champ est refusé' },
    message: { type: 'string', description: 'toutes les erreurs, en français' },
    erreurs: {
      type: 'object',
      description:
        'avec `validation` : l’erreur de chaque champ refusé, par chemin (ex. `date`, `anonymes.genres`)',
      additionalProperties: { type: 'string' },
    },
  },
};

/**
 * What a client sends. Typed for the documentation only: the body is checked by the same
 * zod schema as the form (`attachValidation`), so that every refusal comes in French.
 */
const activityBody = {
  type: 'object',
  description:
    'Un compte rendu. Accompagnement individuel : exactement une personne parmi `beneficiaires` (une personne que vous suivez), `nouveau_beneficiaire` ou `anonyme`. Atelier : `titre`, des personnes suivies, une `nouveau_beneficiaire` et/ou des `anonymes`.',
  required: ['type', 'date', 'duree_min', 'canal', 'thematiques'],
  properties: {
    type: { type: 'string', enum: Object.keys(TYPES_ACTIVITE) },
    date: {
      type: 'string',
      format: 'date',
      description: 'AAAA-MM-JJ, entre le 1er janvier 2015 et aujourd’hui',
    },
    duree_min: { type: 'integer', minimum: 1, maximum: MAX_DURATION_MIN, description: 'durée en minutes' },
    canal: { type: 'string', enum: Object.keys(CANAUX), description: 'où l’activité a eu lieu' },
    lieu_id: {
      type: 'string',
      format: 'uuid',
      description: 'avec `lieu_activite` : un de vos lieux d’activité (identifiant Relais du lieu)',
    },
    commune: { type: 'string', description: 'avec `autre_lieu` : code INSEE ou nom de la commune' },
    materiels: codeList('matériel utilisé', MATERIELS),
    thematiques: codeList('au moins une thématique', THEMATIQUES),
    demarches: codeList('démarches, avec la thématique `aide_aux_demarches_administratives`', DEMARCHES),
    autonomie: code('accompagnement individuel : autonomie atteinte', AUTONOMIES),
    titre: { type: 'string', maxLength: 200, description: 'atelier : son titre' },
    niveau: code('atelier : niveau', NIVEAUX_ATELIER),
    oriente: { type: 'boolean', description: 'la ou les personnes ont été orientées ailleurs' },
    orientation: code('avec `oriente` : vers quel type de structure', STRUCTURES_REDIRECTION),
    notes: { type: 'string', maxLength: 4000 },
    beneficiaires: {
      type: 'array',
      items: { type: 'string', format: 'uuid' },
      description: 'identifiants de personnes que vous suivez',
    },
    nouveau_beneficiaire: {
      ...beneficiaryJson,
      description:
        'une personne à créer (prénom ou nom au moins) : celle de l’accompagnement individuel, ou un participant de plus à un atelier. Si des doublons possibles existent, la réponse est 409 : renvoyez avec `doublon`.',
    },
    doublon: {
      type: 'string',
      description:
        'après un 409 : `nouveau` pour créer la personne quand même, ou l’identifiant de la personne existante à retenir',
    },
    anonyme: {
      type: 'object',
      description: 'accompagnement individuel : une personne anonyme',
      properties: {
        ...personCodes,
        commune: { type: 'string', description: 'code INSEE ou nom (facultatif)' },
      },
    },
    anonymes: {
      type: 'object',
      description:
        'atelier : les participants anonymes ; chaque répartition compte au plus `total` personnes, les autres sont « non communiqué »',
      properties: {
        total: { type: 'integer', minimum: 0, maximum: MAX_ANONYMOUS },
        genres: counts('par genre', GENRES),
        tranches_age: counts('par tranche d’âge', TRANCHES_AGE),
        statuts: counts('par statut', STATUTS),
      },
    },
  },
};

const participationJson = {
  type: 'object',
  required: ['id', 'beneficiaire_id', 'genre', 'tranche_age', 'statut', 'commune_insee'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    beneficiaire_id: { type: ['string', 'null'], format: 'uuid', description: 'null : participant anonyme' },
    ...personCodes,
    commune_insee: { type: ['string', 'null'] },
  },
};

const activityJson = {
  type: 'object',
  description:
    'Un compte rendu avec ses participations (genre, âge, statut et commune à la date de l’activité)',
  required: ['id', 'type', 'date', 'duree_min', 'canal', 'participations'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string', enum: Object.keys(TYPES_ACTIVITE) },
    date: { type: 'string', format: 'date' },
    duree_min: { type: 'integer' },
    canal: { type: 'string', enum: Object.keys(CANAUX) },
    lieu_id: { type: ['string', 'null'], format: 'uuid' },
    commune_insee: { type: ['string', 'null'] },
    materiels: { type: 'array', items: { type: 'string' } },
    thematiques: { type: 'array', items: { type: 'string' } },
    demarches: { type: 'array', items: { type: 'string' } },
    autonomie: { type: ['string', 'null'] },
    titre: { type: ['string', 'null'] },
    niveau: { type: ['string', 'null'] },
    oriente: { type: 'boolean' },
    orientation: { type: ['string', 'null'] },
    cree_le: { type: 'string', format: 'date-time' },
    modifie_le: { type: 'string', format: 'date-time' },
    participations: { type: 'array', items: participationJson },
  },
};

const postSchema = {
  tags: ['activités'],
  summary: 'Enregistrer un compte rendu d’activité',
  description:
    'Réservé aux médiateurs numériques. Mêmes règles que le formulaire : en cas d’erreur, rien n’est enregistré.',
  security: [{ bearer: [] }],
  body: activityBody,
  response: {
    201: activityJson,
    400: validationBody,
    ...helperTokenErrors,
    409: {
      type: 'object',
      description: 'La nouvelle personne est peut-être déjà suivie : rien n’a été enregistré',
      required: ['error', 'message', 'candidats'],
      properties: {
        error: { type: 'string', enum: ['doublons_possibles'] },
        message: { type: 'string' },
        candidats: { type: 'array', items: { type: 'string', format: 'uuid' } },
      },
    },
  },
} satisfies FastifySchema;

const listSchema = {
  tags: ['activités'],
  summary: 'Mes comptes rendus d’activité',
  description:
    'Les comptes rendus du titulaire du jeton, les plus récents d’abord, avec leurs participations (identifiants des personnes, jamais leur nom).',
  security: [{ bearer: [] }],
  querystring: {
    type: 'object',
    properties: {
      du: { type: 'string', description: 'à partir de cette date (AAAA-MM-JJ)' },
      au: { type: 'string', description: 'jusqu’à cette date incluse (AAAA-MM-JJ)' },
      type: { type: 'string', description: `${Object.keys(TYPES_ACTIVITE).join(' ou ')}` },
      page: { type: 'string', description: `page, à partir de 1 (${API_PAGE_SIZE} comptes rendus par page)` },
    },
  },
  response: {
    200: pageBody(activityJson),
    400: errorBody('Paramètre invalide'),
    ...helperTokenErrors,
  },
} satisfies FastifySchema;

// ---------------------------------------------------------------- handlers

const isoDate = (label: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} : une date AAAA-MM-JJ`)
    .refine((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || isCalendarDay(d), `${label} : une date qui existe`)
    .optional();

const listQuery = z
  .object({
    du: isoDate('du'),
    au: isoDate('au'),
    type: z.enum(codes(TYPES_ACTIVITE), { error: 'type : « individuel » ou « collectif »' }).optional(),
    page: z.coerce
      .number({ error: 'page : un nombre entier à partir de 1' })
      .int('page : un nombre entier à partir de 1')
      .min(1, 'page : un nombre entier à partir de 1')
      .max(100_000, 'page : 100 000 au plus')
      .default(1),
  })
  .refine((q) => !q.du || !q.au || q.du <= q.au, { message: 'du : la date de début précède celle de fin' });

/** A report as the API answers it: only the fields of `activityJson` leave (no notes, no owner). */
function json(a: StoredActivity) {
  return { ...a, cree_le: a.created_at.toISOString(), modifie_le: a.updated_at.toISOString() };
}

/** `/api/v1` routes of activity reports: record one, list one's own. */
export function activityApi(api: FastifyInstance, { db }: ModuleContext): void {
  api.post(
    '/activites',
    { schema: postSchema, attachValidation: true, config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      const saved = await recordActivity(db, helper, request.body);
      if (saved.ok) return reply.status(201).send(json(saved.activity));
      if ('duplicates' in saved) {
        return reply.status(409).send({
          error: 'doublons_possibles',
          message:
            'Cette personne est peut-être déjà suivie (même nom et année de naissance, ou même téléphone). Renvoyez le compte rendu avec "doublon": "nouveau" pour la créer quand même, ou avec l’identifiant de la personne existante.',
          candidats: saved.duplicates.map((d) => d.id),
        });
      }
      return reply.status(400).send({
        error: 'validation',
        message: Object.values(saved.errors).join(' ; '),
        erreurs: saved.errors,
      });
    },
  );

  api.get('/activites', { schema: listSchema, config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success) {
      return reply
        .status(400)
        .send({ error: 'bad_request', message: parsed.error.issues.map((i) => i.message).join(' ; ') });
    }
    const { du, au, type, page } = parsed.data;
    const filters: ActivityFilters = {
      ...(du ? { du } : {}),
      ...(au ? { au } : {}),
      ...(type ? { type } : {}),
    };
    const { total, items } = await apiActivities(db, helper, filters, page, API_PAGE_SIZE);
    return { total, page, limit: API_PAGE_SIZE, items: items.map(json) };
  });
}
