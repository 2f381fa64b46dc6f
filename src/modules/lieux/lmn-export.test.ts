import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { givenCollectivite, givenPlace } from '../../../test/helpers/builders.ts';
import {
  loadLmnSchema,
  parseCsvRecords,
  REFERENCE_MISSING,
  validateLmnRecords,
} from '../../../test/helpers/lmn-schema.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { importPlaces, LMN_FIELDS } from './index.ts';

/**
 * Places with several phone numbers (Relais keeps them all, the standard's pattern allows one
 * per cell) in the LMN v1 exports, CSV and JSON, checked against the official schema: from an
 * import of a file written as the standard's own example, and from a place created in Relais.
 */

const names = LMN_FIELDS.map((f) => f.name);

describe('LMN export of places with several phone numbers', { skip: REFERENCE_MISSING }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    const collectivite = await givenCollectivite(t, { code: '51454' });
    const row: Record<string, string> = {
      id: 'structure-plusieurs-numeros',
      pivot: '43493312300029',
      nom: 'La Quincaillerie numérique',
      commune: 'Reims',
      code_postal: '51100',
      code_insee: '51454',
      adresse: '12 bis rue de Leclercq',
      telephone: '+33180059880|03 26 00 00 00|+33612345678',
      services: 'Aide aux démarches administratives',
      date_maj: '2024-04-02',
    };
    const file = [names.join(','), names.map((n) => JSON.stringify(row[n] ?? '')).join(',')].join('\n');
    const imported = await importPlaces(t.db.db, systemActor('test'), file, {
      fileName: 'lieux.csv',
      collectiviteCode: collectivite.code,
    });
    assert.ok(imported.ok && imported.report.created === 1, JSON.stringify(imported));
    await givenPlace(t, {
      nom: 'Médiathèque aux deux lignes',
      collectivite,
      telephone: ['+33326111111', '+33326222222'],
    });
  });
  after(() => t.close());

  async function exported(): Promise<Record<string, string>[][]> {
    const client = new Client(t.app);
    const csv = parseCsvRecords((await client.get('/api/v1/lieux.csv')).body);
    const json = (await client.get('/api/v1/lieux.json')).json() as Record<string, string | number | null>[];
    const asText = (record: Record<string, string | number | null>) =>
      Object.fromEntries(names.map((n) => [n, record[n] === null ? '' : String(record[n])]));
    return [csv, json.map(asText)];
  }

  test('CSV and JSON validate against the official schema, with the first number of each place', async () => {
    const schema = loadLmnSchema()!;
    for (const records of await exported()) {
      assert.equal(records.length, 2);
      assert.deepEqual(validateLmnRecords(records, schema), []);
      const phones = Object.fromEntries(records.map((r) => [r.nom, r.telephone]));
      assert.deepEqual(phones, {
        'La Quincaillerie numérique': '+33180059880',
        'Médiathèque aux deux lignes': '+33326111111',
      });
    }
  });

  test('the place page still shows every number', async () => {
    const list = await new Client(t.app).get('/lieux?q=Quincaillerie');
    const href = /href="(\/lieux\/[0-9a-f-]{36})"/.exec(list.body)?.[1];
    assert.ok(href, 'the place is found');
    const page = (await new Client(t.app).get(href)).body;
    for (const shown of [/01 ?80 ?05 ?98 ?80/, /03 ?26 ?00 ?00 ?00/, /06 ?12 ?34 ?56 ?78/])
      assert.match(page, shown);
  });
});
