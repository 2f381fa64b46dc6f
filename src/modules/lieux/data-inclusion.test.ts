import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { parseCsvRecords, REFERENCE_MISSING, readReference } from '../../../test/helpers/lmn-schema.ts';
import {
  DI_FRAIS,
  DI_MODES_ACCUEIL,
  DI_MODES_MOBILISATION,
  DI_PERSONNES_MOBILISATRICES,
  DI_PUBLICS,
  DI_RESEAUX_PORTEURS,
  DI_THEMATIQUES,
  DI_TYPES_SERVICE,
  diName,
  fraisOf,
  publicsOf,
  serviceId,
  siretOf,
  slugify,
  toServices,
  toStructure,
  uriOf,
} from './data-inclusion.ts';
import { checkLmnRow } from './validation.ts';
import {
  DISPOSITIFS,
  FORMATIONS_LABELS,
  FRAIS,
  ITINERANCE,
  type LmnPlace,
  MODALITES_ACCES,
  MODALITES_ACCOMPAGNEMENT,
  PRISE_EN_CHARGE,
  PUBLICS,
  SERVICES,
  TYPOLOGIES,
} from './vocabulary.ts';

const ctx = { source: 'relais-opsn-test', placeUrl: 'https://relais.example.fr/lieux/mediatheque-reims' };

/** A place with every optional field empty, then the given fields. */
function place(fields: Partial<LmnPlace> = {}): LmnPlace {
  return {
    id: 'lieu-1',
    pivot: '00000000000000',
    nom: 'Médiathèque Jean Falala',
    commune: 'Reims',
    code_postal: '51100',
    code_insee: null,
    adresse: '2 rue des Fuseliers',
    complement_adresse: null,
    latitude: null,
    longitude: null,
    typologie: [],
    telephone: [],
    courriels: [],
    site_web: [],
    horaires: null,
    presentation_resume: null,
    presentation_detail: null,
    source: null,
    itinerance: [],
    structure_parente: null,
    date_maj: '2024-04-02',
    services: [],
    publics_specifiquement_adresses: [],
    prise_en_charge_specifique: [],
    frais_a_charge: [],
    dispositif_programmes_nationaux: [],
    formations_labels: [],
    autres_formations_labels: null,
    modalites_acces: [],
    modalites_accompagnement: [],
    fiche_acces_libre: null,
    prise_rdv: null,
    ...fields,
  };
}

const typical = place({
  id: 'mediatheque-falala',
  pivot: '21510454700017',
  code_insee: '51454',
  latitude: 49.2583,
  longitude: 4.0317,
  typologie: ['BIB', 'MUNI'],
  telephone: ['+33326358600'],
  courriels: ['numerique@reims.fr'],
  site_web: ['https://www.bm-reims.fr/'],
  horaires: 'Tu-Sa 10:00-18:00',
  presentation_resume: 'Espace numérique ouvert à tous, avec des conseillers numériques.',
  services: ['Aide aux démarches administratives', 'Maîtrise des outils numériques du quotidien'],
  frais_a_charge: ['Gratuit'],
  dispositif_programmes_nationaux: ['Conseillers numériques'],
  modalites_acces: ['Se présenter', 'Téléphoner'],
  modalites_accompagnement: ['Accompagnement individuel', 'Dans un atelier collectif'],
});

const minimal = place({ id: 'min', nom: 'EPN', services: ['Loisirs et créations numériques'] });

