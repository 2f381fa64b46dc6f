import type { RelaisModule } from '../../platform/module.ts';
import { analyzeJob } from './analyze.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { tachesCli } from './cli.ts';
import { tachesRoutes } from './routes.tsx';
import { jobsBlock } from './space.ts';

/** The scheduled jobs of every module, for administrators: `/admin/taches`, `jobs list`, `jobs run`. */
export const taches: RelaisModule = {
  name: 'taches',
  routes: tachesRoutes,
  space: [jobsBlock],
  cli: tachesCli,
  auditActions: AUDIT_ACTIONS,
  jobs: [analyzeJob],
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
