import { type Expression, type SqlBool, sql } from 'kysely';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { allValues, lastValue } from '../../platform/forms.ts';
import { COMPETENCES, PUBLICS, SORTS, type Sort, THEMATIQUES, TYPES } from './vocabulary.ts';

/**
 * French search over the published resources this actor may read: titles, summaries, text
 * blocks, link addresses, file names and the PDFs' text (`relais_fr`: French stems, accents
 * ignored), facets for every vocabulary, sorting by relevance, date or rating. A query that
 * finds nothing is corrected word by word against the lexicon of public resources (trigram
 * similarity) and run again; one that still finds nothing is counted, terms only.
 */

export type SearchQuery = {
  q: string;
  thematiques: string[];
  types: string[];
  publics: string[];
  competences: string[];
  sort: Sort;
  page: number;
};

export const SEARCH_PAGE = 20;
const FACETS = {
  thematiques: THEMATIQUES,
  types: TYPES,
  publics: PUBLICS,
  competences: COMPETENCES,
} as const;
export type FacetName = keyof typeof FACETS;
export const FACET_NAMES = Object.keys(FACETS) as FacetName[];

const pick = (raw: unknown, vocabulary: Record<string, string>) =>
  [...new Set(allValues(raw))].filter((v) => v in vocabulary).slice(0, 30);

/** The search of an address's query string; anything unknown is left out. */
export function parseSearch(query: Record<string, unknown>): SearchQuery {
  const sort = lastValue(query.tri);
  return {
    q: (lastValue(query.q) ?? '').replace(/\s+/g, ' ').trim().slice(0, 200),
    thematiques: pick(query.thematiques, THEMATIQUES),
    types: pick(query.types, TYPES),
    publics: pick(query.publics, PUBLICS),
    competences: pick(query.competences, COMPETENCES),
    sort: sort && sort in SORTS ? (sort as Sort) : 'pertinence',
    page: Math.max(1, Math.min(500, Math.trunc(Number(lastValue(query.page))) || 1)),
  };
}

/** Published, and public — or network for a signed-in professional. Private ones never show in search. */
export const readableBy = (actor: Actor): Expression<SqlBool> =>
  actor.kind === 'user'
    ? sql<SqlBool>`r.status = 'publiee' and r.visibilite in ('publique', 'reseau')`
    : sql<SqlBool>`r.status = 'publiee' and r.visibilite = 'publique'`;

export type Hit = {
  id: string;
  titre: string;
  resume: string;
  types: string[];
  thematiques: string[];
  licence: string;
  author_name: string;
  published_at: Date | null;
  review_on: string | null;
  rating_count: number;
  rating_average: number | null;
};

export type SearchResult = {
  hits: Hit[];
  /** Exact up to COUNT_CAP, then "more than" (`countIsCapped`). */
  count: number;
  countIsCapped: boolean;
  /** The query actually run, when the typed one found nothing and a corrected one did. */
  corrected?: string;
  /** Matches per value of each vocabulary; null when there are more than COUNT_CAP matches. */
  facets: Record<FacetName, Record<string, number>> | null;
};

/**
 * A search reads at most this many matches in each order it needs, so that a word found in
 * every other resource costs the same as a rare one: counts and facets are exact up to it, the
 * pages beyond it are not offered (« affinez votre recherche »).
 */
export const COUNT_CAP = 1000;

const tsquery = (q: string) => sql`websearch_to_tsquery('relais_fr', ${q})`;

function where(s: SearchQuery, actor: Actor, q: string) {
  const parts = [readableBy(actor)];
  if (q) parts.push(sql<SqlBool>`r.search_doc @@ ${tsquery(q)}`);
  for (const name of FACET_NAMES)
    if (s[name].length) parts.push(sql<SqlBool>`r.${sql.ref(name)} @> ${s[name]}::text[]`);
  return sql.join(parts, sql` and `);
}

type Where = ReturnType<typeof where>;

type Order = 'date' | 'note' | 'titre';

/**
 * The first matches in one order, at most one more than COUNT_CAP. Walking an index in that
 * order tests each row against the query until enough match: cheap when many rows match,
 * costly when few do, where reading the matches from the text index and sorting them is
 * cheaper. `fenced` forces the latter (`offset 0` keeps the order out of the scan).
 */
