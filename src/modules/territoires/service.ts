import { type RawBuilder, type Selectable, sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import { countMembersOf } from '../../platform/auth/users.ts';
import { announceChange, cachedPerDatabase } from '../../platform/db/changes.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { fileUrl, readImage, storeFile } from '../../platform/files.ts';
import type { SiteIdentity } from '../../platform/ui/layout.tsx';
import { lookupTerritory } from './reference.ts';
import { checkBrandColour } from './theme.ts';
import type { OpsnInput, ThemeInput } from './validation.ts';

export type Opsn = Selectable<Database['opsn']>;
export type Collectivite = Selectable<Database['collectivite']>;

/** A refusal the person can act on, in French, tied to a form field when there is one. */
export type Refusal = { ok: false; field: string; reason: string };

/**
 * The OPSN row is read by every page (header, footer, contact) and changes a few times a
 * year: each process keeps it until a process announces a change (see `changes.ts`), or a few
 * seconds at most should the announcement be lost.
 */
const OPSN_TTL_MS = 5_000;
const OPSN_TOPIC = 'opsn';
const opsnCache = cachedPerDatabase(OPSN_TOPIC, OPSN_TTL_MS, (db) =>
  db.selectFrom('opsn').selectAll().executeTakeFirst(),
);

export function getOpsn(db: Db): Promise<Opsn | undefined> {
  return opsnCache.get(db);
}

/** What every page header shows: the OPSN's name and logo. */
export async function getSiteIdentity(db: Db): Promise<SiteIdentity | null> {
  const opsn = await getOpsn(db);
  if (!opsn) return null;
  return {
    name: opsn.name,
    shortName: opsn.short_name,
    logoUrl: opsn.logo_file_id ? fileUrl(opsn.logo_file_id) : undefined,
  };
}

/** Creates or updates the OPSN's identity (the instance has exactly one). */
export async function saveOpsn(db: Db, actor: Actor, input: OpsnInput): Promise<void> {
  ensure(actor, 'opsn.manage');
  const values = {
    name: input.name,
    short_name: input.shortName,
    contact_email: input.contactEmail ?? null,
    contact_phone: input.contactPhone ?? null,
    website: input.website ?? null,
    description: input.description ?? null,
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('opsn')
      .values({ id: 1, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: new Date() }))
      .execute();
    await audit(trx, { actor, action: 'opsn.update' });
  });
  await announceChange(db, OPSN_TOPIC);
}

const frenchOrder = new Intl.Collator('fr', { sensitivity: 'base' });

/** Members in French alphabetical order of the name they display. */
export async function listCollectivites(db: Db): Promise<Collectivite[]> {
  const rows = await db.selectFrom('collectivite').selectAll().execute();
  return rows.sort((a, b) => frenchOrder.compare(displayName(a), displayName(b)));
}

