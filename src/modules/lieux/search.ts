import { type Expression, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { findCommune, normaliseCommuneName, searchCommunes } from '../territoires/index.ts';
import { servicesForNeeds } from './needs.ts';
import { minuteOfWeek } from './opening-hours.ts';
import { FRAIS, MODALITES_ACCOMPAGNEMENT, PUBLICS, SERVICES } from './vocabulary.ts';

/** Accepts `a|b`, `a,b` is not safe (values hold commas): repeated params or `|`. */
const listOf = <T extends readonly string[]>(values: T, label: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) =>
      v === undefined
        ? []
        : [v]
            .flat()
            .flatMap((s) => s.split('|'))
            .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, { error: () => `${label} : valeur inconnue` })));

const coordinates = z
  .string()
  .trim()
  .regex(
    /^-?\d{1,2}(\.\d+)?,\s*-?\d{1,3}(\.\d+)?$/,
    'près de : « latitude,longitude » attendu, par exemple 45.76,4.88',
  )
  .transform((v) => {
    const [lat, lon] = v.split(',').map(Number) as [number, number];
    return { lat, lon };
  })
  .refine(({ lat, lon }) => Math.abs(lat) <= 90 && Math.abs(lon) <= 180, 'près de : coordonnées impossibles');

/** The search parameters of the page and of the API: one schema, one meaning. */
export const searchSchema = z.object({
  q: z
    .string()
    .trim()
    .max(200, 'recherche : 200 caractères au plus')
    .optional()
    .transform((v) => v || undefined),
  services: listOf(SERVICES, 'services'),
  publics: listOf(PUBLICS, 'publics'),
  modalites: listOf(MODALITES_ACCOMPAGNEMENT, 'modalités'),
  frais: listOf(FRAIS, 'frais'),
  commune: z
    .string()
    .trim()
    .max(100, 'commune : 100 caractères au plus')
    .optional()
    .transform((v) => v || undefined),
  departement: z
    .string()
    .trim()
    .regex(/^(\d{2,3}|2[AB])$/, 'département : code à 2 ou 3 caractères attendu (ex. 69, 2A, 974)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  near: z.preprocess((v) => (v === '' ? undefined : v), coordinates.optional()),
  rayon_km: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : Number(v)),
    z
      .number({ error: 'rayon : nombre de kilomètres attendu' })
      .min(0.1, 'rayon : de 0,1 à 500 kilomètres')
      .max(500, 'rayon : de 0,1 à 500 kilomètres')
      .optional(),
  ),
  ouvert: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.literal('maintenant', { error: 'ouvert : seule valeur possible « maintenant »' }).optional(),
  ),
  page: z.preprocess(
    (v) => (v === '' || v === undefined ? 1 : Number(v)),
    z
      .number({ error: 'page : nombre entier de 1 à 1000 attendu' })
      .int('page : nombre entier de 1 à 1000 attendu')
      .min(1, 'page : nombre entier de 1 à 1000 attendu')
      .max(1000, 'page : nombre entier de 1 à 1000 attendu'),
  ),
  limit: z.preprocess(
    (v) => (v === '' || v === undefined ? 20 : Number(v)),
    z
      .number({ error: 'limit : nombre entier de 1 à 500 attendu' })
      .int('limit : nombre entier de 1 à 500 attendu')
      .min(1, 'limit : nombre entier de 1 à 500 attendu')
      .max(500, 'limit : 500 lieux par page au plus'),
  ),
});

export type SearchQuery = z.output<typeof searchSchema>;

export type SearchHit = {
  id: string;
  lmn_id: string;
  nom: string;
  adresse: string;
  complement_adresse: string | null;
  commune: string;
  code_postal: string;
  code_insee: string | null;
  latitude: number | null;
  longitude: number | null;
  services: string[];
  frais_a_charge: string[];
  modalites_accompagnement: string[];
  horaires: string | null;
  telephone: string[];
  distance_km: number | null;
};

export type SearchResult = {
  hits: SearchHit[];
  /** Exact up to COUNT_CAP, then "more than". */
  total: number;
  totalIsCapped: boolean;
  page: number;
  limit: number;
  /** The communes a `commune` filter matched, when it was a name. */
  communes: string[];
  /** When the words had no match as typed: the words searched instead (typos corrected). */
  correctedQuery?: string;
  /** The services the words named as a need ("impôts"): places offering one of them matched. */
  needServices: string[];
};

/** Counting stops here: nobody pages through thousands of places, and counting costs. */
export const COUNT_CAP = 1000;

function earth(lat: number | Expression<unknown>, lon: number | Expression<unknown>) {
  return sql`ll_to_earth(${lat}, ${lon})`;
}

