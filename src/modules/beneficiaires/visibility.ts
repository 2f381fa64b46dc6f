import { type Expression, type SqlBool, sql } from 'kysely';
import { accompaniedBy } from '../activites/index.ts';
import type { Helper } from '../mediateurs/index.ts';

/**
 * Who a helper may see: the people they accompanied or recorded, and those accompanied by
 * the helpers of their places. A condition on `beneficiaire` (alias `b`).
 */
export function visibleTo(helper: Helper): Expression<SqlBool> {
  return sql<SqlBool>`(b.created_by = ${helper.userId} or ${accompaniedBy(helper.userId, sql.ref('b.id'))})`;
}
