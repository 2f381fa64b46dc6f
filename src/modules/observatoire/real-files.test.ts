import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import type { TestDatabase } from '../../../test/helpers/database.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { SCORE_COLUMNS } from './ifn-file.ts';
import { type IfnImportReport, importIfn } from './import.ts';
import { indexComparison, SCORES } from './query.ts';

const DATA = path.resolve('..', 'shared', 'data');
const COMMUNES_FILE = path.join(DATA, 'ifn-communes.csv');
const EPCI_FILE = path.join(DATA, 'ifn-epci.csv');
const MISSING =
  existsSync(COMMUNES_FILE) && existsSync(EPCI_FILE)
    ? false
    : `données réelles absentes (${DATA}) : import des fichiers de l’indice de la MedNum non testé`;

type SourceRow = Record<string, string>;

/** The file as csv-parse reads it on its own, each record with its line (no line breaks in cells). */
function sourceRows(file: string): { line: number; record: SourceRow }[] {
  const records = parse(readFileSync(file, 'utf8'), { columns: true, info: true }) as {
    record: SourceRow;
    info: { lines: number };
  }[];
  return records.map(({ record, info }) => ({ line: info.lines, record }));
}

/** Imports a real file, then checks that each of its rows is accounted for once, and stored as written. */
async function importAndAccount(
  t: TestDatabase,
  file: string,
  kind: 'commune' | 'epci',
): Promise<IfnImportReport> {
  const result = await importIfn(t.db, systemActor('tests'), readFileSync(file), {
    fileName: path.basename(file),
    year: 2023,
  });
  if (!result.ok) assert.fail(result.reason);
  const report = result.report;
  const source = sourceRows(file);
  assert.equal(report.kind, kind);
  assert.equal(report.read, source.length, 'every data row of the file is read');
  assert.equal(report.imported + report.rejected, report.read, 'each row in exactly one count');
  assert.deepEqual(
    report.rows.map((r) => [r.line, r.code]),
    source.map((r) => [r.line, r.record.code]),
    'one outcome per row, in file order, on its line',
  );
  for (const row of report.rows)
    assert.equal(row.result === 'rejected', row.errors.length > 0, `line ${row.line}`);

  // What the database holds is what the source says, to the digit (numeric, compared as text).
  const { rows: stored } = await sql<Record<string, string>>`
    select s.code, s.line, s.name, s.no_thd_coverage_rate::text, s.no_4g_coverage_rate::text,
           s.poverty_rate::text, s.older_65_rate::text, s.nscol15p_rate::text, s.total::text
    from ifn_score s join ifn_millesime v on v.id = s.millesime_id
    where v.year = 2023 and v.kind = ${kind}`.execute(t.db);
  assert.equal(stored.length, report.imported);
  const imported = new Map(report.rows.filter((r) => r.result === 'imported').map((r) => [r.code, r.line]));
  const byLine = new Map(source.map((r) => [r.line, r.record]));
  for (const row of stored) {
    assert.equal(imported.get(row.code!), Number(row.line), `${row.code} is an imported row of its line`);
    const original = byLine.get(Number(row.line))!;
    assert.equal(row.name, original.name);
    for (const column of SCORE_COLUMNS) assert.equal(row[column], original[column], `${row.code} ${column}`);
  }
  return report;
}

// On the demo, so that a demo commune's observatory page shows the imported index too (the
// import of the communes' file is most of this suite's time: it is done once).
describe('the real files of MedNum’s fragility index', { skip: MISSING }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
  });
  after(() => t?.close());

  test('communes: every row accounted for, the rejected ones for a stated reason', async (ctx) => {
    const report = await importAndAccount(t.db, COMMUNES_FILE, 'commune');
    ctx.diagnostic(
      `communes : ${report.read} lues, ${report.imported} importées, ${report.rejected} rejetées ` +
        `${JSON.stringify(report.rejectedBy)}, avertissements ${JSON.stringify(report.warnedBy)}, ${report.durationMs} ms`,
    );
    const reasonsOf = (code: string) => report.rows.find((r) => r.code === code)?.errors.map((e) => e.motif);
    assert.deepEqual(reasonsOf('01039'), ['ancienne_commune'], 'Béon, merged into Culoz-Béon');
    assert.deepEqual(reasonsOf('02077'), ['code_inconnu'], 'Berzy-le-Sec, a code gone from the COG');
    assert.deepEqual(
      reasonsOf('13055'),
      Array(6).fill('valeur_absente'),
      'Marseille, scored by arrondissement',
    );
    assert.deepEqual(
      reasonsOf('55039'),
      Array(6).fill('hors_echelle'),
      'Beaumont-en-Verdunois, no inhabitant, all 0',
    );
    assert.equal(
      report.rejectedBy.total_incoherent,
      undefined,
      'MedNum’s totals are the means of the scores',
    );
    assert.equal(reasonsOf('13201')?.length, 0, 'Marseille’s arrondissements are kept');

    // One known commune, against its line in the source file.
    const source = readFileSync(COMMUNES_FILE, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Ambérieu-en-Bugey,city,01004,'));
    assert.equal(
      source,
      'Ambérieu-en-Bugey,city,01004,6.0,6.592029291649063,8.0,3.7232784114913393,4.893536121673004,5.841768764962682',
    );
    const ambérieu = await indexComparison(t.db.db, '01004');
    assert.deepEqual(ambérieu?.scores, {
      no_thd_coverage_rate: 6,
      no_4g_coverage_rate: 6.592029291649063,
      poverty_rate: 8,
      older_65_rate: 3.7232784114913393,
      nscol15p_rate: 4.893536121673004,
      total: 5.841768764962682,
    });
    assert.equal(ambérieu?.departement?.name, 'Ain');
    assert.equal(ambérieu?.national.outOf, report.imported);
  });

  test('Villeurbanne’s observatory page shows its index and components as in the source file', async () => {
    const source = sourceRows(COMMUNES_FILE).find((r) => r.record.code === '69266')?.record;
    assert.ok(source, 'Villeurbanne is in the file');
    const res = await new Client(t.app).get('/observatoire/villeurbanne');
    assert.equal(res.statusCode, 200);
    const section = /id="obs-indice"[\s\S]*?<\/section>\s*<\/section>/.exec(res.body)?.[0] ?? '';
    // To two decimals, as the page shows them.
    for (const column of SCORES) {
      const shown = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(
        Number(source[column]),
      );
      assert.ok(section.includes(`<td>${shown}</td>`), `${column}: ${shown} (${source[column]})`);
    }
    assert.match(section, /millésime 2023/);
    assert.match(section, /Parmi les communes de France/);
  });

  test('EPCI: every row accounted for; merged EPCI and « ZZZZZZZZZ » rejected', async (ctx) => {
    const report = await importAndAccount(t.db, EPCI_FILE, 'epci');
    ctx.diagnostic(
      `EPCI : ${report.read} lues, ${report.imported} importées, ${report.rejected} rejetées ` +
        `${JSON.stringify(report.rejectedBy)}, ${report.durationMs} ms`,
    );
    const rejected = report.rows.filter((r) => r.result === 'rejected').map((r) => r.code);
    assert.ok(rejected.includes('ZZZZZZZZZ'));
    assert.ok(
      rejected.every((code) => report.rows.find((r) => r.code === code)?.errors[0]?.motif === 'code_inconnu'),
    );
    const lyon = await indexComparison(t.db.db, '200046977');
    assert.equal(lyon?.name, 'Métropole de Lyon');
    assert.equal(lyon?.national.outOf, report.imported);
    assert.equal(lyon?.withinDepartement, null);
  });
});
