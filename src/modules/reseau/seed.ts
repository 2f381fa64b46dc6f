import type { ModuleContext } from '../../platform/module.ts';
import { addDays, parisInstant, parisToday } from '../../platform/paris-time.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { seedRoadmapFinances } from './roadmap-seed.ts';

type DemoMember = {
  nom: string;
  siret: string;
  kind: 'collectivite' | 'association' | 'service_etat' | 'epci';
  commune: string;
  status: 'membre' | 'candidat';
  roles: string[];
  contact: [nom: string, fonction: string, email: string];
};

const MEMBERS: DemoMember[] = [
  {
    nom: 'Ville de Villeurbanne',
    siret: '21690266800013',
    kind: 'collectivite',
    commune: 'Villeurbanne',
    status: 'membre',
    roles: ['coporteur', 'cofinanceur'],
    contact: [
      'Claire Dubois',
      'Cheffe de projet inclusion numérique',
      'inclusion@villeurbanne.demo.relais.example',
    ],
  },
  {
    nom: 'Association Connexions Solidaires',
    siret: '77935612000021',
    kind: 'association',
    commune: 'Lyon',
    status: 'membre',
    roles: ['beneficiaire'],
    contact: ['Karim Benali', 'Coordinateur', 'contact@connexions.demo.relais.example'],
  },
  {
    nom: 'Espace France Services de Saint-Chamond',
    siret: '13000123300043',
    kind: 'service_etat',
    commune: 'Saint-Chamond',
    status: 'membre',
    roles: ['observateur'],
    contact: [
      'Sophie Martin',
      'Animatrice France Services',
      'france-services@saint-chamond.demo.relais.example',
    ],
  },
  {
    nom: 'Repair Café des Pentes',
    siret: '44312345000019',
    kind: 'association',
    commune: 'Lyon',
    status: 'candidat',
    roles: ['beneficiaire'],
    contact: ['Jules Moreau', 'Président', 'bonjour@repaircafe.demo.relais.example'],
  },
];

const at = (day: string, hour: number, minute = 0) => parisInstant(day, hour * 60 + minute);

/** A small network: three members and a candidate, a comité with a meeting, a roadmap, a webinar, a news item. */
export async function seedReseau({ db }: ModuleContext): Promise<void> {
  const ids: string[] = [];
  for (const m of MEMBERS) {
    const row = await db
      .insertInto('reseau_membre')
      .values({
        nom: m.nom,
        siret: m.siret,
        kind: m.kind,
        commune: m.commune,
        status: m.status,
        roles: m.roles,
        public: true,
        presentation: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
    await db
      .insertInto('reseau_membre_statut')
      .values([
        { membre_id: row.id, status: 'candidat', by: null, message: null },
        ...(m.status === 'membre'
          ? [{ membre_id: row.id, status: 'membre' as const, by: null, message: 'Bienvenue dans le réseau.' }]
          : []),
      ])
      .execute();
    await db
      .insertInto('reseau_contact')
      .values({
        membre_id: row.id,
        nom: m.contact[0],
        fonction: m.contact[1],
        email: m.contact[2],
        telephone: null,
        consent_at: new Date(),
      })
      .execute();
  }
  const comite = await db
    .insertInto('reseau_comite')
    .values({ nom: 'Comité de pilotage', type: 'strategique', frequence: 'trimestrielle', created_by: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const today = parisToday();
  const meetingDay = addDays(today, 21);
  const meeting = await db
    .insertInto('reseau_evenement')
    .values({
      kind: 'comite',
      comite_id: comite.id,
      titre: 'Comité de pilotage du réseau',
      description: null,
      starts_at: at(meetingDay, 14),
      ends_at: at(meetingDay, 16, 30),
      lieu: 'Siège du syndicat, salle du conseil',
      lien: null,
      audience: 'invites',
      capacite: null,
      ordre_du_jour: '1. Bilan du trimestre\n2. Avancement de la feuille de route\n3. Questions diverses',
      cancelled_at: null,
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('reseau_invitation')
    .values(ids.slice(0, 3).map((membre_id) => ({ evenement_id: meeting.id, membre_id })))
    .execute();
  const webinarDay = addDays(today, 10);
  await db
    .insertInto('reseau_evenement')
    .values({
      kind: 'webinaire',
      comite_id: null,
      titre: 'Webinaire : repérer les personnes éloignées du numérique',
      description: 'Une heure pour partager les pratiques de repérage entre structures du réseau.',
      starts_at: at(webinarDay, 11),
      ends_at: at(webinarDay, 12),
      lieu: null,
      lien: 'https://visio.demo.relais.example/reseau',
      audience: 'public',
      capacite: 50,
      ordre_du_jour: null,
      cancelled_at: null,
      created_by: null,
    })
    .execute();
  const villeurbanne = await findCollectiviteByCode(db, '69266');
  const roadmap = await db
    .insertInto('reseau_feuille_route')
    .values({
      nom: 'Feuille de route France Numérique Ensemble',
      porteur_id: ids[0] ?? null,
      perimetre: 'Tout le territoire du syndicat',
      contexte: 'Co-construite avec les membres du réseau lors du comité de pilotage.',
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const year = Number(today.slice(0, 4));
  await db
    .insertInto('reseau_action')
    .values([
      {
        feuille_route_id: roadmap.id,
        titre: 'Accompagner les habitants dans leurs démarches',
        description: 'Permanences de médiation numérique dans les lieux du réseau.',
        besoins: ['animer_la_gouvernance'],
        status: 'en_cours',
        debut: `${addDays(today, -365).slice(0, 7)}-01`,
        fin: `${year + 1}-12-31`,
        budget_euros: 40_000,
        indicateur: 'activites',
        indicateur_collectivite_id: villeurbanne?.id ?? null,
        cible: 600,
      },
      {
        feuille_route_id: roadmap.id,
        titre: 'Accompagner 1 500 personnes sur le territoire',
        description: null,
        besoins: ['collecter_des_donnees_territoriales'],
        status: 'en_cours',
        debut: `${addDays(today, -365).slice(0, 7)}-01`,
        fin: `${year + 1}-12-31`,
        budget_euros: null,
        indicateur: 'accompagnements',
        indicateur_collectivite_id: null,
        cible: 1500,
      },
      {
        feuille_route_id: roadmap.id,
        titre: 'Structurer une filière de reconditionnement',
        description: null,
        besoins: ['structurer_une_filiere_de_reconditionnement'],
        status: 'a_lancer',
        debut: `${year + 1}-01-01`,
        fin: `${year + 1}-12-31`,
        budget_euros: 15_000,
        indicateur: 'aucun',
        indicateur_collectivite_id: null,
        cible: null,
      },
    ])
    .execute();
  await seedRoadmapFinances(db, roadmap.id, ids, year);
  await db
    .insertInto('reseau_actualite')
    .values({
      titre: 'Le réseau compte trois membres',
      texte:
        'La Ville de Villeurbanne, l’association Connexions Solidaires et l’Espace France Services de Saint-Chamond forment le premier cercle du réseau. Rejoignez-les !',
      audience: 'public',
      published_by: null,
      recipients: 0,
    })
    .execute();
}
