import type { FastifyInstance } from 'fastify';

/** A request refused for its form (400, 413, 415…), with a French message safe to show as is. */
export class BadRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export const NUL_MESSAGE = 'La demande contient un caractère nul (\\0) : retirez-le et recommencez.';

/** Whether a string somewhere in a parsed query, parameters or body holds U+0000. */
export function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > 32 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return false;
  if (Array.isArray(value)) return value.some((v) => holdsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v, depth + 1));
}

/**
 * PostgreSQL refuses U+0000 in text: a NUL byte that reached a query would answer 500. It is
 * never meaningful in a form, a search or an address, so every request carrying one is refused
 * before any route reads it (uploaded files keep their bytes: they are not strings here).
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (holdsNul(request.query) || holdsNul(request.params) || holdsNul(request.body)) {
      throw new BadRequestError('caractere_nul', NUL_MESSAGE);
    }
  });
}
