import type { ModuleContext } from '../../platform/module.ts';
import { type Centre, saveCentres } from './centres.ts';

export const DEMO_SOURCE = 'mairies (démonstration)';

/**
 * Town-hall positions (hôtels de ville, latitude and longitude in degrees) of the eight demo
 * communes and of neighbours that their inhabitants reach easily: well-known public
 * coordinates, rounded to four decimals, good to a few hundred metres.
 */
export const DEMO_TOWN_HALLS: (Centre & { name: string })[] = [
  // The demo members (src/modules/territoires/seed.ts).
  { code: '69266', name: 'Villeurbanne', latitude: 45.7667, longitude: 4.8803 },
  { code: '69259', name: 'Vénissieux', latitude: 45.6978, longitude: 4.8867 },
  { code: '69256', name: 'Vaulx-en-Velin', latitude: 45.7767, longitude: 4.9186 },
  { code: '69029', name: 'Bron', latitude: 45.7394, longitude: 4.9139 },
  { code: '69034', name: 'Caluire-et-Cuire', latitude: 45.7953, longitude: 4.8472 },
  { code: '69286', name: 'Rillieux-la-Pape', latitude: 45.8214, longitude: 4.8983 },
  { code: '42207', name: 'Saint-Chamond', latitude: 45.4775, longitude: 4.5153 },
  { code: '42187', name: 'Roanne', latitude: 46.0366, longitude: 4.0682 },
  // Neighbours.
  { code: '69123', name: 'Lyon', latitude: 45.7676, longitude: 4.8359 },
  { code: '69275', name: 'Décines-Charpieu', latitude: 45.7686, longitude: 4.9569 },
  { code: '69290', name: 'Saint-Priest', latitude: 45.6972, longitude: 4.9447 },
  { code: '42218', name: 'Saint-Étienne', latitude: 45.4397, longitude: 4.3872 },
  { code: '42184', name: 'Riorges', latitude: 46.0436, longitude: 4.0414 },
  { code: '42071', name: 'Le Coteau', latitude: 46.0281, longitude: 4.0875 },
];

export async function seedCouverture({ db }: ModuleContext): Promise<void> {
  await saveCentres(db, DEMO_TOWN_HALLS, DEMO_SOURCE);
}
