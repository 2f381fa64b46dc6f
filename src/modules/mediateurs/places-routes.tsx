import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AccessTable, RouteContext } from '../../platform/module.ts';
import { choosablePlaces, type Helper, helperPlaces, requireHelper, setHelperPlaces } from './helpers.ts';
import { PlacesPage } from './places-views.tsx';

/** Who may call each route of this file (see platform/module.ts). */
export const placesAccess: AccessTable = {
  'GET /activites/lieux': 'helper',
  'POST /activites/lieux': 'helper',
};

const CRUMBS = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/activites', label: 'Mes comptes rendus' },
];

const many = (v: unknown) =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');

/** The helper's places of activity, chosen before their first report and changed at any time. */
export function placesRoutes(app: FastifyInstance, { db }: RouteContext): void {
  const placesPage = async (reply: FastifyReply, helper: Helper, chosen: string[], error?: string) => {
    const [places, current] = await Promise.all([
      choosablePlaces(db, helper),
      helperPlaces(db, helper.userId),
    ]);
    return reply.page(
      {
        title: 'Mes lieux d’activité',
        hasErrors: Boolean(error),
        status: error ? 400 : 200,
        breadcrumbs: CRUMBS,
      },
      <PlacesPage
        places={places}
        chosen={chosen.length > 0 || error ? chosen : current.map((p) => p.id)}
        csrf={reply.generateCsrf()}
        error={error}
        first={current.length === 0}
      />,
    );
  };

  app.get('/activites/lieux', async (request, reply) => placesPage(reply, requireHelper(request.actor), []));

  app.post('/activites/lieux', async (request, reply) => {
    const helper = requireHelper(request.actor);
    const chosen = many((request.body as Record<string, unknown> | undefined)?.lieux);
    const saved = await setHelperPlaces(db, helper, chosen);
    if (!saved.ok) return placesPage(reply, helper, chosen, saved.reason);
    return reply.redirect('/activites?ok=lieux', 303);
  });
}
