import type { ColumnType, Migration } from 'kysely';
import { sql } from 'kysely';

declare module '../../platform/db/schema.ts' {
  interface Database {
    /**
     * The files of the open datasets, one per dataset and format, as last generated. Kept in
     * the database so that every app process serves the same bytes (and backups carry them).
     */
    donnees_fichier: {
      dataset: string;
      format: 'csv' | 'json';
      content: Buffer;
      bytes: number;
      rows: number;
      sha256: string;
      /** When this content was produced; a regeneration that yields the same bytes keeps it. */
      generated_at: ColumnType<Date, Date, Date>;
    };
  }
}

export const donneesMigrations: Record<string, Migration> = {
  '202612030740_donnees_fichiers': {
    async up(db) {
      await sql`create table donnees_fichier (
        dataset text not null,
        format text not null check (format in ('csv', 'json')),
        content bytea not null,
        bytes integer not null,
        rows integer not null,
        sha256 text not null,
        generated_at timestamptz not null,
        primary key (dataset, format)
      )`.execute(db);
    },
  },
};
