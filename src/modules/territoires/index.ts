import type { RelaisModule } from '../../platform/module.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { territoiresCli } from './cli.ts';
import { territoiresRoutes } from './routes.tsx';
import { seedTerritoires } from './seed.ts';
import { territoiresMigrations } from './tables.ts';

/** The OPSN and its member collectivités (communes by INSEE code, EPCI by SIREN). */
export const territoires: RelaisModule = {
  name: 'territoires',
  migrations: territoiresMigrations,
  routes: territoiresRoutes,
  cli: territoiresCli,
  seedDemo: seedTerritoires,
  nav: [
    { href: '/', label: 'Accueil' },
    { href: '/collectivites', label: 'Collectivités' },
  ],
  home: [
    {
      href: '/collectivites',
      title: 'Nos collectivités membres',
      text: 'Les communes et intercommunalités que nous accompagnons, et leurs pages.',
    },
  ],
  auditActions: AUDIT_ACTIONS,
};

export { AUDIT_ACTIONS } from './audit-actions.ts';
export {
  type CommuneMatch,
  communeOfAddress,
  communeOfArrondissement,
  findCommune,
  lookupTerritory,
  normaliseCommuneName,
  searchCommunes,
} from './reference.ts';
export { DEMO_COMMUNES } from './seed.ts';
export {
  addCollectivite,
  allCollectiviteIds,
  type Collectivite,
  displayName,
  findCollectiviteByCode,
  findCollectiviteById,
  getOpsn,
  getSiteIdentity,
  listCollectivites,
} from './service.ts';
export { communeLabel, resolveTypedCommune } from './typed-commune.ts';
