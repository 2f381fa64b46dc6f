import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { roundRow } from './dataset.ts';

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

test('a published row holds multiples of 5, each within 2 of the count, and no row rounding to 0', () => {
  fc.assert(
    fc.property(people, (row) => {
      const cells = breakdownsOf(row);
      const shown = roundRow(row.length, cells);
      if (row.length <= 2) {
        assert.equal(shown, null, 'a row of 0 to 2 people is not published');
        return;
      }
      assert.ok(shown);
      for (const [value, actual] of [
        [shown.total, row.length],
        ...shown.breakdowns.flatMap((b, i) => b.map((v, j) => [v, cells[i]![j]!])),
      ] as [number, number][]) {
        assert.equal(value % 5, 0, `${value} is a multiple of 5`);
        assert.ok(Math.abs(value - actual) <= 2, `${value} for ${actual}`);
      }
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 2000) },
  );
});

test('the rule on a worked example: 12 people, 3 of them in workshops', () => {
  assert.deepEqual(
    roundRow(12, [
      [9, 3],
      [6, 6, 0],
      [0, 0, 0, 6, 0, 0, 6, 0],
    ]),
    {
      total: 10,
      breakdowns: [
        [10, 5],
        [5, 5, 0],
        [0, 0, 0, 5, 0, 0, 5, 0],
      ],
    },
  );
  assert.equal(roundRow(2, [[2, 0]]), null);
});
