import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import {
  CONSENT_MODES,
  CONTACT_PREFERENCES,
  type ConsentMode,
  type ContactPreference,
  REASON_MAX,
  REFUSAL_REASONS,
  STATUSES,
  type Status,
} from './vocabulary.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    /**
     * A referral: a helper sends a person, with their consent, to a service of a place of the
     * directory; the place's contact answers through a signed link (or its helpers in Relais).
     */
    orientation: {
      id: Generated<string>;
      /** The sender's collectivité (their dashboards, the matrix of access). */
      collectivite_id: number;
      sent_by: string | null;
      sender_name: string;
      sender_email: string;
      /** The person in the sender's records (null once that record is deleted). */
      beneficiaire_id: string | null;
      /** What the receiving side may learn of the person: kept here, anonymised after retention. */
      prenom: string;
      nom: string;
      contact_preference: ContactPreference;
      telephone: string | null;
      email: string | null;
      contact_autre: string | null;
      disponibilite: ColumnType<string | null, string | null | undefined, string | null>;
      motif: string;
      /**
       * The destination: a service of a place of the directory, or (`lieu_id` null) a service
       * outside the territory given by its data·inclusion id, with a snapshot of its name,
       * address and contact as the sender entered and confirmed them.
       */
      lieu_id: string | null;
      di_service_id: string | null;
      destination_address: string | null;
      destination_phone: string | null;
      /** The person expected at the receiving structure, when the sender knows them. */
      destination_referent: string | null;
      /** Sent from an activity report (`compte_rendu`), a person's record, a place page, the API. */
      origin: string | null;
      service: string;
      destination_name: string;
      destination_email: string;
      /** The place's collectivité; null: a place of the OPSN itself. */
      destination_collectivite_id: number | null;
      /** The sender works at the destination place (warned before sending). */
      own_structure: Generated<boolean>;
      /** An earlier referral of the same person to the same service within 30 days. */
      duplicate_of: string | null;
      /** The consent: collected how, by whom, when, and the text the person agreed to. */
      consent_mode: ConsentMode;
      consent_by: string | null;
      consent_at: ColumnType<Date, Date | undefined, never>;
      consent_text: string;
      consent_revoked_at: Date | null;
      consent_revoked_by: string | null;
      status: ColumnType<Status, Status | undefined, Status>;
      /** Bumped when a new link is sent: older links stop working. */
      link_version: Generated<number>;
      link_sent_at: ColumnType<Date, Date | undefined, Date>;
      created_at: CreatedAt;
      updated_at: ColumnType<Date, Date | undefined, Date>;
      studied_at: Date | null;
      answered_at: Date | null;
      /** Who answered: an account, or the place's contact through the link (label only). */
      answered_by: string | null;
      answered_by_label: string | null;
      refusal_reasons: ColumnType<string[], string[] | undefined, string[]>;
      answer_message: string | null;
      closed_at: Date | null;
      reminders: Generated<number>;
      reminded_at: Date | null;
      escalated_at: Date | null;
      /**
       * The receiving side's own record of the person, linked by one of its helpers from the
       * accepted referral (chosen among their people, or created from it): an activity of that
       * record on or after the acceptance closes the referral as honoured.
       */
      received_beneficiaire_id: string | null;
      received_linked_by: string | null;
      /** How the referral was closed as honoured or not: `reponse` (the receiving side said so), `activite`. */
      // Since 202612080400_orientations_closed_via_appointment, also `rendezvous` (an honoured appointment of the linked record).
      closed_via: string | null;
      /**
       * When the person's data is erased: the sending plus the OPSN's retention at that time, as
       * the consent read to the person said (a later, shorter setting erases it sooner).
       */
      erase_after: ColumnType<Date | null, Date | undefined, never>;
    };
    /**
     * The dashboards' counts, kept by a trigger on `orientation`: per sender (`envoi`) and per
     * receiving place (`lieu`), the number of referrals in each state. A dashboard then reads a
     * handful of rows whatever the number of referrals.
     */
    orientation_count: {
      side: 'envoi' | 'lieu';
      owner: string;
      status: Status;
      n: number;
    };
  }
}

const check = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} in (${values.map((v) => `'${v}'`).join(', ')}))`);
const arrayCheck = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} <@ array[${values.map((v) => `'${v}'`).join(', ')}]::text[])`);

