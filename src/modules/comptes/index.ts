import type { FastifyInstance } from 'fastify';
import type { RelaisModule, RouteContext } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { comptesCli } from './cli.ts';
import { invitationRoutes } from './invitation-routes.tsx';
import { passwordRoutes } from './password-routes.tsx';
import { peopleRoutes } from './people-routes.tsx';
import { comptesRoutes } from './routes.tsx';
import { secondFactorRoutes } from './second-factor-routes.tsx';
import { seedComptes } from './seed.ts';

/** Sign-in and sign-out of professionals, and their space. */
export const comptes: RelaisModule = {
  name: 'comptes',
  routes: (app: FastifyInstance, ctx: RouteContext) => {
    comptesRoutes(app, ctx);
    secondFactorRoutes(app, ctx);
    invitationRoutes(app, ctx);
    peopleRoutes(app, ctx);
    passwordRoutes(app, ctx);
  },
  access: {
    'GET /connexion': 'public',
    'POST /connexion': 'public',
    'POST /deconnexion': 'public',
    'GET /espace': 'signed-in',
    'POST /espace/collectivite': 'signed-in',
    // The second step is reached with a pending sign-in cookie, not a session.
    'GET /connexion/code': 'public',
    'POST /connexion/code': 'public',
    'GET /connexion/activer': 'public',
    'POST /connexion/activer': 'public',
    'GET /invitation/:token': 'public',
    'POST /invitation/:token': 'public',
    'GET /mot-de-passe-oublie': 'public',
    'POST /mot-de-passe-oublie': 'public',
    'GET /mot-de-passe/:token': 'public',
    'POST /mot-de-passe/:token': 'public',
    'GET /admin/courriels': 'admin',
    'GET /admin/personnes': 'coordinator',
    'POST /admin/personnes': 'coordinator',
    'GET /admin/personnes/:personne': { coordinatorOf: 'personne' },
    'POST /admin/personnes/:personne/role': { coordinatorOf: 'personne' },
    'POST /admin/personnes/:personne/statut': { coordinatorOf: 'personne' },
    'POST /admin/personnes/:personne/totp': 'admin',
    'GET /connexion/confirmer': 'signed-in',
    'POST /connexion/confirmer': 'signed-in',
    'GET /compte/sessions': 'signed-in',
    'POST /compte/sessions/fermer': 'signed-in',
    'POST /compte/sessions/toutes': 'signed-in',
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
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed.ts';
export { completeFirstFactor, onSecondFactorConfirmed, requireFreshConfirmation } from './signin.ts';
