import { sql } from 'kysely';
import { type Actor, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { organiserCollectivites } from './service.ts';

/**
 * A coordinator's figures for their own team (exact: these people are theirs): helpers trained,
 * hours attended, fill rate of the sessions their collectivités organised, no-show rate.
 */
export async function teamStatistics(db: Db, actor: Actor) {
  const mine = isAdmin(actor) ? null : organiserCollectivites(actor);
  const scope = (column: string) =>
    mine === null
      ? sql<boolean>`true`
      : mine.length
        ? sql<boolean>`${sql.ref(column)} = any(${mine}::int[])`
        : sql<boolean>`false`;
  const [learners, sessions] = await Promise.all([
    sql<{ inscrits: number; formes: number; minutes: number; absents: number }>`
      select count(*) filter (where i.status = 'inscrit' and done.fin < now())::int as inscrits,
             count(distinct i.user_id) filter (where a.id is not null and a.revoked_at is null)::int as formes,
             coalesce(sum(a.minutes_presentes) filter (where a.revoked_at is null), 0)::int as minutes,
             count(*) filter (where i.status = 'inscrit' and done.fin < now() and not exists (
               select 1 from formation_presence p where p.inscription_id = i.id and p.present))::int as absents
      from formation_inscription i
      join lateral (select max(d.ends_at) as fin from formation_demi_journee d where d.session_id = i.session_id) done on true
      left join formation_attestation a on a.inscription_id = i.id
      where ${scope('i.collectivite_id')}`.execute(db),
    sql<{ places: number; prises: number }>`
      select coalesce(sum(s.capacite), 0)::int as places,
             coalesce(sum((select count(*) from formation_inscription i where i.session_id = s.id and i.status = 'inscrit')), 0)::int as prises
      from formation_session s
      where s.status = 'active' and ${mine === null ? sql<boolean>`true` : scope('s.collectivite_id')}`.execute(
      db,
    ),
  ]);
  return {
    ...(learners.rows[0] ?? { inscrits: 0, formes: 0, minutes: 0, absents: 0 }),
    ...(sessions.rows[0] ?? { places: 0, prises: 0 }),
  };
}
