import { type Selectable, sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import {
  allValues,
  codes,
  isUuid,
  optionalText,
  requiredText,
  trimString,
  typedNumber,
} from '../../platform/forms.ts';
import { isCalendarDay as isDay, parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { DEFAULT_RADIUS_KM, placesOpeningWhiteZones } from '../couverture/index.ts';
import { monthlyTrainingCounts } from '../formations/index.ts';
import { communeIndexes, DEFAULT_THRESHOLD } from '../observatoire/index.ts';
import { medianResponseDays } from '../orientations/index.ts';
import { computeStatistics, roundToBase } from '../statistiques/index.ts';
import { listCollectivites } from '../territoires/index.ts';
import {
  ACTION_STATUSES,
  type ActionStatus,
  ALL_INDICATORS,
  AMOUNT_MAX,
  CEILING_INDICATORS,
  type Indicator,
  NAME_MAX,
  NEEDS,
  TEXT_MAX,
} from './vocabulary.ts';

export type Roadmap = Selectable<Database['reseau_feuille_route']>;
/** What the roadmap pages show of an action. */
export type RoadmapAction = Pick<
  Selectable<Database['reseau_action']>,
  | 'id'
  | 'feuille_route_id'
  | 'titre'
  | 'besoins'
  | 'status'
  | 'debut'
  | 'fin'
  | 'indicateur'
  | 'indicateur_collectivite_id'
  | 'cible'
  | 'budget_euros'
> & {
  /** The members carrying it. */
  porteurs: string[];
  /** The sum of its co-financings, in euros. */
  cofinance: number;
};

export const roadmapFields = z.object({
  nom: requiredText('le nom de la feuille de route', NAME_MAX),
  porteur: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().refine(isUuid, 'Choisissez un membre de la liste.').optional(),
  ),
  perimetre: requiredText('le périmètre', NAME_MAX),
  contexte: optionalText('le contexte', TEXT_MAX),
  // Absent (a form from before the choice existed): public, as every roadmap was until then.
  visibilite: z.preprocess(
    (v) => (v === undefined || v === '' ? 'publique' : v),
    z.enum(['publique', 'interne'], { error: 'Choisissez qui peut lire la feuille de route.' }).optional(),
  ),
});

export async function createRoadmap(
  db: Db,
  actor: Actor,
  input: z.infer<typeof roadmapFields>,
): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
  ensure(actor, 'network.manage');
  if (input.porteur) {
    const m = await db
      .selectFrom('reseau_membre')
      .select('id')
      .where('id', '=', input.porteur)
      .where('status', '=', 'membre')
      .executeTakeFirst();
    if (!m) return { ok: false, errors: { porteur: 'Choisissez un membre actuel du réseau.' } };
  }
  const row = await db
    .insertInto('reseau_feuille_route')
    .values({
      nom: input.nom,
      porteur_id: input.porteur ?? null,
      perimetre: input.perimetre,
      contexte: input.contexte ?? null,
      publique: input.visibilite !== 'interne',
      created_by: actor.kind === 'user' ? actor.userId : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(db, {
    actor,
    action: 'network.roadmap.create',
    subject: { type: 'reseau_feuille_route', id: row.id },
  });
  return { ok: true, id: row.id };
}

export async function updateRoadmap(
  db: Db,
  actor: Actor,
  id: string,
  input: z.infer<typeof roadmapFields>,
): Promise<'ok' | 'not_found' | FieldErrors> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  if (input.porteur) {
    const m = await db
      .selectFrom('reseau_membre')
      .select('id')
      .where('id', '=', input.porteur)
      .where('status', '=', 'membre')
      .executeTakeFirst();
    if (!m) return { porteur: 'Choisissez un membre actuel du réseau.' };
  }
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('reseau_feuille_route')
      .set({
        nom: input.nom,
        porteur_id: input.porteur ?? null,
        perimetre: input.perimetre,
        contexte: input.contexte ?? null,
        publique: input.visibilite !== 'interne',
      })
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) return 'not_found' as const;
    await audit(trx, {
      actor,
      action: 'network.roadmap.update',
      subject: { type: 'reseau_feuille_route', id },
    });
    return 'ok' as const;
  });
}

