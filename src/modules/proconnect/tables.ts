import type { ColumnType, Migration } from 'kysely';
import { sql } from 'kysely';

declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A ProConnect identity linked to a Relais account (a person may have several). */
    proconnect_identity: {
      user_id: string;
      /** ProConnect's stable subject identifier for this Relais client: what sign-ins look up. */
      sub: string;
      /** The identifier at the person's identity provider (kept for support, not for lookup). */
      uid: string | null;
      siret: string | null;
      linked_at: ColumnType<Date, never, never>;
    };
  }
}

export const proconnectMigrations: Record<string, Migration> = {
  '202611280300_proconnect_identity': {
    async up(db) {
      await db.schema
        .createTable('proconnect_identity')
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('sub', 'text', (c) => c.primaryKey())
        .addColumn('uid', 'text')
        .addColumn('siret', 'text')
        .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('proconnect_identity_user_id')
        .on('proconnect_identity')
        .column('user_id')
        .execute();
    },
  },
};
