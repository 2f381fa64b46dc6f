import type { Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { labelOf, labelsOf } from '../../platform/forms.ts';
import {
  type Cell,
  sendTable,
  type Table,
  type TableFormat,
  tableStream,
  writeXlsxTable,
} from '../../platform/table-export.ts';
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

/** The commune of a report that took place elsewhere than at one of the helper's places. */
const otherCommune = (r: ExportRow) =>
  !r.lieu && r.commune_insee ? findCommune(r.commune_insee) : undefined;

/** A commune's postcode, when it has only one. */
const onlyPostcode = (postcodes: readonly string[]) => (postcodes.length === 1 ? postcodes[0]! : '');

/** Each column's heading and its cell of a row (the date as a `Date`: a date in the workbook). */
const COLUMNS: [string, (r: ExportRow) => Cell][] = [
  ['Date', (r) => new Date(`${r.date}T00:00:00Z`)],
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
const exportCells = (r: ExportRow): Cell[] => COLUMNS.map(([, cell]) => cell(r));

/** The table of the exports; the report's date as a date in the workbook. */
const TABLE: Table = {
  header: EXPORT_HEADER,
  sheet: 'Comptes rendus',
  dateFormats: { 0: 'dd/mm/yyyy' },
};

async function* cellsOf(rows: AsyncIterable<ExportRow> | Iterable<ExportRow>): AsyncGenerator<Cell[]> {
  for await (const r of rows) yield exportCells(r);
}

/**
 * The reports as CSV (`;`, BOM, ISO dates) or XLSX, streamed from rows read page by page: what
 * sits in memory is a page and the streams' buffers, whatever the size.
 */
export const activitiesStream = (format: TableFormat, rows: AsyncIterable<ExportRow> | Iterable<ExportRow>) =>
  tableStream(format, TABLE, cellsOf(rows));

/** Sends the reports as a file to download. */
export const sendActivities = (
  reply: FastifyReply,
  format: TableFormat,
  fileName: string,
  rows: AsyncIterable<ExportRow>,
) => sendTable(reply, format, fileName, TABLE, cellsOf(rows));

/** The workbook written into `stream` (the bench's sink). */
export const writeActivitiesXlsx = (rows: AsyncIterable<ExportRow> | Iterable<ExportRow>, stream: Writable) =>
  writeXlsxTable(TABLE, cellsOf(rows), stream);
