import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { csvText } from '../../platform/csv.ts';
import { type Fields, optionalText, parseForm } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { formatDate } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import type { IfnKind } from './ifn-file.ts';
import {
  countBy,
  currentYear,
  type IfnImportReport,
  importIfn,
  MAX_YEAR,
  MIN_YEAR,
  reportRecords,
} from './import.ts';
import { indexComparison, listVintages, vintageReport } from './query.ts';
import { INSEE_PATTERN, SIREN_PATTERN } from './reference.ts';
import {
  type AdminPageProps,
  IFN_ADMIN_PATH,
  IfnAdminPage,
  IfnReportPage,
  type ReportView,
  reportPath,
} from './views.tsx';

const BREADCRUMBS = [{ href: '/espace', label: 'Mon espace' }];

const uploadSchema = z.object({
  millesime: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: 'Saisissez le millésime, par exemple 2023.' })
      .regex(/^\d{4}$/, 'Saisissez le millésime en quatre chiffres, par exemple 2023.')
      .transform(Number)
      .refine(
        (year) => year >= MIN_YEAR && year <= MAX_YEAR,
        `Le millésime doit être une année entre ${MIN_YEAR} et ${MAX_YEAR}.`,
      ),
  ),
  source: optionalText('le nom du fichier', 200),
});

/** The query string naming a vintage (`?millesime=2023&niveau=commune`). */
type VintageQuery = { Querystring: { millesime?: string; niveau?: string } };

/** A vintage named in the query string, if well formed. */
function vintageParams(request: FastifyRequest<VintageQuery>): { year: number; kind: IfnKind } | null {
  const query = request.query;
  const year = Number(query.millesime);
  if (!/^\d{4}$/.test(query.millesime ?? '') || year < MIN_YEAR || year > MAX_YEAR) return null;
  if (query.niveau !== 'commune' && query.niveau !== 'epci') return null;
  return { year, kind: query.niveau };
}

/** Why the web import wrote nothing, in the form's words; null when it wrote the vintage. */
function refusal(report: IfnImportReport): string | null {
  if (report.written) return null;
  if (report.dryRun) return 'Vérification seulement : rien n’a été enregistré.';
  if (report.imported === 0) return 'Aucune ligne n’est valable : rien n’a été enregistré.';
  return 'Import refusé : des lignes sont rejetées et vous avez demandé de ne rien enregistrer dans ce cas.';
}

export function observatoireRoutes(app: FastifyInstance, { db }: RouteContext): void {
  const adminPage = async (
    reply: FastifyReply,
    extra: Partial<Pick<AdminPageProps, 'errors' | 'values' | 'lookup'>> & { status?: number } = {},
  ) => {
    const errors = extra.errors ?? {};
    return reply.page(
      {
        title: 'Indice de fragilité numérique',
        hasErrors: Object.keys(errors).length > 0,
        status: extra.status ?? 200,
        breadcrumbs: BREADCRUMBS,
      },
      <IfnAdminPage
        vintages={await listVintages(db)}
        csrf={reply.generateCsrf()}
        errors={errors}
        values={extra.values ?? {}}
        defaultYear={currentYear()}
        lookup={extra.lookup}
      />,
    );
  };

  app.get<{ Querystring: { code?: string } }>(
    IFN_ADMIN_PATH,
    { config: { access: 'admin' } },
    async (request, reply) => {
      const code = request.query.code?.trim().toUpperCase();
      if (code === undefined) return adminPage(reply);
      if (!INSEE_PATTERN.test(code) && !SIREN_PATTERN.test(code)) {
        return adminPage(reply, {
          values: { code },
          errors: {
            code: 'Saisissez un code INSEE de commune (5 caractères) ou un SIREN d’EPCI (9 chiffres).',
          },
          status: 400,
        });
      }
      return adminPage(reply, {
        values: { code },
        lookup: { code, comparison: await indexComparison(db, code) },
      });
    },
  );

  app.post<{ Body: Fields | undefined }>(
    IFN_ADMIN_PATH,
    { config: { access: 'admin', files: true } },
    async (request, reply) => {
      const body = request.body ?? {};
      const values = {
        millesime: typeof body.millesime === 'string' ? body.millesime : '',
        source: typeof body.source === 'string' ? body.source : '',
      };
      const form = parseForm(uploadSchema, body);
      const errors: FieldErrors = form.ok ? {} : { ...form.errors };
      const file = body.fichier;
      if (!Buffer.isBuffer(file) || file.length === 0) errors.fichier = 'Choisissez un fichier CSV non vide.';
      if (!form.ok || !Buffer.isBuffer(file) || file.length === 0) {
        return adminPage(reply, { errors, values, status: 400 });
      }
      // The form sends the bytes only: the name typed in, or the day of the upload, names the file.
      const today = formatDate(new Date(), 'short');
      const result = await importIfn(db, request.actor, file, {
        fileName: form.data.source ?? `fichier envoyé le ${today}`,
        year: form.data.millesime,
        dryRun: body.essai === 'oui',
        strict: body.strict === 'oui',
      });
      if (!result.ok) return adminPage(reply, { errors: { fichier: result.reason }, values, status: 400 });
      const report = result.report;
      if (report.written) return reply.redirect(reportPath(report.year, report.kind), 303);
      const view: ReportView = { ...report, refusal: refusal(report) };
      return reply.page(
        {
          title: 'Rapport d’import',
          breadcrumbs: [...BREADCRUMBS, { href: IFN_ADMIN_PATH, label: 'Indice' }],
        },
        <IfnReportPage report={view} />,
      );
    },
  );

  /** The stored report of the vintage the query names; undefined: go back to the index page. */
  const storedReport = async (request: FastifyRequest<VintageQuery>, reply: FastifyReply) => {
    const params = vintageParams(request);
    if (!params) {
      await reply.redirect(IFN_ADMIN_PATH, 303);
      return undefined;
    }
    const stored = await vintageReport(db, request.actor, params.year, params.kind);
    if (!stored) {
      await reply.callNotFound();
      return undefined;
    }
    return stored;
  };

  app.get<VintageQuery>(
    `${IFN_ADMIN_PATH}/rapport`,
    { config: { access: 'admin' } },
    async (request, reply) => {
      const stored = await storedReport(request, reply);
      if (!stored) return reply;
      const view: ReportView = {
        ...stored,
        rejectedBy: countBy(stored.rows, 'errors'),
        warnedBy: countBy(stored.rows, 'warnings'),
        refusal: null,
        replaces: null,
        stored: { at: stored.importedAt, by: stored.importedBy },
      };
      return reply.page(
        {
          title: 'Rapport d’import',
          breadcrumbs: [...BREADCRUMBS, { href: IFN_ADMIN_PATH, label: 'Indice' }],
        },
        <IfnReportPage report={view} csvUrl={reportPath(stored.year, stored.kind, true)} />,
      );
    },
  );

  app.get<VintageQuery>(
    `${IFN_ADMIN_PATH}/rapport.csv`,
    { config: { access: 'admin' } },
    async (request, reply) => {
      const stored = await storedReport(request, reply);
      if (!stored) return reply;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="rapport-ifn-${stored.kind}-${stored.year}.csv"`)
        .send(`\uFEFF${csvText(reportRecords(stored.rows, stored.fileNotes))}`);
    },
  );
}
