import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { givenActivity, givenBeneficiary, givenHelper } from '../../../test/helpers/builders.ts';
import type { Db } from '../../platform/db/database.ts';
import { computeStatistics, type RawStatistics } from './compute.ts';
import { compactStatistics, rebuildStatistics } from './counters.ts';
import { lastDayOf, type Period, shiftMonth, splitPeriod } from './period.ts';
import { statisticsQueries } from './queries.ts';
import type { Scope } from './scope.ts';

/**
 * The monthly counters must always give the numbers counted from the reports themselves:
 * after every kind of change (new reports in bulk, edits, deletions, people deleted or merged)
 * and whether or not the deltas were compacted.
 */

/** Plain, comparable numbers: zero cells dropped, keys sorted. */
function plain(stats: RawStatistics) {
  const sorted = (m: Map<string, number>) =>
    Object.fromEntries([...m].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const group = (r: Record<string, Map<string, number>>) =>
    Object.fromEntries(Object.entries(r).map(([k, m]) => [k, sorted(m)]));
  return {
    activites: stats.activites,
    accompagnements: stats.accompagnements,
    personnes: stats.personnes,
    nouvelles: stats.nouvelles,
    activity: group(stats.activity),
    people: group(stats.people),
    monthsActivites: sorted(stats.monthsActivites),
    monthsAccompagnements: sorted(stats.monthsAccompagnements),
  };
}

describe('monthly statistics counters', () => {
  let t: TestApp;
  let scopes: Scope[];
  const db = () => t.db.db;
  const PERIODS: Period[] = [
    { du: '2020-01-01', au: '2030-12-31' },
    { du: '2025-01-01', au: '2025-12-31' },
    { du: '2025-03-17', au: '2026-02-09' },
    { du: '2026-01-05', au: '2026-01-20' },
  ];

  async function assertCountersMatch(periods: Period[] = PERIODS) {
    for (const scope of scopes)
      for (const period of periods) {
        const counted = await computeStatistics(db(), scope, period, { fromReports: true });
        const rolled = await computeStatistics(db(), scope, period);
        assert.deepEqual(plain(rolled), plain(counted), `${scope.kind} ${period.du}..${period.au}`);
      }
  }

  before(async () => {
    t = await createTestApp({ demo: true });
    const used = await db().selectFrom('activite').select('collectivite_id').distinct().execute();
    assert.ok(used.length > 0, 'the demo records activities');
    scopes = [
      { kind: 'opsn', name: 'OPSN' },
      ...used.map((u) => ({ kind: 'collectivite' as const, id: u.collectivite_id, name: 'C' })),
    ];
  });
  after(() => t.close());

  test('a period is cut into whole months and the partial months at its ends', () => {
    assert.deepEqual(splitPeriod({ du: '2025-01-01', au: '2025-12-31' }), {
      months: { du: '2025-01-01', au: '2025-12-31' },
      edges: [],
    });
    assert.deepEqual(splitPeriod({ du: '2025-03-17', au: '2026-02-09' }), {
      months: { du: '2025-04-01', au: '2026-01-31' },
      edges: [
        { du: '2025-03-17', au: '2025-03-31' },
        { du: '2026-02-01', au: '2026-02-09' },
      ],
    });
    assert.deepEqual(splitPeriod({ du: '2024-02-01', au: '2024-02-29' }).edges, []);
    assert.deepEqual(splitPeriod({ du: '2026-01-05', au: '2026-01-20' }), {
      months: null,
      edges: [{ du: '2026-01-05', au: '2026-01-20' }],
    });
  });

  test('the demo data counted by the counters equals the reports counted one by one', async () => {
    const [deltas] = (await sql<{ n: number }>`select count(*)::int as n from stat_delta`.execute(db())).rows;
    assert.ok((deltas?.n ?? 0) > 0, 'the seed wrote deltas');
    await assertCountersMatch();
  });

  test('edits, deletions, anonymised and merged people keep the counters exact, compacted or not', async () => {
    const activities = await db()
      .selectFrom('activite')
      .select(['id', 'date'])
      .orderBy('date')
      .limit(6)
      .execute();
    assert.equal(activities.length, 6);
    // A report moved to another month, with other themes and duration.
    await db()
      .updateTable('activite')
      .set({ date: '2025-06-15', thematiques: ['email', 'sante', 'email'], duree_min: 150 })
      .where('id', '=', activities[0]!.id)
      .execute();
    await db()
      .updateTable('participation')
      .set({ date: '2025-06-15' })
      .where('activite_id', '=', activities[0]!.id)
      .execute();
    // A report deleted (its participations go with it).
    await db().deleteFrom('activite').where('id', '=', activities[1]!.id).execute();
    await assertCountersMatch();

    assert.ok((await compactStatistics(db())) > 0);
    const [left] = (await sql<{ n: number }>`select count(*)::int as n from stat_delta`.execute(db())).rows;
    assert.equal(left?.n, 0);
    await assertCountersMatch();

    // A person deleted: their participations stay, anonymous.
    const people = await db()
      .selectFrom('participation')
      .select('beneficiaire_id')
      .where('beneficiaire_id', 'is not', null)
      .groupBy('beneficiaire_id')
      .orderBy(sql`count(*)`, 'desc')
      .limit(3)
      .execute();
    await db().deleteFrom('beneficiaire').where('id', '=', people[0]!.beneficiaire_id!).execute();
    // Two people merged.
    await db()
      .updateTable('participation')
      .set({ beneficiaire_id: people[1]!.beneficiaire_id })
      .where('beneficiaire_id', '=', people[2]!.beneficiaire_id)
      .execute();
    await assertCountersMatch();
    await compactStatistics(db());
    await assertCountersMatch();
  });

  test('any period gives the same numbers from the counters as from the reports', async () => {
    const day = fc
      .date({
        min: new Date('2024-06-01T00:00:00Z'),
        max: new Date('2026-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    await fc.assert(
      fc.asyncProperty(day, day, async (a, b) => {
        const period = a <= b ? { du: a, au: b } : { du: b, au: a };
        await assertCountersMatch([period]);
      }),
      { numRuns: 15 },
    );
  });

  test('any range of whole months gives the same people from the counters as from the reports', async () => {
    const month = fc.integer({ min: 0, max: 35 }).map((i) => shiftMonth('2024-01-01', i));
    await fc.assert(
      fc.asyncProperty(month, month, async (a, b) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        const period = { du: `${first}-01`, au: lastDayOf(last) };
        assert.deepEqual(splitPeriod(period).edges, []);
        await assertCountersMatch([period]);
      }),
      { numRuns: 20 },
    );
  });

  test('periods with days at their ends (the roadmap’s: a month’s first day to today) read the counters, exact', async () => {
    const collectiviteId = scopes.find((s) => s.kind === 'collectivite')!.id;
    const helper = await givenHelper(t, { collectivite: collectiviteId, places: 1 });
    const person = (nom: string) => givenBeneficiary(t, helper, { prenom: 'Bord', nom });
    const seen = async (who: string, ...dates: string[]) => {
      for (const date of dates) await givenActivity(t, helper, { beneficiaires: [who], date });
    };
    // First seen in the leading days, then in the whole months and the trailing days: new.
    await seen(await person('Un'), '2026-03-10', '2026-05-02', '2026-08-10', '2026-08-11');
    // Seen long before, then only in the trailing days: not new.
    await seen(await person('Deux'), '2025-01-10', '2026-08-12');
    // First seen in the leading month but before the period, then in the months: not new.
    await seen(await person('Trois'), '2026-03-03', '2026-04-15');
    // Only in the trailing days, for the first time: new.
    await seen(await person('Quatre'), '2026-08-14', '2026-08-15');
    // Only in the leading days, first time there: new.
    await seen(await person('Cinq'), '2026-03-20');
    const periods = [
      { du: '2026-03-05', au: '2026-08-20' },
      { du: '2026-03-01', au: '2026-08-20' },
      { du: '2026-03-05', au: '2026-08-31' },
      { du: '2026-03-11', au: '2026-08-13' },
    ];
    for (const period of periods) {
      // The people of the whole months come from their counters, not from the people-months.
      const { distinct } = statisticsQueries({ kind: 'collectivite', id: collectiviteId, name: 'C' }, period);
      const text = distinct.compile(db()).sql;
      assert.match(text, /from stat_distinct/);
      assert.doesNotMatch(text, /select beneficiaire_id from stat_personne/);
    }
    await assertCountersMatch(periods);
    await compactStatistics(db());
    await assertCountersMatch(periods);
  });

  test('a recount from the reports gives the counters the triggers kept', async () => {
    await compactStatistics(db());
    const kept = await snapshot();
    assert.ok(kept.people.length > 0 && kept.first.length > 0 && kept.distinct.length > 0);
    await rebuildStatistics(db());
    assert.deepEqual(await snapshot(), kept);
  });

  test('one person recorded by two transactions at once, in other months, is counted exactly', async () => {
    const [person] = (
      await sql<{ id: string; collectivite_id: number }>`
        select b.id, b.collectivite_id from beneficiaire b
        where exists (select 1 from participation p where p.beneficiaire_id = b.id)
        order by b.id limit 1`.execute(db())
    ).rows;
    assert.ok(person);
    const [model] = (
      await sql<{ id: string }>`select id from activite where collectivite_id = ${person.collectivite_id}
        order by id limit 1`.execute(db())
    ).rows;
    assert.ok(model);
    // A report of the model's helper at `date`, with the person.
    const record = async (trx: Db, date: string) => {
      const [activity] = (
        await sql<{ id: string }>`
          insert into activite (collectivite_id, mediateur_id, type, date, duree_min, canal,
                                materiels, thematiques, demarches)
          select collectivite_id, mediateur_id, type, ${date}::date, duree_min, canal,
                 materiels, thematiques, demarches
          from activite where id = ${model.id} returning id`.execute(trx)
      ).rows;
      await sql`insert into participation (activite_id, beneficiaire_id, collectivite_id, date, genre, tranche_age, statut)
        values (${activity!.id}, ${person.id}, ${person.collectivite_id}, ${date}::date,
                'feminin', 'de_60_a_69', 'retraite')`.execute(trx);
    };
    // On PostgreSQL the second one waits for the first inside the counters' trigger (the
    // person's lock) and then sees its months; on PGlite they take turns anyway.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let recorded!: () => void;
    const first = new Promise<void>((resolve) => {
      recorded = resolve;
    });
    const one = db()
      .transaction()
      .execute(async (trx) => {
        await record(trx, '2023-02-10');
        recorded();
        await held;
      });
    await first;
    const two =
      t.db.kind === 'postgres'
        ? db()
            .transaction()
            .execute(async (trx) => {
              await record(trx, '2023-05-10');
              await record(trx, '2023-01-10');
            })
        : undefined;
    try {
      if (two) await waitForAdvisoryLockWait();
    } finally {
      release();
      await one;
    }
    if (two) await two;
    else
      await db()
        .transaction()
        .execute(async (trx) => {
          await record(trx, '2023-05-10');
          await record(trx, '2023-01-10');
        });
    await assertCountersMatch([
      { du: '2023-01-01', au: '2023-12-31' },
      { du: '2023-02-01', au: '2023-04-30' },
      { du: '2023-05-01', au: '2026-12-31' },
    ]);
    // Then deleted together, and the person purged.
    await sql`delete from activite where date in ('2023-01-10', '2023-05-10')`.execute(db());
    await db().deleteFrom('beneficiaire').where('id', '=', person.id).execute();
    await assertCountersMatch([{ du: '2023-01-01', au: '2026-12-31' }]);
    const kept = await snapshot();
    await rebuildStatistics(db());
    assert.deepEqual(await snapshot(), kept);
  });

  /** Every counter as it is, the deltas folded first. */
  async function snapshot() {
    await compactStatistics(db());
    return {
      totals: (await sql`select * from stat_total order by 1, 2, 3, 4`.execute(db())).rows,
      people: (await sql`select * from stat_personne order by 1, 2, 3`.execute(db())).rows,
      first: (await sql`select * from stat_premiere order by 1`.execute(db())).rows,
      distinct: (await sql`select * from stat_distinct order by 1, 2, 3, 4`.execute(db())).rows,
    };
  }

  /** Until a session waits for an advisory lock (PostgreSQL), at most 5 s. */
  async function waitForAdvisoryLockWait() {
    for (let i = 0; i < 100; i++) {
      const [row] = (
        await sql<{ n: number }>`select count(*)::int as n from pg_locks
          where locktype = 'advisory' and not granted`.execute(db())
      ).rows;
      if ((row?.n ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail('the second transaction never waited for the first one');
  }
});
