import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import { lastValue, parseForm, type RouteInput, textFields } from '../../platform/forms.ts';
import { uploadedFileName } from '../../platform/http/uploads.ts';
import { parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { getOpsn } from '../territoires/index.ts';
import {
  actionDetail,
  actionsFinances,
  addCofinancing,
  addGrant,
  addPorteur,
  cofinancingFields,
  grantFields,
  grantOf,
  grantStatusFields,
  porteurFields,
  removeCofinancing,
  removePorteur,
  setGrantStatus,
} from './action-finance.ts';
import { currentMembers } from './members.ts';
import { roadmapOf, roadmapsWithProgress } from './roadmap.ts';
import { roadmapDocumentFile, roadmapDocuments, uploadRoadmapDocument } from './roadmap-documents.ts';
import { roadmapCouncilPdf } from './roadmap-pdf.ts';
import { ActionFinancePage, GrantPage, RoadmapDocumentsPage } from './roadmap-views.tsx';

/**
 * The routes of an action's porteurs, co-financings and grant requests, of a roadmap's versioned
 * document and of its PDF for the council. Registered by routes.tsx with its page helpers.
 */

const FLASH: Record<string, string> = {
  porteur: 'Le porteur est ajouté.',
  porteur_retire: 'Le porteur est retiré.',
  cofinancement: 'Le cofinancement est ajouté.',
  cofinancement_retire: 'Le cofinancement est retiré.',
  subvention: 'La demande de subvention est enregistrée.',
  subvention_statut: 'Le statut de la demande de subvention est changé.',
  document: 'La nouvelle version du document est enregistrée.',
};

type Helpers = {
  db: Db;
  adminFormPage: (reply: FastifyReply, title: string, errors: FieldErrors, body: JSX.Element) => unknown;
};

export function roadmapFinanceRoutes(app: FastifyInstance, { db, adminFormPage }: Helpers): void {
  const flashOf = (request: FastifyRequest<RouteInput>) => {
    const ok = lastValue(request.query.ok);
    return ok ? FLASH[ok] : undefined;
  };
  const memberChoices = async () => (await currentMembers(db)).map((m) => ({ value: m.id, label: m.nom }));

  // ------------------------------------------------------------ an action's finances

  const actionPage = async (
    request: FastifyRequest<RouteInput<'action'>>,
    reply: FastifyReply,
    values: Record<string, string> = {},
    errors: FieldErrors = {},
  ) => {
    const action = await actionDetail(db, request.actor, request.params.action);
    if (!action) return reply.callNotFound();
    return adminFormPage(
      reply,
      action.titre,
      errors,
      <ActionFinancePage
        action={action}
        members={await memberChoices()}
        values={values}
        errors={errors}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );
  };
  const backTo = (actionId: string, ok: string) => `/admin/reseau/actions/${actionId}?ok=${ok}`;

  app.get<RouteInput<'action'>>(
    '/admin/reseau/actions/:action',
    { config: { access: 'admin' } },
    (request, reply) => actionPage(request, reply),
  );

  app.post<RouteInput<'action'>>(
    '/admin/reseau/actions/:action/porteurs',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(porteurFields, request.body);
      if (!form.ok) return actionPage(request, reply, values, form.errors);
      const done = await addPorteur(db, request.actor, request.params.action, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return actionPage(request, reply, values, done);
      return reply.redirect(backTo(request.params.action, 'porteur'), 303);
    },
  );

  app.post<RouteInput<'action' | 'membre'>>(
    '/admin/reseau/actions/:action/porteurs/:membre/retrait',
    { config: { access: 'admin' } },
    async (request, reply) => {
      if (!(await removePorteur(db, request.actor, request.params.action, request.params.membre)))
        return reply.callNotFound();
      return reply.redirect(backTo(request.params.action, 'porteur_retire'), 303);
    },
  );

  app.post<RouteInput<'action'>>(
    '/admin/reseau/actions/:action/cofinancements',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(cofinancingFields, request.body);
      if (!form.ok) return actionPage(request, reply, values, form.errors);
      const done = await addCofinancing(db, request.actor, request.params.action, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (done !== 'ok') return actionPage(request, reply, values, done);
      return reply.redirect(backTo(request.params.action, 'cofinancement'), 303);
    },
  );

  app.post<RouteInput<'action' | 'cofinancement'>>(
    '/admin/reseau/actions/:action/cofinancements/:cofinancement/retrait',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const { action, cofinancement } = request.params;
      if (!(await removeCofinancing(db, request.actor, action, cofinancement))) return reply.callNotFound();
      return reply.redirect(backTo(action, 'cofinancement_retire'), 303);
    },
  );

  app.post<RouteInput<'action'>>(
    '/admin/reseau/actions/:action/subventions',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(grantFields, request.body);
      if (!form.ok) return actionPage(request, reply, values, form.errors);
      if ((await addGrant(db, request.actor, request.params.action, form.data)) === 'not_found')
        return reply.callNotFound();
      return reply.redirect(backTo(request.params.action, 'subvention'), 303);
    },
  );

  const grantPage = async (
    request: FastifyRequest<RouteInput<'demande'>>,
    reply: FastifyReply,
    values?: Record<string, string>,
    errors: FieldErrors = {},
  ) => {
    const grant = await grantOf(db, request.actor, request.params.demande);
    if (!grant) return reply.callNotFound();
    return adminFormPage(
      reply,
      `Demande de subvention : ${grant.financeur}`,
      errors,
      <GrantPage
        grant={grant}
        values={
          values ?? {
            statut: grant.status,
            decision: grant.decision_le ?? '',
            accorde: grant.montant_accorde === null ? '' : String(grant.montant_accorde),
          }
        }
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<RouteInput<'demande'>>(
    '/admin/reseau/subventions/:demande',
    { config: { access: 'admin' } },
    (request, reply) => grantPage(request, reply),
  );

  app.post<RouteInput<'demande'>>(
    '/admin/reseau/subventions/:demande',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const values = textFields(request.body);
      const form = parseForm(grantStatusFields, request.body);
      if (!form.ok) return grantPage(request, reply, values, form.errors);
      const done = await setGrantStatus(db, request.actor, request.params.demande, form.data);
      if (done === 'not_found') return reply.callNotFound();
      if (!done.ok) return grantPage(request, reply, values, done.errors);
      return reply.redirect(backTo(done.action, 'subvention_statut'), 303);
    },
  );

  // ------------------------------------------------------------ a roadmap's document

  const documentsPage = async (
    request: FastifyRequest<RouteInput<'feuille'>>,
    reply: FastifyReply,
    errors: FieldErrors = {},
  ) => {
    // The coordination's page: roadmapOf checks the actor runs the network.
    const roadmap = await roadmapOf(db, request.actor, request.params.feuille);
    const found = roadmap ? await roadmapDocuments(db, request.actor, roadmap.id) : undefined;
    if (!found) return reply.callNotFound();
    return adminFormPage(
      reply,
      `Document de ${found.roadmap.nom}`,
      errors,
      <RoadmapDocumentsPage
        roadmap={found.roadmap}
        documents={found.documents}
        errors={errors}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
      />,
    );
  };

  app.get<RouteInput<'feuille'>>(
    '/admin/reseau/feuilles-de-route/:feuille/documents',
    { config: { access: 'admin' } },
    (request, reply) => documentsPage(request, reply),
  );

  app.post<RouteInput<'feuille'>>(
    '/admin/reseau/feuilles-de-route/:feuille/documents',
    { config: { access: 'admin', files: true } },
    async (request, reply) => {
      const file = request.body?.document;
      if (!Buffer.isBuffer(file) || file.length === 0)
        return documentsPage(request, reply, { document: 'Choisissez le document PDF à envoyer.' });
      const done = await uploadRoadmapDocument(db, request.actor, request.params.feuille, {
        bytes: file,
        name: uploadedFileName(file),
      });
      if (done === 'not_found') return reply.callNotFound();
      if (!done.ok) return documentsPage(request, reply, { document: done.reason });
      return reply.redirect(
        `/admin/reseau/feuilles-de-route/${request.params.feuille}/documents?ok=document`,
        303,
      );
    },
  );

  // Public when the roadmap is: roadmapDocumentFile answers only those who may read it.
  app.get<RouteInput<'feuille' | 'document'>>(
    '/reseau/feuilles-de-route/:feuille/documents/:document',
    { config: { access: 'public' } },
    async (request, reply) => {
      const file = await roadmapDocumentFile(
        db,
        request.actor,
        request.params.feuille,
        request.params.document,
      );
      if (!file) return reply.callNotFound();
      const name = file.nom.replace(/["\\\r\n]/g, '_');
      return reply
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header(
          'content-disposition',
          `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.nom)}`,
        )
        .header('cache-control', file.publique ? 'public, max-age=86400' : 'private, no-store')
        .type('application/pdf')
        .send(file.bytes);
    },
  );

  // ------------------------------------------------------------ the council's PDF

  app.get<RouteInput<'feuille'>>(
    '/admin/reseau/feuilles-de-route/:feuille/conseil.pdf',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const found = await roadmapOf(db, request.actor, request.params.feuille);
      if (!found) return reply.callNotFound();
      const roadmap = (await roadmapsWithProgress(db)).find((r) => r.id === found.id);
      if (!roadmap) return reply.callNotFound();
      const [finances, opsn] = await Promise.all([
        actionsFinances(
          db,
          roadmap.actions.map((a) => a.id),
        ),
        getOpsn(db),
      ]);
      const pdf = await roadmapCouncilPdf(roadmap, new Map(finances), opsn?.name ?? 'L’OPSN');
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="feuille-de-route-${parisToday()}.pdf"`)
        .type('application/pdf')
        .send(pdf);
    },
  );
}
