import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { COMMUNES, componentsFor, EPCIS, file, HEADER, line } from '../../../test/helpers/ifn-fixtures.ts';
import { type CheckedFile, checkIfnFile, type RowOutcome, rowResultOf } from './ifn-file.ts';

function refused(checked: CheckedFile): string {
  assert.ok(!checked.ok, 'the file should be refused as a whole');
  return checked.reason;
}

function accepted(checked: CheckedFile) {
  assert.ok(checked.ok, `the file should be read: ${checked.ok ? '' : checked.reason}`);
  return checked;
}

const outcome = (checked: CheckedFile, lineNumber: number): RowOutcome => {
  const found = accepted(checked).outcomes.find((o) => o.line === lineNumber);
  assert.ok(found, `an outcome for line ${lineNumber}`);
  return found;
};

/** The errors of a row as [field, motif] pairs. */
const errorsOf = (o: RowOutcome) => o.errors.map((e) => [e.field, e.motif]);

test('row results are ASCII codes; reports stored with the French words still read', () => {
  assert.equal(rowResultOf('importé'), 'imported');
  assert.equal(rowResultOf('rejeté'), 'rejected');
  assert.equal(rowResultOf('rejected'), 'rejected');
  assert.throws(() => rowResultOf('perdu'), /Unknown IFN row result/);
});

describe('checkIfnFile: the file as a whole', () => {
  test('a well-formed commune file: every row imported, scores kept as written', () => {
    const checked = accepted(checkIfnFile(file(line('01001', 6), line('69266', '3.6'))));
    assert.equal(checked.kind, 'commune');
    assert.deepEqual(
      checked.outcomes.map((o) => [o.line, o.code, o.result]),
      [
        [2, '01001', 'imported'],
        [3, '69266', 'imported'],
      ],
    );
    assert.deepEqual(checked.accepted[1], {
      line: 3,
      code: '69266',
      name: 'Villeurbanne',
      division: 'city',
      departement: '69',
      no_thd_coverage_rate: '4.6',
      no_4g_coverage_rate: '2.6',
      poverty_rate: '4.1',
      older_65_rate: '3.1',
      nscol15p_rate: '3.6',
      total: '3.6',
    });
  });

  test('EPCI are told by their rows, whatever the file is called', () => {
    const checked = accepted(checkIfnFile(file(line('200046977', 4), line('243100518', 5))));
    assert.equal(checked.kind, 'epci');
    assert.deepEqual(
      checked.accepted.map((r) => [r.code, r.departement]),
      [
        ['200046977', '69'],
        ['243100518', '31'],
      ],
    );
  });

  test('an empty file, blank lines only, or the header alone are refused', () => {
    assert.equal(refused(checkIfnFile(Buffer.alloc(0))), 'Le fichier est vide.');
    assert.equal(refused(checkIfnFile(Buffer.from('\uFEFF \n\r\n'))), 'Le fichier est vide.');
    assert.match(refused(checkIfnFile(Buffer.from(`${HEADER}\n\n`))), /aucune ligne de données/);
  });

  test('a file in another format is refused, saying which', () => {
    assert.match(refused(checkIfnFile(Buffer.from('[{"code": "01001"}]'))), /ressemble à du JSON/);
    const xlsx = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 1)]);
    assert.match(refused(checkIfnFile(xlsx)), /classeur \(Excel, LibreOffice\).*CSV UTF-8/);
    assert.match(refused(checkIfnFile(Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2]))), /données binaires/);
    const latin1 = Buffer.from(`${HEADER}\nAmbérieu-en-Bugey,city,01004,6,6,6,6,6,6\n`, 'latin1');
    assert.match(refused(checkIfnFile(latin1)), /pas encodé en UTF-8/);
  });

  test('a CSV with other columns is refused, naming the missing ones and what it has', () => {
    const places = Buffer.from('id,nom,commune\n1,Médiathèque,Villeurbanne\n');
    const reason = refused(checkIfnFile(places));
    assert.match(
      reason,
      /^Ce n’est pas le fichier de l’indice de fragilité numérique : colonnes name, division, code,/,
    );
    assert.match(reason, /elle contient : id,nom,commune\.$/);
    const noTotal = Buffer.from(`${HEADER.replace(',total', '')}\nx,city,01001,1,2,3,4,5\n`);
    assert.match(refused(checkIfnFile(noTotal)), /colonne total manquante/);
  });

  test('an unreadable CSV is refused with the line and the cause in French', () => {
    const reason = refused(checkIfnFile(Buffer.from(`${HEADER}\n"Bron,city,69029,5,5,5,5,5,5\n`)));
    assert.equal(reason, 'CSV illisible vers la ligne 2 : un guillemet ouvert n’est jamais fermé.');
  });

  test('a file whose rows designate neither communes nor EPCI is refused', () => {
    const reason = refused(checkIfnFile(file(line('X', 5, { division: 'iris' }))));
    assert.match(reason, /Aucune ligne ne désigne une commune/);
  });

  test('columns in another order, upper case, extra columns (ignored and reported) are read', () => {
    const text =
      'CODE,Total,name,division,extra,no_thd_coverage_rate,no_4g_coverage_rate,poverty_rate,older_65_rate,nscol15p_rate\n' +
      '69029,5,Bron,city,?,6,4,5.5,4.5,5\n';
    const checked = accepted(checkIfnFile(Buffer.from(text)));
    assert.equal(checked.accepted[0]?.total, '5');
    assert.equal(checked.accepted[0]?.poverty_rate, '5.5');
    assert.deepEqual(
      checked.fileNotes.map((n) => [n.field, n.motif]),
      [['extra', 'colonne_ignoree']],
    );
  });

  test('a French spreadsheet’s CSV (BOM, semicolons, decimal commas, CRLF) is read', () => {
    const text = `\uFEFF${HEADER.replaceAll(',', ';')}\r\nBron;city;69029;6;4;5,5;4,5;5;5\r\n`;
    const checked = accepted(checkIfnFile(Buffer.from(text)));
    assert.equal(checked.accepted[0]?.poverty_rate, '5.5');
    assert.equal(checked.accepted[0]?.line, 2);
  });

  test('lines count from the header, across blank lines and a name on two lines', () => {
    const text = `${HEADER}\r\n${line('01001', 6)}\r\n\r\n"Villeur\nbanne",city,69266,4.6,2.6,4.1,3.1,3.6,3.6\n${line('69029', 5)}\n`;
    const checked = accepted(checkIfnFile(Buffer.from(text)));
    assert.deepEqual(
      checked.outcomes.map((o) => [o.code, o.line]),
      [
        ['01001', 2],
        ['69266', 4],
        ['69029', 6],
      ],
    );
  });
});

