import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Fields } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { MAP_ASSETS, mapAttributes, publishedPlacesWithPosition } from '../lieux/index.ts';
import { type Period, parsePublishedPeriod } from '../statistiques/index.ts';
import { getOpsn } from '../territoires/index.ts';
import { reportPdf } from './report-pdf.ts';
import { findTerritory, listTerritories, type Territory } from './territory.ts';
import {
  communeIndexes,
  DEFAULT_RADIUS_KM,
  DEFAULT_THRESHOLD,
  type ObservationSettings,
  observeTerritory,
} from './territory-service.ts';
import { colourOf, ObservatoryHome, type SettingsValues, TerritoryPage } from './territory-views.tsx';

type SettingsInput =
  | { ok: true; settings: ObservationSettings; values: SettingsValues }
  | { ok: false; errors: Record<string, string>; values: SettingsValues };

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/**
 * The period (whole months: these numbers are public), the distance of "nearby" and the white
 * zones' threshold asked in the address.
 */
export function parseSettings(query: Record<string, unknown>): SettingsInput {
  const period = parsePublishedPeriod(query);
  const values: SettingsValues = {
    du: period.ok ? period.period.du : period.values.du,
    au: period.ok ? period.period.au : period.values.au,
    rayon: text(query.rayon) || String(DEFAULT_RADIUS_KM),
    seuil: text(query.seuil) || String(DEFAULT_THRESHOLD),
  };
  const errors: Record<string, string> = period.ok ? {} : { ...period.errors };
  const radiusKm = Number(values.rayon.replace(',', '.'));
  if (!Number.isInteger(radiusKm) || radiusKm < 1 || radiusKm > 50)
    errors.rayon = 'Distance de proximité : un nombre entier de kilomètres, de 1 à 50.';
  const threshold = Number(values.seuil.replace(',', '.'));
  if (!Number.isFinite(threshold) || threshold < 1 || threshold > 10)
    errors.seuil = 'Seuil d’indice : un nombre de 1 à 10, par exemple 6 ou 6,5.';
  if (!period.ok || Object.keys(errors).length > 0) return { ok: false, errors, values };
  return { ok: true, settings: { period: period.period, radiusKm, threshold }, values };
}

/** The query string of the settings, to carry them to the report, the embed and shared links. */
const settingsQuery = (s: ObservationSettings) =>
  new URLSearchParams({
    du: s.period.du,
    au: s.period.au,
    rayon: String(s.radiusKm),
    seuil: String(s.threshold),
  }).toString();

/** The latest total of each territory that has an index code, for the list. */
async function latestTotals(db: RouteContext['db'], territories: Territory[]): Promise<Map<string, number>> {
  const codes = territories.flatMap((t) => (t.indexCode ? [t.indexCode] : []));
  if (codes.length === 0) return new Map();
  const { rows } = await sql<{ code: string; total: number }>`
    select distinct on (s.code) s.code, s.total
    from ifn_score s join ifn_millesime v on v.id = s.millesime_id
    where s.code = any(${codes}::text[])
    order by s.code, v.year desc`.execute(db);
  return new Map(rows.map((r) => [r.code, r.total]));
}

/** A CSP that lets any site frame this page (the embeddable variant only). */
function allowFraming(reply: FastifyReply): void {
  const csp = String(reply.getHeader('content-security-policy') ?? '');
  reply.header('content-security-policy', csp.replace(/frame-ancestors [^;]*/, 'frame-ancestors *'));
  reply.removeHeader('x-frame-options');
  // Browsers refuse a cross-origin frame whose resource policy is same-origin.
  reply.header('cross-origin-resource-policy', 'cross-origin');
}

/** A territory's pages: its code in the address, its settings in the query string. */
type TerritoryInput = { Params: { territoire: string }; Querystring: Fields };

