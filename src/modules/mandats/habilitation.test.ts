import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, DEMO_MEMBER_NAMES, h1, type TestApp } from '../../../test/helpers/app.ts';
import { assertValidHtml as assertValidPage } from '../../../test/helpers/html.ts';
import { helperOf } from '../../../test/helpers/mandats.ts';
import { ForbiddenError } from '../../platform/auth/policy.ts';
import { createUser } from '../../platform/auth/users.ts';
import { addDays, parisToday } from '../../platform/paris-time.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../comptes/index.ts';
import type { Helper } from '../mediateurs/index.ts';
import { isHabilitated, requireHabilitatedHelper } from './habilitation.ts';

const admin = DEMO_ACCOUNTS[0];
const coordinator = DEMO_ACCOUNTS[1];
/** The demo helper, habilitated by the demo data. */
const HELPER_EMAIL = DEMO_ACCOUNTS[2].email;
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const NEW_HELPER = { email: 'nadia.nouvelle@villeurbanne.example', name: 'Nadia Nouvelle' };
const FOREIGN_COORDINATOR = 'coordination@autre-collectivite.example';

const assertValidHtml = (html: string) => assertValidPage(html, 'the page', { oneH1: false });

describe('mandates: habilitation of helpers by their coordinator', () => {
  let t: TestApp;
  let villeurbanne: number;
  let demoHelper: Helper;
  let newHelperId: string;
  let coordinatorId: string;
  let coordinatorClient: Client;

  /** What a refused request must leave untouched: the person's habilitation and the journal. */
  const snapshot = async (userId: string) => ({
    habilitation: await t.db.db
      .selectFrom('habilitation')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst(),
    journal: (
      await t.db.db.selectFrom('audit_event').select('id').where('action', 'like', 'habilitation.%').execute()
    ).length,
  });

  const journalOf = (action: string, userId: string) =>
    t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', action)
      .where('subject_id', '=', userId)
      .orderBy('id')
      .execute();

  before(async () => {
    t = await createTestApp({ demo: true });
    demoHelper = await helperOf(t.db.db, HELPER_EMAIL);
    villeurbanne = demoHelper.collectiviteId;
    newHelperId = await createUser(t.db.db, {
      ...NEW_HELPER,
      password: DEMO_PASSWORD,
      totpSecret: TOTP,
      memberships: [{ role: 'mediateur', collectiviteId: villeurbanne }],
    });
    const other = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('id', '!=', villeurbanne)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await createUser(t.db.db, {
      email: FOREIGN_COORDINATOR,
      name: 'Corentin Ailleurs',
      password: DEMO_PASSWORD,
      totpSecret: TOTP,
      memberships: [{ role: 'coordinateur', collectiviteId: other.id }],
    });
    coordinatorId = (
      await t.db.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', coordinator.email)
        .executeTakeFirstOrThrow()
    ).id;
    coordinatorClient = new Client(t.app);
    await coordinatorClient.signIn(coordinator.email);
  });
  after(() => t.close());

  test('the coordinator sees the helpers of their collectivité, the rule, and a form per helper', async () => {
    const page = await coordinatorClient.get('/admin/habilitations');
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Habilitation des aidants aux mandats');
    assert.match(page.body, /Seuls les aidants habilités créent et utilisent des mandats/);
    assert.match(page.body, /pendant cinq mois reçoit un avertissement par\s+courriel/);
    assert.match(page.body, /inactif un mois de plus, il perd son habilitation/);
    assert.match(page.body, /<h2>Aidants de Ville de Villeurbanne<\/h2>/);
    // The demo helper was habilitated by the demo data; the new one not yet.
    assert.match(
      page.body,
      /Habilité depuis le \d{1,2} \S+ \d{4} \(formation du 10 mars 2026, certifiée par Aidants Connect — formation des aidants habilités\)/,
    );
    assert.match(page.body, new RegExp(`action="/admin/habilitations/${demoHelper.userId}/retirer"`));
    const row = page.body.slice(page.body.indexOf(NEW_HELPER.name));
    assert.match(
      row,
      /^Nadia Nouvelle<\/th>\s*<td>nadia\.nouvelle@villeurbanne\.example<\/td>\s*<td>Non habilité/,
    );
    assert.match(page.body, new RegExp(`action="/admin/habilitations/${newHelperId}"`));
    // A coordinator of one collectivité has nothing to choose.
    assert.doesNotMatch(page.body, /name="collectivite"/);
    await assertValidHtml(page.body);
  });

  test('a future training date or a missing certifier is refused with its message, and nothing is written', async () => {
    const before = await snapshot(newHelperId);
    const cases: [Record<string, string>, RegExp][] = [
      [
        { dateFormation: addDays(parisToday(), 1), certifiePar: 'Aidants Connect' },
        /La date de la formation ne peut pas être dans le futur\./,
      ],
      [
        { dateFormation: '2026-01-15', certifiePar: '   ' },
        /Saisissez l’organisme ou la personne qui a certifié la formation\./,
      ],
      [
        { dateFormation: '2014-12-31', certifiePar: 'Aidants Connect' },
        /La date de la formation ne peut pas être antérieure à 2015\./,
      ],
      [{ dateFormation: '2026-02-30', certifiePar: 'Aidants Connect' }, /au format JJ\/MM\/AAAA/],
      [{ dateFormation: '', certifiePar: 'Aidants Connect' }, /Saisissez la date de la formation\./],
    ];
    for (const [fields, message] of cases) {
      await coordinatorClient.get('/admin/habilitations');
      const res = await coordinatorClient.post(`/admin/habilitations/${newHelperId}`, fields);
      assert.equal(res.statusCode, 400, JSON.stringify(fields));
      const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.body)?.[0] ?? '';
      assert.match(summary, message);
      // The summary leads to the field of this helper's row, which keeps what was typed.
      assert.match(summary, new RegExp(`href="#champ-(dateFormation|certifiePar)-${newHelperId}"`));
      if (fields.dateFormation)
        assert.match(res.body, new RegExp(`value="${fields.dateFormation}"`), 'the typed date is kept');
      await assertValidHtml(res.body);
    }
    assert.deepEqual(await snapshot(newHelperId), before);
    assert.equal(await isHabilitated(t.db.db, newHelperId), false);
  });

  test('a withdrawal without a motive is refused, and the helper stays habilitated', async () => {
    const before = await snapshot(demoHelper.userId);
    await coordinatorClient.get('/admin/habilitations');
    const res = await coordinatorClient.post(`/admin/habilitations/${demoHelper.userId}/retirer`, {
      motif: ' ',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Saisissez le motif du retrait\./);
    assert.match(res.body, new RegExp(`href="#champ-motif-${demoHelper.userId}"`));
    assert.deepEqual(await snapshot(demoHelper.userId), before);
    assert.equal(await isHabilitated(t.db.db, demoHelper.userId), true);
  });

  test('the coordinator grants a habilitation, then withdraws it, each journaled', async () => {
    await coordinatorClient.get('/admin/habilitations');
    const granted = await coordinatorClient.post(`/admin/habilitations/${newHelperId}`, {
      dateFormation: '15/01/2026',
      certifiePar: '  Aidants Connect — formation initiale ',
    });
    assert.equal(granted.statusCode, 303);
    assert.equal(granted.headers.location, `/admin/habilitations?collectivite=${villeurbanne}&ok=accordee`);
    assert.equal(await isHabilitated(t.db.db, newHelperId), true);
    const row = await t.db.db
      .selectFrom('habilitation')
      .selectAll()
      .where('user_id', '=', newHelperId)
      .executeTakeFirstOrThrow();
    assert.equal(row.date_formation, '2026-01-15');
    assert.equal(row.certified_by, 'Aidants Connect — formation initiale');
    assert.equal(row.granted_by, coordinatorId);
    assert.equal(row.collectivite_id, villeurbanne);
    const accordee = await journalOf('habilitation.accordee', newHelperId);
    assert.equal(accordee.length, 1);
    assert.equal(accordee[0]!.actor_user_id, coordinatorId);
    assert.equal(accordee[0]!.collectivite_id, villeurbanne);
    assert.equal(accordee[0]!.subject_type, 'user');
    assert.deepEqual(accordee[0]!.details, {
      dateFormation: '2026-01-15',
      certifiePar: 'Aidants Connect — formation initiale',
    });

    const shown = await coordinatorClient.get(granted.headers.location!);
    assert.match(shown.body, /notice--success/);
    assert.match(shown.body, /L’habilitation est enregistrée/);
    assert.match(
      shown.body,
      /Habilité depuis le \d{1,2} \S+ \d{4} \(formation du 15 janvier 2026, certifiée par Aidants Connect — formation initiale\)/,
    );
    assert.match(shown.body, new RegExp(`action="/admin/habilitations/${newHelperId}/retirer"`));

    const withdrawn = await coordinatorClient.post(`/admin/habilitations/${newHelperId}/retirer`, {
      motif: 'A quitté la structure',
    });
    assert.equal(withdrawn.statusCode, 303);
    assert.equal(withdrawn.headers.location, `/admin/habilitations?collectivite=${villeurbanne}&ok=retiree`);
    assert.equal(await isHabilitated(t.db.db, newHelperId), false);
    const retiree = await journalOf('habilitation.retiree', newHelperId);
    assert.equal(retiree.length, 1);
    assert.equal(retiree[0]!.actor_user_id, coordinatorId);
    assert.equal(retiree[0]!.collectivite_id, villeurbanne);
    assert.deepEqual(retiree[0]!.details, { motif: 'A quitté la structure' });
    const after = await coordinatorClient.get(withdrawn.headers.location!);
    assert.match(after.body, /L’habilitation est retirée/);
    assert.match(after.body, /Habilitation retirée le \d{1,2} \S+ \d{4} : A quitté la structure/);
    assert.match(after.body, /Habiliter de nouveau/);
    await assertValidHtml(after.body);

    // Nothing left to withdraw: refused, and not journaled twice.
    const again = await coordinatorClient.post(`/admin/habilitations/${newHelperId}/retirer`, {
      motif: 'Encore',
    });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /Cet aidant n’est pas habilité : il n’y a rien à retirer\./);
    assert.equal((await journalOf('habilitation.retiree', newHelperId)).length, 1);
  });

  test('a coordinator of another collectivité neither sees nor changes these helpers', async () => {
    const c = new Client(t.app);
    await c.signIn(FOREIGN_COORDINATOR, DEMO_PASSWORD, TOTP);
    const page = await c.get('/admin/habilitations');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Villeurbanne/);
    assert.doesNotMatch(page.body, new RegExp(demoHelper.userId));
    assert.match(page.body, /Aucun aidant \(médiateur numérique\) n’est rattaché à cette collectivité/);
    // Asking for Villeurbanne by its number shows their own collectivité still.
    const asked = await c.get(`/admin/habilitations?collectivite=${villeurbanne}`);
    assert.doesNotMatch(asked.body, /Villeurbanne/);

    const before = await snapshot(demoHelper.userId);
    const grant = await c.post(`/admin/habilitations/${newHelperId}`, {
      dateFormation: '2026-01-15',
      certifiePar: 'Aidants Connect',
    });
    assert.equal(grant.statusCode, 403);
    assert.match(grant.body, /Seuls les coordinateurs et les administrateurs de l’OPSN habilitent/);
    await c.get('/admin/habilitations');
    const withdraw = await c.post(`/admin/habilitations/${demoHelper.userId}/retirer`, { motif: 'Non' });
    assert.equal(withdraw.statusCode, 403);
    assert.deepEqual(await snapshot(demoHelper.userId), before);
    assert.equal(await isHabilitated(t.db.db, newHelperId), false);
    assert.equal(await isHabilitated(t.db.db, demoHelper.userId), true);
  });

  test('a helper may not see the list nor habilitate anyone, themselves included', async () => {
    const c = new Client(t.app);
    await c.signIn(HELPER_EMAIL);
    const page = await c.get('/admin/habilitations');
    assert.equal(page.statusCode, 403);
    assert.doesNotMatch(page.body, /Nadia Nouvelle/);
    await c.get('/espace');
    const before = await snapshot(newHelperId);
    const res = await c.post(`/admin/habilitations/${newHelperId}`, {
      dateFormation: '2026-01-15',
      certifiePar: 'Moi-même',
    });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(await snapshot(newHelperId), before);
  });

  test('an unknown person, or one who is not a helper, is not found', async () => {
    await coordinatorClient.get('/admin/habilitations');
    const unknown = await coordinatorClient.post(
      '/admin/habilitations/00000000-0000-4000-8000-000000000000',
      {
        dateFormation: '2026-01-15',
        certifiePar: 'Aidants Connect',
      },
    );
    assert.equal(unknown.statusCode, 404);
    await coordinatorClient.get('/admin/habilitations');
    const notAHelper = await coordinatorClient.post(`/admin/habilitations/${coordinatorId}`, {
      dateFormation: '2026-01-15',
      certifiePar: 'Aidants Connect',
    });
    assert.equal(notAHelper.statusCode, 404);
    await coordinatorClient.get('/admin/habilitations');
    const garbage = await coordinatorClient.post('/admin/habilitations/pas-un-identifiant/retirer', {
      motif: 'x',
    });
    assert.equal(garbage.statusCode, 404);
    assert.equal(
      await t.db.db
        .selectFrom('habilitation')
        .select('user_id')
        .where('user_id', '=', coordinatorId)
        .executeTakeFirst(),
      undefined,
    );
  });

  test('an administrator chooses the collectivité, and withdrawing ends the helper’s access to mandates', async () => {
    const c = new Client(t.app);
    await c.signIn(admin.email);
    const first = await c.get('/admin/habilitations');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /<select id="champ-collectivite" name="collectivite"/);
    assert.match(first.body, new RegExp(`<h2>Aidants de ${DEMO_MEMBER_NAMES[0]}</h2>`));
    await assertValidHtml(first.body);

    const chosen = await c.get(`/admin/habilitations?collectivite=${villeurbanne}`);
    assert.match(chosen.body, /<h2>Aidants de Ville de Villeurbanne<\/h2>/);
    assert.match(chosen.body, new RegExp(`<option value="${villeurbanne}" selected`));
    assert.match(chosen.body, /Mehdi Médiateur/);

    await requireHabilitatedHelper(t.db.db, demoHelper.actor);
    const withdrawn = await c.post(`/admin/habilitations/${demoHelper.userId}/retirer`, {
      motif: 'Formation à renouveler',
    });
    assert.equal(withdrawn.statusCode, 303);
    assert.equal(withdrawn.headers.location, `/admin/habilitations?collectivite=${villeurbanne}&ok=retiree`);
    assert.equal(await isHabilitated(t.db.db, demoHelper.userId), false);
    await assert.rejects(requireHabilitatedHelper(t.db.db, demoHelper.actor), ForbiddenError);
    const adminId = (
      await t.db.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', admin.email)
        .executeTakeFirstOrThrow()
    ).id;
    const journaled = await journalOf('habilitation.retiree', demoHelper.userId);
    assert.equal(journaled.length, 1);
    assert.equal(journaled[0]!.actor_user_id, adminId);
    assert.deepEqual(journaled[0]!.details, { motif: 'Formation à renouveler' });

    // Granted again, the habilitation is whole again (no trace of the withdrawal).
    const page = await c.get(withdrawn.headers.location!);
    assert.match(page.body, /Habilitation retirée le .+ : Formation à renouveler/);
    const regranted = await c.post(`/admin/habilitations/${demoHelper.userId}`, {
      dateFormation: '2026-01-20',
      certifiePar: 'Aidants Connect — recyclage',
    });
    assert.equal(regranted.statusCode, 303);
    const row = await t.db.db
      .selectFrom('habilitation')
      .selectAll()
      .where('user_id', '=', demoHelper.userId)
      .executeTakeFirstOrThrow();
    assert.equal(row.withdrawn_at, null);
    assert.equal(row.motif_retrait, null);
    assert.equal(row.granted_by, adminId);
    assert.equal(await isHabilitated(t.db.db, demoHelper.userId), true);
  });
});