/** A roadmap and one action, for their edit forms. */
export async function roadmapOf(db: Db, actor: Actor, id: string) {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return undefined;
  return db.selectFrom('reseau_feuille_route').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function actionOf(db: Db, actor: Actor, id: string) {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return undefined;
  return db.selectFrom('reseau_action').selectAll().where('id', '=', id).executeTakeFirst();
}

const day = (label: string) =>
  z.preprocess(
    trimString,
    z
      .string({ error: `Saisissez la date de ${label}.` })
      .refine(isDay, `Date de ${label} : saisissez une date valide, par exemple 2027-01-15.`),
  );
const count = (label: string, max: number) =>
  z.preprocess(
    typedNumber,
    z
      .number({ error: `${label} : saisissez un nombre.` })
      .int(`${label} : saisissez un nombre entier.`)
      .min(1, `${label} : au moins 1.`)
      .max(max, `${label} : ${max.toLocaleString('fr-FR')} au plus.`)
      .optional(),
  );

export const actionFields = z
  .object({
    feuille: z
      .string({ error: 'Choisissez la feuille de route.' })
      .refine(isUuid, 'Choisissez la feuille de route.'),
    titre: requiredText('le titre de l’action', NAME_MAX),
    description: optionalText('la description', TEXT_MAX),
    besoins: z.preprocess(
      allValues,
      z.array(z.enum(codes(NEEDS), { error: 'Choisissez des besoins de la liste.' })),
    ),
    debut: day('début'),
    fin: day('fin'),
    budget: count('Budget', AMOUNT_MAX),
    indicateur: z.enum(codes(ALL_INDICATORS), { error: 'Choisissez un indicateur.' }),
    collectivite: z.preprocess(
      (v) => (v === '' ? undefined : typedNumber(v)),
      z.number({ error: 'Choisissez une collectivité de la liste.' }).int().optional(),
    ),
    cible: count('Cible', 100_000_000),
  })
  .superRefine((v, ctx) => {
    if (v.fin < v.debut)
      ctx.addIssue({ code: 'custom', path: ['fin'], message: 'L’action doit finir après son début.' });
    if (v.indicateur !== 'aucun' && v.cible === undefined)
      ctx.addIssue({ code: 'custom', path: ['cible'], message: 'Saisissez la cible de l’indicateur.' });
  });

/** Why an action's roadmap or collectivité cannot be taken, or null. */
async function actionInputErrors(
  db: Db,
  input: z.infer<typeof actionFields>,
  collectiviteIds: readonly number[],
): Promise<FieldErrors | null> {
  const roadmap = await db
    .selectFrom('reseau_feuille_route')
    .select('id')
    .where('id', '=', input.feuille)
    .executeTakeFirst();
  if (!roadmap) return { feuille: 'Choisissez une feuille de route de la liste.' };
  if (input.collectivite !== undefined && !collectiviteIds.includes(input.collectivite))
    return { collectivite: 'Choisissez une collectivité de la liste.' };
  return null;
}

/** An action's columns, the same on its creation and its change. */
const actionColumns = (input: z.infer<typeof actionFields>) => ({
  feuille_route_id: input.feuille,
  titre: input.titre,
  description: input.description ?? null,
  besoins: input.besoins,
  debut: input.debut,
  fin: input.fin,
  budget_euros: input.budget ?? null,
  indicateur: input.indicateur,
  indicateur_collectivite_id: input.indicateur === 'aucun' ? null : (input.collectivite ?? null),
  cible: input.indicateur === 'aucun' ? null : (input.cible ?? null),
});

export async function createAction(
  db: Db,
  actor: Actor,
  input: z.infer<typeof actionFields>,
  collectiviteIds: readonly number[],
): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
  ensure(actor, 'network.manage');
  const errors = await actionInputErrors(db, input, collectiviteIds);
  if (errors) return { ok: false, errors };
  const row = await db
    .insertInto('reseau_action')
    .values(actionColumns(input))
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(db, { actor, action: 'network.action.create', subject: { type: 'reseau_action', id: row.id } });
  return { ok: true, id: row.id };
}

