import { type Migration, sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { accountsInvitedBy, invitersOf } from '../../platform/auth/invitations.ts';
import { type Actor, can, ForbiddenError } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { type PlaceSummary, placeSummaries, placesOfCollectivites } from '../lieux/index.ts';
import { displayName, listCollectivites } from '../territoires/index.ts';
import { choosablePlaces, type Helper } from './helpers.ts';

/**
 * Places of activity are approved, not self-declared: the places in `mediateur_lieu` open
 * the identities of the people helped there (and the mandates of that structure), so a
 * helper only PROPOSES a place; a coordinator of the place's collectivité (or an
 * administrator) approves it or assigns it directly. Nobody approves places for an account
 * they invited (they may control its address) nor for themselves; such attempts, and
 * approvals between accounts linked by their invitations, are flagged in the journal.
 */

export const placeApprovalMigrations: Record<string, Migration> = {
  '202612060300_mediateurs_lieux_approbation': {
    async up(db) {
      // The rows already there stay approved, by nobody known: "avant approbation".
      await sql`alter table mediateur_lieu
        add column approved_by uuid references app_user(id) on delete set null,
        add column approved_at timestamptz`.execute(db);
      await sql`create table mediateur_lieu_proposition (
        user_id uuid not null references app_user(id) on delete cascade,
        lieu_id uuid not null references lieu(id) on delete cascade,
        proposed_at timestamptz not null default now(),
        refused_at timestamptz,
        refused_by uuid references app_user(id) on delete set null,
        primary key (user_id, lieu_id)
      )`.execute(db);
      await sql`create index mediateur_lieu_proposition_lieu on mediateur_lieu_proposition (lieu_id)`.execute(
        db,
      );
    },
  },
};

// ------------------------------------------------------------------ the helper's side

export type HelperPlaceStates = {
  approved: PlaceSummary[];
  proposed: PlaceSummary[];
  refused: PlaceSummary[];
};

/** The helper's places by state: approved (they open access), proposed, refused. */
export async function helperPlaceStates(db: Db, userId: string): Promise<HelperPlaceStates> {
  const [approved, proposals] = await Promise.all([
    db.selectFrom('mediateur_lieu').select('lieu_id').where('user_id', '=', userId).execute(),
    db
      .selectFrom('mediateur_lieu_proposition')
      .select(['lieu_id', 'refused_at'])
      .where('user_id', '=', userId)
      .execute(),
  ]);
  const places = new Map(
    (
      await placeSummaries(
        db,
        [...approved, ...proposals].map((r) => r.lieu_id),
      )
    ).map((p) => [p.id, p]),
  );
  const pick = (ids: string[]) => ids.flatMap((id) => (places.has(id) ? [places.get(id)!] : []));
  return {
    approved: pick(approved.map((r) => r.lieu_id)),
    proposed: pick(proposals.filter((r) => r.refused_at === null).map((r) => r.lieu_id)),
    refused: pick(proposals.filter((r) => r.refused_at !== null).map((r) => r.lieu_id)),
  };
}

/**
 * Sets the places the helper works at (at least one, among their collectivités'): a place
 * already approved stays, a new one is proposed (a refused one proposed again), and a place
 * left out is given up (approved) or withdrawn (proposed). Proposing opens nothing.
 */
export async function proposePlaces(
  db: Db,
  helper: Helper,
  lieuIds: string[],
): Promise<{ ok: true; proposed: string[] } | { ok: false; reason: string }> {
  const allowed = new Set((await choosablePlaces(db, helper)).map((p) => p.id));
  const asked = new Set(lieuIds);
  const chosen = [...asked].filter((id) => allowed.has(id));
  if (asked.size === 0) return { ok: false, reason: 'Choisissez au moins un lieu d’activité.' };
  if (chosen.length !== asked.size)
    return { ok: false, reason: 'Un des lieux choisis n’est pas dans vos collectivités.' };
  const userId = helper.userId;
  const before = await helperPlaceStates(db, userId);
  const approved = new Set(before.approved.map((p) => p.id));
  const pending = new Set(before.proposed.map((p) => p.id));
  const proposed = chosen.filter((id) => !approved.has(id) && !pending.has(id));
  const givenUp = [...approved].filter((id) => !asked.has(id));
  const withdrawn = [...pending, ...before.refused.map((p) => p.id)].filter((id) => !asked.has(id));
  if (proposed.length + givenUp.length + withdrawn.length === 0) return { ok: true, proposed };
  await db.transaction().execute(async (trx) => {
    if (givenUp.length > 0)
      await trx
        .deleteFrom('mediateur_lieu')
        .where('user_id', '=', userId)
        .where('lieu_id', 'in', givenUp)
        .execute();
    if (withdrawn.length > 0)
      await trx
        .deleteFrom('mediateur_lieu_proposition')
        .where('user_id', '=', userId)
        .where('lieu_id', 'in', withdrawn)
        .execute();
    if (proposed.length > 0)
      await trx
        .insertInto('mediateur_lieu_proposition')
        .values(proposed.map((lieu_id) => ({ user_id: userId, lieu_id })))
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'lieu_id'])
            .doUpdateSet({ proposed_at: new Date(), refused_at: null, refused_by: null }),
        )
        .execute();
    await audit(trx, {
      actor: helper.actor,
      action: 'lieux_activite.proposition',
      collectiviteId: helper.collectiviteId,
      subject: { type: 'user', id: userId },
      details: { proposes: proposed, abandonnes: givenUp, retires: withdrawn },
    });
  });
  return { ok: true, proposed };
}

