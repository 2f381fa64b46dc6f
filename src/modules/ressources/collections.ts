import { randomBytes } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { type Actor, can } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isChecked, optionalText, requiredText } from '../../platform/forms.ts';
import { getOpsn } from '../territoires/index.ts';
import { type Hit, readableBy } from './search.ts';
import type { Outcome } from './service.ts';
import { SUMMARY_MAX, TITLE_MAX } from './vocabulary.ts';

/**
 * Collections: ordered lists of resources by a person or in the OPSN's name, public or not, shareable by a link that
 * its owner may revoke (a new link replaces the old one). A collection only ever shows the
 * resources its reader may read: a private resource in a shared collection stays hidden.
 */

type SignedIn = Extract<Actor, { kind: 'user' }>;
export type Collection = Selectable<Database['ressource_collection']>;

export const collectionFields = z.object({
  titre: requiredText('le titre de la collection', TITLE_MAX),
  description: optionalText('la description', SUMMARY_MAX),
  publique: z.preprocess(isChecked, z.boolean()),
  /** Only an administrator of the OPSN may make one in its name (the box is not offered to others). */
  au_nom_opsn: z.preprocess(isChecked, z.boolean()),
});

export async function createCollection(
  db: Db,
  actor: SignedIn,
  input: z.infer<typeof collectionFields>,
): Promise<string | Outcome> {
  const opsn = input.au_nom_opsn ? ((await getOpsn(db)) ?? null) : null;
  if (input.au_nom_opsn && (!can(actor, 'opsn.manage') || !opsn))
    return { ok: false, reason: 'Seul un administrateur de l’OPSN peut faire une collection en son nom.' };
  const { id } = await db
    .insertInto('ressource_collection')
    .values({
      titre: input.titre,
      description: input.description ?? '',
      publique: input.publique,
      owner_id: actor.userId,
      owner_name: opsn ? opsn.name : actor.name,
      au_nom_opsn: Boolean(opsn),
      collectivite_id: actor.activeCollectiviteId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export const myCollections = (db: Db, actor: SignedIn) =>
  db
    .selectFrom('ressource_collection as c')
    .select([
      'c.id',
      'c.titre',
      'c.publique',
      'c.au_nom_opsn',
      'c.owner_name',
      'c.share_token',
      'c.updated_at',
      sql<number>`(select count(*) from ressource_collection_item i where i.collection_id = c.id)::int`.as(
        'items',
      ),
    ])
    .where((eb) =>
      can(actor, 'opsn.manage')
        ? eb.or([eb('c.owner_id', '=', actor.userId), eb('c.au_nom_opsn', '=', true)])
        : eb('c.owner_id', '=', actor.userId),
    )
    .orderBy('c.updated_at', 'desc')
    .limit(200)
    .execute();

export const findCollection = (db: Db, id: string) =>
  db.selectFrom('ressource_collection').selectAll().where('id', '=', id).executeTakeFirst();

/** Its owner keeps it; a collection in the OPSN's name is kept by every administrator of the OPSN. */
export const ownsCollection = (actor: Actor, c: Collection) =>
  actor.kind === 'user' && (c.owner_id === actor.userId || (c.au_nom_opsn && can(actor, 'opsn.manage')));

/** A collection this actor may read: their own, or a public one. */
export async function readableCollection(db: Db, actor: Actor, id: string) {
  const c = await findCollection(db, id);
  return c && (c.publique || ownsCollection(actor, c)) ? c : undefined;
}

/** A collection through its share link (the link may have been revoked or replaced). */
export const sharedCollection = (db: Db, token: string) =>
  /^[A-Za-z0-9_-]{20,64}$/.test(token)
    ? db.selectFrom('ressource_collection').selectAll().where('share_token', '=', token).executeTakeFirst()
    : Promise.resolve(undefined);

export type CollectionItem = Hit & { position: number };

/** The resources of a collection this actor may read, in order. */
export async function itemsOf(db: Db, actor: Actor, c: Collection): Promise<CollectionItem[]> {
  const rows = await sql<CollectionItem>`
    select r.id, r.titre, r.resume, r.types, r.thematiques, r.licence, r.author_name, r.published_at,
      r.review_on, r.rating_count, r.rating_average, i.position
    from ressource_collection_item i join ressource r on r.id = i.ressource_id
    where i.collection_id = ${c.id} and ${readableBy(actor)}
    order by i.position`.execute(db);
  return rows.rows;
}

export async function addToCollection(
  db: Db,
  actor: SignedIn,
  c: Collection,
  ressourceId: string,
): Promise<Outcome> {
  if (!ownsCollection(actor, c)) return { ok: false, reason: 'Cette collection n’est pas la vôtre.' };
  const { next } = await db
    .selectFrom('ressource_collection_item')
    .select(sql<number>`coalesce(max(position), 0) + 1`.as('next'))
    .where('collection_id', '=', c.id)
    .executeTakeFirstOrThrow();
  const added = await db
    .insertInto('ressource_collection_item')
    .values({ collection_id: c.id, ressource_id: ressourceId, position: next })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (!added.numInsertedOrUpdatedRows)
    return { ok: false, reason: 'Cette ressource est déjà dans la collection.' };
  await db
    .updateTable('ressource_collection')
    .set({ updated_at: new Date() })
    .where('id', '=', c.id)
    .execute();
  return { ok: true };
}

export async function removeFromCollection(db: Db, c: Collection, ressourceId: string) {
  await db
    .deleteFrom('ressource_collection_item')
    .where('collection_id', '=', c.id)
    .where('ressource_id', '=', ressourceId)
    .execute();
}

export async function moveInCollection(db: Db, c: Collection, ressourceId: string, up: boolean) {
  const items = await db
    .selectFrom('ressource_collection_item')
    .select(['ressource_id', 'position'])
    .where('collection_id', '=', c.id)
    .orderBy('position')
    .execute();
  const i = items.findIndex((x) => x.ressource_id === ressourceId);
  const a = items[i];
  const b = items[up ? i - 1 : i + 1];
  if (!a || !b) return;
  await db.transaction().execute(async (tx) => {
    const set = (id: string, position: number) =>
      tx
        .updateTable('ressource_collection_item')
        .set({ position })
        .where('collection_id', '=', c.id)
        .where('ressource_id', '=', id)
        .execute();
    await set(a.ressource_id, b.position);
    await set(b.ressource_id, a.position);
  });
}

/** A new share link (the previous one stops working), or none. */
export async function setShareLink(db: Db, c: Collection, on: boolean): Promise<string | null> {
  const token = on ? randomBytes(24).toString('base64url') : null;
  await db.updateTable('ressource_collection').set({ share_token: token }).where('id', '=', c.id).execute();
  return token;
}
