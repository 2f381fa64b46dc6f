import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { auditRow } from '../../platform/audit/journal.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { defaultCollectiviteId, loadMemberships } from '../../platform/auth/sessions.ts';
import { createToken } from '../../platform/auth/tokens.ts';
import { createUser } from '../../platform/auth/users.ts';
import { addDays, parisToday } from '../../platform/paris-time.ts';
import { createBeneficiary } from '../beneficiaires/index.ts';
import type { Helper } from '../mediateurs/index.ts';
import { compactStatistics, rebuildStatistics } from '../statistiques/index.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { type ReportWrite, writeReport } from './report-writer.ts';
import { DEMO_HELPER_EMAIL } from './seed.ts';

/** `/api/v1/activites`: the same rules as the form, for integrations acting as a helper. */

type Json = Record<string, unknown>;
type ActivityJson = {
  id: string;
  type: string;
  date: string;
  duree_min: number;
  canal: string;
  lieu_id: string | null;
  commune_insee: string | null;
  thematiques: string[];
  demarches: string[];
  participations: {
    beneficiaire_id: string | null;
    genre: string;
    tranche_age: string;
    statut: string;
    commune_insee: string | null;
  }[];
};

describe('activity API', () => {
  let t: TestApp;
  let helperToken = '';
  let coordinatorToken = '';
  let adminToken = '';
  let helperId = '';
  let placeId = '';
  let jeanne = '';
  let stranger = '';
  let today = '';
  const db = () => t.db.db;

  const call = (method: 'GET' | 'POST', url: string, token?: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as Json }),
    });

  const base = (over: Json = {}): Json => ({
    type: 'individuel',
    date: today,
    duree_min: 45,
    canal: 'lieu_activite',
    lieu_id: placeId,
    materiels: ['telephone'],
    thematiques: ['aide_aux_demarches_administratives'],
    demarches: ['logement'],
    autonomie: 'entierement_accompagne',
    anonyme: { genre: 'feminin', tranche_age: 'de_25_a_39', statut: 'sans_emploi' },
    ...over,
  });

  async function counts() {
    const count = async (table: 'activite' | 'participation' | 'beneficiaire') =>
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    return {
      activite: await count('activite'),
      participation: await count('participation'),
      beneficiaire: await count('beneficiaire'),
    };
  }

  const userId = async (email: string) =>
    (await db().selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  before(async () => {
    t = await createTestApp({ demo: true });
    today = parisToday();
    helperId = await userId(DEMO_HELPER_EMAIL);
    helperToken = await createToken(db(), helperId, 'test');
    coordinatorToken = await createToken(db(), await userId('coordination@demo.relais.example'), 'test');
    adminToken = await createToken(db(), await userId('admin@demo.relais.example'), 'test');
    placeId = (
      await db()
        .selectFrom('mediateur_lieu')
        .select('lieu_id')
        .where('user_id', '=', helperId)
        .executeTakeFirstOrThrow()
    ).lieu_id;
    jeanne = (
      await db()
        .selectFrom('beneficiaire')
        .select('id')
        .where('prenom', '=', 'Jeanne')
        .where('nom', '=', 'Martin')
        .executeTakeFirstOrThrow()
    ).id;
    // Someone followed by another helper only.
    const villeurbanne = (await findCollectiviteByCode(db(), '69266'))!;
    const otherId = await createUser(db(), {
      email: 'api.autre@villeurbanne.example',
      name: 'Autre',
      memberships: [{ role: 'mediateur', collectiviteId: villeurbanne.id }],
    });
    const memberships = await loadMemberships(db(), otherId);
    const other: Helper = {
      actor: {
        kind: 'user',
        userId: otherId,
        email: 'api.autre@villeurbanne.example',
        name: 'Autre',
        memberships,
        activeCollectiviteId: defaultCollectiviteId(memberships),
      },
      userId: otherId,
      collectiviteId: villeurbanne.id,
    };
    stranger = await createBeneficiary(db(), other, {
      prenom: 'Paul',
      nom: 'Inconnu',
      sans_telephone: false,
    });
  });
  after(() => t.close());

  test('without a token: 401; with a revoked or unknown one: 401; not a helper: 403', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const anonymous = await call(
        method,
        '/api/v1/activites',
        undefined,
        method === 'POST' ? base() : undefined,
      );
      assert.equal(anonymous.statusCode, 401, method);
      assert.match(anonymous.headers['www-authenticate'] as string, /^Bearer/);
      assert.equal(anonymous.json().error, 'unauthorized');
      const bad = await call(
        method,
        '/api/v1/activites',
        'relais_nimportequoi',
        method === 'POST' ? base() : undefined,
      );
      assert.equal(bad.statusCode, 401);
      for (const token of [coordinatorToken, adminToken]) {
        const res = await call(method, '/api/v1/activites', token, method === 'POST' ? base() : undefined);
        assert.equal(res.statusCode, 403, method);
        assert.deepEqual(res.json(), { error: 'forbidden', message: 'Réservé aux médiateurs numériques.' });
      }
    }
  });

  test('POST records an individual report with the national codes', async () => {
    const before = await counts();
    const res = await call('POST', '/api/v1/activites', helperToken, base());
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as ActivityJson;
    assert.equal(body.type, 'individuel');
    assert.equal(body.date, today);
    assert.equal(body.duree_min, 45);
    assert.equal(body.lieu_id, placeId);
    assert.deepEqual(body.demarches, ['logement']);
    assert.deepEqual(body.participations, [
      {
        id: (body.participations[0] as unknown as { id: string }).id,
        beneficiaire_id: null,
        genre: 'feminin',
        tranche_age: 'de_25_a_39',
        statut: 'sans_emploi',
        commune_insee: null,
      },
    ]);
    const stored = await db()
      .selectFrom('activite')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.mediateur_id, helperId);
    const after = await counts();
    assert.equal(after.activite, before.activite + 1);
    assert.equal(after.participation, before.participation + 1);
    const journal = await db()
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'activite.create')
      .where('subject_id', '=', body.id)
      .executeTakeFirst();
    assert.ok(journal, 'journaled');
  });

  test('POST records a workshop with known and anonymous participants', async () => {
    const res = await call(
      'POST',
      '/api/v1/activites',
      helperToken,
      base({
        type: 'collectif',
        titre: 'Sécurité en ligne',
        niveau: 'intermediaire',
        duree_min: 90,
        canal: 'autre_lieu',
        commune: 'Vaulx-en-Velin',
        thematiques: ['securite_numerique'],
        demarches: [],
        anonyme: undefined,
        beneficiaires: [jeanne],
        anonymes: { total: 4, genres: { masculin: 4 }, tranches_age: { plus_70: 1 }, statuts: {} },
      }),
    );
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as ActivityJson;
    assert.equal(body.commune_insee, '69256');
    assert.equal(body.lieu_id, null);
    assert.equal(body.participations.length, 5);
    assert.equal(body.participations.filter((p) => p.beneficiaire_id === jeanne).length, 1);
    const anonymous = body.participations.filter((p) => p.beneficiaire_id === null);
    assert.ok(anonymous.every((p) => p.genre === 'masculin' && p.statut === 'non_communique'));
    assert.equal(anonymous.filter((p) => p.tranche_age === 'plus_70').length, 1);
  });

  test('concurrent POSTs: each answer is the report as stored, and the counters equal a full recount', async () => {
    const bodies = Array.from({ length: 24 }, (_, i) =>
      i % 3 === 0
        ? base({ duree_min: 30 + i, anonyme: undefined, beneficiaires: [jeanne] })
        : i % 3 === 1
          ? base({
              type: 'collectif',
              titre: `Atelier ${i}`,
              canal: 'autre_lieu',
              commune: 'Bron',
              thematiques: ['email', 'securite_numerique'],
              demarches: [],
              anonyme: undefined,
              beneficiaires: [jeanne],
              anonymes: { total: 1 + (i % 4), genres: { feminin: 1 }, tranches_age: {}, statuts: {} },
            })
          : base({ date: addDays(today, -(10 + (i % 10))), materiels: ['ordinateur', 'tablette'] }),
    );
    const answers = await Promise.all(bodies.map((b) => call('POST', '/api/v1/activites', helperToken, b)));
    for (const res of answers) assert.equal(res.statusCode, 201, res.body);
    const listed = new Map<string, unknown>();
    for (let page = 1; page <= 20; page++) {
      const res = await call('GET', `/api/v1/activites?page=${page}`, helperToken);
      const items = (res.json() as { items: ActivityJson[] }).items;
      for (const item of items) listed.set(item.id, item);
      if (items.length === 0) break;
    }
    for (const res of answers) {
      const body = res.json() as ActivityJson;
      assert.deepEqual(body, listed.get(body.id), 'the answer is what GET returns');
    }
    await compactStatistics(db());
    const snapshot = async () => ({
      totals: (await sql`select * from stat_total order by 1, 2, 3, 4`.execute(db())).rows,
      people: (await sql`select * from stat_personne order by 1, 2, 3`.execute(db())).rows,
      first: (await sql`select * from stat_premiere order by 1`.execute(db())).rows,
    });
    const kept = await snapshot();
    await rebuildStatistics(db());
    assert.deepEqual(await snapshot(), kept);
  });

  test('reports sent together leave in one statement; one the database refuses fails alone', async () => {
    const collectiviteId = (await findCollectiviteByCode(db(), '69266'))!.id;
    const write = (lieuId: string | null = null): ReportWrite => {
      const id = randomUUID();
      return {
        report: {
          id,
          type: 'individuel',
          collectivite_id: collectiviteId,
          mediateur_id: helperId,
          date: today,
          duree_min: 30,
          canal: lieuId ? 'lieu_activite' : 'distance',
          lieu_id: lieuId,
          commune_insee: null,
          materiels: [],
          thematiques: ['email'],
          demarches: [],
          autonomie: null,
          titre: null,
          niveau: null,
          oriente: false,
          orientation: null,
          notes: null,
        },
        participations: [
          {
            id: randomUUID(),
            beneficiaire_id: null,
            genre: 'feminin',
            tranche_age: 'de_25_a_39',
            statut: 'sans_emploi',
            commune_insee: null,
          },
        ],
        journal: auditRow({
          actor: systemActor('test'),
          action: 'activite.create',
          collectiviteId,
          subject: { type: 'activite', id },
        }),
      };
    };
    /** The transaction that wrote each report, or null when none did. */
    const writers = async (writes: ReportWrite[]) => {
      const { rows } = await sql<{ id: string; tx: string }>`select id, xmin::text as tx from activite
        where id = any(${writes.map((w) => w.report.id)}::uuid[])`.execute(db());
      const tx = new Map(rows.map((r) => [r.id, r.tx]));
      return writes.map((w) => tx.get(w.report.id) ?? null);
    };
    const journaled = async () =>
      (
        await db()
          .selectFrom('audit_event')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '=', 'activite.create')
          .executeTakeFirstOrThrow()
      ).n;

    // Two leave at once, alone (two statements under way at most); the three others wait and leave together.
    const together = Array.from({ length: 5 }, () => write(placeId));
    const stored = await Promise.all(together.map((w) => writeReport(db(), w)));
    assert.deepEqual(
      stored.map((s) => [s.id, s.participations.length]),
      together.map((w) => [w.report.id, 1]),
    );
    const tx = await writers(together);
    assert.equal(new Set(tx).size, 3, 'two statements alone, then one for three');
    assert.equal(tx[2], tx[4]);

    // A place that does not exist: the batch fails, and its reports are written again one by one.
    const journalBefore = await journaled();
    const mixed = [write(), write(), write(), write(randomUUID()), write()];
    const outcomes = await Promise.allSettled(mixed.map((w) => writeReport(db(), w)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const written = await writers(mixed);
    assert.equal(written[3], null);
    assert.equal(new Set(written).size, 5, 'the others each in a statement of their own');
    assert.equal(await journaled(), journalBefore + 4);
  });

  test('POST refuses bad input with French reasons by field, and saves nothing', async () => {
    const tomorrow = addDays(today, 1);
    const cases: [string, Json, string, RegExp][] = [
      [
        'future date',
        base({ date: tomorrow }),
        'date',
        /^Date : l’accompagnement ne peut pas être dans le futur$/,
      ],
      ['before 2015', base({ date: '2014-06-30' }), 'date', /^Date : pas avant le 1er janvier 2015$/],
      ['not a date', base({ date: '31/02/2020' }), 'date', /^Date : une date comme/],
      ['zero minutes', base({ duree_min: 0 }), 'duree_min', /^Durée : au moins 1 minute$/],
      ['over 12 hours', base({ duree_min: 721 }), 'duree_min', /^Durée : 12 heures au plus/],
      ['minutes as words', base({ duree_min: 'une heure' }), 'duree_min', /^Durée : /],
      [
        'someone from another place',
        base({ anonyme: undefined, beneficiaires: [stranger] }),
        'beneficiaires',
        /n’est pas suivie dans vos lieux d’activité/,
      ],
      [
        'unknown theme',
        base({ thematiques: ['astrologie'] }),
        'thematiques',
        /« astrologie » n’est pas une thématique/,
      ],
      [
        'unknown equipment',
        base({ materiels: ['minitel'] }),
        'materiels',
        /« minitel » n’est pas un matériel/,
      ],
      [
        'unknown procedure',
        base({ demarches: ['chasse'] }),
        'demarches',
        /« chasse » n’est pas une démarche/,
      ],
      [
        'procedures without their theme',
        base({ thematiques: ['email'], demarches: ['logement'] }),
        'demarches',
        /cochez aussi la thématique « Aide aux démarches administratives »/,
      ],
      [
        'breakdown over the total',
        base({
          type: 'collectif',
          titre: 'Atelier',
          anonyme: undefined,
          anonymes: { total: 2, genres: {}, tranches_age: { plus_70: 3 }, statuts: {} },
        }),
        'anonymes.tranches_age',
        /^Répartition par âge : 3 personnes réparties, plus que les 2 participants anonymes$/,
      ],
      ['nobody', base({ anonyme: undefined }), 'participant', /^Personne accompagnée : choisissez/],
      ['two people', base({ beneficiaires: [jeanne] }), 'participant', /exactement une personne/],
      [
        'not their place',
        base({ lieu_id: '00000000-0000-4000-8000-000000000000' }),
        'lieu_id',
        /pas un de vos lieux/,
      ],
      ['unknown kind', base({ type: 'conference' }), 'type', /^Type : « individuel » ou « collectif »$/],
    ];
    const before = await counts();
    for (const [what, body, field, message] of cases) {
      const res = await call('POST', '/api/v1/activites', helperToken, body);
      assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      const json = res.json() as { error: string; message: string; erreurs: Record<string, string> };
      assert.equal(json.error, 'validation', what);
      assert.match(json.erreurs[field] ?? '', message, `${what}: ${JSON.stringify(json.erreurs)}`);
      assert.ok(json.message.includes(json.erreurs[field]!), `${what}: the message sums the errors up`);
    }
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/activites',
      headers: { authorization: `Bearer ${helperToken}`, 'content-type': 'application/json' },
      payload: '{"type": "individuel",',
    });
    assert.equal(malformed.statusCode, 400);
    assert.deepEqual(await counts(), before, 'nothing saved');
  });

  test('POST with a new person: possible duplicates first, then the client decides', async () => {
    const before = await counts();
    const person = { prenom: 'Jeanne', nom: 'Martin', annee_naissance: 1948 };
    const res = await call(
      'POST',
      '/api/v1/activites',
      helperToken,
      base({ anonyme: undefined, nouveau_beneficiaire: person }),
    );
    assert.equal(res.statusCode, 409);
    const body = res.json() as { error: string; candidats: string[] };
    assert.equal(body.error, 'doublons_possibles');
    assert.deepEqual(body.candidats, [jeanne]);
    assert.deepEqual(await counts(), before);

    const chosen = await call(
      'POST',
      '/api/v1/activites',
      helperToken,
      base({ anonyme: undefined, nouveau_beneficiaire: person, doublon: jeanne }),
    );
    assert.equal(chosen.statusCode, 201);
    assert.equal((chosen.json() as ActivityJson).participations[0]!.beneficiaire_id, jeanne);
    assert.equal((await counts()).beneficiaire, before.beneficiaire);

    const created = await call(
      'POST',
      '/api/v1/activites',
      helperToken,
      base({
        anonyme: undefined,
        nouveau_beneficiaire: { ...person, commune_insee: '69266' },
        doublon: 'nouveau',
      }),
    );
    assert.equal(created.statusCode, 201);
    const newId = (created.json() as ActivityJson).participations[0]!.beneficiaire_id;
    assert.ok(newId && newId !== jeanne);
    assert.equal((await counts()).beneficiaire, before.beneficiaire + 1);

    const stolen = await call(
      'POST',
      '/api/v1/activites',
      helperToken,
      base({ anonyme: undefined, nouveau_beneficiaire: person, doublon: stranger }),
    );
    assert.equal(stolen.statusCode, 400);
    assert.match(
      (stolen.json() as { erreurs: Record<string, string> }).erreurs.doublon ?? '',
      /n’est pas suivie/,
    );
  });

  test('GET returns the helper’s own reports with their participations, no names', async () => {
    const own = db().selectFrom('activite').where('mediateur_id', '=', helperId);
    const total = (await own.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const res = await call('GET', '/api/v1/activites', helperToken);
    assert.equal(res.statusCode, 200);
    const body = res.json() as { total: number; page: number; limit: number; items: ActivityJson[] };
    assert.equal(body.total, total);
    assert.equal(body.page, 1);
    assert.equal(body.items.length, Math.min(body.limit, total));
    assert.ok(body.items.every((a) => a.participations.length > 0));
    assert.doesNotMatch(res.body, /prenom|Jeanne|Martin|"nom"|notes/);
    const dates = body.items.map((a) => a.date);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'most recent first');

    const page2 = (await call('GET', '/api/v1/activites?page=2', helperToken)).json() as {
      items: ActivityJson[];
    };
    assert.equal(page2.items.filter((a) => body.items.some((b) => b.id === a.id)).length, 0);

    const monthAgo = addDays(today, -30);
    const filtered = await call(
      'GET',
      `/api/v1/activites?type=collectif&du=${monthAgo}&au=${today}`,
      helperToken,
    );
    const f = filtered.json() as { total: number; items: ActivityJson[] };
    const expected = (
      await own
        .where('type', '=', 'collectif')
        .where('date', '>=', monthAgo)
        .where('date', '<=', today)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    assert.equal(f.total, expected);
    assert.ok(f.items.every((a) => a.type === 'collectif' && a.date >= monthAgo && a.date <= today));
  });

  test('GET refuses bad parameters in French', async () => {
    for (const [query, message] of [
      ['du=hier', /du : une date AAAA-MM-JJ/],
      ['au=2026-02-30', /au : une date qui existe/],
      ['type=atelier', /type : « individuel » ou « collectif »/],
      ['page=0', /page : un nombre entier à partir de 1/],
      ['du=2026-05-01&au=2026-01-01', /la date de début précède celle de fin/],
    ] as const) {
      const res = await call('GET', `/api/v1/activites?${query}`, helperToken);
      assert.equal(res.statusCode, 400, query);
      assert.match(res.json().message, message);
    }
  });

  test('the OpenAPI document describes both routes', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).json() as {
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown; responses: Json }>>;
    };
    const path = doc.paths['/api/v1/activites'];
    assert.ok(path?.get && path.post);
    assert.deepEqual(path.post.tags, ['activités']);
    assert.ok(path.post.requestBody);
    for (const status of ['201', '400', '401', '403', '409']) assert.ok(path.post.responses[status], status);
  });
});
