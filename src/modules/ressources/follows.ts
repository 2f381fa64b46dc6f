import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { sendMail } from '../../platform/mail.ts';
import { displayName, findCollectiviteById, getOpsn, listCollectivites } from '../territoires/index.ts';
import type { Resource } from './service.ts';

/**
 * Follows: a signed-in professional follows the author of a resource, the library it belongs to
 * (a collectivité's or the OPSN's own) or a collection they may read. What is published or
 * revised there reaches them as one mail digest at most every 24 hours, each resource once,
 * only resources a signed-in professional may read (published, public or network).
 */

type SignedIn = Extract<Actor, { kind: 'user' }>;

/** What a person follows, named as the page and the digest say it. */
export type FollowTarget =
  | { kind: 'auteur'; auteurId: string }
  | { kind: 'base'; collectiviteId: number | null }
  | { kind: 'collection'; collectionId: string };

const columnsOf = (target: FollowTarget) =>
  target.kind === 'auteur'
    ? { auteur_id: target.auteurId }
    : target.kind === 'collection'
      ? { collection_id: target.collectionId }
      : target.collectiviteId === null
        ? { opsn: true }
        : { collectivite_id: target.collectiviteId };

/** The library a resource belongs to. */
export const baseOf = (r: Pick<Resource, 'collectivite_id'>): FollowTarget => ({
  kind: 'base',
  collectiviteId: r.collectivite_id,
});

function whereTarget(db: Db, userId: string, target: FollowTarget) {
  let q = db.selectFrom('ressource_suivi').where('user_id', '=', userId);
  if (target.kind === 'auteur') q = q.where('auteur_id', '=', target.auteurId);
  else if (target.kind === 'collection') q = q.where('collection_id', '=', target.collectionId);
  else if (target.collectiviteId === null) q = q.where('opsn', '=', true);
  else q = q.where('collectivite_id', '=', target.collectiviteId);
  return q;
}

export async function isFollowing(db: Db, actor: SignedIn, target: FollowTarget): Promise<boolean> {
  const row = await whereTarget(db, actor.userId, target).select('id').executeTakeFirst();
  return row !== undefined;
}

