import type { FastifyInstance } from 'fastify';
import {
  allValues,
  labelsOf,
  lastValue,
  parseForm,
  type RouteInput,
  textFields,
} from '../../../platform/forms.ts';
import type { RouteContext } from '../../../platform/module.ts';
import { formatDay, parisToday } from '../../../platform/paris-time.ts';
import type { Crumb, FieldErrors } from '../../../platform/ui/components.tsx';
import { participationHistory, THEMATIQUES } from '../../activites/index.ts';
import { findVisibleBeneficiary, personChoiceLabel, recentBeneficiaries } from '../../beneficiaires/index.ts';
import { searchPlaces, searchSchema } from '../../lieux/index.ts';
import { type Helper, requireHelper } from '../../mediateurs/index.ts';
import type { ReferralFormValues } from '../components.tsx';
import {
  type Destination,
  DI_SERVICE_ID,
  destinationOf,
  type OutsideInput,
  outsideFields,
} from '../destination.ts';
import { countExport, exportRows, journalExport, sendReferrals } from '../export.ts';
import { referralFields } from '../fields.ts';
import { sentReferrals } from '../lists.ts';
import { withLoopClosed } from '../loop.ts';
import { flashOf, HOME, pageNumber, privatePage, statusOf } from '../route-helpers.ts';
import { readTimers } from '../timers.ts';
import { ORIGINS } from '../vocabulary.ts';
import { referralOfSender, sendConsentCopy, sendReferral, withdrawConsent } from './service.ts';
import { ChoosePlacePage, NewReferralPage, SenderReferralPage, SentListPage } from './views.tsx';

