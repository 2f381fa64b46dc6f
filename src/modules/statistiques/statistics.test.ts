import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { createUser } from '../../platform/auth/users.ts';
import { CANAUX, MATERIELS, THEMATIQUES } from '../activites/index.ts';
import { GENRES, STATUTS, TRANCHES_AGE } from '../beneficiaires/index.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../comptes/index.ts';
import { importPlaces } from '../lieux/index.ts';
import { addCollectivite } from '../territoires/index.ts';
import { computeStatistics, type RawStatistics } from './compute.ts';
import { type Shown, THRESHOLD } from './disclosure.ts';
import { cellOf, SHEET_NAMES } from './export.ts';
import { monthsOf, type Period, parsePeriod, presets } from './period.ts';
import { presentStatistics } from './presentation.ts';
import { publishedPresets } from './published-period.ts';
import type { Scope } from './scope.ts';
import { trancheDuree } from './vocabulary.ts';

/**
 * Statistics are checked against an oracle: every activity and participation a test inserts
 * is also kept in memory, and the expected numbers are counted there, in JavaScript, in the
 * most obvious way. Each test works in collectivités and with people it creates, so the demo
 * data (and whatever a seed adds to it) never changes what it expects.
 */

const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const YEAR_2025: Period = { du: '2025-01-01', au: '2025-12-31' };

type Person = {
  id: string | null;
  genre: string;
  tranche_age: string;
  statut: string;
  commune_insee: string | null;
};
type Recorded = {
  id: string;
  collectivite_id: number;
  mediateur_id: string;
  lieu_id: string | null;
  type: 'individuel' | 'collectif';
  date: string;
  duree_min: number;
  canal: 'lieu_activite' | 'domicile' | 'distance' | 'autre_lieu';
  materiels: string[];
  thematiques: string[];
  demarches: string[];
  people: Person[];
};

/** Everything the tests inserted, for the oracle. */
const recorded: Recorded[] = [];

/** The numbers the statistics must give, counted from what was inserted. */
function oracle(scope: (a: Recorded) => boolean, period: Period) {
  const inPeriod = (d: string) => d >= period.du && d <= period.au;
  const activities = recorded.filter((a) => scope(a) && inPeriod(a.date));
  const participations = activities.flatMap((a) => a.people.map((p) => ({ ...p, date: a.date })));
  const firstEver = new Map<string, string>();
  for (const a of recorded)
    for (const p of a.people)
      if (p.id && (!firstEver.has(p.id) || a.date < firstEver.get(p.id)!)) firstEver.set(p.id, a.date);
  const people = new Set(participations.flatMap((p) => (p.id ? [p.id] : [])));
  const count = <T>(items: T[], key: (t: T) => string[]) => {
    const m = new Map<string, number>();
    for (const item of items) for (const k of new Set(key(item))) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  };
  return {
    activites: activities.length,
    accompagnements: participations.length,
    personnes: people.size,
    nouvelles: [...people].filter((id) => firstEver.get(id)! >= period.du).length,
    activity: {
      type: count(activities, (a) => [a.type]),
      canal: count(activities, (a) => [a.canal]),
      duree: count(activities, (a) => [trancheDuree(a.duree_min)]),
      materiel: count(activities, (a) => a.materiels),
      thematique: count(activities, (a) => a.thematiques),
      demarche: count(activities, (a) => a.demarches),
    },
    people: {
      identite: count(participations, (p) => [p.id ? 'identifie' : 'anonyme']),
      genre: count(participations, (p) => [p.genre]),
      age: count(participations, (p) => [p.tranche_age]),
      statut: count(participations, (p) => [p.statut]),
      commune: count(participations, (p) => [p.commune_insee ?? '']),
    },
    monthsActivites: count(activities, (a) => [a.date.slice(0, 7)]),
    monthsAccompagnements: count(participations, (p) => [p.date.slice(0, 7)]),
  };
}

const sorted = (m: Map<string, number>) =>
  [...m].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));

/** The raw statistics equal the oracle's, number by number. */
function assertMatchesOracle(raw: RawStatistics, expected: ReturnType<typeof oracle>) {
  assert.equal(raw.activites, expected.activites, 'activities');
  assert.equal(raw.accompagnements, expected.accompagnements, 'accompaniments');
  assert.equal(raw.personnes, expected.personnes, 'distinct people');
  assert.equal(raw.nouvelles, expected.nouvelles, 'new people');
  for (const dim of Object.keys(expected.activity) as (keyof typeof expected.activity)[])
    assert.deepEqual(sorted(raw.activity[dim]), sorted(expected.activity[dim]), `activities by ${dim}`);
  for (const dim of Object.keys(expected.people) as (keyof typeof expected.people)[])
    assert.deepEqual(sorted(raw.people[dim]), sorted(expected.people[dim]), `accompaniments by ${dim}`);
  assert.deepEqual(sorted(raw.monthsActivites), sorted(expected.monthsActivites), 'activities by month');
  assert.deepEqual(sorted(raw.monthsAccompagnements), sorted(expected.monthsAccompagnements), 'by month');
}

