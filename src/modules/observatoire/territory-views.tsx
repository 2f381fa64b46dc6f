import { ErrorSummary, Field, type FieldErrors } from '../../platform/ui/components.tsx';
import { type CommuneCoverage, SERVICES, type ServiceAccess } from '../couverture/index.ts';
import { BreakdownFigure, MaskingNote, Months, periodText, Summary } from '../statistiques/index.ts';
import { COMPONENT_LABELS, SCORE_COLUMNS, type ScoreColumn } from './ifn-file.ts';
import type { Territory } from './territory.ts';
import type { Observation } from './territory-service.ts';
import { ComparisonView, IndexMissing } from './views.tsx';

/**
 * The public observatory: the list of territories, a territory's page (index, coverage,
 * white zones, activity), and the same page bare, to embed in another site.
 */

const decimal = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
/** Scores as the index tables show them (two decimals at most). */
const score = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 });
const safeDecimal = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : decimal.format(n);
const safePercent = (n: number) => percent.format(n);
const safeWhole = (n: number | null | undefined) => (n === null || n === undefined ? '—' : whole.format(n));

/** The five classes of the index on the map and in the tables (1 to 10, 10 the most exposed). */
export const INDEX_CLASSES = [
  { below: 4, colour: '#1a9850', label: 'moins de 4' },
  { below: 5, colour: '#91cf60', label: 'de 4 à moins de 5' },
  { below: 6, colour: '#fee08b', label: 'de 5 à moins de 6' },
  { below: 7, colour: '#fc8d59', label: 'de 6 à moins de 7' },
  { below: Number.POSITIVE_INFINITY, colour: '#d73027', label: '7 ou plus' },
] as const;
export const UNKNOWN_COLOUR = '#8c8c8c';

export const colourOf = (total: number | null | undefined) =>
  total === null || total === undefined
    ? UNKNOWN_COLOUR
    : (INDEX_CLASSES.find((c) => total < c.below)?.colour ?? UNKNOWN_COLOUR);

export const territoryPath = (t: Pick<Territory, 'slug'>) => `/observatoire/${t.slug}`;

export const ACCESS_LABELS: Record<ServiceAccess, string> = {
  commune: 'Dans la commune',
  proche: 'À proximité',
  aucun: 'Pas à proximité',
  inconnu: 'Position inconnue',
};

const KIND_LABELS: Record<Territory['kind'], string> = {
  opsn: 'Tout le territoire',
  collectivite: 'Collectivité membre',
  commune: 'Commune d’une intercommunalité membre',
};

