import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { createSession, createType, register } from '../../src/modules/formations/service.ts';
import { importPlaces } from '../../src/modules/lieux/import.ts';
import { createMandate } from '../../src/modules/mandats/creation.ts';
import { createDraft } from '../../src/modules/mandats/draft.ts';
import { grantHabilitation } from '../../src/modules/mandats/habilitation.ts';
import { revokeMandate } from '../../src/modules/mandats/service.ts';
import { systemActor } from '../../src/platform/auth/policy.ts';
import { createToken } from '../../src/platform/auth/tokens.ts';
import { createUser } from '../../src/platform/auth/users.ts';
import { storeFile } from '../../src/platform/files.ts';
import type { Access } from '../../src/platform/module.ts';
import { assetUrl } from '../../src/platform/ui/assets.ts';
import { Client, createTestApp, type TestApp, testConfig } from '../helpers/app.ts';
import { helperOf } from '../helpers/mandats.ts';
import { givenMinutes, networkRouteParams } from '../helpers/reseau.ts';

/**
 * Calls every route of the app as each kind of person and checks the answer against
 * what the route declared in its registration (`config.access`, collected by the app as
 * `routeAccess`). The tested collectivité is Firminy; "another" coordinator and "another"
 * helper are the demo ones, of Villeurbanne.
 */

type Persona =
  | 'anonyme'
  | 'admin'
  | 'coordinateur'
  | 'coordinateur-autre'
  | 'mediateur'
  | 'mediateur-autre'
  | 'formateur';
const PERSONAS: Persona[] = [
  'anonyme',
  'coordinateur-autre',
  'mediateur-autre',
  'mediateur',
  'formateur',
  'coordinateur',
  'admin',
];

function allowed(access: Access, persona: Persona): boolean {
  if (access === 'public') return true;
  if (access === 'signed-callback') return false;
  if (access === 'signed-in') return persona !== 'anonyme';
  if (access === 'admin') return persona === 'admin';
  if (access === 'coordinator') return ['admin', 'coordinateur', 'coordinateur-autre'].includes(persona);
  // Any helper has their own list; only Firminy's sees Firminy's people, reports and mandates.
  if (access === 'helper') return persona === 'mediateur' || persona === 'mediateur-autre';
  if ('helperOf' in access) return persona === 'mediateur';
  if ('coordinatorOrHelperOf' in access) return ['admin', 'coordinateur', 'mediateur'].includes(persona);
  // The Firminy trainer runs the Firminy session the matrix names.
  if ('trainerOf' in access) return ['admin', 'coordinateur', 'formateur'].includes(persona);
  return persona === 'admin' || persona === 'coordinateur';
}

/** The persona that may post a route's form, to show that a forged token stops even them. */
const FORM_POSTERS: Persona[] = ['anonyme', 'mediateur', 'coordinateur', 'admin'];

