import { type Expression, type SqlBool, sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import {
  AUTONOMIES,
  CANAUX,
  DEMARCHES,
  detachParticipations,
  lastParticipationDate,
  moveParticipations,
  participationHistory,
  STRUCTURES_REDIRECTION,
  THEMATIQUES,
  TYPES_ACTIVITE,
} from '../activites/index.ts';
import { placeSummaries } from '../lieux/index.ts';
import type { Helper } from '../mediateurs/index.ts';
import { communeLabel } from '../territoires/index.ts';
import { type Beneficiary, PERSON_FIELDS, personColumns } from './beneficiary.ts';
import type { BeneficiaryInput } from './fields.ts';
import { visibleTo } from './visibility.ts';
import { GENRES, STATUTS, TRANCHES_AGE, trancheAge } from './vocabulary.ts';

/**
 * The people a helper follows, seen from the helper's workspace: list and search, their
 * history, and what the law asks for a personal record (rectification, erasure, merge of
 * duplicates, access). Every function takes the helper; the routes found the person with
 * `findVisibleBeneficiary` first. Every read or change goes to the audit journal, with the
 * record's id and never what it holds.
 */

export const PAGE_SIZE = 25;

/** How long a record is kept after the person's last accompaniment (or its creation). */
export const RETENTION_MONTHS = 24;
export const RETENTION_TEXT = '2 ans après le dernier accompagnement';

/** Where a request came from, for the journal. */
export type Origin = { ip?: string | undefined };

const label = (vocabulary: Readonly<Record<string, string>>, code: string | null | undefined) =>
  code ? (vocabulary[code] ?? code) : null;

// ---------------------------------------------------------------------------------------
// List and search

export type PersonRow = Pick<Beneficiary, 'id' | 'prenom' | 'nom' | 'annee_naissance' | 'commune_insee'> & {
  /** The date of the last accompaniment (YYYY-MM-DD), if any. */
  dernier: string | null;
};

const phoneDigitsSql = sql<string>`regexp_replace(coalesce(b.telephone, ''), '\\D', '', 'g')`;

/**
 * The condition a quick search puts on `b`: a phone number (or part of it) when the query
 * is digits, else the name, accents and case ignored, with a few typos forgiven (trigrams).
 */
function searchCondition(q: string): Expression<SqlBool> {
  if (/^[\d\s.+()-]+$/.test(q)) {
    const digits = q.replace(/\D/g, '');
    // The last nine digits tell a French number apart, whatever its prefix (0, +33, 0033).
    if (digits.length >= 9) return sql<SqlBool>`right(${phoneDigitsSql}, 9) = ${digits.slice(-9)}`;
    if (digits.length >= 4) return sql<SqlBool>`strpos(${phoneDigitsSql}, ${digits}) > 0`;
  }
  const pattern = q.replace(/[\\%_]/g, '\\$&');
  return sql<SqlBool>`(b.search_text like '%' || lower(relais_unaccent(${pattern})) || '%'
    or word_similarity(lower(relais_unaccent(${q})), b.search_text) >= 0.6)`;
}

/** The people this helper sees, named ones only, best match or most recently helped first. */
export async function listBeneficiaries(
  db: Db,
  helper: Helper,
  options: { q?: string | undefined; page: number; excludeId?: string },
): Promise<{ rows: PersonRow[]; total: number }> {
  const q = options.q?.trim().slice(0, 100) || undefined;
  let base = db.selectFrom('beneficiaire as b').where('b.anonyme', '=', false).where(visibleTo(helper));
  if (q) base = base.where(searchCondition(q));
  if (options.excludeId) base = base.where('b.id', '!=', options.excludeId);
  const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let query = base.select([
    'b.id',
    'b.prenom',
    'b.nom',
    'b.annee_naissance',
    'b.commune_insee',
    lastParticipationDate(sql.ref('b.id')).as('dernier'),
  ]);
  query = q
    ? query.orderBy(sql`word_similarity(lower(relais_unaccent(${q})), b.search_text) desc`)
    : query.orderBy(sql`dernier desc nulls last`).orderBy('b.created_at', 'desc');
  const rows = await query
    .orderBy('b.search_text')
    .orderBy('b.id')
    .limit(PAGE_SIZE)
    .offset((options.page - 1) * PAGE_SIZE)
    .execute();
  return { rows, total: counted.n };
}

// ---------------------------------------------------------------------------------------
// History

export type HistoryEntry = {
  date: string;
  type: string;
  typeLabel: string;
  dureeMin: number;
  canal: string;
  /** The helper's place, or how it took place when not there ("À domicile", a commune…). */
  lieu: string;
  thematiques: string[];
  demarches: string[];
  autonomie: string | null;
  oriente: boolean;
  orientation: string | null;
  /** The helper's notes of an individual accompaniment (a workshop's may name others). */
  notes: string | null;
  /** What the participation copied of the person that day, for statistics. */
  attributs: { genre: string; tranche_age: string; statut: string; commune_insee: string | null };
};

/** Every accompaniment of the person, newest first: never who else took part. */
export async function historyOf(db: Db, beneficiaireId: string): Promise<HistoryEntry[]> {
  const rows = await participationHistory(db, beneficiaireId);
  const places = new Map(
    (await placeSummaries(db, [...new Set(rows.flatMap((r) => (r.lieu_id ? [r.lieu_id] : [])))])).map((p) => [
      p.id,
      `${p.nom}, ${p.commune}`,
    ]),
  );
  return rows.map((r) => {
    const place = r.lieu_id ? places.get(r.lieu_id) : undefined;
    const where =
      r.canal === 'lieu_activite' && place
        ? place
        : [label(CANAUX, r.canal), r.canal === 'autre_lieu' ? communeLabel(r.commune_insee) : null]
            .filter(Boolean)
            .join(', ');
    return {
      date: r.date,
      type: r.type,
      typeLabel: label(TYPES_ACTIVITE, r.type) ?? r.type,
      dureeMin: r.duree_min,
      canal: r.canal,
      lieu: where || (place ?? ''),
      thematiques: r.thematiques.map((t) => label(THEMATIQUES, t) ?? t),
      demarches: r.demarches.map((d) => label(DEMARCHES, d) ?? d),
      autonomie: label(AUTONOMIES, r.autonomie),
      oriente: r.oriente,
      orientation: label(STRUCTURES_REDIRECTION, r.orientation),
      notes: r.type === 'individuel' ? r.notes : null,
      attributs: { genre: r.genre, tranche_age: r.tranche_age, statut: r.statut, commune_insee: r.p_commune },
    };
  });
}

export type MergeEntry = { at: Date; mergedId: string; participations: number };

/** The records merged into this one. */
export async function mergesInto(db: Db, beneficiaireId: string): Promise<MergeEntry[]> {
  const rows = await db
    .selectFrom('beneficiaire_fusion')
    .select(['at', 'merged_id', 'participations'])
    .where('kept_id', '=', beneficiaireId)
    .orderBy('at', 'desc')
    .execute();
  return rows.map((r) => ({ at: r.at, mergedId: r.merged_id, participations: r.participations }));
}

// ---------------------------------------------------------------------------------------
// Read, change, merge, delete

/** Records that the helper opened a person's record. */
export function recordRead(
  db: Db,
  helper: Helper,
  b: Beneficiary,
  origin: Origin,
  context?: 'fusion',
): Promise<void> {
  return audit(db, {
    actor: helper.actor,
    action: 'beneficiaire.read',
    collectiviteId: b.collectivite_id,
    subject: { type: 'beneficiaire', id: b.id },
    ip: origin.ip ?? null,
    ...(context ? { details: { context } } : {}),
  });
}

/**
 * Records that the helper saw a list of people (names and birth years): one entry per view,
 * with its filter and the ids shown, never the names nor the searched text (a name too).
 */
export function recordListView(
  db: Db,
  helper: Helper,
  view: { kind: 'liste' | 'recherche' | 'fusion'; page: number; total: number; shown: { id: string }[] },
  origin: Origin,
): Promise<void> {
  return audit(db, {
    actor: helper.actor,
    action: 'beneficiaire.list',
    collectiviteId: helper.collectiviteId,
    ip: origin.ip ?? null,
    details: {
      vue: view.kind,
      page: view.page,
      resultats: view.total,
      affiches: view.shown.map((r) => r.id),
    },
  });
}

/**
 * Rectifies a record. Returns the names of the fields that changed (what the journal
 * keeps: never their values). A named record is no longer anonymous.
 */
export async function updateBeneficiary(
  db: Db,
  helper: Helper,
  b: Beneficiary,
  input: BeneficiaryInput,
  origin: Origin,
): Promise<string[]> {
  const values = personColumns(input);
  const changed = PERSON_FIELDS.filter((f) => values[f] !== b[f]);
  if (changed.length === 0) return [];
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('beneficiaire')
      .set({ ...values, anonyme: false, updated_at: new Date() })
      .where('id', '=', b.id)
      .execute();
    await audit(trx, {
      actor: helper.actor,
      action: 'beneficiaire.update',
      collectiviteId: b.collectivite_id,
      subject: { type: 'beneficiaire', id: b.id },
      ip: origin.ip ?? null,
      details: { champs: changed },
    });
  });
  return changed;
}

