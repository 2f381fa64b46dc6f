import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of statistics share links, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'statistiques.partage.creation': 'Lien de statistiques publié',
  'statistiques.partage.retrait': 'Lien de statistiques retiré',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    statistiques: typeof AUDIT_ACTIONS;
  }
}
