import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { systemActor } from '../../platform/auth/policy.ts';
import { commandGroup } from '../../platform/cli.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { importReportText, importResources } from './import.ts';

type ImportFlags = { collectivite?: string; strict?: boolean; dryRun?: boolean };

export function ressourcesCli({ program, withDb }: CliContext): void {
  commandGroup(program, 'import', 'Importer des données')
    .command('ressources')
    .description(
      'Importer des ressources (JSON de l’export des ressources, relais-ressources/1) : licence, auteur et lien vers l’origine gardés, créées en brouillon',
    )
    .argument(
      '<fichier>',
      'fichier JSON : { "ressources": [ … ] } comme /ressources/export.json, ou une liste',
    )
    .option(
      '--collectivite <code>',
      'rattacher les ressources à cette collectivité membre (INSEE ou SIREN) ; sinon ressources de l’OPSN',
    )
    .option('--dry-run', 'tout vérifier sans rien enregistrer')
    .option('--strict', 'ne rien enregistrer s’il y a un rejet ou un avertissement')
    .action((file: string, flags: ImportFlags) =>
      withDb(async ({ db }) => {
        const content = await readFile(file).catch((error: NodeJS.ErrnoException) => {
          const reason = error.code === 'ENOENT' ? 'fichier introuvable' : error.message;
          throw new CliError(`Lecture impossible de ${file} : ${reason}`);
        });
        let collectiviteId: number | null = null;
        if (flags.collectivite) {
          const c = await findCollectiviteByCode(db, flags.collectivite);
          if (!c)
            throw new CliError(`Collectivité ${flags.collectivite} inconnue : aucun membre n’a ce code.`);
          collectiviteId = c.id;
        }
        const result = await importResources(db, systemActor('cli'), content, {
          fileName: path.basename(file),
          collectiviteId,
          strict: flags.strict,
          dryRun: flags.dryRun,
        });
        if (!result.ok) throw new CliError(result.reason);
        console.log(importReportText(result.report));
        if (flags.strict && !result.report.written && !result.report.dryRun)
          throw new CliError('Import refusé (--strict).');
      }),
    );
}
