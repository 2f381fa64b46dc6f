import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseForm } from '../../platform/forms.ts';
import { findRun } from '../../platform/jobs/index.ts';
import type { RouteContext } from '../../platform/module.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { findJob, jobStatuses, lastRuns, runJobNow, TASKS_REFUSED } from './service.ts';
import { TachesPage } from './views.tsx';

const shownSchema = z.object({ execution: z.coerce.number().int().positive().optional().catch(undefined) });
const runSchema = z.object({ tache: z.string().trim().min(1).max(200) });

export function tachesRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    notice: { doneId?: number | undefined; error?: string; status?: number } = {},
  ) => {
    const [statuses, runs, done] = await Promise.all([
      jobStatuses(ctx, ctx.contributions.jobs, request.actor),
      lastRuns(ctx, request.actor),
      notice.doneId ? findRun(ctx.db, notice.doneId) : undefined,
    ]);
    return reply
      .header('cache-control', 'no-store')
      .page(
        { title: 'Tâches planifiées', hasErrors: Boolean(notice.error), status: notice.status ?? 200 },
        <TachesPage
          statuses={statuses}
          runs={runs}
          scheduling={ctx.config.jobs}
          csrf={reply.generateCsrf()}
          done={done}
          error={notice.error}
        />,
      );
  };

  app.get(
    '/admin/taches',
    { config: { access: 'admin', refusal: TASKS_REFUSED } },
    async (request, reply) => {
      const shown = shownSchema.parse(request.query ?? {});
      return page(request, reply, { doneId: shown.execution });
    },
  );

  app.post(
    '/admin/taches/lancer',
    { config: { access: 'admin', refusal: TASKS_REFUSED } },
    async (request, reply) => {
      const form = parseForm(runSchema, request.body);
      const job = form.ok ? findJob(ctx.contributions.jobs, form.data.tache) : undefined;
      if (!job) return page(request, reply, { error: 'Cette tâche n’existe pas.', status: 400 });
      const outcome = await runJobNow(ctx, ctx.contributions, request.actor, job, request.ip);
      if (outcome.status === 'skipped') {
        return page(request, reply, {
          error: `Cette tâche est déjà en cours depuis le ${formatDateTime(outcome.runningSince, 'short')} : elle n’a pas été relancée.`,
          status: 409,
        });
      }
      return reply.redirect(`/admin/taches?execution=${outcome.runId}`, 303);
    },
  );
}
