import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { type SqlBool, sql } from 'kysely';
import { testConfig } from '../../../test/helpers/app.ts';
import { createTestDatabase, type TestDatabase, tableSnapshot } from '../../../test/helpers/database.ts';
import { seedDemoOnce } from '../../main.ts';
import { type Actor, ForbiddenError, systemActor } from '../../platform/auth/policy.ts';
import { loadMemberships } from '../../platform/auth/sessions.ts';
import type { Db } from '../../platform/db/database.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import {
  type ImportOptions,
  type ImportReport,
  importPlaces,
  parsePlacesFile,
  type RowOutcome,
  reportRecords,
  rowResultOf,
} from './import.ts';
import { mapRow, suggestedTarget } from './import-mapping.ts';
import type { Note } from './legacy.ts';
import { checkOpeningHours } from './opening-hours.ts';
import { savePlace } from './service.ts';
import { placeOf } from './store.ts';

const system = systemActor('tests');

const CHARENTE_FILE = path.resolve('..', 'shared', 'data', 'lieux-charente-2023.json');
const CHARENTE_MISSING = existsSync(CHARENTE_FILE)
  ? false
  : `données réelles absentes (${CHARENTE_FILE}) : import du fichier de Charente non testé`;

/** The national France Services list, when the shared data holds it (`france-services*.csv|xlsx`). */
const SHARED_DATA = path.resolve('..', 'shared', 'data');
const FRANCE_SERVICES_FILE = (existsSync(SHARED_DATA) ? readdirSync(SHARED_DATA) : [])
  .filter((name) => /^france[-_ ]?services.*\.(csv|xlsx)$/i.test(name))
  .map((name) => path.join(SHARED_DATA, name))[0];
const FRANCE_SERVICES_MISSING = FRANCE_SERVICES_FILE
  ? false
  : `liste nationale France Services absente (${SHARED_DATA}/france-services*.csv ou .xlsx) : horaires par jour testés sur l’échantillon généré seulement`;

/** A valid row of the standard with only its required fields, then `fields`. */
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

async function importOk(
  db: Db,
  content: string,
  options: Partial<ImportOptions> = {},
  actor: Actor = system,
): Promise<ImportReport> {
  const result = await importPlaces(db, actor, content, { fileName: 'lieux.csv', ...options });
  if (!result.ok) assert.fail(`import refused: ${result.reason}`);
  return result.report;
}

const counts = (r: ImportReport) => ({
  read: r.read,
  created: r.created,
  updated: r.updated,
  unchanged: r.unchanged,
  rejected: r.rejected,
});

const outcomeAt = (report: ImportReport, line: number): RowOutcome => {
  const outcome = report.rows.find((r) => r.line === line);
  assert.ok(outcome, `an outcome for line ${line}`);
  return outcome;
};

const stored = (db: Db, lmnId: string) =>
  db.selectFrom('lieu').selectAll().where('lmn_id', '=', lmnId).executeTakeFirst();

const countPlaces = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('lieu')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

test('row results are ASCII codes; reports stored with the French words still read', () => {
  assert.equal(rowResultOf('updated'), 'updated');
  assert.equal(rowResultOf('mis à jour'), 'updated');
  assert.equal(rowResultOf('conservé'), 'kept');
  assert.throws(() => rowResultOf('perdu'), /Unknown import row result/);
});

describe('parsePlacesFile', () => {
  const rows = [row('a', { services: 'Aide aux démarches administratives|Loisirs et créations numériques' })];

  test('reads a comma CSV, a semicolon CSV with a BOM and CRLF, and a JSON array alike', async () => {
    const comma = await parsePlacesFile(csvOf(rows));
    const semicolon = await parsePlacesFile(`\uFEFF${csvOf(rows, ';').replace(/\n/g, '\r\n')}`);
    const json = await parsePlacesFile(JSON.stringify(rows));
    assert.ok(comma.ok && semicolon.ok && json.ok);
    assert.equal(comma.format, 'csv');
    assert.equal(semicolon.format, 'csv');
    assert.equal(json.format, 'json');
    const expected = Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, String(v)]));
    assert.deepEqual(comma.rows, [{ line: 2, data: expected }]);
    assert.deepEqual(semicolon.rows, [{ line: 2, data: expected }]);
    assert.deepEqual(json.rows, [{ line: 1, data: rows[0] }]);
  });

  test('column names are read without case nor surrounding spaces', async () => {
    const parsed = await parsePlacesFile(' ID , Nom \nx,Médiathèque\n');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.rows[0]?.data, { id: 'x', nom: 'Médiathèque' });
  });

  test('a JSON object wrapping the array is read too', async () => {
    const parsed = await parsePlacesFile(JSON.stringify({ lieux: rows }));
    assert.ok(parsed.ok);
    assert.equal(parsed.rows.length, 1);
  });

  test('CSV lines count from the header, across blank lines and line breaks inside a cell', async () => {
    const lines = async (text: string) => {
      const parsed = await parsePlacesFile(text);
      assert.ok(parsed.ok);
      return parsed.rows.map((r) => [r.data.id, r.line]);
    };
    const expected = [
      ['a', 2],
      ['b', 5],
      ['c', 6],
    ];
    // A record starts on the line of its first cell: a cell on two lines moves the next ones.
    assert.deepEqual(
      await lines('id,nom\na,"Première ligne\nseconde ligne"\n\nb,Bibliothèque\nc,CCAS\n'),
      expected,
    );
    assert.deepEqual(await lines('id,nom\r\na,"Première\nseconde"\r\n\r\nb,B\r\nc,C\r\n'), expected);
    assert.deepEqual(await lines('id,nom\r\na,"Première\r\nseconde"\r\n\r\nb,B\r\nc,C'), expected);
  });

  test('an empty file, a CSV without header and unreadable JSON are refused in French', async () => {
    assert.deepEqual(await parsePlacesFile(''), { ok: false, reason: 'Le fichier est vide.' });
    assert.deepEqual(await parsePlacesFile('\uFEFF  \n'), { ok: false, reason: 'Le fichier est vide.' });
    const noHeader = await parsePlacesFile('Médiathèque,Villeurbanne\nCCAS,Bron\n');
    assert.ok(!noHeader.ok);
    assert.match(noHeader.reason, /La première ligne doit nommer les colonnes du standard/);
    const badJson = await parsePlacesFile('[{"id": "a",]');
    assert.ok(!badJson.ok);
    assert.match(badJson.reason, /^JSON illisible : /);
    const notArray = await parsePlacesFile('{"id": "a"}');
    assert.ok(!notArray.ok);
    assert.match(notArray.reason, /Le JSON doit être un tableau/);
  });
});

