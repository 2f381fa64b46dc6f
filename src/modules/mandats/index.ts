import type { RelaisModule } from '../../platform/module.ts';
import { attestationRoutes } from './attestation-routes.tsx';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { consentAnswers } from './creation.ts';
import { flowRoutes } from './flow-routes.tsx';
import { habilitationRoutes } from './habilitation-routes.tsx';
import { mandateJobs } from './jobs.ts';
import { mandateRoutes } from './mandate-routes.tsx';
import { personMandates } from './person-section.tsx';
import { seedMandats } from './seed.ts';
import { habilitationsBlock, mandatesBlock } from './space.ts';
import { mandatsMigrations } from './tables.ts';
import { verificationRoutes } from './verification-routes.tsx';

export { createMandate } from './creation.ts';
export { grantHabilitation, type HabilitationInput } from './habilitation.ts';
export type { Mandate, MandateRequest } from './service.ts';

/**
 * Secure mandates (Aidants Connect grade): a trained helper acts on a person's behalf only
 * with explicit, limited, revocable and journaled consent.
 */
export const mandats: RelaisModule = {
  name: 'mandats',
  migrations: mandatsMigrations,
  routes: (app, ctx) => {
    flowRoutes(app, ctx);
    mandateRoutes(app, ctx);
    habilitationRoutes(app, ctx);
    attestationRoutes(app, ctx);
    verificationRoutes(app, ctx);
  },
  seedDemo: seedMandats,
  jobs: mandateJobs(),
  smsAnswers: [consentAnswers],
  space: [mandatesBlock, habilitationsBlock],
  personRecord: [personMandates],
  styles: ['mandats.css'],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
