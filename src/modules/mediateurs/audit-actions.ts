import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of helpers’ places of activity, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'lieux_activite.proposition': 'Lieux d’activité proposés par le médiateur',
  'lieux_activite.approbation': 'Lieu d’activité approuvé',
  'lieux_activite.attribution': 'Lieu d’activité attribué',
  'lieux_activite.refus': 'Lieu d’activité refusé',
  'lieux_activite.retrait': 'Lieu d’activité retiré',
  'alerte.lieux_activite.auto_approbation':
    'Alerte : approbation refusée (ses propres lieux, ou un compte que la même personne a invité)',
  'alerte.lieux_activite.invitations_liees':
    'Alerte : lieux approuvés entre comptes liés par leurs invitations',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    mediateurs: typeof AUDIT_ACTIONS;
  }
}
