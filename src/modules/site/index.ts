import type { RelaisModule } from '../../platform/module.ts';
import { siteRoutes } from './routes.tsx';

/** Legal and help pages: accessibility statement, legal notice, personal data, site map. */
export const site: RelaisModule = {
  name: 'site',
  routes: siteRoutes,
};
