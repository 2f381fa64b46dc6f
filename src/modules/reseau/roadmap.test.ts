import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { givenCollectivite, givenHelper, givenPlace } from '../../../test/helpers/builders.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { file, line } from '../../../test/helpers/ifn-fixtures.ts';
import { layoutProblems, pdfTags, pdfText, structElements } from '../../../test/helpers/pdf.ts';
import { givenCertificates } from '../../../test/helpers/reseau.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';
import { setPlaceStatus } from '../lieux/index.ts';
import { forgetProgressCounts } from './roadmap.ts';

/** A small PDF, recognised by its content like every upload. */
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`);

describe('the roadmap’s porteurs, finances, document and council PDF over HTTP', () => {
  let t: TestApp;
  let admin: Client;
  let coordinator: Client;
  const db = () => t.db.db;
  let roadmap = '';
  let action = '';
  let members: { id: string; nom: string }[] = [];

  /** What the tested action and roadmap hold (the demo roadmap has its own). */
  const counts = async () => ({
    porteurs: (
      await db().selectFrom('reseau_action_porteur').selectAll().where('action_id', '=', action).execute()
    ).length,
    cofinancements: (
      await db().selectFrom('reseau_cofinancement').selectAll().where('action_id', '=', action).execute()
    ).length,
    subventions: (
      await db().selectFrom('reseau_demande_subvention').selectAll().where('action_id', '=', action).execute()
    ).length,
    documents: (
      await db()
        .selectFrom('reseau_feuille_route_document')
        .selectAll()
        .where('feuille_route_id', '=', roadmap)
        .execute()
    ).length,
    statuts: (
      await db()
        .selectFrom('reseau_demande_subvention')
        .select('status')
        .where('action_id', '=', action)
        .execute()
    )
      .map((g) => g.status)
      .join(),
  });

  before(async () => {
    t = await createTestApp({ demo: true });
    admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
    coordinator = new Client(t.app);
    await coordinator.signIn(DEMO_ACCOUNTS[1].email);
    members = await db()
      .selectFrom('reseau_membre')
      .select(['id', 'nom'])
      .where('status', '=', 'membre')
      .orderBy('nom')
      .execute();
    assert.ok(members.length >= 2, 'the demo has members');
    // A roadmap of its own, with an action of 20 000 € whose finances the tests follow.
    await admin.get('/admin/reseau/feuille-de-route');
    assert.equal(
      (
        await admin.post('/admin/reseau/feuilles-de-route', {
          nom: 'Feuille de route des finances',
          perimetre: 'Tout le territoire',
          visibilite: 'publique',
        })
      ).statusCode,
      303,
    );
    roadmap = (
      await db()
        .selectFrom('reseau_feuille_route')
        .select('id')
        .where('nom', '=', 'Feuille de route des finances')
        .executeTakeFirstOrThrow()
    ).id;
    await admin.get('/admin/reseau/feuille-de-route');
    assert.equal(
      (
        await admin.post('/admin/reseau/actions', {
          feuille: roadmap,
          titre: 'Équiper les tiers-lieux',
          debut: '2026-01-01',
          fin: '2027-12-31',
          budget: '20000',
          indicateur: 'aucun',
        })
      ).statusCode,
      303,
    );
    action = (
      await db()
        .selectFrom('reseau_action')
        .select('id')
        .where('titre', '=', 'Équiper les tiers-lieux')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(() => t.close());

  test('attacks: a coordinator of a collectivité and an anonymous caller change and read nothing', async () => {
    const grant = await db()
      .insertInto('reseau_demande_subvention')
      .values({
        action_id: action,
        financeur: 'Fonds de l’attaque',
        montant_demande: 1000,
        deposee_le: '2026-02-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const before = await counts();
    const anonymous = new Client(t.app);
    await anonymous.get('/reseau/feuille-de-route');
    for (const client of [coordinator, anonymous]) {
      await client.get('/reseau/feuille-de-route');
      for (const url of [
        `/admin/reseau/actions/${action}`,
        `/admin/reseau/subventions/${grant.id}`,
        `/admin/reseau/feuilles-de-route/${roadmap}/documents`,
        `/admin/reseau/feuilles-de-route/${roadmap}/conseil.pdf`,
      ]) {
        const res = await client.get(url);
        assert.ok([302, 403].includes(res.statusCode), `${url}: ${res.statusCode}`);
        assert.doesNotMatch(res.body, /Fonds de l’attaque/);
      }
      for (const [url, fields] of [
        [`/admin/reseau/actions/${action}/porteurs`, { porteur: members[0]!.id }],
        [`/admin/reseau/actions/${action}/cofinancements`, { cofinanceur: members[0]!.id, montant: '500' }],
        [
          `/admin/reseau/actions/${action}/subventions`,
          { financeur: 'Intrus', montant_demande: '9', depot: '2026-03-01' },
        ],
        [
          `/admin/reseau/subventions/${grant.id}`,
          { statut: 'acceptee', decision: '2026-03-01', accorde: '1000' },
        ],
      ] as const) {
        const res = await client.post(url, fields);
        assert.ok([302, 403].includes(res.statusCode), `${url}: ${res.statusCode}`);
      }
      const upload = await client.postMultipart(
        `/admin/reseau/feuilles-de-route/${roadmap}/documents`,
        {},
        {
          name: 'document',
          bytes: pdf('intrus'),
          filename: 'intrus.pdf',
        },
      );
      assert.ok([302, 403].includes(upload.statusCode), `upload: ${upload.statusCode}`);
    }
    assert.deepEqual(await counts(), before, 'nothing changed');
    await db().deleteFrom('reseau_demande_subvention').where('id', '=', grant.id).execute();
  });

  test('several porteurs carry an action, shown on its page and the public page; twice is refused', async () => {
    const [a, b] = members as [{ id: string; nom: string }, { id: string; nom: string }];
    await admin.get(`/admin/reseau/actions/${action}`);
    for (const m of [a, b])
      assert.equal(
        (await admin.post(`/admin/reseau/actions/${action}/porteurs`, { porteur: m.id })).statusCode,
        303,
      );
    const again = await admin.post(`/admin/reseau/actions/${action}/porteurs`, { porteur: a.id });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /porte déjà cette action/);
    const page = await admin.get(`/admin/reseau/actions/${action}`);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body, 'action page');
    for (const m of [a, b]) assert.ok(page.body.includes(m.nom.replace(/’/g, '’')), m.nom);
    const publicPage = await new Client(t.app).get('/reseau/feuille-de-route');
    const names = [a.nom, b.nom].sort((x, y) => x.localeCompare(y, 'fr')).join(', ');
    assert.ok(publicPage.body.includes(`Porté par : ${names}`), 'the public page names both porteurs');
    assert.equal(
      (
        await db()
          .selectFrom('audit_event')
          .select('id')
          .where('action', '=', 'network.action.porteur')
          .execute()
      ).length,
      2,
    );
  });

  test('co-financings: bad amounts refused in French, the budget shown with the total and what is left', async () => {
    const [a, b] = members as [{ id: string; nom: string }, { id: string; nom: string }];
    await admin.get(`/admin/reseau/actions/${action}`);
    const before = await counts();
    for (const [montant, message] of [
      ['', /Montant : saisissez un montant en euros/],
      ['douze', /Montant : saisissez un montant en euros/],
      ['-300', /Montant : saisissez un montant supérieur à 0/],
      ['0', /Montant : saisissez un montant supérieur à 0/],
      ['12,50', /Montant : saisissez un montant en euros entiers/],
      ['2000000000', /Montant : 1 000 000 000 € au plus/],
      ['20001', /dépasseraient le budget de l’action \(20 000 €\) ; il reste 20 000 € à cofinancer/],
    ] as const) {
      const res = await admin.post(`/admin/reseau/actions/${action}/cofinancements`, {
        cofinanceur: a.id,
        montant,
      });
      assert.equal(res.statusCode, 400, montant);
      assert.match(res.body.replace(/[\u202f\u00a0]/g, ' '), message, montant);
      assert.match(res.body, /class="error-summary"|role="alert"/);
    }
    const foreign = await admin.post(`/admin/reseau/actions/${action}/cofinancements`, {
      cofinanceur: '00000000-0000-4000-8000-000000000000',
      montant: '100',
    });
    assert.equal(foreign.statusCode, 400);
    assert.match(foreign.body, /Choisissez un membre actuel du réseau/);
    assert.deepEqual(await counts(), before, 'nothing recorded');
    assert.equal(
      (
        await admin.post(`/admin/reseau/actions/${action}/cofinancements`, {
          cofinanceur: a.id,
          montant: '12 500',
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await admin.post(`/admin/reseau/actions/${action}/cofinancements`, {
          cofinanceur: b.id,
          montant: '4 000 €',
        })
      ).statusCode,
      303,
    );
    const over = await admin.post(`/admin/reseau/actions/${action}/cofinancements`, {
      cofinanceur: b.id,
      montant: '3501',
    });
    assert.equal(over.statusCode, 400);
    assert.match(over.body.replace(/[\u202f\u00a0]/g, ' '), /il reste 3 500 € à cofinancer/);
    const page = (await admin.get(`/admin/reseau/actions/${action}`)).body.replace(/[\u202f\u00a0]/g, ' ');
    assert.match(page, /<dt>Budget<\/dt>\s*<dd>20 000 €<\/dd>/);
    assert.match(page, /<dt>Total cofinancé<\/dt>\s*<dd>16 500 €<\/dd>/);
    assert.match(page, /<dt>Reste à financer<\/dt>\s*<dd>3 500 €<\/dd>/);
    const publicPage = (await new Client(t.app).get('/reseau/feuille-de-route')).body.replace(
      /[\u202f\u00a0]/g,
      ' ',
    );
    assert.match(publicPage, /20 000 € ; cofinancé : 16 500 € ; reste : 3 500 €/);
    const journal = await db()
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'network.action.cofinancing')
      .execute();
    assert.equal(journal.length, 2);
  });

  test('grant requests: listed on the action, the coordinator decides, each change journaled', async () => {
    await admin.get(`/admin/reseau/actions/${action}`);
    const bad = await admin.post(`/admin/reseau/actions/${action}/subventions`, {
      financeur: '',
      montant_demande: 'beaucoup',
      depot: '2026-02-30',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Saisissez le financeur/i);
    assert.match(bad.body, /Montant demandé : saisissez un montant en euros/);
    assert.match(bad.body, /Date de dépôt : saisissez une date valide/);
    assert.equal((await counts()).subventions, 0);
    assert.equal(
      (
        await admin.post(`/admin/reseau/actions/${action}/subventions`, {
          financeur: 'État (ANCT)',
          montant_demande: '15 000',
          depot: '2026-03-02',
        })
      ).statusCode,
      303,
    );
    const grant = await db()
      .selectFrom('reseau_demande_subvention')
      .selectAll()
      .where('action_id', '=', action)
      .executeTakeFirstOrThrow();
    assert.equal(grant.status, 'deposee');
    const listed = (await admin.get(`/admin/reseau/actions/${action}`)).body.replace(/[\u202f\u00a0]/g, ' ');
    assert.match(listed, /État \(ANCT\)[\s\S]*15 000 €[\s\S]*Déposée/);
    await admin.get(`/admin/reseau/subventions/${grant.id}`);
    assert.equal(
      (await admin.post(`/admin/reseau/subventions/${grant.id}`, { statut: 'en_cours' })).statusCode,
      303,
    );
    await admin.get(`/admin/reseau/subventions/${grant.id}`);
    const undecided = await admin.post(`/admin/reseau/subventions/${grant.id}`, {
      statut: 'acceptee',
      decision: '',
      accorde: '',
    });
    assert.equal(undecided.statusCode, 400);
    assert.match(undecided.body, /Saisissez la date de la décision/);
    assert.match(undecided.body, /Saisissez le montant accordé/);
    const early = await admin.post(`/admin/reseau/subventions/${grant.id}`, {
      statut: 'acceptee',
      decision: '2026-03-01',
      accorde: '12000',
    });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /La décision ne peut pas précéder le dépôt/);
    assert.equal((await counts()).statuts, 'en_cours', 'nothing changed by a refused form');
    const accepted = await admin.post(`/admin/reseau/subventions/${grant.id}`, {
      statut: 'acceptee',
      decision: '2026-06-15',
      accorde: '12 000',
    });
    assert.equal(accepted.statusCode, 303);
    assert.equal(accepted.headers.location, `/admin/reseau/actions/${action}?ok=subvention_statut`);
    const after = await db()
      .selectFrom('reseau_demande_subvention')
      .selectAll()
      .where('id', '=', grant.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [after.status, after.decision_le, after.montant_accorde],
      ['acceptee', '2026-06-15', 12000],
    );
    const page = (await admin.get(`/admin/reseau/actions/${action}`)).body.replace(/[\u202f\u00a0]/g, ' ');
    assert.match(page, /Accordée le 15 juin 2026 : 12 000 €/);
    const journal = await db()
      .selectFrom('audit_event')
      .select(['action', 'details'])
      .where('action', 'in', ['network.grant.create', 'network.grant.status'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      journal.map((j) => j.action),
      ['network.grant.create', 'network.grant.status', 'network.grant.status'],
    );
    assert.match(JSON.stringify(journal[2]?.details), /"from":"en_cours".*"status":"acceptee"/);
  });

  test('the roadmap’s document: each upload a new version, all downloadable; only a PDF; a private roadmap’s stays private', async () => {
    const url = `/admin/reseau/feuilles-de-route/${roadmap}/documents`;
    await admin.get(url);
    const png = await admin.postMultipart(
      url,
      {},
      {
        name: 'document',
        bytes: Buffer.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0]),
        filename: 'feuille.pdf',
      },
    );
    assert.equal(png.statusCode, 400);
    assert.match(png.body, /Le document de la feuille de route doit être un PDF/);
    const exe = await admin.postMultipart(
      url,
      {},
      { name: 'document', bytes: Buffer.from('MZ\x90\x00'), filename: 'feuille.pdf' },
    );
    assert.equal(exe.statusCode, 400);
    assert.match(exe.body, /Les programmes et les scripts ne sont pas acceptés/);
    const none = await admin.postMultipart(url, {});
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Choisissez le document PDF à envoyer/);
    assert.equal((await counts()).documents, 0);
    for (const text of ['version adoptée en mars', 'version révisée en juin']) {
      const res = await admin.postMultipart(
        url,
        {},
        { name: 'document', bytes: pdf(text), filename: 'Feuille de route.pdf' },
      );
      assert.equal(res.statusCode, 303, text);
      await admin.get(url);
    }
    const versions = await db()
      .selectFrom('reseau_feuille_route_document')
      .select(['id', 'version', 'uploaded_by_name'])
      .where('feuille_route_id', '=', roadmap)
      .orderBy('version')
      .execute();
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2],
    );
    const page = await admin.get(url);
    await assertValidHtml(page.body, 'documents page');
    assert.match(page.body, /version 2, la plus récente[\s\S]*version 1/);
    assert.ok(page.body.includes(`par ${versions[0]!.uploaded_by_name}`), 'who uploaded');
    const anonymous = new Client(t.app);
    const publicPage = await anonymous.get('/reseau/feuille-de-route');
    assert.match(publicPage.body, /version 2, la plus récente/);
    for (const [i, text] of ['version adoptée en mars', 'version révisée en juin'].entries()) {
      const res = await anonymous.get(`/reseau/feuilles-de-route/${roadmap}/documents/${versions[i]!.id}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.match(res.rawPayload.toString('utf8'), new RegExp(text));
    }
    // Made private: its page, documents and actions leave the public side, the coordination keeps them.
    await admin.get(`/admin/reseau/feuilles-de-route/${roadmap}/modifier`);
    assert.equal(
      (
        await admin.post(`/admin/reseau/feuilles-de-route/${roadmap}/modifier`, {
          nom: 'Feuille de route des finances',
          perimetre: 'Tout le territoire',
          visibilite: 'interne',
        })
      ).statusCode,
      303,
    );
    const hidden = await anonymous.get('/reseau/feuille-de-route');
    assert.doesNotMatch(hidden.body, /Feuille de route des finances|Équiper les tiers-lieux/);
    const privateFile = `/reseau/feuilles-de-route/${roadmap}/documents/${versions[0]!.id}`;
    assert.equal((await anonymous.get(privateFile)).statusCode, 404);
    assert.equal((await coordinator.get(privateFile)).statusCode, 404);
    const own = await admin.get(privateFile);
    assert.equal(own.statusCode, 200);
    assert.match(String(own.headers['cache-control']), /no-store/);
    // A document of another roadmap is not found under this one.
    const other = await db()
      .selectFrom('reseau_feuille_route')
      .select('id')
      .where('id', '!=', roadmap)
      .executeTakeFirstOrThrow();
    assert.equal(
      (await admin.get(`/reseau/feuilles-de-route/${other.id}/documents/${versions[0]!.id}`)).statusCode,
      404,
    );
    await admin.post(`/admin/reseau/feuilles-de-route/${roadmap}/modifier`, {
      nom: 'Feuille de route des finances',
      perimetre: 'Tout le territoire',
      visibilite: 'publique',
    });
  });

  test('the council’s PDF: actions, status, porteurs, budget, co-financings, grants and progress, tagged and within its pages', async () => {
    const res = await admin.get(`/admin/reseau/feuilles-de-route/${roadmap}/conseil.pdf`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const file = res.rawPayload;
    const text = pdfText(file).replace(/\s+/g, ' ');
    assert.match(text, /Feuille de route : Feuille de route des finances/);
    assert.match(text, /Équiper les tiers-lieux/);
    assert.match(text, /Statut : À lancer/);
    const [a, b] = members as [{ id: string; nom: string }, { id: string; nom: string }];
    assert.ok(text.includes(a.nom) && text.includes(b.nom), 'porteurs');
    assert.match(text, /Budget : 20 000 € ; cofinancé : 16 500 € ; reste : 3 500 €/);
    assert.ok(text.includes(`${a.nom} : 12 500 €`), 'co-financing');
    assert.match(
      text,
      /État \(ANCT\) : 15 000 € demandés, déposée le 2 mars 2026 — Acceptée \(Accordée le 15 juin 2026 : 12 000 €\)/,
    );
    assert.match(text, /Indicateur : Pas d’indicateur/);
    assert.deepEqual(layoutProblems(file), []);
    const tags = pdfTags(file);
    assert.equal(tags.marked, true);
    assert.equal(tags.lang, 'fr-FR');
    assert.match(tags.title ?? '', /Feuille de route des finances/);
    assert.ok(tags.tree);
    const elements = structElements(tags.tree);
    assert.deepEqual(
      elements.filter((e) => e.type === 'H1').map((e) => e.text),
      ['Feuille de route : Feuille de route des finances'],
    );
    assert.ok(elements.some((e) => e.type === 'H2' && e.text === 'Équiper les tiers-lieux'));
    assert.deepEqual(tags.untagged, []);
  });
});

