import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatDate,
  formatDateTime,
  formatDay,
  formatDuration,
  formatMonth,
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
