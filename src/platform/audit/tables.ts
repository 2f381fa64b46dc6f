import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

declare module '../db/schema.ts' {
  interface Database {
    audit_event: {
      id: Generated<number>;
      at: Date;
      actor_user_id: string | null;
      /** Who acted when it was not a signed-in person: `anonymous`, `cli`, `seed`… */
      actor_label: string;
      action: string;
      collectivite_id: number | null;
      subject_type: string | null;
      subject_id: string | null;
      ip: string | null;
      details: ColumnType<Record<string, unknown>, string, never>;
      prev_hash: string;
      hash: string;
    };
  }
}

export const auditMigrations: Record<string, Migration> = {
  '202611280010_platform_audit': {
    async up(db) {
      await db.schema
        .createTable('audit_event')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor_user_id', 'uuid')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('collectivite_id', 'integer')
        .addColumn('subject_type', 'text')
        .addColumn('subject_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema.createIndex('audit_event_at').on('audit_event').column('at').execute();
      await db.schema.createIndex('audit_event_action').on('audit_event').column('action').execute();
      // Append-only, enforced by the database itself: no UPDATE, no DELETE, whoever asks.
      await sql`
        create function audit_event_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'le journal d''audit est en ajout seul (audit_event is append-only)';
        end $$`.execute(db);
      await sql`
        create trigger audit_event_no_change before update or delete on audit_event
        for each row execute function audit_event_append_only()`.execute(db);
    },
  },
};
