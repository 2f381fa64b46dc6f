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
import { outboxBlock } from './space.ts';

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
  cli: comptesCli,
  seedDemo: seedComptes,
  space: [outboxBlock],
  styles: ['comptes.css'],
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
export { invitePerson } from './people.ts';
export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed.ts';
export { completeFirstFactor, onSecondFactorConfirmed, requireFreshConfirmation } from './signin.ts';
