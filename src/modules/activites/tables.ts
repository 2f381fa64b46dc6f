import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    activite: {
      id: Generated<string>;
      collectivite_id: number;
      mediateur_id: string;
      type: 'individuel' | 'collectif';
      date: ColumnType<string, string, string>;
      duree_min: number;
      canal: 'lieu_activite' | 'domicile' | 'distance' | 'autre_lieu';
      lieu_id: string | null;
      /** Commune of an "autre lieu" (INSEE), or of the helper's place, for statistics. */
      commune_insee: string | null;
      materiels: string[];
      thematiques: string[];
      demarches: string[];
      autonomie: string | null;
      titre: string | null;
      niveau: string | null;
      oriente: Generated<boolean>;
      orientation: string | null;
      notes: string | null;
      created_at: CreatedAt;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
    /**
     * One person at one activity. The person's gender, age band, status and commune are copied
     * at the time: statistics stay right when a record is edited, merged or deleted.
     */
    participation: {
      id: Generated<string>;
      activite_id: string;
      beneficiaire_id: string | null;
      collectivite_id: number;
      date: ColumnType<string, string, string>;
      genre: string;
      tranche_age: string;
      statut: string;
      commune_insee: string | null;
    };
  }
}

const check = (column: string, values: string[]) =>
  sql.raw(`check (${column} in (${values.map((v) => `'${v}'`).join(', ')}))`);

/**
 * The first migration created the tables of the whole helper workspace, since split into
 * modules: `mediateur_lieu` (mediateurs), `beneficiaire` and `beneficiaire_fusion`
 * (beneficiaires) and `partage_statistiques` (statistiques) are declared by their modules.
 * A landed migration is never edited, so it stays here whole.
 */
export const activitesMigrations: Record<string, Migration> = {
  '202611282300_activites_init': {
    async up(db) {
      await sql`create table mediateur_lieu (
        user_id uuid not null references app_user(id) on delete cascade,
        lieu_id uuid not null references lieu(id) on delete cascade,
        created_at timestamptz not null default now(),
        primary key (user_id, lieu_id)
      )`.execute(db);
      await sql`create index mediateur_lieu_lieu on mediateur_lieu (lieu_id)`.execute(db);

      await sql`create table beneficiaire (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        created_by uuid references app_user(id) on delete set null,
        anonyme boolean not null default false,
        prenom text, nom text, telephone text,
        sans_telephone boolean not null default false,
        email text,
        annee_naissance integer check (annee_naissance between 1900 and 2100),
        commune_insee text,
        genre text ${check('genre', ['masculin', 'feminin', 'non_communique'])},
        statut text ${check('statut', ['scolarise', 'sans_emploi', 'en_emploi', 'retraite', 'non_communique'])},
        notes text,
        search_text text generated always as
          (lower(relais_unaccent(coalesce(prenom, '') || ' ' || coalesce(nom, '')))) stored,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`.execute(db);
      // No trigram index on search_text: searches run within the few hundred people a helper
      // sees, and PGlite can loop forever in a GIN trigram scan.
      await sql`create index beneficiaire_collectivite on beneficiaire (collectivite_id)`.execute(db);
      await sql`create index beneficiaire_created_by on beneficiaire (created_by)`.execute(db);

      await sql`create table activite (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        mediateur_id uuid not null references app_user(id),
        type text not null ${check('type', ['individuel', 'collectif'])},
        date date not null,
        duree_min integer not null check (duree_min between 1 and 720),
        canal text not null ${check('canal', ['lieu_activite', 'domicile', 'distance', 'autre_lieu'])},
        lieu_id uuid references lieu(id) on delete set null,
        commune_insee text,
        materiels text[] not null default '{}',
        thematiques text[] not null default '{}',
        demarches text[] not null default '{}',
        autonomie text,
        titre text,
        niveau text,
        oriente boolean not null default false,
        orientation text,
        notes text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`.execute(db);
      // Lists by helper and statistics by territory, both over a period.
      await sql`create index activite_mediateur_date on activite (mediateur_id, date desc)`.execute(db);
      await sql`create index activite_collectivite_date on activite (collectivite_id, date)`.execute(db);
      await sql`create index activite_lieu_date on activite (lieu_id, date)`.execute(db);

      await sql`create table participation (
        id uuid primary key default gen_random_uuid(),
        activite_id uuid not null references activite(id) on delete cascade,
        beneficiaire_id uuid references beneficiaire(id) on delete set null,
        collectivite_id integer not null,
        date date not null,
        genre text not null,
        tranche_age text not null,
        statut text not null,
        commune_insee text
      )`.execute(db);
      await sql`create index participation_activite on participation (activite_id)`.execute(db);
      await sql`create index participation_beneficiaire on participation (beneficiaire_id, date)`.execute(db);
      await sql`create index participation_collectivite_date on participation (collectivite_id, date)`.execute(
        db,
      );

      await sql`create table beneficiaire_fusion (
        id bigserial primary key,
        kept_id uuid not null,
        merged_id uuid not null,
        user_id uuid references app_user(id) on delete set null,
        participations integer not null,
        at timestamptz not null default now()
      )`.execute(db);

      await sql`create table partage_statistiques (
        id uuid primary key default gen_random_uuid(),
        token_hash text not null unique,
        created_by uuid references app_user(id) on delete set null,
        scope text not null ${check('scope', ['mediateur', 'lieu', 'collectivite', 'opsn'])},
        scope_id text,
        collectivite_id integer references collectivite(id) on delete cascade,
        du date not null,
        au date not null,
        revoked_at timestamptz,
        created_at timestamptz not null default now()
      )`.execute(db);
    },
  },
  // A helper's last report (the habilitation job, see mandats): first created by the landed
  // migration 202612041600_mandats_indexes; the index is this module's.
  '202612060400_activites_report_index': {
    async up(db) {
      await sql`create index if not exists activite_mediateur_created on activite (mediateur_id, created_at)`.execute(
        db,
      );
    },
  },
};