const full = place({
  id: 'complet-1',
  pivot: 'W513001234',
  nom: 'Association « Les Clés du numérique », antenne de Reims.',
  code_insee: '51454',
  complement_adresse: 'Bâtiment B, 1er étage',
  latitude: 49.25,
  longitude: 4.03,
  typologie: ['ASSO', 'TIERS_LIEUX', 'CCAS', 'RFS'],
  telephone: ['+33326000000', '+33600000000'],
  courriels: ['médiation@clés.fr', 'contact@cles-numerique.fr'],
  site_web: ['https://clés-numérique.fr/accès?x=a|b', 'https://example.org/'],
  horaires: 'Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off',
  presentation_resume: 'Nous accompagnons les habitants vers l’autonomie numérique.',
  presentation_detail: 'Ateliers, permanences et prêt de matériel. '.repeat(400),
  source: 'Hubik',
  itinerance: [...ITINERANCE],
  structure_parente: 'Ville de Reims',
  services: [...SERVICES],
  publics_specifiquement_adresses: [...PUBLICS],
  prise_en_charge_specifique: [...PRISE_EN_CHARGE],
  frais_a_charge: [...FRAIS],
  dispositif_programmes_nationaux: [...DISPOSITIFS],
  formations_labels: [...FORMATIONS_LABELS],
  autres_formations_labels: 'Label et la bête',
  modalites_acces: [...MODALITES_ACCES],
  modalites_accompagnement: [...MODALITES_ACCOMPAGNEMENT],
  fiche_acces_libre: 'https://acceslibre.beta.gouv.fr/app/51-reims/a/association/erp/les-cles/',
  prise_rdv: 'https://www.rdv-solidarites.fr/prendre_rdv?departement=51',
});

const remoteOnly = place({
  id: 'a-distance',
  nom: 'Permanence téléphonique numérique',
  telephone: ['+33180059880'],
  courriels: ['aide@exemple.fr'],
  services: ['Aide aux démarches administratives', 'Utilisation sécurisée du numérique'],
  frais_a_charge: ['Gratuit sous condition'],
  modalites_acces: ['Téléphoner', 'Contacter par mail', "Ce lieu n'accueille pas de public"],
  modalites_accompagnement: ['À distance'],
});

const examples: [string, LmnPlace][] = [
  ['typique', typical],
  ['minimal', minimal],
  ['tous les champs remplis', full],
  ['à distance seulement', remoteOnly],
  ['sans service', place({ id: 'vide' })],
];