/** Follows (a second time changes nothing). */
export async function follow(db: Db, actor: SignedIn, target: FollowTarget): Promise<void> {
  await db
    .insertInto('ressource_suivi')
    .values({ user_id: actor.userId, ...columnsOf(target) })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Stops following (by the follow's id, only the actor's own). */
export async function unfollow(db: Db, actor: SignedIn, followId: string): Promise<boolean> {
  const done = await db
    .deleteFrom('ressource_suivi')
    .where('id', '=', followId)
    .where('user_id', '=', actor.userId)
    .executeTakeFirst();
  return Number(done.numDeletedRows) > 0;
}

export async function unfollowTarget(db: Db, actor: SignedIn, target: FollowTarget): Promise<void> {
  const row = await whereTarget(db, actor.userId, target).select('id').executeTakeFirst();
  if (row) await unfollow(db, actor, row.id);
}

/** The name of a library: the collectivité's, or the OPSN's for its own resources. */
export async function baseName(db: Db, collectiviteId: number | null): Promise<string> {
  if (collectiviteId === null) return (await getOpsn(db))?.name ?? 'l’OPSN';
  const c = await findCollectiviteById(db, collectiviteId);
  return c ? displayName(c) : 'une collectivité';
}

export type FollowRow = { id: string; label: string; href: string | null };

/** What this person follows, each with a sentence and where to see it. */
export async function myFollows(db: Db, actor: SignedIn): Promise<FollowRow[]> {
  const rows = await db
    .selectFrom('ressource_suivi as s')
    .leftJoin('ressource_collection as c', 'c.id', 's.collection_id')
    .select([
      's.id',
      's.auteur_id',
      's.collection_id',
      's.collectivite_id',
      's.opsn',
      'c.titre as collection_titre',
      'c.publique',
      'c.owner_id',
      sql<
        string | null
      >`(select r.author_name from ressource r where r.created_by = s.auteur_id order by r.updated_at desc limit 1)`.as(
        'author_name',
      ),
    ])
    .where('s.user_id', '=', actor.userId)
    .orderBy('s.created_at', 'desc')
    .limit(500)
    .execute();
  const names = new Map((await listCollectivites(db)).map((c) => [c.id, displayName(c)]));
  const opsn = (await getOpsn(db))?.name ?? 'l’OPSN';
  return rows.map((s): FollowRow => {
    if (s.auteur_id !== null)
      return {
        id: s.id,
        label: `Les ressources de ${s.author_name ?? 'un auteur'}`,
        href: null,
      };
    if (s.collection_id !== null)
      return {
        id: s.id,
        label: `La collection « ${s.collection_titre ?? ''} »`,
        href: s.publique || s.owner_id === actor.userId ? `/ressources/collections/${s.collection_id}` : null,
      };
    const name = s.opsn ? opsn : (names.get(s.collectivite_id ?? -1) ?? 'une collectivité');
    return { id: s.id, label: `La bibliothèque de ${name}`, href: null };
  });
}

export type DigestLine = {
  id: string;
  titre: string;
  isNew: boolean;
  why: string;
};

const DIGEST_MAX = 50;

/**
 * Sends each follower whose last digest is 24 hours old or more (or who never had one) one mail
 * with what was published or revised since then where they follow, each resource once, only
 * published public or network resources, not the changes they made themselves. Nothing new:
 * no mail, and the 24 hours do not start.
 */
export async function sendFollowDigests(
  db: Db,
  config: Config,
  now = new Date(),
): Promise<{ 'résumés envoyés': number }> {
  const rows = await sql<{
    user_id: string;
    email: string;
    id: string;
    titre: string;
    author_name: string;
    collectivite_id: number | null;
    published_at: Date;
    updated_at: Date;
    since: Date;
    via: 'auteur' | 'base' | 'collection';
    collection_titre: string | null;
  }>`
    with due as (
      select u.id as user_id, u.email, e.sent_at
      from app_user u left join ressource_suivi_envoi e on e.user_id = u.id
      where u.status = 'active'
        and exists (select 1 from ressource_suivi s where s.user_id = u.id)
        and (e.sent_at is null or e.sent_at <= ${now}::timestamptz - interval '24 hours')
    ),
    follows as (
      select s.*, d.email, greatest(s.created_at, coalesce(d.sent_at, s.created_at)) as since
      from ressource_suivi s join due d on d.user_id = s.user_id
    ),
    matches as (
      select f.user_id, f.email, f.since, 'auteur' as via, null::text as collection_titre, r.*
      from follows f join ressource r on r.created_by = f.auteur_id
      where f.auteur_id is not null and r.updated_at > f.since
      union all
      select f.user_id, f.email, f.since, 'base', null, r.*
      from follows f join ressource r on r.collectivite_id = f.collectivite_id
      where f.collectivite_id is not null and r.updated_at > f.since
      union all
      select f.user_id, f.email, f.since, 'base', null, r.*
      from follows f join ressource r on r.collectivite_id is null
      where f.opsn and r.updated_at > f.since
      union all
      select f.user_id, f.email, f.since, 'collection', c.titre, r.*
      from follows f
        join ressource_collection c on c.id = f.collection_id and (c.publique or c.owner_id = f.user_id)
        join ressource_collection_item i on i.collection_id = c.id
        join ressource r on r.id = i.ressource_id
      where r.updated_at > f.since
    )
    select m.user_id, m.email, m.id, m.titre, m.author_name, m.collectivite_id, m.published_at,
      m.updated_at, m.since, m.via, m.collection_titre
    from matches m
    where m.status = 'publiee' and m.visibilite in ('publique', 'reseau') and m.updated_at <= ${now}
      and not exists (select 1 from ressource_version v
        where v.ressource_id = m.id and v.version = m.version and v.changed_by = m.user_id)
    order by m.user_id, m.updated_at desc, m.id, m.via`.execute(db);
  if (rows.rows.length === 0) return { 'résumés envoyés': 0 };
  const names = new Map((await listCollectivites(db)).map((c) => [c.id, displayName(c)]));
  const opsn = (await getOpsn(db))?.name ?? 'l’OPSN';
  const byUser = new Map<string, { email: string; lines: Map<string, DigestLine> }>();
  for (const r of rows.rows) {
    let entry = byUser.get(r.user_id);
    if (!entry) {
      entry = { email: r.email, lines: new Map() };
      byUser.set(r.user_id, entry);
    }
    if (entry.lines.has(r.id)) continue;
    const why =
      r.via === 'auteur'
        ? `vous suivez ${r.author_name}`
        : r.via === 'collection'
          ? `vous suivez la collection « ${r.collection_titre ?? ''} »`
          : `vous suivez la bibliothèque de ${r.collectivite_id === null ? opsn : (names.get(r.collectivite_id) ?? 'une collectivité')}`;
    entry.lines.set(r.id, { id: r.id, titre: r.titre, isNew: r.published_at > r.since, why });
  }
  let sent = 0;
  for (const [userId, { email, lines }] of byUser) {
    await sendMail(db, config, digestMail(config.publicUrl, email, [...lines.values()]));
    await db
      .insertInto('ressource_suivi_envoi')
      .values({ user_id: userId, sent_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ sent_at: now }))
      .execute();
    sent++;
  }
  return { 'résumés envoyés': sent };
}

export function digestMail(publicUrl: string, to: string, lines: DigestLine[]) {
  const shown = lines.slice(0, DIGEST_MAX);
  const news = lines.filter((l) => l.isNew).length;
  const updates = lines.length - news;
  const counts = [
    news ? `${news} nouvelle${news > 1 ? 's' : ''}` : '',
    updates ? `${updates} mise${updates > 1 ? 's' : ''} à jour` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    to,
    subject: `Ressources que vous suivez : ${counts}`,
    text: [
      'Bonjour,',
      '',
      'Voici ce qui a été publié ou mis à jour dans la bibliothèque de ressources, là où vous suivez :',
      '',
      ...shown.flatMap((l) => [
        `- ${l.isNew ? 'Nouvelle ressource' : 'Mise à jour'} : ${l.titre}`,
        `  ${publicUrl}/ressources/${l.id}`,
        `  (${l.why})`,
      ]),
      ...(lines.length > shown.length
        ? ['', `… et ${lines.length - shown.length} autre(s) : voir ${publicUrl}/ressources?tri=date`]
        : []),
      '',
      'Vous recevez ce résumé au plus une fois par jour.',
      `Pour ne plus suivre un auteur, une collection ou une bibliothèque : ${publicUrl}/ressources/suivis`,
    ].join('\n'),
  };
}
