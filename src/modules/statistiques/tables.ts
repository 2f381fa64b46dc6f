import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;

/*
 * The table of shared links. It was created by the migration `202611282300_activites_init`
 * (module activites), which created the helper workspace's tables before it was split.
 */
declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A published read-only link to a statistics view. */
    partage_statistiques: {
      id: Generated<string>;
      token_hash: string;
      created_by: string | null;
      /** 'mediateur' | 'lieu' | 'collectivite' | 'opsn' with its id. */
      scope: string;
      scope_id: string | null;
      collectivite_id: number | null;
      du: ColumnType<string, string, string>;
      au: ColumnType<string, string, string>;
      revoked_at: Date | null;
      created_at: CreatedAt;
    };
  }
}
