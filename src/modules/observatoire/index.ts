import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { observatoireCli } from './cli.ts';
import { indexCoverageDataset } from './dataset.ts';
import { observatoireRoutes } from './routes.tsx';
import { indexBlock } from './space.ts';
import { observatoireMigrations } from './tables.ts';
import { territoryRoutes } from './territory-routes.tsx';

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
  space: [indexBlock],
  nav: [{ href: '/observatoire', label: 'Observatoire' }],
  home: [
    {
      href: '/observatoire',
      title: 'Observatoire de l’inclusion numérique',
      text: 'La fragilité numérique de chaque territoire, les lieux d’aide, les zones blanches et l’activité des médiateurs.',
    },
  ],
  // The territory pages show the statistics' charts.
  styles: ['statistiques.css', 'observatoire.css'],
  auditActions: AUDIT_ACTIONS,
  datasets: [indexCoverageDataset],
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
export {
  type IfnComparison,
  type IfnIndex,
  type IfnVintage,
  indexComparison,
  latestIndex,
  listVintages,
  type Standing,
} from './query.ts';
export { communeIndexes, DEFAULT_THRESHOLD } from './territory-service.ts';
export { IndexMissing } from './views.tsx';
