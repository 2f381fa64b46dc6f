import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allValues, type Fields, lastValue } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { formatDay, parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import {
  type Beneficiary,
  recentBeneficiaries,
  searchBeneficiaries,
  visibleBeneficiaries,
} from '../beneficiaires/index.ts';
import { type PlaceSummary, placeSummaries } from '../lieux/index.ts';
import { type Helper, helperPlaces, requireHelper } from '../mediateurs/index.ts';
import { activitiesCsvStream, activitiesXlsxStream } from './activity-export.ts';
import {
  durationValues,
  type FormValues,
  formErrors,
  formValuesFrom,
  formValuesOfActivity,
  rawFromForm,
} from './activity-schema.ts';
import {
  type ActivityDetail,
  countExportRows,
  deleteActivity,
  exportRowStream,
  filterChoices,
  findOwnActivity,
  journalExport,
  lastReportDefaults,
  listActivities,
  PAGE_SIZE,
  parseFilters,
  recordActivity,
  updateActivity,
} from './activity-service.ts';
import {
  ActivityDetailPage,
  ActivityFormPage,
  ActivityListPage,
  activityHeading,
  DeleteActivityPage,
} from './activity-views.tsx';
import type { TypeActivite } from './vocabulary.ts';

const FLASH: Record<string, string> = {
  enregistre: 'Le compte rendu a été enregistré.',
  modifie: 'Le compte rendu a été modifié.',
  supprime: 'Le compte rendu a été supprimé.',
  lieux: 'Vos lieux d’activité ont été enregistrés.',
};

/** Enter in a field sends the form's first button, the search: say that nothing was saved. */
const NOT_SAVED_YET =
  'Rien n’est encore enregistré : vérifiez le compte rendu, puis choisissez « Enregistrer ».';

const CRUMBS = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/activites', label: 'Mes comptes rendus' },
];

/** A page's inputs: its query string; a report's, its id in the address too. */
type Page = { Querystring: Fields };
type Report = Page & { Params: { activite: string } };

const flashOf = (request: FastifyRequest<Page>) => {
  const ok = request.query.ok;
  return typeof ok === 'string' ? FLASH[ok] : undefined;
};

