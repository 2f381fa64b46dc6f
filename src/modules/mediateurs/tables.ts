import type { ColumnType } from 'kysely';

/*
 * The table of this module. It was created by the migration `202611282300_activites_init`
 * (module activites), which created the helper workspace's tables before it was split.
 */
declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A helper's approved places of activity (lieux d'activité): see place-approval.ts. */
    mediateur_lieu: {
      user_id: string;
      lieu_id: string;
      created_at: ColumnType<Date, never, never>;
      /** Who approved or assigned the place; null: before approvals existed, or unknown. */
      approved_by: ColumnType<string | null, string | null | undefined, string | null>;
      /** When; null for the places chosen before approvals existed ("avant approbation"). */
      approved_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    };
  }
}
