import { createHash, randomBytes } from 'node:crypto';
import { type Expression, type Selectable, type SqlBool, sql } from 'kysely';
import { audit, canonical } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { placeNameOf, placePostalAddress, placeSummaryOf } from '../lieux/index.ts';
import { type Helper, helperPlaceIds, placeIdsOf } from '../mediateurs/index.ts';
import { ensureMandates } from './habilitation.ts';
import {
  ATTESTATION_TEMPLATE,
  DEMARCHE_CODES,
  type Demandeur,
  type Demarche,
  type Duree,
  endOf,
  inNationalOrder,
  isDemarche,
  type Statut,
} from './vocabulary.ts';

export type Mandate = Selectable<Database['mandat']>;

/** What the step-by-step flow gathered, checked, ready to become a mandate. */
export type MandateRequest = {
  lieuId: string;
  beneficiaireId: string | null;
  prenom: string;
  nom: string;
  dateNaissance: string | null;
  pieceIdentite: string;
  telephone: string | null;
  consentement: 'presentiel' | 'sms';
  demarches: Demarche[];
  duree: Duree;
  renouvelleId: string | null;
};

/** A mandate's state now: an active mandate past its end is expired even before the job ran. */
export function effectiveStatus(m: Pick<Mandate, 'status' | 'fin'>, now = new Date()): Statut {
  if (m.status === 'actif' && m.fin !== null && m.fin.getTime() <= now.getTime()) return 'expire';
  return m.status;
}

/** "C. D.": all a public verification page says of the person. */
export function initialsOf(m: Pick<Mandate, 'prenom' | 'nom'>): string {
  const initial = (s: string) => {
    const first = s.trim().match(/\p{L}/u)?.[0];
    return first ? `${first.toUpperCase()}.` : '';
  };
  return [initial(m.prenom), initial(m.nom)].filter(Boolean).join(' ');
}

/** The facts an attestation states; its SHA-256 is the fingerprint printed and journaled. */
export type AttestationFacts = {
  aidant: { id: string | null; nom: string };
  structure: { id: string; nom: string };
  personne: { prenom: string; nom: string; dateNaissance: string | null };
  demarches: string[];
  debut: string;
  fin: string;
  modele: string;
  sel: string;
};

export function fingerprintOf(facts: AttestationFacts): string {
  return createHash('sha256')
    .update(canonical({ ...facts, demarches: [...facts.demarches].sort() }))
    .digest('hex');
}

/** The facts of a mandate's attestation, read back from the database. */
export async function attestationFacts(db: Db, m: Mandate): Promise<AttestationFacts> {
  const [helper, place, autorisations] = await Promise.all([
    m.mediateur_id
      ? db.selectFrom('app_user').select('name').where('id', '=', m.mediateur_id).executeTakeFirst()
      : undefined,
    placeSummaryOf(db, m.lieu_id),
    db.selectFrom('autorisation').select('demarche').where('mandat_id', '=', m.id).execute(),
  ]);
  return {
    aidant: { id: m.mediateur_id, nom: helper?.name ?? 'Aidant dont le compte a été supprimé' },
    structure: { id: m.lieu_id, nom: place.nom },
    personne: { prenom: m.prenom, nom: m.nom, dateNaissance: m.date_naissance },
    demarches: autorisations.map((a) => a.demarche),
    debut: (m.debut ?? m.created_at).toISOString(),
    fin: (m.fin ?? m.created_at).toISOString(),
    modele: m.modele,
    sel: m.sel,
  };
}

/**
 * Who may see a mandate: the helpers of its structure (the place it was made at) and the
 * helper who made it. A condition on `mandat as m`.
 */
export function mandateVisibleTo(helper: Helper): Expression<SqlBool> {
  return sql<SqlBool>`(m.mediateur_id = ${helper.userId}
    or m.lieu_id in (${placeIdsOf(helper.userId)}))`;
}

export function findVisibleMandate(db: Db, helper: Helper, id: string): Promise<Mandate | undefined> {
  ensureMandates(helper);
  if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('mandat as m')
    .selectAll('m')
    .where('m.id', '=', id)
    .where(mandateVisibleTo(helper))
    .executeTakeFirst();
}

