import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { type Options as CsvOptions, parse as csvParser } from 'csv-parse';
import { sql } from 'kysely';
import { actorFields, audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ensure, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { moduleBeside } from '../../platform/module-url.ts';
import { datasetsChanged } from '../../platform/open-data.ts';
import { timeSlicer } from '../../platform/time-slice.ts';
import { type ImportRowReport, importReportRecords } from '../../platform/ui/import-report.tsx';
import { type Collectivite, displayName, findCommune, listCollectivites } from '../territoires/index.ts';
import { type ColumnMapping, mapRow } from './import-mapping.ts';
import { columnsOf, diffPlaces, type Place, placeHash, placeOf, rememberWords } from './store.ts';
import { type CheckOptions, checkLmnRow, DROPPED, type Note } from './validation.ts';
import { LMN_FIELD_NAMES, type LmnPlace } from './vocabulary.ts';

export type ImportOptions = {
  fileName: string;
  /** Name of the source; re-importing the same source updates its places. */
  source?: string;
  /** Every place goes to this member collectivité (INSEE code or SIREN). */
  collectiviteCode?: string;
  draft?: boolean;
  dryRun?: boolean;
  strict?: boolean;
  overwrite?: boolean;
  /** For a file in another layout: how its columns become the standard's fields. */
  mapping?: ColumnMapping | undefined;
  /** Reads and checks the file in a worker thread; by default for a file of 1 MB or more. */
  worker?: boolean;
  /**
   * Told how long each step took (milliseconds): the bench's profile of an import. Awaited: the
   * import goes on once it settles (tests act between two steps).
   */
  onStep?: (step: string, ms: number) => void | Promise<void>;
};

/** What became of a row, as a code, with the French word the reports show. */
export const ROW_RESULTS = {
  created: 'créé',
  updated: 'mis à jour',
  unchanged: 'inchangé',
  kept: 'conservé',
  rejected: 'rejeté',
} as const;
export type RowResult = keyof typeof ROW_RESULTS;

/** A stored report's row result: reports stored before the codes hold the French words. */
export function rowResultOf(stored: string): RowResult {
  if (Object.hasOwn(ROW_RESULTS, stored)) return stored as RowResult;
  const code = (Object.keys(ROW_RESULTS) as RowResult[]).find((c) => ROW_RESULTS[c] === stored);
  if (!code) throw new Error(`Unknown import row result: ${stored}`);
  return code;
}

export type RowOutcome = {
  /** Line of the file (CSV, header on line 1) or position in the array (JSON, from 1). */
  line: number;
  id: string | null;
  nom: string | null;
  result: RowResult;
  errors: Note[];
  warnings: Note[];
};

export type ImportReport = {
  fileName: string;
  source: string;
  format: ImportFormat;
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rows: RowOutcome[];
  /** Problems of the file as a whole (fields outside the standard…). */
  fileNotes: Note[];
  /**
   * Communes of places outside the territory of the collectivité they are attached to, with
   * how many rows each (every such row also carries a warning).
   */
  outside: OutsideTerritory[];
  /** False for a dry run, or when `strict` refused a file with rejected rows. */
  written: boolean;
  dryRun: boolean;
  strict: boolean;
  importId: string | null;
};

export type OutsideTerritory = { code: string; name: string; rows: number; territory: string };

export type ImportFormat = 'csv' | 'json' | 'xlsx';

export type ParsedFile =
  | {
      ok: true;
      format: ImportFormat;
      /** The file's column names (trimmed, lower case), in order. */
      columns: string[];
      rows: { line: number; data: Record<string, unknown> }[];
    }
  | { ok: false; reason: string };

/** An XLSX workbook is a ZIP archive: it starts with the ZIP signature. */
const isZip = (bytes: Uint8Array) =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/**
 * A file's text: UTF-8 (with or without BOM), or else Windows-1252, the encoding of the
 * CSV files Excel saves in France.
 */
function textOf(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const NOT_LMN_HEADER = 'La première ligne doit nommer les colonnes du standard (id, pivot, nom, …).';

/**
 * Reads LMN rows from CSV (comma or semicolon, UTF-8 with or without BOM, or Windows-1252),
 * an XLSX workbook (its first sheet, header on the first row) or JSON (array of objects). A
 * CSV file is read a slice at a time, yielding to the event loop between slices: a large file
 * never holds the server.
 */
export async function parsePlacesFile(
  content: string | Uint8Array,
  options: { requireId?: boolean } = {},
): Promise<ParsedFile> {
  const parsed = await parseAnyFile(content);
  // A table without the standard's `id` column is not of the standard (unless mapped).
  if (parsed.ok && parsed.format !== 'json' && (options.requireId ?? true) && !parsed.columns.includes('id'))
    return { ok: false, reason: NOT_LMN_HEADER };
  return parsed;
}

async function parseAnyFile(content: string | Uint8Array): Promise<ParsedFile> {
  if (typeof content !== 'string' && isZip(content)) return parseXlsx(content);
  const text = (typeof content === 'string' ? content : textOf(content)).replace(/^\uFEFF/, '');
  const start = text.trimStart()[0];
  if (start === undefined) return { ok: false, reason: 'Le fichier est vide.' };
  if (start === '[' || start === '{') return parseJson(text);
  return parseCsvText(text);
}

/** A cell's value as the text a CSV file would hold. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value !== 'object') return String(value);
  const v = value as {
    richText?: { text: string }[];
    text?: unknown;
    hyperlink?: string;
    result?: unknown;
    error?: string;
  };
  if (v.richText) return v.richText.map((r) => r.text).join('');
  if (v.text !== undefined) return cellText(v.text) || (v.hyperlink ?? '');
  if ('result' in v) return cellText(v.result);
  return '';
}

/** Codes a spreadsheet turns into numbers lose their leading zeros: put them back. */
const ZERO_PADDED: Record<string, number> = { code_postal: 5, code_insee: 5, telephone: 10 };

async function parseXlsx(bytes: Uint8Array): Promise<ParsedFile> {
  // Loaded on first use: most processes never read a workbook.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);
  } catch (error) {
    return { ok: false, reason: `Classeur XLSX illisible : ${(error as Error).message}` };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.rowCount === 0)
    return { ok: false, reason: 'La première feuille du classeur est vide.' };
  const names: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, column) => {
    names[column] = cellText(cell.value).trim().toLowerCase();
  });
  const rows: { line: number; data: Record<string, unknown> }[] = [];
  sheet.eachRow({ includeEmpty: false }, (sheetRow, line) => {
    if (line === 1) return;
    const data: Record<string, unknown> = {};
    let filled = false;
    sheetRow.eachCell({ includeEmpty: false }, (cell, column) => {
      const name = names[column];
      if (!name) return;
      let text = cellText(cell.value);
      const width = ZERO_PADDED[name];
      if (width && typeof cell.value === 'number' && text.length < width) text = text.padStart(width, '0');
      data[name] = text;
      if (text.trim() !== '') filled = true;
    });
    if (filled) rows.push({ line, data });
  });
  return { ok: true, format: 'xlsx', columns: names.filter(Boolean), rows };
}

