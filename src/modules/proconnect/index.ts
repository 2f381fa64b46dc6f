import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { proconnectRoutes } from './routes.tsx';
import { proconnectMigrations } from './tables.ts';

/**
 * Sign-in with ProConnect, the State's identity federation for public agents, as a first
 * factor besides the password. Off unless PROCONNECT_* is configured (the routes then
 * answer 404). It links a ProConnect identity to an account that an invitation opened.
 */
export const proconnect: RelaisModule = {
  name: 'proconnect',
  migrations: proconnectMigrations,
  routes: proconnectRoutes,
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
