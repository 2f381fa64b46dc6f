import { sql } from 'kysely';
import type { Dataset } from '../../platform/open-data.ts';
import { roundToBase } from '../statistiques/index.ts';
import { listCollectivites } from '../territoires/index.ts';

/**
 * Open data: the sessions of the past and to come, with their aggregate attendance. Counts of
 * people are rounded to 5 (a session of 3 publishes 5, of 2 publishes 0): no small group shows.
 */
export const sessionsDataset: Dataset = {
  id: 'sessions-formation',
  title: 'Sessions de formation des acteurs de l’inclusion numérique',
  description:
    'Les sessions de formation organisées par l’OPSN et ses collectivités : formation, dates, heures, modalité, places, et la fréquentation agrégée (inscrits et présents arrondis à 5).',
  keywords: ['formation', 'inclusion numérique', 'médiation numérique', 'aidants'],
  columns: [
    { name: 'session', type: 'string', description: 'Identifiant de la session' },
    { name: 'formation', type: 'string', description: 'Titre de la formation' },
    {
      name: 'modalite',
      type: 'string',
      description: 'Modalité',
      values: ['presentiel', 'distanciel', 'hybride'],
    },
    {
      name: 'organisateur',
      type: 'string',
      description: 'Code INSEE ou SIREN de la collectivité organisatrice, vide pour l’OPSN',
    },
    { name: 'debut', type: 'date', description: 'Date de la première demi-journée' },
    { name: 'demi_journees', type: 'integer', description: 'Nombre de demi-journées' },
    { name: 'heures', type: 'number', description: 'Durée de la session', unit: 'heures' },
    { name: 'places', type: 'integer', description: 'Capacité' },
    { name: 'inscrits', type: 'integer', description: 'Personnes inscrites, arrondi à 5', unit: 'personnes' },
    {
      name: 'presents_moyenne',
      type: 'integer',
      description: 'Présents en moyenne par demi-journée passée, arrondi à 5',
      unit: 'personnes',
    },
  ],
  notes: [
    'Les sessions annulées ne sont pas publiées.',
    'Les nombres de personnes sont arrondis au multiple de 5 le plus proche.',
  ],
  async generate(db) {
    const rows = await sql<{
      id: string;
      titre: string;
      modalite: string;
      collectivite_id: number | null;
      debut: string;
      demi_journees: number;
      minutes: number;
      capacite: number;
      inscrits: number;
      presents: number | null;
    }>`
      select s.id, t.titre, t.modalite,
             s.collectivite_id,
             to_char(min(d.starts_at) at time zone 'Europe/Paris', 'YYYY-MM-DD') as debut,
             count(d.id)::int as demi_journees,
             coalesce(sum(extract(epoch from (d.ends_at - d.starts_at)) / 60), 0)::int as minutes,
             s.capacite,
             (select count(*) from formation_inscription i where i.session_id = s.id and i.status = 'inscrit')::int as inscrits,
             (select avg(n)::float8 from (
               select count(*) filter (where p.present) as n from formation_demi_journee dd
               left join formation_presence p on p.demi_journee_id = dd.id
               where dd.session_id = s.id and dd.starts_at < now() group by dd.id) x) as presents
      from formation_session s
      join formation_type t on t.id = s.type_id
      join formation_demi_journee d on d.session_id = s.id
      where s.status = 'active'
      group by s.id, t.titre, t.modalite
      order by debut, s.id`.execute(db);
    const codes = new Map((await listCollectivites(db)).map((c) => [c.id, c.code]));
    return rows.rows.map((r) => ({
      session: r.id,
      formation: r.titre,
      modalite: r.modalite,
      organisateur: r.collectivite_id === null ? null : (codes.get(r.collectivite_id) ?? null),
      debut: r.debut,
      demi_journees: r.demi_journees,
      heures: Math.round((r.minutes / 60) * 10) / 10,
      places: r.capacite,
      inscrits: roundToBase(r.inscrits),
      presents_moyenne: r.presents === null ? null : roundToBase(r.presents),
    }));
  },
};