// ------------------------------------------------------------------ the coordinator's side

export type Decision = 'approuver' | 'refuser' | 'retirer' | 'attribuer';

/** What a coordinator sees of one helper and one place. */
export type PlaceRow = {
  userId: string;
  name: string;
  email: string;
  place: PlaceSummary;
  /** Proposed at (pending), or approved at (null: before approvals existed). */
  at: Date | null;
  /** Approver's name, for approved places; null when unknown. */
  approvedBy: string | null;
  /** The person looking invited this helper: they may not approve their places. */
  invitedByViewer: boolean;
};

export type ApprovalBoard = {
  helpers: { id: string; name: string; email: string }[];
  places: PlaceSummary[];
  pending: PlaceRow[];
  approved: PlaceRow[];
};

/** The helpers of one collectivité (active or still invited), by name. */
function helpersOf(db: Db, collectiviteId: number) {
  return db
    .selectFrom('membership as ms')
    .innerJoin('app_user as u', 'u.id', 'ms.user_id')
    .select(['u.id', 'u.name', 'u.email'])
    .where('ms.role', '=', 'mediateur')
    .where('ms.collectivite_id', '=', collectiviteId)
    .where('u.status', '!=', 'disabled')
    .orderBy('u.name')
    .execute();
}

/** The collectivités where this account is a helper (none for an unknown id). */
export async function helperCollectivitesOf(db: Db, userId: string): Promise<number[]> {
  if (!isUuid(userId)) return [];
  const rows = await db
    .selectFrom('membership')
    .select('collectivite_id')
    .where('user_id', '=', userId)
    .where('role', '=', 'mediateur')
    .execute();
  return rows.flatMap((r) => (r.collectivite_id === null ? [] : [r.collectivite_id]));
}

export const APPROVALS_REFUSED =
  'Seuls les coordinateurs et les administrateurs approuvent les lieux d’activité.';

/** The collectivités whose helpers `actor` manages, in the order people read them (a 403 if none). */
export async function approvalCollectivites(db: Db, actor: Actor): Promise<{ id: number; name: string }[]> {
  const choices = (await listCollectivites(db))
    .filter((c) => can(actor, 'people.manage', { collectiviteId: c.id }))
    .map((c) => ({ id: c.id, name: displayName(c) }));
  if (choices.length === 0) throw new ForbiddenError(APPROVALS_REFUSED);
  return choices;
}

/**
 * The collectivités of this helper, when `actor` manages the people of one of them (a 403
 * otherwise); none when the account is nobody's helper.
 */
export async function managedHelperCollectivites(db: Db, actor: Actor, userId: string): Promise<number[]> {
  const theirs = await helperCollectivitesOf(db, userId);
  if (theirs.length > 0 && !theirs.some((collectiviteId) => can(actor, 'people.manage', { collectiviteId })))
    throw new ForbiddenError();
  return theirs;
}

