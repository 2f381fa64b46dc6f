import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import {
  checkOpeningHours,
  DAY_CODES,
  DAY_LABELS,
  type DayCode,
  describeDay,
  minuteOfWeek,
  openingState,
  osmToTimetable,
  parseTimetableForm,
  readDayHours,
  type TimetableDay,
  timetableFieldName,
  timetableToOsm,
  toMultirangeLiteral,
  weekdayHoursToOsm,
  weeklyTimetable,
  weekMinuteRanges,
} from './opening-hours.ts';

const EXAMPLE_HINT = 'exemple attendu « Mo-Fr 09:00-12:00,14:00-18:00 »';

/** Runs `run` with the process in another time zone (Node applies a change of TZ at once). */
function inTimeZone<T>(timeZone: string, run: () => T): T {
  const previous = process.env.TZ;
  process.env.TZ = timeZone;
  try {
    return run();
  } finally {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  }
}

const TIME_ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Europe/Paris'];

// 16 June 2025 is a Monday; Paris is then at UTC+2.
const at = (iso: string) => new Date(iso);

// ---------------------------------------------------------------------------------------------
// checkOpeningHours
// ---------------------------------------------------------------------------------------------

test('real values are accepted and normalised', () => {
  const cases: [string, string][] = [
    [
      'Mo-Th 08:00-12:00,14:00-17:00; Fr 08:00-12:00,14:00-16:30',
      'Mo-Th 08:00-12:00,14:00-17:00; Fr 08:00-12:00,14:00-16:30',
    ],
    [
      'Mo 09:00-12:30,14:00-16:30;Tu 09:00-12:30,14:00-16:30',
      'Mo 09:00-12:30,14:00-16:30; Tu 09:00-12:30,14:00-16:30',
    ],
    ['Tu 09:00-12:00,09:00-18:00', 'Tu 09:00-12:00,09:00-18:00'],
    ['Mo-Fr 09:00-12:00; PH off', 'Mo-Fr 09:00-12:00; PH off'],
    ['  Mo-Fr 09:00-18:00  ', 'Mo-Fr 09:00-18:00'],
    ['Fr 20:00-02:00', 'Fr 20:00-02:00'],
    ['24/7', '24/7'],
    ['Mo-Fr 09:00-12:00 || "sur rendez-vous"', 'Mo-Fr 09:00-12:00 || "sur rendez-vous"'],
    // spelling the library corrects by itself
    ['Mo-Fr 9-12', 'Mo-Fr 09:00-12:00'],
    ['lundi 9h-12h', 'Mo 09:00-12:00'],
    ['Mo–Fr 09:00–12:00', 'Mo-Fr 09:00-12:00'],
    ['Mo-Fr 09:00-12:00;', 'Mo-Fr 09:00-12:00'],
  ];
  for (const [text, value] of cases) {
    assert.deepEqual(checkOpeningHours(text), { ok: true, value }, text);
    assert.deepEqual(checkOpeningHours(value), { ok: true, value }, `${value} is stable`);
  }
});

test('empty, unreadable or ambiguous values are refused with a French reason', () => {
  assert.deepEqual(checkOpeningHours(''), { ok: false, reason: `Horaires vides : ${EXAMPLE_HINT}` });
  assert.deepEqual(checkOpeningHours('   '), { ok: false, reason: `Horaires vides : ${EXAMPLE_HINT}` });
  const refused: [string, RegExp][] = [
    ["n'importe quoi", /caractère inattendu/],
    ['Mo 25:00-26:00', /la plage horaire commence en dehors du jour actuel/],
    ['Mo-Fr', /jours donnés sans heures/],
    ['Mo 2-5', /heure à un chiffre ambiguë/],
    ['du lundi au vendredi de 9h à 12h', /mot non reconnu « du »/],
    ['Mo 09:00-12:00 Tu 10:00-12:00', /séparer les règles par « ; »/],
    ['Fr 20:00-02:00; Sa 10:00-12:00', /une règle après minuit remplace la précédente/],
  ];
  for (const [text, detail] of refused) {
    const result = checkOpeningHours(text);
    assert.equal(result.ok, false, text);
    if (result.ok) continue;
    assert.match(result.reason, /^Horaires illisibles : /, text);
    assert.match(result.reason, detail, text);
    assert.ok(result.reason.endsWith(` ; ${EXAMPLE_HINT}`), result.reason);
    assert.ok(result.reason.length < 220, result.reason);
  }
  const long = checkOpeningHours(`Mo-Fr ${Array(40).fill('09:00-10:00').join(',')}`);
  assert.deepEqual(long, { ok: false, reason: 'Horaires trop longs : 255 caractères au plus' });
});

