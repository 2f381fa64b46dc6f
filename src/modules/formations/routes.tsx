import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can } from '../../platform/auth/policy.ts';
import { csvText } from '../../platform/csv.ts';
import {
  allValues,
  isUuid,
  lastValue,
  parseForm,
  type RouteInput,
  textFields,
} from '../../platform/forms.ts';
import { isSignedIn, signedInActor } from '../../platform/http/access.ts';
import { normaliseMobile } from '../../platform/messaging/index.ts';
import type { RouteContext } from '../../platform/module.ts';
import { parisInstant, parisToday } from '../../platform/paris-time.ts';
import type { Crumb } from '../../platform/ui/components.tsx';
import { placesOfCollectivites } from '../lieux/index.ts';
import { requireHelper } from '../mediateurs/index.ts';
import { resourcesAbout } from '../ressources/index.ts';
import { setProgrammes, teamProgrammes } from './audience.ts';
import { ProgrammesPage } from './audience-views.tsx';
import { editsType, sessionFormValues, updateSession, updateType } from './editing.ts';
import {
  capacityField,
  feedbackFields,
  halfDaysOf,
  motifField,
  sessionChangeFields,
  sessionFields,
  typeInputOf,
} from './fields.ts';
import { grantFromCertificate } from './habilitation.ts';
import { sessionCalendar } from './mail.ts';
import { certificatePdf, signInSheetPdf } from './pdf.ts';
import {
  cancelRegistration,
  cancelSession,
  catalogue,
  certificateFor,
  changeCapacity,
  checkIn,
  collectiviteNames,
  confirmOffer,
  createSession,
  createType,
  eligibility,
  feedbackSummary,
  findRegistration,
  findSession,
  giveFeedback,
  habilitationProposals,
  issueCertificates,
  myRegistrations,
  normaliseCode,
  openCheckin,
  organiserCollectivites,
  organises,
  organisesAny,
  recordAttendance,
  register,
  registersForTraining,
  revokeCertificate,
  runs,
  sessionRegistrations,
  sessionsRunBy,
  teamHelpers,
  teamRegistrations,
  trainerChoices,
  typeBySlug,
  typeFeedbackSummary,
  typesFor,
  upcomingSessions,
  verification,
} from './service.ts';
import { figuresByCollectivite, teamStatistics } from './statistics.ts';
import {
  CataloguePage,
  CertificatePage,
  FeedbackPage,
  halfDayLabel,
  ManageSessionPage,
  MyRegistrationsPage,
  NewSessionPage,
  NewTypePage,
  ProblemPage,
  RunListPage,
  SessionPage,
  TeamPage,
  TypePage,
  UnknownCode,
  VerifyForm,
  VerifyResult,
} from './views.tsx';
import { FEEDBACK_THRESHOLD } from './vocabulary.ts';

const HOME: Crumb[] = [{ href: '/formations', label: 'Formations' }];
const MANAGE: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/formations/gestion', label: 'Sessions de formation' },
];

const FLASH: Record<string, string> = {
  inscrit: 'Vous êtes inscrit : la confirmation et le fichier d’agenda sont partis par courriel.',
  attente:
    'La session est complète : vous êtes sur la liste d’attente. Si une place se libère, elle vous sera proposée.',
  equipe_inscrit: 'La personne est inscrite et prévenue par courriel.',
  equipe_attente: 'La session est complète : la personne est sur la liste d’attente.',
  annulee: 'L’inscription est annulée.',
  annulee_offerte:
    'L’inscription est annulée ; la place est proposée à la première personne en liste d’attente.',
  confirmee: 'Votre place est confirmée : vous êtes inscrit.',
  emargement: 'Votre présence est enregistrée.',
  avis: 'Merci pour votre avis.',
  creee: 'La session est créée.',
  type_cree: 'La formation est ajoutée au catalogue.',
  presences: 'Les présences sont enregistrées.',
  capacite: 'La capacité est changée.',
  session_annulee: 'La session est annulée : chaque personne inscrite est prévenue.',
  habilitation: 'L’habilitation aux mandats est accordée.',
  revoquee: 'L’attestation est révoquée.',
  programmes: 'Les programmes de l’équipe sont enregistrés.',
  session_modifiee:
    'La session est modifiée ; les personnes inscrites sont prévenues si les dates ou le lieu ont changé.',
  type_modifie: 'La formation est modifiée.',
};

const flashOf = (request: FastifyRequest<RouteInput>) => {
  const ok = lastValue(request.query.ok);
  if (ok === 'attestations') {
    const n = Math.max(0, Math.trunc(Number(lastValue(request.query.n))) || 0);
    return n === 0
      ? 'Aucune nouvelle attestation : elles sont déjà délivrées, ou personne ne remplit la condition de présence.'
      : `${n} attestation${n > 1 ? 's' : ''} délivrée${n > 1 ? 's' : ''}.`;
  }
  return ok ? FLASH[ok] : undefined;
};

/** Pages that list people are never stored by a browser or a proxy. */
const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/** Probing verification codes is slowed down (a code is 60 bits: guessing one is hopeless anyway). */
const PROBE_LIMIT = { max: 20, timeWindow: '1 minute' };

