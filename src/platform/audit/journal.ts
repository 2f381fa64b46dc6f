import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { Actor } from '../auth/policy.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { AuditAction } from './actions.ts';

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
 *
 * The chain alone has no secret: whoever can rewrite the table (its owner can disable the
 * trigger) can recompute it. With a key from the environment (`RELAIS_AUDIT_KEY`, never in the
 * database), the sealer also signs each entry (`mac`: HMAC-SHA256 of its position and hash, so
 * of everything before it). The first entry sealed with a key is `audit.signature.start`; from
 * there on, every entry must carry a valid signature, up to the last one. Entries sealed before
 * the key existed keep verifying by the chain alone.
 */

export const GENESIS_HASH = '0'.repeat(64);
/** Serialises sealers across processes, so that the chain never forks. */
export const CHAIN_LOCK = 7_272_001;

export type AuditEvent = {
  actor: Actor;
  /** A code some module declared with its label (see `actions.ts`): an unknown code does not compile. */
  action: AuditAction;
  collectiviteId?: number | null;
  subject?: { type: string; id: string | number };
  ip?: string | null;
  details?: Record<string, unknown>;
};

/** The action of the entry that opens the signed part of the journal. */
export const SIGNATURE_START = 'audit.signature.start' satisfies AuditAction;

/** The audit key of the configuration, or none. */
export type AuditKey = string | undefined;

/** An entry's signature: HMAC-SHA256 of its position and hash, with the key from the environment. */
export function entryMac(key: string, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`${seq}:${hash}`).digest('hex');
}

