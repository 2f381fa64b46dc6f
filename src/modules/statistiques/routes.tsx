import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type RouteInput, textOf } from '../../platform/forms.ts';
import type { Access, RouteContext } from '../../platform/module.ts';
import type { Crumb } from '../../platform/ui/components.tsx';
import { placesOfCollectivites } from '../lieux/index.ts';
import { helperPlaces } from '../mediateurs/index.ts';
import { displayName, listCollectivites } from '../territoires/index.ts';
import { statisticsWorkbook } from './export.ts';
import { type Period, type PeriodInput, parsePeriod, presets } from './period.ts';
import { statisticsView } from './presentation.ts';
import { parsePublishedPeriod, publishedPeriod, publishedPresets } from './published-period.ts';
import {
  collectiviteStatistics,
  helperStatistics,
  opsnStatistics,
  placeStatistics,
  type Scope,
  type StatisticsAccess,
  scopePath,
} from './scope.ts';
import { createShare, listShares, revokeShare, sharedStatistics } from './shares.ts';
import {
  type LinkList,
  ShareCreatedPage,
  SharedStatisticsPage,
  ShareGonePage,
  StatisticsPage,
} from './views.tsx';

/** A helper's own view takes any days; every other view whole months (published-period.ts). */
const periodOf = (access: StatisticsAccess, input: Record<string, unknown>): PeriodInput =>
  access.exact ? parsePeriod(input) : parsePublishedPeriod(input);

const FLASH: Record<string, string> = { retire: 'Le lien de partage a été retiré : il ne fonctionne plus.' };

/** The title of a view, for its owner's page and for its shared link. */
function titleOf(scope: Scope, shared: boolean): string {
  switch (scope.kind) {
    case 'mediateur':
      return shared ? `Statistiques de ${scope.name}` : 'Mes statistiques';
    case 'lieu':
      return `Statistiques du lieu ${scope.name}`;
    case 'collectivite':
      return `Statistiques : ${scope.name}`;
    case 'opsn':
      return `Statistiques de tout le territoire (${scope.name})`;
  }
}

/** The file name of a view's workbook (ASCII only). */
function fileName(scope: Scope, period: Period): string {
  const what = scope.kind === 'collectivite' ? `collectivite-${scope.id}` : scope.kind;
  return `statistiques-${what}-${period.du}-${period.au}.xlsx`;
}

/** A scope's routes: the place's or the collectivité's in the address (on their routes only). */
type ScopeInput = Omit<RouteInput, 'Params'> & { Params: { lieu?: string; collectivite?: string } };

type ScopeRoutes = {
  /** The page's path as registered, with its parameter. */
  path: string;
  /** Who may call the page, its export and its shares (and the refusal's words). */
  config: { access: Access; refusal?: string };
  resolve: (request: FastifyRequest<ScopeInput>) => Promise<StatisticsAccess | undefined>;
  links?: (access: StatisticsAccess) => Promise<LinkList | undefined>;
};

const BREADCRUMBS: Crumb[] = [{ href: '/espace', label: 'Mon espace' }];

