import { isAdmin } from '../../platform/auth/policy.ts';
import { latestRuns } from '../../platform/jobs/index.ts';
import type { SpaceSection } from '../../platform/module.ts';

/** For administrators: the scheduled jobs whose last run failed. */
export const jobsBlock: SpaceSection = async ({ db, contributions }, actor) => {
  if (!isAdmin(actor)) return null;
  const last = await latestRuns(db);
  const failing = contributions.jobs.filter((job) => {
    const run = last.get(job.name);
    return run !== undefined && run.finished_at !== null && !run.ok;
  });
  const link = { href: '/admin/taches', label: 'Voir les tâches planifiées' };
  if (failing.length === 0)
    return {
      title: 'Tâches planifiées',
      rank: 10,
      facts: [
        'Aucune tâche en échec : chaque dernière exécution a réussi ou la tâche n’a pas encore tourné.',
      ],
      links: [link],
    };
  return {
    title: 'Tâches planifiées',
    rank: 10,
    text:
      failing.length > 1
        ? `${failing.length} tâches ont échoué à leur dernière exécution :`
        : 'Une tâche a échoué à sa dernière exécution :',
    facts: failing.map((job) => job.label),
    action: link,
  };
};
