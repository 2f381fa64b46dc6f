import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import { placeIdsOf } from '../mediateurs/index.ts';

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
