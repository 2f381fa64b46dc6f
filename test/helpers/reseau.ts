import { feedToken, networkSecret, unsubscribeSignature } from '../../src/modules/reseau/links.ts';
import type { Db } from '../../src/platform/db/database.ts';

/**
 * Real values for the network's route parameters, from its demo data (the authorization
 * matrix calls every route with them): a member, an event, an action, a contact with the
 * signature of their unsubscribe link, the current token of the network's calendar, a comité
 * and a roadmap.
 */
export async function networkRouteParams(db: Db): Promise<Record<string, string>> {
  const [member, event, action, contact, feed, secret, committee, roadmap] = await Promise.all([
    db.selectFrom('reseau_membre').select('id').where('status', '=', 'candidat').executeTakeFirstOrThrow(),
    db.selectFrom('reseau_evenement').select('id').where('audience', '=', 'public').executeTakeFirstOrThrow(),
    db.selectFrom('reseau_action').select('id').executeTakeFirstOrThrow(),
    db.selectFrom('reseau_contact').select('id').executeTakeFirstOrThrow(),
    // No row until the feed's first reset: version 1.
    db.selectFrom('reseau_flux').select('version').executeTakeFirst(),
    networkSecret(db),
    db.selectFrom('reseau_comite').select('id').executeTakeFirstOrThrow(),
    db.selectFrom('reseau_feuille_route').select('id').executeTakeFirstOrThrow(),
  ]);
  return {
    ':membre': member.id,
    ':evenement': event.id,
    ':action': action.id,
    ':contact': contact.id,
    ':signature': unsubscribeSignature(secret, contact.id),
    ':flux': `${feedToken(secret, feed?.version ?? 1)}.ics`,
    ':comite': committee.id,
    ':feuille': roadmap.id,
  };
}
