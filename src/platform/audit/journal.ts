import { createHash } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { Actor } from '../auth/policy.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/**
 * The audit journal: every security event and every access to or change of personal
 * data. Entries are chained: each one's hash covers its content and the previous hash,
 * so changing or removing an old entry breaks every hash after it.
 *
 * Writing and chaining are two steps. `audit` inserts the entry in the caller's
 * transaction (it commits or rolls back with the change it records) without taking any
 * lock, so helpers recording at the same time never queue behind each other. The sealer
 * (`sealJournal`, run every second by the server and before every verification or backup)
 * then gives the committed entries their place in the chain (`seq`) and their hashes, under
 * one lock. The database refuses any other change (see the seal migration's trigger).
 */

export const GENESIS_HASH = '0'.repeat(64);
/** Serialises sealers across processes, so that the chain never forks. */
const CHAIN_LOCK = 7_272_001;

export type AuditEvent = {
  actor: Actor;
  action: string;
  collectiviteId?: number | null;
  subject?: { type: string; id: string | number };
  ip?: string | null;
  details?: Record<string, unknown>;
};

/** What an entry's hash covers: all its columns but its id and the hashes. */
type ChainedFields = Omit<Selectable<Database['audit_event']>, 'id' | 'seq' | 'prev_hash' | 'hash'>;

/** JSON with keys sorted at every level: the same content always gives the same text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function entryHash(prevHash: string, e: ChainedFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update(
      canonical({
        at: e.at.toISOString(),
        actor_user_id: e.actor_user_id,
        actor_label: e.actor_label,
        action: e.action,
        collectivite_id: e.collectivite_id,
        subject_type: e.subject_type,
        subject_id: e.subject_id,
        ip: e.ip,
        details: e.details,
      }),
    )
    .digest('hex');
}

export function actorFields(actor: Actor): { actor_user_id: string | null; actor_label: string } {
  if (actor.kind === 'user') return { actor_user_id: actor.userId, actor_label: actor.email };
  if (actor.kind === 'system') return { actor_user_id: null, actor_label: actor.label };
  return { actor_user_id: null, actor_label: 'anonyme' };
}

/** Appends one event to the journal, unsealed; `db` may be a transaction. */
export async function audit(db: Db, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      // Millisecond precision: what JavaScript dates keep, so the hash can be recomputed.
      at: new Date(Math.floor(Date.now())),
      ...actorFields(event.actor),
      action: event.action,
      collectivite_id: event.collectiviteId ?? null,
      subject_type: event.subject?.type ?? null,
      subject_id: event.subject ? String(event.subject.id) : null,
      ip: event.ip ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}

/**
 * Chains every committed, unsealed entry after the last sealed one, in the order they were
 * inserted, by batches; returns how many it sealed. Entries of transactions still running
 * are invisible here and are sealed by a later call, further down the chain.
 */
export async function sealJournal(db: Db, batchSize = 2000): Promise<number> {
  let sealed = 0;
  for (;;) {
    const count = await db.transaction().execute((trx) => sealBatch(trx, batchSize));
    sealed += count;
    if (count < batchSize) return sealed;
  }
}

async function sealBatch(trx: Db, batchSize: number): Promise<number> {
  await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  const rows = await trx
    .selectFrom('audit_event')
    .selectAll()
    .where('seq', 'is', null)
    .orderBy('id')
    .limit(batchSize)
    .execute();
  if (rows.length === 0) return 0;
  const last = await trx
    .selectFrom('audit_event')
    .select(['seq', 'hash'])
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let prev = last?.hash ?? GENESIS_HASH;
  let seq = last?.seq ?? 0;
  const seals = rows.map((row) => {
    const hash = entryHash(prev, row);
    const seal = sql`(${row.id}::bigint, ${++seq}::bigint, ${prev}, ${hash})`;
    prev = hash;
    return seal;
  });
  await sql`
    update audit_event e set seq = s.seq, prev_hash = s.prev_hash, hash = s.hash
    from (values ${sql.join(seals)}) as s(id, seq, prev_hash, hash)
    where e.id = s.id`.execute(trx);
  return rows.length;
}

/** Whether the database's journal has reached the schema that seals entries (an old one may be backed up). */
export async function journalSeals(db: Db): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from information_schema.columns
                   where table_name = 'audit_event' and column_name = 'seq') as found`.execute(db);
  return rows[0]?.found ?? false;
}

/** Seals the journal every `intervalMs` until the returned function is called. */
export function startSealer(
  db: Db,
  onError: (error: unknown) => void,
  intervalMs = 1000,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sealJournal(db).catch(onError);
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

export type ChainCheck =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenAt: number; reason: string };

/** Walks the sealed chain in order and names (by id) the first entry that does not match. */
export async function verifyChain(db: Db, batchSize = 5000): Promise<ChainCheck> {
  let prev = GENESIS_HASH;
  let afterSeq = 0;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return { ok: true, count };
    for (const row of rows) {
      if (row.prev_hash !== prev) {
        return {
          ok: false,
          count,
          brokenAt: row.id,
          reason: 'le lien vers l’entrée précédente ne correspond pas (entrée supprimée ou insérée)',
        };
      }
      if (entryHash(prev, row) !== row.hash) {
        return {
          ok: false,
          count,
          brokenAt: row.id,
          reason: 'son contenu ne correspond plus à son empreinte (entrée modifiée)',
        };
      }
      prev = String(row.hash);
      afterSeq = row.seq ?? afterSeq;
      count++;
    }
  }
}
