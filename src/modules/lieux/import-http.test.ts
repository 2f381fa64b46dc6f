import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generatePlacesCsv } from '../../../bench/lieux-data.ts';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { givenAdmin, givenPlace } from '../../../test/helpers/builders.ts';
import { collectJobs, jobsAwaitingSignals, takeDueSignals } from '../../platform/jobs/index.ts';
import { modules } from '../index.ts';

/**
 * A large import through the web form must not hold the server: public requests made while it
 * runs are answered while it runs (PGlite has one connection and runs in this thread, so a
 * long synchronous parse or one long transaction would make them all wait for the end).
 */
describe('a large places import and the public directory at the same time', () => {
  let t: TestApp;
  let admin: Client;
  before(async () => {
    t = await createTestApp();
    const account = await givenAdmin(t);
    admin = new Client(t.app);
    await admin.signIn(account.email, account.password, account.totpSecret);
  });
  after(() => t.close());

  test('public searches keep being answered during the import', async () => {
    const { csv, rows } = generatePlacesCsv(3000);
    await admin.get('/admin/lieux/import');
    let importing = true;
    const imported = admin
      .postMultipart(
        '/admin/lieux/import',
        { collectivite: '' },
        { name: 'fichier', bytes: Buffer.from(csv), filename: 'lieux.csv' },
      )
      .finally(() => {
        importing = false;
      });
    // One public search after another, for as long as the import runs.
    const visitor = new Client(t.app);
    let answeredDuringImport = 0;
    while (importing) {
      const res = await visitor.get('/lieux?q=numerique');
      assert.equal(res.statusCode, 200);
      if (importing) answeredDuringImport++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await imported;
    assert.equal(res.statusCode, 303, res.body);
    const count = await t.db.db
      .selectFrom('lieu')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('import_source', '=', 'lieux.csv')
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), rows);
    assert.ok(answeredDuringImport >= 5, `${answeredDuringImport} search(es) answered during the import`);
  });
});

/**
 * The open data follows the directory within minutes: a change to the places (an import, a
 * publication) queues the publication job through the platform's « datasets changed » signal,
 * once for many changes.
 */
describe('a change to the places queues the open data’s publication', () => {
  let t: TestApp;
  let admin: Client;
  const jobs = collectJobs(modules);
  const waiting = () => jobsAwaitingSignals(t.db.db, jobs);
  /** Takes the waiting signals, as the scheduler does when they are due. */
  const clear = () => takeDueSignals(t.db.db, jobs, 0);
  const importCsv = (csv: string, essai: boolean) =>
    admin.postMultipart(
      '/admin/lieux/import',
      { collectivite: '', ...(essai ? { essai: 'oui' } : {}) },
      { name: 'fichier', bytes: Buffer.from(csv), filename: 'lieux-signal.csv' },
    );
  before(async () => {
    t = await createTestApp();
    const account = await givenAdmin(t);
    admin = new Client(t.app);
    await admin.signIn(account.email, account.password, account.totpSecret);
    await admin.get('/admin/lieux/import');
  });
  after(() => t.close());

  test('importing places through the page queues one run of the publication, due within minutes', async () => {
    await clear();
    const before = Date.now();
    const res = await importCsv(generatePlacesCsv(30).csv, false);
    assert.equal(res.statusCode, 303, res.body);
    const queued = await waiting();
    assert.deepEqual(
      queued.map((q) => q.job),
      ['donnees.publication'],
    );
    const delay = queued[0]!.dueAt.getTime() - before;
    assert.ok(delay > 0 && delay <= 5 * 60_000, `due ${Math.round(delay / 1000)} s after the import`);

    // A second import meanwhile joins the same run: one row, the same due time.
    const again = await importCsv(generatePlacesCsv(10, 7).csv, false);
    assert.equal(again.statusCode, 303, again.body);
    assert.deepEqual(await waiting(), queued);
  });

  test('a dry run changes nothing and queues nothing', async () => {
    await clear();
    const res = await importCsv(generatePlacesCsv(5, 11).csv, true);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await waiting(), []);
  });

  test('publishing or unpublishing a place queues the publication', async () => {
    const id = await givenPlace(t, { published: false });
    await clear();
    await admin.get(`/admin/lieux/${id}`);
    const res = await admin.post(`/admin/lieux/${id}/publier`, {});
    assert.equal(res.statusCode, 303, res.body);
    assert.deepEqual(
      (await waiting()).map((q) => q.job),
      ['donnees.publication'],
    );
    await clear();
    await admin.get(`/admin/lieux/${id}`);
    assert.equal((await admin.post(`/admin/lieux/${id}/depublier`, {})).statusCode, 303);
    assert.deepEqual(
      (await waiting()).map((q) => q.job),
      ['donnees.publication'],
    );
  });
});
