import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { csvText } from '../../platform/csv.ts';
import { blankToUndefined, parseForm } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { actionLabels } from './labels.ts';
import { accountsOf, listActions, listEntries, PAGE_SIZE } from './service.ts';
import { JournalPage } from './views.tsx';

const isoDate = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, `Saisissez la date ${label} au format AAAA-MM-JJ.`)
      .refine((v) => !Number.isNaN(Date.parse(v)), `La date ${label} n’existe pas.`)
      .optional(),
  );

const filterSchema = z.object({
  action: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  from: isoDate('de début'),
  to: isoDate('de fin'),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

/** Most rows one export holds: beyond it, narrow the dates. */
const EXPORT_LIMIT = 100_000;

export function journalRoutes(app: FastifyInstance, { db, contributions }: RouteContext): void {
  const labels = actionLabels(contributions.auditActions);
  app.get('/admin/journal', { config: { access: 'admin' } }, async (request, reply) => {
    const form = parseForm(filterSchema, request.query);
    const filter = form.ok ? { action: form.data.action, from: form.data.from, to: form.data.to } : {};
    const page = form.ok ? form.data.page : 1;
    const [entries, actions] = await Promise.all([
      listEntries(db, request.actor, filter, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1 }),
      listActions(db, request.actor),
    ]);
    const shown = entries.slice(0, PAGE_SIZE);
    const query = new URLSearchParams(
      Object.entries(filter).filter(([, v]) => v) as [string, string][],
    ).toString();
    return reply.page(
      { title: 'Journal d’audit', hasErrors: !form.ok, status: form.ok ? 200 : 400 },
      <JournalPage
        entries={shown}
        accounts={await accountsOf(db, shown)}
        actions={actions}
        labels={labels}
        filter={filter}
        errors={form.ok ? {} : form.errors}
        page={page}
        hasNext={entries.length > PAGE_SIZE}
        query={query}
      />,
    );
  });

  app.get('/admin/journal.csv', { config: { access: 'admin' } }, async (request, reply) => {
    const form = parseForm(filterSchema, request.query);
    const filter = form.ok ? { action: form.data.action, from: form.data.from, to: form.data.to } : {};
    const entries = await listEntries(db, request.actor, filter, { offset: 0, limit: EXPORT_LIMIT });
    await audit(db, {
      actor: request.actor,
      action: 'audit.export',
      ip: request.ip,
      details: { ...filter, rows: entries.length },
    });
    const csv = csvText(
      entries.map((e) => [
        e.id,
        e.at.toISOString(),
        e.actor_label,
        e.action,
        labels(e.action) ?? '',
        e.collectivite_id ?? '',
        e.subject_type ?? '',
        e.subject_id ?? '',
        e.ip ?? '',
        JSON.stringify(e.details),
        e.prev_hash,
        e.hash,
      ]),
      {
        header: true,
        columns: [
          'id',
          'date',
          'acteur',
          'action',
          'libelle',
          'collectivite_id',
          'objet_type',
          'objet_id',
          'ip',
          'details',
          'empreinte_precedente',
          'empreinte',
        ],
      },
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="journal-audit.csv"')
      .header('cache-control', 'no-store')
      .send(`\uFEFF${csv}`);
  });
}
