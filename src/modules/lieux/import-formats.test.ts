import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { type Account, givenCoordinator } from '../../../test/helpers/builders.ts';
import { runRelais } from '../../../test/helpers/cli.ts';
import { createTestDataDir, withTestDataDir } from '../../../test/helpers/database.ts';

/** A valid row of the standard in Villeurbanne with only its required fields, then `fields`. */
function row(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    pivot: '00000000000000',
    nom: `Espace numérique ${id}`,
    commune: 'Villeurbanne',
    code_postal: '69100',
    adresse: '1 place Lazare-Goujon',
    date_maj: '2024-04-02',
    ...fields,
  };
}

/** Rows as a CSV file: header from every key met, in order of appearance. */
function csvOf(rows: Record<string, unknown>[], delimiter = ','): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return stringify(rows, { header: true, columns, delimiter, cast: { number: (n) => String(n) } });
}

/** The part of a report page under a heading `<h2>title</h2>`, up to the next heading. */
function section(html: string, title: string): string {
  const start = html.indexOf(`<h2>${title}</h2>`);
  if (start < 0) return '';
  const end = html.indexOf('<h2', start + 4);
  return html.slice(start, end < 0 ? undefined : end);
}

const UNREADABLE_HOURS = 'Mo-Fr 09:00-19:00; Sa 17:00';

