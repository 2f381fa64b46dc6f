import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { pdfText } from '../../../test/helpers/pdf.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { createUser } from '../../platform/auth/users.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { THEMATIQUES } from '../activites/index.ts';
import { GENRES, STATUTS, TRANCHES_AGE } from '../beneficiaires/index.ts';
import { DEMO_PASSWORD } from '../comptes/index.ts';
import { regenerateDatasets } from '../donnees/index.ts';
import { addCollectivite } from '../territoires/index.ts';
import { activityDataset } from './dataset.ts';
import type { Period } from './period.ts';
import { lastCompleteDay } from './published-period.ts';

/**
 * The differencing attack of issue 16, through HTTP: a reader asks for two periods (a day
 * apart, nested, or anything else) and subtracts every number the two answers both publish.
 * Outside a helper's own view, no such difference may be 1 to 4 (one day's people, often one
 * person): on the public observatory (anonymous) and on a collectivité's statistics (its
 * coordinator). The data are small on purpose: one or two people a day over the last months.
 */

const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const DAY = 86_400_000;

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);
const timeOf = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** A small deterministic generator, so that every run seeds the same people. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const decode = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .trim();

/** Every number a statistics page publishes, by where it stands (summary, table and row). */
export function publishedNumbers(html: string): Map<string, number | string> {
  const cells = new Map<string, number | string>();
  const summary = /<dl class="stats-summary" id="synthese">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? '';
  for (const [, label, value] of summary.matchAll(/<dt>([\s\S]*?)<\/dt><dd>([\s\S]*?)<\/dd>/g))
    cells.set(`synthese/${decode(label!)}`, decode(value!));
  for (const [, id, table] of html.matchAll(/<table id="tableau-([\w-]+)"[\s\S]*?>([\s\S]*?)<\/table>/g))
    for (const [, code, row] of table!.matchAll(/<tr data-code="([^"]*)">([\s\S]*?)<\/tr>/g)) {
      const numbers = [...row!.matchAll(/<td class="num">([\s\S]*?)<\/td>/g)].map((m) => decode(m[1]!));
      // Each count column of the row (the share, a percentage, follows the counts and is left out).
      numbers.forEach((text, i) => {
        if (!text.endsWith('%')) cells.set(`${id}/${code}/${i}`, text);
      });
    }
  for (const [key, text] of cells) {
    const n = Number(String(text).replace(/\s/g, ''));
    if (String(text) !== '' && Number.isInteger(n)) cells.set(key, n);
  }
  return cells;
}

/** The cells both pages publish as numbers whose difference is 1 to 4. */
function smallDifferences(a: Map<string, number | string>, b: Map<string, number | string>): string[] {
  const found: string[] = [];
  for (const [key, x] of a) {
    const y = b.get(key);
    if (typeof x !== 'number' || typeof y !== 'number') continue;
    const d = Math.abs(x - y);
    if (d >= 1 && d <= 4) found.push(`${key}: ${x} vs ${y}`);
  }
  return found;
}

