import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of open data, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'donnees.publish': 'Données ouvertes régénérées',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    donnees: typeof AUDIT_ACTIONS;
  }
}
