import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import type { ColumnMapping } from './import-mapping.ts';

/**
 * A file checked by a dry run on the import page is kept here so that its person confirms the
 * import without sending the file again. It is bound to that person and to the collectivité it
 * was checked for, and kept one hour; a confirmation takes it (it cannot be confirmed twice).
 */

/** How long a checked file waits for its confirmation. */
export const PENDING_IMPORT_TTL_MS = 60 * 60 * 1000;

/** How many checked files one person keeps at most (the latest ones). */
const KEPT_PER_PERSON = 5;

export type PendingImportOptions = {
  draft: boolean;
  strict: boolean;
  overwrite: boolean;
  /** The columns' mapping chosen for a file in another layout. */
  mapping?: ColumnMapping;
};

export type PendingImport = {
  id: string;
  collectiviteId: number | null;
  fileName: string;
  source: string | null;
  options: PendingImportOptions;
  content: Buffer;
  expiresAt: Date;
};

/** Keeps a checked file for its person; forgets expired ones and this person's oldest. */
export async function keepPendingImport(
  db: Db,
  actor: Actor,
  input: Omit<PendingImport, 'id' | 'expiresAt'>,
): Promise<{ id: string; expiresAt: Date }> {
  if (actor.kind !== 'user') throw new Error('keepPendingImport: only a signed-in person confirms a dry run');
  const expiresAt = new Date(Date.now() + PENDING_IMPORT_TTL_MS);
  return db.transaction().execute(async (trx) => {
    await purgeExpiredPendingImports(trx);
    const row = await trx
      .insertInto('lieu_import_essai')
      .values({
        created_by: actor.userId,
        collectivite_id: input.collectiviteId,
        file_name: input.fileName,
        source: input.source,
        options: JSON.stringify(input.options),
        content: input.content,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .deleteFrom('lieu_import_essai')
      .where('created_by', '=', actor.userId)
      .where(
        'id',
        'not in',
        trx
          .selectFrom('lieu_import_essai')
          .select('id')
          .where('created_by', '=', actor.userId)
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .limit(KEPT_PER_PERSON),
      )
      .execute();
    return { id: row.id, expiresAt };
  });
}

/** Forgets the checked files nobody confirmed within their hour; how many. */
export async function purgeExpiredPendingImports(db: Db): Promise<number> {
  const gone = await db
    .deleteFrom('lieu_import_essai')
    .where('expires_at', '<=', new Date())
    .executeTakeFirst();
  return Number(gone.numDeletedRows);
}

export type TakenPendingImport =
  | { ok: true; pending: PendingImport }
  | { ok: false; status: 403 | 410; reason: string };

const GONE =
  'Cette vérification n’existe plus : elle a déjà été importée, ou remplacée par une plus récente. Envoyez le fichier de nouveau.';

const EXPIRED =
  'La vérification de ce fichier a expiré (elle est gardée une heure) : envoyez le fichier de nouveau.';
const NOT_YOURS =
  'Ce fichier a été vérifié par une autre personne : elle seule peut confirmer son import. Envoyez le fichier vous-même pour l’importer.';

type Row = {
  id: string;
  created_by: string;
  collectivite_id: number | null;
  file_name: string;
  source: string | null;
  options: PendingImportOptions;
  content: Buffer;
  expires_at: Date;
};

const pendingOf = (row: Row): PendingImport => ({
  id: row.id,
  collectiviteId: row.collectivite_id,
  fileName: row.file_name,
  source: row.source,
  options: row.options,
  content: Buffer.from(row.content),
  expiresAt: row.expires_at,
});

/** Why this person may not use this kept file, or null when they may. */
function refusal(actor: Actor, found: Pick<Row, 'created_by' | 'expires_at'> | undefined) {
  if (!found || actor.kind !== 'user') return { ok: false as const, status: 410 as const, reason: GONE };
  if (found.created_by !== actor.userId)
    return { ok: false as const, status: 403 as const, reason: NOT_YOURS };
  if (found.expires_at.getTime() <= Date.now())
    return { ok: false as const, status: 410 as const, reason: EXPIRED };
  return null;
}

/** A kept file, to show it again (the mapping step): only to its person, before it expires. */
export async function findPendingImport(db: Db, actor: Actor, id: string): Promise<TakenPendingImport> {
  if (!isUuid(id)) return { ok: false, status: 410, reason: GONE };
  const found = await db.selectFrom('lieu_import_essai').selectAll().where('id', '=', id).executeTakeFirst();
  return refusal(actor, found) ?? { ok: true, pending: pendingOf(found as Row) };
}

/**
 * Takes a checked file to import it: only its own person may, before it expires, and once.
 * Refusals say why, in French.
 */
export async function takePendingImport(db: Db, actor: Actor, id: string): Promise<TakenPendingImport> {
  if (actor.kind !== 'user' || !isUuid(id)) return { ok: false, status: 410, reason: GONE };
  const found = await db
    .selectFrom('lieu_import_essai')
    .select(['created_by', 'expires_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  const refused = refusal(actor, found);
  if (refused) {
    if (refused.reason === EXPIRED) await db.deleteFrom('lieu_import_essai').where('id', '=', id).execute();
    return refused;
  }
  const taken = await db
    .deleteFrom('lieu_import_essai')
    .where('id', '=', id)
    .where('created_by', '=', actor.userId)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
  if (!taken) return { ok: false, status: 410, reason: GONE };
  return { ok: true, pending: pendingOf(taken) };
}
