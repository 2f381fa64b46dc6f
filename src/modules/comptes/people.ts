import { audit } from '../../platform/audit/journal.ts';
import { createInvitation } from '../../platform/auth/invitations.ts';
import { type Actor, can, ForbiddenError, isAdmin, type Role } from '../../platform/auth/policy.ts';
import { revokeAllSessions } from '../../platform/auth/session-admin.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { sendMail } from '../../platform/mail.ts';
import { invitationMail } from './mails.ts';

/** People administration: administrators for everyone, coordinators within their collectivité. */

export type PersonRow = {
  id: string;
  email: string;
  name: string;
  status: 'invited' | 'active' | 'disabled';
  hasTotp: boolean;
  memberships: { role: Role; collectiviteId: number | null }[];
};

/** The collectivités where the actor may manage people; null means all (administrator). */
function managedCollectivites(actor: Actor): number[] | null {
  if (isAdmin(actor)) return null;
  if (actor.kind !== 'user') return [];
  return actor.memberships
    .filter(
      (m) => m.collectiviteId !== null && can(actor, 'people.manage', { collectiviteId: m.collectiviteId }),
    )
    .map((m) => m.collectiviteId as number);
}

/** People the actor may manage, with their roles (only `onlyUserId` when given). */
export async function listPeople(db: Db, actor: Actor, onlyUserId?: string): Promise<PersonRow[]> {
  const scope = managedCollectivites(actor);
  if (scope !== null && scope.length === 0) throw new ForbiddenError();
  let query = db
    .selectFrom('app_user as u')
    .leftJoin('membership as m', 'm.user_id', 'u.id')
    .select(['u.id', 'u.email', 'u.name', 'u.status', 'u.totp_secret', 'm.role', 'm.collectivite_id'])
    .orderBy('u.name');
  if (onlyUserId) query = query.where('u.id', '=', onlyUserId);
  if (scope !== null) {
    query = query.where('u.id', 'in', (eb) =>
      eb.selectFrom('membership').select('user_id').where('collectivite_id', 'in', scope),
    );
  }
  const people = new Map<string, PersonRow>();
  for (const r of await query.execute()) {
    const person = people.get(r.id) ?? {
      id: r.id,
      email: r.email,
      name: r.name,
      status: r.status,
      hasTotp: r.totp_secret !== null,
      memberships: [],
    };
    if (r.role) person.memberships.push({ role: r.role, collectiviteId: r.collectivite_id });
    people.set(r.id, person);
  }
  return [...people.values()];
}

/** One person, if the actor may manage them (shares a managed collectivité, or is admin). */
export async function getPerson(db: Db, actor: Actor, userId: string): Promise<PersonRow | undefined> {
  const [person] = await listPeople(db, actor, userId);
  return person;
}

/** May the actor give this role in this collectivité? Only administrators make administrators. */
function mayGrant(actor: Actor, role: Role, collectiviteId: number | null): boolean {
  if (role === 'admin') return isAdmin(actor) && collectiviteId === null;
  return collectiviteId !== null && can(actor, 'people.manage', { collectiviteId });
}

export type Outcome = { ok: true } | { ok: false; field: string; reason: string };

export async function invitePerson(
  db: Db,
  config: Config,
  actor: Actor,
  input: { email: string; name: string; role: Role; collectiviteId: number | null },
): Promise<Outcome> {
  if (!mayGrant(actor, input.role, input.collectiviteId))
    throw new ForbiddenError('Vous ne pouvez pas donner ce rôle.');
  const invited = await createInvitation(db, {
    email: input.email,
    name: input.name,
    membership: { role: input.role, collectiviteId: input.collectiviteId },
    invitedBy: actor.kind === 'user' ? actor.userId : null,
  });
  if (!invited.ok) return { ok: false, field: 'email', reason: invited.reason };
  await audit(db, {
    actor,
    action: 'user.invite',
    collectiviteId: input.collectiviteId,
    subject: { type: 'user', id: invited.userId },
    details: { role: input.role },
  });
  await sendMail(
    db,
    config,
    invitationMail(input.email, input.name, `${config.publicUrl}/invitation/${invited.token}`),
  );
  return { ok: true };
}

/** Replaces the person's role in a collectivité. Their sessions end: new rights, new session. */
export async function changeRole(
  db: Db,
  actor: Actor,
  person: PersonRow,
  collectiviteId: number | null,
  role: Role,
): Promise<Outcome> {
  if (actor.kind === 'user' && actor.userId === person.id) {
    return { ok: false, field: 'role', reason: 'Vous ne pouvez pas changer votre propre rôle.' };
  }
  const current = person.memberships.find((m) => m.collectiviteId === collectiviteId);
  if (!current)
    return { ok: false, field: 'role', reason: 'Cette personne n’a pas de rôle dans cette collectivité.' };
  // A coordinator can neither make nor unmake an administrator.
  if (!mayGrant(actor, role, collectiviteId) || !mayGrant(actor, current.role, collectiviteId)) {
    throw new ForbiddenError('Vous ne pouvez pas donner ce rôle.');
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('membership')
      .set({ role })
      .where('user_id', '=', person.id)
      .where((eb) =>
        collectiviteId === null
          ? eb('collectivite_id', 'is', null)
          : eb('collectivite_id', '=', collectiviteId),
      )
      .execute();
    await audit(trx, {
      actor,
      action: 'user.role',
      collectiviteId,
      subject: { type: 'user', id: person.id },
      details: { from: current.role, to: role },
    });
  });
  await revokeAllSessions(db, person.id);
  return { ok: true };
}

/** Deactivates (ending every session) or reactivates a person. */
export async function setActive(db: Db, actor: Actor, person: PersonRow, active: boolean): Promise<Outcome> {
  if (actor.kind === 'user' && actor.userId === person.id) {
    return { ok: false, field: 'status', reason: 'Vous ne pouvez pas désactiver votre propre compte.' };
  }
  if (person.memberships.some((m) => m.role === 'admin') && !isAdmin(actor)) throw new ForbiddenError();
  if (person.status === 'invited') {
    return { ok: false, field: 'status', reason: 'Cette personne n’a pas encore accepté son invitation.' };
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ status: active ? 'active' : 'disabled' })
      .where('id', '=', person.id)
      .execute();
    await audit(trx, {
      actor,
      action: active ? 'user.reactivate' : 'user.deactivate',
      subject: { type: 'user', id: person.id },
    });
  });
  if (!active) await revokeAllSessions(db, person.id);
  return { ok: true };
}

/** Administrators only: removes a person's TOTP app and recovery codes; they enrol again at next sign-in. */
export async function resetSecondFactor(db: Db, actor: Actor, person: PersonRow): Promise<void> {
  if (!isAdmin(actor)) throw new ForbiddenError();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ totp_secret: null, totp_last_step: null })
      .where('id', '=', person.id)
      .execute();
    await trx.deleteFrom('recovery_code').where('user_id', '=', person.id).execute();
    await audit(trx, { actor, action: 'auth.totp.reset', subject: { type: 'user', id: person.id } });
  });
  await revokeAllSessions(db, person.id);
}
