import type { AgendaSource } from '../../platform/module.ts';

/**
 * The trainings' public dates for the network's agenda: each half-day of an active session
 * open to every collectivité (not one reserved to a single collectivité's teams), with where
 * it takes place and the session's page.
 */
export const trainingDates: AgendaSource = async ({ db }, { from, to }) => {
  const rows = await db
    .selectFrom('formation_demi_journee as d')
    .innerJoin('formation_session as s', 's.id', 'd.session_id')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .select([
      'd.id',
      'd.starts_at',
      'd.ends_at',
      's.id as session_id',
      's.lieu_libelle',
      's.lien_distance',
      't.titre',
    ])
    .where('s.status', '=', 'active')
    .where('s.intra', '=', false)
    .where('d.ends_at', '>', from)
    .where('d.starts_at', '<', to)
    .orderBy('d.starts_at')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    uid: `formation-${r.id}`,
    kind: 'Formation',
    title: r.titre,
    start: r.starts_at,
    end: r.ends_at,
    where: r.lieu_libelle ?? (r.lien_distance ? 'À distance' : null),
    href: `/formations/sessions/${r.session_id}`,
  }));
};
