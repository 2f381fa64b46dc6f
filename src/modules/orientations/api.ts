import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { codes, parseForm } from '../../platform/forms.ts';
import { errorBody, helperTokenErrors, pageBody } from '../../platform/http/api-docs.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { requireHelper } from '../mediateurs/index.ts';
import { type OutsideInput, outsideFields } from './destination.ts';
import { referralFields } from './fields.ts';
import { PAGE_SIZE, receivedReferrals, sentReferrals } from './lists.ts';
import { fullNameOf, type Referral, shortNameOf } from './referral.ts';
import { sendReferral } from './sending/service.ts';
import {
  CONSENT_MODES,
  CONTACT_PREFERENCES,
  NEW_PERSON,
  REASON_MAX,
  REFUSAL_REASONS,
  STATUSES,
} from './vocabulary.ts';

const referralJson = {
  type: 'object',
  required: ['id', 'statut', 'cree_le', 'lieu_id', 'service', 'personne'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    statut: { type: 'string', enum: Object.keys(STATUSES) },
    cree_le: { type: 'string', format: 'date-time' },
    lieu_id: { type: ['string', 'null'], format: 'uuid', description: 'null hors du territoire' },
    data_inclusion_id: {
      type: ['string', 'null'],
      description: 'le service hors du territoire, par son identifiant data·inclusion',
    },
    lieu: { type: 'string', description: 'le lieu, ou la structure hors du territoire' },
    service: { type: 'string' },
    emetteur: { type: 'string', description: 'nom de la personne qui a orienté' },
    personne: {
      type: 'string',
      description:
        'prénom et nom ; pour une orientation reçue, prénom et initiale tant qu’elle n’est pas acceptée',
    },
    beneficiaire_id: {
      type: ['string', 'null'],
      format: 'uuid',
      description: 'orientations envoyées seulement',
    },
    motif: { type: 'string' },
    disponibilite: { type: ['string', 'null'], format: 'date' },
    repondu_le: { type: ['string', 'null'], format: 'date-time' },
    motifs_refus: { type: 'array', items: { type: 'string', enum: Object.keys(REFUSAL_REASONS) } },
    doublon: { type: 'boolean' },
    propre_structure: { type: 'boolean' },
  },
};

