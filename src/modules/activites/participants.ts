import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { placeIdsOf } from '../mediateurs/index.ts';
import { allCollectiviteIds } from '../territoires/index.ts';

/**
 * What other modules may ask of the participations (one person at one activity), as SQL
 * pieces to put in their own queries: the tables stay this module's.
 */

/** Whether `person` took part in an activity of this helper or at one of their places. */
export function accompaniedBy(userId: string, person: Expression<string>): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (
    select 1 from participation p join activite a on a.id = p.activite_id
    where p.beneficiaire_id = ${person} and (
      a.mediateur_id = ${userId}
      or a.lieu_id in (${placeIdsOf(userId)})
    )
  )`;
}

/** Reports selected by their helper, place or collectivité, or all of them (the OPSN's). */
export type ReportSelection =
  | { kind: 'mediateur' | 'lieu'; id: string }
  | { kind: 'collectivite'; id: number }
  | { kind: 'opsn' };

/** Both days included, as `YYYY-MM-DD`. */
type Period = { du: string; au: string };

/** The activities of a scope in a period (alias `a`), each condition served by an index. */
function activityWhere(scope: ReportSelection, period: Period): RawBuilder<unknown> {
  const dates = sql`a.date between ${period.du}::date and ${period.au}::date`;
  switch (scope.kind) {
    case 'mediateur':
      return sql`a.mediateur_id = ${scope.id}::uuid and ${dates}`; // activite_mediateur_date
    case 'lieu':
      return sql`a.lieu_id = ${scope.id}::uuid and ${dates}`; // activite_lieu_date
    case 'collectivite':
      return sql`a.collectivite_id = ${scope.id} and ${dates}`; // activite_collectivite_date
    case 'opsn':
      // Every report belongs to a collectivité: this reads activite_collectivite_date rather
      // than the whole table.
      return sql`a.collectivite_id = any(${allCollectiviteIds()}) and ${dates}`;
  }
}

/**
 * The participations of a scope in a period (alias `p`): `from … where …`, and the date to
 * count months by. A collectivité and the OPSN read `participation` alone (it carries the
 * collectivité and the date of its activity, for index participation_collectivite_date);
 * a helper and a place go through their activities.
 */
export function participationSource(
  scope: ReportSelection,
  period: Period,
): { from: RawBuilder<unknown>; date: RawBuilder<unknown> } {
  if (scope.kind === 'mediateur' || scope.kind === 'lieu')
    return {
      from: sql`participation p join activite a on a.id = p.activite_id where ${activityWhere(scope, period)}`,
      date: sql`a.date`,
    };
  const dates = sql`p.date between ${period.du}::date and ${period.au}::date`;
  return {
    from:
      scope.kind === 'collectivite'
        ? sql`participation p where p.collectivite_id = ${scope.id} and ${dates}`
        : sql`participation p where p.collectivite_id = any(${allCollectiviteIds()}) and ${dates}`,
    date: sql`p.date`,
  };
}

/** The reports of a selection in a period (alias `a`): `activite a where …`, for `from`. */
export function activitySource(scope: ReportSelection, period: Period): RawBuilder<unknown> {
  return sql`activite a where ${activityWhere(scope, period)}`;
}

/** Whether `person` took part in an activity before `day` (anywhere). */
export function participationsBefore(person: Expression<string>, day: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (
                select 1 from participation q
                where q.beneficiaire_id = ${person} and q.date < ${day}::date)`;
}

/** When this helper last recorded a report, as a subquery (null: never). */
export function lastReportAt(userId: Expression<string>): RawBuilder<Date | null> {
  return sql<Date | null>`(select max(a.created_at) from activite a where a.mediateur_id = ${userId})`;
}

/** Every participation before `day`, with its activity (aliases `p` and `a`), for `from`. */
export function participationsBeforeDay(day: string): RawBuilder<unknown> {
  return sql`participation p join activite a on a.id = p.activite_id where p.date < ${day}::date`;
}

/** The date of `person`'s last participation, as a subquery (null: none). */
export function lastParticipationDate(person: Expression<string>): RawBuilder<string | null> {
  return sql<string | null>`(select max(p.date) from participation p where p.beneficiaire_id = ${person})`;
}

/** How many participations this person has. */
export async function countParticipations(db: Db, personId: string): Promise<number> {
  const counted = await db
    .selectFrom('participation')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('beneficiaire_id', '=', personId)
    .executeTakeFirstOrThrow();
  return counted.n;
}

/**
 * Unlinks these people's participations (they keep what they copied of them, for statistics),
 * before their records are erased; returns how many.
 */
export async function detachParticipations(db: Db, personIds: string[]): Promise<number> {
  const detached = await db
    .updateTable('participation')
    .set({ beneficiaire_id: null })
    .where('beneficiaire_id', '=', sql<string>`any(${personIds}::uuid[])`)
    .executeTakeFirst();
  return Number(detached.numUpdatedRows);
}

/** Moves one person's participations to another (a merge); returns how many. */
export async function moveParticipations(db: Db, fromId: string, toId: string): Promise<number> {
  const moved = await db
    .updateTable('participation')
    .set({ beneficiaire_id: toId })
    .where('beneficiaire_id', '=', fromId)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
}

/** Every participation of a person with its activity, newest first (never who else took part). */
export function participationHistory(db: Db, personId: string) {
  return db
    .selectFrom('participation as p')
    .innerJoin('activite as a', 'a.id', 'p.activite_id')
    .select([
      'p.date',
      'p.genre',
      'p.tranche_age',
      'p.statut',
      'p.commune_insee as p_commune',
      'a.type',
      'a.duree_min',
      'a.canal',
      'a.lieu_id',
      'a.commune_insee',
      'a.thematiques',
      'a.demarches',
      'a.autonomie',
      'a.oriente',
      'a.orientation',
      'a.notes',
    ])
    .where('p.beneficiaire_id', '=', personId)
    .orderBy('p.date', 'desc')
    .orderBy('a.created_at', 'desc')
    .execute();
}

/** When `person` last took part in one of this helper's own activities, as a subquery. */
export function lastParticipationWith(userId: string, person: Expression<string>): RawBuilder<string | null> {
  return sql<string | null>`(select max(p.date) from participation p join activite a on a.id = p.activite_id
        where p.beneficiaire_id = ${person} and a.mediateur_id = ${userId})`;
}

/** Whether `person` took part in one of this helper's own activities. */
export function accompaniedByHelper(userId: string, person: Expression<string>): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select p.id from participation p join activite a on a.id = p.activite_id
        where p.beneficiaire_id = ${person} and a.mediateur_id = ${userId})`;
}
