import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allValues, type Fields, lastValue } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { formatDay, parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { recentBeneficiaries, searchBeneficiaries, visibleBeneficiaries } from '../beneficiaires/index.ts';
import type { PlaceSummary } from '../lieux/index.ts';
import { type Helper, helperPlaces, requireHelper } from '../mediateurs/index.ts';
import { sendActivities } from './activity-export.ts';
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
  reportPlaces,
  updateActivity,
} from './activity-service.ts';
import {
  ActivityDetailPage,
  ActivityFormPage,
  type ActivityFormProps,
  ActivityListPage,
  activityHeading,
  DeleteActivityPage,
} from './activity-views.tsx';
import { THEMATIQUES, type TypeActivite } from './vocabulary.ts';

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

export function activityRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db } = ctx;
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
    const filters = parseFilters(request.query);
    const page = Math.max(1, Math.min(100_000, Math.trunc(Number(request.query.page)) || 1));
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
      await journalExport(db, helper, format, filters);
      return sendActivities(
        reply,
        format,
        `comptes-rendus-${parisToday()}`,
        exportRowStream(db, helper, filters),
      );
    });
  }

  // ------------------------------------------------------------ the form

  /** The form's page, but the people to offer (read here) and the CSRF token; `searched`: the helper asked for people. */
  type FormOptions = Omit<ActivityFormProps, 'csrf' | 'errors' | 'people'> & {
    errors?: FieldErrors;
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
        {...o}
        csrf={reply.generateCsrf()}
        errors={errors}
        people={{ chosen, matches, recent }}
        intro={intro}
      />,
    );
  };

  /** A sent form: a search shows it again with the people found; a save goes to the report, or back to the form. */
  async function submitted(
    reply: FastifyReply,
    helper: Helper,
    form: FormOptions,
    save: (raw: Record<string, unknown>) => ReturnType<typeof updateActivity>,
    ok: 'enregistre' | 'modifie',
  ) {
    if (form.values.action === 'rechercher') return renderForm(reply, helper, { ...form, searched: true });
    const saved = await save(rawFromForm(form.values));
    if (!saved) return reply.callNotFound();
    if (saved.ok) return reply.redirect(`/activites/${saved.id}?ok=${ok}`, 303);
    if ('duplicates' in saved) return renderForm(reply, helper, { ...form, duplicates: saved.duplicates });
    return renderForm(reply, helper, { ...form, errors: formErrors(saved.errors) });
  }

  /** The form of a new report. */
  const newForm = (type: TypeActivite, places: PlaceSummary[]) => ({
    type,
    title: type === 'collectif' ? 'Nouveau compte rendu d’atelier' : 'Nouveau compte rendu individuel',
    action: '/activites/nouveau',
    places,
    cancel: '/activites',
  });
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
    if (person !== undefined) {
      values.beneficiaires = [person];
      values.participant = 'existant';
    }
    // From a skills diagnosis: the themes of the weakest domains, checked before they are shown.
    const themes = allValues(query.thematiques).filter((t) => Object.hasOwn(THEMATIQUES, t));
    if (themes.length > 0) values.thematiques = themes;
    return renderForm(reply, helper, {
      ...newForm(type, places),
      values,
      intro: last ? 'Le lieu et la durée sont repris de votre dernier compte rendu.' : undefined,
      searched: typeof q === 'string',
    });
  });

  app.post('/activites/nouveau', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const places = await placesOrRedirect(helper, reply);
    if (!places) return reply;
    const values = formValuesFrom(request.body);
    const form = { ...newForm(typeOf(values.type), places), values };
    return submitted(reply, helper, form, (raw) => recordActivity(db, helper, raw), 'enregistre');
  });

  // ------------------------------------------------------------ one report

  type Found = { helper: Helper; places: PlaceSummary[]; detail: ActivityDetail };

  /** A route of the helper's report named in the address: found after their places, else a 404 or a redirection. */
  function reportRoute(
    method: 'get' | 'post',
    url: string,
    handle: (found: Found, reply: FastifyReply, request: FastifyRequest<Report>) => Promise<unknown>,
  ): void {
    app[method]<Report>(url, { config: { access: { helperOf: 'activite' } } }, async (request, reply) => {
      const helper = requireHelper(request.actor);
      const places = await placesOrRedirect(helper, reply);
      if (!places) return reply;
      const detail = await findOwnActivity(db, helper, request.params.activite);
      if (!detail) return reply.callNotFound();
      return handle({ helper, places, detail }, reply, request);
    });
  }

  /** The form that changes a report. */
  const editForm = async ({ helper, detail: { activity } }: { helper: Helper; detail: ActivityDetail }) => ({
    type: activity.type,
    title: `Modifier : ${activityHeading(activity)}`,
    action: `/activites/${activity.id}/modifier`,
    places: await reportPlaces(db, helper, activity.lieu_id),
    cancel: `/activites/${activity.id}`,
  });

  reportRoute('get', '/activites/:activite', async (found, reply, request) => {
    const { activity, participations } = found.detail;
    const report = {
      id: activity.id,
      thematiques: activity.thematiques,
      oriente: activity.oriente,
      people: participations.flatMap((p) => (p.beneficiaire_id ? [p.beneficiaire_id] : [])),
    };
    const sections = await Promise.all(
      ctx.activityReportSections.map((section) => section(ctx, found.helper.actor, report)),
    );
    return reply.page(
      { title: activityHeading(activity), breadcrumbs: CRUMBS },
      <ActivityDetailPage
        detail={found.detail}
        flash={flashOf(request)}
        sections={sections.filter((section) => section !== null)}
      />,
    );
  });

  reportRoute('get', '/activites/:activite/modifier', async (found, reply) => {
    const { activity, participations } = found.detail;
    return renderForm(reply, found.helper, {
      ...(await editForm(found)),
      values: formValuesOfActivity(activity, participations),
    });
  });

  reportRoute('post', '/activites/:activite/modifier', async (found, reply, request) => {
    const { activity } = found.detail;
    const values = { ...formValuesFrom(request.body), type: activity.type };
    const form = { ...(await editForm(found)), values };
    const save = (raw: Record<string, unknown>) => updateActivity(db, found.helper, activity.id, raw);
    return submitted(reply, found.helper, form, save, 'modifie');
  });

  reportRoute('get', '/activites/:activite/dupliquer', async (found, reply) => {
    const { activity, participations } = found.detail;
    const values = formValuesOfActivity(activity, participations, { today: parisToday() });
    if (!found.places.some((p) => p.id === values.lieu_id)) values.lieu_id = found.places[0]!.id;
    return renderForm(reply, found.helper, {
      ...newForm(activity.type, found.places),
      values,
      cancel: `/activites/${activity.id}`,
      intro:
        activity.type === 'collectif'
          ? `Copie de l’atelier du ${formatDay(activity.date, 'short')}, datée d’aujourd’hui, avec ses participants : décochez les absents et ajustez le nombre d’anonymes.`
          : `Copie du compte rendu du ${formatDay(activity.date, 'short')}, datée d’aujourd’hui : choisissez la personne accompagnée.`,
    });
  });

  reportRoute('get', '/activites/:activite/supprimer', async (found, reply) => {
    return reply.page(
      { title: 'Supprimer ce compte rendu', breadcrumbs: CRUMBS },
      <DeleteActivityPage detail={found.detail} csrf={reply.generateCsrf()} />,
    );
  });

  reportRoute('post', '/activites/:activite/supprimer', async (found, reply) => {
    await deleteActivity(db, found.helper, found.detail.activity.id);
    return reply.redirect('/activites?ok=supprime', 303);
  });
}
