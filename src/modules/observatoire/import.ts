import { sql } from 'kysely';
import { actorFields, audit } from '../../platform/audit/journal.ts';
import { type Actor, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { datasetsChanged } from '../../platform/open-data.ts';
import { type ImportRowReport, importReportRecords } from '../../platform/ui/import-report.tsx';
import {
  checkIfnFile,
  type IfnKind,
  type Motif,
  type Note,
  ROW_RESULTS,
  type RowOutcome,
  type ScoreRow,
} from './ifn-file.ts';

export type IfnImportOptions = {
  /** The file's name, as the report and the vintage record it. */
  fileName: string;
  /** The vintage (year of the index); the current year when not given. */
  year?: number | undefined;
  dryRun?: boolean | undefined;
  strict?: boolean | undefined;
};

export type IfnImportReport = {
  fileName: string;
  year: number;
  /** True when no year was given and the current year was taken. */
  yearDefaulted: boolean;
  kind: IfnKind;
  read: number;
  imported: number;
  rejected: number;
  /** Every row's outcome, in file order. */
  rows: RowOutcome[];
  fileNotes: Note[];
  /** Rows rejected for each reason (a row may have several). */
  rejectedBy: Partial<Record<Motif, number>>;
  /** Rows imported with a remark, for each remark. */
  warnedBy: Partial<Record<Motif, number>>;
  /** The vintage this import replaces (or would replace), if there was one. */
  replaces: { importedAt: Date; importedBy: string; imported: number } | null;
  /** False for a dry run, or when `strict` refused a file with rejected rows. */
  written: boolean;
  dryRun: boolean;
  strict: boolean;
  /** Time taken to check and write, in milliseconds. */
  durationMs: number;
};

export type IfnImportResult = { ok: true; report: IfnImportReport } | { ok: false; reason: string };

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/** The current year in France. */
export const currentYear = () =>
  Number(new Intl.DateTimeFormat('fr-FR', { year: 'numeric', timeZone: 'Europe/Paris' }).format(new Date()));

/** 1 000 rows of 12 values: well under PostgreSQL's 65 535 parameters per statement. */
const CHUNK = 1000;
/** Serialises imports of the same vintage: the second one waits, then replaces the first. */
const VINTAGE_LOCK = 7_272_100;

/**
 * Imports one vintage of the fragility index (communes or EPCI, told by the rows). A file
 * that cannot be read as the index is refused whole. Otherwise every row is checked; the
 * accepted rows replace the vintage of the same year and level in one transaction, unless
 * it is a dry run, or a strict import with rejected rows: then nothing is written. Every
 * row lands in exactly one count, imported or rejected.
 */
export async function importIfn(
  db: Db,
  actor: Actor,
  bytes: Buffer,
  options: IfnImportOptions,
): Promise<IfnImportResult> {
  if (!isAdmin(actor)) throw new ForbiddenError('Seuls les administrateurs de l’OPSN importent l’indice.');
  const started = performance.now();
  const year = options.year ?? currentYear();
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    return {
      ok: false,
      reason: `Millésime invalide : une année entre ${MIN_YEAR} et ${MAX_YEAR} est attendue.`,
    };
  }
  const checked = checkIfnFile(bytes);
  if (!checked.ok) return checked;

  const report: IfnImportReport = {
    fileName: options.fileName,
    year,
    yearDefaulted: options.year === undefined,
    kind: checked.kind,
    read: checked.outcomes.length,
    imported: checked.accepted.length,
    rejected: checked.outcomes.length - checked.accepted.length,
    rows: checked.outcomes,
    fileNotes: checked.fileNotes,
    rejectedBy: countBy(checked.outcomes, 'errors'),
    warnedBy: countBy(checked.outcomes, 'warnings'),
    replaces: null,
    written: false,
    dryRun: options.dryRun ?? false,
    strict: options.strict ?? false,
    durationMs: 0,
  };

  if (report.dryRun || (report.strict && report.rejected > 0) || report.imported === 0) {
    report.replaces = await existingVintage(db, year, checked.kind);
  } else {
    await db.transaction().execute(async (trx) => {
      report.replaces = await replaceVintage(trx, actor, report, checked.accepted);
    });
    report.written = true;
    await datasetsChanged(db);
    // The planner should know the new rows now: PGlite has no autovacuum to tell it later.
    await sql`analyze ifn_score`.execute(db);
  }
  report.durationMs = Math.round(performance.now() - started);
  return { ok: true, report };
}

/** How many rows have each reason among their errors (or warnings). */
export function countBy(rows: RowOutcome[], notes: 'errors' | 'warnings'): Partial<Record<Motif, number>> {
  const counts: Partial<Record<Motif, number>> = {};
  for (const row of rows) {
    for (const motif of new Set(row[notes].map((n) => n.motif))) counts[motif] = (counts[motif] ?? 0) + 1;
  }
  return counts;
}

