import type { ColumnType, Migration } from 'kysely';
import { sql } from 'kysely';

declare module '../../platform/db/schema.ts' {
  interface Database {
    /**
     * A reference point per commune (its town hall or centre), from a public file: where the
     * distances of the coverage are measured from. The official list of communes has none.
     */
    commune_centre: {
      code_insee: string;
      latitude: number;
      longitude: number;
      /** Where the point comes from: the imported file's name (or `--source`), or the demo. */
      source: string;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
  }
}

export const couvertureMigrations: Record<string, Migration> = {
  '202612030730_couverture_centres': {
    async up(db) {
      await sql`create table commune_centre (
        code_insee text primary key check (code_insee ~ '^([0-9]{5}|2[AB][0-9]{3})$'),
        latitude double precision not null check (latitude between -90 and 90),
        longitude double precision not null check (longitude between -180 and 180),
        source text not null,
        updated_at timestamptz not null default now()
      )`.execute(db);
    },
  },
};
