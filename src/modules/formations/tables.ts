import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import {
  ATTENDANCE_SOURCES,
  type AttendanceSource,
  AUDIENCES,
  CANCEL_REASONS,
  type CancelReason,
  MODALITIES,
  type Modality,
  PROGRAMMES,
  type Programme,
  REGISTRATION_STATUSES,
  type RegistrationStatus,
  SESSION_STATUSES,
  type SessionStatus,
} from './vocabulary.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A training of the catalogue: what it teaches, for whom, and what it leads to. */
    formation_type: {
      id: Generated<string>;
      /** Who offers it: a member collectivité, or null for the OPSN. */
      collectivite_id: number | null;
      slug: string;
      titre: string;
      objectifs: string;
      programme: string;
      duree_minutes: number;
      modalite: Modality;
      prerequis: string | null;
      publics: ColumnType<string[], string[] | undefined, string[]>;
      /** The body that trains: null for the OPSN itself. */
      prestataire: string | null;
      certifiante: Generated<boolean>;
      /** Completing it proposes the mandate habilitation to the coordinator. */
      habilitante: Generated<boolean>;
      /** Share of the half-days a learner must attend to get the certificate (100: all). */
      presence_min_pct: Generated<number>;
      created_at: CreatedAt;
      created_by: string | null;
    };
    /** A session of a training: its half-days, where, how many seats, who trains. */
    formation_session: {
      id: Generated<string>;
      type_id: string;
      /** The organiser: a member collectivité, or null for the OPSN. */
      collectivite_id: number | null;
      /** Reserved to the helpers of the organiser's collectivité. */
      intra: Generated<boolean>;
      lieu_id: string | null;
      lieu_libelle: string | null;
      lien_distance: string | null;
      capacite: number;
      /** Seats held: registered people and seats offered from the waiting list. */
      places_prises: Generated<number>;
      status: ColumnType<SessionStatus, SessionStatus | undefined, SessionStatus>;
      motif_annulation: string | null;
      opens_at: Date;
      closes_at: Date;
      created_at: CreatedAt;
      created_by: string | null;
      cancelled_at: Date | null;
      cancelled_by: string | null;
    };
    formation_demi_journee: {
      id: Generated<string>;
      session_id: string;
      starts_at: Date;
      ends_at: Date;
      /** The check-in code learners type from their account, while it is open. */
      code_emargement: string | null;
      code_expires_at: Date | null;
    };
    formation_formateur: { session_id: string; user_id: string };
    formation_inscription: {
      id: Generated<string>;
      session_id: string;
      user_id: string;
      /** The learner's collectivité (their coordinator sees the registration). */
      collectivite_id: number;
      status: ColumnType<RegistrationStatus, RegistrationStatus | undefined, RegistrationStatus>;
      /** A seat offered from the waiting list, until `offer_expires_at`. */
      offered_at: Date | null;
      offer_expires_at: Date | null;
      created_at: CreatedAt;
      created_by: string | null;
      confirmed_at: Date | null;
      cancelled_at: Date | null;
      cancelled_by: string | null;
      motif_annulation: CancelReason | null;
      reminded_7_at: Date | null;
      reminded_1_at: Date | null;
      /** The learner's mobile for SMS reminders (optional), erased when the registration ends or the training is over. */
      telephone_rappel: ColumnType<string | null, string | null | undefined, string | null>;
    };
    formation_presence: {
      inscription_id: string;
      demi_journee_id: string;
      present: boolean;
      source: AttendanceSource;
      recorded_at: ColumnType<Date, Date | undefined, Date>;
      recorded_by: string | null;
    };
    /** A certificate: issued when attendance meets the training's rule; revocable. */
    formation_attestation: {
      id: Generated<string>;
      inscription_id: string;
      code: string;
      minutes_presentes: number;
      issued_at: CreatedAt;
      issued_by: string | null;
      revoked_at: Date | null;
      revoked_by: string | null;
      motif_revocation: string | null;
      /** The mandate habilitation granted from it. */
      habilitation_at: Date | null;
      habilitation_by: string | null;
    };
    /** A national programme a helper belongs to, as their coordinator declared it (audience of trainings). */
    formation_programme: {
      user_id: string;
      programme: Programme;
      collectivite_id: number;
      declared_at: ColumnType<Date, Date | undefined, never>;
      declared_by: string | null;
    };
    formation_avis: {
      inscription_id: string;
      note_contenu: number;
      note_animation: number;
      note_utilite: number;
      commentaire: string | null;
      created_at: CreatedAt;
    };
  }
}

