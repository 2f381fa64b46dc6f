import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { Db } from './db/database.ts';
import { isUuid } from './forms.ts';

/** Images people may upload as logos. SVG is refused: it can carry scripts. */
const IMAGE_SIGNATURES: { type: string; matches: (b: Buffer) => boolean }[] = [
  {
    type: 'image/png',
    matches: (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])),
  },
  { type: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: 'image/webp',
    matches: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

export const MAX_IMAGE_BYTES = 200 * 1024;

/** Largest logo kept, in pixels: enough for a page header and a PDF, never a huge image. */
const LOGO_BOX = { width: 800, height: 400 };

export type ImageCheck = { ok: true; bytes: Buffer; contentType: string } | { ok: false; reason: string };

/**
 * Reads an uploaded image: by its content, not by its name or declared type, then decoded
 * whole and re-encoded as PNG (at most 800 × 400 pixels, metadata dropped). A file that only
 * looks like an image (a JPEG header on anything) is refused here instead of breaking every
 * page or PDF that would show it later.
 */
export async function readImage(bytes: Buffer): Promise<ImageCheck> {
  if (bytes.length === 0) return { ok: false, reason: 'Le fichier est vide.' };
  if (bytes.length > MAX_IMAGE_BYTES) {
    return { ok: false, reason: 'L’image dépasse 200 Ko : réduisez-la avant de l’envoyer.' };
  }
  if (!IMAGE_SIGNATURES.some((s) => s.matches(bytes))) {
    return { ok: false, reason: 'Le fichier doit être une image PNG, JPEG ou WebP.' };
  }
  try {
    const png = await sharp(bytes, { failOn: 'error', limitInputPixels: 40_000_000 })
      .rotate()
      .resize({ ...LOGO_BOX, fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer();
    return { ok: true, bytes: png, contentType: 'image/png' };
  } catch {
    return {
      ok: false,
      reason: 'L’image est illisible ou abîmée : enregistrez-la de nouveau en PNG ou JPEG et réessayez.',
    };
  }
}

/** Stores a file in the database (app processes stay stateless) and returns its id. */
export async function storeFile(db: Db, bytes: Buffer, contentType: string): Promise<string> {
  const row = await db
    .insertInto('stored_file')
    .values({
      bytes,
      content_type: contentType,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export const fileUrl = (id: string) => `/fichiers/${id}`;

/** Public files (logos). Content never changes under an id, so it is cached for a year. */
export function registerFiles(app: FastifyInstance, db: Db): void {
  app.get<{ Params: { id: string } }>(
    '/fichiers/:id',
    { config: { access: 'public' } },
    async (request, reply) => {
      const { id } = request.params;
      if (!isUuid(id)) return reply.callNotFound();
      const file = await db
        .selectFrom('stored_file')
        .select(['bytes', 'content_type'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!file) return reply.callNotFound();
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .type(file.content_type)
        .send(file.bytes);
    },
  );
}
