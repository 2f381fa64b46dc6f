/**
 * Small index files for the tests, in MedNum's format, built from real codes of the
 * official geography so that they pass its checks.
 */

export const HEADER =
  'name,division,code,no_thd_coverage_rate,no_4g_coverage_rate,poverty_rate,older_65_rate,nscol15p_rate,total';

/** Current communes in two départements (Ain, Rhône), a municipal arrondissement, and EPCI. */
export const COMMUNES = {
  '01001': 'L’Abergement-Clémenciat',
  '01002': 'L’Abergement-de-Varey',
  '01004': 'Ambérieu-en-Bugey',
  '69266': 'Villeurbanne',
  '69029': 'Bron',
  '69123': 'Lyon',
  '69381': 'Lyon 1er Arrondissement',
} as const;
export const EPCIS = {
  '200046977': 'Métropole de Lyon',
  '200000172': 'CC Faucigny - Glières',
  '243100518': 'Toulouse Métropole',
} as const;

/** Five components around `total` whose mean is `total` (to the float), each within 1–10 for totals in 2–9. */
export function componentsFor(total: number): string[] {
  return [1, -1, 0.5, -0.5, 0].map((d) => String(Math.round((total + d) * 100) / 100));
}

/** One line of the file; `scores` replaces the five components and the total when given. */
export function line(
  code: string,
  total: number | string,
  options: { name?: string; division?: string; scores?: string[] } = {},
): string {
  const name =
    options.name ?? COMMUNES[code as keyof typeof COMMUNES] ?? EPCIS[code as keyof typeof EPCIS] ?? code;
  const division = options.division ?? (code.length === 9 ? 'epci' : 'city');
  const scores = options.scores ?? [...componentsFor(Number(total)), String(total)];
  const quoted = /[",]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
  return [quoted, division, code, ...scores].join(',');
}

/** A whole file: the header, then the lines. */
export const file = (...lines: string[]): Buffer => Buffer.from(`${[HEADER, ...lines].join('\n')}\n`);
