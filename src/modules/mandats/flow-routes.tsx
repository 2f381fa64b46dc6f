import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import { useTotpCode } from '../../platform/auth/second-factor.ts';
import { type RouteInput, textOf } from '../../platform/forms.ts';
import { notifierFor } from '../../platform/messaging/index.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { displayNameOf, findVisibleBeneficiary, recentBeneficiaries } from '../beneficiaires/index.ts';
import type { PlaceSummary } from '../lieux/index.ts';
import { type Helper, helperPlaces } from '../mediateurs/index.ts';
import { createMandate } from './creation.ts';
import {
  completeRequest,
  createDraft,
  type Draft,
  deleteDraft,
  isStep,
  loadDraft,
  parseStep,
  STEPS,
  type Step,
  saveDraft,
} from './draft.ts';
import {
  ConsentStep,
  DemarchesStep,
  DurationStep,
  PersonStep,
  PlaceStep,
  STEP_TITLES,
  StartPage,
  SummaryPage,
} from './flow-views.tsx';
import { requireHabilitatedHelper } from './habilitation.ts';

const CRUMBS: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/mandats', label: 'Mandats' },
];

const VIEWS: Record<Step, typeof PersonStep> = {
  personne: PersonStep,
  structure: PlaceStep,
  demarches: DemarchesStep,
  duree: DurationStep,
  consentement: ConsentStep,
};

/** The questions this helper answers: the structure is skipped when they work at one place only. */
const stepsFor = (places: PlaceSummary[]): Step[] =>
  STEPS.filter((s) => s !== 'structure' || places.length > 1);

