import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawBuilder } from 'kysely';
import { BadRequestError } from './input.ts';
import type { HitCounter } from './rate-limit-store.ts';

/**
 * What an API request reads with its counters (`readAlong`): the hook that needs it next takes
 * it from here rather than sending a statement of its own.
 */
const readAlongs = new WeakMap<FastifyRequest, { value: unknown }>();

/** The value read with this request's counters, if any was asked for (see `registerApiLimits`). */
export function valueReadAlong(request: FastifyRequest): { value: unknown } | undefined {
  return readAlongs.get(request);
}

const bearerKey = (request: FastifyRequest) => {
  const header = request.headers.authorization;
  return header ? createHash('sha256').update(header).digest('base64url') : undefined;
};

/**
 * `/api/` answers at most `perMinute` requests a minute per address, and as many per bearer
 * token (whatever the address), before any token is used or journaled. Both counters are
 * counted in one statement, in the database: every app process counts the same requests.
 * `readAlong` gives a query that statement also answers (the bearer token's row: one round
 * trip for both), kept for the request (`valueReadAlong`).
 */
export function registerApiLimits(
  app: FastifyInstance,
  perMinute: number,
  counter: HitCounter,
  readAlong?: (request: FastifyRequest) => RawBuilder<unknown> | undefined,
): void {
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
    const windows = keys.map((key) => ({ key, windowMs: 60_000 }));
    const along = counter.countAlong ? readAlong?.(request) : undefined;
    let counts: Awaited<ReturnType<HitCounter['count']>>;
    if (along && counter.countAlong) {
      const counted = await counter.countAlong(windows, along);
      counts = counted.hits;
      readAlongs.set(request, { value: counted.along });
    } else counts = await counter.count(windows);
    const exceeded = counts.find((c) => c.hits > perMinute);
    if (exceeded) throw refuse(reply, exceeded.ttlMs);
  });
}
