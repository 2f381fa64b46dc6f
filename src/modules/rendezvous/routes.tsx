import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { calendarFile } from '../../platform/calendar.ts';
import { csvText } from '../../platform/csv.ts';
import { isUuid, lastValue, parseForm, type RouteInput, textFields } from '../../platform/forms.ts';
import { activeCollectiviteOf } from '../../platform/http/access.ts';
import type { RouteContext } from '../../platform/module.ts';
import { addDays, formatDateTime, isCalendarDay, mondayOf, parisToday } from '../../platform/paris-time.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { findVisibleBeneficiary, personChoiceLabel, recentBeneficiaries } from '../beneficiaires/index.ts';
import { findPublishedPlace, placeSummaries } from '../lieux/index.ts';
import { type Helper, helperPlaces, requireHelper } from '../mediateurs/index.ts';
import { findCollectiviteById } from '../territoires/index.ts';
import {
  confirmReport,
  dismissReport,
  draftReport,
  feedOf,
  hasFeed,
  helperAgenda,
  mayViewPlace,
  ownAppointment,
  placeAgenda,
  resetFeedToken,
  setStatus,
} from './agenda.ts';
import {
  appointmentCalendar,
  type Booking,
  book,
  bookingById,
  bookingOfLink,
  cancelByPerson,
  findFreeSlot,
  moveBooking,
  moveByPerson,
  personFields,
  selfService,
  tellCancelledByService,
  whereText,
} from './booking.ts';
import { formatTime, parseRule } from './calendar.ts';
import { setSmsBudget, smsCounter } from './messages.ts';
import {
  absenceFields,
  absencesOf,
  agentAt,
  bookablePlaces,
  deleteAbsence,
  deleteOpening,
  findReason,
  openingFields,
  openingsOf,
  type Reason,
  reasonFields,
  reasonsOfPlace,
  saveAbsence,
  saveOpening,
  saveReason,
  withdrawReason,
} from './setup.ts';
import { freeSlots } from './slots.ts';
import {
  AbsencesPage,
  AgendaPage,
  AppointmentPage,
  FeedPage,
  LinkProblemPage,
  ManagePage,
  PersonPage,
  PlaceAgendaPage,
  type PlaceLine,
  PlaceReasonsPage,
  PlacesPage,
  SettingsPage,
  SlotsPage,
  SmsBudgetPage,
} from './views.tsx';
import { STATUSES } from './vocabulary.ts';
import { joinWaitlist, leaveWaitlist, waitlistOf } from './waitlist.ts';

const SPACE: Crumb = { href: '/espace', label: 'Mon espace' };
const AGENDA: Crumb[] = [SPACE, { href: '/rendezvous/agenda', label: 'Mon agenda' }];
const PUBLIC: Crumb[] = [{ href: '/rendezvous', label: 'Prendre rendez-vous' }];

const FLASH: Record<string, string> = {
  reserve: 'Votre rendez-vous est confirmé. Un message vous a été envoyé avec ce lien.',
  deplace: 'Votre rendez-vous est déplacé. Un message vous a été envoyé avec le nouveau lien.',
  annule: 'Votre rendez-vous est annulé. Merci d’avoir prévenu.',
  attente: 'C’est noté : nous vous prévenons si un créneau plus tôt se libère.',
  attente_quittee: 'C’est noté : vous ne serez plus prévenu.',
  motif: 'Le motif est enregistré.',
  plage: 'La plage d’ouverture est enregistrée.',
  motif_retire: 'Le motif est retiré : il n’est plus proposé (les rendez-vous pris restent).',
  absence_supprimee: 'L’absence est supprimée : ses créneaux sont de nouveau proposés.',
  plage_supprimee: 'La plage d’ouverture est supprimée.',
  absence: 'L’absence est enregistrée.',
  presence: 'C’est noté.',
  compte_rendu: 'Le compte rendu est enregistré : il compte dans vos statistiques.',
  ecarte: 'Pas de compte rendu pour ce rendez-vous.',
  deplace_service: 'Le rendez-vous est déplacé : la personne a reçu le nouvel horaire et un nouveau lien.',
  agent: 'Le rendez-vous est pris : la personne a reçu la confirmation.',
};
const flashOf = (request: FastifyRequest<RouteInput<never>>) => {
  const ok = lastValue(request.query.ok);
  return ok ? FLASH[ok] : undefined;
};

/** Pages with personal data are never stored by a browser or a proxy, nor their address passed on. */
function privatePage(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
}

const LINK_LIMIT = { max: 60, timeWindow: '1 minute' };
/** Booking floods: per address here; per phone and email in `book`. */
const BOOK_LIMIT = { max: 20, timeWindow: '1 hour' };
/** How many days of free slots a page shows at most. */
const DAYS_SHOWN = 7;

const dayParam = (raw: unknown): string | undefined => {
  const d = lastValue(raw);
  return d && isCalendarDay(d) ? d : undefined;
};

