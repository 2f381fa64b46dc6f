import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addDays,
  DAY_MS,
  daysBefore,
  formatDate,
  formatDateTime,
  formatDay,
  formatDuration,
  formatMonth,
  isoWeekday,
  mondayOf,
  parisInstant,
  parisToday,
} from './paris-time.ts';

// 23:30 UTC on 31 December is already the next year in Paris.
const newYearInParis = new Date('2026-12-31T23:30:05Z');
const summer = new Date('2026-08-31T22:15:00Z');

test('today and instants are read on the Paris clock, whatever the machine’s zone', () => {
  assert.equal(parisToday(newYearInParis), '2027-01-01');
  assert.equal(formatDate(newYearInParis), '1 janvier 2027');
  assert.equal(formatDate(newYearInParis, 'short'), '01/01/2027');
  assert.equal(formatDate(summer), '1 septembre 2026');
});

test('date and time, in the styles the pages use', () => {
  assert.equal(formatDateTime(summer), '1 septembre 2026 à 00:15');
  assert.equal(formatDateTime(summer, 'short'), '01/09/2026 00:15');
  assert.equal(formatDateTime(summer, 'medium'), '1 sept. 2026, 00:15');
  assert.equal(formatDateTime(newYearInParis, 'short', true), '01/01/2027 00:30:05');
  assert.equal(formatDateTime(newYearInParis, 'long', true), '1 janvier 2027 à 00:30:05');
});

test('calendar days and months are not shifted by any zone', () => {
  assert.equal(formatDay('2026-12-31'), '31 décembre 2026');
  assert.equal(formatDay('2026-01-15T00:00:00.000Z'), '15 janvier 2026');
  assert.equal(formatMonth('2026-12'), 'décembre 2026');
  assert.equal(formatMonth('2026-01-01'), 'janvier 2026');
  assert.equal(formatDay('2026-12-31', 'short'), '31/12/2026');
  assert.equal(formatDay(''), '');
});

test('durations in minutes, as people say them', () => {
  assert.equal(formatDuration(45), '45 min');
  assert.equal(formatDuration(120), '2 h');
  assert.equal(formatDuration(65), '1 h 05');
  assert.equal(formatDuration(90), '1 h 30');
});

test('calendar days are counted as days, across months, years and clock changes', () => {
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2027-03-01', -1), '2027-02-28');
  assert.equal(addDays('2027-03-27', 2), '2027-03-29', 'over the night the clocks go forward');
  assert.equal(isoWeekday('2026-12-07'), 1);
  assert.equal(isoWeekday('2026-12-13'), 7);
  assert.equal(mondayOf('2026-12-13'), '2026-12-07');
  assert.equal(mondayOf('2027-01-01'), '2026-12-28');
  assert.equal(daysBefore(newYearInParis, 2).getTime(), newYearInParis.getTime() - 2 * DAY_MS);
});

test('a Paris wall-clock time on a day is the instant of that day in France, summer and winter', () => {
  assert.equal(parisInstant('2027-07-01', 14 * 60).toISOString(), '2027-07-01T12:00:00.000Z');
  assert.equal(parisInstant('2027-01-20', 13 * 60 + 30).toISOString(), '2027-01-20T12:30:00.000Z');
  assert.equal(
    parisInstant('2027-03-28', 2 * 60 + 30).toISOString(),
    '2027-03-28T01:30:00.000Z',
    'a missing time moves an hour later',
  );
});
