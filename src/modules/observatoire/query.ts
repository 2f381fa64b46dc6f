import { sql } from 'kysely';
import { type Actor, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { type IfnKind, type RowOutcome, rowResultOf, type ScoreColumn } from './ifn-file.ts';
import type { StoredReport } from './import.ts';
import { departementName } from './reference.ts';

/**
 * Reading the imported index: the vintages, and a territory's scores with its standing
 * among the others. The index is public data (MedNum's open data): reading it needs no
 * account; the import reports are for administrators.
 */

export type IfnVintage = {
  id: number;
  year: number;
  kind: IfnKind;
  fileName: string;
  importedAt: Date;
  importedBy: string;
  read: number;
  imported: number;
  rejected: number;
};

export type IfnScores = Record<ScoreColumn, number>;

export type IfnIndex = {
  vintage: { year: number; kind: IfnKind; importedAt: Date };
  code: string;
  name: string;
  division: string;
  departement: { code: string; name: string | null } | null;
  scores: IfnScores;
};

/**
 * Where a territory stands among those of its vintage, by total: `rank` 1 is the most
 * fragile (ties share a rank); `percentile` is the share of the others that are less
 * fragile, from 0 to 100 (PostgreSQL's `percent_rank`, ascending).
 */
export type Standing = { rank: number; outOf: number; percentile: number };

export type IfnComparison = IfnIndex & {
  national: Standing;
  /** Among the communes of its département; null for an EPCI. */
  withinDepartement: Standing | null;
  /** Since the latest earlier vintage that scored this territory; null when there is none. */
  change: { year: number; scores: IfnScores; delta: IfnScores } | null;
};

/** The score columns as a tuple of literals (what typed selects need). */
export const SCORES = [
  'no_thd_coverage_rate',
  'no_4g_coverage_rate',
  'poverty_rate',
  'older_65_rate',
  'nscol15p_rate',
  'total',
] as const satisfies readonly ScoreColumn[];

const vintageOf = (row: {
  id: number;
  year: number;
  kind: IfnKind;
  file_name: string;
  imported_at: Date;
  imported_by_label: string;
  read: number;
  imported: number;
  rejected: number;
}): IfnVintage => ({
  id: row.id,
  year: row.year,
  kind: row.kind,
  fileName: row.file_name,
  importedAt: row.imported_at,
  importedBy: row.imported_by_label,
  read: row.read,
  imported: row.imported,
  rejected: row.rejected,
});

const VINTAGE_COLUMNS = [
  'id',
  'year',
  'kind',
  'file_name',
  'imported_at',
  'imported_by_label',
  'read',
  'imported',
  'rejected',
] as const;

/** Every vintage imported, the latest first. */
export async function listVintages(db: Db): Promise<IfnVintage[]> {
  const rows = await db
    .selectFrom('ifn_millesime')
    .select(VINTAGE_COLUMNS)
    .orderBy('year', 'desc')
    .orderBy('kind')
    .execute();
  return rows.map(vintageOf);
}

/** A vintage and the report of its import: every row of the file, in order (administrators only). */
export async function vintageReport(
  db: Db,
  actor: Actor,
  year: number,
  kind: IfnKind,
): Promise<(IfnVintage & StoredReport) | null> {
  if (!isAdmin(actor)) throw new ForbiddenError();
  const vintage = await db
    .selectFrom('ifn_millesime')
    .select([...VINTAGE_COLUMNS, 'report'])
    .where('year', '=', year)
    .where('kind', '=', kind)
    .executeTakeFirst();
  if (!vintage) return null;
  const stored = vintage.report as StoredReport;
  // The report kept the rows with something to say; the others are the imported scores.
  const noted = new Set(stored.rows.map((r) => r.line));
  const imported = await db
    .selectFrom('ifn_score')
    .select(['line', 'code', 'name'])
    .where('millesime_id', '=', vintage.id)
    .execute();
  const rows: RowOutcome[] = [
    ...stored.rows.map((r) => ({ ...r, result: rowResultOf(r.result) })),
    ...imported
      .filter((r) => !noted.has(r.line))
      .map((r) => ({ ...r, result: 'imported' as const, errors: [], warnings: [] })),
  ].sort((a, b) => a.line - b.line);
  return { ...vintageOf(vintage), rows, fileNotes: stored.fileNotes, yearDefaulted: stored.yearDefaulted };
}

const scoresOf = (row: Record<ScoreColumn, number>): IfnScores =>
  Object.fromEntries(SCORES.map((c) => [c, row[c]])) as IfnScores;

type ScoreRow = {
  millesime_id: number;
  year: number;
  kind: IfnKind;
  imported_at: Date;
  code: string;
  name: string;
  division: string;
  departement: string | null;
  national_rank: number;
  national_percentile: number;
  national_count: number;
  departement_rank: number;
  departement_percentile: number;
  departement_count: number;
} & Record<ScoreColumn, number>;

/** The territory's scores in its latest vintage. */
async function latestRow(db: Db, code: string): Promise<ScoreRow | undefined> {
  return db
    .selectFrom('ifn_score as s')
    .innerJoin('ifn_millesime as v', 'v.id', 's.millesime_id')
    .select([
      's.millesime_id',
      'v.year',
      'v.kind',
      'v.imported_at',
      's.code',
      's.name',
      's.division',
      's.departement',
      ...SCORES.map((c) => `s.${c}` as const),
      's.national_rank',
      's.national_percentile',
      'v.imported as national_count',
      's.departement_rank',
      's.departement_percentile',
      's.departement_count',
    ])
    .where('s.code', '=', code.trim().toUpperCase())
    .orderBy('v.year', 'desc')
    .limit(1)
    .executeTakeFirst();
}

const indexOf = (row: ScoreRow): IfnIndex => ({
  vintage: { year: row.year, kind: row.kind, importedAt: row.imported_at },
  code: row.code,
  name: row.name,
  division: row.division,
  departement: row.departement ? { code: row.departement, name: departementName(row.departement) } : null,
  scores: scoresOf(row),
});

/**
 * A commune's (INSEE code) or an EPCI's (SIREN) index in the latest vintage that scores it;
 * null when no imported vintage does.
 */
export async function latestIndex(db: Db, code: string): Promise<IfnIndex | null> {
  const row = await latestRow(db, code);
  return row ? indexOf(row) : null;
}

/**
 * The latest index of a territory with its rank and percentile nationally and, for a
 * commune, within its département, and the change since the previous vintage that scored
 * it. Null when no imported vintage scores it.
 */
export async function indexComparison(db: Db, code: string): Promise<IfnComparison | null> {
  const row = await latestRow(db, code);
  if (!row) return null;
  return {
    ...indexOf(row),
    national: { rank: row.national_rank, outOf: row.national_count, percentile: row.national_percentile },
    withinDepartement:
      row.kind === 'commune' && row.departement
        ? { rank: row.departement_rank, outOf: row.departement_count, percentile: row.departement_percentile }
        : null,
    change: await changeSince(db, row),
  };
}

/** The scores of the latest earlier vintage, and the differences (computed exactly, in SQL). */
async function changeSince(db: Db, row: ScoreRow): Promise<IfnComparison['change']> {
  const previous = await db
    .selectFrom('ifn_score as p')
    .innerJoin('ifn_millesime as v', 'v.id', 'p.millesime_id')
    .innerJoin('ifn_score as c', (join) =>
      join.on('c.millesime_id', '=', row.millesime_id).on('c.code', '=', row.code),
    )
    .select((eb) => [
      'v.year',
      ...SCORES.map((c) => eb.ref(`p.${c}`).as(c)),
      ...SCORES.map((c) => sql<number>`${eb.ref(`c.${c}`)} - ${eb.ref(`p.${c}`)}`.as(`delta_${c}`)),
    ])
    .where('p.code', '=', row.code)
    .where('v.kind', '=', row.kind)
    .where('v.year', '<', row.year)
    .orderBy('v.year', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!previous) return null;
  const values = previous as unknown as Record<string, number>;
  return {
    year: previous.year,
    scores: scoresOf(values as Record<ScoreColumn, number>),
    delta: Object.fromEntries(SCORES.map((c) => [c, values[`delta_${c}`]])) as IfnScores,
  };
}
