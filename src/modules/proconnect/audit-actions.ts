import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of ProConnect sign-in, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'auth.proconnect.link': 'Compte lié à une identité ProConnect',
  'auth.proconnect.failure': 'Échec de connexion par ProConnect',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    proconnect: typeof AUDIT_ACTIONS;
  }
}