function firstMatches(w: Where, order: Order, q: string, fenced: boolean) {
  const title = order === 'titre' ? sql` and r.titre_doc @@ ${tsquery(q)}` : sql``;
  const keys =
    order === 'note'
      ? sql`rating_average desc nulls last, published_at desc, id`
      : sql`published_at desc, id`;
  const matches = sql`select r.id, r.published_at, r.rating_average from ressource r where ${w}${title}`;
  return fenced
    ? sql`select id from (${matches} offset 0) m order by ${keys} limit ${COUNT_CAP + 1}`
    : sql`${matches} order by ${keys} limit ${COUNT_CAP + 1}`;
}

/** Above this many matches (as the planner estimates them), walking in order is cheaper than sorting. */
const ORDERED_WALK_FROM = 4 * COUNT_CAP;

async function estimatedMatches(db: Db, w: Where): Promise<number> {
  const { rows } = await sql<{
    'QUERY PLAN': unknown;
  }>`explain (format json) select 1 from ressource r where ${w}`.execute(db);
  const raw = rows[0]?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: { 'Plan Rows': number } }];
  return plan[0].Plan['Plan Rows'];
}

/**
 * One page of hits and the count. The candidates are the most recent matches (they give the
 * count), plus, sorted by relevance, the matches in a title or summary — ranked by `ts_rank`
 * over the whole text — or, sorted by rating, the best rated. Below COUNT_CAP matches the
 * candidates are all the matches, so the order is exact; above it, date and rating orders
 * stay exact over the pages offered and relevance ranks the title matches first.
 */
async function run(db: Db, actor: Actor, s: SearchQuery, q: string) {
  const byRelevance = q !== '' && s.sort === 'pertinence';
  const order =
    s.sort === 'note'
      ? sql`r.rating_average desc nulls last, r.published_at desc, r.id`
      : byRelevance
        ? sql`ts_rank(r.search_doc, ${tsquery(q)}) desc, r.published_at desc, r.id`
        : sql`r.published_at desc, r.id`;
  const w = where(s, actor, q);
  // Without words, the vocabularies' filters are cheap to test row by row: walk in order.
  const fenced = q !== '' && (await estimatedMatches(db, w)) < ORDERED_WALK_FROM;
  const extra = byRelevance
    ? firstMatches(w, 'titre', q, true)
    : s.sort === 'note'
      ? firstMatches(w, 'note', q, fenced)
      : null;
  const rows = await sql<Hit & { total: string }>`
    with recent as (${firstMatches(w, 'date', q, fenced)})
    select r.id, r.titre, r.resume, r.types, r.thematiques, r.licence, r.author_name, r.published_at,
      r.review_on, r.rating_count, r.rating_average, (select count(*) from recent) as total
    from ressource r
    where r.id in (select id from recent${extra ? sql` union (${extra})` : sql``})
    order by ${order}
    limit ${SEARCH_PAGE} offset ${(s.page - 1) * SEARCH_PAGE}`.execute(db);
  const total = Number(rows.rows[0]?.total ?? 0);
  return {
    hits: rows.rows.map(({ total: _t, ...h }) => h),
    count: Math.min(total, COUNT_CAP),
    countIsCapped: total > COUNT_CAP,
    where: w,
  };
}

