import type { FastifyInstance } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import { acceptInvitation, findOpenInvitation } from '../../platform/auth/invitations.ts';
import type { RouteInput } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { newPasswordErrors } from './password-routes.tsx';
import { accountActor, completeFirstFactor } from './signin.ts';
import { InvalidLinkPage, InvitationPage } from './views.tsx';

/** The invitation link: the person chooses a password, then enrols a TOTP app. */
export function invitationRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const invalid = (reply: import('fastify').FastifyReply) =>
    reply.page({ title: 'Lien non valable', status: 410 }, <InvalidLinkPage />);

  app.get<RouteInput<'token'>>(
    '/invitation/:token',
    { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { token } = request.params;
      const invitation = await findOpenInvitation(db, token);
      if (!invitation) return invalid(reply);
      return reply.page(
        { title: 'Créer votre accès' },
        <InvitationPage
          csrf={reply.generateCsrf()}
          token={token}
          name={invitation.name}
          email={invitation.email}
        />,
      );
    },
  );

  app.post<RouteInput<'token'>>(
    '/invitation/:token',
    { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { token } = request.params;
      const invitation = await findOpenInvitation(db, token);
      if (!invitation) return invalid(reply);
      const errors = newPasswordErrors(request.body, [invitation.email, invitation.name]);
      if (Object.keys(errors).length > 0) {
        return reply.page(
          { title: 'Créer votre accès', hasErrors: true, status: 400 },
          <InvitationPage
            csrf={reply.generateCsrf()}
            token={token}
            name={invitation.name}
            email={invitation.email}
            errors={errors}
          />,
        );
      }
      const password = String(request.body?.password);
      if (!(await acceptInvitation(db, invitation, password))) return invalid(reply);
      await audit(db, {
        actor: await accountActor(db, invitation.userId),
        action: 'auth.invitation.accepted',
        subject: { type: 'user', id: invitation.userId },
        ip: request.ip,
      });
      return completeFirstFactor(db, config, request, reply, invitation.userId, 'password');
    },
  );
}
