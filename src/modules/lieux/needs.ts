import { distance } from 'fastest-levenshtein';
import { SERVICES } from './vocabulary.ts';

/**
 * What people type in "Quoi ?" — a need, a body, a device — mapped to the LMN services of
 * the places that help with it. Maintained by hand: add the words people use (as they say
 * them, accents and all) to the matching entry; `search.test.ts` checks that every term
 * finds places on the demo data.
 */
type Service = (typeof SERVICES)[number];

/** The examples the "Quoi ?" hints show, on the home page and the search page. */
export const QUOI_EXAMPLES = ['impôts', 'CAF', 'ordinateur', 'médiathèque'] as const;

const DEMARCHES: Service = 'Aide aux démarches administratives';
const OUTILS: Service = 'Maîtrise des outils numériques du quotidien';
const EMPLOI: Service = 'Insertion professionnelle via le numérique';
const SECURITE: Service = 'Utilisation sécurisée du numérique';
const PARENTALITE: Service = 'Parentalité et éducation avec le numérique';
const LOISIRS: Service = 'Loisirs et créations numériques';
const COMPRENDRE: Service = 'Compréhension du monde numérique';
const ACCES: Service = 'Accès internet et matériel informatique';
const SOLIDAIRE: Service = 'Acquisition de matériel informatique à prix solidaire';

export const NEEDS: readonly { terms: readonly string[]; services: readonly Service[] }[] = [
  {
    // Démarches and the bodies people name.
    terms: [
      'démarches',
      'démarches administratives',
      'papiers',
      'administratif',
      'impôts',
      'impots.gouv',
      'déclaration de revenus',
      'prélèvement à la source',
      'CAF',
      'allocations familiales',
      'APL',
      'RSA',
      'prime d’activité',
      'CPAM',
      'Ameli',
      'carte vitale',
      'sécurité sociale',
      'assurance maladie',
      'mutuelle',
      'complémentaire santé',
      'Mon Espace Santé',
      'Doctolib',
      'MSA',
      'URSSAF',
      'retraite',
      'info retraite',
      'CARSAT',
      'ANTS',
      'carte grise',
      'permis de conduire',
      'carte d’identité',
      'passeport',
      'titre de séjour',
      'préfecture',
      'naturalisation',
      'France Connect',
      'FranceConnect',
      'service public',
      'état civil',
      'acte de naissance',
      'logement social',
      'chèque énergie',
      'MDPH',
      'handicap',
    ],
    services: [DEMARCHES],
  },
  {
    terms: [
      'emploi',
      'travail',
      'France Travail',
      'Pôle emploi',
      'chômage',
      'CV',
      'lettre de motivation',
      'recherche d’emploi',
      'candidature',
      'entretien d’embauche',
      'formation',
      'Mon Compte Formation',
      'CPF',
      'mission locale',
      'LinkedIn',
      'Indeed',
    ],
    services: [EMPLOI],
  },
  {
    // Devices and everyday tasks.
    terms: [
      'ordinateur',
      'smartphone',
      'téléphone',
      'portable',
      'tablette',
      'clavier',
      'souris',
      'email',
      'mail',
      'courriel',
      'adresse mail',
      'Gmail',
      'WhatsApp',
      'visio',
      'photos',
      'applications',
      'internet',
      'navigateur',
      'Word',
      'traitement de texte',
      'bureautique',
      'banque en ligne',
      'achats en ligne',
      'scanner',
      'mot de passe',
      'débutant',
      'informatique',
    ],
    services: [OUTILS],
  },
  {
    terms: ['arnaque', 'piratage', 'virus', 'sécurité', 'phishing', 'hameçonnage', 'données personnelles'],
    services: [SECURITE],
  },
  {
    terms: ['enfants', 'parents', 'écrans', 'Pronote', 'ENT', 'école', 'contrôle parental'],
    services: [PARENTALITE],
  },
  {
    terms: ['jeux vidéo', 'musique', 'vidéo', 'création', 'impression 3D', 'fablab'],
    services: [LOISIRS],
  },
  {
    terms: ['intelligence artificielle', 'IA', 'ChatGPT', 'réseaux sociaux', 'Facebook'],
    services: [COMPRENDRE],
  },
  {
    terms: [
      'imprimer',
      'imprimante',
      'impression',
      'photocopie',
      'wifi',
      'accès internet',
      'ordinateur en libre accès',
      'poste informatique',
    ],
    services: [ACCES],
  },
  {
    terms: [
      'acheter un ordinateur',
      'ordinateur pas cher',
      'ordinateur reconditionné',
      'reconditionné',
      'matériel solidaire',
      'prix solidaire',
    ],
    services: [SOLIDAIRE, ACCES],
  },
];

/** Lower case, no accents, no plural `s`/`x`, words only: "Impôts" and "impot" meet. */
export function needWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[’']/g, ' ')
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.length > 3 ? w.replace(/[sx]$/, '') : w));
}

/** A typo is tolerated in longer words only: one letter from 5 letters, two from 9. */
function close(typed: string, term: string): boolean {
  if (typed === term) return true;
  if (term.length < 5 || typed.length < 5) return false;
  return distance(typed, term) <= (term.length >= 9 ? 2 : 1);
}

type IndexedTerm = { words: string[]; services: readonly Service[] };
const INDEX: IndexedTerm[] = NEEDS.flatMap(
  (need) => need.terms.map((term) => ({ words: needWords(term), services: need.services })),
  // Longest terms first: "ordinateur pas cher" wins over "ordinateur".
).sort((a, b) => b.words.length - a.words.length);

/** The services of the places that help with the needs the text names, in the standard's order; empty when it names none. */
export function servicesForNeeds(text: string): Service[] {
  const words = needWords(text);
  const found = new Set<Service>();
  let i = 0;
  while (i < words.length) {
    const hit = INDEX.find(
      (t) =>
        t.words.length > 0 &&
        i + t.words.length <= words.length &&
        t.words.every((w, k) => close(words[i + k] as string, w)),
    );
    if (hit) {
      for (const s of hit.services) found.add(s);
      i += hit.words.length;
    } else i += 1;
  }
  return SERVICES.filter((s) => found.has(s));
}
