import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { LMN_FIELD_NAMES } from '../../src/modules/lieux/vocabulary.ts';
import { type CliDatabase, openCliDatabase } from '../helpers/cli.ts';

const HEADER = 'id,pivot,nom,commune,code_postal,adresse,date_maj,services';
const line = (id: string, nom: string, services = 'Aide aux démarches administratives') =>
  `${id},00000000000000,${nom},Villeurbanne,69100,1 place Lazare-Goujon,2024-04-02,${services}`;

describe('command line: import and export of places', () => {
  let cli: CliDatabase;
  let dir: string;
  before(async () => {
    cli = await openCliDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'relais-lieux-cli-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cli.close();
  });

  const file = (name: string, content: string) => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  };
  const relais = (...args: string[]) => cli.run(args);
  const exportedIds = async () => {
    const out = path.join(dir, 'ids.json');
    const res = await relais('export', 'lieux', '--format', 'json', '--out', out);
    assert.equal(res.code, 0, res.stderr);
    return (JSON.parse(readFileSync(out, 'utf8')) as { id: string }[]).map((p) => p.id).sort();
  };

  test('import lieux of a small CSV prints the counts and exits 0', async () => {
    const csv = file('lieux.csv', [HEADER, line('cli-1', 'Médiathèque'), line('cli-2', 'CCAS')].join('\n'));
    const res = await relais('import', 'lieux', csv);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /lieux\.csv \(CSV, source « lieux\.csv »\)/);
    assert.match(
      res.stdout,
      /lignes lues : 2\n {2}créées : 2\n {2}mises à jour : 0\n {2}inchangées : 0\n {2}rejetées : 0/,
    );
    assert.match(res.stdout, /Enregistré\./);
    assert.deepEqual(await exportedIds(), ['cli-1', 'cli-2']);

    const again = await relais('import', 'lieux', csv);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /créées : 0\n {2}mises à jour : 0\n {2}inchangées : 2/);
  });

  test('--dry-run checks and writes nothing', async () => {
    const csv = file('essai.csv', [HEADER, line('cli-dry', 'Espace numérique')].join('\n'));
    const res = await relais('import', 'lieux', csv, '--dry-run');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /créées : 1/);
    assert.match(res.stdout, /Essai \(--dry-run\) : rien n’a été enregistré\./);
    assert.ok(!(await exportedIds()).includes('cli-dry'));
  });

  test('--strict with a bad row exits 1 and writes nothing', async () => {
    const csv = file(
      'strict.csv',
      [HEADER, line('cli-strict-ok', 'Tiers-lieu'), line('cli-strict-bad', 'Fablab', 'Nope')].join('\n'),
    );
    const res = await relais('import', 'lieux', csv, '--strict');
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /rejetées : 1/);
    assert.match(res.stdout, /ligne 3 \(cli-strict-bad\) services « Nope » : valeur inconnue/);
    assert.match(res.stdout, /Import strict \(--strict\) refusé/);
    assert.match(res.stderr, /Erreur : import refusé, 1 ligne\(s\) rejetée\(s\)\./);
    const ids = await exportedIds();
    assert.ok(!ids.includes('cli-strict-ok') && !ids.includes('cli-strict-bad'));
  });

  test('--rapport writes a CSV report with a line per rejected field', async () => {
    const csv = file(
      'rapport.csv',
      [
        HEADER,
        line('cli-report-ok', 'Maison France Services'),
        'cli-report-bad,00000000000000,,Villeurbanne,6910,1 rue X,2024-02-30,Nope',
      ].join('\n'),
    );
    const report = path.join(dir, 'rapport-sortie.csv');
    const res = await relais('import', 'lieux', csv, '--rapport', report, '--dry-run');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Rapport détaillé : .*rapport-sortie\.csv/);
    const records = parse(readFileSync(report, 'utf8')) as string[][];
    assert.deepEqual(records[0], ['ligne', 'id', 'nom', 'résultat', 'gravité', 'champ', 'valeur', 'motif']);
    const errors = records.filter((r) => r[4] === 'erreur');
    assert.deepEqual(errors.map((r) => [r[0], r[1], r[3], r[5]]).sort(), [
      ['3', 'cli-report-bad', 'rejeté', 'code_postal'],
      ['3', 'cli-report-bad', 'rejeté', 'date_maj'],
      ['3', 'cli-report-bad', 'rejeté', 'nom'],
    ]);
    assert.ok(
      errors.every((r) => r[7] && r[7].length > 0),
      'each error has its reason',
    );
    assert.ok(records.some((r) => r[0] === '2' && r[3] === 'créé'));
  });

  test('a missing file and an empty file give French errors and a non-zero exit', async () => {
    const missing = await relais('import', 'lieux', path.join(dir, 'absent.csv'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Erreur : Lecture impossible de .*absent\.csv : fichier introuvable/);
    const empty = await relais('import', 'lieux', file('vide.csv', ''));
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /Erreur : Le fichier est vide\./);
    const headerOnly = await relais('import', 'lieux', file('entete.csv', `${HEADER}\n`));
    assert.notEqual(headerOnly.code, 0);
    assert.match(headerOnly.stderr, /Erreur : Le fichier ne contient aucun lieu\./);
  });

  test('export lieux --format csv prints only the CSV on standard output', async () => {
    // The CSV is streamed to process.stdout, which the run captures.
    const res = await relais('export', 'lieux', '--format', 'csv');
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines[0], LMN_FIELD_NAMES.join(','));
    const records = parse(res.stdout, { columns: true }) as Record<string, string>[];
    assert.deepEqual(records.map((r) => r.id).sort(), ['cli-1', 'cli-2']);
    assert.equal(records.find((r) => r.id === 'cli-1')?.nom, 'Médiathèque');
  });

  test('export lieux --format data-inclusion --out FILE writes structures and services', async () => {
    const out = path.join(dir, 'data-inclusion.json');
    const res = await relais('export', 'lieux', '--format', 'data-inclusion', '--out', out);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '', 'nothing on standard output');
    assert.match(res.stderr, /2 lieu\(x\) exporté\(s\) dans .*data-inclusion\.json/);
    const data = JSON.parse(readFileSync(out, 'utf8')) as {
      structures: { id: string }[];
      services: { structure_id: string }[];
    };
    assert.deepEqual(Object.keys(data).sort(), ['services', 'structures']);
    assert.deepEqual(data.structures.map((s) => s.id).sort(), ['cli-1', 'cli-2']);
    assert.ok(data.services.length >= 2);
    assert.ok(data.services.every((s) => ['cli-1', 'cli-2'].includes(s.structure_id)));
  });

  test('an unknown export format is refused', async () => {
    const res = await relais('export', 'lieux', '--format', 'xlsx');
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Erreur : Format inconnu « xlsx » : csv, json ou data-inclusion\./);
    assert.equal(res.stdout, '');
  });
});
