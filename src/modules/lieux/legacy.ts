/**
 * Fields of the standard's version 0.1 still found in real files, and how they map to v1
 * (from the standard's own "descriptif des évolutions"). What cannot be mapped is reported.
 */

export type Note = { field: string; value: string; reason: string };

/** Renamed fields: the old name's content moves as it is. */
const RENAMED: Record<string, string> = {
  courriel: 'courriels',
  accessibilite: 'fiche_acces_libre',
  conditions_acces: 'frais_a_charge',
  labels_autres: 'autres_formations_labels',
};

/** v0.1 "publics accueillis" → v1 publics or specific support; `null`: every place welcomes them. */
const PUBLICS_ACCUEILLIS: Record<
  string,
  ['publics_specifiquement_adresses' | 'prise_en_charge_specifique', string] | null
> = {
  'jeunes (16-26 ans)': ['publics_specifiquement_adresses', 'Jeunes'],
  jeunes: ['publics_specifiquement_adresses', 'Jeunes'],
  etudiants: ['publics_specifiquement_adresses', 'Étudiants'],
  'familles/enfants': ['publics_specifiquement_adresses', 'Familles et/ou enfants'],
  'seniors (+ 65 ans)': ['publics_specifiquement_adresses', 'Seniors'],
  seniors: ['publics_specifiquement_adresses', 'Seniors'],
  'uniquement femmes': ['publics_specifiquement_adresses', 'Femmes'],
  femmes: ['publics_specifiquement_adresses', 'Femmes'],
  'public langues etrangeres': ['prise_en_charge_specifique', 'Langues étrangères (autres)'],
  'deficience visuelle': ['prise_en_charge_specifique', 'Déficience visuelle'],
  surdite: ['prise_en_charge_specifique', 'Surdité'],
  'handicaps moteurs': ['prise_en_charge_specifique', 'Handicaps moteurs'],
  'handicaps mentaux': ['prise_en_charge_specifique', 'Handicaps mentaux'],
  'handicaps psychiques': ['prise_en_charge_specifique', 'Handicaps mentaux'],
  illettrisme: ['prise_en_charge_specifique', 'Illettrisme'],
  adultes: null,
  'tout public': null,
};

/** v0.1 "labels nationaux" split between national programmes and labels. */
const LABELS_NATIONAUX: Record<string, ['dispositif_programmes_nationaux' | 'formations_labels', string]> = {
  cnfs: ['dispositif_programmes_nationaux', 'Conseillers numériques'],
  'conseillers numeriques': ['dispositif_programmes_nationaux', 'Conseillers numériques'],
  'france services': ['dispositif_programmes_nationaux', 'France Services'],
  'aidants connect': ['dispositif_programmes_nationaux', 'Aidants Connect'],
  pix: ['dispositif_programmes_nationaux', 'Certification PIX'],
  'grande ecole du numerique': ['dispositif_programmes_nationaux', 'Grande école du numérique'],
  'promeneurs du net': ['dispositif_programmes_nationaux', 'Promeneurs du net'],
  'point d acces numerique caf': ['dispositif_programmes_nationaux', "Point d'accès numérique CAF"],
  'bibliotheques numerique de reference': [
    'dispositif_programmes_nationaux',
    'Bibliothèques numérique de référence',
  ],
  'emmaus connect': ['dispositif_programmes_nationaux', 'Emmaüs Connect'],
  'fabriques de territoire': ['formations_labels', 'Fabriques de Territoire'],
  'etapes numeriques': ['formations_labels', 'Étapes numériques(La Poste)'],
  'mon espace sante': ['formations_labels', 'Formé à « Mon Espace Santé »'],
};

/** The 15 services of v0.1, condensed into the 9 of v1. */
const SERVICES_V01: Record<string, string> = {
  'devenir autonome dans les demarches administratives': 'Aide aux démarches administratives',
  'realiser des demarches administratives avec un accompagnement': 'Aide aux démarches administratives',
  'accompagner les demarches de sante': 'Aide aux démarches administratives',
  'prendre en main un smartphone ou une tablette': 'Maîtrise des outils numériques du quotidien',
  'prendre en main un ordinateur': 'Maîtrise des outils numériques du quotidien',
  'utiliser le numerique au quotidien': 'Maîtrise des outils numériques du quotidien',
  'approfondir ma culture numerique': 'Compréhension du monde numérique',
  'promouvoir la citoyennete numerique': 'Compréhension du monde numérique',
  'favoriser mon insertion professionnelle': 'Insertion professionnelle via le numérique',
  'creer et developper mon entreprise': 'Insertion professionnelle via le numérique',
  'acceder a une connexion internet': 'Accès internet et matériel informatique',
  'acceder a du materiel': 'Accès internet et matériel informatique',
  's equiper en materiel informatique': 'Acquisition de matériel informatique à prix solidaire',
  'soutenir la parentalite et l education avec le numerique': 'Parentalité et éducation avec le numérique',
  'creer avec le numerique': 'Loisirs et créations numériques',
};

