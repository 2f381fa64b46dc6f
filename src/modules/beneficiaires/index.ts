// First, and in this order: module activites builds its schemas from these values when it
// loads, and it may load while this module is loading (each uses the other).
import './vocabulary.ts';
import './fields.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { beneficiaryRoutes } from './routes.tsx';
import { purgeExpiredBeneficiaries, RETENTION_TEXT } from './service.ts';
import { peopleBlock } from './space.ts';
import './tables.ts';

export {
  type Beneficiary,
  createBeneficiary,
  displayNameOf,
  findDuplicates,
  findVisibleBeneficiary,
  snapshotOf,
} from './beneficiary.ts';
export {
  fullNameOf,
  type PersonAttributes,
  type PersonChoice,
  peopleAccompaniedBy,
  personAttributes,
  personChoiceLabel,
  personColumn,
  recentBeneficiaries,
  searchBeneficiaries,
  visibleBeneficiaries,
  visibleIds,
} from './choices.ts';
export { type BeneficiaryInput, beneficiaryFields, beneficiaryJson } from './fields.ts';
export { visibleTo } from './visibility.ts';
export { GENRES, STATUTS, TRANCHES_AGE, type TrancheAge, trancheAge } from './vocabulary.ts';

/** The people helpers accompany: their records, duplicates and merges, retention, right of access. */
export const beneficiaires: RelaisModule = {
  name: 'beneficiaires',
  routes: beneficiaryRoutes,
  space: [peopleBlock],
  jobs: [
    {
      // The name it had before the module was split: the job's history stays under it.
      name: 'activites.purge-beneficiaires',
      label: `Effacer les fiches des personnes accompagnées ${RETENTION_TEXT}`,
      schedule: '30 3 * * *',
      run: async ({ db }) => ({
        'fiches effacées': await purgeExpiredBeneficiaries(db, systemActor('tâche planifiée')),
      }),
    },
  ],
  styles: ['beneficiaires.css'],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
