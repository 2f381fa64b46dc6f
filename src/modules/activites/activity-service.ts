import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { audit, auditRow } from '../../platform/audit/journal.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { codes, isUuid } from '../../platform/forms.ts';
import { isCalendarDay, parisToday } from '../../platform/paris-time.ts';
import {
  type Beneficiary,
  createBeneficiary,
  findDuplicates,
  fullNameOf,
  type PersonAttributes,
  peopleAccompaniedBy,
  personAttributes,
  personColumn,
  snapshotOf,
  visibleIds,
} from '../beneficiaires/index.ts';
import { type PlaceSummary, placeSummaries } from '../lieux/index.ts';
import { type Helper, helperPlaces } from '../mediateurs/index.ts';
import { findCommune } from '../territoires/index.ts';
import {
  type ActivityErrors,
  type ActivityInput,
  type AnonymousPerson,
  expandAnonymous,
  parseActivity,
  type ValidationContext,
} from './activity-schema.ts';
import { writeReport } from './report-writer.ts';
import { THEMATIQUES, TYPES_ACTIVITE, type TypeActivite } from './vocabulary.ts';

/**
 * Activity reports of a helper: record, change, delete (each in one transaction, journaled
 * with the report's id only), read back, list with filters, and the rows of the exports.
 * A helper reads and changes only their own reports.
 */

export type Activity = Selectable<Database['activite']>;
export type Participation = Selectable<Database['participation']>;
/** A participation with the person's name when it is someone known (for the helper's eyes only). */
export type ParticipationView = Participation & { prenom: string | null; nom: string | null };

/** A report as stored, with its participations. */
export type StoredActivity = Activity & { participations: Participation[] };

type Refusal =
  | { ok: false; errors: ActivityErrors }
  /** The new person may be someone the helper already follows: they choose, then send again. */
  | { ok: false; duplicates: Beneficiary[] };

/** The helper's places; a report being changed keeps its own even when they have left it since. */
export async function reportPlaces(
  db: Db,
  helper: Helper,
  keptPlaceId?: string | null,
): Promise<PlaceSummary[]> {
  const places = await helperPlaces(db, helper.userId);
  if (keptPlaceId && !places.some((p) => p.id === keptPlaceId))
    places.push(...(await placeSummaries(db, [keptPlaceId])));
  return places;
}

/** What the schema needs to know about this helper today. */
async function validationContext(
  db: Db,
  helper: Helper,
  keptPlaceId?: string | null,
): Promise<ValidationContext> {
  const places = await reportPlaces(db, helper, keptPlaceId);
  return {
    today: parisToday(),
    places: new Map(places.map((p) => [p.id, p])),
    visible: (ids) => visibleIds(db, helper, ids),
  };
}

/** Checks a report as the form (converted) or the API sends it. */
export async function checkActivity(
  db: Db,
  helper: Helper,
  raw: unknown,
  keptPlaceId?: string | null,
): Promise<{ ok: true; input: ActivityInput } | { ok: false; errors: ActivityErrors }> {
  const context = await validationContext(db, helper, keptPlaceId);
  return parseActivity(raw, context);
}

/** Records a new report; nothing is written when anything is wrong. */
export async function recordActivity(
  db: Db,
  helper: Helper,
  raw: unknown,
): Promise<{ ok: true; id: string; activity: StoredActivity } | Refusal> {
  const checked = await checkActivity(db, helper, raw);
  if (!checked.ok) return checked;
  const { input } = checked;
  const person = input.nouveau_beneficiaire;
  // Most reports name no new person: one statement writes them, the fewest round trips.
  if (!person) {
    const activity = await insertReport(db, helper, input);
    return { ok: true, id: activity.id, activity };
  }
  const duplicates = await duplicatesToConfirm(db, helper, input);
  if (duplicates.length > 0) return { ok: false, duplicates };
  const activity = await db.transaction().execute(async (trx) => {
    const id = await createBeneficiary(trx, helper, person);
    return insertReport(trx, helper, {
      ...input,
      beneficiaires: [...input.beneficiaires, id],
      nouveau_beneficiaire: null,
    });
  });
  return { ok: true, id: activity.id, activity };
}

