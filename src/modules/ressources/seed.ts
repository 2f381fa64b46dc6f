import type { ModuleContext } from '../../platform/module.ts';
import { addToCollection, createCollection, setShareLink } from './collections.ts';
import {
  addBlock,
  type BlockInput,
  createResource,
  findResource,
  publishResource,
  type ResourceInput,
} from './service.ts';

/**
 * Demo library: three resources of the Villeurbanne coordinator, published, and a public
 * collection of them for a workshop. Written through the module's service (same checks as the forms).
 */

const COORDINATOR = 'coordination@demo.relais.example';

const RESOURCES: { input: ResourceInput; blocks: BlockInput[] }[] = [
  {
    input: {
      titre: 'Se protéger des arnaques en ligne',
      resume:
        'Une fiche pour un atelier d’une heure : reconnaître un faux message, un faux site, et savoir quoi faire.',
      licence: 'etalab_2_0',
      visibilite: 'publique',
      thematiques: ['securite_numerique', 'email'],
      types: ['ressource_pedagogique'],
      publics: ['tous_publics', 'seniors'],
      competences: ['4.1', '4.2'],
    },
    blocks: [
      { kind: 'titre_section', titre: 'Les signes qui doivent alerter' },
      {
        kind: 'texte',
        texte:
          'Un message qui **presse** d’agir, qui demande un code, un mot de passe ou un paiement, est presque toujours une arnaque.\n\n- une adresse d’expéditeur étrange\n- des fautes\n- un lien vers un site qui imite une administration',
      },
      {
        kind: 'lien',
        url: 'https://www.cybermalveillance.gouv.fr',
        titre: 'Cybermalveillance.gouv.fr',
        texte: 'Le dispositif national d’assistance aux victimes.',
      },
    ],
  },
  {
    input: {
      titre: 'Créer sa première adresse électronique',
      resume: 'Pas à pas, pour accompagner une personne qui n’a jamais eu de messagerie.',
      licence: 'cc_by_sa_4_0',
      visibilite: 'publique',
      thematiques: ['email', 'aide_aux_demarches_administratives'],
      types: ['methodologie'],
      publics: ['tres_eloignes_du_numerique', 'adultes'],
      competences: ['2.1'],
    },
    blocks: [
      {
        kind: 'texte',
        texte:
          '1. Choisir un service de messagerie\n2. Choisir un identifiant facile à retenir\n3. Noter le mot de passe en lieu sûr, hors du téléphone',
      },
    ],
  },
  {
    input: {
      titre: 'Prendre en main son smartphone',
      resume: 'Les gestes de base et les réglages utiles, pour un premier atelier.',
      licence: 'etalab_2_0',
      visibilite: 'reseau',
      thematiques: ['prendre_en_main_du_materiel'],
      types: ['boite_a_outils'],
      publics: ['seniors'],
      competences: ['5.1'],
    },
    blocks: [
      {
        kind: 'texte',
        texte:
          'Allumer, déverrouiller, faire défiler, revenir en arrière : quatre gestes à pratiquer ensemble.',
      },
    ],
  },
];

export async function seedRessources({ db }: ModuleContext): Promise<void> {
  const existing = await db.selectFrom('ressource').select('id').limit(1).executeTakeFirst();
  if (existing) return;
  const user = await db
    .selectFrom('app_user as u')
    .innerJoin('membership as m', 'm.user_id', 'u.id')
    .select(['u.id', 'u.email', 'u.name', 'm.collectivite_id'])
    .where('u.email', '=', COORDINATOR)
    .where('m.role', '=', 'coordinateur')
    .executeTakeFirst();
  if (!user || user.collectivite_id === null) return;
  const actor = {
    kind: 'user' as const,
    userId: user.id,
    email: user.email,
    name: user.name,
    memberships: [{ role: 'coordinateur' as const, collectiviteId: user.collectivite_id }],
    activeCollectiviteId: user.collectivite_id,
  };
  const ids: string[] = [];
  for (const { input, blocks } of RESOURCES) {
    const id = await createResource(db, actor, input);
    for (const block of blocks) {
      const r = await findResource(db, id);
      if (r) await addBlock(db, actor, r, block);
    }
    const r = await findResource(db, id);
    if (r) await publishResource(db, actor, r);
    ids.push(id);
  }
  const collection = await createCollection(db, actor, {
    titre: 'Atelier « premiers pas »',
    description: 'Les fiches de l’atelier du mardi à la médiathèque.',
    publique: true,
    au_nom_opsn: false,
  });
  if (typeof collection !== 'string') return;
  const c = await db
    .selectFrom('ressource_collection')
    .selectAll()
    .where('id', '=', collection)
    .executeTakeFirstOrThrow();
  for (const id of ids.slice(0, 2)) await addToCollection(db, actor, c, id);
  await setShareLink(db, c, false);
}
