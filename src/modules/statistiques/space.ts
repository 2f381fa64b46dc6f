import { can } from '../../platform/auth/policy.ts';
import type { NavEntry, SpaceSection } from '../../platform/module.ts';
import { helperCollectivites } from '../mediateurs/index.ts';
import { displayName, listCollectivites } from '../territoires/index.ts';

/** The statistics each person may read: their own (helpers), their collectivité's, the OPSN's. */
export const statisticsBlock: SpaceSection = async ({ db }, actor) => {
  const links: NavEntry[] = [];
  if (helperCollectivites(actor).length > 0) links.push({ href: '/statistiques', label: 'Mes statistiques' });
  const opsn = can(actor, 'opsn.manage');
  if (opsn) links.push({ href: '/statistiques/opsn', label: 'Statistiques de tout le territoire' });
  else {
    const mine = new Set(actor.memberships.map((m) => m.collectiviteId));
    for (const c of await listCollectivites(db))
      if (mine.has(c.id) && can(actor, 'statistics.read', { collectiviteId: c.id }))
        links.push({
          href: `/statistiques/collectivites/${c.id}`,
          label: `Statistiques de ${displayName(c)}`,
        });
  }
  if (links.length === 0) return null;
  return {
    title: 'Statistiques',
    rank: opsn ? 60 : 40,
    text: 'Les accompagnements par mois, thématique et public, à exporter ou à partager par un lien.',
    links,
  };
};
