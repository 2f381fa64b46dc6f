import { communeOfAddress, communeOfArrondissement, findCommune } from '../territoires/index.ts';
import { mapLegacyFields, type Note, vocabularyKey } from './legacy.ts';
import { checkOpeningHours } from './opening-hours.ts';
import {
  FIELD_BY_NAME,
  LMN_FIELDS,
  type LmnField,
  type LmnPlace,
  PIVOT_UNKNOWN,
  TYPOLOGIES,
} from './vocabulary.ts';

export type { Note };

export type Checked =
  | { ok: true; place: LmnPlace; warnings: Note[] }
  | { ok: false; errors: Note[]; warnings: Note[] };

export type CheckOptions = {
  /**
   * An unreadable value of an optional field is left out, with a warning, instead of
   * rejecting the row (imports; the place form and strict imports keep rejecting it).
   */
  dropUnreadable?: boolean;
};

/** What a phone number looks like, said the same way by the form's hint and the error. */
export const PHONE_FORMAT = '10 chiffres, par exemple 04 78 00 00 00 (ou +33 4 78 00 00 00)';

/** The words a warning ends with when an unreadable value is left out. */
export const DROPPED = 'valeur ignorée';

/**
 * Where the problems of a row go: a required field's to the errors; an optional field's to
 * the warnings when unreadable values are dropped (the caller then leaves the value out).
 * True when the value is to be dropped.
 */
type Problems = { errors: Note[]; warnings: Note[]; drop: boolean };
function report(problems: Problems, field: string, note: Note): boolean {
  const required = FIELD_BY_NAME.get(field)?.required ?? false;
  if (problems.drop && !required) {
    problems.warnings.push({ ...note, reason: `${note.reason} (${DROPPED})` });
    return true;
  }
  problems.errors.push(note);
  return false;
}

/**
 * France's land, metropolitan and overseas, as latitude/longitude boxes: a point outside
 * all of them is a typing or geocoding mistake (often latitude and longitude swapped).
 */
const FRANCE_BOXES: [string, number, number, number, number][] = [
  ['France métropolitaine et Corse', 41.3, 51.2, -5.3, 9.7],
  ['Guadeloupe', 15.8, 16.6, -61.9, -60.9],
  ['Martinique', 14.3, 14.95, -61.3, -60.75],
  ['Guyane', 2.0, 5.9, -54.7, -51.5],
  ['La Réunion', -21.45, -20.85, 55.2, 55.9],
  ['Mayotte', -13.1, -12.6, 44.9, 45.35],
  ['Saint-Pierre-et-Miquelon', 46.7, 47.2, -56.5, -56.1],
  ['Saint-Barthélemy et Saint-Martin', 17.85, 18.15, -63.2, -62.75],
  ['Wallis-et-Futuna', -14.4, -13.1, -178.3, -176.0],
  ['Polynésie française', -28.0, -7.8, -154.8, -134.4],
  ['Nouvelle-Calédonie', -23.0, -19.5, 163.5, 168.2],
];

export function isInFrance(latitude: number, longitude: number): boolean {
  return FRANCE_BOXES.some(
    ([, south, north, west, east]) =>
      latitude >= south && latitude <= north && longitude >= west && longitude <= east,
  );
}

/** The row's text for a field: trimmed, `null` when absent or empty. */
function textOf(raw: Record<string, unknown>, name: string): string | null {
  const value = raw[name];
  if (value === undefined || value === null) return null;
  const text = (Array.isArray(value) ? value.join('|') : String(value)).trim();
  return text === '' ? null : text;
}

/** `05 45 39 31 93`, `0545393193`, `0033 5…` → `+33545393193`; other forms are left to the rule. */
export function normalisePhone(value: string): string {
  const compact = value.replace(/[\s.\-()]/g, '');
  if (/^0\d{9}$/.test(compact)) return `+33${compact.slice(1)}`;
  if (/^00\d+$/.test(compact)) return `+${compact.slice(2)}`;
  return compact;
}

