import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { importIfn } from './import.ts';
import { SCORES } from './query.ts';

/**
 * With MedNum's real index imported, a demo commune's observatory page shows the very numbers
 * of the source file (to two decimals, as the page shows them).
 */

const FILE = path.resolve('..', 'shared', 'data', 'ifn-communes.csv');
const MISSING = existsSync(FILE)
  ? false
  : `données réelles absentes (${FILE}) : page de l’observatoire avec l’indice réel non testée`;

describe('observatory page with the real index', { skip: MISSING }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ demo: true });
    const result = await importIfn(t.db.db, systemActor('test'), readFileSync(FILE), {
      fileName: 'ifn-communes.csv',
      year: 2023,
    });
    assert.ok(result.ok && result.report.written);
  });
  after(() => t?.close());

  test('Villeurbanne shows its index and components as in the source file', async () => {
    const rows = parse(readFileSync(FILE, 'utf8'), { columns: true }) as Record<string, string>[];
    const source = rows.find((r) => r.code === '69266');
    assert.ok(source, 'Villeurbanne is in the file');
    const res = await new Client(t.app).get('/observatoire/villeurbanne');
    assert.equal(res.statusCode, 200);
    const section = /id="obs-indice"[\s\S]*?<\/section>\s*<\/section>/.exec(res.body)?.[0] ?? '';
    for (const column of SCORES) {
      const shown = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(
        Number(source[column]),
      );
      assert.ok(section.includes(`<td>${shown}</td>`), `${column}: ${shown} (${source[column]})`);
    }
    assert.match(section, /millésime 2023/);
    assert.match(section, /Parmi les communes de France/);
  });
});
