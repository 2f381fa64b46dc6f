import { recordActivities } from '../../src/modules/activites/index.ts';
import {
  type BeneficiaryInput,
  beneficiaryFields,
  createBeneficiary,
} from '../../src/modules/beneficiaires/index.ts';
import { type LmnPlace, savePlace, setPlaceStatus } from '../../src/modules/lieux/index.ts';
import {
  createMandate,
  grantHabilitation,
  type HabilitationInput,
  type Mandate,
  type MandateRequest,
} from '../../src/modules/mandats/index.ts';
import { assignPlacesAsSystem, type Helper, helperPlaceIds } from '../../src/modules/mediateurs/index.ts';
import {
  addCollectivite,
  type Collectivite,
  findCollectiviteByCode,
} from '../../src/modules/territoires/index.ts';
import { type Actor, type Role, systemActor } from '../../src/platform/auth/policy.ts';
import { newTotpSecret } from '../../src/platform/auth/second-factor.ts';
import { createUser } from '../../src/platform/auth/users.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { createNotifier, type Notifier } from '../../src/platform/messaging/index.ts';
import { parisToday } from '../../src/platform/paris-time.ts';
import type { TestApp } from './app.ts';
import type { TestDatabase } from './database.ts';

/**
 * Test data builders: each makes one thing a test needs on a test database, with defaults
 * that pass every check and overrides for what the test is about, through the owning module's
 * exported functions (as the application would), never by writing another module's tables.
 * They take the test app, the test database or its Kysely handle alike.
 *
 *   const t = await createTestApp();
 *   const helper = await givenHelper(t, { places: 1 });
 *   const person = await givenBeneficiary(t, helper);
 *   await givenActivity(t, helper, { beneficiaires: [person] });
 *   await new Client(t.app).signIn(helper.email, helper.password, helper.totpSecret);
 */

export type On = Db | TestDatabase | TestApp;

export function dbOf(on: On): Db {
  if ('selectFrom' in on) return on;
  const inner = on.db;
  return 'selectFrom' in inner ? inner : inner.db;
}

/** The password of every account a builder makes. */
export const TEST_PASSWORD = 'mot-de-passe-des-tests-2026';

const builder = systemActor('test');

/** Distinct names and emails within a test process. */
let serial = 0;
const next = () => ++serial;

/**
 * Communes the builders make members, in this order (the first one not yet a member): the
 * demo's eight, then others of the reference data.
 */
export const COLLECTIVITE_CODES = [
  '69266', // Villeurbanne
  '69259', // Vénissieux
  '69029', // Bron
  '69034', // Caluire-et-Cuire
  '69286', // Rillieux-la-Pape
  '69256', // Vaulx-en-Velin
  '42207', // Saint-Chamond
  '42187', // Roanne
  '42218', // Saint-Étienne
  '51454', // Reims
  '35238', // Rennes
  '33063', // Bordeaux
];

/** A member collectivité, by INSEE code or SIREN (default: the next free one of COLLECTIVITE_CODES). */
export async function givenCollectivite(on: On, options: { code?: string } = {}): Promise<Collectivite> {
  const db = dbOf(on);
  let code = options.code;
  if (code === undefined) {
    for (const candidate of COLLECTIVITE_CODES)
      if (!(await findCollectiviteByCode(db, candidate))) {
        code = candidate;
        break;
      }
    if (code === undefined) throw new Error('givenCollectivite: every default code is taken, give one');
  }
  const added = await addCollectivite(db, builder, code);
  if (!added.ok) throw new Error(`givenCollectivite(${code}): ${added.reason}`);
  return added.collectivite;
}

export type Account = {
  id: string;
  email: string;
  name: string;
  /** To sign in: `client.signIn(account.email, account.password, account.totpSecret)`. */
  password: string;
  totpSecret: string;
  /** The person as a domain function sees them once signed in. */
  actor: Actor & { kind: 'user' };
};

export type AccountOptions = {
  email?: string;
  name?: string;
  password?: string;
  totpSecret?: string;
};

type CollectiviteRef = Collectivite | number;
const idOf = (c: CollectiviteRef) => (typeof c === 'number' ? c : c.id);

