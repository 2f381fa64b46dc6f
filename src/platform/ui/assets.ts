import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

/** `relais.css` → `relais.3f2a9c1d.css`: a name that changes whenever the content does. */
function hashedName(file: string): string {
  const hash = createHash('sha256')
    .update(readFileSync(path.join(ASSETS_DIR, file)))
    .digest('hex')
    .slice(0, 10);
  const ext = path.extname(file);
  return `${path.basename(file, ext)}.${hash}${ext}`;
}

const manifest = new Map<string, string>();
const reverse = new Map<string, string>();
for (const file of readdirSync(ASSETS_DIR)) {
  const hashed = hashedName(file);
  manifest.set(file, hashed);
  reverse.set(hashed, file);
}

/** The public URL of a static asset, with its content hash in the name. */
export function assetUrl(file: string): string {
  const hashed = manifest.get(file);
  if (!hashed) throw new Error(`Unknown asset ${file}`);
  return `/assets/${hashed}`;
}

/** Serves the assets under their hashed names, cached for a year (they never change). */
export async function registerAssets(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: ASSETS_DIR, serve: false });
  app.get('/assets/:file', { config: { public: true } }, (request, reply) => {
    const { file } = request.params as { file: string };
    const real = reverse.get(file);
    if (!real) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(real, {
      cacheControl: false,
    });
  });
}