async function existingVintage(db: Db, year: number, kind: IfnKind): Promise<IfnImportReport['replaces']> {
  const row = await db
    .selectFrom('ifn_millesime')
    .select(['imported_at', 'imported_by_label', 'imported'])
    .where('year', '=', year)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row
    ? { importedAt: row.imported_at, importedBy: row.imported_by_label, imported: row.imported }
    : null;
}

/** What the vintage keeps of the report: the rows with something to say, and the file's notes. */
export type StoredReport = { rows: RowOutcome[]; fileNotes: Note[]; yearDefaulted: boolean };

/** Deletes the vintage of this year and level (its scores go with it) and writes the new one. */
async function replaceVintage(
  trx: Db,
  actor: Actor,
  report: IfnImportReport,
  accepted: ScoreRow[],
): Promise<IfnImportReport['replaces']> {
  await sql`select pg_advisory_xact_lock(${VINTAGE_LOCK}, ${report.year * 10 + (report.kind === 'epci' ? 1 : 0)})`.execute(
    trx,
  );
  const previous = await trx
    .deleteFrom('ifn_millesime')
    .where('year', '=', report.year)
    .where('kind', '=', report.kind)
    .returning(['id', 'imported_at', 'imported_by_label', 'imported'])
    .executeTakeFirst();
  const { actor_user_id, actor_label } = actorFields(actor);
  const stored: StoredReport = {
    rows: report.rows.filter((r) => r.errors.length > 0 || r.warnings.length > 0),
    fileNotes: report.fileNotes,
    yearDefaulted: report.yearDefaulted,
  };
  const vintage = await trx
    .insertInto('ifn_millesime')
    .values({
      year: report.year,
      kind: report.kind,
      file_name: report.fileName,
      imported_by: actor_user_id,
      imported_by_label: actor_label,
      read: report.read,
      imported: report.imported,
      rejected: report.rejected,
      report: JSON.stringify(stored),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await writeScores(trx, vintage.id, accepted);
  await audit(trx, {
    actor,
    action: 'ifn.import',
    subject: { type: 'ifn_millesime', id: vintage.id },
    details: {
      year: report.year,
      kind: report.kind,
      file: report.fileName,
      read: report.read,
      imported: report.imported,
      rejected: report.rejected,
      replaced: previous ? previous.imported : null,
    },
  });
  return previous
    ? {
        importedAt: previous.imported_at,
        importedBy: previous.imported_by_label,
        imported: previous.imported,
      }
    : null;
}

/**
 * Writes a vintage's scores with their ranks: the rows go to a temporary table first, then
 * into `ifn_score` with window functions, which compare the totals exactly (as numeric).
 */
async function writeScores(trx: Db, millesimeId: number, accepted: ScoreRow[]): Promise<void> {
  await sql`create temporary table ifn_stage (
    line integer, code text, name text, division text, departement text,
    no_thd_coverage_rate numeric, no_4g_coverage_rate numeric, poverty_rate numeric,
    older_65_rate numeric, nscol15p_rate numeric, total numeric
  ) on commit drop`.execute(trx);
  const stage = trx.withTables<{ ifn_stage: ScoreRow }>();
  for (let i = 0; i < accepted.length; i += CHUNK) {
    await stage
      .insertInto('ifn_stage')
      .values(accepted.slice(i, i + CHUNK))
      .execute();
  }
  await sql`insert into ifn_score (
      millesime_id, code, line, name, division, departement,
      no_thd_coverage_rate, no_4g_coverage_rate, poverty_rate, older_65_rate, nscol15p_rate, total,
      national_rank, national_percentile, departement_rank, departement_percentile, departement_count)
    select ${millesimeId}, code, line, name, division, departement,
      no_thd_coverage_rate, no_4g_coverage_rate, poverty_rate, older_65_rate, nscol15p_rate, total,
      rank() over (order by total desc),
      100 * percent_rank() over (order by total),
      rank() over (partition by departement order by total desc),
      100 * percent_rank() over (partition by departement order by total),
      count(*) over (partition by departement)
    from ifn_stage`.execute(trx);
}

/** The report as CSV rows: one per row of the file, plus one per further remark on it. */
export function reportRecords(rows: RowOutcome[], fileNotes: Note[] = []): string[][] {
  return importReportRecords('code', reportRows(rows), fileNotes);
}

/** The rows as every import reports them (`platform/ui/import-report.tsx`). */
export const reportRows = (rows: readonly RowOutcome[]): ImportRowReport[] =>
  rows.map((r) => ({ ...r, key: r.code, result: ROW_RESULTS[r.result] }));
