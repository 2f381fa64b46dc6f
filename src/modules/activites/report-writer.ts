import { sql } from 'kysely';
import type { auditRow } from '../../platform/audit/journal.ts';
import { type Db, PREPARED } from '../../platform/db/database.ts';
import { batchedPerDatabase } from '../../platform/db/statement-batcher.ts';
import type { Activity, Participation, StoredActivity } from './activity-service.ts';

/**
 * Writing new reports. One statement writes any number of reports with their participations
 * and journal entries (data-modifying CTEs of one INSERT, the rows as JSON parameters: one
 * text, prepared once per connection), and returns them as stored.
 *
 * Reports sent at the same moment are written together (`StatementBatcher`): under load, the
 * round trip, the parsing, the commit's flush to disk and the statistics counters' statement
 * triggers are shared by the reports of a batch instead of paid by each. Each report is
 * acknowledged only when the statement that holds it has committed; when a batch fails, its
 * reports are written again one by one, so that one report's refusal (a place deleted
 * meanwhile) fails that report alone.
 */

/** Statements writing reports at the same time, per database. */
const IN_FLIGHT = 2;
/** Reports in one statement, at most. */
const MAX_BATCH = 100;

/** A report's row in `activite`, as the service prepared it. */
export type NewReport = Omit<Activity, 'created_at' | 'updated_at' | 'oriente'> & { oriente: boolean };
/** A participation of a new report (its date and collectivité are the report's). */
export type NewParticipation = Pick<
  Participation,
  'id' | 'beneficiaire_id' | 'genre' | 'tranche_age' | 'statut' | 'commune_insee'
>;
/** What one report writes. */
export type ReportWrite = {
  report: NewReport;
  participations: NewParticipation[];
  journal: ReturnType<typeof auditRow>;
};

/** Writes these reports in one statement (on `db`, which may be a transaction), in their order. */
export async function insertReports(db: Db, writes: readonly ReportWrite[]): Promise<StoredActivity[]> {
  const reports = JSON.stringify(writes.map((w) => w.report));
  const participations = JSON.stringify(
    writes.flatMap((w) => w.participations.map((p) => ({ ...p, activite_id: w.report.id }))),
  );
  const journal = JSON.stringify(
    writes.map(({ journal: j }) => ({ ...j, at: j.at.toISOString(), details: JSON.parse(j.details) })),
  );
  const { rows } = await sql<StoredActivity>`
    with a as (
      insert into activite (id, type, collectivite_id, mediateur_id, date, duree_min, canal, lieu_id,
        commune_insee, materiels, thematiques, demarches, autonomie, titre, niveau, oriente, orientation, notes)
      select id, type, collectivite_id, mediateur_id, date, duree_min, canal, lieu_id, commune_insee,
        materiels, thematiques, demarches, autonomie, titre, niveau, oriente, orientation, notes
      from jsonb_to_recordset(${reports}::jsonb) as r(id uuid, type text, collectivite_id integer,
        mediateur_id uuid, date date, duree_min integer, canal text, lieu_id uuid, commune_insee text,
        materiels text[], thematiques text[], demarches text[], autonomie text, titre text, niveau text,
        oriente boolean, orientation text, notes text)
      returning *),
    j as (
      insert into audit_event (at, actor_user_id, actor_label, action, collectivite_id, subject_type,
        subject_id, ip, details)
      select at, actor_user_id, actor_label, action, collectivite_id, subject_type, subject_id, ip, details
      from jsonb_to_recordset(${journal}::jsonb) as j(at timestamptz, actor_user_id uuid, actor_label text,
        action text, collectivite_id integer, subject_type text, subject_id text, ip text, details jsonb)
      returning id),
    p as (
      insert into participation (id, activite_id, collectivite_id, date, beneficiaire_id, genre, tranche_age,
        statut, commune_insee)
      select r.id, a.id, a.collectivite_id, a.date, r.beneficiaire_id, r.genre, r.tranche_age, r.statut,
        r.commune_insee
      from jsonb_to_recordset(${participations}::jsonb) as r(id uuid, activite_id uuid, beneficiaire_id uuid,
        genre text, tranche_age text, statut text, commune_insee text)
      join a on a.id = r.activite_id
      returning *)
    select a.*, coalesce((select json_agg(p order by p.beneficiaire_id is null, p.id) from p
      where p.activite_id = a.id), '[]') as participations
    from a ${PREPARED}`.execute(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return writes.map((w) => byId.get(w.report.id)!);
}

/**
 * Writes a new report, with the reports sent at the same moment (see above); inside a
 * transaction, at once and alone, as part of it.
 */
export const writeReport: (db: Db, write: ReportWrite) => Promise<StoredActivity> = batchedPerDatabase(
  insertReports,
  { inFlight: IN_FLIGHT, maxBatch: MAX_BATCH },
);