/** Changes an action (its roadmap may change too); its progress stays computed. */
export async function updateAction(
  db: Db,
  actor: Actor,
  id: string,
  input: z.infer<typeof actionFields>,
  collectiviteIds: readonly number[],
): Promise<'ok' | 'not_found' | FieldErrors> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  const errors = await actionInputErrors(db, input, collectiviteIds);
  if (errors) return errors;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('reseau_action')
      .set({ ...actionColumns(input), updated_at: new Date() })
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) return 'not_found' as const;
    await audit(trx, { actor, action: 'network.action.update', subject: { type: 'reseau_action', id } });
    return 'ok' as const;
  });
}

export const statusFields = z.object({
  statut: z.enum(codes(ACTION_STATUSES), { error: 'Choisissez un statut de la liste.' }),
});

export async function setActionStatus(
  db: Db,
  actor: Actor,
  id: string,
  status: ActionStatus,
): Promise<boolean> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return false;
  const row = await db
    .updateTable('reseau_action')
    .set({ status, updated_at: new Date() })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  await audit(db, {
    actor,
    action: 'network.action.status',
    subject: { type: 'reseau_action', id },
    details: { status },
  });
  return true;
}

/**
 * An indicator's value. Counts are the published (rounded) monthly counts added over the action's
 * months so far; a delay is the median over those months, masked (null) under 5 answers.
 */
export type Progress = {
  value: number | null;
  target: number;
  /** 0 to 100, computed: never typed. */
  percent: number;
  /** The target is a most (a delay): at or under it, the action is on target. */
  ceiling: boolean;
  /** The months counted, `YYYY-MM` (from the action's start to its end, or to this month). */
  from: string;
  to: string;
};

export type ActionWithProgress = RoadmapAction & {
  progress: Progress | null;
  /** The porteurs' names, in the order of the members' names. */
  porteurNames: string[];
};
export type RoadmapView = Roadmap & { porteur: string | null; actions: ActionWithProgress[] };

/** The longest span statistics are asked for at once (their own limit is 5 years). */
const MAX_MONTHS = 60;

const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;
const monthOf = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
/** The last day of a month index, `YYYY-MM-DD`. */
const lastDayOf = (index: number) =>
  new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).toISOString().slice(0, 10);

/** The additive indicators and the module each comes from. */
type Additive =
  | 'activites'
  | 'accompagnements'
  | 'aidants_formes'
  | 'heures_formation'
  | 'lieux_zones_blanches';
type Source = 'statistics' | 'trainings' | 'coverage';
const SOURCE_OF: Record<Additive, Source> = {
  activites: 'statistics',
  accompagnements: 'statistics',
  aidants_formes: 'trainings',
  heures_formation: 'trainings',
  lieux_zones_blanches: 'coverage',
};

/** The white zones the roadmap follows: the observatory's default threshold and radius. */
const WHITE_ZONE_RULE = { threshold: DEFAULT_THRESHOLD, radiusKm: DEFAULT_RADIUS_KM };

/** What an indicator counts, when its label alone does not say it (shown next to its value). */
export const INDICATOR_DEFINITIONS: Partial<Record<Indicator, string>> = {
  lieux_zones_blanches: `Lieux publiés qui ont été les premiers à desservir une commune fragile (indice de fragilité numérique de ${WHITE_ZONE_RULE.threshold} ou plus) sans autre lieu publié dans la commune ni à moins de ${WHITE_ZONE_RULE.radiusKm} km, comptés au mois de leur première publication.`,
};
const isAdditive = (i: Indicator): i is Additive => i in SOURCE_OF;

type MonthlyCounts = Partial<Record<Additive, Map<string, number>>>;

/**
 * How long a scope's monthly counts are kept in each process: the roadmap is a public page that
 * anyone may reload, and its figures move with the monthly statistics, not by the second.
 */
export const PROGRESS_TTL_MS = 5 * 60_000;
const countsCache = new WeakMap<Db, Map<string, { at: number; value: Promise<unknown> }>>();