export function territoryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  // Public, read-only and heavy: every page here reads the replica when there is one.
  const { readDb: db, config } = ctx;

  app.get('/observatoire', { config: { access: 'public' } }, async (_request, reply) => {
    const territories = await listTerritories(db);
    const totals = await latestTotals(db, territories);
    const indexImported = (await db.selectFrom('ifn_millesime').select('id').limit(1).execute()).length > 0;
    return reply.page(
      { title: 'Observatoire de l’inclusion numérique' },
      <ObservatoryHome territories={territories} totals={totals} indexImported={indexImported} />,
    );
  });

  async function territoryPage(request: FastifyRequest<TerritoryInput>, reply: FastifyReply, embed: boolean) {
    const territory = await findTerritory(db, request.params.territoire);
    if (!territory) return reply.callNotFound();
    const input = parseSettings(request.query);
    const observation = input.ok ? await observeTerritory(db, territory, input.settings) : null;
    if (embed) allowFraming(reply);
    return reply.page(
      {
        title: `Observatoire : ${territory.name}`,
        status: input.ok ? 200 : 400,
        hasErrors: !input.ok,
        embed,
        breadcrumbs: embed ? undefined : [{ href: '/observatoire', label: 'Observatoire' }],
        ...(embed ? {} : MAP_ASSETS),
      },
      <TerritoryPage
        observation={observation}
        territory={territory}
        values={input.values}
        errors={input.ok ? {} : input.errors}
        query={input.ok ? settingsQuery(input.settings) : ''}
        embed={embed}
        mapAttributes={mapAttributes(config)}
        publicUrl={config.publicUrl}
      />,
    );
  }

  app.get<TerritoryInput>('/observatoire/:territoire', { config: { access: 'public' } }, (request, reply) =>
    territoryPage(request, reply, false),
  );
  app.get<TerritoryInput>(
    '/observatoire/:territoire/integrer',
    { config: { access: 'public' } },
    (request, reply) => territoryPage(request, reply, true),
  );

  // The places of the territory for its map, each coloured by the index of its commune.
  app.get<TerritoryInput>(
    '/observatoire/:territoire/lieux.json',
    { config: { access: 'public' } },
    async (request, reply) => {
      const territory = await findTerritory(db, request.params.territoire);
      if (!territory) return reply.callNotFound();
      const [places, indexes] = await Promise.all([
        publishedPlacesWithPosition(db, territory.communes, 2000),
        communeIndexes(db, territory.communes),
      ]);
      return reply.header('cache-control', 'public, max-age=300').send({
        total: places.length,
        items: places.map((p) => {
          const total = p.code_insee ? (indexes.get(p.code_insee)?.total ?? null) : null;
          return {
            id: p.id,
            nom: p.nom,
            commune: p.commune,
            latitude: p.latitude,
            longitude: p.longitude,
            url: `/lieux/${p.id}`,
            indice: total,
            couleur: colourOf(total),
          };
        }),
      });
    },
  );

  app.get<TerritoryInput>(
    '/observatoire/:territoire/rapport.pdf',
    { config: { access: 'public' } },
    async (request, reply) => {
      const territory = await findTerritory(db, request.params.territoire);
      if (!territory) return reply.callNotFound();
      const input = parseSettings(request.query);
      if (!input.ok) {
        const first = Object.values(input.errors)[0];
        return reply.code(400).type('text/plain; charset=utf-8').send(`Réglages refusés : ${first}`);
      }
      const [observation, opsn] = await Promise.all([
        observeTerritory(db, territory, input.settings),
        getOpsn(db),
      ]);
      const pdf = await reportPdf(db, observation, {
        opsnName: opsn?.name ?? 'OPSN',
        opsnLogoId: opsn?.logo_file_id ?? null,
        publicUrl: config.publicUrl,
      });
      return reply
        .type('application/pdf')
        .header(
          'content-disposition',
          `inline; filename="${reportFileName(territory, input.settings.period)}"`,
        )
        .header('cache-control', 'public, max-age=300')
        .send(pdf);
    },
  );
}

export const reportFileName = (t: Territory, p: Period) =>
  `rapport-observatoire-${t.slug}-${p.du}-${p.au}.pdf`;
