import { type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { allValues, codes, labelsOf, optionalText, requiredText } from '../../platform/forms.ts';
import { isCalendarDay } from '../../platform/paris-time.ts';
import { markdownToPlain, unsafeText } from './markdown.ts';
import {
  type BlockKind,
  COMPETENCES,
  LICENCES,
  PUBLICS,
  SUMMARY_MAX,
  TEXT_MAX,
  THEMATIQUES,
  TITLE_MAX,
  TYPES,
  VISIBILITIES,
} from './vocabulary.ts';

export type Resource = Selectable<Database['ressource']>;
export type Block = Selectable<Database['ressource_bloc']>;
type SignedIn = Extract<Actor, { kind: 'user' }>;

const resourceResource = (r: Pick<Resource, 'collectivite_id'>) =>
  r.collectivite_id === null ? {} : { collectiviteId: r.collectivite_id };

/** Whether the actor may change this resource: its author, its collectivité's coordinators, administrators. */
export function canEdit(actor: Actor, r: Pick<Resource, 'collectivite_id' | 'created_by'>): boolean {
  if (actor.kind === 'user' && r.created_by === actor.userId) return true;
  return can(actor, 'resources.moderate', resourceResource(r));
}

/**
 * Whether the actor may read this resource: published public ones for everyone, published
 * network ones for signed-in professionals; drafts and private ones only for those who may
 * edit them.
 */
export function canSee(
  actor: Actor,
  r: Pick<Resource, 'collectivite_id' | 'created_by' | 'status' | 'visibilite'>,
) {
  if (r.status === 'publiee' && r.visibilite === 'publique') return true;
  if (r.status === 'publiee' && r.visibilite === 'reseau' && actor.kind === 'user') return true;
  return canEdit(actor, r);
}

/**
 * The collectivité a new resource belongs to: the author's active one if they coordinate it,
 * else the first they coordinate; null for an administrator (the OPSN's own resource).
 */
export function authorCollectivite(actor: SignedIn): number | null {
  if (can(actor, 'resources.moderate')) return null;
  const active = actor.activeCollectiviteId;
  if (active !== null && can(actor, 'resources.moderate', { collectiviteId: active })) return active;
  const first = actor.memberships.find(
    (m) =>
      m.collectiviteId !== null && can(actor, 'resources.moderate', { collectiviteId: m.collectiviteId }),
  );
  return first?.collectiviteId ?? null;
}

/** Whether this person writes resources: the OPSN's administrators and the coordinators. */
export function mayWrite(actor: Actor): actor is SignedIn {
  if (actor.kind !== 'user') return false;
  return authorCollectivite(actor) !== null || can(actor, 'resources.moderate');
}

const codeList = <V extends Record<string, string>>(vocabulary: V, message: string) =>
  z.preprocess((v) => allValues(v), z.array(z.enum(codes(vocabulary), { error: message })).max(30));

export const resourceFields = z.object({
  titre: requiredText('le titre', TITLE_MAX),
  resume: optionalText('le résumé', SUMMARY_MAX),
  licence: z.enum(codes(LICENCES), {
    error: 'Choisissez une licence : sans licence, la ressource ne peut pas être publiée.',
  }),
  visibilite: z.enum(codes(VISIBILITIES), { error: 'Choisissez qui peut voir la ressource.' }),
  thematiques: codeList(THEMATIQUES, 'Choisissez des thématiques de la liste.'),
  types: codeList(TYPES, 'Choisissez des types de la liste.'),
  publics: codeList(PUBLICS, 'Choisissez des publics de la liste.'),
  competences: codeList(COMPETENCES, 'Choisissez des compétences de la liste.'),
  contributors: optionalText('les contributeurs', 300),
  review_on: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .refine(
        isCalendarDay,
        'Saisissez la date de vérification au format JJ/MM/AAAA, par exemple 31/12/2027.',
      )
      .optional(),
  ),
});
export type ResourceInput = z.infer<typeof resourceFields>;

