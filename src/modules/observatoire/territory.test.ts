import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { htmlProblems } from '../../../test/helpers/html.ts';
import { file, line } from '../../../test/helpers/ifn-fixtures.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { regenerateDatasets } from '../donnees/index.ts';
import { indexCoverageDataset } from './dataset.ts';
import { importIfn } from './import.ts';
import { parseSettings } from './territory-routes.tsx';

/**
 * The public observatory over the demo territory, with a small index imported: the numbers of
 * the index as imported, the white zones following the places, the embeddable page, the map
 * data and the PDF report.
 */

const ADMIN = DEMO_ACCOUNTS[0].email;
const COORDINATOR = DEMO_ACCOUNTS[1].email;
// Index of the demo communes (two vintages for Villeurbanne, to show a change).
const VILLEURBANNE_2023 = 7.2;
const VILLEURBANNE_2022 = 6.4;

const whiteZoneRows = (html: string) =>
  [
    ...(/id="obs-zones"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '').matchAll(/<th scope="row">([^<]+)<\/th>/g),
  ].map((m) => m[1]);

describe('public observatory', () => {
  let t: TestApp;
  const anonymous = () => new Client(t.app);

  before(async () => {
    t = await createTestApp({ demo: true });
    const actor = systemActor('test');
    const codes = ['69259', '69256', '69029', '69034', '69286', '42207', '42187'];
    const lines2023 = [
      line('69266', VILLEURBANNE_2023),
      ...codes.map((code) => line(code, 7.5, { name: code })),
    ];
    for (const [year, lines] of [
      [2022, [line('69266', VILLEURBANNE_2022)]],
      [2023, lines2023],
    ] as const) {
      const result = await importIfn(t.db.db, actor, file(...lines), { fileName: `ifn-${year}.csv`, year });
      assert.ok(result.ok && result.report.written, `import ${year}`);
    }
  });
  after(() => t.close());

  test('the list names every territory of the OPSN with its index', async () => {
    const res = await anonymous().get('/observatoire');
    assert.equal(res.statusCode, 200);
    assert.equal(h1(res.body), 'Observatoire de l’inclusion numérique');
    assert.match(res.body, /href="\/observatoire\/opsn"/);
    assert.match(
      res.body,
      /href="\/observatoire\/villeurbanne"[^>]*>Ville de Villeurbanne<\/a>[\s\S]*?<td>7,2<\/td>/,
    );
    assert.doesNotMatch(res.headers['set-cookie']?.toString() ?? '', /session/);
  });

  test('a commune shows its index as imported, its standing and the change since the previous vintage', async () => {
    const res = await anonymous().get('/observatoire/villeurbanne');
    assert.equal(res.statusCode, 200);
    assert.equal(h1(res.body), 'Observatoire : Ville de Villeurbanne');
    const section = /id="obs-indice"[\s\S]*?<\/section>\s*<\/section>/.exec(res.body)?.[0] ?? '';
    assert.match(section, /millésime 2023/);
    // The components the fixture wrote (total ± 1, ± 0.5, 0) and the total, then the change.
    for (const value of ['8,2', '6,2', '7,7', '6,7', '7,2'])
      assert.ok(section.includes(`<td>${value}</td>`), value);
    assert.match(section, /Évolution depuis 2022/);
    assert.match(section, /\+0,8/);
    assert.match(res.body, /id="obs-couverture"/);
    assert.match(res.body, /Services d’aide pour les habitants de Villeurbanne/);
    assert.match(res.body, /id="obs-activite"/);
    assert.deepEqual(await htmlProblems(res.body), []);
  });

  test('the index chart shows every label whole, wrapped beside its bar', async () => {
    const res = await anonymous().get('/observatoire/villeurbanne');
    const chart = /<svg class="stats-chart obs-scores"[\s\S]*?<\/svg>/.exec(res.body)?.[0] ?? '';
    const labels = [...chart.matchAll(/<text x="0"[^>]*>([\s\S]*?)<\/text>/g)].map((m) =>
      [...(m[1] ?? '').matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1] ?? ''),
    );
    assert.ok(
      labels.some(
        (lines) => lines.join(' ') === 'Part des non-scolarisés de 15 ans et plus peu ou pas diplômés',
      ),
      JSON.stringify(labels),
    );
    // A line of 40 characters at 13 px ends well before the bars (x = 350).
    for (const line of labels.flat()) assert.ok(line.length <= 40, line);
  });

  test('the OPSN shows the population-weighted mean of its communes', async () => {
    const res = await anonymous().get('/observatoire/opsn');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Moyenne des communes du territoire pondérée par leur population/);
    assert.match(res.body, /id="obs-communes"/);
  });

  test('white zones follow the places: unpublishing the last places of a commune makes it one', async () => {
    const settings = '?rayon=1&seuil=7';
    const before = await anonymous().get(`/observatoire/opsn${settings}`);
    assert.equal(before.statusCode, 200);
    const zonesBefore = whiteZoneRows(before.body);
    assert.ok(!zonesBefore.some((z) => z?.startsWith('Villeurbanne')), 'Villeurbanne has places');

    const places = await t.db.db
      .selectFrom('lieu')
      .select('id')
      .where('code_insee', '=', '69266')
      .where('status', '=', 'publie')
      .execute();
    assert.ok(places.length > 0);
    const coordinator = new Client(t.app);
    await coordinator.signIn(COORDINATOR);
    for (const place of places) {
      await coordinator.get(`/admin/lieux/${place.id}`);
      const res = await coordinator.post(`/admin/lieux/${place.id}/depublier`, {});
      assert.equal(res.statusCode, 303);
    }
    const after = await anonymous().get(`/observatoire/opsn${settings}`);
    const zonesAfter = whiteZoneRows(after.body);
    assert.ok(
      zonesAfter.some((z) => z?.startsWith('Villeurbanne (69266)')),
      `Villeurbanne is a white zone: ${zonesAfter.join(', ')}`,
    );
    // The same commune's own page says no service is nearby any more.
    const page = await anonymous().get(`/observatoire/villeurbanne${settings}`);
    assert.doesNotMatch(
      /Services d’aide pour les habitants de Villeurbanne[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '',
      /Dans la commune/,
    );
  });

  test('the embeddable page may be framed by any site and has no site chrome', async () => {
    const res = await anonymous().get('/observatoire/villeurbanne/integrer');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors \*/);
    assert.equal(res.headers['x-frame-options'], undefined);
    assert.doesNotMatch(res.body, /<nav/);
    const normal = await anonymous().get('/observatoire/villeurbanne');
    assert.match(String(normal.headers['content-security-policy']), /frame-ancestors 'self'/);
  });

  test('the map data colours each place by the index of its commune', async () => {
    const res = await anonymous().get('/observatoire/opsn/lieux.json');
    assert.equal(res.statusCode, 200);
    const data = res.json() as { items: { indice: number | null; couleur: string; url: string }[] };
    assert.ok(data.items.length > 0);
    for (const item of data.items) {
      assert.match(item.url, /^\/lieux\//);
      if (item.indice !== null && item.indice >= 7) assert.equal(item.couleur, '#d73027');
    }
  });

  test('the PDF report is A4', async () => {
    const res = await anonymous().get('/observatoire/opsn/rapport.pdf?du=2026-01-01&au=2026-06-30');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.match(
      String(res.headers['content-disposition']),
      /rapport-observatoire-opsn-2026-01-01-2026-06-30\.pdf/,
    );
    const pdf = res.rawPayload.toString('latin1');
    assert.ok(pdf.startsWith('%PDF-'));
    assert.ok((pdf.match(/\/Type \/Page\b/g)?.length ?? 0) >= 2);
    assert.match(pdf, /\/MediaBox \[0 0 595\.28 841\.89\]/);
  });

  test('bad settings are refused in French and nothing is computed', async () => {
    const res = await anonymous().get('/observatoire/villeurbanne?rayon=abc&seuil=12');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Distance de proximité : un nombre entier de kilomètres, de 1 à 50/);
    assert.match(res.body, /Seuil d’indice : un nombre de 1 à 10/);
    assert.doesNotMatch(res.body, /id="obs-indice"/);
    const pdf = await anonymous().get('/observatoire/villeurbanne/rapport.pdf?du=2026-13-01');
    assert.equal(pdf.statusCode, 400);
    assert.match(pdf.body, /Réglages refusés/);
    assert.equal((await anonymous().get('/observatoire/inconnu')).statusCode, 404);
  });

  test('the open dataset joins each commune’s index with its coverage', async () => {
    await regenerateDatasets(t.db.db, systemActor('test'), [indexCoverageDataset]);
    const res = await anonymous().get('/donnees/indice-fragilite-couverture.json');
    assert.equal(res.statusCode, 200);
    const rows = res.json() as Record<string, string | number | null>[];
    assert.equal(rows.length, 8);
    const villeurbanne = rows.find((r) => r.code_insee === '69266');
    assert.equal(villeurbanne?.ifn_total, VILLEURBANNE_2023);
    assert.equal(villeurbanne?.millesime_ifn, 2023);
    assert.equal(typeof villeurbanne?.lieux_publies, 'number');
    assert.match(
      String(villeurbanne?.service_aide_aux_demarches_administratives),
      /^(commune|proche|aucun|inconnu)$/,
    );
  });

  test('settings: defaults, decimal comma, bounds', () => {
    const ok = parseSettings({ seuil: '6,5' });
    assert.ok(ok.ok && ok.settings.threshold === 6.5 && ok.settings.radiusKm === 5);
    assert.equal(parseSettings({ rayon: '0' }).ok, false);
    assert.equal(parseSettings({ rayon: '51' }).ok, false);
    assert.equal(parseSettings({ seuil: '0.5' }).ok, false);
  });

  test('an administrator sees the same public page', async () => {
    const admin = new Client(t.app);
    await admin.signIn(ADMIN);
    const res = await admin.get('/observatoire/villeurbanne');
    assert.equal(res.statusCode, 200);
  });
});
