import type { RelaisModule } from '../../platform/module.ts';
import { observatoireCli } from './cli.ts';
import { observatoireRoutes } from './routes.tsx';
import { observatoireMigrations } from './tables.ts';

/** The observatory of digital exclusion: MedNum's digital fragility index (IFN), by vintage. */
export const observatoire: RelaisModule = {
  name: 'observatoire',
  migrations: observatoireMigrations,
  routes: observatoireRoutes,
  cli: observatoireCli,
  access: {
    'GET /admin/observatoire/ifn': 'admin',
    'POST /admin/observatoire/ifn': 'admin',
    'GET /admin/observatoire/ifn/rapport': 'admin',
    'GET /admin/observatoire/ifn/rapport.csv': 'admin',
  },
};

export {
  type IfnComparison,
  type IfnIndex,
  type IfnVintage,
  indexComparison,
  latestIndex,
  listVintages,
  type Standing,
} from './query.ts';
export { IndexMissing } from './views.tsx';
