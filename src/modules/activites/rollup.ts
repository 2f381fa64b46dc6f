import { type Kysely, type Migration, sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';

/**
 * Monthly counts per collectivité, kept up to date by the database itself, so that the
 * statistics of a collectivité or of the whole OPSN read a few thousand counters instead of
 * millions of reports.
 *
 * Triggers on `activite` and `participation` append signed counts to `stat_delta` (one row per
 * collectivité, month, dimension and code touched by a statement; never an update, so helpers
 * recording at the same time do not wait for each other). `compactStatistics` folds those
 * deltas into `stat_total` (one row per key). Readers add both tables up: the numbers are exact
 * whether or not the compaction has run. Every path that changes reports or participations
 * (forms, API, merges, deletions, the retention purge, cascades, bulk SQL) is counted alike.
 *
 * Dimensions: of activities `type`, `canal`, `duree` (band), `materiel`, `thematique`,
 * `demarche` (each code once per activity); of participations `genre`, `age`, `statut`,
 * `identite` (`identifie` or `anonyme`) and `commune` (INSEE code, '' when unknown).
 */

declare module '../../platform/db/schema.ts' {
  interface Database {
    stat_total: { collectivite_id: number; mois: string; dim: string; code: string; n: number };
    stat_delta: { collectivite_id: number; mois: string; dim: string; code: string; n: number };
  }
}

/** The counted keys of a set of activities (`rows`), signed by `sign`, as a SELECT. */
const activityKeys = (rows: string, sign: string) => `
  select r.collectivite_id, date_trunc('month', r.date)::date as mois, k.dim, k.code, ${sign} * count(*) as n
  from ${rows} r
  cross join lateral (
    select 'type' as dim, r.type as code
    union all select 'canal', r.canal
    union all select 'duree', relais_tranche_duree(r.duree_min)
    union all select distinct 'materiel', unnest(r.materiels)
    union all select distinct 'thematique', unnest(r.thematiques)
    union all select distinct 'demarche', unnest(r.demarches)
  ) k
  group by 1, 2, 3, 4`;

/** The counted keys of a set of participations, signed, as a SELECT. */
const participationKeys = (rows: string, sign: string) => `
  select r.collectivite_id, date_trunc('month', r.date)::date as mois, k.dim, k.code, ${sign} * count(*) as n
  from ${rows} r
  cross join lateral (values
    ('genre', r.genre),
    ('age', r.tranche_age),
    ('statut', r.statut),
    ('identite', case when r.beneficiaire_id is null then 'anonyme' else 'identifie' end),
    ('commune', coalesce(r.commune_insee, ''))
  ) k(dim, code)
  group by 1, 2, 3, 4`;

/** A statement-level trigger function appending the deltas of the changed rows of one table. */
function deltaTrigger(name: string, keys: (rows: string, sign: string) => string) {
  return sql.raw(`
    create function ${name}() returns trigger language plpgsql as $$
    begin
      if tg_op in ('DELETE', 'UPDATE') then
        insert into stat_delta (collectivite_id, mois, dim, code, n) ${keys('old_rows', '-1')};
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into stat_delta (collectivite_id, mois, dim, code, n) ${keys('new_rows', '1')};
      end if;
      return null;
    end $$`);
}

/** Attaches `fn` to `table` for each kind of change, with the transition tables it reads. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on a schema-less Kysely.
async function attach(db: Kysely<any>, table: string, fn: string) {
  await sql
    .raw(`create trigger ${table}_stat_insert after insert on ${table}
      referencing new table as new_rows for each statement execute function ${fn}()`)
    .execute(db);
  await sql
    .raw(`create trigger ${table}_stat_update after update on ${table}
      referencing old table as old_rows new table as new_rows for each statement execute function ${fn}()`)
    .execute(db);
  await sql
    .raw(`create trigger ${table}_stat_delete after delete on ${table}
      referencing old table as old_rows for each statement execute function ${fn}()`)
    .execute(db);
}

export const rollupMigrations: Record<string, Migration> = {
  '202612030720_activites_rollup': {
    async up(db) {
      await sql`create function relais_tranche_duree(minutes integer) returns text
        language sql immutable parallel safe as $$
          select case when minutes < 30 then 'moins_30' when minutes < 60 then 'de_30_a_60'
                      when minutes < 120 then 'de_60_a_120' else 'plus_120' end $$`.execute(db);
      await sql`create table stat_total (
        collectivite_id integer not null,
        mois date not null,
        dim text not null,
        code text not null,
        n bigint not null,
        primary key (collectivite_id, mois, dim, code)
      )`.execute(db);
      await sql`create table stat_delta (
        collectivite_id integer not null,
        mois date not null,
        dim text not null,
        code text not null,
        n bigint not null
      )`.execute(db);
      await sql`create index stat_delta_key on stat_delta (collectivite_id, mois)`.execute(db);
      await deltaTrigger('activite_stat_delta', activityKeys).execute(db);
      await deltaTrigger('participation_stat_delta', participationKeys).execute(db);
      await attach(db, 'activite', 'activite_stat_delta');
      await attach(db, 'participation', 'participation_stat_delta');
      // What was recorded before the counters existed.
      await sql
        .raw(`insert into stat_total (collectivite_id, mois, dim, code, n)
          select collectivite_id, mois, dim, code, sum(n) from (
            ${activityKeys('activite', '1')} union all ${participationKeys('participation', '1')}
          ) s group by 1, 2, 3, 4`)
        .execute(db);
    },
  },
};

/**
 * Folds the deltas into the totals, in one statement: deltas of transactions still running are
 * not visible to it and stay for the next run. Returns how many delta rows it folded.
 */
export async function compactStatistics(db: Db): Promise<number> {
  const result = await sql<{ folded: number }>`
    with moved as (delete from stat_delta returning collectivite_id, mois, dim, code, n),
    folded as (
      insert into stat_total (collectivite_id, mois, dim, code, n)
      select collectivite_id, mois, dim, code, sum(n) from moved group by 1, 2, 3, 4
      on conflict (collectivite_id, mois, dim, code) do update set n = stat_total.n + excluded.n
    )
    select count(*)::int as folded from moved`.execute(db);
  await db.deleteFrom('stat_total').where('n', '=', 0).execute();
  return result.rows[0]?.folded ?? 0;
}