// ---------------------------------------------------------------------------------------------
// openingState
// ---------------------------------------------------------------------------------------------

type StateCase = { text: string; now: string; label: string; open: boolean; next: string | null };

const STATE_CASES: StateCase[] = [
  {
    text: 'Mo-Fr 09:00-12:00,14:00-18:30',
    now: '2025-06-16T17:00+02:00',
    open: true,
    label: 'Ouvert · ferme à 18 h 30',
    next: '2025-06-16T18:30+02:00',
  },
  {
    text: 'Mo-Fr 09:00-12:00,14:00-18:30',
    now: '2025-06-16T10:00+02:00',
    open: true,
    label: 'Ouvert · ferme à 12 h',
    next: '2025-06-16T12:00+02:00',
  },
  {
    text: 'Mo-Fr 09:00-12:00,14:00-18:30',
    now: '2025-06-16T12:30+02:00',
    open: false,
    label: 'Fermé · ouvre à 14 h',
    next: '2025-06-16T14:00+02:00',
  },
  {
    text: 'Mo-Fr 09:00-12:00,14:00-18:30',
    now: '2025-06-16T19:00+02:00',
    open: false,
    label: 'Fermé · ouvre demain à 9 h',
    next: '2025-06-17T09:00+02:00',
  },
  {
    text: 'Mo-Fr 09:00-12:00,14:00-18:30',
    now: '2025-06-20T19:00+02:00',
    open: false,
    label: 'Fermé · ouvre lundi à 9 h',
    next: '2025-06-23T09:00+02:00',
  },
  {
    text: 'Mo-Fr 08:00-12:05',
    now: '2025-06-16T11:00+02:00',
    open: true,
    label: 'Ouvert · ferme à 12 h 05',
    next: '2025-06-16T12:05+02:00',
  },
  // same weekday a week later: the date avoids reading "lundi" as today
  {
    text: 'Mo 09:00-12:00',
    now: '2025-06-16T13:00+02:00',
    open: false,
    label: 'Fermé · ouvre lundi 23 juin à 9 h',
    next: '2025-06-23T09:00+02:00',
  },
  // nothing within 8 days
  {
    text: 'Mo-Fr 09:00-12:00; Jul-Aug off',
    now: '2025-07-10T10:00+02:00',
    open: false,
    label: 'Fermé',
    next: null,
  },
  // French public holidays: 14 July 2025 is a Monday
  {
    text: 'Mo-Fr 09:00-12:00; PH off',
    now: '2025-07-14T10:00+02:00',
    open: false,
    label: 'Fermé · ouvre demain à 9 h',
    next: '2025-07-15T09:00+02:00',
  },
  {
    text: 'Mo-Fr 09:00-12:00; PH off',
    now: '2025-07-15T10:00+02:00',
    open: true,
    label: 'Ouvert · ferme à 12 h',
    next: '2025-07-15T12:00+02:00',
  },
  { text: '24/7', now: '2025-06-16T03:00+02:00', open: true, label: 'Ouvert 24 h/24', next: null },
  // overlapping ranges
  {
    text: 'Tu 09:00-12:00,09:00-18:00',
    now: '2025-06-17T11:00+02:00',
    open: true,
    label: 'Ouvert · ferme à 18 h',
    next: '2025-06-17T18:00+02:00',
  },
  // past midnight
  {
    text: 'Fr 20:00-02:00',
    now: '2025-06-20T19:00+02:00',
    open: false,
    label: 'Fermé · ouvre à 20 h',
    next: '2025-06-20T20:00+02:00',
  },
  {
    text: 'Fr 20:00-02:00',
    now: '2025-06-20T23:00+02:00',
    open: true,
    label: 'Ouvert · ferme demain à 2 h',
    next: '2025-06-21T02:00+02:00',
  },
  {
    text: 'Fr 20:00-02:00',
    now: '2025-06-21T01:00+02:00',
    open: true,
    label: 'Ouvert · ferme à 2 h',
    next: '2025-06-21T02:00+02:00',
  },
  {
    text: 'Mo-Fr 18:00-24:00',
    now: '2025-06-16T20:00+02:00',
    open: true,
    label: 'Ouvert · ferme à minuit',
    next: '2025-06-17T00:00+02:00',
  },
  // the value's own comment when it is neither open nor closed
  {
    text: 'Mo-Fr 09:00-12:00 || "sur rendez-vous"',
    now: '2025-06-16T14:00+02:00',
    open: false,
    label: 'Sur rendez-vous · ouvre demain à 9 h',
    next: '2025-06-17T09:00+02:00',
  },
  {
    text: 'Mo-Fr 09:00-12:00 "sur rendez-vous"',
    now: '2025-06-16T10:00+02:00',
    open: false,
    label: 'Sur rendez-vous',
    next: null,
  },
  // daylight saving: Paris moves on 30 March and 26 October 2025, New York on 9 March and 2 November
  {
    text: 'Mo-Fr 09:00-18:00',
    now: '2025-03-28T19:00+01:00',
    open: false,
    label: 'Fermé · ouvre lundi à 9 h',
    next: '2025-03-31T09:00+02:00',
  },
  {
    text: 'Mo-Fr 09:00-18:00',
    now: '2025-10-24T19:00+02:00',
    open: false,
    label: 'Fermé · ouvre lundi à 9 h',
    next: '2025-10-27T09:00+01:00',
  },
  {
    text: 'Su 01:00-04:00',
    now: '2025-03-30T01:30+01:00',
    open: true,
    label: 'Ouvert · ferme à 4 h',
    next: '2025-03-30T04:00+02:00',
  },
  {
    text: 'Mo-Fr 09:00-18:00',
    now: '2025-03-07T19:00+01:00',
    open: false,
    label: 'Fermé · ouvre lundi à 9 h',
    next: '2025-03-10T09:00+01:00',
  },
];

