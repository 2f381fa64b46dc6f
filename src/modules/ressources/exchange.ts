import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Dataset } from '../../platform/open-data.ts';
import { displayName, listCollectivites } from '../territoires/index.ts';
import {
  COMPETENCES,
  LICENCE_URLS,
  LICENCES,
  type Licence,
  PUBLICS,
  THEMATIQUES,
  TYPES,
} from './vocabulary.ts';

/**
 * Exchange of public resources: their metadata as JSON (the format `/ressources/export.json`
 * serves, which keeps licences, authors and the address of each resource, so that a resource can
 * be carried to or from the national library by hand), and as an open dataset in the DCAT
 * catalogue of `donnees`. Only published public resources leave; never who rated or reported.
 */

export type ExchangeResource = {
  id: string;
  url: string;
  titre: string;
  resume: string;
  licence: Licence;
  licence_url: string | null;
  auteur: string;
  contributeurs: string;
  collectivite: string | null;
  thematiques: string[];
  types: string[];
  publics: string[];
  competences: string[];
  liens: { titre: string | null; url: string }[];
  date_publication: string | null;
  date_modification: string;
  a_verifier_le: string | null;
  /** Where the resource was taken from, when it was imported (the back-link to its origin). */
  source: string | null;
};

export async function publicResources(db: Db, publicUrl: string): Promise<ExchangeResource[]> {
  const rows = await sql<{
    id: string;
    titre: string;
    resume: string;
    licence: Licence;
    author_name: string;
    contributors: string;
    collectivite_id: number | null;
    thematiques: string[];
    types: string[];
    publics: string[];
    competences: string[];
    published_at: Date | null;
    updated_at: Date;
    review_on: string | null;
    liens: { titre: string | null; url: string }[] | null;
    source_url: string | null;
  }>`
    select r.id, r.titre, r.resume, r.licence, r.author_name, r.contributors, r.collectivite_id,
      r.thematiques, r.types, r.publics, r.competences, r.published_at, r.updated_at, r.review_on, r.source_url,
      (select json_agg(json_build_object('titre', b.titre, 'url', b.url) order by b.position)
        from ressource_bloc b where b.ressource_id = r.id and b.kind = 'lien') as liens
    from ressource r
    where r.status = 'publiee' and r.visibilite = 'publique'
    order by r.published_at desc, r.id`.execute(db);
  const names = new Map((await listCollectivites(db)).map((c) => [c.id, displayName(c)]));
  return rows.rows.map((r) => ({
    id: r.id,
    url: `${publicUrl}/ressources/${r.id}`,
    titre: r.titre,
    resume: r.resume,
    licence: r.licence,
    licence_url: LICENCE_URLS[r.licence],
    auteur: r.author_name,
    contributeurs: r.contributors,
    collectivite: r.collectivite_id === null ? null : (names.get(r.collectivite_id) ?? null),
    thematiques: r.thematiques,
    types: r.types,
    publics: r.publics,
    competences: r.competences,
    liens: r.liens ?? [],
    date_publication: r.published_at ? r.published_at.toISOString() : null,
    date_modification: r.updated_at.toISOString(),
    a_verifier_le: r.review_on,
    source: r.source_url,
  }));
}

export const resourcesDataset: Dataset = {
  id: 'ressources',
  title: 'Ressources de médiation numérique',
  description:
    'Les ressources publiques de la bibliothèque du territoire (fiches, guides, outils) : titre, résumé, licence, auteur, thématiques, types et publics. Le contenu se lit sur la page de chaque ressource.',
  keywords: ['médiation numérique', 'ressources', 'inclusion numérique', 'licence ouverte'],
  columns: [
    { name: 'id', type: 'string', description: 'Identifiant de la ressource' },
    { name: 'titre', type: 'string', description: 'Titre' },
    { name: 'resume', type: 'string', description: 'Résumé' },
    {
      name: 'licence',
      type: 'string',
      description: 'Licence de réutilisation',
      values: Object.keys(LICENCES),
    },
    { name: 'auteur', type: 'string', description: 'Auteur (nom affiché)' },
    {
      name: 'thematiques',
      type: 'string',
      description: 'Thématiques (séparées par |)',
      values: Object.keys(THEMATIQUES),
    },
    {
      name: 'types',
      type: 'string',
      description: 'Types de ressource (séparés par |)',
      values: Object.keys(TYPES),
    },
    { name: 'publics', type: 'string', description: 'Publics (séparés par |)', values: Object.keys(PUBLICS) },
    {
      name: 'competences',
      type: 'string',
      description: 'Compétences Pix (séparées par |)',
      values: Object.keys(COMPETENCES),
    },
    { name: 'date_publication', type: 'date', description: 'Date de première publication' },
  ],
  notes: ['Seules les ressources publiées et publiques figurent ici.'],
  generate: async (db) => {
    const rows = await publicResources(db, '');
    return rows.map((r) => ({
      id: r.id,
      titre: r.titre,
      resume: r.resume,
      licence: r.licence,
      auteur: r.auteur,
      thematiques: r.thematiques.join('|'),
      types: r.types.join('|'),
      publics: r.publics.join('|'),
      competences: r.competences.join('|'),
      date_publication: r.date_publication ? r.date_publication.slice(0, 10) : null,
    }));
  },
};
