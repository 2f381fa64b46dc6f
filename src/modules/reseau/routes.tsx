import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvText } from '../../platform/csv.ts';
import { allValues, lastValue, parseForm, type RouteInput, textFields } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { parisWallClock } from '../../platform/paris-time.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { displayName, getOpsn, listCollectivites } from '../territoires/index.ts';
import {
  addDecision,
  cancelEvent,
  committee,
  committeeFields,
  committees,
  createCommittee,
  createEvent,
  decisionTextFields,
  eventDetail,
  eventFields,
  minutesFields,
  networkFeed,
  networkFeedUrl,
  otherDates,
  publicEvent,
  publicEvents,
  publicFeed,
  recordMinutes,
  register,
  registrationFields,
  resetNetworkFeed,
  upcomingEvents,
  updateCommittee,
  updateEvent,
} from './agenda.ts';
import { governanceRoutes } from './governance-routes.tsx';
import {
  addContact,
  addMember,
  applicationFields,
  applyToNetwork,
  contactFields,
  currentMembers,
  decideApplication,
  decisionFields,
  listMembers,
  memberCounts,
  memberDetail,
  membersExport,
  placeAsStructure,
  publicMembers,
  searchDirectory,
  structureFields,
  updateMember,
  withdrawalFields,
  withdrawMember,
} from './members.ts';
import {
  atomFeed,
  checkUnsubscribe,
  latestNews,
  newsFields,
  publicNews,
  publishNews,
  unsubscribe,
} from './news.ts';
import {
  actionChoices,
  actionFields,
  actionOf,
  createAction,
  createRoadmap,
  roadmapChoices,
  roadmapFields,
  roadmapOf,
  roadmapsWithProgress,
  setActionStatus,
  statusFields,
  updateAction,
  updateRoadmap,
} from './roadmap.ts';
import { documentsOf } from './roadmap-documents.ts';
import { roadmapFinanceRoutes } from './roadmap-routes.tsx';
import {
  AdminEventPage,
  AdminHomePage,
  AdminNewsPage,
  AdminRoadmapPage,
  AgendaPage,
  ApplicationPage,
  ApplicationSentPage,
  CommitteesPage,
  EditActionPage,
  EditCommitteePage,
  EditMemberPage,
  EditRoadmapPage,
  MemberPage,
  MembersPage,
  NetworkHomePage,
  NewContactPage,
  NewEventPage,
  NewMemberPage,
  NewsPage,
  PublicEventPage,
  PublicMembersPage,
  PublicRoadmapPage,
  UnsubscribePage,
} from './views.tsx';
import { MEMBER_STATUSES, type MemberStatus } from './vocabulary.ts';

const PUBLIC: Crumb[] = [{ href: '/reseau', label: 'Réseau' }];
const ADMIN: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/admin/reseau', label: 'Réseau' },
];

/** An administration page with a form: 400 when the form came back with errors. */
const adminFormPage = (reply: FastifyReply, title: string, errors: FieldErrors, body: JSX.Element) =>
  reply.page(
    {
      title,
      breadcrumbs: ADMIN,
      status: Object.keys(errors).length ? 400 : 200,
      hasErrors: Object.keys(errors).length > 0,
    },
    body,
  );

const FLASH: Record<string, string> = {
  acceptee: 'La candidature est acceptée : ses contacts sont prévenus par courriel.',
  refusee: 'La candidature est refusée : ses contacts sont prévenus par courriel.',
  retire: 'La structure est retirée du réseau : ses contacts sont prévenus.',
  ajoute: 'La structure est ajoutée au réseau.',
  modifie: 'La structure est modifiée.',
  contact: 'Le contact est ajouté.',
  comite: 'Le comité est créé.',
  comite_modifie: 'Le comité est modifié.',
  evenement_modifie: 'L’événement est modifié : invités et inscrits sont prévenus.',
  feuille_modifiee: 'La feuille de route est modifiée.',
  action_modifiee: 'L’action est modifiée.',
  evenement: 'L’événement est créé et les invitations sont parties.',
  compte_rendu: 'Le compte rendu et les présences sont enregistrés.',
  decision: 'La décision est enregistrée.',
  annule: 'L’événement est annulé : invités et inscrits sont prévenus.',
  deja_annule: 'Cet événement était déjà annulé.',
  feuille: 'La feuille de route est créée.',
  action: 'L’action est ajoutée à la feuille de route.',
  statut: 'Le statut de l’action est changé.',
  actualite: 'L’actualité est publiée et envoyée aux membres.',
  lien: 'Le lien du calendrier est renouvelé : l’ancien ne fonctionne plus.',
  inscrit: 'Votre inscription est enregistrée : un courriel de confirmation est parti.',
};
const flashOf = (request: FastifyRequest<RouteInput>) => {
  const ok = lastValue(request.query.ok);
  return ok ? FLASH[ok] : undefined;
};