/**
 * Records several reports at once (demo data, imports): each checked as one alone, all
 * written in one transaction, or none when any is refused. People new to the helper are
 * not created here: duplicates need the helper's eyes.
 */
export async function recordActivities(
  db: Db,
  helper: Helper,
  raws: unknown[],
): Promise<
  { ok: true; ids: string[] } | { ok: false; rejected: { index: number; errors: ActivityErrors }[] }
> {
  const context = await validationContext(db, helper);
  const seen = new Map<string, boolean>();
  const onceContext: ValidationContext = {
    ...context,
    // People seen once are not asked for again.
    visible: async (ids) => {
      const unknown = ids.filter((id) => !seen.has(id));
      if (unknown.length > 0) {
        const found = await context.visible(unknown);
        for (const id of unknown) seen.set(id, found.has(id));
      }
      return new Set(ids.filter((id) => seen.get(id)));
    },
  };
  const inputs: ActivityInput[] = [];
  const rejected: { index: number; errors: ActivityErrors }[] = [];
  for (const [index, raw] of raws.entries()) {
    const parsed = await parseActivity(raw, onceContext);
    if (!parsed.ok) rejected.push({ index, errors: parsed.errors });
    else if (parsed.input.nouveau_beneficiaire)
      rejected.push({
        index,
        errors: {
          nouveau_beneficiaire:
            'Personne accompagnée : créez les personnes avant d’enregistrer leurs comptes rendus',
        },
      });
    else inputs.push(parsed.input);
  }
  if (rejected.length > 0) return { ok: false, rejected };
  const ids = await db.transaction().execute((trx) => writeMany(trx, helper, inputs));
  return { ok: true, ids };
}

/** Changes one of the helper's reports (undefined: no such report of theirs). */
export async function updateActivity(
  db: Db,
  helper: Helper,
  id: string,
  raw: unknown,
): Promise<{ ok: true; id: string } | Refusal | undefined> {
  const existing = await findOwnActivityRow(db, helper, id);
  if (!existing) return undefined;
  // A report keeps its kind: an individual one does not become a workshop.
  const checked = await checkActivity(
    db,
    helper,
    { ...(raw as object), type: existing.type },
    existing.lieu_id,
  );
  if (!checked.ok) return checked;
  const duplicates = await duplicatesToConfirm(db, helper, checked.input);
  if (duplicates.length > 0) return { ok: false, duplicates };
  await db.transaction().execute((trx) => rewrite(trx, helper, checked.input, existing));
  return { ok: true, id };
}

/** Deletes one of the helper's reports and its participations; the people stay. */
export async function deleteActivity(db: Db, helper: Helper, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom('activite')
      .where('id', '=', id)
      .where('mediateur_id', '=', helper.userId)
      .returning(['id', 'type', 'collectivite_id'])
      .executeTakeFirst();
    if (!row) return false;
    await audit(trx, {
      actor: helper.actor,
      action: 'activite.delete',
      collectiviteId: row.collectivite_id,
      subject: { type: 'activite', id: row.id },
      details: { type: row.type },
    });
    return true;
  });
}

async function duplicatesToConfirm(db: Db, helper: Helper, input: ActivityInput): Promise<Beneficiary[]> {
  if (!input.nouveau_beneficiaire || input.nouveau_confirme) return [];
  return findDuplicates(db, helper, input.nouveau_beneficiaire);
}

