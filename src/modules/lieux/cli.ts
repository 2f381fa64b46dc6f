import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { systemActor } from '../../platform/auth/policy.ts';
import { commandGroup } from '../../platform/cli.ts';
import { CliError } from '../../platform/cli-error.ts';
import { csvText } from '../../platform/csv.ts';
import type { CliContext } from '../../platform/module.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { type ExportFormat, exportPlaces } from './export.ts';
import { type ImportReport, importPlaces, reportRecords } from './import.ts';
import { type ColumnMapping, checkMapping, savedMapping, saveMapping } from './import-mapping.ts';
import { exportContext } from './service.ts';

type ImportFlags = {
  collectivite?: string;
  source?: string;
  dryRun?: boolean;
  strict?: boolean;
  brouillon?: boolean;
  overwrite?: boolean;
  rapport?: string;
  correspondance?: string;
};

const WARNINGS_SHOWN = 50;

/** The report as a person reads it in a terminal: counts, then each rejected row and why. */
export function reportText(report: ImportReport): string {
  const lines = [
    `${report.fileName} (${report.format.toUpperCase()}, source « ${report.source} »)`,
    `  lignes lues : ${report.read}`,
    `  créées : ${report.created}`,
    `  mises à jour : ${report.updated}`,
    `  inchangées : ${report.unchanged}`,
    `  rejetées : ${report.rejected}`,
  ];
  const warned = report.rows.filter((r) => r.result !== 'rejected' && r.warnings.length > 0);
  if (warned.length > 0) lines.push(`  avec avertissement : ${warned.length}`);
  for (const o of report.outside)
    lines.push(`  hors du territoire de ${o.territory} : ${o.name} (${o.code}), ${o.rows} lieu(x)`);
  for (const note of report.fileNotes) lines.push(`  fichier : colonne « ${note.field} » ${note.reason}`);
  const rejected = report.rows.filter((r) => r.result === 'rejected');
  if (rejected.length > 0) lines.push('Lignes rejetées :');
  for (const row of rejected) {
    for (const e of row.errors) {
      lines.push(`  ligne ${row.line} (${row.id ?? 'sans id'}) ${e.field} « ${e.value} » : ${e.reason}`);
    }
  }
  // Warnings can be many (a value fixed on every row): the first ones, the rest in --rapport.
  const warnings = warned.flatMap((row) =>
    row.warnings.map(
      (w) => `  ligne ${row.line} (${row.id ?? 'sans id'}) ${w.field} « ${w.value} » : ${w.reason}`,
    ),
  );
  if (warnings.length > 0) lines.push('Avertissements (valeurs corrigées ou ignorées) :');
  lines.push(...warnings.slice(0, WARNINGS_SHOWN));
  if (warnings.length > WARNINGS_SHOWN)
    lines.push(`  … et ${warnings.length - WARNINGS_SHOWN} autre(s) : voir le rapport détaillé (--rapport).`);
  if (report.dryRun) lines.push('Essai (--dry-run) : rien n’a été enregistré.');
  else if (!report.written)
    lines.push('Import strict (--strict) refusé : des lignes sont rejetées, rien n’a été enregistré.');
  else lines.push('Enregistré.');
  return lines.join('\n');
}

