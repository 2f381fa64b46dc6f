import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of scheduled jobs, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'job.run': 'Tâche planifiée lancée à la main',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    taches: typeof AUDIT_ACTIONS;
  }
}
