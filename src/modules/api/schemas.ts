import type { FastifySchema } from 'fastify';
import { ROLES } from '../../platform/auth/policy.ts';
import { errorBody } from '../../platform/http/api-docs.ts';

/**
 * JSON Schemas of the `/api/v1` answers: Fastify serialises with them (fields not listed
 * never leave the server) and `@fastify/swagger` turns them into the OpenAPI document.
 */

const me = {
  type: 'object',
  description: 'Le titulaire du jeton',
  required: ['id', 'name', 'email', 'roles'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    email: { type: 'string', format: 'email' },
    roles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role', 'collectivite'],
        properties: {
          role: { type: 'string', enum: Object.keys(ROLES) },
          collectivite: {
            type: ['string', 'null'],
            description: 'code INSEE ou SIREN de la collectivité ; null pour le rôle admin (tout l’OPSN)',
          },
        },
      },
    },
  },
};

const collectivite = {
  type: 'object',
  required: ['code', 'kind', 'name', 'slug', 'departement', 'population'],
  properties: {
    code: { type: 'string', description: 'code INSEE d’une commune, SIREN d’un EPCI' },
    kind: { type: 'string', enum: ['commune', 'epci'] },
    name: { type: 'string', description: 'nom officiel' },
    slug: { type: 'string', description: 'adresse de sa page : /collectivites/{slug}' },
    departement: {
      type: ['object', 'null'],
      required: ['code', 'name'],
      properties: { code: { type: 'string' }, name: { type: 'string' } },
    },
    population: { type: ['integer', 'null'] },
  },
};

/** The empty requirement makes the token optional (OpenAPI's way of saying "public"). */
const optionalBearer: Record<string, string[]>[] = [{}, { bearer: [] }];

export const meSchema = {
  summary: 'Le titulaire du jeton',
  description:
    'La personne à qui appartient le jeton : identité et rôles, avec le code de leur collectivité.',
  tags: ['compte'],
  security: [{ bearer: [] }],
  response: { 200: me, 401: errorBody('Jeton absent, invalide ou révoqué, ou compte désactivé') },
} satisfies FastifySchema;

export const collectivitesSchema = {
  summary: 'Les collectivités membres',
  description: 'Les collectivités membres de l’OPSN, par ordre alphabétique. Accessible sans jeton.',
  tags: ['territoires'],
  security: optionalBearer,
  response: {
    200: { type: 'array', description: 'Les collectivités membres', items: collectivite },
    401: errorBody('Jeton invalide ou révoqué (sans jeton, la liste est accessible)'),
  },
} satisfies FastifySchema;
