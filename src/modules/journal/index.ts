import type { RelaisModule } from '../../platform/module.ts';
import { journalCli } from './cli.ts';
import { journalRoutes } from './routes.tsx';

/** The audit journal for administrators: browse, filter, export, verify. */
export const journal: RelaisModule = {
  name: 'journal',
  routes: journalRoutes,
  cli: journalCli,
};