export function activityRoutes(app: FastifyInstance, { db }: RouteContext): void {
  /** The helper's places, or a redirection to choose them first (undefined). */
  async function placesOrRedirect(helper: Helper, reply: FastifyReply): Promise<PlaceSummary[] | undefined> {
    const places = await helperPlaces(db, helper.userId);
    if (places.length === 0) {
      await reply.redirect('/activites/lieux', 303);
      return undefined;
    }
    return places;
  }

  // ------------------------------------------------------------ list and exports

  app.get<Page>('/activites', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    if (!(await placesOrRedirect(helper, reply))) return reply;
    const query = request.query;
    const filters = parseFilters(query);
    const page = Math.max(1, Math.min(100_000, Math.trunc(Number(query.page)) || 1));
    const [list, choices] = await Promise.all([
      listActivities(db, helper, filters, page),
      filterChoices(db, helper),
    ]);
    return reply.page(
      { title: 'Mes comptes rendus d’activité', breadcrumbs: [{ href: '/espace', label: 'Mon espace' }] },
      <ActivityListPage
        {...list}
        page={page}
        pageSize={PAGE_SIZE}
        filters={filters}
        choices={choices}
        flash={flashOf(request)}
      />,
    );
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get<Page>(`/activites/export.${format}`, { config: { access: 'helper' } }, async (request, reply) => {
      const helper = requireHelper(request.actor);
      const filters = parseFilters(request.query);
      // Journaled before the first byte leaves; the rows then stream page by page.
      await journalExport(db, helper, format, filters, await countExportRows(db, helper, filters));
      const rows = exportRowStream(db, helper, filters);
      const body = format === 'csv' ? activitiesCsvStream(rows) : activitiesXlsxStream(rows);
      const name = `comptes-rendus-${parisToday()}.${format}`;
      return reply
        .header(
          'content-type',
          format === 'csv'
            ? 'text/csv; charset=utf-8'
            : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        )
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'private, no-store')
        .send(body);
    });
  }

  // ------------------------------------------------------------ the form

  type FormOptions = {
    type: TypeActivite;
    title: string;
    action: string;
    values: FormValues;
    errors?: FieldErrors;
    places: PlaceSummary[];
    duplicates?: Beneficiary[];
    intro?: string | undefined;
    cancel: string;
    searched?: boolean;
  };

  const renderForm = async (reply: FastifyReply, helper: Helper, o: FormOptions) => {
    const errors = o.errors ?? {};
    const q = typeof o.values.q === 'string' ? o.values.q.trim() : '';
    const chosenIds = allValues(o.values.beneficiaires);
    const [chosen, matches, recent] = await Promise.all([
      visibleBeneficiaries(db, helper, chosenIds),
      o.searched && q ? searchBeneficiaries(db, helper, q) : Promise.resolve(null),
      recentBeneficiaries(db, helper),
    ]);
    const hasErrors = Object.keys(errors).length > 0;
    const intro = o.searched && !q ? NOT_SAVED_YET : o.intro;
    return reply.page(
      { title: o.title, hasErrors, status: hasErrors ? 400 : 200, breadcrumbs: CRUMBS },
      <ActivityFormPage
        type={o.type}
        title={o.title}
        action={o.action}
        csrf={reply.generateCsrf()}
        values={o.values}
        errors={errors}
        places={o.places}
        people={{ chosen, matches, recent }}
        duplicates={o.duplicates}
        intro={intro}
        cancel={o.cancel}
      />,
    );
  };

  const newTitle = (type: TypeActivite) =>
    type === 'collectif' ? 'Nouveau compte rendu d’atelier' : 'Nouveau compte rendu individuel';
  const typeOf = (v: unknown): TypeActivite => (v === 'collectif' ? 'collectif' : 'individuel');

  app.get<Page>('/activites/nouveau', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const places = await placesOrRedirect(helper, reply);
    if (!places) return reply;
    const query = request.query;
    const type = typeOf(query.type);
    const last = await lastReportDefaults(db, helper);
    const lieu = places.find((p) => p.id === last?.lieu_id) ?? places[0]!;
    const values: FormValues = {
      type,
      date: parisToday(),
      canal: last?.canal ?? 'lieu_activite',
      lieu_id: lieu.id,
      commune: last?.canal === 'autre_lieu' ? (last.commune_insee ?? undefined) : undefined,
      ...(last ? durationValues(last.duree_min) : {}),
      oriente: 'non',
    };
    const q = lastValue(query.q);
    if (q !== undefined) values.q = q;
    // From a person's record: the report is for them (the form shows only people the helper sees).
    const person = lastValue(query.beneficiaire);
    if (person !== undefined) values.beneficiaires = [person];
    return renderForm(reply, helper, {
      type,
      title: newTitle(type),
      action: '/activites/nouveau',
      values,
      places,
      intro: last ? 'Le lieu et la durée sont repris de votre dernier compte rendu.' : undefined,
      cancel: '/activites',
      searched: typeof q === 'string',
    });
  });

  app.post('/activites/nouveau', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const places = await placesOrRedirect(helper, reply);
    if (!places) return reply;
    const values = formValuesFrom(request.body);
    const type = typeOf(values.type);
    const form = {
      type,
      title: newTitle(type),
      action: '/activites/nouveau',
      values,
      places,
      cancel: '/activites',
    };
    if (values.action === 'rechercher') return renderForm(reply, helper, { ...form, searched: true });
    const saved = await recordActivity(db, helper, rawFromForm(values));
    if (saved.ok) return reply.redirect(`/activites/${saved.id}?ok=enregistre`, 303);
    if ('duplicates' in saved) return renderForm(reply, helper, { ...form, duplicates: saved.duplicates });
    return renderForm(reply, helper, { ...form, errors: formErrors(saved.errors) });
  });

  // ------------------------------------------------------------ one report

  /** The helper's report named in the address, after their places (else a 404 or a redirection). */
  async function ownReport(
    request: FastifyRequest<Report>,
    reply: FastifyReply,
  ): Promise<{ helper: Helper; places: PlaceSummary[]; detail: ActivityDetail } | undefined> {
    const helper = requireHelper(request.actor);
    const places = await placesOrRedirect(helper, reply);
    if (!places) return undefined;
    const detail = await findOwnActivity(db, helper, request.params.activite);
    if (!detail) {
      await reply.callNotFound();
      return undefined;
    }
    return { helper, places, detail };
  }

  /** The helper's places, and the report's own place if they have left it since. */
  const placesFor = async (places: PlaceSummary[], detail: ActivityDetail) =>
    detail.activity.lieu_id && !places.some((p) => p.id === detail.activity.lieu_id)
      ? [...places, ...(await placeSummaries(db, [detail.activity.lieu_id]))]
      : places;

  app.get<Report>(
    '/activites/:activite',
    { config: { access: { helperOf: 'activite' } } },
    async (request, reply) => {
      const found = await ownReport(request, reply);
      if (!found) return reply;
      return reply.page(
        { title: activityHeading(found.detail.activity), breadcrumbs: CRUMBS },
        <ActivityDetailPage detail={found.detail} flash={flashOf(request)} />,
      );
    },
  );

  app.get<Report>(
    '/activites/:activite/modifier',
    { config: { access: { helperOf: 'activite' } } },
    async (request, reply) => {
      const found = await ownReport(request, reply);
      if (!found) return reply;
      const { activity, participations } = found.detail;
      return renderForm(reply, found.helper, {
        type: activity.type,
        title: `Modifier : ${activityHeading(activity)}`,
        action: `/activites/${activity.id}/modifier`,
        values: formValuesOfActivity(activity, participations),
        places: await placesFor(found.places, found.detail),
        cancel: `/activites/${activity.id}`,
      });
    },
  );

  app.post<Report>(
    '/activites/:activite/modifier',
    { config: { access: { helperOf: 'activite' } } },
    async (request, reply) => {
      const found = await ownReport(request, reply);
      if (!found) return reply;
      const { activity } = found.detail;
      const values = formValuesFrom(request.body);
      values.type = activity.type;
      const form = {
        type: activity.type,
        title: `Modifier : ${activityHeading(activity)}`,
        action: `/activites/${activity.id}/modifier`,
        values,
        places: await placesFor(found.places, found.detail),
        cancel: `/activites/${activity.id}`,
      };
      if (values.action === 'rechercher') return renderForm(reply, found.helper, { ...form, searched: true });
      const saved = await updateActivity(db, found.helper, activity.id, rawFromForm(values));
      if (!saved) return reply.callNotFound();
      if (saved.ok) return reply.redirect(`/activites/${activity.id}?ok=modifie`, 303);
      if ('duplicates' in saved)
        return renderForm(reply, found.helper, { ...form, duplicates: saved.duplicates });
      return renderForm(reply, found.helper, { ...form, errors: formErrors(saved.errors) });
    },
  );

  app.get<Report>(
    '/activites/:activite/dupliquer',
    { config: { access: { helperOf: 'activite' } } },
    async (request, reply) => {
      const found = await ownReport(request, reply);
      if (!found) return reply;
      const { activity, participations } = found.detail;
      const values = formValuesOfActivity(activity, participations, { today: parisToday() });
      if (!found.places.some((p) => p.id === values.lieu_id)) values.lieu_id = found.places[0]!.id;
      return renderForm(reply, found.helper, {
        type: activity.type,
        title: newTitle(activity.type),
        action: '/activites/nouveau',
        values,
        places: found.places,
        intro:
          activity.type === 'collectif'
            ? `Copie de l’atelier du ${formatDay(activity.date, 'short')}, datée d’aujourd’hui, avec ses participants : décochez les absents et ajustez le nombre d’anonymes.`
            : `Copie du compte rendu du ${formatDay(activity.date, 'short')}, datée d’aujourd’hui : choisissez la personne accompagnée.`,
        cancel: `/activites/${activity.id}`,
      });
    },
  );

  app.get<Report>(
    '/activites/:activite/supprimer',
    { config: { access: { helperOf: 'activite' } } },
    async (request, reply) => {
      const found = await ownReport(request, reply);
      if (!found) return reply;
      return reply.page(
        { title: 'Supprimer ce compte rendu', breadcrumbs: CRUMBS },
        <DeleteActivityPage detail={found.detail} csrf={reply.generateCsrf()} />,
      );
    },
  );

  app.post<Report>(
    '/activites/:activite/supprimer',
    { config: { access: { helperOf: 'activite' } } },
    async (request, reply) => {
      const found = await ownReport(request, reply);
      if (!found) return reply;
      await deleteActivity(db, found.helper, found.detail.activity.id);
      return reply.redirect('/activites?ok=supprime', 303);
    },
  );
}