export function findCollectiviteBySlug(db: Db, slug: string): Promise<Collectivite | undefined> {
  return db.selectFrom('collectivite').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function findCollectiviteByCode(db: Db, code: string): Promise<Collectivite | undefined> {
  return db
    .selectFrom('collectivite')
    .selectAll()
    .where('code', '=', code.trim().toUpperCase())
    .executeTakeFirst();
}

/** The collectivité whose theme `actor` may change (a 403 if not theirs); undefined: no such collectivité. */
export async function findCollectiviteForTheme(
  db: Db,
  actor: Actor,
  id: number,
): Promise<Collectivite | undefined> {
  const c = await findCollectiviteById(db, id);
  if (c) ensure(actor, 'collectivite.theme', { collectiviteId: c.id });
  return c;
}

export function findCollectiviteById(db: Db, id: number): Promise<Collectivite | undefined> {
  return db.selectFrom('collectivite').selectAll().where('id', '=', id).executeTakeFirst();
}

/** `Saint-Étienne` → `saint-etienne`. */
export function slugify(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Adds a member collectivité from the official reference, by INSEE code or SIREN. */
export async function addCollectivite(
  db: Db,
  actor: Actor,
  code: string,
): Promise<{ ok: true; collectivite: Collectivite } | Refusal> {
  ensure(actor, 'opsn.manage');
  const found = lookupTerritory(code);
  if (!found.ok) return { ok: false, field: 'code', reason: found.reason };
  const t = found.territory;
  const existing = await findCollectiviteByCode(db, t.code);
  if (existing) {
    return { ok: false, field: 'code', reason: `${existing.name} (${t.code}) est déjà membre.` };
  }
  const base = slugify(t.name);
  const taken = await db.selectFrom('collectivite').select('id').where('slug', '=', base).executeTakeFirst();
  const collectivite = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('collectivite')
      .values({
        kind: t.kind,
        code: t.code,
        slug: taken ? `${base}-${t.code.toLowerCase()}` : base,
        name: t.name,
        departement_code: t.departement?.code ?? null,
        departement_name: t.departement?.nom ?? null,
        region_code: t.region?.code ?? null,
        region_name: t.region?.nom ?? null,
        population: t.population,
        postcodes: t.postcodes,
        member_communes: JSON.stringify(t.memberCommunes),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'collectivite.add',
      collectiviteId: row.id,
      details: { code: row.code },
    });
    return row;
  });
  return { ok: true, collectivite };
}

/** Changes a collectivité's display name, brand colour and logo; refuses a colour without AA contrast. */
export async function updateTheme(
  db: Db,
  actor: Actor,
  id: number,
  input: ThemeInput,
): Promise<{ ok: true } | Refusal> {
  ensure(actor, 'collectivite.theme', { collectiviteId: id });
  let colour: string | null = null;
  if (input.brandColour) {
    const check = checkBrandColour(input.brandColour);
    if (!check.ok) return { ok: false, field: 'brandColour', reason: check.reason };
    colour = check.colour;
  }
  let logo: { bytes: Buffer; contentType: string } | undefined;
  if (input.logo && input.logo.length > 0) {
    const check = await readImage(input.logo);
    if (!check.ok) return { ok: false, field: 'logo', reason: check.reason };
    logo = { bytes: check.bytes, contentType: check.contentType };
  }
  await db.transaction().execute(async (trx) => {
    const logoId = logo ? await storeFile(trx, logo.bytes, logo.contentType) : undefined;
    await trx
      .updateTable('collectivite')
      .set({
        display_name: input.displayName ?? null,
        brand_colour: colour,
        ...(logoId ? { logo_file_id: logoId } : input.removeLogo ? { logo_file_id: null } : {}),
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, {
      actor,
      action: 'collectivite.theme',
      collectiviteId: id,
      details: { brandColour: colour, logo: logoId ? 'nouveau' : input.removeLogo ? 'retiré' : 'inchangé' },
    });
  });
  return { ok: true };
}

/** Removes a member collectivité; refused while people still hold a role in it. */
export async function removeCollectivite(db: Db, actor: Actor, id: number): Promise<{ ok: true } | Refusal> {
  ensure(actor, 'opsn.manage');
  const members = await countMembersOf(db, id);
  if (members > 0) {
    return {
      ok: false,
      field: 'id',
      reason: `${members} compte(s) ont encore un rôle dans cette collectivité : retirez-les d’abord.`,
    };
  }
  await db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('collectivite')
      .where('id', '=', id)
      .returning('code')
      .executeTakeFirst();
    if (removed)
      await audit(trx, {
        actor,
        action: 'collectivite.remove',
        collectiviteId: id,
        details: { code: removed.code },
      });
  });
  return { ok: true };
}

/** The name a collectivité shows on its pages. */
export const displayName = (c: Pick<Collectivite, 'display_name' | 'name'>) => c.display_name || c.name;

/** Every collectivité's id, as an SQL array for `= any(…)` in another module's query. */
export function allCollectiviteIds(): RawBuilder<number[]> {
  return sql<number[]>`array(select id from collectivite)`;
}
