import { sql } from 'kysely';
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
 * People are not additive: `stat_personne` keeps who was seen where each month (upserted by
 * the same triggers; rows only conflict for one person recorded twice at once) and
 * `stat_premiere` each person's first participation.
 *
 * Dimensions: of activities `type`, `canal`, `duree` (band), `materiel`, `thematique`,
 * `demarche` (each code once per activity); of participations `genre`, `age`, `statut`,
 * `identite` (`identifie` or `anonyme`) and `commune` (INSEE code, '' when unknown).
 *
 * The triggers sit on module activites' tables, so their migration is that module's
 * (activites/rollup.ts); the counters are this module's.
 *
 * Distinct people over a collectivité's or the OPSN's whole months come from `stat_distinct`
 * (and its deltas, `stat_distinct_delta`): one row per scope, month, previous month of the
 * person in that scope and first month of the person anywhere, counting people. A range of
 * months a..b holds one row per person whose previous month is before a, so the count is a
 * sum over a few thousand rows, exact, whatever the number of people (migrations.ts).
 */

declare module '../../platform/db/schema.ts' {
  interface Database {
    stat_total: { collectivite_id: number; mois: string; dim: string; code: string; n: number };
    stat_delta: { collectivite_id: number; mois: string; dim: string; code: string; n: number };
    /** The recorded people seen in a collectivité in a month (`n` participations), for distinct counts. */
    stat_personne: { collectivite_id: number; mois: string; beneficiaire_id: string; n: number };
    /** Each recorded person's first participation anywhere, for "new people". */
    stat_premiere: { beneficiaire_id: string; premiere: string };
    /**
     * People seen in a scope (`collectivite_id`, 0 for the whole OPSN) in a month, by their
     * previous month in that scope ('-infinity' for none) and their first month anywhere.
     */
    stat_distinct: { collectivite_id: number; mois: string; precedent: string; premier: string; n: number };
    stat_distinct_delta: {
      collectivite_id: number;
      mois: string;
      precedent: string;
      premier: string;
      n: number;
    };
  }
}

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
  const people = await sql<{ folded: number }>`
    with moved as (delete from stat_distinct_delta returning collectivite_id, mois, precedent, premier, n),
    folded as (
      insert into stat_distinct (collectivite_id, mois, precedent, premier, n)
      select collectivite_id, mois, precedent, premier, sum(n) from moved group by 1, 2, 3, 4
      on conflict (collectivite_id, mois, precedent, premier) do update set n = stat_distinct.n + excluded.n
    )
    select count(*)::int as folded from moved`.execute(db);
  await db.deleteFrom('stat_distinct').where('n', '=', 0).execute();
  return (result.rows[0]?.folded ?? 0) + (people.rows[0]?.folded ?? 0);
}

/**
 * Recounts every counter from the reports, in one transaction: after a bulk load written with
 * the triggers disabled (as the benchmark does), or to check them.
 */
export async function rebuildStatistics(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // The distinct people's counters are recounted whole after the people's months.
    await sql`select set_config('relais.stat_rebuild', 'on', true)`.execute(trx);
    await sql`select relais_rebuild_statistics()`.execute(trx);
    await sql`select relais_rebuild_distinct()`.execute(trx);
  });
}
