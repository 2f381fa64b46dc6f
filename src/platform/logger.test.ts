import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { testConfig } from '../../test/helpers/app.ts';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { buildApp } from '../app.ts';
import { createLogger, scrubUrl } from './logger.ts';

test('one-time links and query strings never reach the logs', () => {
  assert.equal(scrubUrl('/invitation/abcDEF_123-x'), '/invitation/[masqué]');
  assert.equal(scrubUrl('/mot-de-passe/tok?x=1'), '/mot-de-passe/[masqué]');
  assert.equal(scrubUrl('/connexion/proconnect/retour?code=secret&state=s'), '/connexion/proconnect/retour');
  assert.equal(scrubUrl('/collectivites/villeurbanne'), '/collectivites/villeurbanne');
  assert.equal(scrubUrl('/mot-de-passe-oublie'), '/mot-de-passe-oublie');
});

test('statistics share tokens and mandate fingerprints are masked in the request logs', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const db = await createTestDatabase();
  const app = await buildApp({
    config: testConfig,
    db: db.db,
    dbKind: db.kind,
    logger: createLogger('info', sink),
  });
  try {
    const share = 'SHARETOKENabc123def456';
    const fingerprint = 'a'.repeat(64);
    await app.inject(`/statistiques/partage/${share}`);
    await app.inject(`/statistiques/partage/${share}/export.xlsx`);
    await app.inject(`/mandats/verifier/${fingerprint}`);
    await app.inject(`/mandats/verifier?empreinte=${fingerprint}`);
    const log = lines.join('');
    assert.match(log, /\/statistiques\/partage\/\[masqué\]/);
    assert.match(log, /\/mandats\/verifier\/\[masqué\]/);
    assert.doesNotMatch(log, new RegExp(share));
    assert.doesNotMatch(log, new RegExp(fingerprint));
  } finally {
    await app.close();
    await db.close();
  }
});
