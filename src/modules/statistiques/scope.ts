import { type Actor, can, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { placeSummaries } from '../lieux/index.ts';
import { helperCollectivites, isHelperOfPlace, requireHelper } from '../mediateurs/index.ts';
import { displayName, findCollectiviteById, getOpsn } from '../territoires/index.ts';

export type Scope =
  | { kind: 'mediateur'; id: string; name: string }
  | { kind: 'lieu'; id: string; name: string }
  | { kind: 'collectivite'; id: number; name: string }
  | { kind: 'opsn'; name: string };

/**
 * A statistics view someone may open. `exact`: the numbers are shown as they are, for a
 * helper who may already see every person behind them (their own activities, their places');
 * everyone else, and every shared link, gets the published numbers (disclosure.ts).
 */
export type StatisticsAccess = {
  scope: Scope;
  exact: boolean;
  /** The collectivité a link to this view belongs to (removed with it). */
  collectiviteId: number | null;
};

/** Where a scope's page lives. */
export function scopePath(scope: Scope): string {
  switch (scope.kind) {
    case 'mediateur':
      return '/statistiques';
    case 'lieu':
      return `/statistiques/lieux/${scope.id}`;
    case 'collectivite':
      return `/statistiques/collectivites/${scope.id}`;
    case 'opsn':
      return '/statistiques/opsn';
  }
}

/** The signed-in helper's own activities, in every collectivité they help in. */
export function helperStatistics(actor: Actor): StatisticsAccess {
  const helper = requireHelper(actor);
  return {
    scope: { kind: 'mediateur', id: helper.userId, name: helper.actor.name },
    exact: true,
    collectiviteId: helper.collectiviteId,
  };
}

/**
 * A place's activities: for its helpers (exact: they see these people already) and for the
 * administrators and coordinators of its collectivité (published numbers). Undefined: no such place.
 */
export async function placeStatistics(
  db: Db,
  actor: Actor,
  lieuId: string,
): Promise<StatisticsAccess | undefined> {
  if (!isUuid(lieuId)) return undefined;
  const [place] = await placeSummaries(db, [lieuId]);
  if (!place) return undefined;
  const scope: Scope = { kind: 'lieu', id: place.id, name: place.nom };
  const helping = helperCollectivites(actor);
  if (actor.kind === 'user' && helping.length > 0) {
    if (await isHelperOfPlace(db, actor.userId, place.id))
      return { scope, exact: true, collectiviteId: requireHelper(actor).collectiviteId };
  }
  if (isAdmin(actor)) return { scope, exact: false, collectiviteId: null };
  // The coordinators of the collectivité that looks after the place.
  if (
    place.collectivite_id !== null &&
    can(actor, 'statistics.read', { collectiviteId: place.collectivite_id })
  ) {
    return { scope, exact: false, collectiviteId: place.collectivite_id };
  }
  throw new ForbiddenError('Ces statistiques sont réservées aux médiateurs de ce lieu et à sa coordination.');
}

/** A collectivité's activities: its coordinators and the administrators. Undefined: no such collectivité. */
export async function collectiviteStatistics(
  db: Db,
  actor: Actor,
  raw: string,
): Promise<StatisticsAccess | undefined> {
  if (!/^\d{1,9}$/.test(raw)) return undefined;
  const collectivite = await findCollectiviteById(db, Number(raw));
  if (!collectivite) return undefined;
  if (!can(actor, 'statistics.read', { collectiviteId: collectivite.id }))
    throw new ForbiddenError('Ces statistiques sont réservées à la coordination de cette collectivité.');
  return {
    scope: { kind: 'collectivite', id: collectivite.id, name: displayName(collectivite) },
    exact: false,
    collectiviteId: collectivite.id,
  };
}

/** The whole OPSN: administrators only. */
export async function opsnStatistics(db: Db, actor: Actor): Promise<StatisticsAccess> {
  if (!isAdmin(actor))
    throw new ForbiddenError('Ces statistiques sont réservées aux administrateurs de l’OPSN.');
  const opsn = await getOpsn(db);
  return {
    scope: { kind: 'opsn', name: opsn?.name ?? 'Tout le territoire' },
    exact: false,
    collectiviteId: null,
  };
}
