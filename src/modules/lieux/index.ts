import type { RelaisModule } from '../../platform/module.ts';
import { lieuxApi } from './api.ts';
import { lieuxCli } from './cli.ts';
import { lieuxRoutes } from './routes.tsx';
import { seedLieux } from './seed.ts';
import { lieuxMigrations } from './tables.ts';

/** The directory of places of digital mediation (national LMN standard), public search and map. */
export const lieux: RelaisModule = {
  name: 'lieux',
  migrations: lieuxMigrations,
  routes: lieuxRoutes,
  api: lieuxApi,
  cli: lieuxCli,
  seedDemo: seedLieux,
  access: {
    'GET /lieux': 'public',
    'GET /lieux/:id': 'public',
    'GET /api/v1/lieux': 'public',
    'GET /api/v1/lieux.csv': 'public',
    'GET /api/v1/lieux.json': 'public',
    'GET /api/v1/structures.json': 'public',
    'GET /api/v1/services.json': 'public',
  },
  nav: [{ href: '/lieux', label: 'Trouver un lieu' }],
  home: [
    {
      href: '/lieux',
      title: 'Trouver de l’aide près de chez vous',
      text: 'Les lieux où l’on vous aide à faire vos démarches en ligne et à utiliser le numérique.',
    },
  ],
};