/**
 * Erases a record. Its participations stay, without the link to the person, with the
 * gender, age band, status and commune they copied: statistics do not change.
 */
export async function deleteBeneficiary(
  db: Db,
  helper: Helper,
  b: Beneficiary,
  origin: Origin,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const participations = await detachParticipations(trx, [b.id]);
    await trx.deleteFrom('beneficiaire').where('id', '=', b.id).execute();
    await audit(trx, {
      actor: helper.actor,
      action: 'beneficiaire.delete',
      collectiviteId: b.collectivite_id,
      subject: { type: 'beneficiaire', id: b.id },
      ip: origin.ip ?? null,
      details: { participations },
    });
    return participations;
  });
}

/** Fields a merge may fill in the kept record from the other one. */
const FILLABLE = [
  'prenom',
  'nom',
  'telephone',
  'email',
  'annee_naissance',
  'commune_insee',
  'genre',
  'statut',
  'notes',
] as const;

const isEmpty = (field: (typeof FILLABLE)[number], value: unknown) =>
  value === null || value === '' || ((field === 'genre' || field === 'statut') && value === 'non_communique');

/**
 * Merges `other` into `kept`: every participation moves to `kept`, the merge is recorded,
 * `other` is deleted. With `fillEmpty`, the kept record's empty fields take the other's values.
 */
