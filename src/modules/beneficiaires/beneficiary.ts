import { type Selectable, sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Helper } from '../mediateurs/index.ts';
import type { BeneficiaryInput } from './fields.ts';
import { visibleTo } from './visibility.ts';
import { type TrancheAge, trancheAge } from './vocabulary.ts';

export type Beneficiary = Selectable<Database['beneficiaire']>;

/** The attributes a participation keeps of the person, as they are on the activity's date. */
export type Snapshot = {
  genre: string;
  tranche_age: TrancheAge;
  statut: string;
  commune_insee: string | null;
};

export function snapshotOf(
  b: Pick<Beneficiary, 'genre' | 'statut' | 'annee_naissance' | 'commune_insee'>,
  date: string,
): Snapshot {
  return {
    genre: b.genre ?? 'non_communique',
    tranche_age: trancheAge(b.annee_naissance, new Date(`${date}T12:00:00Z`)),
    statut: b.statut ?? 'non_communique',
    commune_insee: b.commune_insee,
  };
}

const digits = (phoneNumber: string | null | undefined) =>
  phoneNumber ? phoneNumber.replace(/\D/g, '').replace(/^33/, '0').slice(-9) : '';

/**
 * People the helper already sees who may be the same person: same first and last name
 * (accents and case ignored) and birth year, or the same phone number.
 */
export async function findDuplicates(
  db: Db,
  helper: Helper,
  input: BeneficiaryInput,
): Promise<Beneficiary[]> {
  const name = `${input.prenom ?? ''} ${input.nom ?? ''}`;
  const phoneDigits = digits(input.telephone);
  return db
    .selectFrom('beneficiaire as b')
    .selectAll('b')
    .where('b.anonyme', '=', false)
    .where(visibleTo(helper))
    .where((eb) =>
      eb.or([
        eb.and([
          eb(sql`b.search_text`, '=', sql<string>`lower(relais_unaccent(${name}))`),
          input.annee_naissance === undefined
            ? eb.val(false)
            : eb('b.annee_naissance', '=', input.annee_naissance),
        ]),
        phoneDigits.length === 9
          ? eb(sql`right(regexp_replace(coalesce(b.telephone, ''), '\\D', '', 'g'), 9)`, '=', phoneDigits)
          : eb.val(false),
      ]),
    )
    .limit(5)
    .execute();
}

/** The fields of a record a helper types, in form order. */
export const PERSON_FIELDS = [
  'prenom',
  'nom',
  'telephone',
  'sans_telephone',
  'email',
  'annee_naissance',
  'commune_insee',
  'genre',
  'statut',
  'notes',
] as const;
type PersonField = (typeof PERSON_FIELDS)[number];

/** The columns a record's typed fields fill (absent fields as null). */
export function personColumns(input: BeneficiaryInput) {
  return {
    prenom: input.prenom ?? null,
    nom: input.nom ?? null,
    telephone: input.telephone ?? null,
    sans_telephone: input.sans_telephone,
    email: input.email ?? null,
    annee_naissance: input.annee_naissance ?? null,
    commune_insee: input.commune_insee ?? null,
    genre: input.genre ?? null,
    statut: input.statut ?? null,
    notes: input.notes ?? null,
  } satisfies Record<PersonField, unknown>;
}

/** Records a person for this helper; the caller checked duplicates with the helper. */
export async function createBeneficiary(db: Db, helper: Helper, input: BeneficiaryInput): Promise<string> {
  const row = await db
    .insertInto('beneficiaire')
    .values({
      collectivite_id: helper.collectiviteId,
      created_by: helper.userId,
      ...personColumns(input),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(db, {
    actor: helper.actor,
    action: 'beneficiaire.create',
    collectiviteId: helper.collectiviteId,
    subject: { type: 'beneficiaire', id: row.id },
  });
  return row.id;
}

/** The person, when this helper may see them (undefined otherwise: no hint that they exist). */
export function findVisibleBeneficiary(db: Db, helper: Helper, id: string): Promise<Beneficiary | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('beneficiaire as b')
    .selectAll('b')
    .where('b.id', '=', id)
    .where(visibleTo(helper))
    .executeTakeFirst();
}

/** How a person is named on screens: first and last name. */
export function displayNameOf(b: Pick<Beneficiary, 'prenom' | 'nom' | 'anonyme'>): string {
  if (b.anonyme) return 'Personne anonyme';
  return [b.prenom, b.nom].filter(Boolean).join(' ') || 'Sans nom';
}