/** Characters of CSV given to the parser at a time (a few milliseconds of parsing). */
const PARSE_PIECE = 16 * 1024;

/** csv-parse's stream parser fed a piece at a time, in time slices; the records it read, in order. */
async function parseCsvInSlices(text: string, options: CsvOptions): Promise<unknown[]> {
  const pause = timeSlicer();
  const parser = csvParser(options);
  const records: unknown[] = [];
  parser.on('readable', () => {
    for (let record = parser.read(); record !== null; record = parser.read()) records.push(record);
  });
  const finished = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  finished.catch(() => {});
  for (let i = 0; i < text.length && !parser.destroyed; i += PARSE_PIECE) {
    parser.write(text.slice(i, i + PARSE_PIECE));
    await pause();
  }
  parser.end();
  await finished;
  return records;
}

function parseJson(text: string): ParsedFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `JSON illisible : ${(error as Error).message}` };
  }
  // Some exports wrap the array: { "data": [...] } or { "lieux": [...] }.
  if (data && !Array.isArray(data) && typeof data === 'object') {
    const inner = Object.values(data).find(Array.isArray);
    if (inner) data = inner;
  }
  if (!Array.isArray(data))
    return { ok: false, reason: 'Le JSON doit être un tableau d’objets (un objet par lieu).' };
  const rows: { line: number; data: Record<string, unknown> }[] = [];
  const columns = new Set<string>();
  for (const [i, item] of data.entries()) {
    const record = item && typeof item === 'object' && !Array.isArray(item) ? item : {};
    for (const key of Object.keys(record)) columns.add(key.trim().toLowerCase());
    rows.push({ line: i + 1, data: record });
  }
  return { ok: true, format: 'json', columns: [...columns], rows };
}

