import { systemActor } from '../../platform/auth/policy.ts';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { donneesCli } from './cli.ts';
import { regenerateDatasets } from './publish.ts';
import { donneesRoutes } from './routes.tsx';
import { openDataBlock } from './space.ts';
import { donneesMigrations } from './tables.ts';

/** Regenerates every dataset each night; a dataset that fails makes the run fail, once the others are done. */
export const donneesJobs: JobDefinition[] = [
  {
    name: 'donnees.publication',
    label: 'Publication des données ouvertes',
    schedule: '15 4 * * *',
    run: async ({ db }, { datasets }) => {
      const results = await regenerateDatasets(db, systemActor('tâche planifiée'), datasets);
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
    },
  },
];

/**
 * Open data: the datasets the modules declare (`RelaisModule.datasets`: places, aggregated
 * activity, fragility index and coverage), published under Licence Ouverte 2.0, their stable
 * files in CSV and JSON, their pages and the DCAT catalogue that data.gouv.fr harvests.
 */
export const donnees: RelaisModule = {
  name: 'donnees',
  migrations: donneesMigrations,
  routes: donneesRoutes,
  space: [openDataBlock],
  cli: donneesCli,
  nav: [{ href: '/donnees', label: 'Données ouvertes' }],
  jobs: donneesJobs,
  styles: ['donnees.css'],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
export type { Format } from './dataset.ts';
export { type PublicationResult, regenerateDatasets } from './publish.ts';