/** Journals that a helper read a mandate (it holds a person's identity). */
export async function recordMandateRead(db: Db, helper: Helper, m: Mandate, what: string): Promise<void> {
  await audit(db, {
    actor: helper.actor,
    action: 'mandat.consulte',
    collectiviteId: m.collectivite_id,
    subject: { type: 'mandat', id: m.id },
    details: { quoi: what },
  });
}

/**
 * Records that a helper read a list of mandates (people's names): one entry per list shown,
 * with its filter and the number of rows, never the names.
 */
export async function recordListRead(
  db: Db,
  helper: Helper,
  filter: MandateListFilter,
  rows: number,
  ip: string | null,
): Promise<void> {
  await audit(db, {
    actor: helper.actor,
    action: 'mandat.list',
    collectiviteId: helper.collectiviteId,
    ...(filter.beneficiaireId ? { subject: { type: 'beneficiaire', id: filter.beneficiaireId } } : {}),
    ip,
    details: {
      vue: filter.vue,
      ...(filter.lieuId ? { lieu: filter.lieuId } : {}),
      ...(filter.statut ? { statut: filter.statut } : {}),
      lignes: rows,
    },
  });
}

/**
 * Makes a mandate active from `now`: its dates, its fingerprint (journaled), one authorisation
 * per démarche, and the revocation of the same person's older authorisations for those
 * démarches at the same structure. Runs inside the caller's transaction.
 */
