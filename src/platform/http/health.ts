import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/database.ts';

/** `/healthz` checks the database; `/metrics` exposes Prometheus metrics of this process. */
export function registerHealth(app: FastifyInstance, db: Db, kind: string, metricsToken?: string): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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

  app.get('/healthz', async (_request, reply) => {
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

  // Metrics reveal load and internals: loopback only (the scraper on the host), or a bearer token.
  app.get('/metrics', async (request, reply) => {
    const allowed = metricsToken
      ? request.headers.authorization === `Bearer ${metricsToken}`
      : ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.ip);
    if (!allowed) return reply.status(403).type('text/plain; charset=utf-8').send('Accès refusé.');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
