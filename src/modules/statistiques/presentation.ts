import type { Db } from '../../platform/db/database.ts';
import { formatMonth } from '../../platform/paris-time.ts';
import { CANAUX, DEMARCHES, MATERIELS, THEMATIQUES, TYPES_ACTIVITE } from '../activites/index.ts';
import { GENRES, STATUTS, TRANCHES_AGE } from '../beneficiaires/index.ts';
import { findCommune } from '../territoires/index.ts';
import {
  type ActivityDimension,
  computeStatistics,
  type PeopleDimension,
  type RawStatistics,
} from './compute.ts';
import { roundedPeople, roundedStatistics, type Shown } from './disclosure.ts';
import { monthsOf, type Period } from './period.ts';
import type { StatisticsAccess } from './scope.ts';
import { TRANCHES_DUREE } from './vocabulary.ts';

export type Row = {
  code: string;
  label: string;
  value: number;
  /** Of the total, when it is not 0. */
  part: number | null;
};

export type Breakdown = {
  id: string;
  title: string;
  /** What a cell counts. */
  unit: 'activites' | 'accompagnements';
  /** A field with several values per activity: cells may add up to more than the total. */
  multi: boolean;
  rows: Row[];
  total: number;
};

export type MonthRow = { mois: string; label: string; activites: number; accompagnements: number };

export type StatisticsView = {
  period: Period;
  exact: boolean;
  summary: {
    activites: number;
    accompagnements: number;
    personnes: Shown;
    nouvelles: Shown;
    connues: Shown;
  };
  activity: Breakdown[];
  people: Breakdown[];
  months: { rows: MonthRow[] };
};

type Labels = Readonly<Record<string, string>>;

const IDENTITES: Labels = { identifie: 'Personne enregistrée', anonyme: 'Personne anonyme' };

const ACTIVITY_BREAKDOWNS: { id: ActivityDimension; title: string; labels: Labels; multi: boolean }[] = [
  { id: 'type', title: 'Type d’activité', labels: TYPES_ACTIVITE, multi: false },
  { id: 'thematique', title: 'Thématiques', labels: THEMATIQUES, multi: true },
  { id: 'demarche', title: 'Démarches administratives', labels: DEMARCHES, multi: true },
  { id: 'canal', title: 'Lieu de l’activité', labels: CANAUX, multi: false },
  { id: 'duree', title: 'Durée', labels: TRANCHES_DUREE, multi: false },
  { id: 'materiel', title: 'Matériel utilisé', labels: MATERIELS, multi: true },
];

const PEOPLE_BREAKDOWNS: { id: PeopleDimension; title: string; labels: Labels }[] = [
  { id: 'identite', title: 'Personnes enregistrées ou anonymes', labels: IDENTITES },
  { id: 'genre', title: 'Genre', labels: GENRES },
  { id: 'age', title: 'Tranche d’âge', labels: TRANCHES_AGE },
  { id: 'statut', title: 'Statut', labels: STATUTS },
  { id: 'commune', title: 'Commune de résidence', labels: {} },
];

/** Communes listed one by one; the others are added up in one row. */
export const COMMUNES_LISTED = 15;

/** The vocabulary's codes in order, then any other code met (an older code keeps its count). */
function codedRows(
  counts: Map<string, number>,
  labels: Labels,
): { code: string; label: string; n: number }[] {
  const rows = Object.entries(labels).map(([code, label]) => ({ code, label, n: counts.get(code) ?? 0 }));
  for (const [code, n] of counts) if (!(code in labels)) rows.push({ code, label: code, n });
  return rows;
}

/** The largest communes one by one, the others together, then the unknown. */
function communeRows(counts: Map<string, number>): { code: string; label: string; n: number }[] {
  const known = [...counts].filter(([code]) => code !== '');
  known.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const rows = known.slice(0, COMMUNES_LISTED).map(([code, n]) => ({
    code,
    label: findCommune(code)?.name ?? `Commune ${code}`,
    n,
  }));
  const others = known.slice(COMMUNES_LISTED).reduce((s, [, n]) => s + n, 0);
  if (others > 0) rows.push({ code: 'autres', label: 'Autres communes', n: others });
  rows.push({ code: '', label: 'Commune non renseignée', n: counts.get('') ?? 0 });
  return rows;
}

