import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { type MandateWorld, mandateWorld, newMandate } from '../../../test/helpers/mandats.ts';
import { answerRegistry, receiveSmsAnswer } from '../../platform/messaging/index.ts';
import { parisWallClock } from '../../platform/paris-time.ts';
import { consentAnswers } from './creation.ts';

/** The answers to consent requests, as the platform's SMS callback dispatches them. */
const answers = answerRegistry([consentAnswers]);

import {
  attestationFacts,
  declareUse,
  effectiveStatus,
  fingerprintOf,
  initialsOf,
  revokeMandate,
  verificationOf,
} from './service.ts';
import { endOf } from './vocabulary.ts';

describe('mandates: when a mandate ends', () => {
  const ends = (start: string, duree: Parameters<typeof endOf>[1]) =>
    endOf(new Date(start), duree).toISOString();

  test('the same Paris time, whatever daylight saving does meanwhile', () => {
    // 16:37 in Paris in winter, 16:37 in Paris in summer.
    assert.equal(ends('2026-12-04T15:37:00.000Z', '6m'), '2027-06-04T14:37:00.000Z');
    // The day the clocks go back: still 14:00 in Paris the next day.
    assert.equal(ends('2026-10-24T12:00:00.000Z', '1j'), '2026-10-25T13:00:00.000Z');
    assert.equal(ends('2026-01-15T08:30:00.000Z', '12m'), '2027-01-15T08:30:00.000Z');
  });

  test('never after what the person agreed to: a month without that day ends on its last day', () => {
    assert.equal(ends('2026-08-31T10:00:00.000Z', '6m'), '2027-02-28T11:00:00.000Z');
    assert.equal(ends('2028-02-29T10:00:00.000Z', '12m'), '2029-02-28T10:00:00.000Z');
    assert.equal(ends('2026-01-31T10:00:00.000Z', '1m'), '2026-02-28T10:00:00.000Z');
    // 23:30 UTC on 31 December is already 1 January in Paris: the end is 1 February, Paris time.
    assert.equal(ends('2026-12-31T23:30:00.000Z', '1m'), '2027-01-31T23:30:00.000Z');
  });
});

