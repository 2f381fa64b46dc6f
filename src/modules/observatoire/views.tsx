import { formatDateTime } from '../../platform/paris-time.ts';
import {
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Notice,
  safeNumber,
} from '../../platform/ui/components.tsx';
import { ImportNotesTable } from '../../platform/ui/import-report.tsx';
import {
  COMPONENT_LABELS,
  type IfnKind,
  KIND_LABELS,
  MOTIFS,
  type Motif,
  type Note,
  type RowOutcome,
  SCORE_COLUMNS,
} from './ifn-file.ts';
import { reportRows } from './import.ts';
import type { IfnComparison, IfnVintage, Standing } from './query.ts';

export const IFN_ADMIN_PATH = '/admin/observatoire/ifn';
export const IMPORT_COMMAND = 'npm run relais -- import ifn FICHIER.csv --millesime ANNÉE';

/** The report page's URL of a stored vintage (`.csv` for its CSV). */
export const reportPath = (year: number, kind: IfnKind, csv = false) =>
  `${IFN_ADMIN_PATH}/rapport${csv ? '.csv' : ''}?${new URLSearchParams({ millesime: String(year), niveau: kind })}`;

const safeDateTime = (d: Date) => formatDateTime(d, 'short');
const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
const safeScore = (n: number) => decimal.format(n);
const safeSigned = (n: number) => (n > 0 ? `+${decimal.format(n)}` : decimal.format(n));

/**
 * What a page shows where a territory has no index: either nothing is imported yet (and how
 * to import it), or the imported vintages do not score this territory.
 */
export function IndexMissing({
  anyImported,
  audience = 'admin',
}: {
  anyImported: boolean;
  /** Public pages never show how to import it: no command line, no link to an admin page. */
  audience?: 'admin' | 'public';
}): JSX.Element {
  if (audience === 'public') {
    return (
      <Notice>
        <p>L’indice de fragilité numérique n’est pas encore publié pour ce territoire.</p>
      </Notice>
    );
  }
  if (anyImported) {
    return (
      <Notice>
        <p>
          L’indice de fragilité numérique importé ne couvre pas ce territoire : son code n’est pas dans le
          fichier de la MedNum, ou sa ligne a été rejetée à l’import (voir le rapport d’import).
        </p>
      </Notice>
    );
  }
  return (
    <div class="notice">
      <p>Aucun indice de fragilité numérique n’est importé pour l’instant.</p>
      <p>
        Un administrateur de l’OPSN peut importer les fichiers publiés par la MedNum (communes et EPCI) sur la
        page <a href={IFN_ADMIN_PATH}>Indice de fragilité numérique</a>, ou en ligne de commande :{' '}
        <code>{IMPORT_COMMAND}</code>
      </p>
    </div>
  );
}

