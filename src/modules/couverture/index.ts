import type { RelaisModule } from '../../platform/module.ts';
import { couvertureCli } from './cli.ts';
import { seedCouverture } from './seed.ts';
import { couvertureMigrations } from './tables.ts';

/**
 * Coverage of the territory by the published places: reference points of the communes
 * (`import centres`), services offered in each commune or nearby, places per 10 000
 * inhabitants, and the white zones of the fragile communes. No pages of its own: the
 * observatory shows what it computes.
 */
export const couverture: RelaisModule = {
  name: 'couverture',
  migrations: couvertureMigrations,
  cli: couvertureCli,
  seedDemo: seedCouverture,
};

export {
  type Centre,
  type CommunePosition,
  communePositions,
  type PositionKind,
} from './centres.ts';
export { type CentresReport, type ImportResult, importCentres, type Rejection } from './centres-file.ts';
export {
  type CommuneCoverage,
  type Coverage,
  type CoverageOptions,
  type CoverageTotals,
  coverageOf,
  DEFAULT_RADIUS_KM,
  placesOpeningWhiteZones,
  SERVICE_ACCESS,
  SERVICES,
  type Service,
  type ServiceAccess,
  type WhiteZone,
  type WhiteZoneOptions,
  whiteZones,
} from './service.ts';
