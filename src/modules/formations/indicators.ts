import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';

/**
 * Trainings followed, month by month (`YYYY-MM`, Paris time of the certificate), for other
 * modules' indicators: certificates issued and not revoked, and the minutes of attendance they
 * certify. Counts only: the caller rounds each month before publishing anything.
 */
export async function monthlyTrainingCounts(
  db: Db,
  scope: { collectiviteId: number | null },
  period: { from: string; to: string },
): Promise<Map<string, { certificates: number; minutes: number }>> {
  const { rows } = await sql<{ month: string; certificates: number; minutes: number }>`
    select to_char(a.issued_at at time zone 'Europe/Paris', 'YYYY-MM') as month,
      count(*)::int as certificates, coalesce(sum(a.minutes_presentes), 0)::int as minutes
    from formation_attestation a
    join formation_inscription i on i.id = a.inscription_id
    where a.revoked_at is null
      and a.issued_at >= (${period.from}::date::timestamp at time zone 'Europe/Paris')
      and a.issued_at < ((${period.to}::date + 1)::timestamp at time zone 'Europe/Paris')
      and (${scope.collectiviteId}::int is null or i.collectivite_id = ${scope.collectiviteId}::int)
    group by 1`.execute(db);
  return new Map(rows.map((r) => [r.month, { certificates: r.certificates, minutes: r.minutes }]));
}
