import type { SpaceSection } from '../../platform/module.ts';
import { helperCollectivites, requireHelper } from '../mediateurs/index.ts';
import { visibleTo } from './visibility.ts';

/**
 * How many people the helper follows, and the way to them. No name here: the space is often
 * open in front of the public; the list, one click away, journals who read it.
 */
export const peopleBlock: SpaceSection = async ({ db }, actor) => {
  if (helperCollectivites(actor).length === 0) return null;
  const helper = requireHelper(actor);
  const { n } = await db
    .selectFrom('beneficiaire as b')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('b.anonyme', '=', false)
    .where(visibleTo(helper))
    .executeTakeFirstOrThrow();
  const count = Number(n);
  return {
    title: 'Les personnes que j’accompagne',
    rank: 20,
    facts: [
      count === 0
        ? 'Aucune personne enregistrée pour l’instant.'
        : `${count} ${count > 1 ? 'personnes suivies' : 'personne suivie'}`,
    ],
    links: [
      { href: '/beneficiaires', label: 'Voir les personnes que j’accompagne' },
      { href: '/beneficiaires/nouveau', label: 'Enregistrer une personne' },
    ],
  };
};