/** Forgets the kept counts (a test or a bench that wants them computed again). */
export const forgetProgressCounts = (db: Db) => {
  countsCache.delete(db);
  actionsCache.delete(db);
};

/** A value computed once per key and kept a while in this process. */
function kept<T>(db: Db, key: string, compute: () => Promise<T>): Promise<T> {
  const cache = countsCache.get(db) ?? new Map<string, { at: number; value: Promise<unknown> }>();
  countsCache.set(db, cache);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < PROGRESS_TTL_MS) return hit.value as Promise<T>;
  const value = compute();
  cache.set(key, { at: Date.now(), value });
  value.catch(() => cache.delete(key));
  return value;
}

const collectiviteOf = (scope: string) => (scope === 'opsn' ? null : Number(scope));

/** The communes of a scope: every member collectivité's, or one collectivité's. */
async function communesOfScope(db: Db, id: number | null): Promise<string[]> {
  const collectivites = (await listCollectivites(db)).filter((c) => id === null || c.id === id);
  return [
    ...new Set(
      collectivites.flatMap((c) => (c.kind === 'commune' ? [c.code] : c.member_communes.map((m) => m.code))),
    ),
  ];
}

/**
 * The places that took a fragile commune of the scope out of the white zones, by the month of
 * their first publication (couverture): today's directory, whatever month is asked.
 */
async function whiteZoneCounts(db: Db, id: number | null): Promise<MonthlyCounts> {
  const communes = await communesOfScope(db, id);
  const indexes = await communeIndexes(db, communes);
  const places = await placesOpeningWhiteZones(db, communes, {
    ...WHITE_ZONE_RULE,
    indexOf: (code) => indexes.get(code)?.total ?? null,
  });
  return { lieux_zones_blanches: places };
}

/** Monthly counts (`YYYY-MM`) of one scope since a month, from one module, kept a while. */
function monthlyCounts(
  db: Db,
  source: Source,
  scope: string,
  fromMonth: string,
  today: string,
): Promise<MonthlyCounts> {
  return kept(db, `${source}|${scope}|${fromMonth}|${today}`, async () => {
    const id = collectiviteOf(scope);
    if (source === 'coverage') return whiteZoneCounts(db, id);
    if (source === 'trainings') {
      const months = await monthlyTrainingCounts(
        db,
        { collectiviteId: id },
        { from: `${fromMonth}-01`, to: today },
      );
      const trained = new Map<string, number>();
      const hours = new Map<string, number>();
      for (const [month, c] of months) {
        trained.set(month, c.certificates);
        hours.set(month, Math.round(c.minutes / 60));
      }
      return { aidants_formes: trained, heures_formation: hours };
    }
    const statsScope =
      id === null ? ({ kind: 'opsn', name: '' } as const) : ({ kind: 'collectivite', id, name: '' } as const);
    const stats = await computeStatistics(db, statsScope, { du: `${fromMonth}-01`, au: today });
    return { activites: stats.monthsActivites, accompagnements: stats.monthsAccompagnements };
  });
}

/** The median days to answer referrals of one scope over some months (null: under 5 answers), kept a while. */
function responseDelay(db: Db, scope: string, from: number, to: number, today: string) {
  const last = lastDayOf(to) < today ? lastDayOf(to) : today;
  return kept(db, `delay|${scope}|${from}|${last}`, async () => {
    const id = collectiviteOf(scope);
    const delay = await medianResponseDays(
      db,
      { collectiviteIds: id === null ? null : [id] },
      { from: `${monthOf(from)}-01`, to: last },
    );
    return delay.medianDays;
  });
}

/**
 * The actions of every roadmap, kept in each process until they change: a stamp of the table
 * (how many rows, the last change) is read at each call, a single small row, and the list is
 * read again only when the stamp moved. Every change of an action bumps its `updated_at`,
 * and so does every change of its porteurs and co-financings (action-finance.ts).
 */
const actionsCache = new WeakMap<Db, { stamp: string; actions: RoadmapAction[] }>();

