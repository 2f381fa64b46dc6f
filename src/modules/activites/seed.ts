import type { ModuleContext } from '../../platform/module.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { prng } from '../../platform/random.ts';
import { type BeneficiaryInput, createBeneficiary, TRANCHES_AGE } from '../beneficiaires/index.ts';
import { findPublishedPlace } from '../lieux/index.ts';
import { assignPlacesAsSystem, choosablePlaces, helperByEmail } from '../mediateurs/index.ts';
import { recordActivities } from './activity-service.ts';
import { MATERIELS, THEME_DEMARCHES } from './vocabulary.ts';

/**
 * Demo data of the demo helper (Villeurbanne): their places of activity, about thirty people
 * they follow, and about 300 reports over the last twelve months, written through the
 * activity service (so every one passes the same validation as a form). A fixed-seed
 * generator makes the same data on every run (the dates follow the day it runs).
 */

export const DEMO_HELPER_EMAIL = 'mediation@demo.relais.example';
export const DEMO_ACTIVITY_COUNT = 300;

/** Invented people: first name, last name, gender, birth year, commune (INSEE). */
const PEOPLE: [string, string, 'feminin' | 'masculin', number, string][] = [
  ['Jeanne', 'Martin', 'feminin', 1948, '69266'],
  ['Mohamed', 'Benali', 'masculin', 1967, '69266'],
  ['Lucie', 'Bernard', 'feminin', 1995, '69266'],
  ['Ahmed', 'Haddad', 'masculin', 1979, '69256'],
  ['Monique', 'Dubois', 'feminin', 1944, '69266'],
  ['Kévin', 'Lefebvre', 'masculin', 2003, '69266'],
  ['Fatou', 'Diallo', 'feminin', 1988, '69266'],
  ['Gérard', 'Moreau', 'masculin', 1951, '69266'],
  ['Nadia', 'Belkacem', 'feminin', 1972, '69123'],
  ['Paulette', 'Girard', 'feminin', 1939, '69266'],
  ['Thierry', 'Roux', 'masculin', 1963, '69266'],
  ['Aïcha', 'Traoré', 'feminin', 1991, '69256'],
  ['Bernard', 'Fontaine', 'masculin', 1946, '69266'],
  ['Sophie', 'Garnier', 'feminin', 1983, '69266'],
  ['Rachid', 'Ouali', 'masculin', 1958, '69266'],
  ['Josiane', 'Faure', 'feminin', 1950, '69266'],
  ['Yannick', 'Perrin', 'masculin', 1976, '69034'],
  ['Mireille', 'Chevalier', 'feminin', 1942, '69266'],
  ['Karim', 'Mansouri', 'masculin', 1999, '69266'],
  ['Odette', 'Blanc', 'feminin', 1937, '69266'],
  ['Léa', 'Nguyen', 'feminin', 2008, '69266'],
  ['Jean-Pierre', 'Lambert', 'masculin', 1955, '69266'],
  ['Samira', 'Chérif', 'feminin', 1981, '69123'],
  ['Marcel', 'Rousseau', 'masculin', 1945, '69266'],
  ['Inès', 'Da Silva', 'feminin', 1997, '69266'],
  ['Didier', 'Mercier', 'masculin', 1966, '69029'],
  ['Colette', 'André', 'feminin', 1949, '69266'],
  ['Youssef', 'Amrani', 'masculin', 1986, '69266'],
  ['Chantal', 'Lemoine', 'feminin', 1960, '69266'],
  ['Hugo', 'Marchand', 'masculin', 2001, '69266'],
];

const WORKSHOPS: [string, string[], string][] = [
  ['Découvrir la messagerie électronique', ['email'], 'debutant'],
  ['Premiers pas sur le smartphone', ['prendre_en_main_du_materiel'], 'debutant'],
  ['Se protéger des arnaques en ligne', ['securite_numerique'], 'intermediaire'],
  ['Créer son espace France Travail', ['insertion_professionnelle', THEME_DEMARCHES], 'intermediaire'],
  ['Ameli, Doctolib : la santé en ligne', ['sante'], 'debutant'],
  ['Ranger ses photos et ses documents', ['contenus_numeriques'], 'intermediaire'],
  ['Le traitement de texte pour un CV', ['bureautique', 'insertion_professionnelle'], 'intermediaire'],
  ['Parler avec une intelligence artificielle', ['intelligence_artificielle', 'culture_numerique'], 'avance'],
  ['Suivre la scolarité de ses enfants (Pronote)', ['scolarite_et_numerique', 'parentalite'], 'debutant'],
];

