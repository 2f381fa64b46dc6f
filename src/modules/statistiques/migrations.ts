import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Distinct people over any range of whole months, read from a few thousand counters instead of
 * a set of hundreds of thousands of people (see counters.ts, "Distinct people").
 *
 * Every month a person is seen in a scope (a collectivité, or 0 for the whole OPSN) counts
 * once in `stat_distinct` under that month, the person's previous month in the same scope
 * (`precedent`, -infinity for none) and their first month anywhere (`premier`). The people of
 * months a..b are then the rows of those months whose previous month is before a, exactly one
 * per person; the new ones also have their first month from a on.
 *
 * A statement-level trigger on `stat_personne` (kept by the reports' own triggers) appends the
 * changes of the people whose months changed to `stat_distinct_delta`, recomputing those few
 * people's rows whole; `compactStatistics` folds the deltas. Two transactions changing one
 * person's months take turns (an advisory lock per person, held to the end of the transaction).
 */

/** The rows of `stat_distinct` for a set of `(collectivite_id, mois, beneficiaire_id)` rows, signed. */
const distinctKeys = (rows: string, sign: string) => `
  select collectivite_id, mois,
         lag(mois, 1, '-infinity'::date) over (partition by beneficiaire_id, collectivite_id order by mois) as precedent,
         min(mois) over (partition by beneficiaire_id) as premier, ${sign} as n
  from ${rows} r
  union all
  select 0, mois, lag(mois, 1, '-infinity'::date) over (partition by beneficiaire_id order by mois),
         min(mois) over (partition by beneficiaire_id), ${sign}
  from (select distinct beneficiaire_id, mois from ${rows} r) d`;

/** The current months of the changed people (`changed`, an array of ids). */
const CURRENT = `(select collectivite_id, mois, beneficiaire_id from stat_personne
  where beneficiaire_id = any(changed))`;

const DISTINCT_TRIGGER = sql.raw(`
  create function stat_personne_distinct() returns trigger language plpgsql as $$
  declare
    changed uuid[];
  begin
    -- A recount (relais_rebuild_distinct) writes the table whole afterwards.
    if current_setting('relais.stat_rebuild', true) = 'on' then
      return null;
    end if;
    if tg_op = 'INSERT' then
      select array_agg(distinct beneficiaire_id) into changed from new_rows;
    else
      select array_agg(distinct beneficiaire_id) into changed from old_rows;
    end if;
    if changed is null then
      return null;
    end if;
    -- One transaction at a time per person, in a fixed order; the statements below then see
    -- what the previous one committed (read committed: a new snapshot per statement).
    perform pg_advisory_xact_lock(1936028788, h)
    from (select distinct hashtext(p::text) as h from unnest(changed) p order by 1) l;
    if tg_op = 'INSERT' then
      insert into stat_distinct_delta (collectivite_id, mois, precedent, premier, n)
      select collectivite_id, mois, precedent, premier, sum(n) from (
        ${distinctKeys(CURRENT, '1')}
        union all
        ${distinctKeys(
          `(select c.* from ${CURRENT} c where not exists (select 1 from new_rows x
             where x.collectivite_id = c.collectivite_id and x.mois = c.mois
               and x.beneficiaire_id = c.beneficiaire_id))`,
          '-1',
        )}
      ) k group by 1, 2, 3, 4 having sum(n) <> 0;
    else
      insert into stat_distinct_delta (collectivite_id, mois, precedent, premier, n)
      select collectivite_id, mois, precedent, premier, sum(n) from (
        ${distinctKeys(CURRENT, '1')}
        union all
        ${distinctKeys(
          `(select * from ${CURRENT} c union
            select collectivite_id, mois, beneficiaire_id from old_rows)`,
          '-1',
        )}
      ) k group by 1, 2, 3, 4 having sum(n) <> 0;
    end if;
    return null;
  end $$`);

// biome-ignore lint/suspicious/noExplicitAny: migrations run on a schema-less Kysely.
async function up(db: Kysely<any>) {
  for (const table of ['stat_distinct', 'stat_distinct_delta'])
    await sql
      .raw(`create table ${table} (
        collectivite_id integer not null,
        mois date not null,
        precedent date not null,
        premier date not null,
        n integer not null
        ${table === 'stat_distinct' ? ', primary key (collectivite_id, mois, precedent, premier)' : ''}
      )`)
      .execute(db);
  await sql`create index stat_distinct_delta_key on stat_distinct_delta (collectivite_id, mois)`.execute(db);
  // A person's months, for the trigger.
  await sql`create index stat_personne_beneficiaire on stat_personne (beneficiaire_id)`.execute(db);
  await DISTINCT_TRIGGER.execute(db);
  await sql`create trigger stat_personne_distinct_insert after insert on stat_personne
    referencing new table as new_rows for each statement execute function stat_personne_distinct()`.execute(
    db,
  );
  await sql`create trigger stat_personne_distinct_delete after delete on stat_personne
    referencing old table as old_rows for each statement execute function stat_personne_distinct()`.execute(
    db,
  );
  await sql
    .raw(`create function relais_rebuild_distinct() returns void language plpgsql as $$
      begin
        truncate stat_distinct, stat_distinct_delta;
        insert into stat_distinct (collectivite_id, mois, precedent, premier, n)
        select collectivite_id, mois, precedent, premier, sum(n) from (
          ${distinctKeys('stat_personne', '1')}
        ) k group by 1, 2, 3, 4;
      end $$`)
    .execute(db);
  // The people counted before these counters existed.
  await sql`select relais_rebuild_distinct()`.execute(db);
}

/**
 * A person's months in a scope from the index alone: a period that ends or starts inside a
 * month looks up each person of its edge days in `stat_personne` (`countedPeopleWithEdges` in
 * queries.ts), by person, then scope and month. The index on the person alone made each lookup
 * read the person's rows from the table; this one answers without them (an index-only scan),
 * and it serves the distinct people's trigger, which looks people up by id, as well: it
 * replaces the other.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on a schema-less Kysely.
async function personScopeIndex(db: Kysely<any>) {
  await sql`create index stat_personne_beneficiaire_scope
    on stat_personne (beneficiaire_id, collectivite_id, mois)`.execute(db);
  await sql`drop index stat_personne_beneficiaire`.execute(db);
}

export const statistiquesMigrations: Record<string, Migration> = {
  '202612062000_statistiques_distinct': { up },
  '202612093000_statistiques_personne_scope_index': { up: personScopeIndex },
};