/** The columns of report `activity` and its participation rows: known people as they are on its date. */
function rowsOf(
  input: ActivityInput,
  known: string[],
  people: Map<string, PersonAttributes>,
  activity: { id: string; collectivite_id: number },
) {
  const anonymous: AnonymousPerson[] = [
    ...(input.anonyme ? [input.anonyme] : []),
    ...(input.anonymes ? expandAnonymous(input.anonymes) : []),
  ];
  const rows = [
    ...known.map((id) => ({ beneficiaire_id: id, ...snapshotOf(people.get(id)!, input.date) })),
    ...anonymous.map((person) => ({ beneficiaire_id: null, ...person })),
  ].map((r) => ({
    ...r,
    id: randomUUID(),
    activite_id: activity.id,
    collectivite_id: activity.collectivite_id,
    date: input.date,
  }));
  const { type, beneficiaires, nouveau_beneficiaire, nouveau_confirme, anonyme, anonymes, ...columns } =
    input;
  // At home: the activity took place in the person's commune, when known.
  if (input.canal === 'domicile' && type === 'individuel')
    columns.commune_insee = rows[0]?.commune_insee ?? null;
  return { values: columns, rows };
}

/** Replaces a stored report's fields and participations; the journal names the fields changed. */
async function rewrite(trx: Db, helper: Helper, input: ActivityInput, existing: Activity): Promise<void> {
  const { id, collectivite_id: collectiviteId } = existing;
  const known = [...input.beneficiaires];
  if (input.nouveau_beneficiaire)
    known.push(await createBeneficiary(trx, helper, input.nouveau_beneficiaire));
  const { values, rows } = rowsOf(input, known, await personAttributes(trx, known), existing);
  await trx
    .updateTable('activite')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
  await trx.deleteFrom('participation').where('activite_id', '=', id).execute();
  if (rows.length > 0) await trx.insertInto('participation').values(rows).execute();
  // Which fields changed, never their values.
  const champs = (Object.keys(values) as (keyof typeof values)[]).filter(
    (k) => JSON.stringify(existing[k]) !== JSON.stringify(values[k]),
  );
  await audit(trx, {
    actor: helper.actor,
    action: 'activite.update',
    collectiviteId,
    subject: { type: 'activite', id },
    details: { type: input.type, participants: rows.length, champs },
  });
}

/**
 * A new report whose people already exist, in one statement with its participations and its
 * journal entry, possibly beside other reports sent at the same moment (`report-writer.ts`);
 * returns the report as stored with its participations (known people first, then by id, as
 * `apiActivities`).
 */
async function insertReport(db: Db, helper: Helper, input: ActivityInput): Promise<StoredActivity> {
  const people = input.beneficiaires.length > 0 ? await personAttributes(db, input.beneficiaires) : new Map();
  const id = randomUUID();
  const collectiviteId = helper.collectiviteId;
  const { values, rows } = rowsOf(input, input.beneficiaires, people, {
    id,
    collectivite_id: collectiviteId,
  });
  return writeReport(db, {
    report: {
      ...values,
      oriente: values.oriente ?? false,
      id,
      type: input.type,
      collectivite_id: collectiviteId,
      mediateur_id: helper.userId,
    },
    participations: rows.map((r) => ({
      id: r.id,
      beneficiaire_id: r.beneficiaire_id,
      genre: r.genre,
      tranche_age: r.tranche_age,
      statut: r.statut,
      commune_insee: r.commune_insee,
    })),
    journal: auditRow({
      actor: helper.actor,
      action: 'activite.create',
      collectiviteId,
      subject: { type: 'activite', id },
      details: { type: input.type, participants: rows.length },
    }),
  });
}

/** Many new reports in a few statements, journaled as one event that names each of them. */
async function writeMany(trx: Db, helper: Helper, inputs: ActivityInput[]): Promise<string[]> {
  const people = await personAttributes(trx, [...new Set(inputs.flatMap((i) => i.beneficiaires))]);
  const ids = inputs.map(() => randomUUID());
  const prepared = inputs.map((input, i) =>
    rowsOf(input, input.beneficiaires, people, { id: ids[i]!, collectivite_id: helper.collectiviteId }),
  );
  const base = { collectivite_id: helper.collectiviteId, mediateur_id: helper.userId };
  for (let i = 0; i < inputs.length; i += 500)
    await trx
      .insertInto('activite')
      .values(
        inputs
          .slice(i, i + 500)
          .map((input, j) => ({ ...prepared[i + j]!.values, ...base, id: ids[i + j]!, type: input.type })),
      )
      .execute();
  const participations = prepared.flatMap(({ rows }) => rows);
  for (let i = 0; i < participations.length; i += 1000)
    await trx
      .insertInto('participation')
      .values(participations.slice(i, i + 1000))
      .execute();
  await audit(trx, {
    actor: helper.actor,
    action: 'activite.create',
    collectiviteId: helper.collectiviteId,
    details: { lot: ids.length, activites: ids, participants: participations.length },
  });
  return ids;
}

