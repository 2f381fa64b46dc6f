import { formatDateTime } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  fieldId,
  Notice,
  Select,
  safeNumber,
  TextArea,
} from '../../platform/ui/components.tsx';
import { ImportNotesTable } from '../../platform/ui/import-report.tsx';
import { Pagination } from '../../platform/ui/pagination.tsx';
import type { PlaceFormValues } from './form.ts';
import { type ImportReport, reportRows } from './import.ts';
import { WEEKDAY_TARGETS } from './import-mapping.ts';
import { type MapConfig, PickerMap } from './map-view.tsx';
import { DAY_CODES, DAY_LABELS, TIMETABLE_SLOTS, timetableFieldName } from './opening-hours.ts';
import { PHONE_FORMAT } from './validation.ts';
import { FIELD_BY_NAME, LMN_FIELDS, TYPOLOGIES } from './vocabulary.ts';

export type CollectiviteChoice = { id: number | null; name: string };

const safeDateTime = (d: Date) => formatDateTime(d, 'short');

const STATUS_LABEL = { brouillon: 'Brouillon', publie: 'Publié' } as const;

export function ManagedListPage(props: {
  rows: {
    id: string;
    nom: string;
    commune: string;
    code_postal: string;
    status: 'brouillon' | 'publie';
    updated_at: Date;
    import_source: string | null;
  }[];
  total: number;
  page: number;
  pageSize: number;
  q?: string | undefined;
  status?: string | undefined;
  flash?: string | undefined;
}): JSX.Element {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const link = (page: number) =>
    `/admin/lieux?${new URLSearchParams({ ...(props.q ? { q: props.q } : {}), ...(props.status ? { statut: props.status } : {}), page: String(page) })}`;
  return (
    <>
      <h1>Lieux de médiation numérique</h1>
      {props.flash ? (
        <Notice kind="success">
          <span safe>{props.flash}</span>
        </Notice>
      ) : (
        ''
      )}
      <p class="button-group">
        <a class="button" href="/admin/lieux/nouveau">
          Ajouter un lieu
        </a>
        <a class="button button--secondary" href="/admin/lieux/import">
          Importer un fichier
        </a>
      </p>
      <form method="get" action="/admin/lieux" class="inline-form">
        <Field name="q" label="Nom ou commune" value={props.q} type="search" />
        <Select
          name="statut"
          label="Statut"
          value={props.status ?? ''}
          options={[
            { value: '', label: 'Tous' },
            { value: 'publie', label: 'Publiés' },
            { value: 'brouillon', label: 'Brouillons' },
          ]}
        />
        <button type="submit" class="button button--secondary">
          Filtrer
        </button>
      </form>
      <p safe>{`${safeNumber(props.total)} lieu${props.total > 1 ? 'x' : ''}`}</p>
      {props.rows.length === 0 ? (
        <p>Aucun lieu pour l’instant : ajoutez-en un ou importez un fichier au standard national.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Lieux, les plus récemment modifiés d’abord</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Commune</th>
                <th scope="col">Statut</th>
                <th scope="col">Modifié le</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/admin/lieux/${r.id}`} safe>
                      {r.nom}
                    </a>
                  </td>
                  <td safe>{`${r.code_postal} ${r.commune}`}</td>
                  <td>
                    <span class="tag">{STATUS_LABEL[r.status]}</span>
                  </td>
                  <td>{safeDateTime(r.updated_at)}</td>
                  <td safe>{r.import_source ?? 'Relais'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={props.page} pages={pages} href={link} />
    </>
  );
}

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('|') : v);
const arr = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? v.split('|') : []);

/** Checkboxes for one of the standard's value lists. */
function Choices({
  name,
  values,
  errors,
}: {
  name: string;
  values: PlaceFormValues;
  errors: FieldErrors;
}): JSX.Element {
  const field = FIELD_BY_NAME.get(name);
  const options =
    name === 'typologie'
      ? Object.entries(TYPOLOGIES).map(([code, label]) => ({ value: code, label: `${label} (${code})` }))
      : (field?.values ?? []).map((value) => ({ value, label: value }));
  return (
    <ChoiceGroup
      type="checkbox"
      name={name}
      legend={field?.label ?? name}
      options={options}
      checked={arr(values[name])}
      error={errors[name]}
      className="checkboxes"
      idBy="index"
    />
  );
}

function Timetable({ values, errors }: { values: PlaceFormValues; errors: FieldErrors }): JSX.Element {
  return (
    <fieldset class="timetable-form">
      <legend>Horaires d’ouverture de la semaine</legend>
      <p class="field__hint">
        Jusqu’à trois créneaux par jour, au format 09:00. Laissez vide un jour de fermeture.
      </p>
      <table>
        <caption class="visually-hidden">Créneaux d’ouverture par jour</caption>
        <thead>
          <tr>
            <th scope="col">Jour</th>
            {Array.from({ length: TIMETABLE_SLOTS }, (_, i) => (
              <th scope="col" safe>{`Créneau ${i + 1}`}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {DAY_CODES.map((day) => (
            <tr>
              <th scope="row" safe>
                {DAY_LABELS[day]}
              </th>
              {Array.from({ length: TIMETABLE_SLOTS }, (_, i) => {
                const from = timetableFieldName(day, i + 1, 'debut');
                const to = timetableFieldName(day, i + 1, 'fin');
                const error = errors[from] ?? errors[to];
                return (
                  <td class={error ? 'field--error' : undefined}>
                    <label class="visually-hidden" for={fieldId(from)} safe>
                      {`${DAY_LABELS[day]}, créneau ${i + 1}, début`}
                    </label>
                    <input type="time" id={fieldId(from)} name={from} value={str(values[from])} />
                    {' – '}
                    <label class="visually-hidden" for={fieldId(to)} safe>
                      {`${DAY_LABELS[day]}, créneau ${i + 1}, fin`}
                    </label>
                    <input type="time" id={fieldId(to)} name={to} value={str(values[to])} />
                    {error ? (
                      <span class="field__error" safe>
                        {error}
                      </span>
                    ) : (
                      ''
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

export function PlaceFormPage(props: {
  title: string;
  action: string;
  csrf: string;
  values: PlaceFormValues;
  errors: FieldErrors;
  collectivites: CollectiviteChoice[];
  collectiviteId: number | null;
  mapConfig: MapConfig;
  status?: 'brouillon' | 'publie';
  placeId?: string;
  flash?: string | undefined;
}): JSX.Element {
  const v = props.values;
  const e = props.errors;
  const text = (name: string, extra: { required?: boolean; hint?: string; type?: 'text' | 'url' } = {}) => (
    <Field
      name={name}
      label={FIELD_BY_NAME.get(name)?.label ?? name}
      value={str(v[name])}
      error={e[name]}
      required={extra.required}
      hint={extra.hint}
      type={extra.type}
    />
  );
  const lat = Number(str(v.latitude));
  const lon = Number(str(v.longitude));
  return (
    <>
      <h1 safe>{props.title}</h1>
      {props.flash ? (
        <Notice kind="success">
          <span safe>{props.flash}</span>
        </Notice>
      ) : (
        ''
      )}
      {props.status ? (
        <p>
          Statut : <span class="tag">{STATUS_LABEL[props.status]}</span>
          {props.placeId ? (
            <>
              {' · '}
              <a href={`/admin/lieux/${props.placeId}/historique`}>Historique des modifications</a>
              {props.status === 'publie' ? (
                <>
                  {' · '}
                  <a href={`/lieux/${props.placeId}`}>Voir la page publique</a>
                </>
              ) : (
                ''
              )}
            </>
          ) : (
            ''
          )}
        </p>
      ) : (
        ''
      )}
      <ErrorSummary errors={e} />
      <form method="post" action={props.action} novalidate class="place-form">
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>Le lieu</legend>
          {text('nom', { required: true })}
          {text('pivot', { hint: 'SIRET (14 chiffres), SIREN ou RNA ; laissez vide si inconnu' })}
          <Select
            name="collectivite"
            label="Collectivité responsable"
            value={props.collectiviteId === null ? '' : String(props.collectiviteId)}
            error={e.collectivite}
            options={props.collectivites.map((c) => ({
              value: c.id === null ? '' : String(c.id),
              label: c.name,
            }))}
          />
          {text('structure_parente', { hint: 'Réseau ou structure dont le lieu dépend' })}
          <details>
            <summary>Type de structure</summary>
            <Choices name="typologie" values={v} errors={e} />
          </details>
        </fieldset>
        <fieldset>
          <legend>Adresse</legend>
          {text('adresse', { required: true, hint: 'Numéro et voie, par exemple 12 rue de la Paix' })}
          {text('complement_adresse', { hint: 'Bâtiment, étage, lieu-dit…' })}
          {text('code_postal', { required: true })}
          {text('commune', { required: true })}
          {text('code_insee', { hint: 'Laissez vide : il est déduit du code postal et de la commune' })}
          {text('latitude', { hint: 'Degrés décimaux, par exemple 45.7719 (ou cliquez sur la carte)' })}
          {text('longitude', { hint: 'Degrés décimaux, par exemple 4.8902' })}
          <PickerMap
            config={props.mapConfig}
            latInput={fieldId('latitude')}
            lonInput={fieldId('longitude')}
            lat={Number.isFinite(lat) && str(v.latitude) ? lat : undefined}
            lon={Number.isFinite(lon) && str(v.longitude) ? lon : undefined}
          />
          <Choices name="itinerance" values={v} errors={e} />
        </fieldset>
        <fieldset>
          <legend>Contact</legend>
          <TextArea
            name="telephone"
            label="Téléphone"
            hint={`Un numéro par ligne, ${PHONE_FORMAT}`}
            value={str(v.telephone)}
            error={e.telephone}
            rows={2}
          />
          <TextArea
            name="courriels"
            label="Courriel"
            hint="Une adresse par ligne"
            value={str(v.courriels)}
            error={e.courriels}
            rows={2}
          />
          <TextArea
            name="site_web"
            label="Site web"
            hint="Une adresse par ligne, commençant par https://"
            value={str(v.site_web)}
            error={e.site_web}
            rows={2}
          />
          {text('prise_rdv', { type: 'url', hint: 'Adresse de la prise de rendez-vous en ligne' })}
          {text('fiche_acces_libre', {
            type: 'url',
            hint: 'Adresse de la fiche sur acceslibre.beta.gouv.fr',
          })}
        </fieldset>
        <Timetable values={v} errors={e} />
        <details open={Boolean(str(v.horaires)) || Boolean(e.horaires)}>
          <summary>Horaires particuliers (jours fériés, vacances…)</summary>
          {text('horaires', {
            hint: 'Format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00; PH off ». S’il est rempli, il remplace le tableau.',
          })}
        </details>
        <fieldset>
          <legend>Ce que le lieu propose</legend>
          <Choices name="services" values={v} errors={e} />
          <Choices name="modalites_accompagnement" values={v} errors={e} />
          <Choices name="modalites_acces" values={v} errors={e} />
          <Choices name="frais_a_charge" values={v} errors={e} />
          <Choices name="publics_specifiquement_adresses" values={v} errors={e} />
          <Choices name="prise_en_charge_specifique" values={v} errors={e} />
          <Choices name="dispositif_programmes_nationaux" values={v} errors={e} />
          <Choices name="formations_labels" values={v} errors={e} />
          {text('autres_formations_labels')}
        </fieldset>
        <fieldset>
          <legend>Présentation</legend>
          <TextArea
            name="presentation_resume"
            label="Présentation courte (280 caractères au plus)"
            value={str(v.presentation_resume)}
            error={e.presentation_resume}
            rows={3}
          />
          <TextArea
            name="presentation_detail"
            label="Présentation détaillée"
            value={str(v.presentation_detail)}
            error={e.presentation_detail}
            rows={6}
          />
          {text('source', { hint: 'Qui a fourni ces informations' })}
        </fieldset>
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
      {props.placeId && props.status ? (
        <form
          method="post"
          action={`/admin/lieux/${props.placeId}/${props.status === 'publie' ? 'depublier' : 'publier'}`}
        >
          <CsrfField token={props.csrf} />
          <button
            type="submit"
            class={props.status === 'publie' ? 'button button--danger' : 'button button--secondary'}
          >
            {props.status === 'publie' ? 'Retirer de l’annuaire public' : 'Publier dans l’annuaire public'}
          </button>
        </form>
      ) : (
        ''
      )}
    </>
  );
}

const KIND_LABEL = {
  creation: 'Création',
  modification: 'Modification',
  publication: 'Publication',
  depublication: 'Retrait de l’annuaire',
  import: 'Import',
} as const;

const showValue = (value: unknown) =>
  value === null || value === undefined || (Array.isArray(value) && value.length === 0)
    ? '(vide)'
    : Array.isArray(value)
      ? value.join(', ')
      : String(value);

export function HistoryPage(props: {
  nom: string;
  id: string;
  revisions: {
    at: Date;
    actor: string;
    kind: keyof typeof KIND_LABEL;
    changes: Record<string, [unknown, unknown]>;
  }[];
}): JSX.Element {
  return (
    <>
      <h1 safe>{`Historique : ${props.nom}`}</h1>
      <p>
        <a href={`/admin/lieux/${props.id}`}>Retour à la fiche</a>
      </p>
      {props.revisions.length === 0 ? (
        <p>Aucune modification enregistrée.</p>
      ) : (
        <ol class="history">
          {props.revisions.map((r) => (
            <li>
              <p>
                <strong>{KIND_LABEL[r.kind]}</strong>
                <span safe>{` le ${safeDateTime(r.at)} par `}</span>
                <span safe>{r.actor}</span>
              </p>
              {Object.keys(r.changes).length ? (
                <ul>
                  {Object.entries(r.changes).map(([field, [before, after]]) => (
                    <li
                      safe
                    >{`${FIELD_BY_NAME.get(field)?.label ?? field} : ${showValue(before)} → ${showValue(after)}`}</li>
                  ))}
                </ul>
              ) : (
                ''
              )}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

const importCounts = (i: {
  created_at: Date;
  read: number;
  created: number;
  updated: number;
  rejected: number;
}) =>
  ` — ${safeDateTime(i.created_at)} : ${i.read} lues, ${i.created} créées, ${i.updated} mises à jour, ${i.rejected} rejetées`;

export function ImportFormPage(props: {
  csrf: string;
  collectivites: CollectiviteChoice[];
  errors: FieldErrors;
  imports: {
    id: string;
    file_name: string;
    source: string;
    created_at: Date;
    read: number;
    created: number;
    updated: number;
    rejected: number;
  }[];
}): JSX.Element {
  return (
    <>
      <h1>Importer des lieux</h1>
      <p>
        Fichier au standard national des lieux de médiation numérique (LMN v1) : tableur XLSX (sa première
        feuille), CSV séparé par des virgules ou des points-virgules, ou JSON. Une colonne par champ du
        standard, valeurs multiples séparées par « | ». Les anciens champs (version 0.1) sont convertis quand
        c’est possible.
      </p>
      <p>
        Partir d’un modèle :{' '}
        <a href="/admin/lieux/import/modele.xlsx">modèle XLSX (avec une feuille d’aide)</a> ·{' '}
        <a href="/admin/lieux/import/modele.csv">modèle CSV</a>
      </p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/admin/lieux/import" enctype="multipart/form-data" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="fichier"
          label="Fichier (XLSX, CSV ou JSON, 20 Mo au plus)"
          type="file"
          accept=".xlsx,.csv,.json,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          error={props.errors.fichier}
          required
        />
        <Select
          name="collectivite"
          label="Rattacher les lieux à"
          error={props.errors.collectivite}
          options={props.collectivites.map((c) => ({
            value: c.id === null ? '' : String(c.id),
            label: c.name,
          }))}
        />
        <Field
          name="source"
          label="Nom de la source"
          hint="Par défaut le nom du fichier. Réimporter la même source met ses lieux à jour."
          error={props.errors.source}
        />
        <fieldset class="checkboxes">
          <legend>Options</legend>
          <div class="checkbox">
            <input type="checkbox" id="essai" name="essai" value="oui" />
            <label for="essai">Vérifier seulement, sans rien enregistrer</label>
          </div>
          <div class="checkbox">
            <input type="checkbox" id="strict" name="strict" value="oui" />
            <label for="strict">
              Ne rien enregistrer si une ligne est rejetée (une valeur illisible rejette alors sa ligne)
            </label>
          </div>
          <div class="checkbox">
            <input type="checkbox" id="brouillon" name="brouillon" value="oui" />
            <label for="brouillon">Créer les nouveaux lieux en brouillon (sinon ils sont publiés)</label>
          </div>
          <div class="checkbox">
            <input type="checkbox" id="ecraser" name="ecraser" value="oui" />
            <label for="ecraser">
              Remplacer aussi les lieux modifiés dans Relais depuis le dernier import
            </label>
          </div>
        </fieldset>
        <button type="submit" class="button">
          Importer
        </button>
      </form>
      <h2>Imports précédents</h2>
      {props.imports.length === 0 ? (
        <p>Aucun import pour l’instant.</p>
      ) : (
        <ul>
          {props.imports.map((i) => (
            <li>
              <a href={`/admin/lieux/imports/${i.id}`} safe>{`${i.file_name} (${i.source})`}</a>
              <span safe>{importCounts(i)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

const outsideCount = (report: ImportReport) => report.outside.reduce((n, o) => n + o.rows, 0);

export function ImportReportPage({
  report,
  csvUrl,
  confirm,
}: {
  report: ImportReport;
  csvUrl?: string | undefined;
  /** A dry run's file kept for its person: the form that imports it without sending it again. */
  confirm?: { action: string; csrf: string; expiresAt: Date } | undefined;
}): JSX.Element {
  // As in the CSV report, rejections (errors) and warnings (values fixed or left out) apart.
  const rejected = report.rows.filter((r) => r.result === 'rejected');
  const warned = report.rows.filter((r) => r.result !== 'rejected' && r.warnings.length > 0);
  return (
    <>
      <h1>Rapport d’import</h1>
      <Notice kind={report.written ? 'success' : undefined}>
        {report.dryRun
          ? 'Vérification seulement : rien n’a été enregistré.'
          : report.written
            ? 'Import enregistré.'
            : 'Import strict refusé : des lignes sont rejetées, rien n’a été enregistré.'}
      </Notice>
      {report.outside.length ? (
        <Notice>
          <div>
            <h2>Lieux hors du territoire</h2>
            <p safe>
              {`${outsideCount(report)} lieu(x) ${report.dryRun ? 'seraient rattachés' : 'sont rattachés'} à ${report.outside[0]?.territory ?? ''} alors que leur commune est hors de son territoire. Vérifiez la collectivité choisie ou le code INSEE de ces lieux :`}
            </p>
            <ul>
              {report.outside.map((o) => (
                <li safe>{`${o.name} (${o.code}) : ${o.rows} lieu(x)`}</li>
              ))}
            </ul>
          </div>
        </Notice>
      ) : (
        ''
      )}
      <dl class="summary-list">
        <dt>Fichier</dt>
        <dd safe>{`${report.fileName} (${report.format.toUpperCase()}), source « ${report.source} »`}</dd>
        <dt>Lignes lues</dt>
        <dd>{safeNumber(report.read)}</dd>
        <dt>Créées</dt>
        <dd>{safeNumber(report.created)}</dd>
        <dt>Mises à jour</dt>
        <dd>{safeNumber(report.updated)}</dd>
        <dt>Inchangées</dt>
        <dd>{safeNumber(report.unchanged)}</dd>
        <dt>Rejetées</dt>
        <dd>{safeNumber(report.rejected)}</dd>
        <dt>Avec avertissement</dt>
        <dd>{safeNumber(warned.length)}</dd>
      </dl>
      {confirm ? (
        <form method="post" action={confirm.action} class="import-confirm">
          <CsrfField token={confirm.csrf} />
          <p safe>
            {`Le fichier vérifié est gardé une heure (jusqu’au ${formatDateTime(confirm.expiresAt, 'short')}) : pour l’importer avec les mêmes options, inutile de l’envoyer de nouveau.`}
          </p>
          <button type="submit" class="button">
            Importer
          </button>
        </form>
      ) : (
        ''
      )}
      {csvUrl ? (
        <p>
          <a href={csvUrl}>Télécharger le rapport complet (CSV)</a>
        </p>
      ) : (
        ''
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
          <ImportNotesTable
            rows={reportRows(rejected)}
            notes={['errors']}
            keyLabel="Identifiant"
            limit={500}
            showResult
          />
        </>
      ) : (
        ''
      )}
      {warned.length ? (
        <>
          <h2>Avertissements : valeurs corrigées ou laissées de côté</h2>
          <ImportNotesTable
            rows={reportRows(warned)}
            notes={['warnings']}
            keyLabel="Identifiant"
            limit={500}
            showResult
          />
        </>
      ) : (
        ''
      )}
      <p>
        <a href="/admin/lieux">Retour aux lieux</a> ·{' '}
        <a href="/admin/lieux/import">Importer un autre fichier</a>
      </p>
    </>
  );
}

/** One column of a file in another layout, on the mapping step. */
export type MappingColumn = { name: string; samples: string[]; selected: string };

/**
 * The mapping step: each column of the file becomes a field of the standard or is ignored,
 * with the file's first rows shown; saved for the source.
 */
export function MappingPage(props: {
  csrf: string;
  action: string;
  fileName: string;
  source: string;
  columns: MappingColumn[];
  firstRows: string[][];
  errors: FieldErrors;
}): JSX.Element {
  const options = [
    { value: '', label: 'Ignorer cette colonne' },
    ...LMN_FIELDS.map((f) => ({
      value: f.name,
      label: `${f.label} (${f.name})${f.required ? ' — obligatoire' : ''}`,
    })),
    // A column of hours per weekday: combined into the opening hours.
    ...[...WEEKDAY_TARGETS].map(([target, day]) => ({
      value: target,
      label: `Horaires du ${DAY_LABELS[day].toLowerCase()} (combinés dans horaires)`,
    })),
  ];
  return (
    <>
      <h1>Correspondance des colonnes</h1>
      <p safe>
        {`Les colonnes de « ${props.fileName} » ne sont pas toutes celles du standard. Pour chaque colonne, choisissez le champ du standard qu’elle remplit, ou ignorez-la. La correspondance est enregistrée pour la source « ${props.source} » et proposée aux prochains fichiers de cette source.`}
      </p>
      <ErrorSummary errors={props.errors} />
      <h2>Premières lignes du fichier</h2>
      <section class="table-wrap" tabindex="0" aria-label="Premières lignes du fichier">
        <table>
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th scope="col" safe>
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.firstRows.map((cells) => (
              <tr>
                {cells.map((cell) => (
                  <td safe>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <form method="post" action={props.action} novalidate>
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>Champ du standard pour chaque colonne</legend>
          {props.columns.map((c, i) => (
            <Select
              name={`colonne_${i}`}
              label={`Colonne « ${c.name} »`}
              hint={
                c.samples.length ? `Par exemple : ${c.samples.join(' ; ')}` : 'Vide dans les premières lignes'
              }
              error={props.errors[`colonne_${i}`]}
              options={options}
              value={c.selected}
            />
          ))}
        </fieldset>
        <button type="submit" class="button">
          Vérifier le fichier avec cette correspondance
        </button>
      </form>
      <p>
        <a href="/admin/lieux/import">Envoyer un autre fichier</a>
      </p>
    </>
  );
}
