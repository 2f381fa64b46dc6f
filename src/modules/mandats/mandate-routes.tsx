import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import { type RouteInput, textFields, textOf } from '../../platform/forms.ts';
import { maskPhone } from '../../platform/messaging/index.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { displayNameOf, findVisibleBeneficiary } from '../beneficiaires/index.ts';
import { placeSummaryOf } from '../lieux/index.ts';
import { type Helper, helperPlaces } from '../mediateurs/index.ts';
import { cancelPendingRequest } from './creation.ts';
import { createDraft, renewalData } from './draft.ts';
import { requireHabilitatedHelper } from './habilitation.ts';
import { DetailPage, type ListFilters, ListPage, type MandateDetail, RevokePage } from './mandate-views.tsx';
import {
  authorisationsOf,
  declareUse,
  effectiveStatus,
  findVisibleMandate,
  listMandates,
  type Mandate,
  recordListRead,
  recordMandateRead,
  revocationsOf,
  revokeMandate,
  usesOf,
} from './service.ts';
import { DEMANDEURS, type Demandeur, STATUTS, type Statut } from './vocabulary.ts';

const CRUMBS: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/mandats', label: 'Mandats' },
];

const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** The habilitated helper and the mandate of the address (`:mandat`), when they may see it. */
export async function loadVisibleMandate(
  db: Db,
  request: FastifyRequest<RouteInput<'mandat'>>,
): Promise<{ helper: Helper; m: Mandate } | null> {
  const helper = await requireHabilitatedHelper(db, request.actor);
  const m = await findVisibleMandate(db, helper, request.params.mandat);
  return m ? { helper, m } : null;
}

