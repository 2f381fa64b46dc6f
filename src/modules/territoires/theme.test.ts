import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkBrandColour, contrastRatio, darkenUntilReadable, MIN_CONTRAST } from './theme.ts';

test('contrast ratios match WCAG reference values', () => {
  assert.equal(contrastRatio('#000000', '#ffffff'), 21);
  assert.equal(contrastRatio('#ffffff', '#ffffff'), 1);
  assert.ok(Math.abs(contrastRatio('#767676', '#ffffff') - 4.54) < 0.01);
  assert.ok(Math.abs(contrastRatio('#777777', '#ffffff') - 4.48) < 0.01);
});

test('a readable colour is accepted and normalised; a pale one is refused with a suggestion', () => {
  assert.deepEqual(checkBrandColour('#1D4F91'), { ok: true, colour: '#1d4f91' });
  assert.deepEqual(checkBrandColour('#000'), { ok: true, colour: '#000000' });
  const pale = checkBrandColour('#777777');
  assert.ok(!pale.ok);
  assert.match(pale.reason, /4,48:1/);
  assert.match(pale.reason, /par exemple #[0-9a-f]{6}/);
  const bad = checkBrandColour('bleu');
  assert.ok(!bad.ok);
  assert.match(bad.reason, /hexadécimal/);
});

const hexColour = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
  .map((rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`);

test('every colour is either accepted with AA contrast or refused', () => {
  fc.assert(
    fc.property(hexColour, (colour) => {
      const r = checkBrandColour(colour);
      assert.equal(r.ok, contrastRatio(colour, '#ffffff') >= MIN_CONTRAST);
    }),
  );
});

test('the suggested darker shade always passes', () => {
  fc.assert(
    fc.property(hexColour, (colour) => {
      const suggestion = darkenUntilReadable(colour);
      assert.ok(contrastRatio(suggestion, '#ffffff') >= MIN_CONTRAST);
      assert.equal(checkBrandColour(suggestion).ok, true);
    }),
  );
});
