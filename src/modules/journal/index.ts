import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { journalCli } from './cli.ts';
import { journalRoutes } from './routes.tsx';

/** The audit journal for administrators: browse, filter, export, verify. */
export const journal: RelaisModule = {
  name: 'journal',
  routes: journalRoutes,
  cli: journalCli,
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
