import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { checkCodeCounted } from '../../platform/auth/lockout.ts';
import { type Actor, can, ROLES, type Role } from '../../platform/auth/policy.ts';
import { useTotpCode } from '../../platform/auth/second-factor.ts';
import {
  listSessions,
  markConfirmed,
  revokeAllSessions,
  revokeSession,
} from '../../platform/auth/session-admin.ts';
import { SESSION_COOKIE } from '../../platform/auth/sessions.ts';
import { parseForm, type RouteInput, requiredText, textFields, textOf } from '../../platform/forms.ts';
import { isSignedIn, signedInActor } from '../../platform/http/access.ts';
import { takeOutbox } from '../../platform/mail.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { listCollectivites } from '../territoires/index.ts';
import { warnOfLockout } from './lockout-mail.ts';
import { changeRole, getPerson, invitePerson, listPeople, resetSecondFactor, setActive } from './people.ts';
import {
  type CollectiviteChoice,
  ConfirmPage,
  OutboxPage,
  PeoplePage,
  PersonPage,
  SessionsPage,
} from './people-views.tsx';
import { requireFreshConfirmation } from './signin.ts';

const FLASH: Record<string, string> = {
  invitation: 'L’invitation a été envoyée.',
  role: 'Le rôle a été changé ; la personne devra se reconnecter.',
  desactiver: 'Le compte a été désactivé et ses sessions fermées.',
  reactiver: 'Le compte a été réactivé.',
  totp: 'La double authentification a été réinitialisée.',
  session: 'La session a été fermée.',
};
const flashOf = (request: FastifyRequest<RouteInput>) => FLASH[textOf(request.query.ok) ?? ''];

const roleSchema = z.enum(Object.keys(ROLES) as [Role, ...Role[]], {
  error: 'Choisissez un rôle dans la liste.',
});
const collectiviteIdSchema = z.preprocess(
  (v) => (v === '' || v === undefined ? null : Number(v)),
  z.number().int().positive().nullable(),
);
const inviteSchema = z.object({
  name: requiredText('le prénom et le nom', 120),
  email: z.email('Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr.'),
  role: roleSchema,
  collectiviteId: collectiviteIdSchema,
});
const roleChangeSchema = z.object({ role: roleSchema, collectiviteId: collectiviteIdSchema });

/** Roles this actor may give, the most common first (the OPSN-wide one last, never preselected). */
const ROLE_ORDER: Role[] = ['mediateur', 'formateur', 'coordinateur', 'admin'];
const grantableRoles = (actor: Actor): Role[] =>
  ROLE_ORDER.filter((r) => r !== 'admin' || can(actor, 'opsn.manage'));

/** Collectivités where this actor may manage people. */
async function choices(db: RouteContext['db'], actor: Actor): Promise<CollectiviteChoice[]> {
  const all = await listCollectivites(db);
  const mine = new Set(isSignedIn(actor) ? actor.memberships.map((m) => m.collectiviteId) : []);
  return all
    .filter((c) => can(actor, 'opsn.manage') || mine.has(c.id))
    .map((c) => ({ id: c.id, name: c.display_name || c.name }));
}

/** A path inside Relais to come back to after confirming; anything else goes to the space. */
const safeReturn = (value: unknown) =>
  typeof value === 'string' && /^\/admin\/[\w/-]*$/.test(value) ? value : '/espace';

