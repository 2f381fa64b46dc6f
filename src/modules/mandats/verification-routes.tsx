import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteInput } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { UnknownFingerprint, VerificationForm, VerificationResult } from './attestation-views.tsx';
import { verificationOf } from './service.ts';

/** Guessing a fingerprint is hopeless (2^256), but probing is still slowed down. */
const PROBE_LIMIT = { max: 20, timeWindow: '1 minute' };

const normalise = (value: string) => value.replace(/\s+/g, '').toLowerCase();

/** These pages are reached from paper: never indexed, never cached, never leaked by referrer. */
function privateHeaders(reply: FastifyReply): void {
  reply
    .header('x-robots-tag', 'noindex, nofollow')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer');
}

export function verificationRoutes(app: FastifyInstance, { db }: RouteContext): void {
  app.get<RouteInput>(
    '/mandats/verifier',
    { config: { access: 'public', rateLimit: PROBE_LIMIT } },
    async (request, reply) => {
      privateHeaders(reply);
      const typed = request.query.empreinte;
      if (typed === undefined)
        return reply.page({ title: 'Vérifier un mandat' }, <VerificationForm value="" errors={{}} />);
      const fingerprint = normalise(String(typed));
      if (/^[0-9a-f]{64}$/.test(fingerprint)) return reply.redirect(`/mandats/verifier/${fingerprint}`, 303);
      const errors = {
        empreinte:
          fingerprint === ''
            ? 'Saisissez l’empreinte imprimée sur l’attestation.'
            : 'L’empreinte compte 64 caractères, chiffres et lettres de a à f : vérifiez-la.',
      };
      return reply.page(
        { title: 'Vérifier un mandat', status: 400, hasErrors: true },
        <VerificationForm value={String(typed).slice(0, 200)} errors={errors} />,
      );
    },
  );

  app.get<RouteInput<'empreinte'>>(
    '/mandats/verifier/:empreinte',
    { config: { access: 'public', rateLimit: PROBE_LIMIT } },
    async (request, reply) => {
      privateHeaders(reply);
      const v = await verificationOf(db, normalise(request.params.empreinte));
      if (!v) return reply.page({ title: 'Mandat inconnu', status: 404 }, <UnknownFingerprint />);
      return reply.page({ title: 'Vérification d’un mandat' }, <VerificationResult v={v} />);
    },
  );
}
