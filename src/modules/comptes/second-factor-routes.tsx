import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../platform/audit/journal.ts';
import { checkCodeCounted } from '../../platform/auth/lockout.ts';
import {
  checkTotp,
  enrolmentQr,
  groupedSecret,
  newRecoveryCodes,
  newTotpSecret,
  useRecoveryCode,
  useTotpCode,
} from '../../platform/auth/second-factor.ts';
import { sealSecret } from '../../platform/auth/secret-box.ts';
import type { RouteInput } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { warnOfLockout } from './lockout-mail.ts';
import {
  accountActor,
  countFailedCode,
  dropPending,
  finishSignIn,
  loadPending,
  type PendingSignIn,
} from './signin.ts';
import { CodePage, EnrolPage, LockedPage, RecoveryCodesPage } from './views.tsx';

const RECOVERY_CODE = /^[a-z0-9]{4}-?[a-z0-9]{4}-?[a-z0-9]{4}$/i;
const WRONG_CODE =
  'Ce code n’est pas valable. Vérifiez l’heure de votre téléphone et saisissez le code affiché maintenant.';
const EXPIRED = 'Votre connexion a expiré ou a connu trop d’essais : recommencez.';

/** Per address, as for the password: the per-account count (lockout.ts) bounds the rest. */
const secondStepRateLimit = { max: 10, timeWindow: '1 minute' };

/** The second step of sign-in: a TOTP code (or a recovery code), or enrolling an app. */
export function secondFactorRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const restart = (reply: FastifyReply) => reply.redirect('/connexion', 303);

  app.get<RouteInput>('/connexion/code', { config: { access: 'public' } }, async (request, reply) => {
    const pending = await loadPending(db, request);
    if (!pending) return restart(reply);
    if (!pending.hasTotp) return reply.redirect('/connexion/activer', 303);
    return reply.page(
      { title: 'Code de sécurité' },
      <CodePage csrf={reply.generateCsrf()} linking={pending.confirmAction !== null} />,
    );
  });

  app.post<RouteInput>(
    '/connexion/code',
    { config: { access: 'public', rateLimit: secondStepRateLimit } },
    async (request, reply) => {
      const pending = await loadPending(db, request);
      if (!pending?.hasTotp) return restart(reply);
      const code = String(request.body?.code ?? '').trim();
      const isRecovery = RECOVERY_CODE.test(code) && !/^\d+$/.test(code);
      // Counted before the check: however many requests arrive at once, few codes are checked.
      const result = await checkCodeCounted(db, pending.userId, () =>
        isRecovery ? useRecoveryCode(db, pending.userId, code) : useTotpCode(db, pending.userId, code),
      );
      if (result.outcome === 'locked') {
        await dropPending(db, pending);
        return reply.page({ title: 'Connexion bloquée', status: 401 }, <LockedPage />);
      }
      if (result.outcome === 'accepted') {
        await finishSignIn(db, config, request, reply, pending, isRecovery ? 'recovery-code' : 'totp');
        return reply.redirect('/espace', 303);
      }
      if (result.lockedUntil) {
        await warnOfLockout(db, config, request, pending.userId, 'code', result.lockedUntil);
        await dropPending(db, pending);
      }
      return refuseCode(request, reply, pending, isRecovery ? 'recovery-code' : 'totp', (error) => (
        <CodePage csrf={reply.generateCsrf()} error={error} linking={pending.confirmAction !== null} />
      ));
    },
  );

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
        .set({ enrol_secret: sealSecret(db, secret) })
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

  app.get<RouteInput>('/connexion/activer', { config: { access: 'public' } }, async (request, reply) => {
    const pending = await loadPending(db, request);
    if (!pending) return restart(reply);
    if (pending.hasTotp) return reply.redirect('/connexion/code', 303);
    return enrolPage(reply, pending);
  });

  app.post<RouteInput>(
    '/connexion/activer',
    { config: { access: 'public', rateLimit: secondStepRateLimit } },
    async (request, reply) => {
      const pending = await loadPending(db, request);
      if (!pending || pending.hasTotp || !pending.enrolSecret) return restart(reply);
      const code = String(request.body?.code ?? '');
      const step = await checkTotp(pending.enrolSecret, code);
      if (step === null) {
        const usedUp = await countFailedCode(db, pending);
        if (usedUp) return restart(reply);
        return enrolPage(reply, pending, WRONG_CODE);
      }
      await db
        .updateTable('app_user')
        .set({ totp_secret: sealSecret(db, pending.enrolSecret), totp_last_step: step })
        .where('id', '=', pending.userId)
        .execute();
      const codes = await newRecoveryCodes(db, pending.userId);
      await audit(db, {
        actor: await accountActor(db, pending.userId),
        action: 'auth.totp.enrolled',
        subject: { type: 'user', id: pending.userId },
        ip: request.ip,
      });
      await finishSignIn(db, config, request, reply, pending, 'enrolment');
      reply.header('cache-control', 'no-store');
      return reply.page({ title: 'Vos codes de secours' }, <RecoveryCodesPage codes={codes} />);
    },
  );
}
