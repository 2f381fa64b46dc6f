import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import {
  ImportNotesTable,
  type ImportRowReport,
  importReportCsv,
  importReportRecords,
} from './import-report.tsx';

const ROWS: ImportRowReport[] = [
  { line: 2, key: 'lieu-1', name: 'Médiathèque', result: 'créé', errors: [], warnings: [] },
  {
    line: 3,
    key: 'lieu-2',
    name: '<b>Mairie</b>',
    result: 'rejeté',
    errors: [{ field: 'code_postal', value: '=1+1', reason: 'Code postal : cinq chiffres' }],
    warnings: [{ field: 'horaires', value: 'Lu 9h', reason: 'Horaires illisibles : champ ignoré' }],
  },
];

test('the CSV report has a line per note, the file’s notes first, formulas neutralised', () => {
  const fileNotes = [{ field: 'couleur', value: '', reason: 'Champ hors du standard' }];
  assert.deepEqual(importReportRecords('id', ROWS, fileNotes), [
    ['ligne', 'id', 'nom', 'résultat', 'gravité', 'champ', 'valeur', 'motif'],
    ['', '', '', 'fichier', 'avertissement', 'couleur', '', 'Champ hors du standard'],
    ['2', 'lieu-1', 'Médiathèque', 'créé', '', '', '', ''],
    [
      '3',
      'lieu-2',
      '<b>Mairie</b>',
      'rejeté',
      'erreur',
      'code_postal',
      '=1+1',
      'Code postal : cinq chiffres',
    ],
    [
      '3',
      'lieu-2',
      '<b>Mairie</b>',
      'rejeté',
      'avertissement',
      'horaires',
      'Lu 9h',
      'Horaires illisibles : champ ignoré',
    ],
  ]);
  const csv = parse(importReportCsv('code', ROWS)) as string[][];
  assert.equal(csv[0]?.[1], 'code');
  assert.equal(csv[2]?.[6], "'=1+1");
});

test('the notes table: a line per note, text escaped, the result column on demand', async () => {
  const both = await ImportNotesTable({
    rows: ROWS,
    notes: ['errors', 'warnings'],
    keyLabel: 'Identifiant',
    limit: 500,
    showResult: true,
  });
  await assertValidHtml(both, 'the notes table', { oneH1: false });
  assert.equal(both.match(/<tr><td>3<\/td>/g)?.length, 2);
  assert.match(both, /<th scope="col">Résultat<\/th>/);
  assert.match(both, /&lt;b>Mairie&lt;\/b>/);
  assert.doesNotMatch(both, /<caption/);
  assert.match(both, /^<div class="table-wrap"><table>/);

  const warnings = await ImportNotesTable({
    rows: ROWS,
    notes: ['warnings'],
    keyLabel: 'Code',
    limit: 500,
    caption: 'Avertissements',
  });
  assert.match(warnings, /^<section class="table-wrap" tabindex="0" aria-label="Avertissements"><table>/);
  assert.match(warnings, /<caption class="visually-hidden">Avertissements<\/caption>/);
  assert.doesNotMatch(warnings, /Résultat|code_postal/);
  const none = await ImportNotesTable({
    rows: ROWS,
    notes: ['errors', 'warnings'],
    keyLabel: 'Code',
    limit: 1,
  });
  assert.doesNotMatch(none, /<td>/);
});