/** An account with one membership (or several), its second factor enrolled. */
export async function givenAccount(
  on: On,
  options: AccountOptions & { memberships: { role: Role; collectiviteId: number | null }[] },
): Promise<Account> {
  const db = dbOf(on);
  const n = next();
  const role = options.memberships[0]?.role ?? 'compte';
  const email = options.email ?? `${role}-${n}-${process.pid}@test.relais.example`;
  const name = options.name ?? `Personne ${role} ${n}`;
  const password = options.password ?? TEST_PASSWORD;
  const totpSecret = options.totpSecret ?? newTotpSecret();
  const id = await createUser(db, { email, name, password, totpSecret, memberships: options.memberships });
  const active = options.memberships.find((m) => m.collectiviteId !== null)?.collectiviteId ?? null;
  return {
    id,
    email: email.toLowerCase(),
    name,
    password,
    totpSecret,
    actor: {
      kind: 'user',
      userId: id,
      email: email.toLowerCase(),
      name,
      memberships: options.memberships,
      activeCollectiviteId: active,
    },
  };
}

/** An OPSN administrator. */
export function givenAdmin(on: On, options: AccountOptions = {}): Promise<Account> {
  return givenAccount(on, { ...options, memberships: [{ role: 'admin', collectiviteId: null }] });
}

/** A coordinator of a collectivité (default: a new one). */
export async function givenCoordinator(
  on: On,
  options: AccountOptions & { collectivite?: CollectiviteRef } = {},
): Promise<Account & { collectiviteId: number }> {
  const collectiviteId = idOf(options.collectivite ?? (await givenCollectivite(on)));
  const account = await givenAccount(on, {
    ...options,
    memberships: [{ role: 'coordinateur', collectiviteId }],
  });
  return { ...account, collectiviteId };
}

export type TestHelper = Account & Helper & { places: string[] };

/**
 * A helper (médiateur) of a collectivité (default: a new one) with their places of activity:
 * `places` is a number of new published places of that collectivité, or the ids of existing
 * places (default: none).
 */
export async function givenHelper(
  on: On,
  options: AccountOptions & { collectivite?: CollectiviteRef; places?: number | string[] } = {},
): Promise<TestHelper> {
  const db = dbOf(on);
  const collectiviteId = idOf(options.collectivite ?? (await givenCollectivite(on)));
  const account = await givenAccount(on, {
    ...options,
    memberships: [{ role: 'mediateur', collectiviteId }],
  });
  const helper: Helper = { actor: account.actor, userId: account.id, collectiviteId };
  const wanted = options.places ?? [];
  const places: string[] = [];
  if (typeof wanted !== 'number') places.push(...wanted);
  else for (let i = 0; i < wanted; i++) places.push(await givenPlace(on, { collectivite: collectiviteId }));
  await assignPlacesAsSystem(db, { kind: 'system', label: 'test' }, helper, places);
  return { ...account, ...helper, places };
}

/**
 * A place of the directory, published unless `published: false`, of a collectivité (default:
 * none, an OPSN-wide place); any LMN field can be given.
 */
export async function givenPlace(
  on: On,
  options: Partial<LmnPlace> & { collectivite?: CollectiviteRef | null; published?: boolean } = {},
): Promise<string> {
  const db = dbOf(on);
  const { collectivite, published, ...fields } = options;
  const n = next();
  const place: LmnPlace = {
    id: '',
    pivot: '00000000000000',
    nom: `Espace numérique ${n}`,
    commune: 'Villeurbanne',
    code_postal: '69100',
    code_insee: '69266',
    adresse: `${n} rue de la République`,
    complement_adresse: null,
    latitude: 45.7667,
    longitude: 4.8799,
    typologie: [],
    telephone: [],
    courriels: [],
    site_web: [],
    horaires: 'Mo-Fr 09:00-12:00',
    presentation_resume: null,
    presentation_detail: null,
    source: null,
    itinerance: [],
    structure_parente: null,
    date_maj: parisToday(),
    services: ['Aide aux démarches administratives'],
    publics_specifiquement_adresses: [],
    prise_en_charge_specifique: [],
    frais_a_charge: ['Gratuit'],
    dispositif_programmes_nationaux: [],
    formations_labels: [],
    autres_formations_labels: null,
    modalites_acces: [],
    modalites_accompagnement: [],
    fiche_acces_libre: null,
    prise_rdv: null,
    ...fields,
  };
  const collectiviteId = collectivite === undefined || collectivite === null ? null : idOf(collectivite);
  const { id } = await savePlace(db, builder, { place, collectiviteId });
  if (published ?? true) await setPlaceStatus(db, builder, id, 'publie');
  return id;
}