function VintageTable({ vintages }: { vintages: IfnVintage[] }): JSX.Element {
  return (
    <section class="table-wrap" tabindex="0" aria-label="Millésimes importés">
      <table>
        <caption class="visually-hidden">Millésimes importés, les plus récents d’abord</caption>
        <thead>
          <tr>
            <th scope="col">Millésime</th>
            <th scope="col">Niveau</th>
            <th scope="col">Fichier</th>
            <th scope="col">Importé le</th>
            <th scope="col">Par</th>
            <th scope="col">Lignes lues</th>
            <th scope="col">Importées</th>
            <th scope="col">Rejetées</th>
            <th scope="col">Rapport</th>
          </tr>
        </thead>
        <tbody>
          {vintages.map((v) => (
            <tr>
              <td>{v.year}</td>
              <td safe>{KIND_LABELS[v.kind].many}</td>
              <td safe>{v.fileName}</td>
              <td>{safeDateTime(v.importedAt)}</td>
              <td safe>{v.importedBy}</td>
              <td>{safeNumber(v.read)}</td>
              <td>{safeNumber(v.imported)}</td>
              <td>{safeNumber(v.rejected)}</td>
              <td>
                <a href={reportPath(v.year, v.kind)}>
                  Voir
                  <span
                    class="visually-hidden"
                    safe
                  >{` le rapport ${v.year} des ${KIND_LABELS[v.kind].many}`}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function StandingText({ label, s }: { label: string; s: Standing }): JSX.Element {
  return (
    <>
      <dt safe>{label}</dt>
      <dd safe>
        {`${s.rank === 1 ? '1er' : `${safeNumber(s.rank)}e`} sur ${safeNumber(s.outOf)} (1er : le plus fragile) ; plus fragile que ${safeScore(s.percentile)} % des autres`}
      </dd>
    </>
  );
}

/** A territory's index, where it stands, and how it moved since the previous vintage. */
export function ComparisonView({ c }: { c: IfnComparison }): JSX.Element {
  const level = KIND_LABELS[c.vintage.kind];
  return (
    <section aria-labelledby="territoire-ifn">
      <h3 id="territoire-ifn" safe>{`${c.name} (${c.code}), millésime ${c.vintage.year}`}</h3>
      <section class="table-wrap" tabindex="0" aria-label="Scores de 1 à 10">
        <table>
          <caption class="visually-hidden">Scores de 1 à 10 (10 : le plus exposé)</caption>
          <thead>
            <tr>
              <th scope="col">Critère</th>
              <th scope="col">Score (1 à 10)</th>
              {c.change ? <th scope="col" safe>{`Évolution depuis ${c.change.year}`}</th> : ''}
            </tr>
          </thead>
          <tbody>
            {SCORE_COLUMNS.map((column) => (
              <tr>
                <th scope="row" safe>
                  {COMPONENT_LABELS[column]}
                </th>
                <td>{safeScore(c.scores[column])}</td>
                {c.change ? <td>{safeSigned(c.change.delta[column])}</td> : ''}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <dl class="summary-list">
        <StandingText label={`Parmi les ${level.many} de France`} s={c.national} />
        {c.withinDepartement && c.departement ? (
          <StandingText
            label={`Parmi les communes du département ${c.departement.name ?? ''} (${c.departement.code})`}
            s={c.withinDepartement}
          />
        ) : (
          ''
        )}
        {c.change ? (
          ''
        ) : (
          <>
            <dt>Évolution</dt>
            <dd>Aucun millésime antérieur ne note ce territoire.</dd>
          </>
        )}
      </dl>
    </section>
  );
}

export type AdminPageProps = {
  vintages: IfnVintage[];
  csrf: string;
  errors: FieldErrors;
  values: { millesime?: string; source?: string; code?: string };
  defaultYear: number;
  lookup?: { code: string; comparison: IfnComparison | null } | undefined;
};

export function IfnAdminPage(props: AdminPageProps): JSX.Element {
  const { errors, values } = props;
  // The lookup form's error stays next to it; the upload's go to the summary at the top.
  const uploadErrors = Object.fromEntries(Object.entries(errors).filter(([k]) => k !== 'code'));
  return (
    <>
      <h1>Indice de fragilité numérique</h1>
      <p>
        L’indice de la MedNum (fragilite-numerique.fr) note chaque commune et chaque EPCI de 1 à 10 (10 : le
        plus exposé) sur cinq critères : absence de très haut débit fixe, absence de 4G, taux de pauvreté,
        part des 65 ans et plus, part des personnes peu ou pas diplômées. L’indice est la moyenne des cinq.
      </p>
      <ErrorSummary errors={uploadErrors} />
      <h2>Millésimes importés</h2>
      {props.vintages.length === 0 ? (
        <IndexMissing anyImported={false} />
      ) : (
        <VintageTable vintages={props.vintages} />
      )}

      <h2>Importer un fichier</h2>
      <p>
        Un fichier CSV de la MedNum : celui des communes ou celui des EPCI (le niveau se lit dans les lignes).
        Chaque ligne est vérifiée : code connu du code officiel géographique, cinq scores de 1 à 10, total
        égal à leur moyenne. Les lignes valables remplacent le millésime de la même année et du même niveau ;
        les autres sont rejetées et listées dans le rapport avec leur motif.
      </p>
      <form method="post" action={IFN_ADMIN_PATH} enctype="multipart/form-data" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="fichier"
          label="Fichier CSV (20 Mo au plus)"
          type="file"
          accept=".csv,text/csv"
          error={errors.fichier}
          required
        />
        <Field
          name="millesime"
          label="Millésime (année de l’indice)"
          hint="Par exemple 2023. Réimporter une année remplace ce millésime."
          inputClass="input--short"
          value={values.millesime ?? String(props.defaultYear)}
          error={errors.millesime}
          required
        />
        <Field
          name="source"
          label="Nom du fichier (facultatif)"
          hint="Il s’affiche dans la liste des millésimes, par exemple ifn-communes.csv."
          value={values.source}
          error={errors.source}
        />
        <fieldset class="checkboxes">
          <legend>Options</legend>
          <div class="checkbox">
            <input type="checkbox" id="essai" name="essai" value="oui" />
            <label for="essai">Vérifier seulement, sans rien enregistrer</label>
          </div>
          <div class="checkbox">
            <input type="checkbox" id="strict" name="strict" value="oui" />
            <label for="strict">Ne rien enregistrer si une ligne est rejetée</label>
          </div>
        </fieldset>
        <button type="submit" class="button">
          Importer
        </button>
      </form>
      <p>
        En ligne de commande : <code>{IMPORT_COMMAND}</code> (options <code>--dry-run</code>,{' '}
        <code>--strict</code>, <code>--rapport RAPPORT.csv</code>).
      </p>

      <h2>Consulter un territoire</h2>
      <form method="get" action={IFN_ADMIN_PATH} class="inline-form" novalidate>
        <Field
          name="code"
          label="Code INSEE d’une commune ou SIREN d’un EPCI"
          inputClass="input--short"
          value={values.code}
          error={errors.code}
        />
        <button type="submit" class="button button--secondary">
          Consulter
        </button>
      </form>
      {props.lookup ? (
        props.lookup.comparison ? (
          <ComparisonView c={props.lookup.comparison} />
        ) : (
          <IndexMissing anyImported={props.vintages.length > 0} />
        )
      ) : (
        ''
      )}
    </>
  );
}

/** What the report page needs, whether the import was just run or is read back from its vintage. */
export type ReportView = {
  fileName: string;
  year: number;
  yearDefaulted: boolean;
  kind: IfnKind;
  read: number;
  imported: number;
  rejected: number;
  rows: RowOutcome[];
  fileNotes: Note[];
  rejectedBy: Partial<Record<Motif, number>>;
  warnedBy: Partial<Record<Motif, number>>;
  /** Why nothing was written; null when the vintage was written. */
  refusal: string | null;
  replaces: { importedAt: Date; importedBy: string; imported: number } | null;
  /** When and by whom a stored vintage was imported. */
  stored?: { at: Date; by: string } | undefined;
};

/** Most rows one table of the page shows; the CSV report has them all. */
const PAGE_ROWS = 1000;

function CountsByReason({ counts }: { counts: Partial<Record<Motif, number>> }): JSX.Element {
  return (
    <ul>
      {(Object.entries(counts) as [Motif, number][]).map(([motif, n]) => (
        <li safe>{`${MOTIFS[motif]} : ${safeNumber(n)}`}</li>
      ))}
    </ul>
  );
}

export function IfnReportPage({
  report,
  csvUrl,
}: {
  report: ReportView;
  csvUrl?: string | undefined;
}): JSX.Element {
  const level = KIND_LABELS[report.kind].many;
  const rejected = report.rows.filter((r) => r.result === 'rejected');
  const warned = report.rows.filter((r) => r.result === 'imported' && r.warnings.length > 0);
  return (
    <>
      <h1>Rapport d’import de l’indice de fragilité numérique</h1>
      <div class={report.refusal ? 'notice' : 'notice notice--success'} role="status">
        <p safe>{report.refusal ?? `Le millésime ${report.year} des ${level} est enregistré.`}</p>
        {report.replaces ? (
          <p safe>
            {`${report.refusal ? 'Il remplacerait' : 'Il remplace'} celui importé le ${safeDateTime(report.replaces.importedAt)} par ${report.replaces.importedBy} (${safeNumber(report.replaces.imported)} ${level}).`}
          </p>
        ) : (
          ''
        )}
      </div>
      <dl class="summary-list">
        <dt>Fichier</dt>
        <dd safe>{report.fileName}</dd>
        <dt>Niveau</dt>
        <dd safe>{level}</dd>
        <dt>Millésime</dt>
        <dd
          safe
        >{`${report.year}${report.yearDefaulted ? ' (année en cours, faute d’année donnée)' : ''}`}</dd>
        {report.stored ? (
          <>
            <dt>Importé le</dt>
            <dd safe>{`${safeDateTime(report.stored.at)} par ${report.stored.by}`}</dd>
          </>
        ) : (
          ''
        )}
        <dt>Lignes lues</dt>
        <dd>{safeNumber(report.read)}</dd>
        <dt>Importées</dt>
        <dd>{safeNumber(report.imported)}</dd>
        <dt>Rejetées</dt>
        <dd>{safeNumber(report.rejected)}</dd>
      </dl>
      {csvUrl ? (
        <p>
          <a href={csvUrl}>Télécharger le rapport complet (CSV, une ligne par ligne du fichier)</a>
        </p>
      ) : (
        <p>
          Le rapport complet en CSV se télécharge une fois l’import enregistré ; en ligne de commande,
          l’option <code>--rapport</code> l’écrit aussi pour une vérification.
        </p>
      )}
      {report.fileNotes.length ? (
        <>
          <h2>Colonnes ignorées</h2>
          <ul>
            {report.fileNotes.map((n) => (
              <li safe>{`${n.field} : ${n.reason}`}</li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
      {rejected.length ? (
        <>
          <h2>Lignes rejetées</h2>
          <p>Lignes par motif (une ligne peut en avoir plusieurs) :</p>
          <CountsByReason counts={report.rejectedBy} />
          <ImportNotesTable
            caption="Lignes rejetées et leurs motifs"
            rows={reportRows(rejected)}
            notes={['errors']}
            keyLabel="Code"
            limit={PAGE_ROWS}
          />
          {rejected.length > PAGE_ROWS ? (
            <p
              safe
            >{`Seules les ${safeNumber(PAGE_ROWS)} premières sont affichées : le rapport CSV les contient toutes.`}</p>
          ) : (
            ''
          )}
        </>
      ) : (
        ''
      )}
      {warned.length ? (
        <>
          <h2>Lignes importées avec un avertissement</h2>
          <CountsByReason counts={report.warnedBy} />
          <ImportNotesTable
            caption="Avertissements"
            rows={reportRows(warned)}
            notes={['warnings']}
            keyLabel="Code"
            limit={PAGE_ROWS}
          />
        </>
      ) : (
        ''
      )}
      <p>
        <a href={IFN_ADMIN_PATH}>Retour à l’indice de fragilité numérique</a>
      </p>
    </>
  );
}