export const orientationsMigrations: Record<string, Migration> = {
  '202612061500_orientations_init': {
    async up(db) {
      await sql`create table orientation (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        sent_by uuid references app_user(id) on delete set null,
        sender_name text not null,
        sender_email text not null,
        beneficiaire_id uuid references beneficiaire(id) on delete set null,
        prenom text not null,
        nom text not null,
        contact_preference text not null ${check('contact_preference', Object.keys(CONTACT_PREFERENCES))},
        telephone text,
        email text,
        contact_autre text,
        disponibilite date,
        motif text not null check (char_length(motif) between 1 and ${sql.raw(String(REASON_MAX))}),
        lieu_id uuid not null references lieu(id),
        service text not null,
        destination_name text not null,
        destination_email text not null,
        destination_collectivite_id integer references collectivite(id),
        own_structure boolean not null default false,
        duplicate_of uuid references orientation(id) on delete set null,
        consent_mode text not null ${check('consent_mode', Object.keys(CONSENT_MODES))},
        consent_by uuid references app_user(id) on delete set null,
        consent_at timestamptz not null default now(),
        consent_text text not null,
        consent_revoked_at timestamptz,
        consent_revoked_by uuid references app_user(id) on delete set null,
        status text not null default 'envoyee' ${check('status', Object.keys(STATUSES))},
        link_version integer not null default 1,
        link_sent_at timestamptz not null default now(),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        studied_at timestamptz,
        answered_at timestamptz,
        answered_by uuid references app_user(id) on delete set null,
        answered_by_label text,
        refusal_reasons text[] not null default '{}' ${arrayCheck('refusal_reasons', Object.keys(REFUSAL_REASONS))},
        answer_message text,
        closed_at timestamptz,
        reminders integer not null default 0,
        reminded_at timestamptz,
        escalated_at timestamptz,
        check (status <> 'refusee' or cardinality(refusal_reasons) > 0),
        check (status <> 'retiree' or consent_revoked_at is not null)
      )`.execute(db);
      // The sender's list and dashboard, the receiving place's inbox, the duplicate guard, the timers.
      await sql`create index orientation_sent_by on orientation (sent_by, created_at desc)`.execute(db);
      await sql`create index orientation_collectivite on orientation (collectivite_id, created_at desc)`.execute(
        db,
      );
      await sql`create index orientation_lieu on orientation (lieu_id, created_at desc)`.execute(db);
      await sql`create index orientation_duplicate on orientation (beneficiaire_id, lieu_id, service, created_at)`.execute(
        db,
      );
      await sql`create index orientation_status on orientation (status, created_at)`.execute(db);
    },
  },
  '202612061900_orientations_outside_and_loop': {
    async up(db) {
      await sql`alter table orientation
        alter column lieu_id drop not null,
        add column di_service_id text check (char_length(di_service_id) between 1 and 150),
        add column destination_address text,
        add column destination_phone text,
        add column destination_referent text check (char_length(destination_referent) <= 120),
        add column origin text check (origin in ('lieu', 'fiche', 'compte_rendu', 'api')),
        add column received_beneficiaire_id uuid references beneficiaire(id) on delete set null,
        add column received_linked_by uuid references app_user(id) on delete set null,
        add column closed_via text check (closed_via in ('reponse', 'activite')),
        add constraint orientation_destination check ((lieu_id is null) <> (di_service_id is null))`.execute(
        db,
      );
      // The loop: accepted referrals whose receiving side linked its record of the person.
      await sql`create index orientation_received on orientation (received_beneficiaire_id)
        where received_beneficiaire_id is not null and status = 'acceptee'`.execute(db);
      // Outside the territory, the duplicate guard goes by the data·inclusion service.
      await sql`create index orientation_di on orientation (beneficiaire_id, di_service_id, created_at)
        where di_service_id is not null`.execute(db);
      // The dashboards count by state and the filtered lists page through these (index-only counts).
      await sql`create index orientation_sent_by_status on orientation (sent_by, status, created_at desc)`.execute(
        db,
      );
      await sql`create index orientation_lieu_status on orientation (lieu_id, status, created_at desc)`.execute(
        db,
      );
      // Statistics per receiving collectivité and month.
      await sql`create index orientation_destination_collectivite on orientation (destination_collectivite_id, created_at)`.execute(
        db,
      );
    },
  },
  '202612061910_orientations_counts': {
    async up(db) {
      await sql`create table orientation_count (
        side text not null check (side in ('envoi', 'lieu')),
        owner uuid not null,
        status text not null,
        n integer not null,
        primary key (side, owner, status)
      )`.execute(db);
      await sql`create function orientation_count_change() returns trigger language plpgsql as $$
        begin
          if tg_op in ('UPDATE', 'DELETE') then
            if old.sent_by is not null then
              update orientation_count set n = n - 1
                where side = 'envoi' and owner = old.sent_by and status = old.status;
            end if;
            if old.lieu_id is not null then
              update orientation_count set n = n - 1
                where side = 'lieu' and owner = old.lieu_id and status = old.status;
            end if;
          end if;
          if tg_op in ('INSERT', 'UPDATE') then
            if new.sent_by is not null then
              insert into orientation_count as c (side, owner, status, n) values ('envoi', new.sent_by, new.status, 1)
                on conflict (side, owner, status) do update set n = c.n + 1;
            end if;
            if new.lieu_id is not null then
              insert into orientation_count as c (side, owner, status, n) values ('lieu', new.lieu_id, new.status, 1)
                on conflict (side, owner, status) do update set n = c.n + 1;
            end if;
          end if;
          return null;
        end
      $$`.execute(db);
      await sql`create trigger orientation_count_insert_delete after insert or delete on orientation
        for each row execute function orientation_count_change()`.execute(db);
      await sql`create trigger orientation_count_update after update of status, sent_by, lieu_id on orientation
        for each row when (old.status is distinct from new.status or old.sent_by is distinct from new.sent_by
          or old.lieu_id is distinct from new.lieu_id)
        execute function orientation_count_change()`.execute(db);
      await sql`insert into orientation_count (side, owner, status, n)
        select 'envoi', sent_by, status, count(*) from orientation where sent_by is not null group by 2, 3
        union all
        select 'lieu', lieu_id, status, count(*) from orientation where lieu_id is not null group by 2, 3`.execute(
        db,
      );
    },
  },
  '202612080400_orientations_closed_via_appointment': {
    async up(db) {
      // An honoured appointment of the receiving side's record closes the loop too.
      await sql`alter table orientation drop constraint orientation_closed_via_check,
        add constraint orientation_closed_via_check check (closed_via in ('reponse', 'activite', 'rendezvous'))`.execute(
        db,
      );
    },
  },
  '202612080401_orientations_erase_after': {
    async up(db) {
      await sql`alter table orientation add column erase_after timestamptz`.execute(db);
      // Referrals sent so far were told 24 months.
      await sql`update orientation set erase_after = created_at + interval '24 months'`.execute(db);
    },
  },
};
