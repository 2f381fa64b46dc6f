import { type Migration, sql } from 'kysely';

/**
 * French search helpers every module may use: the `relais_fr` text-search configuration
 * (French stemming that ignores accents) and two immutable wrappers that generated columns
 * and indexes need (`unaccent` and `array_to_string` are not immutable). Module lieux created
 * them first (`202611282200_lieux_init`, never edited); they are the platform's: this
 * migration declares them here, re-creating what is missing and replacing the functions with
 * the same text.
 */
export const textSearchMigrations: Record<string, Migration> = {
  '202612060400_platform_text_search': {
    async up(db) {
      await sql`do $body$ begin
        if not exists (select 1 from pg_ts_config where cfgname = 'relais_fr') then
          create text search configuration relais_fr (copy = french);
          alter text search configuration relais_fr
            alter mapping for hword, hword_part, word with unaccent, french_stem;
        end if;
      end $body$`.execute(db);
      await sql`create or replace function relais_unaccent(text) returns text
        language sql immutable parallel safe strict
        as $$ select public.unaccent('public.unaccent'::regdictionary, $1) $$`.execute(db);
      await sql`create or replace function relais_words(text[]) returns text
        language sql immutable parallel safe strict
        as $$ select array_to_string($1, ' ') $$`.execute(db);
      // The journal's index for a helper's last sign-in, first created by a mandats migration.
      await sql`create index if not exists audit_event_signin on audit_event (subject_id, at)
        where action = 'auth.signin.success'`.execute(db);
    },
  },
};
