import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { csvTable, keysetRows, type Table, writeXlsxTable, xlsxTable } from './table-export.ts';
import { timeSlicer } from './time-slice.ts';

const TABLE: Table = {
  header: ['Jour', 'Envoyé', 'Nom', 'Nombre'],
  sheet: 'Essai',
  dateFormats: { 0: 'dd/mm/yyyy', 1: 'dd/mm/yyyy hh:mm' },
};
const DAY = new Date('2026-03-02T00:00:00Z');
const AT = new Date('2026-03-02T09:30:00.250Z');

test('keysetRows reads every row once, page after page, whatever the page size', async () => {
  const all = Array.from({ length: 23 }, (_, i) => ({ id: 100 - i }));
  for (const size of [1, 5, 23, 50]) {
    const asked: (number | undefined)[] = [];
    const rows: { id: number }[] = [];
    const pages = keysetRows<{ id: number }, number>(
      async (after, n) => {
        asked.push(after);
        return all.filter((r) => after === undefined || r.id < after).slice(0, n);
      },
      (last) => last.id,
      size,
    );
    for await (const row of pages) rows.push(row);
    assert.deepEqual(rows, all, `size ${size}`);
    assert.equal(asked.length, Math.floor(all.length / size) + 1, `size ${size}`);
  }
});

test('the CSV has a BOM, the header, `;`, Windows line ends, dates as ISO text, and no formula', async () => {
  const rows = async function* () {
    yield [DAY, AT, '=HYPERLINK("x")', 3];
    yield [DAY, null, 'Lyon', -2.5];
  };
  const text = (await buffer(csvTable(TABLE, rows()))).toString('utf8');
  assert.ok(text.startsWith('\uFEFFJour;Envoyé;Nom;Nombre\r\n'));
  const records = parse(text.slice(1), { delimiter: ';' }) as string[][];
  assert.deepEqual(records.slice(1), [
    ['2026-03-02', '2026-03-02T09:30:00.250Z', '\'=HYPERLINK("x")', '3'],
    ['2026-03-02', '', 'Lyon', '-2.5'],
  ]);
});

test('the workbook read back has the header, real dates and numbers, one row per row given', async () => {
  const rows = Array.from({ length: 1200 }, (_, i) => [DAY, AT, `Lieu ${i}`, i]);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await buffer(xlsxTable(TABLE, rows))) as never);
  const sheet = workbook.getWorksheet('Essai')!;
  assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), [...TABLE.header]);
  assert.equal(sheet.actualRowCount, 1201);
  const last = (sheet.getRow(1201).values as unknown[]).slice(1);
  assert.deepEqual(last, [DAY, AT, 'Lieu 1199', 1199]);
  assert.equal(sheet.getRow(2).getCell(1).numFmt, 'dd/mm/yyyy');
});

test('the workbook is compressed and sent while rows are still read, not piled up before the compressor', async () => {
  // Rows that cost no I/O (a fast database page): without backpressure on the archive's input,
  // every row is turned into XML before the compressor gets a turn, and the sheet waits whole
  // in memory. With it, the file reaches the client while the rows are read.
  const total = 10_000;
  let read = 0;
  let readWhenSent = -1;
  const rows = function* () {
    for (; read < total; read++) yield [DAY, AT, `Lieu ${read} ${'x'.repeat(40)}`, read];
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      // The first bytes of the sheet itself (the archive's first entries are small).
      sent += chunk.length;
      if (readWhenSent < 0 && sent > 64 * 1024) readWhenSent = read;
      done();
    },
  });
  let sent = 0;
  await writeXlsxTable(TABLE, rows(), sink);
  assert.ok(sent > 64 * 1024, `the file is ${sent} bytes`);
  assert.ok(
    readWhenSent >= 0 && readWhenSent < total / 2,
    `${readWhenSent} of ${total} rows read when the first 64 KB went out`,
  );
});

test('a time slicer gives the event loop back once its budget is spent, and not before', async () => {
  for (const [budget, yields] of [
    [0, true],
    [60_000, false],
  ] as const) {
    const pause = timeSlicer(budget);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await pause();
    assert.equal(ran, yields, `budget ${budget} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
});