const postSchema = {
  tags: ['orientations'],
  summary: 'Orienter une personne vers un service d’un lieu',
  description:
    'Réservé aux médiateurs numériques, pour une personne qu’ils accompagnent (ou une nouvelle fiche minimale : `beneficiaire: "nouvelle"`, son prénom, son nom et un téléphone ou un courriel) et avec son accord (`consentement: true`). La destination est un lieu de l’annuaire (`lieu`, `service`) ou, hors du territoire, un service data·inclusion (`di_service` et son instantané : `di_nom`, `di_service_nom`, `di_adresse`, `di_courriel`). Le lieu reçoit un courriel avec un lien pour répondre. Mêmes règles que le formulaire : en cas d’erreur, rien n’est envoyé ni créé.',
  security: [{ bearer: [] }],
  body: {
    type: 'object',
    required: ['beneficiaire', 'contact_preference', 'motif', 'consentement', 'consent_mode'],
    properties: {
      beneficiaire: {
        type: 'string',
        description: `l’identifiant d’une personne que vous accompagnez, ou \`${NEW_PERSON}\` pour une nouvelle fiche minimale`,
      },
      nouveau_prenom: { type: 'string', maxLength: 100, description: 'avec `beneficiaire: "nouvelle"`' },
      nouveau_nom: { type: 'string', maxLength: 100, description: 'avec `beneficiaire: "nouvelle"`' },
      lieu: {
        type: 'string',
        format: 'uuid',
        description: 'un lieu publié de l’annuaire, avec une adresse de contact (sinon `di_service`)',
      },
      service: {
        type: 'string',
        description: 'un des services du lieu (hors du territoire : `di_service_nom`)',
      },
      di_service: {
        type: 'string',
        description: 'hors du territoire : l’identifiant data·inclusion du service (`source--identifiant`)',
      },
      di_nom: { type: 'string', description: 'hors du territoire : le nom de la structure' },
      di_service_nom: { type: 'string', description: 'hors du territoire : le nom du service' },
      di_adresse: { type: 'string', description: 'hors du territoire : l’adresse de la structure' },
      di_courriel: {
        type: 'string',
        format: 'email',
        description: 'hors du territoire : le courriel de contact (obligatoire pour recevoir l’orientation)',
      },
      di_telephone: { type: 'string', description: 'hors du territoire : le téléphone de contact' },
      destination_referent: {
        type: 'string',
        description: 'la personne qui l’attend, si vous la connaissez',
      },
      contact_preference: { type: 'string', enum: Object.keys(CONTACT_PREFERENCES) },
      telephone: { type: 'string' },
      email: { type: 'string', format: 'email' },
      contact_autre: { type: 'string' },
      disponibilite: { type: 'string', format: 'date' },
      motif: { type: 'string', maxLength: REASON_MAX },
      consentement: { type: 'boolean', description: 'la personne a donné son accord' },
      consent_mode: { type: 'string', enum: Object.keys(CONSENT_MODES) },
      confirmer: {
        type: 'boolean',
        description: 'après un 409 : envoyer malgré l’avertissement (propre structure, doublon)',
      },
    },
  },
  response: {
    201: referralJson,
    400: {
      type: 'object',
      required: ['error', 'message'],
      properties: {
        error: { type: 'string' },
        message: { type: 'string' },
        erreurs: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    ...helperTokenErrors,
    409: {
      type: 'object',
      description:
        'Orientation vers sa propre structure, ou doublon de moins de 30 jours : renvoyez avec `confirmer`',
      required: ['error', 'message'],
      properties: {
        error: { type: 'string', enum: ['avertissement'] },
        message: { type: 'string' },
        propre_structure: { type: 'boolean' },
        doublon_de: { type: ['string', 'null'], format: 'uuid' },
      },
    },
  },
} satisfies FastifySchema;

const listSchema = {
  tags: ['orientations'],
  summary: 'Mes orientations, envoyées ou reçues',
  description:
    'Les orientations envoyées par le titulaire du jeton, ou reçues par ses lieux d’activité (`sens=recues`), les plus récentes d’abord. Les coordonnées de la personne ne sont jamais données ici.',
  security: [{ bearer: [] }],
  querystring: {
    type: 'object',
    properties: {
      sens: { type: 'string', description: '`envoyees` (par défaut) ou `recues`' },
      statut: { type: 'string', description: Object.keys(STATUSES).join(', ') },
      page: { type: 'string', description: `page, à partir de 1 (${PAGE_SIZE} par page)` },
    },
  },
  response: {
    200: pageBody(referralJson),
    400: errorBody('Paramètre invalide'),
    ...helperTokenErrors,
  },
} satisfies FastifySchema;

const listQuery = z.object({
  sens: z.enum(['envoyees', 'recues'], { error: 'sens : « envoyees » ou « recues »' }).default('envoyees'),
  statut: z.enum(codes(STATUSES), { error: `statut : ${Object.keys(STATUSES).join(', ')}` }).optional(),
  page: z.coerce
    .number({ error: 'page : un nombre entier à partir de 1' })
    .int('page : un nombre entier à partir de 1')
    .min(1, 'page : un nombre entier à partir de 1')
    .max(100_000, 'page : 100 000 au plus')
    .default(1),
});

const ACCEPTED = new Set(['acceptee', 'honoree', 'non_honoree']);

function json(r: Referral, side: 'envoyees' | 'recues') {
  return {
    id: r.id,
    statut: r.status,
    cree_le: r.created_at.toISOString(),
    lieu_id: r.lieu_id,
    data_inclusion_id: r.di_service_id,
    lieu: r.destination_name,
    service: r.service,
    emetteur: r.sender_name,
    personne: side === 'envoyees' || ACCEPTED.has(r.status) ? fullNameOf(r) : shortNameOf(r),
    beneficiaire_id: side === 'envoyees' ? r.beneficiaire_id : null,
    motif: r.motif,
    disponibilite: r.disponibilite ? String(r.disponibilite).slice(0, 10) : null,
    repondu_le: r.answered_at?.toISOString() ?? null,
    motifs_refus: r.refusal_reasons,
    doublon: r.duplicate_of !== null,
    propre_structure: r.own_structure,
  };
}

/** `/api/v1/orientations`: send a referral, list one's sent or received referrals. */
export function orientationApi(api: FastifyInstance, { db, config }: ModuleContext): void {
  api.post(
    '/orientations',
    {
      schema: postSchema,
      attachValidation: true,
      config: { access: 'helper', rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const refuse = (errors: Record<string, string>) =>
        reply
          .status(400)
          .send({ error: 'validation', message: Object.values(errors).join(' ; '), erreurs: errors });
      // Outside the territory: the snapshot first, then the rest with its service's name.
      let outside: OutsideInput | undefined;
      if (body.di_service !== undefined && (body.lieu === undefined || body.lieu === '')) {
        const snapshot = parseForm(outsideFields, body);
        const rest = parseForm(referralFields, { ...body, service: String(body.di_service_nom ?? '') });
        if (!snapshot.ok || !rest.ok)
          return refuse({ ...(snapshot.ok ? {} : snapshot.errors), ...(rest.ok ? {} : rest.errors) });
        outside = snapshot.data;
      }
      const form = parseForm(referralFields, outside ? { ...body, service: outside.di_service_nom } : body);
      if (!form.ok) return refuse(form.errors);
      const sent = await sendReferral(db, config, helper, { ...form.data, origine: 'api' }, outside);
      if (sent.ok) {
        const row = await db
          .selectFrom('orientation')
          .selectAll()
          .where('id', '=', sent.id)
          .executeTakeFirstOrThrow();
        return reply.status(201).send(json(row, 'envoyees'));
      }
      if ('errors' in sent) return refuse(sent.errors);
      return reply.status(409).send({
        error: 'avertissement',
        message: [
          sent.warnings.ownStructure
            ? 'Vous travaillez dans ce lieu : l’orientation va vers votre propre structure.'
            : '',
          sent.warnings.duplicate
            ? 'Cette personne a déjà été orientée vers ce service il y a moins de 30 jours.'
            : '',
        ]
          .filter(Boolean)
          .join(' ')
          .concat(' Renvoyez avec "confirmer": true pour l’envoyer quand même.'),
        propre_structure: sent.warnings.ownStructure,
        doublon_de: sent.warnings.duplicate?.id ?? null,
      });
    },
  );

  api.get('/orientations', { schema: listSchema, config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const parsed = listQuery.safeParse(request.query ?? {});
    if (!parsed.success)
      return reply
        .status(400)
        .send({ error: 'bad_request', message: parsed.error.issues.map((i) => i.message).join(' ; ') });
    const { sens, statut, page } = parsed.data;
    const list = await (sens === 'recues' ? receivedReferrals : sentReferrals)(db, helper, {
      status: statut,
      page,
    });
    return { total: list.count, page, limit: PAGE_SIZE, items: list.rows.map((r) => json(r, sens)) };
  });
}
