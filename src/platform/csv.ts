import { type Stringifier, stringify as stringifyStream } from 'csv-stringify';
import { type Input, type Options, stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer of Relais: csv-stringify, with every text cell that a spreadsheet would
 * read as a formula neutralised (CSV injection, OWASP). A text cell starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return (or their full-width forms) gets a leading `'`, so
 * that Excel and LibreOffice show it as text instead of running it.
 *
 * Numbers go out as they are: a value typed as a number, and a text that is nothing but a
 * number (`-3.5`, `+33180059880`), which holds no formula to run. Standards need them raw:
 * LMN longitudes west of Greenwich, telephone numbers in international format.
 */

const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$/;

/** A text cell as it may safely go out in a CSV file. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** Records (arrays or objects) as CSV text, formula-like text cells neutralised. */
export function csvText(records: Input, options: Options = {}): string {
  return stringify(records, {
    ...options,
    cast: { ...options.cast, string: (value) => neutraliseCell(value) },
  });
}

/**
 * A CSV writer as a stream: records in, text out, with the same neutralisation as `csvText`.
 * For exports too large to build as one string: pipe records into it (backpressure included).
 */
export function csvStream(options: Options = {}): Stringifier {
  return stringifyStream({
    ...options,
    cast: { ...options.cast, string: (value) => neutraliseCell(value) },
  });
}
