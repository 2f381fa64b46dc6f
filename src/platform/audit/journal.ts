import { createHash } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { Actor } from '../auth/policy.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/**
 * The audit journal: every security event and every access to or change of personal
 * data. Entries are chained: each one's hash covers its content and the previous hash,
 * so changing or removing an old entry breaks every hash after it.
 */

export const GENESIS_HASH = '0'.repeat(64);
/** Serialises writers across processes, so that the chain never forks. */
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
type ChainedFields = Omit<Selectable<Database['audit_event']>, 'id' | 'prev_hash' | 'hash'>;

/** JSON with keys sorted at every level: the same content always gives the same text. */
function canonical(value: unknown): string {
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

/** Appends one event to the journal; `db` may be a transaction. */
export async function audit(db: Db, event: AuditEvent): Promise<void> {
  // Millisecond precision: what JavaScript dates keep, so the hash can be recomputed.
  const at = new Date(Math.floor(Date.now()));
  const fields: ChainedFields = {
    at,
    ...actorFields(event.actor),
    action: event.action,
    collectivite_id: event.collectiviteId ?? null,
    subject_type: event.subject?.type ?? null,
    subject_id: event.subject ? String(event.subject.id) : null,
    ip: event.ip ?? null,
    details: event.details ?? {},
  };
  const append = async (trx: Db) => {
    await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
    const last = await trx
      .selectFrom('audit_event')
      .select('hash')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const prev = last?.hash ?? GENESIS_HASH;
    await trx
      .insertInto('audit_event')
      .values({
        ...fields,
        details: JSON.stringify(fields.details),
        prev_hash: prev,
        hash: entryHash(prev, fields),
      })
      .execute();
  };
  // Inside the caller's transaction the event commits (or not) with the change it records.
  if (db.isTransaction) await append(db);
  else await db.transaction().execute(append);
}

export type ChainCheck =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenAt: number; reason: string };

/** Walks the whole chain in order and names the first entry that does not match. */
export async function verifyChain(db: Db, batchSize = 5000): Promise<ChainCheck> {
  let prev = GENESIS_HASH;
  let afterId = 0;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
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
      prev = row.hash;
      afterId = row.id;
      count++;
    }
  }
}
