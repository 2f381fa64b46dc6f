import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import {
  ACTION_STATUSES,
  type ActionStatus,
  AUDIENCES,
  type Audience,
  COMMITTEE_TYPES,
  type CommitteeType,
  EVENT_KINDS,
  type EventKind,
  FREQUENCIES,
  type Frequency,
  type GrantStatus,
  INDICATORS,
  type Indicator,
  MEMBER_KINDS,
  MEMBER_ROLES,
  MEMBER_STATUSES,
  type MemberKind,
  type MemberStatus,
  NEEDS,
  NEWS_AUDIENCES,
  NEWS_FREQUENCIES,
  type NewsAudience,
  type NewsFrequency,
} from './vocabulary.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A structure of the OPSN's network, from its application to its withdrawal. */
    reseau_membre: {
      id: Generated<string>;
      nom: string;
      /** Checked with its Luhn key; null for a structure that has none (a State service may not). */
      siret: string | null;
      kind: MemberKind;
      commune: string | null;
      status: Defaulted<MemberStatus>;
      roles: Defaulted<string[]>;
      /** The member agreed to appear on the public members page. */
      public: Defaulted<boolean>;
      presentation: string | null;
      /** The directory's place this member was taken from (the lieux module's id), if any. */
      lieu_id: string | null;
      created_at: CreatedAt;
      updated_at: Defaulted<Date>;
    };
    /** Every status a member went through, with when, who and the message sent. */
    reseau_membre_statut: {
      id: Generated<number>;
      membre_id: string;
      status: MemberStatus;
      at: CreatedAt;
      by: string | null;
      message: string | null;
    };
    /** A person to reach at a member structure, with their agreement to the stated purpose. */
    reseau_contact: {
      id: Generated<string>;
      membre_id: string;
      nom: string;
      fonction: string | null;
      email: string;
      telephone: string | null;
      consent_at: Date;
      unsubscribed_at: Date | null;
      /** News by mail as each is published, or in one weekly digest. */
      frequence: Defaulted<NewsFrequency>;
      created_at: CreatedAt;
      /** When the coordination invited this contact to get a Relais account; null: never. */
      compte_invite_at: Date | null;
      /** The version of this contact's calendar feed token: a reset bumps it, old links answer 410. */
      flux_version: Defaulted<number>;
      flux_reset_at: Date | null;
    };
    reseau_comite: {
      id: Generated<string>;
      nom: string;
      type: CommitteeType;
      frequence: Frequency;
      created_at: CreatedAt;
      created_by: string | null;
    };
    /** An event of the agenda: a comité's meeting, a network meeting, a webinar, a workshop. */
    reseau_evenement: {
      id: Generated<string>;
      kind: EventKind;
      comite_id: string | null;
      titre: string;
      description: string | null;
      starts_at: Date;
      ends_at: Date;
      lieu: string | null;
      lien: string | null;
      audience: Audience;
      /** Registrations wanted (public events), up to this many; null: no registration. */
      capacite: number | null;
      ordre_du_jour: string | null;
      compte_rendu: string | null;
      /** RFC 5545 SEQUENCE: bumped at each change calendars must see (cancellation). */
      sequence: Generated<number>;
      cancelled_at: Date | null;
      created_at: CreatedAt;
      created_by: string | null;
      updated_at: Defaulted<Date>;
    };
    reseau_invitation: {
      evenement_id: string;
      membre_id: string;
      /** Attendance, once the meeting took place: null until recorded. */
      present: boolean | null;
      invited_at: CreatedAt;
    };
    reseau_inscription: {
      id: Generated<string>;
      evenement_id: string;
      nom: string;
      email: string;
      created_at: CreatedAt;
    };
    /** Every version of a meeting's minutes: a change adds one, none is overwritten. */
    reseau_compte_rendu: {
      id: Generated<number>;
      evenement_id: string;
      texte: string;
      at: CreatedAt;
      by: string | null;
      /** The signed minutes as a PDF the coordination attached (a version of its own); null: text only. */
      pdf: Buffer | null;
      pdf_sha256: string | null;
      pdf_nom: string | null;
    };
    reseau_decision: {
      id: Generated<string>;
      evenement_id: string;
      texte: string;
      action_id: string | null;
      created_at: CreatedAt;
      created_by: string | null;
    };
    reseau_feuille_route: {
      id: Generated<string>;
      nom: string;
      porteur_id: string | null;
      perimetre: string;
      contexte: string | null;
      created_at: CreatedAt;
      created_by: string | null;
      /** Shown on the public roadmap page, with its documents; false: the coordination only. */
      publique: Defaulted<boolean>;
    };
    reseau_action: {
      id: Generated<string>;
      feuille_route_id: string;
      titre: string;
      description: string | null;
      besoins: Defaulted<string[]>;
      status: Defaulted<ActionStatus>;
      debut: string;
      fin: string;
      budget_euros: number | null;
      indicateur: Defaulted<Indicator>;
      /** The collectivité whose data the indicator counts; null: the whole OPSN. */
      indicateur_collectivite_id: number | null;
      cible: number | null;
      created_at: CreatedAt;
      updated_at: Defaulted<Date>;
    };
    reseau_actualite: {
      id: Generated<string>;
      titre: string;
      texte: string;
      audience: NewsAudience;
      published_at: CreatedAt;
      published_by: string | null;
      /** How many members' contacts it was mailed to. */
      recipients: Defaulted<number>;
      /** When the weekly digest carried it to the contacts who chose the digest; null: not yet. */
      digest_at: Date | null;
    };
    /** The members carrying an action (several allowed). */
    reseau_action_porteur: {
      action_id: string;
      membre_id: string;
      added_at: CreatedAt;
    };
    /** A member's share of an action's budget. */
    reseau_cofinancement: {
      id: Generated<string>;
      action_id: string;
      membre_id: string;
      montant_euros: number;
      created_at: CreatedAt;
      created_by: string | null;
    };
    /** A grant asked for an action, from its filing to the funder's decision. */
    reseau_demande_subvention: {
      id: Generated<string>;
      action_id: string;
      financeur: string;
      montant_demande: number;
      deposee_le: string;
      status: Defaulted<GrantStatus>;
      /** The day of the decision, once accepted or refused. */
      decision_le: string | null;
      /** What the funder granted, once accepted. */
      montant_accorde: number | null;
      created_at: CreatedAt;
      created_by: string | null;
      updated_at: Defaulted<Date>;
    };
    /** Every version of a roadmap's document (PDF): an upload adds one, none is overwritten. */
    reseau_feuille_route_document: {
      id: Generated<string>;
      feuille_route_id: string;
      version: number;
      file_id: string;
      nom: string;
      taille: number;
      uploaded_at: CreatedAt;
      uploaded_by: string | null;
      /** Who uploaded it, as named then (the account may go). */
      uploaded_by_name: string;
    };
    /** The network's calendar feed: its token's version (a reset bumps it, old links stop). */
    reseau_flux: {
      id: Generated<number>;
      version: Defaulted<number>;
      reset_at: Date | null;
    };
  }
}

