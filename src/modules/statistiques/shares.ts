import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import { hashSecretToken, newSecretToken } from '../../platform/auth/secret-token.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { placeSummaries } from '../lieux/index.ts';
import { displayName, findCollectiviteById, getOpsn } from '../territoires/index.ts';
import type { Period } from './period.ts';
import type { Scope, StatisticsAccess } from './scope.ts';

export type ShareSummary = { id: string; du: string; au: string; createdAt: Date; mine: boolean };

const scopeId = (scope: Scope): string | null => (scope.kind === 'opsn' ? null : String(scope.id));

/** Publishes a read-only link to a view over a period; returns the token, shown once. */
export async function createShare(
  db: Db,
  actor: Actor,
  access: StatisticsAccess,
  period: Period,
): Promise<string> {
  const token = newSecretToken();
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('partage_statistiques')
      .values({
        token_hash: hashSecretToken(token),
        created_by: actor.kind === 'user' ? actor.userId : null,
        scope: access.scope.kind,
        scope_id: scopeId(access.scope),
        collectivite_id: access.collectiviteId,
        du: period.du,
        au: period.au,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'statistiques.partage.creation',
      collectiviteId: access.collectiviteId,
      subject: { type: 'partage_statistiques', id: row.id },
      details: { scope: access.scope.kind, scope_id: scopeId(access.scope), du: period.du, au: period.au },
    });
  });
  return token;
}

/** The links of a view that still work, newest first. */
export async function listShares(db: Db, actor: Actor, scope: Scope): Promise<ShareSummary[]> {
  const id = scopeId(scope);
  const rows = await db
    .selectFrom('partage_statistiques')
    .select(['id', 'du', 'au', 'created_at', 'created_by'])
    .where('scope', '=', scope.kind)
    .where((eb) => (id === null ? eb('scope_id', 'is', null) : eb('scope_id', '=', id)))
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    du: r.du,
    au: r.au,
    createdAt: r.created_at,
    mine: actor.kind === 'user' && r.created_by === actor.userId,
  }));
}

/** Withdraws a link of this view (anyone who may open the view may). False: no such working link. */
export async function revokeShare(
  db: Db,
  actor: Actor,
  access: StatisticsAccess,
  shareId: string,
): Promise<boolean> {
  if (!isUuid(shareId)) return false;
  const id = scopeId(access.scope);
  return db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('partage_statistiques')
      .set({ revoked_at: new Date() })
      .where('id', '=', shareId)
      .where('scope', '=', access.scope.kind)
      .where((eb) => (id === null ? eb('scope_id', 'is', null) : eb('scope_id', '=', id)))
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!revoked) return false;
    await audit(trx, {
      actor,
      action: 'statistiques.partage.retrait',
      collectiviteId: access.collectiviteId,
      subject: { type: 'partage_statistiques', id: shareId },
    });
    return true;
  });
}

/**
 * The view a link shows, always published numbers, over the period it was published for. Undefined:
 * no such link, withdrawn, or what it showed no longer exists.
 */
export async function sharedStatistics(
  db: Db,
  token: string,
): Promise<{ access: StatisticsAccess; period: Period } | undefined> {
  if (!/^[\w-]{43}$/.test(token)) return undefined;
  const share = await db
    .selectFrom('partage_statistiques')
    .selectAll()
    .where('token_hash', '=', hashSecretToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!share) return undefined;
  const period = { du: share.du, au: share.au };
  const of = (scope: Scope) => ({
    access: { scope, exact: false, collectiviteId: share.collectivite_id },
    period,
  });
  switch (share.scope) {
    case 'mediateur': {
      if (!share.scope_id) return undefined;
      const user = await db
        .selectFrom('app_user')
        .select('name')
        .where('id', '=', share.scope_id)
        .executeTakeFirst();
      return user ? of({ kind: 'mediateur', id: share.scope_id, name: user.name }) : undefined;
    }
    case 'lieu': {
      const [place] = await placeSummaries(db, share.scope_id ? [share.scope_id] : []);
      return place ? of({ kind: 'lieu', id: place.id, name: place.nom }) : undefined;
    }
    case 'collectivite': {
      const collectivite = await findCollectiviteById(db, Number(share.scope_id));
      return collectivite
        ? of({ kind: 'collectivite', id: collectivite.id, name: displayName(collectivite) })
        : undefined;
    }
    case 'opsn':
      return of({ kind: 'opsn', name: (await getOpsn(db))?.name ?? 'Tout le territoire' });
    default:
      return undefined;
  }
}