test('opening state labels read as a person says them', () => {
  for (const c of STATE_CASES) {
    const state = openingState(c.text, at(c.now));
    assert.deepEqual(
      state,
      { open: c.open, label: c.label, nextChange: c.next === null ? null : at(c.next) },
      `${c.text} at ${c.now}`,
    );
  }
});

test('opening state does not depend on the server time zone', () => {
  for (const timeZone of TIME_ZONES) {
    inTimeZone(timeZone, () => {
      for (const c of STATE_CASES) {
        const state = openingState(c.text, at(c.now));
        assert.equal(state?.label, c.label, `${c.text} at ${c.now} in ${timeZone}`);
        assert.equal(state?.nextChange?.toISOString() ?? null, c.next && at(c.next).toISOString());
      }
    });
  }
  assert.notEqual(
    inTimeZone('UTC', () => new Date(2025, 0, 1).getTimezoneOffset()),
    inTimeZone('America/New_York', () => new Date(2025, 0, 1).getTimezoneOffset()),
    'changing TZ at run time is effective',
  );
});

test('school holidays follow the région given', () => {
  // 10 February 2026: winter holidays in zone A (Lyon), not in zone C (Paris)
  const now = at('2026-02-10T10:00+01:00');
  const text = 'Mo-Fr 09:00-18:00; SH off';
  assert.equal(openingState(text, now)?.open, true);
  assert.equal(openingState(text, now, 'Île-de-France')?.open, true);
  assert.deepEqual(openingState(text, now, 'Auvergne-Rhône-Alpes'), {
    open: false,
    label: 'Fermé',
    nextChange: null,
  });
});

test('opening state is null for empty or unreadable values', () => {
  const now = at('2025-06-16T10:00+02:00');
  for (const text of ['', '  ', "n'importe quoi", 'Mo 25:00-26:00']) {
    assert.equal(openingState(text, now), null, text);
  }
});

