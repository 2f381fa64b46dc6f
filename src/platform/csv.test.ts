import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { csvText, neutraliseCell } from './csv.ts';

test('text cells that start like a formula get a leading quote; numbers do not', () => {
  for (const formula of ['=1+1', '+A1', '-A1+2', '@SUM(A1)', '\t=1', '\r=1', '＝1', '-', '+']) {
    assert.equal(neutraliseCell(formula), `'${formula}`, JSON.stringify(formula));
  }
  for (const plain of ['-3.5', '+33180059880', '-0,5', '12', 'Lyon', '', "'=déjà"]) {
    assert.equal(neutraliseCell(plain), plain, plain);
  }
});

test('no cell of the written CSV starts like a formula, and typed numbers stay as they are', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.oneof(fc.string(), fc.double({ noNaN: true }))), { minLength: 1 }),
      (rows) => {
        const cells = (parse(csvText(rows), { relax_column_count: true }) as string[][]).flat();
        for (const cell of cells) {
          // Only a whole number may start with a sign: `-3.5`, `-.0`, `+33180059880`, `-Infinity`.
          if (/^[=+\-@\t\r]/.test(cell)) {
            assert.match(cell, /^[+-][\d.,I]/, cell);
            assert.ok(!Number.isNaN(Number(cell.replace(',', '.'))), cell);
          }
        }
      },
    ),
  );
  assert.equal(csvText([[-3.5, '-3.5', '=1']]), "-3.5,-3.5,'=1\n");
});
