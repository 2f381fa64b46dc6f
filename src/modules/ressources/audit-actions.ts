import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of the resource library, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'resource.create': 'Ressource créée',
  'resource.update': 'Ressource modifiée',
  'resource.publish': 'Ressource publiée',
  'resource.unpublish': 'Ressource dépubliée',
  'resource.import': 'Ressource importée (JSON)',
  'resource.restore': 'Ressource restaurée à une version précédente',
  'resource.report': 'Ressource signalée à la modération',
  'resource.moderate': 'Signalement de ressource traité',
  'resource.reports_read': 'File de modération des ressources consultée (noms des signalants)',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    ressources: typeof AUDIT_ACTIONS;
  }
}
