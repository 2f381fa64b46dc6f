import { sql } from 'kysely';
import { can } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';
import { listCollectivites } from '../territoires/index.ts';

const places = (n: number) => (n > 1 ? `${n} lieux d’activité attendent` : `${n} lieu d’activité attend`);
const helpers = (n: number) =>
  n > 1
    ? `${n} médiateurs attendent leur premier lieu approuvé`
    : '1 médiateur attend son premier lieu approuvé';

/**
 * For those who manage a collectivité's people: the places of activity helpers proposed, still
 * to approve, and the helpers who cannot record a report until one is.
 */
export const approvalsBlock: SpaceSection = async ({ db }, actor) => {
  const managed = (await listCollectivites(db))
    .filter((c) => can(actor, 'people.manage', { collectiviteId: c.id }))
    .map((c) => c.id);
  if (managed.length === 0) return null;
  const counts = await db
    .selectFrom('mediateur_lieu_proposition as p')
    .innerJoin('app_user as u', 'u.id', 'p.user_id')
    .select([
      sql<number>`count(*)::int`.as('places'),
      sql<number>`count(distinct p.user_id) filter (where not exists
        (select 1 from mediateur_lieu ml where ml.user_id = p.user_id))::int`.as('helpers'),
    ])
    .where('p.refused_at', 'is', null)
    .where('u.status', '!=', 'disabled')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('membership as ms')
          .select('ms.user_id')
          .whereRef('ms.user_id', '=', 'p.user_id')
          .where('ms.role', '=', 'mediateur')
          .where('ms.collectivite_id', 'in', managed),
      ),
    )
    .executeTakeFirstOrThrow();
  const facts =
    counts.places === 0
      ? ['Aucun lieu d’activité n’attend votre approbation.']
      : [`${places(counts.places)} votre approbation`];
  if (counts.helpers > 0) facts.push(helpers(counts.helpers));
  return {
    title: 'Lieux d’activité des médiateurs',
    rank: can(actor, 'opsn.manage') ? 40 : 10,
    facts,
    ...(counts.places > 0
      ? { action: { href: '/admin/lieux-activite', label: 'Approuver les lieux d’activité' } }
      : {
          links: [{ href: '/admin/lieux-activite', label: 'Approuver les lieux d’activité des médiateurs' }],
        }),
  };
};