const check = (column: string, values: object) =>
  sql.raw(
    `check (${column} in (${Object.keys(values)
      .map((v) => `'${v}'`)
      .join(', ')}))`,
  );
const arrayCheck = (column: string, values: object) =>
  sql.raw(
    `check (${column} <@ array[${Object.keys(values)
      .map((v) => `'${v}'`)
      .join(', ')}]::text[])`,
  );

export const reseauMigrations: Record<string, Migration> = {
  '202612061600_reseau_init': {
    async up(db) {
      await sql`create table reseau_membre (
        id uuid primary key default gen_random_uuid(),
        nom text not null check (char_length(nom) between 1 and 200),
        siret text check (siret ~ '^[0-9]{14}$'),
        kind text not null ${check('kind', MEMBER_KINDS)},
        commune text,
        status text not null default 'candidat' ${check('status', MEMBER_STATUSES)},
        roles text[] not null default '{}' ${arrayCheck('roles', MEMBER_ROLES)},
        public boolean not null default false,
        presentation text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index reseau_membre_status on reseau_membre (status, nom)`.execute(db);
      await sql`create table reseau_membre_statut (
        id bigint generated always as identity primary key,
        membre_id uuid not null references reseau_membre(id) on delete cascade,
        status text not null ${check('status', MEMBER_STATUSES)},
        at timestamptz not null default now(),
        by uuid references app_user(id) on delete set null,
        message text
      )`.execute(db);
      await sql`create index reseau_membre_statut_membre on reseau_membre_statut (membre_id, at)`.execute(db);
      await sql`create table reseau_contact (
        id uuid primary key default gen_random_uuid(),
        membre_id uuid not null references reseau_membre(id) on delete cascade,
        nom text not null,
        fonction text,
        email text not null,
        telephone text,
        consent_at timestamptz not null,
        unsubscribed_at timestamptz,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index reseau_contact_membre on reseau_contact (membre_id)`.execute(db);
      await sql`create table reseau_comite (
        id uuid primary key default gen_random_uuid(),
        nom text not null,
        type text not null ${check('type', COMMITTEE_TYPES)},
        frequence text not null ${check('frequence', FREQUENCIES)},
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null
      )`.execute(db);
      await sql`create table reseau_evenement (
        id uuid primary key default gen_random_uuid(),
        kind text not null ${check('kind', EVENT_KINDS)},
        comite_id uuid references reseau_comite(id),
        titre text not null,
        description text,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        lieu text,
        lien text,
        audience text not null ${check('audience', AUDIENCES)},
        capacite integer check (capacite > 0),
        ordre_du_jour text,
        compte_rendu text,
        sequence integer not null default 0,
        cancelled_at timestamptz,
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null,
        updated_at timestamptz not null default now(),
        check (ends_at > starts_at),
        check (kind <> 'comite' or comite_id is not null)
      )`.execute(db);
      await sql`create index reseau_evenement_starts on reseau_evenement (starts_at)`.execute(db);
      await sql`create table reseau_invitation (
        evenement_id uuid not null references reseau_evenement(id) on delete cascade,
        membre_id uuid not null references reseau_membre(id) on delete cascade,
        present boolean,
        invited_at timestamptz not null default now(),
        primary key (evenement_id, membre_id)
      )`.execute(db);
      await sql`create table reseau_inscription (
        id uuid primary key default gen_random_uuid(),
        evenement_id uuid not null references reseau_evenement(id) on delete cascade,
        nom text not null,
        email text not null,
        created_at timestamptz not null default now(),
        unique (evenement_id, email)
      )`.execute(db);
      await sql`create table reseau_feuille_route (
        id uuid primary key default gen_random_uuid(),
        nom text not null,
        porteur_id uuid references reseau_membre(id) on delete set null,
        perimetre text not null,
        contexte text,
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null
      )`.execute(db);
      await sql`create table reseau_action (
        id uuid primary key default gen_random_uuid(),
        feuille_route_id uuid not null references reseau_feuille_route(id) on delete cascade,
        titre text not null,
        description text,
        besoins text[] not null default '{}' ${arrayCheck('besoins', NEEDS)},
        status text not null default 'a_lancer' ${check('status', ACTION_STATUSES)},
        debut date not null,
        fin date not null,
        budget_euros integer check (budget_euros >= 0),
        indicateur text not null default 'aucun' ${check('indicateur', INDICATORS)},
        indicateur_collectivite_id integer references collectivite(id) on delete set null,
        cible integer check (cible > 0),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check (fin >= debut)
      )`.execute(db);
      await sql`create index reseau_action_feuille on reseau_action (feuille_route_id, debut)`.execute(db);
      await sql`create table reseau_decision (
        id uuid primary key default gen_random_uuid(),
        evenement_id uuid not null references reseau_evenement(id) on delete cascade,
        texte text not null,
        action_id uuid references reseau_action(id) on delete set null,
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null
      )`.execute(db);
      await sql`create table reseau_actualite (
        id uuid primary key default gen_random_uuid(),
        titre text not null,
        texte text not null,
        audience text not null ${check('audience', NEWS_AUDIENCES)},
        published_at timestamptz not null default now(),
        published_by uuid references app_user(id) on delete set null,
        recipients integer not null default 0
      )`.execute(db);
      await sql`create index reseau_actualite_published on reseau_actualite (published_at desc)`.execute(db);
      await sql`create table reseau_flux (
        id integer primary key check (id = 1),
        version integer not null default 1,
        reset_at timestamptz
      )`.execute(db);
    },
  },
  '202612080501_reseau_places_digest': {
    async up(db) {
      // A member may be a place of the directory (at most one current member per place).
      await sql`alter table reseau_membre add column lieu_id uuid`.execute(db);
      await sql`create unique index reseau_membre_lieu on reseau_membre (lieu_id)
        where status in ('candidat', 'membre')`.execute(db);
      await sql`alter table reseau_contact add column frequence text not null default 'immediate'
        ${check('frequence', NEWS_FREQUENCIES)}`.execute(db);
      // News already published count as sent: the first digest carries only what follows.
      await sql`alter table reseau_actualite add column digest_at timestamptz`.execute(db);
      await sql`update reseau_actualite set digest_at = published_at`.execute(db);
      await sql`create index reseau_actualite_digest on reseau_actualite (published_at)
        where digest_at is null`.execute(db);
    },
  },
  '202612080502_reseau_minutes_versions': {
    async up(db) {
      await sql`create table reseau_compte_rendu (
        id bigint generated always as identity primary key,
        evenement_id uuid not null references reseau_evenement(id) on delete cascade,
        texte text not null,
        at timestamptz not null default now(),
        by uuid references app_user(id) on delete set null
      )`.execute(db);
      await sql`create index reseau_compte_rendu_evenement on reseau_compte_rendu (evenement_id, id)`.execute(
        db,
      );
      await sql`insert into reseau_compte_rendu (evenement_id, texte, at)
        select id, compte_rendu, updated_at from reseau_evenement where compte_rendu is not null`.execute(db);
    },
  },
  '202612091000_reseau_roadmap_finance': {
    async up(db) {
      await sql`alter table reseau_feuille_route add column publique boolean not null default true`.execute(
        db,
      );
      // The indicators of the later modules, written out as they land (vocabulary.ts ALL_INDICATORS).
      await sql`alter table reseau_action drop constraint reseau_action_indicateur_check`.execute(db);
      await sql`alter table reseau_action add constraint reseau_action_indicateur_check check (indicateur in
        ('aucun', 'activites', 'accompagnements', 'aidants_formes', 'heures_formation', 'delai_orientation'))`.execute(
        db,
      );
      await sql`create table reseau_action_porteur (
        action_id uuid not null references reseau_action(id) on delete cascade,
        membre_id uuid not null references reseau_membre(id) on delete cascade,
        added_at timestamptz not null default now(),
        primary key (action_id, membre_id)
      )`.execute(db);
      await sql`create table reseau_cofinancement (
        id uuid primary key default gen_random_uuid(),
        action_id uuid not null references reseau_action(id) on delete cascade,
        membre_id uuid not null references reseau_membre(id) on delete cascade,
        montant_euros integer not null check (montant_euros > 0),
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null
      )`.execute(db);
      await sql`create index reseau_cofinancement_action on reseau_cofinancement (action_id)`.execute(db);
      await sql`create table reseau_demande_subvention (
        id uuid primary key default gen_random_uuid(),
        action_id uuid not null references reseau_action(id) on delete cascade,
        financeur text not null check (char_length(financeur) between 1 and 200),
        montant_demande integer not null check (montant_demande > 0),
        deposee_le date not null,
        status text not null default 'deposee'
          check (status in ('deposee', 'en_cours', 'acceptee', 'refusee')),
        decision_le date check (decision_le >= deposee_le),
        montant_accorde integer check (montant_accorde > 0),
        created_at timestamptz not null default now(),
        created_by uuid references app_user(id) on delete set null,
        updated_at timestamptz not null default now(),
        check ((status in ('acceptee', 'refusee')) = (decision_le is not null)),
        check ((status = 'acceptee') = (montant_accorde is not null))
      )`.execute(db);
      await sql`create index reseau_demande_subvention_action on reseau_demande_subvention (action_id)`.execute(
        db,
      );
      await sql`create table reseau_feuille_route_document (
        id uuid primary key default gen_random_uuid(),
        feuille_route_id uuid not null references reseau_feuille_route(id) on delete cascade,
        version integer not null check (version > 0),
        file_id uuid not null references stored_file(id),
        nom text not null,
        taille integer not null,
        uploaded_at timestamptz not null default now(),
        uploaded_by uuid references app_user(id) on delete set null,
        uploaded_by_name text not null,
        unique (feuille_route_id, version)
      )`.execute(db);
    },
  },
  '202612092000_reseau_contact_account_feed_signed_minutes': {
    async up(db) {
      // A contact may be invited to Relais once, and has a calendar feed of their own.
      await sql`alter table reseau_contact add column compte_invite_at timestamptz`.execute(db);
      await sql`alter table reseau_contact add column flux_version integer not null default 1
        check (flux_version >= 1)`.execute(db);
      await sql`alter table reseau_contact add column flux_reset_at timestamptz`.execute(db);
      // A version of the minutes may be the signed PDF the coordination attached.
      await sql`alter table reseau_compte_rendu add column pdf bytea`.execute(db);
      await sql`alter table reseau_compte_rendu add column pdf_sha256 text`.execute(db);
      await sql`alter table reseau_compte_rendu add column pdf_nom text`.execute(db);
      await sql`alter table reseau_compte_rendu add constraint reseau_compte_rendu_pdf_checked
        check ((pdf is null) = (pdf_sha256 is null))`.execute(db);
    },
  },
  '202612095000_reseau_indicator_white_zones': {
    async up(db) {
      // The places that took a fragile commune out of the white zones (vocabulary.ts ALL_INDICATORS).
      await sql`alter table reseau_action drop constraint reseau_action_indicateur_check`.execute(db);
      await sql`alter table reseau_action add constraint reseau_action_indicateur_check check (indicateur in
        ('aucun', 'activites', 'accompagnements', 'aidants_formes', 'heures_formation', 'delai_orientation',
         'lieux_zones_blanches'))`.execute(db);
    },
  },
};