/** Pending proposals and approved places of a collectivité's helpers at its places. */
export async function approvalBoard(db: Db, actor: Actor, collectiviteId: number): Promise<ApprovalBoard> {
  if (!can(actor, 'people.manage', { collectiviteId })) throw new ForbiddenError();
  const [helpers, places] = await Promise.all([
    helpersOf(db, collectiviteId),
    placesOfCollectivites(db, [collectiviteId]),
  ]);
  const board: ApprovalBoard = { helpers, places, pending: [], approved: [] };
  if (helpers.length === 0 || places.length === 0) return board;
  const helperIds = helpers.map((h) => h.id);
  const placeIds = places.map((p) => p.id);
  const [pending, approved, invitedByViewer] = await Promise.all([
    db
      .selectFrom('mediateur_lieu_proposition')
      .select(['user_id', 'lieu_id', 'proposed_at'])
      .where('refused_at', 'is', null)
      .where('user_id', 'in', helperIds)
      .where('lieu_id', 'in', placeIds)
      .orderBy('proposed_at')
      .execute(),
    db
      .selectFrom('mediateur_lieu as ml')
      .leftJoin('app_user as a', 'a.id', 'ml.approved_by')
      .select(['ml.user_id', 'ml.lieu_id', 'ml.approved_at', 'a.name as approver'])
      .where('ml.user_id', 'in', helperIds)
      .where('ml.lieu_id', 'in', placeIds)
      .execute(),
    actor.kind === 'user' ? accountsInvitedBy(db, actor.userId, helperIds) : new Set<string>(),
  ]);
  const helperById = new Map(helpers.map((h) => [h.id, h]));
  const placeById = new Map(places.map((p) => [p.id, p]));
  const row = (userId: string, lieuId: string, at: Date | null, approvedBy: string | null): PlaceRow => {
    const helper = helperById.get(userId)!;
    return {
      userId,
      name: helper.name,
      email: helper.email,
      place: placeById.get(lieuId)!,
      at,
      approvedBy,
      invitedByViewer: invitedByViewer.has(userId),
    };
  };
  board.pending = pending.map((p) => row(p.user_id, p.lieu_id, p.proposed_at, null));
  board.approved = approved
    .map((a) => row(a.user_id, a.lieu_id, a.approved_at, a.approver))
    .sort((x, y) => x.name.localeCompare(y.name, 'fr') || x.place.nom.localeCompare(y.place.nom, 'fr'));
  return board;
}

/** The journal's alerts about places of activity. */
export const ALERT_PREFIX = 'alerte.lieux_activite.';

