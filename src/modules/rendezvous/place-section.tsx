import type { PlacePageSection } from '../../platform/module.ts';

/**
 * On a place's public page: « Prendre rendez-vous ici » when the place offers reasons anyone may
 * book (the booking pages of the others would only say they are not open to them).
 */
export const bookHere: PlacePageSection = async ({ db }, _actor, place) => {
  const offered = await db
    .selectFrom('rdv_motif')
    .select('id')
    .where('lieu_id', '=', place.id)
    .where('actif', '=', true)
    .where('reservable_par', '=', 'tout_le_monde')
    .limit(1)
    .executeTakeFirst();
  if (!offered) return null;
  return (
    <p>
      <a href={`/rendezvous/lieux/${place.id}`} class="button">
        Prendre rendez-vous ici
      </a>
    </p>
  );
};
