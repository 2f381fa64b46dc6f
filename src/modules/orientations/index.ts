import type { RelaisModule } from '../../platform/module.ts';
import { orientationApi } from './api.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { orientationRoutes } from './routes.tsx';
import { personReferrals, referralsBlock, reportReferrals, statisticsBlock, timersBlock } from './space.tsx';
import { orientationsMigrations } from './tables.ts';
import { eraseOldReferrals, runReferralTimers } from './timers.ts';

export type { Referral } from './referral.ts';
export { medianResponseDays } from './statistics.ts';

/**
 * Referrals between structures: a helper sends a person, with their recorded and revocable
 * consent, to a service of a place of the directory; the place answers through a signed link
 * (or its helpers in Relais), and the loop closes when the person is received.
 */
export const orientations: RelaisModule = {
  name: 'orientations',
  migrations: orientationsMigrations,
  routes: orientationRoutes,
  api: orientationApi,
  jobs: [
    {
      name: 'orientations.delais',
      label:
        'Relancer les lieux qui n’ont pas répondu aux orientations, alerter les coordinateurs, faire expirer les orientations sans réponse',
      schedule: '20 * * * *',
      run: ({ db, config }) => runReferralTimers(db, config),
    },
    {
      name: 'orientations.effacement',
      label:
        'Effacer les données personnelles des orientations envoyées au-delà de la durée de conservation (24 mois par défaut)',
      schedule: '40 3 * * *',
      run: async ({ db }) => ({ 'orientations anonymisées': await eraseOldReferrals(db) }),
    },
  ],
  space: [referralsBlock, statisticsBlock, timersBlock],
  personRecord: [personReferrals],
  activityReport: [reportReferrals],
  styles: ['orientations.css'],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
