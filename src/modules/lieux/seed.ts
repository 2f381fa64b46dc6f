import { systemActor } from '../../platform/auth/policy.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { importPlaces } from './import.ts';

const FREE = 'Gratuit';
const DEMARCHES = 'Aide aux démarches administratives';
const OUTILS = 'Maîtrise des outils numériques du quotidien';
const SECURITE = 'Utilisation sécurisée du numérique';
const EMPLOI = 'Insertion professionnelle via le numérique';
const ACCES = 'Accès internet et matériel informatique';

type DemoPlace = [
  id: string,
  nom: string,
  adresse: string,
  codePostal: string,
  commune: string,
  codeInsee: string,
  lat: number,
  lon: number,
  horaires: string,
  services: string[],
  extra?: Record<string, string>,
];

/** Invented places at plausible addresses of the demo communes, one per kind of structure. */
const PLACES: DemoPlace[] = [
  [
    'demo-villeurbanne-mediatheque',
    'Médiathèque du Tonkin',
    '2 promenade Lénine',
    '69100',
    'Villeurbanne',
    '69266',
    45.7758,
    4.8636,
    'Tu-Fr 13:00-18:30; Sa 10:00-17:00',
    [OUTILS, ACCES, 'Loisirs et créations numériques'],
    { typologie: 'BIB', modalites_accompagnement: 'En autonomie|Dans un atelier collectif' },
  ],
  [
    'demo-villeurbanne-france-services',
    'France Services de Villeurbanne',
    '3 avenue Aristide-Briand',
    '69100',
    'Villeurbanne',
    '69266',
    45.7665,
    4.8795,
    'Mo-Fr 09:00-12:30,13:30-17:00',
    [DEMARCHES, OUTILS],
    {
      typologie: 'RFS',
      dispositif_programmes_nationaux: 'France Services|Aidants Connect',
      telephone: '+33478031234',
      prise_rdv: 'https://www.rdv-solidarites.fr/',
    },
  ],
  [
    'demo-villeurbanne-centre-social',
    'Centre social des Buers',
    '17 rue Pierre-Dupont',
    '69100',
    'Villeurbanne',
    '69266',
    45.7772,
    4.9003,
    'Mo,We,Fr 14:00-17:30',
    [OUTILS, SECURITE, 'Parentalité et éducation avec le numérique'],
    { typologie: 'CS', publics_specifiquement_adresses: 'Familles et/ou enfants|Seniors' },
  ],
  [
    'demo-venissieux-maison-services',
    'Maison des services publics de Vénissieux',
    '5 avenue Marcel-Houël',
    '69200',
    'Vénissieux',
    '69259',
    45.6976,
    4.8857,
    'Mo-Fr 08:30-12:00,13:30-17:00',
    [DEMARCHES, EMPLOI],
    { typologie: 'MUNI', dispositif_programmes_nationaux: 'Conseillers numériques' },
  ],
  [
    'demo-vaulx-espace-numerique',
    'Espace public numérique du Mas du Taureau',
    '12 rue Jules-Romains',
    '69120',
    'Vaulx-en-Velin',
    '69256',
    45.7855,
    4.9302,
    'Mo-Th 09:00-12:00,14:00-18:00',
    [OUTILS, ACCES, EMPLOI],
    { typologie: 'ASSO', prise_en_charge_specifique: 'Langues étrangères (autres)|Illettrisme' },
  ],
  [
    'demo-bron-ccas',
    'CCAS de Bron',
    '1 place de Weingarten',
    '69500',
    'Bron',
    '69029',
    45.7381,
    4.9128,
    'Mo-Fr 09:00-12:00',
    [DEMARCHES],
    { typologie: 'CCAS' },
  ],
  [
    'demo-caluire-mediatheque',
    'Médiathèque de Caluire',
    '1 place du Docteur-Frédéric-Dugoujon',
    '69300',
    'Caluire-et-Cuire',
    '69034',
    45.7955,
    4.8465,
    'We 10:00-12:00,14:00-18:00; Sa 10:00-12:00',
    [OUTILS, 'Compréhension du monde numérique'],
    { typologie: 'BIB', publics_specifiquement_adresses: 'Seniors' },
  ],
  [
    'demo-rillieux-mjc',
    'MJC de Rillieux-la-Pape',
    '10 avenue de l’Europe',
    '69140',
    'Rillieux-la-Pape',
    '69286',
    45.8199,
    4.8996,
    'Tu,Th 14:00-19:00',
    [OUTILS, 'Loisirs et créations numériques'],
    { typologie: 'MJC', publics_specifiquement_adresses: 'Jeunes' },
  ],
  [
    'demo-saint-chamond-france-services',
    'France Services de Saint-Chamond',
    '3 rue Victor-Hugo',
    '42400',
    'Saint-Chamond',
    '42207',
    45.4752,
    4.5146,
    'Mo-Fr 08:30-12:00,13:30-17:00',
    [DEMARCHES, SECURITE],
    { typologie: 'RFS', dispositif_programmes_nationaux: 'France Services' },
  ],
  [
    'demo-roanne-bus',
    'Bus numérique du Roannais',
    'Place de l’Hôtel-de-Ville',
    '42300',
    'Roanne',
    '42187',
    46.0364,
    4.0687,
    'We 09:00-12:00',
    [OUTILS, DEMARCHES],
    {
      typologie: 'ASSO',
      itinerance: 'Itinérant',
      presentation_resume:
        'Un bus équipé qui s’arrête chaque mercredi matin devant la mairie, puis dans les villages voisins.',
    },
  ],
];

/** The draft a coordinator finds waiting in the demo: complete, not yet published. */
const DRAFT_ID = 'demo-villeurbanne-atelier-seniors';

export async function seedLieux({ db }: ModuleContext): Promise<void> {
  const rows = PLACES.map(
    ([id, nom, adresse, codePostal, commune, codeInsee, lat, lon, horaires, services, extra]) => ({
      id,
      pivot: '00000000000000',
      nom,
      adresse,
      code_postal: codePostal,
      commune,
      code_insee: codeInsee,
      latitude: lat,
      longitude: lon,
      horaires,
      services: services.join('|'),
      frais_a_charge: FREE,
      modalites_acces: 'Se présenter|Téléphoner',
      modalites_accompagnement: 'Accompagnement individuel',
      source: 'Démonstration Relais',
      date_maj: '2026-11-02',
      ...extra,
    }),
  );
  const actor = systemActor('démonstration');
  await importPlaces(db, actor, JSON.stringify(rows), {
    fileName: 'demonstration.json',
    source: 'démonstration',
  });
  await importPlaces(
    db,
    actor,
    JSON.stringify([
      {
        id: DRAFT_ID,
        pivot: '00000000000000',
        nom: 'Atelier numérique seniors (Gratte-Ciel)',
        adresse: '41 avenue Henri-Barbusse',
        code_postal: '69100',
        commune: 'Villeurbanne',
        latitude: 45.7699,
        longitude: 4.8801,
        services: OUTILS,
        publics_specifiquement_adresses: 'Seniors',
        date_maj: '2026-11-02',
      },
    ]),
    { fileName: 'demonstration.json', source: 'démonstration', draft: true },
  );
}
