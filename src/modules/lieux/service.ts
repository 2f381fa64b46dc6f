import { randomUUID } from 'node:crypto';
import { type Expression, type RawBuilder, sql } from 'kysely';
import { actorFields, audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ensure, ForbiddenError, isAdmin } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import { type Db, PREPARED } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { datasetsChanged } from '../../platform/open-data.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { getOpsn } from '../territoires/index.ts';
import type { ExportContext } from './export.ts';
import { columnsOf, diffPlaces, type Place, placeOf, rememberWords } from './store.ts';
import type { LmnPlace } from './vocabulary.ts';

/** A published place, for its public page. */
export function findPublishedPlace(db: Db, id: string): Promise<Place | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('lieu')
    .selectAll()
    .where('id', '=', id)
    .where('status', '=', 'publie')
    .executeTakeFirst();
}

const scopeOf = (row: { collectivite_id: number | null }) =>
  row.collectivite_id === null ? {} : { collectiviteId: row.collectivite_id };

/** A place its manager may edit; undefined when it does not exist, refused when not theirs. */
export async function findManagedPlace(db: Db, actor: Actor, id: string): Promise<Place | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('lieu').selectAll().where('id', '=', id).executeTakeFirst();
  if (row) ensure(actor, 'places.manage', scopeOf(row));
  return row;
}

/** The collectivités whose places the actor manages; null means all (administrators). */
export function managedCollectivites(actor: Actor): number[] | null {
  if (isAdmin(actor)) return null;
  if (actor.kind !== 'user') return [];
  return actor.memberships
    .filter((m) => m.role === 'coordinateur' && m.collectiviteId !== null)
    .map((m) => m.collectiviteId as number);
}

export type ManagedListQuery = { q?: string; status?: 'brouillon' | 'publie'; page: number };

/** The places an administrator or coordinator looks after, most recently changed first. */
export async function listManagedPlaces(db: Db, actor: Actor, query: ManagedListQuery) {
  const scope = managedCollectivites(actor);
  if (scope !== null && scope.length === 0) throw new ForbiddenError();
  const pageSize = 50;
  let base = db.selectFrom('lieu');
  if (scope) base = base.where('collectivite_id', '=', sql<number>`any(${scope}::int[])`);
  if (query.status) base = base.where('status', '=', query.status);
  if (query.q)
    base = base.where('search_name', 'like', sql<string>`'%' || lower(relais_unaccent(${query.q})) || '%'`);
  const [{ n }] = [await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()];
  const rows = await base
    .select([
      'id',
      'nom',
      'commune',
      'code_postal',
      'status',
      'date_maj',
      'updated_at',
      'collectivite_id',
      'import_source',
    ])
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(pageSize)
    .offset((query.page - 1) * pageSize)
    .execute();
  return { rows, total: n, pageSize };
}

/** The standard's identifier of a place created in Relais (imported places keep their own). */
export function newPlaceLmnId(): string {
  return `relais-${randomUUID()}`;
}

/**
 * Creates a place or saves a change from the form, with its history. `date_maj` moves
 * only when a value of the standard really changed.
 */
