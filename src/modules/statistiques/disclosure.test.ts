import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RawStatistics } from './compute.ts';
import {
  addMonthly,
  roundedPeople,
  roundedStatistics,
  roundToBase,
  TOTAL_ACCOMPAGNEMENTS,
} from './disclosure.ts';
import { parsePublishedPeriod, publishedPeriod, publishedPresets } from './published-period.ts';

test('rounding: the nearest multiple of 5, people 1 to 4 shown "< 5"', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 7, 8, 12, 13].map(roundToBase), [0, 0, 0, 5, 5, 5, 5, 10, 10, 15]);
  assert.deepEqual([0, 1, 4, 5, 7, 8].map(roundedPeople), [0, 'lt5', 'lt5', 5, 5, 10]);
  fc.assert(
    fc.property(fc.nat(10_000), (n) => {
      const r = roundToBase(n);
      assert.ok(r % 5 === 0 && Math.abs(r - n) <= 2);
    }),
  );
});

test('a period’s published cells are the sums of its rounded months, whatever the months hold', () => {
  const months = ['2026-01', '2026-02', '2026-03'];
  fc.assert(
    fc.property(fc.array(fc.nat(12), { minLength: 3, maxLength: 3 }), (counts) => {
      const monthly = new Map<string, number>();
      counts.forEach((n, i) => {
        addMonthly(monthly, 'genre', 'feminin', months[i]!, n);
        addMonthly(monthly, TOTAL_ACCOMPAGNEMENTS, '', months[i]!, n);
      });
      const raw = {
        period: { du: '2026-01-01', au: '2026-03-31' },
        activites: 0,
        accompagnements: counts.reduce((s, n) => s + n, 0),
        personnes: 0,
        nouvelles: 0,
        activity: { type: new Map() },
        people: { genre: new Map([['feminin', counts.reduce((s, n) => s + n, 0)]]) },
        monthsActivites: new Map(),
        monthsAccompagnements: new Map(),
        monthly,
      } as unknown as RawStatistics;
      const rounded = roundedStatistics(raw);
      const expected = counts.reduce((s, n) => s + roundToBase(n), 0);
      assert.equal(rounded.accompagnements, expected);
      assert.equal(rounded.people.genre.get('feminin') ?? 0, expected);
      for (const [i, m] of months.entries())
        assert.equal(rounded.monthsAccompagnements.get(m) ?? 0, roundToBase(counts[i]!));
    }),
  );
});

test('published periods: whole months, up to the last complete one', () => {
  const today = '2026-12-06';
  assert.deepEqual(publishedPeriod({ du: '2026-11-15', au: '2026-11-16' }, today), {
    du: '2026-11-01',
    au: '2026-11-30',
  });
  assert.deepEqual(publishedPeriod({ du: '2026-02-10', au: '2026-12-05' }, today), {
    du: '2026-02-01',
    au: '2026-11-30',
  });
  assert.deepEqual(
    publishedPeriod({ du: '2026-12-01', au: '2026-12-05' }, today),
    { du: '2026-11-01', au: '2026-11-30' },
    'inside the month in progress: the last complete month',
  );
  assert.deepEqual(
    publishedPresets(today).map((p) => [p.label, p.period.du, p.period.au]),
    [
      ['12 derniers mois complets', '2025-12-01', '2026-11-30'],
      ['Cette année (mois complets)', '2026-01-01', '2026-11-30'],
      ['L’année dernière', '2025-01-01', '2025-12-31'],
    ],
  );
  assert.deepEqual(
    publishedPresets('2027-01-10').map((p) => [p.id, p.label]),
    [['12-mois', '12 derniers mois complets (l’année dernière)']],
    'no complete month this year yet, and the last 12 complete months are last year: one link',
  );
  assert.deepEqual(parsePublishedPeriod({}, today), {
    ok: true,
    period: { du: '2025-12-01', au: '2026-11-30' },
  });
  const bad = parsePublishedPeriod({ du: '2026-13-01', au: '2026-11-30' }, today);
  assert.ok(!bad.ok && /Date de début/.test(bad.errors.du ?? ''));
  // Property: any asked period becomes whole months ending no later than the last complete one.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 700 }), (a, b) => {
      const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 864e5).toISOString().slice(0, 10);
      const p = publishedPeriod({ du: day(Math.min(a, b)), au: day(Math.max(a, b)) }, today);
      assert.ok(p.du.endsWith('-01') && p.du <= p.au && p.au <= '2026-11-30');
      const next = new Date(Date.parse(`${p.au}T00:00:00Z`) + 864e5).toISOString();
      assert.ok(next.slice(8, 10) === '01', `${p.au} ends a month`);
    }),
  );
});