describe('mandates: the rules of the service', () => {
  let t: TestApp;
  let w: MandateWorld;
  before(async () => {
    t = await createTestApp();
    w = await mandateWorld(t);
  });
  after(() => t.close());

  test('an in-person mandate is active at once, with one authorisation per démarche and a fingerprint over its facts', async () => {
    const m = await newMandate(t, w);
    assert.equal(m.status, 'actif');
    assert.ok(m.debut && m.fin && m.fin > m.debut);
    // Months count on the Paris calendar, as the mandate does (not in UTC nor the machine's zone).
    const [start, end] = [parisWallClock(m.debut), parisWallClock(m.fin)];
    assert.equal((end.year - start.year) * 12 + end.month - start.month, 6);
    const autorisations = await t.db.db
      .selectFrom('autorisation')
      .select('demarche')
      .where('mandat_id', '=', m.id)
      .execute();
    assert.deepEqual(autorisations.map((a) => a.demarche).sort(), ['argent', 'social']);
    assert.equal(fingerprintOf(await attestationFacts(t.db.db, m)), m.empreinte);
    const journaled = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'details'])
      .where('subject_id', '=', m.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      journaled.map((e) => e.action),
      [
        'mandat.personne_identifiee',
        'mandat.attestation_creee',
        'mandat.autorisation_creee',
        'mandat.autorisation_creee',
      ],
    );
    assert.equal(journaled[1]!.details.empreinte, m.empreinte);
  });

  test('a use is allowed only for a covered, unrevoked démarche of an unexpired mandate', async () => {
    const m = await newMandate(t, w, { demarches: ['logement', 'justice'] });
    assert.deepEqual(
      await declareUse(t.db.db, w.helper, m, { demarche: 'logement', description: 'Demande d’APL' }),
      {
        ok: true,
        value: undefined,
      },
    );
    const uncovered = await declareUse(t.db.db, w.helper, m, {
      demarche: 'travail',
      description: 'Inscription',
    });
    assert.equal(uncovered.ok, false);
    assert.match(uncovered.ok ? '' : uncovered.reason, /pas couverte/);
    const revoked = await revokeMandate(t.db.db, w.helper, m, ['justice'], 'personne');
    assert.ok(revoked.ok);
    const afterRevocation = await declareUse(t.db.db, w.helper, m, {
      demarche: 'justice',
      description: 'Plainte',
    });
    assert.match(afterRevocation.ok ? '' : afterRevocation.reason, /révoquée/);
    const later = new Date(m.fin!.getTime() + 1000);
    assert.equal(effectiveStatus(m, later), 'expire');
    const expired = await declareUse(
      t.db.db,
      w.helper,
      m,
      { demarche: 'logement', description: 'APL' },
      later,
    );
    assert.match(expired.ok ? '' : expired.reason, /expiré/);
    const uses = await t.db.db
      .selectFrom('mandat_usage')
      .select('demarche')
      .where('mandat_id', '=', m.id)
      .execute();
    assert.deepEqual(
      uses.map((u) => u.demarche),
      ['logement'],
    );
  });

  test('revoking the last open démarche revokes the mandate; the verification says so with initials only', async () => {
    const m = await newMandate(t, w, { prenom: 'élodie', nom: 'Martin', demarches: ['transports'] });
    assert.equal((await verificationOf(t.db.db, m.empreinte!))?.statut, 'actif');
    const r = await revokeMandate(t.db.db, w.helper, m, ['transports'], 'aidant');
    assert.ok(r.ok);
    const v = await verificationOf(t.db.db, m.empreinte!.toUpperCase());
    assert.deepEqual(v && { statut: v.statut, initiales: v.initiales }, {
      statut: 'revoque',
      initiales: 'É. M.',
    });
    assert.equal(initialsOf({ prenom: ' jean-luc', nom: "d'Arc" }), 'J. D.');
    assert.equal(await verificationOf(t.db.db, 'f'.repeat(64)), null);
    assert.equal(await verificationOf(t.db.db, 'pas une empreinte'), null);
  });

  test('a new mandate for the same person, démarche and structure revokes the older authorisation only', async () => {
    const older = await newMandate(t, w, {
      prenom: 'Paul',
      nom: 'Renard',
      demarches: ['famille', 'papiers'],
    });
    const newer = await newMandate(t, w, { prenom: 'PAUL', nom: 'renard', demarches: ['famille'] });
    const rows = await t.db.db
      .selectFrom('autorisation')
      .select(['demarche', 'revoked_at', 'replaced_by'])
      .where('mandat_id', '=', older.id)
      .orderBy('demarche')
      .execute();
    assert.equal(rows[0]!.demarche, 'famille');
    assert.ok(rows[0]!.revoked_at);
    assert.equal(rows[0]!.replaced_by, newer.id);
    assert.equal(rows[1]!.revoked_at, null);
    // Another structure's mandate for the same person is not touched.
    const elsewhere = await newMandate(t, w, {
      prenom: 'Paul',
      nom: 'Renard',
      demarches: ['papiers'],
      lieuId: w.otherPlaceId,
    }).catch((e: Error) => e.message);
    assert.match(String(elsewhere), /structure parmi vos lieux/);
  });

  test('by SMS the mandate waits for « Oui »; a replayed answer changes nothing; another answer refuses', async () => {
    const pending = await newMandate(t, w, {
      consentement: 'sms',
      telephone: '06 12 34 56 78',
      demarches: ['social'],
    });
    assert.equal(pending.status, 'en_attente');
    assert.equal(w.sent.at(-1)?.to, '+33612345678');
    assert.match(w.sent.at(-1)!.text, /Répondez OUI/);
    assert.equal(
      await receiveSmsAnswer(t.db.db, answers, { from: '+33612345678', text: ' Oui ! ', messageId: 'in-1' }),
      'accepte',
    );
    assert.equal(
      await receiveSmsAnswer(t.db.db, answers, { from: '+33612345678', text: 'Oui', messageId: 'in-1' }),
      'rejoue',
    );
    const active = await t.db.db
      .selectFrom('mandat')
      .selectAll()
      .where('id', '=', pending.id)
      .executeTakeFirstOrThrow();
    assert.equal(active.status, 'actif');
    assert.ok(active.empreinte);

    const second = await newMandate(t, w, {
      consentement: 'sms',
      telephone: '0612345678',
      prenom: 'Lou',
      demarches: ['social'],
    });
    assert.equal(
      await receiveSmsAnswer(t.db.db, answers, { from: '0612345678', text: 'Non merci', messageId: 'in-2' }),
      'refuse',
    );
    const refused = await t.db.db
      .selectFrom('mandat')
      .select(['status', 'empreinte'])
      .where('id', '=', second.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(refused, { status: 'refuse', empreinte: null });
  });
});
