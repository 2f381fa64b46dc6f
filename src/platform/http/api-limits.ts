import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError } from './input.ts';

const bearerKey = (request: FastifyRequest) => {
  const header = request.headers.authorization;
  return header ? createHash('sha256').update(header).digest('base64url') : undefined;
};

/**
 * `/api/` answers at most `perMinute` requests a minute per address, and as many per bearer
 * token (whatever the address), before any token is looked up or journaled. In memory: with
 * several app processes, each counts its own requests.
 */
export function registerApiLimits(app: FastifyInstance, perMinute: number): void {
  const common = { max: perMinute, timeWindow: 60_000 };
  const perAddress = app.createRateLimit({ ...common, keyGenerator: (r) => `api-ip:${r.ip}` });
  const perToken = app.createRateLimit({ ...common, keyGenerator: (r) => `api-token:${bearerKey(r)}` });

  const refuse = (reply: FastifyReply, ttlInSeconds: number) => {
    reply.header('retry-after', String(ttlInSeconds));
    return new BadRequestError(
      'trop_de_requetes',
      `Trop de requêtes : pas plus de ${perMinute} par minute. Réessayez dans ${ttlInSeconds} s.`,
      429,
    );
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    for (const limit of bearerKey(request) ? [perAddress, perToken] : [perAddress]) {
      const result = await limit(request);
      if (!result.isAllowed && result.isExceeded) throw refuse(reply, result.ttlInSeconds);
    }
  });
}
