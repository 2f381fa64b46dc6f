import { sql } from 'kysely';
import type { SkillsNextStepSource } from '../../platform/module.ts';
import { addDays, formatDateTime, parisToday } from '../../platform/paris-time.ts';
import { publishedPlacesWithin } from '../lieux/index.ts';
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
  const reasons = await db
    .selectFrom('rdv_motif')
    .selectAll()
    .where('actif', '=', true)
    .where('collectif', '=', true)
    .where('reservable_par', '=', 'tout_le_monde')
    .where(sql<boolean>`thematiques && ${need.themes}::text[]`)
    .execute();
  if (reasons.length === 0) return [];
  const places = await publishedPlacesWithin(
    db,
    [...new Set(reasons.map((r) => r.lieu_id))],
    need.near,
    RADIUS_KM,
  );
  const nearest = places
    .flatMap((place) => reasons.filter((r) => r.lieu_id === place.id).map((reason) => ({ reason, place })))
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
