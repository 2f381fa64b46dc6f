import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { modules } from '../../modules/index.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { ModuleContext, RelaisModule } from '../module.ts';
import {
  collectJobs,
  describeSchedule,
  INTERRUPTED,
  type JobDefinition,
  jobsAwaitingSignals,
  LEASE_MINUTES,
  latestRuns,
  nextOccurrence,
  runJob,
  signal,
  startScheduler,
  summaryText,
} from './index.ts';

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

const job = (name: string, run: JobDefinition['run'], schedule = '30 3 * * *'): JobDefinition => ({
  name,
  label: `Tâche ${name}`,
  schedule,
  run,
});

describe('next occurrence of a schedule, in Paris time', () => {
  test('daily at 03:30: 02:30 UTC in winter, 01:30 UTC in summer', () => {
    assert.equal(
      nextOccurrence('30 3 * * *', new Date('2026-12-03T10:00:00Z')).toISOString(),
      '2026-12-04T02:30:00.000Z',
    );
    assert.equal(
      nextOccurrence('30 3 * * *', new Date('2026-07-01T00:00:00Z')).toISOString(),
      '2026-07-01T01:30:00.000Z',
    );
  });

  test('across the changes of time: 03:30 stays 03:30 in Paris', () => {
    // Summer time starts on 29 March 2026 at 02:00, and ends on 25 October at 03:00.
    assert.equal(
      nextOccurrence('30 3 * * *', new Date('2026-03-28T03:00:00Z')).toISOString(),
      '2026-03-29T01:30:00.000Z',
    );
    assert.equal(
      nextOccurrence('30 3 * * *', new Date('2026-10-24T12:00:00Z')).toISOString(),
      '2026-10-25T02:30:00.000Z',
    );
  });

  test('strictly after the given time, and weekly or monthly forms', () => {
    assert.equal(
      nextOccurrence('30 3 * * *', new Date('2026-12-04T02:30:00Z')).toISOString(),
      '2026-12-05T02:30:00.000Z',
    );
    // 3 December 2026 is a Thursday: the next Monday is the 7th.
    assert.equal(
      nextOccurrence('0 8 * * 1', new Date('2026-12-03T10:00:00Z')).toISOString(),
      '2026-12-07T07:00:00.000Z',
    );
    assert.equal(
      nextOccurrence('15 6 1 * *', new Date('2026-12-03T10:00:00Z')).toISOString(),
      '2027-01-01T05:15:00.000Z',
    );
  });

  test('a malformed expression is refused', () => {
    assert.throws(() => nextOccurrence('61 3 * * *'));
    assert.throws(() => nextOccurrence('tous les jours'));
  });

  test('common schedules read in words', () => {
    assert.equal(describeSchedule('30 3 * * *'), 'tous les jours à 03:30');
    assert.equal(describeSchedule('0 8 * * 1'), 'chaque lundi à 08:00');
    assert.equal(describeSchedule('15 6 1 * *'), 'le 1 de chaque mois à 06:15');
    assert.equal(describeSchedule('*/5 * * * *'), 'selon l’expression cron « */5 * * * * »');
  });
});

describe('the jobs the modules declare', () => {
  test('the purge of people helped runs every day at 03:30', () => {
    const purge = collectJobs(modules).find((j) => j.name === 'activites.purge-beneficiaires');
    assert.ok(purge);
    assert.equal(purge.schedule, '30 3 * * *');
    assert.match(purge.label, /2 ans après le dernier accompagnement/);
  });

  test('duplicate names, bad names and bad schedules are refused', () => {
    const mod = (jobs: JobDefinition[]): RelaisModule => ({ name: 'essai', jobs });
    const noop = async () => 'rien';
    assert.throws(() => collectJobs([mod([job('essai.a', noop)]), mod([job('essai.a', noop)])]), /twice/);
    assert.throws(() => collectJobs([mod([job('Essai a', noop)])]), /not valid/);
    assert.throws(() => collectJobs([mod([job('essai.b', noop, '99 3 * * *')])]), /bad schedule/);
  });

  test('RELAIS_JOBS turns the schedule on (default) or off, and refuses anything else', () => {
    assert.equal(loadConfig({}).jobs, true);
    assert.equal(loadConfig({ RELAIS_JOBS: 'off' }).jobs, false);
    assert.throws(
      () => loadConfig({ RELAIS_JOBS: 'non' }),
      (e: unknown) => e instanceof ConfigError && /RELAIS_JOBS : doit valoir on ou off/.test(e.message),
    );
  });

  test('summaries read as one line', () => {
    assert.equal(summaryText({ 'fiches effacées': 3, lieux: 0 }), 'fiches effacées : 3, lieux : 0');
    assert.equal(summaryText('Rien à faire.'), 'Rien à faire.');
    assert.equal(summaryText({}), 'rien à signaler');
  });
});