describe('data.inclusion : valeurs', () => {
  test('frais : gratuit, gratuit sous condition, payant, mélanges', () => {
    assert.deepEqual(fraisOf([]), { frais: null, frais_precisions: null });
    assert.deepEqual(fraisOf(['Gratuit']), { frais: 'gratuit', frais_precisions: null });
    assert.deepEqual(fraisOf(['Gratuit sous condition']), {
      frais: 'gratuit',
      frais_precisions: 'Gratuit sous condition',
    });
    assert.deepEqual(fraisOf(['Payant']), { frais: 'payant', frais_precisions: null });
    assert.deepEqual(fraisOf(['Gratuit sous condition', 'Payant']), {
      frais: 'payant',
      frais_precisions: 'Gratuit sous condition ou payant',
    });
  });

  test('publics : ceux du lieu, sinon tous-publics seul', () => {
    assert.deepEqual(publicsOf([]), ['tous-publics']);
    assert.deepEqual(publicsOf(['Jeunes', 'Familles et/ou enfants', 'Étudiants']), [
      'jeunes',
      'familles',
      'etudiants',
    ]);
    assert.deepEqual(publicsOf([...PUBLICS]).sort(), [
      'etudiants',
      'familles',
      'femmes',
      'jeunes',
      'seniors',
    ]);
  });

  test('les prises en charge spécifiques précisent les publics sans les restreindre', () => {
    const [service] = toServices(
      place({ services: ['Loisirs et créations numériques'], prise_en_charge_specifique: ['Surdité'] }),
      ctx,
    );
    assert.deepEqual(service?.publics, ['tous-publics']);
    assert.equal(service?.publics_precisions, 'Prise en charge spécifique : Surdité.');
  });

  test('identifiants : id LMN pour la structure, id--service pour les services', () => {
    assert.equal(slugify('Aide aux démarches administratives'), 'aide-aux-demarches-administratives');
    assert.equal(
      serviceId('lieu-1', 'Acquisition de matériel informatique à prix solidaire'),
      'lieu-1--acquisition-de-materiel-informatique-a-prix-solidaire',
    );
    assert.equal(toStructure(typical, ctx).id, 'mediatheque-falala');
    const services = toServices(typical, ctx);
    assert.deepEqual(
      services.map((s) => s.id),
      [
        'mediatheque-falala--aide-aux-demarches-administratives',
        'mediatheque-falala--maitrise-des-outils-numeriques-du-quotidien',
      ],
    );
    assert.ok(services.every((s) => s.structure_id === 'mediatheque-falala'));
    const ids = toServices(full, ctx).map((s) => s.id);
    assert.equal(new Set(ids).size, SERVICES.length);
  });

  test('nom : sans point final, de 3 à 150 caractères', () => {
    assert.equal(diName('Espace numérique.'), 'Espace numérique');
    assert.equal(diName('  Espace   numérique ... '), 'Espace numérique');
    assert.equal(diName('EPN'), 'EPN');
    assert.equal(diName('A.', 'Reims'), 'A (Reims)');
    assert.equal(diName('.', 'Y'), 'Lieu Y');
    const long = diName(`${'Maison du numérique '.repeat(10)}et de la citoyenneté`);
    assert.ok(long.length <= 150 && !long.endsWith('.') && !long.endsWith(' '));
    assert.equal(toStructure(full, ctx).nom, 'Association « Les Clés du numérique », antenne de Reims');
  });

  test('siret : seulement 14 chiffres, jamais la valeur « inconnu »', () => {
    assert.equal(siretOf('21510454700017'), '21510454700017');
    assert.equal(siretOf('00000000000000'), null);
    assert.equal(siretOf('W513001234'), null);
    assert.equal(siretOf('215104547'), null);
  });

  test('une seule coordonnée de chaque sorte, la première utilisable', () => {
    const structure = toStructure(full, ctx);
    assert.equal(structure.telephone, '+33326000000');
    assert.equal(structure.courriel, 'contact@cles-numerique.fr', 'une adresse non ASCII est écartée');
    assert.equal(structure.site_web, 'https://xn--cls-numrique-cebf.fr/acc%C3%A8s?x=a%7Cb');
    assert.equal(uriOf('https://moi:secret@exemple.fr/a b#c#d'), 'https://exemple.fr/a%20b#c%23d');
    assert.equal(uriOf('https://exemple.fr/100%'), 'https://exemple.fr/100%25');
    assert.equal(uriOf('pas une adresse'), null);
    assert.equal(uriOf('ftp://exemple.fr/'), null);
  });

  test('description : celle du lieu, sinon une phrase en français', () => {
    assert.equal(toStructure(minimal, ctx).description, null);
    const [service] = toServices(minimal, ctx);
    assert.equal(
      service?.description,
      'Service d’inclusion numérique « Loisirs et créations numériques » proposé par EPN (Reims).',
    );
    assert.equal(toServices(typical, ctx)[0]?.description, typical.presentation_resume);
  });

  test('accueil, mobilisation et type de service', () => {
    const [remote] = toServices(remoteOnly, ctx);
    assert.deepEqual(remote?.modes_accueil, ['a-distance']);
    assert.deepEqual(remote?.modes_mobilisation, ['telephoner', 'envoyer-un-courriel']);
    assert.equal(remote?.frais, 'gratuit');
    assert.equal(remote?.frais_precisions, 'Gratuit sous condition');

    const [first] = toServices(typical, ctx);
    assert.deepEqual(first?.modes_accueil, ['en-presentiel']);
    assert.deepEqual(first?.modes_mobilisation, ['se-presenter', 'telephoner']);
    assert.deepEqual(first?.mobilisable_par, ['usagers']);
    assert.equal(first?.type, 'accompagnement');
    assert.deepEqual(first?.thematiques, [
      'numerique--acceder-a-des-services-en-ligne',
      'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives',
    ]);

    const booking = toServices(full, ctx)[0];
    assert.ok(booking?.modes_mobilisation?.includes('utiliser-lien-mobilisation'));
    assert.equal(booking?.lien_mobilisation, 'https://www.rdv-solidarites.fr/prendre_rdv?departement=51');
    assert.deepEqual(booking?.mobilisable_par, ['usagers', 'professionnels']);
    const noLink = toServices(
      place({
        services: ['Aide aux démarches administratives'],
        modalites_acces: ['Prendre un RDV en ligne'],
      }),
      ctx,
    );
    assert.equal(noLink[0]?.modes_mobilisation, null, 'pas de mode « lien » sans lien');

    const workshop = place({
      services: ['Loisirs et créations numériques', 'Acquisition de matériel informatique à prix solidaire'],
      modalites_accompagnement: ['Dans un atelier collectif'],
    });
    assert.deepEqual(
      toServices(workshop, ctx).map((s) => s.type),
      ['atelier', 'aide-materielle'],
    );
  });

  test('réseaux porteurs : dispositifs, labels et types de structure', () => {
    assert.deepEqual(toStructure(typical, ctx).reseaux_porteurs, ['conseillers-numeriques', 'communes']);
    assert.equal(toStructure(minimal, ctx).reseaux_porteurs, null);
    const reseaux = toStructure(full, ctx).reseaux_porteurs ?? [];
    for (const expected of [
      'aidants-connect',
      'france-service',
      'croix-rouge',
      'caf',
      'emmaus',
      'fabrique-de-territoire',
      'ccas-cias',
    ]) {
      assert.ok(reseaux.includes(expected as never), expected);
    }
    assert.equal(new Set(reseaux).size, reseaux.length);
  });
});

