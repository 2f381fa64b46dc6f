import { systemActor } from '../../platform/auth/policy.ts';
import type { RelaisModule } from '../../platform/module.ts';
import { activityApi, activityApiAccess } from './activity-api.ts';
import { activityAccess, activityRoutes } from './activity-routes.tsx';
import { purgeExpiredBeneficiaries, RETENTION_TEXT } from './beneficiaire-service.ts';
import { beneficiaryAccess, beneficiaryRoutes } from './beneficiary-routes.tsx';
import { compactStatistics, rollupMigrations } from './rollup.ts';
import { seedActivites } from './seed.ts';
import { statisticsAccess, statisticsRoutes } from './statistics-routes.tsx';
import { activitesMigrations } from './tables.ts';

/** The helper workspace: people helped, activity reports, statistics and exports. */
export const activites: RelaisModule = {
  name: 'activites',
  migrations: { ...activitesMigrations, ...rollupMigrations },
  routes: (app, ctx) => {
    activityRoutes(app, ctx);
    beneficiaryRoutes(app, ctx);
    statisticsRoutes(app, ctx);
  },
  api: activityApi,
  access: { ...activityAccess, ...beneficiaryAccess, ...statisticsAccess, ...activityApiAccess },
  seedDemo: seedActivites,
  jobs: [
    {
      name: 'activites.purge-beneficiaires',
      label: `Effacer les fiches des personnes accompagnées ${RETENTION_TEXT}`,
      schedule: '30 3 * * *',
      run: async ({ db }) => ({
        'fiches effacées': await purgeExpiredBeneficiaries(db, systemActor('tâche planifiée')),
      }),
    },
    {
      // The counters are exact without it; folding keeps the deltas table small.
      name: 'activites.compactage-statistiques',
      label: 'Regrouper les compteurs mensuels des statistiques',
      schedule: '*/10 * * * *',
      run: async ({ db }) => ({ 'lignes regroupées': await compactStatistics(db) }),
    },
  ],
};