describe('running a job', () => {
  let t: TestDatabase;
  let ctx: ModuleContext;
  before(async () => {
    t = await createTestDatabase();
    ctx = { db: t.db, config };
  });
  after(() => t.close());

  const runsOf = (name: string) =>
    t.db.selectFrom('job_run').selectAll().where('name', '=', name).orderBy('id').execute();

  test('a run is recorded with who started it and its summary', async () => {
    const outcome = await runJob(
      ctx,
      job('essai.compte', async () => ({ lignes: 4 })),
      'cli',
    );
    assert.equal(outcome.status, 'succeeded');
    const [run, ...others] = await runsOf('essai.compte');
    assert.equal(others.length, 0);
    assert.ok(run && outcome.status === 'succeeded');
    assert.equal(run.id, outcome.runId);
    assert.equal(run.started_by, 'cli');
    assert.equal(run.ok, true);
    assert.deepEqual(run.summary, { lignes: 4 });
    assert.equal(run.error, null);
    assert.ok(run.finished_at && run.finished_at >= run.started_at);
  });

  test('a failing job is recorded with ok = false and its error, and may run again', async () => {
    let calls = 0;
    const failing = job('essai.panne', async () => {
      calls++;
      if (calls === 1) throw new Error('serveur de messagerie injoignable');
      return 'reprise';
    });
    const outcome = await runJob(ctx, failing, 'planificateur');
    assert.deepEqual(
      { status: outcome.status, error: 'error' in outcome ? outcome.error : null },
      { status: 'failed', error: 'serveur de messagerie injoignable' },
    );
    const [run] = await runsOf('essai.panne');
    assert.equal(run?.ok, false);
    assert.equal(run?.error, 'serveur de messagerie injoignable');
    assert.equal(run?.summary, null);
    assert.ok(run?.finished_at);

    assert.equal((await runJob(ctx, failing, 'planificateur')).status, 'succeeded');
    assert.deepEqual(
      (await runsOf('essai.panne')).map((r) => [r.ok, r.summary]),
      [
        [false, null],
        [true, 'reprise'],
      ],
    );
    assert.equal((await latestRuns(t.db)).get('essai.panne')?.summary, 'reprise');
  });

  test('two runs of the same job at once: one runs, the other is skipped', async () => {
    const gate = Promise.withResolvers<void>();
    let entered = 0;
    const slow = job('essai.lente', async () => {
      entered++;
      // Should a second run get in, let both finish: the assertions below then fail at once.
      if (entered > 1) gate.resolve();
      await gate.promise;
      return { entrées: entered };
    });
    const first = runJob(ctx, slow, 'planificateur');
    const second = runJob(ctx, slow, 'cli');
    // While the gate is shut, only a run that did not get in can be over.
    const early = await Promise.race([first, second]);
    assert.equal(early.status, 'skipped');
    gate.resolve();
    const outcomes = await Promise.all([first, second]);
    assert.equal(entered, 1);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['skipped', 'succeeded']);
    const runs = await runsOf('essai.lente');
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.ok, true);
    // Once it is over, the job runs again.
    assert.equal((await runJob(ctx, slow, 'cli')).status, 'succeeded');
  });

  test('a run its process never finished blocks the job only until its lease expires', async () => {
    let ran = 0;
    const counted = job('essai.bail', async () => {
      ran++;
      return 'fait';
    });
    await sql`insert into job_run (name, started_by, started_at)
      values ('essai.bail', 'planificateur', now() - make_interval(mins => ${LEASE_MINUTES - 5}))`.execute(
      t.db,
    );
    const blocked = await runJob(ctx, counted, 'cli');
    assert.equal(blocked.status, 'skipped');
    assert.equal(ran, 0);

    await sql`update job_run set started_at = now() - make_interval(mins => ${LEASE_MINUTES + 5})
      where name = 'essai.bail'`.execute(t.db);
    assert.equal((await runJob(ctx, counted, 'cli')).status, 'succeeded');
    assert.equal(ran, 1);
    assert.deepEqual(
      (await runsOf('essai.bail')).map((r) => [r.ok, r.error]),
      [
        [false, INTERRUPTED],
        [true, null],
      ],
    );
  });
});

