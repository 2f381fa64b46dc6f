import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

/**
 * The SMS tables. They were created by `202612031200_mandats_init`, when only mandates sent
 * SMS; a landed migration is never edited, so they keep that origin and their names, and the
 * platform owns and evolves them from here.
 */
declare module '../db/schema.ts' {
  interface Database {
    /** Inbound provider messages already handled (a replayed callback is refused). */
    sms_entrant: { message_id: string; received_at: CreatedAt };
    /** What the development SMS provider "sent". */
    sms_outbox: {
      id: Generated<number>;
      telephone: string;
      texte: string;
      created_at: CreatedAt;
    };
  }
}

export const messagingMigrations: Record<string, Migration> = {
  '202612061000_platform_messaging_naming': {
    async up(db) {
      await sql`alter table sms_entrant rename column recu_le to received_at`.execute(db);
    },
  },
};
