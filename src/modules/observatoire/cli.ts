import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { systemActor } from '../../platform/auth/policy.ts';
import { commandGroup } from '../../platform/cli.ts';
import { CliError } from '../../platform/cli-error.ts';
import { csvText } from '../../platform/csv.ts';
import type { CliContext } from '../../platform/module.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { KIND_LABELS, MOTIFS, type Motif } from './ifn-file.ts';
import { type IfnImportReport, importIfn, MAX_YEAR, MIN_YEAR, reportRecords } from './import.ts';

type IfnFlags = { millesime?: string; dryRun?: boolean; strict?: boolean; rapport?: string };

/** Why nothing was written, or null when the vintage was written. */
export function refusal(report: IfnImportReport): string | null {
  if (report.written) return null;
  if (report.dryRun) return 'Essai (--dry-run) : rien n’a été enregistré.';
  if (report.imported === 0) return 'Aucune ligne n’est valable : rien n’a été enregistré.';
  return 'Import strict (--strict) refusé : des lignes sont rejetées, rien n’a été enregistré.';
}

const byReason = (counts: Partial<Record<Motif, number>>) =>
  (Object.entries(counts) as [Motif, number][]).map(([motif, n]) => `    ${MOTIFS[motif]} : ${n}`);

/** The report as a person reads it in a terminal: counts, reasons, then each rejected row and why. */
export function reportText(report: IfnImportReport): string {
  const level = KIND_LABELS[report.kind].many;
  const lines = [
    `${report.fileName} : indice de fragilité numérique des ${level}, millésime ${report.year}` +
      (report.yearDefaulted ? ' (année en cours : précisez --millesime pour un autre)' : ''),
    `  lignes lues : ${report.read}`,
    `  importées : ${report.imported}`,
    `  rejetées : ${report.rejected}`,
  ];
  if (report.rejected > 0)
    lines.push('  rejets par motif (une ligne peut en avoir plusieurs) :', ...byReason(report.rejectedBy));
  const warned = report.rows.filter((r) => r.result === 'imported' && r.warnings.length > 0).length;
  if (warned > 0) lines.push(`  importées avec un avertissement : ${warned}`, ...byReason(report.warnedBy));
  for (const note of report.fileNotes) lines.push(`  fichier : colonne « ${note.field} » ${note.reason}`);
  for (const row of report.rows) {
    if (row.errors.length === 0) continue;
    const errors = row.errors.map((e) =>
      `${e.field}${e.value ? ` « ${e.value} »` : ''} : ${e.reason}`.trimStart(),
    );
    lines.push(`  ligne ${row.line} (${row.code || 'sans code'} ${row.name}) ${errors.join(' ; ')}`);
  }
  if (report.replaces) {
    const before = `${report.year} des ${level} importé le ${formatDateTime(report.replaces.importedAt, 'short')} par ${report.replaces.importedBy}`;
    lines.push(report.written ? `Remplace le millésime ${before}.` : `Remplacerait le millésime ${before}.`);
  }
  lines.push(refusal(report) ?? `Enregistré (${(report.durationMs / 1000).toFixed(1)} s).`);
  return lines.join('\n');
}

/** A year given on the command line, or why it is refused. */
function parseYear(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new CliError(
      `Millésime invalide « ${value} » : une année sur quatre chiffres, entre ${MIN_YEAR} et ${MAX_YEAR} (par exemple 2023).`,
    );
  }
  return year;
}

export function observatoireCli({ program, withDb }: CliContext): void {
  commandGroup(program, 'import', 'Importer des données')
    .command('ifn')
    .description(
      'Importer un millésime de l’indice de fragilité numérique de la MedNum (CSV des communes ou des EPCI)',
    )
    .argument(
      '<fichier>',
      'CSV aux colonnes name,division,code,no_thd_coverage_rate,no_4g_coverage_rate,poverty_rate,older_65_rate,nscol15p_rate,total',
    )
    .option(
      '--millesime <année>',
      'année de l’indice (par défaut l’année en cours) ; réimporter une année la remplace',
    )
    .option('--dry-run', 'tout vérifier sans rien enregistrer')
    .option('--strict', 'ne rien enregistrer si une ligne est rejetée')
    .option('--rapport <fichier>', 'écrire le rapport détaillé en CSV (une ligne par ligne du fichier)')
    .action((file: string, flags: IfnFlags) => {
      const year = parseYear(flags.millesime);
      return withDb(async ({ db }) => {
        const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
          const reason = error.code === 'ENOENT' ? 'fichier introuvable' : error.message;
          throw new CliError(`Lecture impossible de ${file} : ${reason}`);
        });
        const result = await importIfn(db, systemActor('cli'), bytes, {
          fileName: path.basename(file),
          year,
          dryRun: flags.dryRun,
          strict: flags.strict,
        });
        if (!result.ok) throw new CliError(result.reason);
        console.log(reportText(result.report));
        if (flags.rapport) {
          await writeFile(flags.rapport, csvText(reportRecords(result.report.rows, result.report.fileNotes)));
          console.log(`Rapport détaillé : ${flags.rapport}`);
        }
        // A CliError, not process.exitCode: main.ts sets the exit code from runCli's result.
        if (!result.report.written && !result.report.dryRun) {
          throw new CliError(`import refusé, ${result.report.rejected} ligne(s) rejetée(s).`);
        }
      });
    });
}
