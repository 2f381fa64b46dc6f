import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { errorBody, helperTokenErrors } from '../../platform/http/api-docs.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { requireHelper } from '../mediateurs/index.ts';
import { catalogue, myRegistrations, register } from './service.ts';
import { MODALITIES, REGISTRATION_STATUSES } from './vocabulary.ts';

/**
 * `/api/v1/formations`: the public catalogue and the sessions to come (no one's name), and for
 * a helper's token their registrations and registering themselves, under the same rules as the
 * pages (window, intra, audience, capacity held by the database).
 */

const typeJson = {
  type: 'object',
  required: ['slug', 'titre', 'duree_heures', 'modalite', 'publics', 'sessions_ouvertes'],
  properties: {
    slug: { type: 'string' },
    titre: { type: 'string' },
    objectifs: { type: 'string' },
    duree_heures: { type: 'number' },
    modalite: { type: 'string', enum: Object.keys(MODALITIES) },
    prerequis: { type: ['string', 'null'] },
    publics: { type: 'array', items: { type: 'string' } },
    organisme: { type: ['string', 'null'], description: 'null : l’OPSN forme lui-même' },
    attestation: { type: 'boolean' },
    habilitation_mandats: { type: 'boolean' },
    sessions_ouvertes: { type: 'integer', description: 'sessions dont les inscriptions sont ouvertes' },
  },
};

const sessionJson = {
  type: 'object',
  required: ['id', 'formation', 'titre', 'demi_journees', 'places', 'places_restantes', 'intra'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    formation: { type: 'string', description: 'slug de la formation' },
    titre: { type: 'string' },
    demi_journees: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          debut: { type: 'string', format: 'date-time' },
          fin: { type: 'string', format: 'date-time' },
        },
      },
    },
    lieu: { type: ['string', 'null'] },
    a_distance: { type: 'boolean' },
    places: { type: 'integer' },
    places_restantes: { type: 'integer' },
    intra: { type: 'boolean', description: 'réservée aux équipes de la collectivité organisatrice' },
    inscriptions_ouvrent: { type: 'string', format: 'date-time' },
    inscriptions_ferment: { type: 'string', format: 'date-time' },
  },
};

const registrationJson = {
  type: 'object',
  required: ['id', 'session', 'statut'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    session: { type: 'string', format: 'uuid' },
    titre: { type: 'string' },
    statut: { type: 'string', enum: Object.keys(REGISTRATION_STATUSES) },
    debut: { type: ['string', 'null'], format: 'date-time' },
    place_proposee_jusqu_au: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'une place libérée vous est proposée : confirmez-la avant cette date',
    },
    attestation: { type: ['string', 'null'], format: 'uuid' },
  },
};

