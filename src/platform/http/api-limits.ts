import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError } from './input.ts';
import type { HitCounter } from './rate-limit-store.ts';

const bearerKey = (request: FastifyRequest) => {
  const header = request.headers.authorization;
  return header ? createHash('sha256').update(header).digest('base64url') : undefined;
};

/**
 * `/api/` answers at most `perMinute` requests a minute per address, and as many per bearer
 * token (whatever the address), before any token is looked up or journaled. Both counters are
 * counted in one statement, in the database: every app process counts the same requests.
 */
export function registerApiLimits(app: FastifyInstance, perMinute: number, counter: HitCounter): void {
  const refuse = (reply: FastifyReply, ttlMs: number) => {
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
    reply.header('retry-after', String(seconds));
    return new BadRequestError(
      'trop_de_requetes',
      `Trop de requêtes : pas plus de ${perMinute} par minute. Réessayez dans ${seconds} s.`,
      429,
    );
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const token = bearerKey(request);
    const keys = [`api-ip:${request.ip}`, ...(token ? [`api-token:${token}`] : [])];
    const counts = await counter.count(keys.map((key) => ({ key, windowMs: 60_000 })));
    const exceeded = counts.find((c) => c.hits > perMinute);
    if (exceeded) throw refuse(reply, exceeded.ttlMs);
  });
}
