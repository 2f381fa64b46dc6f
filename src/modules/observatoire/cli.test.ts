import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { type CliDatabase, openCliDatabase } from '../../../test/helpers/cli.ts';
import { file, HEADER, line } from '../../../test/helpers/ifn-fixtures.ts';
import type { Db } from '../../platform/db/database.ts';

/** Vintages and scores as the database holds them after the command ran. */
async function stored(db: Db) {
  const vintages = await db
    .selectFrom('ifn_millesime')
    .select(['year', 'kind', 'file_name', 'read', 'imported', 'rejected'])
    .orderBy('year')
    .orderBy('kind')
    .execute();
  const scores = await db
    .selectFrom('ifn_score as s')
    .innerJoin('ifn_millesime as v', 'v.id', 's.millesime_id')
    .select(['v.year', 's.code', 's.total'])
    .orderBy('v.year')
    .orderBy('s.code')
    .execute();
  return { vintages, scores: scores.map((s) => `${s.year} ${s.code} ${s.total}`) };
}

describe('command line: import ifn', () => {
  let cli: CliDatabase;
  let dir: string;
  before(async () => {
    cli = await openCliDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'relais-ifn-cli-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cli.close();
  });

  const write = (name: string, content: Buffer | string) => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  };
  const relais = (...args: string[]) => cli.run(args);

  test('imports a vintage: counts, each rejected row and why, exit 0', async () => {
    const csv = write(
      'ifn-communes.csv',
      file(
        line('01001', 6),
        line('69266', 4),
        line('02077', 5),
        line('01002', 5, { scores: ['5', '5', '5', '5', '5', '5.5'] }),
      ),
    );
    const res = await relais('import', 'ifn', csv, '--millesime', '2023');
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^ifn-communes\.csv : indice de fragilité numérique des communes, millésime 2023\n/,
    );
    assert.match(res.stdout, /\n {2}lignes lues : 4\n {2}importées : 2\n {2}rejetées : 2\n/);
    assert.match(res.stdout, /code inconnu du code officiel géographique : 1\n/);
    assert.match(res.stdout, /total différent de la moyenne des cinq scores : 1\n/);
    assert.match(
      res.stdout,
      /ligne 4 \(02077 02077\) code « 02077 » : code absent du code officiel géographique/,
    );
    assert.match(
      res.stdout,
      /ligne 5 \(01002 L’Abergement-de-Varey\) total « 5\.5 » : le total n’est pas la moyenne/,
    );
    assert.match(res.stdout, /Enregistré \(\d+\.\d s\)\./);
    assert.deepEqual(await stored(cli.db), {
      vintages: [
        { year: 2023, kind: 'commune', file_name: 'ifn-communes.csv', read: 4, imported: 2, rejected: 2 },
      ],
      scores: ['2023 01001 6', '2023 69266 4'],
    });
  });

  test('--dry-run checks, says what it would replace, and writes nothing', async () => {
    const csv = write('essai.csv', file(line('01001', 3)));
    const res = await relais('import', 'ifn', csv, '--millesime', '2023', '--dry-run');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /importées : 1\n/);
    assert.match(res.stdout, /Remplacerait le millésime 2023 des communes importé le .* par cli\./);
    assert.match(res.stdout, /Essai \(--dry-run\) : rien n’a été enregistré\./);
    assert.deepEqual((await stored(cli.db)).scores, ['2023 01001 6', '2023 69266 4']);
  });

  test('--strict with a rejected row exits 1 and writes nothing; without one it writes', async () => {
    const bad = write('strict.csv', file(line('01001', 3), line('01039', 5)));
    const res = await relais('import', 'ifn', bad, '--millesime', '2023', '--strict');
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /ligne 3 \(01039 01039\) code « 01039 » : ancienne commune \(Béon\)/);
    assert.match(
      res.stdout,
      /Import strict \(--strict\) refusé : des lignes sont rejetées, rien n’a été enregistré\./,
    );
    assert.match(res.stderr, /Erreur : import refusé, 1 ligne\(s\) rejetée\(s\)\./);
    assert.deepEqual((await stored(cli.db)).scores, ['2023 01001 6', '2023 69266 4']);

    const good = write('strict-ok.csv', file(line('200046977', 4)));
    const ok = await relais('import', 'ifn', good, '--millesime', '2023', '--strict');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /indice de fragilité numérique des EPCI, millésime 2023/);
  });

  test('re-importing a vintage replaces it; the other level and years stay', async () => {
    const csv = write('v2.csv', file(line('01001', 3), line('01004', 5)));
    const res = await relais('import', 'ifn', csv, '--millesime', '2023');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Remplace le millésime 2023 des communes importé le .* par cli\./);
    const after = await stored(cli.db);
    assert.deepEqual(after.scores, ['2023 01001 3', '2023 01004 5', '2023 200046977 4']);
    assert.deepEqual(
      after.vintages.map((v) => [v.kind, v.file_name]),
      [
        ['commune', 'v2.csv'],
        ['epci', 'strict-ok.csv'],
      ],
    );
  });

  test('--rapport writes every row of the file and each reason as CSV', async () => {
    const csv = write('rapport.csv', file(line('01001', 6), line('ZZZZZZZZZ', 5), line('200046977', 4)));
    const report = path.join(dir, 'rapport-sortie.csv');
    const res = await relais('import', 'ifn', csv, '--millesime', '2022', '--dry-run', '--rapport', report);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Rapport détaillé : .*rapport-sortie\.csv/);
    const records = parse(readFileSync(report, 'utf8')) as string[][];
    assert.deepEqual(
      records.map((r) => r.slice(0, 6)),
      [
        ['ligne', 'code', 'nom', 'résultat', 'gravité', 'champ'],
        ['2', '01001', 'L’Abergement-Clémenciat', 'rejeté', 'erreur', 'code'],
        ['3', 'ZZZZZZZZZ', 'ZZZZZZZZZ', 'rejeté', 'erreur', 'code'],
        ['4', '200046977', 'Métropole de Lyon', 'importé', '', ''],
      ],
    );
    assert.match(records[1]![7]!, /^ligne de commune dans un fichier d’EPCI/);
  });

  test('bad input: French errors, a non-zero exit, nothing written', async () => {
    const before = await stored(cli.db);
    const cases: [string[], RegExp][] = [
      [
        ['import', 'ifn', path.join(dir, 'absent.csv')],
        /Erreur : Lecture impossible de .*absent\.csv : fichier introuvable/,
      ],
      [['import', 'ifn', write('vide.csv', '')], /Erreur : Le fichier est vide\./],
      [
        ['import', 'ifn', write('entete.csv', `${HEADER}\n`)],
        /Erreur : Le fichier ne contient aucune ligne de données/,
      ],
      [
        ['import', 'ifn', write('lieux.csv', 'id,nom,commune\n1,Médiathèque,Bron\n')],
        /Erreur : Ce n’est pas le fichier de l’indice de fragilité numérique : colonnes name, division, code/,
      ],
      [['import', 'ifn', write('ifn.json', '[{"code":"01001"}]')], /Erreur : Ce fichier ressemble à du JSON/],
      [
        ['import', 'ifn', write('ok.csv', file(line('01001', 6))), '--millesime', '23'],
        /Erreur : Millésime invalide « 23 »/,
      ],
      [
        ['import', 'ifn', write('aucune.csv', file(line('02077', 5)))],
        /Erreur : import refusé, 1 ligne\(s\) rejetée\(s\)\./,
      ],
    ];
    for (const [args, message] of cases) {
      const res = await relais(...args);
      assert.equal(res.code, 1, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
      assert.match(res.stderr, message);
    }
    assert.deepEqual(await stored(cli.db), before);
  });
});