test('open now agrees with the typical week and changes at nextChange', () => {
  const texts = [
    'Mo-Th 08:00-12:00,14:00-17:00; Fr 08:00-12:00,14:00-16:30',
    'Tu 09:00-12:00,09:00-18:00; Sa 10:00-12:00',
    'Fr 20:00-02:00; Su 22:00-01:00',
    'Mo-Fr 12:05-13:55',
  ];
  // no daylight-saving change in June and July
  const instants = fc.date({
    min: at('2025-06-01T00:00+02:00'),
    max: at('2025-07-31T00:00+02:00'),
    noInvalidDate: true,
  });
  fc.assert(
    fc.property(fc.constantFrom(...texts), instants, (text, now) => {
      const state = openingState(text, now);
      assert.ok(state);
      const minute = minuteOfWeek(now);
      const inWeek = (weekMinuteRanges(text) ?? []).some(([start, end]) => start <= minute && minute < end);
      assert.equal(state.open, inWeek);
      assert.ok(state.nextChange);
      assert.ok(state.nextChange.getTime() > now.getTime());
      assert.equal(openingState(text, new Date(state.nextChange.getTime() - 1000))?.open, state.open);
      assert.equal(openingState(text, state.nextChange)?.open, !state.open);
    }),
    { numRuns: 200 },
  );
});

// ---------------------------------------------------------------------------------------------
// Typical week
// ---------------------------------------------------------------------------------------------

