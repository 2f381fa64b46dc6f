import { type Selectable, sql } from 'kysely';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';

/** An entry, with the person its subject designates when it is an account (name and email). */
export type JournalEntry = Selectable<Database['audit_event']> & {
  subject_name: string | null;
  subject_email: string | null;
};

export type JournalFilter = {
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

export const PAGE_SIZE = 50;

/** Journal entries, newest first, filtered by action prefix and date range (YYYY-MM-DD, inclusive). */
export function listEntries(
  db: Db,
  actor: Actor,
  filter: JournalFilter,
  page: { offset: number; limit: number },
) {
  ensure(actor, 'audit.read');
  // An account is shown by its person, not its identifier (compared as text: any subject id is safe).
  let query = db
    .selectFrom('audit_event')
    .leftJoin('app_user as subject_user', (join) =>
      join
        .on('audit_event.subject_type', '=', 'user')
        .on(sql`subject_user.id::text`, '=', sql.ref('audit_event.subject_id')),
    )
    .selectAll('audit_event')
    .select(['subject_user.name as subject_name', 'subject_user.email as subject_email']);
  if (filter.action) query = query.where('action', 'like', `${filter.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (filter.from) query = query.where('at', '>=', new Date(`${filter.from}T00:00:00Z`));
  if (filter.to)
    query = query.where('at', '<', new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000));
  return query.orderBy('audit_event.id', 'desc').offset(page.offset).limit(page.limit).execute();
}

/** The actions present in the journal, for the filter's choices. */
export async function listActions(db: Db, actor: Actor): Promise<string[]> {
  ensure(actor, 'audit.read');
  const rows = await db.selectFrom('audit_event').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}
