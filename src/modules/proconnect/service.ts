import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import { normaliseEmail } from '../../platform/auth/users.ts';
import type { Db } from '../../platform/db/database.ts';
import type { ProConnectIdentity } from './client.ts';

/**
 * Which Relais account a ProConnect identity signs in to. A known `sub` signs in to its
 * account; an unknown one is linked, once, to the active account invited with the same
 * email: at once when the provider says the email is verified, otherwise (ProConnect
 * omits the claim) only after the account's owner proves their second factor in this
 * sign-in (`confirmLink`). Nobody gets an account through ProConnect alone.
 */

export type Refusal = 'email-unverified' | 'no-account' | 'account-disabled';

export type AccountMatch =
  | { ok: true; userId: string; linked: boolean; confirmLink?: boolean }
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
  // An email the provider says is unverified never finds an account.
  if (identity.emailVerified === false) return { ok: false, reason: 'email-unverified' };
  const invited = await findByEmail(db, identity.email);
  if (!invited) return { ok: false, reason: 'no-account' };
  if (invited.status !== 'active') return { ok: false, reason: 'account-disabled', userId: invited.id };
  if (identity.emailVerified !== true) {
    // Without the provider's word, only the owner's second factor may link: an account
    // without one yet (it would be enrolled by whoever holds this identity) is refused.
    if (!invited.has_totp) return { ok: false, reason: 'email-unverified', userId: invited.id };
    return { ok: true, userId: invited.id, linked: false, confirmLink: true };
  }
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
    .select(['id', 'status', sql<boolean>`totp_secret is not null`.as('has_totp')])
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

/** What a sign-in keeps of an identity to link once the second factor is proved. */
export type LinkRequest = Pick<ProConnectIdentity, 'sub' | 'uid' | 'siret'>;

/** Stores the link and journals it together. */
export async function link(db: Db, userId: string, identity: LinkRequest, origin: Origin): Promise<void> {
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
