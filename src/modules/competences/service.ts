import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { ensure } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import type {
  ModuleContext,
  SkillsNeed,
  SkillsNextStep,
  SkillsNextStepSource,
} from '../../platform/module.ts';
import { findVisibleBeneficiary } from '../beneficiaires/index.ts';
import { communePositions } from '../couverture/index.ts';
import { searchPlaces, searchSchema } from '../lieux/index.ts';
import type { Helper } from '../mediateurs/index.ts';
import { resolveTypedCommune, searchCommunes } from '../territoires/index.ts';
import { COMPETENCES, DOMAIN_CODES, QUESTIONNAIRES, type Questionnaire, type Rule } from './questionnaire.ts';
import { type Answers, type Result, rulesFor, score, weakestDomains } from './scoring.ts';
import { DOMAIN_THEMES, type Mode } from './vocabulary.ts';

type Origin = { ip?: string | null };

/** A diagnosis as stored in a person's record. */
export type StoredDiagnosis = {
  id: string;
  created_at: Date;
  created_by_name: string | null;
  version: string;
  mode: Mode;
  result: Result;
};

// ------------------------------------------------------------------ counts (all that anonymous results leave)

/** The first day of the month of an instant, in Paris. */
const monthOf = (at: Date) =>
  `${new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' }).format(at)}-01`;

/** What a result adds to the monthly counts of its commune. */
export function indicatorsOf(r: Result): string[] {
  const out = ['total', `profil:${r.profile}`];
  for (const c of COMPETENCES) if ((r.levels[c.code]?.level ?? 0) <= 1) out.push(`faible:${c.code}`);
  for (const e of ['smartphone', 'ordinateur'] as const) if (!r.equipment.includes(e)) out.push(`sans:${e}`);
  if (r.equipment.includes('aucun')) out.push('sans:appareil');
  if (!r.connection.includes('internet_maison')) out.push('sans:internet_maison');
  if (r.connection.includes('aucune')) out.push('sans:internet');
  return out;
}

/** Counts one diagnosis in its month and commune ('' when unknown). */
export async function countDiagnosis(
  db: Db,
  r: Result,
  commune: string | null,
  at = new Date(),
): Promise<void> {
  const mois = monthOf(at);
  await db
    .insertInto('diagnostic_mois')
    .values(indicatorsOf(r).map((indicator) => ({ mois, commune_insee: commune ?? '', indicator, n: 1 })))
    .onConflict((oc) =>
      oc.columns(['mois', 'commune_insee', 'indicator']).doUpdateSet({ n: sql`diagnostic_mois.n + 1` }),
    )
    .execute();
}

/**
 * Counts an anonymous diagnosis once per pass through the questionnaire (`passage`: the random
 * id its last form carries), in one transaction with the mark; passes older than a day are
 * forgotten. Without a valid id it counts, as before passes existed.
 */
export async function countPassage(
  db: Db,
  passage: string | undefined,
  r: Result,
  commune: string | null,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (passage !== undefined && isUuid(passage)) {
      await tx
        .deleteFrom('diagnostic_passage')
        .where('created_at', '<', sql<Date>`now() - interval '1 day'`)
        .execute();
      const fresh = await tx
        .insertInto('diagnostic_passage')
        .values({ id: passage })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!fresh) return;
    }
    await countDiagnosis(tx, r, commune);
  });
}

// ------------------------------------------------------------------ the commune a person gives

/** A place a result leads to, as the result shows it. */
export type Place = {
  id: string;
  nom: string;
  adresse: string;
  commune: string;
  code_postal: string;
  distance_km: number | null;
  telephone: string[];
};