function sameMac(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** What an entry's hash covers: all its columns but its id and the hashes. */
type ChainedFields = Omit<Selectable<Database['audit_event']>, 'id' | 'seq' | 'prev_hash' | 'hash' | 'mac'>;

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

/**
 * The row `audit` inserts for an event, for a caller that writes it in a statement of its own
 * (a data-modifying CTE beside the change it records: one round trip, atomic with it).
 */
export function auditRow(event: AuditEvent) {
  return {
    // Millisecond precision: what JavaScript dates keep, so the hash can be recomputed.
    at: new Date(Math.floor(Date.now())),
    ...actorFields(event.actor),
    action: event.action,
    collectivite_id: event.collectiviteId ?? null,
    subject_type: event.subject?.type ?? null,
    subject_id: event.subject ? String(event.subject.id) : null,
    ip: event.ip ?? null,
    details: JSON.stringify(event.details ?? {}),
  };
}

/** Appends one event to the journal, unsealed; `db` may be a transaction. */
export async function audit(db: Db, event: AuditEvent): Promise<void> {
  await db.insertInto('audit_event').values(auditRow(event)).execute();
}

/**
 * Chains every committed, unsealed entry after the last sealed one, in the order they were
 * inserted, by batches; returns how many it sealed. Entries of transactions still running
 * are invisible here and are sealed by a later call, further down the chain. With `skipIfBusy`,
 * a call made while another process seals returns at once (that one seals), instead of waiting
 * for its turn on a connection of the pool. With `key`,
 * each entry is signed too; without it, nothing is sealed after a signed entry (the entries
 * wait for a sealer that has the key), so that the signed part never has a gap.
 */
export async function sealJournal(
  db: Db,
  options: { key?: AuditKey; batchSize?: number; skipIfBusy?: boolean } = {},
): Promise<number> {
  const { key, batchSize = 2000, skipIfBusy = false } = options;
  if (key) await db.transaction().execute((trx) => startSignatures(trx, skipIfBusy));
  let sealed = 0;
  for (;;) {
    const count = await db.transaction().execute((trx) => sealBatch(trx, batchSize, key, skipIfBusy));
    sealed += count;
    if (count < batchSize) return sealed;
  }
}

/**
 * Opens the signed part of the journal with an entry saying so, unless the last entry is signed
 * or the opening entry waits to be sealed. Under the chain's lock, in the caller's transaction:
 * two processes starting at once must not both open it (a second opening reads as tampering).
 */
async function startSignatures(db: Db, skipIfBusy: boolean): Promise<void> {
  if (!(await chainLock(db, skipIfBusy))) return;
  const head = await lastSealed(db);
  if (head?.mac) return;
  const pending = await db
    .selectFrom('audit_event')
    .select('id')
    .where('action', '=', SIGNATURE_START)
    .where('seq', 'is', null)
    .executeTakeFirst();
  if (pending) return;
  await audit(db, {
    actor: { kind: 'system', label: 'journal' },
    action: SIGNATURE_START,
    details: { after_seq: head?.seq ?? 0 },
  });
}

function lastSealed(db: Db) {
  return db
    .selectFrom('audit_event')
    .select(['seq', 'hash', 'mac'])
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Takes the chain's lock for the transaction: waits for it, or, `skipIfBusy`, says whether it was free. */
async function chainLock(trx: Db, skipIfBusy: boolean): Promise<boolean> {
  if (!skipIfBusy) {
    await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
    return true;
  }
  const { rows } = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(${CHAIN_LOCK}) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

async function sealBatch(trx: Db, batchSize: number, key: AuditKey, skipIfBusy: boolean): Promise<number> {
  if (!(await chainLock(trx, skipIfBusy))) return 0;
  const last = await lastSealed(trx);
  if (!key && last?.mac) return 0;
  const rows = await trx
    .selectFrom('audit_event')
    .selectAll()
    .where('seq', 'is', null)
    .orderBy('id')
    .limit(batchSize)
    .execute();
  // Without the key, stop before the entry that opens the signatures: only a keyed sealer seals it.
  const start = key ? -1 : rows.findIndex((row) => row.action === SIGNATURE_START);
  if (start >= 0) rows.splice(start);
  if (rows.length === 0) return 0;
  let prev = last?.hash ?? GENESIS_HASH;
  let seq = last?.seq ?? 0;
  // Entries that waited before the one opening the signatures stay unsigned, as they would
  // have been sealed without the key; signing starts with that entry.
  let signing = Boolean(last?.mac);
  const seals = rows.map((row) => {
    const hash = entryHash(prev, row);
    seq++;
    if (row.action === SIGNATURE_START) signing = true;
    const mac = key && signing ? entryMac(key, seq, hash) : null;
    const seal = sql`(${row.id}::bigint, ${seq}::bigint, ${prev}, ${hash}, ${mac}::text)`;
    prev = hash;
    return seal;
  });
  await sql`
    update audit_event e set seq = s.seq, prev_hash = s.prev_hash, hash = s.hash, mac = s.mac
    from (values ${sql.join(seals)}) as s(id, seq, prev_hash, hash, mac)
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

/**
 * Seals the journal every `intervalMs` until the returned function is called. Every app process
 * runs one; one seals at a time (the chain's lock), and a tick finds nothing to do while the
 * previous one of this process, or another process's sealer, is still at work.
 */
export function startSealer(
  db: Db,
  onError: (error: unknown) => void,
  options: { key?: AuditKey; intervalMs?: number } = {},
): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  let last: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (running) return;
    running = sealJournal(db, { key: options.key, skipIfBusy: true })
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
    last = running;
  }, options.intervalMs ?? 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await last;
  };
}

export type ChainCheck =
  | { ok: true; count: number; signedFrom?: number | null }
  | { ok: false; count: number; brokenAt: number; reason: string };

/**
 * Walks the sealed chain in order and names (by id) the first entry that does not match.
 * With `key`, it also checks the signatures: every entry from the first signed one on must be
 * signed with that key, and so must the last one whenever any is (`signedFrom`: the position
 * of the first signed entry, null when none is).
 */
export async function verifyChain(
  db: Db,
  options: { key?: AuditKey; batchSize?: number } = {},
): Promise<ChainCheck> {
  const { key, batchSize = 5000 } = options;
  let prev = GENESIS_HASH;
  let afterSeq = 0;
  let count = 0;
  let signedFrom: number | null = null;
  const broken = (id: number, reason: string): ChainCheck => ({ ok: false, count, brokenAt: id, reason });
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return key ? { ok: true, count, signedFrom } : { ok: true, count };
    for (const row of rows) {
      if (row.prev_hash !== prev) {
        return broken(
          row.id,
          'le lien vers l’entrée précédente ne correspond pas (entrée supprimée ou insérée)',
        );
      }
      const hash = entryHash(prev, row);
      if (hash !== row.hash) {
        return broken(row.id, 'son contenu ne correspond plus à son empreinte (entrée modifiée)');
      }
      if (key) {
        const problem = signatureProblem(key, row, hash, signedFrom !== null);
        if (problem) return broken(row.id, problem);
        if (row.mac && signedFrom === null) signedFrom = Number(row.seq);
      }
      prev = hash;
      afterSeq = row.seq ?? afterSeq;
      count++;
    }
  }
}

/** Why an entry's signature does not hold, or null; `signing`: an earlier entry was signed. */
function signatureProblem(
  key: string,
  row: { seq: number | null; mac: string | null; action: string },
  hash: string,
  signing: boolean,
): string | null {
  if (row.mac && !sameMac(row.mac, entryMac(key, Number(row.seq), hash))) {
    return 'sa signature ne correspond pas à la clé du journal (entrée réécrite)';
  }
  if (!row.mac && (signing || row.action === SIGNATURE_START)) {
    return 'elle n’est pas signée alors qu’elle devrait l’être (signatures retirées, entrée réécrite)';
  }
  if (row.action === SIGNATURE_START && signing) {
    return 'les signatures sont ouvertes une seconde fois (signatures retirées puis recommencées)';
  }
  if (row.mac && !signing && row.action !== SIGNATURE_START) {
    return 'les signatures ne commencent pas par l’entrée qui les ouvre';
  }
  return null;
}
