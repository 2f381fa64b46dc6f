import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawBuilder } from 'kysely';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { registerApiLimits } from './api-limits.ts';
import { registerNulGuard } from './input.ts';
import {
  databaseHitCounter,
  forgetEndedWindows,
  memoryHitCounter,
  rateLimitStore,
} from './rate-limit-store.ts';
import { MAX_UPLOAD_BYTES, registerUploads } from './uploads.ts';

/**
 * The CSP source that admits a tile template's images: its origin, with a leading `{s}.`
 * (Leaflet's subdomains) as a wildcard label. `https://{s}.tile.example.fr/{z}/{x}/{y}.png`
 * → `https://*.tile.example.fr`.
 */
export function tileSource(template: string): string {
  const { protocol, host } = new URL(template);
  return `${protocol}//${host.replace(/^\{s\}\./, '*.')}`;
}

/** How often the counters of ended rate-limit windows are removed. */
const RATE_LIMIT_CLEANUP_MS = 60_000;

/**
 * Body parsing, compression, security headers, cookies, CSRF and rate limits. Rate limits count
 * in `db` (shared by every app process; its ended windows removed every minute), or in memory
 * for a test app without a database.
 */
export async function registerHttpBasics(
  app: FastifyInstance,
  config: Config,
  cookieSecret: string,
  db?: Db,
  /** What `/api/` reads with its counters, in the same statement (`registerApiLimits`). */
  apiReadAlong?: (request: FastifyRequest) => RawBuilder<unknown> | undefined,
) {
  await app.register(compress, { global: true, threshold: 1024 });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        // Map tiles come from the tile server (MAP_TILES_URL).
        'img-src': ["'self'", 'data:', tileSource(config.mapTilesUrl)],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'"],
        'base-uri': ["'self'"],
        'object-src': ["'none'"],
        ...(config.publicUrl.startsWith('https:') ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    // HSTS only makes sense behind TLS.
    strictTransportSecurity: config.publicUrl.startsWith('https:'),
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie, { secret: cookieSecret });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'relais_csrf',
    cookieOpts: {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      signed: true,
      secure: config.publicUrl.startsWith('https:'),
    },
    getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
  });
  await app.register(formbody);
  // Multipart bodies are not read here: only by the routes that take files (uploads.ts).
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 50 } });
  const counter = db ? databaseHitCounter(db) : memoryHitCounter();
  await app.register(rateLimit, { global: false, store: rateLimitStore(counter) });
  registerApiLimits(app, config.apiRateLimit, counter, apiReadAlong);
  if (db) {
    const cleanup = setInterval(() => {
      forgetEndedWindows(db).catch((error) => app.log.warn({ err: error }, 'rate-limit cleanup failed'));
    }, RATE_LIMIT_CLEANUP_MS);
    cleanup.unref();
    app.addHook('onClose', async () => clearInterval(cleanup));
  }
  registerNulGuard(app);

  const verifyCsrf = (request: FastifyRequest, reply: FastifyReply) =>
    new Promise<void>((resolve, reject) => {
      app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
    });
  const readUpload = registerUploads(app, verifyCsrf);

  // Every state-changing form carries a CSRF token; the JSON API authenticates by token instead.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.url.startsWith('/api/')) return;
    if (request.isMultipart()) request.body = await readUpload(request, reply);
    else await verifyCsrf(request, reply);
  });
}
