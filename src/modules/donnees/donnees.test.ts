import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import jsonld from 'jsonld';
import { sql } from 'kysely';
import {
  Client,
  createTestApp,
  DEMO_OPSN_NAME,
  h1,
  type TestApp,
  testConfig,
} from '../../../test/helpers/app.ts';
import { type CliDatabase, openCliDatabase } from '../../../test/helpers/cli.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Dataset } from '../../platform/open-data.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { modules } from '../index.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { regenerateDatasets } from './index.ts';

/**
 * Open data through HTTP and the command line: the files after publication, what they hold
 * against the database (every count rounded to 5), validators and 304, the DCAT catalogue
 * expanded to RDF by a JSON-LD processor, who may regenerate, and `donnees publier`.
 */

const ADMIN = DEMO_ACCOUNTS.find((a) => a.email === 'admin@demo.relais.example')!;
const COORDINATOR = DEMO_ACCOUNTS.find((a) => a.email === 'coordination@demo.relais.example')!;
const BASE = testConfig.publicUrl;

const LIEUX = 'lieux-mediation-numerique';
const ACTIVITE = 'activite-mediation-numerique';
const INDICE = 'indice-fragilite-couverture';

/** A dataset its module declares without a generator yet: listed, not yet available. */
const withoutGenerator = ({ generate: _, ...dataset }: Dataset): Dataset => dataset;

/**
 * Every module, with the three datasets these tests count on (other modules' datasets are
 * tested with their module), the observatory's declared without its generator.
 */
const modulesWithPendingDataset = modules.map((m) =>
  m.datasets
    ? {
        ...m,
        datasets: m.datasets
          .filter((d) => [LIEUX, ACTIVITE, INDICE].includes(d.id))
          .map((d) => (d.id === INDICE ? withoutGenerator(d) : d)),
      }
    : m,
);

/** Every dataset the modules declare: what `donnees publier` publishes. */
const DECLARED = modules.flatMap((m) => m.datasets ?? []).map((d) => d.id);

/** A month the demo data never reaches: the rows the tests add are the only ones there. */
const MONTH = '2021-03';

type Participant = { type: 'individuel' | 'collectif'; genre: string; age: string };

/** `n` copies of a participant. */
const times = (n: number, p: Participant): Participant[] => Array.from({ length: n }, () => p);

/** The RDF terms the assertions use. */
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const FOAF = 'http://xmlns.com/foaf/0.1/';

type Quad = { subject: { value: string }; predicate: { value: string }; object: { value: string } };

/** Expands JSON-LD to RDF triples, refusing to fetch anything: the catalogue must stand alone. */
async function triplesOf(doc: unknown): Promise<[string, string, string][]> {
  const quads = (await jsonld.toRDF(
    doc as jsonld.JsonLdDocument,
    {
      documentLoader: async (url: string) => {
        throw new Error(`the catalogue asked to load ${url}`);
      },
      safe: true,
    } as jsonld.Options.ToRdf,
  )) as unknown as Quad[];
  return quads.map((q) => [q.subject.value, q.predicate.value, q.object.value]);
}

