import { systemActor } from '../../platform/auth/policy.ts';
import { commandGroup } from '../../platform/cli.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';
import { outcomeText } from './format.ts';
import { regenerateDatasets } from './publish.ts';

export function donneesCli({ program, withDb, contributions }: CliContext): void {
  commandGroup(program, 'donnees', 'Données ouvertes (/donnees)')
    .command('publier')
    .description('Régénérer maintenant les fichiers de tous les jeux de données ouvertes')
    .action(() =>
      withDb(async ({ db }) => {
        const results = await regenerateDatasets(db, systemActor('cli'), contributions.datasets);
        for (const result of results) console.log(`${result.dataset} : ${outcomeText(result)}`);
        const failed = results.filter((r) => r.status === 'erreur').length;
        if (failed > 0) throw new CliError(`${failed} jeu(x) de données en erreur.`);
        console.log('Données ouvertes publiées.');
      }),
    );
}