const partOf = (value: number, total: number): number | null => (total > 0 ? value / total : null);

/** A breakdown of accompaniments, out of the total. */
function peopleBreakdown(
  base: { id: string; title: string },
  rows: { code: string; label: string; n: number }[],
  total: number,
): Breakdown {
  return {
    ...base,
    unit: 'accompagnements',
    multi: false,
    total,
    rows: rows.map((r) => ({ code: r.code, label: r.label, value: r.n, part: partOf(r.n, total) })),
  };
}

/**
 * Rows in the order readers expect: exact for the helper's own view; otherwise made of the
 * rounded monthly cells only, with people rounded over the period (disclosure.ts).
 */
export function presentStatistics(raw: RawStatistics, exact: boolean): StatisticsView {
  if (!exact) {
    const view = presentStatistics(roundedStatistics(raw), true);
    return {
      ...view,
      exact: false,
      summary: {
        ...view.summary,
        personnes: roundedPeople(raw.personnes),
        nouvelles: roundedPeople(raw.nouvelles),
        connues: roundedPeople(raw.personnes - raw.nouvelles),
      },
    };
  }
  const activity = ACTIVITY_BREAKDOWNS.map(({ id, title, labels, multi }): Breakdown => {
    const rows = codedRows(raw.activity[id], labels);
    // Several values per activity: the most frequent first; a single one: the vocabulary's order.
    if (multi) rows.sort((a, b) => b.n - a.n);
    return {
      id,
      title,
      unit: 'activites',
      multi,
      total: raw.activites,
      rows: rows.map((r) => ({ code: r.code, label: r.label, value: r.n, part: partOf(r.n, raw.activites) })),
    };
  });

  const people = PEOPLE_BREAKDOWNS.map(({ id, title, labels }) =>
    peopleBreakdown(
      { id, title },
      id === 'commune' ? communeRows(raw.people.commune) : codedRows(raw.people[id], labels),
      raw.accompagnements,
    ),
  );

  const months = monthsOf(raw.period);
  return {
    period: raw.period,
    exact,
    summary: {
      activites: raw.activites,
      accompagnements: raw.accompagnements,
      personnes: raw.personnes,
      nouvelles: raw.nouvelles,
      connues: raw.personnes - raw.nouvelles,
    },
    activity,
    people,
    months: {
      rows: months.map((mois) => ({
        mois,
        label: formatMonth(mois),
        activites: raw.monthsActivites.get(mois) ?? 0,
        accompagnements: raw.monthsAccompagnements.get(mois) ?? 0,
      })),
    },
  };
}

/** Counts and presents a view in one call. */
export async function statisticsView(
  db: Db,
  access: StatisticsAccess,
  period: Period,
): Promise<StatisticsView> {
  return presentedOnce(await computeStatistics(db, access.scope, period), access.exact);
}

/**
 * The views of the last counts presented, by what they were made from: a page asked again
 * while its counts have not changed (the common case: a coordinator's page, a shared link)
 * gets the same view object, which `Figures` (views.tsx) has already written out. The counts
 * are read every time; only presenting and writing the same numbers again is saved, which
 * cost more than reading them. Views are never changed once made: sharing them is safe.
 */
const presented = new Map<string, StatisticsView>();
const PRESENTED_KEPT = 64;

/** Everything `presentStatistics` reads, as a key. */
const countsKey = (raw: RawStatistics, exact: boolean) =>
  JSON.stringify([
    exact,
    raw.period,
    raw.activites,
    raw.accompagnements,
    raw.personnes,
    raw.nouvelles,
    ...Object.values(raw.activity).map((m) => [...m]),
    ...Object.values(raw.people).map((m) => [...m]),
    [...raw.monthsActivites],
    [...raw.monthsAccompagnements],
    [...raw.monthly],
  ]);

function presentedOnce(raw: RawStatistics, exact: boolean): StatisticsView {
  const key = countsKey(raw, exact);
  const known = presented.get(key);
  if (known) {
    // Most recently used last: the oldest is the first to go.
    presented.delete(key);
    presented.set(key, known);
    return known;
  }
  const view = presentStatistics(raw, exact);
  presented.set(key, view);
  if (presented.size > PRESENTED_KEPT) presented.delete(presented.keys().next().value as string);
  return view;
}
