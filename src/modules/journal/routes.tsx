import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { blankToUndefined, parseForm } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import { sendTable, type Table } from '../../platform/table-export.ts';
import { actionLabels } from './labels.ts';
import { accountsOf, allEntries, countEntries, listActions, listEntries, PAGE_SIZE } from './service.ts';
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

/** The export's columns, comma-separated (a file for tools rather than for a spreadsheet). */
const EXPORT_TABLE: Table = {
  sheet: 'Journal',
  delimiter: ',',
  header: [
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
};

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
    // Journaled before the first byte leaves; the entries then stream page by page.
    await audit(db, {
      actor: request.actor,
      action: 'audit.export',
      ip: request.ip,
      details: { ...filter, rows: await countEntries(db, request.actor, filter) },
    });
    const cells = async function* () {
      for await (const e of allEntries(db, request.actor, filter))
        yield [
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
        ];
    };
    return sendTable(reply, 'csv', 'journal-audit', EXPORT_TABLE, cells());
  });
}
