import assert from 'node:assert/strict';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { defaultCollectiviteId, loadMemberships } from '../../platform/auth/sessions.ts';
import { createUser } from '../../platform/auth/users.ts';
import { codes } from '../../platform/forms.ts';
import { addDays, parisToday } from '../../platform/paris-time.ts';
import { createBeneficiary, GENRES, STATUTS, TRANCHES_AGE, trancheAge } from '../beneficiaires/index.ts';
import { DEMO_PASSWORD } from '../comptes/index.ts';
import { type Helper, helperByEmail } from '../mediateurs/index.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { activitiesStream, EXPORT_HEADER } from './activity-export.ts';
import { expandAnonymous, parseActivity, rawFromForm } from './activity-schema.ts';
import {
  type ActivityFilters,
  countExportRows,
  type ExportRow,
  exportRowPages,
  recordActivity,
} from './activity-service.ts';
import { DEMO_ACTIVITY_COUNT, DEMO_HELPER_EMAIL } from './seed.ts';

/**
 * Activity reports through HTTP, as the demo helper (Villeurbanne) records them: the form in
 * its three cases and the workshop, every refusal, duplicates, pre-fill, copy, edit and
 * delete with the journal, the list and its exports, and who may do any of it.
 */

const OTHER_EMAIL = 'autre.mediatrice@villeurbanne.example';
const OTHER_TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('activity reports', () => {
  let t: TestApp;
  let mediator: Client;
  let helperId = '';
  let otherId = '';
  let places: { id: string; nom: string; code_insee: string | null }[] = [];
  let today = '';
  /** People the demo helper follows (seeded). */
  let jeanne: { id: string; annee_naissance: number | null; genre: string | null; statut: string | null };
  let hugo: { id: string };
  /** Someone only the other helper follows. */
  let stranger = '';
  /** A report of the other helper. */
  let foreignActivity = '';

  const db = () => t.db.db;

  /** Posts a form with repeated fields (checkboxes), with the CSRF token of the last page read. */
  async function send(client: Client, url: string, fields: Record<string, string | string[] | undefined>) {
    const body = new URLSearchParams();
    body.set('_csrf', client.lastCsrf ?? '');
    for (const [key, value] of Object.entries(fields))
      for (const v of [value ?? []].flat()) if (v !== undefined) body.append(key, v);
    return t.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
  }

  const individual = (over: Record<string, string | string[] | undefined> = {}) => ({
    type: 'individuel',
    date: today,
    duree: '30',
    canal: 'lieu_activite',
    lieu_id: places[0]!.id,
    materiels: ['ordinateur'],
    thematiques: ['email'],
    autonomie: 'partiellement_autonome',
    oriente: 'non',
    ...over,
  });

  const workshop = (over: Record<string, string | string[] | undefined> = {}) => ({
    type: 'collectif',
    titre: 'Découvrir la messagerie',
    niveau: 'debutant',
    date: today,
    duree: '120',
    canal: 'lieu_activite',
    lieu_id: places[0]!.id,
    materiels: ['ordinateur', 'tablette'],
    thematiques: ['email', 'securite_numerique'],
    oriente: 'non',
    ...over,
  });

  async function counts() {
    const count = async (table: 'activite' | 'participation' | 'beneficiaire' | 'audit_event') =>
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
      audit: await count('audit_event'),
    };
  }

  const newest = () =>
    db()
      .selectFrom('activite')
      .selectAll()
      .where('mediateur_id', '=', helperId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

  const participationsOf = (id: string) =>
    db().selectFrom('participation').selectAll().where('activite_id', '=', id).execute();

  const lastAudit = (action: string) =>
    db()
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', action)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();

  async function helperFor(userId: string): Promise<Helper> {
    const user = await db()
      .selectFrom('app_user')
      .select(['id', 'email', 'name'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    const memberships = await loadMemberships(db(), userId);
    const collectiviteId = defaultCollectiviteId(memberships)!;
    return {
      actor: {
        kind: 'user',
        userId,
        email: user.email,
        name: user.name,
        memberships,
        activeCollectiviteId: collectiviteId,
      },
      userId,
      collectiviteId,
    };
  }

  before(async () => {
    t = await createTestApp({ demo: true });
    today = parisToday();
    helperId = (
      await db()
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', DEMO_HELPER_EMAIL)
        .executeTakeFirstOrThrow()
    ).id;
    places = await db()
      .selectFrom('mediateur_lieu as m')
      .innerJoin('lieu as l', 'l.id', 'm.lieu_id')
      .select(['l.id', 'l.nom', 'l.code_insee'])
      .where('m.user_id', '=', helperId)
      .orderBy('l.nom')
      .execute();
    jeanne = await db()
      .selectFrom('beneficiaire')
      .select(['id', 'annee_naissance', 'genre', 'statut'])
      .where('prenom', '=', 'Jeanne')
      .where('nom', '=', 'Martin')
      .executeTakeFirstOrThrow();
    hugo = await db()
      .selectFrom('beneficiaire')
      .select('id')
      .where('prenom', '=', 'Hugo')
      .executeTakeFirstOrThrow();

    // Another helper of Villeurbanne, in a place the demo helper does not work in.
    const villeurbanne = (await findCollectiviteByCode(db(), '69266'))!;
    otherId = await createUser(db(), {
      email: OTHER_EMAIL,
      name: 'Olga Autre',
      password: DEMO_PASSWORD,
      totpSecret: OTHER_TOTP,
      memberships: [{ role: 'mediateur', collectiviteId: villeurbanne.id }],
    });
    const other = await helperFor(otherId);
    stranger = await createBeneficiary(db(), other, {
      prenom: 'Paul',
      nom: 'Inconnu',
      sans_telephone: false,
    });
    const saved = await recordActivity(db(), other, {
      type: 'individuel',
      date: today,
      duree_min: 45,
      canal: 'distance',
      thematiques: ['email'],
      beneficiaires: [stranger],
    });
    assert.ok(saved.ok);
    foreignActivity = saved.id;

    mediator = new Client(t.app);
    await mediator.signIn(DEMO_HELPER_EMAIL);
  });
  after(() => t.close());

  test('the demo helper has places, people and a year of reports', async () => {
    assert.ok(places.length >= 2, 'the published Villeurbanne places');
    assert.ok(!places.some((p) => p.nom.includes('Gratte-Ciel')), 'not the draft place');
    const { n } = await db()
      .selectFrom('activite')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('mediateur_id', '=', helperId)
      .executeTakeFirstOrThrow();
    assert.equal(n, DEMO_ACTIVITY_COUNT);
    const people = await db()
      .selectFrom('beneficiaire')
      .select('id')
      .where('created_by', '=', helperId)
      .execute();
    assert.ok(people.length >= 25);
    const kinds = await db()
      .selectFrom('activite')
      .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('mediateur_id', '=', helperId)
      .groupBy('type')
      .execute();
    assert.equal(kinds.length, 2, 'individual and collective');
    const withProcedures = await db()
      .selectFrom('activite')
      .select('id')
      .where('mediateur_id', '=', helperId)
      .where(sql<boolean>`cardinality(demarches) > 0`)
      .execute();
    assert.ok(withProcedures.length > 20, 'some procedures');
  });

  test('coordinators, administrators and anonymous people are kept out of the helper pages', async () => {
    const anyActivity = (await newest()).id;
    for (const email of ['coordination@demo.relais.example', 'admin@demo.relais.example']) {
      const client = new Client(t.app);
      await client.signIn(email);
      for (const url of [
        '/activites',
        '/activites/nouveau',
        '/activites/nouveau?type=collectif',
        '/activites/lieux',
        '/activites/export.csv',
        '/activites/export.xlsx',
        `/activites/${anyActivity}`,
        `/activites/${anyActivity}/modifier`,
      ]) {
        const res = await client.get(url);
        assert.equal(res.statusCode, 403, `${email} GET ${url}`);
      }
      await client.get('/espace');
      const before = await counts();
      for (const url of ['/activites/nouveau', `/activites/${anyActivity}/supprimer`, '/activites/lieux']) {
        const res = await send(client, url, individual());
        assert.equal(res.statusCode, 403, `${email} POST ${url}`);
      }
      assert.deepEqual((await counts()).activite, before.activite);
    }
    const anonymous = await new Client(t.app).get('/activites');
    assert.equal(anonymous.statusCode, 302);
    assert.equal(anonymous.headers.location, '/connexion');
  });

  test('a helper without places of activity proposes them first, and records once one is approved', async () => {
    const other = new Client(t.app);
    await other.signIn(OTHER_EMAIL, DEMO_PASSWORD, OTHER_TOTP);
    for (const url of ['/activites', '/activites/nouveau', `/activites/${foreignActivity}`]) {
      const res = await other.get(url);
      assert.equal(res.statusCode, 303, url);
      assert.equal(res.headers.location, '/activites/lieux');
    }
    const page = await other.get('/activites/lieux');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Avant votre premier compte rendu/);
    const choices = [...page.body.matchAll(new RegExp(`name="lieux" value="(${UUID})"`, 'g'))].map(
      (m) => m[1]!,
    );
    assert.ok(choices.length >= 3, 'the places of Villeurbanne, published or not');

    const none = await send(other, '/activites/lieux', {});
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Choisissez au moins un lieu d’activité/);
    const venissieux = await db()
      .selectFrom('lieu')
      .select('id')
      .where('code_insee', '=', '69259')
      .executeTakeFirstOrThrow();
    const foreign = await send(other, '/activites/lieux', { lieux: [choices[0]!, venissieux.id] });
    assert.equal(foreign.statusCode, 400);
    assert.match(foreign.body, /n’est pas dans vos collectivités/);
    assert.equal(
      (await db().selectFrom('mediateur_lieu').select('lieu_id').where('user_id', '=', otherId).execute())
        .length,
      0,
    );

    const draft = await db()
      .selectFrom('lieu')
      .select('id')
      .where('nom', 'like', 'Atelier numérique seniors%')
      .executeTakeFirstOrThrow();
    const saved = await send(other, '/activites/lieux', { lieux: draft.id });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/activites/lieux?ok=proposes');
    const proposed = await other.get('/activites/lieux?ok=proposes');
    assert.match(proposed.body, /proposés à votre coordinateur/);
    assert.match(proposed.body, new RegExp(`value="${draft.id}" checked`));
    assert.match(proposed.body, /\(proposé, en attente d’approbation\)/);
    assert.doesNotMatch(proposed.body, /Avant votre premier compte rendu/);
    // A proposed place opens nothing until a coordinator approves it (place-approval.test.ts).
    assert.equal((await other.get('/activites')).headers.location, '/activites/lieux');
    const coordinator = new Client(t.app);
    await coordinator.signIn('coordination@demo.relais.example');
    await coordinator.get('/admin/lieux-activite');
    const approved = await coordinator.post(`/admin/lieux-activite/${otherId}`, {
      lieu: draft.id,
      decision: 'approuver',
    });
    assert.equal(approved.statusCode, 303);
    const list = await other.get('/activites');
    assert.equal(list.statusCode, 200);
    const again = await other.get('/activites/lieux');
    assert.match(again.body, new RegExp(`value="${draft.id}" checked`));
    assert.match(again.body, /\(approuvé\)/);
    // Saving the same places again changes nothing and goes back to the reports.
    const same = await send(other, '/activites/lieux', { lieux: draft.id });
    assert.equal(same.headers.location, '/activites?ok=lieux');
    assert.match((await other.get('/activites?ok=lieux')).body, /Vos lieux d’activité ont été enregistrés/);
  });

  test('the forms are valid HTML with labels, and the places page too', async () => {
    for (const url of [
      '/activites/nouveau',
      '/activites/nouveau?type=collectif',
      '/activites',
      '/activites/lieux',
    ]) {
      const res = await mediator.get(url);
      assert.equal(res.statusCode, 200, url);
      await assertValidHtml(res.body, url);
    }
    const form = await mediator.get('/activites/nouveau');
    assert.equal(h1(form.body), 'Nouveau compte rendu individuel');
    // Every preset duration, the four kinds of place, the three kinds of person.
    for (const m of [15, 30, 45, 60, 90, 120]) assert.match(form.body, new RegExp(`id="duree-${m}"`));
    for (const c of ['lieu_activite', 'domicile', 'distance', 'autre_lieu'])
      assert.match(form.body, new RegExp(`id="canal-${c}"`));
    for (const p of ['existant', 'nouveau', 'anonyme'])
      assert.match(form.body, new RegExp(`id="participant-${p}"`));
    assert.match(form.body, /<optgroup label="Personnes récentes">/);
    // Notes carry the same warning as a person's record: nothing about health, religion…
    assert.match(
      form.body,
      /id="champ-notes-aide">Seulement ce qui sert à l’accompagnement\. N’écrivez rien sur la santé/,
    );
  });

  test('records an individual report with someone already followed', async () => {
    await mediator.get('/activites/nouveau');
    const before = await counts();
    const res = await send(
      mediator,
      '/activites/nouveau',
      individual({
        participant: 'existant',
        beneficiaires: jeanne.id,
        thematiques: ['aide_aux_demarches_administratives', 'sante'],
        demarches: ['social_sante', 'argent_impots'],
        oriente: 'oui',
        orientation: 'france_services',
        notes: 'Dossier de complémentaire santé commencé.',
      }),
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const id = new RegExp(`^/activites/(${UUID})\\?ok=enregistre$`).exec(res.headers.location as string)?.[1];
    assert.ok(id);
    const a = await db().selectFrom('activite').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(a.mediateur_id, helperId);
    assert.equal(a.type, 'individuel');
    assert.equal(a.date, today);
    assert.equal(a.duree_min, 30);
    assert.equal(a.lieu_id, places[0]!.id);
    assert.equal(a.commune_insee, places[0]!.code_insee, 'the place’s commune, for statistics');
    assert.deepEqual(a.demarches, ['social_sante', 'argent_impots']);
    assert.equal(a.oriente, true);
    assert.equal(a.orientation, 'france_services');
    const [p, ...others] = await participationsOf(id);
    assert.equal(others.length, 0);
    assert.equal(p!.beneficiaire_id, jeanne.id);
    assert.equal(p!.genre, jeanne.genre ?? 'non_communique');
    assert.equal(p!.tranche_age, trancheAge(jeanne.annee_naissance, new Date()));
    assert.equal(p!.statut, jeanne.statut ?? 'non_communique');
    const after = await counts();
    assert.equal(after.activite, before.activite + 1);
    assert.equal(after.beneficiaire, before.beneficiaire);
    const journal = await lastAudit('activite.create');
    assert.equal(journal?.subject_type, 'activite');
    assert.equal(journal?.subject_id, id);
    assert.doesNotMatch(JSON.stringify(journal?.details), /Jeanne|Martin|complémentaire/);

    const page = await mediator.get(res.headers.location as string);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body, 'a report');
    assert.match(page.body, /Le compte rendu a été enregistré/);
    assert.match(page.body, new RegExp(`<a href="/beneficiaires/${jeanne.id}">Jeanne Martin</a>`));
    assert.match(page.body, /Social – santé, Argent – impôts/);
    // The person's record, one click away, is theirs to see.
    assert.equal((await mediator.get(`/beneficiaires/${jeanne.id}`)).statusCode, 200);
  });

  test('records an individual report with a new person, after checking for duplicates', async () => {
    await mediator.get('/activites/nouveau');
    const before = await counts();
    const res = await send(
      mediator,
      '/activites/nouveau',
      individual({
        participant: 'nouveau',
        'nouveau_beneficiaire.prenom': 'Zoé',
        'nouveau_beneficiaire.nom': 'Nouvelle',
        'nouveau_beneficiaire.annee_naissance': '1990',
        'nouveau_beneficiaire.commune_insee': 'Vaulx-en-Velin',
        'nouveau_beneficiaire.genre': 'feminin',
        'nouveau_beneficiaire.statut': 'en_emploi',
        'nouveau_beneficiaire.sans_telephone': 'oui',
      }),
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    const a = await newest();
    const [p] = await participationsOf(a.id);
    const person = await db()
      .selectFrom('beneficiaire')
      .selectAll()
      .where('id', '=', p!.beneficiaire_id!)
      .executeTakeFirstOrThrow();
    assert.equal(person.prenom, 'Zoé');
    assert.equal(person.created_by, helperId);
    assert.equal(person.commune_insee, '69256', 'the commune typed by name, stored by its INSEE code');
    assert.equal(person.sans_telephone, true);
    assert.deepEqual(
      { genre: p!.genre, tranche_age: p!.tranche_age, statut: p!.statut, commune: p!.commune_insee },
      { genre: 'feminin', tranche_age: trancheAge(1990, new Date()), statut: 'en_emploi', commune: '69256' },
    );
    const after = await counts();
    assert.equal(after.beneficiaire, before.beneficiaire + 1);
    assert.equal(after.activite, before.activite + 1);
    assert.ok(await lastAudit('beneficiaire.create'));
  });

  test('a new person who may already be followed: the helper sees the candidate and chooses', async () => {
    await mediator.get('/activites/nouveau');
    const fields = individual({
      participant: 'nouveau',
      'nouveau_beneficiaire.prenom': 'jeanne',
      'nouveau_beneficiaire.nom': 'MARTIN',
      'nouveau_beneficiaire.annee_naissance': String(jeanne.annee_naissance),
      thematiques: ['sante'],
    });
    const before = await counts();
    const shown = await send(mediator, '/activites/nouveau', fields);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Cette personne est peut-être déjà suivie/);
    assert.match(shown.body, new RegExp(`name="doublon" value="${jeanne.id}"`));
    assert.match(shown.body, /Jeanne Martin \(1948/);
    assert.match(shown.body, /value="jeanne"/, 'what was typed is kept');
    await assertValidHtml(shown.body, 'the page with possible duplicates');
    assert.deepEqual(await counts(), before, 'nothing saved yet');

    // It is her: the report goes to the existing record, no new one.
    const same = await send(mediator, '/activites/nouveau', { ...fields, doublon: jeanne.id });
    assert.equal(same.statusCode, 303);
    const a = await newest();
    assert.equal((await participationsOf(a.id))[0]!.beneficiaire_id, jeanne.id);
    assert.equal((await counts()).beneficiaire, before.beneficiaire);

    // Another person with the same name: created on confirmation.
    await mediator.get('/activites/nouveau');
    const other = await send(mediator, '/activites/nouveau', { ...fields, doublon: 'nouveau' });
    assert.equal(other.statusCode, 303);
    assert.equal((await counts()).beneficiaire, before.beneficiaire + 1);
  });

  test('records an anonymous individual report, the commune resolved from its name', async () => {
    await mediator.get('/activites/nouveau');
    const res = await send(
      mediator,
      '/activites/nouveau',
      individual({
        participant: 'anonyme',
        canal: 'domicile',
        duree: 'autre',
        duree_autre: '50',
        'anonyme.genre': 'masculin',
        'anonyme.tranche_age': 'plus_70',
        'anonyme.statut': 'retraite',
        'anonyme.commune': 'Bron',
      }),
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    const a = await newest();
    assert.equal(a.canal, 'domicile');
    assert.equal(a.lieu_id, null);
    assert.equal(a.duree_min, 50);
    assert.equal(a.commune_insee, '69029', 'at home: the person’s commune');
    const rows = await participationsOf(a.id);
    assert.deepEqual(
      rows.map((p) => [p.beneficiaire_id, p.genre, p.tranche_age, p.statut, p.commune_insee]),
      [[null, 'masculin', 'plus_70', 'retraite', '69029']],
    );
  });

  test('records a workshop with known and anonymous participants', async () => {
    await mediator.get('/activites/nouveau?type=collectif');
    const res = await send(
      mediator,
      '/activites/nouveau',
      workshop({
        beneficiaires: [jeanne.id, hugo.id],
        'anonymes.total': '5',
        'anonymes.genres.feminin': '3',
        'anonymes.genres.masculin': '1',
        'anonymes.tranches_age.de_60_a_69': '2',
        'anonymes.tranches_age.plus_70': '1',
        'anonymes.statuts.retraite': '3',
        canal: 'autre_lieu',
        commune: '69123',
      }),
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    const a = await newest();
    assert.equal(a.type, 'collectif');
    assert.equal(a.titre, 'Découvrir la messagerie');
    assert.equal(a.niveau, 'debutant');
    assert.equal(a.canal, 'autre_lieu');
    assert.equal(a.commune_insee, '69123');
    assert.equal(a.autonomie, null);
    const rows = await participationsOf(a.id);
    assert.equal(rows.length, 7);
    const known = rows.filter((p) => p.beneficiaire_id !== null);
    assert.deepEqual(known.map((p) => p.beneficiaire_id).sort(), [jeanne.id, hugo.id].sort());
    const jeanneRow = known.find((p) => p.beneficiaire_id === jeanne.id)!;
    assert.equal(jeanneRow.tranche_age, trancheAge(jeanne.annee_naissance, new Date()));
    const anonymous = rows.filter((p) => p.beneficiaire_id === null);
    const tally = (key: 'genre' | 'tranche_age' | 'statut') =>
      Object.fromEntries(
        [...new Set(anonymous.map((p) => p[key]))]
          .sort()
          .map((v) => [v, anonymous.filter((p) => p[key] === v).length]),
      );
    assert.deepEqual(tally('genre'), { feminin: 3, masculin: 1, non_communique: 1 });
    assert.deepEqual(tally('tranche_age'), { de_60_a_69: 2, non_communique: 2, plus_70: 1 });
    assert.deepEqual(tally('statut'), { non_communique: 2, retraite: 3 });
    assert.ok(rows.every((p) => p.date === today && p.collectivite_id === a.collectivite_id));
    const journal = await lastAudit('activite.create');
    assert.equal(journal?.subject_id, a.id);
    assert.equal((journal?.details as { participants?: number } | undefined)?.participants, 7);
  });

  test('a workshop creates a new participant on its form, after checking for duplicates', async () => {
    // Titled apart: the duplicating test copies the latest « Découvrir la messagerie ».
    const ownWorkshop = (over: Record<string, string | string[] | undefined>) =>
      workshop({ titre: 'Premiers pas sur la tablette', ...over });
    const form = await mediator.get('/activites/nouveau?type=collectif');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="nouveau_beneficiaire\.prenom"/, 'the workshop form offers a new person');
    await assertValidHtml(form.body, 'the workshop form');

    const before = await counts();
    const res = await send(
      mediator,
      '/activites/nouveau',
      ownWorkshop({
        beneficiaires: [hugo.id],
        'anonymes.total': '2',
        'nouveau_beneficiaire.prenom': 'Léon',
        'nouveau_beneficiaire.nom': 'Delatelier',
        'nouveau_beneficiaire.annee_naissance': '1975',
        'nouveau_beneficiaire.commune_insee': 'Bron',
        'nouveau_beneficiaire.genre': 'masculin',
      }),
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    const a = await newest();
    assert.equal(a.type, 'collectif');
    const rows = await participationsOf(a.id);
    assert.equal(rows.length, 4, 'Hugo, the new person and two anonymous participants');
    const leon = await db()
      .selectFrom('beneficiaire')
      .selectAll()
      .where('nom', '=', 'Delatelier')
      .executeTakeFirstOrThrow();
    assert.equal(leon.created_by, helperId);
    assert.equal(leon.commune_insee, '69029');
    assert.deepEqual(
      rows
        .map((p) => p.beneficiaire_id)
        .filter((id) => id !== null)
        .sort(),
      [hugo.id, leon.id].sort(),
    );
    const leonRow = rows.find((p) => p.beneficiaire_id === leon.id)!;
    assert.deepEqual([leonRow.genre, leonRow.commune_insee], ['masculin', '69029']);
    const after = await counts();
    assert.equal(after.beneficiaire, before.beneficiaire + 1);
    assert.equal(after.activite, before.activite + 1);
    assert.equal((await lastAudit('beneficiaire.create'))?.subject_id, leon.id);

    // Someone who may already be followed: the helper chooses, nothing is saved meanwhile.
    await mediator.get('/activites/nouveau?type=collectif');
    const fields = ownWorkshop({
      beneficiaires: [hugo.id],
      'anonymes.total': '',
      'nouveau_beneficiaire.prenom': 'jeanne',
      'nouveau_beneficiaire.nom': 'MARTIN',
      'nouveau_beneficiaire.annee_naissance': String(jeanne.annee_naissance),
    });
    const shown = await send(mediator, '/activites/nouveau', fields);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Cette personne est peut-être déjà suivie/);
    assert.match(shown.body, new RegExp(`name="doublon" value="${jeanne.id}"`));
    assert.match(shown.body, /value="jeanne"/, 'what was typed is kept');
    await assertValidHtml(shown.body, 'the workshop form with possible duplicates');
    assert.deepEqual(await counts(), after, 'nothing saved yet');
    const same = await send(mediator, '/activites/nouveau', { ...fields, doublon: jeanne.id });
    assert.equal(same.statusCode, 303, same.body.slice(0, 2000));
    const withJeanne = await participationsOf((await newest()).id);
    assert.deepEqual(withJeanne.map((p) => p.beneficiaire_id).sort(), [hugo.id, jeanne.id].sort());
    assert.equal((await counts()).beneficiaire, after.beneficiaire, 'no new record: it was her');

    // A new person alone makes a workshop; a bad value is refused next to its field.
    await mediator.get('/activites/nouveau?type=collectif');
    const bad = await send(
      mediator,
      '/activites/nouveau',
      ownWorkshop({
        'anonymes.total': '',
        'nouveau_beneficiaire.nom': 'Sansdate',
        'nouveau_beneficiaire.annee_naissance': '1850',
      }),
    );
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.body.includes('href="#champ-nouveau_beneficiaire.annee_naissance"'));
    assert.ok(bad.body.includes('Année de naissance : après 1900'));
    const alone = await send(
      mediator,
      '/activites/nouveau',
      ownWorkshop({ 'anonymes.total': '', 'nouveau_beneficiaire.nom': 'Seul' }),
    );
    assert.equal(alone.statusCode, 303, alone.body.slice(0, 2000));
    assert.equal((await participationsOf((await newest()).id)).length, 1);

    // Changing the workshop adds another new person to it.
    const edited = await newest();
    await mediator.get(`/activites/${edited.id}/modifier`);
    const more = await send(
      mediator,
      `/activites/${edited.id}/modifier`,
      ownWorkshop({
        beneficiaires: (await participationsOf(edited.id)).map((p) => p.beneficiaire_id!),
        'anonymes.total': '0',
        'nouveau_beneficiaire.prenom': 'Ada',
        'nouveau_beneficiaire.nom': 'Enplus',
      }),
    );
    assert.equal(more.statusCode, 303, more.body.slice(0, 2000));
    assert.equal((await participationsOf(edited.id)).length, 2);
  });

  test('bad input is refused with a French reason per field, and nothing is saved', async () => {
    const tomorrow = addDays(today, 1);
    const cases: [string, Record<string, string | string[] | undefined>, string, string][] = [
      [
        'future date',
        individual({ participant: 'anonyme', date: tomorrow }),
        'date',
        'Date : l’accompagnement ne peut pas être dans le futur',
      ],
      [
        'before 2015',
        individual({ participant: 'anonyme', date: '2014-12-31' }),
        'date',
        'Date : pas avant le 1er janvier 2015',
      ],
      [
        'no duration',
        individual({ participant: 'anonyme', duree: 'autre', duree_autre: '0' }),
        'duree',
        'Durée : au moins 1 minute',
      ],
      [
        'over 12 hours',
        individual({ participant: 'anonyme', duree: 'autre', duree_autre: '721' }),
        'duree',
        'Durée : 12 heures au plus (720 minutes)',
      ],
      [
        'someone from another place',
        individual({ participant: 'existant', beneficiaires: stranger }),
        'beneficiaires',
        'Personne accompagnée : cette personne n’est pas suivie dans vos lieux d’activité',
      ],
      [
        'a theme outside the vocabulary',
        individual({ participant: 'anonyme', thematiques: ['email', 'piratage'] }),
        'thematiques',
        'Thématiques : « piratage » n’est pas une thématique de la liste',
      ],
      [
        'equipment outside the vocabulary',
        individual({ participant: 'anonyme', materiels: ['minitel'] }),
        'materiels',
        'Matériel : « minitel » n’est pas un matériel de la liste',
      ],
      [
        'a procedure outside the vocabulary',
        individual({
          participant: 'anonyme',
          thematiques: ['aide_aux_demarches_administratives'],
          demarches: ['impots_locaux'],
        }),
        'demarches',
        'Démarches : « impots_locaux » n’est pas une démarche de la liste',
      ],
      [
        'procedures without the procedures theme',
        individual({ participant: 'anonyme', demarches: ['logement'] }),
        'demarches',
        'Démarches : cochez aussi la thématique « Aide aux démarches administratives »',
      ],
      [
        'more in a breakdown than in total',
        workshop({ 'anonymes.total': '5', 'anonymes.genres.feminin': '4', 'anonymes.genres.masculin': '2' }),
        'anonymes.genres',
        'Répartition par genre : 6 personnes réparties, plus que les 5 participants anonymes',
      ],
      [
        'an individual report without anyone',
        individual({ participant: 'existant' }),
        'participant',
        'Personne accompagnée : choisissez une personne déjà suivie, créez-en une ou indiquez une personne anonyme',
      ],
      [
        'an individual report with two people',
        individual({ participant: 'existant', beneficiaires: [jeanne.id, hugo.id] }),
        'participant',
        'Personne accompagnée : un accompagnement individuel concerne exactement une personne',
      ],
      [
        'a new person with a bad birth year',
        individual({
          participant: 'nouveau',
          'nouveau_beneficiaire.nom': 'Sansdate',
          'nouveau_beneficiaire.annee_naissance': '1850',
        }),
        'nouveau_beneficiaire.annee_naissance',
        'Année de naissance : après 1900',
      ],
      [
        'another place without commune',
        individual({ participant: 'anonyme', canal: 'autre_lieu' }),
        'commune',
        'Commune : saisissez la commune',
      ],
      [
        'an ambiguous commune code',
        individual({ participant: 'anonyme', canal: 'autre_lieu', commune: '69100' }),
        'commune',
        'Commune : 69100 est le code INSEE d’Irigny et le code postal de Villeurbanne',
      ],
      [
        'a workshop without title',
        workshop({ titre: '', 'anonymes.total': '3' }),
        'titre',
        'Titre de l’atelier : saisissez le titre',
      ],
    ];
    for (const [what, fields, field, message] of cases) {
      await mediator.get('/activites/nouveau');
      const before = await counts();
      const res = await send(mediator, '/activites/nouveau', fields);
      assert.equal(res.statusCode, 400, what);
      assert.ok(res.body.includes(message), `${what}: « ${message} » in the page`);
      assert.match(res.body, /Il y a un problème/, `${what}: error summary`);
      assert.ok(res.body.includes(`href="#champ-${field}"`), `${what}: the summary links to ${field}`);
      assert.ok(res.body.includes(`id="champ-${field}"`), `${what}: the field ${field} exists`);
      assert.deepEqual(await counts(), before, `${what}: nothing saved`);
    }
    // Several mistakes at once: each is named next to its field.
    const many = await send(
      mediator,
      '/activites/nouveau',
      individual({ participant: 'anonyme', duree: 'autre', duree_autre: '0', date: '2014-01-01' }),
    );
    assert.match(many.body, /Durée : au moins 1 minute/);
    assert.match(many.body, /Date : pas avant le 1er janvier 2015/);
    // What was typed comes back.
    assert.match(many.body, /name="duree_autre" value="0"/);
    await assertValidHtml(many.body, 'a form with errors');
    const workshopErrors = await send(
      mediator,
      '/activites/nouveau',
      workshop({
        titre: '',
        'anonymes.total': '1',
        'anonymes.statuts.retraite': '2',
        beneficiaires: stranger,
      }),
    );
    assert.equal(workshopErrors.statusCode, 400);
    await assertValidHtml(workshopErrors.body, 'a workshop form with errors');
  });

  test('searching for a person without JavaScript keeps what was typed', async () => {
    await mediator.get('/activites/nouveau');
    const res = await send(
      mediator,
      '/activites/nouveau',
      individual({ participant: 'existant', q: 'fontaine', action: 'rechercher', notes: 'à garder' }),
    );
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /1 personne trouvée/);
    assert.match(
      res.body,
      /<optgroup label="Résultats de la recherche"><option value="[^"]+">Bernard Fontaine/,
    );
    assert.match(res.body, />à garder<\/textarea>/);
    // Enter in another field sends the search button with no words: the page says nothing was saved.
    const before = await counts();
    const enter = await send(
      mediator,
      '/activites/nouveau',
      individual({ participant: 'anonyme', action: 'rechercher' }),
    );
    assert.equal(enter.statusCode, 200);
    assert.match(enter.body, /Rien n’est encore enregistré/);
    assert.deepEqual(await counts(), before);
    const none = await mediator.get('/activites/nouveau?q=Inconnu');
    assert.match(
      none.body,
      /Personne ne correspond à cette recherche/,
      'the other helper’s person stays hidden',
    );
  });

  test('a new report starts from the place and duration of the last one', async () => {
    await mediator.get('/activites/nouveau');
    const res = await send(
      mediator,
      '/activites/nouveau',
      individual({ participant: 'anonyme', lieu_id: places[1]!.id, duree: '90' }),
    );
    assert.equal(res.statusCode, 303);
    const form = await mediator.get('/activites/nouveau?type=collectif');
    assert.match(form.body, /repris de votre dernier compte rendu/);
    assert.match(form.body, /id="duree-90"[^>]*checked/);
    assert.match(form.body, /id="canal-lieu_activite"[^>]*checked/);
    assert.match(form.body, new RegExp(`<option value="${places[1]!.id}" selected`));
    assert.match(form.body, new RegExp(`name="date" type="date" value="${today}"`));
  });

  test('duplicating: a workshop keeps its participants, an individual report does not', async () => {
    const source = await db()
      .selectFrom('activite')
      .selectAll()
      .where('mediateur_id', '=', helperId)
      .where('type', '=', 'collectif')
      .where('titre', '=', 'Découvrir la messagerie')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const copy = await mediator.get(`/activites/${source.id}/dupliquer`);
    assert.equal(copy.statusCode, 200);
    assert.match(copy.body, /action="\/activites\/nouveau"/);
    assert.match(copy.body, new RegExp(`name="date" type="date" value="${today}"`));
    assert.match(copy.body, /name="titre" type="text" value="Découvrir la messagerie"/);
    assert.match(copy.body, /id="thematiques-securite_numerique"[^>]*checked/);
    assert.match(copy.body, new RegExp(`id="beneficiaires-${jeanne.id}"[^>]*checked`));
    assert.match(copy.body, /name="anonymes.total" type="number" value="5"/);
    assert.match(copy.body, /name="anonymes.genres.feminin" value="3"/);
    assert.match(copy.body, /décochez les absents/);

    const single = await db()
      .selectFrom('activite')
      .select('id')
      .where('mediateur_id', '=', helperId)
      .where('type', '=', 'individuel')
      .where('notes', 'is not', null)
      .executeTakeFirstOrThrow();
    const copied = await mediator.get(`/activites/${single.id}/dupliquer`);
    assert.equal(copied.statusCode, 200);
    assert.match(copied.body, /id="thematiques-sante"[^>]*checked/);
    assert.doesNotMatch(copied.body, /id="participant-\w+"[^>]*checked/, 'no person chosen');
    assert.doesNotMatch(copied.body, /complémentaire santé/, 'no notes');

    // Sending the copy as it is records a second workshop.
    const before = await counts();
    const res = await send(
      mediator,
      '/activites/nouveau',
      workshop({
        beneficiaires: [jeanne.id, hugo.id],
        'anonymes.total': '5',
        'anonymes.genres.feminin': '3',
      }),
    );
    assert.equal(res.statusCode, 303);
    assert.equal((await counts()).participation, before.participation + 7);
  });

  test('editing and deleting are journaled with the report’s id, never a name', async () => {
    await mediator.get('/activites/nouveau');
    await send(
      mediator,
      '/activites/nouveau',
      individual({ participant: 'existant', beneficiaires: hugo.id, notes: 'Hugo a un nouveau téléphone' }),
    );
    const a = await newest();
    const form = await mediator.get(`/activites/${a.id}/modifier`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /id="participant-existant"[^>]*checked/);
    assert.match(form.body, new RegExp(`<option value="${hugo.id}" selected`));
    assert.match(form.body, /id="duree-30"[^>]*checked/);

    // A refused change changes nothing.
    const refused = await send(
      mediator,
      `/activites/${a.id}/modifier`,
      individual({ participant: 'existant', beneficiaires: hugo.id, duree: 'autre', duree_autre: '900' }),
    );
    assert.equal(refused.statusCode, 400);
    assert.equal(
      (await db().selectFrom('activite').select('duree_min').where('id', '=', a.id).executeTakeFirstOrThrow())
        .duree_min,
      30,
    );

    const changed = await send(
      mediator,
      `/activites/${a.id}/modifier`,
      individual({
        participant: 'anonyme',
        'anonyme.genre': 'masculin',
        duree: '60',
        notes: 'Hugo a un nouveau téléphone',
      }),
    );
    assert.equal(changed.statusCode, 303);
    assert.equal(changed.headers.location, `/activites/${a.id}?ok=modifie`);
    const row = await db()
      .selectFrom('activite')
      .selectAll()
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.duree_min, 60);
    const rows = await participationsOf(a.id);
    assert.deepEqual(
      rows.map((p) => [p.beneficiaire_id, p.genre]),
      [[null, 'masculin']],
      'the participations are those of the new version',
    );
    const update = await lastAudit('activite.update');
    assert.equal(update?.subject_id, a.id);
    assert.deepEqual((update?.details as { champs?: string[] } | undefined)?.champs, ['duree_min']);
    assert.doesNotMatch(JSON.stringify(update?.details), /Hugo|téléphone/);

    const confirm = await mediator.get(`/activites/${a.id}/supprimer`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Supprimer ce compte rendu/);
    await assertValidHtml(confirm.body, 'the confirmation of a deletion');
    await assertValidHtml(form.body, 'the form of a change');
    const before = await counts();
    const deleted = await send(mediator, `/activites/${a.id}/supprimer`, {});
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, '/activites?ok=supprime');
    assert.equal(
      await db().selectFrom('activite').select('id').where('id', '=', a.id).executeTakeFirst(),
      undefined,
    );
    assert.equal((await participationsOf(a.id)).length, 0);
    const after = await counts();
    assert.equal(after.beneficiaire, before.beneficiaire, 'people stay');
    const journal = await lastAudit('activite.delete');
    assert.equal(journal?.subject_id, a.id);
    assert.equal((await mediator.get(`/activites/${a.id}`)).statusCode, 404);
  });

  test('another helper’s report is not found', async () => {
    for (const url of ['', '/modifier', '/dupliquer', '/supprimer']) {
      const res = await mediator.get(`/activites/${foreignActivity}${url}`);
      assert.equal(res.statusCode, 404, url);
    }
    await mediator.get('/activites');
    for (const url of ['/modifier', '/supprimer']) {
      const res = await send(
        mediator,
        `/activites/${foreignActivity}${url}`,
        individual({ participant: 'anonyme' }),
      );
      assert.equal(res.statusCode, 404, url);
    }
    const still = await db()
      .selectFrom('activite')
      .selectAll()
      .where('id', '=', foreignActivity)
      .executeTakeFirstOrThrow();
    assert.equal(still.duree_min, 45);
    assert.equal((await mediator.get('/activites/pas-un-identifiant')).statusCode, 404);
  });

  test('the list filters in the address and paginates by 25', async () => {
    const own = () => db().selectFrom('activite as a').where('a.mediateur_id', '=', helperId);
    const total = async (q = own()) =>
      (await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const shownTotal = (html: string) =>
      Number(/([\d\u202f]+) comptes? rendus?<\/p>/.exec(html)?.[1]?.replace(/\D/g, ''));
    const links = (html: string) =>
      [...html.matchAll(new RegExp(`<a href="/activites/(${UUID})">`, 'g'))].map((m) => m[1]);

    const all = await total();
    const first = await mediator.get('/activites');
    assert.equal(first.statusCode, 200);
    assert.equal(shownTotal(first.body), all);
    assert.equal(links(first.body).length, 25);
    const pages = Math.ceil(all / 25);
    assert.match(first.body, new RegExp(`Page 1 sur ${pages}`));
    const second = await mediator.get('/activites?page=2');
    assert.equal(links(second.body).length, 25);
    assert.equal(
      links(second.body).filter((id) => links(first.body).includes(id)).length,
      0,
      'no report twice',
    );
    const last = await mediator.get(`/activites?page=${pages}`);
    assert.equal(links(last.body).length, all - (pages - 1) * 25);
    assert.doesNotMatch(last.body, /Page suivante/);

    const monthAgo = addDays(today, -30);
    const jeanneIn = own().where(({ exists, selectFrom }) =>
      exists(
        selectFrom('participation as p')
          .select('p.id')
          .whereRef('p.activite_id', '=', 'a.id')
          .where('p.beneficiaire_id', '=', jeanne.id),
      ),
    );
    const filters: [string, Promise<number>][] = [
      ['type=collectif', total(own().where('a.type', '=', 'collectif'))],
      ['thematique=sante', total(own().where((eb) => eb(eb.val('sante'), '=', eb.fn.any('a.thematiques'))))],
      [`du=${monthAgo}`, total(own().where('a.date', '>=', monthAgo))],
      [`au=${monthAgo}`, total(own().where('a.date', '<=', monthAgo))],
      [`lieu=${places[1]!.id}`, total(own().where('a.lieu_id', '=', places[1]!.id))],
      ['commune=69123', total(own().where('a.commune_insee', '=', '69123'))],
      [`beneficiaire=${jeanne.id}`, total(jeanneIn)],
      [
        `type=individuel&du=${monthAgo}&thematique=email`,
        total(
          own()
            .where('a.type', '=', 'individuel')
            .where('a.date', '>=', monthAgo)
            .where((eb) => eb(eb.val('email'), '=', eb.fn.any('a.thematiques'))),
        ),
      ],
    ];
    for (const [query, expected] of filters) {
      const res = await mediator.get(`/activites?${query}`);
      assert.equal(res.statusCode, 200, query);
      const n = await expected;
      assert.ok(n > 0, `${query}: the demo data has some`);
      assert.equal(shownTotal(res.body), n, query);
      assert.match(res.body, /Effacer les filtres/);
    }
    // Pages keep the filters, and the export links carry them.
    const workshops = await mediator.get('/activites?type=collectif');
    if ((await total(own().where('a.type', '=', 'collectif'))) > 25)
      assert.match(workshops.body, /href="\/activites\?type=collectif&(amp;)?page=2"/);
    assert.match(workshops.body, /href="\/activites\/export\.xlsx\?type=collectif"/);
    assert.match(workshops.body, /<option value="collectif" selected>/);
    // What is not understood is ignored, not an error.
    const odd = await mediator.get('/activites?type=autre&du=hier&page=-3');
    assert.equal(odd.statusCode, 200);
    assert.equal(shownTotal(odd.body), all);
  });

  test('XLSX export: one row per participation, with the national header, journaled', async () => {
    const res = await mediator.get('/activites/export.xlsx?type=collectif');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /spreadsheetml/);
    assert.match(
      res.headers['content-disposition'] as string,
      /attachment; filename="comptes-rendus-.*\.xlsx"/,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    assert.deepEqual(header, [...EXPORT_HEADER]);
    const expected = (
      await db()
        .selectFrom('participation as p')
        .innerJoin('activite as a', 'a.id', 'p.activite_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('a.mediateur_id', '=', helperId)
        .where('a.type', '=', 'collectif')
        .executeTakeFirstOrThrow()
    ).n;
    assert.equal(sheet.actualRowCount - 1, expected);
    // The workshop recorded above: 7 rows, each saying 7 participants, at another place in Lyon.
    const workshopId = (
      await db()
        .selectFrom('activite')
        .select('id')
        .where('mediateur_id', '=', helperId)
        .where('commune_insee', '=', '69123')
        .where('titre', '=', 'Découvrir la messagerie')
        .executeTakeFirstOrThrow()
    ).id;
    const column = (name: (typeof EXPORT_HEADER)[number]) => EXPORT_HEADER.indexOf(name) + 1;
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1 && row.getCell(column('Identifiant du compte rendu')).value === workshopId) rows.push(row);
    });
    assert.equal(rows.length, 7);
    const row = rows[0]!;
    assert.equal(row.getCell(column('Participants')).value, 7);
    assert.equal(row.getCell(column('Type')).value, 'Atelier collectif');
    assert.equal(row.getCell(column('Canal')).value, 'Autre lieu');
    assert.equal(row.getCell(column('Commune du lieu')).value, 'Lyon');
    assert.equal(row.getCell(column('Code INSEE du lieu')).value, '69123');
    assert.equal(row.getCell(column('Durée (minutes)')).value, 120);
    assert.equal(row.getCell(column('Nom de l’atelier')).value, 'Découvrir la messagerie');
    assert.equal(row.getCell(column('Thématiques')).value, 'E-mail, Sécurité numérique');
    assert.equal(row.getCell(column('Autonomie ou niveau')).value, 'Débutant');
    assert.equal(row.getCell(column('Orienté')).value, 'non');
    assert.ok(row.getCell(column('Date')).value instanceof Date);
    const genders = rows.map((r) => r.getCell(column('Genre')).value).sort();
    assert.equal(genders.filter((g) => g === 'Féminin').length >= 3, true);

    const journal = await lastAudit('activites.export');
    assert.deepEqual(journal?.details, { format: 'xlsx', filtre: { type: 'collectif' }, lignes: expected });
    assert.equal(journal?.actor_user_id, helperId);
  });

  test('exports stream page by page: small pages give the rows of one page, the CSV as from the rows at once', async () => {
    const helper = (await helperByEmail(db(), DEMO_HELPER_EMAIL))!;
    const collect = async (pageSize: number, f: ActivityFilters = {}) => {
      const rows: ExportRow[] = [];
      const pages: number[] = [];
      for await (const page of exportRowPages(db(), helper, f, pageSize)) {
        pages.push(page.length);
        rows.push(...page);
      }
      return { rows, pages };
    };
    const whole = await collect(100_000);
    assert.equal(whole.pages.length, 1);
    assert.ok(whole.rows.length > 20, 'the demo helper has rows');
    for (const size of [1, 2, 7]) {
      const paged = await collect(size);
      assert.ok(paged.pages.length > 3, `${size}: several pages`);
      assert.deepEqual(paged.rows, whole.rows, `pages of ${size} reports`);
    }
    assert.equal(await countExportRows(db(), helper, {}), whole.rows.length);
    const filtered = { type: 'collectif' as const };
    assert.deepEqual((await collect(3, filtered)).rows, (await collect(100_000, filtered)).rows);
    const res = await mediator.get('/activites/export.csv');
    assert.equal(res.body, (await buffer(activitiesStream('csv', whole.rows))).toString('utf8'));
  });

  test('CSV export: UTF-8 with a byte-order mark, the same rows', async () => {
    const res = await mediator.get(`/activites/export.csv?beneficiaire=${jeanne.id}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/);
    assert.ok(res.body.startsWith('\uFEFF'), 'BOM');
    const records = parse(res.body, { bom: true, delimiter: ';' }) as string[][];
    assert.deepEqual(records[0], [...EXPORT_HEADER]);
    const expected = (
      await db()
        .selectFrom('participation as p')
        .innerJoin('activite as a', 'a.id', 'p.activite_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('a.mediateur_id', '=', helperId)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('participation as q')
              .select('q.id')
              .whereRef('q.activite_id', '=', 'a.id')
              .where('q.beneficiaire_id', '=', jeanne.id),
          ),
        )
        .executeTakeFirstOrThrow()
    ).n;
    assert.equal(records.length - 1, expected);
    assert.ok(records.slice(1).every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r[0]!)));
    assert.doesNotMatch(res.body, /Jeanne|Martin/, 'no names in exports');
    const journal = await lastAudit('activites.export');
    assert.deepEqual(journal?.details, {
      format: 'csv',
      filtre: { beneficiaire: jeanne.id },
      lignes: expected,
    });
  });
});

describe('activity schema (properties)', () => {
  const place = {
    id: '11111111-1111-4111-8111-111111111111',
    nom: 'Lieu',
    commune: 'Villeurbanne',
    code_postal: '69100',
    code_insee: '69266',
    collectivite_id: null,
  };
  const context = {
    today: '2026-06-15',
    places: new Map([[place.id, place]]),
    visible: async (ids: string[]) => new Set(ids),
  };
  const split = (vocabulary: Record<string, string>) =>
    fc.dictionary(fc.constantFrom(...codes(vocabulary).filter((c) => c !== 'non_communique')), fc.nat(12), {
      maxKeys: 4,
    });
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  test('a workshop is accepted exactly when no breakdown counts more people than the total', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(30),
        split(GENRES),
        split(TRANCHES_AGE),
        split(STATUTS),
        async (total, genres, ages, statuts) => {
          const parsed = await parseActivity(
            {
              type: 'collectif',
              titre: 'Atelier',
              date: '2026-06-01',
              duree_min: 60,
              canal: 'lieu_activite',
              lieu_id: place.id,
              thematiques: ['email'],
              beneficiaires: ['22222222-2222-4222-8222-222222222222'],
              anonymes: { total, genres, tranches_age: ages, statuts },
            },
            context,
          );
          const fits = sum(genres) <= total && sum(ages) <= total && sum(statuts) <= total;
          assert.equal(parsed.ok, fits);
          if (!parsed.ok) return;
          // One participant per person counted, the unassigned "non communiqué".
          const people = total > 0 ? expandAnonymous(parsed.input.anonymes!) : [];
          assert.equal(people.length, total);
          for (const [key, counts] of [
            ['genre', genres],
            ['tranche_age', ages],
            ['statut', statuts],
          ] as const) {
            for (const [code, n] of Object.entries(counts))
              assert.equal(people.filter((p) => p[key] === code).length, n);
            assert.equal(people.filter((p) => p[key] === 'non_communique').length, total - sum(counts));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('durations and dates: accepted exactly within their bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -10, max: 800 }),
        fc.date({
          min: new Date('2013-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        async (minutes, day) => {
          const date = day.toISOString().slice(0, 10);
          const form = rawFromForm({
            type: 'individuel',
            date,
            duree: 'autre',
            duree_autre: String(minutes),
            canal: 'distance',
            thematiques: 'email',
            participant: 'anonyme',
          });
          const parsed = await parseActivity(form, context);
          const ok = minutes >= 1 && minutes <= 720 && date >= '2015-01-01' && date <= '2026-06-15';
          assert.equal(parsed.ok, ok, `${minutes} min on ${date}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