/** `/observatoire`: every territory, with the index of each where known. */
export function ObservatoryHome(props: {
  territories: Territory[];
  totals: Map<string, number>;
  indexImported: boolean;
}): JSX.Element {
  return (
    <>
      <h1>Observatoire de l’inclusion numérique</h1>
      <p class="lead">
        L’indice de fragilité numérique, les lieux où trouver de l’aide et l’activité des médiateurs, pour
        chaque territoire. Ces pages sont publiques ; leurs données sont aussi en{' '}
        <a href="/donnees">données ouvertes</a>.
      </p>
      {props.indexImported ? '' : <IndexMissing anyImported={false} audience="public" />}
      <section class="table-wrap" tabindex="0" aria-label="Territoires">
        <table>
          <caption>Territoires</caption>
          <thead>
            <tr>
              <th scope="col">Territoire</th>
              <th scope="col">Niveau</th>
              <th scope="col">Communes</th>
              <th scope="col">Indice (1 à 10)</th>
            </tr>
          </thead>
          <tbody>
            {props.territories.map((t) => (
              <tr>
                <th scope="row">
                  <a href={territoryPath(t)} safe>
                    {t.name}
                  </a>
                </th>
                <td safe>{KIND_LABELS[t.kind]}</td>
                <td>{safeWhole(t.communes.length)}</td>
                <td>{safeDecimal(t.indexCode ? props.totals.get(t.indexCode) : null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

/** Characters of a chart label's line: longer labels wrap at spaces rather than run under the bar. */
const LABEL_LINE_CHARS = 40;

/** A label cut into lines of at most `LABEL_LINE_CHARS`, at spaces. */
export function chartLabelLines(label: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(' ')) {
    if (line && line.length + 1 + word.length > LABEL_LINE_CHARS) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/**
 * Horizontal bars of the five components and the total, out of 10, with the same numbers in
 * text. Each label wraps within its column (a row grows with its lines), so none runs under
 * its bar.
 */
export function ScoreChart({
  scores,
  title,
}: {
  scores: Record<ScoreColumn, number>;
  title: string;
}): JSX.Element {
  const line = 16;
  let top = 0;
  const rows = SCORE_COLUMNS.map((column) => {
    const lines = chartLabelLines(COMPONENT_LABELS[column]);
    const height = Math.max(28, lines.length * line + 12);
    const row = { column, lines, top, height };
    top += height;
    return row;
  });
  return (
    <svg
      class="stats-chart obs-scores"
      viewBox={`0 0 640 ${top}`}
      role="img"
      aria-label={`${title} : voir le tableau des scores`}
      width="640"
      height={String(top)}
    >
      {rows.map(({ column, lines, top: y, height }) => {
        const value = scores[column];
        // The bar and its value sit level with the middle of the label.
        const middle = y + height / 2;
        return (
          <g>
            <text x="0" y={String(middle - ((lines.length - 1) * line) / 2 + 5)} font-size="13">
              {lines.map((text, i) => (
                <tspan x="0" dy={i === 0 ? '0' : String(line)} safe>
                  {text}
                </tspan>
              ))}
            </text>
            <rect
              x="350"
              y={String(middle - 8)}
              width={String((value / 10) * 240)}
              height="16"
              fill={colourOf(value)}
            />
            <text x={String(355 + (value / 10) * 240)} y={String(middle + 5)} font-size="13" safe>
              {score.format(value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function IndexSection({ o }: { o: Observation }): JSX.Element {
  return (
    <section aria-labelledby="obs-indice">
      <h2 id="obs-indice">Indice de fragilité numérique</h2>
      <p>
        L’indice de la MedNum note de 1 à 10 l’exposition d’un territoire à l’exclusion numérique (10 : la
        plus forte), par la moyenne de cinq critères.
      </p>
      {o.index ? (
        <>
          <ScoreChart scores={o.index.scores} title={`Indice de ${o.index.name}`} />
          <ComparisonView c={o.index} />
        </>
      ) : o.weighted ? (
        <>
          <p safe>
            {`Moyenne des communes du territoire pondérée par leur population (${whole.format(o.weighted.population)} habitants notés, millésime ${o.weighted.year}), calculée par Relais :`}
          </p>
          <ScoreChart scores={o.weighted} title="Indice moyen du territoire" />
          <section class="table-wrap" tabindex="0" aria-label="Indice moyen pondéré par la population">
            <table>
              <caption class="visually-hidden">Indice moyen pondéré par la population</caption>
              <thead>
                <tr>
                  <th scope="col">Critère</th>
                  <th scope="col">Score moyen (1 à 10)</th>
                </tr>
              </thead>
              <tbody>
                {SCORE_COLUMNS.map((c) => (
                  <tr>
                    <th scope="row" safe>
                      {COMPONENT_LABELS[c]}
                    </th>
                    <td safe>{o.weighted ? score.format(o.weighted[c]) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : (
        <IndexMissing anyImported={o.indexImported} audience="public" />
      )}
    </section>
  );
}

function CommunesTable({ o }: { o: Observation }): JSX.Element {
  if (o.coverage.communes.length < 2) return '';
  return (
    <section aria-labelledby="obs-communes">
      <h2 id="obs-communes">Les communes du territoire</h2>
      <section class="table-wrap" tabindex="0" aria-label="Indice et lieux de chaque commune">
        <table>
          <caption class="visually-hidden">Indice et lieux de chaque commune</caption>
          <thead>
            <tr>
              <th scope="col">Commune</th>
              <th scope="col">Population</th>
              <th scope="col">Indice (1 à 10)</th>
              <th scope="col">Lieux publiés</th>
              <th scope="col">Lieux pour 10 000 habitants</th>
            </tr>
          </thead>
          <tbody>
            {o.coverage.communes.map((c) => (
              <tr>
                <th scope="row" safe>{`${c.name} (${c.code})`}</th>
                <td>{safeWhole(c.population)}</td>
                <td>{safeDecimal(o.communes.get(c.code)?.total)}</td>
                <td>{safeWhole(c.places)}</td>
                <td>{safeDecimal(c.placesPer10k)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

function ServicesOfCommune({ commune }: { commune: CommuneCoverage }): JSX.Element {
  return (
    <section
      class="table-wrap"
      tabindex="0"
      aria-label={`Services d’aide pour les habitants de ${commune.name}`}
    >
      <table>
        <caption safe>{`Services d’aide pour les habitants de ${commune.name}`}</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Où le trouver</th>
          </tr>
        </thead>
        <tbody>
          {SERVICES.map((s) => (
            <tr>
              <th scope="row">{s}</th>
              <td safe>{ACCESS_LABELS[commune.services[s]]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ServiceShares({ o }: { o: Observation }): JSX.Element {
  const access: ServiceAccess[] = ['commune', 'proche', 'aucun', 'inconnu'];
  return (
    <section
      class="table-wrap"
      tabindex="0"
      aria-label="Part de la population pour qui chaque service est proposé"
    >
      <table>
        <caption>Part de la population pour qui chaque service est proposé</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            {access.map((a) => (
              <th scope="col" safe>
                {ACCESS_LABELS[a]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {SERVICES.map((s) => (
            <tr>
              <th scope="row">{s}</th>
              {access.map((a) => (
                <td>{safePercent(o.coverage.totals.shares[s][a])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CoverageSection({ o }: { o: Observation }): JSX.Element {
  const t = o.coverage.totals;
  const single = o.coverage.communes.length === 1 ? o.coverage.communes[0] : undefined;
  return (
    <section aria-labelledby="obs-couverture">
      <h2 id="obs-couverture">Où trouver de l’aide</h2>
      <p safe>
        {`${whole.format(t.places)} lieu(x) publié(s) dans l’annuaire pour ${whole.format(t.population)} habitants, soit ${safeDecimal(t.placesPer10k)} pour 10 000 habitants. « À proximité » : un lieu à moins de ${whole.format(o.settings.radiusKm)} km du centre de la commune.`}
      </p>
      {single ? <ServicesOfCommune commune={single} /> : <ServiceShares o={o} />}
      {o.coverage.communes.some((c) => c.position === 'inconnue') ? (
        <p>
          La position de certaines communes n’est pas encore connue : les lieux à proximité ne sont pas
          comptés pour elles.
        </p>
      ) : (
        ''
      )}
      <p>
        <a href={`/lieux?commune=${encodeURIComponent(o.territory.communes[0] ?? '')}`}>Chercher un lieu</a>
      </p>
    </section>
  );
}

function WhiteZones({ o }: { o: Observation }): JSX.Element {
  const { radiusKm, threshold } = o.settings;
  return (
    <section aria-labelledby="obs-zones">
      <h2 id="obs-zones">Zones blanches</h2>
      <p safe>
        {`Communes du territoire dont l’indice atteint ${decimal.format(threshold)} ou plus et sans aucun lieu d’aide publié dans la commune ni à moins de ${whole.format(radiusKm)} km.`}
      </p>
      {o.whiteZones.length === 0 ? (
        <p>
          {o.communes.size === 0
            ? 'Sans indice importé, les zones blanches ne peuvent pas être calculées.'
            : 'Aucune commune dans ce cas.'}
        </p>
      ) : (
        <section class="table-wrap" tabindex="0" aria-label="Zones blanches">
          <table>
            <caption class="visually-hidden">Zones blanches, les plus fragiles d’abord</caption>
            <thead>
              <tr>
                <th scope="col">Commune</th>
                <th scope="col">Population</th>
                <th scope="col">Indice</th>
                <th scope="col">Lieu le plus proche</th>
              </tr>
            </thead>
            <tbody>
              {o.whiteZones.map((z) => (
                <tr>
                  <th scope="row" safe>{`${z.name} (${z.code})`}</th>
                  <td>{safeWhole(z.population)}</td>
                  <td>{safeDecimal(z.index)}</td>
                  <td safe>
                    {z.nearestKm === null
                      ? z.position === 'inconnue'
                        ? 'position de la commune inconnue'
                        : 'aucun lieu publié'
                      : `à ${decimal.format(z.nearestKm)} km`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

const SHOWN_BREAKDOWNS = new Set(['thematique', 'demarche', 'age', 'commune']);

function ActivitySection({ o }: { o: Observation }): JSX.Element {
  const view = o.activity;
  return (
    <section aria-labelledby="obs-activite">
      <h2 id="obs-activite" safe>{`Activité des médiateurs : ${o.activityOf}`}</h2>
      <p safe>{periodText(o.settings.period)}</p>
      <Summary view={view} />
      <MaskingNote exact={false} />
      <div class="stats-grid">
        {[...view.activity, ...view.people]
          .filter((b) => SHOWN_BREAKDOWNS.has(b.id))
          .map((b) => (
            <BreakdownFigure breakdown={b} />
          ))}
      </div>
      <Months view={view} />
    </section>
  );
}

function MapSection({
  o,
  mapAttributes,
}: {
  o: Observation;
  mapAttributes: Record<string, string>;
}): JSX.Element {
  return (
    <section aria-labelledby="obs-carte">
      <h2 id="obs-carte">Carte des lieux</h2>
      <p>Chaque lieu publié prend la couleur de l’indice de sa commune :</p>
      <ul class="obs-legend">
        {INDEX_CLASSES.map((c) => (
          <li>
            <span class={`obs-swatch obs-swatch--${c.colour.slice(1)}`} aria-hidden="true"></span>
            <span safe>{`indice ${c.label}`}</span>
          </li>
        ))}
        <li>
          <span class="obs-swatch obs-swatch--8c8c8c" aria-hidden="true"></span>indice inconnu
        </li>
      </ul>
      <section
        class="carte"
        data-map="resultats"
        data-source={`${territoryPath(o.territory)}/lieux.json`}
        aria-label="Carte des lieux (le tableau des communes dit la même chose)"
        hidden
        {...mapAttributes}
      ></section>
    </section>
  );
}

export type SettingsValues = { du: string; au: string; rayon: string; seuil: string };

function SettingsForm(props: { action: string; values: SettingsValues; errors: FieldErrors }): JSX.Element {
  return (
    <section class="stats-controls" aria-labelledby="obs-reglages">
      <h2 id="obs-reglages" class="visually-hidden">
        Réglages
      </h2>
      <form method="get" action={props.action} class="inline-form" novalidate>
        <Field name="du" label="Du" type="date" value={props.values.du} error={props.errors.du} required />
        <Field name="au" label="Au" type="date" value={props.values.au} error={props.errors.au} required />
        <Field
          name="rayon"
          label="Distance de proximité (km)"
          value={props.values.rayon}
          error={props.errors.rayon}
        />
        <Field
          name="seuil"
          label="Seuil d’indice des zones blanches"
          value={props.values.seuil}
          error={props.errors.seuil}
        />
        <button type="submit" class="button button--secondary">
          Afficher
        </button>
      </form>
    </section>
  );
}

export type TerritoryPageProps = {
  observation: Observation | null;
  territory: Territory;
  values: SettingsValues;
  errors: FieldErrors;
  query: string;
  embed: boolean;
  mapAttributes: Record<string, string>;
  publicUrl: string;
};

/** A territory's observatory page; `embed`: without the site's chrome, for an iframe. */
export function TerritoryPage(props: TerritoryPageProps): JSX.Element {
  const path = territoryPath(props.territory);
  const o = props.observation;
  const embedUrl = `${props.publicUrl}${path}/integrer${props.query ? `?${props.query}` : ''}`;
  return (
    <div class="stats obs">
      <h1 safe>{`Observatoire : ${props.territory.name}`}</h1>
      {props.embed ? (
        <p>
          <a
            href={`${props.publicUrl}${path}${props.query ? `?${props.query}` : ''}`}
            target="_blank"
            rel="noopener"
          >
            Voir la page complète (nouvelle fenêtre)
          </a>
        </p>
      ) : (
        <>
          <ErrorSummary errors={props.errors} />
          <SettingsForm action={path} values={props.values} errors={props.errors} />
        </>
      )}
      {o ? (
        <>
          <IndexSection o={o} />
          <CommunesTable o={o} />
          <CoverageSection o={o} />
          <WhiteZones o={o} />
          {props.embed ? '' : <MapSection o={o} mapAttributes={props.mapAttributes} />}
          <ActivitySection o={o} />
          {props.embed ? (
            ''
          ) : (
            <section aria-labelledby="obs-partager">
              <h2 id="obs-partager">Rapport, partage et intégration</h2>
              <ul>
                <li>
                  <a href={`${path}/rapport.pdf${props.query ? `?${props.query}` : ''}`}>
                    Rapport de l’observatoire pour le conseil (PDF)
                  </a>
                </li>
                <li>
                  Lien à partager :{' '}
                  <code safe>{`${props.publicUrl}${path}${props.query ? `?${props.query}` : ''}`}</code>
                </li>
                <li>
                  Pour intégrer cette page dans un autre site :{' '}
                  <code
                    safe
                  >{`<iframe src="${embedUrl}" title="Observatoire : ${props.territory.name}" width="100%" height="900"></iframe>`}</code>
                </li>
                <li>
                  <a href="/donnees">Les données ouvertes de l’observatoire</a>
                </li>
              </ul>
            </section>
          )}
        </>
      ) : (
        ''
      )}
    </div>
  );
}
