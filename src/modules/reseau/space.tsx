import { can } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';
import { upcomingEvents } from './agenda.ts';
import { memberCounts } from './members.ts';

/** For the OPSN's administrators, who run the network: applications to answer, what comes next. */
export const networkBlock: SpaceSection = async ({ db }, actor) => {
  if (!can(actor, 'network.manage')) return null;
  const [counts, events] = await Promise.all([memberCounts(db), upcomingEvents(db)]);
  const now = new Date();
  const coming = events.filter((e) => e.starts_at > now && !e.cancelled_at).length;
  const s = (n: number) => (n > 1 ? 's' : '');
  return {
    title: 'Réseau territorial',
    rank: 40,
    ...(counts.candidat > 0
      ? { text: `${counts.candidat} candidature${s(counts.candidat)} à examiner.` }
      : {}),
    facts: [`${counts.membre} membre${s(counts.membre)}`, `${coming} événement${s(coming)} à venir`],
    action:
      counts.candidat > 0
        ? { href: '/admin/reseau/membres?statut=candidat', label: 'Examiner les candidatures' }
        : { href: '/admin/reseau', label: 'Animer le réseau' },
    links: [
      { href: '/admin/reseau', label: 'Animer le réseau' },
      { href: '/admin/reseau/feuille-de-route', label: 'Feuille de route' },
      { href: '/admin/reseau/actualites', label: 'Actualités du réseau' },
    ],
  };
};
