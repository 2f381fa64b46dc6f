import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { codes, isUuid, requiredText, trimString } from '../../platform/forms.ts';
import { isCalendarDay } from '../../platform/paris-time.ts';
import { AMOUNT_MAX, GRANT_STATUSES, type GrantStatus, NAME_MAX } from './vocabulary.ts';

/**
 * What an action carries besides its plan: the members carrying it (porteurs), the members'
 * co-financings of its budget, and the grants asked for it with the funders' decisions. Every
 * change bumps the action's `updated_at`, so that the roadmap page's kept list of actions is
 * read again (roadmap.ts).
 */

export type ActionDetail = {
  id: string;
  titre: string;
  feuille_route_id: string;
  roadmap: string;
  budget: number | null;
  porteurs: { id: string; nom: string }[];
  cofinancements: { id: string; membre_id: string; membre: string; montant: number }[];
  cofinance: number;
  /** Budget minus the co-financings; null without a budget. */
  reste: number | null;
  subventions: Grant[];
};

export type Grant = {
  id: string;
  financeur: string;
  montant_demande: number;
  deposee_le: string;
  status: GrantStatus;
  decision_le: string | null;
  montant_accorde: number | null;
};

/** An amount in euros as people type it: `12500`, `12 500`, `12 500 €`; whole euros only. */
export const euros = (label: string) =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const typed = v.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
      return typed === '' ? undefined : Number(typed);
    },
    z
      .number({ error: `${label} : saisissez un montant en euros, par exemple 12 500.` })
      .int(`${label} : saisissez un montant en euros entiers, sans centimes.`)
      .min(1, `${label} : saisissez un montant supérieur à 0 €.`)
      .max(AMOUNT_MAX, `${label} : ${AMOUNT_MAX.toLocaleString('fr-FR')} € au plus.`),
  );

const member = z
  .string({ error: 'Choisissez un membre de la liste.' })
  .refine(isUuid, 'Choisissez un membre de la liste.');

const day = (label: string) =>
  z.preprocess(
    trimString,
    z
      .string({ error: `Saisissez la date ${label}.` })
      .refine(isCalendarDay, `Date ${label} : saisissez une date valide, par exemple 2027-01-15.`),
  );

export const porteurFields = z.object({ porteur: member });
export const cofinancingFields = z.object({ cofinanceur: member, montant: euros('Montant') });
export const grantFields = z.object({
  financeur: requiredText('le financeur', NAME_MAX),
  montant_demande: euros('Montant demandé'),
  depot: day('de dépôt'),
});
export const grantStatusFields = z
  .object({
    statut: z.enum(codes(GRANT_STATUSES), { error: 'Choisissez un statut de la liste.' }),
    decision: z.preprocess((v) => (v === '' ? undefined : v), day('de décision').optional()),
    accorde: z.preprocess((v) => (v === '' ? undefined : v), euros('Montant accordé').optional()),
  })
  .superRefine((v, ctx) => {
    const decided = v.statut === 'acceptee' || v.statut === 'refusee';
    if (decided && !v.decision)
      ctx.addIssue({ code: 'custom', path: ['decision'], message: 'Saisissez la date de la décision.' });
    if (v.statut === 'acceptee' && v.accorde === undefined)
      ctx.addIssue({ code: 'custom', path: ['accorde'], message: 'Saisissez le montant accordé.' });
  });

const currentMember = (db: Db, id: string) =>
  db
    .selectFrom('reseau_membre')
    .select(['id', 'nom'])
    .where('id', '=', id)
    .where('status', '=', 'membre')
    .executeTakeFirst();

/** Marks the action changed and journals what changed (inside the change's transaction). */
async function actionChanged(
  trx: Db,
  actor: Actor,
  actionId: string,
  action: 'network.action.porteur' | 'network.action.cofinancing',
  details: Record<string, unknown>,
): Promise<void> {
  await trx.updateTable('reseau_action').set({ updated_at: new Date() }).where('id', '=', actionId).execute();
  await audit(trx, { actor, action, subject: { type: 'reseau_action', id: actionId }, details });
}