/** Every single-valued breakdown adds up to its total; a multi-valued cell never exceeds it. */
function assertBreakdownsAddUp(raw: RawStatistics) {
  const sum = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
  for (const dim of ['type', 'canal', 'duree'] as const)
    assert.equal(sum(raw.activity[dim]), raw.activites, dim);
  for (const dim of ['materiel', 'thematique', 'demarche'] as const)
    for (const n of raw.activity[dim].values()) assert.ok(n <= raw.activites, dim);
  for (const dim of ['identite', 'genre', 'age', 'statut', 'commune'] as const)
    assert.equal(sum(raw.people[dim]), raw.accompagnements, dim);
  assert.equal(sum(raw.monthsActivites), raw.activites, 'months of activities');
  assert.equal(sum(raw.monthsAccompagnements), raw.accompagnements, 'months of accompaniments');
  assert.ok(raw.nouvelles <= raw.personnes);
  assert.ok(raw.personnes <= (raw.people.identite.get('identifie') ?? 0));
  // What a page shows exactly adds up the same way.
  const view = presentStatistics(raw, true);
  for (const b of [...view.activity, ...view.people]) {
    const cells = b.rows.reduce((s, r) => s + (r.value as number), 0);
    if (b.multi) assert.ok(b.rows.every((r) => (r.value as number) <= (b.total as number)));
    else assert.equal(cells, b.total, `${b.id} adds up on the page`);
  }
  assert.equal(
    view.months.rows.reduce((s, r) => s + (r.accompagnements as number), 0),
    view.summary.accompagnements,
  );
}

/** The cells of a page's table: `data-code` → the text of its count. */
function tableValues(html: string, id: string): Map<string, string> {
  const table = new RegExp(`<table id="tableau-${id}"[\\s\\S]*?</table>`).exec(html)?.[0];
  assert.ok(table, `table ${id} on the page`);
  const cells = new Map<string, string>();
  for (const [, code, row] of table.matchAll(/<tr data-code="([^"]*)">([\s\S]*?)<\/tr>/g)) {
    const first = /<td class="num">([\s\S]*?)<\/td>/.exec(row!)?.[1] ?? '';
    cells.set(code!, decode(first));
  }
  return cells;
}

const decode = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .trim();

/** The text of a page's summary (`dt` → `dd`). */
function summaryValues(html: string): Map<string, string> {
  const block = /<dl class="stats-summary" id="synthese">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? '';
  return new Map(
    [...block.matchAll(/<dt>([\s\S]*?)<\/dt><dd>([\s\S]*?)<\/dd>/g)].map(([, k, v]) => [
      decode(k!),
      decode(v!),
    ]),
  );
}

const shownText = (v: Shown) =>
  v === 'lt5' ? '< 5' : new Intl.NumberFormat('fr-FR').format(v).replace(/[\u00a0\u202f]/g, ' ');

