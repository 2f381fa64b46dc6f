import type { FastifyInstance } from 'fastify';
import type { Fields } from '../../platform/forms.ts';
import { passesRole } from '../../platform/http/access.ts';
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

/** Around a person, places this far first; "Élargir" goes to the wider radius. */
const DEFAULT_RADIUS_KM = 30;
const WIDER_RADIUS_KM = 100;

/**
 * Turns "Où ?" into a search: within a radius of the middle of the commune's places (all the
 * communes of a postcode) when it has some, else within its département (Relais knows
 * places' positions, not communes').
 */
async function placeQuery(
  db: RouteContext['db'],
  query: SearchQuery,
  ou: string | undefined,
): Promise<{ query: SearchQuery; centre: SearchPlace; message?: string }> {
  const rayon_km = query.rayon_km ?? DEFAULT_RADIUS_KM;
  if (query.near)
    return { query: { ...query, rayon_km }, centre: { label: 'votre position', radiusKm: rayon_km } };
  if (!ou) return { query, centre: null };
  const located = await locateCommune(db, ou);
  if (!located) {
    return {
      query,
      centre: null,
      message: `Nous ne trouvons pas de commune « ${ou} » : vérifiez l’orthographe ou tapez le code postal.`,
    };
  }
  const names = located.communes.map((c) => c.name).join(', ');
  const shared =
    located.communes.length > 1
      ? `Le code postal ${ou} couvre ${located.communes.length} communes : ${names}. `
      : '';
  if (located.centre)
    return {
      query: { ...query, near: located.centre, rayon_km },
      centre: { label: located.label, radiusKm: rayon_km },
      ...(shared ? { message: `${shared}Voici les lieux les plus proches de l’ensemble.` } : {}),
    };
  const departement = findCommune(located.communes[0]?.code ?? '')?.departement ?? undefined;
  return {
    query: { ...query, departement },
    centre: null,
    message: `${shared}Aucun lieu n’est référencé à ${names} : voici les lieux de son département.`,
  };
}

/** A commune filter in words: its name when it is an INSEE code. */
function communeShown(value: string | undefined): SearchForm['commune'] {
  if (!value) return undefined;
  return { value, label: findCommune(value)?.name ?? value };
}

/** A position the page cannot read (`near=abc`) is dropped with a message, not refused. */
function withoutBadPosition(raw: Record<string, unknown>): {
  raw: Record<string, unknown>;
  message?: string;
} {
  const near = asText(raw.near);
  if (!near || searchSchema.shape.near.safeParse(near).success) return { raw };
  const { near: _dropped, ...rest } = raw;
  return {
    raw: rest,
    message: 'Nous n’avons pas pu lire votre position : indiquez votre commune ou votre code postal.',
  };
}

export function lieuxRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { readDb, config, placePageSections } = ctx;
  // The public search and place pages read the replica when there is one (public, read-only, many).
  const db = readDb;
  app.get<{ Querystring: Fields }>('/lieux', { config: { access: 'public' } }, async (request, reply) => {
    const checked = withoutBadPosition(request.query);
    const raw = checked.raw;
    const form: SearchForm = {
      q: asText(raw.q),
      ou: asText(raw.ou),
      near: asText(raw.near),
      services: asList(raw.services),
      publics: asList(raw.publics),
      modalites: asList(raw.modalites),
      frais: asList(raw.frais),
      ouvert: raw.ouvert === 'maintenant',
      commune: communeShown(asText(raw.commune)),
    };
    const parsed = searchSchema.safeParse(raw);
    const now = new Date();
    let result: SearchResult | null = null;
    let centre: SearchPlace = null;
    let message = checked.message;
    if (parsed.success) {
      const located = await placeQuery(db, parsed.data, form.ou);
      centre = located.centre;
      message = [message, located.message].filter(Boolean).join(' ') || undefined;
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
        widerHref={
          centre?.radiusKm !== undefined && centre.radiusKm < WIDER_RADIUS_KM
            ? `/lieux?${queryStringOf({ ...raw, rayon_km: String(WIDER_RADIUS_KM) })()}`
            : undefined
        }
        mapConfig={config}
        now={now}
      />,
    );
  });

  app.get<{ Params: { id: string } }>(
    '/lieux/:id',
    { config: { access: 'public' } },
    async (request, reply) => {
      const [row, opsn] = await Promise.all([findPublishedPlace(db, request.params.id), getOpsn(db)]);
      if (!row) return reply.callNotFound();
      const sections = (
        await Promise.all(placePageSections.map((section) => section(ctx, request.actor, row)))
      ).filter((s) => s !== null);
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
          canRefer={passesRole(request.actor, 'helper')}
          sections={sections}
        />,
      );
    },
  );
}