/** One action with its porteurs, co-financings and grant requests, for its page and the council PDF. */
export async function actionDetail(db: Db, actor: Actor, id: string): Promise<ActionDetail | undefined> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return undefined;
  const action = await db
    .selectFrom('reseau_action')
    .innerJoin('reseau_feuille_route', 'reseau_feuille_route.id', 'reseau_action.feuille_route_id')
    .select([
      'reseau_action.id',
      'reseau_action.titre',
      'reseau_action.feuille_route_id',
      'reseau_action.budget_euros',
      'reseau_feuille_route.nom as roadmap',
    ])
    .where('reseau_action.id', '=', id)
    .executeTakeFirst();
  if (!action) return undefined;
  const [details] = await actionsFinances(db, [id]);
  return {
    id: action.id,
    titre: action.titre,
    feuille_route_id: action.feuille_route_id,
    roadmap: action.roadmap,
    budget: action.budget_euros,
    ...(details?.[1] ?? { porteurs: [], cofinancements: [], subventions: [], cofinance: 0 }),
    reste: reste(action.budget_euros, details?.[1].cofinance ?? 0),
  };
}

const reste = (budget: number | null, cofinance: number) => (budget === null ? null : budget - cofinance);

type Finances = Pick<ActionDetail, 'porteurs' | 'cofinancements' | 'subventions' | 'cofinance'>;

/** The porteurs, co-financings and grant requests of some actions, three queries whatever their number. */
export async function actionsFinances(db: Db, ids: string[]): Promise<[string, Finances][]> {
  if (ids.length === 0) return [];
  const [porteurs, cofinancements, subventions] = await Promise.all([
    db
      .selectFrom('reseau_action_porteur')
      .innerJoin('reseau_membre', 'reseau_membre.id', 'reseau_action_porteur.membre_id')
      .select(['reseau_action_porteur.action_id', 'reseau_membre.id', 'reseau_membre.nom'])
      .where('reseau_action_porteur.action_id', 'in', ids)
      .orderBy('reseau_membre.nom')
      .execute(),
    db
      .selectFrom('reseau_cofinancement')
      .innerJoin('reseau_membre', 'reseau_membre.id', 'reseau_cofinancement.membre_id')
      .select([
        'reseau_cofinancement.id',
        'reseau_cofinancement.action_id',
        'reseau_cofinancement.membre_id',
        'reseau_membre.nom as membre',
        'reseau_cofinancement.montant_euros as montant',
      ])
      .where('reseau_cofinancement.action_id', 'in', ids)
      .orderBy('reseau_cofinancement.created_at')
      .execute(),
    db
      .selectFrom('reseau_demande_subvention')
      .select([
        'id',
        'action_id',
        'financeur',
        'montant_demande',
        'deposee_le',
        'status',
        'decision_le',
        'montant_accorde',
      ])
      .where('action_id', 'in', ids)
      .orderBy('deposee_le')
      .orderBy('created_at')
      .execute(),
  ]);
  const byAction = new Map<string, Finances>(
    ids.map((id) => [id, { porteurs: [], cofinancements: [], subventions: [], cofinance: 0 }]),
  );
  for (const p of porteurs) byAction.get(p.action_id)?.porteurs.push({ id: p.id, nom: p.nom });
  for (const { action_id, ...c } of cofinancements) {
    const f = byAction.get(action_id);
    if (!f) continue;
    f.cofinancements.push(c);
    f.cofinance += c.montant;
  }
  for (const { action_id, ...g } of subventions) byAction.get(action_id)?.subventions.push(g);
  return [...byAction];
}

