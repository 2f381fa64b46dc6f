import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';

/** Exact decimals: written as the source's text, read as numbers (see the NUMERIC parser in db/database.ts). */
type Decimal = ColumnType<number, string, string>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    /** One vintage of MedNum's digital fragility index, for communes or for EPCI. */
    ifn_millesime: {
      id: Generated<number>;
      year: number;
      kind: 'commune' | 'epci';
      file_name: string;
      imported_at: ColumnType<Date, never, never>;
      imported_by: string | null;
      imported_by_label: string;
      read: number;
      imported: number;
      rejected: number;
      /** The rows rejected or warned about, and the notes on the whole file. */
      report: ColumnType<unknown, string, string>;
    };
    /** A territory's scores in one vintage: the five components (1–10) and their mean. */
    ifn_score: {
      millesime_id: number;
      code: string;
      /** Line of the source file, so the stored report can list every row. */
      line: number;
      name: string;
      /** As the file says: `city` (communes and municipal arrondissements) or `epci`. */
      division: string;
      /** Code of the département (for an EPCI, the one of most of its communes). */
      departement: string | null;
      no_thd_coverage_rate: Decimal;
      no_4g_coverage_rate: Decimal;
      poverty_rate: Decimal;
      older_65_rate: Decimal;
      nscol15p_rate: Decimal;
      total: Decimal;
      /**
       * Where the total stands in its vintage, computed at import (a vintage never changes):
       * rank 1 is the most fragile, ties share a rank; the percentile is the share of the
       * others less fragile (0–100). Nationally, and among the territories of its département.
       */
      national_rank: number;
      national_percentile: number;
      departement_rank: number;
      departement_percentile: number;
      departement_count: number;
    };
  }
}

const score = (name: string) =>
  sql`${sql.id(name)} numeric not null check (${sql.id(name)} between 1 and 10)`;

export const observatoireMigrations: Record<string, Migration> = {
  '202612030705_observatoire_ifn': {
    async up(db) {
      await sql`create table ifn_millesime (
        id integer generated always as identity primary key,
        year smallint not null check (year between 2000 and 2100),
        kind text not null check (kind in ('commune', 'epci')),
        file_name text not null,
        imported_at timestamptz not null default now(),
        imported_by uuid references app_user(id) on delete set null,
        imported_by_label text not null,
        read integer not null,
        imported integer not null,
        rejected integer not null,
        report jsonb not null,
        unique (year, kind),
        check (read = imported + rejected)
      )`.execute(db);
      await sql`create table ifn_score (
        millesime_id integer not null references ifn_millesime(id) on delete cascade,
        code text not null,
        line integer not null,
        name text not null,
        division text not null,
        departement text,
        ${score('no_thd_coverage_rate')},
        ${score('no_4g_coverage_rate')},
        ${score('poverty_rate')},
        ${score('older_65_rate')},
        ${score('nscol15p_rate')},
        ${score('total')},
        national_rank integer not null,
        national_percentile double precision not null,
        departement_rank integer not null,
        departement_percentile double precision not null,
        departement_count integer not null,
        primary key (millesime_id, code)
      )`.execute(db);
      // A territory's vintages, the latest first (its pages look it up by code).
      await sql`create index ifn_score_code on ifn_score (code)`.execute(db);
    },
  },
};
