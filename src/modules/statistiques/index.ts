import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { compactStatistics } from './counters.ts';
import { activityDataset } from './dataset.ts';
import { statistiquesMigrations } from './migrations.ts';
import { statisticsRoutes } from './routes.tsx';
import './tables.ts';
import { statisticsBlock } from './space.ts';

export { computeStatistics, type RawStatistics } from './compute.ts';
export { compactStatistics, rebuildStatistics } from './counters.ts';
export { ROUNDING_BASE, roundToBase, type Shown, THRESHOLD } from './disclosure.ts';
export { type Period, parsePeriod, presets, splitPeriod } from './period.ts';
export { type Breakdown, presentStatistics, type StatisticsView } from './presentation.ts';
export {
  lastCompleteDay,
  parsePublishedPeriod,
  publishedPeriod,
  publishedPresets,
} from './published-period.ts';
export { DISTINCT_SETTINGS, namedStatisticsQueries, type QuerySettings } from './queries.ts';
export type { Scope } from './scope.ts';
export { BreakdownFigure, MaskingNote, Months, periodText, Summary } from './views.tsx';

/**
 * Activity statistics of a helper, a place, a collectivité or the whole OPSN: monthly counters,
 * periods, the rounding of published numbers, pages, charts, spreadsheets and shared links.
 */
export const statistiques: RelaisModule = {
  name: 'statistiques',
  migrations: statistiquesMigrations,
  routes: statisticsRoutes,
  space: [statisticsBlock],
  jobs: [
    {
      // The counters are exact without it; folding keeps the deltas table small.
      // The name it had before the module was split: the job's history stays under it.
      name: 'activites.compactage-statistiques',
      label: 'Regrouper les compteurs mensuels des statistiques',
      schedule: '*/10 * * * *',
      run: async ({ db }) => ({ 'lignes regroupées': await compactStatistics(db) }),
    },
  ],
  styles: ['statistiques.css'],
  auditActions: AUDIT_ACTIONS,
  datasets: [activityDataset],
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