/** A text block's, link's or image's fields (the file comes apart). */
export const blockFields = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('titre_section'), titre: requiredText('le titre de la section', TITLE_MAX) }),
  z.object({
    kind: z.literal('texte'),
    texte: requiredText('le texte', TEXT_MAX).refine((t) => !unsafeText(t), {
      message:
        'Le texte ne peut contenir ni code HTML, ni script, ni lien javascript: ; écrivez-le en texte simple.',
    }),
  }),
  z.object({
    kind: z.literal('lien'),
    url: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() : v),
      z
        .url({ protocol: /^https?$/, error: 'Saisissez une adresse qui commence par https:// (ou http://).' })
        .max(2000),
    ),
    titre: requiredText('le titre du lien', TITLE_MAX),
    texte: optionalText('la description du lien', SUMMARY_MAX),
  }),
  z.object({
    kind: z.literal('image'),
    alt: requiredText('le texte alternatif de l’image (ce qu’elle montre, pour qui ne la voit pas)', 300),
    titre: optionalText('la légende', TITLE_MAX),
  }),
  z.object({ kind: z.literal('fichier'), titre: optionalText('le titre du fichier', TITLE_MAX) }),
]);
export type BlockInput = z.infer<typeof blockFields>;

/** What a version keeps: the resource's own fields and its blocks, in order. */
type Snapshot = {
  resource: Pick<
    Resource,
    | 'titre'
    | 'resume'
    | 'licence'
    | 'visibilite'
    | 'thematiques'
    | 'types'
    | 'publics'
    | 'competences'
    | 'contributors'
    | 'review_on'
    | 'status'
  >;
  blocks: Pick<Block, 'kind' | 'titre' | 'texte' | 'url' | 'fichier_id' | 'alt'>[];
};

export const findResource = (db: Db, id: string) =>
  db.selectFrom('ressource').selectAll().where('id', '=', id).executeTakeFirst();

/** The resource if this actor may see it (a private one is « not found » for anyone else). */
export async function visibleResource(db: Db, actor: Actor, id: string): Promise<Resource | undefined> {
  const r = await findResource(db, id);
  return r && canSee(actor, r) ? r : undefined;
}

/** The resource if this actor may change it. */
export async function editableResource(db: Db, actor: Actor, id: string): Promise<Resource | undefined> {
  const r = await findResource(db, id);
  return r && canEdit(actor, r) ? r : undefined;
}

export const blocksOf = (db: Db, id: string) =>
  db.selectFrom('ressource_bloc').selectAll().where('ressource_id', '=', id).orderBy('position').execute();

export type FileInfo = { id: string; nom: string; content_type: string; size: number };
export async function filesOf(db: Db, id: string): Promise<Map<string, FileInfo>> {
  const rows = await db
    .selectFrom('ressource_fichier')
    .select(['id', 'nom', 'content_type', 'size'])
    .where('ressource_id', '=', id)
    .execute();
  return new Map(rows.map((f) => [f.id, f]));
}

async function snapshotOf(db: Db, id: string): Promise<Snapshot> {
  const r = await db.selectFrom('ressource').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const blocks = await blocksOf(db, id);
  return {
    resource: {
      titre: r.titre,
      resume: r.resume,
      licence: r.licence,
      visibilite: r.visibilite,
      thematiques: r.thematiques,
      types: r.types,
      publics: r.publics,
      competences: r.competences,
      contributors: r.contributors,
      review_on: r.review_on,
      status: r.status,
    },
    blocks: blocks.map((b) => ({
      kind: b.kind,
      titre: b.titre,
      texte: b.texte,
      url: b.url,
      fichier_id: b.fichier_id,
      alt: b.alt,
    })),
  };
}

