import { parse as parseCsv } from 'csv-parse/sync';
import { normaliseCommuneName } from '../territoires/index.ts';
import {
  type CodeCheck,
  checkCommuneCode,
  checkEpciCode,
  INSEE_PATTERN,
  type KnownTerritory,
  NO_EPCI_CODE,
  SIREN_PATTERN,
} from './reference.ts';

/**
 * Reading and checking MedNum's CSV of the digital fragility index, before anything is
 * written: the file as a whole (format, columns, level), then every row.
 */

/** The five components, each on a 1–10 scale (10: most at risk). */
export const COMPONENTS = [
  'no_thd_coverage_rate',
  'no_4g_coverage_rate',
  'poverty_rate',
  'older_65_rate',
  'nscol15p_rate',
] as const;
export type Component = (typeof COMPONENTS)[number];
export type ScoreColumn = Component | 'total';
export const SCORE_COLUMNS: readonly ScoreColumn[] = [...COMPONENTS, 'total'];
export const IFN_COLUMNS = ['name', 'division', 'code', ...SCORE_COLUMNS] as const;

export const COMPONENT_LABELS: Record<ScoreColumn, string> = {
  no_thd_coverage_rate: 'Pas de couverture fixe très haut débit',
  no_4g_coverage_rate: 'Pas de couverture 4G',
  poverty_rate: 'Taux de pauvreté',
  older_65_rate: 'Part des 65 ans et plus',
  nscol15p_rate: 'Part des non-scolarisés de 15 ans et plus peu ou pas diplômés',
  total: 'Indice (moyenne des cinq)',
};

/**
 * Largest gap allowed between `total` and the mean of the five scores: files rounded to two
 * decimals differ by up to 0.01; MedNum's own files agree exactly.
 */
export const TOTAL_TOLERANCE = 0.01;

export type IfnKind = 'commune' | 'epci';
export const KIND_LABELS: Record<IfnKind, { one: string; many: string }> = {
  commune: { one: 'commune', many: 'communes' },
  epci: { one: 'EPCI', many: 'EPCI' },
};

/** Why a row is refused (errors) or imported with a remark (warnings), for counts by reason. */
export const MOTIFS = {
  colonnes: 'nombre de colonnes',
  code_invalide: 'code mal formé',
  code_inconnu: 'code inconnu du code officiel géographique',
  ancienne_commune: 'ancienne commune, fusionnée depuis',
  autre_niveau: 'ligne de l’autre niveau (commune ou EPCI)',
  doublon: 'code en double',
  division: 'division inattendue',
  valeur_absente: 'score absent (vide ou NaN)',
  non_numerique: 'score non numérique',
  hors_echelle: 'score hors de l’échelle 1 à 10',
  total_incoherent: 'total différent de la moyenne des cinq scores',
  nom_different: 'nom différent du nom officiel actuel',
  nom_absent: 'nom absent',
  colonne_ignoree: 'colonne ignorée',
} as const;
export type Motif = keyof typeof MOTIFS;

export type Note = { field: string; value: string; reason: string; motif: Motif };

/** A row's scores as the file writes them (decimal point), ready for `numeric` columns. */
export type ScoreRow = {
  line: number;
  code: string;
  name: string;
  division: string;
  departement: string | null;
} & Record<ScoreColumn, string>;

/** What became of a row, as a code, with the French word the reports show. */
export const ROW_RESULTS = { imported: 'importé', rejected: 'rejeté' } as const;
export type RowResult = keyof typeof ROW_RESULTS;

/** A stored report's row result: reports stored before the codes hold the French words. */
export function rowResultOf(stored: string): RowResult {
  if (stored === 'imported' || stored === 'importé') return 'imported';
  if (stored === 'rejected' || stored === 'rejeté') return 'rejected';
  throw new Error(`Unknown IFN row result: ${stored}`);
}

export type RowOutcome = {
  /** Line of the file, the header being line 1. */
  line: number;
  code: string;
  name: string;
  result: RowResult;
  errors: Note[];
  warnings: Note[];
};

export type CheckedFile =
  | {
      ok: true;
      kind: IfnKind;
      outcomes: RowOutcome[];
      /** The accepted rows' values, in file order. */
      accepted: ScoreRow[];
      fileNotes: Note[];
    }
  | { ok: false; reason: string };

type CsvRecord = { line: number; cells: string[] };

