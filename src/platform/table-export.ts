import { once } from 'node:events';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import { csvStream } from './csv.ts';

/**
 * Lists exported as CSV or XLSX files, streamed: rows are read from the database a page at a
 * time, turned into cells and written as the client reads, so that what sits in memory is a
 * page and the streams' buffers, whatever the size of the export (the design's 250 MB budget
 * holds for a million rows). Modules give their rows as an async iterable of cells, usually
 * through `keysetRows`, and send the file with `sendTable`.
 */

export type Cell = string | number | Date | null | undefined;

export type TableFormat = 'csv' | 'xlsx';

export type Table = {
  /** The headings, in the cells' order. */
  header: readonly string[];
  /** The sheet's name (XLSX). */
  sheet: string;
  /** Number formats of date columns in the workbook, by column index (from 0). */
  dateFormats?: Readonly<Record<number, string>>;
  /** Column widths in the workbook: at least this, at most 40 (12 unless said). */
  minWidth?: number;
  /** CSV: `;` for French spreadsheets (the default), `,` for standards that say so. */
  delimiter?: ';' | ',';
};

const CONTENT_TYPES: Record<TableFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Rows read by pages in a stable order: each page starts after the key of the last row of the
 * one before (keyset pagination, the same on PGlite, which has no server-side cursor, and on a
 * server). `page(after, size)` reads at most `size` rows after `after` (undefined: the first
 * page); a page shorter than `size` is the last. Keys of timestamps should be read as text
 * (`created_at::text`): a JavaScript Date drops PostgreSQL's microseconds and would skip rows.
 */
export async function* keysetRows<Row, Key>(
  page: (after: Key | undefined, size: number) => Promise<Row[]>,
  keyOf: (last: Row) => Key,
  size = 1000,
): AsyncGenerator<Row> {
  let after: Key | undefined;
  for (;;) {
    const rows = await page(after, size);
    yield* rows;
    if (rows.length < size) return;
    after = keyOf(rows[rows.length - 1] as Row);
  }
}

/**
 * The table as CSV: UTF-8 with a byte-order mark (so that Excel reads the accents), the
 * table's delimiter, Windows line ends, ISO dates, formula-like text neutralised (`csvStream`).
 * Backpressure is the pipeline's: rows are read as fast as the client takes the text.
 */
export function csvTable(table: Table, rows: AsyncIterable<Cell[]> | Iterable<Cell[]>): Readable {
  const out = new PassThrough();
  out.write('\uFEFF');
  pipeline(
    Readable.from(rows),
    csvStream({
      header: true,
      columns: [...table.header],
      delimiter: table.delimiter ?? ';',
      record_delimiter: 'windows',
      // A date column (its workbook format without hours) as `YYYY-MM-DD`, an instant in full.
      cast: {
        date: (value, context) =>
          /h/.test(table.dateFormats?.[Number(context.index)] ?? 'h')
            ? value.toISOString()
            : value.toISOString().slice(0, 10),
      },
    }),
    out,
  ).catch((error) => out.destroy(error));
  return out;
}

/**
 * The table as an XLSX workbook (a header row that stays in view, filters, real dates) written
 * to `stream` row by row with exceljs' streaming writer (each row committed, no shared
 * strings): the workbook never sits whole in memory, and the writer waits while `stream` is full.
 */
export async function writeXlsxTable(
  table: Table,
  rows: AsyncIterable<Cell[]> | Iterable<Cell[]>,
  stream: Writable,
): Promise<void> {
  // Loaded on first use: most processes never write a workbook. The streaming writer alone
  // (exceljs' `stream.xlsx.WorkbookWriter`, from its own module): the package's entry point
  // also loads the reader and the in-memory workbook, 12 MB of RSS an export does not use.
  const { default: WorkbookWriter } = (await import(XLSX_STREAM_WRITER)) as {
    default: typeof ExcelJS.stream.xlsx.WorkbookWriter;
  };
  const workbook: ExcelJS.stream.xlsx.WorkbookWriter = new WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Relais';
  const sheet = workbook.addWorksheet(table.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.header.map((title, i) => {
    const numFmt = table.dateFormats?.[i];
    return {
      width: Math.min(40, Math.max(table.minWidth ?? 12, title.length + 2)),
      ...(numFmt ? { style: { numFmt } } : {}),
    };
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.header.length } };
  const header = sheet.addRow([...table.header]);
  header.font = { bold: true };
  header.commit();
  const zipInput = sheetZipInput(sheet);
  let written = 0;
  for await (const cells of rows) {
    sheet.addRow(cells.map((c) => c ?? '')).commit();
    if (++written % 100 !== 0 || stream.destroyed) continue;
    // exceljs writes the sheet into the archive without waiting (its buffer ignores
    // backpressure): wait while the archive's input is full, and while `stream` is.
    if (zipInput?._writableState?.needDrain) await once(zipInput, 'drain');
    if (stream.writableNeedDrain) await once(stream, 'drain');
  }
  await workbook.commit();
}

/** The module of exceljs' streaming writer (the package declares types for its entry point only). */
const XLSX_STREAM_WRITER = 'exceljs/lib/stream/xlsx/workbook-writer.js';

/** A stream of an older `readable-stream` (archiver's): its state, without the newer getters. */
type OldWritable = Writable & { _writableState?: { needDrain?: boolean } };

/**
 * The stream that takes the sheet's XML into the archive (a `readable-stream` 2 PassThrough,
 * where the text waits for the compressor). exceljs' buffer in front of it passes every full
 * buffer on without looking at what `write` answers: left alone, a fast producer piles the
 * sheet up there uncompressed (about 100 MB for 100 000 rows, outside the JavaScript heap).
 */
function sheetZipInput(sheet: object): OldWritable | undefined {
  const internal = sheet as unknown as { stream?: { pipes?: unknown[] } };
  const pipe = internal.stream?.pipes?.[0] as OldWritable | undefined;
  return pipe?._writableState && typeof pipe.once === 'function' ? pipe : undefined;
}

/** The workbook as a stream to send (an error while writing ends it). */
export function xlsxTable(table: Table, rows: AsyncIterable<Cell[]> | Iterable<Cell[]>): Readable {
  const stream = new PassThrough();
  writeXlsxTable(table, rows, stream).catch((error) => stream.destroy(error));
  return stream;
}

/** The table in the format asked for. */
export function tableStream(
  format: TableFormat,
  table: Table,
  rows: AsyncIterable<Cell[]> | Iterable<Cell[]>,
): Readable {
  return format === 'csv' ? csvTable(table, rows) : xlsxTable(table, rows);
}

/** Sends a table as a file to download (`fileName` without its extension), never cached. */
export function sendTable(
  reply: FastifyReply,
  format: TableFormat,
  fileName: string,
  table: Table,
  rows: AsyncIterable<Cell[]> | Iterable<Cell[]>,
): FastifyReply {
  return reply
    .header('content-type', CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="${fileName}.${format}"`)
    .header('cache-control', 'private, no-store')
    .send(tableStream(format, table, rows));
}
