import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import { MODES, type Mode, PROFILES, type Profile } from './vocabulary.ts';

declare module '../../platform/db/schema.ts' {
  interface Database {
    /**
     * A pass through the anonymous questionnaire already counted: its random id, carried by the
     * last form, so that sending the result's form again (a reload) does not count it twice.
     * Nothing else; kept one day.
     */
    diagnostic_passage: {
      id: string;
      created_at: ColumnType<Date, Date | undefined, never>;
    };
    /**
     * A diagnosis of digital skills kept in the record of a person a helper accompanies, with
     * the person's consent. Anonymous diagnoses are never stored: only counted (`diagnostic_mois`).
     */
    diagnostic: {
      id: Generated<string>;
      collectivite_id: number;
      beneficiaire_id: string;
      created_by: string | null;
      created_at: ColumnType<Date, Date | undefined, never>;
      /** The questionnaire's version (`questionnaire.ts`): the answers mean what it said. */
      version: string;
      mode: Mode;
      answers: ColumnType<Record<string, string>, string, never>;
      /** Level 0–5 and DigComp equivalents of each competence, as scored when recorded. */
      levels: ColumnType<Record<string, { level: number; digcomp: string[] }>, string, never>;
      domains: ColumnType<Record<string, number>, string, never>;
      profile: Profile;
      equipment: string[];
      connection: string[];
      autonomy: string | null;
      confidence: number | null;
      urgent: string | null;
    };
    /**
     * Counts of diagnostics by month, commune and indicator (`total`, `profil:eloigne`,
     * `faible:4.1`, `sans:ordinateur`…): all the observatory keeps of them.
     */
    diagnostic_mois: {
      mois: string;
      /** INSEE code, or '' when the person gave none. */
      commune_insee: string;
      indicator: string;
      n: number;
    };
  }
}

const check = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} in (${values.map((v) => `'${v}'`).join(', ')}))`);

export const competencesMigrations: Record<string, Migration> = {
  '202612061600_competences_init': {
    async up(db) {
      await sql`create table diagnostic (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        beneficiaire_id uuid not null references beneficiaire(id) on delete cascade,
        created_by uuid references app_user(id) on delete set null,
        created_at timestamptz not null default now(),
        version text not null,
        mode text not null ${check('mode', Object.keys(MODES))},
        answers jsonb not null,
        levels jsonb not null,
        domains jsonb not null,
        profile text not null ${check('profile', Object.keys(PROFILES))},
        equipment text[] not null default '{}',
        connection text[] not null default '{}',
        autonomy text,
        confidence smallint check (confidence between 0 and 3),
        urgent text
      )`.execute(db);
      // A person's diagnoses, newest first (their record, their progress).
      await sql`create index diagnostic_beneficiaire on diagnostic (beneficiaire_id, created_at desc)`.execute(
        db,
      );
      await sql`create index diagnostic_created_by on diagnostic (created_by, created_at desc)`.execute(db);
      await sql`create table diagnostic_mois (
        mois date not null check (extract(day from mois) = 1),
        commune_insee text not null,
        indicator text not null,
        n integer not null check (n >= 0),
        primary key (mois, commune_insee, indicator)
      )`.execute(db);
    },
  },
  '202612062010_competences_passage': {
    async up(db) {
      await sql`create table diagnostic_passage (
        id uuid primary key,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index diagnostic_passage_created on diagnostic_passage (created_at)`.execute(db);
    },
  },
};
