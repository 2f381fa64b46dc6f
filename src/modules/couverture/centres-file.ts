import { parse as parseCsv } from 'csv-parse/sync';
import type { Db } from '../../platform/db/database.ts';
import { isInFrance } from '../lieux/index.ts';
import { lookupTerritory } from '../territoires/index.ts';
import { type Centre, saveCentres } from './centres.ts';

/**
 * Reference points of communes from a public CSV file: the national list of communes
 * (`code_insee`, `latitude_mairie`/`latitude_centre`…), INSEE or IGN extracts (`codgeo`, `lat`,
 * `lon`), La Poste's postcode base (`code_commune_insee`, `coordonnees_gps` « lat, lon »)…
 * All or nothing: one rejected row and nothing is written.
 */

/** Accepted column names, lower case, in order of preference. */
const CODE_COLUMNS = ['code_insee', 'code_commune_insee', 'codgeo', 'insee_com', 'insee'];
const LATITUDE_COLUMNS = ['latitude', 'latitude_mairie', 'latitude_centre', 'lat'];
const LONGITUDE_COLUMNS = ['longitude', 'longitude_mairie', 'longitude_centre', 'lon', 'lng'];
/** One column holding « latitude, longitude ». */
const POINT_COLUMNS = ['coordonnees_gps', '_geopoint', 'geopoint', 'geo_point_2d', 'coordonnees'];

export type Rejection = { line: number; field: string; value: string; reason: string };

/** Rows left aside without refusing the file: they describe no commune of their own. */
export type IgnoredKind = 'arrondissement' | 'deleguee' | 'etranger' | 'doublon';

export type CentresReport = {
  fileName: string;
  source: string;
  /** The columns read: code, then latitude and longitude (or the one point column). */
  columns: string[];
  read: number;
  /** Communes with a valid point (one per commune). */
  communes: number;
  ignored: Record<IgnoredKind, number>;
  /** Every problem of every rejected row. */
  rejections: Rejection[];
  rejectedRows: number;
  dryRun: boolean;
  written: boolean;
};

export type ImportResult = { ok: true; report: CentresReport } | { ok: false; reason: string };

type Columns =
  | { code: string; latitude: string; longitude: string }
  | { code: string; point: string; latitude?: undefined; longitude?: undefined };

type ParsedRow = { line: number; data: Record<string, string> };

function detectDelimiter(header: string): string {
  const count = (c: string) => header.split(c).length - 1;
  return [';', '\t', ','].reduce((best, c) => (count(c) > count(best) ? c : best), ',');
}

