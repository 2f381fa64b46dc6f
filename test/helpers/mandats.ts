import type { Mandate, MandateRequest } from '../../src/modules/mandats/index.ts';
import { type Helper, helperByEmail } from '../../src/modules/mediateurs/index.ts';
import { findCollectiviteByCode } from '../../src/modules/territoires/index.ts';
import type { Db } from '../../src/platform/db/database.ts';
import type { Notifier } from '../../src/platform/messaging/index.ts';
import { Client, type TestApp } from './app.ts';
import {
  givenCollectivite,
  givenHabilitation,
  givenHelper,
  givenMandate,
  givenPlace,
  mandateRequestAt,
  recordingNotifier,
  TEST_PASSWORD,
} from './builders.ts';

/** The helper of Villeurbanne who holds the mandates, and another helper at another place. */
export const HELPER_EMAIL = 'aidante@villeurbanne.example';
export const HELPER_PASSWORD = TEST_PASSWORD;
export const HELPER_TOTP = 'KRUGS4ZANFZSAYJAORSXG5BAMFRWG33V';
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
 * Made with the builders, on any test app: Villeurbanne (a member already or added), a helper
 * there with one place of activity (a France Services), and a helper of the same collectivité working at another
 * place (another structure), both habilitated.
 */
export async function mandateWorld(t: TestApp): Promise<MandateWorld> {
  const collectivite =
    (await findCollectiviteByCode(t.db.db, '69266')) ?? (await givenCollectivite(t, { code: '69266' }));
  // The structures' names say the commune: a page that must not show the structure would show it.
  const place = await givenPlace(t, { collectivite, nom: 'France Services de Villeurbanne' });
  const otherPlace = await givenPlace(t, { collectivite, nom: 'Médiathèque du Tonkin, Villeurbanne' });
  const helper = await givenHelper(t, {
    collectivite,
    places: [place],
    email: HELPER_EMAIL,
    name: 'Mehdi Médiateur',
    totpSecret: HELPER_TOTP,
  });
  const other = await givenHelper(t, {
    collectivite,
    places: [otherPlace],
    email: OTHER_HELPER_EMAIL,
    name: 'Olivia Autre-Structure',
    totpSecret: OTHER_HELPER_TOTP,
  });
  for (const h of [helper, other]) await givenHabilitation(t, h);
  const sms = recordingNotifier();
  return {
    helper: await helperOf(t.db.db, HELPER_EMAIL),
    other: await helperOf(t.db.db, OTHER_HELPER_EMAIL),
    placeId: helper.places[0]!,
    otherPlaceId: other.places[0]!,
    sent: sms.sent,
    sms,
  };
}

/** A request for an in-person mandate at the helper's place; `overrides` change any field. */
export function mandateRequest(world: MandateWorld, overrides: Partial<MandateRequest> = {}): MandateRequest {
  return mandateRequestAt(world.placeId, overrides);
}

/** Creates a mandate through the service (the flow's own tests go through HTTP). */
export function newMandate(
  t: TestApp,
  world: MandateWorld,
  overrides: Partial<MandateRequest> = {},
  now?: Date,
): Promise<Mandate> {
  return givenMandate(t, world.helper, mandateRequest(world, overrides), {
    now,
    notifier: world.sms,
    habilitate: false,
  });
}

/** A client signed in as the world's helper. */
export async function signedInHelper(t: TestApp): Promise<Client> {
  const client = new Client(t.app);
  await client.signIn(HELPER_EMAIL, HELPER_PASSWORD, HELPER_TOTP);
  return client;
}