// ---------------------------------------------------------------- reading

function findOwnActivityRow(db: Db, helper: Helper, id: string): Promise<Activity | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return db
    .selectFrom('activite')
    .selectAll()
    .where('id', '=', id)
    .where('mediateur_id', '=', helper.userId)
    .executeTakeFirst();
}

export type ActivityDetail = {
  activity: Activity;
  participations: ParticipationView[];
  place: PlaceSummary | null;
};

/** One of the helper's own reports with its participations (undefined for anyone else's). */
export async function findOwnActivity(
  db: Db,
  helper: Helper,
  id: string,
): Promise<ActivityDetail | undefined> {
  const activity = await findOwnActivityRow(db, helper, id);
  if (!activity) return undefined;
  const participations = await db
    .selectFrom('participation as p')
    .selectAll('p')
    .select([
      personColumn(sql.ref('p.beneficiaire_id'), 'prenom').as('prenom'),
      personColumn(sql.ref('p.beneficiaire_id'), 'nom').as('nom'),
    ])
    .where('p.activite_id', '=', activity.id)
    .orderBy(sql`p.beneficiaire_id is null`)
    .orderBy(personColumn(sql.ref('p.beneficiaire_id'), 'search_text'))
    .execute();
  const place = activity.lieu_id ? ((await placeSummaries(db, [activity.lieu_id]))[0] ?? null) : null;
  return { activity, participations, place };
}

/** Where and how long the helper's last report was: the next one starts from there. */
export function lastReportDefaults(db: Db, helper: Helper) {
  return db
    .selectFrom('activite')
    .select(['canal', 'lieu_id', 'duree_min', 'commune_insee'])
    .where('mediateur_id', '=', helper.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

// ---------------------------------------------------------------- lists and exports

/** The filters of a list, as its address names them. */
export const FILTER_KEYS = ['du', 'au', 'type', 'thematique', 'lieu', 'commune', 'beneficiaire'] as const;
export type ActivityFilters = Partial<Record<(typeof FILTER_KEYS)[number], string>> & { type?: TypeActivite };

export const PAGE_SIZE = 25;

/** The filters of a list's address; what is not understood is left out. */
export function parseFilters(query: Record<string, unknown>): ActivityFilters {
  const s = (k: string) => (typeof query[k] === 'string' ? (query[k] as string).trim() : '');
  const f: ActivityFilters = {};
  if (isCalendarDay(s('du'))) f.du = s('du');
  if (isCalendarDay(s('au'))) f.au = s('au');
  const type = s('type');
  if ((codes(TYPES_ACTIVITE) as string[]).includes(type)) f.type = type as TypeActivite;
  if (Object.hasOwn(THEMATIQUES, s('thematique'))) f.thematique = s('thematique');
  if (isUuid(s('lieu'))) f.lieu = s('lieu');
  if (/^(\d{5}|2[AB]\d{3})$/i.test(s('commune'))) f.commune = s('commune').toUpperCase();
  if (isUuid(s('beneficiaire'))) f.beneficiaire = s('beneficiaire');
  return f;
}

function ownFiltered(db: Db, helper: Helper, f: ActivityFilters) {
  let q = db.selectFrom('activite as a').where('a.mediateur_id', '=', helper.userId);
  if (f.du) q = q.where('a.date', '>=', f.du);
  if (f.au) q = q.where('a.date', '<=', f.au);
  if (f.type) q = q.where('a.type', '=', f.type);
  if (f.thematique) q = q.where(sql<boolean>`${f.thematique} = any(a.thematiques)`);
  if (f.lieu) q = q.where('a.lieu_id', '=', f.lieu);
  if (f.commune) q = q.where('a.commune_insee', '=', f.commune);
  if (f.beneficiaire) {
    const id = f.beneficiaire;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('participation as p')
          .select('p.id')
          .whereRef('p.activite_id', '=', 'a.id')
          .where('p.beneficiaire_id', '=', id),
      ),
    );
  }
  return q;
}