const WORD = /[\p{L}]{4,30}/gu;
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * After every change: the search text (blocks, link addresses, file names and the PDFs' text),
 * a new version with who changed what, and, for published public resources, their words in the
 * lexicon of « vouliez-vous dire ».
 */
export async function afterChange(
  db: Db,
  by: { userId: string | null; name: string },
  id: string,
  change: string,
): Promise<void> {
  const blocks = await blocksOf(db, id);
  const files = await db
    .selectFrom('ressource_fichier')
    .select(['id', 'nom', 'extracted_text'])
    .where('ressource_id', '=', id)
    .execute();
  const fileText = new Map(files.map((f) => [f.id, `${f.nom} ${f.extracted_text}`]));
  const indexing = await db
    .selectFrom('ressource')
    .select(['thematiques', 'types', 'publics'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  // The labels of its themes, types and publics: « sécurité » finds what is indexed so.
  const labels = [
    labelsOf(THEMATIQUES, indexing.thematiques),
    labelsOf(TYPES, indexing.types),
    labelsOf(PUBLICS, indexing.publics),
  ].join(' ');
  const blockText = blocks
    .map((b) =>
      [
        b.titre,
        b.texte ? markdownToPlain(b.texte) : null,
        b.url,
        b.alt,
        b.fichier_id ? fileText.get(b.fichier_id) : null,
      ]
        .filter(Boolean)
        .join(' '),
    )
    .join('\n');
  const text = `${labels}\n${blockText}`.slice(0, 500_000);
  const updated = await db
    .updateTable('ressource')
    .set({ search_text: text, updated_at: new Date(), version: sql`version + 1` })
    .where('id', '=', id)
    .returning(['version', 'status', 'visibilite', 'titre', 'resume'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('ressource_version')
    .values({
      ressource_id: id,
      version: updated.version,
      snapshot: JSON.stringify(await snapshotOf(db, id)),
      change,
      changed_by: by.userId,
      changed_by_name: by.name,
    })
    .execute();
  if (updated.status === 'publiee' && updated.visibilite === 'publique')
    await addWords(db, `${updated.titre} ${updated.resume} ${text}`);
}

/** Adds a text's words (folded, 4 to 30 letters, 2 000 at most) to the lexicon. */
export async function addWords(db: Db, text: string): Promise<void> {
  const words = [...new Set(fold(text).match(WORD) ?? [])].slice(0, 2000);
  if (words.length === 0) return;
  await sql`insert into ressource_mot (mot) select unnest(${words}::text[]) on conflict do nothing`.execute(
    db,
  );
}

const inputColumns = (input: ResourceInput) => ({
  titre: input.titre,
  resume: input.resume ?? '',
  licence: input.licence,
  visibilite: input.visibilite,
  thematiques: input.thematiques,
  types: input.types,
  publics: input.publics,
  competences: input.competences,
  contributors: input.contributors ?? '',
  review_on: input.review_on ?? null,
});

export async function createResource(db: Db, actor: SignedIn, input: ResourceInput): Promise<string> {
  const collectiviteId = authorCollectivite(actor);
  return db.transaction().execute(async (tx) => {
    const { id } = await tx
      .insertInto('ressource')
      .values({
        ...inputColumns(input),
        collectivite_id: collectiviteId,
        created_by: actor.userId,
        author_name: actor.name,
        version: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await afterChange(tx, actor, id, 'Ressource créée');
    await audit(tx, { actor, action: 'resource.create', collectiviteId, subject: { type: 'ressource', id } });
    return id;
  });
}

export async function updateResource(
  db: Db,
  actor: SignedIn,
  r: Resource,
  input: ResourceInput,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('ressource').set(inputColumns(input)).where('id', '=', r.id).execute();
    await afterChange(tx, actor, r.id, 'Informations modifiées');
    await audit(tx, {
      actor,
      action: 'resource.update',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource', id: r.id },
    });
  });
}

export type Outcome = { ok: true } | { ok: false; reason: string };

export async function publishResource(db: Db, actor: SignedIn, r: Resource): Promise<Outcome> {
  if (!(r.licence in LICENCES)) return { ok: false, reason: 'Choisissez une licence avant de publier.' };
  const blocks = await blocksOf(db, r.id);
  if (blocks.length === 0)
    return {
      ok: false,
      reason: 'Ajoutez au moins un bloc de contenu (texte, lien, fichier…) avant de publier.',
    };
  if (r.status === 'publiee') return { ok: false, reason: 'La ressource est déjà publiée.' };
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('ressource')
      .set({ status: 'publiee', published_at: r.published_at ?? new Date() })
      .where('id', '=', r.id)
      .execute();
    await afterChange(tx, actor, r.id, 'Publiée');
    await audit(tx, {
      actor,
      action: 'resource.publish',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource', id: r.id },
    });
  });
  return { ok: true };
}

export async function unpublishResource(
  db: Db,
  actor: SignedIn,
  r: Resource,
  why = 'Dépubliée',
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('ressource').set({ status: 'brouillon' }).where('id', '=', r.id).execute();
    await afterChange(tx, actor, r.id, why);
    await audit(tx, {
      actor,
      action: 'resource.unpublish',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource', id: r.id },
    });
  });
}

export type StoredUpload = { nom: string; contentType: string; bytes: Buffer; sha256: string; text?: string };

/** Adds a block at the end; a file or an image is stored with it. */
export async function addBlock(db: Db, actor: SignedIn, r: Resource, input: BlockInput, file?: StoredUpload) {
  await db.transaction().execute(async (tx) => {
    let fichierId: string | null = null;
    if (file) {
      const stored = await tx
        .insertInto('ressource_fichier')
        .values({
          ressource_id: r.id,
          nom: file.nom,
          content_type: file.contentType,
          size: file.bytes.length,
          sha256: file.sha256,
          bytes: file.bytes,
          extracted_text: file.text ?? '',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      fichierId = stored.id;
    }
    const { next } = await tx
      .selectFrom('ressource_bloc')
      .select(sql<number>`coalesce(max(position), 0) + 1`.as('next'))
      .where('ressource_id', '=', r.id)
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('ressource_bloc')
      .values({
        ressource_id: r.id,
        position: next,
        kind: input.kind,
        titre: 'titre' in input ? (input.titre ?? null) : null,
        texte: 'texte' in input ? (input.texte ?? null) : null,
        url: 'url' in input ? input.url : null,
        alt: 'alt' in input ? input.alt : null,
        fichier_id: fichierId,
      })
      .execute();
    await afterChange(tx, actor, r.id, `Bloc ajouté : ${blockLabel(input.kind)}`);
    await audit(tx, {
      actor,
      action: 'resource.update',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource', id: r.id },
    });
  });
}

const blockLabel = (kind: BlockKind) =>
  ({ titre_section: 'titre de section', texte: 'texte', lien: 'lien', fichier: 'fichier', image: 'image' })[
    kind
  ];

/** Changes the text fields of a block (its kind and file stay). */
export async function updateBlock(
  db: Db,
  actor: SignedIn,
  r: Resource,
  block: Block,
  input: BlockInput,
): Promise<Outcome> {
  if (input.kind !== block.kind) return { ok: false, reason: 'Ce bloc n’est pas de ce type.' };
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('ressource_bloc')
      .set({
        titre: 'titre' in input ? (input.titre ?? null) : null,
        texte: 'texte' in input ? (input.texte ?? null) : null,
        url: 'url' in input ? input.url : null,
        alt: 'alt' in input ? input.alt : block.alt,
      })
      .where('id', '=', block.id)
      .execute();
    await afterChange(tx, actor, r.id, `Bloc modifié : ${blockLabel(block.kind)}`);
    await audit(tx, {
      actor,
      action: 'resource.update',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource', id: r.id },
    });
  });
  return { ok: true };
}

/** Removes a block (its file stays stored: an older version may bring it back). */
export async function removeBlock(db: Db, actor: SignedIn, r: Resource, block: Block): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('ressource_bloc').where('id', '=', block.id).execute();
    await afterChange(tx, actor, r.id, `Bloc retiré : ${blockLabel(block.kind)}`);
    await audit(tx, {
      actor,
      action: 'resource.update',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource', id: r.id },
    });
  });
}

