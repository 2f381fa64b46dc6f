import { type RawBuilder, sql } from 'kysely';
import { type Actor, ForbiddenError, isHelperIn } from '../../platform/auth/policy.ts';
import { defaultCollectiviteId, loadMemberships } from '../../platform/auth/sessions.ts';
import type { Db } from '../../platform/db/database.ts';
import { batchedPerDatabase } from '../../platform/db/statement-batcher.ts';
import { type PlaceSummary, placeSummariesByOwner, placesOfCollectivites } from '../lieux/index.ts';

/** A signed-in helper: who they are and the collectivité they record in now. */
export type Helper = { actor: Actor & { kind: 'user' }; userId: string; collectiviteId: number };

/** The collectivités where this person is a helper (médiateur). */
export function helperCollectivites(actor: Actor): number[] {
  if (actor.kind !== 'user') return [];
  return actor.memberships
    .filter((m) => m.role === 'mediateur' && m.collectiviteId !== null)
    .map((m) => m.collectiviteId as number);
}

/**
 * The helper behind a request, in their active collectivité when they help there, else in
 * their first one. Anyone else is refused: identities of people helped are for helpers only.
 */
export function requireHelper(actor: Actor): Helper {
  const mine = helperCollectivites(actor);
  if (actor.kind !== 'user' || mine.length === 0)
    throw new ForbiddenError('Réservé aux médiateurs numériques.');
  const active = actor.activeCollectiviteId;
  const collectiviteId = active !== null && isHelperIn(actor, active) ? active : (mine[0] as number);
  return { actor, userId: actor.userId, collectiviteId };
}

/**
 * A person as if they had just signed in, in their default collectivité (demo data, tests):
 * undefined when nobody has this email or they belong to no collectivité.
 */
export async function helperByEmail(db: Db, email: string): Promise<Helper | undefined> {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'name'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (!user) return undefined;
  const memberships = await loadMemberships(db, user.id);
  const collectiviteId = defaultCollectiviteId(memberships);
  if (collectiviteId === null) return undefined;
  return {
    actor: {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      memberships,
      activeCollectiviteId: collectiviteId,
    },
    userId: user.id,
    collectiviteId,
  };
}

/** The places of each of these helpers, in their order (one statement). */
async function placesOfHelpers(db: Db, users: string[]): Promise<PlaceSummary[][]> {
  const rows = await placeSummariesByOwner(
    db,
    sql`select user_id as owner, lieu_id from mediateur_lieu where user_id = any(${users}::uuid[])`,
  );
  const byHelper = new Map(users.map((u) => [u, [] as PlaceSummary[]]));
  for (const { owner, ...place } of rows) byHelper.get(owner)?.push(place);
  // A copy each: a helper asking twice at once gets two lists, each theirs to change.
  return users.map((u) => [...byHelper.get(u)!]);
}

/**
 * The helper's approved places of activity (see place-approval.ts), in the directory's order.
 * Recording a report asks for them each time: the helpers asking at the same moment share one
 * statement.
 */
export const helperPlaces: (db: Db, userId: string) => Promise<PlaceSummary[]> = batchedPerDatabase(
  placesOfHelpers,
  { inFlight: 2, maxBatch: 50 },
);

/** The ids of a helper's places of activity, as a subquery (`lieu_id in (…)`). */
export function placeIdsOf(userId: string): RawBuilder<{ lieu_id: string }> {
  return sql<{ lieu_id: string }>`select lieu_id from mediateur_lieu where user_id = ${userId}`;
}

/** The ids of a helper's places of activity. */
export async function helperPlaceIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('mediateur_lieu')
    .select('lieu_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.lieu_id);
}

/** Whether this place is one of the helper's places of activity. */
export async function isHelperOfPlace(db: Db, userId: string, lieuId: string): Promise<boolean> {
  const row = await db
    .selectFrom('mediateur_lieu')
    .select('lieu_id')
    .where('user_id', '=', userId)
    .where('lieu_id', '=', lieuId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The places a helper may choose from: their collectivités' places. */
export function choosablePlaces(db: Db, helper: Helper): Promise<PlaceSummary[]> {
  return placesOfCollectivites(db, helperCollectivites(helper.actor));
}