test('weekly timetable of a real value, with French day names', () => {
  const week = weeklyTimetable('Mo-Th 08:00-12:00,14:00-17:00; Fr 08:00-12:00,14:00-16:30; PH off');
  const morning = { from: '08:00', to: '12:00' };
  const monToThu = [morning, { from: '14:00', to: '17:00' }];
  assert.deepEqual(week, [
    { day: 'Mo', label: 'Lundi', intervals: monToThu },
    { day: 'Tu', label: 'Mardi', intervals: monToThu },
    { day: 'We', label: 'Mercredi', intervals: monToThu },
    { day: 'Th', label: 'Jeudi', intervals: monToThu },
    { day: 'Fr', label: 'Vendredi', intervals: [morning, { from: '14:00', to: '16:30' }] },
    { day: 'Sa', label: 'Samedi', intervals: [] },
    { day: 'Su', label: 'Dimanche', intervals: [] },
  ]);
  assert.deepEqual(DAY_CODES, ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su']);
  assert.deepEqual(Object.values(DAY_LABELS), [
    'Lundi',
    'Mardi',
    'Mercredi',
    'Jeudi',
    'Vendredi',
    'Samedi',
    'Dimanche',
  ]);
});

test('weekly timetable: overlapping ranges merged, ranges past midnight split over two days', () => {
  const intervalsOf = (text: string) => weeklyTimetable(text)?.map((d) => d.intervals);
  assert.deepEqual(intervalsOf('Tu 09:00-12:00,09:00-18:00')?.[1], [{ from: '09:00', to: '18:00' }]);
  const late = intervalsOf('Fr 20:00-02:00; Su 22:00-01:00');
  assert.deepEqual(late, [
    [{ from: '00:00', to: '01:00' }],
    [],
    [],
    [],
    [{ from: '20:00', to: '24:00' }],
    [{ from: '00:00', to: '02:00' }],
    [{ from: '22:00', to: '24:00' }],
  ]);
  // the typical week has neither public nor school holidays, and is in June
  assert.deepEqual(
    weeklyTimetable('Mo-Fr 09:00-12:00; PH off; SH off; Jul-Aug off'),
    weeklyTimetable('Mo-Fr 09:00-12:00'),
  );
  for (const text of ['', "n'importe quoi", 'Mo 25:00-26:00'])
    assert.equal(weeklyTimetable(text), null, text);
});

test('a day described in French', () => {
  assert.equal(describeDay([]), 'Fermé');
  assert.equal(
    describeDay([
      { from: '09:00', to: '12:00' },
      { from: '14:00', to: '18:30' },
    ]),
    '9 h – 12 h, 14 h – 18 h 30',
  );
  assert.equal(describeDay([{ from: '08:30', to: '12:05' }]), '8 h 30 – 12 h 05');
  assert.equal(describeDay([{ from: '20:00', to: '24:00' }]), '20 h – minuit');
  assert.equal(describeDay([{ from: '00:00', to: '24:00' }]), '24 h/24');
});

test('minute-of-week ranges for the "open now" filter', () => {
  assert.deepEqual(weekMinuteRanges('Mo 09:00-12:00,14:00-18:30'), [
    [540, 720],
    [840, 1110],
  ]);
  assert.deepEqual(weekMinuteRanges('Tu 09:00-12:00,09:00-18:00'), [[1980, 2520]]);
  assert.deepEqual(weekMinuteRanges('Su 22:00-02:00'), [
    [0, 120],
    [9960, 10080],
  ]);
  assert.deepEqual(weekMinuteRanges('24/7'), [[0, 10080]]);
  assert.deepEqual(weekMinuteRanges('Sa 10:00-12:00; Mo 09:00-12:00'), [
    [540, 720],
    [7800, 7920],
  ]);
  assert.deepEqual(weekMinuteRanges('Mo-Fr 09:00-12:00 "sur rendez-vous"'), [], 'unsure is not open');
  assert.deepEqual(weekMinuteRanges('off'), []);
  assert.equal(weekMinuteRanges('Mo 25:00-26:00'), null);
  assert.equal(toMultirangeLiteral([]), '{}');
  assert.equal(
    toMultirangeLiteral([
      [540, 720],
      [840, 1110],
    ]),
    '{[540,720),[840,1110)}',
  );
});

test('minute of week is read in Paris', () => {
  const cases: [string, number][] = [
    ['2025-06-16T00:00+02:00', 0],
    ['2025-06-15T22:00Z', 0],
    ['2025-06-16T09:30+02:00', 570],
    ['2025-06-22T23:59+02:00', 10079],
    ['2025-01-06T00:00+01:00', 0],
    ['2025-01-05T23:00Z', 0],
    ['2025-03-30T03:00+02:00', 6 * 1440 + 180],
  ];
  for (const timeZone of TIME_ZONES) {
    inTimeZone(timeZone, () => {
      for (const [iso, minute] of cases) assert.equal(minuteOfWeek(at(iso)), minute, `${iso} in ${timeZone}`);
    });
  }
});

test('typical week and states are the same in processes started with another TZ', async () => {
  const run = promisify(execFile);
  const moduleUrl = new URL('./opening-hours.ts', import.meta.url).href;
  const child = `
    const h = await import(process.env.HORAIRES_MODULE);
    const texts = ['Mo-Th 08:00-12:00,14:00-17:00; Fr 08:00-12:00,14:00-16:30', 'Fr 20:00-02:00; Su 22:00-01:00', 'Mo-Fr 09:00-12:00; PH off'];
    const instants = ['2025-06-16T10:00+02:00', '2025-06-20T23:30+02:00', '2025-03-28T19:00+01:00', '2025-07-14T08:00+02:00', '2025-11-01T12:00+01:00'];
    console.log(JSON.stringify({
      timetables: texts.map((t) => h.weeklyTimetable(t)),
      ranges: texts.map((t) => h.weekMinuteRanges(t)),
      osm: texts.map((t) => h.osmToTimetable(t)),
      states: texts.flatMap((t) => instants.map((i) => h.openingState(t, new Date(i)))),
      minutes: instants.map((i) => h.minuteOfWeek(new Date(i))),
    }));`;
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const outputs = await Promise.all(
    ['Europe/Paris', 'UTC', 'America/New_York'].map(async (timeZone) => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', child],
        {
          cwd: fileURLToPath(new URL('../../../', import.meta.url)),
          env: { ...env, TZ: timeZone, HORAIRES_MODULE: moduleUrl },
        },
      );
      return JSON.parse(stdout);
    }),
  );
  const [paris, utc, newYork] = outputs;
  assert.deepEqual(utc, paris);
  assert.deepEqual(newYork, paris);
  assert.deepEqual(paris.ranges[1], [
    [0, 60],
    [6960, 7320],
    [9960, 10080],
  ]);
  assert.equal(paris.states[1].label, 'Fermé · ouvre lundi à 8 h');
  assert.equal(paris.states[6].label, 'Ouvert · ferme demain à 2 h');
  assert.equal(paris.states[13].label, 'Fermé · ouvre demain à 9 h');
});

// ---------------------------------------------------------------------------------------------
// Timetable form ↔ OSM
// ---------------------------------------------------------------------------------------------

