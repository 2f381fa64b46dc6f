import { type RawBuilder, sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { accountsInvitedBy } from '../../platform/auth/invitations.ts';
import { type Actor, can, ensure, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { lastReportAt } from '../activites/index.ts';
import { type Helper, requireHelper } from '../mediateurs/index.ts';
import { displayName, listCollectivites } from '../territoires/index.ts';

/**
 * Habilitation: only helpers trained for mandates ("habilités") may create and use them. A
 * coordinator of the helper's collectivité or an administrator grants it (training date and
 * who certified it) and may withdraw it; a scheduled job withdraws it after inactivity.
 */

export type HabilitationInput = { dateFormation: string; certifiePar: string };

export async function isHabilitated(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('habilitation')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Refuses anyone but a helper of their collectivité: mandates are theirs to create and use. */
export function ensureMandates(helper: Helper): void {
  ensure(helper.actor, 'mandates.use', { collectiviteId: helper.collectiviteId });
}

/** The helper behind a request, refused unless trained for mandates. */
export async function requireHabilitatedHelper(db: Db, actor: Actor): Promise<Helper> {
  const helper = requireHelper(actor);
  ensureMandates(helper);
  if (!(await isHabilitated(db, helper.userId)))
    throw new ForbiddenError(
      'Vous n’êtes pas habilité à créer ou utiliser des mandats. Demandez à votre coordinateur de vous habiliter après la formation.',
    );
  return helper;
}

/**
 * Whether this person may open the mandates pages: what `requireHabilitatedHelper` lets through,
 * asked by the pages that would link there (a link they may not follow is not shown).
 */
export async function mayUseMandates(db: Db, actor: Actor): Promise<boolean> {
  try {
    await requireHabilitatedHelper(db, actor);
    return true;
  } catch (error) {
    if (error instanceof ForbiddenError) return false;
    throw error;
  }
}

/** The helpers of one collectivité with their habilitation, for the coordinator's page. */
export function helpersWithHabilitation(db: Db, collectiviteId: number) {
  return db
    .selectFrom('membership as ms')
    .innerJoin('app_user as u', 'u.id', 'ms.user_id')
    .leftJoin('habilitation as h', 'h.user_id', 'u.id')
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.status',
      'h.date_formation',
      'h.certified_by',
      'h.granted_at',
      'h.withdrawn_at',
      'h.motif_retrait',
      'h.warned_at',
    ])
    .where('ms.role', '=', 'mediateur')
    .where('ms.collectivite_id', '=', collectiviteId)
    .orderBy('u.name')
    .execute();
}

/** Whether `actor` may manage the habilitation of helpers of this collectivité. */
export function canManageHabilitations(actor: Actor, collectiviteId: number): boolean {
  return can(actor, 'people.manage', { collectiviteId });
}

export const HABILITATIONS_REFUSED =
  'Seuls les coordinateurs et les administrateurs de l’OPSN habilitent les aidants aux mandats.';

/** The collectivités whose helpers `actor` may habilitate, in the order people read them (a 403 if none). */
export async function habilitationCollectivites(
  db: Db,
  actor: Actor,
): Promise<{ id: number; name: string }[]> {
  const choices = (await listCollectivites(db))
    .filter((c) => canManageHabilitations(actor, c.id))
    .map((c) => ({ id: c.id, name: displayName(c) }));
  if (choices.length === 0) throw new ForbiddenError(HABILITATIONS_REFUSED);
  return choices;
}

/** The helper `userId` and their collectivité, if `actor` may habilitate them (a 403 otherwise); null: no such helper. */
export async function habilitableHelper(
  db: Db,
  actor: Actor,
  userId: string,
): Promise<{ userId: string; collectiviteId: number } | null> {
  const collectiviteId = await helperCollectiviteOf(db, userId);
  if (collectiviteId === null) return null;
  if (!canManageHabilitations(actor, collectiviteId)) throw new ForbiddenError(HABILITATIONS_REFUSED);
  return { userId, collectiviteId };
}

/** The collectivité where `userId` is a helper, or null. */
export async function helperCollectiviteOf(db: Db, userId: string): Promise<number | null> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
  const row = await db
    .selectFrom('membership')
    .select('collectivite_id')
    .where('user_id', '=', userId)
    .where('role', '=', 'mediateur')
    .executeTakeFirst();
  return row?.collectivite_id ?? null;
}

