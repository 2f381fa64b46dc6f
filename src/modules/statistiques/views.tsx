import { formatDate, formatDay } from '../../platform/paris-time.ts';
import { CsrfField, ErrorSummary, Field, type FieldErrors, Notice } from '../../platform/ui/components.tsx';
import { BarChart, MonthChart, safeShown } from './charts.tsx';
import type { Shown } from './disclosure.ts';
import type { Period, Preset } from './period.ts';
import type { Breakdown, StatisticsView } from './presentation.ts';
import type { ShareSummary } from './shares.ts';

/** `2025-01-31` → `31 janvier 2025`, `2025-02-01` → `1er février 2025`; never holds markup. */
export const safeDay = (day: string) => formatDay(day).replace(/^1 /, '1er ');
const percentFormat = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 });
const safePart = (part: number | null) => (part === null ? '' : percentFormat.format(part));

export const periodText = (p: Period) => `Du ${safeDay(p.du)} au ${safeDay(p.au)}`;

/** Column headers; a soft hyphen lets the long one break on phones. */
const UNITS = { activites: 'Activités', accompagnements: 'Accompa&shy;gnements' } as const;

/** The rule behind "< 5", in plain French, on every masked view. */
export function MaskingNote({ exact }: { exact: boolean }): JSX.Element {
  if (exact)
    return (
      <div class="notice stats-note">
        <p>
          Ces nombres sont exacts : vous seul et les médiateurs de vos lieux les voyez. Dans un lien de
          partage et pour la coordination, les nombres sont arrondis à 5, sur des mois complets.
        </p>
      </div>
    );
  return (
    <div class="notice stats-note">
      <p>
        <strong>Pour protéger les personnes accompagnées</strong>, ces statistiques portent sur des mois
        complets, jusqu’au dernier mois terminé. Chaque nombre du mois (activités, accompagnements, chaque
        ligne de chaque répartition) est arrondi au multiple de 5 le plus proche : 1 ou 2 comptent 0, 3 à 7
        comptent 5. Les nombres d’une période sont la somme de ces mois arrondis : ainsi, comparer deux
        périodes ne permet pas de retrouver une personne.
      </p>
      <p>
        Les lignes d’une répartition, arrondies chacune, peuvent ne pas faire exactement le total ; les
        nombres de personnes accompagnées, comptés sur toute la période, sont arrondis à 5 (de 1 à 4 : «{' '}
        {safeShown('lt5')} »).
      </p>
    </div>
  );
}

function Definitions(): JSX.Element {
  return (
    <details class="disclosure stats-definitions">
      <summary>Comment lire ces nombres</summary>
      <ul>
        <li>
          Une <strong>activité</strong> est un accompagnement individuel ou un atelier collectif enregistré
          par un médiateur.
        </li>
        <li>
          Un <strong>accompagnement</strong> est une personne présente à une activité : un atelier de 8
          personnes compte 8 accompagnements. Les personnes anonymes comptent comme accompagnements.
        </li>
        <li>
          Les <strong>personnes accompagnées</strong> sont les personnes enregistrées, comptées une fois
          chacune ; les participants anonymes d’un atelier n’y sont pas comptés, faute de pouvoir les
          reconnaître d’une fois sur l’autre. Une personne est <strong>nouvelle</strong> si son tout premier
          accompagnement enregistré dans Relais a eu lieu pendant la période.
        </li>
        <li>
          Une activité peut porter sur plusieurs thématiques, démarches ou matériels : le total de ces lignes
          peut dépasser le nombre d’activités.
        </li>
      </ul>
    </details>
  );
}

