/** Codes of trainings, stored in rows and filters, with the French labels people read. */

export const MODALITIES = {
  presentiel: 'En présentiel',
  distanciel: 'À distance',
  hybride: 'Hybride (présentiel et à distance)',
} as const;
export type Modality = keyof typeof MODALITIES;

/** Who a training is for: roles, or helpers of a national programme. */
export const AUDIENCES = {
  mediateur: 'Médiateurs numériques',
  conseiller_numerique: 'Conseillers numériques',
  aidant_connect: 'Aidants habilités Aidants Connect',
  france_services: 'Agents France Services',
  coordinateur: 'Coordinateurs',
  formateur: 'Formateurs',
} as const;
export type Audience = keyof typeof AUDIENCES;

/** National programmes a coordinator declares for the helpers of their team. */
export const PROGRAMMES = {
  conseiller_numerique: 'Conseiller numérique',
  aidant_connect: 'Aidant habilité Aidants Connect',
  france_services: 'Agent France Services',
} as const;
export type Programme = keyof typeof PROGRAMMES;

export const SESSION_STATUSES = { active: 'Ouverte', annulee: 'Annulée' } as const;
export type SessionStatus = keyof typeof SESSION_STATUSES;

export const REGISTRATION_STATUSES = {
  inscrit: 'Inscrit',
  liste_attente: 'Sur liste d’attente',
  annule: 'Annulé',
} as const;
export type RegistrationStatus = keyof typeof REGISTRATION_STATUSES;

/** Why a registration ended. */
export const CANCEL_REASONS = {
  apprenant: 'Annulée par la personne inscrite',
  coordinateur: 'Annulée par le coordinateur',
  session_annulee: 'Session annulée',
  offre_expiree: 'Place proposée non confirmée dans les 48 heures',
} as const;
export type CancelReason = keyof typeof CANCEL_REASONS;

/** How attendance was recorded. */
export const ATTENDANCE_SOURCES = {
  ecran: 'Saisie à l’écran',
  feuille: 'Feuille d’émargement',
  code: 'Code d’émargement',
  import: 'Fichier de l’organisme de formation',
} as const;
export type AttendanceSource = keyof typeof ATTENDANCE_SOURCES;

/** The satisfaction questionnaire: each question is rated 1 to 5. */
export const FEEDBACK_QUESTIONS = {
  note_contenu: 'Le contenu répondait à mes besoins',
  note_animation: 'L’animation était claire',
  note_utilite: 'Je vais m’en servir dans mon travail',
} as const;
export type FeedbackQuestion = keyof typeof FEEDBACK_QUESTIONS;

/** A seat offered from the waiting list is kept this long for the person to confirm it. */
export const OFFER_HOURS = 48;
/** By default, registrations close this many days before the first half-day. */
export const CLOSE_DAYS_BEFORE = 2;
/** Reminders before the first half-day, in days. */
export const REMINDER_DAYS = [7, 1] as const;
/** A check-in code stays valid this long after it is opened. */
export const CHECKIN_MINUTES = 30;
/** Averages of the questionnaire are shown from this many answers (no one's answer recognisable). */
export const FEEDBACK_THRESHOLD = 5;
/** Attendance recorded later than this after the half-day is journaled as a late correction. */
export const LATE_DAYS = 2;