/** Moves a block one step up or down. */
export async function moveBlock(
  db: Db,
  actor: SignedIn,
  r: Resource,
  block: Block,
  up: boolean,
): Promise<void> {
  const blocks = await blocksOf(db, r.id);
  const i = blocks.findIndex((b) => b.id === block.id);
  const j = up ? i - 1 : i + 1;
  const other = blocks[j];
  if (i < 0 || !other) return;
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('ressource_bloc')
      .set({ position: other.position })
      .where('id', '=', block.id)
      .execute();
    await tx
      .updateTable('ressource_bloc')
      .set({ position: block.position })
      .where('id', '=', other.id)
      .execute();
    await afterChange(tx, actor, r.id, up ? 'Bloc monté' : 'Bloc descendu');
  });
}

export const findBlock = (db: Db, r: Resource, blockId: string) =>
  db
    .selectFrom('ressource_bloc')
    .selectAll()
    .where('ressource_id', '=', r.id)
    .where('id', '=', blockId)
    .executeTakeFirst();

export const versionsOf = (db: Db, id: string) =>
  db
    .selectFrom('ressource_version')
    .select(['version', 'change', 'changed_by_name', 'created_at'])
    .where('ressource_id', '=', id)
    .orderBy('version', 'desc')
    .limit(200)
    .execute();

