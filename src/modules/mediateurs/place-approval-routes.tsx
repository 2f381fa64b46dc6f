import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allValues, lastValue, type RouteInput } from '../../platform/forms.ts';
import { activeCollectiviteOf } from '../../platform/http/access.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { choosablePlaces, type Helper, requireHelper } from './helpers.ts';
import {
  APPROVALS_REFUSED,
  approvalBoard,
  approvalCollectivites,
  type Decision,
  type DecisionOutcome,
  decidePlace,
  helperPlaceStates,
  managedHelperCollectivites,
  proposePlaces,
  recentPlaceAlerts,
} from './place-approval.ts';
import {
  type CollectiviteChoice,
  decisionKey,
  HelperPlacesPage,
  PlaceApprovalsPage,
} from './place-approval-views.tsx';

const HELPER_FLASH: Record<string, string> = {
  proposes:
    'Vos lieux sont enregistrés. Les nouveaux lieux sont proposés à votre coordinateur : ils s’ouvriront quand il les aura approuvés.',
  lieux: 'Vos lieux d’activité ont été enregistrés.',
};

const COORDINATOR_FLASH: Record<string, string> = {
  approuver: 'Le lieu est approuvé : le médiateur y voit désormais les personnes accompagnées.',
  refuser: 'La proposition est refusée.',
  retirer: 'Le lieu est retiré : le médiateur n’y voit plus les personnes accompagnées.',
  attribuer: 'Le lieu est attribué au médiateur.',
};

const DECISIONS = new Set<Decision>(['approuver', 'refuser', 'retirer']);

const CRUMBS = [{ href: '/espace', label: 'Mon espace' }];
const HELPER_CRUMBS = [...CRUMBS, { href: '/activites', label: 'Mes comptes rendus' }];

const okOf = (request: FastifyRequest<RouteInput>) => lastValue(request.query.ok);