/** Checks a whole file: a reason in French when it cannot be read as the index, else every row's outcome. */
export function checkIfnFile(bytes: Buffer): CheckedFile {
  const text = decodeText(bytes);
  if (!text.ok) return text;
  const table = readTable(text.text);
  if (!table.ok) return table;
  const columns = columnIndex(table.header);
  if (!columns.ok) return columns;
  if (table.records.length === 0) {
    return {
      ok: false,
      reason: 'Le fichier ne contient aucune ligne de données : seulement la ligne des colonnes.',
    };
  }
  const kind = fileKind(table.records, columns.index);
  if (!kind.ok) return kind;

  const checker = new RowChecker(kind.kind, columns.index, table.header.length, table.delimiter);
  const outcomes: RowOutcome[] = [];
  const accepted: ScoreRow[] = [];
  for (const record of table.records) {
    const { outcome, row } = checker.check(record);
    outcomes.push(outcome);
    if (row) accepted.push(row);
  }
  return { ok: true, kind: kind.kind, outcomes, accepted, fileNotes: columns.notes };
}

/** UTF-8 text, or why the bytes are not a CSV file. */
function decodeText(bytes: Buffer): { ok: true; text: string } | { ok: false; reason: string } {
  if (bytes.length === 0) return { ok: false, reason: 'Le fichier est vide.' };
  const head = bytes.subarray(0, 8192);
  if (head.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') {
    return {
      ok: false,
      reason:
        'Ce fichier n’est pas un CSV mais un classeur (Excel, LibreOffice) ou une archive ZIP : enregistrez-le au format « CSV UTF-8 », séparateur virgule.',
    };
  }
  if (head.includes(0)) {
    return {
      ok: false,
      reason: 'Ce fichier n’est pas un fichier texte CSV (il contient des données binaires).',
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      reason:
        'Le fichier n’est pas encodé en UTF-8 (peut-être en Windows-1252) : enregistrez-le au format « CSV UTF-8 ».',
    };
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, reason: 'Le fichier est vide.' };
  const start = text.trimStart()[0];
  if (start === '[' || start === '{') {
    return {
      ok: false,
      reason: `Ce fichier ressemble à du JSON : l’indice s’importe en CSV, avec les colonnes ${IFN_COLUMNS.join(',')}.`,
    };
  }
  return { ok: true, text };
}

/** What csv-parse's errors mean, in French. */
const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'un guillemet ouvert n’est jamais fermé',
  INVALID_OPENING_QUOTE: 'un guillemet apparaît au milieu d’une valeur',
  CSV_INVALID_CLOSING_QUOTE: 'un guillemet fermant est suivi d’autres caractères',
};

type Table =
  | { ok: true; header: string[]; records: CsvRecord[]; delimiter: ',' | ';' }
  | { ok: false; reason: string };

function readTable(raw: string): Table {
  // One kind of line break: csv-parse then counts lines the way a text editor does.
  const text = raw.replace(/\r\n?/g, '\n');
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  // MedNum writes commas; a file saved again by a French spreadsheet has semicolons.
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parseCsv(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as typeof parsed;
  } catch (error) {
    const e = error as Error & { code?: string; lines?: number };
    const what = (e.code && CSV_ERRORS[e.code]) ?? e.message;
    return { ok: false, reason: `CSV illisible${e.lines ? ` vers la ligne ${e.lines}` : ''} : ${what}.` };
  }
  const [first, ...rest] = parsed;
  if (!first) return { ok: false, reason: 'Le fichier est vide.' };
  // A record's first line: csv-parse counts up to its last, through line breaks inside cells.
  const breaks = (cells: string[]) => cells.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
  return {
    ok: true,
    delimiter,
    header: first.record.map((name) => name.trim().toLowerCase()),
    records: rest.map(({ record, info }) => ({ line: info.lines - breaks(record), cells: record })),
  };
}

type ColumnIndex = Record<(typeof IFN_COLUMNS)[number], number>;

function columnIndex(
  header: string[],
): { ok: true; index: ColumnIndex; notes: Note[] } | { ok: false; reason: string } {
  const missing = IFN_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const found = header.filter(Boolean).slice(0, 12).join(',');
    return {
      ok: false,
      reason:
        `Ce n’est pas le fichier de l’indice de fragilité numérique : colonne${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')} manquante${missing.length > 1 ? 's' : ''}. La première ligne doit nommer les colonnes ` +
        `${IFN_COLUMNS.join(',')} ; elle contient : ${found || '(rien)'}.`,
    };
  }
  const duplicated = IFN_COLUMNS.filter((c) => header.indexOf(c) !== header.lastIndexOf(c));
  if (duplicated.length > 0) {
    return {
      ok: false,
      reason: `La colonne ${duplicated.join(', ')} apparaît deux fois dans la première ligne.`,
    };
  }
  const index = Object.fromEntries(IFN_COLUMNS.map((c) => [c, header.indexOf(c)])) as ColumnIndex;
  const known = new Set<string>(IFN_COLUMNS);
  const notes = header
    .filter((c) => !known.has(c))
    .map((c) => ({
      field: c || '(sans nom)',
      value: '',
      reason: 'colonne hors du format, ignorée',
      motif: 'colonne_ignoree' as const,
    }));
  return { ok: true, index, notes };
}

