import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allValues, lastValue, parseForm, type RouteInput, textFields } from '../../../platform/forms.ts';
import type { RouteContext } from '../../../platform/module.ts';
import type { FieldErrors } from '../../../platform/ui/components.tsx';
import { personChoiceLabel, recentBeneficiaries } from '../../beneficiaires/index.ts';
import { type Helper, requireHelper } from '../../mediateurs/index.ts';
import type { ReferralFormValues } from '../components.tsx';
import { destinationOfReferral } from '../destination.ts';
import { acceptanceFields, refusalFields } from '../fields.ts';
import { receivedReferrals } from '../lists.ts';
import { linkReceivedRecord, withLoopClosed } from '../loop.ts';
import type { Referral } from '../referral.ts';
import { flashOf, HOME, pageNumber, privatePage, statusOf } from '../route-helpers.ts';
import { RENEWABLE_STATUSES, referralOfLink, renewLink } from './answer-link.ts';
import {
  acceptReferral,
  closeReferral,
  defaultPersonMessage,
  type Receiver,
  recordReceiverRead,
  referralOfReceiver,
  refuseReferral,
  studyReferral,
} from './answers.ts';
import { checkLink, linkSecret } from './link.ts';
import { LinkProblemPage, ReceivedListPage, ReceiverReferralPage } from './views.tsx';

/** The answer links: each page counts per address (a guessed link is never found anyway). */
const LINK_LIMIT = { max: 60, timeWindow: '1 minute' };
const RENEW_LIMIT = { max: 5, timeWindow: '1 minute' };