/** Adds a member as a porteur of an action (once). */
export async function addPorteur(
  db: Db,
  actor: Actor,
  actionId: string,
  input: z.infer<typeof porteurFields>,
): Promise<'ok' | 'not_found' | { porteur: string }> {
  ensure(actor, 'network.manage');
  if (!isUuid(actionId)) return 'not_found';
  const m = await currentMember(db, input.porteur);
  if (!m) return { porteur: 'Choisissez un membre actuel du réseau.' };
  return db.transaction().execute(async (trx) => {
    const action = await trx
      .updateTable('reseau_action')
      .set({ updated_at: new Date() })
      .where('id', '=', actionId)
      .returning('id')
      .executeTakeFirst();
    if (!action) return 'not_found' as const;
    const added = await trx
      .insertInto('reseau_action_porteur')
      .values({ action_id: actionId, membre_id: m.id })
      .onConflict((oc) => oc.doNothing())
      .returning('membre_id')
      .executeTakeFirst();
    if (!added) return { porteur: `${m.nom} porte déjà cette action.` };
    await audit(trx, {
      actor,
      action: 'network.action.porteur',
      subject: { type: 'reseau_action', id: actionId },
      details: { added: m.id },
    });
    return 'ok' as const;
  });
}

/** Removes a porteur; a member who no longer carries the action leaves nothing to do. */
export async function removePorteur(
  db: Db,
  actor: Actor,
  actionId: string,
  membreId: string,
): Promise<boolean> {
  ensure(actor, 'network.manage');
  if (!isUuid(actionId) || !isUuid(membreId)) return false;
  return db.transaction().execute(async (trx) => {
    const action = await trx
      .selectFrom('reseau_action')
      .select('id')
      .where('id', '=', actionId)
      .executeTakeFirst();
    if (!action) return false;
    const removed = await trx
      .deleteFrom('reseau_action_porteur')
      .where('action_id', '=', actionId)
      .where('membre_id', '=', membreId)
      .returning('membre_id')
      .executeTakeFirst();
    if (!removed) return true;
    await actionChanged(trx, actor, actionId, 'network.action.porteur', { removed: membreId });
    return true;
  });
}

/**
 * Adds a member's co-financing. With a budget, the co-financings together may not exceed it:
 * the action is locked while its total is checked, so two at once cannot pass it either.
 */
export async function addCofinancing(
  db: Db,
  actor: Actor,
  actionId: string,
  input: z.infer<typeof cofinancingFields>,
): Promise<'ok' | 'not_found' | Record<string, string>> {
  ensure(actor, 'network.manage');
  if (!isUuid(actionId)) return 'not_found';
  const m = await currentMember(db, input.cofinanceur);
  if (!m) return { cofinanceur: 'Choisissez un membre actuel du réseau.' };
  return db.transaction().execute(async (trx) => {
    const action = await trx
      .selectFrom('reseau_action')
      .select(['id', 'budget_euros'])
      .where('id', '=', actionId)
      .forUpdate()
      .executeTakeFirst();
    if (!action) return 'not_found' as const;
    if (action.budget_euros !== null) {
      const { total } = await trx
        .selectFrom('reseau_cofinancement')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('montant_euros'), eb.val('0')).as('total'))
        .where('action_id', '=', actionId)
        .executeTakeFirstOrThrow();
      const left = action.budget_euros - Number(total);
      if (input.montant > left)
        return {
          montant: `Montant : les cofinancements dépasseraient le budget de l’action (${money(action.budget_euros)}) ; il reste ${money(Math.max(0, left))} à cofinancer.`,
        };
    }
    const row = await trx
      .insertInto('reseau_cofinancement')
      .values({
        action_id: actionId,
        membre_id: m.id,
        montant_euros: input.montant,
        created_by: actor.kind === 'user' ? actor.userId : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await actionChanged(trx, actor, actionId, 'network.action.cofinancing', {
      added: row.id,
      membre: m.id,
      montant: input.montant,
    });
    return 'ok' as const;
  });
}

