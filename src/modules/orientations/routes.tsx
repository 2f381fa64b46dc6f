import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allValues, lastValue, parseForm, type RouteInput, textFields } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { parisToday } from '../../platform/paris-time.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { findVisibleBeneficiary, personChoiceLabel, recentBeneficiaries } from '../beneficiaires/index.ts';
import { searchPlaces, searchSchema } from '../lieux/index.ts';
import { type Helper, requireHelper } from '../mediateurs/index.ts';
import { countExport, exportRows, journalExport, referralsXlsxStream } from './export.ts';
import { acceptanceFields, referralFields, refusalFields } from './fields.ts';
import { checkLink, linkSecret } from './link.ts';
import {
  acceptReferral,
  closeReferral,
  defaultPersonMessage,
  destinationOf,
  RENEWABLE_STATUSES,
  type Receiver,
  type Referral,
  receivedDashboard,
  receivedReferrals,
  recordReceiverRead,
  referralOfLink,
  referralOfReceiver,
  referralOfSender,
  refuseReferral,
  renewLink,
  sendConsentCopy,
  sendReferral,
  sentDashboard,
  sentReferrals,
  studyReferral,
  withdrawConsent,
} from './service.ts';
import { readTimers, saveTimers, timerFields } from './timers.ts';
import {
  ChoosePlacePage,
  LinkProblemPage,
  NewReferralPage,
  ReceivedListPage,
  ReceiverReferralPage,
  type ReferralFormValues,
  SenderReferralPage,
  SentListPage,
  TimersPage,
} from './views.tsx';
import { STATUSES, type Status } from './vocabulary.ts';

const HOME: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/orientations', label: 'Orientations' },
];

const FLASH: Record<string, string> = {
  envoyee: 'L’orientation est envoyée : le lieu a reçu un courriel pour y répondre.',
  copie_sms: 'La copie de son accord est envoyée à la personne par SMS.',
  copie_email: 'La copie de son accord est envoyée à la personne par courriel.',
  retiree: 'Le retrait de l’accord est enregistré : l’orientation est close et le lieu prévenu.',
  etude: 'L’orientation est à l’étude.',
  acceptee: 'L’orientation est acceptée : la personne qui l’a envoyée est prévenue.',
  acceptee_sms:
    'L’orientation est acceptée : la personne qui l’a envoyée est prévenue, la personne orientée aussi par SMS.',
  acceptee_email:
    'L’orientation est acceptée : la personne qui l’a envoyée est prévenue, la personne orientée aussi par courriel.',
  acceptee_echec:
    'L’orientation est acceptée et la personne qui l’a envoyée prévenue, mais le message à la personne orientée n’a pas pu partir : contactez-la directement.',
  refusee: 'Le refus est enregistré : la personne qui a orienté est prévenue.',
  close: 'C’est noté : l’orientation est close.',
};

const flashOf = (request: FastifyRequest<RouteInput>) => {
  const ok = lastValue(request.query.ok);
  return ok ? FLASH[ok] : undefined;
};

const pageNumber = (raw: unknown) => Math.max(1, Math.min(10_000, Math.trunc(Number(raw)) || 1));
const statusOf = (raw: unknown): Status | undefined => {
  const s = lastValue(raw);
  return s && s in STATUSES ? (s as Status) : undefined;
};

/** Pages about a referral are never stored by a browser or a proxy, nor their address passed on. */
function privatePage(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
}

/** The answer links: each page counts per address (a guessed link is never found anyway). */
const LINK_LIMIT = { max: 60, timeWindow: '1 minute' };
const RENEW_LIMIT = { max: 5, timeWindow: '1 minute' };

