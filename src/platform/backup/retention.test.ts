import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ConfigError, loadConfig } from '../config.ts';
import { backupDate, backupName } from './destination.ts';
import { applyRetention, describeRetention, parseRetention, type RetentionRule } from './retention.ts';

type Backup = { name: string; createdAt: Date };

const at = (iso: string): Backup => {
  const createdAt = new Date(iso);
  return { name: backupName(createdAt), createdAt };
};

/** Paris calendar day as `YYYY-MM-DD`, and the Monday that starts its week: the oracle's periods. */
const swedish = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris' });
const parisDay = (d: Date) => swedish.format(d);
function monday(d: Date): string {
  const day = new Date(`${parisDay(d)}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}
const ORACLE: [keyof RetentionRule, (d: Date) => string][] = [
  ['daily', parisDay],
  ['weekly', monday],
  ['monthly', (d) => parisDay(d).slice(0, 7)],
  ['yearly', (d) => parisDay(d).slice(0, 4)],
];

/** Whom each rule must keep, computed another way: group by period, newest periods first. */
function mustKeep(backups: Backup[], rule: RetentionRule): Set<string> {
  const names = new Set<string>();
  for (const [unit, period] of ORACLE) {
    const groups = new Map<string, Backup[]>();
    for (const b of backups) groups.set(period(b.createdAt), [...(groups.get(period(b.createdAt)) ?? []), b]);
    const newest = (group: Backup[]) =>
      group.reduce((a, b) =>
        b.createdAt > a.createdAt || (b.createdAt.getTime() === a.createdAt.getTime() && b.name > a.name)
          ? b
          : a,
      );
    const periods = [...groups.values()]
      .map(newest)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    for (const b of periods.slice(0, rule[unit])) names.add(b.name);
  }
  return names;
}

// Backups over ten days, two months or three years (so that period boundaries matter), several
// a day possible, at any minute (daylight saving included).
const backupsArb = fc
  .constantFrom(10, 60, 1100)
  .chain((days) =>
    fc
      .uniqueArray(fc.integer({ min: 0, max: days * 24 * 60 }), { maxLength: 120 })
      .map((minutes) => minutes.map((m) => at(new Date(Date.UTC(2024, 2, 20) + m * 60_000).toISOString()))),
  );
const ruleArb = fc.record({
  daily: fc.integer({ min: 0, max: 10 }),
  weekly: fc.integer({ min: 0, max: 6 }),
  monthly: fc.integer({ min: 0, max: 14 }),
  yearly: fc.integer({ min: 0, max: 3 }),
});

describe('backup retention', () => {
  test('splits the backups, keeps the newest, each period’s newest, no more, and is idempotent', () => {
    fc.assert(
      fc.property(backupsArb, ruleArb, (backups, rule) => {
        const { keep, remove } = applyRetention(backups, rule);
        assert.equal(keep.length + remove.length, backups.length);
        assert.deepEqual(new Set([...keep, ...remove]), new Set(backups));
        if (backups.length) {
          const newest = backups.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
          assert.ok(keep.includes(newest));
        }
        const total = rule.daily + rule.weekly + rule.monthly + rule.yearly;
        assert.ok(keep.length <= Math.max(1, total));
        // Exactly what the rules ask for, plus the newest.
        const expected = mustKeep(backups, rule);
        if (backups.length) expected.add(keep[0]!.name);
        assert.deepEqual(new Set(keep.map((b) => b.name)), expected);
        // Applied again (the next night, nothing new), it removes nothing more.
        assert.deepEqual(applyRetention(keep, rule).remove, []);
        // Lists are newest first.
        for (const list of [keep, remove])
          for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.createdAt >= list[i]!.createdAt);
      }),
      { numRuns: 200 },
    );
  });

  test('7 daily, 4 weekly, 12 monthly over two years of nightly backups keeps 20 of them', () => {
    const nightly: Backup[] = [];
    for (
      let d = new Date('2025-01-01T01:15:00Z');
      d <= new Date('2026-12-06T01:15:00Z');
      d.setUTCDate(d.getUTCDate() + 1)
    ) {
      nightly.push(at(d.toISOString()));
    }
    const { keep, remove } = applyRetention(nightly, { daily: 7, weekly: 4, monthly: 12, yearly: 0 });
    const days = keep.map((b) => parisDay(b.createdAt));
    assert.deepEqual(days, [
      // the last 7 days
      '2026-12-06',
      '2026-12-05',
      '2026-12-04',
      '2026-12-03',
      '2026-12-02',
      '2026-12-01',
      '2026-11-30',
      // the Sundays ending the weeks before (ISO weeks start on Monday)
      '2026-11-29',
      '2026-11-22',
      '2026-11-15',
      // the last day of each month before
      '2026-10-31',
      '2026-09-30',
      '2026-08-31',
      '2026-07-31',
      '2026-06-30',
      '2026-05-31',
      '2026-04-30',
      '2026-03-31',
      '2026-02-28',
      '2026-01-31',
    ]);
    assert.equal(remove.length, nightly.length - 20);
  });

  test('a night in Paris belongs to its Paris day: 00:30 in summer is the evening before in UTC', () => {
    const late = at('2026-06-30T22:30:00Z'); // 1 July, 00:30 in Paris
    const evening = at('2026-06-30T20:00:00Z'); // 30 June, 22:00 in Paris
    const { keep } = applyRetention([late, evening], { daily: 2, weekly: 0, monthly: 0, yearly: 0 });
    assert.equal(keep.length, 2);
    const monthly = applyRetention([late, evening], { daily: 0, weekly: 0, monthly: 2, yearly: 0 });
    assert.equal(monthly.keep.length, 2, 'July and June');
  });

  test('the rule is read from RELAIS_BACKUP_RETENTION, in French when it is wrong', () => {
    assert.deepEqual(parseRetention('7d,4w,12m'), { daily: 7, weekly: 4, monthly: 12, yearly: 0 });
    assert.deepEqual(parseRetention(' 2y , 30d'), { daily: 30, weekly: 0, monthly: 0, yearly: 2 });
    for (const bad of ['', '7', '7x', '7d,8d', '-1d', 'sept jours']) {
      const parsed = parseRetention(bad);
      assert.ok('error' in parsed, bad);
      assert.match(parsed.error, /d \(jours\), w \(semaines\), m \(mois\) ou y \(années\)/);
    }
    assert.equal(
      describeRetention({ daily: 7, weekly: 1, monthly: 12, yearly: 0 }),
      '7 quotidiennes, 1 hebdomadaire, 12 mensuelles',
    );
    assert.deepEqual(loadConfig({}).backup.retention, { daily: 7, weekly: 4, monthly: 12, yearly: 0 });
    assert.throws(
      () => loadConfig({ RELAIS_BACKUP_RETENTION: '7 jours' }),
      (e: unknown) => e instanceof ConfigError && /RELAIS_BACKUP_RETENTION : « 7 jours »/.test(e.message),
    );
  });

  test('the destination and schedules are read from the environment', () => {
    const s3 = loadConfig({
      RELAIS_BACKUP_DESTINATION: 's3://sauvegardes-opsn/relais/prod/',
      RELAIS_BACKUP_S3_ENDPOINT: 'https://s3.fr-par.scw.cloud',
      RELAIS_BACKUP_S3_REGION: 'fr-par',
    }).backup;
    assert.deepEqual(s3.destination, {
      kind: 's3',
      bucket: 'sauvegardes-opsn',
      prefix: 'relais/prod/',
      endpoint: 'https://s3.fr-par.scw.cloud',
      region: 'fr-par',
      accessKeyId: undefined,
      secretAccessKey: undefined,
    });
    assert.deepEqual(loadConfig({ RELAIS_BACKUP_DESTINATION: '/srv/sauvegardes' }).backup.destination, {
      kind: 'directory',
      path: '/srv/sauvegardes',
    });
    assert.equal(loadConfig({}).backup.destination, undefined);
    assert.equal(loadConfig({}).backup.schedule, '15 2 * * *');
    assert.equal(loadConfig({}).backup.drill.schedule, '30 5 * * 0');
    for (const [name, value, message] of [
      ['RELAIS_BACKUP_DESTINATION', 's3://Mauvais_Seau', /un seau S3 \(s3:\/\/nom-du-seau\/prefixe\)/],
      ['RELAIS_BACKUP_SCHEDULE', 'chaque nuit', /expression cron à cinq champs/],
      ['RELAIS_BACKUP_S3_ENDPOINT', 'http://s3.example.org', /https:\/\//],
      ['RELAIS_BACKUP_DRILL_DATABASE_URL', 'mysql://x', /postgres:\/\//],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: unknown) => e instanceof ConfigError && e.message.includes(name) && message.test(e.message),
        name,
      );
    }
  });

  test('backup names carry their UTC time and nothing else is taken for a backup', () => {
    const date = new Date('2026-12-06T02:15:07.123Z');
    assert.equal(backupName(date), 'relais-2026-12-06T02-15-07Z.age');
    assert.deepEqual(backupDate(backupName(date)), new Date('2026-12-06T02:15:07Z'));
    for (const other of [
      'relais-2026-12-06T02-15-07Z.age.1234.partiel',
      'notes.txt',
      'relais-2026-13-45T99-00-00Z.age',
    ]) {
      assert.equal(backupDate(other), undefined, other);
    }
  });
});
