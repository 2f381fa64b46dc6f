import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, can } from '../../platform/auth/policy.ts';
import { csvText } from '../../platform/csv.ts';
import { type RouteInput, textOf } from '../../platform/forms.ts';
import { activeCollectiviteOf } from '../../platform/http/access.ts';
import { uploadedFileName } from '../../platform/http/uploads.ts';
import type { RouteContext } from '../../platform/module.ts';
import { formatDate } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { displayName, listCollectivites } from '../territoires/index.ts';
import {
  type CollectiviteChoice,
  HistoryPage,
  ImportFormPage,
  ImportReportPage,
  ManagedListPage,
  MappingPage,
  PlaceFormPage,
} from './admin-views.tsx';
import { formValuesOf, type PlaceFormValues, parsePlaceForm } from './form.ts';
import { type ImportReport, importPlaces, parsePlacesFile, reportRecords, rowResultOf } from './import.ts';
import {
  checkMapping,
  columnKey,
  needsMapping,
  savedMapping,
  saveMapping,
  suggestedTarget,
} from './import-mapping.ts';
import {
  findPendingImport,
  keepPendingImport,
  type PendingImport,
  takePendingImport,
} from './import-pending.ts';
import { csvTemplate, xlsxTemplate } from './import-templates.ts';
import { MAP_ASSETS } from './map-view.tsx';
import {
  findImport,
  findManagedPlace,
  listImports,
  listManagedPlaces,
  newPlaceLmnId,
  placeHistory,
  savePlace,
  setPlaceStatus,
} from './service.ts';
import { placeOf } from './store.ts';

const FLASH: Record<string, string> = {
  enregistre: 'Le lieu a été enregistré.',
  inchange: 'Aucune modification : le lieu est inchangé.',
  publie: 'Le lieu est publié dans l’annuaire public.',
  depublie: 'Le lieu a été retiré de l’annuaire public.',
};

/** The collectivités a place may be attached to by this person (administrators: the OPSN too). */
async function choicesFor(db: RouteContext['db'], actor: Actor): Promise<CollectiviteChoice[]> {
  const members = await listCollectivites(db);
  const mine = members
    .filter((m) => can(actor, 'places.manage', { collectiviteId: m.id }))
    .map((m) => ({ id: m.id, name: displayName(m) }));
  return can(actor, 'opsn.manage') ? [{ id: null, name: 'L’OPSN (aucune collectivité)' }, ...mine] : mine;
}

/** The collectivité chosen in a form, if this person may choose it. */
function chosenCollectivite(
  body: Record<string, unknown>,
  choices: CollectiviteChoice[],
): CollectiviteChoice | undefined {
  const raw = typeof body.collectivite === 'string' ? body.collectivite : '';
  const id = raw === '' ? null : Number(raw);
  return choices.find((c) => c.id === id);
}