describe('open data', () => {
  let t: TestApp;
  let admin: Client;
  let coordinator: Client;
  let villeurbanneId = 0;
  let helperId = '';

  /** Records one activity per participant (anonymous people) in a collectivité's month. */
  async function record(commune: string | null, participants: Participant[], day = `${MONTH}-10`) {
    for (const p of participants) {
      const activite = await t.db.db
        .insertInto('activite')
        .values({
          collectivite_id: villeurbanneId,
          mediateur_id: helperId,
          type: p.type,
          date: day,
          duree_min: 30,
          canal: 'distance',
          thematiques: ['email'],
          materiels: [],
          demarches: [],
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db.db
        .insertInto('participation')
        .values({
          activite_id: activite.id,
          collectivite_id: villeurbanneId,
          date: day,
          genre: p.genre,
          tranche_age: p.age,
          statut: 'non_communique',
          commune_insee: commune,
        })
        .execute();
    }
  }

  const publish = async () => {
    await admin.get('/donnees');
    return admin.post('/admin/donnees/regenerer', {});
  };

  before(async () => {
    // This module's own behaviour with a dataset declared but without a generator yet.
    t = await createTestApp({ demo: true, modules: modulesWithPendingDataset });
    admin = new Client(t.app);
    coordinator = new Client(t.app);
    await admin.signIn(ADMIN.email);
    await coordinator.signIn(COORDINATOR.email);
    villeurbanneId = (await findCollectiviteByCode(t.db.db, '69266'))!.id;
    helperId = (
      await t.db.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', 'mediation@demo.relais.example')
        .executeTakeFirstOrThrow()
    ).id;
    // Villeurbanne residents: 12 accompaniments, 3 of them in workshops.
    await record('69266', [
      ...times(6, { type: 'individuel', genre: 'masculin', age: 'de_25_a_39' }),
      ...times(3, { type: 'individuel', genre: 'feminin', age: 'plus_70' }),
      ...times(3, { type: 'collectif', genre: 'feminin', age: 'plus_70' }),
    ]);
    // Bron residents: 3 accompaniments only.
    await record('69029', times(3, { type: 'individuel', genre: 'masculin', age: 'de_40_a_59' }));
    // Residence unknown: 7 accompaniments, all of the same kind.
    await record(null, times(7, { type: 'individuel', genre: 'non_communique', age: 'non_communique' }));
  });
  after(async () => {
    await t?.close();
  });

  test('before any publication: every dataset is listed, none available, no file', async () => {
    const page = await new Client(t.app).get('/donnees');
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Données ouvertes');
    assert.equal(page.headers['set-cookie'], undefined, 'the public page sets no cookie');
    for (const id of [LIEUX, ACTIVITE, INDICE]) assert.ok(page.body.includes(`href="/donnees/${id}"`), id);
    assert.equal(page.body.match(/Pas encore disponible/g)?.length, 3);
    assert.ok(!page.body.includes('Régénérer maintenant'), 'no admin form for anonymous visitors');
    assert.ok(page.body.includes('<code>/donnees/<var>identifiant</var>.csv</code>'));
    assert.match(
      page.body,
      /<link rel="alternate" type="application\/ld\+json" href="\/donnees\/catalogue\.jsonld"/,
    );
    assert.equal((await new Client(t.app).get(`/donnees/${LIEUX}.csv`)).statusCode, 404);
    assert.equal((await new Client(t.app).get('/donnees/inconnu')).statusCode, 404);
    assert.equal((await new Client(t.app).get('/donnees/inconnu.csv')).statusCode, 404);
  });

  test('a coordinator cannot regenerate, and sees no button', async () => {
    const page = await coordinator.get('/donnees');
    assert.ok(!page.body.includes('Régénérer maintenant'));
    await coordinator.get('/espace');
    const res = await coordinator.post('/admin/donnees/regenerer', {});
    assert.equal(res.statusCode, 403);
    const files = await t.db.db.selectFrom('donnees_fichier').select('dataset').execute();
    assert.deepEqual(files, []);
  });

  test('an administrator regenerates: a report, files for the datasets that have a generator, the journal', async () => {
    const page = await admin.get('/donnees');
    assert.ok(page.body.includes('Régénérer maintenant'));
    const res = await admin.post('/admin/donnees/regenerer', {});
    assert.equal(res.statusCode, 200);
    assert.equal(h1(res.body), 'Régénération des données ouvertes');
    assert.match(res.body, /nouvelle version publiée/);
    assert.match(res.body, new RegExp(`${INDICE}</a></th>\\s*<td>pas encore disponible`));
    const files = await t.db.db
      .selectFrom('donnees_fichier')
      .select(['dataset', 'format', 'rows', 'bytes', 'sha256'])
      .orderBy('dataset')
      .orderBy('format')
      .execute();
    assert.deepEqual(
      files.map((f) => `${f.dataset}.${f.format}`),
      [`${ACTIVITE}.csv`, `${ACTIVITE}.json`, `${LIEUX}.csv`, `${LIEUX}.json`],
    );
    const journal = await t.db.db
      .selectFrom('audit_event')
      .select(['subject_id', 'details', 'actor_label'])
      .where('action', '=', 'donnees.publish')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      journal.map((e) => e.subject_id),
      [LIEUX, ACTIVITE],
    );
    const lieux = files.find((f) => f.dataset === LIEUX && f.format === 'csv')!;
    assert.deepEqual(journal[0]?.details, {
      lignes: lieux.rows,
      octets: {
        csv: lieux.bytes,
        json: files.find((f) => f.dataset === LIEUX && f.format === 'json')!.bytes,
      },
      modifie: true,
    });
    assert.equal(journal[0]?.actor_label, ADMIN.email, 'the administrator, not the scheduler');
    // Recorded as a run of the publication job, started by the administrator (/admin/taches).
    const run = await t.db.db
      .selectFrom('job_run')
      .select(['started_by', 'ok', 'summary'])
      .where('name', '=', 'donnees.publication')
      .executeTakeFirstOrThrow();
    assert.equal(run.started_by, ADMIN.email);
    assert.equal(run.ok, true);
    assert.equal((run.summary as Record<string, number>)['jeux pas encore disponibles'], 1);
    assert.match(res.body, /enregistrée parmi les exécutions/);
  });

  test('places: every published place, the same bytes as the directory’s own LMN export', async () => {
    const visitor = new Client(t.app);
    const csv = await visitor.get(`/donnees/${LIEUX}.csv`);
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(csv.headers['content-disposition'], `attachment; filename="${LIEUX}.csv"`);
    assert.equal(csv.headers['access-control-allow-origin'], '*');
    const published = await t.db.db
      .selectFrom('lieu')
      .select('lmn_id')
      .where('status', '=', 'publie')
      .orderBy('lmn_id')
      .execute();
    assert.ok(published.length > 0, 'the demo publishes places');
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((r) => r.id),
      published.map((p) => p.lmn_id),
    );
    assert.equal(csv.body, (await visitor.get('/api/v1/lieux.csv')).body);
    const json = await visitor.get(`/donnees/${LIEUX}.json`);
    assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(json.body), JSON.parse((await visitor.get('/api/v1/lieux.json')).body));
  });

  test('activity: the database’s monthly cells, each rounded to 5, rows rounding to 0 left out', async () => {
    const visitor = new Client(t.app);
    const csv = await visitor.get(`/donnees/${ACTIVITE}.csv`);
    assert.equal(csv.statusCode, 200);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    const row = (commune: string) =>
      rows.find(
        (r) => r.mois === MONTH && r.collectivite_code === '69266' && r.commune_residence_insee === commune,
      );

    // 12 accompaniments: 9 individual and 3 in workshops, 6 men and 6 women, each rounded alone.
    const villeurbanne = row('69266');
    assert.ok(villeurbanne);
    assert.equal(villeurbanne.commune_residence_nom, 'Villeurbanne');
    assert.equal(villeurbanne.accompagnements, '10');
    assert.equal(villeurbanne.type_individuel, '10');
    assert.equal(villeurbanne.type_collectif, '5');
    assert.equal(villeurbanne.genre_masculin, '5');
    assert.equal(villeurbanne.genre_feminin, '5');
    assert.equal(villeurbanne.genre_non_communique, '0');
    assert.equal(villeurbanne.age_de_25_a_39, '5');
    assert.equal(villeurbanne.age_plus_70, '5');

    // 3 people: 5, as 3 to 7 would be.
    const bron = row('69029');
    assert.ok(bron);
    assert.equal(bron.accompagnements, '5');
    assert.equal(bron.genre_masculin, '5');
    assert.equal(bron.genre_feminin, '0');

    const unknown = row('');
    assert.ok(unknown);
    assert.equal(unknown.accompagnements, '5');
    assert.equal(unknown.type_individuel, '5');
    assert.equal(unknown.genre_non_communique, '5');

    // Each row's total is the database's count rounded to 5; a count rounding to 0 has no row.
    const { rows: counted } = await sql<{ code: string; commune: string; mois: string; n: number }>`
      select c.code, coalesce(p.commune_insee, '') as commune, to_char(p.date, 'YYYY-MM') as mois,
             count(*)::int as n
      from participation p join collectivite c on c.id = p.collectivite_id
      group by 1, 2, 3`.execute(t.db.db);
    const thisMonth = parisToday().slice(0, 7);
    for (const r of rows) {
      const db = counted.find(
        (c) => c.code === r.collectivite_code && c.commune === r.commune_residence_insee && c.mois === r.mois,
      );
      assert.ok(
        db,
        `row ${r.collectivite_code} ${r.commune_residence_insee} ${r.mois} exists in the database`,
      );
      assert.equal(Number(r.accompagnements), 5 * Math.round(Number(db.n) / 5));
      assert.ok(String(r.mois) < thisMonth, 'complete months only');
    }
    for (const c of counted)
      if (c.mois < thisMonth && c.n > 2)
        assert.ok(
          rows.some(
            (r) =>
              r.collectivite_code === c.code && r.commune_residence_insee === c.commune && r.mois === c.mois,
          ),
          `${c.code} ${c.commune} ${c.mois} is published`,
        );

    // Every count is a multiple of 5, in either format.
    for (const r of rows)
      for (const [name, value] of Object.entries(r))
        if (!name.startsWith('collectivite') && !name.startsWith('commune') && name !== 'mois')
          assert.ok(Number(value) % 5 === 0 && value !== '', `${name} = ${value}`);
    const json = JSON.parse((await visitor.get(`/donnees/${ACTIVITE}.json`)).body) as Record<
      string,
      unknown
    >[];
    assert.equal(json.length, rows.length);
    for (const r of json)
      for (const value of Object.values(r))
        if (typeof value === 'number') assert.equal(value % 5, 0, String(value));
  });

  test('validators: ETag is the SHA-256 of the bytes; 304 on If-None-Match and If-Modified-Since', async () => {
    const visitor = new Client(t.app);
    const res = await visitor.get(`/donnees/${LIEUX}.json`, { 'accept-encoding': 'identity' });
    const etag = res.headers.etag as string;
    assert.equal(etag, `"${createHash('sha256').update(res.rawPayload).digest('hex')}"`);
    assert.match(String(res.headers['cache-control']), /^public, max-age=\d+/);
    const lastModified = res.headers['last-modified'] as string;
    assert.ok(Date.parse(lastModified) > 0);

    const cached = await visitor.get(`/donnees/${LIEUX}.json`, { 'if-none-match': etag });
    assert.equal(cached.statusCode, 304);
    assert.equal(cached.body, '');
    assert.equal(cached.headers.etag, etag);
    assert.equal(
      (await visitor.get(`/donnees/${LIEUX}.json`, { 'if-none-match': `W/${etag}` })).statusCode,
      304,
    );
    assert.equal(
      (await visitor.get(`/donnees/${LIEUX}.json`, { 'if-none-match': '"autre"' })).statusCode,
      200,
    );
    assert.equal(
      (await visitor.get(`/donnees/${LIEUX}.json`, { 'if-modified-since': lastModified })).statusCode,
      304,
    );
    const before = new Date(Date.parse(lastModified) - 1000).toUTCString();
    assert.equal(
      (await visitor.get(`/donnees/${LIEUX}.json`, { 'if-modified-since': before })).statusCode,
      200,
    );
  });

  test('regenerating the same data keeps validators; a change gives a new version', async () => {
    const visitor = new Client(t.app);
    const first = await visitor.get(`/donnees/${LIEUX}.csv`);
    const report = await publish();
    assert.match(report.body, /inchangé/);
    const same = await visitor.get(`/donnees/${LIEUX}.csv`);
    assert.equal(same.headers.etag, first.headers.etag);
    assert.equal(same.headers['last-modified'], first.headers['last-modified']);

    const place = await t.db.db
      .selectFrom('lieu')
      .select('id')
      .where('status', '=', 'publie')
      .orderBy('lmn_id')
      .executeTakeFirstOrThrow();
    await t.db.db.updateTable('lieu').set({ status: 'brouillon' }).where('id', '=', place.id).execute();
    try {
      await publish();
      const changed = await visitor.get(`/donnees/${LIEUX}.csv`);
      assert.notEqual(changed.headers.etag, first.headers.etag);
      assert.equal(
        (parse(changed.body, { columns: true }) as unknown[]).length,
        (parse(first.body, { columns: true }) as unknown[]).length - 1,
      );
    } finally {
      await t.db.db.updateTable('lieu').set({ status: 'publie' }).where('id', '=', place.id).execute();
      await publish();
    }
  });

  test('the catalogue is JSON-LD: its RDF has the catalogue, the datasets, their licence and download URLs', async () => {
    const visitor = new Client(t.app);
    const res = await visitor.get('/donnees/catalogue.jsonld');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/ld+json; charset=utf-8');
    assert.equal(
      (await visitor.get('/donnees/catalogue.jsonld', { 'if-none-match': res.headers.etag as string }))
        .statusCode,
      304,
    );
    const triples = await triplesOf(JSON.parse(res.body));
    const has = (s: string, p: string, o: string) =>
      triples.some(([ts, tp, to]) => ts === s && tp === p && to === o);
    const objects = (s: string, p: string) =>
      triples.filter(([ts, tp]) => ts === s && tp === p).map(([, , o]) => o);

    const catalogue = `${BASE}/donnees/catalogue.jsonld`;
    assert.ok(has(catalogue, RDF_TYPE, `${DCAT}Catalog`));
    const [publisher] = objects(catalogue, `${DCT}publisher`);
    assert.ok(publisher);
    assert.deepEqual(objects(publisher, `${FOAF}name`), [DEMO_OPSN_NAME]);

    const datasets = objects(catalogue, `${DCAT}dataset`).sort();
    assert.deepEqual(datasets, [`${BASE}/donnees/${ACTIVITE}`, `${BASE}/donnees/${LIEUX}`]);
    for (const id of [LIEUX, ACTIVITE]) {
      const dataset = `${BASE}/donnees/${id}`;
      assert.ok(has(dataset, RDF_TYPE, `${DCAT}Dataset`));
      assert.deepEqual(objects(dataset, `${DCT}identifier`), [id]);
      assert.ok(has(dataset, `${DCT}license`, 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/'));
      assert.equal(objects(dataset, `${DCT}modified`).length, 1);
      assert.ok(objects(dataset, `${DCAT}keyword`).length > 0);
      const distributions = objects(dataset, `${DCAT}distribution`).sort();
      assert.deepEqual(distributions, [`${BASE}/donnees/${id}.csv`, `${BASE}/donnees/${id}.json`]);
      for (const distribution of distributions) {
        const format = distribution.endsWith('.csv') ? 'csv' : 'json';
        assert.ok(has(distribution, RDF_TYPE, `${DCAT}Distribution`));
        assert.deepEqual(objects(distribution, `${DCAT}downloadURL`), [distribution]);
        assert.deepEqual(objects(distribution, `${DCAT}accessURL`), [distribution]);
        assert.deepEqual(objects(distribution, `${DCAT}mediaType`), [
          `http://www.iana.org/assignments/media-types/${format === 'csv' ? 'text/csv' : 'application/json'}`,
        ]);
        // The size the catalogue announces is the size served.
        const served = await visitor.get(`/donnees/${id}.${format}`, { 'accept-encoding': 'identity' });
        assert.deepEqual(objects(distribution, `${DCAT}byteSize`), [String(served.rawPayload.length)]);
      }
    }
  });

  test('a dataset page: description, licence, update, files, the column dictionary', async () => {
    const visitor = new Client(t.app);
    const page = await visitor.get(`/donnees/${ACTIVITE}`);
    assert.equal(page.statusCode, 200);
    assert.equal(page.body.match(/<h1/g)?.length, 1);
    assert.equal(h1(page.body), 'Activité de médiation numérique par commune et par mois');
    assert.ok(page.body.includes('href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/"'));
    assert.match(
      page.body,
      /<link rel="alternate" type="text\/csv" href="\/donnees\/activite-mediation-numerique\.csv"/,
    );
    assert.ok(page.body.includes(`href="/donnees/${ACTIVITE}.csv"`));
    assert.ok(page.body.includes(`href="/donnees/${ACTIVITE}.json"`));
    assert.match(page.body, /<caption>Colonnes du jeu/);
    for (const column of ['commune_residence_insee', 'accompagnements', 'genre_feminin', 'age_plus_70'])
      assert.ok(page.body.includes(`<th scope="row"><code>${column}</code></th>`), column);
    assert.match(page.body, /arrondi au multiple de 5/);

    const pending = await visitor.get(`/donnees/${INDICE}`);
    assert.equal(pending.statusCode, 200);
    assert.match(pending.body, /pas encore disponible/);
    assert.equal((await visitor.get(`/donnees/${INDICE}.csv`)).statusCode, 404);
  });

  test('once its module gives a dataset a generator, it is published like the others', async () => {
    const pending = modulesWithPendingDataset.flatMap((m) => m.datasets ?? []).find((d) => d.id === INDICE)!;
    await regenerateDatasets(t.db.db, systemActor('test'), [
      {
        ...pending,
        columns: [{ name: 'commune_insee', type: 'string', description: 'Code INSEE de la commune' }],
        generate: async () => [{ commune_insee: '69266' }, { commune_insee: '69029' }],
      },
    ]);
    const csv = await new Client(t.app).get(`/donnees/${INDICE}.csv`);
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body, 'commune_insee\n69266\n69029\n');
    const list = await new Client(t.app).get('/donnees');
    assert.ok(!list.body.includes('Pas encore disponible'));
  });
});

