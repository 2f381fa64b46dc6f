import type { RelaisModule } from '../../platform/module.ts';
import { mandateJobs } from './jobs.ts';
import { mandatsMigrations } from './tables.ts';

/**
 * Secure mandates (Aidants Connect grade): a trained helper acts on a person's behalf only
 * with explicit, limited, revocable and journaled consent.
 */
export const mandats: RelaisModule = {
  name: 'mandats',
  migrations: mandatsMigrations,
  jobs: mandateJobs(),
};
