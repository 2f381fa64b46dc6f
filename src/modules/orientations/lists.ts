import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { type Helper, placeIdsOf } from '../mediateurs/index.ts';
import type { Referral } from './referral.ts';
import type { Status } from './vocabulary.ts';

export type ListQuery = { status?: Status | undefined; page: number };
export const PAGE_SIZE = 50;

export type Dashboard = { total: number; byStatus: Partial<Record<Status, number>> };

/** Counts by state from `orientation_count` (kept by a trigger): a few rows whatever the volume. */
async function dashboardOf(db: Db, side: 'envoi' | 'lieu', owners: RawBuilder<unknown>): Promise<Dashboard> {
  const rows = await db
    .selectFrom('orientation_count')
    .select(['status', (eb) => eb.fn.sum<string>('n').as('n')])
    .where('side', '=', side)
    .where(sql<SqlBool>`owner in (${owners})`)
    .groupBy('status')
    .execute();
  const byStatus: Partial<Record<Status, number>> = {};
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    if (n <= 0) continue;
    byStatus[r.status] = n;
    total += n;
  }
  return { total, byStatus };
}

const base = (db: Db) => db.selectFrom('orientation');

/**
 * One page of a list, with the counts by state of the whole list (its dashboard): the page's
 * count comes from those, so that a page costs one grouped count and one indexed page of rows.
 */
async function listOf(
  db: Db,
  where: (q: ReturnType<typeof base>) => ReturnType<typeof base>,
  counts: () => Promise<Dashboard>,
  query: ListQuery,
): Promise<{ rows: Referral[]; count: number; dashboard: Dashboard }> {
  let q = where(base(db));
  if (query.status) q = q.where('status', '=', query.status);
  const [dashboard, rows] = await Promise.all([
    counts(),
    q
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(PAGE_SIZE)
      .offset((query.page - 1) * PAGE_SIZE)
      .execute(),
  ]);
  const count = query.status ? (dashboard.byStatus[query.status] ?? 0) : dashboard.total;
  return { rows, count, dashboard };
}

const sentBy = (helper: Helper) => (q: ReturnType<typeof base>) => q.where('sent_by', '=', helper.userId);

export const sentDashboard = (db: Db, helper: Helper) =>
  dashboardOf(db, 'envoi', sql`${helper.userId}::uuid`);
export const receivedDashboard = (db: Db, helper: Helper) =>
  dashboardOf(db, 'lieu', placeIdsOf(helper.userId));
export const sentReferrals = (db: Db, helper: Helper, query: ListQuery) =>
  listOf(db, sentBy(helper), () => sentDashboard(db, helper), query);

/**
 * A page of the inbox: the newest of each of the helper's places first (a lateral top-N per
 * place through its index by date), then merged, so that a helper of several places never
 * sorts all their places' referrals.
 */
export async function receivedReferrals(
  db: Db,
  helper: Helper,
  query: ListQuery,
): Promise<{ rows: Referral[]; count: number; dashboard: Dashboard }> {
  const offset = (query.page - 1) * PAGE_SIZE;
  const status = query.status ? sql`and o.status = ${query.status}` : sql``;
  const [dashboard, rows] = await Promise.all([
    receivedDashboard(db, helper),
    sql<Referral>`select o.* from (${placeIdsOf(helper.userId)}) p
      cross join lateral (
        select * from orientation o where o.lieu_id = p.lieu_id ${status}
        order by o.created_at desc, o.id limit ${offset + PAGE_SIZE}
      ) o
      order by o.created_at desc, o.id limit ${PAGE_SIZE} offset ${offset}`.execute(db),
  ]);
  const count = query.status ? (dashboard.byStatus[query.status] ?? 0) : dashboard.total;
  return { rows: rows.rows, count, dashboard };
}