export function trainingRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const issuerOf = async (collectiviteId: number | null) =>
    collectiviteId === null
      ? 'L’OPSN'
      : ((await collectiviteNames(db)).get(collectiviteId) ?? 'La collectivité');

  // ------------------------------------------------------------------------------ public

  app.get<RouteInput>('/formations', { config: { access: 'public' } }, async (request, reply) =>
    reply.page(
      { title: 'Formations' },
      <CataloguePage types={await catalogue(db)} canManage={organisesAny(request.actor)} />,
    ),
  );

  app.get<RouteInput>(
    '/formations/verifier',
    { config: { access: 'public', rateLimit: PROBE_LIMIT } },
    async (request, reply) => {
      reply.header('x-robots-tag', 'noindex, nofollow').header('cache-control', 'no-store');
      const typed = lastValue(request.query.code);
      if (typed === undefined)
        return reply.page(
          { title: 'Vérifier une attestation de formation' },
          <VerifyForm value="" errors={{}} />,
        );
      const code = normaliseCode(typed);
      if (code) return reply.redirect(`/formations/verifier/${code}`, 303);
      return reply.page(
        { title: 'Vérifier une attestation de formation', status: 400, hasErrors: true },
        <VerifyForm
          value={typed.slice(0, 100)}
          errors={{
            code:
              typed.trim() === ''
                ? 'Saisissez le code imprimé sur l’attestation.'
                : 'Le code compte 12 caractères, lettres et chiffres, par exemple ABCD-EFGH-JKLM : vérifiez-le.',
          }}
        />,
      );
    },
  );

  app.get<RouteInput<'code'>>(
    '/formations/verifier/:code',
    { config: { access: 'public', rateLimit: PROBE_LIMIT } },
    async (request, reply) => {
      reply
        .header('x-robots-tag', 'noindex, nofollow')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer');
      const code = normaliseCode(request.params.code);
      const v = code ? await verification(db, code) : undefined;
      if (!v) return reply.page({ title: 'Attestation inconnue', status: 404 }, <UnknownCode />);
      return reply.page({ title: 'Vérification d’une attestation de formation' }, <VerifyResult v={v} />);
    },
  );

  const sessionPage = async (
    request: FastifyRequest<RouteInput<'session'>>,
    reply: FastifyReply,
    form: { telephone?: string; telephoneError?: string } = {},
  ) => {
    {
      const session = await findSession(db, request.params.session);
      if (!session)
        return reply.page(
          { title: 'Session introuvable', status: 404 },
          <ProblemPage
            title="Session introuvable"
            message="Cette session n’existe pas."
            back={{ href: '/formations', label: 'Voir le catalogue' }}
          />,
        );
      const actor = request.actor;
      const signedIn = isSignedIn(actor);
      const helper = registersForTraining(actor);
      const mine =
        helper && signedIn
          ? await db
              .selectFrom('formation_inscription')
              .select(['id', 'status', 'offer_expires_at'])
              .where('session_id', '=', session.id)
              .where('user_id', '=', actor.userId)
              .where('status', '<>', 'annule')
              .executeTakeFirst()
          : undefined;
      const team = signedIn && organisesAny(actor) ? await teamHelpers(db, actor) : [];
      const visibleTeam = session.intra
        ? team.filter((h) => h.collectivite_id === session.collectivite_id)
        : team;
      if (signedIn) privatePage(reply);
      return reply.page(
        {
          title: `Session : ${session.titre}`,
          breadcrumbs: [...HOME, { href: `/formations/${session.slug}`, label: session.titre }],
          ...(form.telephoneError ? { status: 400, hasErrors: true } : {}),
        },
        <SessionPage
          session={session}
          now={new Date()}
          flash={flashOf(request)}
          viewer={{
            helper,
            mine,
            team: visibleTeam,
            runs: signedIn && runs(actor, session),
            csrf: signedIn ? reply.generateCsrf() : '',
            telephone: form.telephone,
            telephoneError: form.telephoneError,
          }}
        />,
      );
    }
  };

  app.get<RouteInput<'session'>>(
    '/formations/sessions/:session',
    { config: { access: 'public' } },
    (request, reply) => sessionPage(request, reply),
  );

  app.get<RouteInput<'session'>>(
    '/formations/sessions/:session/agenda.ics',
    { config: { access: 'public' } },
    async (request, reply) => {
      const session = await findSession(db, request.params.session);
      if (!session) return reply.status(404).type('text/plain; charset=utf-8').send('Session introuvable.');
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="formation-${session.id}.ics"`)
        .send(sessionCalendar(config, session));
    },
  );

  // ---------------------------------------------------------------------------- learners

  app.post<RouteInput<'session'>>(
    '/formations/sessions/:session/inscription',
    { config: { access: 'helper', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      const typed = (lastValue(request.body?.telephone) ?? '').trim().slice(0, 40);
      const telephone = typed === '' ? undefined : normaliseMobile(typed);
      if (telephone === null)
        return sessionPage(request, reply, {
          telephone: typed,
          telephoneError:
            'Saisissez un numéro de mobile français, par exemple 06 12 34 56 78, ou laissez le champ vide.',
        });
      const done = await register(
        db,
        config,
        helper.actor,
        request.params.session,
        helper.userId,
        new Date(),
        { telephone },
      );
      if (!done.ok) return problem(reply, done, `/formations/sessions/${request.params.session}`);
      return reply.redirect(
        `/formations/sessions/${request.params.session}?ok=${done.value.status === 'inscrit' ? 'inscrit' : 'attente'}`,
        303,
      );
    },
  );

  app.get<RouteInput>(
    '/formations/mes-inscriptions',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const rows = await myRegistrations(db, helper.userId);
      const sessionIds = [...new Set(rows.filter((r) => r.status === 'inscrit').map((r) => r.session_id))];
      const halfDays = new Map<string, { id: string; starts_at: Date; ends_at: Date }[]>();
      if (sessionIds.length)
        for (const h of await db
          .selectFrom('formation_demi_journee')
          .select(['id', 'session_id', 'starts_at', 'ends_at'])
          .where('session_id', 'in', sessionIds)
          .orderBy('starts_at')
          .execute())
          halfDays.set(h.session_id, [...(halfDays.get(h.session_id) ?? []), h]);
      return reply.page(
        { title: 'Mes formations', breadcrumbs: [{ href: '/espace', label: 'Mon espace' }] },
        <MyRegistrationsPage
          rows={rows}
          halfDays={halfDays}
          csrf={reply.generateCsrf()}
          now={new Date()}
          today={parisToday()}
          flash={flashOf(request)}
        />,
      );
    },
  );

  /** A refusal shown on a page of its own, with its status and a way back. */
  const problem = (reply: FastifyReply, p: { status: number; message: string }, back: string) =>
    reply.page(
      { title: 'Action impossible', status: p.status, hasErrors: true, breadcrumbs: HOME },
      <ProblemPage
        title="Action impossible"
        message={p.message}
        back={{ href: back, label: 'Revenir à la page précédente' }}
      />,
    );

  app.post<RouteInput<'inscription'>>(
    '/formations/inscriptions/:inscription/confirmer',
    { config: { access: { helperOf: 'inscription' } } },
    async (request, reply) => {
      const done = await confirmOffer(db, config, signedInActor(request), request.params.inscription);
      if (!done.ok) return problem(reply, done, '/formations/mes-inscriptions');
      return reply.redirect('/formations/mes-inscriptions?ok=confirmee', 303);
    },
  );

  app.post<RouteInput<'inscription'>>(
    '/formations/inscriptions/:inscription/annuler',
    { config: { access: { coordinatorOrHelperOf: 'inscription' } } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await findRegistration(db, request.params.inscription);
      const done = await cancelRegistration(db, config, actor, request.params.inscription);
      const back = r?.user_id === actor.userId ? '/formations/mes-inscriptions' : '/formations/equipe';
      if (!done.ok) return problem(reply, done, back);
      return reply.redirect(`${back}?ok=${done.value.offered ? 'annulee_offerte' : 'annulee'}`, 303);
    },
  );

  app.post<RouteInput<'inscription'>>(
    '/formations/inscriptions/:inscription/emargement',
    { config: { access: { helperOf: 'inscription' }, rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const body = request.body ?? {};
      const halfDay = lastValue(body.demi_journee) ?? '';
      const code = lastValue(body[`code-${halfDay}`]) ?? lastValue(body.code) ?? '';
      const done = await checkIn(db, signedInActor(request), request.params.inscription, halfDay, code);
      if (!done.ok) return problem(reply, done, '/formations/mes-inscriptions');
      return reply.redirect('/formations/mes-inscriptions?ok=emargement', 303);
    },
  );

  const feedbackTitle = async (inscriptionId: string, userId: string) => {
    const r = await findRegistration(db, inscriptionId);
    if (!r || r.user_id !== userId) return undefined;
    return (await findSession(db, r.session_id))?.titre;
  };

  app.get<RouteInput<'inscription'>>(
    '/formations/inscriptions/:inscription/avis',
    { config: { access: { helperOf: 'inscription' } } },
    async (request, reply) => {
      const titre = await feedbackTitle(request.params.inscription, signedInActor(request).userId);
      if (!titre)
        return reply.page(
          { title: 'Inscription introuvable', status: 404 },
          <ProblemPage title="Inscription introuvable" message="Cette inscription n’existe pas." />,
        );
      return reply.page(
        {
          title: 'Votre avis sur la formation',
          breadcrumbs: [{ href: '/formations/mes-inscriptions', label: 'Mes formations' }],
        },
        <FeedbackPage
          titre={titre}
          id={request.params.inscription}
          values={{}}
          errors={{}}
          csrf={reply.generateCsrf()}
        />,
      );
    },
  );

  app.post<RouteInput<'inscription'>>(
    '/formations/inscriptions/:inscription/avis',
    { config: { access: { helperOf: 'inscription' } } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const titre = await feedbackTitle(request.params.inscription, actor.userId);
      if (!titre)
        return reply.page(
          { title: 'Inscription introuvable', status: 404 },
          <ProblemPage title="Inscription introuvable" message="Cette inscription n’existe pas." />,
        );
      const form = parseForm(feedbackFields, request.body);
      if (!form.ok)
        return reply.page(
          { title: 'Votre avis sur la formation', status: 400, hasErrors: true },
          <FeedbackPage
            titre={titre}
            id={request.params.inscription}
            values={textFields(request.body)}
            errors={form.errors}
            csrf={reply.generateCsrf()}
          />,
        );
      const done = await giveFeedback(db, actor, request.params.inscription, form.data);
      if (!done.ok) return problem(reply, done, '/formations/mes-inscriptions');
      return reply.redirect('/formations/mes-inscriptions?ok=avis', 303);
    },
  );

  // -------------------------------------------------------------------------- coordinators

  app.post<RouteInput<'session'>>(
    '/formations/sessions/:session/inscrire',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const person = lastValue(request.body?.personne) ?? '';
      const back = `/formations/sessions/${request.params.session}`;
      if (!isUuid(person))
        return problem(reply, { status: 400, message: 'Choisissez la personne à inscrire.' }, back);
      const done = await register(db, config, actor, request.params.session, person);
      if (!done.ok) return problem(reply, done, back);
      return reply.redirect(
        `${back}?ok=${done.value.status === 'inscrit' ? 'equipe_inscrit' : 'equipe_attente'}`,
        303,
      );
    },
  );

  app.get<RouteInput>('/formations/equipe', { config: { access: 'coordinator' } }, async (request, reply) => {
    const actor = signedInActor(request);
    privatePage(reply);
    const [rows, proposals, stats, figures, names] = await Promise.all([
      teamRegistrations(db, actor),
      habilitationProposals(db, actor),
      teamStatistics(db, actor),
      figuresByCollectivite(db, actor),
      collectiviteNames(db),
    ]);
    return reply.page(
      { title: 'Formations de mon équipe', breadcrumbs: MANAGE },
      <TeamPage
        rows={rows}
        proposals={proposals}
        stats={stats}
        byCollectivite={figures.map((f) => ({ ...f, name: names.get(f.collectiviteId) ?? '' }))}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );
  });

  const programmesPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    error?: { status: number; message: string },
  ) => {
    const actor = signedInActor(request);
    privatePage(reply);
    const team = await teamHelpers(db, actor);
    return reply.page(
      {
        title: 'Programmes de mon équipe',
        breadcrumbs: [...MANAGE, { href: '/formations/equipe', label: 'Formations de mon équipe' }],
        status: error?.status ?? 200,
        hasErrors: error !== undefined,
      },
      <ProgrammesPage
        team={team}
        programmes={
          await teamProgrammes(
            db,
            team.map((h) => h.id),
          )
        }
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        error={error?.message}
      />,
    );
  };

  app.get<RouteInput>(
    '/formations/equipe/programmes',
    { config: { access: 'coordinator' } },
    (request, reply) => programmesPage(request, reply),
  );

  app.post<RouteInput>(
    '/formations/equipe/programmes',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const body = request.body ?? {};
      const chosen = new Map<string, string[]>();
      for (const id of new Set(allValues(body.personnes)))
        chosen.set(id, isUuid(id) ? allValues(body[`programmes-${id}`]) : []);
      const done = await setProgrammes(db, actor, await teamHelpers(db, actor), chosen);
      if (!done.ok) return programmesPage(request, reply, done);
      return reply.redirect('/formations/equipe/programmes?ok=programmes', 303);
    },
  );

  const sessionForm = async (actor: Actor) => {
    const mine = organiserCollectivites(actor);
    const [types, places, trainers] = await Promise.all([
      typesFor(db, actor),
      mine.length ? placesOfCollectivites(db, mine) : Promise.resolve([]),
      trainerChoices(db),
    ]);
    return { types, places, trainers };
  };

  app.get<RouteInput>(
    '/formations/gestion/sessions/nouvelle',
    { config: { access: 'coordinator' } },
    async (request, reply) =>
      reply.page(
        { title: 'Nouvelle session de formation', breadcrumbs: MANAGE },
        <NewSessionPage
          {...(await sessionForm(request.actor))}
          values={{ capacite: '12' }}
          errors={{}}
          csrf={reply.generateCsrf()}
        />,
      ),
  );

  app.post<RouteInput>(
    '/formations/gestion/sessions/nouvelle',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const body = request.body ?? {};
      const values = {
        ...textFields(body),
        formateurs: allValues(body.formateurs),
        intra: allValues(body.intra).includes('oui') ? 'oui' : undefined,
      };
      const again = async (errors: Record<string, string>) =>
        reply.page(
          { title: 'Nouvelle session de formation', breadcrumbs: MANAGE, status: 400, hasErrors: true },
          <NewSessionPage
            {...(await sessionForm(actor))}
            values={values}
            errors={errors}
            csrf={reply.generateCsrf()}
          />,
        );
      const form = parseForm(sessionFields, body);
      const halfDays = halfDaysOf(body);
      if (!halfDays.ok) return again(halfDays.errors);
      if (!form.ok) return again(form.errors);
      if (form.data.lieu_id) {
        const places = await placesOfCollectivites(db, organiserCollectivites(actor));
        if (!places.some((p) => p.id === form.data.lieu_id))
          return again({ lieu_id: 'Choisissez un lieu de la liste.' });
      }
      const place = form.data.lieu_id
        ? (await placesOfCollectivites(db, organiserCollectivites(actor))).find(
            (p) => p.id === form.data.lieu_id,
          )
        : undefined;
      const closes = form.data.closes_at ? parisInstant(form.data.closes_at, 23 * 60 + 59) : undefined;
      const created = await createSession(db, actor, {
        type_id: form.data.type_id,
        halfDays: halfDays.value,
        capacite: form.data.capacite,
        lieu_id: form.data.lieu_id,
        lieu_libelle:
          form.data.lieu_libelle ??
          (place ? `${place.nom}, ${place.code_postal} ${place.commune}` : undefined),
        lien_distance: form.data.lien_distance,
        intra: values.intra === 'oui',
        formateurs: values.formateurs,
        closes_at: closes,
      });
      if (!created.ok) return again(created.errors);
      return reply.redirect(`/formations/gestion/sessions/${created.id}?ok=creee`, 303);
    },
  );

  app.get<RouteInput>(
    '/formations/gestion/catalogue/nouvelle',
    { config: { access: 'coordinator' } },
    async (_request, reply) =>
      reply.page(
        { title: 'Nouvelle formation au catalogue', breadcrumbs: MANAGE },
        <NewTypePage values={{ options: ['certifiante'] }} errors={{}} csrf={reply.generateCsrf()} />,
      ),
  );

  app.post<RouteInput>(
    '/formations/gestion/catalogue/nouvelle',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const body = request.body ?? {};
      const input = typeInputOf(body);
      if (!input.ok)
        return reply.page(
          { title: 'Nouvelle formation au catalogue', breadcrumbs: MANAGE, status: 400, hasErrors: true },
          <NewTypePage
            values={{
              ...textFields(body),
              publics: allValues(body.publics),
              options: allValues(body.options),
            }}
            errors={input.errors}
            csrf={reply.generateCsrf()}
          />,
        );
      const created = await createType(db, signedInActor(request), input.value);
      if (!created.ok) return problem(reply, created, '/formations/gestion');
      return reply.redirect(`/formations/${created.value}?ok=type_cree`, 303);
    },
  );

  const typeValues = (type: NonNullable<Awaited<ReturnType<typeof typeBySlug>>>) => ({
    titre: type.titre,
    objectifs: type.objectifs,
    programme: type.programme,
    duree_heures: String(Math.round((type.duree_minutes / 60) * 100) / 100).replace('.', ','),
    modalite: type.modalite,
    prerequis: type.prerequis ?? undefined,
    prestataire: type.prestataire ?? undefined,
    publics: type.publics,
    options: [...(type.certifiante ? ['certifiante'] : []), ...(type.habilitante ? ['habilitante'] : [])],
  });

  /** The training a catalogue route names, when this person may change it; else a page that says why. */
  const editableType = async (request: FastifyRequest<RouteInput<'type'>>, reply: FastifyReply) => {
    const type = await typeBySlug(db, request.params.type);
    if (!type) {
      await problem(
        reply,
        { status: 404, message: 'Cette formation n’est pas au catalogue.' },
        '/formations',
      );
      return undefined;
    }
    if (!editsType(request.actor, type)) {
      await problem(
        reply,
        {
          status: 403,
          message:
            'Seuls les administrateurs modifient les formations de l’OPSN, et les coordinateurs celles de leur collectivité.',
        },
        `/formations/${type.slug}`,
      );
      return undefined;
    }
    return type;
  };

  app.get<RouteInput<'type'>>(
    '/formations/gestion/catalogue/:type/modifier',
    { config: { access: { coordinatorOf: 'type' } } },
    async (request, reply) => {
      const type = await editableType(request, reply);
      if (!type) return reply;
      return reply.page(
        { title: `Modifier la formation : ${type.titre}`, breadcrumbs: MANAGE },
        <NewTypePage
          values={typeValues(type)}
          errors={{}}
          csrf={reply.generateCsrf()}
          edit={{ slug: type.slug, titre: type.titre }}
        />,
      );
    },
  );

  app.post<RouteInput<'type'>>(
    '/formations/gestion/catalogue/:type/modifier',
    { config: { access: { coordinatorOf: 'type' } } },
    async (request, reply) => {
      const type = await editableType(request, reply);
      if (!type) return reply;
      const body = request.body ?? {};
      const input = typeInputOf(body);
      if (!input.ok)
        return reply.page(
          {
            title: `Modifier la formation : ${type.titre}`,
            breadcrumbs: MANAGE,
            status: 400,
            hasErrors: true,
          },
          <NewTypePage
            values={{
              ...textFields(body),
              publics: allValues(body.publics),
              options: allValues(body.options),
            }}
            errors={input.errors}
            csrf={reply.generateCsrf()}
            edit={{ slug: type.slug, titre: type.titre }}
          />,
        );
      const done = await updateType(db, signedInActor(request), type.slug, input.value);
      if (!done.ok) return problem(reply, done, `/formations/${type.slug}`);
      return reply.redirect(`/formations/${type.slug}?ok=type_modifie`, 303);
    },
  );

  /** The session form's choices for its organiser (the places of the session's collectivité). */
  const editForm = async (session: NonNullable<Awaited<ReturnType<typeof findSession>>>) => {
    const [places, trainers] = await Promise.all([
      session.collectivite_id === null
        ? Promise.resolve([])
        : placesOfCollectivites(db, [session.collectivite_id]),
      trainerChoices(db),
    ]);
    return { types: [], places, trainers };
  };

  /** The session of an organiser's route, or a page that says why not. */
  const organisedSession = async (request: FastifyRequest<RouteInput<'session'>>, reply: FastifyReply) => {
    const session = await runSession(request, reply);
    if (!session) return undefined;
    if (!organises(request.actor, session)) {
      await problem(
        reply,
        { status: 403, message: 'Seuls les organisateurs de la session la modifient.' },
        manageUrl(session.id),
      );
      return undefined;
    }
    return session;
  };

  app.get<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/modifier',
    {
      config: {
        access: { coordinatorOf: 'session' },
        refusal: 'Seuls les organisateurs de la session la modifient.',
      },
    },
    async (request, reply) => {
      const session = await organisedSession(request, reply);
      if (!session) return reply;
      return reply.page(
        {
          title: `Modifier la session : ${session.titre}`,
          breadcrumbs: [...MANAGE, { href: manageUrl(session.id), label: session.titre }],
        },
        <NewSessionPage
          {...(await editForm(session))}
          values={sessionFormValues(session)}
          errors={{}}
          csrf={reply.generateCsrf()}
          edit={{ id: session.id, titre: session.titre }}
        />,
      );
    },
  );

  app.post<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/modifier',
    {
      config: {
        access: { coordinatorOf: 'session' },
        refusal: 'Seuls les organisateurs de la session la modifient.',
      },
    },
    async (request, reply) => {
      const session = await organisedSession(request, reply);
      if (!session) return reply;
      const body = request.body ?? {};
      const values = {
        ...textFields(body),
        formateurs: allValues(body.formateurs),
        intra: allValues(body.intra).includes('oui') ? 'oui' : undefined,
      };
      const again = async (errors: Record<string, string>, status = 400) =>
        reply.page(
          {
            title: `Modifier la session : ${session.titre}`,
            breadcrumbs: [...MANAGE, { href: manageUrl(session.id), label: session.titre }],
            status,
            hasErrors: true,
          },
          <NewSessionPage
            {...(await editForm(session))}
            values={values}
            errors={errors}
            csrf={reply.generateCsrf()}
            edit={{ id: session.id, titre: session.titre }}
          />,
        );
      const form = parseForm(sessionChangeFields, body);
      const halfDays = halfDaysOf(body);
      if (!halfDays.ok) return again(halfDays.errors);
      if (!form.ok) return again(form.errors);
      const places = (await editForm(session)).places;
      const place = form.data.lieu_id ? places.find((p) => p.id === form.data.lieu_id) : undefined;
      if (form.data.lieu_id && !place) return again({ lieu_id: 'Choisissez un lieu de la liste.' });
      const placeLabel = place ? `${place.nom}, ${place.code_postal} ${place.commune}` : undefined;
      const done = await updateSession(db, config, request.actor, session, {
        halfDays: halfDays.value,
        lieu_id: form.data.lieu_id,
        lieu_libelle: form.data.lieu_libelle ?? placeLabel,
        lien_distance: form.data.lien_distance,
        intra: values.intra === 'oui',
        formateurs: values.formateurs,
        closes_at: form.data.closes_at ? parisInstant(form.data.closes_at, 23 * 60 + 59) : undefined,
      });
      if (!done.ok) return again(done.errors, done.status);
      return reply.redirect(manageUrl(session.id, 'session_modifiee'), 303);
    },
  );

  app.post<RouteInput<'attestation'>>(
    '/formations/attestations/:attestation/habiliter',
    { config: { access: { coordinatorOf: 'attestation' } } },
    async (request, reply) => {
      if (!isUuid(request.params.attestation))
        return problem(
          reply,
          { status: 404, message: 'Cette attestation n’existe pas.' },
          '/formations/equipe',
        );
      const done = await grantFromCertificate(db, signedInActor(request), request.params.attestation);
      if (!done.ok) return problem(reply, done, '/formations/equipe');
      return reply.redirect('/formations/equipe?ok=habilitation', 303);
    },
  );

  app.post<RouteInput<'attestation'>>(
    '/formations/attestations/:attestation/revoquer',
    { config: { access: { coordinatorOf: 'attestation' } } },
    async (request, reply) => {
      const back = `/formations/attestations/${request.params.attestation}`;
      // The motif is checked after the access: a stranger learns nothing from the answer.
      const done = await revokeCertificate(
        db,
        signedInActor(request),
        request.params.attestation,
        lastValue(request.body?.motif) ?? '',
      );
      if (!done.ok) return problem(reply, done, back);
      return reply.redirect(`${back}?ok=revoquee`, 303);
    },
  );

  // -------------------------------------------------------------------------- certificates

  app.get<RouteInput<'attestation'>>(
    '/formations/attestations/:attestation',
    { config: { access: { coordinatorOrHelperOf: 'attestation' } } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const c = await certificateFor(db, actor, request.params.attestation);
      if (!c)
        return reply.page(
          { title: 'Attestation introuvable', status: 404 },
          <ProblemPage title="Attestation introuvable" message="Cette attestation n’existe pas." />,
        );
      privatePage(reply);
      const verifyUrl = `${config.publicUrl}/formations/verifier/${c.code}`;
      const { default: QRCode } = await import('qrcode');
      const qrSvg = await QRCode.toString(verifyUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
      return reply.page(
        { title: 'Attestation de formation' },
        <CertificatePage
          c={c}
          issuer={await issuerOf(c.session_collectivite_id)}
          verifyUrl={verifyUrl}
          safeQrSvg={qrSvg}
          mayRevoke={can(actor, 'trainings.manage', { collectiviteId: c.collectivite_id })}
          csrf={reply.generateCsrf()}
          flash={flashOf(request)}
        />,
      );
    },
  );

  app.get<RouteInput<'attestation'>>(
    '/formations/attestations/:attestation/attestation.pdf',
    { config: { access: { coordinatorOrHelperOf: 'attestation' } } },
    async (request, reply) => {
      const c = await certificateFor(db, signedInActor(request), request.params.attestation);
      if (!c) return reply.status(404).type('text/plain; charset=utf-8').send('Attestation introuvable.');
      const pdf = await certificatePdf({
        name: c.name,
        titre: c.titre,
        objectifs: c.objectifs,
        debut: c.debut,
        fin: c.fin,
        minutes: c.minutes_presentes,
        issuer: await issuerOf(c.session_collectivite_id),
        code: c.code,
        verifyUrl: `${config.publicUrl}/formations/verifier/${c.code}`,
        revoked: c.revoked_at !== null,
      });
      return reply
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="attestation-${c.code}.pdf"`)
        .send(pdf);
    },
  );

  // ----------------------------------------------------------------------------- trainers

  app.get<RouteInput>('/formations/gestion', { config: { access: 'signed-in' } }, async (request, reply) => {
    const actor = signedInActor(request);
    return reply.page(
      { title: 'Sessions de formation', breadcrumbs: [{ href: '/espace', label: 'Mon espace' }] },
      <RunListPage rows={await sessionsRunBy(db, actor)} canOrganise={organisesAny(actor)} />,
    );
  });

  /** The session a trainer's route names, or a 404 page. */
  const runSession = async (request: FastifyRequest<RouteInput<'session'>>, reply: FastifyReply) => {
    const session = await findSession(db, request.params.session);
    if (!session) {
      await reply.page(
        { title: 'Session introuvable', status: 404 },
        <ProblemPage title="Session introuvable" message="Cette session n’existe pas." />,
      );
      return undefined;
    }
    if (!runs(request.actor, session)) {
      await problem(
        reply,
        { status: 403, message: 'Seuls les organisateurs et les formateurs de cette session y ont accès.' },
        '/formations/gestion',
      );
      return undefined;
    }
    return session;
  };

  const manageUrl = (id: string, ok?: string) => `/formations/gestion/sessions/${id}${ok ? `?ok=${ok}` : ''}`;

  const managePage = async (
    request: FastifyRequest<RouteInput<'session'>>,
    reply: FastifyReply,
    extra: { status?: number; error?: string; checkin?: { halfDayId: string; code: string } } = {},
  ) => {
    const session = await runSession(request, reply);
    if (!session) return reply;
    const actor = signedInActor(request);
    privatePage(reply);
    const [{ rows, presences }, eligible, feedback, typeFeedback, names] = await Promise.all([
      sessionRegistrations(db, actor, session),
      eligibility(db, session),
      feedbackSummary(db, session.id, FEEDBACK_THRESHOLD),
      typeFeedbackSummary(db, session.type_id, FEEDBACK_THRESHOLD),
      collectiviteNames(db),
    ]);
    const org = organises(actor, session);
    return reply.page(
      {
        title: `Gérer la session : ${session.titre}`,
        breadcrumbs: MANAGE,
        status: extra.status ?? 200,
        hasErrors: extra.error !== undefined,
      },
      <ManageSessionPage
        session={session}
        rows={rows.map((r) => ({
          ...r,
          collectivite: names.get(r.collectivite_id) ?? '',
          // Trainers read the codes; the certificates themselves are for the learner and their coordinators.
          attestation_id: org ? r.attestation_id : null,
        }))}
        presences={new Map(presences.map((p) => [`${p.inscription_id}:${p.demi_journee_id}`, p.present]))}
        eligible={new Set(eligible.filter((e) => e.eligible).map((e) => e.id))}
        organises={org}
        feedback={feedback}
        typeFeedback={typeFeedback}
        csrf={reply.generateCsrf()}
        now={new Date()}
        today={parisToday()}
        checkin={extra.checkin}
        flash={flashOf(request)}
        error={extra.error}
      />,
    );
  };

  app.get<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session',
    { config: { access: { trainerOf: 'session' } } },
    (request, reply) => managePage(request, reply),
  );

  app.post<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/presences',
    { config: { access: { trainerOf: 'session' } } },
    async (request, reply) => {
      const session = await runSession(request, reply);
      if (!session) return reply;
      const body = request.body ?? {};
      const source = lastValue(body.source) === 'feuille' ? 'feuille' : 'ecran';
      const done = await recordAttendance(
        db,
        request.actor,
        session,
        lastValue(body.demi_journee) ?? '',
        allValues(body.presents),
        source,
      );
      if (!done.ok) return managePage(request, reply, { status: done.status, error: done.message });
      return reply.redirect(manageUrl(session.id, 'presences'), 303);
    },
  );

  app.post<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/code',
    { config: { access: { trainerOf: 'session' } } },
    async (request, reply) => {
      const session = await runSession(request, reply);
      if (!session) return reply;
      const halfDayId = lastValue(request.body?.demi_journee) ?? '';
      const done = await openCheckin(db, request.actor, session, halfDayId);
      if (!done.ok) return managePage(request, reply, { status: done.status, error: done.message });
      return managePage(request, reply, { checkin: { halfDayId, code: done.value } });
    },
  );

  app.post<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/attestations',
    { config: { access: { trainerOf: 'session' } } },
    async (request, reply) => {
      const session = await runSession(request, reply);
      if (!session) return reply;
      const only = lastValue(request.body?.inscription);
      const done = await issueCertificates(db, request.actor, session, only);
      if (!done.ok) return managePage(request, reply, { status: done.status, error: done.message });
      return reply.redirect(`${manageUrl(session.id, 'attestations')}&n=${done.value}`, 303);
    },
  );

  app.post<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/capacite',
    { config: { access: { trainerOf: 'session' } } },
    async (request, reply) => {
      const session = await runSession(request, reply);
      if (!session) return reply;
      const parsed = capacityField.safeParse(request.body?.capacite);
      if (!parsed.success)
        return managePage(request, reply, {
          status: 400,
          error: parsed.error.issues[0]?.message ?? 'Saisissez le nombre de places.',
        });
      if (!organises(request.actor, session))
        return managePage(request, reply, {
          status: 403,
          error: 'Seuls les organisateurs de la session changent sa capacité.',
        });
      const done = await changeCapacity(db, config, request.actor, session.id, parsed.data);
      if (!done.ok) return managePage(request, reply, { status: done.status, error: done.message });
      return reply.redirect(manageUrl(session.id, 'capacite'), 303);
    },
  );

  app.post<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/annuler',
    { config: { access: { trainerOf: 'session' } } },
    async (request, reply) => {
      const session = await runSession(request, reply);
      if (!session) return reply;
      const form = parseForm(motifField, request.body);
      if (!form.ok)
        return managePage(request, reply, {
          status: 400,
          error: 'Saisissez le motif de l’annulation : il est envoyé aux inscrits.',
        });
      const done = await cancelSession(db, config, request.actor, session.id, form.data.motif);
      if (!done.ok) return managePage(request, reply, { status: done.status, error: done.message });
      return reply.redirect(manageUrl(session.id, 'session_annulee'), 303);
    },
  );

  app.get<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/feuille.pdf',
    { config: { access: { trainerOf: 'session' } } },
    async (request, reply) => {
      const session = await runSession(request, reply);
      if (!session) return reply;
      const index = session.halfDays.findIndex((h) => h.id === lastValue(request.query.demi_journee));
      const half = session.halfDays[index];
      if (!half)
        return problem(
          reply,
          { status: 400, message: 'Choisissez une demi-journée de cette session.' },
          manageUrl(session.id),
        );
      const { rows } = await sessionRegistrations(db, request.actor, session);
      await audit(db, {
        actor: request.actor,
        action: 'training_session.sheet',
        collectiviteId: session.collectivite_id,
        subject: { type: 'formation_demi_journee', id: half.id },
      });
      const pdf = await signInSheetPdf({
        titre: session.titre,
        halfDay: half,
        index: index + 1,
        count: session.halfDays.length,
        where: [session.lieu_libelle, session.lien_distance].filter(Boolean).join(' · '),
        trainers: session.trainers.map((t) => t.name),
        learners: rows.filter((r) => r.status === 'inscrit').map((r) => r.name),
      });
      return reply
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="emargement-${parisToday(half.starts_at)}.pdf"`)
        .send(pdf);
    },
  );

  app.get<RouteInput<'session'>>(
    '/formations/gestion/sessions/:session/inscrits.csv',
    { config: { access: { trainerOf: 'session' } } },
    async (request, reply) => {
      const session = await runSession(request, reply);
      if (!session) return reply;
      const [{ rows, presences }, names] = await Promise.all([
        sessionRegistrations(db, request.actor, session),
        collectiviteNames(db),
      ]);
      await audit(db, {
        actor: request.actor,
        action: 'training_session.export',
        collectiviteId: session.collectivite_id,
        subject: { type: 'formation_session', id: session.id },
        details: { lignes: rows.length },
      });
      const present = new Map(presences.map((p) => [`${p.inscription_id}:${p.demi_journee_id}`, p.present]));
      const header = [
        'nom',
        'courriel',
        'collectivite',
        'etat',
        'inscrit_le',
        ...session.halfDays.map((h, i) => `presence_${i + 1} (${halfDayLabel(h)})`),
        'attestation',
      ];
      const body = rows.map((r) => [
        r.name,
        r.email,
        names.get(r.collectivite_id) ?? '',
        r.status,
        parisToday(r.created_at),
        ...session.halfDays.map((h) => {
          const p = present.get(`${r.id}:${h.id}`);
          return p === undefined ? '' : p ? 'present' : 'absent';
        }),
        r.code ?? '',
      ]);
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="inscrits-${session.id}.csv"`)
        .send(`\ufeff${csvText([header, ...body])}`);
    },
  );

  // The public page of a training, last: its slug must not shadow the pages above.
  app.get<RouteInput<'type'>>(
    '/formations/:type',
    { config: { access: 'public' } },
    async (request, reply) => {
      const type = await typeBySlug(db, request.params.type);
      if (!type)
        return reply.page(
          { title: 'Formation introuvable', status: 404 },
          <ProblemPage
            title="Formation introuvable"
            message="Cette formation n’est pas au catalogue."
            back={{ href: '/formations', label: 'Voir le catalogue' }}
          />,
        );
      const names = await collectiviteNames(db);
      const sessions = (await upcomingSessions(db, type.id)).map((s) => ({
        ...s,
        organisateur: s.collectivite_id === null ? null : (names.get(s.collectivite_id) ?? null),
      }));
      return reply.page(
        { title: type.titre, breadcrumbs: HOME },
        <TypePage
          type={type}
          sessions={sessions}
          now={new Date()}
          canEdit={editsType(request.actor, type)}
          flash={flashOf(request)}
          resources={await resourcesAbout(db, request.actor, `${type.titre} ${type.objectifs}`)}
        />,
      );
    },
  );
}
