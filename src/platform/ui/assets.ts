import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The platform's own assets: the stylesheet, the print stylesheet, the icon. */
export const ASSETS_DIR = path.join(HERE, 'assets');

/** Each module may ship browser files of its own in `src/modules/NAME/assets/`. */
const MODULES_DIR = path.join(HERE, '..', '..', 'modules');

/**
 * Files served from installed packages, by the name pages ask for. Only these: a package
 * directory is never served whole. Leaflet's marker images are here because the map
 * script points Leaflet at their hashed URLs (its CSS-relative guess would 404).
 */
const VENDOR_FILES = [
  'leaflet/dist/leaflet.js',
  'leaflet/dist/leaflet.css',
  'leaflet/dist/images/marker-icon.png',
  'leaflet/dist/images/marker-icon-2x.png',
  'leaflet/dist/images/marker-shadow.png',
  'leaflet.markercluster/dist/leaflet.markercluster.js',
  'leaflet.markercluster/dist/MarkerCluster.css',
  'leaflet.markercluster/dist/MarkerCluster.Default.css',
];

/** A file to serve: the name pages use (`leaflet.js`) and where it lives on disk. */
export type AssetSource = { name: string; file: string };

/** The regular, non-hidden files of a directory, named by their file name. */
function filesOf(dir: string): AssetSource[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => ({ name: entry.name, file: path.join(dir, entry.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every asset Relais serves: the platform's, then each module's, then the vendor files. */
export function assetSources(): AssetSource[] {
  const modules = readdirSync(MODULES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(MODULES_DIR, entry.name, 'assets'))
    .filter((dir) => existsSync(dir))
    .sort();
  const require = createRequire(import.meta.url);
  const vendor = VENDOR_FILES.map((specifier) => ({
    name: path.basename(specifier),
    file: require.resolve(specifier),
  }));
  return [...filesOf(ASSETS_DIR), ...modules.flatMap(filesOf), ...vendor];
}

/** `relais.css` → `relais.3f2a9c1d.css`: a name that changes whenever the content does. */
function hashedName(source: AssetSource): string {
  const hash = createHash('sha256').update(readFileSync(source.file)).digest('hex').slice(0, 10);
  const ext = path.extname(source.name);
  return `${path.basename(source.name, ext)}.${hash}${ext}`;
}

export type AssetManifest = {
  /** Name pages use → hashed public name. */
  hashed: Map<string, string>;
  /** Hashed public name → file on disk. */
  files: Map<string, string>;
};

/**
 * Hashes each source. Names share one namespace (`/assets/NAME`): two sources with the same
 * name are a mistake, refused here so the app does not start rather than serve the wrong file.
 */
export function buildManifest(sources: AssetSource[]): AssetManifest {
  const hashed = new Map<string, string>();
  const files = new Map<string, string>();
  const origin = new Map<string, string>();
  for (const source of sources) {
    const clash = origin.get(source.name);
    if (clash !== undefined) {
      throw new Error(`Asset name clash: « ${source.name} » is both ${clash} and ${source.file}`);
    }
    origin.set(source.name, source.file);
    const name = hashedName(source);
    hashed.set(source.name, name);
    files.set(name, source.file);
  }
  return { hashed, files };
}

const manifest = buildManifest(assetSources());

/** The public URL of a static asset, with its content hash in the name. */
export function assetUrl(file: string): string {
  const hashed = manifest.hashed.get(file);
  if (!hashed) throw new Error(`Unknown asset ${file}`);
  return `/assets/${hashed}`;
}

/** Serves the assets under their hashed names, cached for a year (they never change). */
export async function registerAssets(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: ASSETS_DIR, serve: false });
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { config: { access: 'public' } },
    (request, reply) => {
      const { file } = request.params;
      const real = manifest.files.get(file);
      if (!real) return reply.callNotFound();
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .sendFile(path.basename(real), path.dirname(real), { cacheControl: false });
    },
  );
}
