import type { Db } from '../../platform/db/database.ts';
import { findPublishedPlace } from '../lieux/index.ts';

type Place = NonNullable<Awaited<ReturnType<typeof findPublishedPlace>>>;

/** Where a referral can go: a published place, its services, and whom to write to (or call). */
export type Destination = {
  lieuId: string;
  name: string;
  address: string;
  services: string[];
  email: string | null;
  phone: string | null;
  collectiviteId: number | null;
};

const destinationOfPlace = (p: Place): Destination => ({
  lieuId: p.id,
  name: p.nom,
  address: [p.adresse, p.complement_adresse, `${p.code_postal} ${p.commune}`].filter(Boolean).join(', '),
  services: p.services,
  email: p.courriels[0]?.trim() || null,
  phone: p.telephone[0]?.trim() || null,
  collectiviteId: p.collectivite_id,
});

/** A published place as a destination, or undefined (unknown, draft). */
export async function destinationOf(db: Db, lieuId: string): Promise<Destination | undefined> {
  const place = await findPublishedPlace(db, lieuId);
  return place ? destinationOfPlace(place) : undefined;
}

/** The sentence a place without contact email gets instead of the form. */
export function noContactMessage(d: Pick<Destination, 'name' | 'phone'>): string {
  return `${d.name} n’a pas d’adresse de contact : ce lieu ne peut pas recevoir d’orientation par Relais.${
    d.phone ? ` Appelez-le au ${d.phone}.` : ' Il n’a pas non plus de téléphone dans l’annuaire.'
  }`;
}
