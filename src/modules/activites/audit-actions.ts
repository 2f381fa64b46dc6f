import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of activity reports, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'activite.create': 'Compte rendu d’activité enregistré',
  'activite.update': 'Compte rendu d’activité modifié',
  'activite.delete': 'Compte rendu d’activité supprimé',
  'activites.export': 'Activités exportées',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    activites: typeof AUDIT_ACTIONS;
  }
}