/** `www.exemple.fr` → `https://www.exemple.fr` (a web address typed without its scheme). */
function withScheme(value: string, field: string, warnings: Note[]): string {
  if (/^https?:\/\//i.test(value) || !/^[\w-]+(\.[\w-]+)+(\/\S*)?$/.test(value)) return value;
  warnings.push({ field, value, reason: 'adresse web complétée par « https:// »' });
  return `https://${value}`;
}

/** `2023-04-01`, `2023-04-01T10:00:00Z` or `01/04/2023` → `2023-04-01`; null when not a real date. */
export function normaliseDate(value: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : french ? [french[3], french[2], french[1]] : [];
  if (!y || !m || !d) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return `${y}-${m}-${d}`;
}

/** Each vocabulary's allowed values by their key, made once per field (an import asks thousands of times). */
const allowedByKey = new WeakMap<LmnField, Map<string, string>>();

/** The allowed value a person meant, ignoring case, accents and apostrophe style. */
function canonicalValue(field: LmnField, value: string): string | undefined {
  if (!field.values) return undefined;
  let byKey = allowedByKey.get(field);
  if (!byKey) {
    byKey = new Map();
    for (const allowed of field.values) {
      const key = vocabularyKey(allowed);
      if (!byKey.has(key)) byKey.set(key, allowed);
    }
    allowedByKey.set(field, byKey);
  }
  return byKey.get(vocabularyKey(value));
}

function checkMulti(field: LmnField, text: string, problems: Problems): string[] {
  const { warnings } = problems;
  if (text.includes(';') && !text.includes('|')) {
    warnings.push({ field: field.name, value: text, reason: 'séparateur « ; » remplacé par « | »' });
  }
  const parts = [
    ...new Set(
      text
        .split(/[|;]/)
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  const result: string[] = [];
  for (const part of parts) {
    let value = part;
    if (field.name === 'telephone') value = normalisePhone(part);
    if (field.name === 'site_web') value = withScheme(part, field.name, warnings);
    if (field.name === 'typologie') {
      value = TYPOLOGIES[part] || part === 'Autre' ? part : part.toUpperCase();
      if (!TYPOLOGIES[value]) {
        warnings.push({
          field: field.name,
          value: part,
          reason: 'type de structure inconnu, conservé tel quel',
        });
      }
    }
    if (field.values) {
      const canonical = canonicalValue(field, part);
      if (!canonical) {
        report(problems, field.name, {
          field: field.name,
          value: part,
          reason: `valeur inconnue ; valeurs possibles : ${field.values.join(', ')}`,
        });
        continue;
      }
      value = canonical;
    }
    if (field.pattern && !field.pattern.test(value)) {
      const rule = field.name === 'telephone' ? PHONE_FORMAT : field.rule;
      report(problems, field.name, { field: field.name, value: part, reason: `format attendu : ${rule}` });
      continue;
    }
    result.push(value);
  }
  return result;
}

function checkNumber(raw: Record<string, unknown>, name: string, errors: Note[]): number | null {
  const value = raw[name];
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'number' ? value : Number(String(value).trim().replace(',', '.'));
  if (!Number.isFinite(number)) {
    errors.push({
      field: name,
      value: String(value),
      reason: 'nombre attendu (degrés décimaux, par exemple 45.764)',
    });
    return null;
  }
  return number;
}

function checkCoordinates(latitude: number | null, longitude: number | null, errors: Note[]): void {
  if ((latitude === null) !== (longitude === null)) {
    const missing = latitude === null ? 'latitude' : 'longitude';
    errors.push({ field: missing, value: '', reason: 'latitude et longitude vont ensemble : l’une manque' });
    return;
  }
  if (latitude === null || longitude === null || isInFrance(latitude, longitude)) return;
  const swapped = isInFrance(longitude, latitude) ? ' (latitude et longitude inversées ?)' : '';
  errors.push({
    field: 'latitude',
    value: `${latitude}, ${longitude}`,
    reason: `coordonnées hors de France, outre-mer compris${swapped}`,
  });
}

/**
 * Fills or checks the INSEE code from the postcode and commune name. A municipal
 * arrondissement's code (Paris, Lyon, Marseille) is taken as its commune's.
 */
function checkCommune(place: Partial<LmnPlace>, problems: Problems): void {
  const { warnings } = problems;
  if (place.code_insee) {
    if (findCommune(place.code_insee)) return;
    const parent = communeOfArrondissement(place.code_insee);
    if (parent) {
      warnings.push({
        field: 'code_insee',
        value: place.code_insee,
        reason: `arrondissement municipal (${parent.arrondissement}) : code de la commune ${parent.name} (${parent.code}) retenu`,
      });
      place.code_insee = parent.code;
      return;
    }
    const dropped = report(problems, 'code_insee', {
      field: 'code_insee',
      value: place.code_insee,
      reason: 'aucune commune actuelle n’a ce code dans le code officiel géographique',
    });
    if (!dropped) return;
    place.code_insee = null;
  }
  if (!place.code_postal || !place.commune) return;
  const found = communeOfAddress(place.code_postal, place.commune);
  if (found) {
    place.code_insee = found.code;
    warnings.push({
      field: 'code_insee',
      value: found.code,
      reason: `code INSEE déduit du code postal et de la commune (${found.name})`,
    });
  }
}

/**
 * Checks one row against the standard's rules, after mapping v0.1 fields, and normalises
 * what is safe to normalise. Every problem names the field, the value and the reason.
 */
export function checkLmnRow(input: Record<string, unknown>, options: CheckOptions = {}): Checked {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) raw[key.trim().toLowerCase()] = value;
  const warnings = mapLegacyFields(raw);
  const errors: Note[] = [];
  const problems: Problems = { errors, warnings, drop: options.dropUnreadable ?? false };
  const place: Record<string, unknown> = {};

  for (const field of LMN_FIELDS) {
    if (field.kind === 'number') continue;
    let text = textOf(raw, field.name);
    if (field.name === 'pivot' && text === null) {
      text = PIVOT_UNKNOWN;
      warnings.push({
        field: 'pivot',
        value: '',
        reason: `absent : ${PIVOT_UNKNOWN} (inconnu), comme le prévoit le standard`,
      });
    }
    if (text === null) {
      if (field.required) errors.push({ field: field.name, value: '', reason: 'champ obligatoire absent' });
      place[field.name] = field.kind === 'multi' ? [] : null;
      continue;
    }
    if (field.kind === 'multi') {
      place[field.name] = checkMulti(field, text, problems);
    } else if (field.kind === 'date') {
      const date = normaliseDate(text);
      if (!date)
        errors.push({ field: field.name, value: text, reason: 'date attendue au format AAAA-MM-JJ' });
      place[field.name] = date;
    } else {
      if (field.name === 'fiche_acces_libre' || field.name === 'prise_rdv')
        text = withScheme(text, field.name, warnings);
      if (field.pattern && !field.pattern.test(text)) {
        const note = { field: field.name, value: text, reason: `format attendu : ${field.rule}` };
        if (report(problems, field.name, note)) text = null;
      }
      if (text !== null && field.maxLength && text.length > field.maxLength) {
        const note = {
          field: field.name,
          value: `${text.slice(0, 40)}…`,
          reason: `${text.length} caractères pour ${field.maxLength} au plus`,
        };
        // A text too long is cut (a fixed value), not dropped.
        if (problems.drop && !field.required) {
          warnings.push({ ...note, reason: `${note.reason} : texte raccourci` });
          text = `${text.slice(0, field.maxLength - 1).trimEnd()}…`;
        } else errors.push(note);
      }
      place[field.name] = text;
    }
  }

  if (typeof place.horaires === 'string') {
    const hours = checkOpeningHours(place.horaires);
    if (hours.ok) place.horaires = hours.value;
    else if (report(problems, 'horaires', { field: 'horaires', value: place.horaires, reason: hours.reason }))
      place.horaires = null;
  }
  // The coordinates go together: a problem with either leaves both out when dropping.
  const coordinateErrors: Note[] = [];
  place.latitude = checkNumber(raw, 'latitude', coordinateErrors);
  place.longitude = checkNumber(raw, 'longitude', coordinateErrors);
  // A coordinate that is not a number is already reported: it is not "missing".
  if (coordinateErrors.length === 0) {
    checkCoordinates(place.latitude as number | null, place.longitude as number | null, coordinateErrors);
  }
  let droppedCoordinates = false;
  for (const note of coordinateErrors) droppedCoordinates = report(problems, note.field, note);
  if (droppedCoordinates) {
    place.latitude = null;
    place.longitude = null;
  }
  checkCommune(place as Partial<LmnPlace>, problems);

  for (const key of Object.keys(raw)) {
    if (!FIELD_BY_NAME.has(key) && raw[key] !== '' && raw[key] !== null && raw[key] !== undefined) {
      warnings.push({
        field: key,
        value: String(raw[key]).slice(0, 60),
        reason: 'champ hors du standard, ignoré',
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, place: place as LmnPlace, warnings };
}
