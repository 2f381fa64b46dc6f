import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import type { MailAttachment } from './mail.ts';

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
      status: Generated<'invited' | 'active' | 'disabled'>;
      password_hash: string | null;
      /** TOTP secret, sealed with RELAIS_SECRET_KEY (see secret-box.ts); null until the person has enrolled an app. */
      totp_secret: string | null;
      /** Last accepted TOTP time step: a code is never accepted twice. */
      totp_last_step: number | null;
      /** Second-factor attempts since the last accepted code (counted before each check). */
      failed_codes: Generated<number>;
      /** Until when the second factor refuses every code (someone who knows the password kept trying). */
      codes_locked_until: Date | null;
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
      /** When the person last confirmed a TOTP code in this session (sensitive actions). */
      reauth_at: Date | null;
    };
    recovery_code: { user_id: string; code_hash: string; used_at: Date | null };
    /** A sign-in between its first factor and its second (cookie `relais_pending`). */
    pending_signin: {
      id: string;
      user_id: string;
      method: string;
      /** The TOTP secret being enrolled, while the person scans it (sealed like totp_secret). */
      enrol_secret: string | null;
      attempts: Generated<number>;
      expires_at: Date;
      /** JSON `{ kind, data }`: what a module does once the second factor is proved (see signin.ts). */
      confirm_action: string | null;
    };
    /** Wrong passwords per account and address: a lock stops that address only, never the owner elsewhere. */
    signin_failure: {
      user_id: string;
      address: string;
      failures: number;
      locked_until: Date | null;
    };
    invitation: {
      id: Generated<string>;
      token_hash: string;
      user_id: string;
      invited_by: string | null;
      expires_at: Date;
      used_at: Date | null;
      created_at: CreatedAt;
    };
    password_reset: {
      token_hash: string;
      user_id: string;
      expires_at: Date;
      used_at: Date | null;
    };
    mail_outbox: {
      id: Generated<number>;
      recipient: string;
      subject: string;
      /** Kept only when no SMTP server is configured: then administrators read mail here. */
      body: string | null;
      /** The body holds a one-time link: the outbox shows it once, then masks it. */
      one_time: Generated<boolean>;
      status: 'outbox' | 'sent' | 'failed';
      created_at: CreatedAt;
      /** Extra headers (List-Unsubscribe…), kept like the body: only without SMTP. */
      headers: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
      /** Attached files (an invitation's text/calendar…), kept like the body: only without SMTP. */
      attachments: ColumnType<MailAttachment[] | null, string | null | undefined, string | null>;
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
  '202611280030_platform_second_factor': {
    async up(db) {
      await sql`alter table app_user drop constraint app_user_status_check`.execute(db);
      await sql`alter table app_user add constraint app_user_status_check check (status in ('invited', 'active', 'disabled'))`.execute(
        db,
      );
      await db.schema
        .alterTable('app_user')
        .addColumn('totp_secret', 'text')
        .addColumn('totp_last_step', 'bigint')
        .addColumn('failed_signins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'timestamptz')
        .execute();
      await db.schema.alterTable('user_session').addColumn('reauth_at', 'timestamptz').execute();
      await db.schema
        .createTable('recovery_code')
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('used_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('pending_signin')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('enrol_secret', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('invitation')
        .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('invited_by', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('used_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('password_reset')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('used_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('mail_outbox')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('outbox', 'sent', 'failed')`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '202612061400_platform_signin_hardening': {
    async up(db) {
      // Wrong passwords now lock one address, not the account; the second factor gets its own counter.
      await db.schema
        .alterTable('app_user')
        .dropColumn('failed_signins')
        .dropColumn('locked_until')
        .addColumn('failed_codes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('codes_locked_until', 'timestamptz')
        .execute();
      await db.schema
        .createTable('signin_failure')
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'timestamptz')
        .addPrimaryKeyConstraint('signin_failure_pkey', ['user_id', 'address'])
        .execute();
      await db.schema.alterTable('pending_signin').addColumn('confirm_action', 'text').execute();
      await db.schema
        .alterTable('mail_outbox')
        .addColumn('one_time', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
    },
  },
  '202612080500_platform_mail_parts': {
    async up(db) {
      // Mail may carry headers (one-click unsubscribe) and attached files (calendar invitations).
      await db.schema
        .alterTable('mail_outbox')
        .addColumn('headers', 'jsonb')
        .addColumn('attachments', 'jsonb')
        .execute();
    },
  },
};
