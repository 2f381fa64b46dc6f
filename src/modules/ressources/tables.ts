import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import {
  BLOCK_KINDS,
  type BlockKind,
  COMPETENCES,
  LICENCES,
  type Licence,
  PUBLICS,
  REPORT_OUTCOMES,
  REPORT_REASONS,
  type ReportOutcome,
  type ReportReason,
  STATUSES,
  type Status,
  THEMATIQUES,
  TYPES,
  VISIBILITIES,
  type Visibility,
} from './vocabulary.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Touched = ColumnType<Date, Date | undefined, Date>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A resource of the library: its description, indexing, visibility and search text. */
    ressource: {
      id: Generated<string>;
      /** The author's collectivité; null: the OPSN's own resource. */
      collectivite_id: number | null;
      titre: string;
      resume: ColumnType<string, string | undefined, string>;
      licence: ColumnType<Licence, Licence | undefined, Licence>;
      status: ColumnType<Status, Status | undefined, Status>;
      visibilite: ColumnType<Visibility, Visibility | undefined, Visibility>;
      thematiques: TextArray;
      types: TextArray;
      publics: TextArray;
      competences: TextArray;
      /** After this day, authors are reminded and readers see « à vérifier ». */
      review_on: ColumnType<string | null, string | null | undefined, string | null>;
      created_by: string | null;
      author_name: string;
      /** Other people who took part, as their names (free text). */
      contributors: ColumnType<string, string | undefined, string>;
      /** Bumped by every change; each one is kept in `ressource_version`. */
      version: Generated<number>;
      /** The text of the blocks, file names and the PDFs' text, for search (not shown). */
      search_text: ColumnType<string, string | undefined, string>;
      rating_count: Generated<number>;
      rating_average: ColumnType<number | null, never, number | null>;
      created_at: CreatedAt;
      updated_at: Touched;
      published_at: Date | null;
      review_reminded_at: Date | null;
      /** Where an imported resource comes from (its address in the library it was taken from). */
      source_url: ColumnType<string | null, string | null | undefined, string | null>;
    };
    /** One ordered block of a resource's content. */
    ressource_bloc: {
      id: Generated<string>;
      ressource_id: string;
      position: number;
      kind: BlockKind;
      /** Section title, link title, or nothing. */
      titre: string | null;
      /** Text (safe Markdown subset), link description, or nothing. */
      texte: string | null;
      url: string | null;
      fichier_id: string | null;
      /** The image's alternative text (mandatory for images). */
      alt: string | null;
    };
    /** A file of a `fichier` or `image` block, served only to those who may see its resource. */
    ressource_fichier: {
      id: Generated<string>;
      ressource_id: string;
      nom: string;
      content_type: string;
      size: number;
      sha256: string;
      bytes: Buffer;
      /** The text of a PDF, extracted at upload, for search. */
      extracted_text: ColumnType<string, string | undefined, string>;
      created_at: CreatedAt;
    };
    /** Every state of a resource (who, when, what), to show its history and restore one. */
    ressource_version: {
      ressource_id: string;
      version: number;
      snapshot: ColumnType<unknown, string, never>;
      change: string;
      changed_by: string | null;
      changed_by_name: string;
      created_at: CreatedAt;
    };
    /** A professional's rating of a resource (one each, editable), and the author's reply. */
    ressource_note: {
      ressource_id: string;
      user_id: string;
      rater_name: string;
      note: number;
      commentaire: string | null;
      reply: string | null;
      replied_at: Date | null;
      created_at: CreatedAt;
      updated_at: Touched;
    };
    /** A report of a resource to moderation, and its outcome. */
    ressource_signalement: {
      id: Generated<string>;
      ressource_id: string;
      reported_by: string | null;
      motif: ReportReason;
      commentaire: string | null;
      outcome: ColumnType<ReportOutcome, ReportOutcome | undefined, ReportOutcome>;
      decision_message: string | null;
      resolved_by: string | null;
      resolved_at: Date | null;
      created_at: CreatedAt;
    };
    /** An ordered list of resources by a person (or the OPSN), shareable by a revocable link. */
    ressource_collection: {
      id: Generated<string>;
      titre: string;
      description: string;
      owner_id: string | null;
      owner_name: string;
      collectivite_id: number | null;
      /** Made in the OPSN's name: shown as the OPSN's, kept by its administrators. */
      au_nom_opsn: Generated<boolean>;
      publique: Generated<boolean>;
      share_token: string | null;
      created_at: CreatedAt;
      updated_at: Touched;
    };
    ressource_collection_item: {
      collection_id: string;
      ressource_id: string;
      position: number;
    };
    /** Searches that found nothing: the terms only (no person), how often, last time. */
    ressource_recherche_vide: {
      terms: string;
      searches: number;
      last_at: Date;
    };
    /**
     * A person follows an author, a collection or a library (a collectivité's, or the OPSN's
     * own): exactly one of the four targets is set.
     */
    ressource_suivi: {
      id: Generated<string>;
      user_id: string;
      auteur_id: string | null;
      collection_id: string | null;
      collectivite_id: number | null;
      opsn: ColumnType<boolean, boolean | undefined, boolean>;
      created_at: CreatedAt;
    };
    /** When a follower last got a digest: at most one every 24 hours. */
    ressource_suivi_envoi: {
      user_id: string;
      sent_at: Date;
    };
    /** The words of published resources, for « vouliez-vous dire » (trigram similarity). */
    ressource_mot: {
      mot: string;
    };
  }
}

