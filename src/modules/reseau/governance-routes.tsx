import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lastValue, parseForm, type RouteInput, textFields } from '../../platform/forms.ts';
import { uploadedFileName } from '../../platform/http/uploads.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { displayName, listCollectivites } from '../territoires/index.ts';
import { accountFields, contactFeed, contactOf, inviteContact, sendContactFeed } from './contact-access.ts';
import { ContactPage, FrequencySavedPage, MinutesVersionsPage } from './governance-views.tsx';
import { attachSignedMinutes, minutesFile, minutesVersions } from './minutes.ts';
import { checkUnsubscribe, chooseFrequency, frequencyFields } from './news.ts';
import { UnsubscribePage } from './views.tsx';

/**
 * The network's routes for a member's contacts (an account on Relais, their own calendar), the
 * minutes as PDF documents, and the choice of how news come from the unsubscribe page.
 */

const ADMIN: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/admin/reseau', label: 'Réseau' },
];

const FLASH: Record<string, string> = {
  invite: 'L’invitation est partie : la personne choisit son mot de passe avec le lien reçu.',
  lien_envoye: 'Le lien de son agenda lui est envoyé par courriel.',
  lien_renouvele:
    'Le lien de son agenda est renouvelé (l’ancien ne fonctionne plus) et le nouveau lui est envoyé.',
  signe: 'Le compte rendu signé est joint : c’est une nouvelle version, les précédentes restent.',
};
const flashOf = (request: FastifyRequest<RouteInput>) => {
  const ok = lastValue(request.query.ok);
  return ok ? FLASH[ok] : undefined;
};

const FEED_GONE: Record<404 | 410, string> = {
  404: 'Ce lien d’agenda n’est pas valable : il a été modifié ou ne correspond à aucun contact. Demandez votre lien à la coordination du réseau.\n',
  410: 'Ce lien d’agenda a été renouvelé : il ne fonctionne plus. Utilisez le nouveau lien reçu par courriel, ou demandez-le à la coordination du réseau.\n',
};

