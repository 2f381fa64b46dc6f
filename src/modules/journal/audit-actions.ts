import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of the journal itself, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'audit.export': 'Journal exporté',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    journal: typeof AUDIT_ACTIONS;
  }
}
