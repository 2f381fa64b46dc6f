import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp, totpCode } from '../../../test/helpers/app.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { createUser } from '../../platform/auth/users.ts';
import { DEMO_HELPER_EMAIL } from '../activites/index.ts';
import { DEMO_PASSWORD } from '../comptes/index.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';

/**
 * Places of activity open the identities of the people helped there and the mandates of that
 * structure: a helper proposes them, a coordinator of the collectivité approves them (never for
 * an account they invited), and the journal says who did. Every attack goes through HTTP.
 */

const COORDINATOR = 'coordination@demo.relais.example';
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const UUID = /name="lieux" value="([0-9a-f-]{36})"/g;
const PASSWORD = 'cheval agrafe batterie';

describe('places of activity: proposed by helpers, approved by coordinators', () => {
  let t: TestApp;
  let villeurbanne = 0;
  /** Jeanne Martin, followed by the demo helper, and the place where she was last helped. */
  let jeanne = '';
  let jeannePlace = '';
  /** A mandate the demo helper made at one of their places. */
  let mandate = { id: '', lieu: '' };
  let coordinator: Client;

  const db = () => t.db.db;

  /** Posts a form with repeated fields (checkboxes), with the CSRF token of the last page read. */
  const send = (client: Client, url: string, fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams({ _csrf: client.lastCsrf ?? '' });
    for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
    return t.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
  };

  const userId = async (email: string) =>
    (await db().selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  const journal = (action: string, subject?: string) => {
    let q = db().selectFrom('audit_event').selectAll().where('action', '=', action);
    if (subject) q = q.where('subject_id', '=', subject);
    return q.orderBy('id').execute();
  };

  const approvedPlaces = async (id: string) =>
    (await db().selectFrom('mediateur_lieu').select('lieu_id').where('user_id', '=', id).execute()).map(
      (r) => r.lieu_id,
    );

  /** A helper of Villeurbanne created by the operator (nobody invited them), signed in. */
  const operatorHelper = async (email: string) => {
    const id = await createUser(db(), {
      email,
      name: `Médiatrice ${email.split('@')[0]}`,
      password: DEMO_PASSWORD,
      totpSecret: TOTP,
      memberships: [{ role: 'mediateur', collectiviteId: villeurbanne }],
    });
    const client = new Client(t.app);
    await client.signIn(email, DEMO_PASSWORD, TOTP);
    return { id, client };
  };

  /** The inviter invites through the people page; the invited person accepts and enrols. */
  const inviteAndAccept = async (inviter: Client, email: string, role: 'mediateur' | 'coordinateur') => {
    await inviter.get('/admin/personnes');
    const invited = await inviter.post('/admin/personnes', {
      name: `Compte ${email.split('@')[0]}`,
      email,
      role,
      collectiviteId: String(villeurbanne),
    });
    assert.equal(invited.statusCode, 303, `${email} invited`);
    const mail = await db()
      .selectFrom('mail_outbox')
      .select('body')
      .where('recipient', '=', email)
      .executeTakeFirstOrThrow();
    const token = /\/invitation\/([\w-]{43})/.exec(mail.body ?? '')?.[1];
    assert.ok(token);
    const client = new Client(t.app);
    await client.get(`/invitation/${token}`);
    const accepted = await client.post(`/invitation/${token}`, {
      password: PASSWORD,
      confirmation: PASSWORD,
    });
    assert.equal(accepted.statusCode, 303);
    const enrol = await client.get('/connexion/activer');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replace(/ /g, '');
    assert.ok(secret);
    assert.equal((await client.post('/connexion/activer', { code: await totpCode(secret) })).statusCode, 200);
    assert.equal((await client.get('/espace')).statusCode, 200);
    return { id: await userId(email), client };
  };

  /** The helper proposes every place the page offers; returns them. */
  const proposeEverything = async (client: Client) => {
    const page = await client.get('/activites/lieux');
    assert.equal(page.statusCode, 200);
    const all = [...page.body.matchAll(UUID)].map((m) => m[1]!);
    assert.ok(all.length >= 3, 'every place of Villeurbanne is offered');
    const res = await send(client, '/activites/lieux', { lieux: all });
    assert.equal(res.statusCode, 303);
    return all;
  };

  /** What the helper can see of the demo helper's people and mandates. */
  const assertSeesNobodyThere = async (client: Client, who: string) => {
    const list = await client.get('/beneficiaires');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, /Martin/, `${who}: the list shows nobody of the demo helper`);
    const search = await client.get('/beneficiaires?q=Martin');
    assert.doesNotMatch(search.body, /Jeanne/, `${who}: the search finds nobody of the demo helper`);
    assert.equal((await client.get(`/beneficiaires/${jeanne}`)).statusCode, 404, `${who}: Jeanne's record`);
  };

  before(async () => {
    t = await createTestApp({ demo: true });
    villeurbanne = (await findCollectiviteByCode(db(), '69266'))!.id;
    const demoHelper = await userId(DEMO_HELPER_EMAIL);
    const jeanneRow = await db()
      .selectFrom('beneficiaire')
      .select('id')
      .where('prenom', '=', 'Jeanne')
      .where('nom', '=', 'Martin')
      .executeTakeFirstOrThrow();
    jeanne = jeanneRow.id;
    jeannePlace = (
      await db()
        .selectFrom('participation as p')
        .innerJoin('activite as a', 'a.id', 'p.activite_id')
        .select('a.lieu_id')
        .where('p.beneficiaire_id', '=', jeanne)
        .where('a.lieu_id', 'is not', null)
        .orderBy('a.date', 'desc')
        .executeTakeFirstOrThrow()
    ).lieu_id as string;
    const m = await db()
      .selectFrom('mandat')
      .select(['id', 'lieu_id'])
      .where('mediateur_id', '=', demoHelper)
      .executeTakeFirstOrThrow();
    mandate = { id: m.id, lieu: m.lieu_id };
    coordinator = new Client(t.app);
    await coordinator.signIn(COORDINATOR);
  });
  after(() => t.close());

  test('a helper who picks every place sees nobody there, nor its mandates, until a coordinator approves', async () => {
    const { id, client } = await operatorHelper('olga@villeurbanne.example');
    const all = await proposeEverything(client);
    await assertSeesNobodyThere(client, 'after proposing every place');
    assert.deepEqual(await approvedPlaces(id), [], 'proposing approves nothing');
    // Habilitated for mandates, still not those of a structure not approved.
    await coordinator.get('/admin/habilitations');
    const habilitated = await coordinator.post(`/admin/habilitations/${id}`, {
      dateFormation: '2026-01-15',
      certifiePar: 'Formation Aidants Connect',
    });
    assert.equal(habilitated.statusCode, 303);
    assert.equal((await client.get(`/mandats/${mandate.id}`)).statusCode, 404, 'a mandate of the structure');
    const list = await client.get('/mandats');
    assert.doesNotMatch(list.body, new RegExp(mandate.id));
    // No report either before a place is approved.
    const reports = await client.get('/activites');
    assert.equal(reports.statusCode, 303);
    assert.equal(reports.headers.location, '/activites/lieux');

    // The helper's page says plainly where each place stands.
    const mine = await client.get('/activites/lieux?ok=proposes');
    assert.equal(h1(mine.body), 'Mes lieux d’activité');
    assert.match(mine.body, /Lieux approuvés \(0\)/);
    assert.match(mine.body, new RegExp(`Lieux proposés, en attente d’approbation \\(${all.length}\\)`));
    assert.match(mine.body, /proposés à votre coordinateur/);
    await assertValidHtml(mine.body, 'the helper’s places');

    // The coordinator of Villeurbanne sees the proposals and approves the one of Jeanne's place.
    const board = await coordinator.get('/admin/lieux-activite');
    assert.equal(board.statusCode, 200);
    assert.equal(h1(board.body), 'Lieux d’activité des médiateurs');
    assert.match(board.body, /olga@villeurbanne\.example/);
    await assertValidHtml(board.body, 'the coordinators’ page');
    const approved = await coordinator.post(`/admin/lieux-activite/${id}`, {
      lieu: jeannePlace,
      decision: 'approuver',
    });
    assert.equal(approved.statusCode, 303);
    assert.equal(
      approved.headers.location,
      `/admin/lieux-activite?collectivite=${villeurbanne}&ok=approuver`,
    );
    assert.deepEqual(await approvedPlaces(id), [jeannePlace]);
    assert.equal(
      (await client.get(`/beneficiaires/${jeanne}`)).statusCode,
      200,
      'approved: Jeanne is visible',
    );
    assert.equal((await client.get('/activites')).statusCode, 200, 'approved: reports can be recorded');
    if (mandate.lieu === jeannePlace)
      assert.equal(
        (await client.get(`/mandats/${mandate.id}`)).statusCode,
        200,
        'and the structure’s mandate',
      );

    // The journal shows who approved.
    const coordinatorId = await userId(COORDINATOR);
    const [entry] = await journal('lieux_activite.approbation', id);
    assert.equal(entry?.actor_user_id, coordinatorId);
    assert.equal((entry?.details as { lieu?: string } | undefined)?.lieu, jeannePlace);
    assert.equal((await journal('lieux_activite.proposition', id)).length, 1);

    // A refusal: the helper sees it, and it opens nothing.
    const other = all.find((p) => p !== jeannePlace)!;
    const refused = await coordinator.post(`/admin/lieux-activite/${id}`, {
      lieu: other,
      decision: 'refuser',
    });
    assert.equal(refused.statusCode, 303);
    assert.deepEqual(await approvedPlaces(id), [jeannePlace]);
    assert.match((await client.get('/activites/lieux')).body, /Propositions refusées \(1\)/);
    assert.equal((await journal('lieux_activite.refus', id))[0]?.actor_user_id, coordinatorId);
    // Deciding twice is refused in French, and changes nothing.
    await coordinator.get('/admin/lieux-activite');
    const twice = await coordinator.post(`/admin/lieux-activite/${id}`, {
      lieu: other,
      decision: 'approuver',
    });
    assert.equal(twice.statusCode, 400);
    assert.match(twice.body, /n’est plus en attente/);
    assert.deepEqual(await approvedPlaces(id), [jeannePlace]);

    // Withdrawn by the coordinator: closed again.
    await coordinator.get('/admin/lieux-activite');
    const removed = await coordinator.post(`/admin/lieux-activite/${id}`, {
      lieu: jeannePlace,
      decision: 'retirer',
    });
    assert.equal(removed.statusCode, 303);
    assert.equal((await client.get(`/beneficiaires/${jeanne}`)).statusCode, 404);
  });

  test('a coordinator cannot open places to an account they invited, and the journal flags the attempt', async () => {
    const puppet = await inviteAndAccept(coordinator, 'prete-nom@example.org', 'mediateur');
    const all = await proposeEverything(puppet.client);
    await assertSeesNobodyThere(puppet.client, 'the invited account');

    const board = await coordinator.get('/admin/lieux-activite');
    assert.match(board.body, /Vous avez invité ce compte/);
    const before = (await journal('alerte.lieux_activite.auto_approbation', puppet.id)).length;
    const approve = await coordinator.post(`/admin/lieux-activite/${puppet.id}`, {
      lieu: all[0]!,
      decision: 'approuver',
    });
    assert.equal(approve.statusCode, 403);
    assert.match(approve.body, /Vous avez invité ce compte/);
    await coordinator.get('/admin/lieux-activite');
    const assign = await coordinator.post('/admin/lieux-activite', { personne: puppet.id, lieu: all[1]! });
    assert.equal(assign.statusCode, 403);
    assert.deepEqual(await approvedPlaces(puppet.id), []);
    await assertSeesNobodyThere(puppet.client, 'after the refused approvals');
    const alerts = await journal('alerte.lieux_activite.auto_approbation', puppet.id);
    assert.equal(alerts.length - before, 2, 'both attempts are flagged');
    assert.equal(alerts.at(-1)?.actor_user_id, await userId(COORDINATOR));

    // Another coordinator of the collectivité may approve.
    const colleague = await createUser(db(), {
      email: 'collegue@villeurbanne.example',
      name: 'Camille Collègue',
      password: DEMO_PASSWORD,
      totpSecret: TOTP,
      memberships: [{ role: 'coordinateur', collectiviteId: villeurbanne }],
    });
    assert.ok(colleague);
    const c2 = new Client(t.app);
    await c2.signIn('collegue@villeurbanne.example', DEMO_PASSWORD, TOTP);
    await c2.get('/admin/lieux-activite');
    const ok = await c2.post(`/admin/lieux-activite/${puppet.id}`, { lieu: all[0]!, decision: 'approuver' });
    assert.equal(ok.statusCode, 303);
    assert.deepEqual(await approvedPlaces(puppet.id), [all[0]]);
  });

  test('a coordinator cannot approve their own places', async () => {
    const both = await createUser(db(), {
      email: 'double@villeurbanne.example',
      name: 'Dominique Double',
      password: DEMO_PASSWORD,
      totpSecret: TOTP,
      memberships: [
        { role: 'coordinateur', collectiviteId: villeurbanne },
        { role: 'mediateur', collectiviteId: villeurbanne },
      ],
    });
    const client = new Client(t.app);
    await client.signIn('double@villeurbanne.example', DEMO_PASSWORD, TOTP);
    const all = await proposeEverything(client);
    await client.get('/admin/lieux-activite');
    const res = await client.post(`/admin/lieux-activite/${both}`, { lieu: all[0]!, decision: 'approuver' });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /vos propres lieux/);
    assert.deepEqual(await approvedPlaces(both), []);
    assert.equal((await journal('alerte.lieux_activite.auto_approbation', both)).length, 1);
  });

  test('an approval between accounts invited by the same person is allowed but flagged', async () => {
    const accomplice = await inviteAndAccept(coordinator, 'complice@example.org', 'coordinateur');
    const helper = await inviteAndAccept(coordinator, 'aidant-lie@example.org', 'mediateur');
    const all = await proposeEverything(helper.client);
    await accomplice.client.get('/admin/lieux-activite');
    const res = await accomplice.client.post(`/admin/lieux-activite/${helper.id}`, {
      lieu: all[0]!,
      decision: 'approuver',
    });
    assert.equal(res.statusCode, 303);
    const [alert] = await journal('alerte.lieux_activite.invitations_liees', helper.id);
    assert.equal(alert?.actor_user_id, accomplice.id);
    assert.equal((alert?.details as { lien?: string } | undefined)?.lien, 'invites_par_la_meme_personne');
    // The administrators read it in the journal, under its own label.
    const admin = new Client(t.app);
    await admin.signIn('admin@demo.relais.example');
    const warned = await admin.get('/admin/lieux-activite');
    assert.match(warned.body, /Attention : \d+ signalements sur les lieux d’activité/);
    assert.match(warned.body, /href="\/admin\/journal\?action=alerte\.lieux_activite\."/);
    const page = await admin.get('/admin/journal?action=alerte.lieux_activite.');
    assert.match(page.body, /Alerte : lieux approuvés entre comptes liés par leurs invitations/);
    // Coordinators do not read the journal: no such notice for them.
    assert.doesNotMatch((await accomplice.client.get('/admin/lieux-activite')).body, /signalement/);
  });

  test('places chosen before approvals existed keep working, shown as such', async () => {
    const { id, client } = await operatorHelper('ancienne@villeurbanne.example');
    // A row as the migration leaves it: approved by nobody known.
    await db().insertInto('mediateur_lieu').values({ user_id: id, lieu_id: jeannePlace }).execute();
    assert.equal((await client.get(`/beneficiaires/${jeanne}`)).statusCode, 200);
    const board = await coordinator.get('/admin/lieux-activite');
    assert.match(board.body, /Avant l’approbation des lieux/);
    assert.match((await client.get('/activites/lieux')).body, /Lieux approuvés \(1\)/);
  });

  test('a coordinator assigns a place directly; bad input is refused in French and changes nothing', async () => {
    const { id, client } = await operatorHelper('nouvelle@villeurbanne.example');
    await coordinator.get('/admin/lieux-activite');
    const empty = await coordinator.post('/admin/lieux-activite', {});
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choisissez le médiateur/);
    assert.match(empty.body, /Choisissez le lieu d’activité/);
    assert.match(empty.body, /Il y a un problème/);
    await coordinator.get('/admin/lieux-activite');
    const junk = await coordinator.post('/admin/lieux-activite', { personne: id, lieu: 'pas-un-lieu' });
    assert.equal(junk.statusCode, 400);
    await coordinator.get('/admin/lieux-activite');
    const decision = await coordinator.post(`/admin/lieux-activite/${id}`, {
      lieu: jeannePlace,
      decision: 'tout',
    });
    assert.equal(decision.statusCode, 400);
    assert.match(decision.body, /Choisissez une décision/);
    // A place of another collectivité: not theirs to give.
    const venissieux = await db()
      .selectFrom('lieu')
      .select('id')
      .where('code_insee', '=', '69259')
      .executeTakeFirstOrThrow();
    await coordinator.get('/admin/lieux-activite');
    const foreign = await coordinator.post('/admin/lieux-activite', { personne: id, lieu: venissieux.id });
    assert.equal(foreign.statusCode, 403);
    assert.deepEqual(await approvedPlaces(id), []);

    await coordinator.get('/admin/lieux-activite');
    const assigned = await coordinator.post('/admin/lieux-activite', { personne: id, lieu: jeannePlace });
    assert.equal(assigned.statusCode, 303);
    assert.deepEqual(await approvedPlaces(id), [jeannePlace]);
    const [entry] = await journal('lieux_activite.attribution', id);
    assert.equal(entry?.actor_user_id, await userId(COORDINATOR));
    assert.equal((await client.get(`/beneficiaires/${jeanne}`)).statusCode, 200);
    // A helper does not reach the coordinators' page.
    assert.equal((await client.get('/admin/lieux-activite')).statusCode, 403);
  });

  test('helpers opening the report form at the same moment each get their own places, never another’s', async () => {
    const demo = new Client(t.app);
    await demo.signIn(DEMO_HELPER_EMAIL);
    const other = await operatorHelper('simultanee@demo.relais.example');
    const own = await approvedPlaces(await userId(DEMO_HELPER_EMAIL));
    assert.ok(own.length >= 2, 'the demo helper has places');
    // The other helper works at one place that is not the demo helper's.
    const elsewhere = await db()
      .selectFrom('lieu')
      .select('id')
      .where('id', 'not in', own)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await db().insertInto('mediateur_lieu').values({ user_id: other.id, lieu_id: elsewhere.id }).execute();
    const offered = (body: string) =>
      [
        ...(/<select id="champ-lieu_id"[^>]*>(.*?)<\/select>/s.exec(body)?.[1] ?? '').matchAll(
          /value="([0-9a-f-]{36})"/g,
        ),
      ]
        .map((m) => m[1]!)
        .sort();
    // The places of helpers asking at once are read in one statement: each list must stay theirs.
    const pages = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? other.client : demo).get('/activites/nouveau')),
    );
    for (const [i, page] of pages.entries()) {
      assert.equal(page.statusCode, 200);
      assert.deepEqual(offered(page.body), i % 2 ? [elsewhere.id] : [...own].sort(), `page ${i}`);
    }
  });

  test('lists and searches of people are journaled, with the filter and without names', async () => {
    const helper = new Client(t.app);
    await helper.signIn(DEMO_HELPER_EMAIL);
    const helperId = await userId(DEMO_HELPER_EMAIL);
    const count = async () =>
      (await journal('beneficiaire.list')).filter((e) => e.actor_user_id === helperId).length;
    const before = await count();
    assert.equal((await helper.get('/beneficiaires')).statusCode, 200);
    assert.equal((await helper.get('/beneficiaires?q=Martin&page=1')).statusCode, 200);
    assert.equal((await helper.get(`/beneficiaires/${jeanne}/fusionner?q=Martin`)).statusCode, 200);
    const entries = (await journal('beneficiaire.list')).filter((e) => e.actor_user_id === helperId);
    assert.equal(entries.length - before, 3, 'one entry per list view');
    const [list, search, merge] = entries.slice(-3).map((e) => e.details as Record<string, unknown>);
    assert.equal(list?.vue, 'liste');
    assert.equal(search?.vue, 'recherche');
    assert.equal(merge?.vue, 'fusion');
    assert.ok((search?.affiches as string[] | undefined)?.includes(jeanne), 'the ids shown');
    for (const e of entries) assert.doesNotMatch(JSON.stringify(e.details), /Martin|Jeanne/, 'no names');
  });
});
