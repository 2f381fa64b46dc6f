/** Who is asking. Every domain function takes one and checks it with `can`. */
export type Role = 'admin' | 'coordinateur' | 'mediateur' | 'formateur';

export const ROLES: Record<Role, string> = {
  admin: 'Administrateur de l’OPSN',
  coordinateur: 'Coordinateur',
  mediateur: 'Médiateur numérique',
  formateur: 'Formateur',
};

/** `admin` is OPSN-wide (collectiviteId null); the other roles belong to one collectivité. */
export type Membership = { role: Role; collectiviteId: number | null };

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'system'; label: string }
  | {
      kind: 'user';
      userId: string;
      email: string;
      name: string;
      memberships: Membership[];
      activeCollectiviteId: number | null;
    };

export const ANONYMOUS: Actor = { kind: 'anonymous' };

/** The actor of command-line and scheduled work: the operator of the instance. */
export function systemActor(label: string): Actor {
  return { kind: 'system', label };
}

export type Action =
  | 'opsn.manage' // edit the OPSN, add and remove member collectivités
  | 'collectivite.theme' // change a collectivité's display name, colour and logo
  | 'audit.read' // browse and export the audit journal
  | 'people.manage' // invite people, change their roles, deactivate them (in a collectivité)
  | 'places.manage' // create, edit, import, publish places of the directory (in a collectivité)
  | 'activities.record' // record activity reports and see the people one helps (helpers, in a collectivité)
  | 'mandates.use' // create and use mandates for the people one helps (helpers, in a collectivité)
  | 'statistics.read' // read aggregate statistics of a collectivité (never identities)
  | 'appointments.oversee' // see the appointment agendas of a collectivité's places (times and seats, never names)
  | 'opendata.publish' // regenerate the open datasets (administrators and scheduled work)
  | 'trainings.manage' // organise training sessions, register the team, see its registrations (in a collectivité)
  | 'skills.record' // keep a diagnosis of digital skills in the record of a person one helps (helpers)
  | 'resources.moderate' // write and edit resources of the library, handle their reports (in a collectivité)
  | 'network.manage'; // run the OPSN's territorial network: members, comités, agenda, roadmap, news

export type Resource = { collectiviteId?: number };

/**
 * Only helpers record activities and see the people they help: administrators and
 * coordinators see aggregates, never identities (so an administrator is not a helper).
 */
export function isHelperIn(actor: Actor, collectiviteId: number | undefined): boolean {
  return hasRoleIn(actor, 'mediateur', collectiviteId);
}

export function isAdmin(actor: Actor): boolean {
  return (
    actor.kind === 'system' || (actor.kind === 'user' && actor.memberships.some((m) => m.role === 'admin'))
  );
}

function hasRoleIn(actor: Actor, role: Role, collectiviteId: number | undefined): boolean {
  return (
    actor.kind === 'user' &&
    collectiviteId !== undefined &&
    actor.memberships.some((m) => m.role === role && m.collectiviteId === collectiviteId)
  );
}

/** The one place that decides access. Routes and domain functions both ask it. */
export function can(actor: Actor, action: Action, resource: Resource = {}): boolean {
  if (action === 'skills.record') return isHelperIn(actor, resource.collectiviteId);
  if (action === 'activities.record' || action === 'mandates.use')
    return isHelperIn(actor, resource.collectiviteId);
  if (isAdmin(actor)) return true;
  switch (action) {
    case 'opsn.manage':
    case 'audit.read':
    case 'opendata.publish':
    case 'network.manage':
      return false;
    case 'resources.moderate':
    case 'collectivite.theme':
    case 'people.manage':
    case 'places.manage':
    case 'statistics.read':
    case 'appointments.oversee':
    case 'trainings.manage':
      return hasRoleIn(actor, 'coordinateur', resource.collectiviteId);
  }
}

export class ForbiddenError extends Error {
  constructor(message = 'Vous n’avez pas accès à cette action.') {
    super(message);
  }
}

/** Throws ForbiddenError unless `can` allows it. */
export function ensure(actor: Actor, action: Action, resource: Resource = {}): void {
  if (!can(actor, action, resource)) throw new ForbiddenError();
}
