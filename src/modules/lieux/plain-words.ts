import type { MODALITES_ACCES, SERVICES } from './vocabulary.ts';

/**
 * The standard's labels as citizens read them on public pages ("Se présenter" is "Sans
 * rendez-vous"). Staff pages and open data keep the standard's own words.
 */
export const SERVICE_PLAIN: Record<(typeof SERVICES)[number], string> = {
  'Aide aux démarches administratives': 'Démarches en ligne',
  'Maîtrise des outils numériques du quotidien': 'Utiliser un ordinateur ou un téléphone',
  'Insertion professionnelle via le numérique': 'Emploi et formation',
  'Utilisation sécurisée du numérique': 'Se protéger des arnaques en ligne',
  'Parentalité et éducation avec le numérique': 'Enfants et écrans, scolarité en ligne',
  'Loisirs et créations numériques': 'Loisirs et création',
  'Compréhension du monde numérique': 'Comprendre le numérique',
  'Accès internet et matériel informatique': 'Ordinateurs, internet et imprimante sur place',
  'Acquisition de matériel informatique à prix solidaire': 'Acheter un ordinateur à petit prix',
};

export const ACCESS_PLAIN: Record<(typeof MODALITES_ACCES)[number], string> = {
  'Se présenter': 'Sans rendez-vous, aux heures d’ouverture',
  Téléphoner: 'En appelant avant de venir',
  'Contacter par mail': 'En écrivant un courriel',
  'Prendre un RDV en ligne': 'Sur rendez-vous pris en ligne',
  "Ce lieu n'accueille pas de public": 'Ce lieu n’accueille pas de public',
  'Envoyer un mail avec une fiche de prescription':
    'Sur orientation d’un professionnel (fiche de prescription)',
};

/** The plain label of a value, or the value itself when the list does not know it. */
export const plain = (labels: Record<string, string>, value: string): string => labels[value] ?? value;