const check = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} in (${values.map((v) => `'${v}'`).join(', ')}))`);
const arrayCheck = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} <@ array[${values.map((v) => `'${v}'`).join(', ')}]::text[])`);

/** The attendance sources when the first migration landed (it must keep running the same SQL). */
const LANDED_ATTENDANCE_SOURCES = ['ecran', 'feuille', 'code'];

export const formationsMigrations: Record<string, Migration> = {
  '202612061700_formations_init': {
    async up(db) {
      await sql`create table formation_type (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer references collectivite(id),
        slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        titre text not null check (char_length(titre) between 1 and 200),
        objectifs text not null,
        programme text not null,
        duree_minutes integer not null check (duree_minutes > 0),
        modalite text not null ${check('modalite', Object.keys(MODALITIES))},
        prerequis text,
        publics text[] not null default '{}' ${arrayCheck('publics', Object.keys(AUDIENCES))},
        prestataire text,
        certifiante boolean not null default true,
        habilitante boolean not null default false,
        presence_min_pct integer not null default 100 check (presence_min_pct between 1 and 100),
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null
      )`.execute(db);
      await sql`create table formation_session (
        id uuid primary key default gen_random_uuid(),
        type_id uuid not null references formation_type(id),
        collectivite_id integer references collectivite(id),
        intra boolean not null default false,
        lieu_id uuid references lieu(id) on delete set null,
        lieu_libelle text,
        lien_distance text,
        capacite integer not null check (capacite between 1 and 500),
        places_prises integer not null default 0,
        status text not null default 'active' ${check('status', Object.keys(SESSION_STATUSES))},
        motif_annulation text,
        opens_at timestamptz not null,
        closes_at timestamptz not null,
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null,
        cancelled_at timestamptz,
        cancelled_by uuid references app_user(id) on delete set null,
        check (places_prises between 0 and capacite),
        check (opens_at < closes_at),
        check (not intra or collectivite_id is not null)
      )`.execute(db);
      await sql`create index formation_session_type on formation_session (type_id)`.execute(db);
      await sql`create index formation_session_collectivite on formation_session (collectivite_id)`.execute(
        db,
      );
      await sql`create table formation_demi_journee (
        id uuid primary key default gen_random_uuid(),
        session_id uuid not null references formation_session(id) on delete cascade,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        code_emargement text,
        code_expires_at timestamptz,
        check (starts_at < ends_at)
      )`.execute(db);
      await sql`create index formation_demi_journee_session on formation_demi_journee (session_id, starts_at)`.execute(
        db,
      );
      await sql`create index formation_demi_journee_starts on formation_demi_journee (starts_at)`.execute(db);
      await sql`create table formation_formateur (
        session_id uuid not null references formation_session(id) on delete cascade,
        user_id uuid not null references app_user(id) on delete cascade,
        primary key (session_id, user_id)
      )`.execute(db);
      await sql`create index formation_formateur_user on formation_formateur (user_id)`.execute(db);
      await sql`create table formation_inscription (
        id uuid primary key default gen_random_uuid(),
        session_id uuid not null references formation_session(id) on delete cascade,
        user_id uuid not null references app_user(id) on delete cascade,
        collectivite_id integer not null references collectivite(id),
        status text not null ${check('status', Object.keys(REGISTRATION_STATUSES))},
        offered_at timestamptz,
        offer_expires_at timestamptz,
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null,
        confirmed_at timestamptz,
        cancelled_at timestamptz,
        cancelled_by uuid references app_user(id) on delete set null,
        motif_annulation text ${check('motif_annulation', Object.keys(CANCEL_REASONS))},
        reminded_7_at timestamptz,
        reminded_1_at timestamptz,
        check ((offered_at is null) = (offer_expires_at is null)),
        check (offered_at is null or status = 'liste_attente'),
        check ((status = 'annule') = (cancelled_at is not null))
      )`.execute(db);
      // One live registration per person and session: registering twice is refused by the database.
      await sql`create unique index formation_inscription_once on formation_inscription (session_id, user_id)
        where status <> 'annule'`.execute(db);
      await sql`create index formation_inscription_session on formation_inscription (session_id, status, created_at)`.execute(
        db,
      );
      await sql`create index formation_inscription_user on formation_inscription (user_id, created_at desc)`.execute(
        db,
      );
      await sql`create index formation_inscription_collectivite on formation_inscription (collectivite_id, created_at desc)`.execute(
        db,
      );
      await sql`create index formation_inscription_offer on formation_inscription (offer_expires_at)
        where offer_expires_at is not null`.execute(db);
      await sql`create table formation_presence (
        inscription_id uuid not null references formation_inscription(id) on delete cascade,
        demi_journee_id uuid not null references formation_demi_journee(id) on delete cascade,
        present boolean not null,
        source text not null ${check('source', LANDED_ATTENDANCE_SOURCES)},
        recorded_at timestamptz not null default now(),
        recorded_by uuid references app_user(id) on delete set null,
        primary key (inscription_id, demi_journee_id)
      )`.execute(db);
      await sql`create table formation_attestation (
        id uuid primary key default gen_random_uuid(),
        inscription_id uuid not null unique references formation_inscription(id) on delete cascade,
        code text not null unique,
        minutes_presentes integer not null check (minutes_presentes >= 0),
        issued_at timestamptz not null default now(),
        issued_by uuid references app_user(id) on delete set null,
        revoked_at timestamptz,
        revoked_by uuid references app_user(id) on delete set null,
        motif_revocation text,
        habilitation_at timestamptz,
        habilitation_by uuid references app_user(id) on delete set null,
        check ((revoked_at is null) = (motif_revocation is null))
      )`.execute(db);
      await sql`create table formation_avis (
        inscription_id uuid primary key references formation_inscription(id) on delete cascade,
        note_contenu integer not null check (note_contenu between 1 and 5),
        note_animation integer not null check (note_animation between 1 and 5),
        note_utilite integer not null check (note_utilite between 1 and 5),
        commentaire text check (char_length(commentaire) <= 1000),
        created_at timestamptz not null default now()
      )`.execute(db);
    },
  },
  '202612080600_formations_programmes': {
    async up(db) {
      await sql`create table formation_programme (
        user_id uuid not null references app_user(id) on delete cascade,
        programme text not null ${check('programme', Object.keys(PROGRAMMES))},
        collectivite_id integer not null references collectivite(id),
        declared_at timestamptz not null default now(),
        declared_by uuid references app_user(id) on delete set null,
        primary key (user_id, programme)
      )`.execute(db);
      await sql`create index formation_programme_collectivite on formation_programme (collectivite_id)`.execute(
        db,
      );
      // Attendance may come from the completion file of a training body (`relais import presences-formation`).
      await sql`alter table formation_presence drop constraint formation_presence_source_check`.execute(db);
      await sql`alter table formation_presence add constraint formation_presence_source_check
        ${check('source', Object.keys(ATTENDANCE_SOURCES))}`.execute(db);
    },
  },
  '202612080601_formations_rappel_sms': {
    async up(db) {
      await sql`alter table formation_inscription add column telephone_rappel text
        check (telephone_rappel ~ '^[+][0-9]{8,15}$')`.execute(db);
    },
  },
};
