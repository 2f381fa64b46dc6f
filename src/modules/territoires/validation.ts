import { z } from 'zod';
import { isChecked, optionalEmail, optionalText, optionalUrl, requiredText } from '../../platform/forms.ts';

export const opsnSchema = z.object({
  name: requiredText('le nom de l’OPSN', 150),
  shortName: requiredText('le nom court (sigle)', 30),
  contactEmail: optionalEmail('Saisissez une adresse e-mail valide, par exemple contact@exemple.fr.'),
  contactPhone: z.preprocess(
    (v) => (typeof v === 'string' ? v.replace(/[\s.]/g, '') || undefined : v),
    z
      .string()
      .regex(/^(\+33|0)[1-9]\d{8}$/, 'Saisissez un numéro de téléphone français, par exemple 04 72 00 00 00.')
      .optional(),
  ),
  website: optionalUrl('Saisissez une adresse web complète, par exemple https://www.exemple.fr.'),
  description: optionalText('la présentation', 2000),
});
export type OpsnInput = z.infer<typeof opsnSchema>;

export const addCollectiviteSchema = z.object({
  code: requiredText('le code INSEE de la commune ou le SIREN de l’EPCI', 20),
});

export const themeSchema = z.object({
  displayName: optionalText('le nom affiché', 120),
  brandColour: optionalText('la couleur', 20),
  logo: z.instanceof(Buffer).optional(),
  removeLogo: z.preprocess(isChecked, z.boolean()).optional(),
});
export type ThemeInput = z.infer<typeof themeSchema>;
