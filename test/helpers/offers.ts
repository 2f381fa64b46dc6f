import assert from 'node:assert/strict';
import type { Helper } from '../../src/modules/mediateurs/index.ts';
import { type ReasonInput, saveOpening, saveReason } from '../../src/modules/rendezvous/setup.ts';
import {
  addBlock,
  createResource,
  findResource,
  publishResource,
  type ResourceInput,
} from '../../src/modules/ressources/service.ts';
import type { SignedIn } from '../../src/platform/http/access.ts';
import { parisToday } from '../../src/platform/paris-time.ts';
import { dbOf, type On } from './builders.ts';

/**
 * What the territory offers to learn, for tests of the modules that point people to it: a
 * workshop one books at a place (open every day from today) and a resource of the
 * library with one block.
 */

export async function givenWorkshop(
  on: On,
  helper: Helper,
  place: string,
  options: {
    nom: string;
    reservable_par?: 'tout_le_monde' | 'agents';
    thematiques?: ReasonInput['thematiques'];
    /** Its daily session, in minutes from midnight (default 14:00–16:00). */
    hours?: [number, number];
  },
): Promise<string> {
  const db = dbOf(on);
  const reason = await saveReason(db, helper, place, {
    nom: options.nom,
    duree_min: 90,
    location_type: 'sur_place',
    collectif: true,
    capacite: 8,
    delai_min_minutes: 60,
    delai_max_jours: 60,
    instructions: undefined,
    reservable_par: options.reservable_par ?? 'tout_le_monde',
    modifiable: true,
    liste_attente: false,
    thematiques: options.thematiques ?? ['prendre_en_main_du_materiel'],
  });
  assert.ok(reason.ok, JSON.stringify(reason));
  const opening = await saveOpening(db, helper, place, {
    jours: ['1', '2', '3', '4', '5', '6', '7'],
    intervalle: 1,
    debut: options.hours?.[0] ?? 14 * 60,
    fin: options.hours?.[1] ?? 16 * 60,
    premier_jour: parisToday(),
    dernier_jour: undefined,
    motifs: [reason.id],
  });
  assert.ok(opening.ok, JSON.stringify(opening));
  return reason.id;
}

export async function givenResource(
  on: On,
  author: SignedIn,
  options: {
    titre: string;
    resume?: string;
    visibilite?: 'publique' | 'reseau' | 'privee';
    competences?: ResourceInput['competences'];
    publish?: boolean;
  },
): Promise<string> {
  const db = dbOf(on);
  const id = await createResource(db, author, {
    titre: options.titre,
    resume: options.resume,
    licence: 'etalab_2_0',
    visibilite: options.visibilite ?? 'publique',
    thematiques: ['securite_numerique'],
    types: ['ressource_pedagogique'],
    publics: ['tous_publics'],
    competences: options.competences ?? [],
    contributors: undefined,
    review_on: undefined,
  });
  const r = await findResource(db, id);
  assert.ok(r);
  await addBlock(db, author, r, { kind: 'texte', texte: 'Ne cliquez pas sur le lien.' });
  if (options.publish ?? true) assert.deepEqual(await publishResource(db, author, r), { ok: true });
  return id;
}
