import type ExcelJS from 'exceljs';
import type { Shown } from './disclosure.ts';
import type { Breakdown, StatisticsView } from './presentation.ts';

/**
 * A statistics view as an XLSX workbook: a summary sheet, then one sheet per breakdown and
 * one for the months. It holds the numbers the page shows, rounded the same way: the raw
 * counts never reach a published workbook.
 */

/** Sheet names: 31 characters at most, unique. */
export const SHEET_NAMES: Record<string, string> = {
  type: 'Types d’activité',
  thematique: 'Thématiques',
  demarche: 'Démarches',
  canal: 'Lieux d’activité',
  duree: 'Durées',
  materiel: 'Matériel',
  identite: 'Enregistrées ou anonymes',
  genre: 'Genre',
  age: 'Âge',
  statut: 'Statut',
  commune: 'Communes',
  mois: 'Par mois',
};

/** A cell: numbers stay numbers; "< 5" is written as the page shows it. */
export const cellOf = (value: Shown): number | string => (value === 'lt5' ? '< 5' : value);

const UNITS = { activites: 'Activités', accompagnements: 'Accompagnements' } as const;

export const MASKING_RULE =
  'Mois complets. Chaque nombre du mois (activités, accompagnements, chaque ligne de chaque répartition) ' +
  'est arrondi au multiple de 5 le plus proche, et ceux d’une période en sont la somme : les lignes peuvent ' +
  'ne pas faire exactement le total. Personnes comptées sur la période, arrondies à 5 (« < 5 » de 1 à 4).';

const EXACT_RULE =
  'Nombres exacts : ce fichier est réservé au médiateur et ne doit pas être diffusé tel quel.';

function breakdownSheet(workbook: ExcelJS.Workbook, breakdown: Breakdown): void {
  const sheet = workbook.addWorksheet(SHEET_NAMES[breakdown.id] ?? breakdown.id.slice(0, 31));
  sheet.columns = [{ width: 44 }, { width: 16 }, { width: 10 }];
  sheet.addRow([breakdown.title]).font = { bold: true };
  sheet.addRow([breakdown.title, UNITS[breakdown.unit], 'Part']).font = { bold: true };
  for (const row of breakdown.rows) {
    const added = sheet.addRow([row.label, cellOf(row.value), row.part ?? '']);
    added.getCell(3).numFmt = '0%';
  }
  sheet.addRow([breakdown.multi ? 'Nombre d’activités' : 'Total', cellOf(breakdown.total), '']).font = {
    bold: true,
  };
  if (breakdown.multi)
    sheet.addRow(['Plusieurs choix possibles par activité : les lignes peuvent dépasser le total.']);
  sheet.views = [{ state: 'frozen', ySplit: 2 }];
}

/** The workbook of a view, as bytes. */
export async function statisticsWorkbook(
  view: StatisticsView,
  meta: { title: string; generatedAt?: Date },
): Promise<Buffer> {
  // Loaded on first use: most processes never write a workbook.
  const { default: Excel } = await import('exceljs');
  const workbook: ExcelJS.Workbook = new Excel.Workbook();
  workbook.creator = 'Relais';
  workbook.created = meta.generatedAt ?? new Date();

  const summary = workbook.addWorksheet('Synthèse');
  summary.columns = [{ width: 36 }, { width: 18 }];
  summary.addRow([meta.title]).font = { bold: true, size: 14 };
  summary.addRow(['Du', view.period.du]);
  summary.addRow(['Au', view.period.au]);
  summary.addRow([]);
  summary.addRow(['Indicateur', 'Nombre']).font = { bold: true };
  summary.addRow(['Activités', cellOf(view.summary.activites)]);
  summary.addRow(['Accompagnements', cellOf(view.summary.accompagnements)]);
  summary.addRow(['Personnes accompagnées', cellOf(view.summary.personnes)]);
  summary.addRow(['dont nouvelles', cellOf(view.summary.nouvelles)]);
  summary.addRow(['dont déjà accompagnées avant', cellOf(view.summary.connues)]);
  summary.addRow([]);
  summary.addRow([view.exact ? EXACT_RULE : MASKING_RULE]);
  summary.addRow([
    'Un accompagnement est une personne présente à une activité ; une personne est nouvelle si son premier ' +
      'accompagnement enregistré dans Relais a eu lieu pendant la période.',
  ]);

  for (const breakdown of [...view.activity, ...view.people]) breakdownSheet(workbook, breakdown);

  const months = workbook.addWorksheet(SHEET_NAMES.mois as string);
  months.columns = [{ width: 20 }, { width: 14 }, { width: 18 }];
  months.addRow(['Activités et accompagnements par mois']).font = { bold: true };
  months.addRow(['Mois', 'Activités', 'Accompagnements']).font = { bold: true };
  for (const row of view.months.rows) months.addRow([row.label, row.activites, cellOf(row.accompagnements)]);
  months.addRow(['Total', cellOf(view.summary.activites), cellOf(view.summary.accompagnements)]).font = {
    bold: true,
  };
  months.views = [{ state: 'frozen', ySplit: 2 }];

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
