import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import { passwordProblem } from '../../platform/auth/password-policy.ts';
import { completeReset, findReset, requestReset } from '../../platform/auth/password-reset.ts';
import type { Fields, RouteInput } from '../../platform/forms.ts';
import { sendMail } from '../../platform/mail.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { accountActor } from './signin.ts';
import { ForgotPasswordPage, InvalidLinkPage, PasswordChangedPage, ResetPasswordPage } from './views.tsx';

/** Errors of a new password and its confirmation, or none. */
export function newPasswordErrors(body: Fields | undefined, userInputs: string[]): FieldErrors {
  const { password = '', confirmation = '' } = body ?? {};
  const problem = passwordProblem(String(password), [...userInputs, 'relais']);
  if (problem) return { password: problem };
  if (password !== confirmation) return { confirmation: 'Les deux mots de passe ne sont pas identiques.' };
  return {};
}

export function passwordRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  /** Work left running after an answer; the app waits for it before closing. */
  const running = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled(running);
  });
  function inBackground(request: FastifyRequest, work: () => Promise<void>) {
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => request.log.error({ err: error }, 'password reset mail failed'))
      .finally(() => running.delete(task));
    running.add(task);
  }

  async function sendResetLink(request: FastifyRequest, email: string) {
    const reset = await requestReset(db, email);
    if (!reset) return;
    await audit(db, {
      actor: request.actor,
      action: 'auth.password_reset.request',
      subject: { type: 'user', id: reset.userId },
      ip: request.ip,
    });
    await sendMail(db, config, {
      to: reset.email,
      subject: 'Relais : choisir un nouveau mot de passe',
      text: [
        'Bonjour,',
        '',
        'Pour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une seule fois) :',
        `${config.publicUrl}/mot-de-passe/${reset.token}`,
        '',
        'Si vous n’avez rien demandé, ignorez ce message : votre mot de passe ne change pas.',
      ].join('\n'),
      oneTime: true,
    });
  }

  app.get<RouteInput>('/mot-de-passe-oublie', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page({ title: 'Mot de passe oublié' }, <ForgotPasswordPage csrf={reply.generateCsrf()} />),
  );

  app.post<RouteInput>(
    '/mot-de-passe-oublie',
    { config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const email = String(request.body?.email ?? '').trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        return reply.page(
          { title: 'Mot de passe oublié', hasErrors: true, status: 400 },
          <ForgotPasswordPage
            csrf={reply.generateCsrf()}
            errors={{ email: 'Saisissez une adresse e-mail valide.' }}
          />,
        );
      }
      // The link is made and mailed after the answer, so that its time tells nothing.
      inBackground(request, () => sendResetLink(request, email));
      // The same answer whether the account exists or not.
      return reply.page(
        { title: 'Mot de passe oublié' },
        <ForgotPasswordPage csrf={reply.generateCsrf()} sent />,
      );
    },
  );

  app.get<RouteInput<'token'>>(
    '/mot-de-passe/:token',
    { config: { access: 'public' } },
    async (request, reply) => {
      const { token } = request.params;
      if (!(await findReset(db, token)))
        return reply.page({ title: 'Lien non valable', status: 410 }, <InvalidLinkPage />);
      return reply.page(
        { title: 'Nouveau mot de passe' },
        <ResetPasswordPage csrf={reply.generateCsrf()} token={token} />,
      );
    },
  );

  app.post<RouteInput<'token'>>(
    '/mot-de-passe/:token',
    { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { token } = request.params;
      const reset = await findReset(db, token);
      if (!reset) return reply.page({ title: 'Lien non valable', status: 410 }, <InvalidLinkPage />);
      const errors = newPasswordErrors(request.body, [reset.email]);
      if (Object.keys(errors).length > 0) {
        return reply.page(
          { title: 'Nouveau mot de passe', hasErrors: true, status: 400 },
          <ResetPasswordPage csrf={reply.generateCsrf()} token={token} errors={errors} />,
        );
      }
      const userId = await completeReset(db, token, String(request.body?.password));
      if (!userId) return reply.page({ title: 'Lien non valable', status: 410 }, <InvalidLinkPage />);
      await audit(db, {
        actor: await accountActor(db, userId),
        action: 'auth.password_reset',
        subject: { type: 'user', id: userId },
        ip: request.ip,
      });
      return reply.page({ title: 'Mot de passe changé' }, <PasswordChangedPage />);
    },
  );
}
