import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Dataset, DatasetRow } from '../../platform/open-data.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { ROUNDING_BASE, roundToBase } from '../statistiques/index.ts';
import { communeLabel } from '../territoires/index.ts';
import { COMPETENCE_CODES } from './questionnaire.ts';
import { PROFILES, type Profile } from './vocabulary.ts';

/**
 * What the observatory publishes of the diagnostics: counts by commune over whole months only,
 * each monthly cell rounded to the nearest 5 before anything adds them up, so that neither one
 * figure nor the difference of two periods gives away fewer than 5 people (as the published
 * statistics do). A commune whose rounded count is 0 is shown as « moins de 5 », without detail.
 */

export const GAPS = {
  'sans:appareil': 'sans aucun appareil',
  'sans:ordinateur': 'sans ordinateur',
  'sans:smartphone': 'sans smartphone',
  'sans:internet': 'sans internet',
  'sans:internet_maison': 'sans internet à la maison',
} as const;

/** A period the observatory shows: a whole month, or the last 12 whole months. */
export type ObservedPeriod = { from: string; to: string; label: string; value: string };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

const monthStart = (y: number, m: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-01`;

/** The last whole month (Paris time), as `YYYY-MM-01`. */
export function lastWholeMonth(today = parisToday()): string {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return m === 1 ? monthStart(y - 1, 12) : monthStart(y, m - 1);
}

const addMonths = (month: string, n: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return monthStart(Math.floor(total / 12), (total % 12) + 1);
};

const MONTH_NAMES = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];
export const monthLabel = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${MONTH_NAMES[m - 1]} ${y}`;
};

/** The period asked in the address (`?mois=2026-10`, or nothing: the last 12 whole months), or a French reason. */
export function parseObservedPeriod(
  raw: string | undefined,
  today = parisToday(),
): { ok: true; period: ObservedPeriod } | { ok: false; reason: string } {
  const last = lastWholeMonth(today);
  if (raw === undefined || raw === '' || raw === '12-derniers') {
    const from = addMonths(last, -11);
    return {
      ok: true,
      period: { from, to: last, label: `de ${monthLabel(from)} à ${monthLabel(last)}`, value: '12-derniers' },
    };
  }
  const m = MONTH.exec(raw);
  if (!m) return { ok: false, reason: 'Mois : choisissez un mois de la liste (par exemple 2026-10).' };
  const month = monthStart(Number(m[1]), Number(m[2]));
  if (month > last) return { ok: false, reason: 'Mois : seuls les mois terminés sont publiés.' };
  if (month < addMonths(last, -59))
    return { ok: false, reason: 'Mois : les cinq dernières années seulement.' };
  return { ok: true, period: { from: month, to: month, label: monthLabel(month), value: raw } };
}

/** The months offered in the period's list: the last 24 whole months, newest first. */
export function offeredMonths(today = parisToday()): string[] {
  const last = lastWholeMonth(today);
  return Array.from({ length: 24 }, (_, i) => addMonths(last, -i));
}

export type CommuneFigures = {
  code: string;
  label: string;
  /** Rounded to 5; 0 means fewer than 3 people in each month, shown « moins de 5 ». */
  total: number;
  profiles: Record<Profile, number>;
  weakest: { code: string; n: number }[];
  gaps: Record<keyof typeof GAPS, number>;
};

/** The rounded counts by commune, summed over the period's months. */
async function roundedCells(db: Db, from: string, to: string): Promise<Map<string, Map<string, number>>> {
  // Each monthly cell rounded first (as `roundToBase` does: a count never ends in .5 fifths), then summed.
  const rows = await db
    .selectFrom('diagnostic_mois')
    .select([
      'commune_insee',
      'indicator',
      sql<number>`sum(${sql.lit(ROUNDING_BASE)} * round(n::numeric / ${sql.lit(ROUNDING_BASE)}))::int`.as(
        'n',
      ),
    ])
    .where('mois', '>=', from)
    .where('mois', '<=', to)
    .groupBy(['commune_insee', 'indicator'])
    .execute();
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const cells = out.get(r.commune_insee) ?? new Map<string, number>();
    cells.set(r.indicator, Number(r.n));
    out.set(r.commune_insee, cells);
  }
  return out;
}

function figuresOf(code: string, cells: Map<string, number>): CommuneFigures {
  const get = (k: string) => cells.get(k) ?? 0;
  return {
    code,
    label: code === '' ? 'Commune non donnée' : (communeLabel(code) ?? code),
    total: get('total'),
    profiles: Object.fromEntries(Object.keys(PROFILES).map((p) => [p, get(`profil:${p}`)])) as Record<
      Profile,
      number
    >,
    weakest: COMPETENCE_CODES.map((c) => ({ code: c, n: get(`faible:${c}`) }))
      .filter((w) => w.n > 0)
      .sort((a, b) => b.n - a.n || a.code.localeCompare(b.code))
      .slice(0, 3),
    gaps: Object.fromEntries(Object.keys(GAPS).map((g) => [g, get(g)])) as Record<keyof typeof GAPS, number>,
  };
}

