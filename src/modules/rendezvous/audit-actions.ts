import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of appointments, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'appointment.reason_save': 'Rendez-vous : motif enregistré',
  'appointment.reason_withdraw': 'Rendez-vous : motif retiré',
  'appointment.absence_delete': 'Rendez-vous : absence supprimée',
  'appointment.opening_save': 'Rendez-vous : plage d’ouverture enregistrée',
  'appointment.opening_delete': 'Rendez-vous : plage d’ouverture supprimée',
  'appointment.absence_save': 'Rendez-vous : absence enregistrée',
  'appointment.book': 'Rendez-vous pris',
  'appointment.cancel': 'Rendez-vous annulé par la personne',
  'appointment.move': 'Rendez-vous déplacé par la personne',
  'appointment.reschedule': 'Rendez-vous déplacé par le service',
  'appointment.link_refused': 'Rendez-vous : lien refusé (altéré, expiré ou remplacé)',
  'appointment.status': 'Rendez-vous : présence notée',
  'appointment.report': 'Rendez-vous : compte rendu enregistré',
  'appointment.report_dismiss': 'Rendez-vous : compte rendu écarté',
  'appointment.read': 'Rendez-vous consultés (agenda, fiche)',
  'appointment.export': 'Rendez-vous exportés (tableur)',
  'appointment.feed_reset': 'Rendez-vous : lien de l’agenda renouvelé',
  'appointment.sms_budget': 'Rendez-vous : budget mensuel de SMS modifié',
  'appointment.remind': 'Rendez-vous : rappels envoyés',
  'appointment.waitlist_join': 'Rendez-vous : liste d’attente rejointe',
  'appointment.waitlist_leave': 'Rendez-vous : liste d’attente quittée',
  'appointment.waitlist_notify': 'Rendez-vous : créneaux plus tôt signalés (liste d’attente)',
  'appointment.purge': 'Rendez-vous effacés (durée de conservation)',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    rendezvous: typeof AUDIT_ACTIONS;
  }
}
