import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.ts';

/**
 * The referral dashboards' counts (`orientation_count`, kept by a trigger) equal a recount of
 * the referrals, per sender and per receiving place, state by state; and some were kept.
 */
export async function assertReferralCountsMatch(db: Db): Promise<void> {
  const kept = await db
    .selectFrom('orientation_count')
    .select(['side', 'owner', 'status', 'n'])
    .where('n', '<>', 0)
    .orderBy(['side', 'owner', 'status'])
    .execute();
  const recount = await sql<{ side: string; owner: string; status: string; n: number }>`
    select side, owner, status, n from (
      select 'envoi' as side, sent_by as owner, status, count(*)::int as n from orientation where sent_by is not null group by 2, 3
      union all
      select 'lieu', lieu_id, status, count(*)::int from orientation where lieu_id is not null group by 2, 3) c
    order by side, owner, status`.execute(db);
  assert.ok(kept.length > 0);
  assert.deepEqual(kept, recount.rows);
}
