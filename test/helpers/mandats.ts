import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../src/modules/comptes/index.ts';
import { createMandate } from '../../src/modules/mandats/creation.ts';
import { grantHabilitation } from '../../src/modules/mandats/habilitation.ts';
import type { Mandate, MandateRequest } from '../../src/modules/mandats/service.ts';
import { type Helper, helperByEmail } from '../../src/modules/mediateurs/index.ts';
import { systemActor } from '../../src/platform/auth/policy.ts';
import { createUser } from '../../src/platform/auth/users.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { createNotifier, type Notifier } from '../../src/platform/messaging/index.ts';
import { Client, type TestApp } from './app.ts';

/** The demo helper of Villeurbanne (habilitated here) and another helper at another place. */
export const HELPER_EMAIL = DEMO_ACCOUNTS[2].email;
export const OTHER_HELPER_EMAIL = 'autre-structure@villeurbanne.example';
export const OTHER_HELPER_TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export type MandateWorld = {
  helper: Helper;
  /** A helper of the same collectivité at a place the first one does not work at. */
  other: Helper;
  placeId: string;
  otherPlaceId: string;
  /** What the notifier below would have sent by SMS. */
  sent: { to: string; text: string }[];
  /** A notifier that records its SMS instead of sending them (and refuses mail). */
  sms: Notifier;
};

export async function helperOf(db: Db, email: string): Promise<Helper> {
  const helper = await helperByEmail(db, email);
  if (!helper) throw new Error(`No helper ${email}`);
  return helper;
}

/**
 * On a demo app (`createTestApp({ demo: true })`): habilitates the demo helper, and adds a
 * helper of the same collectivité working at another place (another structure), habilitated too.
 */
export async function mandateWorld(t: TestApp): Promise<MandateWorld> {
  const db = t.db.db;
  const helper = await helperOf(db, HELPER_EMAIL);
  const places = await db
    .selectFrom('mediateur_lieu')
    .select('lieu_id')
    .where('user_id', '=', helper.userId)
    .execute();
  const placeId = places[0]!.lieu_id;
  const other = await db
    .selectFrom('lieu')
    .select('id')
    .where('collectivite_id', '=', helper.collectiviteId)
    .where(
      'id',
      'not in',
      places.map((p) => p.lieu_id),
    )
    .executeTakeFirst();
  const otherPlaceId =
    other?.id ??
    (
      await db
        .insertInto('lieu')
        .values({ nom: 'Autre structure', collectivite_id: helper.collectiviteId } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const exists = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', OTHER_HELPER_EMAIL)
    .executeTakeFirst();
  const otherId =
    exists?.id ??
    (await createUser(db, {
      email: OTHER_HELPER_EMAIL,
      name: 'Olivia Autre-Structure',
      password: DEMO_PASSWORD,
      totpSecret: OTHER_HELPER_TOTP,
      memberships: [{ role: 'mediateur', collectiviteId: helper.collectiviteId }],
    }));
  await db
    .insertInto('mediateur_lieu')
    .values({ user_id: otherId, lieu_id: otherPlaceId })
    .onConflict((oc) => oc.doNothing())
    .execute();
  for (const id of [helper.userId, otherId])
    await grantHabilitation(db, systemActor('test'), id, helper.collectiviteId, {
      dateFormation: '2026-01-15',
      certifiePar: 'Aidants Connect — formation initiale',
    });
  const sent: { to: string; text: string }[] = [];
  const sms = createNotifier({
    sms: {
      async send(to, text) {
        sent.push({ to, text });
        return { messageId: `test-${sent.length}` };
      },
    },
    mail: () => Promise.reject(new Error('no mail in the mandates tests')),
  });
  return { helper, other: await helperOf(db, OTHER_HELPER_EMAIL), placeId, otherPlaceId, sent, sms };
}

/** A request for an in-person mandate at the helper's place; `overrides` change any field. */
export function mandateRequest(world: MandateWorld, overrides: Partial<MandateRequest> = {}): MandateRequest {
  return {
    lieuId: world.placeId,
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

/** Creates a mandate through the service (the flow's own tests go through HTTP). */
export async function newMandate(
  t: TestApp,
  world: MandateWorld,
  overrides: Partial<MandateRequest> = {},
  now?: Date,
): Promise<Mandate> {
  const result = await createMandate(t.db.db, world.helper, mandateRequest(world, overrides), world.sms, now);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

/** A client signed in as the demo helper. */
export async function signedInHelper(t: TestApp): Promise<Client> {
  const client = new Client(t.app);
  await client.signIn(HELPER_EMAIL);
  return client;
}
