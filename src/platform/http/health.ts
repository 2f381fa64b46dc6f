import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/database.ts';

const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/** Whether `HOST` lets only this machine connect. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The bearer token, compared in constant time. */
function hasToken(request: FastifyRequest, token: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * A request from this machine that no proxy forwarded: the socket's own address, since any
 * `X-Forwarded-For` hop can be written by the client, and a proxy in front adds one.
 */
function isDirectLocal(request: FastifyRequest): boolean {
  const forwarded =
    request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !forwarded && LOOPBACK.includes(request.socket.remoteAddress ?? '');
}

/**
 * Who may read `/metrics`: with `METRICS_TOKEN`, its bearer only; without it, a direct request
 * from this machine, and only while Relais listens on loopback (beyond it, the route hides).
 */
type MetricsAccess = { host: string; metricsToken: string | undefined };

/**
 * `/healthz` checks the database; `/metrics` exposes Prometheus metrics of this process, and
 * those that `addMetrics` registers (the modules').
 */
export function registerHealth(
  app: FastifyInstance,
  db: Db,
  kind: string,
  metrics: MetricsAccess,
  addMetrics: (registry: Registry) => void = () => {},
): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  addMetrics(registry);
  const duration = new Histogram({
    name: 'relais_http_request_duration_seconds',
    help: 'Durée des requêtes HTTP / HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) => {
    const started = performance.now();
    try {
      await sql`select 1`.execute(db);
      return {
        status: 'ok',
        database: { status: 'ok', kind, latencyMs: Math.round(performance.now() - started) },
      };
    } catch (error) {
      app.log.error({ err: error }, 'health check failed');
      return reply.status(503).send({ status: 'error', database: { status: 'error', kind } });
    }
  });

  // Metrics reveal load and internals.
  const { metricsToken, host } = metrics;
  app.get('/metrics', { config: { access: 'public' } }, async (request, reply) => {
    if (metricsToken) {
      if (!hasToken(request, metricsToken)) {
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer')
          .type('text/plain; charset=utf-8')
          .send('Jeton requis.');
      }
    } else if (!isLoopbackHost(host)) {
      return reply.callNotFound();
    } else if (!isDirectLocal(request)) {
      return reply.status(403).type('text/plain; charset=utf-8').send('Accès refusé.');
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
