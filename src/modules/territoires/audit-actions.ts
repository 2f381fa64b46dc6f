import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of the OPSN and its member collectivités, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'opsn.update': 'Identité de l’OPSN modifiée',
  'collectivite.add': 'Collectivité ajoutée',
  'collectivite.remove': 'Collectivité retirée',
  'collectivite.theme': 'Collectivité personnalisée',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    territoires: typeof AUDIT_ACTIONS;
  }
}
