import type { ModuleContext } from '../../platform/module.ts';
import { addDays, parisToday } from '../../platform/paris-time.ts';
import { DEMO_HELPER_EMAIL } from '../activites/index.ts';
import { helperByEmail, helperPlaces } from '../mediateurs/index.ts';
import { book } from './booking.ts';
import { findReason, saveOpening, saveReason } from './setup.ts';
import { freeSlots } from './slots.ts';

/**
 * Demo data: at the demo helper's first place (Villeurbanne), an individual reason and a
 * workshop, openings on weekdays, and two bookings the reminders and the agenda can show.
 */
export async function seedRendezvous({ db, config }: ModuleContext): Promise<void> {
  const helper = await helperByEmail(db, DEMO_HELPER_EMAIL);
  if (!helper) return;
  const [place] = await helperPlaces(db, helper.userId);
  if (!place) return;
  const individual = await saveReason(db, helper, place.id, {
    nom: 'Aide aux démarches en ligne',
    duree_min: 30,
    location_type: 'sur_place',
    collectif: false,
    capacite: undefined,
    delai_min_minutes: 30,
    delai_max_jours: 90,
    instructions: 'Apportez vos identifiants et, si vous l’avez, votre carte Vitale.',
    reservable_par: 'tout_le_monde',
    modifiable: true,
    liste_attente: true,
    thematiques: ['aide_aux_demarches_administratives'],
  });
  const workshop = await saveReason(db, helper, place.id, {
    nom: 'Atelier smartphone',
    duree_min: 90,
    location_type: 'sur_place',
    collectif: true,
    capacite: 8,
    delai_min_minutes: 60,
    delai_max_jours: 60,
    instructions: 'Venez avec votre téléphone chargé.',
    reservable_par: 'tout_le_monde',
    modifiable: true,
    liste_attente: true,
    thematiques: ['prendre_en_main_du_materiel'],
  });
  if (!individual.ok || !workshop.ok) return;
  const today = parisToday();
  await saveOpening(db, helper, place.id, {
    jours: ['1', '2', '4'],
    intervalle: 1,
    debut: 9 * 60,
    fin: 12 * 60,
    premier_jour: today,
    dernier_jour: undefined,
    motifs: [individual.id],
  });
  await saveOpening(db, helper, place.id, {
    jours: ['3'],
    intervalle: 1,
    debut: 14 * 60,
    fin: 15 * 60 + 30,
    premier_jour: today,
    dernier_jour: undefined,
    motifs: [workshop.id],
  });
  const people = [
    { id: individual.id, prenom: 'Jeanne', nom: 'Martin', email: 'jeanne.martin@exemple.fr' },
    { id: workshop.id, prenom: 'Gérard', nom: 'Moreau', email: 'gerard.moreau@exemple.fr' },
  ];
  for (const p of people) {
    const reason = await findReason(db, p.id);
    if (!reason) continue;
    const [slot] = await freeSlots(db, reason, addDays(today, 3), addDays(today, 20));
    if (!slot) continue;
    await book(db, config, {
      reason,
      key: slot.key,
      person: {
        prenom: p.prenom,
        nom: p.nom,
        email: p.email,
        telephone: undefined,
        sms: false,
        rappel_24h: false,
        consentement: true,
      },
      channel: 'agent',
      actor: helper.actor,
    });
  }
}
