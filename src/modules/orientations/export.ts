import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import type { Db } from '../../platform/db/database.ts';
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

/** The rows, newest first, read in keyset pages: memory holds one page whatever the size. */
export async function* exportRows(db: Db, helper: Helper, side: Side, status: Status | undefined) {
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    let q = scoped(db, helper, side, status).selectAll();
    if (after) {
      const { at, id } = after;
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows: Referral[] = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(PAGE)
      .execute();
    yield* rows;
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1] as Referral;
    after = { at: last.created_at, id: last.id };
  }
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

/** The workbook, streamed row by row (exceljs' streaming writer) into the returned stream. */
export function referralsXlsxStream(rows: AsyncIterable<Referral>, side: Side): PassThrough {
  const stream = new PassThrough();
  write(rows, side, stream).catch((error) => stream.destroy(error));
  return stream;
}

async function write(rows: AsyncIterable<Referral>, side: Side, stream: Writable): Promise<void> {
  const { default: Excel } = await import('exceljs');
  const workbook: ExcelJS.stream.xlsx.WorkbookWriter = new Excel.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Relais';
  const sheet = workbook.addWorksheet(side === 'envoyees' ? 'Orientations envoyées' : 'Orientations reçues', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = EXPORT_HEADER.map((title, i) => ({
    width: Math.min(40, Math.max(14, title.length + 2)),
    ...(i === 0 || i === 6 ? { style: { numFmt: 'dd/mm/yyyy hh:mm' } } : {}),
  }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: EXPORT_HEADER.length } };
  const header = sheet.addRow([...EXPORT_HEADER]);
  header.font = { bold: true };
  header.commit();
  let written = 0;
  for await (const r of rows) {
    sheet.addRow(exportCells(r, side)).commit();
    if (++written % 500 === 0 && stream.writableNeedDrain && !stream.destroyed) await once(stream, 'drain');
  }
  await workbook.commit();
}
