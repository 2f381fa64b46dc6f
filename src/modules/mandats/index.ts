import type { RelaisModule } from '../../platform/module.ts';
import { attestationAccess, attestationRoutes } from './attestation-routes.tsx';
import { habilitationAccess, habilitationRoutes } from './habilitation-routes.tsx';
import { mandateJobs } from './jobs.ts';
import { smsAccess, smsRoutes } from './sms-routes.tsx';
import { mandatsMigrations } from './tables.ts';
import { verificationAccess, verificationRoutes } from './verification-routes.tsx';

/**
 * Secure mandates (Aidants Connect grade): a trained helper acts on a person's behalf only
 * with explicit, limited, revocable and journaled consent.
 */
export const mandats: RelaisModule = {
  name: 'mandats',
  migrations: mandatsMigrations,
  routes: (app, ctx) => {
    habilitationRoutes(app, ctx);
    attestationRoutes(app, ctx);
    verificationRoutes(app, ctx);
    smsRoutes(app, ctx);
  },
  access: { ...habilitationAccess, ...attestationAccess, ...verificationAccess, ...smsAccess },
  jobs: mandateJobs(),
};
