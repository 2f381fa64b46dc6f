import { createHash } from 'node:crypto';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import { csvText } from '../../platform/csv.ts';
import type { Db } from '../../platform/db/database.ts';
import { type Dataset, type DatasetRow, FORMATS, type Format } from './dataset.ts';

/** A generated file as pages and the catalogue describe it (its content aside). */
export type PublishedFile = {
  dataset: string;
  format: Format;
  bytes: number;
  rows: number;
  sha256: string;
  generated_at: Date;
};

export const MEDIA_TYPES: Record<Format, string> = {
  csv: 'text/csv',
  json: 'application/json',
};

/** The column names of a file: the dictionary's, or the rows' own keys when it has none yet. */
function columnNames(dataset: Dataset, rows: readonly DatasetRow[]): string[] {
  if (dataset.columns.length > 0) return dataset.columns.map((c) => c.name);
  return rows[0] ? Object.keys(rows[0]) : [];
}

/**
 * A dataset's rows as a file. CSV follows the open-data convention (UTF-8 without BOM, comma,
 * header line, empty cell for no value), not the semicolons French spreadsheets expect; JSON
 * is an array of objects with the same keys in the same order, null for no value.
 */
export function serialise(dataset: Dataset, rows: readonly DatasetRow[], format: Format): Buffer {
  const names = columnNames(dataset, rows);
  if (format === 'csv') {
    const cell = (value: DatasetRow[string] | undefined) => value ?? '';
    return Buffer.from(csvText([names, ...rows.map((row) => names.map((name) => cell(row[name])))]));
  }
  const ordered = rows.map((row) => Object.fromEntries(names.map((name) => [name, row[name] ?? null])));
  return Buffer.from(JSON.stringify(ordered));
}

export type PublicationResult = {
  dataset: string;
  /** `publie`: new content; `inchange`: the same bytes as before; `indisponible`: no generator yet. */
  status: 'publie' | 'inchange' | 'indisponible' | 'erreur';
  rows: number;
  bytes: Partial<Record<Format, number>>;
  error?: string;
};

/**
 * Generates one dataset and stores its files in one transaction, journaled. Files whose bytes
 * did not change keep their date, so that their ETag, Last-Modified and the catalogue's
 * `dct:modified` tell reusers when the data really changed.
 */
async function publishDataset(db: Db, actor: Actor, dataset: Dataset): Promise<PublicationResult> {
  if (!dataset.generate) return { dataset: dataset.id, status: 'indisponible', rows: 0, bytes: {} };
  let rows: DatasetRow[];
  try {
    // Read outside the transaction: a long generation must not hold PGlite's one connection.
    rows = await dataset.generate(db);
  } catch (error) {
    return { dataset: dataset.id, status: 'erreur', rows: 0, bytes: {}, error: (error as Error).message };
  }
  const files = FORMATS.map((format) => {
    const content = serialise(dataset, rows, format);
    return { format, content, sha256: createHash('sha256').update(content).digest('hex') };
  });
  const bytes = Object.fromEntries(files.map((f) => [f.format, f.content.length]));
  const changed = await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('donnees_fichier')
      .select(['format', 'sha256'])
      .where('dataset', '=', dataset.id)
      .execute();
    const same = files.every((f) => current.some((c) => c.format === f.format && c.sha256 === f.sha256));
    if (!same) {
      const now = new Date();
      for (const f of files) {
        const values = {
          content: f.content,
          bytes: f.content.length,
          rows: rows.length,
          sha256: f.sha256,
          generated_at: now,
        };
        // An upsert: two publications at once (the schedule and the button) queue, never fail.
        await trx
          .insertInto('donnees_fichier')
          .values({ dataset: dataset.id, format: f.format, ...values })
          .onConflict((oc) => oc.columns(['dataset', 'format']).doUpdateSet(values))
          .execute();
      }
    }
    await audit(trx, {
      actor,
      action: 'donnees.publish',
      subject: { type: 'donnees', id: dataset.id },
      details: { lignes: rows.length, octets: bytes, modifie: !same },
    });
    return !same;
  });
  return { dataset: dataset.id, status: changed ? 'publie' : 'inchange', rows: rows.length, bytes };
}

/**
 * Rebuilds the files of every dataset (the modules' datasets, as the platform collected them), one dataset after the other, each in its own transaction:
 * a dataset that fails is reported and leaves its previous files in place, the others go on.
 */
export async function regenerateDatasets(
  db: Db,
  actor: Actor,
  datasets: readonly Dataset[],
): Promise<PublicationResult[]> {
  ensure(actor, 'opendata.publish');
  const results: PublicationResult[] = [];
  for (const dataset of datasets) results.push(await publishDataset(db, actor, dataset));
  return results;
}

const META = ['dataset', 'format', 'bytes', 'rows', 'sha256', 'generated_at'] as const;

/** Every generated file, without its content. */
export function publishedFiles(db: Db): Promise<PublishedFile[]> {
  return db.selectFrom('donnees_fichier').select(META).orderBy('dataset').orderBy('format').execute();
}

/** One dataset's generated files, without their content. */
export function filesOf(db: Db, datasetId: string): Promise<PublishedFile[]> {
  return db
    .selectFrom('donnees_fichier')
    .select(META)
    .where('dataset', '=', datasetId)
    .orderBy('format')
    .execute();
}

/** A file's content, read only once a conditional request did not spare it. */
export async function fileContent(db: Db, datasetId: string, format: Format): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('donnees_fichier')
    .select('content')
    .where('dataset', '=', datasetId)
    .where('format', '=', format)
    .executeTakeFirst();
  return row?.content;
}
