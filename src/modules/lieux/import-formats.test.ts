import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import { type Account, givenCoordinator } from '../../../test/helpers/builders.ts';
import { type CliDatabase, openCliDatabase } from '../../../test/helpers/cli.ts';
import { lieux } from './index.ts';
import { PHONE_FORMAT } from './validation.ts';
import { LMN_FIELD_NAMES } from './vocabulary.ts';

/** A valid row of the standard in Villeurbanne with only its required fields, then `fields`. */
function row(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    pivot: '00000000000000',
    nom: `Espace numérique ${id}`,
    commune: 'Villeurbanne',
    code_postal: '69100',
    adresse: '1 place Lazare-Goujon',
    date_maj: '2024-04-02',
    ...fields,
  };
}

/** Rows as a CSV file: header from every key met, in order of appearance. */
function csvOf(rows: Record<string, unknown>[], delimiter = ','): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return stringify(rows, { header: true, columns, delimiter, cast: { number: (n) => String(n) } });
}

/** The part of a report page under a heading `<h2>title</h2>`, up to the next heading. */
function section(html: string, title: string): string {
  const start = html.indexOf(`<h2>${title}</h2>`);
  if (start < 0) return '';
  const end = html.indexOf('<h2', start + 4);
  return html.slice(start, end < 0 ? undefined : end);
}

const UNREADABLE_HOURS = 'Mo-Fr 09:00-19:00; Sa 17:00';

/**
 * A sample in the layout of the national France Services list: its own column names and one
 * column of opening hours per weekday, written the French way.
 */
const FRANCE_SERVICES_HEADER = [
  'ID',
  'Nom France Services',
  'SIRET',
  'Adresse',
  'Code postal',
  'Commune',
  'Date de mise à jour',
  'Lundi',
  'Mardi',
  'Mercredi',
  'Jeudi',
  'Vendredi',
  'Samedi',
  'Dimanche',
];
const SLOTS = '09:00 - 12:00 / 13:30 - 17:00';
const FRANCE_SERVICES_ROWS: [string, string[], string][] = [
  // id, hours from Monday to Sunday, the OSM value expected ('' : none, the row warned)
  ['fs-semaine', [SLOTS, SLOTS, SLOTS, SLOTS, SLOTS, 'Fermé', ''], 'Mo-Fr 09:00-12:00,13:30-17:00'],
  [
    'fs-varie',
    ['9h-12h', '9h-12h', '9h-12h', 'Fermé', '13h30-17h', '9h-12h', 'Fermé'],
    'Mo-We,Sa 09:00-12:00; Fr 13:30-17:00',
  ],
  ['fs-rdv', ['Sur rendez-vous', SLOTS, '', '', '', '', ''], ''],
];
const franceServicesRows = (prefix: string) =>
  FRANCE_SERVICES_ROWS.map(([id, days], i) => [
    `${prefix}${id}`,
    `France Services ${prefix}${id}`,
    '00000000000000',
    `${i + 1} place Lazare-Goujon`,
    '69100',
    'Villeurbanne',
    '01/03/2025',
    ...days,
  ]);
function franceServicesCsv(prefix: string): string {
  return stringify(franceServicesRows(prefix), {
    header: true,
    columns: FRANCE_SERVICES_HEADER,
    delimiter: ';',
  });
}
/** The same sample as a spreadsheet (the list is also published as XLSX). */
async function franceServicesXlsx(prefix: string): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Liste France Services');
  sheet.addRow(FRANCE_SERVICES_HEADER);
  for (const values of franceServicesRows(prefix)) sheet.addRow(values);
  return Buffer.from(await book.xlsx.writeBuffer());
}
const FRANCE_SERVICES_MAPPING = {
  ID: 'id',
  'Nom France Services': 'nom',
  SIRET: 'pivot',
  Adresse: 'adresse',
  'Code postal': 'code_postal',
  Commune: 'commune',
  'Date de mise à jour': 'date_maj',
  Lundi: 'horaires.lundi',
  Mardi: 'horaires.mardi',
  Mercredi: 'horaires.mercredi',
  Jeudi: 'horaires.jeudi',
  Vendredi: 'horaires.vendredi',
  Samedi: 'horaires.samedi',
  Dimanche: 'horaires.dimanche',
};

