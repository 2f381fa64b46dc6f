import { z } from 'zod';
import type { FieldErrors } from './ui/components.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An identifier from a URL or a form that can be looked up (anything else finds nothing). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

// Coercion of submitted fields: a form sends strings, a repeated field an array, a blank
// field an empty string; JSON may send null.

/** Nothing was given: null, undefined, or a string of spaces. */
export const isBlank = (v: unknown): boolean => v == null || (typeof v === 'string' && v.trim() === '');

/** A text with its surrounding spaces cut; anything else as it came. */
export const trimString = (v: unknown): unknown => (typeof v === 'string' ? v.trim() : v);

/** A blank value as `undefined` (for `.optional()` schemas), anything else as it came. */
export const blankToUndefined = (v: unknown): unknown => (isBlank(v) ? undefined : v);

/** The value of a field that may come repeated: the last one, when it is a string. */
export const lastValue = (v: unknown): string | undefined => {
  const last = Array.isArray(v) ? v.at(-1) : v;
  return typeof last === 'string' ? last : undefined;
};

/** The values of a field that may come once or repeated, blank ones left out. */
export const allValues = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.trim() !== '');

/** A checkbox: ticked when it sent `oui`, `on` (the browser's default value) or JSON `true`. */
export const isChecked = (v: unknown): boolean => v === 'oui' || v === 'on' || v === true;

/** A typed number (`12`, ` 2,5 `) as a number for zod, blank as `undefined`; other values untouched. */
export const typedNumber = (v: unknown): unknown =>
  typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim().replace(',', '.'))) : v;

/** The French label of a vocabulary's code (an unknown code as it is); `none` when there is no code. */
export const labelOf = (
  vocabulary: Readonly<Record<string, string>>,
  code: string | null | undefined,
  none = '',
): string => (code ? (vocabulary[code] ?? code) : none);

/** A vocabulary as the options of a list or of choices; first a blank option, when labelled. */
export const vocabularyOptions = (
  vocabulary: Readonly<Record<string, string>>,
  blankLabel?: string,
): { value: string; label: string }[] => [
  ...(blankLabel === undefined ? [] : [{ value: '', label: blankLabel }]),
  ...Object.entries(vocabulary).map(([value, label]) => ({ value, label })),
];

/** The French labels of a list of codes, separated by commas. */
export const labelsOf = (vocabulary: Readonly<Record<string, string>>, list: readonly string[]): string =>
  list.map((c) => vocabulary[c] ?? c).join(', ');

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Validates a submitted form with a zod schema; errors are keyed by field, first one wins. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? 'formulaire');
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Form fields arrive as strings, and an empty field means "not given". */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' ? blankToUndefined(v) : v);

export const requiredText = (label: string, max = 200) =>
  z.preprocess(
    trimString,
    z
      .string({ error: `Saisissez ${label}.` })
      .min(1, `Saisissez ${label}.`)
      .max(max, `${label[0]?.toUpperCase()}${label.slice(1)} doit faire au plus ${max} caractères.`),
  );

export const optionalText = (label: string, max = 200) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .max(max, `${label[0]?.toUpperCase()}${label.slice(1)} doit faire au plus ${max} caractères.`)
      .optional(),
  );

export const optionalEmail = (message: string) => z.preprocess(emptyToUndefined, z.email(message).optional());

export const optionalUrl = (message: string) =>
  z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/, error: message }).optional());

/** A vocabulary: codes for storage and exchange, French labels for people. */
export type Vocabulary<K extends string> = Readonly<Record<K, string>>;

/** The codes of a vocabulary, for zod enums. */
export function codes<V extends Vocabulary<string>>(
  vocabulary: V,
): [keyof V & string, ...(keyof V & string)[]] {
  return Object.keys(vocabulary) as [keyof V & string, ...(keyof V & string)[]];
}

/**
 * A parsed form body or query string, as route inputs type it (Fastify generics): each field
 * is text, or a list when it repeats, and any may be missing or be something else.
 */
export type Fields = Record<string, unknown>;

/** The text of a field, or undefined (a list, a file, nothing). */
export const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Typed route inputs (Fastify generics): the path parameters named `P`, the query string, the form. */
export type RouteInput<P extends string = never> = {
  Params: Record<P, string>;
  Querystring: Fields;
  Body: Fields | undefined;
};

/** The text fields of a form, to show back what was typed (lists and files left out). */
export const textFields = (fields: Fields | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(fields ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
