import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import { normaliseEmail } from '../../platform/auth/users.ts';
import type { Db } from '../../platform/db/database.ts';
import type { ProConnectIdentity } from './client.ts';

/**
 * Which Relais account a ProConnect identity signs in to. A known `sub` signs in to its
 * account; an unknown one is linked, once, to the active account invited with the same
 * email. Nobody gets an account through ProConnect alone.
 */

export type Refusal = 'email-unverified' | 'no-account' | 'account-disabled';

export type AccountMatch =
  | { ok: true; userId: string; linked: boolean }
  | { ok: false; reason: Refusal; userId?: string };

type Origin = { actor: Actor; ip: string };

export async function findOrLinkAccount(
  db: Db,
  identity: ProConnectIdentity,
  origin: Origin,
): Promise<AccountMatch> {
  const known = await findBySub(db, identity.sub);
  if (known) {
    if (known.status !== 'active') return { ok: false, reason: 'account-disabled', userId: known.user_id };
    await refreshIdentity(db, identity);
    return { ok: true, userId: known.user_id, linked: false };
  }
  // Only an email the provider vouches for may find an account (ProConnect omits the claim).
  if (identity.emailVerified === false) return { ok: false, reason: 'email-unverified' };
  const invited = await findByEmail(db, identity.email);
  if (!invited) return { ok: false, reason: 'no-account' };
  if (invited.status !== 'active') return { ok: false, reason: 'account-disabled', userId: invited.id };
  await link(db, invited.id, identity, origin);
  return { ok: true, userId: invited.id, linked: true };
}

function findBySub(db: Db, sub: string) {
  return db
    .selectFrom('proconnect_identity as p')
    .innerJoin('app_user as u', 'u.id', 'p.user_id')
    .select(['p.user_id', 'u.status'])
    .where('p.sub', '=', sub)
    .executeTakeFirst();
}

function findByEmail(db: Db, email: string) {
  return db
    .selectFrom('app_user')
    .select(['id', 'status'])
    .where(sql<string>`lower(email)`, '=', normaliseEmail(email))
    .executeTakeFirst();
}

/** The organisation (SIRET) of a person can change between sign-ins: keep the latest. */
async function refreshIdentity(db: Db, identity: ProConnectIdentity): Promise<void> {
  await db
    .updateTable('proconnect_identity')
    .set({ uid: identity.uid ?? null, siret: identity.siret ?? null })
    .where('sub', '=', identity.sub)
    .execute();
}

/** Stores the link and journals it together. */
async function link(db: Db, userId: string, identity: ProConnectIdentity, origin: Origin): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('proconnect_identity')
      .values({
        user_id: userId,
        sub: identity.sub,
        uid: identity.uid ?? null,
        siret: identity.siret ?? null,
      })
      // Two tabs finishing at once: the first link wins, the second is the same link.
      .onConflict((oc) => oc.column('sub').doNothing())
      .execute();
    await audit(trx, {
      actor: origin.actor,
      action: 'auth.proconnect.link',
      subject: { type: 'user', id: userId },
      ip: origin.ip,
      details: { sub: identity.sub, uid: identity.uid ?? null, siret: identity.siret ?? null },
    });
  });
}

/** The ProConnect identities linked to an account (for tests and support). */
export function listIdentities(db: Db, userId: string) {
  return db
    .selectFrom('proconnect_identity')
    .select(['sub', 'uid', 'siret', 'linked_at'])
    .where('user_id', '=', userId)
    .orderBy('linked_at')
    .execute();
}
