import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of the digital fragility index, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'ifn.import': 'Indice de fragilité numérique importé',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    observatoire: typeof AUDIT_ACTIONS;
  }
}
