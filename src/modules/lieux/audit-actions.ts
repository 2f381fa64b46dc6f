import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of places of the directory, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'lieux.import': 'Lieux importés',
  'lieux.create': 'Lieu créé',
  'lieux.update': 'Lieu modifié',
  'lieux.publish': 'Lieu publié',
  'lieux.unpublish': 'Lieu retiré de l’annuaire',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    lieux: typeof AUDIT_ACTIONS;
  }
}
