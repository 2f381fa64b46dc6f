import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrubUrl } from './logger.ts';

test('one-time links and query strings never reach the logs', () => {
  assert.equal(scrubUrl('/invitation/abcDEF_123-x'), '/invitation/[masqué]');
  assert.equal(scrubUrl('/mot-de-passe/tok?x=1'), '/mot-de-passe/[masqué]');
  assert.equal(scrubUrl('/connexion/proconnect/retour?code=secret&state=s'), '/connexion/proconnect/retour');
  assert.equal(scrubUrl('/collectivites/villeurbanne'), '/collectivites/villeurbanne');
  assert.equal(scrubUrl('/mot-de-passe-oublie'), '/mot-de-passe-oublie');
});