const check = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} in (${values.map((v) => `'${v}'`).join(', ')}))`);
const arrayCheck = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} <@ array[${values.map((v) => `'${v}'`).join(', ')}]::text[])`);

export const ressourcesMigrations: Record<string, Migration> = {
  '202612061800_ressources_init': {
    async up(db) {
      await sql`create table ressource (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer references collectivite(id),
        titre text not null check (char_length(titre) between 1 and 200),
        resume text not null default '' check (char_length(resume) <= 1000),
        licence text not null default 'etalab_2_0' ${check('licence', Object.keys(LICENCES))},
        status text not null default 'brouillon' ${check('status', Object.keys(STATUSES))},
        visibilite text not null default 'publique' ${check('visibilite', Object.keys(VISIBILITIES))},
        thematiques text[] not null default '{}' ${arrayCheck('thematiques', Object.keys(THEMATIQUES))},
        types text[] not null default '{}' ${arrayCheck('types', Object.keys(TYPES))},
        publics text[] not null default '{}' ${arrayCheck('publics', Object.keys(PUBLICS))},
        competences text[] not null default '{}' ${arrayCheck('competences', Object.keys(COMPETENCES))},
        review_on date,
        created_by uuid references app_user(id) on delete set null,
        author_name text not null,
        contributors text not null default '',
        version integer not null default 1,
        search_text text not null default '',
        search_doc tsvector generated always as (
          setweight(to_tsvector('relais_fr', titre), 'A') ||
          setweight(to_tsvector('relais_fr', resume), 'B') ||
          setweight(to_tsvector('relais_fr', search_text), 'C')
        ) stored,
        rating_count integer not null default 0,
        rating_average real,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        published_at timestamptz,
        review_reminded_at timestamptz,
        check (status <> 'publiee' or published_at is not null)
      )`.execute(db);
      await sql`create index ressource_search on ressource using gin (search_doc)`.execute(db);
      await sql`create index ressource_thematiques on ressource using gin (thematiques)`.execute(db);
      await sql`create index ressource_published on ressource (status, visibilite, published_at desc)`.execute(
        db,
      );
      await sql`create index ressource_author on ressource (created_by, updated_at desc)`.execute(db);
      await sql`create index ressource_collectivite on ressource (collectivite_id, updated_at desc)`.execute(
        db,
      );

      await sql`create table ressource_fichier (
        id uuid primary key default gen_random_uuid(),
        ressource_id uuid not null references ressource(id) on delete cascade,
        nom text not null,
        content_type text not null,
        size integer not null,
        sha256 text not null,
        bytes bytea not null,
        extracted_text text not null default '',
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index ressource_fichier_ressource on ressource_fichier (ressource_id)`.execute(db);

      await sql`create table ressource_bloc (
        id uuid primary key default gen_random_uuid(),
        ressource_id uuid not null references ressource(id) on delete cascade,
        position integer not null,
        kind text not null ${check('kind', Object.keys(BLOCK_KINDS))},
        titre text,
        texte text,
        url text check (url is null or url ~ '^https?://'),
        fichier_id uuid references ressource_fichier(id),
        alt text,
        check (kind <> 'image' or (fichier_id is not null and char_length(coalesce(alt, '')) > 0)),
        check (kind <> 'fichier' or fichier_id is not null),
        check (kind <> 'lien' or url is not null)
      )`.execute(db);
      await sql`create index ressource_bloc_ressource on ressource_bloc (ressource_id, position)`.execute(db);

      await sql`create table ressource_version (
        ressource_id uuid not null references ressource(id) on delete cascade,
        version integer not null,
        snapshot jsonb not null,
        change text not null,
        changed_by uuid references app_user(id) on delete set null,
        changed_by_name text not null,
        created_at timestamptz not null default now(),
        primary key (ressource_id, version)
      )`.execute(db);

      await sql`create table ressource_note (
        ressource_id uuid not null references ressource(id) on delete cascade,
        user_id uuid not null references app_user(id) on delete cascade,
        rater_name text not null,
        note smallint not null check (note between 1 and 4),
        commentaire text check (char_length(commentaire) <= 1000),
        reply text check (char_length(reply) <= 1000),
        replied_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (ressource_id, user_id)
      )`.execute(db);

      await sql`create table ressource_signalement (
        id uuid primary key default gen_random_uuid(),
        ressource_id uuid not null references ressource(id) on delete cascade,
        reported_by uuid references app_user(id) on delete set null,
        motif text not null ${check('motif', Object.keys(REPORT_REASONS))},
        commentaire text check (char_length(commentaire) <= 1000),
        outcome text not null default 'ouvert' ${check('outcome', Object.keys(REPORT_OUTCOMES))},
        decision_message text,
        resolved_by uuid references app_user(id) on delete set null,
        resolved_at timestamptz,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index ressource_signalement_open on ressource_signalement (outcome, created_at)`.execute(
        db,
      );

      await sql`create table ressource_collection (
        id uuid primary key default gen_random_uuid(),
        titre text not null check (char_length(titre) between 1 and 200),
        description text not null default '',
        owner_id uuid references app_user(id) on delete set null,
        owner_name text not null,
        collectivite_id integer references collectivite(id),
        publique boolean not null default false,
        share_token text unique,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index ressource_collection_owner on ressource_collection (owner_id, updated_at desc)`.execute(
        db,
      );
      await sql`create table ressource_collection_item (
        collection_id uuid not null references ressource_collection(id) on delete cascade,
        ressource_id uuid not null references ressource(id) on delete cascade,
        position integer not null,
        primary key (collection_id, ressource_id)
      )`.execute(db);

      await sql`create table ressource_recherche_vide (
        terms text primary key,
        searches integer not null default 1,
        last_at timestamptz not null default now()
      )`.execute(db);
      await sql`create table ressource_mot (mot text primary key)`.execute(db);
      await sql`create index ressource_mot_trgm on ressource_mot using gin (mot gin_trgm_ops)`.execute(db);
    },
  },
  /**
   * Search in bounded work (see search.ts): the title and summary alone as a small indexed
   * vector (the matches ranked first), and the published resources in date and rating order,
   * so that a common word reads its first thousand matches, not all of them.
   */
  '202612062000_ressources_search_order': {
    async up(db) {
      await sql`alter table ressource add column titre_doc tsvector generated always as (
        setweight(to_tsvector('relais_fr', titre), 'A') || setweight(to_tsvector('relais_fr', resume), 'B')
      ) stored`.execute(db);
      await sql`create index ressource_titre_search on ressource using gin (titre_doc)`.execute(db);
      await sql`create index ressource_by_date on ressource (published_at desc, id) where status = 'publiee'`.execute(
        db,
      );
      await sql`create index ressource_by_rating on ressource (rating_average desc nulls last, published_at desc, id)
        where status = 'publiee'`.execute(db);
    },
  },
  /**
   * Follows of an author, a collection or a library, the time of each follower's last digest,
   * the address an imported resource was taken from (its back-link), and the competences indexed
   * for the resources offered on a self-diagnosis result.
   */
  '202612080700_ressources_follows': {
    async up(db) {
      await sql`create table ressource_suivi (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references app_user(id) on delete cascade,
        auteur_id uuid references app_user(id) on delete cascade,
        collection_id uuid references ressource_collection(id) on delete cascade,
        collectivite_id integer references collectivite(id) on delete cascade,
        opsn boolean not null default false,
        created_at timestamptz not null default now(),
        check (num_nonnulls(auteur_id, collection_id, collectivite_id) + opsn::int = 1)
      )`.execute(db);
      await sql`create unique index ressource_suivi_auteur on ressource_suivi (user_id, auteur_id)`.execute(
        db,
      );
      await sql`create unique index ressource_suivi_collection on ressource_suivi (user_id, collection_id)`.execute(
        db,
      );
      await sql`create unique index ressource_suivi_collectivite on ressource_suivi (user_id, collectivite_id)`.execute(
        db,
      );
      await sql`create unique index ressource_suivi_opsn on ressource_suivi (user_id) where opsn`.execute(db);
      await sql`create table ressource_suivi_envoi (
        user_id uuid primary key references app_user(id) on delete cascade,
        sent_at timestamptz not null
      )`.execute(db);
      await sql`alter table ressource add column source_url text
        check (source_url is null or (source_url ~ '^https?://' and char_length(source_url) <= 2000))`.execute(
        db,
      );
      await sql`create index ressource_source on ressource (source_url) where source_url is not null`.execute(
        db,
      );
      // The self-diagnosis result offers public resources on the competences to work on (`&&`).
      await sql`create index ressource_competences on ressource using gin (competences)`.execute(db);
    },
  },
  '202612080900_ressources_collection_opsn': {
    async up(db) {
      await sql`alter table ressource_collection add column au_nom_opsn boolean not null default false`.execute(
        db,
      );
    },
  },
};
