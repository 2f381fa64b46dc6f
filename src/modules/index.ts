import { PLATFORM_AUDIT_ACTIONS } from '../platform/audit/actions.ts';
import { auditMigrations } from '../platform/audit/tables.ts';
import { tokenMigrations } from '../platform/auth/token-tables.ts';
import { textSearchMigrations } from '../platform/db/text-search.ts';
import { httpMigrations } from '../platform/http/tables.ts';
import { jobMigrations } from '../platform/jobs/tables.ts';
import { messagingMigrations } from '../platform/messaging/index.ts';
import type { RelaisModule } from '../platform/module.ts';
import { platformMigrations } from '../platform/tables.ts';
import { activites } from './activites/index.ts';
import { api } from './api/index.ts';
import { beneficiaires } from './beneficiaires/index.ts';
import { competences } from './competences/index.ts';
import { comptes } from './comptes/index.ts';
import { couverture } from './couverture/index.ts';
import { donnees } from './donnees/index.ts';
import { formations } from './formations/index.ts';
import { journal } from './journal/index.ts';
import { lieux } from './lieux/index.ts';
import { mandats } from './mandats/index.ts';
import { mediateurs } from './mediateurs/index.ts';
import { observatoire } from './observatoire/index.ts';
import { orientations } from './orientations/index.ts';
import { proconnect } from './proconnect/index.ts';
import { rendezvous } from './rendezvous/index.ts';
import { reseau } from './reseau/index.ts';
import { ressources } from './ressources/index.ts';
import { sauvegarde } from './sauvegarde/index.ts';
import { site } from './site/index.ts';
import { statistiques } from './statistiques/index.ts';
import { taches } from './taches/index.ts';
import { territoires } from './territoires/index.ts';

/** The platform's own tables, migrated like a module's (and first). */
const platform: RelaisModule = {
  name: 'platform',
  migrations: {
    ...platformMigrations,
    ...auditMigrations,
    ...tokenMigrations,
    ...jobMigrations,
    ...messagingMigrations,
    ...textSearchMigrations,
    ...httpMigrations,
  },
  auditActions: PLATFORM_AUDIT_ACTIONS,
};

/** Every capability of Relais, in the order their demo data is seeded and their nav shown. */
export const modules: RelaisModule[] = [
  platform,
  territoires,
  comptes,
  lieux,
  couverture,
  mediateurs,
  beneficiaires,
  activites,
  statistiques,
  mandats,
  orientations,
  rendezvous,
  formations,
  reseau,
  competences,
  ressources,
  observatoire,
  proconnect,
  journal,
  taches,
  donnees,
  api,
  site,
  sauvegarde,
];
