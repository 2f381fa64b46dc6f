import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { orientationRoutes } from './routes.tsx';
import { orientationsMigrations } from './tables.ts';

export type { Referral } from './service.ts';

/**
 * Referrals between structures: a helper sends a person, with their recorded and revocable
 * consent, to a service of a place of the directory; the place answers through a signed link
 * (or its helpers in Relais), and the loop closes when the person is received.
 */
export const orientations: RelaisModule = {
  name: 'orientations',
  migrations: orientationsMigrations,
  routes: orientationRoutes,
  styles: ['orientations.css'],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