export function rendezvousRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const placeLine = async (id: string): Promise<PlaceLine | undefined> => {
    const place = await findPublishedPlace(db, id);
    return place
      ? { id: place.id, nom: place.nom, commune: place.commune, code_postal: place.code_postal }
      : undefined;
  };

  /** Any place of the directory, published or not (a helper prepares its appointments before). */
  const anyPlaceLine = async (id: string): Promise<PlaceLine | undefined> => {
    const [place] = await placeSummaries(db, [id]);
    return place
      ? { id: place.id, nom: place.nom, commune: place.commune, code_postal: place.code_postal }
      : undefined;
  };

  /** The place and reason of a booking page, and who books (the person, or a helper of the place). */
  const bookingContext = async (request: FastifyRequest<RouteInput<'lieu' | 'motif'>>) => {
    const place = await placeLine(request.params.lieu);
    if (!place) return undefined;
    const agent = await agentAt(db, request.actor, place.id);
    const reason = await findReason(db, request.params.motif);
    if (!reason || reason.lieu_id !== place.id) return undefined;
    if (!agent && reason.reservable_par !== 'tout_le_monde') return undefined;
    return { place, reason, agent };
  };

  /** The first days from `from` that have free slots (at most a week of them), and where the next ones start. */
  const slotsFrom = async (reason: Reason, from: string) => {
    const now = new Date();
    const to = addDays(parisToday(now), reason.delai_max_jours + 1);
    const all = await freeSlots(db, reason, from, to, now);
    const days: string[] = [];
    const shown = all.filter((s) => {
      const day = parisToday(s.start);
      if (!days.includes(day)) days.push(day);
      return days.indexOf(day) < DAYS_SHOWN;
    });
    const nextDay = days[DAYS_SHOWN];
    return { shown, next: nextDay };
  };

  // ---------------------------------------------------------------- public booking

  app.get('/rendezvous', { config: { access: 'public' } }, async (_request, reply) => {
    const rows = await bookablePlaces(db);
    const places = await placeSummaries(
      db,
      rows.map((r) => r.lieu_id),
    );
    const published = (await Promise.all(places.map((p) => placeLine(p.id)))).filter(
      (p): p is PlaceLine => !!p,
    );
    return reply.page({ title: 'Prendre rendez-vous' }, <PlacesPage places={published} />);
  });

  app.get<RouteInput<'lieu'>>(
    '/rendezvous/lieux/:lieu',
    { config: { access: 'public' } },
    async (request, reply) => {
      const place = await placeLine(request.params.lieu);
      if (!place) return reply.callNotFound();
      const agent = await agentAt(db, request.actor, place.id);
      const reasons = await reasonsOfPlace(db, place.id, { online: !agent });
      return reply.page(
        { title: `Prendre rendez-vous : ${place.nom}`, breadcrumbs: PUBLIC },
        <PlaceReasonsPage place={place} reasons={reasons} agent={agent !== null} />,
      );
    },
  );

  app.get<RouteInput<'lieu' | 'motif'>>(
    '/rendezvous/lieux/:lieu/motifs/:motif',
    { config: { access: 'public' } },
    async (request, reply) => {
      const ctx = await bookingContext(request);
      if (!ctx) return reply.callNotFound();
      const from = dayParam(request.query.du) ?? parisToday();
      const { shown, next } = await slotsFrom(ctx.reason, from);
      const base = `/rendezvous/lieux/${ctx.place.id}/motifs/${ctx.reason.id}`;
      return reply.page(
        {
          title: ctx.reason.nom,
          breadcrumbs: [...PUBLIC, { href: `/rendezvous/lieux/${ctx.place.id}`, label: ctx.place.nom }],
        },
        <SlotsPage
          title={ctx.reason.nom}
          place={ctx.place}
          reason={ctx.reason}
          slots={shown}
          from={from}
          next={next ? `${base}?du=${next}` : null}
          action={`${base}/reserver`}
          method="get"
        />,
      );
    },
  );

  const peopleChoices = async (helper: Helper | null) =>
    helper
      ? (await recentBeneficiaries(db, helper, 100)).map((p) => ({
          value: p.id,
          label: personChoiceLabel(p),
        }))
      : [];

  app.get<RouteInput<'lieu' | 'motif'>>(
    '/rendezvous/lieux/:lieu/motifs/:motif/reserver',
    { config: { access: 'public' } },
    async (request, reply) => {
      const ctx = await bookingContext(request);
      if (!ctx) return reply.callNotFound();
      const key = lastValue(request.query.creneau) ?? '';
      const slot = await findFreeSlot(db, ctx.reason, key, new Date());
      const base = `/rendezvous/lieux/${ctx.place.id}/motifs/${ctx.reason.id}`;
      if (!slot) {
        const { shown, next } = await slotsFrom(ctx.reason, parisToday());
        return reply.page(
          { title: ctx.reason.nom, status: 400, hasErrors: true, breadcrumbs: PUBLIC },
          <SlotsPage
            title={ctx.reason.nom}
            place={ctx.place}
            reason={ctx.reason}
            slots={shown}
            from={parisToday()}
            next={next ? `${base}?du=${next}` : null}
            action={`${base}/reserver`}
            method="get"
            error={key ? 'Ce créneau n’est plus libre : choisissez-en un autre.' : 'Choisissez un horaire.'}
          />,
        );
      }
      return reply.page(
        { title: 'Vos coordonnées', breadcrumbs: PUBLIC },
        <PersonPage
          place={ctx.place}
          reason={ctx.reason}
          slot={slot}
          values={{}}
          errors={{}}
          csrf={reply.generateCsrf()}
          action={`${base}/reserver`}
          agent={ctx.agent !== null}
          people={await peopleChoices(ctx.agent)}
        />,
      );
    },
  );

  app.post<RouteInput<'lieu' | 'motif'>>(
    '/rendezvous/lieux/:lieu/motifs/:motif/reserver',
    { config: { access: 'public', rateLimit: BOOK_LIMIT } },
    async (request, reply) => {
      privatePage(reply);
      const ctx = await bookingContext(request);
      if (!ctx) return reply.callNotFound();
      const body = request.body ?? {};
      const values = textFields(body);
      const key = values.creneau ?? '';
      const base = `/rendezvous/lieux/${ctx.place.id}/motifs/${ctx.reason.id}`;
      const now = new Date();
      const again = async (errors: FieldErrors) => {
        const slot = await findFreeSlot(db, ctx.reason, key, now);
        if (!slot || errors.creneau) {
          const { shown, next } = await slotsFrom(ctx.reason, parisToday());
          return reply.page(
            { title: ctx.reason.nom, status: 409, hasErrors: true, breadcrumbs: PUBLIC },
            <SlotsPage
              title={ctx.reason.nom}
              place={ctx.place}
              reason={ctx.reason}
              slots={shown}
              from={parisToday()}
              next={next ? `${base}?du=${next}` : null}
              action={`${base}/reserver`}
              method="get"
              error={errors.creneau ?? 'Ce créneau n’est plus libre : choisissez-en un autre.'}
            />,
          );
        }
        return reply.page(
          { title: 'Vos coordonnées', status: 400, hasErrors: true, breadcrumbs: PUBLIC },
          <PersonPage
            place={ctx.place}
            reason={ctx.reason}
            slot={slot}
            values={values}
            errors={errors}
            csrf={reply.generateCsrf()}
            action={`${base}/reserver`}
            agent={ctx.agent !== null}
            people={await peopleChoices(ctx.agent)}
          />,
        );
      };
      const form = parseForm(personFields, body);
      if (!form.ok) return again(form.errors);
      let beneficiaireId: string | null = null;
      if (ctx.agent && values.beneficiaire) {
        const person = await findVisibleBeneficiary(db, ctx.agent, values.beneficiaire);
        if (!person) return again({ beneficiaire: 'Cette personne n’est pas suivie dans vos lieux.' });
        beneficiaireId = person.id;
      }
      const booked = await book(db, config, {
        reason: ctx.reason,
        key,
        person: form.data,
        channel: ctx.agent ? 'agent' : 'en_ligne',
        actor: request.actor,
        beneficiaireId,
        ip: request.ip,
        now,
      });
      if (!booked.ok) return again(booked.errors);
      if (ctx.agent) return reply.redirect(`/rendezvous/fiche?rdv=${booked.rdvId}&ok=agent`, 303);
      return reply.redirect(`/rendezvous/gestion/${booked.token}?ok=reserve`, 303);
    },
  );

  // ---------------------------------------------------------------- the person's link

  const linkProblem = (reply: FastifyReply, state: 'invalid' | 'expired' | 'replaced') =>
    reply.page(
      { title: 'Lien de rendez-vous', status: state === 'invalid' ? 400 : 410 },
      <LinkProblemPage state={state} />,
    );

  /** A route of the person's link: a private page; a bad link gets its own page, a good one `handle`. */
  const withLinkBooking = async (
    request: FastifyRequest<RouteInput<'jeton'>>,
    reply: FastifyReply,
    handle: (booking: Booking, token: string) => Promise<unknown>,
  ) => {
    privatePage(reply);
    const token = request.params.jeton;
    const outcome = await bookingOfLink(db, token, request.ip);
    if (outcome.state !== 'ok') return linkProblem(reply, outcome.state);
    return handle(outcome.booking, token);
  };

  const managePage = async (
    request: FastifyRequest<RouteInput<'jeton'>>,
    reply: FastifyReply,
    token: string,
    extra: { error?: string; status?: number } = {},
  ) => {
    const outcome = await bookingOfLink(db, token, request.ip);
    if (outcome.state !== 'ok') return linkProblem(reply, outcome.state);
    const b = outcome.booking;
    return reply.page(
      { title: 'Votre rendez-vous', status: extra.status ?? 200 },
      <ManagePage
        booking={b}
        where={await whereText(db, b)}
        token={token}
        can={selfService(b)}
        waitlist={await waitlistOf(db, b)}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        error={extra.error}
      />,
    );
  };

  app.get<RouteInput<'jeton'>>(
    '/rendezvous/gestion/:jeton',
    { config: { access: 'public', rateLimit: LINK_LIMIT } },
    async (request, reply) => {
      privatePage(reply);
      return managePage(request, reply, request.params.jeton);
    },
  );

  app.get<RouteInput<'jeton'>>(
    '/rendezvous/gestion/:jeton/rendez-vous.ics',
    { config: { access: 'public', rateLimit: LINK_LIMIT } },
    (request, reply) =>
      withLinkBooking(request, reply, async (booking, token) =>
        reply
          .type('text/calendar; charset=utf-8')
          .header('content-disposition', 'attachment; filename="rendez-vous.ics"')
          .send(await appointmentCalendar(db, config, booking, token)),
      ),
  );

  app.post<RouteInput<'jeton'>>(
    '/rendezvous/gestion/:jeton/annuler',
    { config: { access: 'public', rateLimit: LINK_LIMIT } },
    (request, reply) =>
      withLinkBooking(request, reply, async (booking, token) => {
        const done = await cancelByPerson(db, booking, request.ip);
        if (!done.ok) return managePage(request, reply, token, { error: done.message, status: 409 });
        return reply.redirect(`/rendezvous/gestion/${token}?ok=annule`, 303);
      }),
  );

  app.post<RouteInput<'jeton'>>(
    '/rendezvous/gestion/:jeton/attente',
    { config: { access: 'public', rateLimit: LINK_LIMIT } },
    (request, reply) =>
      withLinkBooking(request, reply, async (booking, token) => {
        if (lastValue(request.body?.action) === 'quitter') {
          await leaveWaitlist(db, booking, request.ip);
          return reply.redirect(`/rendezvous/gestion/${token}?ok=attente_quittee`, 303);
        }
        const done = await joinWaitlist(db, booking, request.ip);
        if (!done.ok) return managePage(request, reply, token, { error: done.message, status: 409 });
        return reply.redirect(`/rendezvous/gestion/${token}?ok=attente`, 303);
      }),
  );

  const movePage = async (
    request: FastifyRequest<RouteInput<'jeton'>>,
    reply: FastifyReply,
    error?: string,
  ) => {
    const token = request.params.jeton;
    const outcome = await bookingOfLink(db, token, request.ip);
    if (outcome.state !== 'ok') return linkProblem(reply, outcome.state);
    const b = outcome.booking;
    if (!selfService(b).move)
      return managePage(request, reply, token, {
        error: 'Ce rendez-vous ne peut plus être déplacé en ligne (jusqu’à 2 jours avant) : appelez le lieu.',
        status: 409,
      });
    const reason = await findReason(db, b.motif_id);
    const place = await placeLine(b.lieu_id);
    if (!reason || !place) return reply.callNotFound();
    const from = dayParam(request.query.du) ?? parisToday();
    const { shown, next } = await slotsFrom(reason, from);
    const base = `/rendezvous/gestion/${token}`;
    return reply.page(
      { title: 'Déplacer le rendez-vous', status: error ? 409 : 200, hasErrors: Boolean(error) },
      <SlotsPage
        title="Déplacer le rendez-vous"
        place={place}
        reason={reason}
        slots={shown.filter((s) => s.start.getTime() !== b.starts_at.getTime())}
        from={from}
        next={next ? `${base}/deplacer?du=${next}` : null}
        action={`${base}/deplacer`}
        method="post"
        csrf={reply.generateCsrf()}
        error={error}
        safeIntro={
          <p>
            <span safe>{`Votre rendez-vous actuel : le ${formatDateTime(b.starts_at)}. `}</span>
            <a href={base}>Garder cet horaire</a>
          </p>
        }
      />,
    );
  };

  app.get<RouteInput<'jeton'>>(
    '/rendezvous/gestion/:jeton/deplacer',
    { config: { access: 'public', rateLimit: LINK_LIMIT } },
    async (request, reply) => {
      privatePage(reply);
      return movePage(request, reply);
    },
  );

  app.post<RouteInput<'jeton'>>(
    '/rendezvous/gestion/:jeton/deplacer',
    { config: { access: 'public', rateLimit: BOOK_LIMIT } },
    (request, reply) =>
      withLinkBooking(request, reply, async (booking) => {
        const key = lastValue(request.body?.creneau);
        if (!key) return movePage(request, reply, 'Choisissez un horaire.');
        const moved = await moveByPerson(db, config, booking, key, request.ip);
        if (!moved.ok) return movePage(request, reply, moved.message);
        await leaveWaitlist(db, booking, request.ip);
        return reply.redirect(`/rendezvous/gestion/${moved.token}?ok=deplace`, 303);
      }),
  );

  app.get<RouteInput<'jeton'>>(
    '/rendezvous/flux/:jeton/agenda.ics',
    { config: { access: 'public', rateLimit: LINK_LIMIT } },
    async (request, reply) => {
      privatePage(reply);
      const events = await feedOf(db, request.params.jeton);
      if (!events) return reply.callNotFound();
      return reply.type('text/calendar; charset=utf-8').send(
        calendarFile(
          events.map((e) => ({
            uid: `${e.id}@relais`,
            start: e.starts_at,
            end: e.ends_at,
            summary: e.collectif
              ? `Atelier ${e.motif_nom} (${e.prenoms.length})`
              : `${e.motif_nom} : ${e.prenoms.join(', ')}`,
            location: e.lieu_nom,
            cancelled: e.libere_at !== null,
          })),
          { name: 'Mes rendez-vous', product: 'Rendez-vous' },
        ),
      );
    },
  );

  // ---------------------------------------------------------------- helpers

  app.get<RouteInput>('/rendezvous/agenda', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const view = lastValue(request.query.vue) === 'jour' ? 'jour' : 'semaine';
    const day = dayParam(request.query.jour) ?? parisToday();
    const from = view === 'jour' ? day : mondayOf(day);
    const to = view === 'jour' ? day : addDays(from, 6);
    const [entries, places] = await Promise.all([
      helperAgenda(db, helper, from, to),
      helperPlaces(db, helper.userId),
    ]);
    return reply.page(
      { title: 'Mon agenda', breadcrumbs: [SPACE] },
      <AgendaPage
        entries={entries}
        from={from}
        to={to}
        view={view}
        flash={flashOf(request)}
        places={places}
      />,
    );
  });

  const appointmentPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    helper: Helper,
    id: string | undefined,
    extra: { error?: string } = {},
  ) => {
    if (!id || !isUuid(id))
      return reply.page(
        { title: 'Rendez-vous', breadcrumbs: AGENDA, status: 400 },
        <p>Ce rendez-vous n’existe pas : revenez à votre agenda.</p>,
      );
    const a = await ownAppointment(db, helper, id);
    if (!a) return reply.callNotFound();
    return reply.page(
      { title: a.motif_nom, breadcrumbs: AGENDA, status: extra.error ? 409 : 200 },
      <AppointmentPage
        a={a}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        error={extra.error}
        draft={draftReport(a)}
        now={new Date()}
      />,
    );
  };

  app.get<RouteInput>('/rendezvous/fiche', { config: { access: 'helper' } }, async (request, reply) => {
    privatePage(reply);
    return appointmentPage(request, reply, requireHelper(request.actor), lastValue(request.query.rdv));
  });

  app.post<RouteInput>(
    '/rendezvous/fiche/presence',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const id = lastValue(request.body?.rdv);
      const a = id && isUuid(id) ? await ownAppointment(db, helper, id) : undefined;
      if (!a) return appointmentPage(request, reply, helper, id);
      const participant = lastValue(request.body?.participant) ?? '';
      const status = lastValue(request.body?.statut) ?? '';
      const done = await setStatus(db, helper, a, participant, status);
      if (!done.ok) return appointmentPage(request, reply, helper, id, { error: done.message });
      if (status === 'annule') await tellCancelledByService(db, config, participant);
      return reply.redirect(`/rendezvous/fiche?rdv=${a.id}&ok=presence`, 303);
    },
  );

  app.post<RouteInput>(
    '/rendezvous/fiche/compte-rendu',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const id = lastValue(request.body?.rdv);
      const a = id && isUuid(id) ? await ownAppointment(db, helper, id) : undefined;
      if (!a) return appointmentPage(request, reply, helper, id);
      if (lastValue(request.body?.action) === 'ecarter') {
        await dismissReport(db, helper, a);
        return reply.redirect(`/rendezvous/fiche?rdv=${a.id}&ok=ecarte`, 303);
      }
      const done = await confirmReport(db, helper, a);
      if (!done.ok) return appointmentPage(request, reply, helper, id, { error: done.message });
      return reply.redirect(`/rendezvous/fiche?rdv=${a.id}&ok=compte_rendu`, 303);
    },
  );

  /** A helper moves one person of one of their appointments still to come. */
  const rescheduleTarget = async (
    helper: Helper,
    rdvId: string | undefined,
    participantId: string | undefined,
  ) => {
    if (!rdvId || !participantId || !isUuid(rdvId) || !isUuid(participantId)) return 'bad' as const;
    const a = await ownAppointment(db, helper, rdvId);
    const booking = a ? await bookingById(db, participantId) : undefined;
    if (!a || !booking || booking.rdv_id !== a.id) return undefined;
    const reason = await findReason(db, booking.motif_id);
    const place = await anyPlaceLine(a.lieu_id);
    if (!reason || !place) return undefined;
    return { a, booking, reason, place };
  };

  const reschedulePage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    target: Exclude<Awaited<ReturnType<typeof rescheduleTarget>>, 'bad' | undefined>,
    error?: string,
  ) => {
    const { a, booking, reason, place } = target;
    const from = dayParam(request.query.du) ?? parisToday();
    const { shown, next } = await slotsFrom(reason, from);
    const here = `/rendezvous/fiche/deplacer?rdv=${a.id}&participant=${booking.id}`;
    return reply.page(
      {
        title: 'Déplacer le rendez-vous',
        breadcrumbs: AGENDA,
        status: error ? 409 : 200,
        hasErrors: Boolean(error),
      },
      <SlotsPage
        title="Déplacer le rendez-vous"
        place={place}
        reason={reason}
        slots={shown.filter((s) => s.start.getTime() !== booking.starts_at.getTime())}
        from={from}
        next={next ? `${here}&du=${next}` : null}
        action="/rendezvous/fiche/deplacer"
        method="post"
        csrf={reply.generateCsrf()}
        hidden={{ rdv: a.id, participant: booking.id }}
        error={error}
        safeIntro={
          <p>
            <span safe>{`${booking.prenom} ${booking.nom}, le ${formatDateTime(booking.starts_at)}. `}</span>
            <a href={`/rendezvous/fiche?rdv=${a.id}`}>Garder cet horaire</a>
          </p>
        }
      />,
    );
  };

  app.get<RouteInput>(
    '/rendezvous/fiche/deplacer',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const target = await rescheduleTarget(
        helper,
        lastValue(request.query.rdv),
        lastValue(request.query.participant),
      );
      if (target === 'bad') return appointmentPage(request, reply, helper, undefined);
      if (!target) return reply.callNotFound();
      if (target.booking.status !== 'a_venir' || target.booking.starts_at <= new Date())
        return appointmentPage(request, reply, helper, target.a.id, {
          error: 'Ce rendez-vous est annulé ou passé : il ne se déplace plus.',
        });
      return reschedulePage(request, reply, target);
    },
  );

  app.post<RouteInput>(
    '/rendezvous/fiche/deplacer',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const target = await rescheduleTarget(
        helper,
        lastValue(request.body?.rdv),
        lastValue(request.body?.participant),
      );
      if (target === 'bad') return appointmentPage(request, reply, helper, undefined);
      if (!target) return reply.callNotFound();
      if (target.booking.status !== 'a_venir' || target.booking.starts_at <= new Date())
        return appointmentPage(request, reply, helper, target.a.id, {
          error: 'Ce rendez-vous est annulé ou passé : il ne se déplace plus.',
        });
      const key = lastValue(request.body?.creneau);
      if (!key) return reschedulePage(request, reply, target, 'Choisissez un horaire.');
      const moved = await moveBooking(db, config, target.booking, key, {
        actor: helper.actor,
        ip: request.ip,
      });
      if (!moved.ok) return reschedulePage(request, reply, target, moved.message);
      const mine = await db
        .selectFrom('rdv')
        .select('id')
        .where('id', '=', moved.rdvId)
        .where('mediateur_id', '=', helper.userId)
        .executeTakeFirst();
      return reply.redirect(
        mine
          ? `/rendezvous/fiche?rdv=${moved.rdvId}&ok=deplace_service`
          : '/rendezvous/agenda?ok=deplace_service',
        303,
      );
    },
  );

  app.get<RouteInput>('/rendezvous/absences', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    return reply.page(
      { title: 'Mes absences', breadcrumbs: AGENDA },
      <AbsencesPage
        absences={await absencesOf(db, helper.userId)}
        values={{}}
        errors={{}}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );
  });

  app.post<RouteInput>('/rendezvous/absences', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const form = parseForm(absenceFields, request.body);
    if (!form.ok)
      return reply.page(
        { title: 'Mes absences', breadcrumbs: AGENDA, status: 400, hasErrors: true },
        <AbsencesPage
          absences={await absencesOf(db, helper.userId)}
          values={textFields(request.body)}
          errors={form.errors}
          csrf={reply.generateCsrf()}
        />,
      );
    await saveAbsence(db, helper, form.data);
    return reply.redirect('/rendezvous/absences?ok=absence', 303);
  });

  app.post<RouteInput>(
    '/rendezvous/absences/supprimer',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      if (!(await deleteAbsence(db, helper, lastValue(request.body?.absence) ?? '')))
        return reply.page(
          { title: 'Mes absences', breadcrumbs: AGENDA, status: 400, hasErrors: true },
          <AbsencesPage
            absences={await absencesOf(db, helper.userId)}
            values={{}}
            errors={{ absence: 'Cette absence n’existe pas ou n’est pas la vôtre.' }}
            csrf={reply.generateCsrf()}
          />,
        );
      return reply.redirect('/rendezvous/absences?ok=absence_supprimee', 303);
    },
  );

  app.get<RouteInput>('/rendezvous/agenda/flux', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    return reply.page(
      { title: 'Mon agenda dans mon calendrier', breadcrumbs: AGENDA },
      <FeedPage url={null} has={await hasFeed(db, helper.userId)} csrf={reply.generateCsrf()} />,
    );
  });

  app.post<RouteInput>(
    '/rendezvous/agenda/flux',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const token = await resetFeedToken(db, helper);
      return reply.page(
        { title: 'Mon agenda dans mon calendrier', breadcrumbs: AGENDA },
        <FeedPage
          url={`${config.publicUrl}/rendezvous/flux/${token}/agenda.ics`}
          has
          csrf={reply.generateCsrf()}
        />,
      );
    },
  );

  app.get<RouteInput>('/rendezvous/export.csv', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const from = dayParam(request.query.du) ?? mondayOf(parisToday());
    const requestedTo = dayParam(request.query.au) ?? addDays(from, 6);
    const to =
      requestedTo < from ? from : requestedTo > addDays(from, 366) ? addDays(from, 366) : requestedTo;
    const entries = await helperAgenda(db, helper, from, to);
    const rows = entries.flatMap((e) =>
      e.participants.map((p) => [
        parisToday(e.starts_at),
        formatDateTime(e.starts_at, 'short').slice(-5),
        e.lieu_nom,
        e.motif_nom,
        p.prenom,
        p.nom,
        p.telephone ?? '',
        p.email ?? '',
        STATUSES[p.status],
      ]),
    );
    await audit(db, {
      actor: helper.actor,
      action: 'appointment.export',
      collectiviteId: helper.collectiviteId,
      details: { du: from, au: to, lignes: rows.length },
    });
    const csv = csvText([
      ['Date', 'Heure', 'Lieu', 'Motif', 'Prénom', 'Nom', 'Téléphone', 'Courriel', 'Statut'],
      ...rows,
    ]);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="rendez-vous-${from}-${to}.csv"`)
      .send(`\uFEFF${csv}`);
  });

  // ---------------------------------------------------------------- a place's settings and agenda

  const settingsPage = async (
    request: FastifyRequest<RouteInput<'lieu'>>,
    reply: FastifyReply,
    helper: Helper,
    place: PlaceLine,
    forms: {
      reasonValues?: Record<string, string | string[]>;
      reasonErrors?: FieldErrors;
      openingValues?: Record<string, string | string[]>;
      openingErrors?: FieldErrors;
    } = {},
  ) => {
    const reasons = await reasonsOfPlace(db, place.id);
    const editing = lastValue(request.query.motif);
    const edited = editing ? reasons.find((r) => r.id === editing) : undefined;
    const reasonValues =
      forms.reasonValues ??
      (edited
        ? {
            id: edited.id,
            nom: edited.nom,
            duree_min: String(edited.duree_min),
            location_type: edited.location_type,
            collectif: edited.collectif ? 'oui' : '',
            capacite: edited.capacite ? String(edited.capacite) : '',
            delai_min_minutes: String(edited.delai_min_minutes),
            delai_max_jours: String(edited.delai_max_jours),
            reservable_par: edited.reservable_par,
            modifiable: edited.modifiable ? 'oui' : 'non',
            liste_attente: edited.liste_attente ? 'oui' : '',
            instructions: edited.instructions ?? '',
            thematiques: edited.thematiques,
          }
        : {});
    const openings = (await openingsOf(db, helper.userId)).filter((o) => o.lieu_id === place.id);
    const editedOpening = openings.find((o) => o.id === lastValue(request.query.plage));
    const rule = editedOpening ? parseRule(editedOpening.rrule) : null;
    const openingValues =
      forms.openingValues ??
      (editedOpening && rule
        ? {
            id: editedOpening.id,
            jours: rule.weekdays.map(String),
            intervalle: String(rule.interval),
            debut: formatTime(editedOpening.debut_min),
            fin: formatTime(editedOpening.fin_min),
            premier_jour: editedOpening.premier_jour,
            dernier_jour: editedOpening.dernier_jour ?? '',
            motifs: editedOpening.motif_ids,
          }
        : {});
    const failed = Boolean(forms.reasonErrors || forms.openingErrors);
    return reply.page(
      {
        title: `Rendez-vous : ${place.nom}`,
        breadcrumbs: AGENDA,
        status: failed ? 400 : 200,
        hasErrors: failed,
      },
      <SettingsPage
        place={place}
        reasons={reasons}
        openings={openings}
        reasonValues={reasonValues}
        reasonErrors={forms.reasonErrors ?? {}}
        openingValues={openingValues}
        openingErrors={forms.openingErrors ?? {}}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );
  };

  /** The place of a settings route, when the helper works there. */
  const ownPlace = async (request: FastifyRequest<RouteInput<'lieu'>>) => {
    const helper = requireHelper(request.actor);
    const place = await anyPlaceLine(request.params.lieu);
    if (!place || !(await agentAt(db, request.actor, place.id))) return undefined;
    return { helper, place };
  };

  const bodyValues = (body: Record<string, unknown> | undefined) =>
    Object.fromEntries(
      Object.entries(body ?? {}).filter(
        (e): e is [string, string | string[]] => typeof e[1] === 'string' || Array.isArray(e[1]),
      ),
    );

  app.get<RouteInput<'lieu'>>(
    '/rendezvous/lieux/:lieu/reglages',
    { config: { access: { helperOf: 'lieu' } } },
    async (request, reply) => {
      const own = await ownPlace(request);
      if (!own) return reply.callNotFound();
      return settingsPage(request, reply, own.helper, own.place);
    },
  );

  /**
   * A form of the settings page posted: checked, then saved; on a refusal, the settings page
   * again with that form's values and errors; else back to it with `?ok=`.
   */
  function settingsForm<S extends z.ZodType>(
    path: string,
    form: 'reason' | 'opening',
    fields: S,
    save: (
      own: { helper: Helper; place: PlaceLine },
      data: z.infer<S>,
      body: Record<string, unknown> | undefined,
    ) => Promise<{ ok: true } | { ok: false; errors: FieldErrors }>,
    ok: string,
  ): void {
    app.post<RouteInput<'lieu'>>(
      path,
      { config: { access: { helperOf: 'lieu' } } },
      async (request, reply) => {
        const own = await ownPlace(request);
        if (!own) return reply.callNotFound();
        const refused = (errors: FieldErrors) =>
          settingsPage(request, reply, own.helper, own.place, {
            [`${form}Values`]: bodyValues(request.body),
            [`${form}Errors`]: errors,
          });
        const parsed = parseForm(fields, request.body);
        if (!parsed.ok) return refused(parsed.errors);
        const saved = await save(own, parsed.data, request.body);
        if (!saved.ok) return refused(saved.errors);
        return reply.redirect(`/rendezvous/lieux/${own.place.id}/reglages?ok=${ok}`, 303);
      },
    );
  }

  settingsForm(
    '/rendezvous/lieux/:lieu/motifs',
    'reason',
    reasonFields,
    (own, data, body) => {
      const id = lastValue(body?.id);
      return saveReason(db, own.helper, own.place.id, data, id && isUuid(id) ? id : undefined);
    },
    'motif',
  );
  settingsForm(
    '/rendezvous/lieux/:lieu/plages',
    'opening',
    openingFields,
    (own, data, body) => {
      const id = lastValue(body?.id);
      return saveOpening(db, own.helper, own.place.id, data, id && isUuid(id) ? id : undefined);
    },
    'plage',
  );

  app.post<RouteInput<'lieu'>>(
    '/rendezvous/lieux/:lieu/plages/supprimer',
    { config: { access: { helperOf: 'lieu' } } },
    async (request, reply) => {
      const own = await ownPlace(request);
      if (!own) return reply.callNotFound();
      const deleted = await deleteOpening(db, own.helper, lastValue(request.body?.plage) ?? '');
      if (!deleted)
        return settingsPage(request, reply, own.helper, own.place, {
          openingErrors: { plage: 'Cette plage n’existe pas ou n’est pas la vôtre.' },
        });
      return reply.redirect(`/rendezvous/lieux/${own.place.id}/reglages?ok=plage_supprimee`, 303);
    },
  );

  app.post<RouteInput<'lieu'>>(
    '/rendezvous/lieux/:lieu/motifs/retirer',
    { config: { access: { helperOf: 'lieu' } } },
    async (request, reply) => {
      const own = await ownPlace(request);
      if (!own) return reply.callNotFound();
      const done = await withdrawReason(db, own.helper, own.place.id, lastValue(request.body?.motif) ?? '');
      if (!done)
        return settingsPage(request, reply, own.helper, own.place, {
          reasonErrors: { motif: 'Ce motif n’existe pas à ce lieu.' },
        });
      return reply.redirect(`/rendezvous/lieux/${own.place.id}/reglages?ok=motif_retire`, 303);
    },
  );

  app.get<RouteInput<'lieu'>>(
    '/rendezvous/lieux/:lieu/agenda',
    { config: { access: { coordinatorOrHelperOf: 'lieu' } } },
    async (request, reply) => {
      const place = await anyPlaceLine(request.params.lieu);
      if (!place || !(await mayViewPlace(db, request.actor, place.id))) return reply.callNotFound();
      const from = mondayOf(dayParam(request.query.jour) ?? parisToday());
      const to = addDays(from, 6);
      return reply.page(
        { title: `Rendez-vous de ${place.nom}`, breadcrumbs: [SPACE] },
        <PlaceAgendaPage
          place={place}
          rows={await placeAgenda(db, place.id, from, to)}
          from={from}
          to={to}
        />,
      );
    },
  );

  // ---------------------------------------------------------------- the SMS budget of a collectivité

  const smsPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    extra: { value?: string; error?: string } = {},
  ) => {
    const id = activeCollectiviteOf(request.actor);
    const collectivite = id === null ? undefined : await findCollectiviteById(db, id);
    const counter = collectivite ? await smsCounter(db, collectivite.id) : { sent: 0, budget: 0 };
    return reply.page(
      {
        title: 'SMS des rappels de rendez-vous',
        breadcrumbs: [SPACE],
        status: extra.error ? 400 : 200,
        hasErrors: Boolean(extra.error),
      },
      <SmsBudgetPage
        collectivite={collectivite?.name ?? null}
        sent={counter.sent}
        budget={counter.budget}
        value={extra.value ?? String(counter.budget)}
        error={extra.error}
        csrf={reply.generateCsrf()}
        flash={lastValue(request.query.ok) === 'sms' ? 'Le budget est enregistré.' : undefined}
      />,
    );
  };

  app.get<RouteInput>('/rendezvous/sms', { config: { access: 'coordinator' } }, (request, reply) =>
    smsPage(request, reply),
  );

  app.post<RouteInput>('/rendezvous/sms', { config: { access: 'coordinator' } }, async (request, reply) => {
    const raw = (lastValue(request.body?.budget) ?? '').trim();
    const id = activeCollectiviteOf(request.actor);
    if (!/^\d{1,6}$/.test(raw))
      return smsPage(request, reply, { value: raw, error: 'Saisissez un nombre entier de SMS, 0 ou plus.' });
    if (id === null || !(await setSmsBudget(db, request.actor, id, Number(raw))))
      return smsPage(request, reply, { value: raw, error: 'Vous ne gérez pas cette collectivité.' });
    return reply.redirect('/rendezvous/sms?ok=sms', 303);
  });
}
