import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { file, line } from '../../../test/helpers/ifn-fixtures.ts';
import {
  fullText,
  layoutProblems,
  pdfPages,
  pdfTags,
  type StructElement,
  structElements,
} from '../../../test/helpers/pdf.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { importIfn } from './import.ts';
import { reportPdf } from './report-pdf.ts';
import { findTerritory } from './territory.ts';
import { parseSettings } from './territory-routes.tsx';
import { type Observation, observeTerritory } from './territory-service.ts';

/**
 * The observatory's PDF report read back: no text leaves its page or runs over other text,
 * pages are filled before the next begins, the communes are listed with their figures, and the
 * document is tagged (French, its title, a structure tree in reading order, no untagged text).
 */

const PERIOD = 'du=2026-01-01&au=2026-06-30';
const LONG_NAME = 'Saint-Rémy-de-Bouzemont-Saint-Genest-et-Isson-sur-les-Côtes-de-Meuse';

/** The lowest text of each page but the last is near its bottom: no page is left half empty. */
function halfEmptyPages(pdf: Buffer): number[] {
  const pages = pdfPages(pdf);
  return pages
    .slice(0, -1)
    .filter((p) => Math.min(...p.runs.map((r) => r.box.y0)) > 160)
    .map((p) => p.number);
}

const find = (tree: StructElement[], type: string): StructElement[] =>
  tree.flatMap((e) => [...(e.type === type ? [e] : []), ...find(e.children, type)]);

function assertTagged(pdf: Buffer, title: RegExp, headings: string[]): StructElement[] {
  const tags = pdfTags(pdf);
  assert.equal(tags.marked, true, 'MarkInfo /Marked true');
  assert.equal(tags.lang, 'fr-FR');
  assert.match(tags.title ?? '', title);
  assert.equal(tags.displayTitle, true);
  assert.ok(tags.tree, 'a StructTreeRoot');
  assert.deepEqual(
    tags.untagged.map((r) => r.text),
    [],
    'every text is in a structure element or an artifact',
  );
  const elements = structElements(tags.tree);
  // Reading order: the title, then the sections' headings in the order of the report.
  assert.deepEqual(
    elements.filter((e) => e.type === 'H1' || e.type === 'H2').map((e) => e.text),
    headings,
  );
  for (const type of ['Document', 'Sect', 'P', 'Table', 'TR', 'TH', 'TD'])
    assert.ok(
      elements.some((e) => e.type === type),
      `a ${type} element`,
    );
  return tags.tree;
}

