import type { RelaisModule } from '../../platform/module.ts';
import { apiCli } from './cli.ts';
import { apiRoutes } from './routes.tsx';

/** The JSON API for integrations (`/api/v1`), authenticated by personal tokens. */
export const api: RelaisModule = {
  name: 'api',
  routes: apiRoutes,
  cli: apiCli,
};