describe('place imports people can do, through the web form', () => {
  let t: TestApp;
  let coordinator: Account & { collectiviteId: number };
  let client: Client;
  before(async () => {
    t = await createTestApp();
    coordinator = await givenCoordinator(t); // Villeurbanne
    client = new Client(t.app);
    await client.signIn(coordinator.email, coordinator.password, coordinator.totpSecret);
  });
  after(() => t.close());

  const send = async (content: string | Buffer, filename: string, fields: Record<string, string> = {}) => {
    await client.get('/admin/lieux/import');
    return client.postMultipart(
      '/admin/lieux/import',
      { collectivite: String(coordinator.collectiviteId), ...fields },
      { name: 'fichier', bytes: Buffer.from(content), filename },
    );
  };
  const stored = (lmnId: string) =>
    t.db.db.selectFrom('lieu').selectAll().where('lmn_id', '=', lmnId).executeTakeFirst();

  test('an unreadable optional field is left out with a warning, shown apart from rejections', async () => {
    const csv = csvOf([
      row('hours-bad', { horaires: UNREADABLE_HOURS, services: 'Aide aux démarches administratives|Nope' }),
      row('postcode-bad', { code_postal: '691' }),
    ]);
    const dry = await send(csv, 'horaires.csv', { essai: 'oui' });
    assert.equal(dry.statusCode, 200, dry.body);
    const rejected = section(dry.body, 'Lignes rejetées');
    const warned = section(dry.body, 'Avertissements');
    assert.match(rejected, /postcode-bad/);
    assert.match(rejected, /code_postal/);
    assert.doesNotMatch(rejected, /hours-bad/, 'a row with a dropped value is not a rejection');
    assert.match(warned, /hours-bad/);
    assert.match(warned, /horaires/);
    assert.match(warned, /valeur ignorée/);
    assert.match(warned, /Nope/);
    assert.doesNotMatch(warned, /postcode-bad/);
    assert.equal(await stored('hours-bad'), undefined, 'a dry run writes nothing');

    const done = await send(csv, 'horaires.csv');
    assert.equal(done.statusCode, 303, done.body);
    const place = await stored('hours-bad');
    assert.ok(place, 'the row is imported');
    assert.equal(place.horaires, null);
    assert.deepEqual(place.services, ['Aide aux démarches administratives']);
    assert.equal(await stored('postcode-bad'), undefined);
    const report = await client.get(String(done.headers.location));
    assert.match(section(report.body, 'Avertissements'), /hours-bad/);
  });

  test('an arrondissement’s INSEE code is taken as its commune’s', async () => {
    const csv = csvOf([
      row('arr-lyon', { commune: 'Lyon', code_postal: '69003', code_insee: '69383' }),
      row('arr-paris', { commune: 'Paris', code_postal: '75012', code_insee: '75112' }),
      row('arr-marseille', { commune: 'Marseille', code_postal: '13001', code_insee: '13201' }),
    ]);
    const res = await send(csv, 'arrondissements.csv');
    assert.equal(res.statusCode, 303, res.body);
    assert.equal((await stored('arr-lyon'))?.code_insee, '69123');
    assert.equal((await stored('arr-paris'))?.code_insee, '75056');
    assert.equal((await stored('arr-marseille'))?.code_insee, '13055');
    const report = await client.get(String(res.headers.location));
    assert.match(
      section(report.body, 'Avertissements'),
      /arrondissement municipal \(Lyon 3e Arrondissement\)/,
    );
    assert.equal(section(report.body, 'Lignes rejetées'), '');
  });

  test('places outside the collectivité’s territory are flagged on the dry run, naming the commune', async () => {
    const csv = csvOf([
      row('inside'),
      row('outside-bron-1', { commune: 'Bron', code_postal: '69500' }),
      row('outside-bron-2', { commune: 'Bron', code_postal: '69500' }),
      row('outside-lyon', { commune: 'Lyon', code_postal: '69007', code_insee: '69387' }),
    ]);
    const dry = await send(csv, 'hors-territoire.csv', { essai: 'oui' });
    assert.equal(dry.statusCode, 200, dry.body);
    const notice = section(dry.body, 'Lieux hors du territoire');
    assert.match(notice, /3 lieu\(x\) seraient rattachés à Villeurbanne/);
    assert.match(notice, /Bron \(69029\) : 2 lieu\(x\)/);
    assert.match(notice, /Lyon \(69123\) : 1 lieu\(x\)/);
    const warned = section(dry.body, 'Avertissements');
    assert.match(warned, /outside-bron-1/);
    assert.match(warned, /commune Bron \(69029\) hors du territoire de Villeurbanne/);
    assert.equal(
      warned.match(/hors du territoire de Villeurbanne/g)?.length,
      3,
      'one warning per place outside',
    );
  });

  test('a strict import still rejects a row whose optional value is unreadable', async () => {
    const csv = csvOf([row('strict-hours', { horaires: UNREADABLE_HOURS })]);
    const res = await send(csv, 'strict.csv', { strict: 'oui' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(section(res.body, 'Lignes rejetées'), /strict-hours/);
    assert.match(res.body, /Import strict refusé/);
    assert.equal(await stored('strict-hours'), undefined);
  });
});

describe('place imports people can do, from the command line', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let dir: string;
  before(async () => {
    ({ env, cleanup } = await createTestDataDir());
    dir = mkdtempSync(path.join(tmpdir(), 'relais-import-formats-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cleanup();
  });

  const file = (name: string, content: string | Buffer) => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  };
  const relais = (...args: string[]) => runRelais(args, env);
  const storedHours = (lmnId: string) =>
    withTestDataDir(env, (db) =>
      db.selectFrom('lieu').select(['horaires']).where('lmn_id', '=', lmnId).executeTakeFirst(),
    );

  test('an unreadable optional field is a warning, the row is imported without it', async () => {
    const csv = file('horaires.csv', csvOf([row('cli-hours', { horaires: UNREADABLE_HOURS })]));
    const res = await relais('import', 'lieux', csv);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /créées : 1/);
    assert.match(res.stdout, /rejetées : 0\n {2}avec avertissement : 1/);
    assert.match(
      res.stdout,
      /Avertissements \(valeurs corrigées ou ignorées\) :\n {2}ligne 2 \(cli-hours\) horaires/,
    );
    assert.deepEqual(await storedHours('cli-hours'), { horaires: null });
  });

  test('a place outside the collectivité given is flagged by the dry run; an arrondissement is its commune', async () => {
    const added = await relais('collectivite', 'add', '69266');
    assert.equal(added.code, 0, added.stdout + added.stderr);
    const csv = file(
      'hors.csv',
      csvOf([row('cli-in'), row('cli-lyon', { commune: 'Lyon', code_postal: '69003', code_insee: '69383' })]),
    );
    const res = await relais('import', 'lieux', csv, '--collectivite', '69266', '--dry-run');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /hors du territoire de Villeurbanne : Lyon \(69123\), 1 lieu\(x\)/);
    assert.match(res.stdout, /ligne 3 \(cli-lyon\) code_insee « 69383 » : arrondissement municipal/);
  });
});