describe('checkIfnFile: rows rejected, with their line, field, value and reason', () => {
  test('an unknown INSEE code, a former commune, a malformed code, a missing code', () => {
    const checked = checkIfnFile(
      file(line('01001', 6), line('02077', 5), line('01039', 5), line('1234', 5), line('', 5)),
    );
    assert.deepEqual(outcome(checked, 3).errors[0], {
      field: 'code',
      value: '02077',
      motif: 'code_inconnu',
      reason:
        'code absent du code officiel géographique en vigueur : commune fusionnée ou supprimée depuis la publication de l’indice, ou code erroné',
    });
    assert.equal(
      outcome(checked, 4).errors[0]?.reason,
      'ancienne commune (Béon), aujourd’hui commune déléguée de Culoz-Béon (01138) : ce code n’est plus celui d’une commune',
    );
    assert.deepEqual(errorsOf(outcome(checked, 5)), [['code', 'code_invalide']]);
    assert.deepEqual(errorsOf(outcome(checked, 6)), [['code', 'code_invalide']]);
    assert.equal(outcome(checked, 6).errors[0]?.reason, 'code absent');
    assert.deepEqual(
      accepted(checked).accepted.map((r) => r.code),
      ['01001'],
    );
  });

  test('an EPCI that no longer exists, and MedNum’s « ZZZZZZZZZ » for communes without EPCI', () => {
    const checked = checkIfnFile(file(line('200046977', 4), line('200035459', 5), line('ZZZZZZZZZ', 7)));
    assert.match(outcome(checked, 3).errors[0]!.reason, /SIREN absent de la liste des EPCI en vigueur/);
    assert.match(outcome(checked, 4).errors[0]!.reason, /communes qui n’appartiennent à aucun EPCI/);
  });

  test('a score outside 1–10: each one named with its value', () => {
    const checked = checkIfnFile(
      file(
        line('01001', '0.0', { scores: ['0.0', '0.0', '0.0', '0.0', '0.0', '0.0'] }),
        line('01002', 6, { scores: ['10.5', '5', '5', '4', '5.5', '6'] }),
      ),
    );
    assert.deepEqual(
      errorsOf(outcome(checked, 2)),
      [
        'no_thd_coverage_rate',
        'no_4g_coverage_rate',
        'poverty_rate',
        'older_65_rate',
        'nscol15p_rate',
        'total',
      ].map((f) => [f, 'hors_echelle']),
    );
    assert.deepEqual(outcome(checked, 3).errors, [
      {
        field: 'no_thd_coverage_rate',
        value: '10.5',
        motif: 'hors_echelle',
        reason: 'score hors de l’échelle de 1 à 10',
      },
    ]);
  });

  test('NaN, an empty cell and text are not scores', () => {
    const checked = checkIfnFile(
      file(
        line('01001', 'NaN', { scores: ['6', 'NaN', '5', '5', '5', 'NaN'] }),
        line('01002', '', { scores: ['', '', '', '', '', ''] }),
        line('01004', 5, { scores: ['5', 'cinq', '5', '5', '5', '5'] }),
      ),
    );
    assert.deepEqual(outcome(checked, 2).errors, [
      { field: 'no_4g_coverage_rate', value: 'NaN', motif: 'valeur_absente', reason: 'score absent (NaN)' },
      { field: 'total', value: 'NaN', motif: 'valeur_absente', reason: 'score absent (NaN)' },
    ]);
    assert.equal(outcome(checked, 3).errors.length, 6);
    assert.ok(outcome(checked, 3).errors.every((e) => e.reason === 'score absent (cellule vide)'));
    assert.deepEqual(errorsOf(outcome(checked, 4)), [['no_4g_coverage_rate', 'non_numerique']]);
    assert.equal(accepted(checked).accepted.length, 0);
  });

  test('a total that is not the mean of the five scores, beyond 0.01', () => {
    const checked = checkIfnFile(
      file(
        line('01001', 6, { scores: ['10', '7', '2', '5', '6', '6.5'] }),
        // Rounded to two decimals: 5.333… written 5.33 is the mean.
        line('01002', 5.33, { scores: ['5', '5', '6', '5', '5.67', '5.33'] }),
        line('01004', 5, { scores: ['5', '5', '5', '5', '5', '5.02'] }),
      ),
    );
    assert.deepEqual(outcome(checked, 2).errors, [
      {
        field: 'total',
        value: '6.5',
        motif: 'total_incoherent',
        reason: 'le total n’est pas la moyenne des cinq scores (6) : écart de plus de 0.01',
      },
    ]);
    assert.equal(outcome(checked, 3).result, 'imported');
    assert.deepEqual(errorsOf(outcome(checked, 4)), [['total', 'total_incoherent']]);
  });

  test('a second row for the same code is rejected, naming the first line', () => {
    const checked = checkIfnFile(file(line('01001', 6), line('01001', 5)));
    assert.equal(outcome(checked, 2).result, 'imported');
    assert.deepEqual(outcome(checked, 3).errors, [
      { field: 'code', value: '01001', motif: 'doublon', reason: 'code déjà présent ligne 2 du fichier' },
    ]);
  });

  test('rows of the other level, a wrong division, a short row', () => {
    const checked = checkIfnFile(
      file(
        line('01001', 6),
        line('69266', 4),
        line('200046977', 4),
        line('01002', 5, { division: 'departement' }),
        line('01004', 5, { division: 'epci' }),
        'Bron,city,69029,5,5',
      ),
    );
    assert.equal(accepted(checked).kind, 'commune');
    assert.match(outcome(checked, 4).errors[0]!.reason, /^ligne d’EPCI dans un fichier de communes/);
    assert.deepEqual(errorsOf(outcome(checked, 5)), [['division', 'division']]);
    assert.match(outcome(checked, 6).errors[0]!.reason, /division d’un autre niveau/);
    assert.deepEqual(outcome(checked, 7).errors, [
      { field: '', value: '', motif: 'colonnes', reason: '9 colonnes attendues, 5 trouvées' },
    ]);
  });

  test('a municipal arrondissement is kept (the index scores them for Paris, Lyon and Marseille)', () => {
    const checked = accepted(checkIfnFile(file(line('69381', 4))));
    assert.deepEqual(
      checked.accepted.map((r) => [r.code, r.departement]),
      [['69381', '69']],
    );
  });

  test('a name that differs from today’s official one is imported with a warning; a missing one is filled in', () => {
    const checked = checkIfnFile(
      file(
        line('69266', 4, { name: 'Villeurbane-Ouest' }),
        line('69029', 5, { name: '' }),
        line('200000172', 5, { name: 'CC Faucigny-Glières' }),
      ),
    );
    assert.equal(outcome(checked, 2).result, 'imported');
    assert.equal(
      outcome(checked, 2).warnings[0]?.reason,
      'nom officiel actuel « Villeurbanne » : le territoire a changé de nom ou de périmètre depuis la publication de l’indice',
    );
    assert.equal(accepted(checked).accepted[1]?.name, 'Bron');
    assert.equal(outcome(checked, 3).warnings[0]?.motif, 'nom_absent');
    assert.equal(outcome(checked, 4).warnings.length, 0, 'spacing around a hyphen is no difference');
  });
});