/** The INSEE codes a `commune` filter designates: a code, a postcode, or a name. */
function communeCodes(commune: string): string[] {
  const code = commune.toUpperCase();
  if (/^(\d{2}|2[AB])\d{3}$/.test(code) && findCommune(code)) return [code];
  const matches = searchCommunes(commune, 50);
  if (/^\d{5}$/.test(commune)) return matches.map((m) => m.code);
  const wanted = normaliseCommuneName(commune);
  return matches.filter((m) => normaliseCommuneName(m.name) === wanted).map((m) => m.code);
}

/**
 * Published places matching the query. Words go through French full-text search (stems,
 * accents ignored, indexed); when they match nothing as typed, each unknown word is replaced
 * by the closest word of the directory's names and communes (trigram similarity over the
 * small `lieu_mot` table, not over the places) and the search runs again. `near` walks the
 * GiST index in distance order (never the whole table); `ouvert=maintenant` reads the weekly
 * ranges stored with each place.
 */
export async function searchPlaces(db: Db, query: SearchQuery, now = new Date()): Promise<SearchResult> {
  const text = query.q && !/^\d{5}$/.test(query.q) ? query.q : undefined;
  const result = await runSearch(db, query, text, now);
  if (!text || result.total > 0) return result;
  const corrected = await correctWords(db, text);
  if (!corrected) return result;
  return { ...(await runSearch(db, query, corrected, now)), correctedQuery: corrected };
}

const wordsOf = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** The text with each word unknown to the directory replaced by its closest known word; null when nothing changes. */
export async function correctWords(db: Db, text: string): Promise<string | null> {
  const words = wordsOf(text);
  const candidates = words.filter((w) => w.length >= 3);
  if (candidates.length === 0) return null;
  const known = new Set(
    (
      await db
        .selectFrom('lieu_mot')
        .select('mot')
        .where('mot', '=', sql<string>`any(${candidates}::text[])`)
        .execute()
    ).map((r) => r.mot),
  );
  let changed = false;
  const corrected: string[] = [];
  for (const word of words) {
    if (word.length < 3 || known.has(word)) {
      corrected.push(word);
      continue;
    }
    const closest = await db
      .selectFrom('lieu_mot')
      .select('mot')
      // similarity() rather than the indexable `%`: see lieu_mot in tables.ts.
      .where(sql<SqlBool>`similarity(mot, ${word}) >= 0.3`)
      .orderBy(sql`similarity(mot, ${word})`, 'desc')
      .orderBy('mot')
      .limit(1)
      .executeTakeFirst();
    corrected.push(closest?.mot ?? word);
    changed ||= closest !== undefined;
  }
  return changed ? corrected.join(' ') : null;
}

