import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import PDFDocument from 'pdfkit';
import { Client, createTestApp, type TestApp, testConfig } from '../../../test/helpers/app.ts';
import { readCalendar } from '../../../test/helpers/calendar.ts';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { layoutProblems, pdfPages, pdfTags, structElements } from '../../../test/helpers/pdf.ts';
import { givenNetwork } from '../../../test/helpers/reseau.ts';
import { DEMO_ACCOUNTS } from '../comptes/index.ts';

/** A one-page PDF, as a scanner or an office suite would give for signed minutes. */
function signedPdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.text(text);
  doc.end();
  return done;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the network’s members and governance: accounts, minutes as PDF, contact feeds, digest choice', () => {
  let t: TestApp;
  let admin: Client;
  let coordinator: Client;
  let network: Awaited<ReturnType<typeof givenNetwork>>;
  let contact = '';
  let candidate = { member: '', contact: '' };
  let villeurbanne = 0;
  const db = () => t.db.db;
  const outbox = (to: string) =>
    db()
      .selectFrom('mail_outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', to)
      .orderBy('id')
      .execute();
  const journal = (action: string) =>
    db().selectFrom('audit_event').select('action').where('action', '=', action).execute();
  const accounts = async () => (await db().selectFrom('app_user').select('id').execute()).length;
  const contactPath = () => `/admin/reseau/membres/${network.member}/contacts/${contact}`;

  before(async () => {
    t = await createTestApp({ demo: true });
    network = await givenNetwork(db(), testConfig);
    contact = (
      await db()
        .selectFrom('reseau_contact')
        .select('id')
        .where('email', '=', 'camille@ensemble.example')
        .executeTakeFirstOrThrow()
    ).id;
    const applicant = await db()
      .selectFrom('reseau_contact as c')
      .innerJoin('reseau_membre as m', 'm.id', 'c.membre_id')
      .select(['m.id as member', 'c.id as contact'])
      .where('m.status', '=', 'candidat')
      .executeTakeFirstOrThrow();
    candidate = { member: applicant.member, contact: applicant.contact };
    villeurbanne = (
      await db().selectFrom('collectivite').select('id').where('code', '=', '69266').executeTakeFirstOrThrow()
    ).id;
    admin = new Client(t.app);
    await admin.signIn(DEMO_ACCOUNTS[0].email);
    coordinator = new Client(t.app);
    await coordinator.signIn(DEMO_ACCOUNTS[1].email);
  });
  after(() => t.close());

  // ------------------------------------------------------------------ attacks first

  test('a coordinator of a collectivité (not the OPSN) is refused in French, and nothing changes', async () => {
    await coordinator.get('/espace');
    const before = { accounts: await accounts(), mails: (await outbox('camille@ensemble.example')).length };
    const version = await db()
      .selectFrom('reseau_contact')
      .select('flux_version')
      .where('id', '=', contact)
      .executeTakeFirstOrThrow();
    for (const url of [
      contactPath(),
      `/admin/reseau/evenements/${network.event}/compte-rendu.pdf`,
      `/admin/reseau/evenements/${network.event}/compte-rendu/versions`,
      `/admin/reseau/evenements/${network.event}/compte-rendu/versions/1`,
    ]) {
      const res = await coordinator.get(url);
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /Vous n’avez pas accès à cette action/, url);
      assert.doesNotMatch(res.body, /camille@ensemble/, url);
    }
    const invite = await coordinator.post(`${contactPath()}/compte`, {
      collectivite: String(villeurbanne),
      accord_compte: 'oui',
    });
    assert.equal(invite.statusCode, 403);
    assert.match(invite.body, /Vous n’avez pas accès à cette action/);
    for (const path of ['envoyer', 'renouveler'])
      assert.equal((await coordinator.post(`${contactPath()}/calendrier/${path}`, {})).statusCode, 403, path);
    const upload = await coordinator.postMultipart(
      `/admin/reseau/evenements/${network.event}/compte-rendu/versions`,
      {},
      { name: 'fichier', bytes: await signedPdf('Intrus'), filename: 'intrus.pdf' },
    );
    assert.equal(upload.statusCode, 403);
    const anonymous = new Client(t.app);
    const res = await anonymous.get(contactPath());
    assert.ok([302, 403].includes(res.statusCode));
    assert.equal(await accounts(), before.accounts, 'no account created');
    assert.equal((await outbox('camille@ensemble.example')).length, before.mails, 'no mail sent');
    const after = await db()
      .selectFrom('reseau_contact')
      .select(['flux_version', 'compte_invite_at'])
      .where('id', '=', contact)
      .executeTakeFirstOrThrow();
    assert.equal(after.flux_version, version.flux_version, 'the feed was not reset');
    assert.equal(after.compte_invite_at, null);
    const versions = await db()
      .selectFrom('reseau_compte_rendu')
      .select('id')
      .where('evenement_id', '=', network.event)
      .execute();
    assert.equal(versions.length, 0, 'no minutes attached');
  });

  test('a candidate’s contact, or a contact who did not agree or left, is not invited', async () => {
    const before = await accounts();
    const candidatePath = `/admin/reseau/membres/${candidate.member}/contacts/${candidate.contact}`;
    const page = await admin.get(candidatePath);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Seuls les contacts d’une structure membre du réseau peuvent être invités/);
    const notMember = await admin.post(`${candidatePath}/compte`, {
      collectivite: String(villeurbanne),
      accord_compte: 'oui',
    });
    assert.equal(notMember.statusCode, 409);
    assert.match(notMember.body, /Seuls les contacts d’une structure membre du réseau/);
    await assertValidHtml(notMember.body, 'the contact page with its error');
    assert.match(notMember.body, /href="#champ-compte"/);
    assert.match(notMember.body, /id="champ-compte"/, 'the error summary links to something');

    await admin.get(contactPath());
    const noAgreement = await admin.post(`${contactPath()}/compte`, { collectivite: String(villeurbanne) });
    assert.equal(noAgreement.statusCode, 400);
    assert.match(noAgreement.body, /la personne doit avoir demandé ou accepté un compte/);
    const noPlace = await admin.post(`${contactPath()}/compte`, {
      collectivite: '999999',
      accord_compte: 'oui',
    });
    assert.equal(noPlace.statusCode, 400);
    assert.match(noPlace.body, /Choisissez une collectivité du territoire/);

    // A contact who unsubscribed withdrew their agreement.
    await db()
      .updateTable('reseau_contact')
      .set({ unsubscribed_at: new Date() })
      .where('id', '=', contact)
      .execute();
    const left = await admin.post(`${contactPath()}/compte`, {
      collectivite: String(villeurbanne),
      accord_compte: 'oui',
    });
    assert.equal(left.statusCode, 409);
    assert.match(left.body, /s’est désabonnée du réseau : elle a retiré son accord/);
    await db()
      .updateTable('reseau_contact')
      .set({ unsubscribed_at: null })
      .where('id', '=', contact)
      .execute();
    assert.equal(await accounts(), before);
    assert.equal(
      (await outbox('camille@ensemble.example')).filter((m) => /Relais/.test(m.subject)).length,
      0,
    );
  });

  test('an accepted member’s contact who agreed is invited as a helper and creates their account', async () => {
    const page = await admin.get(contactPath());
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body, 'the contact page');
    assert.match(page.body, /Envoyer l’invitation/);
    const res = await admin.post(`${contactPath()}/compte`, {
      collectivite: String(villeurbanne),
      accord_compte: 'oui',
    });
    assert.equal(res.statusCode, 303);
    const mail = (await outbox('camille@ensemble.example')).at(-1)!;
    assert.equal(mail.subject, 'Votre invitation à Relais');
    const token = /\/invitation\/([\w-]{43})/.exec(mail.body ?? '')![1]!;
    const user = await db()
      .selectFrom('app_user as u')
      .innerJoin('membership as m', 'm.user_id', 'u.id')
      .select(['u.id', 'u.status', 'u.name', 'm.role', 'm.collectivite_id'])
      .where('u.email', '=', 'camille@ensemble.example')
      .execute();
    assert.deepEqual(
      user.map((u) => [u.status, u.name, u.role, u.collectivite_id]),
      [['invited', 'Camille Contact', 'mediateur', villeurbanne]],
    );
    assert.equal((await journal('network.contact.invite')).length, 1);

    const person = new Client(t.app);
    const form = await person.get(`/invitation/${token}`);
    assert.equal(form.statusCode, 200);
    const accepted = await person.post(`/invitation/${token}`, {
      password: 'Un mot de passe bien long 2027',
      confirmation: 'Un mot de passe bien long 2027',
    });
    assert.ok([302, 303].includes(accepted.statusCode), String(accepted.statusCode));
    const active = await db()
      .selectFrom('app_user')
      .select('status')
      .where('email', '=', 'camille@ensemble.example')
      .executeTakeFirstOrThrow();
    assert.equal(active.status, 'active');

    const again = await admin.post(`${contactPath()}/compte`, {
      collectivite: String(villeurbanne),
      accord_compte: 'oui',
    });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /déjà été invitée/);
  });

  // ------------------------------------------------------------------ minutes

  test('the minutes download as a tagged PDF with the meeting, attendance and decisions', async () => {
    await admin.get(`/admin/reseau/evenements/${network.event}`);
    const recorded = await admin.post(`/admin/reseau/evenements/${network.event}/compte-rendu`, {
      compte_rendu: 'Première version du compte rendu.\n\nLe budget est présenté.',
      presents: network.member,
    });
    assert.equal(recorded.statusCode, 303);
    await admin.post(`/admin/reseau/evenements/${network.event}/compte-rendu`, {
      compte_rendu: 'Deuxième version du compte rendu.\n\nLe budget est voté.',
      presents: network.member,
    });
    const decided = await admin.post(`/admin/reseau/evenements/${network.event}/decisions`, {
      texte: 'Lancer la formation des aidants en mai.',
      action: network.action,
    });
    assert.equal(decided.statusCode, 303);
    const eventPage = await admin.get(`/admin/reseau/evenements/${network.event}`);
    assert.match(eventPage.body, /compte-rendu\/versions/);

    const res = await admin.get(`/admin/reseau/evenements/${network.event}/compte-rendu.pdf`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.match(
      String(res.headers['content-disposition']),
      /attachment; filename="compte-rendu-[a-z0-9-]+\.pdf"/,
    );
    const pdf = res.rawPayload;
    const tags = pdfTags(pdf);
    assert.ok(tags.marked);
    assert.equal(tags.lang, 'fr-FR');
    assert.equal(tags.title, 'Compte rendu — Comité de pilotage de printemps');
    assert.ok(tags.displayTitle);
    assert.deepEqual(tags.untagged, [], 'every text is tagged');
    const elements = structElements(tags.tree ?? []);
    const texts = elements.map((e) => `${e.type}: ${e.text}`);
    assert.ok(texts.includes('H1: Compte rendu — Comité de pilotage de printemps'), texts.join('\n'));
    assert.ok(texts.includes('H2: Présences'));
    assert.ok(
      texts.some((x) => /^P: Date : .*15 avril 2027.*14:00/.test(x)),
      texts.join('\n'),
    );
    assert.ok(texts.includes('LBody: – Association Numérique Ensemble : présent'), texts.join('\n'));
    assert.ok(texts.includes('P: Le budget est voté.'), 'the latest text');
    assert.ok(!texts.includes('P: Le budget est présenté.'), 'not an earlier one');
    assert.ok(
      texts.includes('LBody: – Lancer la formation des aidants en mai. (action : Former les aidants)'),
      texts.join('\n'),
    );
    assert.ok(texts.indexOf('H2: Présences') < texts.indexOf('H2: Décisions'), 'reading order');
    assert.deepEqual(layoutProblems(pdf, { inset: 20 }), []);
  });

  test('long minutes run over several pages, every line inside the page and tagged', async () => {
    const long = Array.from(
      { length: 40 },
      (_, i) =>
        `Point ${i + 1} : le comité examine l’avancement des actions, les besoins des structures et les prochaines étapes du réseau sur le territoire.`,
    ).join('\n\n');
    await admin.get(`/admin/reseau/evenements/${network.event}`);
    await admin.post(`/admin/reseau/evenements/${network.event}/compte-rendu`, {
      compte_rendu: long,
      presents: network.member,
    });
    const res = await admin.get(`/admin/reseau/evenements/${network.event}/compte-rendu.pdf`);
    const pdf = res.rawPayload;
    assert.ok(pdfPages(pdf).length >= 2, 'several pages');
    assert.deepEqual(layoutProblems(pdf, { inset: 20 }), []);
    const tags = pdfTags(pdf);
    assert.deepEqual(tags.untagged, []);
    const texts = structElements(tags.tree ?? []).map((e) => e.text);
    assert.ok(
      texts.some((x) => x.startsWith('Point 40 :')),
      'the last paragraph is there and tagged',
    );
    // Back to the text the next test starts from.
    await admin.get(`/admin/reseau/evenements/${network.event}`);
    await admin.post(`/admin/reseau/evenements/${network.event}/compte-rendu`, {
      compte_rendu: 'Deuxième version du compte rendu.\n\nLe budget est voté.',
      presents: network.member,
    });
  });

  test('signed minutes are checked by content and kept as a new version; none is overwritten', async () => {
    const versionsUrl = `/admin/reseau/evenements/${network.event}/compte-rendu/versions`;
    const page = await admin.get(versionsUrl);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body, 'the minutes versions');
    const before = await db()
      .selectFrom('reseau_compte_rendu')
      .select(['id', 'texte', 'at'])
      .where('evenement_id', '=', network.event)
      .orderBy('id')
      .execute();
    assert.equal(before.length, 4);

    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const image = await admin.postMultipart(
      versionsUrl,
      {},
      { name: 'fichier', bytes: png, filename: 'cr.pdf' },
    );
    assert.equal(image.statusCode, 400);
    assert.match(image.body, /doit être un fichier PDF/);
    await assertValidHtml(image.body, 'the upload refused');
    await admin.get(versionsUrl);
    const program = await admin.postMultipart(
      versionsUrl,
      {},
      { name: 'fichier', bytes: Buffer.from('MZ\x90\x00 un programme'), filename: 'cr.pdf' },
    );
    assert.equal(program.statusCode, 400);
    assert.match(program.body, /programmes et les scripts ne sont pas acceptés/);
    await admin.get(versionsUrl);
    const none = await admin.postMultipart(versionsUrl, {});
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Choisissez le fichier PDF/);
    assert.equal(
      (
        await db()
          .selectFrom('reseau_compte_rendu')
          .select('id')
          .where('evenement_id', '=', network.event)
          .execute()
      ).length,
      4,
      'nothing recorded',
    );

    const signed = await signedPdf('Compte rendu signé par la présidence');
    await admin.get(versionsUrl);
    const ok = await admin.postMultipart(
      versionsUrl,
      {},
      { name: 'fichier', bytes: signed, filename: 'signé.pdf' },
    );
    assert.equal(ok.statusCode, 303);
    const listed = await admin.get(versionsUrl);
    assert.match(listed.body, /Compte rendu signé \(signé\.pdf/);
    for (const n of [1, 2, 3, 4, 5]) assert.match(listed.body, new RegExp(`versions/${n}"`));

    const v5 = await admin.get(`${versionsUrl}/5`);
    assert.equal(v5.statusCode, 200);
    assert.equal(v5.headers['content-type'], 'application/pdf');
    assert.equal(sha(v5.rawPayload), sha(signed), 'the signed file, byte for byte');
    const v1 = await admin.get(`${versionsUrl}/1`);
    const v1Texts = structElements(pdfTags(v1.rawPayload).tree ?? []).map((e) => e.text);
    assert.ok(v1Texts.includes('Le budget est présenté.'), 'version 1 keeps its own text');
    assert.equal((await admin.get(`${versionsUrl}/6`)).statusCode, 404);
    assert.equal((await admin.get(`${versionsUrl}/0`)).statusCode, 404);

    const afterRows = await db()
      .selectFrom('reseau_compte_rendu')
      .select(['id', 'texte', 'at', 'pdf_sha256'])
      .where('evenement_id', '=', network.event)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      afterRows.slice(0, 4).map((r) => [r.id, r.texte, r.at.getTime()]),
      before.map((r) => [r.id, r.texte, r.at.getTime()]),
      'earlier versions untouched',
    );
    assert.equal(afterRows[4]?.pdf_sha256, sha(signed));
    assert.equal(afterRows[4]?.texte, 'Deuxième version du compte rendu.\n\nLe budget est voté.');
    // The current minutes' PDF still prints the text (the signed file is a version of its own).
    const current = await admin.get(`/admin/reseau/evenements/${network.event}/compte-rendu.pdf`);
    assert.ok(
      structElements(pdfTags(current.rawPayload).tree ?? []).some((e) => e.text === 'Le budget est voté.'),
    );
    assert.equal((await journal('network.minutes.signed')).length, 1);
  });

  // ------------------------------------------------------------------ the contact's calendar

  test('a contact’s own feed: their invitations and registrations, Paris times; a reset link answers 410', async () => {
    const page = await admin.get(contactPath());
    const url = /(\/reseau\/calendrier\/contacts\/[^<\s]+\.ics)/.exec(page.body)![1]!;
    // The contact registers to a public event with their address; another public event stays out.
    const publicEvents = await db()
      .selectFrom('reseau_evenement')
      .select(['id', 'titre'])
      .where('audience', '=', 'public')
      .where('capacite', 'is not', null)
      .where('cancelled_at', 'is', null)
      .where('starts_at', '>', new Date())
      .orderBy('starts_at')
      .execute();
    const chosen = publicEvents[0]!;
    const visitor = new Client(t.app);
    await visitor.get(`/reseau/agenda/${chosen.id}`);
    const registered = await visitor.post(`/reseau/agenda/${chosen.id}/inscription`, {
      nom: 'Camille Contact',
      email: 'camille@ensemble.example',
    });
    assert.equal(registered.statusCode, 303);

    const anonymous = new Client(t.app);
    const res = await anonymous.get(url);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/calendar/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const calendar = readCalendar(res.body);
    const titles = calendar.events.map((e) => e.summary);
    assert.ok(titles.includes('Comité de pilotage de printemps'), titles.join(', '));
    assert.ok(titles.includes(chosen.titre), 'the event they registered for');
    const invited = await db()
      .selectFrom('reseau_invitation')
      .select('evenement_id')
      .where('membre_id', '=', network.member)
      .execute();
    const registeredTo = [chosen.id];
    const allowed = new Set([...invited.map((i) => i.evenement_id), ...registeredTo]);
    assert.ok(
      calendar.events.every((e) => allowed.has(e.uid.split('@')[0]!)),
      'nothing else of the network’s agenda',
    );
    const meeting = calendar.events.find((e) => e.summary === 'Comité de pilotage de printemps')!;
    assert.equal(meeting.zone, 'Europe/Paris');
    assert.equal(meeting.wallStart, '2027-04-15T14:00:00');
    assert.equal(meeting.start.toISOString(), '2027-04-15T12:00:00.000Z', 'summer time: UTC+2');

    await admin.get(contactPath());
    const sent = await admin.post(`${contactPath()}/calendrier/envoyer`, {});
    assert.equal(sent.statusCode, 303);
    assert.ok((await outbox('camille@ensemble.example')).at(-1)!.body!.includes(url));

    const reset = await admin.post(`${contactPath()}/calendrier/renouveler`, {});
    assert.equal(reset.statusCode, 303);
    const old = await anonymous.get(url);
    assert.equal(old.statusCode, 410);
    assert.match(old.body, /Ce lien d’agenda a été renouvelé/);
    const altered = await anonymous.get(url.replace(/.\.ics$/, (m) => (m[0] === 'A' ? 'B.ics' : 'A.ics')));
    assert.equal(altered.statusCode, 404);
    assert.match(altered.body, /n’est pas valable/);
    const fresh = /(\/reseau\/calendrier\/contacts\/[^<\s]+\.ics)/.exec(
      (await admin.get(contactPath())).body,
    )![1]!;
    assert.notEqual(fresh, url);
    assert.equal((await anonymous.get(fresh)).statusCode, 200);
    const mail = (await outbox('camille@ensemble.example')).at(-1)!;
    assert.match(mail.subject, /nouveau lien/);
    assert.ok(mail.body?.includes(fresh));
    // Another contact's token cannot be made from this one.
    const otherId = candidate.contact;
    const forged = fresh.replace(contact, otherId);
    assert.equal((await anonymous.get(forged)).statusCode, 404);
  });

  // ------------------------------------------------------------------ digest choice

  test('from the unsubscribe page a contact chooses each news or a weekly digest; an altered link changes nothing', async () => {
    await admin.get('/admin/reseau/actualites');
    await admin.post('/admin/reseau/actualites', {
      titre: 'Rencontre de printemps',
      texte: 'Le réseau se retrouve en avril.',
      audience: 'membres',
    });
    const mail = (await outbox('camille@ensemble.example')).find((m) =>
      m.subject.includes('Rencontre de printemps'),
    )!;
    const link = /(\/reseau\/desabonnement\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{43})/.exec(mail.body ?? '')![1]!;
    const person = new Client(t.app);
    const page = await person.get(link);
    assert.equal(page.statusCode, 200);
    await assertValidHtml(page.body, 'the unsubscribe page with its choice');
    assert.match(page.body, /Me désabonner/);
    assert.match(page.body, /Chaque actualité, dès sa publication/);
    assert.match(page.body, /Un résumé par semaine/);

    const frequency = async () =>
      await db()
        .selectFrom('reseau_contact')
        .select(['frequence', 'unsubscribed_at'])
        .where('id', '=', contact)
        .executeTakeFirstOrThrow();
    const altered = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`;
    const refusedBefore = (await journal('network.unsubscribe.refused')).length;
    const forged = await person.post(`${altered}/frequence`, { frequence: 'hebdomadaire' });
    assert.equal(forged.statusCode, 404);
    assert.match(forged.body, /rien n’a changé/);
    assert.equal((await frequency()).frequence, 'immediate');
    assert.equal((await journal('network.unsubscribe.refused')).length, refusedBefore + 1);
    const otherContact = link.replace(contact, candidate.contact);
    assert.equal(
      (await person.post(`${otherContact}/frequence`, { frequence: 'hebdomadaire' })).statusCode,
      404,
    );

    await person.get(link);
    const bad = await person.post(`${link}/frequence`, { frequence: 'chaque-heure' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Choisissez « chaque actualité » ou « un résumé par semaine »/);
    await assertValidHtml(bad.body, 'the choice with its error');
    assert.equal((await frequency()).frequence, 'immediate');

    const weekly = await person.post(`${link}/frequence`, { frequence: 'hebdomadaire' });
    assert.equal(weekly.statusCode, 200);
    assert.match(weekly.body, /un résumé des actualités du réseau chaque semaine/);
    assert.deepEqual(await frequency(), { frequence: 'hebdomadaire', unsubscribed_at: null });
    assert.equal((await journal('network.contact.frequency')).length, 1);
    // The next news waits for the digest.
    await admin.get('/admin/reseau/actualites');
    await admin.post('/admin/reseau/actualites', {
      titre: 'Après le choix',
      texte: 'Texte.',
      audience: 'membres',
    });
    assert.ok(!(await outbox('camille@ensemble.example')).some((m) => m.subject.includes('Après le choix')));
    await person.get(link);
    const back = await person.post(`${link}/frequence`, { frequence: 'immediate' });
    assert.equal(back.statusCode, 200);
    assert.equal((await frequency()).frequence, 'immediate');
  });

  // ------------------------------------------------------------------ public page and export

  test('the public members page shows only members who agreed; the export neutralises formulas', async () => {
    await admin.get('/admin/reseau/membres/nouveau');
    const added = await admin.post('/admin/reseau/membres/nouveau', {
      nom: '=HYPERLINK("http://example.com","Clic")',
      kind: 'service_etat',
      commune: 'Lyon',
    });
    assert.equal(added.statusCode, 303);
    const members = await new Client(t.app).get('/reseau/membres');
    assert.match(members.body, /Association Numérique Ensemble/, 'a member who agreed');
    assert.doesNotMatch(members.body, /HYPERLINK/, 'a member who did not tick the public page');
    const csv = await admin.get('/admin/reseau/membres/export.csv');
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /'=HYPERLINK/);
    assert.doesNotMatch(csv.body, /(^|[,\n])"?=HYPERLINK/);
    assert.equal((await coordinator.get('/admin/reseau/membres/export.csv')).statusCode, 403);
  });
});
