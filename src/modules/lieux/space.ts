import { sql } from 'kysely';
import type { SpaceSection } from '../../platform/module.ts';
import { formatDate } from '../../platform/paris-time.ts';
import { listImports, managedCollectivites } from './service.ts';

/** A published place whose information is older than this is to check with the place. */
const STALE_MONTHS = 12;

const places = (n: number) => (n > 1 ? `${n} lieux` : `${n} lieu`);

/**
 * For those who manage places: how many are published or drafts, how many were not updated
 * for a year, and the last import; the same scope as the places' list (`managedCollectivites`).
 */
export const placesBlock: SpaceSection = async ({ db }, actor) => {
  const scope = managedCollectivites(actor);
  if (scope !== null && scope.length === 0) return null;
  let query = db.selectFrom('lieu').select([
    sql<number>`count(*) filter (where status = 'publie')::int`.as('published'),
    sql<number>`count(*) filter (where status = 'brouillon')::int`.as('drafts'),
    sql<number>`count(*) filter (where status = 'publie'
        and date_maj < current_date - make_interval(months => ${STALE_MONTHS}))::int`.as('stale'),
  ]);
  if (scope) query = query.where('collectivite_id', 'in', scope);
  const [counts, imports] = await Promise.all([query.executeTakeFirstOrThrow(), listImports(db, actor)]);
  const facts = [`${places(counts.published)} ${counts.published > 1 ? 'publiés' : 'publié'}`];
  if (counts.drafts > 0)
    facts.push(
      `${places(counts.drafts)} en brouillon, pas encore ${counts.drafts > 1 ? 'visibles' : 'visible'}`,
    );
  if (counts.stale > 0)
    facts.push(
      `${places(counts.stale)} sans mise à jour depuis plus d’un an : vérifiez leurs horaires et leurs services`,
    );
  const last = imports[0];
  const links = [{ href: '/admin/lieux', label: 'Gérer les lieux' }];
  if (last) {
    facts.push(
      `Dernier import : ${last.file_name}, le ${formatDate(last.created_at, 'short')} (${last.rejected} ${last.rejected > 1 ? 'lignes rejetées' : 'ligne rejetée'})`,
    );
    links.push({ href: `/admin/lieux/imports/${last.id}`, label: 'Voir le rapport du dernier import' });
  }
  return {
    title: 'Lieux de médiation numérique',
    rank: scope === null ? 45 : 25,
    facts,
    action: { href: '/admin/lieux/import', label: 'Importer des lieux' },
    links,
  };
};