export function Summary({ view }: { view: StatisticsView }): JSX.Element {
  const items: [string, Shown][] = [
    ['Activités', view.summary.activites],
    ['Accompagnements', view.summary.accompagnements],
    ['Personnes accompagnées', view.summary.personnes],
    ['dont nouvelles', view.summary.nouvelles],
    ['dont déjà accompagnées avant', view.summary.connues],
  ];
  return (
    <section aria-labelledby="stats-en-bref">
      <h2 id="stats-en-bref">En bref</h2>
      <dl class="stats-summary" id="synthese">
        {items.map(([label, value]) => (
          <div class="stats-summary__item">
            <dt safe>{label}</dt>
            <dd>{safeShown(value)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/**
 * A chart's table, one click away: the chart says it at a glance, the table (its accessible
 * equivalent, and what the figures are copied from) opens on demand instead of doubling the page.
 */
function DataTable({ children: safeTable }: { children: JSX.Element }): JSX.Element {
  return (
    <details class="disclosure stats-data">
      <summary>Voir le tableau des nombres</summary>
      {safeTable}
    </details>
  );
}

/** One breakdown: its chart, then its table (the accessible equivalent). */
export function BreakdownFigure({ breakdown }: { breakdown: Breakdown }): JSX.Element {
  const headingId = `stats-titre-${breakdown.id}`;
  const unit = UNITS[breakdown.unit];
  return (
    <section class="stats-breakdown" aria-labelledby={headingId}>
      <h3 id={headingId} safe>
        {breakdown.title}
      </h3>
      <div class="stats-figure">
        <BarChart rows={breakdown.rows} />
        <DataTable>
          <section class="table-wrap" tabindex="0" aria-label={breakdown.title}>
            <table id={`tableau-${breakdown.id}`} class="stats-table">
              <caption class="visually-hidden" safe>
                {`${breakdown.title}, en nombre d’${breakdown.unit === 'activites' ? 'activités' : 'accompagnements'}`}
              </caption>
              <thead>
                <tr>
                  <th scope="col" safe>
                    {breakdown.title}
                  </th>
                  <th scope="col" class="num">
                    {unit}
                  </th>
                  <th scope="col" class="num">
                    Part
                  </th>
                </tr>
              </thead>
              <tbody>
                {breakdown.rows.map((row) => (
                  <tr data-code={row.code}>
                    <th scope="row" safe>
                      {row.label}
                    </th>
                    <td class="num">{safeShown(row.value)}</td>
                    <td class="num">{safePart(row.part)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-code="total">
                  <th scope="row">{breakdown.multi ? 'Nombre d’activités' : 'Total'}</th>
                  <td class="num">{safeShown(breakdown.total)}</td>
                  <td class="num" />
                </tr>
              </tfoot>
            </table>
          </section>
        </DataTable>
      </div>
      {breakdown.multi ? (
        <p class="stats-hint">
          Plusieurs choix possibles par activité : les lignes peuvent dépasser le total.
        </p>
      ) : (
        ''
      )}
    </section>
  );
}

export function Months({ view }: { view: StatisticsView }): JSX.Element {
  return (
    <section class="stats-breakdown stats-breakdown--wide" aria-labelledby="stats-titre-mois">
      <h2 id="stats-titre-mois">Mois par mois</h2>
      <div class="stats-figure stats-figure--stacked">
        <MonthChart rows={view.months.rows} />
        <DataTable>
          <section class="table-wrap" tabindex="0" aria-label="Mois par mois">
            <table id="tableau-mois" class="stats-table">
              <caption class="visually-hidden">Activités et accompagnements par mois</caption>
              <thead>
                <tr>
                  <th scope="col">Mois</th>
                  <th scope="col" class="num">
                    Activités
                  </th>
                  <th scope="col" class="num">
                    {UNITS.accompagnements}
                  </th>
                </tr>
              </thead>
              <tbody>
                {view.months.rows.map((row) => (
                  <tr data-code={row.mois}>
                    <th scope="row" safe>
                      {row.label}
                    </th>
                    <td class="num">{safeShown(row.activites)}</td>
                    <td class="num">{safeShown(row.accompagnements)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-code="total">
                  <th scope="row">Total</th>
                  <td class="num">{safeShown(view.summary.activites)}</td>
                  <td class="num">{safeShown(view.summary.accompagnements)}</td>
                </tr>
              </tfoot>
            </table>
          </section>
        </DataTable>
      </div>
    </section>
  );
}

/** Each view's figures once written: a view presented again is the same object (presentation.ts). */
const written = new WeakMap<StatisticsView, string>();

/** Everything a view shows, the same on the owner's page and behind a shared link. */
function Figures({ view }: { view: StatisticsView }): JSX.Element {
  const known = written.get(view);
  if (known !== undefined) return known;
  const markup = FiguresOf({ view });
  if (typeof markup === 'string') written.set(view, markup);
  return markup;
}

function FiguresOf({ view }: { view: StatisticsView }): JSX.Element {
  return (
    <>
      <Summary view={view} />
      <MaskingNote exact={view.exact} />
      <Definitions />
      <section aria-labelledby="stats-activites">
        <h2 id="stats-activites">Les activités</h2>
        <div class="stats-grid">
          {view.activity.map((b) => (
            <BreakdownFigure breakdown={b} />
          ))}
        </div>
      </section>
      <section aria-labelledby="stats-personnes">
        <h2 id="stats-personnes">Les personnes accompagnées</h2>
        <p>En nombre d’accompagnements : une personne venue trois fois compte trois fois.</p>
        <div class="stats-grid">
          {view.people.map((b) => (
            <BreakdownFigure breakdown={b} />
          ))}
        </div>
      </section>
      <Months view={view} />
    </>
  );
}

export type LinkList = { title: string; items: { href: string; label: string }[] };

export type StatisticsPageProps = {
  title: string;
  /** Where the page lives (its form, downloads and links act there). */
  base: string;
  period: Period | null;
  values: { du: string; au: string };
  errors: FieldErrors;
  presets: Preset[];
  view: StatisticsView | null;
  csrf: string;
  shares: ShareSummary[];
  flash?: string | undefined;
  links?: LinkList | undefined;
};

const query = (p: { du: string; au: string }) =>
  `du=${encodeURIComponent(p.du)}&au=${encodeURIComponent(p.au)}`;

function PeriodForm(props: StatisticsPageProps): JSX.Element {
  return (
    <section class="stats-controls" aria-labelledby="stats-periode">
      <h2 id="stats-periode" class="visually-hidden">
        Période
      </h2>
      <form method="get" action={props.base} class="inline-form" novalidate>
        <Field name="du" label="Du" type="date" value={props.values.du} error={props.errors.du} required />
        <Field name="au" label="Au" type="date" value={props.values.au} error={props.errors.au} required />
        <button type="submit" class="button button--secondary">
          Afficher
        </button>
      </form>
      <ul class="stats-presets" aria-label="Périodes toutes prêtes">
        {props.presets.map((preset) => {
          const current =
            props.period !== null &&
            props.period.du === preset.period.du &&
            props.period.au === preset.period.au;
          return (
            <li>
              <a
                href={`${props.base}?${query(preset.period)}`}
                aria-current={current ? 'true' : undefined}
                safe
              >
                {preset.label}
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Shares(props: StatisticsPageProps & { period: Period }): JSX.Element {
  return (
    <section class="stats-share" aria-labelledby="stats-partager">
      <h2 id="stats-partager">Partager ces statistiques</h2>
      <p>
        Un lien de partage permet à quelqu’un sans compte de consulter ces statistiques, pour la période
        choisie (en mois complets), en lecture seule et avec les nombres arrondis à 5. Vous pouvez le retirer
        à tout moment.
      </p>
      <form method="post" action={`${props.base}/partages`}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="du" value={props.period.du} />
        <input type="hidden" name="au" value={props.period.au} />
        <button type="submit" class="button button--secondary">
          Créer un lien pour cette période
        </button>
      </form>
      {props.shares.length === 0 ? (
        <p>Aucun lien de partage en service pour ces statistiques.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Liens de partage en service</caption>
            <thead>
              <tr>
                <th scope="col">Période</th>
                <th scope="col">Créé le</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {props.shares.map((share) => (
                <tr>
                  <td safe>{periodText(share)}</td>
                  <td safe>{`${formatDate(share.createdAt, 'short')}${share.mine ? ' par vous' : ''}`}</td>
                  <td>
                    <form method="post" action={`${props.base}/partages/retirer`}>
                      <CsrfField token={props.csrf} />
                      <input type="hidden" name="partage" value={share.id} />
                      <input type="hidden" name="du" value={props.period.du} />
                      <input type="hidden" name="au" value={props.period.au} />
                      <button type="submit" class="button button--danger">
                        Retirer
                        <span
                          class="visually-hidden"
                          safe
                        >{` le lien ${periodText(share).toLowerCase()}`}</span>
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The statistics page of a signed-in person: period, figures, download, sharing. */
export function StatisticsPage(props: StatisticsPageProps): JSX.Element {
  return (
    <div class="stats">
      <h1 safe>{props.title}</h1>
      {props.period ? (
        <p class="lead" safe>
          {periodText(props.period)}
        </p>
      ) : (
        ''
      )}
      {props.flash ? (
        <Notice kind="success">
          <p safe>{props.flash}</p>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary errors={props.errors} />
      <PeriodForm {...props} />
      {props.view && props.period ? (
        <>
          <Figures view={props.view} />
          <section class="stats-actions" aria-labelledby="stats-telecharger">
            <h2 id="stats-telecharger">Télécharger ou imprimer</h2>
            <p>
              <a href={`${props.base}/export.xlsx?${query(props.period)}`}>
                Télécharger ces statistiques (tableur XLSX, une feuille par répartition)
              </a>
            </p>
            <p>Pour une version papier, imprimez cette page depuis votre navigateur : elle s’y prête.</p>
          </section>
          <Shares {...props} period={props.period} />
        </>
      ) : (
        ''
      )}
      {props.links && props.links.items.length > 0 ? (
        <section class="stats-links" aria-labelledby="stats-voir-aussi">
          <h2 id="stats-voir-aussi" safe>
            {props.links.title}
          </h2>
          <ul>
            {props.links.items.map((link) => (
              <li>
                <a href={link.href} safe>
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        ''
      )}
    </div>
  );
}

/** What a shared link shows: the masked figures, read-only. */
export function SharedStatisticsPage(props: {
  title: string;
  view: StatisticsView;
  exportUrl: string;
}): JSX.Element {
  return (
    <div class="stats">
      <h1 safe>{props.title}</h1>
      <p class="lead" safe>
        {periodText(props.view.period)}
      </p>
      <p>Page partagée en lecture seule par un membre du réseau d’inclusion numérique.</p>
      <Figures view={props.view} />
      <section class="stats-actions" aria-labelledby="stats-telecharger">
        <h2 id="stats-telecharger">Télécharger</h2>
        <p>
          <a href={props.exportUrl}>Télécharger ces statistiques (tableur XLSX)</a>
        </p>
      </section>
    </div>
  );
}

/** After publishing a link: the link, shown this once. */
export function ShareCreatedPage(props: {
  url: string;
  title: string;
  period: Period;
  back: string;
}): JSX.Element {
  return (
    <>
      <h1>Lien de partage créé</h1>
      <Notice kind="success">
        <p>Copiez ce lien maintenant : pour votre sécurité, il ne sera plus affiché.</p>
      </Notice>
      <div class="field">
        <label for="lien-partage">Lien de partage</label>
        <input
          id="lien-partage"
          type="text"
          readonly
          value={props.url}
          class="stats-link"
          spellcheck="false"
          data-copy-label="Copier le lien"
        />
      </div>
      <p safe>
        {`Il montre « ${props.title} », ${periodText(props.period).toLowerCase()}, sans connexion et avec les nombres arrondis à 5. Vous pouvez le retirer depuis la page des statistiques.`}
      </p>
      <p>
        <a href={props.back}>Revenir aux statistiques</a>
      </p>
    </>
  );
}

/** A shared link that does not (or no longer) work. */
export function ShareGonePage(): JSX.Element {
  return (
    <>
      <h1>Ce lien de partage ne fonctionne pas</h1>
      <p>Il a peut-être été retiré par la personne qui l’a créé, ou l’adresse est incomplète.</p>
      <p>Demandez-lui un nouveau lien.</p>
    </>
  );
}
