import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CliDatabase, openCliDatabase } from '../../../test/helpers/cli.ts';

describe('command line: import centres', () => {
  let cli: CliDatabase;
  let dir: string;
  before(async () => {
    cli = await openCliDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'relais-centres-cli-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cli.close();
  });

  const file = (name: string, lines: string[]) => {
    const target = path.join(dir, name);
    writeFileSync(target, lines.join('\n'));
    return target;
  };
  const relais = (...args: string[]) => cli.run(args);

  /** What the database holds once the command has ended: `code source latitude longitude`. */
  const stored = async () => {
    const rows = await cli.db
      .selectFrom('commune_centre')
      .select(['code_insee', 'source', 'latitude', 'longitude'])
      .orderBy('code_insee')
      .execute();
    return rows.map((r) => `${r.code_insee} ${r.source} ${r.latitude} ${r.longitude}`);
  };

  const GOOD = [
    'code_insee,nom_standard,latitude_mairie,longitude_mairie',
    '69266,Villeurbanne,45.7667,4.8803',
    '69259,Vénissieux,45.6978,4.8867',
    '97411,Saint-Denis,-20.8789,55.4481',
  ];

  test('--dry-run checks a good file and writes nothing', async () => {
    const res = await relais('import', 'centres', file('communes-france.csv', GOOD), '--dry-run');
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /communes-france\.csv \(source « communes-france\.csv », colonnes code_insee, latitude_mairie, longitude_mairie\)/,
    );
    assert.match(res.stdout, /lignes lues : 3\n {2}communes positionnées : 3\n {2}rejetées : 0/);
    assert.match(res.stdout, /Essai \(--dry-run\) : rien n’a été enregistré\./);
    assert.deepEqual(await stored(), []);
  });

  test('a good file is recorded, with its name as source', async () => {
    const res = await relais('import', 'centres', file('communes-france.csv', GOOD));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /communes positionnées : 3/);
    assert.match(res.stdout, /Enregistré\./);
    assert.deepEqual(await stored(), [
      '69259 communes-france.csv 45.6978 4.8867',
      '69266 communes-france.csv 45.7667 4.8803',
      '97411 communes-france.csv -20.8789 55.4481',
    ]);
  });

  test('bad rows refuse the whole file and are each reported; nothing changes', async () => {
    const bad = file('mauvais.csv', [
      'codgeo;lat;lon',
      '69266;45,7700;4,8900',
      '69999;45.1;4.1',
      '69029;40.4168;-3.7038',
      '69034;45.79x;4.84',
      '42187;46.0366;4.0682',
    ]);
    const res = await relais('import', 'centres', bad);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /lignes lues : 5\n {2}communes positionnées : 2\n {2}rejetées : 3/);
    assert.match(
      res.stdout,
      /ligne 3 codgeo « 69999 » : aucune commune actuelle n’a ce code dans le code officiel géographique/,
    );
    assert.match(
      res.stdout,
      /ligne 4 lat, lon « 40\.4168, -3\.7038 » : position hors de France, outre-mer compris\n/,
    );
    assert.match(res.stdout, /ligne 5 lat « 45\.79x » : nombre décimal attendu/);
    assert.match(res.stdout, /Fichier refusé : des lignes sont rejetées, rien n’a été enregistré\./);
    assert.match(res.stderr, /Erreur : import refusé, 3 ligne\(s\) rejetée\(s\)\./);
    assert.deepEqual(await stored(), [
      '69259 communes-france.csv 45.6978 4.8867',
      '69266 communes-france.csv 45.7667 4.8803',
      '97411 communes-france.csv -20.8789 55.4481',
    ]);

    const dry = await relais('import', 'centres', bad, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /rejetées : 3/);
    assert.match(dry.stdout, /Essai \(--dry-run\) : le fichier serait refusé ; rien n’a été enregistré\./);
  });

  test('an empty file, a missing file: an error and nothing written', async () => {
    const empty = await relais('import', 'centres', file('vide.csv', []));
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /Erreur : Le fichier est vide\./);

    const missing = await relais('import', 'centres', path.join(dir, 'absent.csv'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Lecture impossible de .*absent\.csv : fichier introuvable/);
    assert.equal((await stored()).length, 3);
  });

  test('La Poste’s file replaces earlier points, leaving aside arrondissements and duplicates', async () => {
    const laPoste = file('019HexaSmal.csv', [
      '#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Ligne_5;Libellé_d_acheminement;coordonnees_gps',
      '69266;VILLEURBANNE;69100;;VILLEURBANNE;45.7708, 4.8895',
      '69266;VILLEURBANNE;69100;CUSSET;VILLEURBANNE;45.7650, 4.9010',
      '69381;LYON 01;69001;;LYON;45.7676, 4.8345',
    ]);
    const res = await relais('import', 'centres', laPoste, '--source', 'La Poste 2025');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /ignorées, lignes en double \(première position gardée\) : 1/);
    assert.match(res.stdout, /ignorées, arrondissements municipaux \(la commune a son propre code\) : 1/);
    assert.deepEqual(await stored(), [
      '69259 communes-france.csv 45.6978 4.8867',
      '69266 La Poste 2025 45.7708 4.8895',
      '97411 communes-france.csv -20.8789 55.4481',
    ]);
  });
});