export type ListedActivity = Awaited<ReturnType<typeof listActivities>>['rows'][number];

/** One page of the helper's reports, most recent first, with the total. */
export async function listActivities(db: Db, helper: Helper, f: ActivityFilters, page: number) {
  const { total } = await ownFiltered(db, helper, f)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const rows = await ownFiltered(db, helper, f)
    .select([
      'a.id',
      'a.type',
      'a.date',
      'a.duree_min',
      'a.canal',
      'a.lieu_id',
      'a.commune_insee',
      'a.thematiques',
      'a.titre',
    ])
    .select([
      sql<number>`(select count(*) from participation p where p.activite_id = a.id)::int`.as('participants'),
      sql<string | null>`(select ${fullNameOf(sql.ref('p.beneficiaire_id'))}
        from participation p
        where p.activite_id = a.id and p.beneficiaire_id is not null and a.type = 'individuel' limit 1)`.as(
        'person',
      ),
    ])
    .orderBy('a.date', 'desc')
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  const places = new Map(
    (await placeSummaries(db, [...new Set(rows.flatMap((r) => (r.lieu_id ? [r.lieu_id] : [])))])).map((p) => [
      p.id,
      p.nom,
    ]),
  );
  return {
    total,
    rows: rows.map((r) => ({ ...r, place: r.lieu_id ? (places.get(r.lieu_id) ?? null) : null })),
  };
}

