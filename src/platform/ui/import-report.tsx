import { csvText } from '../csv.ts';

/**
 * What every import reports, whatever it reads (places, index vintages…): each row of the
 * file with its result, the reasons it was rejected (errors) and the reasons it was taken
 * with something left out (warnings), and the notes on the file as a whole.
 */
export type ImportNote = { field: string; value: string; reason: string };

export type ImportRowReport = {
  /** Line of the file (CSV, header on line 1) or position in the array (JSON, from 1). */
  line: number;
  /** What identifies the row in its standard (an identifier, an INSEE code), or ''. */
  key: string;
  name: string;
  /** In the import's vocabulary: « créé », « importé », « rejeté »… */
  result: string;
  errors: readonly ImportNote[];
  warnings: readonly ImportNote[];
};

/** The CSV report's records: one per note (or per row without any), the file's notes first. */
export function importReportRecords(
  keyHeader: string,
  rows: readonly ImportRowReport[],
  fileNotes: readonly ImportNote[] = [],
): string[][] {
  const records = [['ligne', keyHeader, 'nom', 'résultat', 'gravité', 'champ', 'valeur', 'motif']];
  for (const note of fileNotes)
    records.push(['', '', '', 'fichier', 'avertissement', note.field, note.value, note.reason]);
  for (const row of rows) {
    const base = [String(row.line), row.key, row.name, row.result];
    if (row.errors.length === 0 && row.warnings.length === 0) records.push([...base, '', '', '', '']);
    for (const e of row.errors) records.push([...base, 'erreur', e.field, e.value, e.reason]);
    for (const w of row.warnings) records.push([...base, 'avertissement', w.field, w.value, w.reason]);
  }
  return records;
}

/** The CSV report (formula-like cells neutralised, see `csvText`). */
export const importReportCsv = (...args: Parameters<typeof importReportRecords>): string =>
  csvText(importReportRecords(...args));

/**
 * The notes of the first `limit` rows as a table, one line per note: the errors, the warnings
 * or both (errors first). The full list is the CSV report's.
 */
export function ImportNotesTable(props: {
  rows: readonly ImportRowReport[];
  notes: readonly ('errors' | 'warnings')[];
  keyLabel: string;
  limit: number;
  /** For screen readers, when no heading says what the table holds; it also names the scrolling region. */
  caption?: string;
  showResult?: boolean;
}): JSX.Element {
  const table = (
    <table>
      {props.caption ? (
        <caption class="visually-hidden" safe>
          {props.caption}
        </caption>
      ) : (
        ''
      )}
      <thead>
        <tr>
          <th scope="col">Ligne</th>
          <th scope="col" safe>
            {props.keyLabel}
          </th>
          <th scope="col">Nom</th>
          {props.showResult ? <th scope="col">Résultat</th> : ''}
          <th scope="col">Champ</th>
          <th scope="col">Valeur</th>
          <th scope="col">Motif</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.slice(0, props.limit).map((row) =>
          props.notes
            .flatMap((kind) => row[kind])
            .map((n) => (
              <tr>
                <td safe>{String(row.line)}</td>
                <td safe>{row.key}</td>
                <td safe>{row.name}</td>
                {props.showResult ? <td safe>{row.result}</td> : ''}
                <td safe>{n.field}</td>
                <td safe>{n.value}</td>
                <td safe>{n.reason}</td>
              </tr>
            )),
        )}
      </tbody>
    </table>
  );
  // A named table scrolls sideways as a region that the keyboard can reach.
  return props.caption ? (
    <section class="table-wrap" tabindex="0" aria-label={props.caption}>
      {table}
    </section>
  ) : (
    <div class="table-wrap">{table}</div>
  );
}