/** The receiving side: the place's helpers in Relais (inbox), and its contact through the link. */
export function receptionRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  type Shown = {
    flash?: string | undefined;
    error?: string;
    errors?: FieldErrors;
    values?: ReferralFormValues;
    status?: number;
    /** The receiving helper's people, to link an accepted referral to one's record of the person. */
    people?: { value: string; label: string }[];
  };

  const peopleToLink = async (helper: Helper, r: Referral) =>
    r.status === 'acceptee' && !r.received_beneficiaire_id
      ? (await recentBeneficiaries(db, helper, 100)).map((p) => ({
          value: p.id,
          label: personChoiceLabel(p),
        }))
      : undefined;

  const receiverPage = async (
    reply: FastifyReply,
    r: Referral,
    action: string,
    shown: Shown,
    linkExpires?: Date,
  ) =>
    reply.page(
      {
        title: 'Orientation reçue',
        status: shown.status ?? 200,
        hasErrors: Boolean(shown.errors && Object.keys(shown.errors).length),
        ...(action.startsWith('/orientations/recues')
          ? { breadcrumbs: [...HOME, { href: '/orientations/recues', label: 'Reçues' }] }
          : {}),
      },
      <ReceiverReferralPage
        r={r}
        action={action}
        csrf={reply.generateCsrf()}
        personMessage={defaultPersonMessage(r, await destinationOfReferral(db, r))}
        flash={shown.flash}
        error={shown.error}
        errors={shown.errors}
        values={shown.values}
        people={shown.people}
        linkExpires={linkExpires}
      />,
    );

  /** One answer of the receiving side; redirects to `after` with the outcome, or shows the page again. */
  async function answer(
    request: FastifyRequest<RouteInput<string>>,
    reply: FastifyReply,
    receiver: Receiver,
    r: Referral,
    kind: string,
    base: string,
    linkExpires?: Date,
  ) {
    const body = request.body ?? {};
    const values: ReferralFormValues = { ...textFields(body), motifs: allValues(body.motifs).join(',') };
    const failed = (reason: string) =>
      receiverPage(reply, r, base, { error: reason, status: 409 }, linkExpires);
    if (kind === 'etude') {
      const done = await studyReferral(db, receiver, r);
      return done.ok ? reply.redirect(`${base}?ok=etude`, 303) : failed(done.reason);
    }
    if (kind === 'accepter') {
      const form = parseForm(acceptanceFields, body);
      if (!form.ok)
        return receiverPage(reply, r, base, { errors: form.errors, values, status: 400 }, linkExpires);
      const done = await acceptReferral(db, config, receiver, r, form.data);
      if (!done.ok) return failed(done.reason);
      const suffix =
        done.person === 'sms' || done.person === 'email' || done.person === 'echec' ? `_${done.person}` : '';
      return reply.redirect(`${base}?ok=acceptee${suffix}`, 303);
    }
    if (kind === 'refuser') {
      const form = parseForm(refusalFields, { motifs: body.motifs, message: body.refus_message });
      if (!form.ok) {
        const errors: FieldErrors = {};
        if (form.errors.motifs) errors.motifs = form.errors.motifs;
        if (form.errors.message) errors.refus_message = form.errors.message;
        return receiverPage(reply, r, base, { errors, values, status: 400 }, linkExpires);
      }
      const done = await refuseReferral(db, config, receiver, r, form.data);
      return done.ok ? reply.redirect(`${base}?ok=refusee`, 303) : failed(done.reason);
    }
    // cloture
    const honoured = lastValue(body.honoree);
    if (honoured !== 'oui' && honoured !== 'non')
      return receiverPage(
        reply,
        r,
        base,
        { error: 'Dites si la personne est venue.', status: 400 },
        linkExpires,
      );
    const done = await closeReferral(db, receiver, r, honoured === 'oui');
    return done.ok ? reply.redirect(`${base}?ok=close`, 303) : failed(done.reason);
  }

  const ANSWERS = ['etude', 'accepter', 'refuser', 'cloture'] as const;

  // ------------------------------------------------------------ receiving: members of the place in Relais

  app.get<RouteInput>('/orientations/recues', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const status = statusOf(request.query.statut);
    const page = pageNumber(request.query.page);
    const list = await receivedReferrals(db, helper, { status, page });
    const dashboard = list.dashboard;
    return reply.page(
      { title: 'Orientations reçues', breadcrumbs: HOME },
      <ReceivedListPage
        dashboard={dashboard}
        status={status}
        rows={list.rows}
        count={list.count}
        page={page}
      />,
    );
  });

  app.get<RouteInput<'orientation'>>(
    '/orientations/recues/:orientation',
    { config: { access: { helperOf: 'orientation' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const found = await referralOfReceiver(db, helper, request.params.orientation);
      if (!found) return reply.callNotFound();
      const r = await withLoopClosed(db, found);
      const receiver: Receiver = { kind: 'member', helper, ip: request.ip };
      await recordReceiverRead(db, receiver, r);
      return receiverPage(reply, r, `/orientations/recues/${r.id}`, {
        flash: flashOf(request),
        people: await peopleToLink(helper, r),
      });
    },
  );

  app.post<RouteInput<'orientation'>>(
    '/orientations/recues/:orientation/fiche',
    { config: { access: { helperOf: 'orientation' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const r = await referralOfReceiver(db, helper, request.params.orientation);
      if (!r) return reply.callNotFound();
      const base = `/orientations/recues/${r.id}`;
      const linked = await linkReceivedRecord(
        db,
        helper,
        r,
        lastValue(request.body?.fiche) ?? '',
        request.ip,
      );
      if (!linked.ok)
        return receiverPage(reply, r, base, {
          errors: { fiche: linked.reason },
          status: 400,
          people: await peopleToLink(helper, r),
        });
      return reply.redirect(`${base}?ok=fiche`, 303);
    },
  );

  for (const kind of ANSWERS) {
    app.post<RouteInput<'orientation'>>(
      `/orientations/recues/:orientation/${kind}`,
      { config: { access: { helperOf: 'orientation' } } },
      async (request, reply) => {
        const helper = requireHelper(request.actor);
        privatePage(reply);
        const r = await referralOfReceiver(db, helper, request.params.orientation);
        if (!r) return reply.callNotFound();
        return answer(
          request,
          reply,
          { kind: 'member', helper, ip: request.ip },
          r,
          kind,
          `/orientations/recues/${r.id}`,
        );
      },
    );
  }

  // ------------------------------------------------------------ receiving: the place's contact, through the link

  const linkProblem = (
    reply: FastifyReply,
    outcome: { state: 'invalid' } | { state: 'expired' | 'replaced'; referral: Referral },
    token: string,
  ) => {
    const renewable = outcome.state !== 'invalid' && RENEWABLE_STATUSES.includes(outcome.referral.status);
    return reply.page(
      { title: 'Lien d’orientation', status: outcome.state === 'invalid' ? 400 : 410 },
      <LinkProblemPage
        state={outcome.state}
        renewAction={renewable ? `/orientations/reponse/${encodeURIComponent(token)}/renouveler` : undefined}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'jeton'>>(
    '/orientations/reponse/:jeton',
    { config: { access: 'public', rateLimit: LINK_LIMIT } },
    async (request, reply) => {
      privatePage(reply);
      const token = request.params.jeton;
      const outcome = await referralOfLink(db, token, request.ip);
      if (outcome.state !== 'ok') return linkProblem(reply, outcome, token);
      const checked = checkLink(await linkSecret(db), token);
      const receiver: Receiver = { kind: 'link', ip: request.ip };
      await recordReceiverRead(db, receiver, outcome.referral);
      return receiverPage(
        reply,
        outcome.referral,
        `/orientations/reponse/${token}`,
        { flash: flashOf(request) },
        checked.ok ? checked.expiresAt : undefined,
      );
    },
  );

  for (const kind of ANSWERS) {
    app.post<RouteInput<'jeton'>>(
      `/orientations/reponse/:jeton/${kind}`,
      { config: { access: 'public', rateLimit: LINK_LIMIT } },
      async (request, reply) => {
        privatePage(reply);
        const token = request.params.jeton;
        const outcome = await referralOfLink(db, token, request.ip);
        if (outcome.state !== 'ok') return linkProblem(reply, outcome, token);
        return answer(
          request,
          reply,
          { kind: 'link', ip: request.ip },
          outcome.referral,
          kind,
          `/orientations/reponse/${token}`,
        );
      },
    );
  }

  app.post<RouteInput<'jeton'>>(
    '/orientations/reponse/:jeton/renouveler',
    { config: { access: 'public', rateLimit: RENEW_LIMIT } },
    async (request, reply) => {
      privatePage(reply);
      const token = request.params.jeton;
      const outcome = await referralOfLink(db, token, request.ip);
      // A working link needs no renewal: its page is shown instead.
      if (outcome.state === 'ok') return reply.redirect(`/orientations/reponse/${token}`, 303);
      if (outcome.state === 'invalid') return linkProblem(reply, outcome, token);
      const renewed = await renewLink(db, config, outcome.referral, request.ip);
      if (!renewed) return linkProblem(reply, outcome, token);
      return reply.page(
        { title: 'Lien d’orientation' },
        <LinkProblemPage state={outcome.state} csrf={reply.generateCsrf()} renewed />,
      );
    },
  );
}