export async function savePlace(
  db: Db,
  actor: Actor,
  input: { id?: string; place: LmnPlace; collectiviteId: number | null },
): Promise<{ id: string; changed: boolean }> {
  ensure(
    actor,
    'places.manage',
    input.collectiviteId === null ? {} : { collectiviteId: input.collectiviteId },
  );
  const { actor_user_id: userId, actor_label: label } = actorFields(actor);
  const now = new Date();
  return db.transaction().execute(async (trx) => {
    if (!input.id) {
      const place = { ...input.place, id: input.place.id || newPlaceLmnId(), date_maj: parisToday() };
      const created = await trx
        .insertInto('lieu')
        .values({
          ...columnsOf(place),
          collectivite_id: input.collectiviteId,
          status: 'brouillon',
          edited_at: now,
          edited_by: userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('lieu_revision')
        .values({ lieu_id: created.id, user_id: userId, actor: label, kind: 'creation', changes: '{}' })
        .execute();
      await audit(trx, {
        actor,
        action: 'lieux.create',
        collectiviteId: input.collectiviteId,
        subject: { type: 'lieu', id: created.id },
      });
      await rememberWords(trx, { id: created.id });
      return { id: created.id, changed: true };
    }
    const before = await trx
      .selectFrom('lieu')
      .selectAll()
      .where('id', '=', input.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    ensure(actor, 'places.manage', scopeOf(before));
    // The standard's id of an existing place never changes: re-imports find it by that id.
    const place = { ...input.place, id: before.lmn_id };
    const changes = diffPlaces(placeOf(before), place);
    const moved = before.collectivite_id !== input.collectiviteId;
    if (Object.keys(changes).length === 0 && !moved) return { id: before.id, changed: false };
    if (moved) changes.collectivite_id = [before.collectivite_id, input.collectiviteId];
    await trx
      .updateTable('lieu')
      .set({
        ...columnsOf({
          ...place,
          date_maj: Object.keys(changes).some((k) => k !== 'collectivite_id')
            ? parisToday()
            : placeOf(before).date_maj,
        }),
        collectivite_id: input.collectiviteId,
        edited_at: now,
        edited_by: userId,
        updated_at: now,
      })
      .where('id', '=', before.id)
      .execute();
    await trx
      .insertInto('lieu_revision')
      .values({
        lieu_id: before.id,
        user_id: userId,
        actor: label,
        kind: 'modification',
        changes: JSON.stringify(changes),
      })
      .execute();
    await audit(trx, {
      actor,
      action: 'lieux.update',
      collectiviteId: input.collectiviteId,
      subject: { type: 'lieu', id: before.id },
      details: { fields: Object.keys(changes) },
    });
    await rememberWords(trx, { id: before.id });
    if (before.status === 'publie') await datasetsChanged(trx);
    return { id: before.id, changed: true };
  });
}

/** Publishes or unpublishes a place: it appears in, or leaves, the public directory and exports. */
export async function setPlaceStatus(
  db: Db,
  actor: Actor,
  id: string,
  status: 'brouillon' | 'publie',
): Promise<boolean> {
  const { actor_user_id: userId, actor_label: label } = actorFields(actor);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('lieu')
      .select(['id', 'status', 'collectivite_id'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return false;
    ensure(actor, 'places.manage', scopeOf(row));
    if (row.status === status) return true;
    const now = new Date();
    await trx
      .updateTable('lieu')
      .set({ status, edited_at: now, edited_by: userId, updated_at: now })
      .where('id', '=', id)
      .execute();
    await trx
      .insertInto('lieu_revision')
      .values({
        lieu_id: id,
        user_id: userId,
        actor: label,
        kind: status === 'publie' ? 'publication' : 'depublication',
        changes: JSON.stringify({ status: [row.status, status] }),
      })
      .execute();
    await audit(trx, {
      actor,
      action: status === 'publie' ? 'lieux.publish' : 'lieux.unpublish',
      collectiviteId: row.collectivite_id,
      subject: { type: 'lieu', id },
    });
    await datasetsChanged(trx);
    return true;
  });
}

/** Who changed what and when, most recent first. */
export async function placeHistory(db: Db, id: string) {
  return db
    .selectFrom('lieu_revision')
    .select(['at', 'actor', 'kind', 'changes'])
    .where('lieu_id', '=', id)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
}

/** Past imports the actor may read (their collectivités' imports, or all for administrators). */
export async function listImports(db: Db, actor: Actor) {
  const scope = managedCollectivites(actor);
  let query = db
    .selectFrom('lieu_import')
    .select([
      'id',
      'source',
      'file_name',
      'collectivite_id',
      'actor',
      'read',
      'created',
      'updated',
      'unchanged',
      'rejected',
      'created_at',
    ])
    .orderBy('created_at', 'desc')
    .limit(20);
  if (scope) query = query.where('collectivite_id', '=', sql<number>`any(${scope}::int[])`);
  return query.execute();
}

export async function findImport(db: Db, actor: Actor, id: string) {
  if (!isUuid(id)) return undefined;
  const row = await db.selectFrom('lieu_import').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  if (
    !isAdmin(actor) &&
    (row.collectivite_id === null || !can(actor, 'places.manage', { collectiviteId: row.collectivite_id }))
  ) {
    throw new ForbiddenError();
  }
  return row;
}

/** How exports name this instance and link back to a place's page. */
export async function exportContext(db: Db, config: Config): Promise<ExportContext> {
  const opsn = await getOpsn(db);
  const slug = (opsn?.short_name ?? 'relais')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return { source: `relais-${slug}`, placeUrl: (id) => `${config.publicUrl}/lieux/${id}` };
}

/** A place as other modules need it: to attach helpers and activities to it. */
export type PlaceSummary = {
  id: string;
  nom: string;
  commune: string;
  code_postal: string;
  code_insee: string | null;
  /** The member collectivité that looks after it; null: the OPSN. */
  collectivite_id: number | null;
};

/** Places a helper may choose as their places of activity: their collectivités', published or not. */
export function placesOfCollectivites(db: Db, collectiviteIds: number[]): Promise<PlaceSummary[]> {
  return db
    .selectFrom('lieu')
    .select(['id', 'nom', 'commune', 'code_postal', 'code_insee', 'collectivite_id'])
    .where('collectivite_id', '=', sql<number>`any(${collectiviteIds}::int[])`)
    .orderBy('search_name')
    .limit(2000)
    .execute();
}

/** The published places a collectivité looks after, by name, with address and phones (at most `limit`). */
export function publishedPlacesOf(db: Db, collectiviteId: number, limit: number) {
  return db
    .selectFrom('lieu')
    .select(['id', 'nom', 'adresse', 'code_postal', 'commune', 'telephone'])
    .where('collectivite_id', '=', collectiviteId)
    .where('status', '=', 'publie')
    .orderBy('search_name')
    .limit(limit)
    .execute();
}

/**
 * Summaries of the places with these ids (unknown ids are left out); the ids may be a
 * subquery of another module's (`select lieu_id from …`), read in the same statement.
 */
export async function placeSummaries(
  db: Db,
  ids: string[] | RawBuilder<{ lieu_id: string }>,
): Promise<PlaceSummary[]> {
  const query = db
    .selectFrom('lieu')
    .select(['id', 'nom', 'commune', 'code_postal', 'code_insee', 'collectivite_id'])
    .orderBy('search_name')
    // Asked at each report recorded (a helper's places): texts that do not change, prepared.
    .modifyEnd(PREPARED);
  if (!Array.isArray(ids)) return query.where(sql<boolean>`id in (${ids})`).execute();
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return query.where('id', '=', sql<string>`any(${valid}::uuid[])`).execute();
}

/**
 * Summaries of places, each with its owner: `pairs` is another module's query of
 * `(owner, lieu_id)` (a helper and their places), read in the same statement; by name.
 */
export async function placeSummariesByOwner(
  db: Db,
  pairs: RawBuilder<{ owner: string; lieu_id: string }>,
): Promise<(PlaceSummary & { owner: string })[]> {
  const { rows } = await sql<PlaceSummary & { owner: string }>`
    select p.owner, l.id, l.nom, l.commune, l.code_postal, l.code_insee, l.collectivite_id
    from (${pairs}) p join lieu l on l.id = p.lieu_id
    order by l.search_name ${PREPARED}`.execute(db);
  return rows;
}

/** The published places of these communes that have a position, by name (at most `limit`). */
export function publishedPlacesWithPosition(db: Db, communes: string[], limit: number) {
  return db
    .selectFrom('lieu')
    .select(['id', 'nom', 'commune', 'code_insee', 'latitude', 'longitude'])
    .where('status', '=', 'publie')
    .where('code_insee', '=', sql<string>`any(${communes}::text[])`)
    .where('latitude', 'is not', null)
    .orderBy('nom')
    .limit(limit)
    .execute();
}

/** One place's summary; throws when there is none (for a row whose foreign key holds it). */
export async function placeSummaryOf(db: Db, id: string): Promise<PlaceSummary> {
  const [place] = await placeSummaries(db, [id]);
  if (!place) throw new Error(`No place ${id}`);
  return place;
}

/** A place's name as a subquery, for another module's list (`placeNameOf(sql.ref('x.lieu_id'))`). */
export function placeNameOf(placeId: Expression<string>): RawBuilder<string> {
  return sql<string>`(select l.nom from lieu l where l.id = ${placeId})`;
}

/** A place's name and postal address, for documents; throws when there is no such place. */
export function placePostalAddress(db: Db, id: string) {
  return db
    .selectFrom('lieu')
    .select(['nom', 'adresse', 'code_postal', 'commune'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}
