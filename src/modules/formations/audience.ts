import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { AUDIENCES, type Audience, PROGRAMMES, type Programme } from './vocabulary.ts';

/**
 * Who a training is for: roles of the account (helpers, coordinators, trainers) or helpers of a
 * national programme (conseillers numériques, Aidants Connect, France Services), which their
 * coordinator declares for each person of their team. Registering someone outside the training's
 * audience is refused, whoever registers them.
 */

const isProgramme = (p: string): p is Programme => p in PROGRAMMES;

/** What a person is, as the audience of a training reads it: their roles and programmes. */
export async function learnerProfile(db: Db, userId: string): Promise<Set<string>> {
  const [roles, programmes] = await Promise.all([
    db
      .selectFrom('membership')
      .select('role')
      .where('user_id', '=', userId)
      .where('collectivite_id', 'is not', null)
      .execute(),
    db.selectFrom('formation_programme').select('programme').where('user_id', '=', userId).execute(),
  ]);
  return new Set<string>([...roles.map((r) => r.role), ...programmes.map((p) => p.programme)]);
}

/** The French list of a training's audience: « Conseillers numériques, Agents France Services ». */
export const audienceLabel = (publics: readonly string[]) =>
  publics.map((p) => AUDIENCES[p as Audience] ?? p).join(', ');

/**
 * Null when this person is in the training's audience (no audience: everyone who registers);
 * else the French reason, for themselves or for the coordinator who registers them.
 */
export async function audienceRefusal(
  db: Db,
  publics: readonly string[],
  learnerId: string,
  self: boolean,
): Promise<string | null> {
  if (publics.length === 0) return null;
  const profile = await learnerProfile(db, learnerId);
  if (publics.some((p) => profile.has(p))) return null;
  const who = self ? 'Vous n’en faites pas partie' : 'Cette personne n’en fait pas partie';
  const programmes = publics.filter(isProgramme);
  const hint = programmes.length
    ? ' Les programmes de chaque médiateur (conseiller numérique, Aidants Connect, France Services) sont indiqués par son coordinateur, sur la page « Formations de mon équipe ».'
    : '';
  return `Cette formation est réservée aux publics suivants : ${audienceLabel(publics)}. ${who}.${hint}`;
}

/** The programmes of the helpers of a coordinator's collectivités (all for administrators). */
export async function teamProgrammes(db: Db, helperIds: string[]): Promise<Map<string, Programme[]>> {
  const out = new Map<string, Programme[]>();
  if (helperIds.length === 0) return out;
  const rows = await db
    .selectFrom('formation_programme')
    .select(['user_id', 'programme'])
    .where('user_id', '=', sql<string>`any(${helperIds}::uuid[])`)
    .orderBy('programme')
    .execute();
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.programme]);
  return out;
}

/**
 * Sets the programmes of the helpers of a coordinator's team, from one form: each person's list
 * replaces what was declared. People outside the coordinator's collectivités are refused
 * (nothing changes); the journal keeps who changed what.
 */
export async function setProgrammes(
  db: Db,
  actor: Actor,
  team: { id: string; collectivite_id: number | null }[],
  chosen: Map<string, string[]>,
): Promise<{ ok: true; changed: number } | { ok: false; status: number; message: string }> {
  for (const [userId, programmes] of chosen) {
    const member = team.find((h) => h.id === userId);
    if (!member || member.collectivite_id === null)
      throw new ForbiddenError('Vous ne déclarez les programmes que des médiateurs de votre équipe.');
    if (!isAdmin(actor) && !can(actor, 'trainings.manage', { collectiviteId: member.collectivite_id }))
      throw new ForbiddenError('Vous ne déclarez les programmes que des médiateurs de votre équipe.');
    if (programmes.some((p) => !isProgramme(p)))
      return { ok: false, status: 400, message: 'Cochez des programmes de la liste.' };
  }
  const before = await teamProgrammes(db, [...chosen.keys()]);
  const changes = [...chosen]
    .map(([userId, programmes]) => {
      const was = before.get(userId) ?? [];
      const now = [...new Set(programmes)].filter(isProgramme).sort();
      return { userId, was, now };
    })
    .filter((c) => c.was.join() !== c.now.join());
  if (changes.length === 0) return { ok: true, changed: 0 };
  await db.transaction().execute(async (trx) => {
    for (const c of changes) {
      const member = team.find((h) => h.id === c.userId) as { collectivite_id: number };
      await trx.deleteFrom('formation_programme').where('user_id', '=', c.userId).execute();
      if (c.now.length)
        await trx
          .insertInto('formation_programme')
          .values(
            c.now.map((programme) => ({
              user_id: c.userId,
              programme,
              collectivite_id: member.collectivite_id,
              declared_by: actor.kind === 'user' ? actor.userId : null,
            })),
          )
          .execute();
      await audit(trx, {
        actor,
        action: 'training_programme.set',
        collectiviteId: member.collectivite_id,
        subject: { type: 'app_user', id: c.userId },
        details: { avant: c.was, apres: c.now },
      });
    }
  });
  return { ok: true, changed: changes.length };
}