describe('the scheduler (pg-boss)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(() => t.close());

  test('runs a due job through the queue and records it as the scheduler’s', async () => {
    const ran = Promise.withResolvers<void>();
    const ctx = { db: t.db, config };
    const scheduler = await startScheduler({
      ctx,
      database: t.pglite ? { pglite: t.pglite } : { databaseUrl: t.env.DATABASE_URL! },
      // Every minute: the occurrence of the current minute is due at once.
      jobs: [
        job(
          'essai.minute',
          async () => {
            ran.resolve();
            return { minutes: 1 };
          },
          '* * * * *',
        ),
      ],
      logger: createLogger('silent'),
      intervals: { cron: 1, polling: 0.5 },
    });
    try {
      // pg-boss checks its schedules every second here: a minute without the run is a failure, not a hang.
      const waited = await Promise.race([
        ran.promise.then(() => 'ran'),
        sleep(60_000, 'timeout', { ref: false }),
      ]);
      assert.equal(waited, 'ran', 'pg-boss did not run the due job within 60 s');
    } finally {
      await scheduler.stop();
    }
    const runs = await t.db.selectFrom('job_run').selectAll().where('name', '=', 'essai.minute').execute();
    assert.ok(runs.length >= 1);
    assert.equal(runs[0]?.started_by, 'planificateur');
    assert.equal(runs[0]?.ok, true);
    assert.deepEqual(runs[0]?.summary, { minutes: 1 });
    // The app's own queries still go through once the scheduler has stopped.
    assert.equal((await sql<{ n: number }>`select 1 as n`.execute(t.db)).rows[0]?.n, 1);
  });

  test('a job marked for the first start runs at once where it never ran, and not again at the next start', async () => {
    const runs: string[] = [];
    const ctx = { db: t.db, config };
    const start = () =>
      startScheduler({
        ctx,
        database: t.pglite ? { pglite: t.pglite } : { databaseUrl: t.env.DATABASE_URL! },
        // Once a year: only the first start can make it run during this test.
        jobs: [
          {
            ...job(
              'essai.premier-demarrage',
              async () => {
                runs.push('run');
                return { fois: 1 };
              },
              '0 3 1 1 *',
            ),
            atFirstStart: true,
          },
        ],
        logger: createLogger('silent'),
        intervals: { cron: 1, polling: 0.5 },
      });
    const first = await start();
    try {
      for (let waited = 0; runs.length === 0 && waited < 60_000; waited += 200) await sleep(200);
      assert.equal(runs.length, 1, 'pg-boss did not run the first-start job within 60 s');
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      // Three polls of the queue: time enough for a queued run to start.
      await sleep(1_500);
    } finally {
      await second.stop();
    }
    assert.equal(runs.length, 1, 'the next start does not run it again');
  });

  test('signals queue the jobs that follow them once, after their delay, however many there were', async () => {
    const runs: string[] = [];
    const ctx = { db: t.db, config };
    await signal(t.db, 'datasets.changed');
    await signal(t.db, 'datasets.changed');
    const waiting = await jobsAwaitingSignals(t.db, [
      { ...job('essai.signal', async () => ({})), after: ['datasets.changed'] },
    ]);
    assert.deepEqual(
      waiting.map((w) => [w.job, w.signal]),
      [['essai.signal', 'datasets.changed']],
    );
    const scheduler = await startScheduler({
      ctx,
      database: t.pglite ? { pglite: t.pglite } : { databaseUrl: t.env.DATABASE_URL! },
      // Once a year: only the signal can make it run during this test.
      jobs: [
        {
          ...job(
            'essai.signal',
            async () => {
              runs.push('run');
              return { fois: 1 };
            },
            '0 3 1 1 *',
          ),
          after: ['datasets.changed'],
        },
        job(
          'essai.sourd',
          async () => {
            runs.push('sourd');
            return {};
          },
          '0 3 1 1 *',
        ),
      ],
      logger: createLogger('silent'),
      intervals: { cron: 1, polling: 0.5, signals: 0.2, signalDelay: 0 },
    });
    try {
      await signal(t.db, 'datasets.changed');
      for (let waited = 0; runs.length === 0 && waited < 60_000; waited += 200) await sleep(200);
      assert.deepEqual(runs, ['run'], 'the signal did not make its job run within 60 s');
      // Three polls of the queue and many checks of the signals: time enough for a second run.
      await sleep(1_500);
    } finally {
      await scheduler.stop();
    }
    assert.deepEqual(runs, ['run'], 'three signals, one run; a job that follows none does not run');
    assert.deepEqual(
      await jobsAwaitingSignals(t.db, [
        { ...job('essai.signal', async () => ({})), after: ['datasets.changed'] },
      ]),
      [],
    );
  });
});
