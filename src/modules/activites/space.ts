import { sql } from 'kysely';
import type { SpaceSection } from '../../platform/module.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { helperCollectivites, helperPlaceIds, requireHelper } from '../mediateurs/index.ts';

const reports = (n: number) => (n > 1 ? `${n} comptes rendus` : `${n} compte rendu`);

/** A helper's first block: their reports of today and of the month, and a new one. */
export const reportsBlock: SpaceSection = async ({ db }, actor) => {
  if (helperCollectivites(actor).length === 0) return null;
  const helper = requireHelper(actor);
  const title = 'Mes comptes rendus d’activité';
  // Without an approved place of activity, the report form sends the helper to choose one.
  if ((await helperPlaceIds(db, helper.userId)).length === 0)
    return {
      title,
      rank: 10,
      text: 'Pour enregistrer vos accompagnements, choisissez d’abord vos lieux d’activité : votre coordinateur les approuve.',
      action: { href: '/activites/lieux', label: 'Choisir mes lieux d’activité' },
    };
  const today = parisToday();
  const counts = await db
    .selectFrom('activite')
    .select([
      sql<number>`count(*) filter (where date = ${today})::int`.as('today'),
      sql<number>`count(*)::int`.as('month'),
    ])
    .where('mediateur_id', '=', helper.userId)
    .where('date', '>=', `${today.slice(0, 7)}-01`)
    .where('date', '<=', today)
    .executeTakeFirstOrThrow();
  return {
    title,
    rank: 10,
    facts: [`${reports(counts.today)} aujourd’hui`, `${reports(counts.month)} ce mois-ci`],
    action: { href: '/activites/nouveau', label: 'Nouveau compte rendu' },
    links: [
      { href: '/activites', label: 'Tous mes comptes rendus' },
      { href: '/activites/lieux', label: 'Mes lieux d’activité' },
    ],
  };
};
