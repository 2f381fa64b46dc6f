import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;

declare module './db/schema.ts' {
  interface Database {
    platform_setting: { key: string; value: string };
    stored_file: {
      id: Generated<string>;
      content_type: string;
      size: number;
      sha256: string;
      bytes: Buffer;
      created_at: CreatedAt;
    };
    app_user: {
      id: Generated<string>;
      email: string;
      name: string;
      status: Generated<'active' | 'disabled'>;
      password_hash: string | null;
      created_at: CreatedAt;
    };
    membership: {
      user_id: string;
      role: 'admin' | 'coordinateur' | 'mediateur' | 'formateur';
      /** null for the OPSN-wide admin role. A plain id: collectivités belong to a module. */
      collectivite_id: number | null;
    };
    user_session: {
      /** SHA-256 of the cookie value: a stolen table does not give working sessions. */
      id: string;
      user_id: string;
      active_collectivite_id: number | null;
      created_at: CreatedAt;
      last_seen_at: Date;
      expires_at: Date;
    };
  }
}

/** Tables every module relies on: settings, stored files, people and sessions. */
export const platformMigrations: Record<string, Migration> = {
  '202611280000_platform_init': {
    async up(db) {
      await sql`create extension if not exists unaccent`.execute(db);
      await sql`create extension if not exists pg_trgm`.execute(db);
      await db.schema
        .createTable('platform_setting')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('stored_file')
        .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bytea', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('app_user')
        .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().defaultTo('active').check(sql`status in ('active', 'disabled')`),
        )
        .addColumn('password_hash', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('membership')
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) =>
          c.notNull().check(sql`role in ('admin', 'coordinateur', 'mediateur', 'formateur')`),
        )
        .addColumn('collectivite_id', 'integer')
        .addCheckConstraint('membership_scope', sql`(role = 'admin') = (collectivite_id is null)`)
        .execute();
      await sql`create unique index membership_unique on membership (user_id, role, coalesce(collectivite_id, 0))`.execute(
        db,
      );
      await db.schema
        .createTable('user_session')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('active_collectivite_id', 'integer')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_session_user').on('user_session').column('user_id').execute();
    },
  },
};
