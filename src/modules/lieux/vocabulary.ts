/**
 * The national standard of places of digital mediation ("lieux de médiation numérique",
 * LMN v1.0.2, La MedNum, Licence Ouverte): its fields and value lists, written from the
 * standard. `lmn-conformance.test.ts` checks them against the official schema when it is
 * available.
 */

export const LMN_VERSION = '1.0.2';

export const SERVICES = [
  'Aide aux démarches administratives',
  'Maîtrise des outils numériques du quotidien',
  'Insertion professionnelle via le numérique',
  'Utilisation sécurisée du numérique',
  'Parentalité et éducation avec le numérique',
  'Loisirs et créations numériques',
  'Compréhension du monde numérique',
  'Accès internet et matériel informatique',
  'Acquisition de matériel informatique à prix solidaire',
] as const;

export const PUBLICS = ['Jeunes', 'Étudiants', 'Familles et/ou enfants', 'Seniors', 'Femmes'] as const;

export const PRISE_EN_CHARGE = [
  'Surdité',
  'Handicaps moteurs',
  'Handicaps mentaux',
  'Illettrisme',
  'Langues étrangères (anglais)',
  'Langues étrangères (autres)',
  'Déficience visuelle',
] as const;

export const FRAIS = ['Gratuit', 'Gratuit sous condition', 'Payant'] as const;

export const ITINERANCE = ['Itinérant', 'Fixe'] as const;

export const DISPOSITIFS = [
  'Aidants Connect',
  'Bibliothèques numérique de référence',
  'Certification PIX',
  'Conseillers numériques',
  'Emmaüs Connect',
  'France Services',
  'Grande école du numérique',
  'La Croix Rouge',
  "Point d'accès numérique CAF",
  'Promeneurs du net',
  'Relais numérique (Emmaüs Connect)',
] as const;

export const FORMATIONS_LABELS = [
  'Formé à « Mon Espace Santé »',
  'Formé à « DUPLEX » (illettrisme)',
  'Arnia/MedNum BFC (Bourgogne-Franche-Comté)',
  'Collectif ressources et acteurs réemploi (Normandie)',
  'Étapes numériques(La Poste)',
  'Fabriques de Territoire',
  'Les Éclaireurs du numérique (Drôme)',
  'Mes Papiers (Métropole de Lyon)',
  'ORDI 3.0',
  'SUD LABS (PACA)',
] as const;

export const MODALITES_ACCES = [
  'Se présenter',
  'Téléphoner',
  'Contacter par mail',
  'Prendre un RDV en ligne',
  "Ce lieu n'accueille pas de public",
  'Envoyer un mail avec une fiche de prescription',
] as const;

export const MODALITES_ACCOMPAGNEMENT = [
  'En autonomie',
  'Accompagnement individuel',
  'Dans un atelier collectif',
  'À distance',
] as const;

/**
 * Structure types (`typologie`) as data.inclusion coded them when the standard was written.
 * The standard does not constrain the field: an unknown code is kept, with a warning.
 */
export const TYPOLOGIES: Record<string, string> = {
  ACI: 'Atelier chantier d’insertion',
  AFPA: 'Agence nationale pour la formation professionnelle des adultes',
  ASSO: 'Association',
  BIB: 'Bibliothèque, médiathèque',
  CAF: 'Caisse d’allocations familiales',
  CAP_EMPLOI: 'Cap emploi',
  CC: 'Communauté de communes',
  CCAS: 'Centre communal d’action sociale',
  CCONS: 'Chambre consulaire',
  CD: 'Conseil départemental',
  CHRS: 'Centre d’hébergement et de réinsertion sociale',
  CIAS: 'Centre intercommunal d’action sociale',
  CS: 'Centre social',
  E2C: 'École de la deuxième chance',
  EPCI: 'Intercommunalité',
  ESS: 'Entreprise de l’économie sociale et solidaire',
  MDE: 'Maison de l’emploi',
  MDS: 'Maison départementale des solidarités',
  MJC: 'Maison des jeunes et de la culture',
  ML: 'Mission locale',
  MQ: 'Maison de quartier',
  MSA: 'Mutualité sociale agricole',
  MUNI: 'Mairie',
  OF: 'Organisme de formation',
  PE: 'France Travail',
  PIJ_BIJ: 'Point ou bureau information jeunesse',
  PIMMS: 'Point information médiation multi services',
  PREF: 'Préfecture',
  REG: 'Région',
  RFS: 'France Services',
  TIERS_LIEUX: 'Tiers-lieu',
  UDAF: 'Union départementale des associations familiales',
  Autre: 'Autre',
};

export type FieldKind = 'text' | 'multi' | 'number' | 'date';

/** One field of the standard: its name, kind, rules, and what a person reads in a form. */
export type LmnField = {
  name: string;
  kind: FieldKind;
  required?: boolean;
  pattern?: RegExp;
  maxLength?: number;
  /** For enumerated fields: the allowed values (multi-values joined with `|`). */
  values?: readonly string[];
  label: string;
  /** The field's own rule in French, shown when a value breaks it. */
  rule?: string;
};

export const PIVOT_UNKNOWN = '00000000000000';

