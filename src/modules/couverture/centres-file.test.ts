import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { checkCentresFile } from './centres-file.ts';

const checked = (content: string) => {
  const result = checkCentresFile(content);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result;
};

describe('files of commune centres', () => {
  test('the national list of communes: code_insee with the town hall and centre columns', () => {
    const result = checked(
      [
        'code_insee,nom_standard,latitude_mairie,longitude_mairie,latitude_centre,longitude_centre',
        '69266,Villeurbanne,45.7667,4.8803,45.7707,4.8896',
        '2A004,Ajaccio,41.9192,8.7386,41.9347,8.7014',
      ].join('\n'),
    );
    assert.deepEqual(result.columns, ['code_insee', 'latitude_mairie', 'longitude_mairie']);
    assert.deepEqual(result.centres, [
      { code: '69266', latitude: 45.7667, longitude: 4.8803 },
      { code: '2A004', latitude: 41.9192, longitude: 8.7386 },
    ]);
    assert.equal(result.rejectedRows, 0);
  });

  test('La Poste: semicolons, `#` before the first name, « lat, lon », several rows per commune', () => {
    const result = checked(
      [
        '\uFEFF#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Ligne_5;Libellé_d_acheminement;coordonnees_gps',
        '69266;VILLEURBANNE;69100;;VILLEURBANNE;45.7708, 4.8895',
        '69266;VILLEURBANNE;69100;CUSSET;VILLEURBANNE;45.7650, 4.9010',
        '69381;LYON 01;69001;;LYON;45.7676, 4.8345',
        '99138;MONACO;98000;;MONACO;43.7384, 7.4246',
        '42187;ROANNE;42300;;ROANNE;',
        '42187;ROANNE;42300;;ROANNE;46.0442, 4.0724',
      ].join('\r\n'),
    );
    assert.deepEqual(result.columns, ['code_commune_insee', 'coordonnees_gps']);
    assert.deepEqual(result.centres, [
      { code: '69266', latitude: 45.7708, longitude: 4.8895 },
      { code: '42187', latitude: 46.0442, longitude: 4.0724 },
    ]);
    assert.deepEqual(result.ignored, { arrondissement: 1, deleguee: 0, etranger: 1, doublon: 2 });
    assert.equal(result.read, 6);
    assert.deepEqual(result.rejections, []);
  });

  test('French spreadsheets: semicolons and decimal commas; tabs', () => {
    assert.deepEqual(checked('codgeo;lat;lon\n69266;45,7667;4,8803\n').centres, [
      { code: '69266', latitude: 45.7667, longitude: 4.8803 },
    ]);
    assert.deepEqual(checked('CODGEO\tLAT\tLON\n42207\t45.4775\t4.5153\n').centres, [
      { code: '42207', latitude: 45.4775, longitude: 4.5153 },
    ]);
  });

  test('every problem of a row is reported with its line, field, value and reason', () => {
    const result = checked(
      [
        'code_insee,latitude,longitude',
        '69266,45.7667,4.8803',
        '',
        '1001,46.1,5.2',
        '69999,45.1,4.1',
        '69259,abc,4.88.1',
        '69029,4.9139,45.7394',
        '69034,,',
        '69286,95,4.89',
        ',45.1,4.1',
      ].join('\n'),
    );
    assert.deepEqual(result.rejections, [
      {
        line: 4,
        field: 'code_insee',
        value: '1001',
        reason: 'code INSEE à 5 caractères attendu (zéro initial perdu ? 01001)',
      },
      {
        line: 5,
        field: 'code_insee',
        value: '69999',
        reason: 'aucune commune actuelle n’a ce code dans le code officiel géographique',
      },
      { line: 6, field: 'latitude', value: 'abc', reason: 'nombre décimal attendu' },
      { line: 6, field: 'longitude', value: '4.88.1', reason: 'nombre décimal attendu' },
      {
        line: 7,
        field: 'latitude, longitude',
        value: '4.9139, 45.7394',
        reason: 'position hors de France, outre-mer compris (latitude et longitude inversées ?)',
      },
      { line: 8, field: 'latitude', value: '', reason: 'position manquante' },
      { line: 9, field: 'latitude', value: '95', reason: 'latitude entre -90 et 90 attendue' },
      { line: 10, field: 'code_insee', value: '', reason: 'code INSEE manquant' },
    ]);
    assert.equal(result.rejectedRows, 7);
    assert.deepEqual(result.centres, [{ code: '69266', latitude: 45.7667, longitude: 4.8803 }]);
  });

  test('a file that cannot be read says why', () => {
    const refused = (content: string) => {
      const result = checkCentresFile(content);
      assert.ok(!result.ok);
      return result.reason;
    };
    assert.equal(refused(''), 'Le fichier est vide.');
    assert.equal(refused(' \n\n'), 'Le fichier est vide.');
    assert.match(
      refused('commune,x,y\n69266,45.7,4.8\n'),
      /^Colonnes introuvables : il faut un code INSEE \(code_insee/,
    );
    assert.equal(
      refused('code_insee,latitude,longitude\n'),
      'Le fichier ne contient aucune ligne de données.',
    );
    assert.match(refused('code_insee,latitude,longitude\n"69266,45.7,4.8\n'), /^CSV illisible/);
  });

  test('any point of mainland France written with a point or a comma reads back', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 42.5, max: 50.9, noNaN: true }),
        fc.double({ min: -4.5, max: 7.9, noNaN: true }),
        fc.boolean(),
        (lat, lon, comma) => {
          const write = (n: number) => (comma ? n.toFixed(6).replace('.', ',') : n.toFixed(6));
          const result = checked(`code_insee;latitude;longitude\n69266;${write(lat)};${write(lon)}\n`);
          assert.deepEqual(result.centres, [
            { code: '69266', latitude: Number(lat.toFixed(6)), longitude: Number(lon.toFixed(6)) },
          ]);
        },
      ),
    );
  });
});