export async function activateMandate(
  trx: Db,
  actor: Actor,
  mandatId: string,
  demarches: Demarche[],
  now = new Date(),
): Promise<Mandate> {
  const pending = await trx
    .selectFrom('mandat')
    .selectAll()
    .where('id', '=', mandatId)
    .executeTakeFirstOrThrow();
  const debut = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const fin = endOf(debut, pending.duree as Duree);
  await trx
    .insertInto('autorisation')
    .values(demarches.map((demarche) => ({ mandat_id: mandatId, demarche })))
    .execute();
  const facts = await attestationFacts(trx, { ...pending, debut, fin });
  const empreinte = fingerprintOf(facts);
  const m = await trx
    .updateTable('mandat')
    .set({ status: 'actif', debut, fin, empreinte })
    .where('id', '=', mandatId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const base = { actor, collectiviteId: m.collectivite_id, subject: { type: 'mandat', id: m.id } } as const;
  await audit(trx, { ...base, action: 'mandat.attestation_creee', details: { empreinte, modele: m.modele } });
  for (const demarche of demarches)
    await audit(trx, {
      ...base,
      action: 'mandat.autorisation_creee',
      details: { demarche, fin: fin.toISOString() },
    });
  await replaceOlderAuthorisations(trx, actor, m, demarches, now);
  if (m.renouvelle_id)
    await audit(trx, { ...base, action: 'mandat.renouvele', details: { ancien: m.renouvelle_id } });
  return m;
}

/** The same person, démarche and structure: the older authorisation gives way to the new one. */
async function replaceOlderAuthorisations(
  trx: Db,
  actor: Actor,
  m: Mandate,
  demarches: Demarche[],
  now: Date,
): Promise<void> {
  const older = await trx
    .selectFrom('autorisation as a')
    .innerJoin('mandat as o', 'o.id', 'a.mandat_id')
    .select(['a.id', 'a.mandat_id', 'a.demarche'])
    .where('o.id', '!=', m.id)
    .where('o.lieu_id', '=', m.lieu_id)
    .where('o.status', '=', 'actif')
    .where('o.fin', '>', now)
    .where('a.revoked_at', 'is', null)
    .where('a.demarche', 'in', demarches)
    .where(samePersonAs(m))
    .execute();
  const byMandate = new Map<string, string[]>();
  for (const a of older) byMandate.set(a.mandat_id, [...(byMandate.get(a.mandat_id) ?? []), a.demarche]);
  for (const [mandatId, codes] of byMandate) {
    await revokeAuthorisations(trx, actor, mandatId, codes, 'remplacement', now, m.id);
  }
}

/** The same person: the same workspace record, or the same names and birth date. */
function samePersonAs(m: Mandate): Expression<SqlBool> {
  if (m.beneficiaire_id)
    return sql<SqlBool>`(o.beneficiaire_id = ${m.beneficiaire_id} or (
    lower(o.prenom) = lower(${m.prenom}) and lower(o.nom) = lower(${m.nom})
    and o.date_naissance is not distinct from ${m.date_naissance}))`;
  return sql<SqlBool>`(lower(o.prenom) = lower(${m.prenom}) and lower(o.nom) = lower(${m.nom})
    and o.date_naissance is not distinct from ${m.date_naissance})`;
}

/**
 * Revokes these démarches of a mandate (all of them when `demarches` covers every open one),
 * records the revocation with its own fingerprint, and journals it. Runs in `trx`.
 */
export async function revokeAuthorisations(
  trx: Db,
  actor: Actor,
  mandatId: string,
  demarches: string[],
  demandeePar: Demandeur | 'remplacement',
  now = new Date(),
  replacedBy: string | null = null,
): Promise<string> {
  const m = await trx.selectFrom('mandat').selectAll().where('id', '=', mandatId).executeTakeFirstOrThrow();
  const empreinte = createHash('sha256')
    .update(
      canonical({
        mandat: m.empreinte,
        demarches: [...demarches].sort(),
        le: now.toISOString(),
        demandeePar,
      }),
    )
    .digest('hex');
  const { id } = await trx
    .insertInto('revocation')
    .values({
      mandat_id: mandatId,
      demarches,
      requested_by: demandeePar,
      revoked_by: actor.kind === 'user' ? actor.userId : null,
      revoked_at: now,
      empreinte,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('autorisation')
    .set({ revoked_at: now, revocation_id: id, replaced_by: replacedBy })
    .where('mandat_id', '=', mandatId)
    .where('demarche', 'in', demarches)
    .where('revoked_at', 'is', null)
    .execute();
  const base = {
    actor,
    collectiviteId: m.collectivite_id,
    subject: { type: 'mandat', id: mandatId },
  } as const;
  for (const demarche of demarches)
    await audit(trx, {
      ...base,
      action: 'mandat.autorisation_revoquee',
      details: {
        demarche,
        demandeePar,
        revocation: id,
        empreinte,
        ...(replacedBy ? { remplaceePar: replacedBy } : {}),
      },
    });
  const open = await trx
    .selectFrom('autorisation')
    .select('id')
    .where('mandat_id', '=', mandatId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!open) {
    await trx
      .updateTable('mandat')
      .set({ status: 'revoque', closed_at: now, motif_fermeture: 'révoqué' })
      .where('id', '=', mandatId)
      .execute();
    await audit(trx, { ...base, action: 'mandat.revoque', details: { demandeePar, revocation: id } });
  }
  return id;
}

export type Outcome<T = void> = { ok: true; value: T } | { ok: false; reason: string };

/** Revocation asked by a helper (for themselves or at the person's request). */
export async function revokeMandate(
  db: Db,
  helper: Helper,
  m: Mandate,
  demarches: string[],
  demandeePar: Demandeur,
  now = new Date(),
): Promise<Outcome<string>> {
  if (effectiveStatus(m, now) !== 'actif')
    return { ok: false, reason: 'Ce mandat n’est plus actif : il n’y a rien à révoquer.' };
  if (demarches.length === 0 || !demarches.every(isDemarche))
    return { ok: false, reason: 'Choisissez la démarche à révoquer, ou tout le mandat.' };
  return db.transaction().execute(async (trx) => {
    const open = (
      await trx
        .selectFrom('autorisation')
        .select('demarche')
        .where('mandat_id', '=', m.id)
        .where('revoked_at', 'is', null)
        .forUpdate()
        .execute()
    ).map((a) => a.demarche);
    const closed = demarches.filter((d) => !open.includes(d));
    if (closed.length > 0)
      return { ok: false as const, reason: 'Cette démarche n’est pas (ou plus) couverte par ce mandat.' };
    const id = await revokeAuthorisations(trx, helper.actor, m.id, demarches, demandeePar, now);
    return { ok: true as const, value: id };
  });
}

/**
 * Records that the helper did a procedure under the mandate: only for an active, unexpired,
 * unrevoked authorisation of that démarche; otherwise the reason, and nothing recorded.
 */
export async function declareUse(
  db: Db,
  helper: Helper,
  m: Mandate,
  input: { demarche: string; description: string },
  now = new Date(),
): Promise<Outcome> {
  const description = input.description.trim();
  if (!isDemarche(input.demarche)) return { ok: false, reason: 'Choisissez la démarche réalisée.' };
  if (description.length < 3)
    return {
      ok: false,
      reason: 'Décrivez la démarche réalisée (par exemple « Déclaration de revenus 2026 »).',
    };
  if (description.length > 500)
    return { ok: false, reason: 'La description doit faire au plus 500 caractères.' };
  const status = effectiveStatus(m, now);
  if (status === 'expire')
    return { ok: false, reason: 'Ce mandat a expiré : créez-en un nouveau avec la personne.' };
  if (status === 'revoque')
    return { ok: false, reason: 'Ce mandat a été révoqué : il ne permet plus d’agir.' };
  if (status !== 'actif')
    return { ok: false, reason: 'Ce mandat n’est pas actif : la personne n’a pas donné son accord.' };
  return db.transaction().execute(async (trx) => {
    const a = await trx
      .selectFrom('autorisation')
      .selectAll()
      .where('mandat_id', '=', m.id)
      .where('demarche', '=', input.demarche)
      .forUpdate()
      .executeTakeFirst();
    if (!a) return { ok: false as const, reason: 'Cette démarche n’est pas couverte par ce mandat.' };
    if (a.revoked_at)
      return { ok: false as const, reason: 'L’autorisation pour cette démarche a été révoquée.' };
    await trx
      .insertInto('mandat_usage')
      .values({
        mandat_id: m.id,
        autorisation_id: a.id,
        mediateur_id: helper.userId,
        demarche: a.demarche,
        description,
        created_at: now,
      })
      .execute();
    await audit(trx, {
      actor: helper.actor,
      action: 'mandat.autorisation_utilisee',
      collectiviteId: m.collectivite_id,
      subject: { type: 'mandat', id: m.id },
      details: { demarche: a.demarche, description },
    });
    return { ok: true as const, value: undefined };
  });
}

export type MandateListFilter = {
  /** Mine (made by me), my structure's (one of my places), or one person's. */
  vue: 'mes' | 'structure' | 'personne';
  lieuId?: string | undefined;
  beneficiaireId?: string | undefined;
  statut?: Statut | undefined;
};

export type MandateRow = {
  id: string;
  prenom: string;
  nom: string;
  lieu: string;
  mediateur: string | null;
  statut: Statut;
  debut: Date | null;
  fin: Date | null;
  demarches: string[];
  ouvertes: string[];
  created_at: Date;
};

/** Mandates a helper may see, filtered, newest first; at most 500. */
export async function listMandates(
  db: Db,
  helper: Helper,
  filter: MandateListFilter,
  now = new Date(),
): Promise<MandateRow[]> {
  ensureMandates(helper);
  const placeIds = await helperPlaceIds(db, helper.userId);
  let q = db
    .selectFrom('mandat as m')
    .leftJoin('app_user as u', 'u.id', 'm.mediateur_id')
    .select([
      'm.id',
      'm.prenom',
      'm.nom',
      placeNameOf(sql.ref('m.lieu_id')).as('lieu'),
      'u.name as mediateur',
      'm.status',
      'm.debut',
      'm.fin',
      'm.created_at',
      sql<string[]>`array(select a.demarche from autorisation a where a.mandat_id = m.id)`.as('demarches'),
      sql<
        string[]
      >`array(select a.demarche from autorisation a where a.mandat_id = m.id and a.revoked_at is null)`.as(
        'ouvertes',
      ),
    ])
    // Theirs, or their places' spelled out (not a subquery): the planner then reads the
    // indexes of a helper's, a place's or all mandates in date order, and stops at 500.
    .where((eb) =>
      filter.vue === 'mes' || placeIds.length === 0
        ? eb('m.mediateur_id', '=', helper.userId)
        : eb.or([eb('m.mediateur_id', '=', helper.userId), eb('m.lieu_id', 'in', placeIds)]),
    )
    .orderBy('m.created_at', 'desc')
    .limit(500);
  if (filter.lieuId) q = q.where('m.lieu_id', '=', filter.lieuId);
  if (filter.beneficiaireId) q = q.where('m.beneficiaire_id', '=', filter.beneficiaireId);
  if (filter.statut === 'actif') q = q.where('m.status', '=', 'actif').where('m.fin', '>', now);
  else if (filter.statut === 'expire')
    q = q.where((eb) =>
      eb.or([eb('m.status', '=', 'expire'), eb.and([eb('m.status', '=', 'actif'), eb('m.fin', '<=', now)])]),
    );
  else if (filter.statut) q = q.where('m.status', '=', filter.statut);
  const rows = await q.execute();
  const national = (codes: string[]) => DEMARCHE_CODES.filter((d) => codes.includes(d));
  return rows.map(({ status, ...r }) => ({
    ...r,
    statut: effectiveStatus({ status, fin: r.fin }, now),
    demarches: national(r.demarches),
    ouvertes: national(r.ouvertes),
  }));
}

/** The authorisations of a mandate, with their revocation, in the national order. */
export async function authorisationsOf(db: Db, mandatId: string) {
  const rows = await db
    .selectFrom('autorisation as a')
    .leftJoin('revocation as r', 'r.id', 'a.revocation_id')
    .select([
      'a.id',
      'a.demarche',
      'a.revoked_at',
      'a.replaced_by',
      'r.requested_by',
      'r.id as revocation_id',
    ])
    .where('a.mandat_id', '=', mandatId)
    .execute();
  return rows.sort(inNationalOrder);
}

export function usesOf(db: Db, mandatId: string) {
  return db
    .selectFrom('mandat_usage as u')
    .leftJoin('app_user as p', 'p.id', 'u.mediateur_id')
    .select(['u.id', 'u.demarche', 'u.description', 'u.created_at', 'p.name as mediateur'])
    .where('u.mandat_id', '=', mandatId)
    .orderBy('u.created_at', 'desc')
    .execute();
}

export function revocationsOf(db: Db, mandatId: string) {
  return db
    .selectFrom('revocation as r')
    .leftJoin('app_user as p', 'p.id', 'r.revoked_by')
    .select(['r.id', 'r.demarches', 'r.requested_by', 'r.revoked_at', 'r.empreinte', 'p.name as par'])
    .where('r.mandat_id', '=', mandatId)
    .orderBy('r.revoked_at')
    .execute();
}

/** A fresh random salt: two identical mandates never share a fingerprint. */
export const newSalt = () => randomBytes(16).toString('hex');

/**
 * What the public verification page may say of a fingerprint: the state, the démarches still
 * covered (or those it covered), the end, the person's initials. Nothing when unknown.
 */
export async function verificationOf(db: Db, empreinte: string, now = new Date()) {
  const fingerprint = empreinte.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) return null;
  const m = await db.selectFrom('mandat').selectAll().where('empreinte', '=', fingerprint).executeTakeFirst();
  if (!m) return null;
  const autorisations = await db
    .selectFrom('autorisation')
    .select(['demarche', 'revoked_at'])
    .where('mandat_id', '=', m.id)
    .execute();
  autorisations.sort(inNationalOrder);
  const structure = await placePostalAddress(db, m.lieu_id);
  return {
    statut: effectiveStatus(m, now),
    structure: `${structure.nom} (${structure.commune})`,
    fin: m.fin,
    initiales: initialsOf(m),
    demarches: autorisations.map((a) => ({ demarche: a.demarche, revoquee: a.revoked_at !== null })),
  };
}

export { ATTESTATION_TEMPLATE };
