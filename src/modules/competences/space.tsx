import { can, isAdmin } from '../../platform/auth/policy.ts';
import type { PersonRecordSection, SpaceSection } from '../../platform/module.ts';
import { helperCollectivites, requireHelper } from '../mediateurs/index.ts';
import { helperCounts } from './service.ts';

/** A helper's diagnoses: how many this month, and the way to run one with a person. */
export const skillsBlock: SpaceSection = async ({ db }, actor) => {
  if (helperCollectivites(actor).length === 0) return null;
  const helper = requireHelper(actor);
  const n = await helperCounts(db, helper);
  const s = (k: number) => (k > 1 ? 's' : '');
  return {
    title: 'Compétences numériques',
    rank: 40,
    facts: [`${n.month} diagnostic${s(n.month)} ce mois-ci / ${n.total} en tout`],
    action: { href: '/competences/personnes', label: 'Faire un diagnostic avec une personne' },
    links: [
      { href: '/competences/diagnostic', label: 'Le questionnaire public, sans fiche' },
      { href: '/competences/observatoire', label: 'Les chiffres du territoire' },
    ],
  };
};

/** For coordinators and administrators: the territory's figures. */
export const skillsObservatoryBlock: SpaceSection = async (_ctx, actor) => {
  if (helperCollectivites(actor).length > 0) return null;
  const coordinates =
    isAdmin(actor) ||
    actor.memberships.some((m) =>
      can(actor, 'statistics.read', { collectiviteId: m.collectiviteId ?? undefined }),
    );
  if (!coordinates) return null;
  return {
    title: 'Compétences numériques des habitants',
    rank: 60,
    text: 'Les diagnostics faits sur le territoire, par commune et par mois, sans aucun résultat individuel.',
    links: [{ href: '/competences/observatoire', label: 'Voir les chiffres des diagnostics' }],
  };
};

/** On a person's record: their diagnoses and progress. */
export const personSkills: PersonRecordSection = async (_ctx, actor, person) => {
  if (helperCollectivites(actor).length === 0) return null;
  return (
    <p>
      <a href={`/competences/personnes/${person.id}`}>Compétences numériques</a> : diagnostics et progrès de
      la personne.
    </p>
  );
};
