import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The triggers that keep the statistics' monthly counters (module statistiques, see
 * statistiques/counters.ts) up to date from the reports: they sit on this module's tables.
 * This landed migration also created the counters' tables; they are declared there.
 */

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

/** The people seen per collectivité and month, and their first participation, kept by the same statements. */
const PEOPLE_TRIGGER = sql`
  create function participation_stat_personne() returns trigger language plpgsql as $$
  begin
    if tg_op in ('DELETE', 'UPDATE') then
      with gone as (
        select collectivite_id, date_trunc('month', date)::date as mois, beneficiaire_id, count(*) as n
        from old_rows where beneficiaire_id is not null group by 1, 2, 3)
      update stat_personne s set n = s.n - g.n from gone g
      where s.collectivite_id = g.collectivite_id and s.mois = g.mois and s.beneficiaire_id = g.beneficiaire_id;
      delete from stat_personne s using old_rows o
      where s.collectivite_id = o.collectivite_id and s.mois = date_trunc('month', o.date)::date
        and s.beneficiaire_id = o.beneficiaire_id and s.n <= 0;
      -- Their first participation, again from what is left of theirs.
      with touched as (select distinct beneficiaire_id from old_rows where beneficiaire_id is not null),
      fresh as (
        select t.beneficiaire_id,
               (select min(p.date) from participation p where p.beneficiaire_id = t.beneficiaire_id) as premiere
        from touched t),
      dropped as (
        delete from stat_premiere f using fresh
        where f.beneficiaire_id = fresh.beneficiaire_id and fresh.premiere is null)
      update stat_premiere f set premiere = fresh.premiere from fresh
      where f.beneficiaire_id = fresh.beneficiaire_id and fresh.premiere is not null;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
      insert into stat_personne (collectivite_id, mois, beneficiaire_id, n)
      select collectivite_id, date_trunc('month', date)::date, beneficiaire_id, count(*)
      from new_rows where beneficiaire_id is not null group by 1, 2, 3
      on conflict (collectivite_id, mois, beneficiaire_id) do update set n = stat_personne.n + excluded.n;
      insert into stat_premiere (beneficiaire_id, premiere)
      select beneficiaire_id, min(date) from new_rows where beneficiaire_id is not null group by 1
      on conflict (beneficiaire_id) do update set premiere = least(stat_premiere.premiere, excluded.premiere);
    end if;
    return null;
  end $$`;

/** Attaches `fn` to `table` for each kind of change, with the transition tables it reads. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on a schema-less Kysely.
async function attach(db: Kysely<any>, table: string, fn: string, name = `${table}_stat`) {
  await sql
    .raw(`create trigger ${name}_insert after insert on ${table}
      referencing new table as new_rows for each statement execute function ${fn}()`)
    .execute(db);
  await sql
    .raw(`create trigger ${name}_update after update on ${table}
      referencing old table as old_rows new table as new_rows for each statement execute function ${fn}()`)
    .execute(db);
  await sql
    .raw(`create trigger ${name}_delete after delete on ${table}
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
      await sql`create table stat_personne (
        collectivite_id integer not null,
        mois date not null,
        beneficiaire_id uuid not null,
        n integer not null,
        primary key (collectivite_id, mois, beneficiaire_id)
      )`.execute(db);
      await sql`create index stat_personne_mois on stat_personne (mois, beneficiaire_id)`.execute(db);
      await sql`create table stat_premiere (beneficiaire_id uuid primary key, premiere date not null)`.execute(
        db,
      );
      await PEOPLE_TRIGGER.execute(db);
      await attach(db, 'participation', 'participation_stat_personne', 'participation_personne');
      await sql
        .raw(`create function relais_rebuild_statistics() returns void language plpgsql as $$
          begin
            truncate stat_total, stat_delta, stat_personne, stat_premiere;
            insert into stat_total (collectivite_id, mois, dim, code, n)
            select collectivite_id, mois, dim, code, sum(n) from (
              ${activityKeys('activite', '1')} union all ${participationKeys('participation', '1')}
            ) s group by 1, 2, 3, 4;
            insert into stat_personne (collectivite_id, mois, beneficiaire_id, n)
            select collectivite_id, date_trunc('month', date)::date, beneficiaire_id, count(*)
            from participation where beneficiaire_id is not null group by 1, 2, 3;
            insert into stat_premiere (beneficiaire_id, premiere)
            select beneficiaire_id, min(date) from participation where beneficiaire_id is not null group by 1;
          end $$`)
        .execute(db);
      // What was recorded before the counters existed.
      await sql`select relais_rebuild_statistics()`.execute(db);
    },
  },
};