describe('activity statistics', () => {
  let t: TestApp;
  let firminy = 0;
  let rive = 0;
  let place = '';
  const users: Record<'coordFirminy' | 'helperA' | 'helperB' | 'coordRive' | 'helperC' | 'helperP', string> =
    {
      coordFirminy: '',
      helperA: '',
      helperB: '',
      coordRive: '',
      helperC: '',
      helperP: '',
    };
  const emails = {
    coordFirminy: 'coordination@firminy.example',
    helperA: 'alice.mediatrice@firminy.example',
    helperB: 'bruno.mediateur@firminy.example',
    coordRive: 'coordination@rive.example',
    helperC: 'chloe.mediatrice@rive.example',
    helperP: 'propriete@firminy.example',
  };

  /** A signed-in client per person, reused: sign-ins are rate-limited. */
  const clients = new Map<string, Client>();
  const client = async (who: keyof typeof emails) => {
    const known = clients.get(who);
    if (known) return known;
    const c = new Client(t.app);
    const signed = await c.signIn(emails[who], DEMO_PASSWORD, TOTP);
    assert.equal(signed.statusCode, 303, `${who} signs in`);
    clients.set(who, c);
    return c;
  };

  /** A new recorded person (a beneficiaire row), with the attributes their participations copy. */
  const person = async (
    collectiviteId: number,
    attributes: Partial<Omit<Person, 'id'>> = {},
  ): Promise<Person> => {
    const { id } = await t.db.db
      .insertInto('beneficiaire')
      .values({
        collectivite_id: collectiviteId,
        created_by: null,
        prenom: 'P',
        nom: 'Test',
        telephone: null,
        email: null,
        annee_naissance: null,
        commune_insee: attributes.commune_insee ?? null,
        genre: null,
        statut: null,
        notes: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      id,
      genre: 'feminin',
      tranche_age: 'de_25_a_39',
      statut: 'en_emploi',
      commune_insee: '42095',
      ...attributes,
    };
  };

  const anonymous = (attributes: Partial<Omit<Person, 'id'>> = {}): Person => ({
    id: null,
    genre: 'non_communique',
    tranche_age: 'non_communique',
    statut: 'non_communique',
    commune_insee: null,
    ...attributes,
  });

  /** Inserts activities and their participations with SQL, and remembers them for the oracle. */
  const record = async (activities: Omit<Recorded, 'id'>[]) => {
    if (activities.length === 0) return;
    const rows = await t.db.db
      .insertInto('activite')
      .values(
        activities.map(({ people: _people, ...a }) => ({
          ...a,
          commune_insee: null,
          materiels: a.materiels,
          thematiques: a.thematiques,
          demarches: a.demarches,
        })),
      )
      .returning('id')
      .execute();
    const participations = activities.flatMap((a, i) =>
      a.people.map((p) => ({
        activite_id: rows[i]!.id,
        beneficiaire_id: p.id,
        collectivite_id: a.collectivite_id,
        date: a.date,
        genre: p.genre,
        tranche_age: p.tranche_age,
        statut: p.statut,
        commune_insee: p.commune_insee,
      })),
    );
    if (participations.length > 0) await t.db.db.insertInto('participation').values(participations).execute();
    activities.forEach((a, i) => {
      recorded.push({ ...a, id: rows[i]!.id });
    });
  };

  const base = {
    lieu_id: null,
    type: 'individuel' as const,
    duree_min: 45,
    canal: 'lieu_activite' as const,
    materiels: ['ordinateur'],
    thematiques: ['email'],
    demarches: [] as string[],
  };

  before(async () => {
    t = await createTestApp({ demo: true });
    const admin = systemActor('test');
    const f = await addCollectivite(t.db.db, admin, '42095');
    const r = await addCollectivite(t.db.db, admin, '42186');
    assert.ok(f.ok && r.ok);
    firminy = f.collectivite.id;
    rive = r.collectivite.id;
    const roles = {
      coordFirminy: ['coordinateur', firminy],
      helperA: ['mediateur', firminy],
      helperB: ['mediateur', firminy],
      coordRive: ['coordinateur', rive],
      helperC: ['mediateur', rive],
      helperP: ['mediateur', firminy],
    } as const;
    for (const [who, [role, collectiviteId]] of Object.entries(roles))
      users[who as keyof typeof users] = await createUser(t.db.db, {
        email: emails[who as keyof typeof emails],
        name: who,
        password: DEMO_PASSWORD,
        totpSecret: TOTP,
        memberships: [{ role, collectiviteId }],
      });
    const imported = await importPlaces(
      t.db.db,
      admin,
      JSON.stringify([
        {
          id: 'stats-firminy',
          pivot: '00000000000000',
          nom: 'Espace numérique de Firminy',
          commune: 'Firminy',
          code_postal: '42700',
          adresse: '2 place du Breuil',
          date_maj: '2026-11-01',
        },
      ]),
      { fileName: 'stats.json', collectiviteCode: '42095' },
    );
    assert.ok(imported.ok);
    place = (
      await t.db.db
        .selectFrom('lieu')
        .select('id')
        .where('lmn_id', '=', 'stats-firminy')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db.db.insertInto('mediateur_lieu').values({ user_id: users.helperA, lieu_id: place }).execute();

    // Firminy: known and new people across the period's start, one person twice, anonymous people,
    // the period's last day, a day after it, and another helper at the same place.
    const x = await person(firminy, { genre: 'masculin', tranche_age: 'de_60_a_69', statut: 'retraite' });
    const y = await person(firminy, { commune_insee: '42218' });
    const z = await person(firminy, { tranche_age: 'plus_70', statut: 'retraite', commune_insee: null });
    const w = await person(firminy);
    const A = users.helperA;
    await record([
      { ...base, collectivite_id: firminy, mediateur_id: A, date: '2024-06-15', people: [x] },
      { ...base, collectivite_id: firminy, mediateur_id: A, lieu_id: place, date: '2025-01-01', people: [x] },
      {
        ...base,
        collectivite_id: firminy,
        mediateur_id: A,
        date: '2025-02-03',
        duree_min: 15,
        canal: 'domicile',
        materiels: ['telephone', 'tablette'],
        thematiques: ['aide_aux_demarches_administratives', 'sante'],
        demarches: ['social_sante', 'logement'],
        people: [y],
      },
      {
        ...base,
        collectivite_id: firminy,
        mediateur_id: A,
        lieu_id: place,
        type: 'collectif',
        date: '2025-04-04',
        duree_min: 120,
        materiels: [],
        thematiques: ['securite_numerique', 'email'],
        people: [
          x,
          y,
          anonymous(),
          anonymous({ genre: 'feminin' }),
          anonymous({ tranche_age: 'de_18_a_24' }),
        ],
      },
      { ...base, collectivite_id: firminy, mediateur_id: A, date: '2025-05-20', duree_min: 60, people: [y] },
      {
        ...base,
        collectivite_id: firminy,
        mediateur_id: A,
        date: '2025-12-31',
        duree_min: 30,
        canal: 'distance',
        people: [z],
      },
      { ...base, collectivite_id: firminy, mediateur_id: A, date: '2026-01-01', people: [w] },
      { ...base, collectivite_id: firminy, mediateur_id: A, date: '2025-07-01', people: [] },
      {
        ...base,
        collectivite_id: firminy,
        mediateur_id: users.helperB,
        lieu_id: place,
        date: '2025-09-09',
        people: [z, anonymous()],
      },
    ]);

    // Rive-de-Gier: numbers chosen for masking. Genre 12 / 3 / 6: "< 5" and the next smallest masked;
    // statut 19 / 1 / 1: two cells of 1 would be recomputed (2 = two ones), so one more is masked.
    const C = users.helperC;
    const riveActivities: Omit<Recorded, 'id'>[] = [];
    const genres = [
      ...Array(12).fill('feminin'),
      ...Array(3).fill('masculin'),
      ...Array(6).fill('non_communique'),
    ];
    for (const [i, genre] of genres.entries()) {
      const statut = i === 0 ? 'retraite' : i === 1 ? 'sans_emploi' : 'en_emploi';
      riveActivities.push({
        ...base,
        collectivite_id: rive,
        mediateur_id: C,
        date: `2025-0${1 + (i % 6)}-1${i % 10}`,
        people: [await person(rive, { genre, statut, commune_insee: '42186' })],
      });
    }
    await record(riveActivities);
  });
  after(() => t.close());

  test('a helper’s, a place’s, a collectivité’s and the OPSN’s statistics are exactly what was recorded', async () => {
    const scopes: [Scope, (a: Recorded) => boolean][] = [
      [{ kind: 'mediateur', id: users.helperA, name: 'A' }, (a) => a.mediateur_id === users.helperA],
      [{ kind: 'lieu', id: place, name: 'P' }, (a) => a.lieu_id === place],
      [{ kind: 'collectivite', id: firminy, name: 'F' }, (a) => a.collectivite_id === firminy],
      [{ kind: 'collectivite', id: rive, name: 'R' }, (a) => a.collectivite_id === rive],
    ];
    for (const [scope, filter] of scopes) {
      for (const period of [
        YEAR_2025,
        { du: '2024-01-01', au: '2026-12-31' },
        { du: '2025-04-04', au: '2025-04-04' },
      ]) {
        const raw = await computeStatistics(t.db.db, scope, period);
        assertMatchesOracle(raw, oracle(filter, period));
        assertBreakdownsAddUp(raw);
      }
    }
    // By hand, for helper A over 2025: 6 activities, 9 accompaniments (3 anonymous), people x, y, z:
    // x came in 2024 (known), y and z first came in 2025 (new); w came after the period.
    const a2025 = await computeStatistics(
      t.db.db,
      { kind: 'mediateur', id: users.helperA, name: 'A' },
      YEAR_2025,
    );
    assert.deepEqual(
      [a2025.activites, a2025.accompagnements, a2025.personnes, a2025.nouvelles],
      [6, 9, 3, 2],
    );
    // From March, y is known too (first came in February); z, first seen by helper B in September, is new.
    const later = await computeStatistics(
      t.db.db,
      { kind: 'mediateur', id: users.helperA, name: 'A' },
      { du: '2025-03-01', au: '2025-12-31' },
    );
    assert.deepEqual([later.personnes, later.nouvelles], [3, 1], 'x and y came before March: only z is new');

    // The OPSN: everything in the period, demo data included, counted afresh.
    const opsn = await computeStatistics(t.db.db, { kind: 'opsn', name: 'O' }, YEAR_2025);
    const fresh = await sql<{ a: number; p: number }>`
      select (select count(*)::int from activite where date between '2025-01-01' and '2025-12-31') as a,
             (select count(*)::int from participation where date between '2025-01-01' and '2025-12-31') as p`.execute(
      t.db.db,
    );
    assert.equal(opsn.activites, fresh.rows[0]!.a);
    assert.equal(opsn.accompagnements, fresh.rows[0]!.p);
    assertBreakdownsAddUp(opsn);
  });

  test('the helper’s own page shows exact counts that add up', async () => {
    const c = await client('helperA');
    const page = await c.get('/statistiques?du=2025-01-01&au=2025-12-31');
    assert.equal(page.statusCode, 200);
    const summary = summaryValues(page.body);
    assert.equal(summary.get('Activités'), '6');
    assert.equal(summary.get('Accompagnements'), '9');
    assert.equal(summary.get('Personnes accompagnées'), '3');
    assert.equal(summary.get('dont nouvelles'), '2');
    assert.equal(summary.get('dont déjà accompagnées avant'), '1');
    const genre = tableValues(page.body, 'genre');
    assert.equal(genre.get('masculin'), '2', 'x twice: exact, even under 5');
    assert.equal(genre.get('total'), '9');
    const identite = tableValues(page.body, 'identite');
    assert.equal(identite.get('anonyme'), '3');
    assert.match(page.body, /participants anonymes d’un atelier n’y sont pas comptés/, 'said why');
    const months = tableValues(page.body, 'mois');
    assert.equal(months.size, 13, 'twelve months and the total');
    assert.equal(months.get('2025-04'), '1');
    assert.doesNotMatch(page.body, /&lt; 5/);
    // Its places are linked.
    assert.match(page.body, new RegExp(`/statistiques/lieux/${place}`));
  });

  test('a page asked again with the same counts shows the same figures, and a new report at once', async () => {
    // The presented figures are reused while the counts they come from are the same
    // (presentation.ts): a report recorded in between must change them on the next request.
    const c = await client('helperA');
    const path = '/statistiques?du=2019-01-01&au=2019-12-31';
    const first = await c.get(path);
    const again = await c.get(path);
    assert.equal(summaryValues(first.body).get('Activités'), '0');
    assert.deepEqual(tableValues(again.body, 'type'), tableValues(first.body, 'type'));
    await record([
      {
        ...base,
        collectivite_id: firminy,
        mediateur_id: users.helperA,
        date: '2019-05-02',
        people: [anonymous()],
      },
    ]);
    const after = await c.get(path);
    assert.equal(summaryValues(after.body).get('Activités'), '1');
    assert.equal(tableValues(after.body, 'type').get('individuel'), '1');
    assert.equal(tableValues(after.body, 'mois').get('2019-05'), '1');
    // The coordination's rounded view of the same year: one report rounds to 0, three to 5.
    const coordination = await client('coordFirminy');
    const rounded = `/statistiques/collectivites/${firminy}?du=2019-01-01&au=2019-12-31`;
    assert.equal(summaryValues((await coordination.get(rounded)).body).get('Activités'), '0');
    await record(
      ['2019-05-03', '2019-05-04'].map((date) => ({
        ...base,
        collectivite_id: firminy,
        mediateur_id: users.helperA,
        date,
        people: [anonymous()],
      })),
    );
    assert.equal(summaryValues((await coordination.get(rounded)).body).get('Activités'), '5');
  });

  test('coordinators see whole months of rounded monthly cells', async () => {
    const c = await client('coordRive');
    // Days inside January and June: the page takes the whole months, and says so.
    const page = await c.get(`/statistiques/collectivites/${rive}?du=2025-01-15&au=2025-06-10`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Du 1er janvier 2025 au 30 juin 2025/);
    assert.match(page.body, /value="2025-01-01"/);
    assert.match(page.body, /value="2025-06-30"/);
    assert.match(page.body, /Pour protéger les personnes accompagnées/);
    // 21 people, one a day, 3 or 4 a month from January to June: each month rounds to 5.
    const summary = summaryValues(page.body);
    assert.equal(summary.get('Accompagnements'), '30');
    assert.equal(summary.get('Activités'), '30');
    assert.equal(summary.get('Personnes accompagnées'), '20', '21 distinct people, rounded over the period');
    // 12 women, but 2 a month: every month's cell rounds to 0, and so does the period's.
    const genre = tableValues(page.body, 'genre');
    assert.equal(genre.get('feminin'), '0');
    assert.equal(genre.get('masculin'), '0');
    assert.equal(genre.get('non_communique'), '0');
    assert.equal(genre.get('total'), '30');
    const statut = tableValues(page.body, 'statut');
    assert.equal(statut.get('retraite'), '0', 'one person, in January');
    assert.equal(statut.get('en_emploi'), '30');
    assert.equal(tableValues(page.body, 'mois').get('2025-04'), '5', '3 in April');
    // Every number on the page is a multiple of 5 (or "< 5", for people only).
    for (const [key, value] of [...summary, ...genre, ...statut, ...tableValues(page.body, 'type')])
      assert.ok(value === '< 5' || Number(value.replace(/\s/g, '')) % 5 === 0, `${key}: ${value}`);
    // The same collectivité's numbers, exact, are what the helper's own page shows.
    const own = await (await client('helperC')).get('/statistiques?du=2025-01-15&au=2025-06-10');
    assert.match(own.body, /Du 15 janvier 2025 au 10 juin 2025/, 'a helper’s own view keeps its days');
    assert.equal(tableValues(own.body, 'genre').get('masculin'), '2', 'the third came on 12 January');
  });

  test('a shared link shows the masked view without signing in, and stops when withdrawn', async () => {
    const c = await client('coordRive');
    const path = `/statistiques/collectivites/${rive}`;
    await c.get(`${path}?du=2025-01-01&au=2025-12-31`);
    const created = await c.post(`${path}/partages`, { du: '2025-01-01', au: '2025-12-31' });
    assert.equal(created.statusCode, 200);
    const url = /value="(https?:\/\/[^"]+\/statistiques\/partage\/([\w-]{43}))"/.exec(created.body);
    assert.ok(url, 'the link is shown');
    const token = url[2]!;
    const stored = await t.db.db
      .selectFrom('partage_statistiques')
      .selectAll()
      .where('scope', '=', 'collectivite')
      .where('scope_id', '=', String(rive))
      .execute();
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0]!.token_hash, token, 'only a hash is stored');

    const visitor = new Client(t.app);
    const shared = await visitor.get(`/statistiques/partage/${token}`);
    assert.equal(shared.statusCode, 200);
    assert.equal(shared.headers['set-cookie'], undefined, 'a public page sets no cookie');
    assert.doesNotMatch(shared.body, /Créer un lien|name="_csrf"/);
    const genre = tableValues(shared.body, 'genre');
    assert.equal(genre.get('feminin'), '0', '2 a month');
    assert.equal(genre.get('total'), '30');
    const xlsx = await visitor.get(`/statistiques/partage/${token}/export.xlsx`);
    assert.equal(xlsx.statusCode, 200);

    // Withdrawn from the owner's page: the link stops working.
    const ownerPage = await c.get(`${path}?du=2025-01-01&au=2025-12-31`);
    assert.match(ownerPage.body, /Liens de partage en service/);
    const revoked = await c.post(`${path}/partages/retirer`, {
      partage: stored[0]!.id,
      du: '2025-01-01',
      au: '2025-12-31',
    });
    assert.equal(revoked.statusCode, 303);
    assert.match(revoked.headers.location as string, /ok=retire/);
    assert.equal((await visitor.get(`/statistiques/partage/${token}`)).statusCode, 404);
    assert.equal((await visitor.get(`/statistiques/partage/${token}/export.xlsx`)).statusCode, 404);
    assert.equal((await visitor.get(`/statistiques/partage/${'x'.repeat(43)}`)).statusCode, 404);

    // A helper shares their own view: masked for the visitor, exact for themselves.
    const helper = await client('helperA');
    await helper.get('/statistiques?du=2025-01-01&au=2025-12-31');
    // Days asked from the helper's own (exact) page: the link covers the whole months.
    const mine = await helper.post('/statistiques/partages', { du: '2025-01-15', au: '2025-12-20' });
    const myToken = /\/statistiques\/partage\/([\w-]{43})"/.exec(mine.body)?.[1];
    assert.ok(myToken);
    assert.match(mine.body, /du 1er janvier 2025 au 31 décembre 2025/);
    const seen = await visitor.get(`/statistiques/partage/${myToken}`);
    assert.equal(seen.statusCode, 200);
    assert.equal(summaryValues(seen.body).get('Personnes accompagnées'), '< 5');
    assert.equal(summaryValues(seen.body).get('Accompagnements'), '5', 'the 5 of the April workshop');
    assert.equal(summaryValues(seen.body).get('Activités'), '0', 'one a month rounds to 0');
    assert.equal(tableValues(seen.body, 'genre').get('masculin'), '0');
    // Another helper cannot withdraw it: it is not theirs to see.
    const other = await client('helperB');
    await other.get('/statistiques');
    const share = await t.db.db
      .selectFrom('partage_statistiques')
      .select('id')
      .where('scope', '=', 'mediateur')
      .where('scope_id', '=', users.helperA)
      .executeTakeFirstOrThrow();
    await other.post('/statistiques/partages/retirer', { partage: share.id });
    assert.equal((await visitor.get(`/statistiques/partage/${myToken}`)).statusCode, 200);
  });

  test('the XLSX opens and holds the numbers of the page', async () => {
    for (const [who, path] of [
      ['coordRive', `/statistiques/collectivites/${rive}`],
      ['helperA', '/statistiques'],
    ] as const) {
      const c = await client(who);
      const page = await c.get(`${path}?du=2025-01-01&au=2025-12-31`);
      const file = await c.get(`${path}/export.xlsx?du=2025-01-01&au=2025-12-31`);
      assert.equal(file.statusCode, 200);
      assert.match(file.headers['content-type'] as string, /spreadsheetml/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
      const text = (v: ExcelJS.CellValue) =>
        typeof v === 'number' ? shownText(v) : typeof v === 'string' ? v : String(v ?? '');

      const summary = workbook.getWorksheet('Synthèse');
      assert.ok(summary);
      const onPage = summaryValues(page.body);
      const inFile = new Map<string, string>();
      summary.eachRow((row) => inFile.set(text(row.getCell(1).value), text(row.getCell(2).value)));
      for (const [label, value] of onPage) assert.equal(inFile.get(label), value, `${who}: ${label}`);

      for (const id of [
        'type',
        'thematique',
        'demarche',
        'canal',
        'duree',
        'materiel',
        'identite',
        'genre',
        'age',
        'statut',
        'commune',
      ]) {
        const sheet = workbook.getWorksheet(SHEET_NAMES[id]!);
        assert.ok(sheet, `sheet for ${id}`);
        const labels = [
          ...page.body.matchAll(new RegExp(`<table id="tableau-${id}"[\\s\\S]*?</table>`, 'g')),
        ][0]![0];
        const pageRows = [
          ...labels.matchAll(/<th scope="row">([\s\S]*?)<\/th><td class="num">([\s\S]*?)<\/td>/g),
        ].map(([, l, v]) => [decode(l!), decode(v!)]);
        const fileRows: string[][] = [];
        sheet.eachRow((row, n) => {
          if (n > 2 && row.getCell(2).value !== null)
            fileRows.push([text(row.getCell(1).value), text(row.getCell(2).value)]);
        });
        assert.deepEqual(fileRows, pageRows, `${who}: sheet ${id}`);
      }
      const months = workbook.getWorksheet(SHEET_NAMES.mois!);
      assert.ok(months);
      const pageMonths = tableValues(page.body, 'mois');
      const fileMonths: string[] = [];
      months.eachRow((row, n) => {
        if (n > 2) fileMonths.push(text(row.getCell(2).value));
      });
      assert.deepEqual(fileMonths, [...pageMonths.values()]);
    }
    assert.equal(cellOf('lt5'), '< 5');
  });

  test('who may open which statistics', async () => {
    const coordFirminy = await client('coordFirminy');
    assert.equal((await coordFirminy.get(`/statistiques/collectivites/${firminy}`)).statusCode, 200);
    assert.equal(
      (await coordFirminy.get(`/statistiques/collectivites/${rive}`)).statusCode,
      403,
      'a coordinator of another collectivité',
    );
    assert.equal((await coordFirminy.get(`/statistiques/collectivites/${rive}/export.xlsx`)).statusCode, 403);
    assert.equal(
      (await coordFirminy.post(`/statistiques/collectivites/${rive}/partages`, YEAR_2025)).statusCode,
      403,
    );
    assert.equal((await coordFirminy.get('/statistiques/collectivites/999999')).statusCode, 404);
    assert.equal((await coordFirminy.get('/statistiques')).statusCode, 403, 'a coordinator is not a helper');
    assert.equal((await coordFirminy.get('/statistiques/opsn')).statusCode, 403);
    const placePage = await coordFirminy.get(`/statistiques/lieux/${place}?du=2025-01-01&au=2025-12-31`);
    assert.equal(placePage.statusCode, 200);
    assert.match(placePage.body, /Pour protéger les personnes accompagnées/);

    const helperC = await client('helperC');
    assert.equal(
      (await helperC.get(`/statistiques/collectivites/${firminy}`)).statusCode,
      403,
      'another collectivité',
    );
    assert.equal(
      (await helperC.get(`/statistiques/collectivites/${rive}`)).statusCode,
      403,
      'helpers see no collectivité',
    );
    assert.equal((await helperC.get(`/statistiques/lieux/${place}`)).statusCode, 403, 'not their place');

    const helperA = await client('helperA');
    const ownPlace = await helperA.get(`/statistiques/lieux/${place}?du=2025-01-01&au=2025-12-31`);
    assert.equal(ownPlace.statusCode, 200, 'a helper of the place');
    assert.equal(summaryValues(ownPlace.body).get('Accompagnements'), '8', 'exact: 1 + 5 + 2 at the place');
    assert.equal((await helperA.get(`/statistiques/collectivites/${firminy}`)).statusCode, 403);

    const coordRive = await client('coordRive');
    assert.equal((await coordRive.get(`/statistiques/lieux/${place}`)).statusCode, 403);

    const admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
    assert.equal((await admin.get(`/statistiques/collectivites/${rive}`)).statusCode, 200);
    const opsn = await admin.get('/statistiques/opsn');
    assert.equal(opsn.statusCode, 200);
    assert.match(opsn.body, new RegExp(`/statistiques/collectivites/${rive}"`));
    assert.equal((await admin.get('/statistiques')).statusCode, 403, 'an administrator is not a helper');

    const anonymousVisitor = new Client(t.app);
    const refused = await anonymousVisitor.get(`/statistiques/collectivites/${rive}`);
    assert.equal(refused.statusCode, 302);
    assert.equal(refused.headers.location, '/connexion');
  });

  test('the pages are valid HTML with one h1, and the charts leave the numbers to the tables', async () => {
    const coord = await client('coordRive');
    const path = `/statistiques/collectivites/${rive}?du=2025-01-01&au=2025-12-31`;
    const page = await coord.get(path);
    const created = await coord.post(`/statistiques/collectivites/${rive}/partages`, YEAR_2025);
    const token = /\/statistiques\/partage\/([\w-]{43})"/.exec(created.body)?.[1];
    const shared = await new Client(t.app).get(`/statistiques/partage/${token}`);
    const gone = await new Client(t.app).get(`/statistiques/partage/${'x'.repeat(43)}`);
    for (const [name, res] of Object.entries({ page, created, shared, gone }))
      await assertValidHtml(res.body, name);
    assert.equal(h1(page.body), 'Statistiques : Rive-de-Gier');
    assert.equal(h1(created.body), 'Lien de partage créé');
    // The link can be copied in one click where scripts run (the field stays for the others).
    assert.match(created.body, /<input[^>]*class="stats-link"[^>]*data-copy-label="Copier le lien"/);
    assert.match(created.body, /<script src="\/assets\/copier-lien\.[0-9a-f]+\.js"/);
    // Each table sits one click away from its chart, not repeated below it.
    const tables = page.body.match(/<table id="tableau-/g) ?? [];
    const closed =
      page.body.match(
        /<details class="disclosure stats-data"><summary>Voir le tableau des nombres<\/summary><section class="table-wrap"/g,
      ) ?? [];
    assert.equal(closed.length, tables.length);
    // Every chart is hidden from assistive technologies; every breakdown has its table.
    const svgs = page.body.match(/<svg[^>]*>/g) ?? [];
    assert.ok(svgs.length >= 12);
    for (const svg of svgs) assert.match(svg, /aria-hidden="true"/);
    for (const id of [
      'type',
      'thematique',
      'demarche',
      'canal',
      'duree',
      'materiel',
      'identite',
      'genre',
      'age',
      'statut',
      'commune',
      'mois',
    ])
      assert.match(page.body, new RegExp(`<table id="tableau-${id}"`));
  });

  test('periods: presets, the default, and clear errors', async () => {
    assert.deepEqual(
      presets('2026-03-15').map((p) => [p.id, p.period.du, p.period.au]),
      [
        ['12-mois', '2025-04-01', '2026-03-15'],
        ['annee', '2026-01-01', '2026-03-15'],
        ['annee-precedente', '2025-01-01', '2025-12-31'],
      ],
    );
    // In December, the last 12 months are this year: one link says both.
    assert.deepEqual(
      presets('2026-12-06').map((p) => [p.label, p.period.du, p.period.au]),
      [
        ['12 derniers mois (cette année)', '2026-01-01', '2026-12-06'],
        ['L’année dernière', '2025-01-01', '2025-12-31'],
      ],
    );
    // Published figures in January: the 12 last complete months are last year.
    assert.deepEqual(
      publishedPresets('2027-01-15').map((p) => [p.label, p.period.du, p.period.au]),
      [['12 derniers mois complets (l’année dernière)', '2026-01-01', '2026-12-31']],
    );
    assert.deepEqual(parsePeriod({}, '2026-01-10'), {
      ok: true,
      period: { du: '2025-02-01', au: '2026-01-10' },
    });
    assert.equal(monthsOf({ du: '2025-02-01', au: '2026-01-10' }).length, 12);
    const bad = parsePeriod({ du: '2025-02-30', au: '2025-01-01' });
    assert.ok(!bad.ok && bad.errors.du && !bad.errors.au);
    const reversed = parsePeriod({ du: '2025-03-01', au: '2025-01-01' });
    assert.ok(!reversed.ok && reversed.errors.au);
    const long = parsePeriod({ du: '2015-01-01', au: '2025-01-01' });
    assert.ok(!long.ok && /5 ans/.test(long.errors.du ?? ''));

    const c = await client('helperA');
    const page = await c.get('/statistiques?du=2025-03-01&au=2025-01-01');
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /Il y a un problème/);
    assert.match(page.body, /doit suivre la date de début/);
    const defaults = await c.get('/statistiques');
    assert.equal(defaults.statusCode, 200);
    assert.match(defaults.body, /aria-current="true"[^>]*>12 derniers mois/);
  });

  test('property: for random participations, every breakdown adds up to the total recorded', async () => {
    const P = users.helperP;
    const scope: Scope = { kind: 'mediateur', id: P, name: 'P' };
    const pool = await Promise.all(Array.from({ length: 4 }, () => person(firminy)));
    const pick = <T extends Record<string, string>>(v: T) =>
      fc.constantFrom(...(Object.keys(v) as (keyof T & string)[]));
    const participant = fc.record({
      who: fc.integer({ min: -1, max: pool.length - 1 }),
      genre: pick(GENRES),
      tranche_age: pick(TRANCHES_AGE),
      statut: pick(STATUTS),
      commune_insee: fc.constantFrom(null, '42095', '42218', '42186', '69123'),
    });
    const activity = fc.record({
      type: fc.constantFrom('individuel' as const, 'collectif' as const),
      date: fc
        .integer({ min: 0, max: 800 })
        .map((d) => new Date(Date.UTC(2024, 6, 1) + d * 864e5).toISOString().slice(0, 10)),
      duree_min: fc.integer({ min: 1, max: 720 }),
      canal: pick(CANAUX),
      materiels: fc.uniqueArray(pick(MATERIELS), { maxLength: 3 }),
      thematiques: fc.uniqueArray(pick(THEMATIQUES), { maxLength: 4 }),
      people: fc.array(participant, { maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(activity, { maxLength: 12 }), async (generated) => {
        // A clean slate for this helper, in the database and in the oracle.
        await t.db.db.deleteFrom('activite').where('mediateur_id', '=', P).execute();
        for (let i = recorded.length - 1; i >= 0; i--)
          if (recorded[i]!.mediateur_id === P) recorded.splice(i, 1);
        await record(
          generated.map((a) => ({
            ...a,
            collectivite_id: firminy,
            mediateur_id: P,
            lieu_id: null,
            demarches: a.thematiques.includes('aide_aux_demarches_administratives') ? ['logement'] : [],
            people: a.people.map(({ who, ...p }) => ({ ...p, id: who < 0 ? null : pool[who]!.id })),
          })),
        );
        const raw = await computeStatistics(t.db.db, scope, YEAR_2025);
        const expected = oracle((a) => a.mediateur_id === P, YEAR_2025);
        assert.equal(raw.accompagnements, expected.accompagnements);
        assertBreakdownsAddUp(raw);
        assertMatchesOracle(raw, expected);
        // Published: every cell is the sum of the true monthly cells each rounded to 5.
        const published = presentStatistics(raw, false);
        const round = (n: number) => 5 * Math.round(n / 5);
        const byMonth = monthsOf(YEAR_2025).map((m) =>
          oracle((a) => a.mediateur_id === P, { du: `${m}-01`, au: `${m}-31` }),
        );
        for (const b of [...published.activity, ...published.people]) {
          if (b.id === 'commune') continue; // its rows are ranked by their rounded counts
          for (const r of b.rows) {
            const sum = byMonth.reduce((s, inMonth) => {
              const cells = (b.unit === 'activites' ? inMonth.activity : inMonth.people) as Record<
                string,
                Map<string, number>
              >;
              return s + round(cells[b.id]?.get(r.code) ?? 0);
            }, 0);
            assert.equal(r.value, sum, `${b.id} ${r.code}`);
          }
        }
        assert.ok(
          [published.summary.personnes, published.summary.nouvelles].every(
            (v) => v === 'lt5' || (typeof v === 'number' && v % THRESHOLD === 0),
          ),
        );
      }),
      { numRuns: 25 },
    );
  });
});