/** The commune typed on the last page (name, INSEE code or postcode), or a French reason. */
export function communeOfTyped(
  typed: string,
): { ok: true; code: string | null; name: string | null } | { ok: false; reason: string } {
  if (typed.trim() === '') return { ok: true, code: null, name: null };
  if (typed.length > 100) return { ok: false, reason: 'Commune : 100 caractères au plus.' };
  // People type their postcode far more often than an INSEE code: a postcode is read first.
  const text = typed.trim();
  if (/^\d{5}$/.test(text)) {
    const byPostcode = searchCommunes(text, 4);
    if (byPostcode.length === 1) return { ok: true, code: byPostcode[0]!.code, name: byPostcode[0]!.name };
    if (byPostcode.length > 1)
      return {
        ok: false,
        reason: `Commune : plusieurs communes ont le code postal ${text} (${byPostcode
          .slice(0, 3)
          .map((c) => c.name)
          .join(', ')}…) : écrivez le nom de votre commune.`,
      };
  }
  const found = resolveTypedCommune(typed);
  if (!found.ok) return { ok: false, reason: `Commune : ${found.reason}.` };
  return { ok: true, code: found.commune.code, name: found.commune.name };
}

/**
 * A next step of a result: a kind of place with the nearest ones offering it, workshops and
 * resources of the territory (offered by other modules), and national links to learn alone.
 */
export type NextSteps = {
  services: { service: string; places: Place[] }[];
  /** Workshops to book near the person, then resources of the library, from other modules. */
  offers: SkillsNextStep[];
  resources: NonNullable<Rule['resource']>[];
};

/**
 * What the person should work on, for the other modules' next steps: the competences at
 * level 2 or less, weakest first, and the themes of the domains at 2 or less (the weakest
 * domain's when none is).
 */
export function needOf(r: Result): Omit<SkillsNeed, 'near'> {
  const competences = Object.entries(r.levels)
    .filter(([, v]) => v.level <= 2)
    .sort((a, b) => a[1].level - b[1].level)
    .map(([code]) => code);
  const weakest = weakestDomains(r.domains);
  const weak = weakest.filter((d) => r.domains[d] <= 2);
  const themes = (weak.length > 0 ? weak : weakest.slice(0, 1)).flatMap((d) => DOMAIN_THEMES[d]);
  return { competences, themes: [...new Set(themes)] };
}

/** The places, workshops and resources a result leads to, the places nearest to the commune first. */
export async function nextSteps(
  ctx: ModuleContext,
  sources: readonly SkillsNextStepSource[],
  q: Questionnaire,
  r: Result,
  commune: string | null,
): Promise<NextSteps> {
  const { db } = ctx;
  const rules = rulesFor(q, r);
  const services = [...new Set(rules.flatMap((rule) => (rule.service ? [rule.service] : [])))].slice(0, 3);
  if (services.length === 0) services.push('Maîtrise des outils numériques du quotidien');
  const resources = rules.flatMap((rule) => (rule.resource ? [rule.resource] : []));
  const position = commune ? (await communePositions(db, [commune])).get(commune) : undefined;
  const where =
    position && position.latitude !== null && position.longitude !== null
      ? { near: `${position.latitude},${position.longitude}`, rayon_km: '30' }
      : commune
        ? { commune }
        : null;
  const near =
    position && position.latitude !== null && position.longitude !== null
      ? { latitude: position.latitude, longitude: position.longitude }
      : null;
  const need = { ...needOf(r), near };
  const offers = (await Promise.all(sources.map((source) => source(ctx, need)))).flat();
  offers.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'atelier' ? -1 : 1));
  const found = await Promise.all(
    services.map(async (service) => {
      if (!where) return { service, places: [] };
      const parsed = searchSchema.safeParse({ ...where, services: service, limit: '3' });
      if (!parsed.success) return { service, places: [] };
      const hits = (await searchPlaces(db, parsed.data)).hits;
      return {
        service,
        places: hits.map(({ id, nom, adresse, commune, code_postal, distance_km, telephone }) => ({
          id,
          nom,
          adresse,
          commune,
          code_postal,
          distance_km,
          telephone,
        })),
      };
    }),
  );
  return { services: found, offers, resources: resources.slice(0, 3) };
}

// ------------------------------------------------------------------ a person's record

/** A named person the helper sees (an anonymous record has no diagnosis: it names nobody to follow). */
export async function visiblePerson(db: Db, helper: Helper, personId: string) {
  const person = await findVisibleBeneficiary(db, helper, personId);
  return person && !person.anonyme ? person : undefined;
}

