import { systemActor } from '../../platform/auth/policy.ts';
import { CliError } from '../../platform/cli-error.ts';
import { summaryText } from '../../platform/jobs/index.ts';
import type { CliContext } from '../../platform/module.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { findJob, jobStatuses, runJobNow, runState } from './service.ts';

export function tachesCli({ program, withDb, contributions }: CliContext): void {
  const { jobs: declared } = contributions;
  const jobs = program.command('jobs').description('Tâches planifiées (purges, rappels, publications)');

  jobs
    .command('list')
    .description('Lister les tâches, quand elles partent et comment s’est passée leur dernière exécution')
    .action(() =>
      withDb(async (ctx) => {
        const statuses = await jobStatuses(ctx, declared, systemActor('cli'));
        if (statuses.length === 0) console.log('Aucune tâche planifiée.');
        const lines: string[] = [];
        for (const { job, when, next, last } of statuses) {
          lines.push(
            job.name,
            `  ${job.label}`,
            `  Planification : ${when} (${job.schedule}), prochaine le ${formatDateTime(next, 'short')}`,
          );
          if (!last) lines.push('  Dernière exécution : jamais');
          else {
            const outcome = last.ok ? summaryText(last.summary) : (last.error ?? '');
            lines.push(
              `  Dernière exécution : le ${formatDateTime(last.started_at, 'short')} par ${last.started_by}, ${runState(last)}${outcome ? ` — ${outcome}` : ''}`,
            );
          }
        }
        if (!ctx.config.jobs)
          lines.push('', 'Planification désactivée (RELAIS_JOBS=off) : les tâches ne partent qu’à la main.');
        console.log(lines.join('\n'));
      }),
    );

  jobs
    .command('run')
    .description('Lancer une tâche maintenant et afficher son résultat')
    .argument('<nom>', 'nom de la tâche (voir « jobs list »)')
    .action((name: string) =>
      withDb(async (ctx) => {
        const job = findJob(declared, name);
        if (!job) {
          const names = declared.map((j) => j.name);
          throw new CliError(
            `Aucune tâche ne s’appelle « ${name} ». Tâches existantes : ${names.join(', ') || 'aucune'}.`,
          );
        }
        const outcome = await runJobNow(ctx, contributions, systemActor('cli'), job);
        if (outcome.status === 'skipped') {
          throw new CliError(
            `La tâche ${job.name} est déjà en cours depuis le ${formatDateTime(outcome.runningSince, 'short')} : rien n’a été lancé.`,
          );
        }
        if (outcome.status === 'failed')
          throw new CliError(`La tâche ${job.name} a échoué : ${outcome.error}`);
        console.log(`Tâche ${job.name} terminée : ${summaryText(outcome.summary)}.`);
      }),
    );
}
