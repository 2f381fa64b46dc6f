import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { diagnosticsDataset } from './observatory.ts';
import { competencesRoutes } from './routes.tsx';
import { seedCompetences } from './seed.ts';
import { personSkills, skillsBlock, skillsObservatoryBlock } from './space.tsx';
import { competencesMigrations } from './tables.ts';

/**
 * Digital skills: a plain-French self-diagnosis anyone can take alone (nothing kept but
 * counts), results that lead to the places of the directory, and, with a helper and the
 * person's consent, diagnoses kept in their record to follow their progress.
 */
export const competences: RelaisModule = {
  name: 'competences',
  migrations: competencesMigrations,
  routes: competencesRoutes,
  seedDemo: seedCompetences,
  home: [
    {
      href: '/competences',
      title: 'Faire le point sur mes compétences numériques',
      text: 'Un questionnaire simple, sans compte, pour savoir ce que vous savez faire et où apprendre près de chez vous.',
    },
  ],
  space: [skillsBlock, skillsObservatoryBlock],
  personRecord: [personSkills],
  styles: ['competences.css'],
  auditActions: AUDIT_ACTIONS,
  datasets: [diagnosticsDataset],
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
