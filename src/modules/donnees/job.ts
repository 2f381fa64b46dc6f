import type { Actor } from '../../platform/auth/policy.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Contributions } from '../../platform/contributions.ts';
import { type JobDefinition, type JobOutcome, runJob } from '../../platform/jobs/index.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { type PublicationResult, regenerateDatasets } from './publish.ts';

/** What a run records: counts, or an error naming each dataset that failed once the others are done. */
function publicationSummary(results: PublicationResult[]): Record<string, number> {
  const failed = results.filter((r) => r.status === 'erreur');
  if (failed.length > 0) {
    throw new Error(
      `Données ouvertes en erreur : ${failed.map((r) => `${r.dataset} (${r.error})`).join(' ; ')}`,
    );
  }
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return {
    'jeux publiés': count('publie'),
    'jeux inchangés': count('inchange'),
    'jeux pas encore disponibles': count('indisponible'),
    lignes: results.reduce((sum, r) => sum + r.rows, 0),
  };
}

/** Regenerates every dataset each night, and a few minutes after their data changed. */
export const publicationJob: JobDefinition = {
  name: 'donnees.publication',
  label: 'Publication des données ouvertes',
  schedule: '15 4 * * *',
  // A new instance publishes its datasets at once instead of showing « Pas encore disponible ».
  atFirstStart: true,
  // And within minutes of a change to their data (an import, a place published), not the next night.
  after: ['datasets.changed'],
  run: async ({ db }, { datasets }) =>
    publicationSummary(await regenerateDatasets(db, systemActor('tâche planifiée'), datasets)),
};

/**
 * « Régénérer maintenant »: the same job, run at once and recorded among its runs (started by
 * the administrator, who is the actor of what it journals). `skipped` when a run is in progress.
 */
export async function publishNow(
  ctx: ModuleContext,
  contributions: Contributions,
  actor: Actor & { kind: 'user' },
): Promise<{ outcome: JobOutcome; results: PublicationResult[] }> {
  let results: PublicationResult[] = [];
  const asked: JobDefinition = {
    ...publicationJob,
    run: async ({ db }, { datasets }) => {
      results = await regenerateDatasets(db, actor, datasets);
      return publicationSummary(results);
    },
  };
  const outcome = await runJob(ctx, asked, actor.email, contributions);
  return { outcome, results };
}