describe('statistics cannot be differenced', () => {
  let t: TestApp;
  let collectiviteId = 0;
  let slug = '';
  let coordinator: Client;
  const today = parisToday();
  // From the first day of the month four months ago to today.
  const first = timeOf(`${dayOf(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 5, 1))}`);
  const last = timeOf(today);
  const span = Math.round((last - first) / DAY);

  before(async () => {
    t = await createTestApp({ demo: true });
    const added = await addCollectivite(t.db.db, systemActor('test'), '42095');
    assert.ok(added.ok);
    collectiviteId = added.collectivite.id;
    slug = added.collectivite.slug;
    const [helper] = await Promise.all([
      createUser(t.db.db, {
        email: 'aide@differences.example',
        name: 'Aide',
        password: DEMO_PASSWORD,
        totpSecret: TOTP,
        memberships: [{ role: 'mediateur', collectiviteId }],
      }),
      createUser(t.db.db, {
        email: 'coordination@differences.example',
        name: 'Coordination',
        password: DEMO_PASSWORD,
        totpSecret: TOTP,
        memberships: [{ role: 'coordinateur', collectiviteId }],
      }),
    ]);
    coordinator = new Client(t.app);
    assert.equal(
      (await coordinator.signIn('coordination@differences.example', DEMO_PASSWORD, TOTP)).statusCode,
      303,
    );

    // One or two people most days, each with their own attributes: small groups everywhere.
    const random = seeded(16);
    const pick = (vocabulary: Readonly<Record<string, string>>) => {
      const codes = Object.keys(vocabulary);
      return codes[Math.floor(random() * codes.length)]!;
    };
    const activities: { date: string; people: number }[] = [];
    for (let d = 0; d <= span; d++) {
      const n = Math.floor(random() * 3);
      for (let i = 0; i < n; i++) activities.push({ date: dayOf(first + d * DAY), people: 1 });
    }
    const rows = await t.db.db
      .insertInto('activite')
      .values(
        activities.map((a) => ({
          collectivite_id: collectiviteId,
          mediateur_id: helper,
          lieu_id: null,
          commune_insee: null,
          type: random() < 0.8 ? ('individuel' as const) : ('collectif' as const),
          date: a.date,
          duree_min: 15 + Math.floor(random() * 8) * 15,
          canal: 'lieu_activite' as const,
          materiels: ['ordinateur'],
          thematiques: [pick(THEMATIQUES)],
          demarches: [],
        })),
      )
      .returning(['id', 'date'])
      .execute();
    await t.db.db
      .insertInto('participation')
      .values(
        rows.map((row) => ({
          activite_id: row.id,
          beneficiaire_id: null,
          collectivite_id: collectiviteId,
          date: row.date,
          genre: pick(GENRES),
          tranche_age: pick(TRANCHES_AGE),
          statut: pick(STATUTS),
          commune_insee: random() < 0.5 ? '42095' : random() < 0.5 ? '42218' : '42186',
        })),
      )
      .execute();
  });
  after(() => t.close());

  /** Two periods a reader would compare: a day apart, one inside the other, or any two. */
  const day = fc.integer({ min: 0, max: span });
  const period = (a: number, b: number): Period => ({
    du: dayOf(first + Math.min(a, b) * DAY),
    au: dayOf(first + Math.max(a, b) * DAY),
  });
  const pairs = fc.oneof(
    // The same start, the end a day later (or the start a day later).
    fc.tuple(day, day, fc.boolean()).map(([a, b, end]): [Period, Period] => {
      const p = period(a, b);
      const next = (d: string) => dayOf(Math.min(timeOf(d) + DAY, last));
      return [p, end ? { du: p.du, au: next(p.au) } : { du: [next(p.du), p.au].sort()[0]!, au: p.au }];
    }),
    // One period inside the other.
    fc.tuple(day, day, day, day).map(([a, b, c, d]): [Period, Period] => {
      const [w, x, y, z] = [a, b, c, d].sort((m, n) => m - n) as [number, number, number, number];
      return [period(w, z), period(x, y)];
    }),
    // Any two.
    fc.tuple(day, day, day, day).map(([a, b, c, d]): [Period, Period] => [period(a, b), period(c, d)]),
  );

  const attack = async (get: (p: Period) => Promise<string>) => {
    await fc.assert(
      fc.asyncProperty(pairs, async ([p, q]) => {
        const [a, b] = [publishedNumbers(await get(p)), publishedNumbers(await get(q))];
        assert.ok(a.size > 20 && b.size > 20, 'the pages publish numbers');
        // Stronger: every published count is a multiple of 5 (made of rounded monthly cells).
        for (const [key, n] of [...a, ...b]) assert.ok(typeof n !== 'number' || n % 5 === 0, `${key} = ${n}`);
        const found = smallDifferences(a, b);
        assert.deepEqual(found, [], `${JSON.stringify(p)} vs ${JSON.stringify(q)}`);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 30) },
    );
  };

  test('the public observatory: no two periods differ by 1 to 4 in any published number', async () => {
    const visitor = new Client(t.app);
    await attack(async (p) => {
      const res = await visitor.get(`/observatoire/${slug}?du=${p.du}&au=${p.au}`);
      assert.equal(res.statusCode, 200);
      return res.body;
    });
  });

  test('a coordinator’s statistics: no two periods differ by 1 to 4 in any published number', async () => {
    await attack(async (p) => {
      const res = await coordinator.get(
        `/statistiques/collectivites/${collectiviteId}?du=${p.du}&au=${p.au}`,
      );
      assert.equal(res.statusCode, 200);
      return res.body;
    });
  });

  test('the XLSX, the PDF report and the open data publish the same rounded whole months', async () => {
    // A period with days inside two months: every output covers those whole months.
    const end = lastCompleteDay(today);
    const month = end.slice(0, 7);
    const asked = `du=${month}-10&au=${month}-20`;
    const whole = { du: `${month}-01`, au: end };
    const page = publishedNumbers(
      (await coordinator.get(`/statistiques/collectivites/${collectiviteId}?${asked}`)).body,
    );
    const wholePage = publishedNumbers(
      (await coordinator.get(`/statistiques/collectivites/${collectiviteId}?du=${whole.du}&au=${whole.au}`))
        .body,
    );
    assert.deepEqual(page, wholePage, 'days inside a month give that month');

    // XLSX: the whole month, the page's numbers, every one a multiple of 5 (or "< 5").
    const file = await coordinator.get(`/statistiques/collectivites/${collectiviteId}/export.xlsx?${asked}`);
    assert.equal(file.statusCode, 200);
    assert.match(String(file.headers['content-disposition']), new RegExp(`${whole.du}-${whole.au}\\.xlsx`));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const summary = new Map<string, ExcelJS.CellValue>();
    workbook
      .getWorksheet('Synthèse')!
      .eachRow((row) => summary.set(String(row.getCell(1).value), row.getCell(2).value));
    assert.equal(summary.get('Du'), whole.du);
    assert.equal(summary.get('Accompagnements'), page.get('synthese/Accompagnements'));
    assert.equal(summary.get('Activités'), page.get('synthese/Activités'));
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell, column) => {
          if (column === 2 && typeof cell.value === 'number')
            assert.equal(cell.value % 5, 0, `${sheet.name}: ${row.getCell(1).value} = ${cell.value}`);
        }),
      ),
    );

    // The PDF report of the observatory: the same whole month and numbers as its page.
    const visitor = new Client(t.app);
    const observatory = publishedNumbers((await visitor.get(`/observatoire/${slug}?${asked}`)).body);
    const pdf = await visitor.get(`/observatoire/${slug}/rapport.pdf?${asked}`);
    assert.equal(pdf.statusCode, 200);
    assert.match(String(pdf.headers['content-disposition']), new RegExp(`${whole.du}-${whole.au}\\.pdf`));
    const text = pdfText(pdf.rawPayload).replace(/\n/g, ' ');
    const [, activites, accompagnements] = /(\d+) activité\(s\), (\S+) accompagnement\(s\)/.exec(text) ?? [];
    assert.equal(Number(activites), observatory.get('synthese/Activités'));
    assert.equal(Number(accompagnements), observatory.get('synthese/Accompagnements'));
    assert.equal(Number(activites) % 5, 0);

    // Open data: each commune's row for that month is the observatory's commune cell.
    await regenerateDatasets(t.db.db, systemActor('test'), [activityDataset]);
    const rows = (await visitor.get('/donnees/activite-mediation-numerique.json')).json() as Record<
      string,
      string | number
    >[];
    const ours = rows.filter((r) => r.collectivite_code === '42095' && r.mois === month);
    assert.ok(ours.length > 0, 'the month is published');
    for (const r of ours) {
      assert.equal(
        r.accompagnements,
        observatory.get(`commune/${r.commune_residence_insee}/0`),
        `commune ${r.commune_residence_insee}`,
      );
      for (const [name, value] of Object.entries(r))
        if (typeof value === 'number') assert.equal(value % 5, 0, `${name} = ${value}`);
    }
  });
});
