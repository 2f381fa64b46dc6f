import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
type Derived<T> = ColumnType<T, never, never>;

/*
 * The tables of this module. They were created by the migration `202611282300_activites_init`
 * (module activites), which created the helper workspace's tables before it was split.
 */
declare module '../../platform/db/schema.ts' {
  interface Database {
    beneficiaire: {
      id: Generated<string>;
      collectivite_id: number;
      created_by: string | null;
      /** Someone who gave no identity: counted, never named. */
      anonyme: Generated<boolean>;
      prenom: string | null;
      nom: string | null;
      telephone: string | null;
      sans_telephone: Generated<boolean>;
      email: string | null;
      annee_naissance: number | null;
      commune_insee: string | null;
      genre: string | null;
      statut: string | null;
      notes: string | null;
      search_text: Derived<string>;
      created_at: CreatedAt;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
    /** A merge of duplicate records, kept so that it can be explained (and audited). */
    beneficiaire_fusion: {
      id: Generated<number>;
      kept_id: string;
      merged_id: string;
      user_id: string | null;
      participations: number;
      at: CreatedAt;
    };
  }
}
