import type { FastifyInstance } from 'fastify';
import { lastValue, parseForm, type RouteInput, textFields } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { Crumb } from '../../platform/ui/components.tsx';
import { receptionRoutes } from './reception/routes.tsx';
import { sendingRoutes } from './sending/routes.tsx';
import { referralStatisticsFor } from './statistics.ts';
import { StatisticsPage } from './statistics-page.tsx';
import { readTimers, saveTimers, timerFields } from './timers.ts';
import { TimersPage } from './timers-page.tsx';

/** Referrals: sending, receiving, and the OPSN's timers. */
export function orientationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db } = ctx;
  sendingRoutes(app, ctx);
  receptionRoutes(app, ctx);

  // ------------------------------------------------------------ the OPSN's timers

  app.get<RouteInput>(
    '/orientations/statistiques',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const { stats, wholeTerritory } = await referralStatisticsFor(db, request.actor);
      return reply.page(
        { title: 'Statistiques des orientations', breadcrumbs: [{ href: '/espace', label: 'Mon espace' }] },
        <StatisticsPage
          stats={stats}
          scopeLabel={
            wholeTerritory
              ? 'Toutes les orientations du territoire'
              : 'Les orientations envoyées ou reçues par les collectivités que vous coordonnez'
          }
        />,
      );
    },
  );

  const ADMIN_CRUMBS: Crumb[] = [{ href: '/espace', label: 'Mon espace' }];

  app.get<RouteInput>('/admin/orientations', { config: { access: 'admin' } }, async (request, reply) =>
    reply.page(
      { title: 'Délais des orientations', breadcrumbs: ADMIN_CRUMBS },
      <TimersPage
        values={await readTimers(db)}
        errors={{}}
        csrf={reply.generateCsrf()}
        flash={lastValue(request.query.ok) === 'delais' ? 'Les délais sont enregistrés.' : undefined}
      />,
    ),
  );

  app.post<RouteInput>('/admin/orientations', { config: { access: 'admin' } }, async (request, reply) => {
    const form = parseForm(timerFields, request.body);
    if (!form.ok)
      return reply.page(
        { title: 'Délais des orientations', breadcrumbs: ADMIN_CRUMBS, status: 400, hasErrors: true },
        <TimersPage values={textFields(request.body)} errors={form.errors} csrf={reply.generateCsrf()} />,
      );
    await saveTimers(db, request.actor, form.data);
    return reply.redirect('/admin/orientations?ok=delais', 303);
  });
}