describe('indicators from the trainings and the referrals, computed as published', () => {
  let t: TestApp;
  let admin: Client;
  const db = () => t.db.db;

  before(async () => {
    t = await createTestApp({ demo: true });
    admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
  });
  after(() => t.close());

  test('helpers trained and hours: each month rounded to 5; a delay: the median, hidden under 5 answers', async () => {
    // Three helpers of a new collectivité follow a training: 3 certificates of 200 minutes this month.
    const first = await givenHelper(t);
    const helpers = [
      first,
      await givenHelper(t, { collectivite: first.collectiviteId }),
      await givenHelper(t, { collectivite: first.collectiviteId }),
    ];
    await givenCertificates(db(), helpers, { minutes: 200, code: 'ROAD-MAPT-EST' });
    // Referrals sent from that collectivité, answered after 1, 2, 3, 4 and 10 days: median 3 days.
    const place = await givenPlace(t, { collectivite: first.collectiviteId });
    const referral = (days: number, collectiviteId: number) => {
      const created = new Date(Date.now() - (days + 1) * 86_400_000);
      return {
        collectivite_id: collectiviteId,
        sender_name: 'Aidant',
        sender_email: 'aidant@example.org',
        prenom: 'Prénom',
        nom: 'Nom',
        contact_preference: 'via_referent' as const,
        motif: 'Démarche',
        lieu_id: place,
        service: 'aide-aux-demarches-administratives',
        destination_name: 'Lieu',
        destination_email: 'lieu@example.org',
        consent_mode: 'en_personne' as const,
        consent_text: 'Accord.',
        status: 'acceptee' as const,
        created_at: created,
        answered_at: new Date(created.getTime() + days * 86_400_000),
      };
    };
    await db()
      .insertInto('orientation')
      .values([1, 2, 3, 4, 10].map((d) => referral(d, first.collectiviteId)))
      .execute();
    // Another collectivité with four answers only: its delay stays hidden.
    const few = await givenHelper(t);
    const fewPlace = await givenPlace(t, { collectivite: few.collectiviteId });
    await db()
      .insertInto('orientation')
      .values([1, 1, 1, 1].map((d) => ({ ...referral(d, few.collectiviteId), lieu_id: fewPlace })))
      .execute();

    const feuille = await db().selectFrom('reseau_feuille_route').select('id').executeTakeFirstOrThrow();
    const today = parisToday();
    const monthStart = `${today.slice(0, 7)}-01`;
    const debut =
      new Date(Date.parse(`${monthStart}T00:00:00Z`) - 40 * 86_400_000).toISOString().slice(0, 8) + '01';
    const actions = [
      ['Former des aidants', 'aidants_formes', first.collectiviteId, '10'],
      ['Heures de formation', 'heures_formation', first.collectiviteId, '40'],
      ['Répondre vite aux orientations', 'delai_orientation', first.collectiviteId, '2'],
      ['Orientations d’un petit territoire', 'delai_orientation', few.collectiviteId, '5'],
    ] as const;
    for (const [titre, indicateur, collectivite, cible] of actions) {
      await admin.get('/admin/reseau/feuille-de-route');
      const res = await admin.post('/admin/reseau/actions', {
        feuille: feuille.id,
        titre,
        debut,
        fin: `${Number(today.slice(0, 4)) + 1}-12-31`,
        indicateur,
        collectivite: String(collectivite),
        cible,
      });
      assert.equal(res.statusCode, 303, `${titre}: ${res.statusCode}`);
    }
    forgetProgressCounts(db());
    const page = (await new Client(t.app).get('/reseau/feuille-de-route')).body.replace(
      /[\u202f\u00a0]/g,
      ' ',
    );
    const row = (titre: string) => {
      const at = page.indexOf(titre.replace(/’/g, '’'));
      assert.ok(at > 0, titre);
      return page.slice(at, page.indexOf('</tr>', at));
    };
    // 3 certificates this month, rounded to 5: 5 of 10 (50 %). 3 × 200 minutes = 10 hours: 10 of 40 (25 %).
    assert.match(row('Former des aidants'), /<progress max="100" value="50"[\s\S]*50 % — 5 sur 10/);
    assert.match(row('Heures de formation'), /<progress max="100" value="25"[\s\S]*25 % — 10 sur 40/);
    // Median of 1, 2, 3, 4, 10 days = 3 days, for a target of 2 at most: 2 / 3 = 66 %.
    assert.match(
      row('Répondre vite aux orientations'),
      /<progress max="100" value="66"[\s\S]*66 % — 3 jours pour 2 au plus/,
    );
    // Four answers: masked.
    assert.match(row('Orientations d’un petit territoire'), /Moins de 5 réponses : délai non publié/);
    assert.doesNotMatch(row('Orientations d’un petit territoire'), /1 jours/);
    // A certificate revoked no longer counts: 2 certificates round to 0.
    await db()
      .updateTable('formation_attestation')
      .set({ revoked_at: new Date(), motif_revocation: 'Erreur de saisie' })
      .where('code', '=', 'ROAD-MAPT-EST0')
      .execute();
    forgetProgressCounts(db());
    const again = (await new Client(t.app).get('/reseau/feuille-de-route')).body.replace(
      /[\u202f\u00a0]/g,
      ' ',
    );
    const at = again.indexOf('Former des aidants');
    assert.match(again.slice(at, again.indexOf('</tr>', at)), /0 % — 0 sur 10/);
  });
});

