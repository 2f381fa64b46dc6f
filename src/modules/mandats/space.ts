import { sql } from 'kysely';
import { can } from '../../platform/auth/policy.ts';
import type { SpaceSection } from '../../platform/module.ts';
import { helperCollectivites, requireHelper } from '../mediateurs/index.ts';
import { listCollectivites } from '../territoires/index.ts';
import { canManageHabilitations, mayUseMandates } from './habilitation.ts';
import { mandateVisibleTo } from './service.ts';

/** Mandates ending within this many days are announced in the helper's space. */
const SOON_DAYS = 30;

const mandates = (n: number) => (n > 1 ? `${n} mandats` : `${n} mandat`);

/**
 * A helper's mandates: how many are active, end soon or wait for the person's consent. A helper
 * not habilitated is told how to become one, with no link to pages they may not open.
 */
export const mandatesBlock: SpaceSection = async ({ db }, actor) => {
  if (helperCollectivites(actor).length === 0) return null;
  const title = 'Mes mandats';
  if (!(await mayUseMandates(db, actor)))
    return {
      title,
      rank: 30,
      text: 'Pour agir au nom d’une personne (mandat), il faut être habilité : après la formation, demandez à votre coordinateur de vous habiliter.',
    };
  const helper = requireHelper(actor);
  const counts = await db
    .selectFrom('mandat as m')
    .select([
      sql<number>`count(*) filter (where m.status = 'actif' and m.fin > now())::int`.as('active'),
      sql<number>`count(*) filter (where m.status = 'actif' and m.fin > now()
        and m.fin <= now() + make_interval(days => ${SOON_DAYS}))::int`.as('soon'),
      sql<number>`count(*) filter (where m.status = 'en_attente')::int`.as('waiting'),
    ])
    .where(mandateVisibleTo(helper))
    .executeTakeFirstOrThrow();
  const facts = [`${mandates(counts.active)} ${counts.active > 1 ? 'actifs' : 'actif'}`];
  if (counts.soon > 0)
    facts.push(
      `${mandates(counts.soon)} ${counts.soon > 1 ? 'finissent' : 'finit'} dans les ${SOON_DAYS} jours`,
    );
  if (counts.waiting > 0) facts.push(`${mandates(counts.waiting)} en attente de l’accord de la personne`);
  return {
    title,
    rank: 30,
    facts,
    links: [
      { href: '/mandats', label: 'Voir mes mandats' },
      { href: '/mandats/nouveau', label: 'Créer un mandat' },
    ],
  };
};

/** For those who habilitate helpers: how many helpers of their collectivités are not habilitated. */
export const habilitationsBlock: SpaceSection = async ({ db }, actor) => {
  const managed = (await listCollectivites(db)).filter((c) => canManageHabilitations(actor, c.id));
  if (managed.length === 0) return null;
  const { n } = await db
    .selectFrom('membership as ms')
    .leftJoin('habilitation as h', (join) =>
      join.onRef('h.user_id', '=', 'ms.user_id').on('h.withdrawn_at', 'is', null),
    )
    .innerJoin('app_user as u', 'u.id', 'ms.user_id')
    .select((eb) => eb.fn.count<string>('ms.user_id').distinct().as('n'))
    .where('ms.role', '=', 'mediateur')
    .where(
      'ms.collectivite_id',
      'in',
      managed.map((c) => c.id),
    )
    .where('u.status', '=', 'active')
    .where('h.user_id', 'is', null)
    .executeTakeFirstOrThrow();
  const count = Number(n);
  return {
    title: 'Habilitation aux mandats',
    rank: can(actor, 'opsn.manage') ? 40 : 20,
    facts: [
      count === 0
        ? 'Tous les médiateurs sont habilités.'
        : `${count} ${count > 1 ? 'médiateurs ne sont pas habilités' : 'médiateur n’est pas habilité'}`,
    ],
    links: [{ href: '/admin/habilitations', label: 'Habiliter les aidants aux mandats' }],
  };
};
