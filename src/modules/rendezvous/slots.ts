import type { Db } from '../../platform/db/database.ts';
import { addDays, parisInstant, parisToday } from '../../platform/paris-time.ts';
import { isHoliday, parseRule, recurrenceDays } from './calendar.ts';

/**
 * Free slots of a reason: the openings of the helpers who offer it at its place, cut in steps
 * of its duration, less French public holidays, the helpers' absences and the appointments
 * already in their agendas, within the reason's booking window. Three queries, then
 * arithmetic: the same function answers the booking pages and checks a chosen slot.
 */

export type SlotReason = {
  id: string;
  lieu_id: string;
  duree_min: number;
  collectif: boolean;
  capacite: number | null;
  delai_min_minutes: number;
  delai_max_jours: number;
};

export type Slot = {
  /** `<opening id>_<unix seconds>`: what a booking form sends back. */
  key: string;
  plageId: string;
  helperId: string;
  start: Date;
  end: Date;
  seatsLeft: number;
  /** The workshop session already booked at that time, if any. */
  rdvId: string | null;
};

type Busy = {
  id: string;
  mediateur_id: string;
  motif_id: string;
  starts_at: Date;
  ends_at: Date;
  capacite: number;
  places_prises: number;
};

export const slotKey = (plageId: string, start: Date) => `${plageId}_${Math.floor(start.getTime() / 1000)}`;

/** The first and last days the window of a reason allows, seen from `now`. */
export function bookingWindow(reason: SlotReason, now: Date): { earliest: Date; latest: Date } {
  return {
    earliest: new Date(now.getTime() + reason.delai_min_minutes * 60_000),
    latest: new Date(now.getTime() + reason.delai_max_jours * 24 * 3600_000),
  };
}

/**
 * Free slots of `reason` on the days `from`…`to` (Paris calendar days, both included), in
 * time order; one per start time (the first helper free then), each with its seats left.
 */