export async function mergeBeneficiaries(
  db: Db,
  helper: Helper,
  kept: Beneficiary,
  other: Beneficiary,
  options: { fillEmpty: boolean },
  origin: Origin,
): Promise<{ participations: number; filled: string[] }> {
  if (kept.id === other.id) throw new Error('A record cannot be merged into itself.');
  return db.transaction().execute(async (trx) => {
    const participations = await moveParticipations(trx, other.id, kept.id);
    const filled: string[] = [];
    if (options.fillEmpty) {
      const patch: Record<string, unknown> = {};
      for (const field of FILLABLE) {
        if (isEmpty(field, kept[field]) && !isEmpty(field, other[field])) {
          patch[field] = other[field];
          filled.push(field);
        }
      }
      if (patch.telephone) patch.sans_telephone = false;
      if (filled.length > 0) {
        await trx
          .updateTable('beneficiaire')
          .set({ ...patch, anonyme: false, updated_at: new Date() })
          .where('id', '=', kept.id)
          .execute();
      }
    }
    // Earlier merges into the other record now belong to the kept one.
    await trx
      .updateTable('beneficiaire_fusion')
      .set({ kept_id: kept.id })
      .where('kept_id', '=', other.id)
      .execute();
    await trx
      .insertInto('beneficiaire_fusion')
      .values({ kept_id: kept.id, merged_id: other.id, user_id: helper.userId, participations })
      .execute();
    await trx.deleteFrom('beneficiaire').where('id', '=', other.id).execute();
    await audit(trx, {
      actor: helper.actor,
      action: 'beneficiaire.merge',
      collectiviteId: kept.collectivite_id,
      subject: { type: 'beneficiaire', id: kept.id },
      ip: origin.ip ?? null,
      details: { fusionne: other.id, participations, champs_completes: filled },
    });
    return { participations, filled };
  });
}

/** The people the helper may merge with this one: likely duplicates first. */
export function duplicateProbe(b: Beneficiary): BeneficiaryInput {
  return {
    prenom: b.prenom ?? undefined,
    nom: b.nom ?? undefined,
    telephone: b.telephone ?? undefined,
    sans_telephone: b.sans_telephone,
    email: b.email ?? undefined,
    annee_naissance: b.annee_naissance ?? undefined,
  } as BeneficiaryInput;
}

// ---------------------------------------------------------------------------------------
// Right of access