export function mandateRoutes(app: FastifyInstance, { db }: RouteContext): void {
  const load = (request: FastifyRequest<RouteInput<'mandat'>>) => loadVisibleMandate(db, request);

  app.get<RouteInput>('/mandats', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = await requireHabilitatedHelper(db, request.actor);
    const q = textFields(request.query);
    const places = await helperPlaces(db, helper.userId);
    const person = q.beneficiaire ? await findVisibleBeneficiary(db, helper, q.beneficiaire) : undefined;
    if (q.beneficiaire && !person) return reply.callNotFound();
    const filters: ListFilters = {
      vue: q.vue === 'structure' || person ? 'structure' : 'mes',
      lieu: places.some((p) => p.id === q.lieu) ? (q.lieu as string) : '',
      statut: q.statut && Object.hasOwn(STATUTS, q.statut) ? q.statut : '',
      beneficiaire: person?.id,
    };
    const listFilter = {
      vue: filters.vue,
      lieuId: filters.lieu || undefined,
      beneficiaireId: person?.id,
      statut: (filters.statut || undefined) as Statut | undefined,
    };
    const rows = await listMandates(db, helper, listFilter);
    await recordListRead(db, helper, listFilter, rows.length, request.ip);
    const personName = person ? displayNameOf(person) : undefined;
    return reply.page(
      { title: personName ? `Mandats de ${personName}` : 'Mandats', breadcrumbs: CRUMBS.slice(0, 1) },
      <ListPage rows={rows} filters={filters} places={places} personName={personName} />,
    );
  });

  async function detailPage(
    reply: FastifyReply,
    helper: Helper,
    m: Mandate,
    extra: {
      flash?: string;
      errors?: FieldErrors;
      useValues?: { demarche?: string; description?: string };
    } = {},
  ) {
    const [place, helperRow, autorisations, uses, revocations, sms, beneficiary] = await Promise.all([
      placeSummaryOf(db, m.lieu_id),
      m.mediateur_id
        ? db.selectFrom('app_user').select('name').where('id', '=', m.mediateur_id).executeTakeFirst()
        : undefined,
      authorisationsOf(db, m.id),
      usesOf(db, m.id),
      revocationsOf(db, m.id),
      db
        .selectFrom('consentement_sms')
        .select(['status', 'sent_at', 'expires_at', 'telephone'])
        .where('mandat_id', '=', m.id)
        .orderBy('sent_at', 'desc')
        .executeTakeFirst(),
      m.beneficiaire_id ? findVisibleBeneficiary(db, helper, m.beneficiaire_id) : undefined,
    ]);
    const detail: MandateDetail = {
      m,
      statut: effectiveStatus(m),
      place,
      helperName: helperRow?.name ?? null,
      autorisations,
      uses,
      revocations,
      sms: sms && { ...sms, telephone: maskPhone(sms.telephone) },
      beneficiaryName: beneficiary ? displayNameOf(beneficiary) : undefined,
    };
    const errors = extra.errors ?? {};
    return reply.page(
      {
        title: `Mandat de ${m.prenom} ${m.nom}`,
        breadcrumbs: CRUMBS,
        hasErrors: Object.keys(errors).length > 0,
        status: Object.keys(errors).length > 0 ? 400 : 200,
      },
      <DetailPage
        detail={detail}
        csrf={reply.generateCsrf()}
        flash={extra.flash}
        errors={errors}
        useValues={extra.useValues ?? {}}
      />,
    );
  }

  app.get<RouteInput<'mandat'>>(
    '/mandats/:mandat',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await load(request);
      if (!found) return reply.callNotFound();
      await recordMandateRead(db, found.helper, found.m, 'fiche');
      return detailPage(reply, found.helper, found.m, { flash: textOf(request.query.ok) });
    },
  );

  app.post<RouteInput<'mandat'>>(
    '/mandats/:mandat/usages',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await load(request);
      if (!found) return reply.callNotFound();
      const body = request.body ?? {};
      const input = { demarche: String(body.demarche ?? ''), description: String(body.description ?? '') };
      const result = await declareUse(db, found.helper, found.m, input);
      if (!result.ok) {
        const field = /Décrivez|description|caractères/.test(result.reason) ? 'description' : 'demarche';
        return detailPage(reply, found.helper, found.m, {
          errors: { [field]: result.reason },
          useValues: input,
        });
      }
      return reply.redirect(`/mandats/${found.m.id}?ok=usage`, 303);
    },
  );

  async function revokePage(
    reply: FastifyReply,
    m: Mandate,
    errors: FieldErrors = {},
    values: { portee?: string; demarches?: string[]; demandeur?: string } = {},
  ) {
    const open = (await authorisationsOf(db, m.id))
      .filter((a) => a.revoked_at === null)
      .map((a) => a.demarche);
    return reply.page(
      {
        title: `Révoquer le mandat de ${m.prenom} ${m.nom}`,
        breadcrumbs: [...CRUMBS, { href: `/mandats/${m.id}`, label: `Mandat de ${m.prenom} ${m.nom}` }],
        hasErrors: Object.keys(errors).length > 0,
        status: Object.keys(errors).length > 0 ? 400 : 200,
      },
      <RevokePage m={m} open={open} csrf={reply.generateCsrf()} errors={errors} values={values} />,
    );
  }

  app.get<RouteInput<'mandat'>>(
    '/mandats/:mandat/revoquer',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await load(request);
      if (!found) return reply.callNotFound();
      if (effectiveStatus(found.m) !== 'actif') return reply.redirect(`/mandats/${found.m.id}`, 303);
      return revokePage(reply, found.m);
    },
  );

  app.post<RouteInput<'mandat'>>(
    '/mandats/:mandat/revoquer',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await load(request);
      if (!found) return reply.callNotFound();
      const body = request.body ?? {};
      const values = {
        portee: String(body.portee ?? ''),
        demarches: asList(body.demarches),
        demandeur: String(body.demandeur ?? ''),
      };
      const errors: FieldErrors = {};
      if (values.portee !== 'tout' && values.portee !== 'demarches')
        errors.portee = 'Choisissez de révoquer tout le mandat ou certaines démarches.';
      if (values.portee === 'demarches' && values.demarches.length === 0)
        errors.demarches = 'Cochez au moins une démarche à révoquer.';
      if (!Object.hasOwn(DEMANDEURS, values.demandeur))
        errors.demandeur = 'Indiquez qui demande la révocation.';
      if (Object.keys(errors).length > 0) return revokePage(reply, found.m, errors, values);
      const open = (await authorisationsOf(db, found.m.id))
        .filter((a) => a.revoked_at === null)
        .map((a) => a.demarche);
      const chosen = values.portee === 'tout' ? open : values.demarches;
      const result = await revokeMandate(db, found.helper, found.m, chosen, values.demandeur as Demandeur);
      if (!result.ok) return revokePage(reply, found.m, { demarches: result.reason }, values);
      return reply.redirect(`/mandats/${found.m.id}/revocations/${result.value}`, 303);
    },
  );

  // Renewal starts the flow again from the old mandate: the identity is checked anew.
  app.post<RouteInput<'mandat'>>(
    '/mandats/:mandat/renouveler',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await load(request);
      if (!found) return reply.callNotFound();
      if (effectiveStatus(found.m) === 'en_attente') return reply.redirect(`/mandats/${found.m.id}`, 303);
      const draftId = await createDraft(db, found.helper, renewalData(found.m));
      return reply.redirect(`/mandats/brouillons/${draftId}/personne`, 303);
    },
  );

  app.post<RouteInput<'mandat'>>(
    '/mandats/:mandat/annuler',
    { config: { access: { helperOf: 'mandat' } } },
    async (request, reply) => {
      const found = await load(request);
      if (!found) return reply.callNotFound();
      const result = await cancelPendingRequest(db, found.helper, found.m);
      if (!result.ok) return detailPage(reply, found.helper, found.m, { errors: { annuler: result.reason } });
      return reply.redirect(`/mandats/${found.m.id}?ok=annule`, 303);
    },
  );
}