export function orientationRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  // ------------------------------------------------------------ sending

  const peopleChoices = async (helper: Helper, chosen?: string) => {
    const people = await recentBeneficiaries(db, helper, 100);
    const options = people.map((p) => ({ value: p.id, label: personChoiceLabel(p) }));
    if (chosen && !options.some((o) => o.value === chosen)) {
      const b = await findVisibleBeneficiary(db, helper, chosen);
      if (b && !b.anonyme) options.unshift({ value: b.id, label: personChoiceLabel(b) });
    }
    return options;
  };

  app.get<RouteInput>('/orientations/nouvelle', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const beneficiaire = lastValue(request.query.beneficiaire);
    const lieu = lastValue(request.query.lieu);
    const destination = lieu ? await destinationOf(db, lieu) : undefined;
    if (!destination) {
      const q = (lastValue(request.query.q) ?? '').trim().slice(0, 200);
      const parsed = searchSchema.safeParse({ q, limit: '20' });
      const hits = q && parsed.success ? (await searchPlaces(db, parsed.data)).hits : [];
      return reply.page(
        { title: 'Orienter une personne', breadcrumbs: HOME, status: lieu ? 404 : 200 },
        <ChoosePlacePage beneficiaire={beneficiaire} q={q} hits={hits} />,
      );
    }
    return reply.page(
      { title: `Orienter une personne vers ${destination.name}`, breadcrumbs: HOME },
      <NewReferralPage
        destination={destination}
        people={await peopleChoices(helper, beneficiaire)}
        values={{ beneficiaire, contact_preference: 'telephone', consent_mode: 'en_personne' }}
        errors={{}}
        csrf={reply.generateCsrf()}
      />,
    );
  });

  app.post<RouteInput>(
    '/orientations/nouvelle',
    { config: { access: 'helper', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const body = request.body ?? {};
      const values: ReferralFormValues = textFields(body);
      if (allValues(body.consentement).includes('oui')) values.consentement = 'oui';
      const destination = await destinationOf(db, lastValue(body.lieu) ?? '');
      if (!destination)
        return reply.page(
          { title: 'Orienter une personne', breadcrumbs: HOME, status: 400, hasErrors: true },
          <ChoosePlacePage beneficiaire={values.beneficiaire} q="" hits={[]} />,
        );
      const again = async (
        errors: FieldErrors,
        warnings?: Parameters<typeof NewReferralPage>[0]['warnings'],
      ) =>
        reply.page(
          {
            title: `Orienter une personne vers ${destination.name}`,
            breadcrumbs: HOME,
            status: warnings ? 409 : 400,
            hasErrors: Object.keys(errors).length > 0,
          },
          <NewReferralPage
            destination={destination}
            people={await peopleChoices(helper, values.beneficiaire)}
            values={values}
            errors={errors}
            warnings={warnings}
            csrf={reply.generateCsrf()}
          />,
        );
      const form = parseForm(referralFields, body);
      if (!form.ok) return again(form.errors);
      const sent = await sendReferral(db, config, helper, form.data);
      if (!sent.ok) return 'errors' in sent ? again(sent.errors) : again({}, sent.warnings);
      return reply.redirect(`/orientations/${sent.id}?ok=envoyee`, 303);
    },
  );

  app.get<RouteInput>('/orientations', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const status = statusOf(request.query.statut);
    const page = pageNumber(request.query.page);
    const [dashboard, list] = await Promise.all([
      sentDashboard(db, helper),
      sentReferrals(db, helper, { status, page }),
    ]);
    return reply.page(
      { title: 'Mes orientations envoyées', breadcrumbs: [HOME[0] as Crumb] },
      <SentListPage
        dashboard={dashboard}
        status={status}
        rows={list.rows}
        count={list.count}
        page={page}
        flash={flashOf(request)}
      />,
    );
  });

  app.get<RouteInput>(
    '/orientations/export.xlsx',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      const side = lastValue(request.query.sens) === 'recues' ? 'recues' : 'envoyees';
      const status = statusOf(request.query.statut);
      // Journaled before the first byte leaves; the rows then stream page by page.
      await journalExport(db, helper, side, status, await countExport(db, helper, side, status));
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="orientations-${side}-${parisToday()}.xlsx"`)
        .header('cache-control', 'private, no-store')
        .send(referralsXlsxStream(exportRows(db, helper, side, status), side));
    },
  );

  app.get<RouteInput<'orientation'>>(
    '/orientations/:orientation',
    { config: { access: { helperOf: 'orientation' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const r = await referralOfSender(db, helper, request.params.orientation);
      if (!r) return reply.callNotFound();
      return reply.page(
        { title: 'Orientation', breadcrumbs: HOME },
        <SenderReferralPage r={r} csrf={reply.generateCsrf()} flash={flashOf(request)} />,
      );
    },
  );

  app.post<RouteInput<'orientation'>>(
    '/orientations/:orientation/retrait',
    { config: { access: { helperOf: 'orientation' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const r = await referralOfSender(db, helper, request.params.orientation);
      if (!r) return reply.callNotFound();
      const done = await withdrawConsent(db, config, helper, r, request.ip);
      if (!done.ok)
        return reply.page(
          { title: 'Orientation', breadcrumbs: HOME, status: 409 },
          <SenderReferralPage r={r} csrf={reply.generateCsrf()} error={done.reason} />,
        );
      return reply.redirect(`/orientations/${r.id}?ok=retiree`, 303);
    },
  );

  app.post<RouteInput<'orientation'>>(
    '/orientations/:orientation/copie',
    { config: { access: { helperOf: 'orientation' }, rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const r = await referralOfSender(db, helper, request.params.orientation);
      if (!r) return reply.callNotFound();
      const sent = await sendConsentCopy(db, config, helper, r, request.ip);
      if (!sent.ok)
        return reply.page(
          { title: 'Orientation', breadcrumbs: HOME, status: 400 },
          <SenderReferralPage r={r} csrf={reply.generateCsrf()} error={sent.reason} />,
        );
      return reply.redirect(`/orientations/${r.id}?ok=copie_${sent.channel}`, 303);
    },
  );

  // ------------------------------------------------------------ receiving (shared by both ways in)

  type Shown = {
    flash?: string | undefined;
    error?: string;
    errors?: FieldErrors;
    values?: ReferralFormValues;
    status?: number;
  };

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
        personMessage={defaultPersonMessage(r, await destinationOf(db, r.lieu_id))}
        flash={shown.flash}
        error={shown.error}
        errors={shown.errors}
        values={shown.values}
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
    const [dashboard, list] = await Promise.all([
      receivedDashboard(db, helper),
      receivedReferrals(db, helper, { status, page }),
    ]);
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
      const r = await referralOfReceiver(db, helper, request.params.orientation);
      if (!r) return reply.callNotFound();
      const receiver: Receiver = { kind: 'member', helper, ip: request.ip };
      await recordReceiverRead(db, receiver, r);
      return receiverPage(reply, r, `/orientations/recues/${r.id}`, { flash: flashOf(request) });
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

  // ------------------------------------------------------------ the OPSN's timers

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