describe('mandates: habilitating an account one invited oneself', () => {
  let t: TestApp;
  let villeurbanne: number;

  before(async () => {
    t = await createTestApp({ demo: true });
    villeurbanne = (await helperOf(t.db.db, HELPER_EMAIL)).collectiviteId;
  });
  after(() => t.close());

  /** Invites a helper of Villeurbanne through the people page, as `client`; returns their id. */
  const inviteHelper = async (client: Client, email: string) => {
    await client.get('/admin/personnes');
    const res = await client.post('/admin/personnes', {
      name: 'Compte Contrôlé',
      email,
      role: 'mediateur',
      collectiviteId: String(villeurbanne),
    });
    assert.equal(res.statusCode, 303, res.body);
    return (
      await t.db.db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    ).id;
  };
  const grant = async (client: Client, userId: string) => {
    await client.get('/admin/habilitations');
    return client.post(`/admin/habilitations/${userId}`, {
      dateFormation: '15/01/2026',
      certifiePar: 'Aidants Connect — formation initiale',
    });
  };
  const flags = (userId: string) =>
    t.db.db
      .selectFrom('audit_event')
      .select(['actor_user_id', 'details'])
      .where('action', '=', 'habilitation.auto_invitation')
      .where('subject_id', '=', userId)
      .execute();

  test('a coordinator cannot habilitate an account they invited; another coordinator can', async () => {
    const coordinatorClient = new Client(t.app);
    await coordinatorClient.signIn(coordinator.email);
    const puppet = await inviteHelper(coordinatorClient, 'boite-du-coordinateur@example.org');
    const journalBefore = (
      await t.db.db.selectFrom('audit_event').select('id').where('action', 'like', 'habilitation.%').execute()
    ).length;
    const refused = await grant(coordinatorClient, puppet);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Vous avez invité ce compte vous-même/);
    assert.equal(await isHabilitated(t.db.db, puppet), false);
    const journalAfter = (
      await t.db.db.selectFrom('audit_event').select('id').where('action', 'like', 'habilitation.%').execute()
    ).length;
    assert.equal(journalAfter, journalBefore);

    await createUser(t.db.db, {
      email: 'deuxieme.coordination@villeurbanne.example',
      name: 'Delphine Seconde',
      password: DEMO_PASSWORD,
      totpSecret: TOTP,
      memberships: [{ role: 'coordinateur', collectiviteId: villeurbanne }],
    });
    const second = new Client(t.app);
    await second.signIn('deuxieme.coordination@villeurbanne.example', DEMO_PASSWORD, TOTP);
    assert.equal((await grant(second, puppet)).statusCode, 303);
    assert.equal(await isHabilitated(t.db.db, puppet), true);
    assert.deepEqual(await flags(puppet), []);
  });

  test('an administrator is warned, may go on, and the journal flags the sequence', async () => {
    const adminClient = new Client(t.app);
    await adminClient.signIn(admin.email);
    const puppet = await inviteHelper(adminClient, 'boite-de-l-administrateur@example.org');
    const page = await adminClient.get(`/admin/habilitations?collectivite=${villeurbanne}`);
    assert.match(page.body, /Attention : vous avez invité ce compte vous-même/);
    const granted = await grant(adminClient, puppet);
    assert.equal(granted.statusCode, 303);
    assert.equal(await isHabilitated(t.db.db, puppet), true);
    const adminId = (
      await t.db.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', admin.email)
        .executeTakeFirstOrThrow()
    ).id;
    const flagged = await flags(puppet);
    assert.equal(flagged.length, 1);
    assert.equal(flagged[0]!.actor_user_id, adminId);
    assert.deepEqual(flagged[0]!.details, { invitePar: adminId });
  });
});
