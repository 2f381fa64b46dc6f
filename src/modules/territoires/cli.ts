import { systemActor } from '../../platform/auth/policy.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';
import { addCollectivite, displayName, listCollectivites } from './service.ts';

export function territoiresCli({ program, withDb }: CliContext): void {
  const collectivite = program
    .command('collectivite')
    .description('Gérer les collectivités membres de l’OPSN');

  collectivite
    .command('add')
    .description('Ajouter une commune (code INSEE) ou un EPCI (SIREN) comme membre')
    .argument('<code>', 'code INSEE de la commune (ex. 69266) ou SIREN de l’EPCI (ex. 200046977)')
    .action((code: string) =>
      withDb(async ({ db }) => {
        const result = await addCollectivite(db, systemActor('cli'), code);
        if (!result.ok) throw new CliError(result.reason);
        const c = result.collectivite;
        console.log(
          `Ajoutée : ${c.name} (${c.code}), ${c.departement_name ?? '—'}, ${c.population ?? '?'} habitants.`,
        );
      }),
    );

  collectivite
    .command('list')
    .description('Lister les collectivités membres')
    .option('--json', 'sortie JSON (pour les scripts)')
    .action((options: { json?: boolean }) =>
      withDb(async ({ db }) => {
        const members = await listCollectivites(db);
        if (options.json) {
          console.log(
            JSON.stringify(
              members.map((m) => ({
                code: m.code,
                kind: m.kind,
                name: m.name,
                slug: m.slug,
                population: m.population,
              })),
              null,
              2,
            ),
          );
          return;
        }
        if (members.length === 0) {
          console.log(
            'Aucune collectivité membre. Ajoutez-en une : npm run relais -- collectivite add <code>',
          );
          return;
        }
        for (const m of members) {
          console.log(
            `${m.code.padEnd(10)} ${displayName(m).padEnd(32)} ${(m.departement_name ?? '').padEnd(20)} ${m.population ?? ''}`,
          );
        }
        console.log(`${members.length} collectivité(s).`);
      }),
    );
}
