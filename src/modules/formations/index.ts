import type { RelaisModule } from '../../platform/module.ts';
import { trainingDates } from './agenda.ts';
import { formationsApi } from './api.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { formationsCli } from './cli.ts';
import { sessionsDataset } from './datasets.ts';
import { runTrainingTimers } from './jobs.ts';
import { trainingRoutes } from './routes.tsx';
import { seedFormations } from './seed.ts';
import { learnerBlock, organiserBlock, trainerBlock } from './space.ts';
import { formationsMigrations } from './tables.ts';

export { monthlyTrainingCounts } from './indicators.ts';
export { register as registerForTraining } from './service.ts';

/**
 * Training of the helpers: the catalogue, sessions by half-day, registrations with a waiting
 * list that offers freed seats, attendance, verifiable certificates, and the mandate
 * habilitation that follows a training.
 */
export const formations: RelaisModule = {
  name: 'formations',
  migrations: formationsMigrations,
  routes: trainingRoutes,
  cli: formationsCli,
  api: formationsApi,
  seedDemo: seedFormations,
  jobs: [
    {
      name: 'formations.rappels',
      label:
        'Rappeler les formations 7 jours et 1 jour avant (courriel, et SMS à qui a donné son mobile), proposer à la personne suivante les places non confirmées en 48 heures, et effacer les numéros de mobile après la formation',
      schedule: '10 * * * *',
      run: ({ db, config }) => runTrainingTimers(db, config),
    },
  ],
  nav: [{ href: '/formations', label: 'Formations' }],
  space: [learnerBlock, organiserBlock, trainerBlock],
  styles: ['formations.css'],
  auditActions: AUDIT_ACTIONS,
  datasets: [sessionsDataset],
  agenda: [trainingDates],
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
