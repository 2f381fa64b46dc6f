import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { ressourcesCli } from './cli.ts';
import { resourcesDataset } from './exchange.ts';
import { ressourcesJobs } from './jobs.ts';
import { ressourceRoutes } from './routes.tsx';
import { seedRessources } from './seed.ts';
import { resourcesForSkills } from './skills-next-steps.ts';
import { editorBlock, personResources, readerBlock, reportResources } from './space.tsx';
import { ressourcesMigrations } from './tables.ts';

export { type CheckedFile, checkFile } from './files.ts';
export { resourcesAbout, suggestions } from './search.ts';

/**
 * The territory's resource library: resources made of ordered blocks, French search that
 * forgives typos, ratings and moderation, collections printed as one PDF booklet, and
 * suggestions where the work happens (a person's record, an activity report), follows with a
 * daily digest, review reminders to authors, and JSON exchange with other libraries.
 */
export const ressources: RelaisModule = {
  name: 'ressources',
  migrations: ressourcesMigrations,
  routes: ressourceRoutes,
  cli: ressourcesCli,
  jobs: ressourcesJobs,
  seedDemo: seedRessources,
  nav: [{ href: '/ressources', label: 'Ressources' }],
  space: [editorBlock, readerBlock],
  personRecord: [personResources],
  activityReport: [reportResources],
  skillsNextSteps: [resourcesForSkills],
  styles: ['ressources.css'],
  auditActions: AUDIT_ACTIONS,
  datasets: [resourcesDataset],
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