const closedWeek = (): TimetableDay[] => DAY_CODES.map((day) => ({ day, intervals: [] }));

function week(days: Partial<Record<DayCode, [string, string][]>>): TimetableDay[] {
  return DAY_CODES.map((day) => ({ day, intervals: (days[day] ?? []).map(([from, to]) => ({ from, to })) }));
}

test('a timetable becomes an OSM value, identical days grouped', () => {
  const workday: [string, string][] = [
    ['09:00', '12:00'],
    ['14:00', '18:30'],
  ];
  const cases: [TimetableDay[], string][] = [
    [
      week({ Mo: workday, Tu: workday, We: workday, Th: workday, Fr: workday, Sa: [['08:30', '12:00']] }),
      'Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00',
    ],
    [week({ Mo: [['09:00', '12:00']], We: [['09:00', '12:00']] }), 'Mo,We 09:00-12:00'],
    [
      week({
        Mo: [['09:00', '12:00']],
        We: [['09:00', '12:00']],
        Th: [['09:00', '12:00']],
        Fr: [['09:00', '12:00']],
      }),
      'Mo,We-Fr 09:00-12:00',
    ],
    [week({ Sa: [['10:00', '12:00']], Su: [['10:00', '12:00']] }), 'Sa,Su 10:00-12:00'],
    [
      week({ Mo: [['14:00', '17:00']], Tu: [['09:00', '12:00']], We: [['14:00', '17:00']] }),
      'Mo,We 14:00-17:00; Tu 09:00-12:00',
    ],
    [
      week({
        Tu: [
          ['14:00', '18:00'],
          ['09:00', '12:00'],
        ],
      }),
      'Tu 09:00-12:00,14:00-18:00',
    ],
    [week({ Fr: [['20:00', '24:00']], Sa: [['00:00', '02:00']] }), 'Fr 20:00-24:00; Sa 00:00-02:00'],
    [[{ day: 'We', intervals: [{ from: '09:00', to: '12:00' }] }], 'We 09:00-12:00'],
    [closedWeek(), ''],
  ];
  for (const [days, osm] of cases) {
    assert.equal(timetableToOsm(days), osm);
    if (osm !== '') assert.deepEqual(checkOpeningHours(osm), { ok: true, value: osm });
  }
});

test('only plain weekly values open in the timetable form', () => {
  assert.deepEqual(
    osmToTimetable('Mo-Fr 09:00-12:00; We off'),
    week({
      Mo: [['09:00', '12:00']],
      Tu: [['09:00', '12:00']],
      Th: [['09:00', '12:00']],
      Fr: [['09:00', '12:00']],
    }),
  );
  assert.deepEqual(
    osmToTimetable('Mo 09:00-12:30,14:00-16:30;Tu 09:00-12:30,14:00-16:30'),
    week({
      Mo: [
        ['09:00', '12:30'],
        ['14:00', '16:30'],
      ],
      Tu: [
        ['09:00', '12:30'],
        ['14:00', '16:30'],
      ],
    }),
  );
  assert.deepEqual(osmToTimetable('Tu 09:00-12:00,09:00-18:00'), week({ Tu: [['09:00', '18:00']] }));
  assert.deepEqual(
    osmToTimetable('Fr 20:00-02:00'),
    week({ Fr: [['20:00', '24:00']], Sa: [['00:00', '02:00']] }),
  );
  assert.equal(
    osmToTimetable('09:00-18:00')?.every((d) => d.intervals.length === 1),
    true,
  );
  assert.equal(
    osmToTimetable('24/7')?.every((d) => d.intervals[0]?.to === '24:00'),
    true,
  );
  assert.deepEqual(osmToTimetable('off'), closedWeek());
  for (const text of [
    'Mo-Fr 09:00-12:00; PH off',
    'Mo-Fr 09:00-12:00; SH off',
    'Mo-Fr 09:00-12:00; Jul-Aug off',
    'week 01-53/2 Mo 09:00-12:00',
    'Mo[1] 09:00-12:00',
    'Mo-Fr 09:00-12:00 "sur rendez-vous"',
    'Mo-Fr 09:00-12:00 || "sur rendez-vous"',
    'Mo-Fr 09:00+',
    'sunrise-sunset',
    'Mo 09:00-12:00, Tu 10:00-11:00',
    '',
    "n'importe quoi",
    'Mo 25:00-26:00',
  ]) {
    assert.equal(osmToTimetable(text), null, text);
  }
});

