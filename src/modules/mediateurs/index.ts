import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { assignPlacesAsSystem, placeApprovalMigrations } from './place-approval.ts';
import { placeApprovalRoutes } from './place-approval-routes.tsx';
import './tables.ts';
import { approvalsBlock } from './space.ts';

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
} from './helpers.ts';
export { assignPlacesAsSystem };

/** Helpers (médiateurs): who is one, and their places of activity. */
export const mediateurs: RelaisModule = {
  name: 'mediateurs',
  migrations: placeApprovalMigrations,
  routes: placeApprovalRoutes,
  space: [approvalsBlock],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
