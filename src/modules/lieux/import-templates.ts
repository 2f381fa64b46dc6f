import { csvText } from '../../platform/csv.ts';
import { PHONE_FORMAT } from './validation.ts';
import { LMN_FIELD_NAMES, LMN_FIELDS, type LmnField } from './vocabulary.ts';

/**
 * The templates offered on the import page, made from the standard's columns (never
 * checked-in files, so that they follow the standard's fields as Relais knows them).
 */

/** The CSV template: the standard's header, comma-separated, with a BOM for spreadsheets. */
export function csvTemplate(): string {
  return `\uFEFF${csvText([[...LMN_FIELD_NAMES]])}`;
}

/** What a person types in a column, in French. */
function helpOf(field: LmnField): string {
  const parts: string[] = [];
  if (field.name === 'id')
    parts.push('un identifiant unique du lieu dans votre fichier, par exemple lieu-001');
  else if (field.name === 'telephone') parts.push(PHONE_FORMAT);
  else if (field.kind === 'date') parts.push('date, par exemple 2026-01-31 ou 31/01/2026');
  else if (field.name === 'horaires')
    parts.push('format OpenStreetMap, par exemple Mo-Fr 09:00-12:00,14:00-17:00');
  else if (field.kind === 'number') parts.push('degrés décimaux, par exemple 45.7719');
  else if (field.rule) parts.push(field.rule);
  if (field.maxLength) parts.push(`${field.maxLength} caractères au plus`);
  if (field.values) parts.push(`valeurs possibles : ${field.values.join(' ; ')}`);
  if (field.kind === 'multi') parts.push('plusieurs valeurs séparées par « | »');
  return parts.join(' ; ');
}

/**
 * The XLSX template: a « Lieux » sheet with the standard's header (the sheet Relais reads, as
 * the first one), and an « Aide » sheet saying what each column holds.
 */
export async function xlsxTemplate(): Promise<Buffer> {
  // Loaded on first use: most processes never write a workbook.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  workbook.creator = 'Relais';
  const sheet = workbook.addWorksheet('Lieux', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = LMN_FIELDS.map((f) => ({
    header: f.name,
    key: f.name,
    width: Math.min(40, Math.max(12, f.name.length + 4)),
    // Codes stay text: a spreadsheet would drop their leading zeros.
    style: ['code_postal', 'code_insee', 'pivot', 'telephone'].includes(f.name) ? { numFmt: '@' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  LMN_FIELDS.forEach((f, i) => {
    sheet.getCell(1, i + 1).note = `${f.label}${f.required ? ' (obligatoire)' : ''}`;
  });
  const help = workbook.addWorksheet('Aide');
  help.columns = [
    { header: 'Colonne', key: 'name', width: 34 },
    { header: 'Ce qu’elle contient', key: 'label', width: 40 },
    { header: 'Obligatoire', key: 'required', width: 12 },
    { header: 'Comment la remplir', key: 'help', width: 100 },
  ];
  help.getRow(1).font = { bold: true };
  for (const f of LMN_FIELDS)
    help.addRow({ name: f.name, label: f.label, required: f.required ? 'oui' : 'non', help: helpOf(f) });
  help.getColumn('help').alignment = { wrapText: true, vertical: 'top' };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
