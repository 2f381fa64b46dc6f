import type { JobDefinition } from '../../platform/jobs/job.ts';
import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { donneesCli } from './cli.ts';
import { publicationJob } from './job.ts';
import { donneesRoutes } from './routes.tsx';
import { openDataBlock } from './space.ts';
import { donneesMigrations } from './tables.ts';

/** Regenerates every dataset each night; a dataset that fails makes the run fail, once the others are done. */
export const donneesJobs: JobDefinition[] = [publicationJob];

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
