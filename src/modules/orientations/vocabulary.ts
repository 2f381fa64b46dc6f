/** The codes of referrals (stored in rows, filters and exports) and their French labels. */

/** Where a referral stands. `retiree`: the person withdrew their consent, which closed it. */
export const STATUSES = {
  envoyee: 'Envoyée',
  a_l_etude: 'À l’étude',
  acceptee: 'Acceptée',
  refusee: 'Refusée',
  expiree: 'Expirée',
  honoree: 'Honorée',
  non_honoree: 'Non honorée',
  retiree: 'Consentement retiré',
} as const;
export type Status = keyof typeof STATUSES;

/** Still waiting for the receiving structure's answer. */
export const OPEN_STATUSES: readonly Status[] = ['envoyee', 'a_l_etude'];
/** Accepted, waiting to know whether the person was received. */
export const ACCEPTED_STATUSES: readonly Status[] = ['acceptee'];

/** How the person prefers to be contacted by the receiving structure. */
export const CONTACT_PREFERENCES = {
  telephone: 'Par téléphone',
  email: 'Par courriel',
  via_referent: 'Par l’intermédiaire de son référent (vous)',
  autre: 'Autrement (précisez)',
} as const;
export type ContactPreference = keyof typeof CONTACT_PREFERENCES;

/** How the person's consent was collected. */
export const CONSENT_MODES = {
  en_personne: 'En personne',
  telephone: 'Par téléphone',
} as const;
export type ConsentMode = keyof typeof CONSENT_MODES;

/** Why the receiving structure refuses (the national list). */
export const REFUSAL_REASONS = {
  beneficiaire_injoignable: 'Personne injoignable',
  beneficiaire_absent: 'Personne absente au rendez-vous',
  beneficiaire_en_emploi: 'Personne en emploi',
  beneficiaire_en_formation: 'Personne en formation',
  non_eligible: 'Ne remplit pas les critères d’accès',
  non_mobile: 'Ne peut pas se déplacer jusqu’au lieu',
  non_interesse: 'Pas intéressée',
  freins_peripheriques: 'Freins périphériques (santé, garde d’enfant, logement…)',
  complet: 'Plus de place disponible',
  doublon: 'Orientation en doublon',
  autre: 'Autre raison',
} as const;
export type RefusalReason = keyof typeof REFUSAL_REASONS;

/** What the receiving structure sees of the person, and under which condition. */
export const SHARED_DATA = [
  'le prénom et la première lettre du nom',
  'le motif de l’orientation et la date à partir de laquelle la personne est disponible',
  'le nom complet et les coordonnées choisies, seulement une fois l’orientation acceptée',
] as const;

/**
 * How long the referral's personal data is kept (then erased by the daily job): a setting of the
 * OPSN, this by default and at most (an OPSN may shorten it, never keep data longer than this).
 */
export const RETENTION_MONTHS = 24;
export const retentionText = (months: number) =>
  `${months} mois après l’envoi, puis les données personnelles sont effacées`;

/** How long the receiving structure's link is valid. */
export const LINK_DAYS = 8;
/** Same person, same service within this many days: flagged as a duplicate. */
export const DUPLICATE_DAYS = 30;
/** The longest reason a sender may write. */
export const REASON_MAX = 600;

/** The value of `beneficiaire` that asks for a minimal new record. */
export const NEW_PERSON = 'nouvelle';
/** Where a referral may be sent from. */
export const ORIGINS = ['lieu', 'fiche', 'compte_rendu', 'api'] as const;
