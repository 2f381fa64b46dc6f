import { type Expression, type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { accompaniedByHelper, lastParticipationWith } from '../activites/index.ts';
import type { Helper } from '../mediateurs/index.ts';
import { findCommune } from '../territoires/index.ts';
import { type Beneficiary, displayNameOf } from './beneficiary.ts';
import { visibleTo } from './visibility.ts';

/** People as other modules' forms and lists show them, among those a helper may see. */

export type PersonChoice = Pick<
  Beneficiary,
  'id' | 'prenom' | 'nom' | 'annee_naissance' | 'commune_insee' | 'anonyme'
>;

/** A person as the lists show them: « Jeanne Martin (1948, Villeurbanne) ». */
export function personChoiceLabel(p: PersonChoice): string {
  const details = [
    p.annee_naissance ? String(p.annee_naissance) : '',
    p.commune_insee ? (findCommune(p.commune_insee)?.name ?? '') : '',
  ].filter(Boolean);
  return `${displayNameOf(p)}${details.length ? ` (${details.join(', ')})` : ''}`;
}

const choiceColumns = [
  'b.id',
  'b.prenom',
  'b.nom',
  'b.annee_naissance',
  'b.commune_insee',
  'b.anonyme',
] as const;

/** The people the helper saw or recorded most recently. */
export function recentBeneficiaries(db: Db, helper: Helper, limit = 30): Promise<PersonChoice[]> {
  return db
    .selectFrom('beneficiaire as b')
    .select(choiceColumns)
    .where('b.anonyme', '=', false)
    .where(visibleTo(helper))
    .orderBy(
      sql`coalesce(${lastParticipationWith(helper.userId, sql.ref('b.id'))}, b.created_at::date)`,
      'desc',
    )
    .orderBy('b.search_text')
    .limit(limit)
    .execute();
}

/** The people the helper sees whose name contains these words (accents and case ignored). */
export function searchBeneficiaries(db: Db, helper: Helper, q: string, limit = 20): Promise<PersonChoice[]> {
  const words = q
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 5);
  if (words.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('beneficiaire as b')
    .select(choiceColumns)
    .where('b.anonyme', '=', false)
    .where(visibleTo(helper));
  for (const word of words) {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<boolean>`b.search_text like lower(relais_unaccent(${pattern}))`);
  }
  return query.orderBy('b.search_text').limit(limit).execute();
}

/** These people, when the helper sees them (to show those already chosen). */
export async function visibleBeneficiaries(db: Db, helper: Helper, ids: string[]): Promise<PersonChoice[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db
    .selectFrom('beneficiaire as b')
    .select(choiceColumns)
    .where('b.id', '=', sql<string>`any(${valid}::uuid[])`)
    .where(visibleTo(helper))
    .orderBy('b.search_text')
    .execute();
}

/** Which of these people the helper may see. */
export async function visibleIds(db: Db, helper: Helper, ids: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('beneficiaire as b')
    .select('b.id')
    .where('b.id', '=', sql<string>`any(${ids}::uuid[])`)
    .where(visibleTo(helper))
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** What a participation copies of a person. */
export type PersonAttributes = Pick<
  Beneficiary,
  'id' | 'genre' | 'statut' | 'annee_naissance' | 'commune_insee'
>;

/** These people's attributes that a participation copies, by id. */
export function personAttributes(db: Db, ids: string[]): Promise<Map<string, PersonAttributes>> {
  if (ids.length === 0) return Promise.resolve(new Map());
  return db
    .selectFrom('beneficiaire')
    .select(['id', 'genre', 'statut', 'annee_naissance', 'commune_insee'])
    .where('id', '=', sql<string>`any(${ids}::uuid[])`)
    .execute()
    .then((rows) => new Map(rows.map((p) => [p.id, p])));
}

/** One column of the person `person` designates, as a subquery (null: nobody). */
export function personColumn(
  person: Expression<string | null>,
  column: 'prenom' | 'nom' | 'search_text',
): RawBuilder<string | null> {
  return sql<string | null>`(select ${sql.ref(`b.${column}`)} from beneficiaire b where b.id = ${person})`;
}

/** The first and last name of the person `person` designates, as a subquery (null: none). */
export function fullNameOf(person: Expression<string | null>): RawBuilder<string | null> {
  return sql<string | null>`(select nullif(trim(coalesce(b.prenom, '') || ' ' || coalesce(b.nom, '')), '')
        from beneficiaire b where b.id = ${person})`;
}

/** The people this helper accompanied themselves, by name (at most 1 000). */
export function peopleAccompaniedBy(db: Db, userId: string): Promise<PersonChoice[]> {
  return db
    .selectFrom('beneficiaire as b')
    .select(choiceColumns)
    .where(accompaniedByHelper(userId, sql.ref('b.id')))
    .orderBy('b.search_text')
    .limit(1000)
    .execute();
}