/** Themes of individual help, the procedures' one most often, as in national figures. */
const THEMES: [string, number][] = [
  [THEME_DEMARCHES, 34],
  ['prendre_en_main_du_materiel', 12],
  ['email', 10],
  ['navigation_sur_internet', 8],
  ['securite_numerique', 6],
  ['contenus_numeriques', 6],
  ['sante', 5],
  ['banque_et_achats_en_ligne', 5],
  ['bureautique', 4],
  ['insertion_professionnelle', 4],
  ['maintenance_de_materiel', 3],
  ['reseaux_sociaux', 3],
  ['diagnostic_numerique', 3],
  ['intelligence_artificielle', 2],
  ['parentalite', 1],
];
const PROCEDURES: [string, number][] = [
  ['social_sante', 20],
  ['argent_impots', 16],
  ['travail_formation', 14],
  ['papiers_elections_citoyennete', 14],
  ['logement', 10],
  ['famille_scolarite', 8],
  ['transports_mobilite', 6],
  ['etrangers_europe', 6],
  ['justice', 3],
  ['loisirs_sports_culture', 2],
  ['associations', 1],
];

/** « Jean-Pierre.Lambert » → « jean-pierre.lambert » (no accents, no spaces). */
const emailName = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^\w.-]/g, '');

export async function seedActivites({ db }: ModuleContext): Promise<void> {
  const helper = await helperByEmail(db, DEMO_HELPER_EMAIL);
  if (!helper) return;
  const already = await db
    .selectFrom('activite')
    .select('id')
    .where('mediateur_id', '=', helper.userId)
    .limit(1)
    .executeTakeFirst();
  if (already) return;

  const published = [];
  for (const place of await choosablePlaces(db, helper))
    if (await findPublishedPlace(db, place.id)) published.push(place);
  if (published.length === 0) return;
  await assignPlacesAsSystem(
    db,
    { kind: 'system', label: 'démonstration' },
    helper,
    published.map((p) => p.id),
  );

  const random = prng(20_261_128);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const weighted = (list: [string, number][]): string => {
    let r = random() * list.reduce((s, [, w]) => s + w, 0);
    for (const [value, weight] of list) {
      r -= weight;
      if (r < 0) return value;
    }
    return list[0]![0];
  };
  const some = (list: [string, number][], n: number) => {
    const chosen = new Set<string>();
    while (chosen.size < n) chosen.add(weighted(list));
    return [...chosen];
  };

  const thisYear = Number(parisToday().slice(0, 4));
  const people: string[] = [];
  for (const [i, [prenom, nom, genre, year, commune]] of PEOPLE.entries()) {
    const age = thisYear - year;
    const input: BeneficiaryInput = {
      prenom,
      nom,
      genre,
      annee_naissance: year,
      commune_insee: commune,
      statut:
        age < 18 ? 'scolarise' : age >= 63 ? 'retraite' : pick(['en_emploi', 'sans_emploi', 'sans_emploi']),
      sans_telephone: i % 7 === 3,
      telephone:
        i % 7 === 3
          ? undefined
          : `06 ${String(10 + i).padStart(2, '0')} 4${i % 10} 2${(i * 3) % 10} ${String(11 + i * 2).slice(-2)}`,
      email: i % 3 === 0 ? `${emailName(`${prenom}.${nom}`)}@example.org` : undefined,
      notes: undefined,
    };
    people.push(await createBeneficiary(db, helper, input));
  }

  // Working days of the last twelve months, in order: the last report is the latest one.
  const today = new Date(`${parisToday()}T12:00:00Z`);
  const dates: string[] = [];
  for (let i = 0; i < DEMO_ACTIVITY_COUNT; i++) {
    const back = Math.floor(random() * 365);
    const day = new Date(today.getTime() - back * 86_400_000);
    if (day.getUTCDay() === 0) day.setUTCDate(day.getUTCDate() - 1);
    dates.push(day.toISOString().slice(0, 10));
  }
  dates.sort();

  const main = published[0]!;
  const reports: Record<string, unknown>[] = [];
  for (const date of dates) {
    const lieu = random() < 0.6 ? main : pick(published);
    const roll = random();
    const canal =
      roll < 0.78 ? 'lieu_activite' : roll < 0.88 ? 'domicile' : roll < 0.96 ? 'distance' : 'autre_lieu';
    const common = {
      date,
      canal,
      lieu_id: canal === 'lieu_activite' ? lieu.id : undefined,
      commune: canal === 'autre_lieu' ? pick(['69123', '69029', '69256']) : undefined,
    };
    reports.push(
      random() < 0.78
        ? individual(common)
        : workshop({ ...common, canal: canal === 'domicile' ? 'lieu_activite' : canal, lieu_id: lieu.id }),
    );
  }
  const saved = await recordActivities(db, helper, reports);
  if (!saved.ok) throw new Error(`demo activities refused: ${JSON.stringify(saved.rejected.slice(0, 3))}`);

  function individual(common: Record<string, unknown>): Record<string, unknown> {
    const themes = some(THEMES, random() < 0.7 ? 1 : 2);
    const known = random() < 0.72;
    const oriente = random() < 0.15;
    return {
      ...common,
      type: 'individuel',
      duree_min: weighted([
        ['15', 1],
        ['30', 4],
        ['45', 4],
        ['60', 3],
        ['90', 1],
      ]),
      materiels: some(
        Object.keys(MATERIELS)
          .filter((m) => m !== 'aucun')
          .map((m) => [m, m === 'autre' ? 1 : 5]),
        random() < 0.8 ? 1 : 2,
      ),
      thematiques: themes,
      demarches: themes.includes(THEME_DEMARCHES) ? some(PROCEDURES, random() < 0.75 ? 1 : 2) : [],
      autonomie: weighted([
        ['entierement_accompagne', 5],
        ['partiellement_autonome', 4],
        ['autonome', 2],
      ]),
      oriente,
      orientation: oriente
        ? weighted([
            ['france_services', 4],
            ['operateur_ou_organisme_en_charge', 3],
            ['aide_sociale', 2],
            ['administration', 2],
            ['mediation_numerique', 1],
            ['insertion_professionnelle', 1],
          ])
        : undefined,
      ...(known
        ? { beneficiaires: [pick(people)] }
        : {
            anonyme: {
              genre: pick(['feminin', 'feminin', 'masculin', 'non_communique']),
              tranche_age: pick(Object.keys(TRANCHES_AGE).filter((t) => t !== 'moins_12')),
              statut: pick(['retraite', 'sans_emploi', 'en_emploi', 'non_communique']),
            },
          }),
    };
  }

  function workshop(common: Record<string, unknown>): Record<string, unknown> {
    const [titre, themes, niveau] = pick(WORKSHOPS);
    const total = 2 + Math.floor(random() * 8);
    const women = Math.floor(total * (0.4 + random() * 0.4));
    const seniors = Math.floor(total * random() * 0.6);
    const known = new Set<string>();
    const knownCount = Math.floor(random() * 4);
    while (known.size < knownCount) known.add(pick(people));
    return {
      ...common,
      type: 'collectif',
      titre,
      niveau,
      duree_min: pick(['60', '90', '120', '120']),
      materiels: pick([
        ['ordinateur'],
        ['telephone'],
        ['tablette', 'telephone'],
        ['ordinateur', 'telephone'],
      ]),
      thematiques: themes,
      demarches: themes.includes(THEME_DEMARCHES) ? ['travail_formation'] : [],
      oriente: false,
      beneficiaires: [...known],
      anonymes: {
        total,
        genres: { feminin: women, masculin: Math.max(0, total - women - 1) },
        tranches_age: { de_60_a_69: seniors, de_40_a_59: Math.floor((total - seniors) / 2) },
        statuts: { retraite: seniors },
      },
    };
  }
}
