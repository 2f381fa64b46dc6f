import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of people helped, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'beneficiaire.list': 'Liste ou recherche de bénéficiaires consultée',
  'beneficiaire.create': 'Bénéficiaire enregistré',
  'beneficiaire.read': 'Fiche bénéficiaire consultée',
  'beneficiaire.update': 'Fiche bénéficiaire modifiée',
  'beneficiaire.merge': 'Doublons fusionnés',
  'beneficiaire.delete': 'Bénéficiaire supprimé',
  'beneficiaire.export': 'Données d’un bénéficiaire exportées',
  'beneficiaire.purge': 'Bénéficiaires effacés (durée de conservation)',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    beneficiaires: typeof AUDIT_ACTIONS;
  }
}