describe('the places opened in white zones, computed from the directory and the fragility index', () => {
  let t: TestApp;
  let admin: Client;
  const db = () => t.db.db;

  before(async () => {
    t = await createTestApp({ demo: true });
    admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
  });
  after(() => t.close());

  /** The row of an action on the public roadmap page, its counts computed again. */
  const publicRow = async (titre: string) => {
    forgetProgressCounts(db());
    const page = (await new Client(t.app).get('/reseau/feuille-de-route')).body.replace(
      /[\u202f\u00a0]/g,
      ' ',
    );
    const at = page.indexOf(titre);
    assert.ok(at > 0, titre);
    return page.slice(at, page.indexOf('</tr>', at));
  };

  test('each fragile commune counts its first published place, rounded to 5; unpublishing one changes the value', async () => {
    // Four communes of the Creuse join the network, about 33 km apart (no centre imported: each
    // is measured from its places). Ahun, Ajain and Alleyrat are fragile (8), Anzême is not (5).
    const communes = [
      { code: '23001', name: 'Ahun', latitude: 46.0, index: 8 },
      { code: '23002', name: 'Ajain', latitude: 46.3, index: 8 },
      { code: '23003', name: 'Alleyrat', latitude: 46.6, index: 8 },
      { code: '23004', name: 'Anzême', latitude: 46.9, index: 5 },
    ];
    for (const c of communes) await givenCollectivite(t, { code: c.code });
    await admin.get('/admin/observatoire/ifn');
    const imported = await admin.postMultipart(
      '/admin/observatoire/ifn',
      { millesime: '2023' },
      {
        name: 'fichier',
        bytes: file(...communes.map((c) => line(c.code, c.index, { name: c.name }))),
        filename: 'ifn.csv',
      },
    );
    assert.equal(imported.statusCode, 303, imported.body);
    // Places published one after the other: 5 in Ahun, 2 in Ajain, 1 in Alleyrat, 2 in Anzême.
    const placesIn = async (c: (typeof communes)[number], n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++)
        ids.push(
          await givenPlace(t, {
            code_insee: c.code,
            commune: c.name,
            code_postal: '23000',
            latitude: c.latitude + i * 0.001,
            longitude: 2.0,
          }),
        );
      return ids;
    };
    await placesIn(communes[0]!, 5);
    await placesIn(communes[1]!, 2);
    const [alleyrat] = await placesIn(communes[2]!, 1);
    await placesIn(communes[3]!, 2);

    const feuille = await db().selectFrom('reseau_feuille_route').select('id').executeTakeFirstOrThrow();
    const today = parisToday();
    await admin.get('/admin/reseau/feuille-de-route');
    const res = await admin.post('/admin/reseau/actions', {
      feuille: feuille.id,
      titre: 'Ouvrir des lieux en zone blanche',
      debut: `${today.slice(0, 7)}-01`,
      fin: `${Number(today.slice(0, 4)) + 1}-12-31`,
      indicateur: 'lieux_zones_blanches',
      collectivite: '',
      cible: '10',
    });
    assert.equal(res.statusCode, 303);
    // By hand: the first place of each of the 3 fragile communes, all this month: 3, rounded
    // to 5. Every place serving them (8) would round to 10; Anzême's do not count (not fragile).
    const row = await publicRow('Ouvrir des lieux en zone blanche');
    assert.match(row, /<progress max="100" value="50"[\s\S]*50 % — 5 sur 10 \(lieux ouverts en zone blanche/);
    assert.match(
      row,
      /premiers à desservir une commune fragile \(indice de fragilité numérique de 6 ou plus\)/,
    );

    // Alleyrat's only place withdrawn: Alleyrat is a white zone again, 2 places round to 0
    // (with Anzême counted, 3 would round to 5).
    await setPlaceStatus(db(), systemActor('tests'), alleyrat!, 'brouillon');
    assert.match(await publicRow('Ouvrir des lieux en zone blanche'), /0 % — 0 sur 10/);
  });
});
