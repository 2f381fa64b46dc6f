import { can } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { publishedFiles } from './publish.ts';

/** For those who publish the open data: when each dataset was last generated, or that it is not yet. */
export const openDataBlock: SpaceSection = async ({ db, contributions }, actor) => {
  if (!can(actor, 'opendata.publish')) return null;
  const files = await publishedFiles(db);
  const facts = contributions.datasets.map((dataset) => {
    const times = files.filter((f) => f.dataset === dataset.id).map((f) => f.generated_at.getTime());
    return times.length === 0
      ? `${dataset.title} : pas encore disponible`
      : `${dataset.title} : générées le ${formatDateTime(new Date(Math.max(...times)), 'short')}`;
  });
  return {
    title: 'Données ouvertes',
    rank: 35,
    facts,
    links: [{ href: '/donnees', label: 'Voir et régénérer les données ouvertes' }],
  };
};
