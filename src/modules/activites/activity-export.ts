import { once } from 'node:events';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type ExcelJS from 'exceljs';
import { csvStream } from '../../platform/csv.ts';
import { labelOf, labelsOf } from '../../platform/forms.ts';
import { GENRES, STATUTS, TRANCHES_AGE } from '../beneficiaires/index.ts';
import { findCommune } from '../territoires/index.ts';
import type { ExportRow } from './activity-service.ts';
import {
  AUTONOMIES,
  CANAUX,
  DEMARCHES,
  MATERIELS,
  NIVEAUX_ATELIER,
  STRUCTURES_REDIRECTION,
  THEMATIQUES,
  TYPES_ACTIVITE,
} from './vocabulary.ts';

/**
 * The helper's reports as a table, one row per participation, with the columns of the
 * national activity-report exports (French labels of the national codes).
 */

type Cell = string | number | Date;

/** The commune of a report that took place elsewhere than at one of the helper's places. */
const otherCommune = (r: ExportRow) =>
  !r.lieu && r.commune_insee ? findCommune(r.commune_insee) : undefined;

/** A commune's postcode, when it has only one. */
const onlyPostcode = (postcodes: readonly string[]) => (postcodes.length === 1 ? postcodes[0]! : '');

/** Each column's heading and its cell of a row (the date as a `Date` for the spreadsheet). */
const COLUMNS: [string, (r: ExportRow, dateAs: 'text' | 'date') => Cell][] = [
  ['Date', (r, dateAs) => (dateAs === 'date' ? new Date(`${r.date}T00:00:00Z`) : r.date)],
  ['Type', (r) => labelOf(TYPES_ACTIVITE, r.type)],
  ['Participants', (r) => r.participants],
  ['Canal', (r) => labelOf(CANAUX, r.canal)],
  ['Lieu', (r) => r.lieu?.nom ?? ''],
  ['Commune du lieu', (r) => r.lieu?.commune ?? otherCommune(r)?.name ?? ''],
  ['Code postal du lieu', (r) => r.lieu?.code_postal ?? onlyPostcode(otherCommune(r)?.postcodes ?? [])],
  ['Code INSEE du lieu', (r) => r.lieu?.code_insee ?? r.commune_insee ?? ''],
  ['Durée (minutes)', (r) => r.duree_min],
  ['Nom de l’atelier', (r) => r.titre ?? ''],
  ['Matériel', (r) => labelsOf(MATERIELS, r.materiels)],
  ['Thématiques', (r) => labelsOf(THEMATIQUES, r.thematiques)],
  ['Démarches', (r) => labelsOf(DEMARCHES, r.demarches)],
  [
    'Autonomie ou niveau',
    (r) => (r.type === 'collectif' ? labelOf(NIVEAUX_ATELIER, r.niveau) : labelOf(AUTONOMIES, r.autonomie)),
  ],
  ['Orienté', (r) => (r.oriente ? 'oui' : 'non')],
  ['Orientation', (r) => labelOf(STRUCTURES_REDIRECTION, r.orientation)],
  [
    'Commune du bénéficiaire',
    ({ beneficiaire: b }) => (b.commune_insee ? (findCommune(b.commune_insee)?.name ?? '') : ''),
  ],
  ['Code INSEE du bénéficiaire', (r) => r.beneficiaire.commune_insee ?? ''],
  ['Genre', (r) => labelOf(GENRES, r.beneficiaire.genre)],
  ['Tranche d’âge', (r) => labelOf(TRANCHES_AGE, r.beneficiaire.tranche_age)],
  ['Statut', (r) => labelOf(STATUTS, r.beneficiaire.statut)],
  ['Identifiant du compte rendu', (r) => r.activite_id],
];

export const EXPORT_HEADER = COLUMNS.map(([heading]) => heading);

/** One row's cells, in the header's order. */
const exportCells = (r: ExportRow, dateAs: 'text' | 'date'): Cell[] =>
  COLUMNS.map(([, cell]) => cell(r, dateAs));

/** The CSV settings of a French spreadsheet: `;` between fields, Windows line ends. */
const CSV_OPTIONS = {
  header: true,
  columns: [...EXPORT_HEADER],
  delimiter: ';',
  record_delimiter: 'windows',
} as const;

/**
 * CSV for spreadsheets set up in French: UTF-8 with a byte-order mark, `;` between fields
 * (what a French Excel expects on opening), ISO dates. Streamed from rows read page by page:
 * what sits in memory is a page and the stream's buffers, whatever the size (the pipeline
 * waits for the client to read).
 */
export function activitiesCsvStream(rows: AsyncIterable<ExportRow> | Iterable<ExportRow>): Readable {
  const cells = async function* () {
    for await (const r of rows) yield exportCells(r, 'text');
  };
  const out = new PassThrough();
  out.write('\uFEFF');
  pipeline(Readable.from(cells()), csvStream(CSV_OPTIONS), out).catch((error) => out.destroy(error));
  return out;
}

/** Waits until `stream` has room again (a slow reader holds the writer back). */
async function room(stream: Writable): Promise<void> {
  if (stream.writableNeedDrain && !stream.destroyed) await once(stream, 'drain');
}

/**
 * The same table as an XLSX workbook (a header row that stays in view, filters, real dates),
 * written to `stream` row by row as it is built (exceljs' streaming writer, no shared strings):
 * a large export never sits whole in memory, and the writer waits while `stream` is full.
 */
export async function writeActivitiesXlsx(
  rows: AsyncIterable<ExportRow> | Iterable<ExportRow>,
  stream: Writable,
): Promise<void> {
  // Loaded on first use: most processes never write a workbook.
  const { default: Excel } = await import('exceljs');
  const workbook: ExcelJS.stream.xlsx.WorkbookWriter = new Excel.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Relais';
  const sheet = workbook.addWorksheet('Comptes rendus', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = EXPORT_HEADER.map((title, i) => ({
    width: Math.min(40, Math.max(12, title.length + 2)),
    ...(i === 0 ? { style: { numFmt: 'dd/mm/yyyy' } } : {}),
  }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: EXPORT_HEADER.length } };
  const header = sheet.addRow([...EXPORT_HEADER]);
  header.font = { bold: true };
  header.commit();
  let written = 0;
  for await (const r of rows) {
    sheet.addRow(exportCells(r, 'date')).commit();
    if (++written % 500 === 0) await room(stream);
  }
  await workbook.commit();
}

/** The workbook as a stream to send (an error while writing ends it). */
export function activitiesXlsxStream(rows: AsyncIterable<ExportRow> | Iterable<ExportRow>): PassThrough {
  const stream = new PassThrough();
  writeActivitiesXlsx(rows, stream).catch((error) => stream.destroy(error));
  return stream;
}
