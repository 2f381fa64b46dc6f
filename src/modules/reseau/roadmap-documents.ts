import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ensure } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { storeFile } from '../../platform/files.ts';
import { isUuid } from '../../platform/forms.ts';
import { checkFile } from '../ressources/index.ts';

/**
 * The document of a roadmap (the PDF its council adopted), kept in versions: each upload adds
 * one with its date and who sent it, none is overwritten. Readers are those of the roadmap:
 * anyone when it is public, the coordination otherwise.
 */

export type RoadmapDocument = {
  id: string;
  version: number;
  nom: string;
  taille: number;
  uploaded_at: Date;
  uploaded_by_name: string;
};

/** Whether this actor may read this roadmap (and so its documents). */
async function readableRoadmap(db: Db, actor: Actor, roadmapId: string) {
  if (!isUuid(roadmapId)) return undefined;
  const roadmap = await db
    .selectFrom('reseau_feuille_route')
    .select(['id', 'nom', 'publique'])
    .where('id', '=', roadmapId)
    .executeTakeFirst();
  if (!roadmap) return undefined;
  return roadmap.publique || can(actor, 'network.manage') ? roadmap : undefined;
}

/** The versions of a roadmap's document, newest first; undefined when the actor may not read it. */
export async function roadmapDocuments(
  db: Db,
  actor: Actor,
  roadmapId: string,
): Promise<
  { roadmap: { id: string; nom: string; publique: boolean }; documents: RoadmapDocument[] } | undefined
> {
  const roadmap = await readableRoadmap(db, actor, roadmapId);
  if (!roadmap) return undefined;
  const documents = await db
    .selectFrom('reseau_feuille_route_document')
    .select(['id', 'version', 'nom', 'taille', 'uploaded_at', 'uploaded_by_name'])
    .where('feuille_route_id', '=', roadmap.id)
    .orderBy('version', 'desc')
    .execute();
  return { roadmap, documents };
}

/** The versions of the documents of several roadmaps (the public page), newest first. */
export async function documentsOf(db: Db, roadmapIds: string[]): Promise<Map<string, RoadmapDocument[]>> {
  const byRoadmap = new Map<string, RoadmapDocument[]>();
  if (roadmapIds.length === 0) return byRoadmap;
  const rows = await db
    .selectFrom('reseau_feuille_route_document')
    .select(['id', 'feuille_route_id', 'version', 'nom', 'taille', 'uploaded_at', 'uploaded_by_name'])
    .where('feuille_route_id', 'in', roadmapIds)
    .orderBy('version', 'desc')
    .execute();
  for (const { feuille_route_id, ...d } of rows) {
    const list = byRoadmap.get(feuille_route_id) ?? [];
    list.push(d);
    byRoadmap.set(feuille_route_id, list);
  }
  return byRoadmap;
}

/**
 * Adds a version of a roadmap's document: a PDF, checked by its content (the resource library's
 * check), stored, and numbered after the last one while the roadmap is locked.
 */
export async function uploadRoadmapDocument(
  db: Db,
  actor: Actor,
  roadmapId: string,
  file: { bytes: Buffer; name: string | undefined },
): Promise<{ ok: true; version: number } | { ok: false; reason: string } | 'not_found'> {
  ensure(actor, 'network.manage');
  if (!isUuid(roadmapId)) return 'not_found';
  const checked = checkFile(file.bytes);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  if (checked.contentType !== 'application/pdf')
    return { ok: false, reason: 'Le document de la feuille de route doit être un PDF.' };
  const base = (file.name ?? 'feuille-de-route').replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'feuille-de-route';
  return db.transaction().execute(async (trx) => {
    const roadmap = await trx
      .selectFrom('reseau_feuille_route')
      .select('id')
      .where('id', '=', roadmapId)
      .forUpdate()
      .executeTakeFirst();
    if (!roadmap) return 'not_found' as const;
    const last = await trx
      .selectFrom('reseau_feuille_route_document')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('feuille_route_id', '=', roadmapId)
      .executeTakeFirst();
    const version = (last?.version ?? 0) + 1;
    const fileId = await storeFile(trx, checked.bytes, 'application/pdf');
    const row = await trx
      .insertInto('reseau_feuille_route_document')
      .values({
        feuille_route_id: roadmapId,
        version,
        file_id: fileId,
        nom: `${base.slice(0, 190)}.pdf`,
        taille: checked.bytes.length,
        uploaded_by: actor.kind === 'user' ? actor.userId : null,
        uploaded_by_name: actor.kind === 'user' ? actor.name : actor.kind === 'system' ? actor.label : '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'network.roadmap.document',
      subject: { type: 'reseau_feuille_route', id: roadmapId },
      details: { document: row.id, version, sha256: checked.sha256 },
    });
    return { ok: true as const, version };
  });
}

/** One version's file, when the actor may read its roadmap. */
export async function roadmapDocumentFile(db: Db, actor: Actor, roadmapId: string, documentId: string) {
  const roadmap = await readableRoadmap(db, actor, roadmapId);
  if (!roadmap || !isUuid(documentId)) return undefined;
  const doc = await db
    .selectFrom('reseau_feuille_route_document')
    .innerJoin('stored_file', 'stored_file.id', 'reseau_feuille_route_document.file_id')
    .select([
      'reseau_feuille_route_document.nom',
      'reseau_feuille_route_document.version',
      'stored_file.bytes',
    ])
    .where('reseau_feuille_route_document.id', '=', documentId)
    .where('reseau_feuille_route_document.feuille_route_id', '=', roadmap.id)
    .executeTakeFirst();
  return doc ? { ...doc, publique: roadmap.publique } : undefined;
}