export type BeneficiaryExport = {
  genere_le: string;
  responsable: { nom: string; courriel: string | null; telephone: string | null };
  conservation: string;
  personne: {
    identifiant: string;
    anonyme: boolean;
    prenom: string | null;
    nom: string | null;
    telephone: string | null;
    sans_telephone: boolean;
    courriel: string | null;
    annee_naissance: number | null;
    tranche_age: string;
    commune: string | null;
    genre: string | null;
    statut: string | null;
    notes: string | null;
    cree_le: string;
    modifie_le: string;
  };
  accompagnements: {
    date: string;
    type: string;
    duree_min: number;
    lieu: string;
    thematiques: string[];
    demarches: string[];
    autonomie: string | null;
    oriente: boolean;
    orientation: string | null;
    notes: string | null;
    informations_pour_les_statistiques: {
      genre: string | null;
      tranche_age: string | null;
      statut: string | null;
      commune: string | null;
    };
  }[];
  fusions: { date: string; fiche_fusionnee: string; accompagnements_deplaces: number }[];
};

/** Everything held on the person, in French and readable; the export is journaled. */
export async function exportBeneficiary(
  db: Db,
  helper: Helper,
  b: Beneficiary,
  opsn: { name: string; contact_email: string | null; contact_phone: string | null } | undefined,
  format: 'json' | 'html',
  origin: Origin,
): Promise<BeneficiaryExport> {
  const [history, merges] = await Promise.all([historyOf(db, b.id), mergesInto(db, b.id)]);
  await audit(db, {
    actor: helper.actor,
    action: 'beneficiaire.export',
    collectiviteId: b.collectivite_id,
    subject: { type: 'beneficiaire', id: b.id },
    ip: origin.ip ?? null,
    details: { format, participations: history.length },
  });
  return {
    genere_le: new Date().toISOString(),
    responsable: {
      nom: opsn?.name ?? 'L’opérateur de Relais',
      courriel: opsn?.contact_email ?? null,
      telephone: opsn?.contact_phone ?? null,
    },
    conservation: `${RETENTION_TEXT}, puis effacement automatique`,
    personne: {
      identifiant: b.id,
      anonyme: b.anonyme,
      prenom: b.prenom,
      nom: b.nom,
      telephone: b.telephone,
      sans_telephone: b.sans_telephone,
      courriel: b.email,
      annee_naissance: b.annee_naissance,
      tranche_age: TRANCHES_AGE[trancheAge(b.annee_naissance)],
      commune: communeLabel(b.commune_insee),
      genre: label(GENRES, b.genre),
      statut: label(STATUTS, b.statut),
      notes: b.notes,
      cree_le: b.created_at.toISOString(),
      modifie_le: b.updated_at.toISOString(),
    },
    accompagnements: history.map((h) => ({
      date: h.date,
      type: h.typeLabel,
      duree_min: h.dureeMin,
      lieu: h.lieu,
      thematiques: h.thematiques,
      demarches: h.demarches,
      autonomie: h.autonomie,
      oriente: h.oriente,
      orientation: h.orientation,
      notes: h.notes,
      informations_pour_les_statistiques: {
        genre: label(GENRES, h.attributs.genre),
        tranche_age: label(TRANCHES_AGE, h.attributs.tranche_age),
        statut: label(STATUTS, h.attributs.statut),
        commune: communeLabel(h.attributs.commune_insee),
      },
    })),
    fusions: merges.map((m) => ({
      date: m.at.toISOString(),
      fiche_fusionnee: m.mergedId,
      accompagnements_deplaces: m.participations,
    })),
  };
}

// ---------------------------------------------------------------------------------------
// Retention

/**
 * Erases the records whose last accompaniment (or creation, without any) is older than the
 * retention period, keeping their participations anonymous. For the platform's purge job.
 */
export async function purgeExpiredBeneficiaries(db: Db, actor: Actor, now = new Date()): Promise<number> {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - RETENTION_MONTHS);
  const day = cutoff.toISOString().slice(0, 10);
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('beneficiaire as b')
      .select('b.id')
      .where(
        sql<SqlBool>`coalesce(
          ${lastParticipationDate(sql.ref('b.id'))},
          (b.created_at at time zone 'UTC')::date
        ) < ${day}::date`,
      )
      .execute();
    const ids = expired.map((r) => r.id);
    if (ids.length === 0) return 0;
    await detachParticipations(trx, ids);
    await trx.deleteFrom('beneficiaire').where('id', '=', sql<string>`any(${ids}::uuid[])`).execute();
    await audit(trx, {
      actor,
      action: 'beneficiaire.purge',
      details: { fiches: ids.length, avant: day },
    });
    return ids.length;
  });
}
