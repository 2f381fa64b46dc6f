import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import type { Db } from '../../platform/db/database.ts';
import { keysetRows, sendTable, type Table } from '../../platform/table-export.ts';
import type { Helper } from '../mediateurs/index.ts';
import { placeIdsOf } from '../mediateurs/index.ts';
import { fullNameOf, type Referral, shortNameOf } from './referral.ts';
import { REFUSAL_REASONS, STATUSES, type Status } from './vocabulary.ts';

/** The national columns of a referral export (date, status, person, structure and service, sender), then the answer. */
export const EXPORT_HEADER = [
  'Date d’envoi',
  'Statut',
  'Personne',
  'Structure',
  'Service',
  'Émetteur',
  'Date de réponse',
  'Motifs de refus',
] as const;

export type Side = 'envoyees' | 'recues';
const PAGE = 500;
const ACCEPTED = new Set<Status>(['acceptee', 'honoree', 'non_honoree']);

const scoped = (db: Db, helper: Helper, side: Side, status: Status | undefined) => {
  let q = db.selectFrom('orientation');
  q =
    side === 'envoyees'
      ? q.where('sent_by', '=', helper.userId)
      : q.where(sql<boolean>`lieu_id in (${placeIdsOf(helper.userId)})`);
  return status ? q.where('status', '=', status) : q;
};

/** How many rows the export holds (journaled before the first byte leaves). */
export async function countExport(
  db: Db,
  helper: Helper,
  side: Side,
  status: Status | undefined,
): Promise<number> {
  const { n } = await scoped(db, helper, side, status)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * The rows, newest first, read in keyset pages: memory holds one page whatever the size. The
 * key is read as text: a Date would lose PostgreSQL's microseconds and skip rows.
 */
export function exportRows(db: Db, helper: Helper, side: Side, status: Status | undefined) {
  return keysetRows<Referral & { key: string }, { at: string; id: string }>(
    (after, size) => {
      let q = scoped(db, helper, side, status).selectAll().select(sql<string>`created_at::text`.as('key'));
      if (after) q = q.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(size).execute();
    },
    (last) => ({ at: last.key, id: last.id }),
    PAGE,
  );
}

/** One row's cells; the receiving side sees the person's full name only once accepted. */
export function exportCells(r: Referral, side: Side): (string | Date)[] {
  return [
    r.created_at,
    STATUSES[r.status],
    side === 'envoyees' || ACCEPTED.has(r.status) ? fullNameOf(r) : shortNameOf(r),
    r.destination_name,
    r.service,
    r.sender_name,
    r.answered_at ?? '',
    r.refusal_reasons.map((c) => REFUSAL_REASONS[c as keyof typeof REFUSAL_REASONS] ?? c).join(', '),
  ];
}

export async function journalExport(
  db: Db,
  helper: Helper,
  side: Side,
  status: Status | undefined,
  rows: number,
) {
  await audit(db, {
    actor: helper.actor,
    action: 'orientation.export',
    collectiviteId: helper.collectiviteId,
    details: { format: 'xlsx', sens: side, ...(status ? { statut: status } : {}), lignes: rows },
  });
}

/** The referrals as a workbook to download, streamed row by row. */
export function sendReferrals(
  reply: FastifyReply,
  fileName: string,
  rows: AsyncIterable<Referral>,
  side: Side,
) {
  const table: Table = {
    header: EXPORT_HEADER,
    sheet: side === 'envoyees' ? 'Orientations envoyées' : 'Orientations reçues',
    dateFormats: { 0: 'dd/mm/yyyy hh:mm', 6: 'dd/mm/yyyy hh:mm' },
    minWidth: 14,
  };
  const cells = async function* () {
    for await (const r of rows) yield exportCells(r, side);
  };
  return sendTable(reply, 'xlsx', fileName, table, cells());
}
