import { z } from 'zod';
import { blankToUndefined, codes, isBlank, isChecked } from '../../platform/forms.ts';
import { findCommune } from '../territoires/index.ts';
import { GENRES, STATUTS } from './vocabulary.ts';

const text = (label: string, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.string().trim().max(max, `${label} : ${max} caractères au plus`).optional(),
  );

/** A phone as French people write it, kept as typed once its digits check out. */
const phone = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .regex(/^(\+\d{2,3}|0)[\d .-]{8,16}$/, 'Téléphone : un numéro comme 06 12 34 56 78')
    .optional(),
);

/**
 * What a helper may record about a person: the national fields, all optional but a name
 * (first or last) to tell people apart.
 */
export const beneficiaryFields = z
  .object({
    prenom: text('Prénom', 100),
    nom: text('Nom', 100),
    telephone: phone,
    sans_telephone: z.preprocess(isChecked, z.boolean()).default(false),
    email: z.preprocess(blankToUndefined, z.email('Courriel : une adresse comme nom@exemple.fr').optional()),
    annee_naissance: z.preprocess(
      (v) => (isBlank(v) ? undefined : Number(v)),
      z
        .number({ error: 'Année de naissance : quatre chiffres, par exemple 1958' })
        .int('Année de naissance : quatre chiffres, par exemple 1958')
        .min(1900, 'Année de naissance : après 1900')
        .max(new Date().getFullYear(), 'Année de naissance : pas dans le futur')
        .optional(),
    ),
    commune_insee: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .toUpperCase()
        .refine((code) => findCommune(code) !== null, 'Commune de résidence : code INSEE inconnu')
        .optional(),
    ),
    genre: z.preprocess(
      blankToUndefined,
      z.enum(codes(GENRES), { error: 'Genre : valeur inconnue' }).optional(),
    ),
    statut: z.preprocess(
      blankToUndefined,
      z.enum(codes(STATUTS), { error: 'Statut : valeur inconnue' }).optional(),
    ),
    notes: text('Notes', 2000),
  })
  .refine((b) => Boolean(b.prenom || b.nom), {
    message: 'Saisissez au moins un prénom ou un nom.',
    path: ['prenom'],
  });

export type BeneficiaryInput = z.output<typeof beneficiaryFields>;

/** The same fields in the API's documentation (JSON Schema); `beneficiaryFields` checks them. */
export const beneficiaryJson = {
  type: 'object',
  properties: {
    prenom: { type: 'string' },
    nom: { type: 'string' },
    telephone: { type: 'string' },
    sans_telephone: { type: 'boolean' },
    email: { type: 'string', format: 'email' },
    annee_naissance: { type: 'integer' },
    commune_insee: { type: 'string', description: 'code INSEE de la commune de résidence' },
    genre: { type: 'string', enum: Object.keys(GENRES) },
    statut: { type: 'string', enum: Object.keys(STATUTS) },
    notes: { type: 'string' },
  },
};
