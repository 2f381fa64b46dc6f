import type { FieldErrors } from '../../platform/ui/components.tsx';
import {
  DAY_CODES,
  osmToTimetable,
  parseTimetableForm,
  TIMETABLE_SLOTS,
  type TimetableDay,
  timetableFieldName,
  timetableToOsm,
} from './opening-hours.ts';
import { formatPhone } from './public-views.tsx';
import { checkLmnRow } from './validation.ts';
import { LMN_FIELDS, type LmnPlace } from './vocabulary.ts';

/** What the place form shows: the standard's fields as the person typed them, and the timetable. */
export type PlaceFormValues = Record<string, string | string[] | undefined>;

/** Fields typed one value per line in the form, `|`-joined in the standard. */
export const LINE_FIELDS = ['telephone', 'courriels', 'site_web'] as const;

/** The form's values for a stored place (or an empty form). */
export function formValuesOf(place: LmnPlace | null): PlaceFormValues {
  const values: PlaceFormValues = {};
  if (!place) return values;
  for (const field of LMN_FIELDS) {
    const value = place[field.name as keyof LmnPlace];
    if (Array.isArray(value)) {
      const shown = field.name === 'telephone' ? value.map(formatPhone) : value;
      values[field.name] = (LINE_FIELDS as readonly string[]).includes(field.name) ? shown.join('\n') : shown;
    } else values[field.name] = value === null ? undefined : String(value);
  }
  const timetable = place.horaires ? osmToTimetable(place.horaires) : null;
  if (timetable) {
    values.horaires = undefined;
    Object.assign(values, timetableValues(timetable));
  }
  return values;
}

function timetableValues(days: TimetableDay[]): PlaceFormValues {
  const values: PlaceFormValues = {};
  for (const day of days) {
    day.intervals.slice(0, TIMETABLE_SLOTS).forEach((interval, i) => {
      values[timetableFieldName(day.day, i + 1, 'debut')] = interval.from;
      values[timetableFieldName(day.day, i + 1, 'fin')] = interval.to;
    });
  }
  return values;
}

const asString = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Reads the submitted form into a place, with the import's own rules (`checkLmnRow`).
 * Hours come from the raw OpenStreetMap field when it is filled, else from the timetable.
 */
export function parsePlaceForm(
  body: Record<string, unknown>,
  lmnId: string,
): { ok: true; place: LmnPlace } | { ok: false; errors: FieldErrors; values: PlaceFormValues } {
  const values: PlaceFormValues = {};
  const row: Record<string, unknown> = { id: lmnId, date_maj: new Date().toISOString().slice(0, 10) };
  for (const field of LMN_FIELDS) {
    if (field.name === 'id' || field.name === 'date_maj') continue;
    const value = body[field.name];
    if (Array.isArray(value)) {
      values[field.name] = value.map(String);
      row[field.name] = value.map(String).join('|');
    } else if (typeof value === 'string') {
      values[field.name] = value;
      row[field.name] = (LINE_FIELDS as readonly string[]).includes(field.name)
        ? value
            .split(/\r?\n/)
            .map((v) => v.trim())
            .filter(Boolean)
            .join('|')
        : value;
    }
  }
  const errors: FieldErrors = {};
  const slots: Record<string, string | undefined> = {};
  for (const day of DAY_CODES) {
    for (let slot = 1; slot <= TIMETABLE_SLOTS; slot++) {
      for (const part of ['debut', 'fin'] as const) {
        const name = timetableFieldName(day, slot, part);
        slots[name] = asString(body[name]);
        values[name] = slots[name];
      }
    }
  }
  if (!asString(body.horaires)?.trim()) {
    const timetable = parseTimetableForm(slots);
    if (timetable.ok) row.horaires = timetableToOsm(timetable.days);
    else for (const e of timetable.errors) errors[e.field] ??= e.reason;
  }
  const checked = checkLmnRow(row);
  if (checked.ok && Object.keys(errors).length === 0) return { ok: true, place: checked.place };
  if (!checked.ok) {
    for (const e of checked.errors)
      errors[e.field] ??= `${labelOf(e.field)} : ${e.reason}${e.value ? ` (« ${e.value} »)` : ''}`;
  }
  return { ok: false, errors, values };
}

function labelOf(name: string): string {
  return LMN_FIELDS.find((f) => f.name === name)?.label ?? name;
}
