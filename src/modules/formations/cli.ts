import { readFile } from 'node:fs/promises';
import { systemActor } from '../../platform/auth/policy.ts';
import { commandGroup } from '../../platform/cli.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';
import { completionReportText, importCompletion } from './completion-import.ts';

type Flags = { session: string; strict?: boolean; dryRun?: boolean };

/** `relais import presences-formation`: the completion file a training body sends after a session. */
export function formationsCli({ program, withDb }: CliContext): void {
  commandGroup(program, 'import', 'Importer des données')
    .command('presences-formation')
    .description(
      'Importer les présences d’une session de formation envoyées par l’organisme de formation (CSV : courriel, puis termine ou presence_1, presence_2…)',
    )
    .argument('<fichier>', 'fichier CSV (séparateur virgule ou point-virgule)')
    .requiredOption('--session <id>', 'identifiant de la session (dans l’adresse de sa page)')
    .option('--dry-run', 'tout vérifier sans rien enregistrer')
    .option('--strict', 'ne rien enregistrer si une ligne est rejetée ou une valeur illisible')
    .action((file: string, flags: Flags) =>
      withDb(async ({ db }) => {
        const content = await readFile(file).catch((error: NodeJS.ErrnoException) => {
          const reason = error.code === 'ENOENT' ? 'fichier introuvable' : error.message;
          throw new CliError(`Lecture impossible de ${file} : ${reason}`);
        });
        const result = await importCompletion(db, systemActor('cli'), flags.session, content, {
          strict: flags.strict,
          dryRun: flags.dryRun,
        });
        if (!result.ok) throw new CliError(result.reason);
        console.log(completionReportText(result.report));
        if (!result.report.saved && !result.report.dryRun)
          throw new CliError(
            `import refusé : ${result.report.rejected} ligne(s) rejetée(s), ${result.report.warnings} avertissement(s).`,
          );
      }),
    );
}
