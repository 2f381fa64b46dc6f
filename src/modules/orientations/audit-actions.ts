import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of referrals between structures, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'orientation.send': 'Orientation envoyée',
  'orientation.read': 'Orientation consultée par la structure qui la reçoit',
  'orientation.study': 'Orientation mise à l’étude',
  'orientation.accept': 'Orientation acceptée',
  'orientation.refuse': 'Orientation refusée',
  'orientation.close': 'Orientation close (personne reçue ou non)',
  'orientation.consent_copy': 'Orientation : copie de l’accord envoyée à la personne',
  'orientation.withdraw_consent': 'Orientation : consentement de la personne retiré',
  'orientation.link_record': 'Orientation reliée à la fiche de la personne dans la structure qui la reçoit',
  'orientation.renew_link': 'Orientation : nouveau lien envoyé à la structure',
  'orientation.link_refused': 'Orientation : lien refusé (altéré, expiré ou remplacé)',
  'orientation.remind': 'Orientation : relance envoyée à la structure',
  'orientation.escalate': 'Orientation sans réponse : coordinateurs alertés',
  'orientation.expire': 'Orientation expirée sans réponse',
  'orientation.settings': 'Délais des orientations modifiés',
  'orientation.export': 'Orientations exportées (tableur)',
  'orientation.purge': 'Orientations anonymisées (durée de conservation)',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    orientations: typeof AUDIT_ACTIONS;
  }
}
