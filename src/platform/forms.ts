import { z } from 'zod';
import type { FieldErrors } from './ui/components.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An identifier from a URL or a form that can be looked up (anything else finds nothing). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

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
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const requiredText = (label: string, max = 200) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: `Saisissez ${label}.` })
      .min(1, `Saisissez ${label}.`)
      .max(max, `${label[0]?.toUpperCase()}${label.slice(1)} doit faire au plus ${max} caractères.`),
  );

export const optionalText = (label: string, max = 200) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(max, `${label[0]?.toUpperCase()}${label.slice(1)} doit faire au plus ${max} caractères.`)
      .optional(),
  );

export const optionalEmail = (message: string) => z.preprocess(blankToUndefined, z.email(message).optional());

export const optionalUrl = (message: string) =>
  z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/, error: message }).optional());

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
