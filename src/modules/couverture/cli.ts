import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commandGroup } from '../../platform/cli.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';
import { type CentresReport, importCentres } from './centres-file.ts';

const IGNORED_LABELS = {
  doublon: 'lignes en double (première position gardée)',
  arrondissement: 'arrondissements municipaux (la commune a son propre code)',
  deleguee: 'communes déléguées ou associées (la commune nouvelle a son propre code)',
  etranger: 'codes de pays étrangers',
} as const;

/** The report as a person reads it in a terminal: counts, then each rejected row and why. */
export function centresReportText(report: CentresReport): string {
  const lines = [
    `${report.fileName} (source « ${report.source} », colonnes ${report.columns.join(', ')})`,
    `  lignes lues : ${report.read}`,
    `  communes positionnées : ${report.communes}`,
  ];
  for (const [kind, label] of Object.entries(IGNORED_LABELS) as [keyof typeof IGNORED_LABELS, string][]) {
    if (report.ignored[kind] > 0) lines.push(`  ignorées, ${label} : ${report.ignored[kind]}`);
  }
  lines.push(`  rejetées : ${report.rejectedRows}`);
  for (const r of report.rejections) lines.push(`  ligne ${r.line} ${r.field} « ${r.value} » : ${r.reason}`);
  if (report.dryRun) {
    lines.push(
      report.rejectedRows > 0
        ? 'Essai (--dry-run) : le fichier serait refusé ; rien n’a été enregistré.'
        : 'Essai (--dry-run) : rien n’a été enregistré.',
    );
  } else if (report.written) {
    lines.push('Enregistré.');
  } else {
    lines.push('Fichier refusé : des lignes sont rejetées, rien n’a été enregistré.');
  }
  return lines.join('\n');
}

export function couvertureCli({ program, withDb }: CliContext): void {
  commandGroup(program, 'import', 'Importer des données')
    .command('centres')
    .description(
      'Importer la position de référence des communes (mairie ou centre), d’où se mesurent les distances de la couverture',
    )
    .argument(
      '<fichier>',
      'CSV avec un code INSEE (code_insee, code_commune_insee, codgeo…) et latitude/longitude (latitude, latitude_mairie, latitude_centre, lat…) ou coordonnees_gps « lat, lon »',
    )
    .option('--source <nom>', 'nom de la source (par défaut le nom du fichier)')
    .option('--dry-run', 'tout vérifier sans rien enregistrer')
    .action((file: string, flags: { source?: string; dryRun?: boolean }) =>
      withDb(async ({ db }) => {
        const content = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
          const reason = error.code === 'ENOENT' ? 'fichier introuvable' : error.message;
          throw new CliError(`Lecture impossible de ${file} : ${reason}`);
        });
        const result = await importCentres(db, content, {
          fileName: path.basename(file),
          source: flags.source,
          dryRun: flags.dryRun,
        });
        if (!result.ok) throw new CliError(result.reason);
        console.log(centresReportText(result.report));
        // A CliError, not process.exitCode: main.ts sets the exit code from runCli's result.
        if (!result.report.written && !result.report.dryRun) {
          throw new CliError(`import refusé, ${result.report.rejectedRows} ligne(s) rejetée(s).`);
        }
      }),
    );
}
