import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../platform/module.ts';
import { findCommune, getOpsn } from '../territoires/index.ts';
import { MAP_ASSETS } from './map-view.tsx';
import { PlacePage, placeJsonLd, type SearchForm, SearchPage, type SearchPlace } from './public-views.tsx';
import { locateCommune, type SearchQuery, type SearchResult, searchPlaces, searchSchema } from './search.ts';
import { findPublishedPlace } from './service.ts';

const asList = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String).filter(Boolean));
const asText = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The page's own parameters, back into a query string (for pagination and the map's data). */
function queryStringOf(raw: Record<string, unknown>): (page?: number) => string {
  return (page) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(raw)) {
      if (key === 'page' || key === 'limit') continue;
      for (const v of asList(value)) params.append(key, v);
    }
    if (page && page > 1) params.set('page', String(page));
    return params.toString();
  };
}

/**
 * Turns "Où ?" into a search: near the middle of the commune's places when it has some,
 * else within its département (Relais knows places' positions, not communes').
 */
async function placeQuery(
  db: RouteContext['db'],
  query: SearchQuery,
  ou: string | undefined,
): Promise<{ query: SearchQuery; centre: SearchPlace; message?: string }> {
  if (query.near) return { query, centre: { label: 'votre position' } };
  if (!ou) return { query, centre: null };
  const located = await locateCommune(db, ou);
  if (!located) {
    return {
      query,
      centre: null,
      message: `Nous ne trouvons pas de commune « ${ou} » : vérifiez l’orthographe ou tapez le code postal.`,
    };
  }
  if ('lat' in located)
    return {
      query: { ...query, near: { lat: located.lat, lon: located.lon } },
      centre: { label: located.name },
    };
  const departement = findCommune(located.code)?.departement ?? undefined;
  return {
    query: { ...query, departement },
    centre: null,
    message: `Aucun lieu n’est référencé à ${located.name} : voici les lieux de son département.`,
  };
}

export function lieuxRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  app.get('/lieux', async (request: FastifyRequest, reply) => {
    const raw = request.query as Record<string, unknown>;
    const form: SearchForm = {
      q: asText(raw.q),
      ou: asText(raw.ou),
      near: asText(raw.near),
      services: asList(raw.services),
      publics: asList(raw.publics),
      modalites: asList(raw.modalites),
      frais: asList(raw.frais),
      ouvert: raw.ouvert === 'maintenant',
    };
    const parsed = searchSchema.safeParse(raw);
    const now = new Date();
    let result: SearchResult | null = null;
    let centre: SearchPlace = null;
    let message: string | undefined;
    if (parsed.success) {
      const located = await placeQuery(db, parsed.data, form.ou);
      centre = located.centre;
      message = located.message;
      result = await searchPlaces(db, located.query, now);
    }
    return reply.page(
      {
        title: 'Trouver un lieu',
        status: parsed.success ? 200 : 400,
        ...MAP_ASSETS,
        breadcrumbs: [{ href: '/', label: 'Accueil' }],
      },
      <SearchPage
        form={form}
        result={result}
        centre={centre}
        message={message}
        errors={parsed.success ? [] : parsed.error.issues.map((i) => i.message)}
        queryString={queryStringOf(raw)}
        mapConfig={config}
        now={now}
      />,
    );
  });

  app.get('/lieux/:id', async (request, reply) => {
    const [row, opsn] = await Promise.all([
      findPublishedPlace(db, (request.params as { id: string }).id),
      getOpsn(db),
    ]);
    if (!row) return reply.callNotFound();
    const url = `${config.publicUrl}/lieux/${row.id}`;
    return reply.page(
      {
        title: row.nom,
        ...MAP_ASSETS,
        breadcrumbs: [
          { href: '/', label: 'Accueil' },
          { href: '/lieux', label: 'Trouver un lieu' },
        ],
      },
      <PlacePage
        row={row}
        mapConfig={config}
        now={new Date()}
        safeJsonLd={placeJsonLd(row, url)}
        contactEmail={opsn?.contact_email ?? null}
      />,
    );
  });
}
