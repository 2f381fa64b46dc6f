import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../auth/policy.ts';
import { BadRequestError, holdsNul, NUL_MESSAGE } from './input.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route takes files: a multipart/form-data body (`config: { files: true }`). */
    files?: boolean;
  }
}

/** 20 MB: a regional or national file of places; images check their own, smaller limit. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const isEncoded = (request: FastifyRequest) => {
  const encoding = request.headers['content-encoding'];
  return encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
};

/** What a broken multipart body becomes: a French 413 or 400 instead of a 500. */
function uploadError(error: unknown): unknown {
  if (error instanceof ForbiddenError || error instanceof BadRequestError) return error;
  const { code, statusCode } = error as { code?: string; statusCode?: number };
  if (code?.startsWith('FST_CSRF')) return error;
  if (statusCode === 413) {
    return new BadRequestError(
      'fichier_trop_gros',
      'Le fichier dépasse 20 Mo, ou le formulaire compte trop de champs : découpez le fichier et recommencez.',
      413,
    );
  }
  return new BadRequestError(
    'envoi_illisible',
    'Le fichier envoyé est incomplet ou illisible : rechargez la page du formulaire et envoyez-le de nouveau.',
  );
}

/** The name each uploaded file had on the sender's machine, as the browser gave it. */
const fileNames = new WeakMap<Buffer, string>();

/**
 * The name an uploaded file had (without any folder, control characters nor surrounding
 * spaces, 200 characters at most); undefined when the browser gave none.
 */
export function uploadedFileName(file: Buffer): string | undefined {
  const raw = fileNames.get(file);
  if (raw === undefined) return undefined;
  const name = (raw.split(/[/\\]/).pop() ?? '')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 200);
  return name || undefined;
}

function add(body: Record<string, unknown>, name: string, value: unknown): void {
  const existing = body[name];
  if (existing === undefined) body[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else body[name] = [existing, value];
}

/**
 * Reads a multipart form into `{ field: string, file: Buffer }` once the person is known
 * and the form's token checked: the token (`_csrf`, first in every form) is read and verified
 * before any file, so nobody makes Relais read a file for a form they could not submit.
 */
async function readUpload(request: FastifyRequest, verifyCsrf: () => Promise<void>) {
  if (request.actor.kind === 'anonymous') throw new ForbiddenError();
  const body: Record<string, unknown> = {};
  let verified = false;
  try {
    for await (const part of request.parts()) {
      if (!verified) {
        // A form whose first part is not its token is refused like a form without one.
        request.body = part.type === 'field' && part.fieldname === '_csrf' ? { _csrf: part.value } : {};
        await verifyCsrf();
        verified = true;
      }
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.filename) fileNames.set(bytes, part.filename);
        add(body, part.fieldname, bytes);
      } else add(body, part.fieldname, part.value);
    }
  } catch (error) {
    throw uploadError(error);
  }
  if (!verified) {
    request.body = {};
    await verifyCsrf();
  }
  if (holdsNul(body)) throw new BadRequestError('caractere_nul', NUL_MESSAGE);
  return body;
}

/**
 * Multipart bodies are read only by the routes that take files, after the actor and the
 * CSRF token are checked; compressed ones are refused (browsers never compress a form, and
 * the plugin would read the compressed bytes).
 */
export function registerUploads(
  app: FastifyInstance,
  verifyCsrf: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
) {
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    if (isEncoded(request)) {
      throw new BadRequestError(
        'envoi_compresse',
        'Les fichiers s’envoient sans compression (Content-Encoding) : envoyez le formulaire tel quel.',
        415,
      );
    }
    if (!request.routeOptions.config.files) {
      throw new BadRequestError(
        'fichier_refuse',
        'Ce formulaire n’accepte pas de fichier : revenez à la page précédente et renvoyez-le.',
        415,
      );
    }
  });
  return (request: FastifyRequest, reply: FastifyReply) =>
    readUpload(request, () => verifyCsrf(request, reply));
}