/** Brings back the content and description of an older version (a new version records it). */
export async function restoreVersion(
  db: Db,
  actor: SignedIn,
  r: Resource,
  version: number,
): Promise<Outcome> {
  const row = await db
    .selectFrom('ressource_version')
    .select('snapshot')
    .where('ressource_id', '=', r.id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'Cette version n’existe pas.' };
  const snap = row.snapshot as Snapshot;
  await db.transaction().execute(async (tx) => {
    const { status: _status, ...fields } = snap.resource;
    await tx.updateTable('ressource').set(fields).where('id', '=', r.id).execute();
    await tx.deleteFrom('ressource_bloc').where('ressource_id', '=', r.id).execute();
    if (snap.blocks.length)
      await tx
        .insertInto('ressource_bloc')
        .values(snap.blocks.map((b, i) => ({ ...b, ressource_id: r.id, position: i + 1 })))
        .execute();
    await afterChange(tx, actor, r.id, `Version ${version} restaurée`);
    await audit(tx, {
      actor,
      action: 'resource.restore',
      collectiviteId: r.collectivite_id,
      subject: { type: 'ressource', id: r.id },
      details: { version },
    });
  });
  return { ok: true };
}

/** The resources this person wrote, or may edit as coordinator, newest change first. */
export function editableResources(db: Db, actor: SignedIn, page: number) {
  const moderated = actor.memberships
    .map((m) => m.collectiviteId)
    .filter((c): c is number => c !== null && can(actor, 'resources.moderate', { collectiviteId: c }));
  const admin = can(actor, 'resources.moderate');
  let q = db.selectFrom('ressource');
  if (!admin)
    q = q.where((eb) =>
      eb.or([
        eb('created_by', '=', actor.userId),
        ...(moderated.length ? [eb('collectivite_id', 'in', moderated)] : []),
      ]),
    );
  return Promise.all([
    q
      .select(['id', 'titre', 'status', 'visibilite', 'updated_at', 'review_on', 'author_name'])
      .orderBy('updated_at', 'desc')
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute(),
    q
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
      .then((x) => Number(x.n)),
  ]);
}
export const PAGE_SIZE = 20;

/** The file of a block of a resource, with its bytes. */
export const fileOf = (db: Db, r: Resource, fileId: string) =>
  db
    .selectFrom('ressource_fichier')
    .select(['nom', 'content_type', 'bytes', 'size'])
    .where('ressource_id', '=', r.id)
    .where('id', '=', fileId)
    .executeTakeFirst();

/** Whether the review date has passed (readers see « à vérifier »). */
export const reviewDue = (r: Pick<Resource, 'review_on'>, today: string) =>
  r.review_on !== null && r.review_on < today;