/** v0.1 support modes, renamed in v1. */
const ACCOMPAGNEMENT_V01: Record<string, string> = {
  seul: 'En autonomie',
  "avec de l'aide": 'Accompagnement individuel',
  'avec de l aide': 'Accompagnement individuel',
  'dans un atelier': 'Dans un atelier collectif',
};

/** Dropped on purpose: v0.1 fields without a v1 counterpart. */
const DROPPED: Record<string, string> = {
  cle_ban: 'champ de la version 0.1 sans équivalent en v1 (la clé BAN n’est plus transmise)',
};

/** Lower case, no accents, apostrophes and punctuation as spaces: how vocabularies are matched. */
export function vocabularyKey(value: string): string {
  // A file repeats the same few values on every row: each is folded once (a tenth of the
  // checking time of a large import went into folding them again).
  let key = foldedValues.get(value);
  if (key === undefined) {
    key = value
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .replace(/[’'`]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (foldedValues.size >= 10_000) foldedValues.clear();
    foldedValues.set(value, key);
  }
  return key;
}

const foldedValues = new Map<string, string>();

const split = (value: string) =>
  value
    .split(/[|;]/)
    .map((v) => v.trim())
    .filter(Boolean);

function append(row: Record<string, unknown>, field: string, value: string): void {
  const current = typeof row[field] === 'string' && row[field] !== '' ? `${row[field]}|` : '';
  row[field] = `${current}${value}`;
}

/**
 * Rewrites a row's v0.1 fields and values into v1 ones (in place) and says what it did
 * with what could not be mapped. A v1 field already present wins over its old name.
 */
export function mapLegacyFields(row: Record<string, unknown>): Note[] {
  const notes: Note[] = [];
  for (const [old, current] of Object.entries(RENAMED)) {
    if (row[old] === undefined) continue;
    if (row[current] === undefined || row[current] === '') row[current] = row[old];
    else if (row[old] !== '' && String(row[old]) !== String(row[current])) {
      notes.push({
        field: old,
        value: String(row[old]),
        reason: `champ de la version 0.1 ignoré : « ${current} » est déjà rempli`,
      });
    }
    delete row[old];
  }
  for (const [old, reason] of Object.entries(DROPPED)) {
    if (row[old] !== undefined && row[old] !== '')
      notes.push({ field: old, value: String(row[old]), reason });
    delete row[old];
  }

  if (typeof row.publics_accueillis === 'string') {
    for (const value of split(row.publics_accueillis)) {
      const key = vocabularyKey(value).replace(/ :.*$/, '');
      const target = PUBLICS_ACCUEILLIS[key];
      if (target) append(row, target[0], target[1]);
      else if (target === undefined) {
        notes.push({
          field: 'publics_accueillis',
          value,
          reason: 'public de la version 0.1 sans équivalent en v1, ignoré',
        });
      }
    }
  }
  delete row.publics_accueillis;

  if (typeof row.labels_nationaux === 'string') {
    for (const value of split(row.labels_nationaux)) {
      const target = LABELS_NATIONAUX[vocabularyKey(value)];
      if (target) append(row, target[0], target[1]);
      else {
        append(row, 'autres_formations_labels_list', value);
        notes.push({
          field: 'labels_nationaux',
          value,
          reason:
            'label de la version 0.1 absent des listes v1 : reporté dans « autres formations et labels »',
        });
      }
    }
    const others = row.autres_formations_labels_list;
    if (typeof others === 'string') {
      const joined = split(others).join(', ');
      row.autres_formations_labels = row.autres_formations_labels
        ? `${row.autres_formations_labels}, ${joined}`
        : joined;
    }
    delete row.autres_formations_labels_list;
  }
  delete row.labels_nationaux;

  mapValues(row, 'services', SERVICES_V01);
  mapValues(row, 'modalites_accompagnement', ACCOMPAGNEMENT_V01);
  return notes;
}

/** Replaces the old values of a multi-valued field by their v1 names, leaving the others. */
function mapValues(row: Record<string, unknown>, field: string, table: Record<string, string>): void {
  const value = row[field];
  if (typeof value !== 'string') return;
  const mapped = split(value).map((v) => table[vocabularyKey(v)] ?? v);
  // Keep a `;` separator: the check that follows reports it.
  row[field] = [...new Set(mapped)].join(value.includes(';') && !value.includes('|') ? ';' : '|');
}

/** The v0.1 fields this module reads (and maps to v1): a file holding them needs no mapping. */
export const LEGACY_FIELD_NAMES: readonly string[] = [
  ...Object.keys(RENAMED),
  ...Object.keys(DROPPED),
  'publics_accueillis',
  'labels_nationaux',
];
