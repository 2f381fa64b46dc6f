import type { RelaisModule } from '../../platform/module.ts';
import { apiCli } from './cli.ts';
import { apiRoutes } from './routes.tsx';

/** The JSON API for integrations (`/api/v1`), authenticated by personal tokens. */
export const api: RelaisModule = {
  name: 'api',
  routes: apiRoutes,
  access: {
    'GET /api/v1/moi': 'signed-in',
    'GET /api/v1/collectivites': 'public',
    'GET /api/v1/openapi.json': 'public',
    'GET /api/docs': 'public',
  },
  cli: apiCli,
};