/** Refused to a coordinator who invited the account: someone else must vouch for it. */
export const SELF_INVITED_REFUSED =
  'Vous avez invité ce compte vous-même : un autre coordinateur ou un administrateur de l’OPSN doit l’habiliter.';

/** Of these helpers, those the actor invited themselves (a habilitation they grant is not a second opinion). */
export async function invitedByActor(db: Db, actor: Actor, userIds: string[]): Promise<Set<string>> {
  return actor.kind === 'user' ? accountsInvitedBy(db, actor.userId, userIds) : new Set();
}

/**
 * Grants (or grants again) a habilitation. A coordinator may not habilitate an account they
 * invited themselves (they could invite an address they control); an administrator may, and
 * the journal flags it (`habilitation.auto_invitation`).
 */
export async function grantHabilitation(
  db: Db,
  actor: Actor,
  userId: string,
  collectiviteId: number,
  input: HabilitationInput,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const selfInvited = (await invitedByActor(db, actor, [userId])).has(userId);
  if (selfInvited && !isAdmin(actor)) return { ok: false, reason: SELF_INVITED_REFUSED };
  await db.transaction().execute(async (trx) => {
    const values = {
      collectivite_id: collectiviteId,
      date_formation: input.dateFormation,
      certified_by: input.certifiePar,
      granted_by: actor.kind === 'user' ? actor.userId : null,
      granted_at: new Date(),
      withdrawn_at: null,
      withdrawn_by: null,
      motif_retrait: null,
      warned_at: null,
    };
    await trx
      .insertInto('habilitation')
      .values({ user_id: userId, ...values })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
      .execute();
    await audit(trx, {
      actor,
      action: 'habilitation.accordee',
      collectiviteId,
      subject: { type: 'user', id: userId },
      details: { dateFormation: input.dateFormation, certifiePar: input.certifiePar },
    });
    if (selfInvited && actor.kind === 'user')
      await audit(trx, {
        actor,
        action: 'habilitation.auto_invitation',
        collectiviteId,
        subject: { type: 'user', id: userId },
        details: { invitePar: actor.userId },
      });
  });
  return { ok: true };
}

/** Withdraws a habilitation (by a person, or by the inactivity job); false when there was none. */
export async function withdrawHabilitation(
  db: Db,
  actor: Actor,
  userId: string,
  motif: string,
  now = new Date(),
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('habilitation')
      .set({
        withdrawn_at: now,
        withdrawn_by: actor.kind === 'user' ? actor.userId : null,
        motif_retrait: motif,
      })
      .where('user_id', '=', userId)
      .where('withdrawn_at', 'is', null)
      .returning('collectivite_id')
      .executeTakeFirst();
    if (!row) return false;
    await audit(trx, {
      actor,
      action: 'habilitation.retiree',
      collectiviteId: row.collectivite_id,
      subject: { type: 'user', id: userId },
      details: { motif },
    });
    return true;
  });
}

/**
 * A helper's last sign of activity: a sign-in (journaled: a session row is deleted at sign-out
 * or once idle), a session seen, a report recorded, a mandate created or used, or the
 * habilitation itself. A condition-free expression over `habilitation as h`.
 */
export const lastActivity: RawBuilder<Date> = sql<Date>`greatest(
  h.granted_at,
  (select max(e.at) from audit_event e
    where e.action = 'auth.signin.success' and e.subject_type = 'user'
      and e.subject_id = h.user_id::text and e.at > h.granted_at),
  (select max(s.last_seen_at) from user_session s where s.user_id = h.user_id),
  ${lastReportAt(sql.ref('h.user_id'))},
  (select max(m.created_at) from mandat m where m.mediateur_id = h.user_id),
  (select max(u.created_at) from mandat_usage u where u.mediateur_id = h.user_id)
)`;
