import { type AuditActionLabels, collectAuditActions } from './audit/actions.ts';
import type { JobDefinition } from './jobs/job.ts';
import { collectJobs } from './jobs/schedule.ts';
import type { RelaisModule } from './module.ts';
import { collectDatasets, type Dataset } from './open-data.ts';

/**
 * What the modules declare for others to use, collected once by the platform and handed to
 * the modules that use it (routes, commands and jobs get it): the scheduled jobs (`taches`
 * lists and runs them), the open datasets (`donnees` publishes them) and the audit actions'
 * labels (`journal` shows them). The modules that use them never import the module list.
 */
export type Contributions = {
  jobs: readonly JobDefinition[];
  datasets: readonly Dataset[];
  auditActions: AuditActionLabels;
};

export function collectContributions(modules: readonly RelaisModule[]): Contributions {
  return {
    jobs: collectJobs(modules),
    datasets: collectDatasets(modules),
    auditActions: collectAuditActions(modules),
  };
}

/** Nothing contributed: what a job run outside the platform (a test's) gets. */
export const NO_CONTRIBUTIONS: Contributions = { jobs: [], datasets: [], auditActions: {} };