export async function removeCofinancing(
  db: Db,
  actor: Actor,
  actionId: string,
  id: string,
): Promise<boolean> {
  ensure(actor, 'network.manage');
  if (!isUuid(actionId) || !isUuid(id)) return false;
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('reseau_cofinancement')
      .where('id', '=', id)
      .where('action_id', '=', actionId)
      .returning(['membre_id', 'montant_euros'])
      .executeTakeFirst();
    if (!removed) return false;
    await actionChanged(trx, actor, actionId, 'network.action.cofinancing', {
      removed: id,
      membre: removed.membre_id,
      montant: removed.montant_euros,
    });
    return true;
  });
}

/** Records a grant request, filed (`deposee`). */
export async function addGrant(
  db: Db,
  actor: Actor,
  actionId: string,
  input: z.infer<typeof grantFields>,
): Promise<'ok' | 'not_found'> {
  ensure(actor, 'network.manage');
  if (!isUuid(actionId)) return 'not_found';
  return db.transaction().execute(async (trx) => {
    const action = await trx
      .selectFrom('reseau_action')
      .select('id')
      .where('id', '=', actionId)
      .executeTakeFirst();
    if (!action) return 'not_found' as const;
    const row = await trx
      .insertInto('reseau_demande_subvention')
      .values({
        action_id: actionId,
        financeur: input.financeur,
        montant_demande: input.montant_demande,
        deposee_le: input.depot,
        created_by: actor.kind === 'user' ? actor.userId : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'network.grant.create',
      subject: { type: 'reseau_demande_subvention', id: row.id },
      details: { action: actionId, financeur: input.financeur, montant: input.montant_demande },
    });
    return 'ok' as const;
  });
}

/** A grant request and its action's title, for its status form. */
export async function grantOf(db: Db, actor: Actor, id: string) {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom('reseau_demande_subvention')
    .innerJoin('reseau_action', 'reseau_action.id', 'reseau_demande_subvention.action_id')
    .select([
      'reseau_demande_subvention.id',
      'reseau_demande_subvention.action_id',
      'reseau_action.titre as action',
      'reseau_demande_subvention.financeur',
      'reseau_demande_subvention.montant_demande',
      'reseau_demande_subvention.deposee_le',
      'reseau_demande_subvention.status',
      'reseau_demande_subvention.decision_le',
      'reseau_demande_subvention.montant_accorde',
    ])
    .where('reseau_demande_subvention.id', '=', id)
    .executeTakeFirst();
}

/** Changes where a grant request stands; a decision carries its date, an acceptance its amount. */
export async function setGrantStatus(
  db: Db,
  actor: Actor,
  id: string,
  input: z.infer<typeof grantStatusFields>,
): Promise<{ ok: true; action: string } | { ok: false; errors: Record<string, string> } | 'not_found'> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  const decided = input.statut === 'acceptee' || input.statut === 'refusee';
  return db.transaction().execute(async (trx) => {
    const grant = await trx
      .selectFrom('reseau_demande_subvention')
      .select(['id', 'action_id', 'deposee_le', 'status'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!grant) return 'not_found' as const;
    if (decided && input.decision && input.decision < grant.deposee_le)
      return {
        ok: false as const,
        errors: { decision: 'La décision ne peut pas précéder le dépôt de la demande.' },
      };
    await trx
      .updateTable('reseau_demande_subvention')
      .set({
        status: input.statut,
        decision_le: decided ? (input.decision ?? null) : null,
        montant_accorde: input.statut === 'acceptee' ? (input.accorde ?? null) : null,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      actor,
      action: 'network.grant.status',
      subject: { type: 'reseau_demande_subvention', id },
      details: {
        action: grant.action_id,
        from: grant.status,
        status: input.statut,
        ...(decided ? { decision: input.decision } : {}),
        ...(input.statut === 'acceptee' ? { accorde: input.accorde } : {}),
      },
    });
    return { ok: true as const, action: grant.action_id };
  });
}

/** One formatter for every amount: building one per call costs more than the rest of a page row. */
const wholeNumber = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

/** An amount as pages and the PDF show it: `12 500 €`. */
export const money = (n: number) => `${wholeNumber.format(n)} €`;
