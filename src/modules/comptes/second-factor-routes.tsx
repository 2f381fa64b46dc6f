import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import {
  checkTotp,
  enrolmentQr,
  groupedSecret,
  newRecoveryCodes,
  newTotpSecret,
  useRecoveryCode,
  useTotpCode,
} from '../../platform/auth/second-factor.ts';
import type { RouteContext } from '../../platform/module.ts';
import { countFailedCode, finishSignIn, loadPending, type PendingSignIn } from './signin.ts';
import { CodePage, EnrolPage, RecoveryCodesPage } from './views.tsx';

const RECOVERY_CODE = /^[a-z0-9]{4}-?[a-z0-9]{4}-?[a-z0-9]{4}$/i;
const WRONG_CODE =
  'Ce code n’est pas valable. Vérifiez l’heure de votre téléphone et saisissez le code affiché maintenant.';
const EXPIRED = 'Votre connexion a expiré ou a connu trop d’essais : recommencez.';

/** The second step of sign-in: a TOTP code (or a recovery code), or enrolling an app. */
export function secondFactorRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const restart = (reply: FastifyReply) => reply.redirect('/connexion', 303);

  app.get('/connexion/code', async (request, reply) => {
    const pending = await loadPending(db, request);
    if (!pending) return restart(reply);
    if (!pending.hasTotp) return reply.redirect('/connexion/activer', 303);
    return reply.page({ title: 'Code de sécurité' }, <CodePage csrf={reply.generateCsrf()} />);
  });

  app.post('/connexion/code', async (request, reply) => {
    const pending = await loadPending(db, request);
    if (!pending?.hasTotp) return restart(reply);
    const code = String((request.body as { code?: string })?.code ?? '').trim();
    const isRecovery = RECOVERY_CODE.test(code) && !/^\d+$/.test(code);
    const accepted = isRecovery
      ? await useRecoveryCode(db, pending.userId, code)
      : await useTotpCode(db, pending.userId, code);
    if (accepted) {
      await finishSignIn(db, config, request, reply, pending, isRecovery ? 'recovery-code' : 'totp');
      return reply.redirect('/espace', 303);
    }
    return refuseCode(request, reply, pending, isRecovery ? 'recovery-code' : 'totp', (error) => (
      <CodePage csrf={reply.generateCsrf()} error={error} />
    ));
  });

  /** Journals a wrong code and shows the form again, or sends back to the start after too many. */
  async function refuseCode(
    request: FastifyRequest,
    reply: FastifyReply,
    pending: PendingSignIn,
    kind: string,
    form: (error: string) => JSX.Element,
  ) {
    const usedUp = await countFailedCode(db, pending);
    await audit(db, {
      actor: request.actor,
      action: 'auth.second_factor.failure',
      subject: { type: 'user', id: pending.userId },
      ip: request.ip,
      details: { kind, usedUp },
    });
    if (usedUp) {
      return reply.page(
        { title: 'Connexion expirée', status: 401 },
        <>
          <h1>Connexion expirée</h1>
          <p>{EXPIRED}</p>
          <p>
            <a href="/connexion">Se connecter</a>
          </p>
        </>,
      );
    }
    return reply.page({ title: 'Code de sécurité', hasErrors: true, status: 401 }, form(WRONG_CODE));
  }

  const enrolPage = async (reply: FastifyReply, pending: PendingSignIn, error?: string) => {
    let secret = pending.enrolSecret;
    if (!secret) {
      secret = newTotpSecret();
      await db
        .updateTable('pending_signin')
        .set({ enrol_secret: secret })
        .where('id', '=', pending.key)
        .execute();
    }
    const qr = await enrolmentQr(secret, pending.email);
    return reply.page(
      { title: 'Activer la double authentification', hasErrors: Boolean(error), status: error ? 400 : 200 },
      <EnrolPage
        csrf={reply.generateCsrf()}
        safeQrSvg={qr.svg}
        groupedSecret={groupedSecret(secret)}
        error={error}
      />,
    );
  };

  app.get('/connexion/activer', async (request, reply) => {
    const pending = await loadPending(db, request);
    if (!pending) return restart(reply);
    if (pending.hasTotp) return reply.redirect('/connexion/code', 303);
    return enrolPage(reply, pending);
  });

  app.post('/connexion/activer', async (request, reply) => {
    const pending = await loadPending(db, request);
    if (!pending || pending.hasTotp || !pending.enrolSecret) return restart(reply);
    const code = String((request.body as { code?: string })?.code ?? '');
    const step = await checkTotp(pending.enrolSecret, code);
    if (step === null) {
      const usedUp = await countFailedCode(db, pending);
      if (usedUp) return restart(reply);
      return enrolPage(reply, { ...pending, attempts: pending.attempts + 1 }, WRONG_CODE);
    }
    await db
      .updateTable('app_user')
      .set({ totp_secret: pending.enrolSecret, totp_last_step: step })
      .where('id', '=', pending.userId)
      .execute();
    const codes = await newRecoveryCodes(db, pending.userId);
    await audit(db, {
      actor: request.actor,
      action: 'auth.totp.enrolled',
      subject: { type: 'user', id: pending.userId },
      ip: request.ip,
    });
    await finishSignIn(db, config, request, reply, pending, 'enrolment');
    reply.header('cache-control', 'no-store');
    return reply.page({ title: 'Vos codes de secours' }, <RecoveryCodesPage codes={codes} />);
  });
}
