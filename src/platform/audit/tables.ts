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
      /** Position in the chain, set with the hashes when the entry is sealed (see journal.ts). */
      seq: ColumnType<number | null, never, number>;
      prev_hash: ColumnType<string | null, never, string>;
      hash: ColumnType<string | null, never, string>;
      /** HMAC of `seq` and `hash` with the key from the environment (`RELAIS_AUDIT_KEY`), when set. */
      mac: ColumnType<string | null, never, string>;
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
  // Writers no longer wait for each other: an entry is inserted bare, in its caller's
  // transaction, and a single sealer gives committed entries their place and hashes soon after.
  '202612030710_platform_audit_seal': {
    async up(db) {
      await sql`alter table audit_event
        alter column prev_hash drop not null,
        alter column hash drop not null,
        add column seq bigint`.execute(db);
      await sql`alter table audit_event disable trigger audit_event_no_change`.execute(db);
      await sql`update audit_event set seq = id`.execute(db);
      await sql`alter table audit_event enable trigger audit_event_no_change`.execute(db);
      await sql`create unique index audit_event_seq on audit_event (seq)`.execute(db);
      await sql`create index audit_event_unsealed on audit_event (id) where seq is null`.execute(db);
      // Still append-only: the one change allowed is sealing an unsealed entry, once, without
      // touching what it records.
      await sql`
        create or replace function audit_event_append_only() returns trigger language plpgsql as $$
        begin
          if tg_op = 'UPDATE' and old.seq is null and old.hash is null
             and new.seq is not null and new.hash is not null and new.prev_hash is not null
             and (new.id, new.at, new.actor_user_id, new.actor_label, new.action, new.collectivite_id,
                  new.subject_type, new.subject_id, new.ip, new.details)
                 is not distinct from
                 (old.id, old.at, old.actor_user_id, old.actor_label, old.action, old.collectivite_id,
                  old.subject_type, old.subject_id, old.ip, old.details) then
            return new;
          end if;
          raise exception 'le journal d''audit est en ajout seul (audit_event is append-only)';
        end $$`.execute(db);
    },
  },
  // A keyed signature per entry (see journal.ts): the key lives outside the database, so the
  // database's own roles cannot recompute it after rewriting the chain.
  '202612060300_platform_audit_mac': {
    async up(db) {
      await sql`alter table audit_event add column mac text`.execute(db);
    },
  },
};
