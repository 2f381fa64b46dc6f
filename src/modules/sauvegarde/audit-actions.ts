import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of scheduled backups, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'backup.create': 'Sauvegarde planifiée écrite vers sa destination',
  'backup.drill': 'Exercice de restauration d’une sauvegarde',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    sauvegarde: typeof AUDIT_ACTIONS;
  }
}
