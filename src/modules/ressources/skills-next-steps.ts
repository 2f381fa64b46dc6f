import { sql } from 'kysely';
import type { SkillsNextStepSource } from '../../platform/module.ts';
import { COMPETENCES } from './vocabulary.ts';

/** At most this many resources are offered to one skills result. */
const OFFERED = 3;

/**
 * The library's next steps for a skills result: public published resources tagged with the
 * competences the person should work on, those covering most of them first, then the best rated.
 * The result page is public, so network and private resources never show here.
 */
export const resourcesForSkills: SkillsNextStepSource = async ({ db }, need) => {
  const wanted = need.competences.filter((c) => c in COMPETENCES);
  if (wanted.length === 0) return [];
  const { rows } = await sql<{ id: string; titre: string; resume: string }>`
    select r.id, r.titre, r.resume
    from ressource r
    where r.status = 'publiee' and r.visibilite = 'publique' and r.competences && ${wanted}::text[]
    order by cardinality(array(select unnest(r.competences) intersect select unnest(${wanted}::text[]))) desc,
      r.rating_average desc nulls last, r.published_at desc
    limit ${OFFERED}`.execute(db);
  return rows.map((r) => ({
    kind: 'ressource' as const,
    title: r.titre,
    href: `/ressources/${r.id}`,
    detail: summaryOf(r.resume),
  }));
};

/** The first sentence of a summary, at most 160 characters. */
function summaryOf(resume: string): string {
  const text = resume.replace(/\s+/g, ' ').trim();
  const sentence = text.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? text;
  return sentence.length <= 160 ? sentence : `${sentence.slice(0, 159).trimEnd()}…`;
}
