import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allValues,
  blankToUndefined,
  isBlank,
  isChecked,
  isUuid,
  lastValue,
  trimString,
  typedNumber,
} from './forms.ts';

test('blank values are null, undefined or spaces only', () => {
  for (const v of [null, undefined, '', '   ', '\t']) assert.equal(isBlank(v), true, String(v));
  for (const v of ['a', ' 0 ', 0, false, []]) assert.equal(isBlank(v), false, String(v));
  assert.equal(blankToUndefined('  '), undefined);
  assert.equal(blankToUndefined(null), undefined);
  assert.equal(blankToUndefined(' a '), ' a ');
  assert.equal(trimString('  Jeanne '), 'Jeanne');
  assert.equal(trimString(3), 3);
});

test('a repeated field gives its last value; a list leaves blank values out', () => {
  assert.equal(lastValue('a'), 'a');
  assert.equal(lastValue(['a', 'b']), 'b');
  assert.equal(lastValue(['a', 3]), undefined);
  assert.equal(lastValue({ toString: () => 'x' }), undefined);
  assert.deepEqual(allValues(undefined), []);
  assert.deepEqual(allValues('x'), ['x']);
  assert.deepEqual(allValues(['x', '', ' ', 'y', 4]), ['x', 'y']);
});

test('checkboxes, numbers and identifiers', () => {
  for (const v of ['oui', 'on', true]) assert.equal(isChecked(v), true);
  for (const v of [undefined, '', 'non', 'true', false]) assert.equal(isChecked(v), false);
  assert.equal(typedNumber(' 2,5 '), 2.5);
  assert.equal(typedNumber(''), undefined);
  assert.ok(Number.isNaN(typedNumber('deux')));
  assert.equal(typedNumber(7), 7);
  assert.equal(isUuid('0b7c4a3e-5d1f-4c2a-9e8b-1f2d3c4b5a69'), true);
  assert.equal(isUuid('0B7C4A3E-5D1F-4C2A-9E8B-1F2D3C4B5A69'), true);
  assert.equal(isUuid("0b7c4a3e-5d1f-4c2a-9e8b-1f2d3c4b5a69' or 1=1"), false);
  assert.equal(isUuid(42), false);
});