export function formationsApi(api: FastifyInstance, { db, config }: ModuleContext): void {
  api.get(
    '/formations',
    {
      config: { access: 'public' },
      schema: {
        tags: ['formations'],
        summary: 'Le catalogue des formations',
        response: { 200: { type: 'array', items: typeJson } },
      },
    },
    async () =>
      (await catalogue(db)).map((t) => ({
        slug: t.slug,
        titre: t.titre,
        objectifs: t.objectifs,
        duree_heures: Math.round((t.duree_minutes / 60) * 100) / 100,
        modalite: t.modalite,
        prerequis: t.prerequis,
        publics: t.publics,
        organisme: t.prestataire,
        attestation: t.certifiante,
        habilitation_mandats: t.habilitante,
        sessions_ouvertes: t.sessions_ouvertes ?? 0,
      })),
  );

  api.get<{ Querystring: { formation?: string } }>(
    '/formations/sessions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['formations'],
        summary: 'Les sessions à venir (200 au plus), d’une formation ou de toutes',
        querystring: {
          type: 'object',
          properties: { formation: { type: 'string', description: 'slug d’une formation du catalogue' } },
        },
        response: { 200: { type: 'array', items: sessionJson } },
      },
    },
    async (request) => {
      const now = new Date();
      let q = db
        .selectFrom('formation_session as s')
        .innerJoin('formation_type as t', 't.id', 's.type_id')
        .select([
          's.id',
          't.slug',
          't.titre',
          's.lieu_libelle',
          's.lien_distance',
          's.capacite',
          's.places_prises',
          's.intra',
          's.opens_at',
          's.closes_at',
          sql<
            { debut: string; fin: string }[]
          >`(select json_agg(json_build_object('debut', d.starts_at, 'fin', d.ends_at) order by d.starts_at) from formation_demi_journee d where d.session_id = s.id)`.as(
            'demi_journees',
          ),
          sql<Date>`(select min(d.starts_at) from formation_demi_journee d where d.session_id = s.id)`.as(
            'debut',
          ),
        ])
        .where('s.status', '=', 'active')
        .where(
          sql<boolean>`exists (select 1 from formation_demi_journee d where d.session_id = s.id and d.starts_at > ${now})`,
        )
        .orderBy('debut')
        .limit(200);
      const slug = typeof request.query.formation === 'string' ? request.query.formation : undefined;
      if (slug) q = q.where('t.slug', '=', slug);
      return (await q.execute()).map((s) => ({
        id: s.id,
        formation: s.slug,
        titre: s.titre,
        demi_journees: (s.demi_journees ?? []).map((d) => ({
          debut: new Date(d.debut).toISOString(),
          fin: new Date(d.fin).toISOString(),
        })),
        lieu: s.lieu_libelle,
        a_distance: s.lien_distance !== null,
        places: s.capacite,
        places_restantes: Math.max(0, s.capacite - s.places_prises),
        intra: s.intra,
        inscriptions_ouvrent: s.opens_at.toISOString(),
        inscriptions_ferment: s.closes_at.toISOString(),
      }));
    },
  );

  api.get(
    '/formations/inscriptions',
    {
      config: { access: 'helper' },
      schema: {
        tags: ['formations'],
        summary: 'Mes inscriptions aux formations (200 dernières)',
        security: [{ bearer: [] }],
        response: { 200: { type: 'array', items: registrationJson }, ...helperTokenErrors },
      },
    },
    async (request) => {
      const helper = requireHelper(request.actor);
      return (await myRegistrations(db, helper.userId)).map((r) => ({
        id: r.id,
        session: r.session_id,
        titre: r.titre,
        statut: r.status,
        debut: r.debut ? new Date(r.debut).toISOString() : null,
        place_proposee_jusqu_au: r.offer_expires_at?.toISOString() ?? null,
        attestation: r.attestation_id,
      }));
    },
  );

  api.post<{ Params: { session: string } }>(
    '/formations/sessions/:session/inscription',
    {
      config: { access: 'helper', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['formations'],
        summary: 'M’inscrire à une session (ou sur sa liste d’attente quand elle est complète)',
        description:
          'Mêmes règles que la page de la session : fenêtre d’inscription, session intra, public de la formation, une seule inscription par personne. Sans place libre, l’inscription est en liste d’attente.',
        security: [{ bearer: [] }],
        response: {
          201: registrationJson,
          400: errorBody('Le titulaire du jeton ne peut pas s’inscrire'),
          404: errorBody('Session inconnue'),
          409: errorBody('Inscription impossible (fermée, réservée, déjà inscrit…)'),
          ...helperTokenErrors,
        },
      },
    },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      const done = await register(db, config, helper.actor, request.params.session, helper.userId);
      if (!done.ok)
        return reply.status(done.status).send({
          error: done.status === 404 ? 'not_found' : done.status === 400 ? 'bad_request' : 'conflict',
          message: done.message,
        });
      return reply
        .status(201)
        .send({ id: done.value.id, session: request.params.session, statut: done.value.status });
    },
  );
}