/** For those who read the journal (administrators): how many alerts in the last 30 days; else null. */
export async function recentPlaceAlerts(db: Db, actor: Actor, now = new Date()): Promise<number | null> {
  if (!can(actor, 'audit.read')) return null;
  const row = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', 'like', `${ALERT_PREFIX}%`)
    .where('at', '>=', new Date(now.getTime() - 30 * 86_400_000))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type DecisionOutcome =
  | { ok: true; collectiviteId: number }
  | { ok: false; reason: string; status: 400 | 403; collectiviteId?: number };

/**
 * Approves, refuses or withdraws a helper's place, or assigns one directly. Only the
 * coordinators of the place's collectivité and administrators decide (ForbiddenError for
 * anyone else); approving or assigning is refused to the helper themselves and to whoever
 * invited them, and the attempt is flagged in the journal.
 */
export async function decidePlace(
  db: Db,
  actor: Actor,
  input: { userId: string; lieuId: string; decision: Decision },
  origin: { ip?: string | null } = {},
): Promise<DecisionOutcome> {
  const { userId, lieuId, decision } = input;
  if (!isUuid(userId) || !isUuid(lieuId))
    return { ok: false, reason: 'Choisissez un médiateur et un lieu de la liste.', status: 400 };
  const [place] = await placeSummaries(db, [lieuId]);
  const collectiviteId = place?.collectivite_id ?? null;
  if (!place || collectiviteId === null)
    return { ok: false, reason: 'Ce lieu n’existe pas ou n’appartient à aucune collectivité.', status: 400 };
  if (!can(actor, 'people.manage', { collectiviteId })) throw new ForbiddenError();
  const helper = (await helpersOf(db, collectiviteId)).find((h) => h.id === userId);
  if (!helper)
    return {
      ok: false,
      reason: 'Cette personne n’est pas médiateur numérique dans la collectivité de ce lieu.',
      status: 400,
      collectiviteId,
    };
  const journal = { actor, collectiviteId, subject: { type: 'user', id: userId }, ip: origin.ip ?? null };

  if (decision === 'approuver' || decision === 'attribuer') {
    const conflict = await approvalConflict(db, actor, userId);
    if (conflict) {
      await audit(db, {
        ...journal,
        action: `${ALERT_PREFIX}auto_approbation`,
        details: { lieu: lieuId, decision, motif: conflict.code },
      });
      return { ok: false, reason: conflict.message, status: 403, collectiviteId };
    }
  }

  return db.transaction().execute(async (trx): Promise<DecisionOutcome> => {
    const pending = () =>
      trx
        .deleteFrom('mediateur_lieu_proposition')
        .where('user_id', '=', userId)
        .where('lieu_id', '=', lieuId)
        .where('refused_at', 'is', null)
        .returning('proposed_at')
        .executeTakeFirst();
    switch (decision) {
      case 'approuver':
      case 'attribuer': {
        const proposal = await pending();
        if (decision === 'approuver' && !proposal) return { ...NO_PROPOSAL, collectiviteId };
        if (decision === 'attribuer')
          // A refused proposal of the same place is settled by the assignment.
          await trx
            .deleteFrom('mediateur_lieu_proposition')
            .where('user_id', '=', userId)
            .where('lieu_id', '=', lieuId)
            .execute();
        const inserted = await trx
          .insertInto('mediateur_lieu')
          .values({ user_id: userId, lieu_id: lieuId, ...approval(actor) })
          .onConflict((oc) => oc.columns(['user_id', 'lieu_id']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
          return {
            ok: false,
            reason: `${helper.name} travaille déjà à ce lieu.`,
            status: 400,
            collectiviteId,
          };
        await audit(trx, {
          ...journal,
          action: decision === 'approuver' ? 'lieux_activite.approbation' : 'lieux_activite.attribution',
          details: { lieu: lieuId, invitePar: await invitersOf(trx, userId) },
        });
        const linked = await linkedInvitations(trx, actor, userId);
        if (linked)
          await audit(trx, {
            ...journal,
            action: `${ALERT_PREFIX}invitations_liees`,
            details: { lieu: lieuId, decision, lien: linked },
          });
        return { ok: true, collectiviteId };
      }
      case 'refuser': {
        const refused = await trx
          .updateTable('mediateur_lieu_proposition')
          .set({ refused_at: new Date(), refused_by: actor.kind === 'user' ? actor.userId : null })
          .where('user_id', '=', userId)
          .where('lieu_id', '=', lieuId)
          .where('refused_at', 'is', null)
          .executeTakeFirst();
        if (Number(refused.numUpdatedRows) === 0) return { ...NO_PROPOSAL, collectiviteId };
        await audit(trx, { ...journal, action: 'lieux_activite.refus', details: { lieu: lieuId } });
        return { ok: true, collectiviteId };
      }
      case 'retirer': {
        const removed = await trx
          .deleteFrom('mediateur_lieu')
          .where('user_id', '=', userId)
          .where('lieu_id', '=', lieuId)
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0)
          return {
            ok: false,
            reason: `${helper.name} ne travaille pas à ce lieu.`,
            status: 400,
            collectiviteId,
          };
        await audit(trx, { ...journal, action: 'lieux_activite.retrait', details: { lieu: lieuId } });
        return { ok: true, collectiviteId };
      }
    }
  });
}

const NO_PROPOSAL: DecisionOutcome = {
  ok: false,
  reason: 'Cette proposition n’est plus en attente : elle a déjà été traitée ou retirée.',
  status: 400,
};

/** The approval columns of a new `mediateur_lieu` row. */
function approval(actor: Actor): { approved_by: string | null; approved_at: Date } {
  return { approved_by: actor.kind === 'user' ? actor.userId : null, approved_at: new Date() };
}

/** Why this actor may not open places to this account, if they may not. */
async function approvalConflict(
  db: Db,
  actor: Actor,
  userId: string,
): Promise<{ code: string; message: string } | null> {
  if (actor.kind !== 'user') return null;
  if (actor.userId === userId)
    return {
      code: 'ses_propres_lieux',
      message:
        'Vous ne pouvez pas approuver vos propres lieux d’activité : un autre coordinateur ou un administrateur doit le faire.',
    };
  if ((await accountsInvitedBy(db, actor.userId, [userId])).has(userId))
    return {
      code: 'compte_invite_par_la_meme_personne',
      message:
        'Vous avez invité ce compte : ses lieux d’activité doivent être approuvés par un autre coordinateur de la collectivité ou par un administrateur.',
    };
  return null;
}

/**
 * Whether the approver and the helper are linked by their invitations, though not
 * directly: invited by the same person, or the approver invited the helper's inviter.
 * Allowed, but worth an administrator's look.
 */
async function linkedInvitations(db: Db, actor: Actor, userId: string): Promise<string | null> {
  if (actor.kind !== 'user') return null;
  const helperInviters = await invitersOf(db, userId);
  if (helperInviters.length === 0) return null;
  const approverInviters = new Set(await invitersOf(db, actor.userId));
  if (helperInviters.some((id) => approverInviters.has(id))) return 'invites_par_la_meme_personne';
  for (const inviter of helperInviters)
    if ((await invitersOf(db, inviter)).includes(actor.userId)) return 'a_invite_celui_qui_a_invite';
  return null;
}

/**
 * Assigns places directly, as an operator (demo data, command line): approved by nobody
 * in particular, journaled as the system actor.
 */
export async function assignPlacesAsSystem(
  db: Db,
  actor: Actor & { kind: 'system' },
  helper: Helper,
  lieuIds: string[],
): Promise<void> {
  if (lieuIds.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('mediateur_lieu')
      .values(lieuIds.map((lieu_id) => ({ user_id: helper.userId, lieu_id, ...approval(actor) })))
      .onConflict((oc) => oc.columns(['user_id', 'lieu_id']).doNothing())
      .execute();
    await audit(trx, {
      actor,
      action: 'lieux_activite.attribution',
      collectiviteId: helper.collectiviteId,
      subject: { type: 'user', id: helper.userId },
      details: { lieux: lieuIds },
    });
  });
}