/** A valid timetable: per day up to three sorted intervals, neither overlapping nor touching. */
const timetableArbitrary = fc
  .tuple(...DAY_CODES.map(() => fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { maxLength: 6 })))
  .map((perDay) =>
    perDay.map((points, index) => {
      const sorted = [...points].sort((a, b) => a - b);
      const intervals = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) {
        intervals.push({ from: hhmm(sorted[i]!), to: hhmm(sorted[i + 1]!) });
      }
      return { day: DAY_CODES[index]!, intervals };
    }),
  );

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

test('timetable → OSM → timetable gives the timetable back', () => {
  fc.assert(
    fc.property(timetableArbitrary, (timetable) => {
      const osm = timetableToOsm(timetable);
      if (timetable.every((d) => d.intervals.length === 0)) {
        assert.equal(osm, '');
        return;
      }
      assert.deepEqual(checkOpeningHours(osm), { ok: true, value: osm });
      assert.deepEqual(osmToTimetable(osm), timetable);
    }),
    { numRuns: 300 },
  );
});

test('timetable → form fields → timetable gives the timetable back', () => {
  fc.assert(
    fc.property(timetableArbitrary, (timetable) => {
      const fields: Record<string, string> = {};
      for (const { day, intervals } of timetable) {
        // slots filled in any order
        [...intervals].reverse().forEach(({ from, to }, index) => {
          fields[timetableFieldName(day, index + 1, 'debut')] = from;
          fields[timetableFieldName(day, index + 1, 'fin')] = to;
        });
      }
      assert.deepEqual(parseTimetableForm(fields), { ok: true, days: timetable });
    }),
  );
});

test('the timetable form is read, times normalised and touching slots merged', () => {
  const result = parseTimetableForm({
    horaires_Mo_1_debut: '09:00',
    horaires_Mo_1_fin: '12:00',
    horaires_Mo_2_debut: ' 14:00 ',
    horaires_Mo_2_fin: '18:30',
    horaires_Sa_1_debut: '8:30',
    horaires_Sa_1_fin: '12h',
    horaires_Fr_1_debut: '20:00',
    horaires_Fr_1_fin: '24:00',
    horaires_Su_1_debut: '10:00',
    horaires_Su_1_fin: '11:00',
    horaires_Su_3_debut: '11:00',
    horaires_Su_3_fin: '12:00',
    horaires_Tu_1_debut: '',
    horaires_Tu_1_fin: '',
    horaires_We_1_debut: undefined,
    horaires_Xx_1_debut: '09:00',
    horaires_Mo_4_debut: '09:00',
    nom: 'Médiathèque',
  });
  assert.deepEqual(result, {
    ok: true,
    days: week({
      Mo: [
        ['09:00', '12:00'],
        ['14:00', '18:30'],
      ],
      Fr: [['20:00', '24:00']],
      Sa: [['08:30', '12:00']],
      Su: [['10:00', '12:00']],
    }),
  });
});

test('the timetable form explains its errors in French, per field', () => {
  const result = parseTimetableForm({
    horaires_Mo_1_debut: '25:00',
    horaires_Mo_1_fin: '26:00',
    horaires_Tu_1_debut: '14:00',
    horaires_Tu_1_fin: '12:00',
    horaires_We_1_debut: '09:00',
    horaires_Th_1_debut: '09:00',
    horaires_Th_1_fin: '12:00',
    horaires_Th_2_debut: '11:00',
    horaires_Th_2_fin: '14:00',
    horaires_Fr_2_fin: '12:00',
    horaires_Sa_1_debut: 'midi',
    horaires_Sa_1_fin: '14:00',
    horaires_Su_1_debut: '24:00',
    horaires_Su_1_fin: '24:00',
  });
  const format = 'Heure attendue au format HH:MM, par exemple 09:30';
  assert.deepEqual(result, {
    ok: false,
    errors: [
      { field: 'horaires_Mo_1_debut', reason: format },
      { field: 'horaires_Mo_1_fin', reason: format },
      { field: 'horaires_Tu_1_fin', reason: 'L’heure de fin doit être après l’heure de début' },
      { field: 'horaires_We_1_fin', reason: 'Heure de fin manquante' },
      { field: 'horaires_Th_2_debut', reason: 'Ce créneau chevauche un autre créneau du même jour' },
      { field: 'horaires_Fr_2_debut', reason: 'Heure de début manquante' },
      { field: 'horaires_Sa_1_debut', reason: format },
      { field: 'horaires_Su_1_debut', reason: format },
    ],
  });
});