export function lieuxAdminRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  app.get<RouteInput>('/admin/lieux', { config: { access: 'coordinator' } }, async (request, reply) => {
    const query = request.query;
    const status = query.statut === 'publie' || query.statut === 'brouillon' ? query.statut : undefined;
    const page = Math.max(1, Math.min(10_000, Number(query.page) || 1));
    const q = textOf(query.q)?.trim() || undefined;
    const list = await listManagedPlaces(db, request.actor, { q, status, page });
    return reply.page(
      { title: 'Lieux', breadcrumbs: [{ href: '/espace', label: 'Mon espace' }] },
      <ManagedListPage {...list} page={page} q={q} status={status} flash={FLASH[textOf(query.ok) ?? '']} />,
    );
  });

  const renderForm = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    options: {
      title: string;
      action: string;
      values: PlaceFormValues;
      errors: FieldErrors;
      collectiviteId: number | null;
      status?: 'brouillon' | 'publie';
      placeId?: string;
      flash?: string | undefined;
    },
  ) =>
    reply.page(
      {
        title: options.title,
        hasErrors: Object.keys(options.errors).length > 0,
        status: Object.keys(options.errors).length > 0 ? 400 : 200,
        ...MAP_ASSETS,
        breadcrumbs: [
          { href: '/espace', label: 'Mon espace' },
          { href: '/admin/lieux', label: 'Lieux' },
        ],
      },
      <PlaceFormPage
        {...options}
        csrf={reply.generateCsrf()}
        collectivites={await choicesFor(db, request.actor)}
        mapConfig={config}
      />,
    );

  app.get<RouteInput>(
    '/admin/lieux/nouveau',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const choices = await choicesFor(db, request.actor);
      const active = activeCollectiviteOf(request.actor);
      const preferred =
        choices.find((c) => c.id === active) ?? choices.find((c) => c.id !== null) ?? choices[0];
      return renderForm(request, reply, {
        title: 'Ajouter un lieu',
        action: '/admin/lieux/nouveau',
        values: {},
        errors: {},
        collectiviteId: preferred?.id ?? null,
      });
    },
  );

  app.post<RouteInput>(
    '/admin/lieux/nouveau',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const body = request.body ?? {};
      const choices = await choicesFor(db, request.actor);
      const chosen = chosenCollectivite(body, choices);
      // A new place gets its standard identifier here: the form has no field for it.
      const parsed = parsePlaceForm(body, newPlaceLmnId());
      const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
      if (!chosen) errors.collectivite = 'Choisissez une collectivité parmi celles que vous gérez.';
      if (!parsed.ok || !chosen) {
        return renderForm(request, reply, {
          title: 'Ajouter un lieu',
          action: '/admin/lieux/nouveau',
          values: parsed.ok ? formValuesOf(parsed.place) : parsed.values,
          errors,
          collectiviteId: chosen?.id ?? null,
        });
      }
      const saved = await savePlace(db, request.actor, { place: parsed.place, collectiviteId: chosen.id });
      return reply.redirect(`/admin/lieux/${saved.id}?ok=enregistre`, 303);
    },
  );

  app.get<RouteInput<'lieu'>>(
    '/admin/lieux/:lieu',
    { config: { access: { coordinatorOf: 'lieu' } } },
    async (request, reply) => {
      const row = await findManagedPlace(db, request.actor, request.params.lieu);
      if (!row) return reply.callNotFound();
      const ok = textOf(request.query.ok);
      return renderForm(request, reply, {
        title: row.nom,
        flash: ok ? FLASH[ok] : undefined,
        action: `/admin/lieux/${row.id}`,
        values: formValuesOf(placeOf(row)),
        errors: {},
        collectiviteId: row.collectivite_id,
        status: row.status,
        placeId: row.id,
      });
    },
  );

  app.post<RouteInput<'lieu'>>(
    '/admin/lieux/:lieu',
    { config: { access: { coordinatorOf: 'lieu' } } },
    async (request, reply) => {
      const row = await findManagedPlace(db, request.actor, request.params.lieu);
      if (!row) return reply.callNotFound();
      const body = request.body ?? {};
      const chosen = chosenCollectivite(body, await choicesFor(db, request.actor));
      const parsed = parsePlaceForm(body, row.lmn_id);
      const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
      if (!chosen) errors.collectivite = 'Choisissez une collectivité parmi celles que vous gérez.';
      if (!parsed.ok || !chosen) {
        return renderForm(request, reply, {
          title: row.nom,
          action: `/admin/lieux/${row.id}`,
          values: parsed.ok ? formValuesOf(parsed.place) : parsed.values,
          errors,
          collectiviteId: chosen?.id ?? row.collectivite_id,
          status: row.status,
          placeId: row.id,
        });
      }
      const saved = await savePlace(db, request.actor, {
        id: row.id,
        place: parsed.place,
        collectiviteId: chosen.id,
      });
      return reply.redirect(`/admin/lieux/${row.id}?ok=${saved.changed ? 'enregistre' : 'inchange'}`, 303);
    },
  );

  for (const [path, status, flash] of [
    ['publier', 'publie', 'publie'],
    ['depublier', 'brouillon', 'depublie'],
  ] as const) {
    app.post<RouteInput<'lieu'>>(
      `/admin/lieux/:lieu/${path}`,
      { config: { access: { coordinatorOf: 'lieu' } } },
      async (request, reply) => {
        const row = await findManagedPlace(db, request.actor, request.params.lieu);
        if (!row) return reply.callNotFound();
        await setPlaceStatus(db, request.actor, row.id, status);
        return reply.redirect(`/admin/lieux/${row.id}?ok=${flash}`, 303);
      },
    );
  }

  app.get<RouteInput<'lieu'>>(
    '/admin/lieux/:lieu/historique',
    { config: { access: { coordinatorOf: 'lieu' } } },
    async (request, reply) => {
      const row = await findManagedPlace(db, request.actor, request.params.lieu);
      if (!row) return reply.callNotFound();
      return reply.page(
        {
          title: `Historique : ${row.nom}`,
          breadcrumbs: [
            { href: '/espace', label: 'Mon espace' },
            { href: '/admin/lieux', label: 'Lieux' },
            { href: `/admin/lieux/${row.id}`, label: row.nom },
          ],
        },
        <HistoryPage nom={row.nom} id={row.id} revisions={await placeHistory(db, row.id)} />,
      );
    },
  );

  const importForm = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    errors: FieldErrors,
    status?: number,
  ) =>
    reply.page(
      {
        title: 'Importer des lieux',
        hasErrors: Object.keys(errors).length > 0,
        status: status ?? (Object.keys(errors).length > 0 ? 400 : 200),
        breadcrumbs: [
          { href: '/espace', label: 'Mon espace' },
          { href: '/admin/lieux', label: 'Lieux' },
        ],
      },
      <ImportFormPage
        csrf={reply.generateCsrf()}
        collectivites={await choicesFor(db, request.actor)}
        errors={errors}
        imports={await listImports(db, request.actor)}
      />,
    );

  app.get<RouteInput>('/admin/lieux/import', { config: { access: 'coordinator' } }, (request, reply) =>
    importForm(request, reply, {}),
  );

  app.post<RouteInput>(
    '/admin/lieux/import',
    { config: { access: 'coordinator', files: true } },
    async (request, reply) => {
      const body = request.body ?? {};
      const choices = await choicesFor(db, request.actor);
      const chosen = chosenCollectivite(body, choices);
      const file = body.fichier;
      const errors: FieldErrors = {};
      if (!Buffer.isBuffer(file) || file.length === 0)
        errors.fichier = 'Choisissez un fichier CSV, XLSX ou JSON non vide.';
      if (!chosen) errors.collectivite = 'Choisissez une collectivité parmi celles que vous gérez.';
      if (!Buffer.isBuffer(file) || file.length === 0 || !chosen) return importForm(request, reply, errors);
      // The source is the name typed, by default the file's name.
      const source = typeof body.source === 'string' && body.source.trim() ? body.source.trim() : null;
      const fileName = uploadedFileName(file) ?? `fichier envoyé le ${formatDate(new Date(), 'short')}`;
      const flag = (name: string) => body[name] === 'oui';
      const input = {
        content: file,
        fileName,
        source,
        collectiviteId: chosen.id,
        options: { strict: flag('strict'), draft: flag('brouillon'), overwrite: flag('ecraser') },
      };
      // A table in another layout goes through the mapping step first (kept meanwhile).
      const parsed = await parsePlacesFile(file, { requireId: false });
      if (parsed.ok && parsed.format !== 'json' && needsMapping(parsed.columns)) {
        const kept = await keepPendingImport(db, request.actor, input);
        const pending = { ...input, ...kept };
        const saved = await savedMapping(db, pending.collectiviteId, pending.source ?? pending.fileName);
        // The source's saved mapping first, else the columns named after the standard.
        return mappingPage(
          request,
          reply,
          pending,
          (column) => (saved && Object.hasOwn(saved, column) ? saved[column] : suggestedTarget(column)) ?? '',
          {},
        );
      }
      return runImport(request, reply, { ...input, dryRun: flag('essai') });
    },
  );

  /** The mapping step's page for a kept file, with the choices shown (saved, or typed). */
  const mappingPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    pending: PendingImport,
    chosen: (column: string, index: number) => string,
    errors: FieldErrors,
  ) => {
    const parsed = await parsePlacesFile(pending.content, { requireId: false });
    if (!parsed.ok) return importForm(request, reply, { fichier: parsed.reason });
    const first = parsed.rows.slice(0, 3);
    const cell = (data: Record<string, unknown>, column: string) => {
      const key = Object.keys(data).find((k) => columnKey(k) === column);
      return key === undefined ? '' : String(data[key] ?? '').slice(0, 80);
    };
    return reply.page(
      {
        title: 'Correspondance des colonnes',
        hasErrors: Object.keys(errors).length > 0,
        status: Object.keys(errors).length > 0 ? 400 : 200,
        breadcrumbs: [
          { href: '/admin/lieux', label: 'Lieux' },
          { href: '/admin/lieux/import', label: 'Importer' },
        ],
      },
      <MappingPage
        csrf={reply.generateCsrf()}
        action={`/admin/lieux/import/essais/${pending.id}/correspondance`}
        fileName={pending.fileName}
        source={pending.source ?? pending.fileName}
        columns={parsed.columns.map((name, i) => ({
          name,
          samples: first.map((r) => cell(r.data, name)).filter(Boolean),
          selected: chosen(name, i),
        }))}
        firstRows={first.map((r) => parsed.columns.map((c) => cell(r.data, c)))}
        errors={errors}
      />,
    );
  };

  /** A checked file goes only into a collectivité the person still manages: otherwise the form, refused. */
  const unlessStillManaged = async (
    request: FastifyRequest<RouteInput<'essai'>>,
    reply: FastifyReply,
    collectiviteId: number | null,
  ) => {
    const choices = await choicesFor(db, request.actor);
    if (choices.some((c) => c.id === collectiviteId)) return null;
    return importForm(
      request,
      reply,
      { fichier: 'Vous ne gérez pas la collectivité choisie pour ce fichier : il n’est pas importé.' },
      403,
    );
  };

  app.post<RouteInput<'essai'>>(
    '/admin/lieux/import/essais/:essai/correspondance',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const found = await findPendingImport(db, request.actor, request.params.essai);
      if (!found.ok) return importForm(request, reply, { fichier: found.reason }, found.status);
      const { pending } = found;
      const refused = await unlessStillManaged(request, reply, pending.collectiviteId);
      if (refused) return refused;
      const parsed = await parsePlacesFile(pending.content, { requireId: false });
      if (!parsed.ok) return importForm(request, reply, { fichier: parsed.reason });
      const body = request.body ?? {};
      const typed = (i: number) =>
        typeof body[`colonne_${i}`] === 'string' ? String(body[`colonne_${i}`]) : '';
      const errors: FieldErrors = {};
      const checked = checkMapping(Object.fromEntries(parsed.columns.map((c, i) => [c, typed(i) || null])));
      if (!checked.ok) errors.colonne_0 = checked.reason;
      else if (!Object.values(checked.mapping).includes('id'))
        errors.colonne_0 = 'Choisissez la colonne qui identifie chaque lieu (champ « Identifiant (id) »).';
      if (!checked.ok || Object.keys(errors).length > 0)
        return mappingPage(request, reply, pending, (_c, i) => typed(i), errors);
      const source = pending.source ?? pending.fileName;
      await saveMapping(db, request.actor, pending.collectiviteId, source, checked.mapping);
      const taken = await takePendingImport(db, request.actor, pending.id);
      if (!taken.ok) return importForm(request, reply, { fichier: taken.reason }, taken.status);
      return runImport(request, reply, {
        ...taken.pending,
        options: { ...taken.pending.options, mapping: checked.mapping },
        dryRun: true,
      });
    },
  );

  /**
   * Imports a file (or checks it, for a dry run) into a collectivité the person manages, then
   * shows the report: a written import's stored one, or the dry run's with its « Importer »
   * that confirms it without sending the file again.
   */
  const runImport = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    input: Omit<PendingImport, 'id' | 'expiresAt'> & { dryRun: boolean },
  ) => {
    const members = await listCollectivites(db);
    const code =
      input.collectiviteId === null ? undefined : members.find((m) => m.id === input.collectiviteId)?.code;
    const result = await importPlaces(db, request.actor, input.content, {
      fileName: input.fileName,
      source: input.source ?? undefined,
      collectiviteCode: code,
      dryRun: input.dryRun,
      ...input.options,
    });
    if (!result.ok) return importForm(request, reply, { fichier: result.reason });
    if (result.report.importId) return reply.redirect(`/admin/lieux/imports/${result.report.importId}`, 303);
    const { report } = result;
    // A dry run whose import would write something keeps the file for its « Importer ».
    const worth = report.created + report.updated > 0 && !(report.strict && report.rejected > 0);
    const pending = report.dryRun && worth ? await keepPendingImport(db, request.actor, input) : undefined;
    return reply.page(
      {
        title: 'Rapport d’import',
        breadcrumbs: [
          { href: '/espace', label: 'Mon espace' },
          { href: '/admin/lieux', label: 'Lieux' },
        ],
      },
      <ImportReportPage
        report={report}
        confirm={
          pending && {
            action: `/admin/lieux/import/essais/${pending.id}/importer`,
            csrf: reply.generateCsrf(),
            expiresAt: pending.expiresAt,
          }
        }
      />,
    );
  };

  app.post<RouteInput<'essai'>>(
    '/admin/lieux/import/essais/:essai/importer',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      // Only the person who checked the file, before it expires, once; into a collectivité
      // they still manage.
      const taken = await takePendingImport(db, request.actor, request.params.essai);
      if (!taken.ok) return importForm(request, reply, { fichier: taken.reason }, taken.status);
      const { pending } = taken;
      const refused = await unlessStillManaged(request, reply, pending.collectiviteId);
      if (refused) return refused;
      return runImport(request, reply, { ...pending, dryRun: false });
    },
  );

  app.get<RouteInput>(
    '/admin/lieux/import/modele.csv',
    { config: { access: 'coordinator' } },
    (_request, reply) =>
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="modele-lieux-lmn.csv"')
        .send(csvTemplate()),
  );

  app.get<RouteInput>(
    '/admin/lieux/import/modele.xlsx',
    { config: { access: 'coordinator' } },
    async (_request, reply) =>
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', 'attachment; filename="modele-lieux-lmn.xlsx"')
        .send(await xlsxTemplate()),
  );

  const storedReport = async (request: FastifyRequest<RouteInput<'import'>>) => {
    const row = await findImport(db, request.actor, request.params.import);
    if (!row) return undefined;
    const stored = row.report as Pick<ImportReport, 'rows' | 'fileNotes' | 'format'> &
      Partial<Pick<ImportReport, 'outside'>>;
    const report: ImportReport = {
      ...stored,
      outside: stored.outside ?? [],
      rows: stored.rows.map((r) => ({ ...r, result: rowResultOf(r.result) })),
      fileName: row.file_name,
      source: row.source,
      read: row.read,
      created: row.created,
      updated: row.updated,
      unchanged: row.unchanged,
      rejected: row.rejected,
      written: true,
      dryRun: false,
      strict: false,
      importId: row.id,
    };
    return report;
  };

  app.get<RouteInput<'import'>>(
    '/admin/lieux/imports/:import',
    { config: { access: { coordinatorOf: 'import' } } },
    async (request, reply) => {
      const report = await storedReport(request);
      if (!report) return reply.callNotFound();
      return reply.page(
        {
          title: 'Rapport d’import',
          breadcrumbs: [
            { href: '/admin/lieux', label: 'Lieux' },
            { href: '/admin/lieux/import', label: 'Importer' },
          ],
        },
        <ImportReportPage report={report} csvUrl={`/admin/lieux/imports/${report.importId}/rapport.csv`} />,
      );
    },
  );

  app.get<RouteInput<'import'>>(
    '/admin/lieux/imports/:import/rapport.csv',
    { config: { access: { coordinatorOf: 'import' } } },
    async (request, reply) => {
      const report = await storedReport(request);
      if (!report) return reply.callNotFound();
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="rapport-import-${report.importId}.csv"`)
        .send(`\uFEFF${csvText(reportRecords(report))}`);
    },
  );
}