describe('checkIfnFile: every row lands in exactly one outcome', () => {
  const codes = Object.keys(COMMUNES);
  type Fault = 'none' | 'nan' | 'outside' | 'total' | 'unknown';
  const rowArb = fc.record({
    code: fc.constantFrom(...codes),
    total: fc.integer({ min: 20, max: 90 }).map((n) => n / 10),
    fault: fc.constantFrom<Fault>('none', 'none', 'none', 'nan', 'outside', 'total', 'unknown'),
  });

  const render = (r: { code: string; total: number; fault: Fault }) => {
    const scores = [...componentsFor(r.total), String(r.total)];
    if (r.fault === 'nan') scores[2] = 'NaN';
    if (r.fault === 'outside') scores[0] = '11';
    if (r.fault === 'total') scores[5] = String(r.total + 0.5);
    return line(r.fault === 'unknown' ? '02077' : r.code, r.total, { scores });
  };

  test('counts add up, and a row is imported exactly when it is the first clean row of its code', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), (rows) => {
        // At least one well-formed commune row decides the level.
        const all = [{ code: '01001', total: 5, fault: 'none' as Fault }, ...rows];
        const checked = accepted(checkIfnFile(file(...all.map(render))));
        assert.equal(checked.outcomes.length, all.length);
        assert.deepEqual(
          checked.outcomes.map((o) => o.line),
          all.map((_, i) => i + 2),
        );
        const seen = new Set<string>();
        const expected = all.map((r) => {
          const code = r.fault === 'unknown' ? '02077' : r.code;
          const first = !seen.has(code);
          seen.add(code);
          return first && r.fault === 'none' ? 'imported' : 'rejected';
        });
        assert.deepEqual(
          checked.outcomes.map((o) => o.result),
          expected,
        );
        assert.equal(checked.accepted.length, expected.filter((e) => e === 'imported').length);
        for (const o of checked.outcomes) assert.equal(o.result === 'rejected', o.errors.length > 0);
      }),
      { numRuns: 100 },
    );
  });
});

test('fixtures: EPCI names as the official geography has them', () => {
  // Guards the fixtures against a change of the reference data.
  const checked = accepted(checkIfnFile(file(...Object.keys(EPCIS).map((code) => line(code, 5)))));
  assert.deepEqual(
    checked.outcomes.map((o) => [o.result, o.warnings.length]),
    [
      ['imported', 0],
      ['imported', 0],
      ['imported', 0],
    ],
  );
});