export function lieuxCli({ program, withDb }: CliContext): void {
  commandGroup(program, 'import', 'Importer des données')
    .command('lieux')
    .description('Importer des lieux au standard national LMN v1 (XLSX, CSV ou JSON ; champs v0.1 convertis)')
    .argument(
      '<fichier>',
      'tableur XLSX (première feuille), CSV (séparateur virgule ou point-virgule, valeurs multiples séparées par |) ou JSON',
    )
    .option('--collectivite <code>', 'rattacher tous les lieux à cette collectivité membre (INSEE ou SIREN)')
    .option(
      '--source <nom>',
      'nom de la source (par défaut le nom du fichier) ; réimporter une source met ses lieux à jour',
    )
    .option('--dry-run', 'tout vérifier sans rien enregistrer')
    .option(
      '--strict',
      'ne rien enregistrer si une ligne est rejetée (une valeur illisible rejette alors sa ligne au lieu d’être ignorée)',
    )
    .option('--brouillon', 'créer les nouveaux lieux en brouillon (sinon publiés)')
    .option('--overwrite', 'remplacer aussi les lieux modifiés dans Relais depuis le dernier import')
    .option('--rapport <fichier>', 'écrire le rapport détaillé en CSV')
    .option(
      '--correspondance <fichier>',
      'fichier JSON { "colonne du fichier": "champ du standard" ou null pour l’ignorer } pour un fichier dans une autre disposition ; enregistrée pour la source, elle sert aux imports suivants de cette source',
    )
    .action((file: string, flags: ImportFlags) =>
      withDb(async ({ db }) => {
        const content = await readFile(file).catch((error: NodeJS.ErrnoException) => {
          const reason = error.code === 'ENOENT' ? 'fichier introuvable' : error.message;
          throw new CliError(`Lecture impossible de ${file} : ${reason}`);
        });
        const fileName = path.basename(file);
        const source = flags.source?.trim() || fileName;
        const collectivite = flags.collectivite
          ? await findCollectiviteByCode(db, flags.collectivite)
          : undefined;
        const collectiviteId = collectivite?.id ?? null;
        let mapping: ColumnMapping | undefined;
        if (flags.correspondance) {
          const text = await readFile(flags.correspondance, 'utf8').catch((error: NodeJS.ErrnoException) => {
            const reason = error.code === 'ENOENT' ? 'fichier introuvable' : error.message;
            throw new CliError(`Lecture impossible de ${flags.correspondance} : ${reason}`);
          });
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (error) {
            throw new CliError(`Correspondance illisible (JSON) : ${(error as Error).message}`);
          }
          const checked = checkMapping(json);
          if (!checked.ok) throw new CliError(checked.reason);
          mapping = checked.mapping;
        } else {
          // A source imported before with a mapping reuses it.
          mapping = await savedMapping(db, collectiviteId, source);
          if (mapping) console.log(`Correspondance enregistrée pour la source « ${source} » appliquée.`);
        }
        const result = await importPlaces(db, systemActor('cli'), content, {
          fileName,
          source: flags.source,
          mapping,
          collectiviteCode: flags.collectivite,
          dryRun: flags.dryRun,
          strict: flags.strict,
          draft: flags.brouillon,
          overwrite: flags.overwrite,
        });
        if (!result.ok) throw new CliError(result.reason);
        console.log(reportText(result.report));
        if (flags.correspondance && mapping && result.report.written) {
          await saveMapping(db, systemActor('cli'), collectiviteId, source, mapping);
          console.log(`Correspondance enregistrée pour la source « ${source} ».`);
        }
        if (flags.rapport) {
          await writeFile(flags.rapport, csvText(reportRecords(result.report)));
          console.log(`Rapport détaillé : ${flags.rapport}`);
        }
        // A CliError, not process.exitCode: main.ts sets the exit code from runCli's result.
        if (!result.report.written && !result.report.dryRun) {
          throw new CliError(`import refusé, ${result.report.rejected} ligne(s) rejetée(s).`);
        }
      }),
    );

  commandGroup(program, 'export', 'Exporter des données')
    .command('lieux')
    .description('Exporter les lieux publiés (sur la sortie standard, ou dans un fichier avec --out)')
    .option('--format <format>', 'csv ou json (standard LMN v1), data-inclusion (v1)', 'csv')
    .option('--out <fichier>', 'écrire dans ce fichier plutôt que sur la sortie standard')
    .action((flags: { format: string; out?: string }) =>
      withDb(async ({ db, config }) => {
        if (!['csv', 'json', 'data-inclusion'].includes(flags.format)) {
          throw new CliError(`Format inconnu « ${flags.format} » : csv, json ou data-inclusion.`);
        }
        const chunks: string[] = [];
        const write = flags.out
          ? (chunk: string) => void chunks.push(chunk)
          : (chunk: string) => void process.stdout.write(chunk);
        const count = await exportPlaces(
          db,
          flags.format as ExportFormat,
          await exportContext(db, config),
          write,
        );
        if (flags.out) {
          await writeFile(flags.out, chunks.join(''));
          console.error(`${count} lieu(x) exporté(s) dans ${flags.out}.`);
        }
      }),
    );
}