const pageNumber = (raw: unknown) => Math.max(1, Math.min(10_000, Math.trunc(Number(raw)) || 1));

/** Pages showing contacts are never stored by a browser or a proxy. */
const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

const FORM_LIMIT = { max: 10, timeWindow: '1 minute' };

const REGISTRATION_ERRORS: Record<string, string> = {
  full: 'Il n’y a plus de place pour cet événement.',
  closed: 'Les inscriptions à cet événement sont closes.',
  already: 'Cette adresse est déjà inscrite à cet événement.',
  no_registration: 'Cet événement ne prend pas d’inscription en ligne.',
};

export function reseauRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, config, agendaSources } = ctx;
  governanceRoutes(app, ctx);
  const collectiviteNames = async () =>
    new Map((await listCollectivites(db)).map((c) => [c.id, displayName(c)] as [number, string]));

  // ------------------------------------------------------------------ public

  app.get('/reseau', { config: { access: 'public' } }, async (_request, reply) => {
    const [opsn, events, news, members] = await Promise.all([
      getOpsn(db),
      publicEvents(db),
      publicNews(db, 3),
      publicMembers(db),
    ]);
    return reply.page(
      {
        title: 'Réseau territorial',
        alternates: [
          { type: 'application/atom+xml', href: '/reseau/actualites.atom', title: 'Actualités du réseau' },
        ],
      },
      <NetworkHomePage
        opsn={opsn ? opsn.name : 'L’OPSN'}
        events={events}
        news={news}
        members={members.length}
      />,
    );
  });

  app.get('/reseau/adhesion', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page(
      { title: 'Rejoindre le réseau', breadcrumbs: PUBLIC },
      <ApplicationPage values={{}} errors={{}} csrf={reply.generateCsrf()} />,
    ),
  );

  app.post<RouteInput>(
    '/reseau/adhesion',
    { config: { access: 'public', rateLimit: FORM_LIMIT } },
    async (request, reply) => {
      const body = request.body ?? {};
      const values = textFields(body);
      const again = (errors: FieldErrors) =>
        reply.page(
          { title: 'Rejoindre le réseau', breadcrumbs: PUBLIC, status: 400, hasErrors: true },
          <ApplicationPage
            values={values}
            lists={{ roles: allValues(body.roles) }}
            errors={errors}
            csrf={reply.generateCsrf()}
          />,
        );
      const form = parseForm(applicationFields, body);
      if (!form.ok) return again(form.errors);
      const done = await applyToNetwork(db, form.data, request.ip);
      if (!done.ok) return again(done.errors);
      return reply.redirect('/reseau/adhesion/envoyee', 303);
    },
  );

  app.get('/reseau/adhesion/envoyee', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page({ title: 'Candidature envoyée', breadcrumbs: PUBLIC }, <ApplicationSentPage />),
  );

  app.get('/reseau/membres', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page(
      { title: 'Les membres du réseau', breadcrumbs: PUBLIC },
      <PublicMembersPage members={await publicMembers(db)} />,
    ),
  );

  app.get('/reseau/feuille-de-route', { config: { access: 'public' } }, async (_request, reply) => {
    const [roadmaps, names] = await Promise.all([
      roadmapsWithProgress(db, undefined, { publicOnly: true }),
      collectiviteNames(),
    ]);
    const documents = await documentsOf(
      db,
      roadmaps.map((r) => r.id),
    );
    return reply.page(
      { title: 'Feuille de route du réseau', breadcrumbs: PUBLIC },
      <PublicRoadmapPage roadmaps={roadmaps} collectivites={names} documents={documents} />,
    );
  });

  app.get('/reseau/agenda', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page(
      {
        title: 'Agenda du réseau',
        breadcrumbs: PUBLIC,
        alternates: [{ type: 'text/calendar', href: '/reseau/agenda.ics', title: 'Agenda public du réseau' }],
      },
      <AgendaPage events={await publicEvents(db)} others={await otherDates({ db, config }, agendaSources)} />,
    ),
  );

  app.get('/reseau/agenda.ics', { config: { access: 'public' } }, async (_request, reply) =>
    reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', 'inline; filename="agenda-reseau.ics"')
      .send(await publicFeed(db, config, await otherDates({ db, config }, agendaSources))),
  );

  const eventPage = async (
    reply: FastifyReply,
    id: string,
    extra: {
      values?: Record<string, string>;
      errors?: FieldErrors;
      flash?: string | undefined;
      problem?: string | undefined;
      status?: number;
    } = {},
  ) => {
    const found = await publicEvent(db, id);
    if (!found)
      return reply.status(404).page(
        { title: 'Événement introuvable', breadcrumbs: PUBLIC, status: 404 },
        <>
          <h1>Événement introuvable</h1>
          <p>
            Cet événement n’existe pas ou n’est pas public. <a href="/reseau/agenda">Voir l’agenda</a>.
          </p>
        </>,
      );
    const errors = extra.errors ?? {};
    return reply.page(
      {
        title: found.event.titre,
        breadcrumbs: [...PUBLIC, { href: '/reseau/agenda', label: 'Agenda' }],
        status: extra.status ?? 200,
        hasErrors: Object.keys(errors).length > 0 || extra.problem !== undefined,
      },
      <PublicEventPage
        event={found.event}
        registered={found.registered}
        values={extra.values ?? {}}
        errors={errors}
        flash={extra.flash}
        problem={extra.problem}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'evenement'>>(
    '/reseau/agenda/:evenement',
    { config: { access: 'public' } },
    async (request, reply) => eventPage(reply, request.params.evenement, { flash: flashOf(request) }),
  );

  app.post<RouteInput<'evenement'>>(
    '/reseau/agenda/:evenement/inscription',
    { config: { access: 'public', rateLimit: FORM_LIMIT } },
    async (request, reply) => {
      const id = request.params.evenement;
      const values = textFields(request.body);
      const form = parseForm(registrationFields, request.body);
      if (!form.ok) return eventPage(reply, id, { values, errors: form.errors, status: 400 });
      const result = await register(db, config, id, form.data, request.ip);
      if (result === 'ok') return reply.redirect(`/reseau/agenda/${id}?ok=inscrit`, 303);
      if (result === 'not_found') return eventPage(reply, id);
      return eventPage(reply, id, {
        values,
        problem: REGISTRATION_ERRORS[result],
        status: 409,
      });
    },
  );

  app.get<RouteInput<'flux'>>(
    '/reseau/calendrier/:flux',
    { config: { access: 'public' } },
    async (request, reply) => {
      const feed = await networkFeed(db, config, request.params.flux);
      if (!feed)
        return reply
          .status(404)
          .type('text/plain; charset=utf-8')
          .send(
            'Ce lien de calendrier n’est plus valable : il a été renouvelé ou modifié. Demandez le nouveau lien à la coordination du réseau.\n',
          );
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'no-store').send(feed);
    },
  );

  app.get('/reseau/actualites', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page(
      {
        title: 'Actualités du réseau',
        breadcrumbs: PUBLIC,
        alternates: [
          { type: 'application/atom+xml', href: '/reseau/actualites.atom', title: 'Actualités du réseau' },
        ],
      },
      <NewsPage news={await publicNews(db)} />,
    ),
  );

  app.get('/reseau/actualites.atom', { config: { access: 'public' } }, async (_request, reply) => {
    const opsn = await getOpsn(db);
    return reply
      .type('application/atom+xml; charset=utf-8')
      .send(atomFeed(config, await publicNews(db), `Actualités du réseau${opsn ? ` — ${opsn.name}` : ''}`));
  });

  const unsubscribePath = (contact: string, signature: string) =>
    `/reseau/desabonnement/${contact}/${signature}`;

  app.get<RouteInput<'contact' | 'signature'>>(
    '/reseau/desabonnement/:contact/:signature',
    { config: { access: 'public' } },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const { contact, signature } = request.params;
      const check = await checkUnsubscribe(db, contact, signature);
      if (!check.ok)
        return reply.page(
          { title: 'Lien de désabonnement non valable', status: 404 },
          <UnsubscribePage state="invalid" />,
        );
      if (check.already) return reply.page({ title: 'Désabonnement' }, <UnsubscribePage state="done" />);
      return reply.page(
        { title: 'Désabonnement' },
        <UnsubscribePage
          state="confirm"
          action={unsubscribePath(contact, signature)}
          csrf={reply.generateCsrf()}
          frequency={{ action: `${unsubscribePath(contact, signature)}/frequence`, current: check.frequence }}
        />,
      );
    },
  );

  app.post<RouteInput<'contact' | 'signature'>>(
    '/reseau/desabonnement/:contact/:signature',
    { config: { access: 'public', rateLimit: FORM_LIMIT } },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const ok = await unsubscribe(db, request.params.contact, request.params.signature, request.ip);
      if (!ok)
        return reply.page(
          { title: 'Lien de désabonnement non valable', status: 404 },
          <UnsubscribePage state="invalid" />,
        );
      return reply.page({ title: 'Désabonnement' }, <UnsubscribePage state="done" />);
    },
  );

  // ------------------------------------------------------------------ coordination (OPSN)

  app.get<RouteInput>('/admin/reseau', { config: { access: 'admin' } }, async (request, reply) => {
    const [counts, events, news, feedUrl] = await Promise.all([
      memberCounts(db),
      upcomingEvents(db),
      latestNews(db, 5),
      networkFeedUrl(db, config, request.actor),
    ]);
    privatePage(reply);
    return reply.page(
      { title: 'Animer le réseau', breadcrumbs: [ADMIN[0] as Crumb] },
      <AdminHomePage
        counts={counts}
        events={events}
        news={news}
        feedUrl={feedUrl}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );
  });

  app.post('/admin/reseau/calendrier/renouveler', { config: { access: 'admin' } }, async (request, reply) => {
    await resetNetworkFeed(db, request.actor);
    return reply.redirect('/admin/reseau?ok=lien', 303);
  });

  app.get<RouteInput>('/admin/reseau/membres', { config: { access: 'admin' } }, async (request, reply) => {
    const raw = lastValue(request.query.statut);
    const status = raw && raw in MEMBER_STATUSES ? (raw as MemberStatus) : undefined;
    const page = pageNumber(request.query.page);
    const [list, counts] = await Promise.all([
      listMembers(db, request.actor, { status, page }),
      memberCounts(db),
    ]);
    privatePage(reply);
    return reply.page(
      { title: 'Membres du réseau', breadcrumbs: ADMIN },
      <MembersPage rows={list.rows} count={list.count} page={page} status={status} counts={counts} />,
    );
  });

  app.get('/admin/reseau/membres/export.csv', { config: { access: 'admin' } }, async (request, reply) => {
    const rows = await membersExport(db, request.actor);
    privatePage(reply);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="membres-reseau.csv"')
      .send(`\uFEFF${csvText(rows)}`);
  });

  const newMemberPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    form: { values?: Record<string, string>; lists?: Record<string, string[]>; errors?: FieldErrors } = {},
  ) => {
    const q = (lastValue(request.query.q) ?? '').trim().slice(0, 200);
    const hits = q ? await searchDirectory(db, request.actor, q) : undefined;
    let values = form.values ?? {};
    const lieu = lastValue(request.query.lieu);
    if (!form.values && lieu) {
      const place = await placeAsStructure(db, request.actor, lieu);
      if (place) values = { ...place, public: 'oui' };
    }
    const errors = form.errors ?? {};
    return adminFormPage(
      reply,
      'Ajouter une structure au réseau',
      errors,
      <NewMemberPage
        q={q}
        hits={hits}
        values={values}
        lists={form.lists}
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput>('/admin/reseau/membres/nouveau', { config: { access: 'admin' } }, (request, reply) =>
    newMemberPage(request, reply),
  );

  app.post<RouteInput>(
    '/admin/reseau/membres/nouveau',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const again = (errors: FieldErrors) =>
        newMemberPage(request, reply, {
          values: textFields(request.body),
          lists: { roles: allValues(request.body?.roles) },
          errors,
        });
      const form = parseForm(structureFields, request.body);
      if (!form.ok) return again(form.errors);
      const done = await addMember(db, request.actor, form.data);
      if (!done.ok) return again(done.errors);
      return reply.redirect(`/admin/reseau/membres/${done.id}?ok=ajoute`, 303);
    },
  );

  const editMemberPage = async (
    request: FastifyRequest<RouteInput<'membre'>>,
    reply: FastifyReply,
    form: { values?: Record<string, string>; lists?: Record<string, string[]>; errors?: FieldErrors } = {},
  ) => {
    const detail = await memberDetail(db, request.actor, request.params.membre);
    if (!detail) return reply.callNotFound();
    privatePage(reply);
    const m = detail.member;
    const errors = form.errors ?? {};
    return reply.page(
      {
        title: `Modifier ${m.nom}`,
        breadcrumbs: [...ADMIN, { href: `/admin/reseau/membres/${m.id}`, label: m.nom }],
        status: Object.keys(errors).length ? 400 : 200,
        hasErrors: Object.keys(errors).length > 0,
      },
      <EditMemberPage
        id={m.id}
        values={
          form.values ?? {
            nom: m.nom,
            kind: m.kind,
            siret: m.siret ?? '',
            commune: m.commune ?? '',
            presentation: m.presentation ?? '',
            public: m.public ? 'oui' : '',
          }
        }
        lists={form.lists ?? { roles: m.roles }}
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'membre'>>(
    '/admin/reseau/membres/:membre/modifier',
    { config: { access: 'admin' } },
    (request, reply) => editMemberPage(request, reply),
  );

  app.post<RouteInput<'membre'>>(
    '/admin/reseau/membres/:membre/modifier',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const again = (errors: FieldErrors) =>
        editMemberPage(request, reply, {
          values: textFields(request.body),
          lists: { roles: allValues(request.body?.roles) },
          errors,
        });
      const form = parseForm(structureFields, request.body);
      if (!form.ok) return again(form.errors);
      const done = await updateMember(db, request.actor, request.params.membre, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return again(done);
      return reply.redirect(`/admin/reseau/membres/${request.params.membre}?ok=modifie`, 303);
    },
  );

  const newContactPage = async (
    request: FastifyRequest<RouteInput<'membre'>>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    errors: FieldErrors = {},
  ) => {
    const detail = await memberDetail(db, request.actor, request.params.membre);
    if (!detail) return reply.callNotFound();
    privatePage(reply);
    const m = detail.member;
    return reply.page(
      {
        title: `Ajouter un contact — ${m.nom}`,
        breadcrumbs: [...ADMIN, { href: `/admin/reseau/membres/${m.id}`, label: m.nom }],
        status: Object.keys(errors).length ? 400 : 200,
        hasErrors: Object.keys(errors).length > 0,
      },
      <NewContactPage id={m.id} member={m.nom} values={values} errors={errors} csrf={reply.generateCsrf()} />,
    );
  };

  app.get<RouteInput<'membre'>>(
    '/admin/reseau/membres/:membre/contacts',
    { config: { access: 'admin' } },
    (request, reply) => newContactPage(request, reply),
  );

  app.post<RouteInput<'membre'>>(
    '/admin/reseau/membres/:membre/contacts',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(contactFields, request.body);
      if (!form.ok) return newContactPage(request, reply, values, form.errors);
      const done = await addContact(db, request.actor, request.params.membre, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return newContactPage(request, reply, values, done);
      return reply.redirect(`/admin/reseau/membres/${request.params.membre}?ok=contact`, 303);
    },
  );

  const memberPage = async (
    request: FastifyRequest<RouteInput<'membre'>>,
    reply: FastifyReply,
    extra: {
      values?: Record<string, string>;
      lists?: Record<string, string[]>;
      errors?: FieldErrors;
      status?: number;
    } = {},
  ) => {
    const detail = await memberDetail(db, request.actor, request.params.membre);
    if (!detail) return reply.callNotFound();
    privatePage(reply);
    const errors = extra.errors ?? {};
    return reply.page(
      {
        title: detail.member.nom,
        breadcrumbs: [...ADMIN, { href: '/admin/reseau/membres', label: 'Membres' }],
        status: extra.status ?? 200,
        hasErrors: Object.keys(errors).length > 0,
      },
      <MemberPage
        detail={detail}
        csrf={reply.generateCsrf()}
        values={extra.values ?? {}}
        lists={extra.lists}
        errors={errors}
        flash={flashOf(request)}
      />,
    );
  };

  app.get<RouteInput<'membre'>>(
    '/admin/reseau/membres/:membre',
    { config: { access: 'admin' } },
    (request, reply) => memberPage(request, reply),
  );

  app.post<RouteInput<'membre'>>(
    '/admin/reseau/membres/:membre/decision',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(decisionFields, request.body);
      if (!form.ok)
        return memberPage(request, reply, {
          values,
          lists: { roles: allValues(request.body?.roles) },
          errors: form.errors,
          status: 400,
        });
      const done = await decideApplication(db, config, request.actor, request.params.membre, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done === 'wrong_status')
        return memberPage(request, reply, {
          errors: { decision: 'Cette candidature a déjà reçu une réponse.' },
          status: 409,
        });
      return reply.redirect(
        `/admin/reseau/membres/${request.params.membre}?ok=${form.data.decision === 'accepter' ? 'acceptee' : 'refusee'}`,
        303,
      );
    },
  );

  app.post<RouteInput<'membre'>>(
    '/admin/reseau/membres/:membre/retrait',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const form = parseForm(withdrawalFields, request.body);
      if (!form.ok) return memberPage(request, reply, { errors: form.errors, status: 400 });
      const done = await withdrawMember(db, config, request.actor, request.params.membre, form.data.message);
      if (done === 'not_found') return reply.callNotFound();
      if (done === 'wrong_status')
        return memberPage(request, reply, {
          errors: { message: 'Seul un membre actuel peut être retiré du réseau.' },
          status: 409,
        });
      return reply.redirect(`/admin/reseau/membres/${request.params.membre}?ok=retire`, 303);
    },
  );

  const committeesPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    errors: FieldErrors = {},
  ) =>
    adminFormPage(
      reply,
      'Comités du réseau',
      errors,
      <CommitteesPage
        committees={await committees(db)}
        values={values}
        errors={errors}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );

  app.get<RouteInput>('/admin/reseau/comites', { config: { access: 'admin' } }, (request, reply) =>
    committeesPage(request, reply),
  );

  app.post<RouteInput>('/admin/reseau/comites', { config: { access: 'admin' } }, async (request, reply) => {
    const form = parseForm(committeeFields, request.body);
    if (!form.ok) return committeesPage(request, reply, textFields(request.body), form.errors);
    await createCommittee(db, request.actor, form.data);
    return reply.redirect('/admin/reseau/comites?ok=comite', 303);
  });

  const editCommitteePage = async (
    request: FastifyRequest<RouteInput<'comite'>>,
    reply: FastifyReply,
    values?: Record<string, string>,
    errors: FieldErrors = {},
  ) => {
    const c = await committee(db, request.actor, request.params.comite);
    if (!c) return reply.callNotFound();
    return adminFormPage(
      reply,
      `Modifier ${c.nom}`,
      errors,
      <EditCommitteePage
        id={c.id}
        values={values ?? { nom: c.nom, type: c.type, frequence: c.frequence }}
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'comite'>>(
    '/admin/reseau/comites/:comite/modifier',
    { config: { access: 'admin' } },
    (request, reply) => editCommitteePage(request, reply),
  );

  app.post<RouteInput<'comite'>>(
    '/admin/reseau/comites/:comite/modifier',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const form = parseForm(committeeFields, request.body);
      if (!form.ok) return editCommitteePage(request, reply, textFields(request.body), form.errors);
      if (!(await updateCommittee(db, request.actor, request.params.comite, form.data)))
        return reply.callNotFound();
      return reply.redirect('/admin/reseau/comites?ok=comite_modifie', 303);
    },
  );

  const newEventPage = async (
    reply: FastifyReply,
    values: Record<string, string>,
    errors: FieldErrors = {},
    invites: string[] = [],
  ) => {
    const [list, members] = await Promise.all([committees(db), currentMembers(db)]);
    return adminFormPage(
      reply,
      'Créer un événement',
      errors,
      <NewEventPage
        committees={list}
        members={members.map((m) => ({ value: m.id, label: m.nom }))}
        values={values}
        lists={{ invites }}
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput>('/admin/reseau/evenements/nouveau', { config: { access: 'admin' } }, (request, reply) =>
    newEventPage(reply, { kind: lastValue(request.query.type) ?? '', audience: 'invites' }),
  );

  app.post<RouteInput>(
    '/admin/reseau/evenements/nouveau',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const invites = allValues(request.body?.invites);
      const form = parseForm(eventFields, request.body);
      if (!form.ok) return newEventPage(reply, values, form.errors, invites);
      const created = await createEvent(db, config, request.actor, form.data);
      if (!created.ok) return newEventPage(reply, values, created.errors, invites);
      return reply.redirect(`/admin/reseau/evenements/${created.id}?ok=evenement`, 303);
    },
  );

  const editEventPage = async (
    request: FastifyRequest<RouteInput<'evenement'>>,
    reply: FastifyReply,
    form?: { values: Record<string, string>; invites: string[]; errors: FieldErrors },
  ) => {
    const detail = await eventDetail(db, request.actor, request.params.evenement);
    if (!detail) return reply.callNotFound();
    privatePage(reply);
    const e = detail.event;
    const [list, members] = await Promise.all([committees(db), currentMembers(db)]);
    const wall = (d: Date) => {
      const w = parisWallClock(d);
      const two = (n: number) => String(n).padStart(2, '0');
      return { day: `${w.year}-${two(w.month)}-${two(w.day)}`, time: `${two(w.hour)}:${two(w.minute)}` };
    };
    const start = wall(e.starts_at);
    const end = wall(e.ends_at);
    const values = form?.values ?? {
      kind: e.kind,
      comite: e.comite_id ?? '',
      titre: e.titre,
      description: e.description ?? '',
      date: start.day,
      heure_debut: start.time,
      date_fin: end.day === start.day ? '' : end.day,
      heure_fin: end.time,
      lieu: e.lieu ?? '',
      lien: e.lien ?? '',
      audience: e.audience,
      capacite: e.capacite === null ? '' : String(e.capacite),
      ordre_du_jour: e.ordre_du_jour ?? '',
    };
    const invited = detail.invitations.map((i) => i.membre_id);
    // Members invited earlier stay listed even when they left the network since.
    const choices = [
      ...members.map((m) => ({ value: m.id, label: m.nom })),
      ...detail.invitations
        .filter((i) => !members.some((m) => m.id === i.membre_id))
        .map((i) => ({ value: i.membre_id, label: i.nom })),
    ];
    const errors = form?.errors ?? {};
    return adminFormPage(
      reply,
      `Modifier ${e.titre}`,
      errors,
      <NewEventPage
        editId={e.id}
        committees={list}
        members={choices}
        values={values}
        lists={{ invites: form?.invites ?? invited }}
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/modifier',
    { config: { access: 'admin' } },
    (request, reply) => editEventPage(request, reply),
  );

  app.post<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/modifier',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const invites = allValues(request.body?.invites);
      const form = parseForm(eventFields, request.body);
      if (!form.ok) return editEventPage(request, reply, { values, invites, errors: form.errors });
      const done = await updateEvent(db, config, request.actor, request.params.evenement, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done === 'cancelled')
        return reply.redirect(`/admin/reseau/evenements/${request.params.evenement}?ok=deja_annule`, 303);
      if (!done.ok) return editEventPage(request, reply, { values, invites, errors: done.errors });
      return reply.redirect(`/admin/reseau/evenements/${request.params.evenement}?ok=evenement_modifie`, 303);
    },
  );

  const adminEventPage = async (
    request: FastifyRequest<RouteInput<'evenement'>>,
    reply: FastifyReply,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const detail = await eventDetail(db, request.actor, request.params.evenement);
    if (!detail) return reply.callNotFound();
    privatePage(reply);
    const actions = await actionChoices(db);
    return reply.page(
      { title: detail.event.titre, breadcrumbs: ADMIN, status, hasErrors: Object.keys(errors).length > 0 },
      <AdminEventPage
        detail={detail}
        actions={actions.map((a) => ({ value: a.id, label: a.titre }))}
        csrf={reply.generateCsrf()}
        errors={errors}
        flash={flashOf(request)}
      />,
    );
  };

  app.get<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement',
    { config: { access: 'admin' } },
    (request, reply) => adminEventPage(request, reply),
  );

  app.post<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/compte-rendu',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const form = parseForm(minutesFields, request.body);
      if (!form.ok) return adminEventPage(request, reply, form.errors, 400);
      if (!(await recordMinutes(db, request.actor, request.params.evenement, form.data)))
        return reply.callNotFound();
      return reply.redirect(`/admin/reseau/evenements/${request.params.evenement}?ok=compte_rendu`, 303);
    },
  );

  app.post<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/decisions',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const form = parseForm(decisionTextFields, request.body);
      if (!form.ok) return adminEventPage(request, reply, form.errors, 400);
      const done = await addDecision(db, request.actor, request.params.evenement, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return adminEventPage(request, reply, done, 400);
      return reply.redirect(`/admin/reseau/evenements/${request.params.evenement}?ok=decision`, 303);
    },
  );

  app.post<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/annulation',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const done = await cancelEvent(db, config, request.actor, request.params.evenement);
      if (done === 'not_found') return reply.callNotFound();
      return reply.redirect(
        `/admin/reseau/evenements/${request.params.evenement}?ok=${done === 'ok' ? 'annule' : 'deja_annule'}`,
        303,
      );
    },
  );

  const adminRoadmapPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    errors: FieldErrors = {},
    lists: Record<string, string[]> = {},
  ) => {
    const [roadmaps, members, names] = await Promise.all([
      roadmapsWithProgress(db),
      currentMembers(db),
      collectiviteNames(),
    ]);
    return adminFormPage(
      reply,
      'Feuille de route',
      errors,
      <AdminRoadmapPage
        roadmaps={roadmaps}
        members={members.map((m) => ({ value: m.id, label: m.nom }))}
        collectivites={names}
        values={values}
        lists={lists}
        errors={errors}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );
  };

  app.get<RouteInput>('/admin/reseau/feuille-de-route', { config: { access: 'admin' } }, (request, reply) =>
    adminRoadmapPage(request, reply, { indicateur: 'activites' }),
  );

  app.post<RouteInput>(
    '/admin/reseau/feuilles-de-route',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(roadmapFields, request.body);
      if (!form.ok) return adminRoadmapPage(request, reply, values, form.errors);
      const done = await createRoadmap(db, request.actor, form.data);
      if (!done.ok) return adminRoadmapPage(request, reply, values, done.errors);
      return reply.redirect('/admin/reseau/feuille-de-route?ok=feuille', 303);
    },
  );

  app.post<RouteInput>('/admin/reseau/actions', { config: { access: 'admin' } }, async (request, reply) => {
    const values = textFields(request.body);
    const lists = { besoins: allValues(request.body?.besoins) };
    const form = parseForm(actionFields, request.body);
    if (!form.ok) return adminRoadmapPage(request, reply, values, form.errors, lists);
    const done = await createAction(db, request.actor, form.data, [...(await collectiviteNames()).keys()]);
    if (!done.ok) return adminRoadmapPage(request, reply, values, done.errors, lists);
    return reply.redirect('/admin/reseau/feuille-de-route?ok=action', 303);
  });

  app.post<RouteInput<'action'>>(
    '/admin/reseau/actions/:action/statut',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const form = parseForm(statusFields, request.body);
      if (!form.ok) return adminRoadmapPage(request, reply, {}, form.errors);
      if (!(await setActionStatus(db, request.actor, request.params.action, form.data.statut)))
        return reply.callNotFound();
      return reply.redirect('/admin/reseau/feuille-de-route?ok=statut', 303);
    },
  );

  const editRoadmapPage = async (
    request: FastifyRequest<RouteInput<'feuille'>>,
    reply: FastifyReply,
    values?: Record<string, string>,
    errors: FieldErrors = {},
  ) => {
    const r = await roadmapOf(db, request.actor, request.params.feuille);
    if (!r) return reply.callNotFound();
    const members = await currentMembers(db);
    return adminFormPage(
      reply,
      `Modifier ${r.nom}`,
      errors,
      <EditRoadmapPage
        id={r.id}
        members={members.map((m) => ({ value: m.id, label: m.nom }))}
        values={
          values ?? {
            nom: r.nom,
            porteur: r.porteur_id ?? '',
            perimetre: r.perimetre,
            contexte: r.contexte ?? '',
            visibilite: r.publique ? 'publique' : 'interne',
          }
        }
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'feuille'>>(
    '/admin/reseau/feuilles-de-route/:feuille/modifier',
    { config: { access: 'admin' } },
    (request, reply) => editRoadmapPage(request, reply),
  );

  app.post<RouteInput<'feuille'>>(
    '/admin/reseau/feuilles-de-route/:feuille/modifier',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(roadmapFields, request.body);
      if (!form.ok) return editRoadmapPage(request, reply, values, form.errors);
      const done = await updateRoadmap(db, request.actor, request.params.feuille, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return editRoadmapPage(request, reply, values, done);
      return reply.redirect('/admin/reseau/feuille-de-route?ok=feuille_modifiee', 303);
    },
  );

  const editActionPage = async (
    request: FastifyRequest<RouteInput<'action'>>,
    reply: FastifyReply,
    form?: { values: Record<string, string>; besoins: string[]; errors: FieldErrors },
  ) => {
    const a = await actionOf(db, request.actor, request.params.action);
    if (!a) return reply.callNotFound();
    const [roadmaps, names] = await Promise.all([roadmapChoices(db), collectiviteNames()]);
    const errors = form?.errors ?? {};
    return adminFormPage(
      reply,
      `Modifier ${a.titre}`,
      errors,
      <EditActionPage
        id={a.id}
        roadmaps={roadmaps}
        collectivites={names}
        values={
          form?.values ?? {
            feuille: a.feuille_route_id,
            titre: a.titre,
            description: a.description ?? '',
            debut: a.debut,
            fin: a.fin,
            budget: a.budget_euros === null ? '' : String(a.budget_euros),
            indicateur: a.indicateur,
            collectivite: a.indicateur_collectivite_id === null ? '' : String(a.indicateur_collectivite_id),
            cible: a.cible === null ? '' : String(a.cible),
          }
        }
        lists={{ besoins: form?.besoins ?? a.besoins }}
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'action'>>(
    '/admin/reseau/actions/:action/modifier',
    { config: { access: 'admin' } },
    (request, reply) => editActionPage(request, reply),
  );

  app.post<RouteInput<'action'>>(
    '/admin/reseau/actions/:action/modifier',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const besoins = allValues(request.body?.besoins);
      const form = parseForm(actionFields, request.body);
      if (!form.ok) return editActionPage(request, reply, { values, besoins, errors: form.errors });
      const done = await updateAction(db, request.actor, request.params.action, form.data, [
        ...(await collectiviteNames()).keys(),
      ]);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return editActionPage(request, reply, { values, besoins, errors: done });
      return reply.redirect('/admin/reseau/feuille-de-route?ok=action_modifiee', 303);
    },
  );

  roadmapFinanceRoutes(app, { db, adminFormPage });

  const adminNewsPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    errors: FieldErrors = {},
  ) =>
    adminFormPage(
      reply,
      'Actualités du réseau',
      errors,
      <AdminNewsPage
        news={await latestNews(db)}
        values={values}
        errors={errors}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );

  app.get<RouteInput>('/admin/reseau/actualites', { config: { access: 'admin' } }, (request, reply) =>
    adminNewsPage(request, reply, { audience: 'public' }),
  );

  app.post<RouteInput>(
    '/admin/reseau/actualites',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const form = parseForm(newsFields, request.body);
      if (!form.ok) return adminNewsPage(request, reply, textFields(request.body), form.errors);
      await publishNews(db, config, request.actor, form.data);
      return reply.redirect('/admin/reseau/actualites?ok=actualite', 303);
    },
  );
}
