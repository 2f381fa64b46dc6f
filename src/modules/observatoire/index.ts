import type { RelaisModule } from '../../platform/module.ts';
import { observatoireCli } from './cli.ts';
import { registerIndexCoverageDataset } from './dataset.ts';
import { observatoireRoutes } from './routes.tsx';
import { observatoireMigrations } from './tables.ts';
import { territoryRoutes } from './territory-routes.tsx';

// The open dataset of the index per commune with its coverage is the observatory's to build.
registerIndexCoverageDataset();

/**
 * The observatory of digital exclusion: MedNum's digital fragility index (IFN), by vintage,
 * and the public pages joining it with the places and the helpers' activity per territory.
 */
export const observatoire: RelaisModule = {
  name: 'observatoire',
  migrations: observatoireMigrations,
  routes: (app, ctx) => {
    observatoireRoutes(app, ctx);
    territoryRoutes(app, ctx);
  },
  cli: observatoireCli,
  nav: [{ href: '/observatoire', label: 'Observatoire' }],
  home: [
    {
      href: '/observatoire',
      title: 'Observatoire de l’inclusion numérique',
      text: 'La fragilité numérique de chaque territoire, les lieux d’aide, les zones blanches et l’activité des médiateurs.',
    },
  ],
};

export { registerIndexCoverageDataset } from './dataset.ts';
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