describe('command line: donnees publier', () => {
  let cli: CliDatabase;
  let dir: string;
  before(async () => {
    cli = await openCliDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'relais-donnees-cli-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cli.close();
  });

  test('publishes every dataset and says what it did, in French', async () => {
    const places = path.join(dir, 'lieux.json');
    writeFileSync(
      places,
      JSON.stringify(
        ['Médiathèque', 'Maison France Services'].map((nom, i) => ({
          id: `cli-donnees-${i}`,
          pivot: '00000000000000',
          nom,
          commune: 'Villeurbanne',
          code_postal: '69100',
          adresse: `${i + 1} place Lazare-Goujon`,
          date_maj: '2026-11-01',
        })),
      ),
    );
    const imported = await cli.run(['import', 'lieux', places]);
    assert.equal(imported.code, 0, imported.stderr);

    const res = await cli.run(['donnees', 'publier']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.split('\n');
    // One line per declared dataset, in the modules' order, then the conclusion.
    assert.deepEqual(
      lines.slice(0, DECLARED.length).map((line) => line.split(' : ')[0]),
      DECLARED,
    );
    const lineOf = (id: string) => lines.find((line) => line.startsWith(`${id} : `)) ?? '';
    const size = String.raw`[\d,]+ (octets?|Ko)`;
    for (const id of DECLARED)
      assert.match(
        lineOf(id),
        new RegExp(`^${id} : nouvelle version publiée, \\d+ lignes? \\(CSV ${size}, JSON ${size}\\)$`),
      );
    assert.match(lineOf(LIEUX), new RegExp(`^${LIEUX} : nouvelle version publiée, 2 lignes `));
    assert.match(lineOf(ACTIVITE), /, 0 ligne \(CSV [\d,]+ octets, JSON 2 octets\)$/);
    // Supplied by the observatory: no commune of the OPSN in this empty database, no row.
    assert.match(lineOf(INDICE), /nouvelle version publiée, 0 ligne/);
    assert.equal(lines.slice(DECLARED.length).join('\n'), 'Données ouvertes publiées.\n');

    const files = await cli.db
      .selectFrom('donnees_fichier')
      .select(['dataset', 'format', 'content', 'sha256', 'bytes', 'rows'])
      .execute();
    assert.equal(files.length, 2 * DECLARED.length);
    for (const f of files) {
      assert.equal(f.sha256, createHash('sha256').update(f.content).digest('hex'));
      assert.equal(f.bytes, f.content.length);
    }
    const csv = files.find((f) => f.dataset === LIEUX && f.format === 'csv')!;
    const rows = parse(csv.content, { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      rows.map((r) => r.nom),
      ['Médiathèque', 'Maison France Services'],
    );
    const journal = await cli.db
      .selectFrom('audit_event')
      .select(['actor_label', 'subject_id'])
      .where('action', '=', 'donnees.publish')
      .execute();
    assert.equal(journal.length, DECLARED.length, 'one entry per dataset published');
    assert.ok(journal.every((e) => e.actor_label === 'cli'));
  });
});
