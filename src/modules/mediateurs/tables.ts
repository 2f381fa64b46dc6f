import type { ColumnType } from 'kysely';

/*
 * The table of this module. It was created by the migration `202611282300_activites_init`
 * (module activites), which created the helper workspace's tables before it was split.
 */
declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A helper's places of activity (lieux d'activité), chosen among the directory's. */
    mediateur_lieu: { user_id: string; lieu_id: string; created_at: ColumnType<Date, never, never> };
  }
}
