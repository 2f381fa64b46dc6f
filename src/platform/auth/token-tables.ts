import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

declare module '../db/schema.ts' {
  interface Database {
    api_token: {
      id: Generated<string>;
      user_id: string;
      /** What the person calls it, e.g. the integration that uses it. */
      name: string;
      /** SHA-256 (hex) of the token: the clear value is shown once and never stored. */
      token_hash: string;
      created_at: ColumnType<Date, never, never>;
      last_used_at: Date | null;
      revoked_at: Date | null;
    };
  }
}

/** Personal API tokens, for integrations calling `/api/`. */
export const tokenMigrations: Record<string, Migration> = {
  '202611280020_platform_api_token': {
    async up(db) {
      await db.schema
        .createTable('api_token')
        .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_used_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('api_token_user').on('api_token').column('user_id').execute();
    },
  },
};
