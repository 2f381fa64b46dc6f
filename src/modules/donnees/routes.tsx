import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/auth/policy.ts';
import { isSignedIn, signedInActor } from '../../platform/http/access.ts';
import type { RouteContext } from '../../platform/module.ts';
import { getOpsn } from '../territoires/index.ts';
import { buildCatalogue } from './catalogue.ts';
import { type Dataset, FORMATS, type Format } from './dataset.ts';
import { publishNow } from './job.ts';
import { fileContent, filesOf, MEDIA_TYPES, publishedFiles } from './publish.ts';
import { type DatasetEntry, DatasetPage, DatasetsPage, PublicationReport } from './views.tsx';

const CATALOGUE_ALTERNATE = {
  href: '/donnees/catalogue.jsonld',
  type: 'application/ld+json',
  title: 'Catalogue DCAT des données ouvertes',
};

/** `{id}`, `{id}.csv` or `{id}.json`. */
const FILE_NAME = /^([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.(csv|json))?$/;

/** Whether the client's copy, named by its validators, is still the current one. */
function notModified(request: FastifyRequest, etag: string, modified: Date): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch) {
    // Weak comparison (RFC 9110 § 13.1.2): a W/ prefix does not matter here.
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === etag);
  }
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  // HTTP dates have whole seconds.
  return Number.isFinite(since) && Math.floor(modified.getTime() / 1000) * 1000 <= since;
}

/**
 * Headers of an open-data response: validators from the content's hash and date, public
 * caching, and any origin may read it (reusers' pages fetch the files).
 */
function openDataHeaders(reply: FastifyReply, etag: string, modified: Date): FastifyReply {
  return reply
    .header('etag', etag)
    .header('last-modified', modified.toUTCString())
    .header('cache-control', 'public, max-age=3600')
    .header('access-control-allow-origin', '*')
    .header('cross-origin-resource-policy', 'cross-origin');
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  db: RouteContext['db'],
  dataset: Dataset,
  format: Format,
) {
  const file = (await filesOf(db, dataset.id)).find((f) => f.format === format);
  if (!file) return reply.callNotFound();
  const etag = `"${file.sha256}"`;
  openDataHeaders(reply, etag, file.generated_at);
  if (notModified(request, etag, file.generated_at)) return reply.status(304).send();
  const content = await fileContent(db, dataset.id, format);
  if (!content) return reply.callNotFound();
  return reply
    .type(`${MEDIA_TYPES[format]}; charset=utf-8`)
    .header('content-disposition', `attachment; filename="${dataset.id}.${format}"`)
    .send(content);
}

export function donneesRoutes(
  app: FastifyInstance,
  { db, readDb, config, contributions }: RouteContext,
): void {
  /** Every module's datasets, in module order: the order pages list them in. */
  const { datasets } = contributions;
  const publisherName = async () => (await getOpsn(readDb))?.name ?? 'Relais';

  app.get('/donnees', { config: { access: 'public' } }, async (request, reply) => {
    // Only administrators get the form: the page stays cookie-free for everyone else.
    const admin = isSignedIn(request.actor) && can(request.actor, 'opendata.publish');
    // Everyone reads the replica when there is one; an administrator, who may have just
    // regenerated the files, the primary.
    const [files, publisher] = await Promise.all([publishedFiles(admin ? db : readDb), publisherName()]);
    const entries: DatasetEntry[] = datasets.map((dataset) => ({
      dataset,
      files: files.filter((f) => f.dataset === dataset.id),
    }));
    return reply.page(
      {
        title: 'Données ouvertes',
        breadcrumbs: [{ href: '/', label: 'Accueil' }],
        alternates: [CATALOGUE_ALTERNATE],
      },
      <DatasetsPage publisher={publisher} entries={entries} csrf={admin ? reply.generateCsrf() : null} />,
    );
  });

  app.get('/donnees/catalogue.jsonld', { config: { access: 'public' } }, async (request, reply) => {
    const [files, opsn] = await Promise.all([publishedFiles(readDb), getOpsn(readDb)]);
    const catalogue = buildCatalogue({
      base: config.publicUrl,
      publisher: { name: opsn?.name ?? 'Relais', email: opsn?.contact_email, website: opsn?.website },
      datasets,
      files,
    });
    const body = JSON.stringify(catalogue, null, 2);
    const etag = `"${createHash('sha256').update(body).digest('hex')}"`;
    const modified = new Date(Math.max(0, ...files.map((f) => f.generated_at.getTime())));
    openDataHeaders(reply, etag, modified);
    if (notModified(request, etag, modified)) return reply.status(304).send();
    return reply.type('application/ld+json; charset=utf-8').send(body);
  });

  app.get<{ Params: { fichier: string } }>(
    '/donnees/:fichier',
    { config: { access: 'public' } },
    async (request, reply) => {
      const match = FILE_NAME.exec(request.params.fichier);
      const dataset = match?.[1] ? datasets.find((d) => d.id === match[1]) : undefined;
      if (!match || !dataset) return reply.callNotFound();
      const format = match[2] as Format | undefined;
      if (format) return sendFile(request, reply, readDb, dataset, format);
      const [files, publisher] = await Promise.all([filesOf(readDb, dataset.id), publisherName()]);
      return reply.page(
        {
          title: dataset.title,
          breadcrumbs: [
            { href: '/', label: 'Accueil' },
            { href: '/donnees', label: 'Données ouvertes' },
          ],
          alternates: [
            ...FORMATS.filter((format) => files.some((f) => f.format === format)).map((format) => ({
              href: `/donnees/${dataset.id}.${format}`,
              type: MEDIA_TYPES[format],
              title: `${dataset.title} (${format.toUpperCase()})`,
            })),
            CATALOGUE_ALTERNATE,
          ],
        },
        <DatasetPage entry={{ dataset, files }} publisher={publisher} />,
      );
    },
  );

  app.post('/admin/donnees/regenerer', { config: { access: 'admin' } }, async (request, reply) => {
    const { outcome, results } = await publishNow({ db, config }, contributions, signedInActor(request));
    return reply.page(
      {
        title: 'Régénération des données ouvertes',
        breadcrumbs: [
          { href: '/', label: 'Accueil' },
          { href: '/donnees', label: 'Données ouvertes' },
        ],
      },
      <PublicationReport
        results={results}
        runningSince={outcome.status === 'skipped' ? outcome.runningSince : undefined}
      />,
    );
  });
}