async function roadmapActions(db: Db): Promise<RoadmapAction[]> {
  const { stamp } = await sql<{ stamp: string }>`
    select count(*) || '|' || coalesce(max(updated_at)::text, '') || '|' || coalesce(max(created_at)::text, '') as stamp
    from reseau_action`
    .execute(db)
    .then((r) => r.rows[0] ?? { stamp: '' });
  const hit = actionsCache.get(db);
  if (hit && hit.stamp === stamp) return hit.actions;
  // One row of JSON: PGlite hands rows over one by one, and 500 of them cost far more than this.
  const actions = await sql<{ actions: string }>`
      select coalesce(json_agg(json_build_object(
        'id', a.id, 'feuille_route_id', a.feuille_route_id, 'titre', a.titre, 'besoins', a.besoins,
        'status', a.status, 'debut', a.debut, 'fin', a.fin, 'indicateur', a.indicateur,
        'indicateur_collectivite_id', a.indicateur_collectivite_id, 'cible', a.cible,
        'budget_euros', a.budget_euros,
        'porteurs', coalesce(p.ids, '{}'), 'cofinance', coalesce(c.total, 0)
      ) order by a.debut, a.titre), '[]')::text as actions
      from reseau_action a
      left join (select action_id, array_agg(membre_id) as ids from reseau_action_porteur group by action_id) p
        on p.action_id = a.id
      left join (select action_id, sum(montant_euros)::bigint as total from reseau_cofinancement group by action_id) c
        on c.action_id = a.id`
    .execute(db)
    .then((r) => JSON.parse(r.rows[0]?.actions ?? '[]') as RoadmapAction[]);
  actionsCache.set(db, { stamp, actions });
  return actions;
}

/**
 * Every roadmap (or only the public ones) with its actions and their progress. The counts are
 * asked once per module and scope (the OPSN, or one collectivité) over the months the actions
 * cover, then each action adds up its own months: 500 actions cost as many queries as there are
 * scopes, not actions. A delay is a median, not a sum: one query per scope and span, kept a while.
 */
