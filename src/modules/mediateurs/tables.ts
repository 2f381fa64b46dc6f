import type { ColumnType } from 'kysely';

/*
 * The tables of this module. `mediateur_lieu` was created by the migration `202611282300_activites_init`
 * (module activites) before the split; its approval columns and `mediateur_lieu_proposition` by
 * `202612060300_mediateurs_lieux_approbation` (place-approval.ts).
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
    /** A place a helper asked to work at; it gives no access until approved. */
    mediateur_lieu_proposition: {
      user_id: string;
      lieu_id: string;
      proposed_at: ColumnType<Date, Date | undefined, Date>;
      refused_at: Date | null;
      refused_by: string | null;
    };
  }
}
