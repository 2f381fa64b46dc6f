import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, h1, type TestApp } from '../../../test/helpers/app.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { createUser } from '../../platform/auth/users.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../comptes/index.ts';
import type { Helper } from '../mediateurs/index.ts';
import { createBeneficiary, snapshotOf } from './beneficiary.ts';
import { beneficiaryFields } from './fields.ts';
import { purgeExpiredBeneficiaries } from './service.ts';
import { TRANCHES_AGE, trancheAge } from './vocabulary.ts';

const [admin, coordinator, mediator, trainer] = DEMO_ACCOUNTS;
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** Every name, phone and e-mail typed in these tests: none may reach the audit journal. */
const PERSONAL = [
  'Hélène',
  'Dupré',
  'Dupre',
  'Zacharie',
  'Témoin',
  'Gaëlle',
  'Quéré',
  'Bérénice',
  'Ollivier',
  'Théophile',
  'Marchand',
  'Anatole',
  'Vasseur',
  'Rosalie',
  '0612345678',
  '06 12 34 56 78',
  '0698765432',
  'gaelle.q@example.org',
];

describe('people helped: list, record, rights', () => {
  let t: TestApp;
  let villeurbanne = 0;
  let helper: Helper;
  let placeA = '';
  let placeB = '';
  let placeAName = '';
  const ids: Record<string, string> = {};

  const person = (fields: Record<string, unknown>) =>
    createBeneficiary(t.db.db, helper, beneficiaryFields.parse(fields));

  /** An activity of the demo helper at `lieuId` with these participants (ids), as the activity form records it. */
  async function activity(
    participants: string[],
    options: { date: string; lieuId?: string; type?: 'individuel' | 'collectif'; thematiques?: string[] },
  ) {
    const a = await t.db.db
      .insertInto('activite')
      .values({
        collectivite_id: villeurbanne,
        mediateur_id: helper.userId,
        type: options.type ?? 'individuel',
        date: options.date,
        duree_min: 45,
        canal: 'lieu_activite',
        lieu_id: options.lieuId ?? placeA,
        commune_insee: '69266',
        materiels: ['ordinateur'],
        thematiques: options.thematiques ?? ['email'],
        demarches: [],
        notes: 'Note de séance',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const id of participants) {
      const b = await t.db.db
        .selectFrom('beneficiaire')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await t.db.db
        .insertInto('participation')
        .values({
          activite_id: a.id,
          beneficiaire_id: id,
          collectivite_id: villeurbanne,
          date: options.date,
          ...snapshotOf(b, options.date),
        })
        .execute();
    }
    return a.id;
  }

  /** One signed-in client per account, for the whole suite (sign-in is rate limited). */
  const clients = new Map<string, Client>();
  const signedIn = async (email: string, secret?: string) => {
    const known = clients.get(email);
    if (known) return known;
    const c = new Client(t.app, { ip: `192.0.2.${clients.size + 20}` });
    const res = await c.signIn(email, DEMO_PASSWORD, secret);
    assert.equal(res.statusCode, 303, `sign-in of ${email}`);
    clients.set(email, c);
    return c;
  };

  const auditOf = (action: string, subject: string) =>
    t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', action)
      .where('subject_id', '=', subject)
      .orderBy('id')
      .execute();

  const participationsOf = (id: string) =>
    t.db.db.selectFrom('participation').selectAll().where('beneficiaire_id', '=', id).execute();

  before(async () => {
    t = await createTestApp({ demo: true });
    const db = t.db.db;
    villeurbanne = (
      await db.selectFrom('collectivite').select('id').where('code', '=', '69266').executeTakeFirstOrThrow()
    ).id;
    const places = await db
      .selectFrom('lieu')
      .select(['id', 'nom'])
      .where('collectivite_id', '=', villeurbanne)
      .orderBy('nom')
      .limit(2)
      .execute();
    assert.equal(places.length, 2, 'two demo places in Villeurbanne');
    [placeA, placeB] = [places[0]!.id, places[1]!.id];
    placeAName = places[0]!.nom;
    const user = await db
      .selectFrom('app_user')
      .select(['id', 'email', 'name'])
      .where('email', '=', mediator.email)
      .executeTakeFirstOrThrow();
    helper = {
      userId: user.id,
      collectiviteId: villeurbanne,
      actor: {
        kind: 'user',
        userId: user.id,
        email: user.email,
        name: user.name,
        memberships: [{ role: 'mediateur', collectiviteId: villeurbanne }],
        activeCollectiviteId: villeurbanne,
      },
    };
    // Another helper of Villeurbanne at place B, and one at place A (the demo helper's).
    for (const [email, lieu] of [
      ['autre-lieu@villeurbanne.example', placeB],
      ['meme-lieu@villeurbanne.example', placeA],
    ] as const) {
      const id = await createUser(db, {
        email,
        name: email,
        password: DEMO_PASSWORD,
        totpSecret: TOTP,
        memberships: [{ role: 'mediateur', collectiviteId: villeurbanne }],
      });
      await db.insertInto('mediateur_lieu').values({ user_id: id, lieu_id: lieu }).execute();
    }

    ids.helene = await person({
      prenom: 'Hélène',
      nom: 'Dupré',
      telephone: '06 12 34 56 78',
      annee_naissance: '1958',
      commune_insee: '69266',
      genre: 'feminin',
      statut: 'retraite',
    });
    ids.theophile = await person({ prenom: 'Théophile', nom: 'Marchand', annee_naissance: '1990' });
    ids.zacharie = await person({ prenom: 'Zacharie', nom: 'Témoin' });
    ids.anonyme = (
      await db
        .insertInto('beneficiaire')
        .values({
          collectivite_id: villeurbanne,
          created_by: helper.userId,
          anonyme: true,
          prenom: null,
          nom: null,
          telephone: null,
          email: null,
          annee_naissance: null,
          commune_insee: null,
          genre: 'masculin',
          statut: null,
          notes: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await activity([ids.helene], {
      date: '2026-02-03',
      thematiques: ['email', 'aide_aux_demarches_administratives'],
    });
    await activity([ids.helene, ids.zacharie, ids.anonyme], { date: '2026-03-10', type: 'collectif' });
  });
  after(() => t.close());

  test('the list searches names without accents and phones in any format, and never lists anonymous people', async () => {
    const c = await signedIn(mediator.email);
    const all = await c.get('/beneficiaires');
    assert.equal(all.statusCode, 200);
    assert.equal(all.headers['cache-control'], 'no-store');
    // Walk every page (the demo data adds people of its own).
    const listed = new Set<string>();
    for (let page = 1; page < 20; page++) {
      const res = await c.get(`/beneficiaires?page=${page}`);
      const found = [...res.body.matchAll(/href="\/beneficiaires\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
      for (const id of found) listed.add(id);
      assert.doesNotMatch(res.body, /Personne anonyme/);
      if (!res.body.includes('Page suivante')) break;
    }
    assert.ok(listed.has(ids.helene!) && listed.has(ids.theophile!));
    assert.ok(!listed.has(ids.anonyme!), 'anonymous people are not listed');

    for (const q of [
      'helene',
      'DUPRE',
      'Dupré Hélène',
      'hélè',
      'Helen Dupre',
      '0612345678',
      '+33 6 12 34 56 78',
      '5678',
    ]) {
      const found = await c.get(`/beneficiaires?q=${encodeURIComponent(q)}`);
      assert.equal(found.statusCode, 200, q);
      assert.match(found.body, new RegExp(`/beneficiaires/${ids.helene}"`), `finds Hélène with « ${q} »`);
      assert.doesNotMatch(found.body, /Théophile Marchand/, `only Hélène with « ${q} »`);
    }
    const typo = await c.get(`/beneficiaires?q=${encodeURIComponent('Marchant')}`);
    assert.match(typo.body, /Théophile Marchand/, 'a typo is forgiven');
    const none = await c.get('/beneficiaires?q=Xyzzyx');
    assert.match(none.body, /Personne ne correspond/);
  });

  test('the list pages through many people', async () => {
    for (let i = 0; i < 26; i++)
      await person({ prenom: 'Rosalie', nom: `Page${String(i).padStart(2, '0')}` });
    const c = await signedIn(mediator.email);
    const first = await c.get('/beneficiaires?q=Rosalie');
    assert.match(first.body, /26 personnes trouvées/);
    assert.match(first.body, /Page 1 sur 2/);
    assert.equal((first.body.match(/Rosalie Page/g) ?? []).length, 25);
    const second = await c.get('/beneficiaires?q=Rosalie&page=2');
    assert.equal((second.body.match(/Rosalie Page/g) ?? []).length, 1);
  });

  test('creating someone who looks like a known person shows the candidates and asks to confirm', async () => {
    const c = await signedIn(mediator.email);
    const count = async () =>
      (
        await t.db.db
          .selectFrom('beneficiaire')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();

    await c.get('/beneficiaires/nouveau');
    const invalid = await c.post('/beneficiaires/nouveau', { prenom: '', nom: '', annee_naissance: '3000' });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /Saisissez au moins un prénom ou un nom/);
    assert.match(invalid.body, /pas dans le futur/);

    await c.get('/beneficiaires/nouveau');
    const sameName = await c.post('/beneficiaires/nouveau', {
      prenom: 'helene',
      nom: 'DUPRE',
      annee_naissance: '1958',
    });
    assert.equal(sameName.statusCode, 200);
    assert.match(sameName.body, /peut-être déjà enregistrée/);
    assert.match(sameName.body, new RegExp(`href="/beneficiaires/${ids.helene}"`));
    assert.match(sameName.body, /C’est une autre personne, créer quand même/);

    const samePhone = await c.post('/beneficiaires/nouveau', {
      prenom: 'Bérénice',
      nom: 'Ollivier',
      telephone: '+33 6 12 34 56 78',
    });
    assert.match(samePhone.body, /peut-être déjà enregistrée/);
    assert.match(samePhone.body, new RegExp(`href="/beneficiaires/${ids.helene}"`));
    assert.equal(await count(), before, 'nothing created before confirmation');

    const confirmed = await c.post('/beneficiaires/nouveau', {
      prenom: 'Bérénice',
      nom: 'Ollivier',
      telephone: '+33 6 12 34 56 78',
      commune_insee: 'Villeurbanne',
      confirmer: 'autre-personne',
    });
    assert.equal(confirmed.statusCode, 303);
    const id = /\/beneficiaires\/([0-9a-f-]{36})\?ok=cree/.exec(confirmed.headers.location as string)?.[1];
    assert.ok(id);
    const row = await t.db.db
      .selectFrom('beneficiaire')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.commune_insee, '69266', 'the commune typed by name is stored by its INSEE code');
    assert.equal(await count(), before + 1);

    await c.get('/beneficiaires/nouveau');
    const unknownCommune = await c.post('/beneficiaires/nouveau', {
      prenom: 'Anatole',
      commune_insee: 'Nullepart',
    });
    assert.equal(unknownCommune.statusCode, 400);
    assert.match(unknownCommune.body, /commune inconnue/);
  });

  test('the record shows the national fields, the age band and the history, never other participants', async () => {
    const c = await signedIn(mediator.email);
    const page = await c.get(`/beneficiaires/${ids.helene}`);
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Hélène Dupré');
    assert.match(page.body, /06 12 34 56 78/);
    assert.match(page.body, /Villeurbanne \(69266\)/);
    assert.match(page.body, new RegExp(TRANCHES_AGE[trancheAge(1958)]));
    assert.match(page.body, /Retraité/);
    assert.match(page.body, /Accompagnements \(2\)/);
    assert.match(page.body, /03\/02\/2026/);
    assert.match(page.body, /10\/03\/2026/);
    assert.match(page.body, /Atelier collectif/);
    assert.match(page.body, /E-mail, Aide aux démarches administratives/);
    assert.ok(page.body.includes(placeAName), 'the place of the accompaniment');
    assert.doesNotMatch(page.body, /Zacharie|Témoin/, 'no other participant');
    assert.match(page.body, new RegExp(`/beneficiaires/${ids.helene}/export`));
    assert.match(page.body, /\/beneficiaires\/notice/);
    const read = await auditOf('beneficiaire.read', ids.helene!);
    assert.equal(read.length, 1);
  });

  test('the record leads to a new report for the person, with them already chosen', async () => {
    const c = await signedIn(mediator.email);
    const page = await c.get(`/beneficiaires/${ids.helene}`);
    const link = `/activites/nouveau?beneficiaire=${ids.helene}`;
    assert.ok(page.body.includes(`href="${link}">Nouveau compte rendu pour cette personne</a>`));
    const form = await c.get(link);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, new RegExp(`<option value="${ids.helene}" selected>Hélène Dupré`));
    assert.match(form.body, /<input[^>]*id="participant-existant"[^>]*checked/);
    // A helper who does not see her gets an empty form, never her name.
    const other = await signedIn('autre-lieu@villeurbanne.example', TOTP);
    const forged = await other.get(link);
    assert.equal(forged.statusCode, 200);
    assert.doesNotMatch(forged.body, /Hélène|Dupré/);
  });

  test('a helper of another place does not see the person; a helper of the same place does', async () => {
    const other = await signedIn('autre-lieu@villeurbanne.example', TOTP);
    for (const url of ['', '/modifier', '/supprimer', '/fusionner', '/export', '/export.json']) {
      const res = await other.get(`/beneficiaires/${ids.helene}${url}`);
      assert.equal(res.statusCode, 404, `GET ${url}`);
      assert.doesNotMatch(res.body, /Hélène/);
    }
    await other.get('/beneficiaires');
    const del = await other.post(`/beneficiaires/${ids.helene}/supprimer`, { confirmer: 'oui' });
    assert.equal(del.statusCode, 404);
    const list = await other.get('/beneficiaires?q=helene');
    assert.doesNotMatch(list.body, /Hélène/);
    // Nor can they merge someone they see with someone they do not.
    const theirs = await other.post('/beneficiaires/nouveau', { prenom: 'Gaëlle', nom: 'Quéré' });
    const theirId = /\/beneficiaires\/([0-9a-f-]{36})/.exec(theirs.headers.location as string)![1]!;
    await other.get(`/beneficiaires/${theirId}/fusionner`);
    const merge = await other.post(`/beneficiaires/${theirId}/fusionner`, {
      autre: ids.helene!,
      confirmer: 'oui',
    });
    assert.equal(merge.statusCode, 400);
    assert.equal((await participationsOf(ids.helene!)).length, 2);

    const same = await signedIn('meme-lieu@villeurbanne.example', TOTP);
    const page = await same.get(`/beneficiaires/${ids.helene}`);
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Hélène Dupré');
    assert.match((await same.get('/beneficiaires?q=dupre')).body, /Hélène Dupré/);
    // The demo helper does not see what the other-place helper recorded.
    const demo = await signedIn(mediator.email);
    assert.equal((await demo.get(`/beneficiaires/${theirId}`)).statusCode, 404);
  });

  test('administrators, coordinators and trainers are refused, even for a person that exists', async () => {
    for (const account of [admin, coordinator, trainer]) {
      const c = await signedIn(account.email);
      for (const url of [
        '/beneficiaires',
        '/beneficiaires/nouveau',
        '/beneficiaires/notice',
        `/beneficiaires/${ids.helene}`,
        `/beneficiaires/${ids.helene}/export.json`,
      ]) {
        const res = await c.get(url);
        assert.equal(res.statusCode, 403, `${account.email} ${url}`);
        assert.doesNotMatch(res.body, /Hélène/);
      }
      await c.get('/espace');
      const del = await c.post(`/beneficiaires/${ids.helene}/supprimer`, { confirmer: 'oui' });
      assert.equal(del.statusCode, 403);
    }
    const anonymous = new Client(t.app);
    const res = await anonymous.get(`/beneficiaires/${ids.helene}`);
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/connexion');
  });

  test('editing rectifies the record and journals which fields changed, not their values', async () => {
    const c = await signedIn(mediator.email);
    const form = await c.get(`/beneficiaires/${ids.theophile}/modifier`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /value="Théophile"/);
    const bad = await c.post(`/beneficiaires/${ids.theophile}/modifier`, {
      prenom: 'Théophile',
      nom: 'Marchand',
      telephone: 'abc',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Téléphone : un numéro comme/);
    const ok = await c.post(`/beneficiaires/${ids.theophile}/modifier`, {
      prenom: 'Théophile',
      nom: 'Marchand',
      annee_naissance: '1990',
      telephone: '06 98 76 54 32',
      commune_insee: 'Villeurbanne (69266)',
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `/beneficiaires/${ids.theophile}?ok=modifie`);
    const row = await t.db.db
      .selectFrom('beneficiaire')
      .selectAll()
      .where('id', '=', ids.theophile!)
      .executeTakeFirstOrThrow();
    assert.equal(row.telephone, '06 98 76 54 32');
    assert.equal(row.commune_insee, '69266');
    const [entry] = await auditOf('beneficiaire.update', ids.theophile!);
    assert.deepEqual(entry?.details, { champs: ['telephone', 'commune_insee'] });
    await c.get(`/beneficiaires/${ids.theophile}/modifier`);
    const same = await c.post(`/beneficiaires/${ids.theophile}/modifier`, {
      prenom: 'Théophile',
      nom: 'Marchand',
      annee_naissance: '1990',
      telephone: '06 98 76 54 32',
      commune_insee: 'Villeurbanne (69266)',
    });
    assert.equal(same.headers.location, `/beneficiaires/${ids.theophile}?ok=inchange`);
    assert.equal((await auditOf('beneficiaire.update', ids.theophile!)).length, 1);
  });

  test('merging moves every participation to the kept record, records the merge and deletes the other', async () => {
    const kept = await person({ prenom: 'Gaëlle', nom: 'Quéré', annee_naissance: '1975' });
    const dup = await person({
      prenom: 'Gaelle',
      nom: 'Quere',
      annee_naissance: '1975',
      email: 'gaelle.q@example.org',
      genre: 'feminin',
    });
    await activity([kept], { date: '2026-01-05' });
    await activity([dup], { date: '2026-01-12' });
    await activity([dup], { date: '2026-01-19', lieuId: placeB });
    const c = await signedIn(mediator.email);

    const choose = await c.get(`/beneficiaires/${kept}/fusionner`);
    assert.equal(choose.statusCode, 200);
    assert.match(choose.body, /Doublons probables/);
    assert.match(choose.body, new RegExp(`value="${dup}"`));
    assert.doesNotMatch(choose.body, new RegExp(`value="${kept}"`), 'not itself');
    const search = await c.get(`/beneficiaires/${kept}/fusionner?q=quere`);
    assert.match(search.body, new RegExp(`value="${dup}"`));
    const confirm = await c.get(`/beneficiaires/${kept}/fusionner?autre=${dup}`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Vérifier avant de fusionner/);
    assert.match(confirm.body, /2 accompagnements de l’autre fiche passeront/);
    const itself = await c.post(`/beneficiaires/${kept}/fusionner`, { autre: kept, confirmer: 'oui' });
    assert.equal(itself.statusCode, 400);

    await c.get(`/beneficiaires/${kept}/fusionner?autre=${dup}`);
    const merged = await c.post(`/beneficiaires/${kept}/fusionner`, {
      autre: dup,
      confirmer: 'oui',
      completer: 'oui',
    });
    assert.equal(merged.statusCode, 303);
    assert.equal(merged.headers.location, `/beneficiaires/${kept}?ok=fusionne`);
    assert.equal((await participationsOf(kept)).length, 3);
    assert.equal((await participationsOf(dup)).length, 0);
    const gone = await t.db.db
      .selectFrom('beneficiaire')
      .select('id')
      .where('id', '=', dup)
      .executeTakeFirst();
    assert.equal(gone, undefined);
    const row = await t.db.db
      .selectFrom('beneficiaire')
      .selectAll()
      .where('id', '=', kept)
      .executeTakeFirstOrThrow();
    assert.equal(row.email, 'gaelle.q@example.org', 'empty fields filled when asked');
    assert.equal(row.prenom, 'Gaëlle', 'filled fields kept');
    assert.equal(row.genre, 'feminin');
    const fusion = await t.db.db
      .selectFrom('beneficiaire_fusion')
      .selectAll()
      .where('kept_id', '=', kept)
      .executeTakeFirstOrThrow();
    assert.equal(fusion.merged_id, dup);
    assert.equal(fusion.participations, 2);
    assert.equal(fusion.user_id, helper.userId);
    const [entry] = await auditOf('beneficiaire.merge', kept);
    assert.deepEqual(entry?.details, {
      fusionne: dup,
      participations: 2,
      champs_completes: ['email', 'genre'],
    });
    const page = await c.get(`/beneficiaires/${kept}`);
    assert.match(page.body, /Accompagnements \(3\)/);
    assert.match(page.body, /Fiches fusionnées dans celle-ci/);
    assert.equal((await c.get(`/beneficiaires/${dup}`)).statusCode, 404);

    // Without "compléter", nothing of the other record is copied.
    const third = await person({
      prenom: 'Gaëlle',
      nom: 'Quéré',
      annee_naissance: '1975',
      notes: 'Vient le mardi',
    });
    await c.get(`/beneficiaires/${kept}/fusionner?autre=${third}`);
    await c.post(`/beneficiaires/${kept}/fusionner`, { autre: third, confirmer: 'oui' });
    const after = await t.db.db
      .selectFrom('beneficiaire')
      .selectAll()
      .where('id', '=', kept)
      .executeTakeFirstOrThrow();
    assert.equal(after.notes, null);
    ids.gaelle = kept;
  });

  test('the export holds the record, every participation and the merges, as JSON and as a printable page', async () => {
    const c = await signedIn(mediator.email);
    const json = await c.get(`/beneficiaires/${ids.gaelle}/export.json`);
    assert.equal(json.statusCode, 200);
    assert.match(json.headers['content-type'] as string, /application\/json/);
    assert.match(json.headers['content-disposition'] as string, /^attachment; filename="donnees-personne-/);
    assert.equal(json.headers['cache-control'], 'no-store');
    const data = json.json();
    assert.equal(data.personne.prenom, 'Gaëlle');
    assert.equal(data.personne.courriel, 'gaelle.q@example.org');
    assert.equal(data.accompagnements.length, 3);
    assert.deepEqual(
      data.accompagnements.map((a: { date: string }) => a.date),
      ['2026-01-19', '2026-01-12', '2026-01-05'],
    );
    assert.equal(data.accompagnements[2].lieu, `${placeAName}, Villeurbanne`);
    assert.deepEqual(data.accompagnements[0].thematiques, ['E-mail']);
    assert.equal(data.accompagnements[0].notes, 'Note de séance');
    assert.equal(data.fusions.length, 2);
    assert.match(data.responsable.nom, /Numérique Rhône-Loire/);

    const html = await c.get(`/beneficiaires/${ids.gaelle}/export`);
    assert.equal(html.statusCode, 200);
    assert.match(html.body, /Vos informations enregistrées : Gaëlle Quéré/);
    for (const day of ['19/01/2026', '12/01/2026', '05/01/2026']) assert.ok(html.body.includes(day), day);
    assert.match(html.body, /Fiches en double réunies/);

    const exports = await auditOf('beneficiaire.export', ids.gaelle!);
    assert.deepEqual(
      exports.map((e) => e.details),
      [
        { format: 'json', participations: 3 },
        { format: 'html', participations: 3 },
      ],
    );
    // Collective workshop notes may name others: only an individual accompaniment's are exported.
    const helene = (await c.get(`/beneficiaires/${ids.helene}/export.json`)).json();
    assert.equal(helene.accompagnements.length, 2);
    const collective = helene.accompagnements.find((a: { type: string }) => a.type === 'Atelier collectif');
    assert.equal(collective.notes, null);
    assert.doesNotMatch(JSON.stringify(helene), /Zacharie/);
  });

  test('deleting keeps the participations, without the link and with their attributes', async () => {
    const c = await signedIn(mediator.email);
    const before = await participationsOf(ids.helene!);
    assert.equal(before.length, 2);
    const confirm = await c.get(`/beneficiaires/${ids.helene}/supprimer`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Ses 2 accompagnements restent comptés/);
    const unconfirmed = await c.post(`/beneficiaires/${ids.helene}/supprimer`, {});
    assert.equal(unconfirmed.statusCode, 400);
    assert.ok(
      await t.db.db.selectFrom('beneficiaire').select('id').where('id', '=', ids.helene!).executeTakeFirst(),
    );

    const deleted = await c.post(`/beneficiaires/${ids.helene}/supprimer`, { confirmer: 'oui' });
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, '/beneficiaires?ok=supprime');
    assert.equal(
      await t.db.db.selectFrom('beneficiaire').select('id').where('id', '=', ids.helene!).executeTakeFirst(),
      undefined,
    );
    const kept = await t.db.db
      .selectFrom('participation')
      .selectAll()
      .where(
        'id',
        'in',
        before.map((p) => p.id),
      )
      .orderBy('date')
      .execute();
    assert.equal(kept.length, 2);
    for (const [i, p] of kept.entries()) {
      const was = before.find((b) => b.id === p.id)!;
      assert.equal(p.beneficiaire_id, null, `participation ${i} unlinked`);
      assert.deepEqual(
        [p.genre, p.tranche_age, p.statut, p.commune_insee, p.date],
        [was.genre, was.tranche_age, was.statut, was.commune_insee, was.date],
      );
    }
    assert.equal(kept[0]!.genre, 'feminin');
    const [entry] = await auditOf('beneficiaire.delete', ids.helene!);
    assert.deepEqual(entry?.details, { participations: 2 });
    assert.equal((await c.get(`/beneficiaires/${ids.helene}`)).statusCode, 404);
  });

  test('the information notice names the OPSN, the retention and the rights, in plain words', async () => {
    const c = await signedIn(mediator.email);
    const page = await c.get('/beneficiaires/notice');
    assert.equal(page.statusCode, 200);
    assert.equal(h1(page.body), 'Vos informations personnelles');
    assert.match(page.body, /Syndicat mixte Numérique Rhône-Loire/);
    assert.match(page.body, /inclusion@numerique-rhone-loire\.example/);
    assert.match(page.body, /2 ans après le dernier accompagnement/);
    assert.match(page.body, /Relais les efface tout\s+seul/);
    assert.match(page.body, /ne voient pas<\/strong> votre nom/);
    for (const right of ['voir', 'corriger', 'effacer', 'refuser']) {
      assert.match(page.body, new RegExp(`<strong>${right}</strong>`));
    }
    assert.match(page.body, /CNIL/);
  });

  test('records past the retention period are purged, their participations kept anonymous', async () => {
    const old = await person({ prenom: 'Anatole', nom: 'Vasseur', genre: 'masculin' });
    await activity([old], { date: '2023-05-02' });
    const recent = await person({ prenom: 'Anatole', nom: 'Récent' });
    await activity([recent], { date: '2026-05-02' });
    const participation = (await participationsOf(old))[0]!;
    const purged = await purgeExpiredBeneficiaries(
      t.db.db,
      systemActor('test'),
      new Date('2026-06-01T00:00:00Z'),
    );
    assert.ok(purged >= 1);
    assert.equal(
      await t.db.db.selectFrom('beneficiaire').select('id').where('id', '=', old).executeTakeFirst(),
      undefined,
    );
    assert.ok(
      await t.db.db.selectFrom('beneficiaire').select('id').where('id', '=', recent).executeTakeFirst(),
    );
    const after = await t.db.db
      .selectFrom('participation')
      .selectAll()
      .where('id', '=', participation.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.beneficiaire_id, null);
    assert.equal(after.genre, 'masculin');
  });

  test('no journal entry holds a name, a phone or an e-mail of a person', async () => {
    const rows = await t.db.db.selectFrom('audit_event').selectAll().execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const action of [
      'beneficiaire.create',
      'beneficiaire.read',
      'beneficiaire.update',
      'beneficiaire.merge',
      'beneficiaire.delete',
      'beneficiaire.export',
      'beneficiaire.purge',
    ]) {
      assert.ok(actions.has(action), `journal has ${action}`);
    }
    const text = JSON.stringify(rows).normalize('NFC');
    for (const value of PERSONAL) {
      assert.ok(!text.includes(value.normalize('NFC')), `journal holds « ${value} »`);
    }
    assert.ok(!/06\s?12\s?34/.test(text));
  });
});
