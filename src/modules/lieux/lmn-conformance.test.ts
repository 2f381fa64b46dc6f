import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fullMatch,
  loadLmnSchema,
  parseCsvRecords,
  REFERENCE_MISSING,
  readReference,
  type TableField,
  validateLmnRecords,
} from '../../../test/helpers/lmn-schema.ts';
import { checkLmnRow } from './validation.ts';
import { FIELD_BY_NAME, LMN_FIELD_NAMES, LMN_FIELDS, LMN_VERSION, type LmnField } from './vocabulary.ts';

/**
 * Relais' vocabulary (`vocabulary.ts`) against the official LMN Table Schema
 * (`../shared/reference/lmn/schema.json`) and its valid example.
 */

/**
 * Known differences between `vocabulary.ts` and schema.json, listed here so that the
 * suite notices any new one (and any that disappears).
 * - Relais checks a format where the standard has none: a valid LMN file whose e-mail
 *   or URL does not fit these patterns is refused by `checkLmnRow`.
 */
const STRICTER_THAN_STANDARD = ['courriels', 'site_web', 'fiche_acces_libre', 'prise_rdv'];
/**
 * - Relais takes several `|`-separated values where the standard's pattern (applied to
 *   the whole cell) allows only one.
 */
const MULTI_BEYOND_STANDARD_PATTERN = ['telephone'];

/** `(?:(?:^|\|)(A|B|C))+$`: the standard's form of a multi-valued enumeration. */
const ENUMERATION = /^\(\?:\(\?:\^\|\\\|\)\((.*)\)\)\+\$$/;

/** The allowed values of an enumerated field's pattern, unescaped; null for other patterns. */
function enumeratedValues(pattern: string | undefined): string[] | null {
  const inner = pattern === undefined ? null : ENUMERATION.exec(pattern)?.[1];
  if (inner === undefined || inner === null) return null;
  return inner.split(/(?<!\\)\|/).map((alternative) => alternative.replace(/\\(.)/g, '$1'));
}

const MINIMAL_ROW: Record<string, string> = {
  id: 'conformite-1',
  pivot: '00000000000000',
  nom: 'Espace public numérique',
  commune: 'Reims',
  code_postal: '51100',
  adresse: '12 rue de Vesle',
  date_maj: '2024-04-02',
};

function ourField(name: string): LmnField {
  const field = FIELD_BY_NAME.get(name);
  assert.ok(field, `champ ${name} du standard absent de LMN_FIELDS`);
  return field;
}

const schema = loadLmnSchema();

