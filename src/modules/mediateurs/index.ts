import type { RelaisModule } from '../../platform/module.ts';
import { placesAccess, placesRoutes } from './places-routes.tsx';
import './tables.ts';

export {
  choosablePlaces,
  type Helper,
  helperByEmail,
  helperCollectivites,
  helperPlaceIds,
  helperPlaces,
  isHelperOfPlace,
  placeIdsOf,
  requireHelper,
  setHelperPlaces,
} from './helpers.ts';

/** Helpers (médiateurs): who is one, and their places of activity. */
export const mediateurs: RelaisModule = {
  name: 'mediateurs',
  routes: placesRoutes,
  access: placesAccess,
};
