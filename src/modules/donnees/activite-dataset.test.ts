import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { protectRow } from './activite-dataset.ts';

/** Sizes of the three breakdowns: type of activity, gender, age band. */
const SIZES = [2, 3, 8] as const;

/** The three breakdowns of a row of people, each person a (type, gender, age band). */
function breakdownsOf(people: readonly (readonly number[])[]): number[][] {
  return SIZES.map((size, b) => {
    const cells = new Array<number>(size).fill(0);
    for (const person of people) cells[person[b] as number]! += 1;
    return cells;
  });
}

const people = fc.array(fc.tuple(fc.nat(SIZES[0] - 1), fc.nat(SIZES[1] - 1), fc.nat(SIZES[2] - 1)), {
  maxLength: 40,
});

test('a published row never shows a count from 1 to 4, nor lets a hidden one be recomputed', () => {
  fc.assert(
    fc.property(people, (row) => {
      const cells = breakdownsOf(row);
      const total = row.length;
      const shown = protectRow(total, cells);
      if (total < 5) {
        assert.equal(shown.total, null);
        assert.ok(
          shown.breakdowns.flat().every((v) => v === null),
          'nothing of a small row',
        );
        return;
      }
      assert.equal(shown.total, total);
      shown.breakdowns.forEach((published, b) => {
        const actual = cells[b]!;
        published.forEach((value, i) => {
          if (value !== null) {
            assert.equal(value, actual[i], 'a shown cell is exact');
            assert.ok(value === 0 || value >= 5, `shown ${value}`);
          }
        });
        const hidden = published.flatMap((value, i) => (value === null ? [i] : []));
        if (hidden.length === 0) return;
        if (hidden.some((i) => actual[i] === 0)) {
          // Zeros hidden too: the whole breakdown is withheld.
          assert.equal(hidden.length, published.length);
          return;
        }
        // A breakdown with every cell hidden may hide zeros (it looks the same as one withheld
        // whole): a reader knows only that its cells add up to the total.
        if (hidden.length === published.length) return;
        // Otherwise zeros are shown: a reader knows the total, the shown cells, and that each
        // hidden cell is at least 1, so a hidden cell is pinned down if it is alone, or if the
        // hidden cells add up to exactly one each.
        const rest = total - published.reduce<number>((sum, v) => sum + (v ?? 0), 0);
        assert.ok(hidden.length >= 2, `one hidden cell in ${JSON.stringify(actual)}`);
        assert.ok(rest > hidden.length, `hidden cells of ${JSON.stringify(actual)} are all 1`);
      });
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 2000) },
  );
});

test('the rule on a worked example: 12 people, 3 of them in workshops', () => {
  const shown = protectRow(12, [
    [9, 3],
    [6, 6, 0],
    [0, 0, 0, 6, 0, 0, 6, 0],
  ]);
  assert.deepEqual(shown, {
    total: 12,
    breakdowns: [
      [null, null],
      [6, 6, 0],
      [0, 0, 0, 6, 0, 0, 6, 0],
    ],
  });
});
