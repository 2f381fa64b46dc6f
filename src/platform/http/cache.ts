import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Content-addressed responses (hashed assets, stored files) stay cacheable for everybody. */
const isImmutable = (reply: FastifyReply) =>
  String(reply.getHeader('cache-control') ?? '').includes('immutable');

/**
 * `Cache-Control: no-store` on every response to a signed-in person (their name and their data
 * are on every page) and on every route that is not public, whoever asks: no browser history,
 * shared computer or proxy keeps a copy of personal or restricted data.
 */
export function registerNoStore(app: FastifyInstance): void {
  const isPublicRoute = (request: FastifyRequest) => {
    if (request.routeOptions.url === undefined) return true; // no route: the page says "not found", nothing else
    return request.routeOptions.config.access === 'public';
  };
  app.addHook('onSend', async (request, reply) => {
    const signedIn = request.actor != null && request.actor.kind !== 'anonymous';
    if ((!signedIn && isPublicRoute(request)) || isImmutable(reply)) return;
    reply.header('cache-control', 'no-store');
  });
}