/** A person the helper accompanies; `fields` as the form takes them (default: Jeanne Martin). */
export async function givenBeneficiary(
  on: On,
  helper: Helper,
  fields: Partial<Record<keyof BeneficiaryInput, unknown>> = {},
): Promise<string> {
  const input = beneficiaryFields.parse({ prenom: 'Jeanne', nom: 'Martin', ...fields });
  return createBeneficiary(dbOf(on), helper, input);
}

/**
 * An activity report of the helper, as the form or the API takes it: by default today, an
 * individual help of 30 minutes on email for an anonymous person, at the helper's first place
 * of activity (at home when they have none). Throws with the reasons when it is refused.
 */
export async function givenActivity(
  on: On,
  helper: Helper,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const db = dbOf(on);
  const [place] = await helperPlaceIds(db, helper.userId);
  const known = Array.isArray(fields.beneficiaires) && fields.beneficiaires.length > 0;
  const workshop = fields.type === 'collectif';
  const raw = {
    date: parisToday(),
    type: 'individuel',
    ...(place ? { canal: 'lieu_activite', lieu_id: place } : { canal: 'domicile' }),
    duree_min: '30',
    materiels: ['ordinateur'],
    thematiques: ['email'],
    demarches: [],
    autonomie: 'partiellement_autonome',
    ...(known || workshop
      ? {}
      : { anonyme: { genre: 'feminin', tranche_age: 'de_60_a_69', statut: 'retraite' } }),
    ...fields,
  };
  const saved = await recordActivities(db, helper, [raw]);
  if (!saved.ok) throw new Error(`givenActivity: refused ${JSON.stringify(saved.rejected[0]?.errors)}`);
  return saved.ids[0]!;
}

/** Habilitates the helper to hold mandates (Aidants Connect training). */
export async function givenHabilitation(
  on: On,
  helper: Helper,
  input: Partial<HabilitationInput> = {},
): Promise<void> {
  const granted = await grantHabilitation(dbOf(on), builder, helper.userId, helper.collectiviteId, {
    dateFormation: '2026-01-15',
    certifiePar: 'Aidants Connect — formation initiale',
    ...input,
  });
  if (!granted.ok) throw new Error(`givenHabilitation: ${granted.reason}`);
}

/** A notifier that keeps its SMS in `sent` instead of sending them (and refuses mail). */
export function recordingNotifier(): Notifier & { sent: { to: string; text: string }[] } {
  const sent: { to: string; text: string }[] = [];
  const notifier = createNotifier({
    sms: {
      async send(to, text) {
        sent.push({ to, text });
        return { messageId: `test-${sent.length}` };
      },
    },
    mail: () => Promise.reject(new Error('no mail from the test notifier')),
  });
  return Object.assign(notifier, { sent });
}

/** What a helper fills in to create a mandate at this place (Josette Durand, two démarches, 6 months). */
export function mandateRequestAt(lieuId: string, overrides: Partial<MandateRequest> = {}): MandateRequest {
  return {
    lieuId,
    beneficiaireId: null,
    prenom: 'Josette',
    nom: 'Durand',
    dateNaissance: '1948-03-12',
    pieceIdentite: 'carte_identite',
    telephone: null,
    consentement: 'presentiel',
    demarches: ['social', 'argent'],
    duree: '6m',
    renouvelleId: null,
    ...overrides,
  };
}

/**
 * A mandate of the helper (habilitated first, unless `habilitate: false`), in person at their first place of
 * activity, for Josette Durand, social and money matters, six months; `overrides` change any
 * field of the request, `now` its date.
 */
export async function givenMandate(
  on: On,
  helper: Helper,
  overrides: Partial<MandateRequest> = {},
  options: { now?: Date; notifier?: Notifier; habilitate?: boolean } = {},
): Promise<Mandate> {
  const db = dbOf(on);
  const [place] = await helperPlaceIds(db, helper.userId);
  if (!place && overrides.lieuId === undefined)
    throw new Error('givenMandate: the helper has no place of activity (givenHelper(t, { places: 1 }))');
  if (options.habilitate ?? true) await givenHabilitation(on, helper);
  const request = mandateRequestAt(place!, overrides);
  const result = await createMandate(
    db,
    helper,
    request,
    options.notifier ?? recordingNotifier(),
    options.now,
  );
  if (!result.ok) throw new Error(`givenMandate: ${result.reason}`);
  return result.value;
}