export async function freeSlots(
  db: Db,
  reason: SlotReason,
  from: string,
  to: string,
  now: Date = new Date(),
): Promise<Slot[]> {
  const { earliest, latest } = bookingWindow(reason, now);
  const first = from < parisToday(now) ? parisToday(now) : from;
  const lastAllowed = parisToday(latest);
  const last = to > lastAllowed ? lastAllowed : to;
  if (first > last) return [];
  const openings = await db
    .selectFrom('rdv_plage')
    .select(['id', 'mediateur_id', 'rrule', 'debut_min', 'fin_min', 'premier_jour', 'dernier_jour'])
    .where('lieu_id', '=', reason.lieu_id)
    .where((eb) => eb(eb.val(reason.id), '=', eb.fn.any('motif_ids')))
    .where('premier_jour', '<=', last)
    .where((eb) => eb.or([eb('dernier_jour', 'is', null), eb('dernier_jour', '>=', first)]))
    .orderBy('created_at')
    .execute();
  if (openings.length === 0) return [];
  const helpers = [...new Set(openings.map((o) => o.mediateur_id))];
  const rangeStart = parisInstant(first, 0);
  const rangeEnd = parisInstant(addDays(last, 1), 0);
  const [busy, absences] = await Promise.all([
    db
      .selectFrom('rdv')
      .select(['id', 'mediateur_id', 'motif_id', 'starts_at', 'ends_at', 'capacite', 'places_prises'])
      .where('mediateur_id', 'in', helpers)
      .where('libere_at', 'is', null)
      .where('starts_at', '<', rangeEnd)
      .where('ends_at', '>', rangeStart)
      .execute(),
    db
      .selectFrom('rdv_absence')
      .select(['mediateur_id', 'debut', 'fin'])
      .where('mediateur_id', 'in', helpers)
      .where('debut', '<', rangeEnd)
      .where('fin', '>', rangeStart)
      .execute(),
  ]);
  // Each helper's appointments and absences as numbers, sorted by start: a slot looks up the
  // few that may overlap it by binary search instead of scanning them all.
  const busyOf = new Map<string, Timeline>();
  for (const b of busy) timelineOf(busyOf, b.mediateur_id).add(b.starts_at.getTime(), b.ends_at.getTime(), b);
  const absentOf = new Map<string, Timeline>();
  for (const a of absences)
    timelineOf(absentOf, a.mediateur_id).add(a.debut.getTime(), a.fin.getTime(), null);
  for (const t of [...busyOf.values(), ...absentOf.values()]) t.sort();

  const byStart = new Map<number, Slot>();
  const duration = reason.duree_min * 60_000;
  const earliestMs = earliest.getTime();
  const latestMs = latest.getTime();
  const none = new Timeline();
  for (const o of openings) {
    const rule = parseRule(o.rrule);
    if (!rule) continue;
    const lastDay = o.dernier_jour && o.dernier_jour < last ? o.dernier_jour : last;
    const firstDay = o.premier_jour > first ? o.premier_jour : first;
    const helperBusy = busyOf.get(o.mediateur_id) ?? none;
    const helperAbsent = absentOf.get(o.mediateur_id) ?? none;
    for (const day of recurrenceDays(rule, o.premier_jour, firstDay, lastDay)) {
      if (isHoliday(day)) continue;
      const at = wallClockOf(day);
      for (let m = o.debut_min; m + reason.duree_min <= o.fin_min; m += reason.duree_min) {
        const t = at(m);
        if (t < earliestMs || t > latestMs) continue;
        const existing = byStart.get(t);
        if (existing && (existing.rdvId || !reason.collectif)) continue;
        const e = t + duration;
        if (helperAbsent.overlaps(t, e, () => true)) continue;
        let seatsLeft = reason.capacite ?? 1;
        let rdvId: string | null = null;
        const blocked = helperBusy.overlaps(t, e, (b) => {
          // A workshop of this reason at this very time takes more people while seats remain.
          if (b && reason.collectif && b.motif_id === reason.id && b.starts_at.getTime() === t) {
            seatsLeft = b.capacite - b.places_prises;
            rdvId = b.id;
            return seatsLeft <= 0;
          }
          return true;
        });
        if (blocked) continue;
        if (existing && !rdvId) continue;
        const start = new Date(t);
        byStart.set(t, {
          key: slotKey(o.id, start),
          plageId: o.id,
          helperId: o.mediateur_id,
          start,
          end: new Date(e),
          seatsLeft,
          rdvId,
        });
      }
    }
  }
  return [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** Intervals of one helper (appointments or absences), sorted by start. */
class Timeline {
  private starts: number[] = [];
  private items: { s: number; e: number; b: Busy | null }[] = [];
  private longest = 0;
  add(s: number, e: number, b: Busy | null) {
    this.items.push({ s, e, b });
    if (e - s > this.longest) this.longest = e - s;
  }
  sort() {
    this.items.sort((x, y) => x.s - y.s);
    this.starts = this.items.map((i) => i.s);
  }
  /** Whether `blocks` says yes for an interval overlapping [s, e); each overlapping one is asked. */
  overlaps(s: number, e: number, blocks: (b: Busy | null) => boolean): boolean {
    let lo = 0;
    let hi = this.starts.length;
    const from = s - this.longest;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.items.length; i++) {
      const item = this.items[i] as { s: number; e: number; b: Busy | null };
      if (item.s >= e) break;
      if (item.e > s && blocks(item.b)) return true;
    }
    return false;
  }
}

function timelineOf(map: Map<string, Timeline>, helperId: string): Timeline {
  const found = map.get(helperId);
  if (found) return found;
  const made = new Timeline();
  map.set(helperId, made);
  return made;
}

/**
 * The instants of a Paris day's wall-clock minutes. The offset to UTC is read once a day; on the
 * two days a year the clocks change, each minute is converted on its own.
 */
const offsets = new Map<string, number | null>();

function wallClockOf(day: string): (minutes: number) => number {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(y, mo - 1, d);
  let offset = offsets.get(day);
  if (offset === undefined) {
    const atMidnight = midnightUtc - parisInstant(day, 0).getTime();
    const atEnd = midnightUtc + 1439 * 60_000 - parisInstant(day, 1439).getTime();
    offset = atMidnight === atEnd ? atMidnight : null;
    if (offsets.size > 4000) offsets.clear();
    offsets.set(day, offset);
  }
  if (offset === null) return (m) => parisInstant(day, m).getTime();
  const fixed = offset;
  return (m) => midnightUtc + m * 60_000 - fixed;
}

/** Parses a slot key; null when it is not one. */
export function parseSlotKey(key: string): { plageId: string; start: Date } | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([1-9][0-9]{8,10})$/.exec(key);
  return m ? { plageId: m[1]!, start: new Date(Number(m[2]) * 1000) } : null;
}