export function placeApprovalRoutes(app: FastifyInstance, { db }: RouteContext): void {
  // ------------------------------------------------------------ the helper proposes

  const helperPage = async (
    reply: FastifyReply,
    helper: Helper,
    extra: { chosen?: string[]; error?: string; flash?: string | undefined } = {},
  ) => {
    const [places, states] = await Promise.all([
      choosablePlaces(db, helper),
      helperPlaceStates(db, helper.userId),
    ]);
    const current = [...states.approved, ...states.proposed].map((p) => p.id);
    return reply.page(
      {
        title: 'Mes lieux d’activité',
        hasErrors: Boolean(extra.error),
        status: extra.error ? 400 : 200,
        breadcrumbs: HELPER_CRUMBS,
      },
      <HelperPlacesPage
        places={places}
        states={states}
        chosen={extra.chosen ?? current}
        csrf={reply.generateCsrf()}
        error={extra.error}
        flash={extra.flash}
      />,
    );
  };

  app.get<RouteInput>('/activites/lieux', { config: { access: 'helper' } }, async (request, reply) => {
    const ok = okOf(request);
    return helperPage(reply, requireHelper(request.actor), { flash: ok ? HELPER_FLASH[ok] : undefined });
  });

  app.post<RouteInput>('/activites/lieux', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const chosen = allValues(request.body?.lieux);
    const saved = await proposePlaces(db, helper, chosen);
    if (!saved.ok) return helperPage(reply, helper, { chosen, error: saved.reason });
    if (saved.proposed.length > 0) return reply.redirect('/activites/lieux?ok=proposes', 303);
    const { approved } = await helperPlaceStates(db, helper.userId);
    return reply.redirect(approved.length > 0 ? '/activites?ok=lieux' : '/activites/lieux?ok=lieux', 303);
  });

  // ------------------------------------------------------------ coordinators decide

  const approvalsPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    extra: {
      collectiviteId?: number | undefined;
      errors?: FieldErrors;
      values?: { personne?: string | undefined; lieu?: string | undefined };
      status?: number;
    } = {},
  ) => {
    const actor = request.actor;
    const choices = await approvalCollectivites(db, actor);
    const asked = Number(request.query.collectivite);
    const active = activeCollectiviteOf(actor);
    const collectivite =
      choices.find((c) => c.id === extra.collectiviteId) ??
      choices.find((c) => c.id === asked) ??
      choices.find((c) => c.id === active) ??
      (choices[0] as CollectiviteChoice);
    const ok = okOf(request);
    return reply.page(
      {
        title: 'Lieux d’activité des médiateurs',
        hasErrors: Boolean(extra.errors),
        status: extra.status ?? 200,
        breadcrumbs: CRUMBS,
      },
      <PlaceApprovalsPage
        collectivite={collectivite}
        choices={choices}
        board={await approvalBoard(db, actor, collectivite.id)}
        csrf={reply.generateCsrf()}
        flash={extra.errors || !ok ? undefined : COORDINATOR_FLASH[ok]}
        errors={extra.errors}
        values={extra.values}
        alerts={await recentPlaceAlerts(db, actor)}
      />,
    );
  };

  /** After a decision: the page of the place's collectivité, with the outcome. */
  const afterDecision = (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    outcome: DecisionOutcome,
    decision: Decision,
    errorKey: string,
    values?: { personne?: string | undefined; lieu?: string | undefined },
  ) => {
    if (outcome.ok)
      return reply.redirect(
        `/admin/lieux-activite?collectivite=${outcome.collectiviteId}&ok=${decision}`,
        303,
      );
    return approvalsPage(request, reply, {
      collectiviteId: outcome.collectiviteId,
      errors: { [errorKey]: outcome.reason },
      values,
      status: outcome.status,
    });
  };

  app.get<RouteInput>(
    '/admin/lieux-activite',
    { config: { access: 'coordinator', refusal: APPROVALS_REFUSED } },
    (request, reply) => approvalsPage(request, reply),
  );

  // Assigning: the coordinator chooses the helper and the place.
  app.post<RouteInput>(
    '/admin/lieux-activite',
    { config: { access: 'coordinator', refusal: APPROVALS_REFUSED } },
    async (request, reply) => {
      const body = request.body ?? {};
      const values = { personne: lastValue(body.personne), lieu: lastValue(body.lieu) };
      const errors: FieldErrors = {};
      if (!values.personne) errors.personne = 'Choisissez le médiateur.';
      if (!values.lieu) errors.lieu = 'Choisissez le lieu d’activité.';
      if (!values.personne || !values.lieu)
        return approvalsPage(request, reply, { errors, values, status: 400 });
      const outcome = await decidePlace(
        db,
        request.actor,
        { userId: values.personne, lieuId: values.lieu, decision: 'attribuer' },
        { ip: request.ip },
      );
      return afterDecision(request, reply, outcome, 'attribuer', 'personne', values);
    },
  );

  // Deciding on one helper's proposal or approved place.
  app.post<RouteInput<'personne'>>(
    '/admin/lieux-activite/:personne',
    { config: { access: { coordinatorOf: 'personne' } } },
    async (request, reply) => {
      const { personne } = request.params;
      const theirs = await managedHelperCollectivites(db, request.actor, personne);
      if (theirs.length === 0) return reply.callNotFound();
      const body = request.body ?? {};
      const lieu = lastValue(body.lieu) ?? '';
      const decision = lastValue(body.decision) as Decision | undefined;
      const errorKey = decisionKey(personne, lieu);
      if (!decision || !DECISIONS.has(decision) || lieu === '')
        return approvalsPage(request, reply, {
          collectiviteId: theirs[0],
          errors: { [errorKey]: 'Choisissez une décision pour un lieu de la liste.' },
          status: 400,
        });
      const outcome = await decidePlace(
        db,
        request.actor,
        { userId: personne, lieuId: lieu, decision },
        { ip: request.ip },
      );
      return afterDecision(request, reply, outcome, decision, errorKey);
    },
  );
}
