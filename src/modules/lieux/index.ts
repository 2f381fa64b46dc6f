import type { RelaisModule } from '../../platform/module.ts';
import { lieuxAdminRoutes } from './admin-routes.tsx';
import { lieuxApi } from './api.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { lieuxCli } from './cli.ts';
import { collectivitePlaces } from './collectivite-section.tsx';
import { placesDataset } from './dataset.ts';
import { purgeExpiredPendingImports } from './import-pending.ts';
import { HomeSearch } from './public-views.tsx';
import { lieuxRoutes } from './routes.tsx';
import { seedLieux } from './seed.ts';
import { placesBlock } from './space.ts';
import { lieuxMigrations } from './tables.ts';

/** The directory of places of digital mediation (national LMN standard), public search and map. */
export const lieux: RelaisModule = {
  name: 'lieux',
  migrations: lieuxMigrations,
  routes: (app, ctx) => {
    lieuxRoutes(app, ctx);
    lieuxAdminRoutes(app, ctx);
  },
  api: lieuxApi,
  cli: lieuxCli,
  seedDemo: seedLieux,
  nav: [{ href: '/lieux', label: 'Trouver un lieu' }],
  collectivitePage: [collectivitePlaces],
  space: [placesBlock],
  home: [
    {
      href: '/lieux',
      title: 'Trouver de l’aide près de chez vous',
      text: 'Les lieux où l’on vous aide à faire vos démarches en ligne et à utiliser le numérique.',
      featured: HomeSearch,
    },
  ],
  styles: ['lieux.css'],
  auditActions: AUDIT_ACTIONS,
  datasets: [placesDataset],
  jobs: [
    {
      name: 'lieux.purge-import-essais',
      label: 'Effacer les fichiers d’import vérifiés et non confirmés dans l’heure',
      schedule: '20 * * * *',
      run: async ({ db }) => ({ 'fichiers effacés': await purgeExpiredPendingImports(db) }),
    },
  ],
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
export { lmnRecord, publishedPlaces } from './export.ts';
export { importPlaces } from './import.ts';
export { MAP_ASSETS, mapAttributes } from './map-view.tsx';
export {
  type CommunePlaces,
  isInFrance,
  nearestPublishedPlace,
  type PlaceAtDistance,
  type PlacesAround,
  type Point,
  publishedPlacesAround,
  publishedPlacesOfCommunes,
  publishedPlacesServing,
  publishedPlacesWithin,
  SERVICES,
  type Service,
  type ServingPlace,
} from './proximity.ts';
export { searchPlaces, searchSchema } from './search.ts';
export {
  findPublishedPlace,
  type PlaceSummary,
  placeNameOf,
  placePostalAddress,
  placeSummaries,
  placeSummariesByOwner,
  placeSummaryOf,
  placesOfCollectivites,
  publishedPlacesWithPosition,
  savePlace,
  setPlaceStatus,
} from './service.ts';
export { LMN_FIELDS, LMN_VERSION, type LmnField, type LmnPlace } from './vocabulary.ts';
