import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase, tableSnapshot } from '../../../test/helpers/database.ts';
import { file, HEADER, line } from '../../../test/helpers/ifn-fixtures.ts';
import { type Actor, ForbiddenError, systemActor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { collectJobs, jobsAwaitingSignals, takeDueSignals } from '../../platform/jobs/index.ts';
import { parisWallClock } from '../../platform/paris-time.ts';
import { modules } from '../index.ts';
import { type IfnImportOptions, type IfnImportReport, importIfn, reportRecords } from './import.ts';
import { indexComparison, latestIndex, listVintages, vintageReport } from './query.ts';

const system = systemActor('tests');

async function importOk(
  db: Db,
  bytes: Buffer,
  options: Partial<IfnImportOptions> = {},
): Promise<IfnImportReport> {
  const result = await importIfn(db, system, bytes, { fileName: 'ifn.csv', year: 2024, ...options });
  if (!result.ok) assert.fail(`import refused: ${result.reason}`);
  return result.report;
}

const counts = (r: IfnImportReport) => ({ read: r.read, imported: r.imported, rejected: r.rejected });

const scoreCount = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('ifn_score')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The stored scores of a code in a year, as the database writes them (numeric as text). */
async function storedText(db: Db, code: string, year: number) {
  const { rows } = await sql<Record<string, string>>`
    select s.name, s.division, s.departement, s.no_thd_coverage_rate::text, s.no_4g_coverage_rate::text,
           s.poverty_rate::text, s.older_65_rate::text, s.nscol15p_rate::text, s.total::text
    from ifn_score s join ifn_millesime v on v.id = s.millesime_id
    where s.code = ${code} and v.year = ${year}`.execute(db);
  return rows[0];
}

describe('importIfn', () => {
  let t: TestDatabase;
  let db: Db;
  before(async () => {
    t = await createTestDatabase();
    db = t.db;
  });
  after(() => t.close());
  beforeEach(async () => {
    await db.deleteFrom('ifn_millesime').execute();
  });

  test('writes the accepted rows of a vintage, keeps the source’s values exactly, and reports the others', async () => {
    const report = await importOk(
      db,
      file(
        line('01001', 6, { scores: ['10.0', '7.0', '2.0', '5.0', '6.0', '6.0'] }),
        line('01004', '5.841768764962682', {
          scores: [
            '6.0',
            '6.592029291649063',
            '8.0',
            '3.7232784114913393',
            '4.893536121673004',
            '5.841768764962682',
          ],
        }),
        line('02077', 5),
        line('01002', 'NaN', { scores: ['6', '5', 'NaN', '4', '4', 'NaN'] }),
      ),
      { fileName: 'ifn-communes.csv' },
    );
    assert.deepEqual(counts(report), { read: 4, imported: 2, rejected: 2 });
    assert.equal(report.kind, 'commune');
    assert.equal(report.written, true);
    assert.deepEqual(report.rejectedBy, { code_inconnu: 1, valeur_absente: 1 });
    assert.deepEqual(await storedText(db, '01004', 2024), {
      name: 'Ambérieu-en-Bugey',
      division: 'city',
      departement: '01',
      no_thd_coverage_rate: '6.0',
      no_4g_coverage_rate: '6.592029291649063',
      poverty_rate: '8.0',
      older_65_rate: '3.7232784114913393',
      nscol15p_rate: '4.893536121673004',
      total: '5.841768764962682',
    });
    const [vintage] = await listVintages(db);
    assert.deepEqual(vintage && { ...vintage, id: 0, importedAt: null }, {
      id: 0,
      year: 2024,
      kind: 'commune',
      fileName: 'ifn-communes.csv',
      importedAt: null,
      importedBy: 'tests',
      read: 4,
      imported: 2,
      rejected: 2,
    });
  });

  test('the import is journaled with its counts', async () => {
    await importOk(db, file(line('01001', 6)), { year: 2021 });
    const entry = await db
      .selectFrom('audit_event')
      .select(['action', 'actor_label', 'subject_type', 'details'])
      .where('action', '=', 'ifn.import')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(entry.actor_label, 'tests');
    assert.equal(entry.subject_type, 'ifn_millesime');
    assert.deepEqual(entry.details, {
      year: 2021,
      kind: 'commune',
      file: 'ifn.csv',
      read: 1,
      imported: 1,
      rejected: 0,
      replaced: null,
    });
  });

  test('re-importing a vintage replaces it whole; other vintages and levels stay', async () => {
    await importOk(db, file(line('01001', 6), line('01002', 5)), { year: 2023 });
    await importOk(db, file(line('200046977', 4)), { year: 2023 });
    await importOk(db, file(line('01001', 3)), { year: 2022 });
    const again = await importOk(db, file(line('01001', 4), line('69266', 3)), {
      year: 2023,
      fileName: 'v2.csv',
    });
    assert.equal(again.replaces?.imported, 2);
    assert.equal((await storedText(db, '01001', 2023))?.total, '4');
    assert.equal(await storedText(db, '01002', 2023), undefined, 'rows of the replaced vintage are gone');
    assert.equal((await storedText(db, '01001', 2022))?.total, '3');
    assert.deepEqual(
      (await listVintages(db)).map((v) => [v.year, v.kind, v.fileName, v.imported]),
      [
        [2023, 'commune', 'v2.csv', 2],
        [2023, 'epci', 'ifn.csv', 1],
        [2022, 'commune', 'ifn.csv', 1],
      ],
    );
  });

  test('a dry run, a refused strict import and a file without one valid row write nothing', async () => {
    await importOk(db, file(line('01001', 6)), { year: 2023 });
    const before = await tableSnapshot(db);
    const dry = await importOk(db, file(line('01002', 5), line('02077', 5)), { year: 2023, dryRun: true });
    assert.deepEqual(counts(dry), { read: 2, imported: 1, rejected: 1 });
    assert.equal(dry.written, false);
    assert.equal(dry.replaces?.imported, 1, 'the dry run says what it would replace');
    const strict = await importOk(db, file(line('01002', 5), line('02077', 5)), { year: 2023, strict: true });
    assert.equal(strict.written, false);
    const none = await importOk(db, file(line('02077', 5)), { year: 2023 });
    assert.deepEqual([none.imported, none.written], [0, false]);
    assert.deepEqual(await tableSnapshot(db), before);
  });

  test('a written import queues the open data’s publication, a dry run does not', async () => {
    const jobs = collectJobs(modules);
    await takeDueSignals(db, jobs, 0);
    await importOk(db, file(line('01001', 6)), { year: 2022, dryRun: true });
    assert.deepEqual(await jobsAwaitingSignals(db, jobs), []);
    await importOk(db, file(line('01001', 6)), { year: 2022 });
    assert.deepEqual(
      (await jobsAwaitingSignals(db, jobs)).map((w) => w.job),
      ['donnees.publication'],
    );
  });

  test('a strict import without rejected rows is written', async () => {
    const report = await importOk(db, file(line('01002', 5)), { strict: true });
    assert.equal(report.written, true);
    assert.equal(await scoreCount(db), 1);
  });

  test('bad files are refused whole, in French, and change nothing', async () => {
    await importOk(db, file(line('01001', 6)));
    const before = await tableSnapshot(db);
    const cases: [Buffer, RegExp][] = [
      [Buffer.alloc(0), /^Le fichier est vide\.$/],
      [Buffer.from(`${HEADER}\n`), /aucune ligne de données/],
      [Buffer.from('id,nom\n1,Médiathèque\n'), /Ce n’est pas le fichier de l’indice/],
      [Buffer.from('{"code":"01001"}'), /ressemble à du JSON/],
    ];
    for (const [bytes, reason] of cases) {
      const result = await importIfn(db, system, bytes, { fileName: 'x.csv', year: 2024 });
      assert.ok(!result.ok);
      assert.match(result.reason, reason);
    }
    const badYear = await importIfn(db, system, file(line('01001', 6)), { fileName: 'x.csv', year: 1999 });
    assert.deepEqual(badYear, {
      ok: false,
      reason: 'Millésime invalide : une année entre 2000 et 2100 est attendue.',
    });
    assert.deepEqual(await tableSnapshot(db), before);
  });

  test('without a year, the current one is taken and the report says so', async () => {
    // The year in Paris, read on both sides of the import in case it turns midnight meanwhile.
    const yearBefore = parisWallClock(new Date()).year;
    const report = await importOk(db, file(line('01001', 6)), { year: undefined });
    assert.ok([yearBefore, parisWallClock(new Date()).year].includes(report.year));
    assert.equal(report.yearDefaulted, true);
  });

  test('only administrators import', async () => {
    const coordinator: Actor = {
      kind: 'user',
      userId: '00000000-0000-0000-0000-000000000000',
      email: 'c@example.fr',
      name: 'C',
      memberships: [{ role: 'coordinateur', collectiviteId: 1 }],
      activeCollectiviteId: 1,
    };
    await assert.rejects(
      importIfn(db, coordinator, file(line('01001', 6)), { fileName: 'x.csv' }),
      ForbiddenError,
    );
    await assert.rejects(vintageReport(db, coordinator, 2024, 'commune'), ForbiddenError);
  });

  test('the stored report gives back every row of the file, in order, with the reasons', async () => {
    await importOk(
      db,
      file(line('01001', 6), line('02077', 5), line('69266', 4, { name: 'Villeurbane' }), line('01002', 5)),
    );
    const stored = await vintageReport(db, system, 2024, 'commune');
    assert.ok(stored);
    assert.deepEqual(
      stored.rows.map((r) => [r.line, r.code, r.result, r.errors.length, r.warnings.length]),
      [
        [2, '01001', 'imported', 0, 0],
        [3, '02077', 'rejected', 1, 0],
        [4, '69266', 'imported', 0, 1],
        [5, '01002', 'imported', 0, 0],
      ],
    );
    const records = reportRecords(stored.rows, stored.fileNotes);
    assert.deepEqual(records[0], ['ligne', 'code', 'nom', 'résultat', 'gravité', 'champ', 'valeur', 'motif']);
    assert.deepEqual(records[2]?.slice(0, 7), ['3', '02077', '02077', 'rejeté', 'erreur', 'code', '02077']);
    assert.equal(records[3]?.[4], 'avertissement');
    assert.equal(records.length, 5);
  });
});

describe('latestIndex and indexComparison', () => {
  let t: TestDatabase;
  let db: Db;

  // 2024: six communes in the Ain (01) and the Rhône (69), totals chosen by hand:
  //   01001 6.0 · 01004 5.0 · 69029 5.0 · 01002 4.4 · 69266 3.6 · 69123 2.0
  // National ranks by total, highest first (ties share): 1, 2, 2, 4, 5, 6 out of 6.
  // Percentile: share of the 5 others with a lower total: 100, 60, 60, 40, 20, 0.
  // Ain: 6.0, 5.0, 4.4 → 01004 2nd of 3, 1 of 2 others lower: 50. Rhône: 5.0, 3.6, 2.0.
  before(async () => {
    t = await createTestDatabase();
    db = t.db;
    await importOk(
      db,
      file(
        line('01001', 6),
        line('01004', 5),
        line('69029', 5),
        line('01002', 4.4),
        line('69266', '3.6'),
        line('69123', 2),
      ),
      { year: 2024 },
    );
    // The previous vintage of Villeurbanne; Bron was not scored then.
    await importOk(
      db,
      file(line('69266', 4, { scores: ['5', '3', '4.5', '3.5', '4', '4.0'] }), line('01001', 6)),
      {
        year: 2023,
      },
    );
    // A later vintage that leaves Villeurbanne out: its latest stays 2024.
    await importOk(db, file(line('01001', 7)), { year: 2025 });
    await importOk(db, file(line('200046977', 4), line('200000172', 6), line('243100518', 4)), {
      year: 2024,
    });
  });
  after(() => t.close());

  test('latestIndex: the latest vintage that scores the territory, with its five components and total', async () => {
    assert.deepEqual(await latestIndex(db, '69266'), {
      vintage: {
        year: 2024,
        kind: 'commune',
        importedAt: (await latestIndex(db, '69266'))?.vintage.importedAt,
      },
      code: '69266',
      name: 'Villeurbanne',
      division: 'city',
      departement: { code: '69', name: 'Rhône' },
      scores: {
        no_thd_coverage_rate: 4.6,
        no_4g_coverage_rate: 2.6,
        poverty_rate: 4.1,
        older_65_rate: 3.1,
        nscol15p_rate: 3.6,
        total: 3.6,
      },
    });
    assert.equal((await latestIndex(db, '01001'))?.vintage.year, 2025);
    assert.equal(await latestIndex(db, '75056'), null);
  });

  test('ranks and percentiles, nationally and within the département, as computed by hand', async () => {
    const expected: Record<string, [number, number, number, number]> = {
      // code: national rank, national percentile, département rank, département percentile
      '01004': [2, 60, 2, 50],
      '69029': [2, 60, 1, 100],
      '01002': [4, 40, 3, 0],
      '69266': [5, 20, 2, 50],
      '69123': [6, 0, 3, 0],
    };
    for (const [code, [rank, percentile, depRank, depPercentile]] of Object.entries(expected)) {
      const c = await indexComparison(db, code);
      assert.ok(c, code);
      assert.deepEqual(c.national, { rank, outOf: 6, percentile }, `${code} nationally`);
      assert.deepEqual(
        c.withinDepartement,
        { rank: depRank, outOf: 3, percentile: depPercentile },
        `${code} in its département`,
      );
    }
  });

  test('the change since the previous vintage, computed exactly', async () => {
    const villeurbanne = await indexComparison(db, '69266');
    assert.deepEqual(villeurbanne?.change, {
      year: 2023,
      scores: {
        no_thd_coverage_rate: 5,
        no_4g_coverage_rate: 3,
        poverty_rate: 4.5,
        older_65_rate: 3.5,
        nscol15p_rate: 4,
        total: 4,
      },
      delta: {
        no_thd_coverage_rate: -0.4,
        no_4g_coverage_rate: -0.4,
        poverty_rate: -0.4,
        older_65_rate: -0.4,
        nscol15p_rate: -0.4,
        total: -0.4,
      },
    });
    assert.equal((await indexComparison(db, '69029'))?.change, null, 'Bron has no earlier vintage');
    // 01001's latest is 2025 (the only commune of that vintage); it was 6.0 in 2024.
    const abergement = await indexComparison(db, '01001');
    assert.deepEqual(abergement?.national, { rank: 1, outOf: 1, percentile: 0 });
    assert.deepEqual([abergement?.change?.year, abergement?.change?.delta.total], [2024, 1]);
  });

  test('an EPCI is compared nationally only, among the EPCI', async () => {
    const lyon = await indexComparison(db, '200046977');
    assert.ok(lyon);
    assert.equal(lyon.vintage.kind, 'epci');
    assert.deepEqual(lyon.national, { rank: 2, outOf: 3, percentile: 0 });
    assert.equal(lyon.withinDepartement, null);
    assert.deepEqual((await indexComparison(db, '200000172'))?.national, {
      rank: 1,
      outOf: 3,
      percentile: 100,
    });
  });

  test('the ranks agree with PostgreSQL’s own rank() and percent_rank() over the vintage', async () => {
    const { rows } = await sql<{ code: string; rank: number; pct: number }>`
      select s.code, rank() over (order by s.total desc)::int as rank,
             100 * percent_rank() over (order by s.total) as pct
      from ifn_score s join ifn_millesime v on v.id = s.millesime_id
      where v.year = 2024 and v.kind = 'commune'`.execute(db);
    for (const row of rows) {
      const c = await indexComparison(db, row.code);
      if (c?.vintage.year !== 2024) continue;
      assert.deepEqual([c.national.rank, c.national.percentile], [row.rank, row.pct], row.code);
    }
  });
});