describe('importPlaces by the operator (system actor)', () => {
  let t: TestDatabase;
  let db: Db;
  before(async () => {
    t = await createTestDatabase();
    db = t.db;
  });
  after(() => t.close());

  test('a comma CSV creates published places with the standard’s values', async () => {
    const report = await importOk(
      db,
      csvOf([
        row('csv-1', {
          latitude: 45.7665,
          longitude: 4.8795,
          services: 'Aide aux démarches administratives|Maîtrise des outils numériques du quotidien',
          horaires: 'Mo-Fr 09:00-12:00',
          telephone: '+33478031234',
          presentation_resume: 'Aide, conseils et ateliers.',
        }),
        row('csv-2', { commune: 'Bron', code_postal: '69500' }),
      ]),
    );
    assert.deepEqual(counts(report), { read: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
    assert.equal(report.format, 'csv');
    assert.equal(report.written, true);
    assert.ok(report.importId);
    const place = await stored(db, 'csv-1');
    assert.ok(place);
    assert.equal(place.status, 'publie');
    assert.equal(place.nom, 'Espace numérique csv-1');
    assert.equal(place.code_insee, '69266', 'INSEE code found from postcode and commune');
    assert.equal(place.latitude, 45.7665);
    assert.deepEqual(place.services, [
      'Aide aux démarches administratives',
      'Maîtrise des outils numériques du quotidien',
    ]);
    assert.deepEqual(place.telephone, ['+33478031234']);
    assert.equal(place.presentation_resume, 'Aide, conseils et ateliers.');
    assert.equal(place.import_id, report.importId);
    assert.equal(placeOf(place).date_maj, '2024-04-02');
    assert.equal((await stored(db, 'csv-2'))?.code_insee, '69029');
    const saved = await db
      .selectFrom('lieu_import')
      .selectAll()
      .where('id', '=', report.importId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { read: saved.read, created: saved.created, rejected: saved.rejected },
      { read: 2, created: 2, rejected: 0 },
    );
  });

  test('a semicolon-delimited CSV with a BOM is read, commas inside values included', async () => {
    const text = `\uFEFF${csvOf(
      [
        row('semi-1', {
          presentation_resume: 'Ateliers, permanences, aide aux démarches',
          services: 'Aide aux démarches administratives|Loisirs et créations numériques',
        }),
      ],
      ';',
    ).replace(/\n/g, '\r\n')}`;
    assert.ok(text.split('\n')[0]?.includes(';'));
    const report = await importOk(db, text, { fileName: 'point-virgule.csv' });
    assert.deepEqual(counts(report), { read: 1, created: 1, updated: 0, unchanged: 0, rejected: 0 });
    const place = await stored(db, 'semi-1');
    assert.equal(place?.pivot, '00000000000000', 'the first column is read despite the BOM');
    assert.equal(place?.presentation_resume, 'Ateliers, permanences, aide aux démarches');
    assert.deepEqual(place?.services, [
      'Aide aux démarches administratives',
      'Loisirs et créations numériques',
    ]);
  });

  test('a JSON array is imported, numbers and arrays as they come', async () => {
    const report = await importOk(
      db,
      JSON.stringify([
        row('json-1', {
          latitude: 45.7758,
          longitude: 4.8636,
          services: ['Loisirs et créations numériques', 'Compréhension du monde numérique'],
        }),
      ]),
      { fileName: 'lieux.json' },
    );
    assert.equal(report.format, 'json');
    assert.deepEqual(counts(report), { read: 1, created: 1, updated: 0, unchanged: 0, rejected: 0 });
    const place = await stored(db, 'json-1');
    assert.equal(place?.longitude, 4.8636);
    assert.deepEqual(place?.services, [
      'Loisirs et créations numériques',
      'Compréhension du monde numérique',
    ]);
  });

  test('fields of the standard’s version 0.1 are mapped to v1', async () => {
    const report = await importOk(
      db,
      JSON.stringify([
        row('v01-1', {
          courriel: 'contact@mairie-exemple.fr',
          labels_nationaux: 'CNFS;France Services',
          publics_accueillis: 'Adultes;Familles/enfants;Jeunes (16-26 ans);Seniors (+ 65 ans);Surdité',
          accessibilite: 'https://acceslibre.beta.gouv.fr/app/69-villeurbanne/a/mairie/erp/mairie/',
          services:
            'Prendre en main un ordinateur;Réaliser des démarches administratives avec un accompagnement',
          modalites_accompagnement: "Avec de l'aide",
        }),
      ]),
    );
    assert.deepEqual(counts(report), { read: 1, created: 1, updated: 0, unchanged: 0, rejected: 0 });
    assert.deepEqual(report.fileNotes, [], 'v0.1 fields are not "outside the standard"');
    const place = await stored(db, 'v01-1');
    assert.ok(place);
    assert.deepEqual(place.courriels, ['contact@mairie-exemple.fr']);
    assert.deepEqual(place.dispositif_programmes_nationaux, ['Conseillers numériques', 'France Services']);
    assert.deepEqual(place.publics_specifiquement_adresses, ['Familles et/ou enfants', 'Jeunes', 'Seniors']);
    assert.deepEqual(place.prise_en_charge_specifique, ['Surdité']);
    assert.equal(
      place.fiche_acces_libre,
      'https://acceslibre.beta.gouv.fr/app/69-villeurbanne/a/mairie/erp/mairie/',
    );
    assert.deepEqual(place.services, [
      'Maîtrise des outils numériques du quotidien',
      'Aide aux démarches administratives',
    ]);
    assert.deepEqual(place.modalites_accompagnement, ['Accompagnement individuel']);
  });

  test('a v0.1 label without v1 counterpart goes to "autres formations et labels", with a warning', async () => {
    const report = await importOk(
      db,
      JSON.stringify([row('v01-2', { labels_nationaux: 'CNFS;Label maison' })]),
    );
    assert.equal(report.created, 1);
    const place = await stored(db, 'v01-2');
    assert.deepEqual(place?.dispositif_programmes_nationaux, ['Conseillers numériques']);
    assert.equal(place?.autres_formations_labels, 'Label maison');
    assert.ok(
      report.rows[0]?.warnings.some((w) => w.field === 'labels_nationaux' && w.value === 'Label maison'),
    );
  });

  test('phones, separators, dates and value case are normalised, with warnings', async () => {
    const report = await importOk(
      db,
      csvOf([
        row('norm-1', {
          telephone: '05 45 39 31 93|0033 4 78 03 12 34',
          services: 'aide aux demarches administratives;LOISIRS ET CRÉATIONS NUMÉRIQUES',
          frais_a_charge: 'gratuit',
          modalites_accompagnement: 'en autonomie;accompagnement individuel',
          typologie: 'bib',
          date_maj: '22/02/2023',
          horaires: 'Mo-Fr 9-12',
        }),
      ]),
    );
    assert.deepEqual(counts(report), { read: 1, created: 1, updated: 0, unchanged: 0, rejected: 0 });
    const place = await stored(db, 'norm-1');
    assert.ok(place);
    assert.deepEqual(place.telephone, ['+33545393193', '+33478031234']);
    assert.deepEqual(place.services, [
      'Aide aux démarches administratives',
      'Loisirs et créations numériques',
    ]);
    assert.deepEqual(place.frais_a_charge, ['Gratuit']);
    assert.deepEqual(place.modalites_accompagnement, ['En autonomie', 'Accompagnement individuel']);
    assert.deepEqual(place.typologie, ['BIB']);
    assert.equal(placeOf(place).date_maj, '2023-02-22');
    assert.equal(place.horaires, 'Mo-Fr 09:00-12:00');
    const separatorWarnings = report.rows[0]?.warnings
      .filter((w) => w.reason === 'séparateur « ; » remplacé par « | »')
      .map((w) => w.field);
    assert.deepEqual(separatorWarnings, ['services', 'modalites_accompagnement']);
  });

  test('each rejection reason of a strict import names the field and the line of the file', async () => {
    const cases: { fields: Record<string, unknown>; field: string; reason: RegExp }[] = [
      { fields: { nom: '' }, field: 'nom', reason: /^champ obligatoire absent$/ },
      { fields: { date_maj: '' }, field: 'date_maj', reason: /^champ obligatoire absent$/ },
      { fields: { code_postal: '6910' }, field: 'code_postal', reason: /^format attendu : cinq chiffres$/ },
      { fields: { code_postal: '69 100' }, field: 'code_postal', reason: /format attendu : cinq chiffres/ },
      { fields: { services: 'Nope' }, field: 'services', reason: /^valeur inconnue ; valeurs possibles : / },
      {
        fields: { presentation_resume: 'é'.repeat(281) },
        field: 'presentation_resume',
        reason: /^281 caractères pour 280 au plus$/,
      },
      { fields: { date_maj: '2023-02-30' }, field: 'date_maj', reason: /date attendue au format AAAA-MM-JJ/ },
      { fields: { date_maj: 'hier' }, field: 'date_maj', reason: /date attendue au format AAAA-MM-JJ/ },
      {
        fields: { latitude: 40.7128, longitude: -74.006 },
        field: 'latitude',
        reason: /^coordonnées hors de France, outre-mer compris$/,
      },
      {
        fields: { latitude: 4.8636, longitude: 45.7758 },
        field: 'latitude',
        reason: /hors de France.*\(latitude et longitude inversées \?\)/,
      },
      { fields: { latitude: 45.77 }, field: 'longitude', reason: /latitude et longitude vont ensemble/ },
      { fields: { latitude: 'nord', longitude: 4.8 }, field: 'latitude', reason: /^nombre attendu/ },
      { fields: { latitude: 45.7, longitude: '4,8,1' }, field: 'longitude', reason: /^nombre attendu/ },
      { fields: { horaires: 'lundi matin' }, field: 'horaires', reason: /^Horaires illisibles : / },
      { fields: { horaires: 'Mo-Fr 25:00-26:00' }, field: 'horaires', reason: /^Horaires illisibles : / },
      {
        fields: { telephone: '12' },
        field: 'telephone',
        reason: /^format attendu : 10 chiffres, par exemple 04 78/,
      },
      { fields: { code_insee: '99999' }, field: 'code_insee', reason: /aucune commune actuelle/ },
    ];
    // Line 2 is a good row; case i is on line i + 3.
    const report = await importOk(
      db,
      csvOf([row('reasons-ok'), ...cases.map((c, i) => row(`reasons-${i}`, c.fields))]),
      { strict: true },
    );
    assert.equal(outcomeAt(report, 2).result, 'created');
    for (const [i, c] of cases.entries()) {
      const outcome = outcomeAt(report, i + 3);
      const label = `line ${i + 3} (${JSON.stringify(c.fields).slice(0, 60)})`;
      assert.equal(outcome.result, 'rejected', label);
      assert.equal(outcome.id, `reasons-${i}`, label);
      assert.equal(outcome.errors.length, 1, `${label}: ${JSON.stringify(outcome.errors)}`);
      assert.equal(outcome.errors[0]?.field, c.field, label);
      assert.match(outcome.errors[0]?.reason ?? '', c.reason, label);
    }
    assert.deepEqual(counts(report), {
      read: cases.length + 1,
      created: 1,
      updated: 0,
      unchanged: 0,
      rejected: cases.length,
    });
    assert.equal(await stored(db, 'reasons-0'), undefined, 'rejected rows are not written');
  });

  test('an id used twice in the file: the second row is rejected, naming the first line', async () => {
    const report = await importOk(
      db,
      csvOf([row('twice-1'), row('twice-2'), row('twice-1', { nom: 'Doublon' }), row('twice-3')]),
    );
    assert.deepEqual(
      report.rows.map((r) => [r.line, r.result]),
      [
        [2, 'created'],
        [3, 'created'],
        [4, 'rejected'],
        [5, 'created'],
      ],
    );
    assert.deepEqual(outcomeAt(report, 4).errors, [
      { field: 'id', value: 'twice-1', reason: 'identifiant déjà utilisé ligne 2 du fichier' },
    ]);
    assert.equal((await stored(db, 'twice-1'))?.nom, 'Espace numérique twice-1');
  });

  test('fields outside the standard are reported once for the file, and ignored', async () => {
    const report = await importOk(
      db,
      csvOf([row('extra-1', { couleur: 'bleu' }), row('extra-2', { couleur: 'vert' })]),
    );
    assert.equal(report.created, 2);
    assert.deepEqual(report.fileNotes, [
      { field: 'couleur', value: '', reason: 'champ hors du standard, ignoré' },
    ]);
    assert.ok(report.rows.every((r) => r.warnings.every((w) => w.field !== 'couleur')));
  });

  test('re-importing the same file leaves every place unchanged', async () => {
    const file = csvOf([row('again-1'), row('again-2', { services: 'Aide aux démarches administratives' })]);
    const first = await importOk(db, file, { source: 'again' });
    assert.equal(first.created, 2);
    const revisions = await db.selectFrom('lieu_revision').select('id').execute();
    const second = await importOk(db, file, { source: 'again' });
    assert.deepEqual(counts(second), { read: 2, created: 0, updated: 0, unchanged: 2, rejected: 0 });
    assert.ok(second.rows.every((r) => r.result === 'unchanged'));
    assert.equal((await db.selectFrom('lieu_revision').select('id').execute()).length, revisions.length);
  });

  test('a changed row is updated, with an import revision holding the differences', async () => {
    await importOk(db, csvOf([row('change-1', { telephone: '+33478031234' })]));
    const report = await importOk(
      db,
      csvOf([row('change-1', { nom: 'Espace numérique rénové', telephone: '+33478031234' })]),
    );
    assert.deepEqual(counts(report), { read: 1, created: 0, updated: 1, unchanged: 0, rejected: 0 });
    assert.equal(report.rows[0]?.result, 'updated');
    const place = await stored(db, 'change-1');
    assert.equal(place?.nom, 'Espace numérique rénové');
    const revisions = await db
      .selectFrom('lieu_revision')
      .select(['kind', 'changes'])
      .where('lieu_id', '=', place!.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      revisions.map((r) => r.kind),
      ['import', 'import'],
    );
    assert.deepEqual(revisions[1]?.changes, {
      nom: ['Espace numérique change-1', 'Espace numérique rénové'],
    });
  });

  test('the search columns of every place equal their expressions, whoever wrote it and however', async () => {
    // Computed while staging for an import's new places, by the triggers for every other write.
    await importOk(
      db,
      csvOf([
        row('recherche-1', {
          services: 'Aide aux démarches administratives',
          presentation_resume: 'Écrivain public.',
        }),
        row('recherche-3', { nom: 'Café numérique', presentation_resume: 'Ateliers du jeudi.' }),
      ]),
    );
    await importOk(
      db,
      csvOf([
        row('recherche-1', { nom: 'Médiathèque Élise', services: 'Aide aux démarches administratives' }),
      ]),
    );
    const imported = await stored(db, 'recherche-1');
    assert.equal(imported?.nom, 'Médiathèque Élise');
    await importOk(db, csvOf([row('recherche-2', { commune: 'Bron', code_postal: '69500' })]));
    const other = await stored(db, 'recherche-2');
    await sql`update lieu set commune = 'Saint-Priest', search_name = 'faux', search_doc = to_tsvector('faux')
      where id = ${other!.id}`.execute(db);
    const mismatched = await sql<{ lmn_id: string }>`
      select lmn_id from lieu
      where search_name is distinct from relais_lieu_search_name(nom, commune)
         or search_doc is distinct from relais_lieu_search_doc(nom, commune, code_postal, services, presentation_resume)`.execute(
      db,
    );
    assert.deepEqual(mismatched.rows, []);
    const { rows } = await sql<{ search_name: string; found: boolean }>`
      select search_name, search_doc @@ plainto_tsquery('relais_fr', 'elise demarches') as found
      from lieu where lmn_id = 'recherche-1'`.execute(db);
    assert.deepEqual(rows, [{ search_name: 'mediatheque elise villeurbanne', found: true }]);
  });

  test('a place edited in Relais after its import is kept, unless overwrite', async () => {
    const file = csvOf([row('edited-1', { telephone: '+33478031234' })]);
    await importOk(db, file);
    const before = await stored(db, 'edited-1');
    assert.ok(before);
    const saved = await savePlace(db, system, {
      id: before.id,
      place: { ...placeOf(before), telephone: ['+33478039999'] },
      collectiviteId: before.collectivite_id,
    });
    assert.equal(saved.changed, true);

    const kept = await importOk(db, file);
    assert.deepEqual(counts(kept), { read: 1, created: 0, updated: 0, unchanged: 1, rejected: 0 });
    assert.equal(kept.rows[0]?.result, 'kept');
    assert.match(kept.rows[0]?.warnings.at(-1)?.reason ?? '', /modifié dans Relais depuis le dernier import/);
    assert.deepEqual((await stored(db, 'edited-1'))?.telephone, ['+33478039999']);

    const overwritten = await importOk(db, file, { overwrite: true });
    assert.deepEqual(counts(overwritten), { read: 1, created: 0, updated: 1, unchanged: 0, rejected: 0 });
    assert.deepEqual((await stored(db, 'edited-1'))?.telephone, ['+33478031234']);
    const last = await db
      .selectFrom('lieu_revision')
      .select(['kind', 'changes'])
      .where('lieu_id', '=', before.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(last.kind, 'import');
    assert.deepEqual(last.changes, { telephone: [['+33478039999'], ['+33478031234']] });

    const afterwards = await importOk(db, file);
    assert.equal(afterwards.rows[0]?.result, 'unchanged', 'the overwrite counts as the last import');
  });

  test('an edit made in the database after the import (edited_at later) is kept too', async () => {
    const file = csvOf([row('edited-2')]);
    await importOk(db, file);
    await db
      .updateTable('lieu')
      .set((eb) => ({ nom: 'Nom corrigé à la main', edited_at: eb.fn('now', []) }))
      .where('lmn_id', '=', 'edited-2')
      .execute();
    const report = await importOk(db, csvOf([row('edited-2', { nom: 'Nom de la source' })]));
    assert.equal(report.rows[0]?.result, 'kept');
    assert.equal(report.unchanged, 1);
    assert.equal((await stored(db, 'edited-2'))?.nom, 'Nom corrigé à la main');
  });

  test('a dry run checks everything and writes nothing', async () => {
    const snapshot = await tableSnapshot(db);
    const report = await importOk(db, csvOf([row('dry-1'), row('dry-2', { code_postal: 'x' })]), {
      dryRun: true,
    });
    assert.deepEqual(counts(report), { read: 2, created: 1, updated: 0, unchanged: 0, rejected: 1 });
    assert.equal(report.written, false);
    assert.equal(report.dryRun, true);
    assert.equal(report.importId, null);
    assert.deepEqual(await tableSnapshot(db), snapshot);
  });

  test('a strict import writes nothing when a row is rejected, and everything otherwise', async () => {
    const snapshot = await tableSnapshot(db);
    const refused = await importOk(db, csvOf([row('strict-1'), row('strict-2', { services: 'Nope' })]), {
      strict: true,
    });
    assert.deepEqual(counts(refused), { read: 2, created: 1, updated: 0, unchanged: 0, rejected: 1 });
    assert.equal(refused.written, false);
    assert.deepEqual(await tableSnapshot(db), snapshot);

    const accepted = await importOk(db, csvOf([row('strict-1'), row('strict-2')]), { strict: true });
    assert.equal(accepted.written, true);
    assert.equal(accepted.created, 2);
    assert.ok(await stored(db, 'strict-2'));
  });

  test('an import that fails while writing leaves nothing: no place created or updated, no report', async () => {
    await importOk(db, csvOf([row('atomic-1')]));
    const snapshot = await tableSnapshot(db);
    // A failure in the last row's write, after the update and the first creation were sent.
    await sql`create function test_refuse_place() returns trigger language plpgsql as $$
      begin
        if new.lmn_id = 'atomic-bad' then raise exception 'refusé par le test'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger test_refuse_place before insert on lieu
      for each row execute function test_refuse_place()`.execute(db);
    try {
      const file = csvOf([row('atomic-1', { nom: 'Renommé' }), row('atomic-2'), row('atomic-bad')]);
      await assert.rejects(importPlaces(db, system, file, { fileName: 'lieux.csv' }), /refusé par le test/);
    } finally {
      await sql`drop trigger test_refuse_place on lieu`.execute(db);
      await sql`drop function test_refuse_place()`.execute(db);
    }
    assert.deepEqual(await tableSnapshot(db), snapshot);
  });

  /** 1 200 rows (three chunks of checking and staging), a bad row and a repeated id among them. */
  const largeFile = (prefix: string, bad: { at: number; fields: Record<string, unknown> }) =>
    csvOf(
      Array.from({ length: 1200 }, (_, i) => {
        if (i === bad.at) return row(`${prefix}-bad`, bad.fields);
        // Row 1 100 repeats the id of row 10, in another chunk.
        return row(`${prefix}-${i === 1100 ? 10 : i}`);
      }),
    );
  const stagedRows = async (db: Db) =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from lieu_import_stage`.execute(db)).rows[0]?.n,
    );

  test('a file checked in a worker thread gives the report it gives on this thread, and imports the same', async () => {
    const file = largeFile('worker', { at: 700, fields: { code_postal: 'x' } });
    const inThread = await importOk(db, file, { dryRun: true, worker: false });
    const inWorker = await importOk(db, file, { dryRun: true, worker: true });
    assert.deepEqual(inWorker, inThread);
    assert.deepEqual(counts(inWorker), { read: 1200, created: 1198, updated: 0, unchanged: 0, rejected: 2 });
    assert.match(outcomeAt(inWorker, 1102).errors[0]?.reason ?? '', /identifiant déjà utilisé ligne 12/);
    assert.equal(await stored(db, 'worker-1'), undefined, 'a dry run writes nothing');

    const written = await importOk(db, file, { worker: true });
    assert.deepEqual(counts(written), counts(inWorker));
    assert.deepEqual(written.rows, inWorker.rows);
    assert.equal((await stored(db, 'worker-1199'))?.nom, 'Espace numérique worker-1199');
    assert.equal(await stagedRows(db), 0, 'the staged rows are gone once written');
  });

  test('the final write leaves the server its turn between ranges of rows, on either engine', async () => {
    // PGlite runs in this thread and answers without leaving its turn: a write in one go held
    // the server for seconds. Count the event loop's turns while the final transaction writes.
    let turns = 0;
    let counting = false;
    let spinning: Promise<void> = Promise.resolve();
    const onStep = (step: string) => {
      if (step === 'begin, the report stored') {
        counting = true;
        spinning = (async () => {
          while (counting) {
            await setImmediatePromise();
            turns += 1;
          }
        })();
      } else if (step === 'write lieu') counting = false;
    };
    const report = await importOk(db, largeFile('tours', { at: 5, fields: {} }), { onStep });
    await spinning;
    assert.equal(report.created, 1199, 'row 1 100 repeats an id: rejected');
    // 1 199 staged rows: three ranges of 500, a turn before each.
    assert.ok(turns >= 3, `${turns} turns of the event loop during the final write`);
  });

  test('a strict import refused by a row of a later chunk leaves nothing, staged rows included', async () => {
    const snapshot = await tableSnapshot(db);
    const file = largeFile('late', { at: 1150, fields: { code_postal: 'x' } });
    const report = await importOk(db, file, { strict: true, worker: true });
    assert.equal(report.written, false);
    assert.equal(report.rejected, 2);
    assert.deepEqual(await tableSnapshot(db), snapshot);
    assert.equal(await stagedRows(db), 0);
  });

  test('a large import that fails at its final write leaves every table as it was, and no staged row', async () => {
    await importOk(db, csvOf([row('final-old')]));
    const snapshot = await tableSnapshot(db);
    // The failure comes in the final move, after every chunk was staged.
    await sql`create function test_refuse_place() returns trigger language plpgsql as $$
      begin
        if new.lmn_id = 'final-bad' then raise exception 'refusé par le test'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger test_refuse_place before insert on lieu
      for each row execute function test_refuse_place()`.execute(db);
    try {
      const file = `${largeFile('final', { at: 1199, fields: {} }).trimEnd()}\n${csvOf([row('final-old', { nom: 'Renommé' })]).split('\n')[1]}\n`;
      await assert.rejects(
        importPlaces(db, system, file, { fileName: 'lieux.csv', worker: true }),
        /refusé par le test/,
      );
    } finally {
      await sql`drop trigger test_refuse_place on lieu`.execute(db);
      await sql`drop function test_refuse_place()`.execute(db);
    }
    assert.deepEqual(await tableSnapshot(db), snapshot);
    assert.equal(await stagedRows(db), 0);
  });

  test('a place created or edited elsewhere while the file was checked is rejected or kept, and the stored report says so', async () => {
    await importOk(db, csvOf([row('meanwhile-edited')]));
    const file = csvOf([row('meanwhile-new'), row('meanwhile-edited', { nom: 'Renommé par le fichier' })]);
    const report = await importOk(db, file, {
      // Between the staging and the final transaction: someone creates one place, edits the other.
      onStep: async (step) => {
        if (step !== 'report') return;
        await importOk(db, csvOf([row('meanwhile-new', { nom: 'Créé ailleurs' })]));
        await sql`update lieu set edited_at = now() + interval '1 minute'
          where lmn_id = 'meanwhile-edited'`.execute(db);
      },
    });
    assert.deepEqual(counts(report), { read: 2, created: 0, updated: 0, unchanged: 1, rejected: 1 });
    assert.match(outcomeAt(report, 2).errors[0]?.reason ?? '', /créé ailleurs pendant l’import/);
    assert.equal(outcomeAt(report, 3).result, 'kept');
    assert.equal((await stored(db, 'meanwhile-new'))?.nom, 'Créé ailleurs');
    assert.equal((await stored(db, 'meanwhile-edited'))?.nom, 'Espace numérique meanwhile-edited');
    const saved = await db
      .selectFrom('lieu_import')
      .select(['created', 'updated', 'unchanged', 'rejected', 'report'])
      .where('id', '=', report.importId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...saved, report: undefined },
      { created: 0, updated: 0, unchanged: 1, rejected: 1, report: undefined },
    );
    const rows = (saved.report as { rows: RowOutcome[] }).rows;
    assert.deepEqual(
      rows.map((r) => r.result),
      ['rejected', 'kept'],
    );
  });

  test('--brouillon creates drafts', async () => {
    await importOk(db, csvOf([row('draft-1')]), { draft: true });
    assert.equal((await stored(db, 'draft-1'))?.status, 'brouillon');
  });

  test('an empty file or a file without rows is refused as a whole', async () => {
    const before = await countPlaces(db);
    const empty = await importPlaces(db, system, '', { fileName: 'vide.csv' });
    assert.deepEqual(empty, { ok: false, reason: 'Le fichier est vide.' });
    const headerOnly = await importPlaces(db, system, 'id,nom\n', { fileName: 'entete.csv' });
    assert.deepEqual(headerOnly, { ok: false, reason: 'Le fichier ne contient aucun lieu.' });
    const noArray = await importPlaces(db, system, '[]', { fileName: 'vide.json' });
    assert.deepEqual(noArray, { ok: false, reason: 'Le fichier ne contient aucun lieu.' });
    assert.equal(await countPlaces(db), before);
  });

  test('the report has a line per row, plus one per problem', async () => {
    const report = await importOk(
      db,
      csvOf([row('report-1'), row('report-2', { code_postal: 'x', services: 'Nope' })]),
      { dryRun: true },
    );
    const records = reportRecords(report);
    assert.deepEqual(records[0], ['ligne', 'id', 'nom', 'résultat', 'gravité', 'champ', 'valeur', 'motif']);
    const notes = records.filter((r) => r[1] === 'report-2' && r[4] !== '');
    assert.deepEqual(
      notes.map((r) => [r[0], r[1], r[3], r[4], r[5], r[6]]),
      [
        ['3', 'report-2', 'rejeté', 'erreur', 'code_postal', 'x'],
        ['3', 'report-2', 'rejeté', 'avertissement', 'services', 'Nope'],
      ],
    );
    assert.ok(records.some((r) => r[0] === '2' && r[3] === 'créé'));
  });

  test('counts always add up, dry runs and refused strict imports write nothing', async () => {
    // A required field's problem rejects the row; an optional field's only in a strict import.
    const INVALID: Record<string, Record<string, unknown>> = {
      missing: { nom: '' },
      postcode: { code_postal: '691' },
      date: { date_maj: '2024-13-01' },
      service: { services: 'Cours de cuisine' },
      resume: { presentation_resume: 'x'.repeat(300) },
      abroad: { latitude: 52.52, longitude: 13.405 },
      swapped: { latitude: 2.35, longitude: 48.85 },
      hours: { horaires: 'tous les jours' },
    };
    const OPTIONAL = new Set(['service', 'resume', 'abroad', 'swapped', 'hours']);
    // Places already there, that rows may update or leave unchanged.
    const pool = ['pool-0', 'pool-1', 'pool-2', 'pool-3'];
    await importOk(db, csvOf(pool.map((id) => row(id))));
    let run = 0;

    const rowSpec = fc.oneof(
      fc.record({
        kind: fc.constant('new' as const),
        nom: fc.constantFrom('Médiathèque', 'CCAS', 'Tiers-lieu'),
        lat: fc.option(fc.double({ min: 42.5, max: 51, noNaN: true }), { nil: undefined }),
      }),
      fc.record({
        kind: fc.constant('existing' as const),
        index: fc.nat({ max: pool.length - 1 }),
        nom: fc.constantFrom('Médiathèque', 'CCAS'),
      }),
      fc.record({ kind: fc.constant('duplicate' as const), of: fc.nat() }),
      fc.record({ kind: fc.constant('invalid' as const), reason: fc.constantFrom(...Object.keys(INVALID)) }),
    );

    await fc.assert(
      fc.asyncProperty(
        fc.array(rowSpec, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('csv', 'json'),
        fc.boolean(),
        fc.boolean(),
        async (specs, format, dryRun, strict) => {
          run += 1;
          const rows: Record<string, unknown>[] = [];
          const validIds: string[] = [];
          const seen = new Set<string>();
          let expectedRejected = 0;
          let expectedCreated = 0;
          const rejectedIndexes = new Set<number>();
          for (const [i, spec] of specs.entries()) {
            let r: Record<string, unknown>;
            if (spec.kind === 'invalid') {
              r = row(`prop-${run}-${i}`, INVALID[spec.reason]);
            } else if (spec.kind === 'existing') {
              r = row(pool[spec.index]!, { nom: spec.nom });
            } else if (spec.kind === 'duplicate' && validIds.length > 0) {
              r = row(validIds[spec.of % validIds.length]!);
            } else {
              const lat = spec.kind === 'new' ? spec.lat : undefined;
              r = row(`prop-${run}-${i}`, lat === undefined ? {} : { latitude: lat, longitude: 2.35 });
            }
            const id = String(r.id);
            const invalid = spec.kind === 'invalid' && (strict || !OPTIONAL.has(spec.reason));
            if (invalid || seen.has(id)) {
              expectedRejected += 1;
              rejectedIndexes.add(i);
            } else {
              seen.add(id);
              validIds.push(id);
              if (!pool.includes(id)) expectedCreated += 1;
            }
            rows.push(r);
          }
          const content = format === 'csv' ? csvOf(rows) : JSON.stringify(rows);
          const snapshot = await tableSnapshot(db);
          const placesBefore = await countPlaces(db);
          const report = await importOk(db, content, { dryRun, strict, source: 'propriété' });

          assert.equal(report.read, rows.length);
          assert.equal(report.rows.length, rows.length);
          assert.equal(report.created + report.updated + report.unchanged + report.rejected, report.read);
          assert.equal(report.rejected, expectedRejected);
          assert.equal(report.created, expectedCreated);
          for (const [i, outcome] of report.rows.entries()) {
            assert.equal(outcome.line, format === 'csv' ? i + 2 : i + 1);
            assert.equal(outcome.result === 'rejected', rejectedIndexes.has(i), `row ${i}`);
            if (outcome.result === 'rejected') assert.ok(outcome.errors.length > 0);
          }
          const refused = dryRun || (strict && report.rejected > 0);
          assert.equal(report.written, !refused);
          if (refused) {
            assert.deepEqual(await tableSnapshot(db), snapshot);
          } else {
            assert.equal(await countPlaces(db), placesBefore + expectedCreated);
            const saved = await db
              .selectFrom('lieu_import')
              .selectAll()
              .where('id', '=', report.importId)
              .executeTakeFirstOrThrow();
            assert.equal(saved.created + saved.updated + saved.unchanged + saved.rejected, saved.read);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('weekday hours the mapping cannot read: a warning and the row without hours, or the row rejected when strict', async () => {
    const csv = csvOf([
      row('jours-1', { lundi: 'Sur rendez-vous', mardi: '9h-12h' }),
      row('jours-2', { lundi: '9h-12h / 14h-17h', mardi: '9h-12h' }),
    ]);
    const mapping = { lundi: 'horaires.lundi', mardi: 'horaires.mardi' };
    const strict = await importOk(db, csv, { mapping, strict: true, dryRun: true });
    assert.deepEqual(counts(strict), { read: 2, created: 1, updated: 0, unchanged: 0, rejected: 1 });
    assert.match(outcomeAt(strict, 2).errors[0]?.reason ?? '', /lundi : « Sur rendez-vous » illisible/);
    const report = await importOk(db, csv, { mapping });
    assert.deepEqual(counts(report), { read: 2, created: 2, updated: 0, unchanged: 0, rejected: 0 });
    assert.ok(outcomeAt(report, 2).warnings.some((w) => w.field === 'horaires'));
    assert.ok(!outcomeAt(report, 3).warnings.some((w) => w.field === 'horaires'));
    assert.equal((await stored(db, 'jours-1'))?.horaires, null);
    assert.equal((await stored(db, 'jours-2'))?.horaires, 'Mo 09:00-12:00,14:00-17:00; Tu 09:00-12:00');
  });

  test('the real France Services list: its weekday columns become opening hours the library reads', {
    skip: FRANCE_SERVICES_MISSING,
  }, async (ctx) => {
    const parsed = await parsePlacesFile(readFileSync(FRANCE_SERVICES_FILE!), { requireId: false });
    if (!parsed.ok) assert.fail(`unreadable file: ${parsed.reason}`);
    const mapping = Object.fromEntries(
      parsed.columns.flatMap((c) => {
        const target = suggestedTarget(c);
        return target?.startsWith('horaires.') ? [[c, target]] : [];
      }),
    );
    assert.ok(
      Object.keys(mapping).length >= 5,
      `weekday columns recognised: ${JSON.stringify(mapping)} among ${parsed.columns.join(', ')}`,
    );
    let withHours = 0;
    const unreadable: string[] = [];
    for (const { line, data } of parsed.rows) {
      const problems: Note[] = [];
      const mapped = mapRow(data, mapping, problems);
      if (problems.length > 0) unreadable.push(`ligne ${line} : ${problems[0]!.value}`);
      if (typeof mapped.horaires !== 'string') continue;
      withHours++;
      const checked = checkOpeningHours(mapped.horaires);
      assert.ok(checked.ok, `line ${line}: ${mapped.horaires} — ${checked.ok ? '' : checked.reason}`);
    }
    ctx.diagnostic(
      `France Services : ${parsed.rows.length} lignes, ${withHours} avec horaires, ${unreadable.length} illisibles`,
    );
    for (const u of unreadable.slice(0, 20)) ctx.diagnostic(u);
    assert.ok(withHours > 0, 'some rows have opening hours');
    assert.ok(
      unreadable.length <= Math.ceil(0.05 * (withHours + unreadable.length)),
      `${unreadable.length} rows with unreadable hours`,
    );
  });

  test('the real Charente file (v0.1 fields mixed in): every one of its 188 places is kept', {
    skip: CHARENTE_MISSING,
  }, async (ctx) => {
    const content = readFileSync(CHARENTE_FILE, 'utf8');
    const rows = JSON.parse(content) as unknown[];
    assert.equal(rows.length, 188);
    const report = await importOk(db, content, { fileName: 'lieux-charente-2023.json' });
    const { read, created, updated, unchanged, rejected } = report;
    ctx.diagnostic(
      `Charente : ${read} lus, ${created} créés, ${updated} mis à jour, ${unchanged} inchangés, ${rejected} rejetés`,
    );
    for (const r of report.rows.filter((o) => o.result === 'rejected'))
      ctx.diagnostic(
        `rejeté ${r.line} ${r.id}: ${r.errors.map((e) => `${e.field} ${e.reason}`).join(' ; ')}`,
      );
    assert.equal(read, 188);
    assert.equal(created + updated + unchanged + rejected, 188);
    // Every place of the national map's file is kept: an unreadable optional field is a warning.
    assert.equal(rejected, 0, 'no row rejected');
    assert.deepEqual(
      report.rows.map((r) => r.line),
      rows.map((_, i) => i + 1),
    );
    // v0.1 fields of the file land in their v1 columns.
    const mapped = await db
      .selectFrom('lieu')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn
          .count<number>('id')
          .filterWhere(sql<SqlBool>`'Conseillers numériques' = any(dispositif_programmes_nationaux)`)
          .as('cnfs'),
        eb.fn.count<number>('fiche_acces_libre').as('acces'),
        eb.fn.count<number>('id').filterWhere(sql<SqlBool>`cardinality(courriels) > 0`).as('courriels'),
      ])
      .where('import_source', '=', 'lieux-charente-2023.json')
      .executeTakeFirstOrThrow();
    assert.equal(Number(mapped.n), created);
    assert.ok(Number(mapped.cnfs) > 0, 'labels_nationaux CNFS → Conseillers numériques');
    assert.ok(Number(mapped.acces) > 0, 'accessibilite → fiche_acces_libre');
    assert.ok(Number(mapped.courriels) > 0, 'courriel → courriels');

    const again = await importOk(db, content, { fileName: 'lieux-charente-2023.json' });
    assert.equal(again.unchanged, created + updated + unchanged, 'a second import changes nothing');
    assert.equal(again.rejected, rejected);
  });
});

describe('importPlaces and member collectivités (demo data)', () => {
  let t: TestDatabase;
  let db: Db;
  let coordinator: Actor;
  let villeurbanne: number;
  let bron: number;
  before(async () => {
    t = await createTestDatabase();
    db = t.db;
    await seedDemoOnce({ db, config: testConfig });
    const account = DEMO_ACCOUNTS.find((a) => a.role === 'coordinateur' && a.collectivite === '69266');
    assert.ok(account);
    const user = await db
      .selectFrom('app_user')
      .select(['id', 'email', 'name'])
      .where('email', '=', account.email)
      .executeTakeFirstOrThrow();
    villeurbanne = (await findCollectiviteByCode(db, '69266'))!.id;
    bron = (await findCollectiviteByCode(db, '69029'))!.id;
    const memberships = await loadMemberships(db, user.id);
    assert.deepEqual(memberships, [{ role: 'coordinateur', collectiviteId: villeurbanne }]);
    coordinator = {
      kind: 'user',
      userId: user.id,
      email: user.email,
      name: user.name,
      memberships,
      activeCollectiviteId: villeurbanne,
    };
  });
  after(() => t.close());

  test('the demo places belong to the member collectivité of their commune', async () => {
    assert.equal((await stored(db, 'demo-bron-ccas'))?.collectivite_id, bron);
    assert.equal((await stored(db, 'demo-villeurbanne-mediatheque'))?.collectivite_id, villeurbanne);
  });

  test('the operator’s places go to the member of their commune, or to the OPSN', async () => {
    const report = await importOk(
      db,
      csvOf([
        row('op-bron', { commune: 'Bron', code_postal: '69500' }),
        row('op-lyon', { commune: 'Lyon', code_postal: '69003', code_insee: '69123' }),
      ]),
    );
    assert.equal(report.created, 2);
    assert.equal((await stored(db, 'op-bron'))?.collectivite_id, bron);
    assert.equal((await stored(db, 'op-lyon'))?.collectivite_id, null);
  });

  test('a collectivité code that is not a member is refused', async () => {
    const result = await importPlaces(db, system, csvOf([row('x')]), {
      fileName: 'x.csv',
      collectiviteCode: '75056',
    });
    assert.deepEqual(result, { ok: false, reason: 'Aucune collectivité membre n’a le code 75056.' });
  });

  test('a coordinator must choose their collectivité, and cannot import into another', async () => {
    const before = await countPlaces(db);
    const unscoped = await importPlaces(db, coordinator, csvOf([row('coord-x')]), { fileName: 'x.csv' });
    assert.deepEqual(unscoped, { ok: false, reason: 'Choisissez la collectivité où importer ces lieux.' });
    await assert.rejects(
      importPlaces(db, coordinator, csvOf([row('coord-x')]), {
        fileName: 'x.csv',
        collectiviteCode: '69029',
      }),
      ForbiddenError,
    );
    assert.equal(await countPlaces(db), before);
  });

  test('a coordinator imports into their collectivité, but cannot update another one’s place', async () => {
    await importOk(db, csvOf([row('opsn-place', { commune: 'Lyon', code_postal: '69003' })]));
    assert.equal((await stored(db, 'opsn-place'))?.collectivite_id, null);
    const bronBefore = await stored(db, 'demo-bron-ccas');
    assert.ok(bronBefore);
    const report = await importOk(
      db,
      csvOf([
        row('coord-new', { commune: 'Bron', code_postal: '69500' }),
        row('demo-villeurbanne-mediatheque', { nom: 'Médiathèque du Tonkin (rénovée)' }),
        row('demo-bron-ccas', { nom: 'CCAS de Bron repris', commune: 'Bron', code_postal: '69500' }),
        row('opsn-place', { nom: 'Lieu de l’OPSN repris', commune: 'Lyon', code_postal: '69003' }),
      ]),
      { collectiviteCode: '69266' },
      coordinator,
    );
    assert.deepEqual(
      report.rows.map((r) => r.result),
      ['created', 'updated', 'rejected', 'rejected'],
    );
    assert.deepEqual(counts(report), { read: 4, created: 1, updated: 1, unchanged: 0, rejected: 2 });
    assert.deepEqual(outcomeAt(report, 4).errors, [
      {
        field: 'id',
        value: 'demo-bron-ccas',
        reason: 'ce lieu existe déjà et relève d’une autre collectivité',
      },
    ]);
    assert.equal((await stored(db, 'coord-new'))?.collectivite_id, villeurbanne, 'into the chosen one');
    assert.equal((await stored(db, 'demo-villeurbanne-mediatheque'))?.nom, 'Médiathèque du Tonkin (rénovée)');
    const bronAfter = await stored(db, 'demo-bron-ccas');
    assert.equal(bronAfter?.nom, bronBefore.nom);
    assert.deepEqual(bronAfter?.updated_at, bronBefore.updated_at);
    assert.equal((await stored(db, 'opsn-place'))?.nom, 'Espace numérique opsn-place');
    const imported = await db
      .selectFrom('lieu_import')
      .select(['collectivite_id', 'actor'])
      .where('id', '=', report.importId)
      .executeTakeFirstOrThrow();
    assert.equal(imported.collectivite_id, villeurbanne);
  });
});