/** Every LMN v1 field, in the standard's column order (the order of the CSV export). */
export const LMN_FIELDS: readonly LmnField[] = [
  { name: 'id', kind: 'text', required: true, label: 'Identifiant' },
  {
    name: 'pivot',
    kind: 'text',
    required: true,
    pattern: /^[a-zA-Z0-9]{9,14}$/,
    label: 'SIRET, SIREN ou RNA',
    rule: 'de 9 à 14 lettres ou chiffres (00000000000000 si inconnu)',
  },
  { name: 'nom', kind: 'text', required: true, label: 'Nom du lieu' },
  { name: 'commune', kind: 'text', required: true, label: 'Commune' },
  {
    name: 'code_postal',
    kind: 'text',
    required: true,
    pattern: /^\d{5}$/,
    label: 'Code postal',
    rule: 'cinq chiffres',
  },
  {
    name: 'code_insee',
    kind: 'text',
    pattern: /^([013-9]\d|2[AB1-9])\d{3}$/,
    label: 'Code INSEE de la commune',
    rule: 'code officiel géographique à cinq caractères',
  },
  { name: 'adresse', kind: 'text', required: true, label: 'Adresse (numéro et voie)' },
  { name: 'complement_adresse', kind: 'text', label: 'Complément d’adresse' },
  { name: 'latitude', kind: 'number', label: 'Latitude' },
  { name: 'longitude', kind: 'number', label: 'Longitude' },
  { name: 'typologie', kind: 'multi', label: 'Type de structure' },
  {
    name: 'telephone',
    kind: 'multi',
    pattern: /^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$/,
    label: 'Téléphone',
    rule: 'format international sans espace, par exemple +33180059880',
  },
  {
    name: 'courriels',
    kind: 'multi',
    pattern: /^[^\s@|]+@[^\s@|]+\.[^\s@|]+$/,
    label: 'Courriel',
    rule: 'une adresse électronique, par exemple contact@exemple.fr',
  },
  {
    name: 'site_web',
    kind: 'multi',
    pattern: /^https?:\/\/[^\s|]+$/,
    label: 'Site web',
    rule: 'une adresse commençant par https://',
  },
  { name: 'horaires', kind: 'text', label: 'Horaires (format OpenStreetMap)' },
  { name: 'presentation_resume', kind: 'text', maxLength: 280, label: 'Présentation courte' },
  { name: 'presentation_detail', kind: 'text', label: 'Présentation détaillée' },
  { name: 'source', kind: 'text', label: 'Source des données' },
  { name: 'itinerance', kind: 'multi', values: ITINERANCE, label: 'Itinérance' },
  { name: 'structure_parente', kind: 'text', label: 'Structure parente ou réseau' },
  { name: 'date_maj', kind: 'date', required: true, label: 'Date de mise à jour' },
  { name: 'services', kind: 'multi', values: SERVICES, label: 'Services proposés' },
  {
    name: 'publics_specifiquement_adresses',
    kind: 'multi',
    values: PUBLICS,
    label: 'Publics spécifiquement accueillis',
  },
  {
    name: 'prise_en_charge_specifique',
    kind: 'multi',
    values: PRISE_EN_CHARGE,
    label: 'Prise en charge spécifique',
  },
  { name: 'frais_a_charge', kind: 'multi', values: FRAIS, label: 'Frais à charge' },
  {
    name: 'dispositif_programmes_nationaux',
    kind: 'multi',
    values: DISPOSITIFS,
    label: 'Dispositifs et programmes nationaux',
  },
  { name: 'formations_labels', kind: 'multi', values: FORMATIONS_LABELS, label: 'Formations et labels' },
  { name: 'autres_formations_labels', kind: 'text', label: 'Autres formations et labels' },
  { name: 'modalites_acces', kind: 'multi', values: MODALITES_ACCES, label: 'Comment venir' },
  {
    name: 'modalites_accompagnement',
    kind: 'multi',
    values: MODALITES_ACCOMPAGNEMENT,
    label: 'Types d’accompagnement',
  },
  {
    name: 'fiche_acces_libre',
    kind: 'text',
    pattern: /^https?:\/\/\S+$/,
    label: 'Fiche Acceslibre (accessibilité)',
    rule: 'une adresse commençant par https://',
  },
  {
    name: 'prise_rdv',
    kind: 'text',
    pattern: /^https?:\/\/\S+$/,
    label: 'Prise de rendez-vous en ligne',
    rule: 'une adresse commençant par https://',
  },
];

export const LMN_FIELD_NAMES = LMN_FIELDS.map((f) => f.name);

export const FIELD_BY_NAME: ReadonlyMap<string, LmnField> = new Map(LMN_FIELDS.map((f) => [f.name, f]));

/** The fields that hold several values (`|`-joined in files, arrays in Relais). */
export type MultiField =
  | 'typologie'
  | 'telephone'
  | 'courriels'
  | 'site_web'
  | 'itinerance'
  | 'services'
  | 'publics_specifiquement_adresses'
  | 'prise_en_charge_specifique'
  | 'frais_a_charge'
  | 'dispositif_programmes_nationaux'
  | 'formations_labels'
  | 'modalites_acces'
  | 'modalites_accompagnement';

export type TextField =
  | 'id'
  | 'pivot'
  | 'nom'
  | 'commune'
  | 'code_postal'
  | 'code_insee'
  | 'adresse'
  | 'complement_adresse'
  | 'horaires'
  | 'presentation_resume'
  | 'presentation_detail'
  | 'source'
  | 'structure_parente'
  | 'autres_formations_labels'
  | 'fiche_acces_libre'
  | 'prise_rdv';

/** A place as the standard describes it, once validated: what import, forms and exports share. */
export type LmnPlace = { [K in TextField]: K extends RequiredText ? string : string | null } & {
  [K in MultiField]: string[];
} & { latitude: number | null; longitude: number | null; date_maj: string };

type RequiredText = 'id' | 'pivot' | 'nom' | 'commune' | 'code_postal' | 'adresse';