// ---------------------------------------------------------------------------------------
// Against the official JSON Schemas
// ---------------------------------------------------------------------------------------

type Validators = { structure: ValidateFunction; service: ValidateFunction };

function loadValidators(): Validators {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const schema = (name: string) => JSON.parse(readReference('data-inclusion', name) ?? 'null') as object;
  return { structure: ajv.compile(schema('structure.json')), service: ajv.compile(schema('service.json')) };
}

function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  const ok = validate(value);
  assert.ok(ok, `${what} : ${JSON.stringify(validate.errors, null, 2)}`);
}

/** The `value`s of a data.inclusion value list (`extra/<name>.json`). */
function extraValues(name: string): string[] {
  const list = JSON.parse(readReference('data-inclusion', 'extra', `${name}.json`) ?? '[]') as {
    value: string;
  }[];
  return list.map((item) => item.value);
}

/** A place as a validated LMN place may be, built from the vocabulary and random text. */
const arbitraryPlace: fc.Arbitrary<LmnPlace> = fc
  .record({
    id: fc.stringMatching(/^[a-z0-9-]{1,30}$/),
    pivot: fc.constantFrom('00000000000000', '21510454700017', 'W513001234', '434933123'),
    nom: fc
      .oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
        fc.constantFrom('.', 'A.', '...B...', 'É'),
      )
      .filter((s) => s.trim() !== ''),
    commune: fc.constantFrom('Reims', 'Y', 'Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson'),
    presentation_resume: fc.option(fc.string({ unit: 'grapheme', maxLength: 280 })),
    presentation_detail: fc.option(fc.string({ unit: 'grapheme', maxLength: 3000 })),
    courriels: fc.array(fc.constantFrom('a@b.fr', 'é@exemple.fr', 'contact@lieu.org')),
    site_web: fc.array(
      fc.oneof(
        fc.webUrl(),
        fc.constantFrom('https://exemple.fr/é à|ê', 'https://x.fr/%zz', 'https://u:p@x.fr/[a]?b=[c]#d#e'),
      ),
    ),
    prise_rdv: fc.option(fc.webUrl({ withQueryParameters: true, withFragments: true })),
    services: fc.subarray([...SERVICES]),
    publics: fc.subarray([...PUBLICS]),
    prise_en_charge: fc.subarray([...PRISE_EN_CHARGE]),
    frais: fc.subarray([...FRAIS]),
    dispositifs: fc.subarray([...DISPOSITIFS]),
    labels: fc.subarray([...FORMATIONS_LABELS]),
    typologie: fc.subarray(Object.keys(TYPOLOGIES)),
    acces: fc.subarray([...MODALITES_ACCES]),
    accompagnement: fc.subarray([...MODALITES_ACCOMPAGNEMENT]),
    coordinates: fc.option(
      fc.tuple(fc.double({ min: 42, max: 51, noNaN: true }), fc.double({ min: -5, max: 9, noNaN: true })),
    ),
  })
  .map((r) =>
    place({
      id: r.id,
      pivot: r.pivot,
      nom: r.nom.trim(),
      commune: r.commune,
      presentation_resume: r.presentation_resume?.trim() || null,
      presentation_detail: r.presentation_detail?.trim() || null,
      courriels: r.courriels,
      site_web: r.site_web,
      prise_rdv: r.prise_rdv,
      services: r.services,
      publics_specifiquement_adresses: r.publics,
      prise_en_charge_specifique: r.prise_en_charge,
      frais_a_charge: r.frais,
      dispositif_programmes_nationaux: r.dispositifs,
      formations_labels: r.labels,
      typologie: r.typologie,
      modalites_acces: r.acces,
      modalites_accompagnement: r.accompagnement,
      latitude: r.coordinates?.[0] ?? null,
      longitude: r.coordinates?.[1] ?? null,
    }),
  );

