import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { journalCli } from './cli.ts';
import { journalRoutes } from './routes.tsx';
import { journalBlock } from './space.ts';

/** The audit journal for administrators: browse, filter, export, verify. */
export const journal: RelaisModule = {
  name: 'journal',
  routes: journalRoutes,
  space: [journalBlock],
  cli: journalCli,
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
