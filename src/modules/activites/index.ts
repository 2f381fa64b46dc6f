import type { RelaisModule } from '../../platform/module.ts';
import { activityApi } from './activity-api.ts';
import { activityRoutes } from './activity-routes.tsx';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { rollupMigrations } from './rollup.ts';
import { seedActivites } from './seed.ts';
import { reportsBlock } from './space.ts';
import { activitesMigrations } from './tables.ts';

export { activitiesStream, writeActivitiesXlsx } from './activity-export.ts';
export {
  EXPORT_PAGE,
  type ExportRow,
  exportRowStream,
  findOwnActivity,
  recordActivities,
} from './activity-service.ts';
export {
  accompaniedBy,
  accompaniedByHelper,
  activitySource,
  countParticipations,
  detachParticipations,
  lastParticipationDate,
  lastParticipationWith,
  lastReportAt,
  moveParticipations,
  participationHistory,
  participationSource,
  participationsBefore,
  participationsBeforeDay,
} from './participants.ts';
export { DEMO_HELPER_EMAIL } from './seed.ts';
export {
  AUTONOMIES,
  CANAUX,
  DEMARCHES,
  MATERIELS,
  STRUCTURES_REDIRECTION,
  THEMATIQUES,
  TYPES_ACTIVITE,
} from './vocabulary.ts';

/** Helpers' activity reports: recording them (forms and API), listing and exporting them. */
export const activites: RelaisModule = {
  name: 'activites',
  migrations: { ...activitesMigrations, ...rollupMigrations },
  routes: activityRoutes,
  api: activityApi,
  seedDemo: seedActivites,
  styles: ['activites.css'],
  space: [reportsBlock],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
