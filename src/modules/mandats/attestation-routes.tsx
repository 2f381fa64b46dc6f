import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteInput } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import {
  type AttestationDocument,
  attestationPdf,
  mandateAttestation,
  revocationAttestation,
  verificationQrSvg,
} from './attestation.ts';
import { AttestationPage } from './attestation-views.tsx';
import { loadVisibleMandate } from './mandate-routes.tsx';
import { type Mandate, recordMandateRead } from './service.ts';

const crumbs = (m: Mandate) => [
  { href: '/espace', label: 'Mon espace' },
  { href: '/mandats', label: 'Mandats' },
  { href: `/mandats/${m.id}`, label: `Mandat de ${m.prenom} ${m.nom}` },
];

export function attestationRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  /** A mandate waiting for consent (or refused) has no attestation yet. */
  function noAttestation(reply: FastifyReply, m: Mandate) {
    return reply.page(
      { title: 'Pas d’attestation', status: 409, breadcrumbs: crumbs(m) },
      <>
        <h1>Ce mandat n’a pas d’attestation</h1>
        <p>
          L’attestation existe dès que la personne a donné son accord. Ce mandat attend encore son accord, ou
          il a été annulé.
        </p>
        <p>
          <a href={`/mandats/${m.id}`}>Retour au mandat</a>
        </p>
      </>,
    );
  }

  async function printPage(reply: FastifyReply, m: Mandate, document: AttestationDocument, pdfHref: string) {
    reply.header('cache-control', 'no-store');
    return reply.page(
      { title: `${document.title} – ${m.prenom} ${m.nom}`, breadcrumbs: crumbs(m) },
      <AttestationPage
        document={document}
        safeQrSvg={await verificationQrSvg(document.verifyUrl)}
        pdfHref={pdfHref}
        backHref={`/mandats/${m.id}`}
      />,
    );
  }

  async function pdf(reply: FastifyReply, document: AttestationDocument, fileName: string) {
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${fileName}"`)
      .header('cache-control', 'no-store')
      .send(await attestationPdf(document));
  }

  app.get<RouteInput<'mandat'>>(
    '/mandats/:mandat/attestation',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await loadVisibleMandate(db, request);
      if (!found) return reply.callNotFound();
      if (!found.m.empreinte) return noAttestation(reply, found.m);
      await recordMandateRead(db, found.helper, found.m, 'attestation');
      const document = await mandateAttestation(db, found.m, config.publicUrl);
      return printPage(reply, found.m, document, `/mandats/${found.m.id}/attestation.pdf`);
    },
  );

  app.get<RouteInput<'mandat'>>(
    '/mandats/:mandat/attestation.pdf',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await loadVisibleMandate(db, request);
      if (!found) return reply.callNotFound();
      if (!found.m.empreinte) return noAttestation(reply, found.m);
      await recordMandateRead(db, found.helper, found.m, 'attestation PDF');
      const document = await mandateAttestation(db, found.m, config.publicUrl);
      return pdf(reply, document, `attestation-mandat-${found.m.empreinte.slice(0, 12)}.pdf`);
    },
  );

  /** The revocation of the address, when it belongs to a mandate the helper may see. */
  async function loadRevocation(request: FastifyRequest<RouteInput<'mandat' | 'revocation'>>) {
    const found = await loadVisibleMandate(db, request);
    const id = request.params.revocation;
    if (!found || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    const document = await revocationAttestation(db, found.m, id, config.publicUrl);
    return document ? { ...found, id, document } : null;
  }

  app.get<RouteInput<'mandat' | 'revocation'>>(
    '/mandats/:mandat/revocations/:revocation',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await loadRevocation(request);
      if (!found) return reply.callNotFound();
      await recordMandateRead(db, found.helper, found.m, 'attestation de révocation');
      return printPage(
        reply,
        found.m,
        found.document,
        `/mandats/${found.m.id}/revocations/${found.id}/attestation.pdf`,
      );
    },
  );

  app.get<RouteInput<'mandat' | 'revocation'>>(
    '/mandats/:mandat/revocations/:revocation/attestation.pdf',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await loadRevocation(request);
      if (!found) return reply.callNotFound();
      await recordMandateRead(db, found.helper, found.m, 'attestation de révocation PDF');
      return pdf(
        reply,
        found.document,
        `attestation-revocation-${found.document.fingerprint.slice(0, 12)}.pdf`,
      );
    },
  );
}
