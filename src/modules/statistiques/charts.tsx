import type { Shown } from './disclosure.ts';
import type { MonthRow } from './presentation.ts';

/**
 * Server-rendered SVG charts. Each is decoration for sighted readers (`aria-hidden`): the
 * table beside it is the accessible equivalent and holds the same numbers. Colours come from
 * classes (relais.css), never from inline styles, which the CSP forbids. A masked number
 * draws no bar: its length would give it away.
 */

const numberFormat = new Intl.NumberFormat('fr-FR');

/** A number or a masked one as written in charts and tables, escaped for HTML ("&lt; 5"). */
export const safeShown = (value: Shown): string => (value === 'lt5' ? '&lt; 5' : numberFormat.format(value));

const WIDTH = 300;
const LINE = 16;
const BAR = 14;
const VALUE_ROOM = 50;
/** Characters of a label line: longer labels wrap onto a second line. */
const LINE_CHARS = 40;

/** A label cut into lines of at most `LINE_CHARS`, at spaces. */
export function labelLines(label: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(' ')) {
    if (line && line.length + 1 + word.length > LINE_CHARS) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Horizontal bars, a label above each, for one breakdown. */
export function BarChart({ rows }: { rows: { label: string; value: Shown }[] }): JSX.Element {
  const max = Math.max(1, ...rows.map((r) => (typeof r.value === 'number' ? r.value : 0)));
  let top = 0;
  const placed = rows.map((row) => {
    const lines = labelLines(row.label);
    const at = top;
    top += lines.length * LINE + BAR + 10;
    return { ...row, lines, top: at };
  });
  return (
    <svg
      class="stats-chart stats-chart--bars"
      viewBox={`0 0 ${WIDTH} ${top + 4}`}
      width="100%"
      aria-hidden="true"
      focusable="false"
    >
      {placed.map((row) => {
        const width = typeof row.value === 'number' ? ((WIDTH - VALUE_ROOM) * row.value) / max : 0;
        const barTop = row.top + row.lines.length * LINE + 4;
        return (
          <g>
            {row.lines.map((line, i) => (
              <text class="stats-chart__label" x="0" y={String(row.top + 13 + i * LINE)} safe>
                {line}
              </text>
            ))}
            {width > 0 ? (
              <rect
                class="stats-chart__bar"
                x="0"
                y={String(barTop)}
                width={width.toFixed(1)}
                height={String(BAR)}
              />
            ) : (
              ''
            )}
            <text
              class={
                typeof row.value === 'number'
                  ? 'stats-chart__value'
                  : 'stats-chart__value stats-chart__masked'
              }
              x={(width + 5).toFixed(1)}
              y={String(barTop + 12)}
            >
              {safeShown(row.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** A round number a bit above `n`, for the top of an axis. */
export function niceMax(n: number): number {
  if (n <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

const SHORT_MONTHS = [
  'janv.',
  'févr.',
  'mars',
  'avr.',
  'mai',
  'juin',
  'juil.',
  'août',
  'sept.',
  'oct.',
  'nov.',
  'déc.',
];

/** Activities and accompaniments per month, side by side. */
export function MonthChart({ rows }: { rows: MonthRow[] }): JSX.Element {
  const width = 640;
  const height = 260;
  const left = 44;
  const bottom = 44;
  const top = 28;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const values = rows.flatMap((r) => [
    r.activites,
    typeof r.accompagnements === 'number' ? r.accompagnements : 0,
  ]);
  const max = niceMax(Math.max(0, ...values));
  const slot = plotWidth / Math.max(1, rows.length);
  const bar = Math.max(1, slot * 0.38);
  const labelEvery = rows.length <= 12 ? 1 : rows.length <= 24 ? 2 : rows.length <= 36 ? 3 : 6;
  const y = (v: number) => top + plotHeight - (plotHeight * v) / max;
  return (
    <svg
      class="stats-chart stats-chart--months"
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      aria-hidden="true"
      focusable="false"
    >
      <g class="stats-chart__legend">
        <rect class="stats-chart__bar" x={String(left)} y="4" width="12" height="12" />
        <text class="stats-chart__label" x={String(left + 18)} y="15">
          Activités
        </text>
        <rect
          class="stats-chart__bar stats-chart__bar--alt"
          x={String(left + 110)}
          y="4"
          width="12"
          height="12"
        />
        <text class="stats-chart__label" x={String(left + 128)} y="15">
          Accompagnements
        </text>
      </g>
      {[0, max / 2, max].map((v) => (
        <g>
          <line
            class="stats-chart__grid"
            x1={String(left)}
            x2={String(width - 8)}
            y1={y(v).toFixed(1)}
            y2={y(v).toFixed(1)}
          />
          <text
            class="stats-chart__axis"
            x={String(left - 6)}
            y={(y(v) + 4).toFixed(1)}
            text-anchor="end"
            safe
          >
            {numberFormat.format(v)}
          </text>
        </g>
      ))}
      {rows.map((row, i) => {
        const x = left + i * slot + (slot - 2 * bar) / 2;
        const month = Number(row.mois.slice(5, 7));
        const label = i % labelEvery === 0 ? SHORT_MONTHS[month - 1] : '';
        const year = i === 0 || month === 1 ? row.mois.slice(0, 4) : '';
        return (
          <g>
            {row.activites > 0 ? (
              <rect
                class="stats-chart__bar"
                x={x.toFixed(1)}
                y={y(row.activites).toFixed(1)}
                width={bar.toFixed(1)}
                height={(top + plotHeight - y(row.activites)).toFixed(1)}
              />
            ) : (
              ''
            )}
            {typeof row.accompagnements === 'number' && row.accompagnements > 0 ? (
              <rect
                class="stats-chart__bar stats-chart__bar--alt"
                x={(x + bar).toFixed(1)}
                y={y(row.accompagnements).toFixed(1)}
                width={bar.toFixed(1)}
                height={(top + plotHeight - y(row.accompagnements)).toFixed(1)}
              />
            ) : (
              ''
            )}
            {label ? (
              <text
                class="stats-chart__axis"
                x={(left + i * slot + slot / 2).toFixed(1)}
                y={String(height - bottom + 16)}
                text-anchor="middle"
                safe
              >
                {label}
              </text>
            ) : (
              ''
            )}
            {year ? (
              <text
                class="stats-chart__axis"
                x={(left + i * slot + slot / 2).toFixed(1)}
                y={String(height - bottom + 32)}
                text-anchor="middle"
                safe
              >
                {year}
              </text>
            ) : (
              ''
            )}
          </g>
        );
      })}
    </svg>
  );
}
