/** Codes of appointments and their French labels (RDV Service Public's vocabulary). */

/** Where the appointment takes place. */
export const LOCATION_TYPES = {
  sur_place: 'Sur place',
  telephone: 'Par téléphone',
  domicile: 'À domicile',
  visio: 'En visioconférence',
} as const;
export type LocationType = keyof typeof LOCATION_TYPES;

/** Who may book a reason. */
export const BOOKERS = {
  agents: 'Les agents seulement',
  agents_et_prescripteurs: 'Les agents et les prescripteurs',
  tout_le_monde: 'Tout le monde, en ligne',
} as const;
export type Booker = keyof typeof BOOKERS;

/** Where one person stands at an appointment. */
export const STATUSES = {
  a_venir: 'À venir',
  honore: 'Honoré',
  absent: 'Absent',
  excuse: 'Excusé (annulé par la personne)',
  annule: 'Annulé par le service',
} as const;
export type Status = keyof typeof STATUSES;
/** What a helper marks once the time has come. */
export const OUTCOMES = ['honore', 'absent', 'excuse', 'annule'] as const satisfies readonly Status[];

/** How a booking came in. */
export const CHANNELS = { en_ligne: 'En ligne', agent: 'Par un agent' } as const;
export type Channel = keyof typeof CHANNELS;

export const WEEKDAYS = {
  '1': 'Lundi',
  '2': 'Mardi',
  '3': 'Mercredi',
  '4': 'Jeudi',
  '5': 'Vendredi',
  '6': 'Samedi',
  '7': 'Dimanche',
} as const;

/** Booking window by default: at least 30 minutes ahead, at most 3 months. */
export const DEFAULT_MIN_DELAY_MIN = 30;
export const DEFAULT_MAX_DELAY_DAYS = 90;
/** A person may cancel until 4 hours before, move until 2 days before. */
export const CANCEL_UNTIL_HOURS = 4;
export const MOVE_UNTIL_HOURS = 48;
/** Reminders 48 h before by default, and optionally 24 h. */
export const REMINDER_HOURS = 48;
export const SECOND_REMINDER_HOURS = 24;
/** SMS a collectivité may send each month for reminders, unless it set its own budget. */
export const DEFAULT_SMS_BUDGET = 500;
/** Appointments are kept two years, then erased. */
export const RETENTION_MONTHS = 24;
export const RETENTION_TEXT = '2 ans après la date du rendez-vous';
/** Bookings a phone number or an email may make in 24 hours. */
export const BOOKINGS_PER_CONTACT_PER_DAY = 3;
/** Durations a reason may last: 5-minute steps up to 8 hours. */
export const MAX_DURATION_MIN = 480;
export const MAX_CAPACITY = 200;
/** Waiting list: at most 3 notices of an earlier slot, one a day, for appointments more than 7 days away. */
export const WAITLIST_MAX_NOTICES = 3;
export const WAITLIST_MIN_DAYS_AHEAD = 7;
export const WAITLIST_NOTICE_EVERY_HOURS = 24;
