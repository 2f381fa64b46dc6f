import { sql } from 'kysely';
import type { SkillsNextStepSource } from '../../platform/module.ts';
import { addDays, formatDateTime, parisToday } from '../../platform/paris-time.ts';
import { searchPlaces, searchSchema } from '../lieux/index.ts';
import { freeSlots } from './slots.ts';

/** Workshops are looked for within this distance of the person's commune. */
const RADIUS_KM = 30;
/** How many workshops a result offers, and how many are looked at to find them. */
const OFFERED = 2;
const LOOKED_AT = 6;
/** How far ahead a workshop's next session is looked for. */
const DAYS_AHEAD = 45;

/**
 * The appointments' next steps for a skills result: workshops (collective reasons anyone may
 * book) on the themes the person should work on, at published places near their commune, each
 * with its next session that still has seats, the nearest first.
 */
export const workshopsForSkills: SkillsNextStepSource = async ({ db }, need) => {
  if (!need.near || need.themes.length === 0) return [];
  const query = searchSchema.safeParse({
    near: `${need.near.latitude},${need.near.longitude}`,
    rayon_km: String(RADIUS_KM),
    limit: '200',
  });
  if (!query.success) return [];
  const places = new Map((await searchPlaces(db, query.data)).hits.map((p) => [p.id, p]));
  if (places.size === 0) return [];
  const reasons = await db
    .selectFrom('rdv_motif')
    .selectAll()
    .where('actif', '=', true)
    .where('collectif', '=', true)
    .where('reservable_par', '=', 'tout_le_monde')
    .where('lieu_id', '=', sql<string>`any(${[...places.keys()]}::uuid[])`)
    .where(sql<boolean>`thematiques && ${need.themes}::text[]`)
    .execute();
  const nearest = reasons
    .map((reason) => ({ reason, place: places.get(reason.lieu_id)! }))
    .sort((a, b) => (a.place.distance_km ?? 0) - (b.place.distance_km ?? 0))
    .slice(0, LOOKED_AT);
  const today = parisToday();
  const offered = [];
  for (const { reason, place } of nearest) {
    const next = (await freeSlots(db, reason, today, addDays(today, DAYS_AHEAD))).find(
      (s) => s.seatsLeft > 0,
    );
    if (!next) continue;
    const seats = next.seatsLeft === 1 ? '1 place libre' : `${next.seatsLeft} places libres`;
    offered.push({
      kind: 'atelier' as const,
      title: reason.nom,
      href: `/rendezvous/lieux/${place.id}/motifs/${reason.id}`,
      detail: `${place.nom}, ${place.commune} : prochaine séance le ${formatDateTime(next.start)} (${seats}).`,
    });
    if (offered.length === OFFERED) break;
  }
  return offered;
};
