import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTable } from '../module.ts';

/** Content-addressed responses (hashed assets, stored files) stay cacheable for everybody. */
const isImmutable = (reply: FastifyReply) =>
  String(reply.getHeader('cache-control') ?? '').includes('immutable');

/**
 * `Cache-Control: no-store` on every response to a signed-in person (their name and their data
 * are on every page) and on every route that is not public, whoever asks: no browser history,
 * shared computer or proxy keeps a copy of personal or restricted data.
 */
export function registerNoStore(app: FastifyInstance, access: AccessTable): void {
  const isPublicRoute = (request: FastifyRequest) => {
    const url = request.routeOptions.url;
    if (url === undefined) return true; // no route: the page says "not found", nothing else
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    return access[`${method} ${url}`] === 'public';
  };
  app.addHook('onSend', async (request, reply) => {
    const signedIn = request.actor != null && request.actor.kind !== 'anonymous';
    if ((!signedIn && isPublicRoute(request)) || isImmutable(reply)) return;
    reply.header('cache-control', 'no-store');
  });
}
