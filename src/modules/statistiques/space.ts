import { can } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { NavEntry, SpaceSection } from '../../platform/module.ts';
import { formatMonth } from '../../platform/paris-time.ts';
import { helperCollectivites } from '../mediateurs/index.ts';
import { displayName, listCollectivites } from '../territoires/index.ts';
import type { Shown } from './disclosure.ts';
import { statisticsView } from './presentation.ts';
import { lastCompleteDay } from './published-period.ts';
import { collectiviteStatistics, opsnStatistics, type StatisticsAccess } from './scope.ts';

const shown = (n: Shown, one: string, many: string) =>
  n === 'lt5' ? `moins de 5 ${many}` : `${n} ${n <= 1 ? one : many}`;

/** What a view counted in the last complete month, as its page publishes it (rounded, masked). */
async function lastMonth(db: Db, access: StatisticsAccess, label: string) {
  const au = lastCompleteDay();
  const { summary } = await statisticsView(db, access, { du: `${au.slice(0, 7)}-01`, au });
  return `${label}, en ${formatMonth(au.slice(0, 7))} : ${shown(summary.accompagnements, 'accompagnement', 'accompagnements')}, ${shown(summary.personnes, 'personne', 'personnes')}`;
}

/**
 * The statistics each person may read: their own (helpers), their collectivité's and the OPSN's
 * with the last complete month's figures, as the statistics pages publish them.
 */
export const statisticsBlock: SpaceSection = async ({ db }, actor) => {
  const links: NavEntry[] = [];
  const facts: string[] = [];
  if (helperCollectivites(actor).length > 0) links.push({ href: '/statistiques', label: 'Mes statistiques' });
  const opsn = can(actor, 'opsn.manage');
  if (opsn) {
    facts.push(await lastMonth(db, await opsnStatistics(db, actor), 'Tout le territoire'));
    links.push({ href: '/statistiques/opsn', label: 'Statistiques de tout le territoire' });
  } else {
    const mine = new Set(actor.memberships.map((m) => m.collectiviteId));
    for (const c of await listCollectivites(db)) {
      if (!mine.has(c.id) || !can(actor, 'statistics.read', { collectiviteId: c.id })) continue;
      const access = await collectiviteStatistics(db, actor, String(c.id));
      if (access) facts.push(await lastMonth(db, access, displayName(c)));
      links.push({ href: `/statistiques/collectivites/${c.id}`, label: `Statistiques de ${displayName(c)}` });
    }
  }
  if (links.length === 0) return null;
  return {
    title: 'Statistiques',
    rank: opsn ? 60 : 40,
    ...(facts.length === 0
      ? { text: 'Les accompagnements par mois, thématique et public, à exporter ou à partager par un lien.' }
      : { facts }),
    links,
  };
};
