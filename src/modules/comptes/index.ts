import type { RelaisModule } from '../../platform/module.ts';
import { comptesCli } from './cli.ts';
import { comptesRoutes } from './routes.tsx';
import { seedComptes } from './seed.ts';

/** Sign-in and sign-out of professionals, and their space. */
export const comptes: RelaisModule = {
  name: 'comptes',
  routes: comptesRoutes,
  access: {
    'GET /connexion': 'public',
    'POST /connexion': 'public',
    'POST /deconnexion': 'public',
    'GET /espace': 'signed-in',
  },
  cli: comptesCli,
  seedDemo: seedComptes,
  home: [
    {
      href: '/connexion',
      title: 'Espace des professionnels',
      text: 'Médiateurs, coordinateurs et administrateurs : connectez-vous à vos outils.',
    },
  ],
};

export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed.ts';
