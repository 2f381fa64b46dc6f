import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import {
  BOOKERS,
  type Booker,
  CHANNELS,
  type Channel,
  LOCATION_TYPES,
  type LocationType,
  MAX_CAPACITY,
  MAX_DURATION_MIN,
  STATUSES,
  type Status,
  WAITLIST_MAX_NOTICES,
} from './vocabulary.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    /**
     * A helper's agenda: the small number that keys their appointments in the exclusion
     * constraint of `rdv`, and the digest of the secret token of their calendar feed.
     */
    rdv_agenda: {
      numero: Generated<number>;
      user_id: string;
      feed_token_hash: string | null;
      created_at: CreatedAt;
    };
    /** A reason one books an appointment for, at one place ("motif"). */
    rdv_motif: {
      id: Generated<string>;
      collectivite_id: number;
      lieu_id: string;
      nom: string;
      duree_min: number;
      location_type: LocationType;
      collectif: boolean;
      /** Seats of a workshop (null: individual). */
      capacite: number | null;
      delai_min_minutes: number;
      delai_max_jours: number;
      instructions: string | null;
      reservable_par: Booker;
      /** Whether people may cancel or move it themselves through their link. */
      modifiable: boolean;
      /** Themes of the activity report it becomes (national codes). */
      thematiques: string[];
      /** Whether people may ask to be told of an earlier free slot (waiting list). */
      liste_attente: Generated<boolean>;
      actif: Generated<boolean>;
      created_at: CreatedAt;
      created_by: string | null;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
    /** A helper's weekly opening at a place, for some reasons ("plage d'ouverture"). */
    rdv_plage: {
      id: Generated<string>;
      collectivite_id: number;
      lieu_id: string;
      mediateur_id: string;
      motif_ids: string[];
      /** The recurrence as an RFC 5545 rule (`FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH`). */
      rrule: string;
      /** Minutes after midnight, Paris time. */
      debut_min: number;
      fin_min: number;
      premier_jour: string;
      dernier_jour: string | null;
      created_at: CreatedAt;
      created_by: string | null;
    };
    /** A helper's absence: no appointment then. */
    rdv_absence: {
      id: Generated<string>;
      collectivite_id: number;
      mediateur_id: string;
      debut: Date;
      fin: Date;
      titre: string;
      created_at: CreatedAt;
    };
    /**
     * An appointment in a helper's agenda: one person, or the seats of a workshop. Two
     * appointments of one agenda never overlap while neither is freed (exclusion constraint).
     */
    rdv: {
      id: Generated<string>;
      collectivite_id: number;
      lieu_id: string;
      motif_id: string;
      mediateur_id: string;
      agenda_numero: number;
      starts_at: Date;
      ends_at: Date;
      capacite: number;
      places_prises: number;
      /** The slot is free again (cancelled by the service, or by its only person). */
      libere_at: Date | null;
      /** The activity report it became (never two). */
      activite_id: string | null;
      report_claimed_at: Date | null;
      report_dismissed_at: Date | null;
      created_at: CreatedAt;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
    /** One person booked at an appointment. */
    rdv_participant: {
      id: Generated<string>;
      rdv_id: string;
      collectivite_id: number;
      prenom: string;
      nom: string;
      telephone: string | null;
      email: string | null;
      sms_prefere: boolean;
      rappel_24h: boolean;
      consent_at: Date;
      beneficiaire_id: string | null;
      status: ColumnType<Status, Status | undefined, Status>;
      channel: Channel;
      booked_by: string | null;
      /** Bumped on every move: older links stop working. */
      link_version: Generated<number>;
      reminded_48_at: Date | null;
      reminded_24_at: Date | null;
      status_at: Date | null;
      status_by: string | null;
      created_at: CreatedAt;
    };
    /**
     * A person waiting for an earlier slot than their appointment (waiting list): told at most
     * 3 times, once a day, while the appointment is more than 7 days away.
     */
    rdv_attente: {
      participant_id: string;
      collectivite_id: number;
      notices: Generated<number>;
      last_notice_at: Date | null;
      /** Left the list, or moved the appointment. */
      ended_at: Date | null;
      created_at: CreatedAt;
    };
    /** SMS sent for appointments, per collectivité and month (`YYYY-MM`), against its budget. */
    rdv_sms_usage: {
      collectivite_id: number;
      mois: string;
      sent: number;
    };
    /** A collectivité's monthly SMS budget, when it is not the default. */
    rdv_sms_budget: {
      collectivite_id: number;
      budget: number;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
  }
}

const check = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} in (${values.map((v) => `'${v}'`).join(', ')}))`);

export const rendezvousMigrations: Record<string, Migration> = {
  '202612061700_rendezvous_init': {
    async up(db) {
      await sql`create table rdv_agenda (
        numero serial primary key,
        user_id uuid not null unique references app_user(id) on delete cascade,
        feed_token_hash text unique,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create table rdv_motif (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        lieu_id uuid not null references lieu(id) on delete cascade,
        nom text not null check (char_length(nom) between 1 and 120),
        duree_min integer not null check (duree_min between 5 and ${sql.raw(String(MAX_DURATION_MIN))} and duree_min % 5 = 0),
        location_type text not null ${check('location_type', Object.keys(LOCATION_TYPES))},
        collectif boolean not null,
        capacite integer check (capacite between 2 and ${sql.raw(String(MAX_CAPACITY))}),
        delai_min_minutes integer not null check (delai_min_minutes >= 30),
        delai_max_jours integer not null check (delai_max_jours between 1 and 365),
        instructions text check (char_length(instructions) <= 2000),
        reservable_par text not null ${check('reservable_par', Object.keys(BOOKERS))},
        modifiable boolean not null,
        thematiques text[] not null check (cardinality(thematiques) > 0),
        actif boolean not null default true,
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null,
        updated_at timestamptz not null default now(),
        check (collectif = (capacite is not null))
      )`.execute(db);
      await sql`create index rdv_motif_lieu on rdv_motif (lieu_id) where actif`.execute(db);
      await sql`create table rdv_plage (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        lieu_id uuid not null references lieu(id) on delete cascade,
        mediateur_id uuid not null references app_user(id) on delete cascade,
        motif_ids uuid[] not null check (cardinality(motif_ids) > 0),
        rrule text not null check (rrule ~ '^FREQ=WEEKLY;INTERVAL=[1-4];BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU)){0,6}$'),
        debut_min integer not null check (debut_min between 0 and 1439),
        fin_min integer not null check (fin_min between 1 and 1440),
        premier_jour date not null,
        dernier_jour date,
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null,
        check (fin_min > debut_min),
        check (dernier_jour is null or dernier_jour >= premier_jour)
      )`.execute(db);
      await sql`create index rdv_plage_lieu on rdv_plage (lieu_id)`.execute(db);
      await sql`create index rdv_plage_mediateur on rdv_plage (mediateur_id)`.execute(db);
      await sql`create table rdv_absence (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        mediateur_id uuid not null references app_user(id) on delete cascade,
        debut timestamptz not null,
        fin timestamptz not null,
        titre text not null check (char_length(titre) between 1 and 120),
        created_at timestamptz not null default now(),
        check (fin > debut)
      )`.execute(db);
      await sql`create index rdv_absence_mediateur on rdv_absence (mediateur_id, fin)`.execute(db);
      // The guard against double booking: ranges of int4 and of timestamptz both have GiST
      // operator classes in core PostgreSQL, so no extension is needed (PGlite included).
      await sql`create table rdv (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        lieu_id uuid not null references lieu(id),
        motif_id uuid not null references rdv_motif(id),
        mediateur_id uuid not null references app_user(id),
        agenda_numero integer not null references rdv_agenda(numero),
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        capacite integer not null check (capacite >= 1),
        places_prises integer not null check (places_prises between 0 and capacite),
        libere_at timestamptz,
        activite_id uuid unique,
        report_claimed_at timestamptz,
        report_dismissed_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check (ends_at > starts_at),
        constraint rdv_no_overlap exclude using gist (
          int4range(agenda_numero, agenda_numero, '[]') with &&,
          tstzrange(starts_at, ends_at) with &&
        ) where (libere_at is null)
      )`.execute(db);
      await sql`create index rdv_mediateur on rdv (mediateur_id, starts_at)`.execute(db);
      await sql`create index rdv_lieu on rdv (lieu_id, starts_at)`.execute(db);
      await sql`create index rdv_starts on rdv (starts_at)`.execute(db);
      await sql`create table rdv_participant (
        id uuid primary key default gen_random_uuid(),
        rdv_id uuid not null references rdv(id) on delete cascade,
        collectivite_id integer not null references collectivite(id),
        prenom text not null check (char_length(prenom) between 1 and 100),
        nom text not null check (char_length(nom) between 1 and 100),
        telephone text,
        email text,
        sms_prefere boolean not null default false,
        rappel_24h boolean not null default false,
        consent_at timestamptz not null,
        beneficiaire_id uuid references beneficiaire(id) on delete set null,
        status text not null default 'a_venir' ${check('status', Object.keys(STATUSES))},
        channel text not null ${check('channel', Object.keys(CHANNELS))},
        booked_by uuid references app_user(id) on delete set null,
        link_version integer not null default 1,
        reminded_48_at timestamptz,
        reminded_24_at timestamptz,
        status_at timestamptz,
        status_by uuid references app_user(id) on delete set null,
        created_at timestamptz not null default now(),
        check (telephone is not null or email is not null)
      )`.execute(db);
      await sql`create index rdv_participant_rdv on rdv_participant (rdv_id)`.execute(db);
      await sql`create index rdv_participant_beneficiaire on rdv_participant (beneficiaire_id) where beneficiaire_id is not null`.execute(
        db,
      );
      await sql`create index rdv_participant_telephone on rdv_participant (telephone, created_at) where telephone is not null`.execute(
        db,
      );
      await sql`create index rdv_participant_email on rdv_participant (lower(email), created_at) where email is not null`.execute(
        db,
      );
      await sql`create table rdv_sms_usage (
        collectivite_id integer not null references collectivite(id),
        mois text not null check (mois ~ '^[0-9]{4}-[0-9]{2}$'),
        sent integer not null default 0 check (sent >= 0),
        primary key (collectivite_id, mois)
      )`.execute(db);
      await sql`create table rdv_sms_budget (
        collectivite_id integer primary key references collectivite(id),
        budget integer not null check (budget >= 0),
        updated_at timestamptz not null default now()
      )`.execute(db);
    },
  },
  '202612080800_rendezvous_waiting_list': {
    async up(db) {
      await sql`alter table rdv_motif add column liste_attente boolean not null default false`.execute(db);
      await sql`create table rdv_attente (
        participant_id uuid primary key references rdv_participant(id) on delete cascade,
        collectivite_id integer not null references collectivite(id),
        notices integer not null default 0 check (notices between 0 and ${sql.raw(String(WAITLIST_MAX_NOTICES))}),
        last_notice_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index rdv_attente_open on rdv_attente (created_at) where ended_at is null`.execute(db);
    },
  },
};
