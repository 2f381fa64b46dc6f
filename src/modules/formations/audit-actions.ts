import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of trainings, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'training.create': 'Formation ajoutée au catalogue',
  'training.update': 'Formation du catalogue modifiée',
  'training_session.update': 'Session de formation modifiée',
  'training_programme.set': 'Programmes d’un médiateur déclarés (public des formations)',
  'training_completion.import': 'Présences importées d’un fichier de l’organisme de formation',
  'training_session.create': 'Session de formation créée',
  'training_session.capacity': 'Capacité d’une session de formation modifiée',
  'training_session.cancel': 'Session de formation annulée',
  'training_session.read': 'Liste des inscrits d’une session consultée',
  'training_session.export': 'Inscrits d’une session exportés (CSV)',
  'training_session.sheet': 'Feuille d’émargement imprimée',
  'training_registration.create': 'Inscription à une formation',
  'training_registration.wait': 'Inscription sur liste d’attente',
  'training_registration.offer': 'Place proposée à une personne en liste d’attente',
  'training_registration.confirm': 'Place proposée confirmée',
  'training_registration.cancel': 'Inscription annulée',
  'training_registration.team_read': 'Inscriptions de l’équipe consultées',
  'training_attendance.record': 'Présences d’une demi-journée enregistrées',
  'training_attendance.correct': 'Présences corrigées après coup',
  'training_attendance.checkin_open': 'Code d’émargement ouvert',
  'training_attendance.checkin': 'Émargement par code',
  'training_certificate.issue': 'Attestation de formation délivrée',
  'training_certificate.read': 'Attestation de formation consultée',
  'training_certificate.revoke': 'Attestation de formation révoquée',
  'training_certificate.habilitation': 'Habilitation aux mandats accordée après une formation',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    formations: typeof AUDIT_ACTIONS;
  }
}