async function parseCsvText(text: string): Promise<ParsedFile> {
  const header = text.slice(0, text.indexOf('\n') >>> 0);
  const delimiter = (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  let columns: string[] = [];
  try {
    const records = (await parseCsvInSlices(text, {
      columns: (names: string[]) => {
        columns = names.map((n) => n.trim().toLowerCase());
        return columns;
      },
      delimiter,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    })) as { record: Record<string, string>; info: { lines: number; empty_lines: number } }[];
    // A record's first line, counted from the header (line 1) through skipped blank lines and
    // line breaks inside quoted cells (csv-parse's own count gives the last line, and counts a
    // CRLF inside quotes twice).
    const breaks = (value: unknown) => String(value).match(/\r\n|\r|\n/g)?.length ?? 0;
    let lastLine = 1;
    let emptyLines = 0;
    const pause = timeSlicer();
    const rows: { line: number; data: Record<string, string> }[] = [];
    for (const r of records) {
      const line = lastLine + 1 + (r.info.empty_lines - emptyLines);
      emptyLines = r.info.empty_lines;
      lastLine = line + Object.values(r.record).reduce((n, v) => n + breaks(v), 0);
      rows.push({ line, data: r.record });
      await pause();
    }
    return { ok: true, format: 'csv', columns: columns.filter(Boolean), rows };
  } catch (error) {
    return { ok: false, reason: `CSV illisible : ${(error as Error).message}` };
  }
}

type Existing = {
  id: string;
  lmn_id: string;
  collectivite_id: number | null;
  import_hash: string | null;
  imported_at: Date | null;
  edited_at: Date | null;
};

/** The member collectivité a place belongs to, from its commune; null: the OPSN. */
function collectiviteResolver(members: Collectivite[]): (codeInsee: string | null) => number | null {
  const byCommune = new Map<string, number>();
  for (const m of members) {
    if (m.kind === 'epci')
      for (const c of m.member_communes) if (!byCommune.has(c.code)) byCommune.set(c.code, m.id);
  }
  // A commune that is a member itself wins over its EPCI.
  for (const m of members) if (m.kind === 'commune') byCommune.set(m.code, m.id);
  return (code) => (code ? (byCommune.get(code) ?? null) : null);
}

/** A valid row and what the import does with it, decided before anything is written. */
type Planned = { outcome: RowOutcome; place: LmnPlace; hash: string; collectiviteId: number | null };

/**
 * A staged row as the final write needs it: its outcome to correct, the place's id, and for an
 * update the known place (only this is kept of a row once staged: tens of thousands of places
 * held until the end would make the garbage collector stall this thread).
 */
type Written = { outcome: RowOutcome; lmnId: string; lieuId: string | null };

/** A row as the checking step hands it over: its outcome so far and, when valid, its place. */
export type CheckedRow = {
  outcome: RowOutcome;
  /** A valid row's place, its fingerprint, and its columns of `lieu` as JSON (staged as they are). */
  valid?: { place: LmnPlace; hash: string; columns: string };
};

/** What the checking step says: the file refused, or its size, then its rows by chunks, then its notes. */
export type CheckMessage =
  | { kind: 'refused'; reason: string }
  | { kind: 'read'; format: ImportFormat; read: number }
  | { kind: 'rows'; rows: CheckedRow[] }
  | { kind: 'end'; fileNotes: Note[] };

export type CheckOptionsOfFile = { mapping?: ColumnMapping | undefined; strict: boolean };

/** Rows checked, then compared with the database and staged, at a time. */
const CHUNK = 500;

/**
 * Reads and checks a file (what it says, before what the database holds), and turns each valid
 * row into its columns: the CPU-bound part of an import, which a large file runs in a worker
 * thread (`import-worker.ts`). Rows come out by chunks, in the file's order.
 */
export async function* checkPlacesFile(
  content: string | Uint8Array,
  options: CheckOptionsOfFile,
): AsyncGenerator<CheckMessage> {
  const { mapping } = options;
  const parsed = await parsePlacesFile(content, { requireId: !mapping });
  if (!parsed.ok) {
    yield { kind: 'refused', reason: parsed.reason };
    return;
  }
  if (parsed.rows.length === 0) {
    yield { kind: 'refused', reason: 'Le fichier ne contient aucun lieu.' };
    return;
  }
  if (mapping) {
    const fields = parsed.columns.map((c) => (Object.hasOwn(mapping, c) ? mapping[c] : c));
    if (!fields.includes('id')) {
      yield {
        kind: 'refused',
        reason:
          'Aucune colonne ne donne l’identifiant des lieux (id) : indiquez dans la correspondance la colonne qui identifie chaque lieu.',
      };
      return;
    }
  }
  yield { kind: 'read', format: parsed.format, read: parsed.rows.length };
  // A strict import refuses the file on any problem: an unreadable value then rejects its row.
  const checker = rowChecker({ dropUnreadable: !options.strict });
  const pause = timeSlicer();
  let rows: CheckedRow[] = [];
  for (const { line, data } of parsed.rows) {
    let checked: CheckedRow;
    if (mapping) {
      const problems: Note[] = [];
      checked = checker.check(line, mapRow(data, mapping, problems), problems);
    } else checked = checker.check(line, data, []);
    rows.push(checked);
    if (rows.length === CHUNK) {
      yield { kind: 'rows', rows };
      rows = [];
    }
    await pause();
  }
  if (rows.length > 0) yield { kind: 'rows', rows };
  yield { kind: 'end', fileNotes: checker.fileNotes() };
}

/** From this size on, a file is read and checked in a worker thread. */
const WORKER_FROM_BYTES = 1024 * 1024;

/** `checkPlacesFile`, in a worker thread for a large file (or when asked), else on this thread. */
function checkingOf(
  content: string | Uint8Array,
  options: CheckOptionsOfFile,
  worker: boolean | undefined,
): AsyncGenerator<CheckMessage> {
  const size = typeof content === 'string' ? content.length : content.byteLength;
  return (worker ?? size >= WORKER_FROM_BYTES)
    ? checkInWorker(content, options)
    : checkPlacesFile(content, options);
}

/**
 * Runs `checkPlacesFile` in a worker thread and hands its messages over as they come (each
 * chunk is copied over on its own, so that none holds this thread for long). The worker ends
 * with the generator, finished or not.
 */
async function* checkInWorker(
  content: string | Uint8Array,
  options: CheckOptionsOfFile,
): AsyncGenerator<CheckMessage> {
  const worker = new Worker(moduleBeside('./import-worker', import.meta.url), {
    workerData: { content, options },
  });
  const queue: CheckMessage[] = [];
  let failure: Error | undefined;
  let exited = false;
  let wake: (() => void) | undefined;
  worker.on('message', (message: CheckMessage) => {
    queue.push(message);
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  try {
    for (;;) {
      const message = queue.shift();
      if (message) {
        yield message;
        if (message.kind === 'end' || message.kind === 'refused') return;
        continue;
      }
      if (failure) throw failure;
      if (exited) throw new Error('The import’s checking thread stopped before the end of the file');
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    await worker.terminate();
  }
}

/**
 * Imports places: every row is checked (in a worker thread for a large file) and compared with
 * the database, by chunks; unless a dry run (or a strict import with rejected rows), each chunk's
 * accepted rows are staged meanwhile in `lieu_import_stage`, a private scratch table, by one
 * set-based statement outside any transaction. Then one transaction moves the staged rows into
 * `lieu` (two statements, with the revisions, the words, the report and the journal entry): an
 * import lands whole or not at all, nothing of it is seen before the commit, and its slow part
 * (parsing, checking, turning rows into SQL, sending them) neither holds this thread nor locks
 * anything others read. Places are matched by the standard's `id`; a place edited in Relais
 * since its last import is kept unless `overwrite`. Each input row lands in exactly one count
 * of the report.
 */
export async function importPlaces(
  db: Db,
  actor: Actor,
  content: string | Uint8Array,
  options: ImportOptions,
): Promise<{ ok: true; report: ImportReport } | { ok: false; reason: string }> {
  const step = stepTimer(options.onStep);
  const strict = options.strict ?? false;
  const checking = checkingOf(content, { mapping: options.mapping, strict }, options.worker);
  const importId = randomUUID();
  let staged = false;
  try {
    const first = (await checking.next()).value;
    if (first?.kind !== 'read')
      return { ok: false, reason: first?.kind === 'refused' ? first.reason : 'Le fichier est illisible.' };
    await step('parse');

    const members = await listCollectivites(db);
    let forced: Collectivite | undefined;
    if (options.collectiviteCode) {
      forced = members.find((m) => m.code === options.collectiviteCode);
      if (!forced)
        return { ok: false, reason: `Aucune collectivité membre n’a le code ${options.collectiviteCode}.` };
    }
    if (!isAdmin(actor)) {
      // A coordinator imports into their own collectivité only.
      if (!forced) return { ok: false, reason: 'Choisissez la collectivité où importer ces lieux.' };
      ensure(actor, 'places.manage', { collectiviteId: forced.id });
    }
    const resolve = collectiviteResolver(members);
    const source = options.source?.trim() || options.fileName;

    const report: ImportReport = {
      fileName: options.fileName,
      source,
      format: first.format,
      read: first.read,
      created: 0,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      rows: [],
      fileNotes: [],
      outside: [],
      written: false,
      dryRun: options.dryRun ?? false,
      strict,
      importId: null,
    };
    const write: WriteContext = {
      actor,
      importId,
      source,
      importedAt: new Date(),
      overwrite: options.overwrite ?? false,
      draft: options.draft ?? false,
      staged: 0,
    };
    const outside = forced ? territoryFlagger(forced) : undefined;
    const inserts: Written[] = [];
    const updates: Written[] = [];
    let rejected = 0;
    const takeChunk = async (rows: CheckedRow[]) => {
      // PGlite answers without ever leaving this thread's turn: let the server answer between
      // two chunks (their statements run outside any transaction, others' statements with them).
      await nextTurn();
      const valid: { outcome: RowOutcome; place: LmnPlace; hash: string; columns: string }[] = [];
      for (const { outcome, valid: ok } of rows) {
        report.rows.push(outcome);
        if (ok) valid.push({ outcome, ...ok });
        else rejected += 1;
      }
      outside?.flag(valid);
      const existing = await existingPlaces(
        db,
        valid.map((v) => v.place.id),
      );
      const chunk: StagedRow[] = [];
      for (const { outcome, place, hash, columns } of valid) {
        const planned = { outcome, place, hash, collectiviteId: forced?.id ?? resolve(place.code_insee) };
        const current = existing.get(place.id);
        if (!current) {
          outcome.result = 'created';
          inserts.push({ outcome, lmnId: place.id, lieuId: null });
          chunk.push({ planned, columns, lieuId: null });
        } else if (planUpdate(actor, planned, current, write.overwrite)) {
          updates.push({ outcome, lmnId: place.id, lieuId: current.id });
          chunk.push({ planned, columns, lieuId: current.id });
        } else if (outcome.result === 'rejected') rejected += 1;
      }
      // Staged as the file is read, unless nothing is to be written.
      if (report.dryRun || (strict && rejected > 0) || chunk.length === 0) return;
      if (!staged) await clearStaleStage(db);
      staged = true;
      await stageChunk(db, write, chunk);
    };
    // How long this thread waited for checked rows (the rest: comparing and staging them).
    let waitedMs = 0;
    let waiting = performance.now();
    for await (const message of checking) {
      waitedMs += performance.now() - waiting;
      if (message.kind === 'end') report.fileNotes = message.fileNotes;
      else if (message.kind === 'rows') await takeChunk(message.rows);
      waiting = performance.now();
    }
    if (outside) report.outside = outside.summary();
    countOutcomes(report);
    await step('check and stage');
    await options.onStep?.('(of which waiting for checked rows)', waitedMs);
    if (report.dryRun || (strict && report.rejected > 0)) return { ok: true, report };

    // The report is written out before the transaction, and stored by the statement that opens
    // it (the places refer to it); again at the end only if a row's outcome changed meanwhile.
    const counted = () => ({
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      rejected: report.rejected,
    });
    const reportText = await reportJson(report);
    await step('report');
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('lieu_import')
        .values({
          id: importId,
          source,
          file_name: options.fileName,
          collectivite_id: forced?.id ?? null,
          actor: actorFields(actor).actor_label,
          read: report.read,
          ...counted(),
          report: reportText,
        })
        .execute();
      await step('begin, the report stored');
      const changed = await writeStaged(trx, write, inserts, updates);
      await step('write lieu');
      await rememberWords(trx, { importId });
      await step('words');
      if (changed) {
        countOutcomes(report);
        await trx
          .updateTable('lieu_import')
          .set({ ...counted(), report: await reportJson(report) })
          .where('id', '=', importId)
          .execute();
      }
      await audit(trx, {
        actor,
        action: 'lieux.import',
        collectiviteId: forced?.id ?? null,
        subject: { type: 'lieu_import', id: importId },
        details: {
          source,
          read: report.read,
          created: report.created,
          updated: report.updated,
          rejected: report.rejected,
        },
      });
      await step('report and journal');
    });
    await step('commit');
    report.importId = importId;
    report.written = true;
    if (report.created + report.updated > 0) await datasetsChanged(db);
    // A large import changes what the planner should know of the table: tell it now (PGlite
    // has no autovacuum to do it later).
    if (report.created + report.updated >= 500) await sql`analyze lieu`.execute(db);
    await step('analyze');
    return { ok: true, report };
  } finally {
    await checking.return(undefined);
    // Written or not, the staged rows have served (a crash leaves them to a later import).
    if (staged) await sql`delete from lieu_import_stage where import_id = ${importId}`.execute(db);
  }
}

/** A step's time since the previous one, told to `onStep` when there is one. */
function stepTimer(onStep: ImportOptions['onStep']): (name: string) => Promise<void> {
  let since = performance.now();
  return async (name) => {
    await onStep?.(name, performance.now() - since);
    since = performance.now();
  };
}

/** The INSEE codes of a member collectivité's communes (itself, or an EPCI's members). */
const communesOf = (c: Collectivite): Set<string> =>
  new Set(c.kind === 'commune' ? [c.code] : c.member_communes.map((m) => m.code));

/**
 * Warns of every place whose commune lies outside the collectivité the places go to, and
 * sums them up by commune: they are imported, but never silently.
 */
function territoryFlagger(target: Collectivite): {
  flag: (valid: { outcome: RowOutcome; place: LmnPlace }[]) => void;
  summary: () => OutsideTerritory[];
} {
  const territory = communesOf(target);
  const name = displayName(target);
  const byCommune = new Map<string, OutsideTerritory>();
  return {
    flag(valid) {
      for (const { outcome, place } of valid) {
        const code = place.code_insee;
        if (!code || territory.has(code)) continue;
        const commune = findCommune(code)?.name ?? place.commune;
        outcome.warnings.push({
          field: 'code_insee',
          value: code,
          reason: `commune ${commune} (${code}) hors du territoire de ${name}`,
        });
        const entry = byCommune.get(code) ?? { code, name: commune, rows: 0, territory: name };
        entry.rows += 1;
        byCommune.set(code, entry);
      }
    },
    summary: () => [...byCommune.values()].sort((a, b) => b.rows - a.rows || a.name.localeCompare(b.name)),
  };
}

/**
 * Checks rows one at a time (what the file says, before what the database holds): a valid row
 * comes out with its place, its fingerprint and its columns as JSON. Remembers the ids met, to
 * reject a second row with the same id, and the fields outside the standard, said once.
 */
function rowChecker(options: CheckOptions): {
  check: (line: number, data: Record<string, unknown>, problems: Note[]) => CheckedRow;
  fileNotes: () => Note[];
} {
  const seen = new Map<string, number>();
  const outsideStandard = new Map<string, string>();
  return {
    check(line, data, problems) {
      let checked = checkLmnRow(data, options);
      // What the mapping could not read (weekday hours): left out, or the row refused when strict.
      if (problems.length > 0 && !options.dropUnreadable)
        checked = {
          ok: false,
          errors: [...problems, ...(checked.ok ? [] : checked.errors)],
          warnings: checked.warnings,
        };
      const warnings = [
        ...(options.dropUnreadable
          ? problems.map((p) => ({ ...p, reason: `${p.reason} (${DROPPED})` }))
          : []),
        ...checked.warnings,
      ].filter((w) => {
        if (w.reason !== 'champ hors du standard, ignoré') return true;
        outsideStandard.set(w.field, w.reason);
        return false;
      });
      const id =
        typeof data.id === 'string' || typeof data.id === 'number' ? String(data.id).trim() || null : null;
      const nom = typeof data.nom === 'string' ? data.nom.trim() || null : null;
      const outcome: RowOutcome = { line, id, nom, result: 'rejected', errors: [], warnings };
      if (!checked.ok) {
        outcome.errors = checked.errors;
        return { outcome };
      }
      const firstLine = seen.get(checked.place.id);
      if (firstLine !== undefined) {
        outcome.errors = [
          {
            field: 'id',
            value: checked.place.id,
            reason: `identifiant déjà utilisé ligne ${firstLine} du fichier`,
          },
        ];
        return { outcome };
      }
      seen.set(checked.place.id, line);
      const { place } = checked;
      const hash = placeHash(place);
      return {
        outcome,
        valid: { place, hash, columns: JSON.stringify({ ...columnsOf(place), import_hash: hash }) },
      };
    },
    fileNotes: () => [...outsideStandard].map(([field, reason]) => ({ field, value: '', reason })),
  };
}

/** The places already known under these standard ids, read by pages of 5 000. */
async function existingPlaces(db: Db, ids: string[]): Promise<Map<string, Existing>> {
  const existing = new Map<string, Existing>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db
      .selectFrom('lieu')
      .select(['id', 'lmn_id', 'collectivite_id', 'import_hash', 'imported_at', 'edited_at'])
      .where('lmn_id', '=', sql<string>`any(${ids.slice(i, i + 5000)}::text[])`)
      .execute();
    for (const row of rows) existing.set(row.lmn_id, row);
  }
  return existing;
}

const editedSinceImport = (current: Pick<Existing, 'edited_at' | 'imported_at'>) =>
  current.edited_at !== null && (current.imported_at === null || current.edited_at > current.imported_at);

const KEPT_REASON =
  'modifié dans Relais depuis le dernier import : conservé tel quel (option « écraser » pour le remplacer)';

/** Decides what happens to a known place; true when it is to be updated. */
function planUpdate(actor: Actor, planned: Planned, current: Existing, overwrite: boolean): boolean {
  const { outcome, place, hash } = planned;
  const scope = current.collectivite_id === null ? {} : { collectiviteId: current.collectivite_id };
  if (!can(actor, 'places.manage', scope)) {
    outcome.result = 'rejected';
    outcome.errors = [
      { field: 'id', value: place.id, reason: 'ce lieu existe déjà et relève d’une autre collectivité' },
    ];
    return false;
  }
  const edited = editedSinceImport(current);
  if (edited && !overwrite) {
    outcome.result = 'kept';
    outcome.warnings.push({ field: 'id', value: place.id, reason: KEPT_REASON });
    return false;
  }
  if (current.import_hash === hash && !edited) {
    outcome.result = 'unchanged';
    return false;
  }
  outcome.result = 'updated';
  return true;
}

type WriteContext = {
  actor: Actor;
  importId: string;
  source: string;
  importedAt: Date;
  overwrite: boolean;
  draft: boolean;
  /** Rows staged so far: the next one's position. */
  staged: number;
};

/** An accepted row to stage: a new place (no `lieuId`) or the known place it updates. */
type StagedRow = { planned: Planned; columns: string; lieuId: string | null };

/** Staged rows moved into `lieu` per statement (see `writeStaged`). */
const WRITE_CHUNK = 500;

/** The columns of `lieu` a staged row fills (its standard fields and what derives from them). */
const STAGED_COLUMNS = [
  'lmn_id',
  ...LMN_FIELD_NAMES.filter((name) => name !== 'id'),
  'open_week',
  'import_hash',
] as const;
const stagedColumns = (prefix: string) =>
  sql.join(STAGED_COLUMNS.map((c) => sql.ref(prefix ? `${prefix}.${c}` : c)));

/** Rows an import staged more than a day ago belong to an import that died: gone. */
async function clearStaleStage(db: Db): Promise<void> {
  await sql`delete from lieu_import_stage where created_at < now() - interval '1 day'`.execute(db);
}

/**
 * Puts a chunk of accepted rows into `lieu_import_stage` by one statement (the rows sent as one
 * JSON array, typed by the table itself), outside any transaction: the scratch rows are the
 * import's own, and nothing of `lieu` changes yet. An update carries what it changes, from the
 * known place read whole, for its revision.
 */
async function stageChunk(db: Db, ctx: WriteContext, rows: StagedRow[]): Promise<void> {
  const known = rows.flatMap((r) => (r.lieuId ? [r.lieuId] : []));
  const before = new Map<string, Place>();
  if (known.length > 0)
    for (const row of await db.selectFrom('lieu').selectAll().where('id', 'in', known).execute())
      before.set(row.id, row);
  const status = ctx.draft ? 'brouillon' : 'publie';
  const pause = timeSlicer();
  const records: string[] = [];
  for (const { planned, columns, lieuId } of rows) {
    const current = lieuId ? before.get(lieuId) : undefined;
    // A known place deleted meanwhile is left alone (its row is not staged).
    if (lieuId && !current) continue;
    const changes = current ? JSON.stringify(diffPlaces(placeOf(current), planned.place)) : 'null';
    // The row's own fields, then its columns: `{"lmn_id":…}` opened up after them.
    records.push(
      `{"position":${ctx.staged + records.length},"lieu_id":${lieuId ? `"${lieuId}"` : 'null'},` +
        `"changes":${changes},"collectivite_id":${planned.collectiviteId ?? 'null'},"status":"${status}",` +
        columns.slice(1),
    );
    await pause();
  }
  if (records.length === 0) return;
  // The search columns are computed here, outside the final transaction (see `writeStaged`).
  await sql`insert into lieu_import_stage (import_id, position, lieu_id, changes, collectivite_id, status,
      ${stagedColumns('')}, search_name, search_doc)
    select ${ctx.importId}, r.position, r.lieu_id, r.changes, r.collectivite_id, r.status, ${stagedColumns('r')},
      relais_lieu_search_name(r.nom, r.commune),
      relais_lieu_search_doc(r.nom, r.commune, r.code_postal, r.services, r.presentation_resume)
    from json_populate_recordset(null::lieu_import_stage, ${`[${records.join(',')}]`}::json) as r`.execute(
    db,
  );
  ctx.staged += records.length;
}

/** The stored report as JSON, its rows written out in time slices. */
async function reportJson(report: ImportReport): Promise<string> {
  const pause = timeSlicer();
  const rows: string[] = [];
  for (const row of report.rows) {
    rows.push(JSON.stringify(row));
    await pause();
  }
  const rest = JSON.stringify({
    fileNotes: report.fileNotes,
    outside: report.outside,
    format: report.format,
  });
  return `{"rows":[${rows.join(',')}],${rest.slice(1)}`;
}

/**
 * Moves the staged rows into `lieu` (set-based statements over ranges of them, inside the
 * import's one transaction), with a revision for each place. A known place edited in Relais
 * meanwhile is kept (unless `overwrite`); a new place created meanwhile under the same id is
 * rejected. New places take the search columns computed while staging (an update's are computed
 * again by the trigger). True when such a row changed its outcome.
 */
async function writeStaged(
  trx: Db,
  ctx: WriteContext,
  inserts: Written[],
  updates: Written[],
): Promise<boolean> {
  const { actor_user_id: userId, actor_label: actorLabel } = actorFields(ctx.actor);
  const stamp = sql`import_id = ${ctx.importId}, import_source = ${ctx.source}, imported_at = ${ctx.importedAt}`;
  const editedMeanwhile = ctx.overwrite
    ? sql`false`
    : sql`l.edited_at is not null and (l.imported_at is null or l.edited_at > l.imported_at)`;
  let changed = false;
  const done = { updated: new Set<string>(), created: new Set<string>() };
  // By ranges of staged rows, one statement each: on PGlite a statement holds the app's thread
  // (the database runs in it), and between two the server answers what needs no database.
  for (let from = 0; from < ctx.staged; from += WRITE_CHUNK) {
    await nextTurn();
    const range = sql`s.import_id = ${ctx.importId} and s.position >= ${from} and s.position < ${from + WRITE_CHUNK}`;
    if (updates.length > 0) {
      const { rows } = await sql<{ lieu_id: string }>`
        with updated as (
          update lieu as l set ${sql.join(
            STAGED_COLUMNS.map((c) => sql`${sql.ref(c)} = ${sql.ref(`s.${c}`)}`),
          )}, ${stamp}, updated_at = ${ctx.importedAt}
          from lieu_import_stage as s
          where ${range} and s.lieu_id = l.id and not (${editedMeanwhile})
          returning l.id, s.changes
        )
        insert into lieu_revision (lieu_id, user_id, actor, kind, changes)
        select id, ${userId}::uuid, ${actorLabel}, 'import', changes from updated
        returning lieu_id`.execute(trx);
      for (const { lieu_id } of rows) done.updated.add(lieu_id);
    }
    if (inserts.length > 0) {
      const { rows } = await sql<{ lmn_id: string }>`
        with created as (
          insert into lieu (${stagedColumns('')}, search_name, search_doc, collectivite_id, status, import_id,
            import_source, imported_at)
          select ${stagedColumns('s')}, s.search_name, s.search_doc, s.collectivite_id, s.status, ${ctx.importId},
            ${ctx.source}, ${ctx.importedAt}
          from lieu_import_stage as s
          where ${range} and s.lieu_id is null
          order by s.position
          on conflict (lmn_id) do nothing
          returning id, lmn_id
        ), revision as (
          insert into lieu_revision (lieu_id, user_id, actor, kind, changes)
          select id, ${userId}::uuid, ${actorLabel}, 'import', '{}' from created
        )
        select lmn_id from created`.execute(trx);
      for (const { lmn_id } of rows) done.created.add(lmn_id);
    }
  }
  for (const { outcome, lmnId, lieuId } of updates) {
    if (lieuId && done.updated.has(lieuId)) continue;
    changed = true;
    outcome.result = 'kept';
    outcome.warnings.push({ field: 'id', value: lmnId, reason: KEPT_REASON });
  }
  for (const { outcome, lmnId } of inserts) {
    if (done.created.has(lmnId)) continue;
    changed = true;
    outcome.result = 'rejected';
    outcome.errors = [
      {
        field: 'id',
        value: lmnId,
        reason: 'lieu créé ailleurs pendant l’import : importez de nouveau',
      },
    ];
  }
  return changed;
}

function countOutcomes(report: ImportReport): void {
  const count = (r: RowResult) => report.rows.filter((row) => row.result === r).length;
  report.created = count('created');
  report.updated = count('updated');
  // A place kept because it was edited in Relais is unchanged by this import.
  report.unchanged = count('unchanged') + count('kept');
  report.rejected = count('rejected');
}

/** The report as CSV rows: one per row outcome, plus one per problem found. */
export function reportRecords(report: ImportReport): string[][] {
  return importReportRecords('id', reportRows(report.rows), report.fileNotes);
}

/** The rows as every import reports them (`platform/ui/import-report.tsx`). */
export const reportRows = (rows: readonly RowOutcome[]): ImportRowReport[] =>
  rows.map((r) => ({ ...r, key: r.id ?? '', name: r.nom ?? '', result: ROW_RESULTS[r.result] }));