/** Column names as compared: trimmed, lower case, without La Poste's leading `#`. */
const columnKey = (name: string) => name.trim().replace(/^#/, '').trim().toLowerCase();

function readCsv(
  text: string,
): { ok: true; names: string[]; rows: ParsedRow[] } | { ok: false; reason: string } {
  const header = text.slice(0, text.search(/\r?\n|$/));
  let names: string[] = [];
  try {
    const records = parseCsv(text, {
      delimiter: detectDelimiter(header),
      columns: (raw: string[]) => {
        names = raw.map(columnKey);
        return names;
      },
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      info: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
    return { ok: true, names, rows: records.map((r) => ({ line: r.info.lines, data: r.record })) };
  } catch (error) {
    return { ok: false, reason: `CSV illisible : ${(error as Error).message}` };
  }
}

function findColumns(names: string[]): Columns | null {
  const first = (candidates: string[]) => candidates.find((c) => names.includes(c));
  const code = first(CODE_COLUMNS);
  if (!code) return null;
  const latitude = first(LATITUDE_COLUMNS);
  const longitude = first(LONGITUDE_COLUMNS);
  if (latitude && longitude) return { code, latitude, longitude };
  const point = first(POINT_COLUMNS);
  return point ? { code, point } : null;
}

const missingColumns = () =>
  'Colonnes introuvables : il faut un code INSEE (' +
  CODE_COLUMNS.join(', ') +
  ') et soit une latitude (' +
  LATITUDE_COLUMNS.join(', ') +
  ') et une longitude (' +
  LONGITUDE_COLUMNS.join(', ') +
  '), soit une colonne « latitude, longitude » (' +
  POINT_COLUMNS.join(', ') +
  ').';

type CodeCheck =
  | { ok: true; code: string }
  | { ok: false; ignore: IgnoredKind }
  | { ok: false; reason: string };

/** A current commune's code, a row to leave aside, or why the code is refused. */
function checkCode(value: string): CodeCheck {
  const code = value.trim().toUpperCase();
  if (code === '') return { ok: false, reason: 'code INSEE manquant' };
  if (/^\d{4}$/.test(code)) {
    return { ok: false, reason: `code INSEE à 5 caractères attendu (zéro initial perdu ? 0${code})` };
  }
  if (!/^(\d{5}|2[AB]\d{3})$/.test(code)) {
    return { ok: false, reason: 'code INSEE à 5 caractères attendu (par exemple 69266 ou 2A004)' };
  }
  // INSEE codes 99xxx designate foreign countries (La Poste's file lists Monaco).
  if (code.startsWith('99')) return { ok: false, ignore: 'etranger' };
  const found = lookupTerritory(code);
  if (found.ok) return { ok: true, code };
  if (found.reason.includes('arrondissement municipal')) return { ok: false, ignore: 'arrondissement' };
  if (found.reason.includes('déléguée ou associée')) return { ok: false, ignore: 'deleguee' };
  return { ok: false, reason: 'aucune commune actuelle n’a ce code dans le code officiel géographique' };
}

/** A decimal number, with a point or a decimal comma (`45,7667` in French spreadsheets). */
function decimal(value: string): number | null {
  const text = value.trim().replace(/^(-?\d+),(\d+)$/, '$1.$2');
  return /^[-+]?\d+(\.\d+)?$/.test(text) ? Number(text) : null;
}

type PointCheck =
  | { ok: true; latitude: number; longitude: number }
  | { ok: false; empty: true }
  | { ok: false; empty?: false; errors: Omit<Rejection, 'line'>[] };

function checkPoint(row: Record<string, string>, columns: Columns): PointCheck {
  let latText: string;
  let lonText: string;
  let latField: string;
  let lonField: string;
  if (columns.latitude !== undefined) {
    latField = columns.latitude;
    lonField = columns.longitude;
    latText = (row[latField] ?? '').trim();
    lonText = (row[lonField] ?? '').trim();
  } else {
    const field = columns.point;
    const text = (row[field] ?? '').trim();
    if (text === '') return { ok: false, empty: true };
    const pair = text.match(/^([^,;\s]+)\s*[,;]\s*([^,;\s]+)$/) ?? text.match(/^(\S+)\s+(\S+)$/);
    if (!pair) {
      return {
        ok: false,
        errors: [
          { field, value: text, reason: '« latitude, longitude » attendu, par exemple 45.7667, 4.8803' },
        ],
      };
    }
    [latField, lonField, latText, lonText] = [field, field, pair[1]!, pair[2]!];
  }
  if (latText === '' && lonText === '') return { ok: false, empty: true };
  const errors: Omit<Rejection, 'line'>[] = [];
  const latitude = decimal(latText);
  const longitude = decimal(lonText);
  if (latitude === null) errors.push({ field: latField, value: latText, reason: 'nombre décimal attendu' });
  else if (Math.abs(latitude) > 90)
    errors.push({ field: latField, value: latText, reason: 'latitude entre -90 et 90 attendue' });
  if (longitude === null) errors.push({ field: lonField, value: lonText, reason: 'nombre décimal attendu' });
  else if (Math.abs(longitude) > 180) {
    errors.push({ field: lonField, value: lonText, reason: 'longitude entre -180 et 180 attendue' });
  }
  if (errors.length > 0 || latitude === null || longitude === null) return { ok: false, errors };
  if (!isInFrance(latitude, longitude)) {
    const swapped = isInFrance(longitude, latitude) ? ' (latitude et longitude inversées ?)' : '';
    return {
      ok: false,
      errors: [
        {
          field: latField === lonField ? latField : `${latField}, ${lonField}`,
          value: `${latText}, ${lonText}`,
          reason: `position hors de France, outre-mer compris${swapped}`,
        },
      ],
    };
  }
  return { ok: true, latitude, longitude };
}

export type CheckedFile =
  | {
      ok: true;
      columns: string[];
      read: number;
      centres: Centre[];
      ignored: Record<IgnoredKind, number>;
      rejections: Rejection[];
      rejectedRows: number;
    }
  | { ok: false; reason: string };

/** Reads and checks every row; the first valid point of a commune is kept, later rows are duplicates. */
export function checkCentresFile(content: string): CheckedFile {
  const text = content.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, reason: 'Le fichier est vide.' };
  const parsed = readCsv(text);
  if (!parsed.ok) return parsed;
  const columns = findColumns(parsed.names);
  if (!columns) return { ok: false, reason: missingColumns() };
  if (parsed.rows.length === 0)
    return { ok: false, reason: 'Le fichier ne contient aucune ligne de données.' };

  const ignored: Record<IgnoredKind, number> = { arrondissement: 0, deleguee: 0, etranger: 0, doublon: 0 };
  const rejections: Rejection[] = [];
  const rejectedLines = new Set<number>();
  const kept = new Map<string, Centre>();
  /** Rows of a commune without any point: refused only if no other row gives one. */
  const withoutPoint: { line: number; code: string; field: string }[] = [];
  const reject = (line: number, problem: Omit<Rejection, 'line'>) => {
    rejections.push({ line, ...problem });
    rejectedLines.add(line);
  };

  for (const { line, data } of parsed.rows) {
    const codeValue = data[columns.code] ?? '';
    const code = checkCode(codeValue);
    if (!code.ok && 'ignore' in code) {
      ignored[code.ignore] += 1;
      continue;
    }
    const point = checkPoint(data, columns);
    if (!code.ok) reject(line, { field: columns.code, value: codeValue.trim(), reason: code.reason });
    if (!point.ok && !point.empty) for (const error of point.errors) reject(line, error);
    if (!code.ok || rejectedLines.has(line)) continue;
    if (!point.ok) {
      withoutPoint.push({ line, code: code.code, field: columns.latitude ?? columns.point });
    } else if (kept.has(code.code)) {
      ignored.doublon += 1;
    } else {
      kept.set(code.code, { code: code.code, latitude: point.latitude, longitude: point.longitude });
    }
  }
  for (const row of withoutPoint) {
    if (kept.has(row.code)) ignored.doublon += 1;
    else reject(row.line, { field: row.field, value: '', reason: 'position manquante' });
  }
  rejections.sort((a, b) => a.line - b.line);

  return {
    ok: true,
    columns:
      columns.latitude !== undefined
        ? [columns.code, columns.latitude, columns.longitude]
        : [columns.code, columns.point],
    read: parsed.rows.length,
    centres: [...kept.values()],
    ignored,
    rejections,
    rejectedRows: rejectedLines.size,
  };
}

export type ImportOptions = { fileName: string; source?: string; dryRun?: boolean };

/** Checks the file, then writes every point in one transaction, or nothing if a row is rejected. */
export async function importCentres(db: Db, content: string, options: ImportOptions): Promise<ImportResult> {
  const checked = checkCentresFile(content);
  if (!checked.ok) return checked;
  const source = options.source?.trim() || options.fileName;
  const dryRun = options.dryRun ?? false;
  const written = !dryRun && checked.rejectedRows === 0;
  if (written) await db.transaction().execute((trx) => saveCentres(trx, checked.centres, source));
  return {
    ok: true,
    report: {
      fileName: options.fileName,
      source,
      columns: checked.columns,
      read: checked.read,
      communes: checked.centres.length,
      ignored: checked.ignored,
      rejections: checked.rejections,
      rejectedRows: checked.rejectedRows,
      dryRun,
      written,
    },
  };
}
