import { sql } from 'kysely';
import { type Actor, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { roundToBase } from '../statistiques/index.ts';
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

/** Under this many people, a collectivité's figures are masked for anyone outside its team. */
export const STATS_THRESHOLD = 5;

export type CollectiviteFigures = {
  collectiviteId: number;
  /** False: counts under the threshold, masked (another collectivité's team). */
  shown: boolean;
  formes: number | null;
  heures: number | null;
  remplissage: number | null;
  absence: number | null;
};

/**
 * The figures per member collectivité: helpers trained (valid certificate), hours attended, fill
 * rate of the sessions it organised, no-show rate of its registered learners. Exact for the
 * viewer’s own collectivités (all for administrators); elsewhere counts of people are rounded to 5, and a collectivité with fewer than 5
 * people registered shows nothing but that it is masked (no small group can be recovered).
 */
export async function figuresByCollectivite(db: Db, actor: Actor): Promise<CollectiviteFigures[]> {
  const mine = new Set(isAdmin(actor) ? [] : organiserCollectivites(actor));
  const [learners, sessions] = await Promise.all([
    sql<{
      collectivite_id: number;
      personnes: number;
      formes: number;
      minutes: number;
      passes: number;
      absents: number;
    }>`
      select i.collectivite_id,
             count(distinct i.user_id)::int as personnes,
             count(distinct i.user_id) filter (where a.id is not null and a.revoked_at is null)::int as formes,
             coalesce(sum(a.minutes_presentes) filter (where a.revoked_at is null), 0)::int as minutes,
             count(*) filter (where i.status = 'inscrit' and done.fin < now())::int as passes,
             count(*) filter (where i.status = 'inscrit' and done.fin < now() and not exists (
               select 1 from formation_presence p where p.inscription_id = i.id and p.present))::int as absents
      from formation_inscription i
      join lateral (select max(d.ends_at) as fin from formation_demi_journee d where d.session_id = i.session_id) done on true
      left join formation_attestation a on a.inscription_id = i.id
      group by i.collectivite_id`.execute(db),
    sql<{ collectivite_id: number; places: number; prises: number }>`
      select s.collectivite_id, sum(s.capacite)::int as places,
             sum((select count(*) from formation_inscription i where i.session_id = s.id and i.status = 'inscrit'))::int as prises
      from formation_session s
      where s.status = 'active' and s.collectivite_id is not null
      group by s.collectivite_id`.execute(db),
  ]);
  const seats = new Map(sessions.rows.map((r) => [r.collectivite_id, r]));
  const ids = [...new Set([...learners.rows.map((r) => r.collectivite_id), ...seats.keys()])].sort(
    (a, b) => a - b,
  );
  return ids.map((id) => {
    const l = learners.rows.find((r) => r.collectivite_id === id);
    const s = seats.get(id);
    const shown = isAdmin(actor) || mine.has(id) || (l?.personnes ?? 0) >= STATS_THRESHOLD;
    if (!shown)
      return { collectiviteId: id, shown, formes: null, heures: null, remplissage: null, absence: null };
    const own = isAdmin(actor) || mine.has(id);
    return {
      collectiviteId: id,
      shown,
      // Outside the team, the number of people is rounded to 5 like every published count.
      formes: own ? (l?.formes ?? 0) : roundToBase(l?.formes ?? 0),
      heures: Math.round(((l?.minutes ?? 0) / 60) * 10) / 10,
      remplissage: s?.places ? Math.round((s.prises * 100) / s.places) : null,
      absence: l?.passes ? Math.round((l.absents * 100) / l.passes) : null,
    };
  });
}
