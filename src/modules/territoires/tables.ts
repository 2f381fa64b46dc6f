import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

declare module '../../platform/db/schema.ts' {
  interface Database {
    opsn: {
      id: ColumnType<1, 1 | undefined, never>;
      name: string;
      short_name: string;
      contact_email: string | null;
      contact_phone: string | null;
      website: string | null;
      description: string | null;
      logo_file_id: string | null;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
    collectivite: {
      id: Generated<number>;
      kind: 'commune' | 'epci';
      /** INSEE code of a commune, SIREN of an EPCI. */
      code: string;
      slug: string;
      name: string;
      departement_code: string | null;
      departement_name: string | null;
      region_code: string | null;
      region_name: string | null;
      population: number | null;
      postcodes: string[];
      /** For an EPCI, its member communes: [{ code, name, population }]. */
      member_communes: ColumnType<CommuneRef[], string, string>;
      display_name: string | null;
      brand_colour: string | null;
      logo_file_id: string | null;
      created_at: ColumnType<Date, never, never>;
    };
  }
}

export type CommuneRef = { code: string; name: string; population: number | null };

export const territoiresMigrations: Record<string, Migration> = {
  '202611280100_territoires_init': {
    async up(db) {
      await db.schema
        .createTable('opsn')
        .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1).check(sql`id = 1`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('short_name', 'text', (c) => c.notNull())
        .addColumn('contact_email', 'text')
        .addColumn('contact_phone', 'text')
        .addColumn('website', 'text')
        .addColumn('description', 'text')
        .addColumn('logo_file_id', 'uuid', (c) => c.references('stored_file.id').onDelete('set null'))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('collectivite')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('commune', 'epci')`))
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('departement_code', 'text')
        .addColumn('departement_name', 'text')
        .addColumn('region_code', 'text')
        .addColumn('region_name', 'text')
        .addColumn('population', 'integer')
        .addColumn('postcodes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('member_communes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('display_name', 'text')
        .addColumn('brand_colour', 'text', (c) => c.check(sql`brand_colour ~ '^#[0-9a-f]{6}$'`))
        .addColumn('logo_file_id', 'uuid', (c) => c.references('stored_file.id').onDelete('set null'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};