describe('observatory PDF report', () => {
  let t: TestApp;

  before(async () => {
    t = await createTestApp({ demo: true });
    const codes = ['69259', '69256', '69029', '69034', '69286', '42207', '42187'];
    const result = await importIfn(
      t.db.db,
      systemActor('test'),
      file(line('69266', 7.2), ...codes.map((code) => line(code, 7.5, { name: code }))),
      { fileName: 'ifn-2023.csv', year: 2023 },
    );
    assert.ok(result.ok && result.report.written);
  });
  after(() => t.close());

  test('the OPSN’s report keeps its text inside the page, fills its pages, lists the communes and is tagged', async () => {
    const res = await new Client(t.app).get(`/observatoire/opsn/rapport.pdf?${PERIOD}`);
    assert.equal(res.statusCode, 200);
    const pdf = res.rawPayload;
    assert.deepEqual(layoutProblems(pdf), []);
    assert.deepEqual(halfEmptyPages(pdf), []);
    const tree = assertTagged(pdf, /^Rapport de l’observatoire : /, [
      'Rapport de l’observatoire : Syndicat mixte Numérique Rhône-Loire',
      'Indice de fragilité numérique',
      'Où trouver de l’aide',
      'Zones blanches',
      'Activité des médiateurs : Syndicat mixte Numérique Rhône-Loire',
      'Les communes du territoire',
      'Sources',
    ]);
    // The long component label is whole, next to its value, in one row.
    const rows = find(tree, 'TR').map(fullText);
    assert.ok(
      rows.some((r) => /^Part des non-scolarisés de 15 ans et plus peu ou pas diplômés \d+,\d$/.test(r)),
      rows.join('\n'),
    );
    // The table of communes, with Villeurbanne's figures as on the web page.
    const communes = find(tree, 'Sect').find((s) => s.children[0]?.text === 'Les communes du territoire');
    assert.ok(communes);
    const table = find([communes], 'TR').map(fullText);
    assert.equal(table[0], 'Commune Population Indice (1 à 10) Lieux publiés Lieux pour 10 000 habitants');
    assert.ok(
      table.some((r) => /^Villeurbanne \(69266\) [\d ]+ 7,2 \d+ \d+,\d$/.test(r)),
      table.join('\n'),
    );
  });

  test('a commune’s report lists where each service is', async () => {
    const res = await new Client(t.app).get(`/observatoire/villeurbanne/rapport.pdf?${PERIOD}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(layoutProblems(res.rawPayload), []);
    const tree = assertTagged(res.rawPayload, /Villeurbanne/, [
      'Rapport de l’observatoire : Ville de Villeurbanne',
      'Indice de fragilité numérique',
      'Où trouver de l’aide',
      'Zones blanches',
      'Activité des médiateurs : Villeurbanne',
      'Sources',
    ]);
    assert.ok(find(tree, 'TR').map(fullText).includes('Service Où le trouver'));
  });

  test('long names, many communes and large figures still fit, across pages', async () => {
    const territory = await findTerritory(t.db.db, 'opsn');
    assert.ok(territory);
    const settings = parseSettings(Object.fromEntries(new URLSearchParams(PERIOD)));
    assert.ok(settings.ok);
    const real = await observeTerritory(t.db.db, territory, settings.settings);
    const commune = real.coverage.communes[0];
    assert.ok(commune);
    const communes = Array.from({ length: 90 }, (_, i) => ({
      ...commune,
      code: String(10000 + i),
      name: i % 3 === 0 ? `${LONG_NAME} ${i}` : `Commune ${i}`,
      population: 1_234_567 + i,
      places: 1234,
      placesPer10k: 9999.9,
    }));
    const stressed: Observation = {
      ...real,
      territory: { ...real.territory, name: `Communauté d’agglomération ${LONG_NAME} et environs` },
      activityOf: `Communauté d’agglomération ${LONG_NAME}`,
      coverage: { ...real.coverage, communes },
      whiteZones: communes.slice(0, 30).map((c) => ({
        code: c.code,
        name: c.name,
        population: c.population,
        index: 9.99,
        position: 'centre' as const,
        nearestKm: 123.4,
      })),
      activity: {
        ...real.activity,
        summary: { ...real.activity.summary, activites: 1_234_565, accompagnements: 9_876_545 },
        activity: real.activity.activity.map((b) => ({
          ...b,
          title: `${b.title} : ${LONG_NAME}`,
          rows: b.rows.map((row, i) => ({
            ...row,
            label: `${row.label} ${LONG_NAME}`,
            value: 1_234_565 + i,
          })),
        })),
      },
    };
    const pdf = await reportPdf(t.db.db, stressed, {
      opsnName: `Syndicat mixte ${LONG_NAME}`,
      opsnLogoId: null,
      publicUrl: `https://observatoire.${'tres-long-nom-de-domaine-'.repeat(6)}example.fr`,
    });
    assert.deepEqual(layoutProblems(pdf), []);
    assert.deepEqual(halfEmptyPages(pdf), []);
    assert.ok(pdfPages(pdf).length >= 4, 'the communes run onto further pages');
    const tags = pdfTags(pdf);
    assert.deepEqual(
      tags.untagged.map((r) => r.text),
      [],
    );
    // Every commune is a row of the table (the repeated headers are artifacts, not rows).
    const rows = find(tags.tree ?? [], 'TR').map(fullText);
    for (const c of communes)
      assert.ok(
        rows.some((r) => r.startsWith(`${c.name} (${c.code}) 1 234`)),
        c.name,
      );
    assert.equal(rows.filter((r) => r.startsWith('Commune Population Indice (1 à 10)')).length, 1);
  });
});