/** Records a diagnosis in the record of a person the helper sees, and counts it. */
export async function recordDiagnosis(
  db: Db,
  helper: Helper,
  personId: string,
  mode: Mode,
  q: Questionnaire,
  answers: Answers,
  origin: Origin,
): Promise<{ ok: true; id: string } | { ok: false; reason: string }> {
  const person = await visiblePerson(db, helper, personId);
  if (!person) return { ok: false, reason: 'Cette personne n’est pas dans vos fiches.' };
  ensure(helper.actor, 'skills.record', { collectiviteId: person.collectivite_id });
  const r = score(q, answers);
  const id = await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('diagnostic')
      .values({
        collectivite_id: person.collectivite_id,
        beneficiaire_id: person.id,
        created_by: helper.userId,
        version: q.version,
        mode,
        answers: JSON.stringify(answers),
        levels: JSON.stringify(r.levels),
        domains: JSON.stringify(r.domains),
        profile: r.profile,
        equipment: r.equipment,
        connection: r.connection,
        autonomy: r.autonomy,
        confidence: r.confidence,
        urgent: r.urgent,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await countDiagnosis(tx, r, person.commune_insee);
    await audit(tx, {
      actor: helper.actor,
      action: 'skill.record',
      collectiviteId: person.collectivite_id,
      subject: { type: 'beneficiaire', id: person.id },
      ip: origin.ip ?? null,
      details: { diagnostic: row.id, version: q.version, mode },
    });
    return row.id;
  });
  return { ok: true, id };
}

/** The stored diagnoses of a person, newest first (at most 50). */
async function diagnosesOf(db: Db, personId: string): Promise<StoredDiagnosis[]> {
  const rows = await db
    .selectFrom('diagnostic as d')
    .leftJoin('app_user as u', 'u.id', 'd.created_by')
    .select([
      'd.id',
      'd.created_at',
      'u.name as created_by_name',
      'd.version',
      'd.mode',
      'd.levels',
      'd.domains',
      'd.profile',
      'd.equipment',
      'd.connection',
      'd.autonomy',
      'd.confidence',
      'd.urgent',
    ])
    .where('d.beneficiaire_id', '=', personId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(50)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    created_at: row.created_at,
    created_by_name: row.created_by_name,
    version: row.version,
    mode: row.mode,
    result: {
      version: row.version,
      levels: row.levels,
      domains: row.domains as Result['domains'],
      profile: row.profile,
      equipment: row.equipment as Result['equipment'],
      connection: row.connection as Result['connection'],
      autonomy: row.autonomy,
      confidence: row.confidence,
      urgent: row.urgent,
    },
  }));
}

/** The diagnoses of a person the helper sees, journaled as an access to their data; undefined otherwise. */
export async function personDiagnoses(
  db: Db,
  helper: Helper,
  personId: string,
  origin: Origin,
  action: 'skill.read' | 'skill.export' = 'skill.read',
) {
  const person = await visiblePerson(db, helper, personId);
  if (!person) return undefined;
  const diagnoses = await diagnosesOf(db, person.id);
  await audit(db, {
    actor: helper.actor,
    action,
    collectiviteId: person.collectivite_id,
    subject: { type: 'beneficiaire', id: person.id },
    ip: origin.ip ?? null,
    details: { diagnostics: diagnoses.length },
  });
  return { person, diagnoses };
}

/** Before and after, per domain: the first and the latest diagnosis (same 0–5 scale). */
export function progressBetween(first: StoredDiagnosis, last: StoredDiagnosis) {
  return DOMAIN_CODES.map((d) => ({
    domain: d,
    before: first.result.domains[d],
    after: last.result.domains[d],
  }));
}

/** The helper's diagnoses this month and all time (the space block). */
export async function helperCounts(db: Db, helper: Helper): Promise<{ month: number; total: number }> {
  const row = await db
    .selectFrom('diagnostic')
    .select([
      sql<string>`count(*)`.as('total'),
      sql<string>`count(*) filter (where created_at >= date_trunc('month', now()))`.as('month'),
    ])
    .where('created_by', '=', helper.userId)
    .executeTakeFirstOrThrow();
  return { month: Number(row.month), total: Number(row.total) };
}

export const questionnaireOf = (version: string): Questionnaire | undefined =>
  Object.hasOwn(QUESTIONNAIRES, version) ? QUESTIONNAIRES[version] : undefined;