/** The level a row's code designates by its shape, or its division says. */
function rowKind(code: string, division: string): IfnKind | null {
  if (INSEE_PATTERN.test(code)) return 'commune';
  if (SIREN_PATTERN.test(code) || code === NO_EPCI_CODE) return 'epci';
  return divisionKind(division);
}

function divisionKind(division: string): IfnKind | null {
  const d = division.toLowerCase();
  if (d === 'city' || d === 'commune') return 'commune';
  if (d === 'epci') return 'epci';
  return null;
}

/**
 * Communes or EPCI, from the rows themselves (never the file's name): the level most rows
 * are of. Rows of the other level are then rejected one by one.
 */
function fileKind(
  records: CsvRecord[],
  index: ColumnIndex,
): { ok: true; kind: IfnKind } | { ok: false; reason: string } {
  let communes = 0;
  let epcis = 0;
  for (const { cells } of records) {
    const kind = rowKind(
      (cells[index.code] ?? '').trim().toUpperCase(),
      (cells[index.division] ?? '').trim(),
    );
    if (kind === 'commune') communes++;
    else if (kind === 'epci') epcis++;
  }
  if (communes === 0 && epcis === 0) {
    return {
      ok: false,
      reason:
        'Aucune ligne ne désigne une commune (code INSEE, division « city ») ni un EPCI (SIREN, division « epci ») : ce fichier n’est pas celui de l’indice.',
    };
  }
  if (communes === epcis) {
    return {
      ok: false,
      reason: `Le fichier compte autant de communes que d’EPCI (${communes}) : importez les communes et les EPCI dans deux fichiers.`,
    };
  }
  return { ok: true, kind: communes > epcis ? 'commune' : 'epci' };
}

