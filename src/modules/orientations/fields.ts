import { z } from 'zod';
import { allValues, blankToUndefined, codes, isChecked, isUuid, trimString } from '../../platform/forms.ts';
import {
  CONSENT_MODES,
  CONTACT_PREFERENCES,
  NEW_PERSON,
  ORIGINS,
  REASON_MAX,
  REFUSAL_REASONS,
  type RefusalReason,
} from './vocabulary.ts';

const optional = (label: string, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.string().trim().max(max, `${label} : ${max} caractères au plus.`).optional(),
  );

/** The referral form (and the API's body): validated the same way wherever it comes from. */
export const referralFields = z
  .object({
    /** A person of the helper's, or `nouvelle`: a minimal new record (name and one contact). */
    beneficiaire: z.preprocess(
      trimString,
      z
        .string({ error: 'Choisissez la personne à orienter.' })
        .refine((v) => v === NEW_PERSON || isUuid(v), 'Choisissez la personne à orienter.'),
    ),
    nouveau_prenom: optional('Prénom', 100),
    nouveau_nom: optional('Nom', 100),
    /** A place of the directory; absent when the destination is outside the territory. */
    lieu: z.preprocess(
      blankToUndefined,
      z.string().uuid('Choisissez le lieu qui reçoit la personne.').optional(),
    ),
    service: z.preprocess(
      trimString,
      z
        .string({ error: 'Choisissez le service.' })
        .min(1, 'Choisissez le service.')
        .max(200, 'Service inconnu.'),
    ),
    contact_preference: z.enum(codes(CONTACT_PREFERENCES), {
      error: 'Choisissez comment la personne préfère être contactée.',
    }),
    telephone: optional('Téléphone', 30),
    email: z.preprocess(blankToUndefined, z.email('Courriel : une adresse comme nom@exemple.fr.').optional()),
    contact_autre: optional('Autre moyen de contact', 200),
    disponibilite: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'Disponible à partir du : une date comme 2026-12-31.')
        .refine((d) => !Number.isNaN(Date.parse(`${d}T12:00:00Z`)), 'Disponible à partir du : date inconnue.')
        .optional(),
    ),
    motif: z.preprocess(
      trimString,
      z
        .string({ error: 'Écrivez le motif de l’orientation.' })
        .min(1, 'Écrivez le motif de l’orientation.')
        .max(REASON_MAX, `Le motif doit faire au plus ${REASON_MAX} caractères.`),
    ),
    consentement: z.preprocess(
      isChecked,
      z.literal(true, { error: 'Recueillez l’accord de la personne avant d’envoyer l’orientation.' }),
    ),
    consent_mode: z.enum(codes(CONSENT_MODES), { error: 'Dites comment l’accord a été recueilli.' }),
    /** The person expected at the receiving structure, when known. */
    destination_referent: optional('Personne qui l’attend', 120),
    /** Where the sender started from (statistics only). */
    origine: z.preprocess(blankToUndefined, z.enum(ORIGINS).optional().catch(undefined)),
    /** Sent anyway despite the warnings shown (own structure, duplicate). */
    confirmer: z.preprocess(isChecked, z.boolean()).default(false),
  })
  .superRefine((v, ctx) => {
    const need = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (v.contact_preference === 'telephone' && !v.telephone)
      need('telephone', 'Saisissez le numéro de téléphone de la personne.');
    if (v.contact_preference === 'email' && !v.email) need('email', 'Saisissez le courriel de la personne.');
    if (v.beneficiaire === NEW_PERSON) {
      if (!v.nouveau_prenom) need('nouveau_prenom', 'Saisissez le prénom de la personne.');
      if (!v.nouveau_nom) need('nouveau_nom', 'Saisissez le nom de la personne.');
      if (!v.telephone && !v.email)
        need('telephone', 'Saisissez au moins un moyen de contacter la personne : téléphone ou courriel.');
    }
    if (v.contact_preference === 'autre' && !v.contact_autre)
      need('contact_autre', 'Précisez comment contacter la personne.');
  });

export type ReferralInput = z.output<typeof referralFields>;

/** The answer of the receiving structure when it refuses: at least one reason, and a message. */
export const refusalFields = z.object({
  motifs: z.preprocess(
    (v) => allValues(v),
    z
      .array(z.enum(codes(REFUSAL_REASONS), { error: 'Raison de refus inconnue.' }))
      .min(1, 'Cochez au moins une raison du refus.'),
  ),
  message: z.preprocess(
    trimString,
    z
      .string({ error: 'Écrivez un message à la personne qui a orienté.' })
      .min(1, 'Écrivez un message à la personne qui a orienté.')
      .max(1000, 'Le message doit faire au plus 1 000 caractères.'),
  ),
});
export type RefusalInput = { motifs: RefusalReason[]; message: string };

/** The acceptance: a message to the sender (optional) and one to the person (pre-filled). */
export const acceptanceFields = z.object({
  message: optional('Message', 1000),
  message_personne: optional('Message à la personne', 480),
});
