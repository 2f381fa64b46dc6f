import type { RelaisModule } from '../../platform/module.ts';
import { activityApi, activityApiAccess } from './activity-api.ts';
import { activityAccess, activityRoutes } from './activity-routes.tsx';
import { beneficiaryAccess, beneficiaryRoutes } from './beneficiary-routes.tsx';
import { rollupMigrations } from './rollup.ts';
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
};