/** Lower case, no accents nor punctuation, œ as oe: names that differ only in writing are equal. */
function comparableName(name: string): string {
  return normaliseCommuneName(name.replace(/œ/gi, 'oe').replace(/æ/gi, 'ae'))
    .replace(/[^a-z0-9 ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const NAN = /^[+-]?nan$/i;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type ParsedScore = { ok: true; text: string; value: number } | { ok: false; motif: Motif; reason: string };

/** A score as written in the file (a decimal comma only in a semicolon-separated file). */
function parseScore(raw: string, decimalComma: boolean): ParsedScore {
  const value = raw.trim();
  if (value === '') return { ok: false, motif: 'valeur_absente', reason: 'score absent (cellule vide)' };
  if (NAN.test(value)) return { ok: false, motif: 'valeur_absente', reason: 'score absent (NaN)' };
  const text = decimalComma ? value.replace(',', '.') : value;
  if (!NUMBER.test(text)) {
    return { ok: false, motif: 'non_numerique', reason: 'nombre attendu (par exemple 6.4)' };
  }
  return { ok: true, text, value: Number(text) };
}

/** Records a reason to refuse the row being checked. */
type Refuse = (field: string, value: string, motif: Motif, reason: string) => void;

class RowChecker {
  /** First line of each code met, to refuse a second row for the same territory. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly kind: IfnKind,
    private readonly index: ColumnIndex,
    private readonly width: number,
    private readonly delimiter: ',' | ';',
  ) {}

  check({ line, cells }: CsvRecord): { outcome: RowOutcome; row: ScoreRow | null } {
    const cell = (column: (typeof IFN_COLUMNS)[number]) => (cells[this.index[column]] ?? '').trim();
    const code = cell('code').toUpperCase();
    const name = cell('name');
    const outcome: RowOutcome = { line, code, name, result: 'rejected', errors: [], warnings: [] };
    const error: Refuse = (field, value, motif, reason) =>
      outcome.errors.push({ field, value, motif, reason });

    // Cells out of place would be read under the wrong columns: nothing more to check.
    if (cells.length !== this.width) {
      error('', '', 'colonnes', `${this.width} colonnes attendues, ${cells.length} trouvées`);
      return { outcome, row: null };
    }

    const territory = this.checkCode(code, cell('division'), line, error);
    // A row of the other level is refused for that alone: its division would say it again.
    if (outcome.errors.every((e) => e.motif !== 'autre_niveau')) this.checkDivision(cell('division'), error);
    const scores = this.checkScores(cell, error);

    if (territory) this.checkName(name, territory, outcome);
    if (outcome.errors.length > 0 || !territory || !scores) return { outcome, row: null };
    outcome.result = 'imported';
    return {
      outcome,
      row: {
        line,
        code,
        name: name || territory.name,
        division: cell('division').toLowerCase(),
        departement: territory.departement,
        ...scores,
      },
    };
  }

  private checkCode(code: string, division: string, line: number, error: Refuse): KnownTerritory | null {
    if (code === '') {
      error('code', code, 'code_invalide', 'code absent');
      return null;
    }
    const kind = rowKind(code, division);
    if (kind !== null && kind !== this.kind) {
      error(
        'code',
        code,
        'autre_niveau',
        kind === 'epci'
          ? 'ligne d’EPCI dans un fichier de communes : importez les EPCI dans un fichier à part'
          : 'ligne de commune dans un fichier d’EPCI : importez les communes dans un fichier à part',
      );
      return null;
    }
    const first = this.seen.get(code);
    if (first !== undefined) {
      error('code', code, 'doublon', `code déjà présent ligne ${first} du fichier`);
      return null;
    }
    // Remembered even when refused below: a second row for the same code is one too many.
    this.seen.set(code, line);
    const check: CodeCheck = this.kind === 'commune' ? checkCommuneCode(code) : checkEpciCode(code);
    if (!check.ok) {
      error('code', code, check.motif, check.reason);
      return null;
    }
    return check.territory;
  }

  private checkDivision(division: string, error: Refuse): void {
    const kind = divisionKind(division);
    if (kind === this.kind) return;
    const expected = this.kind === 'commune' ? '« city »' : '« epci »';
    error(
      'division',
      division,
      'division',
      kind === null
        ? `division inconnue : ${expected} attendu pour un fichier de ${KIND_LABELS[this.kind].many}`
        : `division d’un autre niveau : ${expected} attendu pour un fichier de ${KIND_LABELS[this.kind].many}`,
    );
  }

  private checkScores(
    cell: (column: ScoreColumn) => string,
    error: Refuse,
  ): Record<ScoreColumn, string> | null {
    const texts: Partial<Record<ScoreColumn, string>> = {};
    const values: Partial<Record<ScoreColumn, number>> = {};
    for (const column of SCORE_COLUMNS) {
      const raw = cell(column);
      const parsed = parseScore(raw, this.delimiter === ';');
      if (!parsed.ok) {
        error(column, raw, parsed.motif, parsed.reason);
        continue;
      }
      values[column] = parsed.value;
      if (!(parsed.value >= 1 && parsed.value <= 10)) {
        error(column, raw, 'hors_echelle', 'score hors de l’échelle de 1 à 10');
        continue;
      }
      texts[column] = parsed.text;
    }
    const components = COMPONENTS.map((c) => values[c]);
    if (values.total !== undefined && components.every((v) => v !== undefined)) {
      const mean = components.reduce((sum, v) => sum + v, 0) / COMPONENTS.length;
      if (Math.abs(mean - values.total) > TOTAL_TOLERANCE) {
        error(
          'total',
          cell('total'),
          'total_incoherent',
          `le total n’est pas la moyenne des cinq scores (${formatMean(mean)}) : écart de plus de ${TOTAL_TOLERANCE}`,
        );
      }
    }
    return SCORE_COLUMNS.every((c) => texts[c] !== undefined) ? (texts as Record<ScoreColumn, string>) : null;
  }

  private checkName(name: string, territory: KnownTerritory, outcome: RowOutcome): void {
    if (name === '') {
      outcome.warnings.push({
        field: 'name',
        value: '',
        motif: 'nom_absent',
        reason: `nom absent : nom officiel « ${territory.name} » retenu`,
      });
    } else if (comparableName(name) !== comparableName(territory.name)) {
      outcome.warnings.push({
        field: 'name',
        value: name,
        motif: 'nom_different',
        reason: `nom officiel actuel « ${territory.name} » : le territoire a changé de nom ou de périmètre depuis la publication de l’indice`,
      });
    }
  }
}

const formatMean = (n: number) => String(Math.round(n * 10_000) / 10_000);