// ---------------------------------------------------------------------------------------------
// One column per weekday (the France Services list): each day's French text → OSM
// ---------------------------------------------------------------------------------------------

test('a day’s hours as French files write them', () => {
  const cases: [string, string[] | null][] = [
    ['09:00 - 12:00 / 13:30 - 17:00', ['09:00-12:00', '13:30-17:00']],
    ['9h-12h / 13h30-17h', ['09:00-12:00', '13:30-17:00']],
    ['09h00 - 12h00 et 14h00 - 17h30', ['09:00-12:00', '14:00-17:30']],
    ['8:30-12:00, 13:30-16:30', ['08:30-12:00', '13:30-16:30']],
    ['9h à 12h', ['09:00-12:00']],
    ['13:30 - 17:00 / 09:00 - 12:00', ['09:00-12:00', '13:30-17:00']],
    ['09:00 – 18:00', ['09:00-18:00']],
    ['Fermé', []],
    ['fermée', []],
    ['  ', []],
    ['-', []],
    ['Sur rendez-vous', null],
    ['09:00 - 12:00 sur rendez-vous', null],
    ['12:00 - 09:00', null],
    ['25:00 - 26:00', null],
  ];
  for (const [text, expected] of cases)
    assert.deepEqual(readDayHours(text)?.map((i) => `${i.from}-${i.to}`) ?? null, expected, `« ${text} »`);
});

test('weekday columns become one OSM value, days with the same hours grouped', () => {
  const slots = '09:00 - 12:00 / 13:30 - 17:00';
  assert.deepEqual(
    weekdayHoursToOsm({
      Mo: slots,
      Tu: slots,
      We: '09:00 - 12:00',
      Th: slots,
      Fr: slots,
      Sa: 'Fermé',
      Su: '',
    }),
    { ok: true, value: 'Mo,Tu,Th,Fr 09:00-12:00,13:30-17:00; We 09:00-12:00' },
  );
  assert.deepEqual(weekdayHoursToOsm({ Mo: slots, Tu: slots, We: slots, Th: slots, Fr: slots }), {
    ok: true,
    value: 'Mo-Fr 09:00-12:00,13:30-17:00',
  });
  const combined = weekdayHoursToOsm({ Mo: slots, Sa: '9h-12h' });
  assert.ok(combined.ok && checkOpeningHours(combined.value).ok, 'the library reads the result');
  assert.deepEqual(weekdayHoursToOsm({ Mo: 'Fermé', Tu: '' }), { ok: true, value: '' }, 'no hours: unknown');
  const unreadable = weekdayHoursToOsm({ Mo: slots, Tu: 'le matin' });
  assert.equal(unreadable.ok, false);
  assert.match(!unreadable.ok ? unreadable.reason : '', /mardi : « le matin » illisible/);
});

test('weekday columns: any readable text gives a value the library accepts', () => {
  const time = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
    .map(([h, m]) => h * 60 + m);
  const text = (start: number, end: number) =>
    `${String(Math.floor(start / 60)).padStart(2, '0')}:${String(start % 60).padStart(2, '0')} - ${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}`;
  const day = fc.oneof(
    fc.constant('Fermé'),
    fc
      .tuple(time, time)
      .filter(([a, b]) => a < b)
      .map(([a, b]) => text(a, b)),
  );
  fc.assert(
    fc.property(fc.array(day, { minLength: 7, maxLength: 7 }), (days) => {
      const result = weekdayHoursToOsm(Object.fromEntries(DAY_CODES.map((d, i) => [d, days[i]!])));
      assert.ok(result.ok);
      if (result.value !== '') assert.ok(checkOpeningHours(result.value).ok, result.value);
    }),
    { numRuns: 100 },
  );
});