export function statisticsRoutes(app: FastifyInstance, { db, readDb, config }: RouteContext): void {
  // The figures are computed on the replica when there is one; access, links and shares (which
  // the page shows right after they are made) read the primary.
  const scopes: ScopeRoutes[] = [
    {
      path: '/statistiques',
      config: { access: 'helper' },
      resolve: async (request) => helperStatistics(request.actor),
      // A helper's own statistics always have the helper's scope.
      links: async ({ scope }) =>
        scope.kind === 'mediateur'
          ? {
              title: 'Les statistiques de vos lieux d’activité',
              items: (await helperPlaces(db, scope.id)).map((p) => ({
                href: `/statistiques/lieux/${p.id}`,
                label: `${p.nom} (${p.commune})`,
              })),
            }
          : undefined,
    },
    {
      path: '/statistiques/lieux/:lieu',
      config: {
        access: { coordinatorOrHelperOf: 'lieu' },
        refusal: 'Ces statistiques sont réservées aux médiateurs de ce lieu et à sa coordination.',
      },
      resolve: (request) => placeStatistics(db, request.actor, request.params.lieu ?? ''),
    },
    {
      path: '/statistiques/collectivites/:collectivite',
      config: {
        access: { coordinatorOf: 'collectivite' },
        refusal: 'Ces statistiques sont réservées à la coordination de cette collectivité.',
      },
      resolve: (request) => collectiviteStatistics(db, request.actor, request.params.collectivite ?? ''),
      links: async (access) =>
        access.scope.kind === 'collectivite'
          ? {
              title: 'Les statistiques de ses lieux',
              items: (await placesOfCollectivites(db, [access.scope.id])).map((p) => ({
                href: `/statistiques/lieux/${p.id}`,
                label: `${p.nom} (${p.commune})`,
              })),
            }
          : undefined,
    },
    {
      path: '/statistiques/opsn',
      config: { access: 'admin', refusal: 'Ces statistiques sont réservées aux administrateurs de l’OPSN.' },
      resolve: (request) => opsnStatistics(db, request.actor),
      links: async () => ({
        title: 'Les statistiques de chaque collectivité',
        items: (await listCollectivites(db)).map((c) => ({
          href: `/statistiques/collectivites/${c.id}`,
          label: displayName(c),
        })),
      }),
    },
  ];

  const render = async (
    request: FastifyRequest<ScopeInput>,
    reply: FastifyReply,
    routes: ScopeRoutes,
    access: StatisticsAccess,
    input: PeriodInput,
  ) => {
    const period = input.ok ? input.period : null;
    const [view, shares, links] = await Promise.all([
      period ? statisticsView(readDb, access, period) : null,
      listShares(db, request.actor, access.scope),
      routes.links?.(access),
    ]);
    const ok = textOf(request.query.ok);
    const title = titleOf(access.scope, false);
    return reply.page(
      { title, breadcrumbs: BREADCRUMBS, hasErrors: !input.ok, status: input.ok ? 200 : 400 },
      <StatisticsPage
        title={title}
        base={scopePath(access.scope)}
        period={period}
        values={input.ok ? input.period : input.values}
        errors={input.ok ? {} : input.errors}
        presets={access.exact ? presets() : publishedPresets()}
        view={view}
        csrf={reply.generateCsrf()}
        shares={shares}
        flash={ok ? FLASH[ok] : undefined}
        links={links}
      />,
    );
  };

  for (const routes of scopes) {
    app.get<ScopeInput>(routes.path, { config: routes.config }, async (request, reply) => {
      const access = await routes.resolve(request);
      if (!access) return reply.callNotFound();
      return render(request, reply, routes, access, periodOf(access, request.query));
    });

    app.get<ScopeInput>(`${routes.path}/export.xlsx`, { config: routes.config }, async (request, reply) => {
      const access = await routes.resolve(request);
      if (!access) return reply.callNotFound();
      const input = periodOf(access, request.query);
      if (!input.ok) return render(request, reply, routes, access, input);
      const view = await statisticsView(readDb, access, input.period);
      const bytes = await statisticsWorkbook(view, { title: titleOf(access.scope, false) });
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${fileName(access.scope, input.period)}"`)
        .header('cache-control', 'private, no-store')
        .send(bytes);
    });

    app.post<ScopeInput>(`${routes.path}/partages`, { config: routes.config }, async (request, reply) => {
      const access = await routes.resolve(request);
      if (!access) return reply.callNotFound();
      // A link always shows the published numbers: whole months, even from a helper's own view.
      const input = parsePublishedPeriod(request.body ?? {});
      if (!input.ok) return render(request, reply, routes, access, input);
      const token = await createShare(db, request.actor, access, input.period);
      const back = `${scopePath(access.scope)}?du=${input.period.du}&au=${input.period.au}`;
      return reply.page(
        {
          title: 'Lien de partage créé',
          breadcrumbs: [...BREADCRUMBS, { href: back, label: 'Statistiques' }],
          scripts: ['copier-lien.js'],
        },
        <ShareCreatedPage
          url={`${config.publicUrl}/statistiques/partage/${token}`}
          title={titleOf(access.scope, true)}
          period={input.period}
          back={back}
        />,
      );
    });

    app.post<ScopeInput>(
      `${routes.path}/partages/retirer`,
      { config: routes.config },
      async (request, reply) => {
        const access = await routes.resolve(request);
        if (!access) return reply.callNotFound();
        const body = request.body ?? {};
        const revoked =
          typeof body.partage === 'string' && (await revokeShare(db, request.actor, access, body.partage));
        const input = parsePeriod(body);
        const query = new URLSearchParams({
          ...(input.ok ? { du: input.period.du, au: input.period.au } : {}),
          ...(revoked ? { ok: 'retire' } : {}),
        }).toString();
        return reply.redirect(`${scopePath(access.scope)}${query ? `?${query}` : ''}`, 303);
      },
    );
  }

  /** A link's view, over whole months (links made before they were the rule included). */
  const shared = async (request: FastifyRequest<RouteInput<'token'>>) => {
    const found = await sharedStatistics(db, request.params.token);
    return found && { ...found, period: publishedPeriod(found.period) };
  };

  app.get<RouteInput<'token'>>(
    '/statistiques/partage/:token',
    { config: { access: 'public' } },
    async (request, reply) => {
      reply.header('x-robots-tag', 'noindex').header('cache-control', 'no-store');
      const found = await shared(request);
      if (!found) return reply.page({ title: 'Lien de partage introuvable', status: 404 }, <ShareGonePage />);
      const title = titleOf(found.access.scope, true);
      const view = await statisticsView(readDb, found.access, found.period);
      return reply.page(
        { title },
        <SharedStatisticsPage
          title={title}
          view={view}
          exportUrl={`/statistiques/partage/${request.params.token}/export.xlsx`}
        />,
      );
    },
  );

  app.get<RouteInput<'token'>>(
    '/statistiques/partage/:token/export.xlsx',
    { config: { access: 'public' } },
    async (request, reply) => {
      const found = await shared(request);
      if (!found) return reply.page({ title: 'Lien de partage introuvable', status: 404 }, <ShareGonePage />);
      const view = await statisticsView(readDb, found.access, found.period);
      const bytes = await statisticsWorkbook(view, { title: titleOf(found.access.scope, true) });
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${fileName(found.access.scope, found.period)}"`)
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex')
        .send(bytes);
    },
  );
}