export function governanceRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const collectivites = async () =>
    (await listCollectivites(db)).map((c) => ({ value: String(c.id), label: displayName(c) }));

  // ------------------------------------------------------------------ a member's contact

  const contactPage = async (
    request: FastifyRequest<RouteInput<'membre' | 'contact'>>,
    reply: FastifyReply,
    form: { values?: Record<string, string>; errors?: FieldErrors; status?: number } = {},
  ) => {
    const view = await contactOf(db, config, request.actor, request.params.membre, request.params.contact);
    if (!view) return reply.callNotFound();
    reply.header('cache-control', 'no-store');
    const errors = form.errors ?? {};
    return reply.page(
      {
        title: view.contact.nom,
        breadcrumbs: [...ADMIN, { href: `/admin/reseau/membres/${view.member.id}`, label: view.member.nom }],
        status: form.status ?? 200,
        hasErrors: Object.keys(errors).length > 0,
      },
      <ContactPage
        view={view}
        collectivites={await collectivites()}
        csrf={reply.generateCsrf()}
        values={form.values ?? {}}
        errors={errors}
        flash={flashOf(request)}
      />,
    );
  };

  app.get<RouteInput<'membre' | 'contact'>>(
    '/admin/reseau/membres/:membre/contacts/:contact',
    { config: { access: 'admin' } },
    (request, reply) => contactPage(request, reply),
  );

  app.post<RouteInput<'membre' | 'contact'>>(
    '/admin/reseau/membres/:membre/contacts/:contact/compte',
    { config: { access: 'admin', rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(accountFields, request.body);
      if (!form.ok) return contactPage(request, reply, { values, errors: form.errors, status: 400 });
      const { membre, contact } = request.params;
      const ids = (await listCollectivites(db)).map((c) => c.id);
      const done = await inviteContact(db, config, request.actor, membre, contact, form.data, ids);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return contactPage(request, reply, { values, ...done });
      return reply.redirect(`/admin/reseau/membres/${membre}/contacts/${contact}?ok=invite`, 303);
    },
  );

  for (const [path, reset] of [
    ['envoyer', false],
    ['renouveler', true],
  ] as const)
    app.post<RouteInput<'membre' | 'contact'>>(
      `/admin/reseau/membres/:membre/contacts/:contact/calendrier/${path}`,
      { config: { access: 'admin' } },
      async (request, reply) => {
        const { membre, contact } = request.params;
        if (!(await sendContactFeed(db, config, request.actor, membre, contact, reset)))
          return reply.callNotFound();
        return reply.redirect(
          `/admin/reseau/membres/${membre}/contacts/${contact}?ok=${reset ? 'lien_renouvele' : 'lien_envoye'}`,
          303,
        );
      },
    );

  app.get<RouteInput<'abonnement'>>(
    '/reseau/calendrier/contacts/:abonnement',
    { config: { access: 'public' } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      const feed = await contactFeed(db, config, request.params.abonnement);
      if (!feed.ok)
        return reply.status(feed.status).type('text/plain; charset=utf-8').send(FEED_GONE[feed.status]);
      return reply.type('text/calendar; charset=utf-8').send(feed.ics);
    },
  );

  // ------------------------------------------------------------------ minutes as PDF

  const sendPdf = (reply: FastifyReply, file: { bytes: Buffer; filename: string }) =>
    reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('x-content-type-options', 'nosniff')
      .type('application/pdf')
      .send(file.bytes);

  app.get<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/compte-rendu.pdf',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const file = await minutesFile(db, request.actor, request.params.evenement);
      return file ? sendPdf(reply, file) : reply.callNotFound();
    },
  );

  const versionsPage = async (
    request: FastifyRequest<RouteInput<'evenement'>>,
    reply: FastifyReply,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const found = await minutesVersions(db, request.actor, request.params.evenement);
    if (!found) return reply.callNotFound();
    return reply.page(
      {
        title: `Comptes rendus — ${found.event.titre}`,
        breadcrumbs: [
          ...ADMIN,
          { href: `/admin/reseau/evenements/${found.event.id}`, label: found.event.titre },
        ],
        status,
        hasErrors: Object.keys(errors).length > 0,
      },
      <MinutesVersionsPage
        event={found.event}
        versions={found.versions}
        csrf={reply.generateCsrf()}
        errors={errors}
        flash={flashOf(request)}
      />,
    );
  };

  app.get<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/compte-rendu/versions',
    { config: { access: 'admin' } },
    (request, reply) => versionsPage(request, reply),
  );

  app.post<RouteInput<'evenement'>>(
    '/admin/reseau/evenements/:evenement/compte-rendu/versions',
    { config: { access: 'admin', files: true } },
    async (request, reply) => {
      const file = request.body?.fichier;
      const bytes = Buffer.isBuffer(file) ? file : undefined;
      const done = await attachSignedMinutes(
        db,
        request.actor,
        request.params.evenement,
        bytes,
        bytes ? uploadedFileName(bytes) : undefined,
      );
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return versionsPage(request, reply, done, 400);
      return reply.redirect(
        `/admin/reseau/evenements/${request.params.evenement}/compte-rendu/versions?ok=signe`,
        303,
      );
    },
  );

  app.get<RouteInput<'evenement' | 'numero'>>(
    '/admin/reseau/evenements/:evenement/compte-rendu/versions/:numero',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const numero = /^[1-9][0-9]{0,5}$/.test(request.params.numero) ? Number(request.params.numero) : 0;
      const file = numero
        ? await minutesFile(db, request.actor, request.params.evenement, numero)
        : undefined;
      return file ? sendPdf(reply, file) : reply.callNotFound();
    },
  );

  // ------------------------------------------------------------------ how news come

  app.post<RouteInput<'contact' | 'signature'>>(
    '/reseau/desabonnement/:contact/:signature/frequence',
    { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const { contact, signature } = request.params;
      const invalid = () =>
        reply.page(
          { title: 'Lien de désabonnement non valable', status: 404 },
          <UnsubscribePage state="invalid" />,
        );
      const form = parseForm(frequencyFields, request.body);
      if (!form.ok) {
        const check = await checkUnsubscribe(db, contact, signature);
        if (!check.ok) return invalid();
        const path = `/reseau/desabonnement/${contact}/${signature}`;
        return reply.page(
          { title: 'Désabonnement', status: 400, hasErrors: true },
          <UnsubscribePage
            state="confirm"
            action={path}
            csrf={reply.generateCsrf()}
            frequency={{
              action: `${path}/frequence`,
              current: check.frequence,
              error: form.errors.frequence,
            }}
          />,
        );
      }
      const done = await chooseFrequency(db, contact, signature, form.data.frequence, request.ip);
      if (done === 'invalid') return invalid();
      if (done === 'unsubscribed')
        return reply.page({ title: 'Désabonnement' }, <UnsubscribePage state="done" />);
      return reply.page(
        { title: 'Votre choix est enregistré' },
        <FrequencySavedPage frequence={form.data.frequence} />,
      );
    },
  );
}