describe(`standard LMN ${LMN_VERSION} : schema.json officiel`, { skip: REFERENCE_MISSING }, () => {
  const fields: TableField[] = schema?.fields ?? [];

  test('version du standard', () => {
    assert.equal(schema?.version, `v${LMN_VERSION}`);
  });

  test('mêmes champs, dans le même ordre', () => {
    assert.deepEqual(
      LMN_FIELD_NAMES,
      fields.map((f) => f.name),
    );
  });

  test('mêmes caractères obligatoires, types et longueurs maximales', () => {
    for (const field of fields) {
      const ours = ourField(field.name);
      const c = field.constraints ?? {};
      assert.equal(ours.required ?? false, c.required ?? false, `${field.name} : obligatoire`);
      assert.equal(ours.maxLength, c.maxLength, `${field.name} : maxLength`);
      const kinds = { string: ['text', 'multi'], number: ['number'], date: ['date'] }[field.type ?? 'string'];
      assert.ok(kinds?.includes(ours.kind), `${field.name} : type ${field.type} / ${ours.kind}`);
      if (field.type === 'date') assert.equal(field.format ?? 'default', 'default');
    }
    // Unique identifiers are checked across the file by the import, not row by row.
    assert.deepEqual(
      fields.filter((f) => f.constraints?.unique).map((f) => f.name),
      ['id'],
    );
    assert.equal(schema?.primaryKey, 'id');
  });

  test('mêmes motifs : énumérations et expressions régulières', () => {
    for (const field of fields) {
      const ours = ourField(field.name);
      const pattern = field.constraints?.pattern;
      const values = enumeratedValues(pattern);
      if (values) {
        assert.equal(ours.kind, 'multi', `${field.name} : plusieurs valeurs`);
        assert.deepEqual(ours.values, values, `${field.name} : valeurs`);
        assert.equal(ours.pattern, undefined, `${field.name} : pas de motif en plus de la liste`);
      } else if (pattern !== undefined) {
        assert.ok(ours.pattern, `${field.name} : motif ${pattern} absent`);
        assert.equal(ours.pattern.source, pattern, `${field.name} : motif`);
        assert.ok(
          /^\^.*\$$/.test(ours.pattern.source),
          `${field.name} : motif ancré (correspondance complète)`,
        );
        assert.equal(ours.values, undefined);
      }
    }
    const stricter = LMN_FIELDS.filter((f) => {
      const theirs = fields.find((t) => t.name === f.name)?.constraints ?? {};
      return (f.pattern || f.values) && theirs.pattern === undefined;
    }).map((f) => f.name);
    assert.deepEqual(stricter, STRICTER_THAN_STANDARD, 'champs contrôlés plus strictement que le standard');
  });

  test('les exemples du standard passent les motifs plus stricts de Relais', () => {
    for (const name of STRICTER_THAN_STANDARD) {
      const example = fields.find((f) => f.name === name)?.example;
      assert.equal(typeof example, 'string');
      const ours = ourField(name);
      const parts = ours.kind === 'multi' ? String(example).split('|') : [String(example)];
      for (const part of parts) assert.ok(ours.pattern?.test(part), `${name} : ${part}`);
    }
  });

  test('motif non énuméré sur un champ à plusieurs valeurs : écart connu', () => {
    const beyond = fields
      .filter((f) => f.constraints?.pattern && !enumeratedValues(f.constraints.pattern))
      .filter((f) => ourField(f.name).kind === 'multi')
      .map((f) => f.name);
    assert.deepEqual(beyond, MULTI_BEYOND_STANDARD_PATTERN);
    const two = { ...MINIMAL_ROW, telephone: '+33180059880|+33326000000' };
    assert.ok(validateLmnRecords([two], schema!).some((e) => e.field === 'telephone'));
    assert.ok(checkLmnRow(two).ok);
  });

  describe('chaque valeur permise des champs énumérés', () => {
    for (const field of fields) {
      const values = enumeratedValues(field.constraints?.pattern);
      if (!values) continue;
      test(field.name, () => {
        const ours = ourField(field.name);
        const official = fullMatch(field.constraints?.pattern ?? '');
        for (const value of values) {
          assert.ok(ours.values?.includes(value), `${field.name} : « ${value} » absent de la liste`);
          assert.ok(official.test(value), `extraction du motif : « ${value} »`);
          const checked = checkLmnRow({ ...MINIMAL_ROW, [field.name]: value });
          assert.ok(checked.ok, `${field.name} : « ${value} » refusé : ${JSON.stringify(checked)}`);
          assert.deepEqual(checked.place[field.name as keyof typeof checked.place], [value]);
        }
        const all = values.join('|');
        assert.ok(official.test(all));
        const checked = checkLmnRow({ ...MINIMAL_ROW, [field.name]: all });
        assert.ok(checked.ok, JSON.stringify(checked));
        assert.deepEqual(checked.place[field.name as keyof typeof checked.place], values);
        assert.deepEqual(validateLmnRecords([{ ...MINIMAL_ROW, [field.name]: all }], schema!), []);
      });
    }
  });

  test('le fichier exemple-valide.csv officiel est valide pour les deux', () => {
    const records = parseCsvRecords(readReference('lmn', 'exemple-valide.csv') ?? '');
    assert.equal(records.length, 1);
    const [record] = records;
    assert.ok(record);
    assert.deepEqual(Object.keys(record), LMN_FIELD_NAMES);
    assert.deepEqual(validateLmnRecords(records, schema!), []);
    const checked = checkLmnRow(record);
    assert.ok(checked.ok, JSON.stringify(checked));
    assert.equal(checked.place.id, 'structure-1');
    assert.deepEqual(checked.place.typologie, ['TIERS_LIEUX', 'ASSO']);
    assert.deepEqual(checked.place.telephone, ['+33180059880']);
    assert.equal(checked.place.latitude, 43.52609);
    assert.deepEqual(checked.place.frais_a_charge, ['Gratuit sous condition', 'Payant']);
    assert.deepEqual(
      checked.warnings.filter((w) => w.reason.includes('hors du standard')),
      [],
    );
  });

  const invalid: [string, string, string][] = [
    ['code postal de quatre chiffres', 'code_postal', '5110'],
    ['code postal avec une lettre', 'code_postal', '51A00'],
    ['service inconnu', 'services', 'Cours de cuisine'],
    ['service inconnu parmi des connus', 'services', 'Aide aux démarches administratives|Cours de cuisine'],
    ['présentation courte de 281 caractères', 'presentation_resume', 'é'.repeat(281)],
    ['date impossible', 'date_maj', '2024-02-30'],
    ['date hors format', 'date_maj', 'avril 2024'],
    ['pivot trop court', 'pivot', '12345678'],
    ['latitude non numérique', 'latitude', 'nord'],
  ];
  for (const [what, field, value] of invalid) {
    test(`refusé par les deux : ${what}`, () => {
      const row = { ...MINIMAL_ROW, [field]: value };
      if (field === 'latitude') row.longitude = '4.03';
      const errors = validateLmnRecords([row], schema!);
      assert.ok(
        errors.some((e) => e.field === field),
        `validateLmnRecords : ${JSON.stringify(errors)}`,
      );
      const checked = checkLmnRow(row);
      assert.equal(checked.ok, false, `checkLmnRow accepte ${field} = ${value}`);
      assert.ok(!checked.ok && checked.errors.some((e) => e.field === field), JSON.stringify(checked));
    });
  }

  test('validateLmnRecords : obligatoires, unicité de l’id, correspondance complète', () => {
    const errors = validateLmnRecords(
      [MINIMAL_ROW, { ...MINIMAL_ROW, nom: '' }, { ...MINIMAL_ROW, itinerance: 'Mobile|Fixe' }],
      schema!,
    );
    const summary = errors.map((e) => `${e.row}:${e.field}`);
    assert.deepEqual(summary, ['2:id', '2:nom', '3:id', '3:itinerance']);
    // Unanchored, the standard's enumeration pattern would accept a trailing valid value.
    assert.ok(
      new RegExp(fields.find((f) => f.name === 'itinerance')?.constraints?.pattern ?? '').test('Mobile|Fixe'),
    );
  });
});