/** Matches per vocabulary value, over at most COUNT_CAP matches (the caller knows there are no more). */
async function facetCounts(db: Db, w: Where): Promise<NonNullable<SearchResult['facets']>> {
  const facets = { thematiques: {}, types: {}, publics: {}, competences: {} } as NonNullable<
    SearchResult['facets']
  >;
  const rows = await sql<{ facet: FacetName; value: string; n: string }>`
    with m as (select r.thematiques, r.types, r.publics, r.competences from ressource r where ${w})
    select 'thematiques' as facet, v as value, count(*) as n from m, unnest(m.thematiques) v group by v
    union all select 'types', v, count(*) from m, unnest(m.types) v group by v
    union all select 'publics', v, count(*) from m, unnest(m.publics) v group by v
    union all select 'competences', v, count(*) from m, unnest(m.competences) v group by v`.execute(db);
  for (const r of rows.rows) facets[r.facet][r.value] = Number(r.n);
  return facets;
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Each word of the query unknown to the lexicon, replaced by its closest known word (if any is close). */
export async function correction(db: Db, q: string): Promise<string | undefined> {
  const words = fold(q).match(/[\p{L}]+|[^\p{L}]+/gu) ?? [];
  let changed = false;
  const out: string[] = [];
  for (const w of words.slice(0, 20)) {
    if (!/^\p{L}{4,30}$/u.test(w)) {
      out.push(w);
      continue;
    }
    const known = await db.selectFrom('ressource_mot').select('mot').where('mot', '=', w).executeTakeFirst();
    if (known) {
      out.push(w);
      continue;
    }
    const near = await sql<{ mot: string }>`
      select mot from ressource_mot where mot % ${w} and similarity(mot, ${w}) >= 0.3
      order by similarity(mot, ${w}) desc, mot limit 1`.execute(db);
    const best = near.rows[0]?.mot;
    if (best) {
      out.push(best);
      changed = true;
    } else out.push(w);
  }
  return changed ? out.join('') : undefined;
}

/** Searches; a query that found nothing is corrected, and counted if the correction finds nothing either. */
export async function searchResources(db: Db, actor: Actor, s: SearchQuery): Promise<SearchResult> {
  let result = await run(db, actor, s, s.q);
  let corrected: string | undefined;
  if (result.count === 0 && s.q) {
    const better = await correction(db, s.q);
    if (better) {
      const again = await run(db, actor, s, better);
      if (again.count > 0) {
        result = again;
        corrected = better;
      }
    }
    if (!corrected && s.page === 1) await countEmptySearch(db, s.q);
  }
  const facets = result.countIsCapped ? null : await facetCounts(db, result.where);
  return {
    hits: result.hits,
    count: result.count,
    countIsCapped: result.countIsCapped,
    facets,
    ...(corrected ? { corrected } : {}),
  };
}

/** Counts a search that found nothing: its folded terms only, never who searched. */
export async function countEmptySearch(db: Db, q: string): Promise<void> {
  const terms = fold(q)
    .replace(/[^\p{L}\p{N}' -]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100);
  if (!terms) return;
  await sql`insert into ressource_recherche_vide (terms) values (${terms})
    on conflict (terms) do update set searches = ressource_recherche_vide.searches + 1, last_at = now()`.execute(
    db,
  );
}

export const emptySearches = (db: Db) =>
  db
    .selectFrom('ressource_recherche_vide')
    .selectAll()
    .orderBy('searches', 'desc')
    .orderBy('last_at', 'desc')
    .limit(100)
    .execute();

/** Published resources this actor may read on these themes, the closest first. */
export async function suggestions(
  db: Db,
  actor: Actor,
  themes: readonly string[],
  limit = 5,
): Promise<Hit[]> {
  const wanted = themes.filter((t) => t in THEMATIQUES);
  if (wanted.length === 0) return [];
  const rows = await sql<Hit>`
    select r.id, r.titre, r.resume, r.types, r.thematiques, r.licence, r.author_name, r.published_at,
      r.review_on, r.rating_count, r.rating_average
    from ressource r
    where ${readableBy(actor)} and r.thematiques && ${wanted}::text[]
    order by cardinality(array(select unnest(r.thematiques) intersect select unnest(${wanted}::text[]))) desc,
      r.rating_average desc nulls last, r.published_at desc
    limit ${limit}`.execute(db);
  return rows.rows;
}

/**
 * Published resources this actor may read on a subject given in words (a training's title and
 * objectives): those matching most of its words first. Any word may match, so that a subject
 * written in other words than the resources' still finds the closest ones.
 */
export async function resourcesAbout(db: Db, actor: Actor, subject: string, limit = 3): Promise<Hit[]> {
  const words = [...new Set(subject.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4))].slice(0, 16);
  if (words.length === 0) return [];
  const q = tsquery(words.join(' or '));
  const rows = await sql<Hit>`
    select r.id, r.titre, r.resume, r.types, r.thematiques, r.licence, r.author_name, r.published_at,
      r.review_on, r.rating_count, r.rating_average
    from ressource r
    where ${readableBy(actor)} and r.search_doc @@ ${q}
    order by ts_rank(r.search_doc, ${q}) desc, r.published_at desc, r.id
    limit ${limit}`.execute(db);
  return rows.rows;
}
