import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lookupTerritory } from './reference.ts';

test('a commune is found by its INSEE code, with département, région and postcodes', () => {
  const r = lookupTerritory('69266');
  assert.ok(r.ok);
  assert.equal(r.territory.kind, 'commune');
  assert.equal(r.territory.name, 'Villeurbanne');
  assert.equal(r.territory.departement?.nom, 'Rhône');
  assert.equal(r.territory.region?.nom, 'Auvergne-Rhône-Alpes');
  assert.ok((r.territory.population ?? 0) > 100_000);
  assert.deepEqual(r.territory.postcodes, ['69100']);
});

test('Corsican codes and surrounding spaces are accepted', () => {
  const r = lookupTerritory(' 2a004 ');
  assert.ok(r.ok);
  assert.equal(r.territory.name, 'Ajaccio');
});

test('an EPCI is found by its SIREN, with its member communes', () => {
  const r = lookupTerritory('200046977');
  assert.ok(r.ok);
  assert.equal(r.territory.kind, 'epci');
  assert.equal(r.territory.name, 'Métropole de Lyon');
  assert.equal(r.territory.departement?.code, '69');
  assert.ok(r.territory.memberCommunes.length > 50);
  assert.ok(r.territory.memberCommunes.some((c) => c.name === 'Villeurbanne'));
});

test('a commune can also be given by its SIREN', () => {
  const r = lookupTerritory('216902668');
  assert.ok(r.ok);
  assert.equal(r.territory.code, '69266');
});

test('refusals explain what to do', () => {
  const arrondissement = lookupTerritory('69381');
  assert.ok(!arrondissement.ok);
  assert.match(arrondissement.reason, /arrondissement municipal.*69123/);
  const unknown = lookupTerritory('00000');
  assert.ok(!unknown.ok);
  assert.match(unknown.reason, /Aucune commune/);
  const siren = lookupTerritory('123456789');
  assert.ok(!siren.ok);
  assert.match(siren.reason, /SIREN 123456789/);
});

test('any input that is neither 5 nor 9 characters of a code is refused, never thrown', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), (input) => {
      const r = lookupTerritory(input);
      if (!/^\s*(\d{5}|2[aAbB]\d{3}|\d{9})\s*$/.test(input)) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.reason, /code INSEE|SIREN/);
      }
    }),
  );
});