export function flowRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const draftUrl = (id: string, step: Step | 'recapitulatif') => `/mandats/brouillons/${id}/${step}`;

  /** The helper's draft named in the address, with their places; null when it is not theirs. */
  async function loadContext(request: FastifyRequest<RouteInput<'brouillon'>>) {
    const helper = await requireHabilitatedHelper(db, request.actor);
    const draft = await loadDraft(db, helper, request.params.brouillon);
    if (!draft) return null;
    const places = await helperPlaces(db, helper.userId);
    return { helper, draft, places };
  }

  async function beneficiaryName(helper: Helper, draft: Draft): Promise<string | undefined> {
    if (!draft.data.beneficiaireId) return undefined;
    const b = await findVisibleBeneficiary(db, helper, draft.data.beneficiaireId);
    return b ? displayNameOf(b) : undefined;
  }

  async function stepPage(
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    ctx: { helper: Helper; draft: Draft; places: PlaceSummary[] },
    step: Step,
    errors: FieldErrors = {},
    typed: Record<string, unknown> = {},
  ) {
    const steps = stepsFor(ctx.places);
    const index = Math.max(steps.indexOf(step), 0);
    const returnToSummary = request.query.retour === 'recapitulatif';
    const previous = index === 0 ? '/mandats/nouveau' : draftUrl(ctx.draft.id, steps[index - 1] as Step);
    const View = VIEWS[step];
    return reply.page(
      {
        title: `${STEP_TITLES[step]} – Créer un mandat`,
        breadcrumbs: [...CRUMBS, { href: '/mandats/nouveau', label: 'Créer un mandat' }],
        hasErrors: Object.keys(errors).length > 0,
        status: Object.keys(errors).length > 0 ? 400 : 200,
      },
      <View
        draftId={ctx.draft.id}
        csrf={reply.generateCsrf()}
        data={{ ...ctx.draft.data, ...typed }}
        errors={errors}
        places={ctx.places}
        returnToSummary={returnToSummary}
        number={index + 1}
        total={steps.length}
        back={returnToSummary ? draftUrl(ctx.draft.id, 'recapitulatif') : previous}
        beneficiaryName={await beneficiaryName(ctx.helper, ctx.draft)}
      />,
    );
  }

  app.get<RouteInput>('/mandats/nouveau', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = await requireHabilitatedHelper(db, request.actor);
    const id = textOf(request.query.beneficiaire);
    const b = id ? await findVisibleBeneficiary(db, helper, id) : undefined;
    return reply.page(
      { title: 'Créer un mandat', breadcrumbs: CRUMBS },
      <StartPage
        csrf={reply.generateCsrf()}
        beneficiaire={b && { id: b.id, name: displayNameOf(b) }}
        people={b ? [] : await recentBeneficiaries(db, helper)}
      />,
    );
  });

  app.post<RouteInput>('/mandats/nouveau', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = await requireHabilitatedHelper(db, request.actor);
    const places = await helperPlaces(db, helper.userId);
    if (places.length === 0) return reply.redirect('/activites/lieux', 303);
    const id = textOf(request.body?.beneficiaire);
    const b = id ? await findVisibleBeneficiary(db, helper, id) : undefined;
    const draftId = await createDraft(db, helper, {
      ...(b
        ? {
            beneficiaireId: b.id,
            ...(b.prenom ? { prenom: b.prenom } : {}),
            ...(b.nom ? { nom: b.nom } : {}),
          }
        : {}),
      ...(b?.telephone ? { telephone: b.telephone } : {}),
      ...(places.length === 1 ? { lieuId: places[0]!.id } : {}),
    });
    return reply.redirect(draftUrl(draftId, 'personne'), 303);
  });

  app.get<RouteInput<'brouillon'>>(
    '/mandats/brouillons/:brouillon/recapitulatif',
    { config: { access: { helperOf: 'brouillon' } } },
    async (request, reply) => {
      const ctx = await loadContext(request);
      if (!ctx) return reply.callNotFound();
      return summaryPage(reply, ctx);
    },
  );

  async function summaryPage(
    reply: FastifyReply,
    ctx: { helper: Helper; draft: Draft; places: PlaceSummary[] },
    errors: FieldErrors = {},
  ) {
    const complete = completeRequest(
      ctx.draft.data,
      ctx.places.map((p) => p.id),
    );
    if ('missing' in complete) return reply.redirect(draftUrl(ctx.draft.id, complete.missing), 303);
    return reply.page(
      {
        title: 'Vérifier le mandat – Créer un mandat',
        breadcrumbs: [...CRUMBS, { href: '/mandats/nouveau', label: 'Créer un mandat' }],
        hasErrors: Object.keys(errors).length > 0,
        status: Object.keys(errors).length > 0 ? 400 : 200,
      },
      <SummaryPage
        draftId={ctx.draft.id}
        csrf={reply.generateCsrf()}
        data={ctx.draft.data}
        place={ctx.places.find((p) => p.id === ctx.draft.data.lieuId)}
        helperName={ctx.helper.actor.name}
        errors={errors}
        renewing={Boolean(ctx.draft.data.renouvelleId)}
      />,
    );
  }

  // The helper confirms with a fresh one-time code: the mandate is theirs, in person or by SMS.
  app.post<RouteInput<'brouillon'>>(
    '/mandats/brouillons/:brouillon/confirmer',
    { config: { access: { helperOf: 'brouillon' }, rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const ctx = await loadContext(request);
      if (!ctx) return reply.callNotFound();
      const complete = completeRequest(
        ctx.draft.data,
        ctx.places.map((p) => p.id),
      );
      if ('missing' in complete) return reply.redirect(draftUrl(ctx.draft.id, complete.missing), 303);
      const code = String(request.body?.code ?? '');
      if (!(await useTotpCode(db, ctx.helper.userId, code))) {
        await audit(db, {
          actor: ctx.helper.actor,
          action: 'mandat.code_refuse',
          collectiviteId: ctx.helper.collectiviteId,
          ip: request.ip,
        });
        return summaryPage(reply, ctx, {
          code: 'Ce code est incorrect ou a expiré. Saisissez le code affiché maintenant par votre application.',
        });
      }
      const created = await createMandate(db, ctx.helper, complete.request, notifierFor(db, config));
      if (!created.ok) return summaryPage(reply, ctx, { formulaire: created.reason });
      await deleteDraft(db, ctx.draft.id);
      const flash = complete.request.consentement === 'sms' ? 'sms' : 'cree';
      return reply.redirect(`/mandats/${created.value.id}?ok=${flash}`, 303);
    },
  );

  app.get<RouteInput<'brouillon' | 'etape'>>(
    '/mandats/brouillons/:brouillon/:etape',
    { config: { access: { helperOf: 'brouillon' } } },
    async (request, reply) => {
      const step = request.params.etape;
      const ctx = await loadContext(request);
      if (!ctx || !isStep(step)) return reply.callNotFound();
      return stepPage(request, reply, ctx, step);
    },
  );

  app.post<RouteInput<'brouillon' | 'etape'>>(
    '/mandats/brouillons/:brouillon/:etape',
    { config: { access: { helperOf: 'brouillon' } } },
    async (request, reply) => {
      const step = request.params.etape;
      const ctx = await loadContext(request);
      if (!ctx || !isStep(step)) return reply.callNotFound();
      const body = request.body ?? {};
      const parsed = parseStep(
        step,
        body,
        ctx.places.map((p) => p.id),
      );
      if (!parsed.ok) return stepPage(request, reply, ctx, step, parsed.errors, typedBack(step, body));
      await saveDraft(db, ctx.draft, parsed.patch);
      if (step === 'personne')
        await audit(db, {
          actor: ctx.helper.actor,
          action: 'mandat.identite_verifiee',
          collectiviteId: ctx.helper.collectiviteId,
          subject: { type: 'brouillon', id: ctx.draft.id },
          details: { pieceIdentite: parsed.patch.pieceIdentite },
        });
      const steps = stepsFor(ctx.places);
      const next = steps[steps.indexOf(step) + 1];
      const returnToSummary = request.query.retour === 'recapitulatif';
      return reply.redirect(draftUrl(ctx.draft.id, returnToSummary || !next ? 'recapitulatif' : next), 303);
    },
  );
}

/** What a refused form shows back as typed (the draft keeps only checked answers). */
function typedBack(step: Step, body: Record<string, unknown>): Record<string, unknown> {
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
  switch (step) {
    case 'personne':
      return {
        prenom: text('prenom'),
        nom: text('nom'),
        dateNaissance: text('date_naissance'),
        pieceIdentite: text('piece_identite'),
        pieceVue: body.piece_vue === 'oui',
      };
    case 'consentement':
      return { consentement: text('consentement'), telephone: text('telephone') };
    default:
      return {};
  }
}
