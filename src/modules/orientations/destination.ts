import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { blankToUndefined, trimString } from '../../platform/forms.ts';
import { findPublishedPlace } from '../lieux/index.ts';
import type { Referral } from './referral.ts';

type Place = NonNullable<Awaited<ReturnType<typeof findPublishedPlace>>>;

/**
 * Where a referral can go: a published place of the directory (`lieuId`), or a service outside
 * the territory given by its data·inclusion id (`diServiceId`) with a snapshot of its name,
 * address and contact that the sender entered and confirmed: Relais never calls data·inclusion.
 */
export type Destination = {
  lieuId: string | null;
  diServiceId: string | null;
  name: string;
  address: string;
  services: string[];
  email: string | null;
  phone: string | null;
  collectiviteId: number | null;
  /** The access criteria the place declares (publics, fees, how to come), shown before sending. */
  criteria: [string, string][];
};

const CRITERIA: [keyof Place, string][] = [
  ['publics_specifiquement_adresses', 'Publics accueillis'],
  ['prise_en_charge_specifique', 'Prise en charge spécifique'],
  ['frais_a_charge', 'Frais'],
  ['modalites_acces', 'Modalités d’accès'],
  ['modalites_accompagnement', 'Modalités d’accompagnement'],
];

const destinationOfPlace = (p: Place): Destination => ({
  lieuId: p.id,
  diServiceId: null,
  name: p.nom,
  address: [p.adresse, p.complement_adresse, `${p.code_postal} ${p.commune}`].filter(Boolean).join(', '),
  services: p.services,
  email: p.courriels[0]?.trim() || null,
  phone: p.telephone[0]?.trim() || null,
  collectiviteId: p.collectivite_id,
  criteria: CRITERIA.flatMap(([key, label]) => {
    const values = p[key];
    return Array.isArray(values) && values.length > 0 ? [[label, values.join(', ')] as [string, string]] : [];
  }),
});

/** A published place as a destination, or undefined (unknown, draft). */
export async function destinationOf(db: Db, lieuId: string): Promise<Destination | undefined> {
  const place = await findPublishedPlace(db, lieuId);
  return place ? destinationOfPlace(place) : undefined;
}

/** Where this referral went: its place as the directory now has it, else the snapshot it keeps. */
export async function destinationOfReferral(
  db: Db,
  r: Pick<
    Referral,
    'lieu_id' | 'di_service_id' | 'destination_name' | 'destination_address' | 'destination_phone' | 'service'
  > & { destination_email: string; destination_collectivite_id: number | null },
): Promise<Destination | undefined> {
  if (r.lieu_id) return destinationOf(db, r.lieu_id);
  return {
    lieuId: null,
    diServiceId: r.di_service_id,
    name: r.destination_name,
    address: r.destination_address ?? '',
    services: [r.service],
    email: r.destination_email,
    phone: r.destination_phone,
    collectiviteId: r.destination_collectivite_id,
    criteria: [],
  };
}

/** The sentence a place without contact email gets instead of the form. */
export function noContactMessage(d: Pick<Destination, 'name' | 'phone'>): string {
  return `${d.name} n’a pas d’adresse de contact : ce lieu ne peut pas recevoir d’orientation par Relais.${
    d.phone ? ` Appelez-le au ${d.phone}.` : ' Il n’a pas non plus de téléphone dans l’annuaire.'
  }`;
}

// ---------------------------------------------------------------- outside the territory

/**
 * A data·inclusion service id: `<source>--<id>` as the national API gives it (e.g.
 * `dora--6e80b391-…`, `mediation-numerique--123`), letters, digits and `._-` only.
 */
export const DI_SERVICE_ID = /^[a-z0-9][a-z0-9-]{1,40}--[A-Za-z0-9._-]{1,100}$/;

const required = (label: string, max: number) =>
  z.preprocess(
    trimString,
    z
      .string({ error: `${label} : obligatoire.` })
      .min(1, `${label} : obligatoire.`)
      .max(max, `${label} : ${max} caractères au plus.`),
  );

/** The snapshot of a service outside the territory, as the sender enters and confirms it. */
export const outsideFields = z.object({
  di_service: z.preprocess(
    trimString,
    z
      .string({ error: 'Identifiant data·inclusion : obligatoire.' })
      .regex(
        DI_SERVICE_ID,
        'Identifiant data·inclusion : de la forme source--identifiant, par exemple dora--1234.',
      ),
  ),
  di_nom: required('Nom de la structure', 200),
  di_service_nom: required('Nom du service', 200),
  di_adresse: required('Adresse', 300),
  di_courriel: z.preprocess(
    blankToUndefined,
    z.email('Courriel de contact : une adresse comme nom@exemple.fr.').optional(),
  ),
  di_telephone: z.preprocess(
    blankToUndefined,
    z.string().trim().max(30, 'Téléphone : 30 caractères au plus.').optional(),
  ),
});
export type OutsideInput = z.output<typeof outsideFields>;

/** A service outside the territory as a destination (it has no collectivité of the OPSN). */
export const destinationOutside = (s: OutsideInput): Destination => ({
  lieuId: null,
  diServiceId: s.di_service,
  name: s.di_nom,
  address: s.di_adresse,
  services: [s.di_service_nom],
  email: s.di_courriel ?? null,
  phone: s.di_telephone ?? null,
  collectiviteId: null,
  criteria: [],
});
