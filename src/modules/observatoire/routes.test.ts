import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { tableSnapshot } from '../../../test/helpers/database.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { file, line } from '../../../test/helpers/ifn-fixtures.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';

const PAGE = '/admin/observatoire/ifn';

describe('the fragility index pages', () => {
  let t: TestApp;
  let admin: Client;
  before(async () => {
    t = await createTestApp({ demo: true });
    admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
  });
  after(() => t.close());

  /** Uploads a file through the form, as a person would (the CSRF token of the page read first). */
  const upload = async (bytes: Buffer, fields: Record<string, string> = {}) => {
    await admin.get(PAGE);
    return admin.postMultipart(
      PAGE,
      { millesime: '2023', ...fields },
      { name: 'fichier', bytes, filename: 'ifn.csv' },
    );
  };

  const vintages = () =>
    t.db.db
      .selectFrom('ifn_millesime')
      .select(['year', 'kind', 'file_name', 'imported'])
      .orderBy('kind')
      .execute();

  test('before any import, public pages say so without a command line or a link to an admin page', async () => {
    const visitor = new Client(t.app);
    for (const url of ['/observatoire/villeurbanne', '/observatoire/opsn']) {
      const res = await visitor.get(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(
        res.body,
        /L’indice de fragilité numérique n’est pas encore publié pour ce territoire\./,
        url,
      );
      assert.doesNotMatch(res.body, /npm run|import ifn/, `${url} shows no command line`);
      assert.doesNotMatch(res.body, /href="\/admin\//, `${url} links to no admin page`);
    }
  });

  test('before any import, the page says so and how to import one', async () => {
    const res = await admin.get(PAGE);
    assert.equal(res.statusCode, 200);
    assert.equal(h1(res.body), 'Indice de fragilité numérique');
    assert.match(res.body, /Aucun indice de fragilité numérique n’est importé pour l’instant\./);
    assert.match(res.body, /npm run relais -- import ifn FICHIER\.csv --millesime ANNÉE/);
    assert.match(res.body, /<input[^>]*type="file"/);
    await assertValidHtml(res.body, 'the empty page');
    const lookup = await admin.get(`${PAGE}?code=69266`);
    assert.match(lookup.body, /Aucun indice de fragilité numérique n’est importé/);
  });

  test('an upload writes the vintage and leads to its report: counts, rejected rows, reasons', async () => {
    const res = await upload(
      file(
        line('01001', 6),
        line('69266', '3.6'),
        line('02077', 5),
        line('01002', 6.2, { scores: ['5', '5', '5', '5', '11', '6.2'] }),
      ),
      { source: 'ifn-communes.csv' },
    );
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `${PAGE}/rapport?millesime=2023&niveau=commune`);
    const report = await admin.get(res.headers.location as string);
    assert.equal(report.statusCode, 200);
    assert.match(report.body, /Le millésime 2023 des communes est enregistré\./);
    assert.match(
      report.body,
      /<dt>Lignes lues<\/dt>\s*<dd>4<\/dd>\s*<dt>Importées<\/dt>\s*<dd>2<\/dd>\s*<dt>Rejetées<\/dt>\s*<dd>2<\/dd>/,
    );
    assert.match(
      report.body,
      /<td>4<\/td><td>02077<\/td><td>02077<\/td><td>code<\/td><td>02077<\/td><td>code absent du code officiel géographique/,
    );
    assert.match(
      report.body,
      /<td>5<\/td><td>01002<\/td>.*<td>nscol15p_rate<\/td><td>11<\/td><td>score hors de l’échelle de 1 à 10<\/td>/,
    );
    assert.match(report.body, /score hors de l’échelle 1 à 10 : 1/);
    await assertValidHtml(report.body, 'the stored report');
    assert.deepEqual(await vintages(), [
      { year: 2023, kind: 'commune', file_name: 'ifn-communes.csv', imported: 2 },
    ]);

    const list = await admin.get(PAGE);
    assert.match(list.body, /<td>2023<\/td><td>communes<\/td><td>ifn-communes\.csv<\/td>/);
  });

  test('the report downloads as CSV, one line per row of the file', async () => {
    const res = await admin.get(`${PAGE}/rapport.csv?millesime=2023&niveau=commune`);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(
      String(res.headers['content-disposition']),
      /attachment; filename="rapport-ifn-commune-2023\.csv"/,
    );
    const records = parse(res.body.replace(/^\uFEFF/, '')) as string[][];
    assert.deepEqual(
      records.map((r) => [r[0], r[1], r[3], r[5]]),
      [
        ['ligne', 'code', 'résultat', 'champ'],
        ['2', '01001', 'importé', ''],
        ['3', '69266', 'importé', ''],
        ['4', '02077', 'rejeté', 'code'],
        ['5', '01002', 'rejeté', 'nscol15p_rate'],
      ],
    );
  });

  test('a territory’s index, its ranks and its département, on the page', async () => {
    const res = await admin.get(`${PAGE}?code=69266`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Villeurbanne \(69266\), millésime 2023/);
    assert.match(res.body, /Indice \(moyenne des cinq\)<\/th><td>3,6<\/td>/);
    assert.match(res.body, /2e sur 2 \(1er : le plus fragile\) ; plus fragile que 0 % des autres/);
    assert.match(res.body, /département Rhône \(69\)/);
    await assertValidHtml(res.body, 'the page with vintages and a territory');
    const absent = await admin.get(`${PAGE}?code=75056`);
    assert.match(absent.body, /L’indice de fragilité numérique importé ne couvre pas ce territoire/);
    const bad = await admin.get(`${PAGE}?code=lyon`);
    assert.equal(bad.statusCode, 400);
    assert.match(
      bad.body,
      /Saisissez un code INSEE de commune \(5 caractères\) ou un SIREN d’EPCI \(9 chiffres\)\./,
    );
  });

  test('“check only” shows the report and writes nothing', async () => {
    const before = await tableSnapshot(t.db.db);
    const res = await upload(file(line('01001', 4), line('01039', 5)), { essai: 'oui' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Vérification seulement : rien n’a été enregistré\./);
    assert.match(
      res.body,
      /Il remplacerait celui importé le .* par admin@demo\.relais\.example \(2 communes\)\./,
    );
    assert.match(res.body, /ancienne commune \(Béon\)/);
    await assertValidHtml(res.body, 'the report of a check');
    assert.deepEqual(await tableSnapshot(t.db.db), before);
  });

  test('“nothing if a row is rejected” refuses the file and writes nothing', async () => {
    const before = await tableSnapshot(t.db.db);
    const res = await upload(file(line('01001', 4), line('01039', 5)), { strict: 'oui' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Import refusé : des lignes sont rejetées/);
    assert.deepEqual(await tableSnapshot(t.db.db), before);
  });

  test('re-importing the year replaces the vintage, and the journal records it', async () => {
    const res = await upload(file(line('01001', 4), line('01004', 5), line('69029', 5)));
    assert.equal(res.statusCode, 303);
    const report = await admin.get(res.headers.location as string);
    assert.match(report.body, /Importé le<\/dt>\s*<dd>.* par admin@demo\.relais\.example<\/dd>/);
    const [vintage] = await vintages();
    assert.equal(vintage?.imported, 3);
    assert.match(vintage?.file_name ?? '', /^fichier envoyé le \d{2}\/\d{2}\/\d{4}$/);
    const journal = await admin.get('/admin/journal?action=ifn.import');
    assert.match(journal.body, /Indice de fragilité numérique importé/);
  });

  test('bad input: the form again with the reason in French, nothing written', async () => {
    const before = await tableSnapshot(t.db.db);
    const cases: [Buffer | null, Record<string, string>, RegExp][] = [
      [null, {}, /Choisissez un fichier CSV non vide\./],
      [Buffer.from('[{"code":"01001"}]'), {}, /Ce fichier ressemble à du JSON/],
      [Buffer.from('id,nom\n1,Médiathèque\n'), {}, /colonnes name, division, code, .* manquantes/],
      [Buffer.from('\n'), {}, /Le fichier est vide\./],
      [
        Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(32, 7)]),
        {},
        /classeur \(Excel, LibreOffice\)/,
      ],
      [
        file(line('01001', 6)),
        { millesime: '23' },
        /Saisissez le millésime en quatre chiffres, par exemple 2023\./,
      ],
      [
        file(line('01001', 6)),
        { millesime: '1990' },
        /Le millésime doit être une année entre 2000 et 2100\./,
      ],
    ];
    for (const [bytes, fields, message] of cases) {
      await admin.get(PAGE);
      const res = await admin.postMultipart(
        PAGE,
        { millesime: '2023', ...fields },
        bytes ? { name: 'fichier', bytes, filename: 'x.csv' } : undefined,
      );
      assert.equal(res.statusCode, 400, String(message));
      assert.match(res.body, /Il y a un problème/);
      assert.match(res.body, message);
    }
    assert.deepEqual(await tableSnapshot(t.db.db), before);
  });

  test('a report URL without a vintage leads back to the page; an unknown vintage is not found', async () => {
    const bare = await admin.get(`${PAGE}/rapport`);
    assert.equal(bare.statusCode, 303);
    assert.equal(bare.headers.location, PAGE);
    const unknown = await admin.get(`${PAGE}/rapport?millesime=2019&niveau=epci`);
    assert.equal(unknown.statusCode, 404);
  });

  test('a coordinator may neither see the pages nor upload', async () => {
    const coordinator = new Client(t.app);
    await coordinator.signIn(DEMO_ACCOUNTS[1].email);
    for (const url of [
      PAGE,
      `${PAGE}/rapport?millesime=2023&niveau=commune`,
      `${PAGE}/rapport.csv?millesime=2023&niveau=commune`,
    ]) {
      assert.equal((await coordinator.get(url)).statusCode, 403, url);
    }
    await coordinator.get('/espace');
    const res = await coordinator.postMultipart(
      PAGE,
      { millesime: '2023' },
      { name: 'fichier', bytes: file(line('01001', 6)), filename: 'x.csv' },
    );
    assert.equal(res.statusCode, 403);
    const anonymous = await new Client(t.app).get(PAGE);
    assert.deepEqual([anonymous.statusCode, anonymous.headers.location], [302, '/connexion']);
  });
});
