import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Membership } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isSignedIn, signedInActor } from '../../platform/http/access.ts';
import type { RouteContext } from '../../platform/module.ts';
import { type Collectivite, findCollectiviteById, listCollectivites } from '../territoires/index.ts';
import { ApiDocsPage, type OpenApiDocument } from './docs-view.tsx';
import { collectivitesSchema, meSchema } from './schemas.ts';

export const API_PREFIX = '/api/v1';

/** A 401 as RFC 6750 asks: the `WWW-Authenticate` challenge tells clients to send a bearer token. */
function unauthorized(reply: FastifyReply, message: string, invalidToken = false) {
  const challenge = `Bearer realm="relais"${invalidToken ? ', error="invalid_token"' : ''}`;
  return reply.status(401).header('www-authenticate', challenge).send({ error: 'unauthorized', message });
}

/**
 * A token that leads nowhere is refused even on public routes: an integration whose
 * token was revoked learns it at once rather than silently getting anonymous answers.
 */
async function refuseUnusableToken(request: FastifyRequest, reply: FastifyReply) {
  if (request.headers.authorization && !isSignedIn(request.actor)) {
    return unauthorized(reply, 'Jeton invalide ou révoqué, ou compte désactivé.', true);
  }
}

/** Each role with the code of its collectivité (null for the OPSN-wide admin). */
async function rolesOf(db: Db, memberships: Membership[]) {
  return Promise.all(
    memberships.map(async (m) => ({
      role: m.role,
      collectivite:
        m.collectiviteId === null ? null : ((await findCollectiviteById(db, m.collectiviteId))?.code ?? null),
    })),
  );
}

function collectiviteJson(c: Collectivite) {
  return {
    code: c.code,
    kind: c.kind,
    name: c.name,
    slug: c.slug,
    departement:
      c.departement_code && c.departement_name
        ? { code: c.departement_code, name: c.departement_name }
        : null,
    population: c.population,
  };
}

/** The JSON API, version 1, and its OpenAPI document. */
export async function apiRoutes(
  app: FastifyInstance,
  { db, config, apiRoutes: moduleRoutes }: RouteContext,
): Promise<void> {
  let openApi: () => OpenApiDocument = () => ({ info: { title: '', version: '' }, paths: {} });
  await app.register(
    async (api) => {
      // Registered in this scope, swagger only sees the API's routes.
      await api.register(swagger, {
        openapi: {
          openapi: '3.1.0',
          info: {
            title: 'API Relais',
            version: '1',
            description:
              'Authentification par jeton personnel (en-tête Authorization: Bearer), délivré par l’administrateur de l’instance.',
          },
          servers: [{ url: config.publicUrl }],
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        },
      });
      api.addHook('onRequest', refuseUnusableToken);

      api.get('/moi', { schema: meSchema, config: { access: 'signed-in' } }, async (request) => {
        const actor = signedInActor(request);
        return {
          id: actor.userId,
          name: actor.name,
          email: actor.email,
          roles: await rolesOf(db, actor.memberships),
        };
      });

      api.get('/collectivites', { schema: collectivitesSchema, config: { access: 'public' } }, async () =>
        (await listCollectivites(db)).map(collectiviteJson),
      );

      for (const routes of moduleRoutes) await routes(api, { db, config });

      api.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () =>
        api.swagger(),
      );
      openApi = () => api.swagger() as unknown as OpenApiDocument;
    },
    { prefix: API_PREFIX },
  );

  app.get('/api/docs', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page(
      { title: 'API', breadcrumbs: [{ href: '/', label: 'Accueil' }] },
      ApiDocsPage({ doc: openApi() }),
    ),
  );
}
