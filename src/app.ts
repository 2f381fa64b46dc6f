import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { modules as allModules } from './modules/index.ts';
import { findCollectiviteById, getSiteIdentity } from './modules/territoires/index.ts';
import { ANONYMOUS } from './platform/auth/policy.ts';
import { useSecretKeys } from './platform/auth/secret-box.ts';
import { resolveSession, SESSION_COOKIE } from './platform/auth/sessions.ts';
import { actorFromBearer, bearerToken, tokenFailureJournal, tokenRowQuery } from './platform/auth/tokens.ts';
import type { Config } from './platform/config.ts';
import { collectContributions } from './platform/contributions.ts';
import type { Db } from './platform/db/database.ts';
import { registerFiles } from './platform/files.ts';
import { registerAccess } from './platform/http/access.ts';
import { valueReadAlong } from './platform/http/api-limits.ts';
import { registerNoStore } from './platform/http/cache.ts';
import { registerErrorPages } from './platform/http/errors.tsx';
import { registerHealth } from './platform/http/health.ts';
import { registerHttpBasics } from './platform/http/security.ts';
import { createLogger } from './platform/logger.ts';
import { registerMessaging } from './platform/messaging/index.ts';
import type { RelaisModule } from './platform/module.ts';
import { getOrCreateSecretSetting } from './platform/settings.ts';
import { registerAssets } from './platform/ui/assets.ts';
import { registerPages } from './platform/ui/page.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every `METHOD /url` the app answers, as registered. */
    routeInventory: string[];
  }
}

export type AppOptions = {
  config: Config;
  db: Db;
  /** Where the heavy read-only pages read (a replica; default `db`): see `DatabaseHandle`. */
  readDb?: Db;
  dbKind: string;
  logger?: Logger;
  /** The modules to wire: all of them unless a test changes what one contributes. */
  modules?: RelaisModule[];
};

/** Builds the Fastify app from the platform and the modules. Nothing listens yet. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, db, readDb = db, dbKind, logger, modules = allModules } = options;
  const app = Fastify({
    loggerInstance: (logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
  });

  // The inventory of routes, for the authorization-matrix test and for operators.
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
  app.decorate('routeInventory', routes);
  // Each page links the stylesheets of the module whose routes render it.
  const moduleStyles = new Map<string, readonly string[]>();
  let registering: readonly string[] = [];
  app.addHook('onRoute', (route) => {
    if (registering.length) moduleStyles.set(route.url, registering);
  });

  // Several processes share one secret: it lives in the database (sealed) unless the environment sets it.
  useSecretKeys(db, config.secretKeys);
  const cookieSecret =
    config.cookieSecret ??
    (await getOrCreateSecretSetting(db, 'cookie_secret', () => randomBytes(32).toString('base64url')));
  // The API's counters and its bearer token are read by one statement.
  await registerHttpBasics(app, config, cookieSecret, db, (request) => {
    const token = bearerToken(request.headers.authorization);
    return token ? tokenRowQuery(token) : undefined;
  });
  // After the CSRF check (a forged form is refused as such), before the first route.
  registerAccess(app);
  await registerAssets(app);

  app.decorateRequest('actor', null as never);
  const tokenFailures = tokenFailureJournal(db);
  app.addHook('onClose', () => tokenFailures.flush());
  app.addHook('onRequest', async (request) => {
    request.actor = ANONYMOUS;
    // The API authenticates by bearer token only: a cookie there would invite CSRF.
    if (request.url.startsWith('/api/')) {
      request.actor = await actorFromBearer(
        db,
        request.headers.authorization,
        request.ip,
        tokenFailures.record,
        valueReadAlong(request),
      );
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token || request.url.startsWith('/assets/')) return;
    request.actor = (await resolveSession(db, token)) ?? ANONYMOUS;
  });

  const nav = modules.flatMap((m) => m.nav ?? []);
  registerPages(app, {
    loadIdentity: () => getSiteIdentity(db),
    loadCollectiviteName: async (id) => {
      const c = await findCollectiviteById(db, id);
      return c ? c.display_name || c.name : null;
    },
    nav,
    moduleStyles,
  });
  registerHealth(app, db, dbKind, config, (registry) => {
    for (const mod of modules) mod.metrics?.(registry, { db, config });
  });
  registerFiles(app, db);
  registerMessaging(app, { db, config, handlers: modules.flatMap((m) => m.smsAnswers ?? []) });
  registerErrorPages(app);
  registerNoStore(app);

  const ctx = {
    db,
    readDb,
    config,
    nav,
    home: modules.flatMap((m) => m.home ?? []),
    collectiviteSections: modules.flatMap((m) => m.collectivitePage ?? []),
    spaceSections: modules.flatMap((m) => m.space ?? []),
    personRecordSections: modules.flatMap((m) => m.personRecord ?? []),
    activityReportSections: modules.flatMap((m) => m.activityReport ?? []),
    placePageSections: modules.flatMap((m) => m.placePage ?? []),
    skillsNextSteps: modules.flatMap((m) => m.skillsNextSteps ?? []),
    agendaSources: modules.flatMap((m) => m.agenda ?? []),
    apiRoutes: modules.flatMap((m) => (m.api ? [m.api] : [])),
    contributions: collectContributions(modules),
  };
  for (const mod of modules) {
    registering = mod.styles ?? [];
    await mod.routes?.(app, ctx);
  }
  registering = [];
  return app;
}