describe('data.inclusion : schémas officiels v1', { skip: REFERENCE_MISSING }, () => {
  const validators = REFERENCE_MISSING ? null : loadValidators();

  for (const [name, example] of examples) {
    test(`lieu ${name} : structure et services valides`, () => {
      assert.ok(validators);
      const structure = toStructure(example, ctx);
      assertValid(validators.structure, structure, `structure ${example.id}`);
      assert.ok(!structure.nom.endsWith('.'));
      const services = toServices(example, ctx);
      assert.equal(services.length, example.services.length);
      for (const service of services) {
        assertValid(validators.service, service, `service ${service.id}`);
        assert.ok(!service.nom.endsWith('.'));
        assert.ok(service.publics?.length === 1 || !service.publics?.includes('tous-publics'));
        assert.equal(service.lien_source, ctx.placeUrl);
        assert.equal(service.date_maj, example.date_maj);
      }
    });
  }

  test('le lieu de exemple-valide.csv (LMN officiel) : structure et services valides', () => {
    assert.ok(validators);
    const [record] = parseCsvRecords(readReference('lmn', 'exemple-valide.csv') ?? '');
    assert.ok(record);
    const checked = checkLmnRow(record);
    assert.ok(checked.ok, JSON.stringify(checked));
    const structure = toStructure(checked.place, ctx);
    assertValid(validators.structure, structure, 'structure');
    assert.equal(structure.siret, '43493312300029');
    assert.equal(structure.courriel, 'contact@laquincaillerie.tl');
    const services = toServices(checked.place, ctx);
    assert.equal(services.length, 3);
    for (const service of services) assertValid(validators.service, service, service.id);
    assert.deepEqual(services[0]?.publics, ['jeunes', 'femmes']);
    assert.equal(services[0]?.frais, 'payant');
  });

  test('lieux quelconques : toujours valides', () => {
    assert.ok(validators);
    fc.assert(
      fc.property(arbitraryPlace, (p) => {
        assertValid(validators.structure, toStructure(p, ctx), 'structure');
        for (const service of toServices(p, ctx)) assertValid(validators.service, service, 'service');
      }),
      { numRuns: 300 },
    );
  });

  test('les listes de valeurs du code sont celles de data.inclusion', () => {
    const lists: [string, readonly string[]][] = [
      ['frais', DI_FRAIS],
      ['modes-accueil', DI_MODES_ACCUEIL],
      ['modes-mobilisation', DI_MODES_MOBILISATION],
      ['personnes-mobilisatrices', DI_PERSONNES_MOBILISATRICES],
      ['publics', DI_PUBLICS],
      ['types-de-services', DI_TYPES_SERVICE],
      ['thematiques', DI_THEMATIQUES],
      ['reseaux-porteurs', DI_RESEAUX_PORTEURS],
    ];
    for (const [name, ours] of lists) {
      const official = new Set(extraValues(name));
      assert.ok(official.size > 0, `${name}.json vide ou absent`);
      for (const value of ours) assert.ok(official.has(value), `${value} absent de extra/${name}.json`);
    }
    for (const [name, ours] of lists.slice(0, 6)) {
      assert.deepEqual([...ours].sort(), extraValues(name).sort(), `${name} : liste complète`);
    }
  });
});