export function peopleRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const peoplePage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    extra: { errors?: FieldErrors; values?: Record<string, string>; status?: number } = {},
  ) => {
    const people = await listPeople(db, request.actor);
    return reply.page(
      { title: 'Personnes et rôles', hasErrors: Boolean(extra.errors), status: extra.status ?? 200 },
      <PeoplePage
        people={people}
        collectivites={await choices(db, request.actor)}
        grantableRoles={grantableRoles(request.actor)}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        errors={extra.errors ?? {}}
        values={extra.values ?? {}}
      />,
    );
  };

  app.get<RouteInput>('/admin/personnes', { config: { access: 'coordinator' } }, (request, reply) =>
    peoplePage(request, reply),
  );

  app.post<RouteInput>('/admin/personnes', { config: { access: 'coordinator' } }, async (request, reply) => {
    await listPeople(db, request.actor); // refuses those who manage nobody
    const body = textFields(request.body);
    const form = parseForm(inviteSchema, body);
    if (!form.ok) return peoplePage(request, reply, { errors: form.errors, values: body, status: 400 });
    if (form.data.role !== 'admin' && form.data.collectiviteId === null) {
      return peoplePage(request, reply, {
        errors: { collectiviteId: 'Choisissez la collectivité de cette personne.' },
        values: body,
        status: 400,
      });
    }
    const result = await invitePerson(db, config, request.actor, {
      ...form.data,
      collectiviteId: form.data.role === 'admin' ? null : form.data.collectiviteId,
    });
    if (!result.ok)
      return peoplePage(request, reply, {
        errors: { [result.field]: result.reason },
        values: body,
        status: 400,
      });
    return reply.redirect('/admin/personnes?ok=invitation', 303);
  });

  const loadPerson = async (request: FastifyRequest<RouteInput<'personne'>>) => {
    const { personne } = request.params;
    if (!/^[0-9a-f-]{36}$/.test(personne)) return undefined;
    return getPerson(db, request.actor, personne);
  };

  const personPage = async (
    request: FastifyRequest<RouteInput<'personne'>>,
    reply: FastifyReply,
    errors?: FieldErrors,
  ) => {
    const person = await loadPerson(request);
    if (!person) return reply.callNotFound();
    return reply.page(
      {
        title: person.name,
        hasErrors: Boolean(errors),
        status: errors ? 400 : 200,
        breadcrumbs: [{ href: '/admin/personnes', label: 'Personnes et rôles' }],
      },
      <PersonPage
        person={person}
        collectivites={await choices(db, request.actor)}
        grantableRoles={grantableRoles(request.actor)}
        canResetTotp={can(request.actor, 'opsn.manage')}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        errors={errors ?? {}}
      />,
    );
  };

  app.get<RouteInput<'personne'>>(
    '/admin/personnes/:personne',
    { config: { access: { coordinatorOf: 'personne' } } },
    (request, reply) => personPage(request, reply),
  );

  app.post<RouteInput<'personne'>>(
    '/admin/personnes/:personne/role',
    { config: { access: { coordinatorOf: 'personne' } } },
    async (request, reply) => {
      const person = await loadPerson(request);
      if (!person) return reply.callNotFound();
      const form = parseForm(roleChangeSchema, request.body);
      if (!form.ok) return personPage(request, reply, form.errors);
      const result = await changeRole(db, request.actor, person, form.data.collectiviteId, form.data.role);
      if (!result.ok) return personPage(request, reply, { [result.field]: result.reason });
      return reply.redirect(`/admin/personnes/${person.id}?ok=role`, 303);
    },
  );

  app.post<RouteInput<'personne'>>(
    '/admin/personnes/:personne/statut',
    { config: { access: { coordinatorOf: 'personne' } } },
    async (request, reply) => {
      const person = await loadPerson(request);
      if (!person) return reply.callNotFound();
      const action = request.body?.action;
      if (action !== 'desactiver' && action !== 'reactiver') {
        return personPage(request, reply, { status: 'Choisissez de désactiver ou de réactiver le compte.' });
      }
      const result = await setActive(db, request.actor, person, action === 'reactiver');
      if (!result.ok) return personPage(request, reply, { [result.field]: result.reason });
      return reply.redirect(`/admin/personnes/${person.id}?ok=${action}`, 303);
    },
  );

  // Sensitive: the administrator confirms with a fresh code of their own first.
  app.post<RouteInput<'personne'>>(
    '/admin/personnes/:personne/totp',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const person = await loadPerson(request);
      if (!person) return reply.callNotFound();
      const confirm = await requireFreshConfirmation(db, request, reply, `/admin/personnes/${person.id}`);
      if (confirm) return confirm;
      if (request.body?.confirm !== 'oui')
        return personPage(request, reply, { confirm: 'Confirmez la réinitialisation.' });
      await resetSecondFactor(db, request.actor, person);
      return reply.redirect(`/admin/personnes/${person.id}?ok=totp`, 303);
    },
  );

  // Re-authentication: a fresh TOTP code, valid five minutes, before sensitive actions.
  app.get<RouteInput>('/connexion/confirmer', { config: { access: 'signed-in' } }, async (request, reply) => {
    const back = safeReturn(request.query.retour);
    return reply.page(
      { title: 'Confirmer votre identité' },
      <ConfirmPage csrf={reply.generateCsrf()} back={back} />,
    );
  });

  app.post<RouteInput>(
    '/connexion/confirmer',
    { config: { access: 'signed-in', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const body = request.body ?? {};
      const back = safeReturn(body.retour);
      // Counted with the sign-in's codes: a stolen session cannot guess its way to sensitive actions.
      const result = await checkCodeCounted(db, actor.userId, () =>
        useTotpCode(db, actor.userId, String(body.code ?? '')),
      );
      if (result.outcome !== 'accepted') {
        await audit(db, { actor, action: 'auth.reauth.failure', ip: request.ip });
        if (result.outcome === 'wrong' && result.lockedUntil)
          await warnOfLockout(db, config, request, actor.userId, 'code', result.lockedUntil);
        return reply.page(
          { title: 'Confirmer votre identité', hasErrors: true, status: 401 },
          <ConfirmPage csrf={reply.generateCsrf()} back={back} error="Ce code n’est pas valable." />,
        );
      }
      await markConfirmed(db, request.cookies[SESSION_COOKIE] ?? '');
      await audit(db, { actor, action: 'auth.reauth', ip: request.ip });
      return reply.redirect(back, 303);
    },
  );

  app.get<RouteInput>('/compte/sessions', { config: { access: 'signed-in' } }, async (request, reply) => {
    const actor = signedInActor(request);
    const sessions = await listSessions(db, actor.userId, request.cookies[SESSION_COOKIE]);
    return reply.page(
      { title: 'Mes sessions' },
      <SessionsPage sessions={sessions} csrf={reply.generateCsrf()} flash={flashOf(request)} />,
    );
  });

  app.post<RouteInput>(
    '/compte/sessions/fermer',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const handle = String(request.body?.session ?? '');
      if (!(await revokeSession(db, actor.userId, handle))) {
        const sessions = await listSessions(db, actor.userId, request.cookies[SESSION_COOKIE]);
        return reply.page(
          { title: 'Mes sessions', hasErrors: true, status: 400 },
          <SessionsPage
            sessions={sessions}
            csrf={reply.generateCsrf()}
            error="Cette session est déjà fermée."
          />,
        );
      }
      await audit(db, { actor, action: 'auth.session.revoke', ip: request.ip });
      return reply.redirect('/compte/sessions?ok=session', 303);
    },
  );

  app.post<RouteInput>(
    '/compte/sessions/toutes',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      if (request.body?.confirm !== 'oui') return reply.redirect('/compte/sessions', 303);
      await revokeAllSessions(db, actor.userId);
      await audit(db, { actor, action: 'auth.signout.everywhere', ip: request.ip });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/', 303);
    },
  );

  // Mail that could not leave (no SMTP): administrators read it here. Reading is journaled.
  app.get('/admin/courriels', { config: { access: 'admin' } }, async (request, reply) => {
    const rows = await takeOutbox(db);
    await audit(db, { actor: request.actor, action: 'mail.outbox.read', ip: request.ip });
    return reply.header('cache-control', 'no-store').page(
      { title: 'Courriels envoyés' },
      <OutboxPage
        smtp={Boolean(config.smtpUrl)}
        mails={rows.map((r) => ({
          id: r.id,
          recipient: r.recipient,
          subject: r.subject,
          body: r.body,
          status: r.status,
          createdAt: r.created_at,
          headers: r.headers,
          attachments: r.attachments,
        }))}
      />,
    );
  });
}
