import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { type Actor, ForbiddenError, isAdmin, type Role } from '../auth/policy.ts';

/**
 * Who may call a route: `public`, any `signed-in` person, OPSN `admin`s only, admins and
 * any `coordinator`, or admins and the coordinators of the collectivité that the named
 * route parameter designates (the collectivité itself, or a person in it). Every route
 * declares one in its registration (`config: { access }`); the app refuses to start with a
 * route that has none, and the authorization-matrix test calls each route as each kind of
 * person against what it declares.
 */
export type Access =
  | 'public'
  | 'signed-in'
  | 'admin'
  | 'coordinator'
  | { coordinatorOf: string }
  /** Helpers (médiateurs) only, never administrators: the people they help are theirs to see. */
  | 'helper'
  /** The helper who may see the resource the named parameter designates (theirs or their places'). */
  | { helperOf: string }
  /** Both: admins, coordinators of the resource's collectivité and its helpers (a place's statistics). */
  | { coordinatorOrHelperOf: string }
  /** Those who run the training session the named parameter designates: admins, its coordinators, its trainers (formateurs). */
  | { trainerOf: string }
  /** Called by an outside service that signs its requests (e.g. the SMS provider); no person may call it. */
  | 'signed-callback';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route; the platform's hook enforces its role part (see `Access`). */
    access?: Access;
    /** The French message of the refusal when the role part says no (else a general one). */
    refusal?: string;
  }
  interface FastifyInstance {
    /** The access each `METHOD /url` declared, as registered (HEAD routes left out). */
    routeAccess: ReadonlyMap<string, Access>;
  }
}

/** A signed-in person. */
export type SignedIn = Extract<Actor, { kind: 'user' }>;

/**
 * The person calling a route declared `signed-in` (or any narrower access): the hook let
 * nobody else through, so this only refuses when a route declared less than it needs.
 */
export function signedInActor(request: FastifyRequest): SignedIn {
  const actor = request.actor;
  if (actor.kind !== 'user') throw new ForbiddenError();
  return actor;
}

/** Whether someone is signed in (the sign-in page sends them to their space instead). */
export const isSignedIn = (actor: Actor): actor is SignedIn => actor.kind === 'user';

/** The collectivité a person acts in now (chosen in their space), if any. */
export const activeCollectiviteOf = (actor: Actor): number | null =>
  actor.kind === 'user' ? actor.activeCollectiviteId : null;

const HELPERS_ONLY = 'Réservé aux médiateurs numériques.';
const SIGN_IN_FIRST = 'Authentification requise : envoyez l’en-tête Authorization: Bearer <jeton>.';

const hasRole = (actor: Actor, role: Role) =>
  actor.kind === 'user' && actor.memberships.some((m) => m.role === role && m.collectiviteId !== null);

/**
 * Whether the role part of `access` lets this actor through. For the forms naming a
 * parameter, the resource itself (this person, this place) is the domain function's to
 * check: here only whether the actor could be allowed on some resource.
 */
export function passesRole(actor: Actor, access: Access): boolean {
  // A signed callback is no person's: its route checks the caller's signature itself.
  if (access === 'public' || access === 'signed-callback') return true;
  if (access === 'signed-in') return actor.kind === 'user';
  if (access === 'admin') return isAdmin(actor);
  if (access === 'helper') return hasRole(actor, 'mediateur');
  const coordinates = isAdmin(actor) || hasRole(actor, 'coordinateur');
  if (access === 'coordinator' || 'coordinatorOf' in access) return coordinates;
  if ('helperOf' in access) return hasRole(actor, 'mediateur');
  if ('trainerOf' in access) return coordinates || hasRole(actor, 'formateur');
  return coordinates || hasRole(actor, 'mediateur');
}

/** Pages send to sign-in or say 403; the JSON API answers 401 (RFC 6750 challenge) or 403. */
function refuse(request: FastifyRequest, reply: FastifyReply, access: Access) {
  const anonymous = request.actor.kind === 'anonymous';
  const message =
    request.routeOptions.config.refusal ??
    (access === 'helper' || (typeof access === 'object' && 'helperOf' in access) ? HELPERS_ONLY : undefined);
  if (request.url.startsWith('/api/')) {
    if (anonymous) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="relais"')
        .send({ error: 'unauthorized', message: SIGN_IN_FIRST });
    }
    return reply.status(403).send({ error: 'forbidden', message: message ?? new ForbiddenError().message });
  }
  // Signed-in pages send anyone to sign in, whatever the method; the others refuse a form.
  if (anonymous && access === 'signed-in') return reply.redirect('/connexion');
  throw new ForbiddenError(message);
}

/**
 * Enforces the access every route declares in its registration: a route registered
 * without one stops the app from starting; a request whose actor fails the role part is
 * refused before its handler runs. Register after the CSRF check and before any route.
 */
export function registerAccess(app: FastifyInstance): void {
  const declared = new Map<string, Access>();
  app.decorate('routeAccess', declared);
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access;
    const methods = [route.method].flat().filter((m) => m !== 'HEAD');
    if (access === undefined) {
      throw new Error(
        `${methods.join(',')} ${route.url}: no access declared (route option config.access, see platform/http/access.ts)`,
      );
    }
    for (const method of methods) declared.set(`${method} ${route.url}`, access);
  });
  app.addHook('preHandler', async (request, reply) => {
    const access = request.routeOptions.config.access;
    // No route matched (the not-found handler): nothing to protect.
    if (access === undefined || passesRole(request.actor, access)) return;
    return refuse(request, reply, access);
  });
}