/** The observatory's figures for a period: each commune, then the whole territory. */
export async function observeDiagnostics(
  db: Db,
  period: ObservedPeriod,
): Promise<{ communes: CommuneFigures[]; territory: CommuneFigures }> {
  const cells = await roundedCells(db, period.from, period.to);
  const all = new Map<string, number>();
  for (const c of cells.values()) for (const [k, n] of c) all.set(k, (all.get(k) ?? 0) + n);
  const communes = [...cells]
    .map(([code, c]) => figuresOf(code, c))
    .sort((a, b) => (a.code === '' ? 1 : b.code === '' ? -1 : a.label.localeCompare(b.label, 'fr')));
  return { communes, territory: { ...figuresOf('*', all), label: 'Tout le territoire' } };
}

/** A share in whole percent of a rounded total, or null when the total is masked. */
export const shareOf = (n: number, total: number): number | null =>
  total === 0 ? null : Math.round((100 * n) / total);

/** The open dataset: one row per month and commune, with the same rounding as the page. */
export const diagnosticsDataset: Dataset = {
  id: 'diagnostics-competences',
  title: 'Diagnostics de compétences numériques par commune et par mois',
  description:
    'Nombre de diagnostics de compétences numériques faits sur le territoire (seul ou avec un médiateur), par commune et par mois terminé : profils, compétences le plus souvent au niveau 0 ou 1, manque d’équipement et de connexion.',
  keywords: ['compétences numériques', 'diagnostic', 'inclusion numérique', 'Pix'],
  notes: [
    'Chaque nombre est arrondi au multiple de 5 le plus proche, mois par mois : un nombre de 1 ou 2 devient 0, de 3 ou 4 devient 5. Une ligne dont le total arrondi est 0 est omise.',
    'Les mois en cours ne sont pas publiés. Aucun résultat individuel n’est conservé pour les diagnostics faits sans médiateur.',
  ],
  columns: [
    { name: 'mois', type: 'yearmonth', description: 'Mois du diagnostic (AAAA-MM)' },
    {
      name: 'commune_insee',
      type: 'string',
      description: 'Code INSEE de la commune donnée par la personne (vide : non donnée)',
    },
    { name: 'diagnostics', type: 'integer', description: 'Nombre de diagnostics', unit: 'diagnostics' },
    ...Object.keys(PROFILES).map((p) => ({
      name: `profil_${p}`,
      type: 'integer' as const,
      description: `Diagnostics au profil « ${PROFILES[p as Profile]} »`,
      unit: 'diagnostics',
    })),
    ...COMPETENCE_CODES.map((c) => ({
      name: `faible_${c.replace('.', '_')}`,
      type: 'integer' as const,
      description: `Diagnostics où la compétence ${c} est au niveau 0 ou 1`,
      unit: 'diagnostics',
    })),
    ...Object.entries(GAPS).map(([g, label]) => ({
      name: g.replace(':', '_'),
      type: 'integer' as const,
      description: `Personnes ${label}`,
      unit: 'diagnostics',
    })),
  ],
  async generate(db) {
    const last = lastWholeMonth();
    const rows = await db
      .selectFrom('diagnostic_mois')
      .select(['mois', 'commune_insee', 'indicator', 'n'])
      .where('mois', '<=', last)
      .execute();
    const byKey = new Map<string, DatasetRow>();
    for (const r of rows) {
      const mois = String(r.mois).slice(0, 7);
      const key = `${mois}\t${r.commune_insee}`;
      const row = byKey.get(key) ?? { mois, commune_insee: r.commune_insee };
      const column =
        r.indicator === 'total'
          ? 'diagnostics'
          : r.indicator.startsWith('profil:')
            ? `profil_${r.indicator.slice(7)}`
            : r.indicator.startsWith('faible:')
              ? `faible_${r.indicator.slice(7).replace('.', '_')}`
              : r.indicator.replace(':', '_');
      row[column] = roundToBase(r.n);
      byKey.set(key, row);
    }
    const columns = diagnosticsDataset.columns.map((c) => c.name);
    return [...byKey.values()]
      .filter((row) => Number(row.diagnostics ?? 0) > 0)
      .map((row) =>
        Object.fromEntries(
          columns.map((c) => [c, row[c] ?? (c === 'mois' || c === 'commune_insee' ? '' : 0)]),
        ),
      )
      .sort(
        (a, b) =>
          String(a.mois).localeCompare(String(b.mois)) ||
          String(a.commune_insee).localeCompare(String(b.commune_insee)),
      );
  },
};