describe('place imports people can do, through the web form', () => {
  let t: TestApp;
  let coordinator: Account & { collectiviteId: number };
  let client: Client;
  before(async () => {
    t = await createTestApp();
    coordinator = await givenCoordinator(t); // Villeurbanne
    client = new Client(t.app);
    await client.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
  });
  after(() => t.close());

  const send = async (content: string | Buffer, filename: string, fields: Record<string, string> = {}) => {
    await client.get('/admin/lieux/import');
    return client.postMultipart(
      '/admin/lieux/import',
      { collectivite: String(coordinator.collectiviteId), ...fields },
      { name: 'fichier', bytes: Buffer.from(content), filename },
    );
  };
  const stored = (lmnId: string) =>
    t.db.db.selectFrom('lieu').selectAll().where('lmn_id', '=', lmnId).executeTakeFirst();

  test('an unreadable optional field is left out with a warning, shown apart from rejections', async () => {
    const csv = csvOf([
      row('hours-bad', { horaires: UNREADABLE_HOURS, services: 'Aide aux démarches administratives|Nope' }),
      row('postcode-bad', { code_postal: '691' }),
    ]);
    const dry = await send(csv, 'horaires.csv', { essai: 'oui' });
    assert.equal(dry.statusCode, 200, dry.body);
    const rejected = section(dry.body, 'Lignes rejetées');
    const warned = section(dry.body, 'Avertissements : valeurs corrigées ou laissées de côté');
    assert.match(rejected, /postcode-bad/);
    assert.match(rejected, /code_postal/);
    assert.doesNotMatch(rejected, /hours-bad/, 'a row with a dropped value is not a rejection');
    assert.match(warned, /hours-bad/);
    assert.match(warned, /horaires/);
    assert.match(warned, /valeur ignorée/);
    assert.match(warned, /Nope/);
    assert.doesNotMatch(warned, /postcode-bad/);
    assert.equal(await stored('hours-bad'), undefined, 'a dry run writes nothing');

    const done = await send(csv, 'horaires.csv');
    assert.equal(done.statusCode, 303, done.body);
    const place = await stored('hours-bad');
    assert.ok(place, 'the row is imported');
    assert.equal(place.horaires, null);
    assert.deepEqual(place.services, ['Aide aux démarches administratives']);
    assert.equal(await stored('postcode-bad'), undefined);
    const report = await client.get(String(done.headers.location));
    assert.match(section(report.body, 'Avertissements : valeurs corrigées ou laissées de côté'), /hours-bad/);
  });

  test('an arrondissement’s INSEE code is taken as its commune’s', async () => {
    const csv = csvOf([
      row('arr-lyon', { commune: 'Lyon', code_postal: '69003', code_insee: '69383' }),
      row('arr-paris', { commune: 'Paris', code_postal: '75012', code_insee: '75112' }),
      row('arr-marseille', { commune: 'Marseille', code_postal: '13001', code_insee: '13201' }),
    ]);
    const res = await send(csv, 'arrondissements.csv');
    assert.equal(res.statusCode, 303, res.body);
    assert.equal((await stored('arr-lyon'))?.code_insee, '69123');
    assert.equal((await stored('arr-paris'))?.code_insee, '75056');
    assert.equal((await stored('arr-marseille'))?.code_insee, '13055');
    const report = await client.get(String(res.headers.location));
    assert.match(
      section(report.body, 'Avertissements : valeurs corrigées ou laissées de côté'),
      /arrondissement municipal \(Lyon 3e Arrondissement\)/,
    );
    assert.equal(section(report.body, 'Lignes rejetées'), '');
  });

  test('places outside the collectivité’s territory are flagged on the dry run, naming the commune', async () => {
    const csv = csvOf([
      row('inside'),
      row('outside-bron-1', { commune: 'Bron', code_postal: '69500' }),
      row('outside-bron-2', { commune: 'Bron', code_postal: '69500' }),
      row('outside-lyon', { commune: 'Lyon', code_postal: '69007', code_insee: '69387' }),
    ]);
    const dry = await send(csv, 'hors-territoire.csv', { essai: 'oui' });
    assert.equal(dry.statusCode, 200, dry.body);
    const notice = section(dry.body, 'Lieux hors du territoire');
    assert.match(notice, /3 lieu\(x\) seraient rattachés à Villeurbanne/);
    assert.match(notice, /Bron \(69029\) : 2 lieu\(x\)/);
    assert.match(notice, /Lyon \(69123\) : 1 lieu\(x\)/);
    const warned = section(dry.body, 'Avertissements : valeurs corrigées ou laissées de côté');
    assert.match(warned, /outside-bron-1/);
    assert.match(warned, /commune Bron \(69029\) hors du territoire de Villeurbanne/);
    assert.equal(
      warned.match(/hors du territoire de Villeurbanne/g)?.length,
      3,
      'one warning per place outside',
    );
  });

  test('the source defaults to the uploaded file’s name, as the form’s hint says', async () => {
    const form = await client.get('/admin/lieux/import');
    assert.match(form.body, /Par défaut le nom du fichier/);
    const res = await send(csvOf([row('named-by-file')]), 'annuaire-2026.csv');
    assert.equal(res.statusCode, 303, res.body);
    assert.equal((await stored('named-by-file'))?.import_source, 'annuaire-2026.csv');
    const report = await client.get(String(res.headers.location));
    assert.match(report.body, /annuaire-2026\.csv \(CSV\), source « annuaire-2026\.csv »/);
    // A name typed wins; a path sent as the name keeps only the file's own name.
    const typed = await send(csvOf([row('named-by-hand')]), 'C:\\Users\\moi\\lieux.csv', {
      source: 'Recensement 2026',
    });
    assert.equal(typed.statusCode, 303, typed.body);
    const place = await stored('named-by-hand');
    assert.equal(place?.import_source, 'Recensement 2026');
    const saved = await t.db.db
      .selectFrom('lieu_import')
      .select('file_name')
      .where('id', '=', place!.import_id!)
      .executeTakeFirstOrThrow();
    assert.equal(saved.file_name, 'lieux.csv');
  });

  test('the phone error and the phone hint give the same format', async () => {
    const form = await client.get('/admin/lieux/nouveau');
    const res = await client.post('/admin/lieux/nouveau', {
      collectivite: String(coordinator.collectiviteId),
      nom: 'Médiathèque',
      pivot: '00000000000000',
      adresse: '1 place Lazare-Goujon',
      code_postal: '69100',
      commune: 'Villeurbanne',
      telephone: '12',
    });
    assert.equal(res.statusCode, 400);
    const format = PHONE_FORMAT.replace(/[()+]/g, (c) => `\\${c}`);
    assert.match(form.body, new RegExp(`Un numéro par ligne, ${format}`));
    assert.match(res.body, new RegExp(`Téléphone : format attendu : ${format}`));
  });

  test('the CSV template has the standard’s columns and, filled in, imports', async () => {
    const res = await client.get('/admin/lieux/import/modele.csv');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="modele-lieux-lmn\.csv"/);
    const [header] = res.body.replace(/^\uFEFF/, '').split(/\r?\n/);
    assert.deepEqual(header?.split(','), LMN_FIELD_NAMES);
    // The row's columns in the template's order.
    const values = LMN_FIELD_NAMES.map((name) => String(row('from-csv-template')[name] ?? ''));
    const sent = await send(`${res.body}${values.join(',')}\n`, 'modele-lieux-lmn.csv');
    assert.equal(sent.statusCode, 303, sent.body);
    assert.ok(await stored('from-csv-template'));
  });

  test('an XLSX workbook (its first sheet) imports, starting from the XLSX template', async () => {
    const res = await client.get('/admin/lieux/import/modele.xlsx');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /spreadsheetml/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as never);
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['Lieux', 'Aide'],
    );
    const sheet = workbook.worksheets[0]!;
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), LMN_FIELD_NAMES);
    const help = workbook.getWorksheet('Aide')!;
    assert.match(
      String(help.getRow(LMN_FIELD_NAMES.indexOf('services') + 2).getCell(4).value),
      /Aide aux démarches administratives/,
    );

    // Filled as a spreadsheet would: numbers for codes (leading zero lost), a real date, a link.
    const cells: Record<string, unknown> = {
      id: 'from-xlsx',
      pivot: '00000000000000',
      nom: 'Médiathèque de Bourg',
      commune: 'Bourg-en-Bresse',
      code_postal: 1000,
      adresse: '1 rue de la Paix',
      date_maj: new Date(Date.UTC(2025, 2, 1)),
      telephone: 474000000,
      site_web: { text: 'www.exemple.fr', hyperlink: 'https://www.exemple.fr' },
      services: 'Aide aux démarches administratives|Maîtrise des outils numériques du quotidien',
      horaires: UNREADABLE_HOURS,
    };
    sheet.addRow(LMN_FIELD_NAMES.map((name) => cells[name] ?? null));
    sheet.addRow([]); // an empty row is skipped
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const sent = await send(bytes, 'lieux.xlsx', { essai: 'oui' });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.match(sent.body, /lieux\.xlsx \(XLSX\)/);
    // Bourg-en-Bresse is outside Villeurbanne: told, not rejected.
    assert.match(section(sent.body, 'Lieux hors du territoire'), /Bourg-en-Bresse \(01053\)/);
    const done = await send(bytes, 'lieux.xlsx');
    assert.equal(done.statusCode, 303, done.body);
    const place = await stored('from-xlsx');
    assert.ok(place);
    assert.equal(place.code_postal, '01000');
    assert.equal(place.code_insee, '01053');
    assert.equal(place.date_maj, '2025-03-01');
    assert.deepEqual(place.telephone, ['+33474000000']);
    assert.deepEqual(place.site_web, ['https://www.exemple.fr']);
    assert.equal(place.services.length, 2);
    assert.equal(place.horaires, null);
  });

  test('a semicolon CSV saved by Excel in Windows-1252 imports with its accents', async () => {
    const text = csvOf(
      [row('excel-1252', { nom: 'Médiathèque Élise-Rivet', adresse: '2 rue de l’Église' })],
      ';',
    );
    const latin = Buffer.from(text.replace('’', "'"), 'latin1');
    const res = await send(latin, 'excel.csv');
    assert.equal(res.statusCode, 303, res.body);
    const place = await stored('excel-1252');
    assert.equal(place?.nom, 'Médiathèque Élise-Rivet');
    assert.equal(place?.adresse, "2 rue de l'Église");
  });

  test('a broken workbook or an empty file is refused in French, nothing written', async () => {
    const before = await t.db.db.selectFrom('lieu_import').select('id').execute();
    const broken = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 1)]);
    const res = await send(broken, 'casse.xlsx');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Classeur XLSX illisible/);
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Feuil1').addRow(['Nom', 'Adresse']);
    // Other columns are no refusal: they go to the mapping step.
    const other = await send(Buffer.from(await workbook.xlsx.writeBuffer()), 'autre.xlsx');
    assert.equal(other.statusCode, 200);
    assert.match(other.body, /<h1>Correspondance des colonnes<\/h1>/);
    const empty = await send('', 'vide.csv');
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choisissez un fichier CSV, XLSX ou JSON non vide/);
    assert.deepEqual(await t.db.db.selectFrom('lieu_import').select('id').execute(), before);
  });

  describe('a dry run’s « Importer » confirms without sending the file again', () => {
    const confirmAction = (html: string) => {
      const action = /<form method="post" action="(\/admin\/lieux\/import\/essais\/[^"]+\/importer)"/.exec(
        html,
      )?.[1];
      assert.ok(action, 'the dry run offers « Importer »');
      assert.match(html, /<button type="submit" class="button">\s*Importer\s*<\/button>/);
      return action;
    };
    const dryRun = async (id: string) => {
      const res = await send(csvOf([row(id)]), `${id}.csv`, { essai: 'oui', brouillon: 'oui' });
      assert.equal(res.statusCode, 200, res.body);
      return confirmAction(res.body);
    };
    /** How many kept files the confirmation `action` names (0 or 1). */
    const pendingCount = async (action: string) =>
      Number(
        (
          await t.db.db
            .selectFrom('lieu_import_essai')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('id', '=', action.split('/')[5]!)
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('another person, even of the same collectivité, cannot confirm it', async () => {
      const action = await dryRun('pending-other');
      const other = await givenCoordinator(t, { collectivite: coordinator.collectiviteId });
      const intruder = new Client(t.app);
      await intruder.signIn(other.email, other.password, other.totpSecret);
      await intruder.get('/admin/lieux/import');
      const res = await intruder.post(action, {});
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Ce fichier a été vérifié par une autre personne/);
      assert.equal(await stored('pending-other'), undefined);
      // Its own person still can.
      await client.get('/admin/lieux/import');
      const own = await client.post(action, {});
      assert.equal(own.statusCode, 303, own.body);
      assert.ok(await stored('pending-other'));
    });

    test('after its hour it is refused, and forgotten', async () => {
      const action = await dryRun('pending-expired');
      await t.db.db
        .updateTable('lieu_import_essai')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', action.split('/')[5]!)
        .execute();
      await client.get('/admin/lieux/import');
      const res = await client.post(action, {});
      assert.equal(res.statusCode, 410);
      assert.match(res.body, /La vérification de ce fichier a expiré \(elle est gardée une heure\)/);
      assert.equal(await stored('pending-expired'), undefined);
      assert.equal(await pendingCount(action), 0, 'the expired file is deleted');
    });

    test('the hourly job forgets the files nobody confirmed in time', async () => {
      const action = await dryRun('pending-purged');
      const kept = await dryRun('pending-kept');
      await t.db.db
        .updateTable('lieu_import_essai')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', action.split('/')[5]!)
        .execute();
      const job = lieux.jobs?.find((j) => j.name === 'lieux.purge-import-essais');
      assert.ok(job);
      const summary = (await job.run({ db: t.db.db, config: testConfig }, {} as never)) as Record<
        string,
        number
      >;
      assert.ok((summary['fichiers effacés'] ?? 0) >= 1);
      assert.equal(await pendingCount(action), 0);
      assert.equal(await pendingCount(kept), 1, 'a file still in its hour stays');
    });

    test('its person imports it once, with the dry run’s options, without the file', async () => {
      const action = await dryRun('pending-own');
      assert.equal(await stored('pending-own'), undefined, 'the dry run wrote nothing');
      await client.get('/admin/lieux/import');
      const res = await client.post(action, {});
      assert.equal(res.statusCode, 303, res.body);
      assert.match(String(res.headers.location), /^\/admin\/lieux\/imports\//);
      const place = await stored('pending-own');
      assert.equal(place?.status, 'brouillon', 'the draft option of the dry run holds');
      assert.equal(place?.import_source, 'pending-own.csv');
      assert.equal(await pendingCount(action), 0, 'the kept file is gone once imported');
      await client.get('/admin/lieux/import');
      const again = await client.post(action, {});
      assert.equal(again.statusCode, 410);
      assert.match(again.body, /Cette vérification n’existe plus/);
      const forged = await client.post('/admin/lieux/import/essais/pas-un-identifiant/importer', {});
      assert.equal(forged.statusCode, 410);
    });

    test('no « Importer » when nothing would be written', async () => {
      const res = await send(csvOf([row('strict-bad', { code_postal: '1' })]), 'rien.csv', {
        essai: 'oui',
        strict: 'oui',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.doesNotMatch(res.body, /\/importer"/);
    });
  });

  describe('a spreadsheet in another layout imports through the mapping step, saved for its source', () => {
    const OTHER_HEADER = [
      'Identifiant',
      'Nom de la structure',
      'SIRET',
      'Adresse',
      'CP',
      'Ville',
      'Mise à jour',
      'Remarque',
    ];
    const MAPPING: Record<string, string> = {
      identifiant: 'id',
      'nom de la structure': 'nom',
      siret: 'pivot',
      adresse: 'adresse',
      cp: 'code_postal',
      ville: 'commune',
      'mise à jour': 'date_maj',
      remarque: '',
    };
    const workbook = async (id: string) => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('France Services');
      sheet.addRow(OTHER_HEADER);
      sheet.addRow([
        id,
        `Maison France Services ${id}`,
        '00000000000000',
        '1 place Lazare-Goujon',
        69100,
        'Villeurbanne',
        '01/03/2025',
        'à rappeler',
      ]);
      return Buffer.from(await book.xlsx.writeBuffer());
    };
    const choices = (html: string) =>
      OTHER_HEADER.map((_, i) => {
        const select = new RegExp(`<select id="champ-colonne_${i}"[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
        return /<option value="([^"]*)" selected/.exec(select)?.[1] ?? '';
      });

    test('the columns are chosen once, the file checked then imported without sending it again', async () => {
      const sent = await send(await workbook('fs-1'), 'france-services.xlsx', { source: 'France Services' });
      const page = sent;
      assert.equal(page.statusCode, 200, page.body);
      const mappingUrl =
        /<form method="post" action="(\/admin\/lieux\/import\/essais\/[^"]+\/correspondance)"/.exec(
          page.body,
        )?.[1];
      assert.ok(mappingUrl, 'the mapping step answers the upload');
      assert.match(page.body, /<h1>Correspondance des colonnes<\/h1>/);
      assert.match(page.body, /Maison France Services fs-1/, 'the first rows are shown');
      assert.match(page.body, /Colonne « nom de la structure »/);
      assert.deepEqual(
        choices(page.body),
        ['', '', '', 'adresse', '', '', '', ''],
        'only standard names are preselected',
      );

      // Another person cannot map it.
      const other = await givenCoordinator(t, { collectivite: coordinator.collectiviteId });
      const intruder = new Client(t.app);
      await intruder.signIn(other.email, other.password, other.totpSecret);
      await intruder.get('/admin/lieux/import');
      const intruded = await intruder.post(mappingUrl, { colonne_0: 'id' });
      assert.equal(intruded.statusCode, 403);
      assert.match(intruded.body, /Ce fichier a été vérifié par une autre personne/);

      // No column for the id: told, nothing saved.
      const withoutId = await client.post(
        mappingUrl,
        Object.fromEntries(OTHER_HEADER.map((_, i) => [`colonne_${i}`, ''])),
      );
      assert.equal(withoutId.statusCode, 400);
      assert.match(withoutId.body, /Choisissez la colonne qui identifie chaque lieu/);

      const fields = Object.fromEntries(
        OTHER_HEADER.map((h, i) => [`colonne_${i}`, MAPPING[h.toLowerCase()] ?? '']),
      );
      const dry = await client.post(mappingUrl, fields);
      assert.equal(dry.statusCode, 200, dry.body);
      assert.match(dry.body, /Vérification seulement/);
      assert.equal(await stored('fs-1'), undefined);
      const action = /action="(\/admin\/lieux\/import\/essais\/[^"]+\/importer)"/.exec(dry.body)?.[1];
      assert.ok(action);
      const done = await client.post(action, {});
      assert.equal(done.statusCode, 303, done.body);
      const place = await stored('fs-1');
      assert.equal(place?.nom, 'Maison France Services fs-1');
      assert.equal(place?.date_maj, '2025-03-01');
      assert.equal(place?.import_source, 'France Services');

      // The next file of the source comes with the saved choices.
      const next = await send(await workbook('fs-2'), 'france-services-2.xlsx', {
        source: 'France Services',
      });
      assert.equal(next.statusCode, 200);
      assert.deepEqual(
        choices(next.body),
        OTHER_HEADER.map((h) => MAPPING[h.toLowerCase()]),
      );
    });
  });

  test('France Services hours, a column per weekday, are offered as each day’s hours and combined', async () => {
    const page = await send(franceServicesCsv('web-'), 'france-services.csv', {
      source: 'Liste France Services',
    });
    assert.equal(page.statusCode, 200, page.body);
    const mappingUrl = /action="(\/admin\/lieux\/import\/essais\/[^"]+\/correspondance)"/.exec(
      page.body,
    )?.[1];
    assert.ok(mappingUrl, 'the mapping step answers the upload');
    const selected = FRANCE_SERVICES_HEADER.map((_, i) => {
      const select =
        new RegExp(`<select id="champ-colonne_${i}"[\\s\\S]*?</select>`).exec(page.body)?.[0] ?? '';
      return /<option value="([^"]*)" selected/.exec(select)?.[1] ?? '';
    });
    assert.deepEqual(
      selected.slice(7),
      ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'].map((d) => `horaires.${d}`),
      'each weekday column is offered as that day’s hours',
    );
    const fields = Object.fromEntries(
      FRANCE_SERVICES_HEADER.map((h, i) => [
        `colonne_${i}`,
        FRANCE_SERVICES_MAPPING[h as keyof typeof FRANCE_SERVICES_MAPPING],
      ]),
    );
    const dry = await client.post(mappingUrl, fields);
    assert.equal(dry.statusCode, 200, dry.body);
    assert.match(
      section(dry.body, 'Avertissements : valeurs corrigées ou laissées de côté'),
      /web-fs-rdv[\s\S]*lundi : Sur rendez-vous/,
    );
    const action = /action="(\/admin\/lieux\/import\/essais\/[^"]+\/importer)"/.exec(dry.body)?.[1];
    assert.ok(action);
    assert.equal((await client.post(action, {})).statusCode, 303);
    for (const [id, , hours] of FRANCE_SERVICES_ROWS) {
      const place = await stored(`web-${id}`);
      assert.ok(place, `web-${id} imported`);
      assert.equal(place.horaires, hours || null, `web-${id}`);
    }
  });

  test('a strict import still rejects a row whose optional value is unreadable', async () => {
    const csv = csvOf([row('strict-hours', { horaires: UNREADABLE_HOURS })]);
    const res = await send(csv, 'strict.csv', { strict: 'oui' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(section(res.body, 'Lignes rejetées'), /strict-hours/);
    assert.match(res.body, /Import strict refusé/);
    assert.equal(await stored('strict-hours'), undefined);
  });
});

describe('place imports people can do, from the command line', () => {
  // The commands run on a test database held open (on PGlite, opening a data directory for each
  // command would cost seconds).
  let cli: CliDatabase;
  let dir: string;
  before(async () => {
    cli = await openCliDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'relais-import-formats-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cli.close();
  });

  const file = (name: string, content: string | Buffer) => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  };
  const relais = (...args: string[]) => cli.run(args);
  const storedHours = (lmnId: string) =>
    cli.db.selectFrom('lieu').select(['horaires']).where('lmn_id', '=', lmnId).executeTakeFirst();

  test('an unreadable optional field is a warning, the row is imported without it', async () => {
    const csv = file('horaires.csv', csvOf([row('cli-hours', { horaires: UNREADABLE_HOURS })]));
    const res = await relais('import', 'lieux', csv);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /créées : 1/);
    assert.match(res.stdout, /rejetées : 0\n {2}avec avertissement : 1/);
    assert.match(
      res.stdout,
      /Avertissements \(valeurs corrigées ou ignorées\) :\n {2}ligne 2 \(cli-hours\) horaires/,
    );
    assert.deepEqual(await storedHours('cli-hours'), { horaires: null });
  });

  test('--correspondance maps a file in another layout, and is saved for its source', async () => {
    const csv = file(
      'autre.csv',
      'Identifiant;Nom de la structure;SIRET;Adresse;CP;Ville;Mise à jour;Remarque\n' +
        'cli-fs-1;Maison France Services;00000000000000;1 place Lazare-Goujon;69100;Villeurbanne;01/03/2025;x\n',
    );
    const refused = await relais('import', 'lieux', csv);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /La première ligne doit nommer les colonnes du standard/);
    const bad = file('mauvaise.json', JSON.stringify({ Identifiant: 'identifiant' }));
    const badRes = await relais('import', 'lieux', csv, '--correspondance', bad);
    assert.equal(badRes.code, 1);
    assert.match(badRes.stderr, /Colonne « Identifiant » : « identifiant » n’est pas un champ du standard/);

    const mapping = file(
      'correspondance.json',
      JSON.stringify({
        Identifiant: 'id',
        'Nom de la structure': 'nom',
        SIRET: 'pivot',
        Adresse: 'adresse',
        CP: 'code_postal',
        Ville: 'commune',
        'Mise à jour': 'date_maj',
        Remarque: null,
      }),
    );
    const res = await relais(
      'import',
      'lieux',
      csv,
      '--source',
      'France Services',
      '--correspondance',
      mapping,
    );
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /créées : 1/);
    assert.doesNotMatch(res.stdout, /remarque/i, 'an ignored column is not reported');
    assert.match(res.stdout, /Correspondance enregistrée pour la source « France Services »\./);

    const next = file(
      'autre-2.csv',
      'Identifiant;Nom de la structure;SIRET;Adresse;CP;Ville;Mise à jour;Remarque\n' +
        'cli-fs-2;Espace France Services;00000000000000;2 place Lazare-Goujon;69100;Villeurbanne;01/03/2025;\n',
    );
    const reused = await relais('import', 'lieux', next, '--source', 'France Services');
    assert.equal(reused.code, 0, reused.stdout + reused.stderr);
    assert.match(reused.stdout, /Correspondance enregistrée pour la source « France Services » appliquée\./);
    assert.match(reused.stdout, /créées : 1/);
  });

  test('--correspondance combines the weekday columns of a France Services spreadsheet into OSM opening hours', async () => {
    const xlsx = file('france-services.xlsx', await franceServicesXlsx('cli-'));
    const mapping = file('france-services.json', JSON.stringify(FRANCE_SERVICES_MAPPING));
    const res = await relais(
      'import',
      'lieux',
      xlsx,
      '--source',
      'France Services (liste)',
      '--correspondance',
      mapping,
    );
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /créées : 3/);
    assert.match(res.stdout, /rejetées : 0\n/);
    assert.match(
      res.stdout,
      /ligne 4 \(cli-fs-rdv\) horaires « lundi : Sur rendez-vous ; mardi : 09:00 - 12:00 \/ 13:30 - 17:00 » : Horaires par jour illisibles : lundi : « Sur rendez-vous » illisible/,
    );
    for (const [id, , hours] of FRANCE_SERVICES_ROWS)
      assert.deepEqual(await storedHours(`cli-${id}`), { horaires: hours || null }, `cli-${id}`);

    // A day's column and the whole hours' column cannot both fill the hours.
    const both = file('les-deux.json', JSON.stringify({ ...FRANCE_SERVICES_MAPPING, Commune: 'horaires' }));
    const refused = await relais('import', 'lieux', xlsx, '--correspondance', both);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /donne les horaires et « lundi » ceux d’un jour : gardez l’un ou l’autre/);
  });

  test('a place outside the collectivité given is flagged by the dry run; an arrondissement is its commune', async () => {
    const added = await relais('collectivite', 'add', '69266');
    assert.equal(added.code, 0, added.stdout + added.stderr);
    const csv = file(
      'hors.csv',
      csvOf([row('cli-in'), row('cli-lyon', { commune: 'Lyon', code_postal: '69003', code_insee: '69383' })]),
    );
    const res = await relais('import', 'lieux', csv, '--collectivite', '69266', '--dry-run');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /hors du territoire de Villeurbanne : Lyon \(69123\), 1 lieu\(x\)/);
    assert.match(res.stdout, /ligne 3 \(cli-lyon\) code_insee « 69383 » : arrondissement municipal/);
  });
});