export async function roadmapsWithProgress(
  db: Db,
  today: string = parisToday(),
  options: { publicOnly?: boolean } = {},
): Promise<RoadmapView[]> {
  let roadmapQuery = db
    .selectFrom('reseau_feuille_route')
    .leftJoin('reseau_membre', 'reseau_membre.id', 'reseau_feuille_route.porteur_id')
    .selectAll('reseau_feuille_route')
    .select('reseau_membre.nom as porteur')
    .orderBy('reseau_feuille_route.created_at');
  if (options.publicOnly) roadmapQuery = roadmapQuery.where('reseau_feuille_route.publique', '=', true);
  const [roadmaps, actions] = await Promise.all([roadmapQuery.execute(), roadmapActions(db)]);
  const porteurIds = [...new Set(actions.flatMap((a) => a.porteurs))];
  const names = new Map(
    porteurIds.length
      ? (
          await db.selectFrom('reseau_membre').select(['id', 'nom']).where('id', 'in', porteurIds).execute()
        ).map((m) => [m.id, m.nom] as [string, string])
      : [],
  );
  const thisMonth = monthIndex(today);
  const windowOf = (a: RoadmapAction) => {
    const to = Math.min(monthIndex(a.fin), thisMonth);
    const from = Math.max(monthIndex(a.debut), to - MAX_MONTHS + 1);
    return { from, to };
  };
  const scopeOf = (a: RoadmapAction) => String(a.indicateur_collectivite_id ?? 'opsn');
  // One call per module and scope, over the union of its actions' months.
  const spans = new Map<string, { from: number; to: number }>();
  for (const a of actions) {
    if (!isAdditive(a.indicateur) || a.cible === null) continue;
    const w = windowOf(a);
    if (w.from > w.to) continue;
    const key = `${SOURCE_OF[a.indicateur]}|${scopeOf(a)}`;
    const s = spans.get(key);
    spans.set(key, s ? { from: Math.min(s.from, w.from), to: Math.max(s.to, w.to) } : w);
  }
  const monthly = new Map<string, MonthlyCounts>();
  const delays = new Map<string, number | null>();
  await Promise.all([
    ...[...spans].map(async ([key, s]) => {
      const [source, scope] = key.split('|') as [Source, string];
      const from = Math.max(s.from, s.to - MAX_MONTHS + 1);
      monthly.set(key, await monthlyCounts(db, source, scope, monthOf(from), today));
    }),
    ...actions.map(async (a) => {
      if (a.indicateur !== 'delai_orientation' || a.cible === null) return;
      const w = windowOf(a);
      if (w.from > w.to) return;
      delays.set(a.id, await responseDelay(db, scopeOf(a), w.from, w.to, today));
    }),
  ]);
  // Running sums of the rounded monthly counts of each scope and indicator: an action's value is
  // then one subtraction, whatever its length.
  const sums = new Map<string, { first: number; running: number[] }>();
  const runningSums = (scope: string, indicator: Additive) => {
    const key = `${SOURCE_OF[indicator]}|${scope}`;
    let hit = sums.get(`${key}|${indicator}`);
    if (!hit) {
      const span = spans.get(key);
      const cells = monthly.get(key)?.[indicator];
      const first = span ? Math.max(span.from, span.to - MAX_MONTHS + 1) : 0;
      const running = [0];
      for (let m = first; span && m <= span.to; m++)
        running.push((running.at(-1) ?? 0) + roundToBase(cells?.get(monthOf(m)) ?? 0));
      hit = { first, running };
      sums.set(`${key}|${indicator}`, hit);
    }
    return hit;
  };
  const sumOver = (scope: string, indicator: Additive, from: number, to: number) => {
    const { first, running } = runningSums(scope, indicator);
    const at = (m: number) => running[Math.max(0, Math.min(running.length - 1, m - first))] ?? 0;
    return at(to + 1) - at(from);
  };
  const progressOf = (a: RoadmapAction): Progress | null => {
    if (a.indicateur === 'aucun' || a.cible === null) return null;
    const w = windowOf(a);
    const ceiling = CEILING_INDICATORS.includes(a.indicateur);
    const value = isAdditive(a.indicateur)
      ? w.from > w.to
        ? 0
        : sumOver(scopeOf(a), a.indicateur, w.from, w.to)
      : (delays.get(a.id) ?? null);
    return {
      value,
      target: a.cible,
      percent: percentOf(value, a.cible, ceiling),
      ceiling,
      from: monthOf(Math.max(monthIndex(a.debut), w.from)),
      to: monthOf(w.to),
    };
  };
  const byRoadmap = new Map<string, ActionWithProgress[]>();
  for (const a of actions) {
    const list = byRoadmap.get(a.feuille_route_id) ?? [];
    const porteurNames = a.porteurs
      .map((id) => names.get(id))
      .filter((n): n is string => n !== undefined)
      .sort(frenchOrder.compare);
    list.push({ ...a, progress: progressOf(a), porteurNames });
    byRoadmap.set(a.feuille_route_id, list);
  }
  return roadmaps.map((r) => ({ ...r, actions: byRoadmap.get(r.id) ?? [] }));
}

/** One collator for every list of names: `localeCompare(…, 'fr')` builds one per call. */
const frenchOrder = new Intl.Collator('fr');

/**
 * How far an action is, 0 to 100. A count moves up to its target; a delay (a most) is on target
 * at or under it, and further from it the longer it gets. Unknown (masked) is 0.
 */
export function percentOf(value: number | null, target: number, ceiling: boolean): number {
  if (value === null) return 0;
  if (!ceiling) return Math.min(100, Math.floor((100 * value) / target));
  if (value <= target) return 100;
  return Math.floor((100 * target) / value);
}

/** The roadmaps, for the action form. */
export function roadmapChoices(db: Db) {
  return db.selectFrom('reseau_feuille_route').select(['id', 'nom']).orderBy('created_at').execute();
}

/** The actions, for the decision form. */
export function actionChoices(db: Db) {
  return db.selectFrom('reseau_action').select(['id', 'titre']).orderBy('titre').limit(1000).execute();
}