async function runSearch(
  db: Db,
  query: SearchQuery,
  text: string | undefined,
  now: Date,
): Promise<SearchResult> {
  const postcode = query.q && /^\d{5}$/.test(query.q) ? query.q : undefined;
  const codes = query.commune ? communeCodes(query.commune) : [];
  const tsquery = text ? sql`websearch_to_tsquery('relais_fr', ${text})` : undefined;
  const needServices = text ? servicesForNeeds(text) : [];

  let base = db.selectFrom('lieu').where('status', '=', 'publie');
  if (tsquery && needServices.length) {
    // A need ("impôts") finds the places offering its services, and those whose name or text has the words.
    base = base.where(sql<SqlBool>`(search_doc @@ ${tsquery} or services && ${needServices}::text[])`);
  } else if (tsquery) base = base.where(sql<SqlBool>`search_doc @@ ${tsquery}`);
  if (postcode) base = base.where('code_postal', '=', postcode);
  if (query.commune) base = base.where('code_insee', '=', sql<string>`any(${codes}::text[])`);
  if (query.departement) base = base.where('code_insee', 'like', `${query.departement}%`);
  if (query.services.length) base = base.where(sql<SqlBool>`services && ${query.services}::text[]`);
  if (query.publics.length) {
    base = base.where(sql<SqlBool>`publics_specifiquement_adresses && ${query.publics}::text[]`);
  }
  if (query.modalites.length) {
    base = base.where(sql<SqlBool>`modalites_accompagnement && ${query.modalites}::text[]`);
  }
  if (query.frais.length) base = base.where(sql<SqlBool>`frais_a_charge && ${query.frais}::text[]`);
  if (query.ouvert) base = base.where(sql<SqlBool>`open_week @> ${minuteOfWeek(now)}::int4`);
  const near = query.near;
  if (near) {
    base = base.where('latitude', 'is not', null);
    if (query.rayon_km !== undefined) {
      const radius = query.rayon_km * 1000;
      base = base
        .where(
          sql<SqlBool>`earth_box(${earth(near.lat, near.lon)}, ${radius}) @> ${earth(sql.ref('latitude'), sql.ref('longitude'))}`,
        )
        .where(
          sql<SqlBool>`earth_distance(${earth(near.lat, near.lon)}, ${earth(sql.ref('latitude'), sql.ref('longitude'))}) <= ${radius}`,
        );
    }
  }

  const counted = await db
    .selectFrom(
      base
        .select(sql`1`.as('one'))
        .limit(COUNT_CAP + 1)
        .as('matching'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

  const distance = near
    ? sql<
        number | null
      >`earth_distance(${earth(near.lat, near.lon)}, ${earth(sql.ref('latitude'), sql.ref('longitude'))}) / 1000`
    : sql<number | null>`null::float8`;
  let ordered = base.select([
    'id',
    'lmn_id',
    'nom',
    'adresse',
    'complement_adresse',
    'commune',
    'code_postal',
    'code_insee',
    'latitude',
    'longitude',
    'services',
    'frais_a_charge',
    'modalites_accompagnement',
    'horaires',
    'telephone',
    distance.as('distance_km'),
  ]);
  if (near) {
    ordered = ordered.orderBy(
      sql`${earth(sql.ref('latitude'), sql.ref('longitude'))} <-> ${earth(near.lat, near.lon)}`,
    );
  } else if (tsquery) {
    // Ranked (a word in the name counts most): this reads the matches through the full-text
    // index. Name order alone would let the planner walk the name index instead, which for a
    // word found in many names far down the alphabet ("Médiathèque…") reads most of the table.
    ordered = ordered.orderBy(sql`ts_rank(search_doc, ${tsquery})`, 'desc');
  }
  // Distance alone: before PostgreSQL 17, any tie-breaker after `<->` keeps the planner from
  // walking the GiST index, and it sorts the whole table instead.
  if (!near) ordered = ordered.orderBy('search_name').orderBy('id');
  const hits = await ordered
    .limit(query.limit)
    .offset((query.page - 1) * query.limit)
    .execute();

  return {
    hits: hits as SearchHit[],
    total: Math.min(counted.n, COUNT_CAP),
    totalIsCapped: counted.n > COUNT_CAP,
    page: query.page,
    limit: query.limit,
    communes: codes,
    needServices,
  };
}

export type Located = {
  /** What the person typed, in words: a commune's name, or a postcode and its communes. */
  label: string;
  /** The communes meant: all those of a postcode, nearest to the places first. */
  communes: { code: string; name: string }[];
  /** The middle of their published places; null when none has one. */
  centre: { lat: number; lon: number } | null;
};

/**
 * Where a person is, from the commune or postcode they typed: the middle of the published
 * places of that commune (the reference data has no coordinates of communes). A postcode
 * means all its communes (42300 is Roanne, Mably, Riorges…). Null when unknown.
 */
export async function locateCommune(db: Db, typed: string): Promise<Located | null> {
  const postcode = /^\d{5}$/.test(typed.trim());
  const matches = searchCommunes(typed, postcode ? 50 : 1);
  if (matches.length === 0) return null;
  const codes = matches.map((m) => m.code);
  const rows = await db
    .selectFrom('lieu')
    .select([
      'code_insee',
      sql<number>`count(*)`.as('n'),
      sql<number | null>`avg(latitude)`.as('lat'),
      sql<number | null>`avg(longitude)`.as('lon'),
    ])
    .where('status', '=', 'publie')
    .where('code_insee', '=', sql<string>`any(${codes}::text[])`)
    .where('latitude', 'is not', null)
    .groupBy('code_insee')
    .execute();
  // Communes with places first (most places first), then the others by name.
  const placesIn = new Map(rows.map((r) => [r.code_insee, Number(r.n)]));
  const communes = matches
    .map((m) => ({ code: m.code, name: m.name }))
    .sort(
      (a, b) =>
        (placesIn.get(b.code) ?? 0) - (placesIn.get(a.code) ?? 0) || a.name.localeCompare(b.name, 'fr'),
    );
  const total = rows.reduce((sum, r) => sum + Number(r.n), 0);
  const centre =
    total === 0
      ? null
      : {
          lat: rows.reduce((sum, r) => sum + Number(r.lat) * Number(r.n), 0) / total,
          lon: rows.reduce((sum, r) => sum + Number(r.lon) * Number(r.n), 0) / total,
        };
  const label =
    communes.length > 1
      ? `${typed.trim()} (${communes.map((c) => c.name).join(', ')})`
      : (communes[0]?.name ?? typed);
  return { label, communes, centre };
}
