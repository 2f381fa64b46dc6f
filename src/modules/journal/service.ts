import type { Selectable } from 'kysely';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isUuid } from '../../platform/forms.ts';
import { keysetRows } from '../../platform/table-export.ts';

export type JournalEntry = Selectable<Database['audit_event']>;

/** The people behind accounts, by account id: how the journal page names an account. */
export type Accounts = ReadonlyMap<string, { name: string; email: string }>;

export type JournalFilter = {
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
};

export const PAGE_SIZE = 50;

/** Entries of the filter: action prefix and date range (YYYY-MM-DD, inclusive). */
function filtered(db: Db, actor: Actor, filter: JournalFilter) {
  ensure(actor, 'audit.read');
  let query = db.selectFrom('audit_event');
  if (filter.action) query = query.where('action', 'like', `${filter.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (filter.from) query = query.where('at', '>=', new Date(`${filter.from}T00:00:00Z`));
  if (filter.to)
    query = query.where('at', '<', new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000));
  return query;
}

/** Journal entries, newest first, filtered by action prefix and date range (YYYY-MM-DD, inclusive). */
export function listEntries(
  db: Db,
  actor: Actor,
  filter: JournalFilter,
  page: { offset: number; limit: number },
) {
  return filtered(db, actor, filter)
    .selectAll()
    .orderBy('id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
}

/** How many entries the filter holds (journaled with an export, before it streams). */
export async function countEntries(db: Db, actor: Actor, filter: JournalFilter): Promise<number> {
  const { n } = await filtered(db, actor, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Every entry of the filter, newest first, read by keyset pages: memory holds one page. */
export function allEntries(db: Db, actor: Actor, filter: JournalFilter): AsyncGenerator<JournalEntry> {
  return keysetRows<JournalEntry, number>(
    (after, size) => {
      const query = filtered(db, actor, filter).selectAll();
      return (after === undefined ? query : query.where('id', '<', after))
        .orderBy('id', 'desc')
        .limit(size)
        .execute();
    },
    (last) => last.id,
  );
}

/** The people of the accounts these entries are about (one query, for a page of entries). */
export async function accountsOf(db: Db, entries: readonly JournalEntry[]): Promise<Accounts> {
  const ids = [
    ...new Set(
      entries.flatMap((e) => (e.subject_type === 'user' && isUuid(e.subject_id) ? [e.subject_id] : [])),
    ),
  ];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('app_user')
    .select(['id', 'name', 'email'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, email: r.email }]));
}

/** The actions present in the journal, for the filter's choices. */
export async function listActions(db: Db, actor: Actor): Promise<string[]> {
  ensure(actor, 'audit.read');
  const rows = await db.selectFrom('audit_event').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}