const FIRMINY_TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('authorization matrix', () => {
  let t: TestApp;
  const clients = new Map<Persona, Client>();
  const bearers = new Map<Persona, Record<string, string>>();
  let firminyId = 0;
  let fileId = '';
  let mediatorId = '';
  let placeId = '';
  let importId = '';
  let beneficiaireId = '';
  let activiteId = '';
  let orientationId = '';
  let mandat = { id: '', empreinte: '', revocation: '', brouillon: '' };
  let formation = { session: '', inscription: '', attestation: '', type: '' };
  let ressource = { id: '', bloc: '' };
  let network: Record<string, string> = {};

  before(async () => {
    t = await createTestApp({ demo: true });
    const admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
    await admin.get('/admin/territoire');
    await admin.post('/admin/territoire/collectivites', { code: '42095' });
    const firminy = await t.db.db
      .selectFrom('collectivite')
      .select('id')
      .where('code', '=', '42095')
      .executeTakeFirstOrThrow();
    firminyId = firminy.id;
    const imported = await importPlaces(
      t.db.db,
      systemActor('matrice'),
      JSON.stringify([
        {
          id: 'matrice-firminy',
          pivot: '00000000000000',
          nom: 'Médiathèque de Firminy',
          commune: 'Firminy',
          code_postal: '42700',
          adresse: '1 rue de la Paix',
          date_maj: '2026-11-01',
        },
      ]),
      { fileName: 'matrice.json', collectiviteCode: '42095' },
    );
    assert.ok(imported.ok && imported.report.importId);
    importId = imported.report.importId;
    placeId = (
      await t.db.db
        .selectFrom('lieu')
        .select('id')
        .where('lmn_id', '=', 'matrice-firminy')
        .executeTakeFirstOrThrow()
    ).id;
    fileId = await storeFile(t.db.db, Buffer.from('89504e470d0a1a0a', 'hex'), 'image/png');
    for (const role of ['coordinateur', 'mediateur', 'formateur'] as const) {
      const id = await createUser(t.db.db, {
        email: `${role}@firminy.example`,
        name: role,
        password: DEMO_PASSWORD,
        totpSecret: FIRMINY_TOTP,
        memberships: [{ role, collectiviteId: firminyId }],
      });
      if (role === 'mediateur') mediatorId = id;
    }
    // The Firminy helper's workspace: a place of activity, a person helped, an activity.
    await t.db.db.insertInto('mediateur_lieu').values({ user_id: mediatorId, lieu_id: placeId }).execute();
    beneficiaireId = (
      await t.db.db
        .insertInto('beneficiaire')
        .values({ collectivite_id: firminyId, created_by: mediatorId, prenom: 'Camille', nom: 'Martin' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    activiteId = (
      await t.db.db
        .insertInto('activite')
        .values({
          collectivite_id: firminyId,
          mediateur_id: mediatorId,
          type: 'individuel',
          date: '2026-11-02',
          duree_min: 30,
          canal: 'lieu_activite',
          lieu_id: placeId,
          commune_insee: '42095',
          thematiques: ['email'],
          materiels: [],
          demarches: [],
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db.db
      .insertInto('participation')
      .values({
        activite_id: activiteId,
        beneficiaire_id: beneficiaireId,
        collectivite_id: firminyId,
        date: '2026-11-02',
        genre: 'feminin',
        tranche_age: 'de_40_a_59',
        statut: 'en_emploi',
        commune_insee: '42095',
      })
      .execute();
    // A referral the Firminy helper sent to their own place (so they both sent and receive it).
    orientationId = (
      await t.db.db
        .insertInto('orientation')
        .values({
          collectivite_id: firminyId,
          sent_by: mediatorId,
          sender_name: 'mediateur',
          sender_email: 'mediateur@firminy.example',
          beneficiaire_id: beneficiaireId,
          prenom: 'Camille',
          nom: 'Martin',
          contact_preference: 'via_referent',
          telephone: null,
          email: null,
          contact_autre: null,
          motif: 'Ouvrir un compte ameli.',
          lieu_id: placeId,
          service: 'Aide aux démarches administratives',
          destination_name: 'Médiathèque de Firminy',
          destination_email: 'contact@firminy.example',
          destination_collectivite_id: firminyId,
          duplicate_of: null,
          consent_mode: 'en_personne',
          consent_by: mediatorId,
          consent_text: 'Accord de la matrice.',
          consent_revoked_at: null,
          consent_revoked_by: null,
          studied_at: null,
          answered_at: null,
          answered_by: null,
          answered_by_label: null,
          answer_message: null,
          closed_at: null,
          reminded_at: null,
          escalated_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    // The Firminy helper is habilitated and has a mandate, one revocation of it and a draft.
    await grantHabilitation(t.db.db, systemActor('matrice'), mediatorId, firminyId, {
      dateFormation: '2026-10-01',
      certifiePar: 'Formation Aidants Connect',
    });
    const helper = await helperOf(t.db.db, 'mediateur@firminy.example');
    const created = await createMandate(
      t.db.db,
      helper,
      {
        lieuId: placeId,
        beneficiaireId,
        prenom: 'Camille',
        nom: 'Martin',
        dateNaissance: '1950-01-01',
        pieceIdentite: 'carte_identite',
        telephone: null,
        consentement: 'presentiel',
        demarches: ['social', 'argent'],
        duree: '6m',
        renouvelleId: null,
      },
      { notify: () => Promise.reject(new Error('no message in this test')) },
    );
    assert.ok(created.ok);
    assert.match(created.value.empreinte ?? '', /^[0-9a-f]{64}$/);
    const revoked = await revokeMandate(t.db.db, helper, created.value, ['argent'], 'personne');
    assert.ok(revoked.ok);
    mandat = {
      id: created.value.id,
      empreinte: created.value.empreinte ?? '',
      revocation: revoked.value,
      brouillon: await createDraft(t.db.db, helper, {}),
    };
    // A training session of Firminy run by its trainer, the Firminy helper registered, with a certificate.
    const firminyAccount = async (role: 'coordinateur' | 'formateur') => {
      const u = await t.db.db
        .selectFrom('app_user')
        .select(['id', 'email', 'name'])
        .where('email', '=', `${role}@firminy.example`)
        .executeTakeFirstOrThrow();
      return {
        kind: 'user' as const,
        userId: u.id,
        email: u.email,
        name: u.name,
        memberships: [{ role, collectiviteId: firminyId }],
        activeCollectiviteId: firminyId,
      };
    };
    const firminyCoordinator = await firminyAccount('coordinateur');
    const firminyTrainer = await firminyAccount('formateur');
    const trainingType = await createType(t.db.db, systemActor('matrice'), {
      titre: 'Formation de la matrice',
      objectifs: 'Objectifs.',
      programme: 'Programme.',
      duree_heures: 3.5,
      modalite: 'presentiel',
      publics: ['mediateur'],
      certifiante: true,
      habilitante: true,
    });
    assert.ok(trainingType.ok);
    const typeId = (
      await t.db.db
        .selectFrom('formation_type')
        .select('id')
        .where('slug', '=', trainingType.value)
        .executeTakeFirstOrThrow()
    ).id;
    const start = new Date(Date.now() + 30 * 86_400_000);
    const session = await createSession(t.db.db, firminyCoordinator, {
      type_id: typeId,
      halfDays: [{ starts_at: start, ends_at: new Date(start.getTime() + 3 * 3_600_000) }],
      capacite: 20,
      lieu_libelle: 'Médiathèque de Firminy',
      intra: false,
      formateurs: [firminyTrainer.userId],
    });
    assert.ok(session.ok);
    const registration = await register(t.db.db, testConfig, helper.actor, session.id, mediatorId);
    assert.ok(registration.ok);
    const attestation = await t.db.db
      .insertInto('formation_attestation')
      .values({
        inscription_id: registration.value.id,
        code: 'MATR-ICEA-BCDE',
        minutes_presentes: 180,
        issued_by: firminyTrainer.userId,
        revoked_at: null,
        revoked_by: null,
        motif_revocation: null,
        habilitation_at: null,
        habilitation_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // A training of Firminy's own catalogue (its coordinators change it).
    const firminyType = await createType(t.db.db, firminyCoordinator, {
      titre: 'Formation de Firminy',
      objectifs: 'Objectifs.',
      programme: 'Programme.',
      duree_heures: 3,
      modalite: 'distanciel',
      publics: ['mediateur'],
      certifiante: true,
      habilitante: false,
    });
    assert.ok(firminyType.ok);
    formation = {
      session: session.id,
      inscription: registration.value.id,
      attestation: attestation.id,
      type: firminyType.value,
    };
    // A published network resource of Firminy with one block and its first version.
    const resourceId = (
      await t.db.db
        .insertInto('ressource')
        .values({
          collectivite_id: firminyId,
          titre: 'Fiche de la matrice',
          licence: 'etalab_2_0',
          status: 'publiee',
          visibilite: 'reseau',
          author_name: 'coordinateur',
          published_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const blocId = (
      await t.db.db
        .insertInto('ressource_bloc')
        .values({ ressource_id: resourceId, position: 1, kind: 'texte', texte: 'Un texte.' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db.db
      .insertInto('ressource_version')
      .values({
        ressource_id: resourceId,
        version: 1,
        snapshot: JSON.stringify({ resource: { titre: 'Fiche de la matrice' }, blocks: [] }),
        change: 'Ressource créée',
        changed_by: null,
        changed_by_name: 'matrice',
      })
      .execute();
    ressource = { id: resourceId, bloc: blocId };
    network = await networkRouteParams(t.db.db);
    await givenMinutes(t.db.db, network[':evenement'] as string);
    const emails: Record<Persona, string | null> = {
      anonyme: null,
      admin: DEMO_ACCOUNTS[0].email,
      coordinateur: 'coordinateur@firminy.example',
      'coordinateur-autre': DEMO_ACCOUNTS[1].email,
      mediateur: 'mediateur@firminy.example',
      'mediateur-autre': DEMO_ACCOUNTS[2].email,
      formateur: 'formateur@firminy.example',
    };
    for (const persona of PERSONAS) {
      const client = new Client(t.app);
      if (emails[persona])
        await client.signIn(
          emails[persona],
          DEMO_PASSWORD,
          persona.endsWith('-autre') || persona === 'admin' ? undefined : FIRMINY_TOTP,
        );
      else await client.get('/connexion');
      clients.set(persona, client);
    }
    // The API takes no cookie: there each persona calls with a token of its own.
    for (const persona of PERSONAS) {
      const email = emails[persona];
      if (!email) continue;
      const user = await t.db.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      bearers.set(persona, { authorization: `Bearer ${await createToken(t.db.db, user.id, 'matrice')}` });
    }
  });
  after(() => t.close());

  test('every route the app answers declared who may call it in its registration', () => {
    const undeclared = t.app.routeInventory.filter((route) => !t.app.routeAccess.has(route));
    assert.deepEqual(undeclared, [], 'routes without an access declaration');
    assert.ok(t.app.routeAccess.size > 100);
  });

  const concrete = (url: string) =>
    Object.entries(network)
      .reduce((u, [param, value]) => u.replace(param, value), url)
      .replace(':slug', 'firminy')
      .replace(':file', assetUrl('relais.css').slice('/assets/'.length))
      .replace('/fichiers/:id', `/fichiers/${fileId}`)
      .replace(':personne', mediatorId)
      .replace(':lieu', placeId)
      .replace(':collectivite', String(firminyId))
      .replace(':beneficiaire', beneficiaireId)
      .replace(':activite', activiteId)
      .replace(':import', importId)
      .replace(':mandat', mandat.id)
      .replace(':orientation', orientationId)
      .replace(':ressource', ressource.id)
      .replace(':bloc', ressource.bloc)
      .replace(':version', '1')
      .replace(':revocation', mandat.revocation)
      .replace(':brouillon', mandat.brouillon)
      .replace(':etape', 'personne')
      .replace(':empreinte', mandat.empreinte)
      .replace(':session', formation.session)
      .replace(':inscription', formation.inscription)
      .replace(':attestation', formation.attestation)
      .replace(':type', formation.type)
      .replace(':id', String(firminyId));

  /**
   * Every row of every table but the sessions (each request notes when it was last seen) and the
   * rate limits' counters (each limited request counts, refused or not).
   */
  const fingerprint = async () => {
    const tables = await sql<{ name: string }>`
      select format('%I.%I', table_schema, table_name) as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
        and table_name not in ('user_session', 'rate_limit_counter')
      order by 1`.execute(t.db.db);
    const sums: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const row = await sql<{ sum: string | null; n: string }>`
        select md5(string_agg(t::text, '|' order by t::text)) as sum, count(*) as n
        from ${sql.raw(name)} as t`.execute(t.db.db);
      sums[name] = `${row.rows[0]?.n}:${row.rows[0]?.sum}`;
    }
    return sums;
  };

  test('every form refuses a forged or missing CSRF token and changes nothing', async () => {
    const forms = [...t.app.routeAccess].filter(
      ([route]) => !route.startsWith('GET ') && !route.split(' ')[1]!.startsWith('/api/'),
    );
    assert.ok(forms.length > 40);
    const before = await fingerprint();
    const failures: string[] = [];
    for (const [route, access] of forms) {
      const [method, url] = route.split(' ') as [string, string];
      const persona = FORM_POSTERS.find((p) => allowed(access, p))!;
      const client = clients.get(persona)!;
      for (const [token, fields] of [
        ['forged', { _csrf: 'jeton-fabrique' }],
        ['missing', {}],
      ] as const) {
        const res = await t.app.inject({
          method: method as 'POST',
          url: concrete(url),
          payload: new URLSearchParams(fields).toString(),
          headers: {
            cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            'content-type': 'application/x-www-form-urlencoded',
          },
        });
        if (res.statusCode !== 403)
          failures.push(`${route} as ${persona}, ${token} token: ${res.statusCode}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(await fingerprint(), before);
  });

  test('each route answers each kind of person as declared, in their collectivité and another', async () => {
    // Sign-out last: it ends the sessions the other calls use.
    const routes = [...t.app.routeAccess.keys()].sort(
      (a, b) => Number(a.endsWith('/deconnexion')) - Number(b.endsWith('/deconnexion')),
    );
    const failures: string[] = [];
    for (const route of routes) {
      const [method, url] = route.split(' ') as [string, string];
      const access = t.app.routeAccess.get(route)!;
      for (const persona of PERSONAS) {
        const client = clients.get(persona)!;
        const headers = url.startsWith('/api/') ? bearers.get(persona) : undefined;
        const res =
          method === 'GET'
            ? await client.get(concrete(url), headers)
            : headers
              ? // The API takes JSON with a bearer token, not a form with a CSRF token.
                await t.app.inject({
                  method: 'POST',
                  url: concrete(url),
                  headers: { ...headers, 'content-type': 'application/json' },
                  payload: '{}',
                })
              : await client.post(concrete(url), {});
        // The client's token stays valid across forms: a form refused as expired would hide
        // whether the route itself refuses this person.
        if (res.statusCode === 403 && res.body.includes('Le formulaire a expiré'))
          failures.push(`${route} as ${persona}: refused for its CSRF token`);
        const refused =
          (res.statusCode === 401 && url.startsWith('/api/')) ||
          res.statusCode === 403 ||
          // Every resource the matrix names exists: a 404 hides one that is not yours.
          (res.statusCode === 404 && access !== 'public') ||
          (res.statusCode === 302 && res.headers.location === '/connexion');
        if (refused === allowed(access, persona)) {
          failures.push(
            `${route} as ${persona}: ${res.statusCode}, expected ${allowed(access, persona) ? 'allowed' : 'refused'}`,
          );
        }
      }
    }
    assert.deepEqual(failures, []);
  });
});