/** The choices of the list's filters: the helper's places, and the communes and people of their reports. */
export async function filterChoices(db: Db, helper: Helper) {
  const [places, communes, people] = await Promise.all([
    helperPlaces(db, helper.userId),
    db
      .selectFrom('activite')
      .select('commune_insee')
      .distinct()
      .where('mediateur_id', '=', helper.userId)
      .where('commune_insee', 'is not', null)
      .execute(),
    peopleAccompaniedBy(db, helper.userId),
  ]);
  return {
    places,
    communes: communes
      .map((c) => ({
        code: c.commune_insee as string,
        name: findCommune(c.commune_insee as string)?.name ?? '',
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    people,
  };
}

/** One row of the exports: one participation of one report. */
export type ExportRow = Omit<
  Activity,
  'id' | 'collectivite_id' | 'mediateur_id' | 'lieu_id' | 'notes' | 'created_at' | 'updated_at'
> & {
  activite_id: string;
  participants: number;
  lieu: PlaceSummary | null;
  beneficiaire: Pick<Participation, 'commune_insee' | 'genre' | 'tranche_age' | 'statut'>;
};

/**
 * Reports read per page by the exports: their rows alone sit in memory, and a smaller page dies
 * in the young generation instead of being promoted (1 000: 338 MB of RSS at peak for 100 000
 * CSV rows, 100: 235 MB, with `--max-semi-space-size=8`).
 */
export const EXPORT_PAGE = 250;

/** Where a page of the export stops: its last report's sort key. */
type ExportCursor = { date: string; createdAt: string; id: string };

/**
 * Every participation of the helper's filtered reports, most recent report first, read by
 * pages of `pageSize` reports (keyset on the list's order, the same on both engines): memory
 * holds one page, whatever the number of rows. Each page holds whole reports, so that each
 * row counts its report's participants.
 */
export async function* exportRowPages(
  db: Db,
  helper: Helper,
  f: ActivityFilters,
  pageSize = EXPORT_PAGE,
): AsyncGenerator<ExportRow[]> {
  const places = new Map<string, PlaceSummary>();
  let after: ExportCursor | undefined;
  for (;;) {
    let reports = ownFiltered(db, helper, f);
    if (after) {
      const { date, createdAt, id } = after;
      reports = reports.where('a.date', '<=', date).where(
        sql<boolean>`(a.date < ${date}::date or a.created_at < ${createdAt}::timestamptz
          or (a.created_at = ${createdAt}::timestamptz and a.id > ${id}::uuid))`,
      );
    }
    const page = await reports
      .select(['a.id', 'a.date', sql<string>`a.created_at::text`.as('created_at')])
      .orderBy('a.date', 'desc')
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return;
    const last = page[page.length - 1]!;
    after = { date: last.date, createdAt: last.created_at, id: last.id };
    const rows = await db
      .selectFrom('activite as a')
      .innerJoin('participation as p', 'p.activite_id', 'a.id')
      .select([
        'a.id as activite_id',
        'a.date',
        'a.type',
        'a.canal',
        'a.lieu_id',
        'a.commune_insee',
        'a.duree_min',
        'a.titre',
        'a.materiels',
        'a.thematiques',
        'a.demarches',
        'a.autonomie',
        'a.niveau',
        'a.oriente',
        'a.orientation',
        'p.genre',
        'p.tranche_age',
        'p.statut',
        'p.commune_insee as p_commune',
        sql<number>`(count(*) over (partition by a.id))::int`.as('participants'),
      ])
      .where('a.id', '=', sql<string>`any(${page.map((r) => r.id)}::uuid[])`)
      .orderBy('a.date', 'desc')
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id')
      .orderBy(sql`p.beneficiaire_id is null`)
      .orderBy('p.id')
      .execute();
    const unknown = [
      ...new Set(rows.flatMap((r) => (r.lieu_id && !places.has(r.lieu_id) ? [r.lieu_id] : []))),
    ];
    for (const place of await placeSummaries(db, unknown)) places.set(place.id, place);
    yield rows.map(({ lieu_id, p_commune, genre, tranche_age, statut, ...r }) => ({
      ...r,
      lieu: lieu_id ? (places.get(lieu_id) ?? null) : null,
      beneficiaire: { commune_insee: p_commune, genre, tranche_age, statut },
    }));
    if (page.length < pageSize) return;
  }
}

/** The export's rows one by one, page after page. */
export async function* exportRowStream(
  db: Db,
  helper: Helper,
  f: ActivityFilters,
  pageSize = EXPORT_PAGE,
): AsyncGenerator<ExportRow> {
  for await (const page of exportRowPages(db, helper, f, pageSize)) yield* page;
}

/** How many rows the export of these filters has (for the journal, before it streams). */
export async function countExportRows(db: Db, helper: Helper, f: ActivityFilters): Promise<number> {
  const { n } = await ownFiltered(db, helper, f)
    .innerJoin('participation as p', 'p.activite_id', 'a.id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return n;
}

/** Records that the helper exported their reports: the filter and how many rows left. */
export async function journalExport(db: Db, helper: Helper, format: 'csv' | 'xlsx', f: ActivityFilters) {
  await audit(db, {
    actor: helper.actor,
    action: 'activites.export',
    collectiviteId: helper.collectiviteId,
    details: { format, filtre: f, lignes: await countExportRows(db, helper, f) },
  });
}

/** The helper's reports for the API: a page of them with their participations (ids, no names). */
export async function apiActivities(
  db: Db,
  helper: Helper,
  f: ActivityFilters,
  page: number,
  limit: number,
): Promise<{ total: number; items: StoredActivity[] }> {
  const { total } = await ownFiltered(db, helper, f)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  const items = await ownFiltered(db, helper, f)
    .selectAll('a')
    .select(
      sql<Participation[]>`coalesce((select json_agg(p order by p.beneficiaire_id is null, p.id)
        from participation p where p.activite_id = a.id), '[]')`.as('participations'),
    )
    .orderBy('a.date', 'desc')
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id')
    .limit(limit)
    .offset((page - 1) * limit)
    .execute();
  return { total, items };
}