/** Sending a referral, and what its sender sees and does afterwards. */
export function sendingRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  const peopleChoices = async (helper: Helper, chosen?: string) => {
    const people = await recentBeneficiaries(db, helper, 100);
    const options = people.map((p) => ({ value: p.id, label: personChoiceLabel(p) }));
    if (chosen && !options.some((o) => o.value === chosen)) {
      const b = await findVisibleBeneficiary(db, helper, chosen);
      if (b && !b.anonyme) options.unshift({ value: b.id, label: personChoiceLabel(b) });
    }
    return options;
  };

  /** A service outside the territory as the form shows it before (or while) its snapshot is valid. */
  const outsideDraft = (v: ReferralFormValues): Destination => ({
    lieuId: null,
    diServiceId: v.di_service ?? null,
    name: 'une structure hors du territoire',
    address: v.di_adresse ?? '',
    services: [],
    email: v.di_courriel ?? null,
    phone: v.di_telephone ?? null,
    collectiviteId: null,
    criteria: [],
  });

  /** From an activity report: the reason starts from the person's last report that says « orientation : oui ». */
  const motifFromReport = async (helper: Helper, beneficiaire: string | undefined) => {
    if (!beneficiaire) return undefined;
    const person = await findVisibleBeneficiary(db, helper, beneficiaire);
    if (!person || person.anonyme) return undefined;
    const report = (await participationHistory(db, person.id)).find((p) => p.oriente);
    if (!report) return undefined;
    const themes = labelsOf(THEMATIQUES, report.thematiques ?? []);
    return `Orientation décidée lors de l’accompagnement du ${formatDay(String(report.date).slice(0, 10))}${themes ? ` (${themes})` : ''} : `;
  };

  app.get<RouteInput>('/orientations/nouvelle', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const beneficiaire = lastValue(request.query.beneficiaire);
    const origine =
      ORIGINS.find((o) => o === lastValue(request.query.origine)) ??
      (lastValue(request.query.lieu) ? 'lieu' : undefined);
    const lieu = lastValue(request.query.lieu);
    const di = lastValue(request.query.di)?.trim();
    const validDi = di !== undefined && DI_SERVICE_ID.test(di);
    const destination = lieu
      ? await destinationOf(db, lieu)
      : validDi
        ? outsideDraft({ di_service: di })
        : undefined;
    if (!destination) {
      const q = (lastValue(request.query.q) ?? '').trim().slice(0, 200);
      const parsed = searchSchema.safeParse({ q, limit: '20' });
      const hits = q && parsed.success ? (await searchPlaces(db, parsed.data)).hits : [];
      const diError =
        di !== undefined
          ? 'Identifiant data·inclusion : de la forme source--identifiant, par exemple dora--1234.'
          : undefined;
      return reply.page(
        {
          title: 'Orienter une personne',
          breadcrumbs: HOME,
          status: lieu ? 404 : diError ? 400 : 200,
          hasErrors: Boolean(diError),
        },
        <ChoosePlacePage
          beneficiaire={beneficiaire}
          origine={origine}
          q={q}
          hits={hits}
          di={di}
          diError={diError}
        />,
      );
    }
    const motif = origine === 'compte_rendu' ? await motifFromReport(helper, beneficiaire) : undefined;
    return reply.page(
      { title: `Orienter une personne vers ${destination.name}`, breadcrumbs: HOME },
      <NewReferralPage
        destination={destination}
        people={await peopleChoices(helper, beneficiaire)}
        values={{
          beneficiaire,
          origine,
          motif,
          di_service: destination.diServiceId ?? undefined,
          contact_preference: 'telephone',
          consent_mode: 'en_personne',
        }}
        errors={{}}
        csrf={reply.generateCsrf()}
        retentionMonths={(await readTimers(db)).retentionMonths}
      />,
    );
  });

  app.post<RouteInput>(
    '/orientations/nouvelle',
    { config: { access: 'helper', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const body = request.body ?? {};
      const values: ReferralFormValues = textFields(body);
      if (allValues(body.consentement).includes('oui')) values.consentement = 'oui';
      const isOutside = values.di_service !== undefined && !values.lieu;
      const destination = isOutside ? outsideDraft(values) : await destinationOf(db, values.lieu ?? '');
      if (!destination)
        return reply.page(
          { title: 'Orienter une personne', breadcrumbs: HOME, status: 400, hasErrors: true },
          <ChoosePlacePage beneficiaire={values.beneficiaire} q="" hits={[]} />,
        );
      const again = async (
        errors: FieldErrors,
        warnings?: Parameters<typeof NewReferralPage>[0]['warnings'],
      ) =>
        reply.page(
          {
            title: `Orienter une personne vers ${destination.name}`,
            breadcrumbs: HOME,
            status: warnings ? 409 : 400,
            hasErrors: Object.keys(errors).length > 0,
          },
          <NewReferralPage
            destination={destination}
            people={await peopleChoices(helper, values.beneficiaire)}
            values={values}
            errors={errors}
            warnings={warnings}
            csrf={reply.generateCsrf()}
            retentionMonths={(await readTimers(db)).retentionMonths}
          />,
        );
      let outside: OutsideInput | undefined;
      if (isOutside) {
        const snapshot = parseForm(outsideFields, body);
        const rest = parseForm(referralFields, { ...body, service: values.di_service_nom ?? '' });
        if (!snapshot.ok || !rest.ok)
          return again({ ...(snapshot.ok ? {} : snapshot.errors), ...(rest.ok ? {} : rest.errors) });
        outside = snapshot.data;
      }
      const form = parseForm(referralFields, outside ? { ...body, service: outside.di_service_nom } : body);
      if (!form.ok) return again(form.errors);
      const sent = await sendReferral(db, config, helper, form.data, outside);
      if (!sent.ok) return 'errors' in sent ? again(sent.errors) : again({}, sent.warnings);
      return reply.redirect(`/orientations/${sent.id}?ok=envoyee`, 303);
    },
  );

  app.get<RouteInput>('/orientations', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const status = statusOf(request.query.statut);
    const page = pageNumber(request.query.page);
    const list = await sentReferrals(db, helper, { status, page });
    const dashboard = list.dashboard;
    return reply.page(
      { title: 'Mes orientations envoyées', breadcrumbs: [HOME[0] as Crumb] },
      <SentListPage
        dashboard={dashboard}
        status={status}
        rows={list.rows}
        count={list.count}
        page={page}
        flash={flashOf(request)}
      />,
    );
  });

  app.get<RouteInput>(
    '/orientations/export.xlsx',
    { config: { access: 'helper' } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      const side = lastValue(request.query.sens) === 'recues' ? 'recues' : 'envoyees';
      const status = statusOf(request.query.statut);
      // Journaled before the first byte leaves; the rows then stream page by page.
      await journalExport(db, helper, side, status, await countExport(db, helper, side, status));
      return sendReferrals(
        reply,
        `orientations-${side}-${parisToday()}`,
        exportRows(db, helper, side, status),
        side,
      );
    },
  );

  app.get<RouteInput<'orientation'>>(
    '/orientations/:orientation',
    { config: { access: { helperOf: 'orientation' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const found = await referralOfSender(db, helper, request.params.orientation);
      if (!found) return reply.callNotFound();
      const r = await withLoopClosed(db, found);
      return reply.page(
        { title: 'Orientation', breadcrumbs: HOME },
        <SenderReferralPage r={r} csrf={reply.generateCsrf()} flash={flashOf(request)} />,
      );
    },
  );

  app.post<RouteInput<'orientation'>>(
    '/orientations/:orientation/retrait',
    { config: { access: { helperOf: 'orientation' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const r = await referralOfSender(db, helper, request.params.orientation);
      if (!r) return reply.callNotFound();
      const done = await withdrawConsent(db, config, helper, r, request.ip);
      if (!done.ok)
        return reply.page(
          { title: 'Orientation', breadcrumbs: HOME, status: 409 },
          <SenderReferralPage r={r} csrf={reply.generateCsrf()} error={done.reason} />,
        );
      return reply.redirect(`/orientations/${r.id}?ok=retiree`, 303);
    },
  );

  app.post<RouteInput<'orientation'>>(
    '/orientations/:orientation/copie',
    { config: { access: { helperOf: 'orientation' }, rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const helper = requireHelper(request.actor);
      privatePage(reply);
      const r = await referralOfSender(db, helper, request.params.orientation);
      if (!r) return reply.callNotFound();
      const sent = await sendConsentCopy(db, config, helper, r, request.ip);
      if (!sent.ok)
        return reply.page(
          { title: 'Orientation', breadcrumbs: HOME, status: 400 },
          <SenderReferralPage r={r} csrf={reply.generateCsrf()} error={sent.reason} />,
        );
      return reply.redirect(`/orientations/${r.id}?ok=copie_${sent.channel}`, 303);
    },
  );
}
