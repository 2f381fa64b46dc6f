import { sql } from 'kysely';
import { entryHash, GENESIS_HASH } from '../../src/platform/audit/journal.ts';
import type { Db } from '../../src/platform/db/database.ts';

/** Rewrites the journal behind its no-change trigger, as the owner of the table can. */
export async function behindTheTrigger(db: Db, work: () => Promise<unknown>): Promise<void> {
  await sql`alter table audit_event disable trigger audit_event_no_change`.execute(db);
  try {
    await work();
  } finally {
    await sql`alter table audit_event enable trigger audit_event_no_change`.execute(db);
  }
}

/** Recomputes every hash of the chain from the rows as they now are, as a forger would (the algorithm is public). */
export async function recomputeChain(db: Db): Promise<void> {
  const rows = await db
    .selectFrom('audit_event')
    .selectAll()
    .where('seq', 'is not', null)
    .orderBy('seq')
    .execute();
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const hash = entryHash(prev, row);
    await sql`update audit_event set prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`.execute(db);
    prev = hash;
  }
}
