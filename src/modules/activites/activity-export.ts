import { once } from 'node:events';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type ExcelJS from 'exceljs';
import { csvStream, csvText } from '../../platform/csv.ts';
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

export const EXPORT_HEADER = [
  'Date',
  'Type',
  'Participants',
  'Canal',
  'Lieu',
  'Commune du lieu',
  'Code postal du lieu',
  'Code INSEE du lieu',
  'Durée (minutes)',
  'Nom de l’atelier',
  'Matériel',
  'Thématiques',
  'Démarches',
  'Autonomie ou niveau',
  'Orienté',
  'Orientation',
  'Commune du bénéficiaire',
  'Code INSEE du bénéficiaire',
  'Genre',
  'Tranche d’âge',
  'Statut',
  'Identifiant du compte rendu',
] as const;

type Cell = string | number | Date;

/** One row's cells, in the header's order (the date as a `Date` for the spreadsheet). */
export function exportCells(r: ExportRow, dateAs: 'text' | 'date'): Cell[] {
  const otherCommune = !r.lieu && r.commune_insee ? findCommune(r.commune_insee) : null;
  return [
    dateAs === 'date' ? new Date(`${r.date}T00:00:00Z`) : r.date,
    labelOf(TYPES_ACTIVITE, r.type),
    r.participants,
    labelOf(CANAUX, r.canal),
    r.lieu?.nom ?? '',
    r.lieu?.commune ?? otherCommune?.name ?? '',
    r.lieu?.code_postal ?? (otherCommune?.postcodes.length === 1 ? otherCommune.postcodes[0]! : ''),
    r.lieu?.code_insee ?? r.commune_insee ?? '',
    r.duree_min,
    r.titre ?? '',
    labelsOf(MATERIELS, r.materiels),
    labelsOf(THEMATIQUES, r.thematiques),
    labelsOf(DEMARCHES, r.demarches),
    r.type === 'collectif' ? labelOf(NIVEAUX_ATELIER, r.niveau) : labelOf(AUTONOMIES, r.autonomie),
    r.oriente ? 'oui' : 'non',
    labelOf(STRUCTURES_REDIRECTION, r.orientation),
    r.beneficiaire.commune_insee ? (findCommune(r.beneficiaire.commune_insee)?.name ?? '') : '',
    r.beneficiaire.commune_insee ?? '',
    labelOf(GENRES, r.beneficiaire.genre),
    labelOf(TRANCHES_AGE, r.beneficiaire.tranche_age),
    labelOf(STATUTS, r.beneficiaire.statut),
    r.activite_id,
  ];
}

/** The CSV settings of a French spreadsheet: `;` between fields, Windows line ends. */
const CSV_OPTIONS = {
  header: true,
  columns: [...EXPORT_HEADER],
  delimiter: ';',
  record_delimiter: 'windows',
} as const;

/**
 * CSV for spreadsheets set up in French: UTF-8 with a byte-order mark, `;` between fields
 * (what a French Excel expects on opening), ISO dates.
 */
export function activitiesCsv(rows: ExportRow[]): string {
  return `\uFEFF${csvText(
    rows.map((r) => exportCells(r, 'text')),
    CSV_OPTIONS,
  )}`;
}

/**
 * The same CSV as a stream, from rows read page by page: what sits in memory is a page and
 * the stream's buffers, whatever the size (the pipeline waits for the client to read).
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
