import { allValues, labelOf, labelsOf, lastValue, vocabularyOptions } from '../../platform/forms.ts';
import { formatDay, formatDuration } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  FieldMessages,
  Flash,
  FREE_TEXT_HINT,
  fieldId,
  Select,
  safeNumber,
  TextArea,
} from '../../platform/ui/components.tsx';
import { Pagination } from '../../platform/ui/pagination.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import {
  type Beneficiary,
  displayNameOf,
  GENRES,
  type PersonChoice,
  personChoiceLabel,
  STATUTS,
  TRANCHES_AGE,
} from '../beneficiaires/index.ts';
import type { PlaceSummary } from '../lieux/index.ts';
import { communeLabel as territoryCommuneLabel } from '../territoires/index.ts';
import { BREAKDOWNS, type FormValues } from './activity-schema.ts';
import {
  type ActivityDetail,
  type ActivityFilters,
  FILTER_KEYS,
  type ListedActivity,
} from './activity-service.ts';
import {
  AUTONOMIES,
  CANAUX,
  DEMARCHES,
  DUREES_PRESETS,
  MATERIELS,
  NIVEAUX_ATELIER,
  STRUCTURES_REDIRECTION,
  THEMATIQUES,
  TYPES_ACTIVITE,
  type TypeActivite,
} from './vocabulary.ts';

// ---------------------------------------------------------------- formatting

const communeLabel = (code: string | null) => territoryCommuneLabel(code) ?? '';

// ---------------------------------------------------------------- small form parts

/** What was typed in the form, and its errors by field. */
type FormState = { values: FormValues; errors: FieldErrors };

/** A field's name, what was typed in it and its error, for `Field`, `Select`, `TextArea`, `Radios`. */
const bound = (props: FormState, name: string) => ({
  name,
  value: lastValue(props.values[name]),
  error: props.errors[name],
});

type ChoiceProps = Omit<Parameters<typeof ChoiceGroup>[0], 'type' | 'checked'>;

/** A group of radio buttons, with its legend, error, and options inline or stacked. */
function Radios(props: ChoiceProps & { value: string | undefined; inline?: boolean }): JSX.Element {
  return (
    <ChoiceGroup
      type="radio"
      {...props}
      checked={props.value === undefined ? [] : [props.value]}
      className={`checkboxes choices${props.inline ? ' choices--inline' : ''}`}
    />
  );
}

/** Checkboxes, with the boxes ticked and the error of the form, in columns where there is room. */
function Checkboxes({ form, ...props }: Omit<ChoiceProps, 'error'> & { form: FormState }): JSX.Element {
  return (
    <ChoiceGroup
      type="checkbox"
      {...props}
      checked={allValues(form.values[props.name])}
      error={form.errors[props.name]}
      className={`checkboxes activity-columns${props.className ? ` ${props.className}` : ''}`}
    />
  );
}

/** A compact number input for one count of the anonymous participants. */
function CountInput(props: { name: string; label: string; value: string | undefined; error?: boolean }) {
  return (
    <div class="count-input">
      <label for={fieldId(props.name)} safe>
        {props.label}
      </label>
      <input
        type="number"
        inputmode="numeric"
        min="0"
        id={fieldId(props.name)}
        name={props.name}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </div>
  );
}

// ---------------------------------------------------------------- the list

/** The list's address with these filters (and page). */
export function listQuery(filters: ActivityFilters, page?: number): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (page && page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A filter's choices, after the blank one that filters nothing. */
const anyOf = (all: string, options: { value: string; label: string }[]) => [
  { value: '', label: all },
  ...options,
];

export function ActivityListPage(props: {
  rows: ListedActivity[];
  total: number;
  page: number;
  pageSize: number;
  filters: ActivityFilters;
  choices: { places: PlaceSummary[]; communes: { code: string; name: string }[]; people: PersonChoice[] };
  flash?: string | undefined;
}): JSX.Element {
  const f = props.filters;
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const filtered = FILTER_KEYS.some((k) => f[k]);
  const exportQuery = listQuery(f);
  return (
    <>
      <h1>Mes comptes rendus d’activité</h1>
      <Flash message={props.flash} />
      <p class="button-group">
        <a class="button" href="/activites/nouveau?type=individuel">
          Nouveau compte rendu individuel
        </a>
        <a class="button" href="/activites/nouveau?type=collectif">
          Nouveau compte rendu d’atelier
        </a>
        <a href="/activites/lieux">Mes lieux d’activité</a>
      </p>
      <form method="get" action="/activites" class="activity-filters">
        <Field name="du" label="Du" type="date" value={f.du} />
        <Field name="au" label="Au" type="date" value={f.au} />
        <Select name="type" label="Type" value={f.type} options={vocabularyOptions(TYPES_ACTIVITE, 'Tous')} />
        <Select
          name="thematique"
          label="Thématique"
          value={f.thematique}
          options={vocabularyOptions(THEMATIQUES, 'Toutes')}
        />
        <Select
          name="lieu"
          label="Lieu d’activité"
          value={f.lieu}
          options={anyOf(
            'Tous',
            props.choices.places.map((p) => ({ value: p.id, label: p.nom })),
          )}
        />
        <Select
          name="commune"
          label="Commune"
          value={f.commune}
          options={anyOf(
            'Toutes',
            props.choices.communes.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` })),
          )}
        />
        <Select
          name="beneficiaire"
          label="Personne"
          value={f.beneficiaire}
          options={anyOf(
            'Toutes',
            props.choices.people.map((p) => ({ value: p.id, label: displayNameOf(p) })),
          )}
        />
        <div class="button-group">
          <button type="submit" class="button button--secondary">
            Filtrer
          </button>
          {filtered ? <a href="/activites">Effacer les filtres</a> : ''}
        </div>
      </form>
      <p class="results-count" role="status" safe>
        {`${safeNumber(props.total)} compte${props.total > 1 ? 's' : ''} rendu${props.total > 1 ? 's' : ''}`}
      </p>
      <p class="downloads">
        Exporter {filtered ? 'cette sélection' : 'tous mes comptes rendus'} (une ligne par participant) :{' '}
        <a href={`/activites/export.xlsx${exportQuery}`}>tableur XLSX</a>
        {' · '}
        <a href={`/activites/export.csv${exportQuery}`}>CSV</a>
      </p>
      {props.rows.length === 0 ? (
        <p>
          {filtered
            ? 'Aucun compte rendu ne correspond à ces filtres.'
            : 'Aucun compte rendu pour l’instant : commencez par un nouveau compte rendu.'}
        </p>
      ) : (
        <Table
          className="activity-table"
          caption="Comptes rendus, les plus récents d’abord"
          captionHidden
          columns={[
            'Date',
            'Compte rendu',
            'Thématiques',
            'Lieu',
            { label: 'Durée', numeric: true },
            { label: 'Participants', numeric: true },
          ]}
        >
          {props.rows.map((r) => (
            <tr>
              <td safe>{formatDay(r.date, 'short')}</td>
              <td>
                <a href={`/activites/${r.id}`} safe>
                  {r.type === 'collectif'
                    ? `Atelier : ${r.titre ?? 'sans titre'}`
                    : `Accompagnement : ${r.person ?? 'personne anonyme'}`}
                </a>
              </td>
              <td safe>{labelsOf(THEMATIQUES, r.thematiques)}</td>
              <td safe>
                {r.place ?? (r.canal === 'autre_lieu' ? communeLabel(r.commune_insee) : CANAUX[r.canal])}
              </td>
              <td class="num" safe>
                {formatDuration(r.duree_min)}
              </td>
              <td class="num">{safeNumber(r.participants)}</td>
            </tr>
          ))}
        </Table>
      )}
      <Pagination page={props.page} pages={pages} href={(page) => `/activites${listQuery(f, page)}`} />
    </>
  );
}

// ---------------------------------------------------------------- the form

export type PeopleChoices = {
  /** Those already chosen (kept at the top, checked or selected). */
  chosen: PersonChoice[];
  /** The search's results, when the helper searched. */
  matches: PersonChoice[] | null;
  recent: PersonChoice[];
};

export type ActivityFormProps = {
  type: TypeActivite;
  title: string;
  action: string;
  csrf: string;
  values: FormValues;
  errors: FieldErrors;
  places: PlaceSummary[];
  people: PeopleChoices;
  duplicates?: Beneficiary[] | undefined;
  /** A line above the form: what was pre-filled, or where the copy comes from. */
  intro?: string | undefined;
  cancel: string;
};

/** The people to offer, each once: chosen first, then the search's results, then recent ones. */
function peopleOptions(people: PeopleChoices): { group: string; list: PersonChoice[] }[] {
  const seen = new Set<string>();
  const fresh = (list: PersonChoice[]) =>
    list.filter((p) => {
      if (seen.has(p.id)) return false;
      seen.add(p.id);
      return true;
    });
  return [
    { group: 'Déjà choisies', list: fresh(people.chosen) },
    { group: 'Résultats de la recherche', list: fresh(people.matches ?? []) },
    { group: 'Personnes récentes', list: fresh(people.recent) },
  ].filter((g) => g.list.length > 0);
}

function SearchPeople(props: { values: FormValues; people: PeopleChoices }): JSX.Element {
  const matches = props.people.matches;
  return (
    <div class="people-search">
      <Field
        name="q"
        type="search"
        label="Chercher une personne par son nom"
        value={lastValue(props.values.q)}
        spellcheck={false}
      />
      <button type="submit" name="action" value="rechercher" class="button button--secondary">
        Chercher
      </button>
      {matches === null ? (
        ''
      ) : (
        <p class="people-search__status" role="status" safe>
          {matches.length === 0
            ? 'Personne ne correspond à cette recherche parmi les personnes que vous suivez.'
            : `${matches.length} personne${matches.length > 1 ? 's trouvées' : ' trouvée'} : choisissez dans la liste.`}
        </p>
      )}
    </div>
  );
}

function DuplicateChoice(props: { duplicates: Beneficiary[]; value: string | undefined }): JSX.Element {
  return (
    <div class="notice duplicate-choice">
      <Radios
        name="doublon"
        legend="Cette personne est peut-être déjà suivie"
        hint="Une personne que vous suivez a le même nom et la même année de naissance, ou le même téléphone. Choisissez-la, ou confirmez qu’il s’agit d’une autre personne, puis enregistrez."
        value={props.value}
        options={[
          ...props.duplicates.map((d) => ({
            value: d.id,
            label: `${personChoiceLabel(d)}${d.telephone ? `, tél. ${d.telephone}` : ''}`,
          })),
          { value: 'nouveau', label: 'Aucune de ces personnes : créer une nouvelle fiche' },
        ]}
      />
    </div>
  );
}

/** The box of the report's people, where an error about who took part shows (field `participant`). */
function PeopleBox({
  children: safeContent,
  ...props
}: {
  legend: string;
  wide?: boolean;
  error: string | undefined;
  children: JSX.Element | JSX.Element[];
}): JSX.Element {
  return (
    <fieldset
      class={`activity-box${props.wide ? ' activity-box--wide' : ''}${props.error ? ' field--error' : ''}`}
      id={fieldId('participant')}
    >
      <legend safe>{props.legend}</legend>
      <FieldMessages id={fieldId('participant')} error={props.error} />
      {safeContent}
    </fieldset>
  );
}

/**
 * The fields of a person not followed yet, recorded with the report (`nouveau_beneficiaire`):
 * the one accompanied, or one more participant of a workshop.
 */
function NewPersonFields(props: ActivityFormProps): JSX.Element {
  const nb = (name: string) => bound(props, `nouveau_beneficiaire.${name}`);
  const noPhone = nb('sans_telephone');
  return (
    <div class="activity-grid">
      <Field {...nb('prenom')} label="Prénom" autocomplete="off" />
      <Field {...nb('nom')} label="Nom" autocomplete="off" />
      <Field {...nb('annee_naissance')} label="Année de naissance" type="number" />
      <Field {...nb('commune_insee')} label="Commune de résidence" hint="Nom ou code INSEE" />
      <Field {...nb('telephone')} label="Téléphone" type="tel" autocomplete="off" />
      <div class="checkbox checkbox--field">
        <input
          type="checkbox"
          id={fieldId(noPhone.name)}
          name={noPhone.name}
          value="oui"
          checked={noPhone.value === 'oui'}
        />
        <label for={fieldId(noPhone.name)}>N’a pas de téléphone</label>
      </div>
      <Field {...nb('email')} label="Courriel" type="email" autocomplete="off" />
      <Select {...nb('genre')} label="Genre" options={vocabularyOptions(GENRES, '—')} />
      <Select {...nb('statut')} label="Statut" options={vocabularyOptions(STATUTS, '—')} />
    </div>
  );
}

function IndividualPeople(props: ActivityFormProps): JSX.Element {
  const v = props.values;
  const e = props.errors;
  const participant = lastValue(v.participant);
  const choice = (value: string, text: string, safeBody: JSX.Element) => (
    <div class="participant-choice">
      <div class="checkbox">
        <input
          type="radio"
          id={`participant-${value}`}
          name="participant"
          value={value}
          checked={participant === value}
        />
        <label for={`participant-${value}`} safe>
          {text}
        </label>
      </div>
      <div class="participant-choice__body">{safeBody}</div>
    </div>
  );
  return (
    <PeopleBox legend="Personne accompagnée" error={e.participant}>
      {props.duplicates && props.duplicates.length > 0 ? (
        <DuplicateChoice duplicates={props.duplicates} value={lastValue(v.doublon)} />
      ) : (
        ''
      )}
      {choice(
        'existant',
        'Une personne déjà suivie',
        <>
          <Select
            {...bound(props, 'beneficiaires')}
            label="Personne"
            options={[{ value: '', label: '— Choisir —' }]}
            groups={peopleOptions(props.people).map((g) => ({
              label: g.group,
              options: g.list.map((p) => ({ value: p.id, label: personChoiceLabel(p) })),
            }))}
          />
          <SearchPeople values={v} people={props.people} />
        </>,
      )}
      {choice('nouveau', 'Une nouvelle personne', <NewPersonFields {...props} />)}
      {choice(
        'anonyme',
        'Une personne anonyme',
        <div class="activity-grid">
          <Select {...bound(props, 'anonyme.genre')} label="Genre" options={vocabularyOptions(GENRES, '—')} />
          <Select
            {...bound(props, 'anonyme.tranche_age')}
            label="Âge"
            options={vocabularyOptions(TRANCHES_AGE, '—')}
          />
          <Select
            {...bound(props, 'anonyme.statut')}
            label="Statut"
            options={vocabularyOptions(STATUTS, '—')}
          />
          <Field
            {...bound(props, 'anonyme.commune')}
            label="Commune de résidence (facultatif)"
            hint="Nom ou code INSEE"
          />
        </div>,
      )}
    </PeopleBox>
  );
}

function WorkshopPeople(props: ActivityFormProps): JSX.Element {
  const v = props.values;
  const e = props.errors;
  // Checkboxes take room: the dozen people seen last, plus those chosen or found.
  const people = peopleOptions({ ...props.people, recent: props.people.recent.slice(0, 12) }).flatMap(
    (g) => g.list,
  );
  return (
    <PeopleBox legend="Participants" wide error={e.participant}>
      <Checkboxes
        form={props}
        name="beneficiaires"
        legend="Personnes déjà suivies"
        hint={
          people.length === 0
            ? 'Aucune personne suivie pour l’instant : comptez-les parmi les anonymes.'
            : undefined
        }
        options={people.map((p) => ({ value: p.id, label: personChoiceLabel(p) }))}
      />
      <SearchPeople values={v} people={props.people} />
      <fieldset class="new-participant">
        <legend>Une nouvelle personne (facultatif)</legend>
        <p class="field__hint">
          Quelqu’un que vous ne suivez pas encore : sa fiche est créée avec le compte rendu. Pour en ajouter
          une autre, enregistrez puis modifiez le compte rendu.
        </p>
        {props.duplicates && props.duplicates.length > 0 ? (
          <DuplicateChoice duplicates={props.duplicates} value={lastValue(v.doublon)} />
        ) : (
          ''
        )}
        <NewPersonFields {...props} />
      </fieldset>
      <fieldset class="anonymous-counts">
        <legend>Participants anonymes</legend>
        <Field
          {...bound(props, 'anonymes.total')}
          label="Nombre de participants anonymes"
          type="number"
          inputClass="input--short"
        />
        <p class="field__hint">
          Répartissez-les si vous le savez (facultatif) : ceux que vous ne comptez pas sont « non communiqué
          ».
        </p>
        <div class="anonymous-counts__grid">
          {BREAKDOWNS.map(({ key, by, vocabulary }) => {
            const error = e[`anonymes.${key}`];
            const id = fieldId(`anonymes.${key}`);
            return (
              <fieldset
                class={error ? 'breakdown field--error' : 'breakdown'}
                id={id}
                aria-describedby={error ? `${id}-erreur` : undefined}
              >
                <legend safe>{`Par ${by}`}</legend>
                <FieldMessages id={id} error={error} />
                {Object.entries(vocabulary)
                  .filter(([code]) => code !== 'non_communique')
                  .map(([code, text]) => (
                    <CountInput
                      name={`anonymes.${key}.${code}`}
                      label={text}
                      value={lastValue(v[`anonymes.${key}.${code}`])}
                      error={Boolean(error)}
                    />
                  ))}
              </fieldset>
            );
          })}
        </div>
      </fieldset>
    </PeopleBox>
  );
}

export function ActivityFormPage(props: ActivityFormProps): JSX.Element {
  const v = props.values;
  const e = props.errors;
  const individual = props.type === 'individuel';
  return (
    <>
      <h1 safe>{props.title}</h1>
      <ErrorSummary errors={e} />
      {props.intro ? (
        <p class="activity-intro" safe>
          {props.intro}
        </p>
      ) : (
        ''
      )}
      <form method="post" action={props.action} class="activity-form" novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="type" value={props.type} />
        <div class="activity-form__grid">
          <fieldset class={individual ? 'activity-box' : 'activity-box activity-box--wide activity-box--row'}>
            <legend>Quand et où</legend>
            {individual ? (
              ''
            ) : (
              <>
                <Field {...bound(props, 'titre')} label="Titre de l’atelier" />
                <Select
                  {...bound(props, 'niveau')}
                  label="Niveau"
                  options={vocabularyOptions(NIVEAUX_ATELIER, '—')}
                />
              </>
            )}
            <Field {...bound(props, 'date')} label="Date" type="date" inputClass="input--short" />
            <Radios
              {...bound(props, 'duree')}
              legend="Durée"
              inline
              options={[
                ...DUREES_PRESETS.map((m) => ({ value: String(m), label: formatDuration(m) })),
                { value: 'autre', label: 'Autre' },
              ]}
            />
            <div class="duration-other">
              <label for={fieldId('duree_autre')}>Autre durée, en minutes</label>
              <input
                type="number"
                inputmode="numeric"
                min="1"
                max="720"
                id={fieldId('duree_autre')}
                name="duree_autre"
                value={lastValue(v.duree_autre)}
              />
            </div>
            <Radios {...bound(props, 'canal')} legend="Lieu" inline options={vocabularyOptions(CANAUX)} />
            <div class="canal-detail canal-detail--lieu">
              <Select
                {...bound(props, 'lieu_id')}
                label="Lieu d’activité"
                options={props.places.map((p) => ({ value: p.id, label: `${p.nom} (${p.commune})` }))}
              />
            </div>
            <div class="canal-detail canal-detail--autre">
              <Field {...bound(props, 'commune')} label="Commune de l’autre lieu" hint="Nom ou code INSEE" />
            </div>
          </fieldset>
          {individual ? <IndividualPeople {...props} /> : <WorkshopPeople {...props} />}
          <fieldset class="activity-box activity-box--wide">
            <legend>Ce qui a été fait</legend>
            <Checkboxes
              form={props}
              name="materiels"
              legend="Matériel utilisé"
              className="activity-columns--inline"
              options={vocabularyOptions(MATERIELS)}
            />
            <Checkboxes
              form={props}
              name="thematiques"
              legend="Thématiques"
              options={vocabularyOptions(THEMATIQUES)}
            />
            <Checkboxes
              form={props}
              name="demarches"
              legend="Démarches administratives"
              hint="Avec la thématique « Aide aux démarches administratives »."
              options={vocabularyOptions(DEMARCHES)}
            />
          </fieldset>
          <fieldset class="activity-box activity-box--wide">
            <legend>Et ensuite</legend>
            <div class="activity-grid">
              {individual ? (
                <Radios
                  {...bound(props, 'autonomie')}
                  legend="Autonomie de la personne"
                  options={vocabularyOptions(AUTONOMIES)}
                />
              ) : (
                ''
              )}
              <div>
                <Radios
                  {...bound(props, 'oriente')}
                  legend={
                    individual
                      ? 'Personne orientée vers une autre structure'
                      : 'Participants orientés vers une autre structure'
                  }
                  inline
                  value={lastValue(v.oriente) ?? 'non'}
                  options={[
                    { value: 'non', label: 'Non' },
                    { value: 'oui', label: 'Oui' },
                  ]}
                />
                <div class="orientation-detail">
                  <Select
                    {...bound(props, 'orientation')}
                    label="Vers"
                    options={vocabularyOptions(STRUCTURES_REDIRECTION, '—')}
                  />
                </div>
              </div>
              <TextArea
                {...bound(props, 'notes')}
                label="Notes (facultatif)"
                hint={FREE_TEXT_HINT}
                rows={3}
              />
            </div>
          </fieldset>
        </div>
        <div class="button-group">
          <button type="submit" name="action" value="enregistrer" class="button">
            Enregistrer
          </button>
          <a href={props.cancel}>Annuler</a>
        </div>
      </form>
    </>
  );
}

// ---------------------------------------------------------------- one report

export function activityHeading(a: ActivityDetail['activity']): string {
  return a.type === 'collectif'
    ? `Atelier « ${a.titre ?? 'sans titre'} » du ${formatDay(a.date, 'short')}`
    : `Accompagnement individuel du ${formatDay(a.date, 'short')}`;
}

/** "Féminin : 3, Masculin : 1": how participants split by one attribute, in its vocabulary's order. */
function split(
  people: ActivityDetail['participations'],
  { attribute, vocabulary }: (typeof BREAKDOWNS)[number],
) {
  return Object.entries(vocabulary)
    .map(([code, text]) => [text, people.filter((p) => p[attribute] === code).length] as const)
    .filter(([, n]) => n > 0)
    .map(([text, n]) => `${text} : ${n}`)
    .join(', ');
}

export function ActivityDetailPage(props: {
  detail: ActivityDetail;
  flash?: string | undefined;
  /** What other modules add: referring a participant, resources on its themes. */
  sections?: JSX.Element[];
}): JSX.Element {
  const { activity: a, participations, place } = props.detail;
  const sections = props.sections ?? [];
  const known = participations.filter((p) => p.beneficiaire_id !== null);
  const anonymous = participations.filter((p) => p.beneficiaire_id === null);
  const [genres, ages, statuts] = BREAKDOWNS.map((b) => split(anonymous, b));
  const where =
    a.canal === 'lieu_activite'
      ? place
        ? `${place.nom}, ${place.code_postal} ${place.commune}`
        : 'Lieu d’activité retiré de l’annuaire'
      : a.canal === 'autre_lieu'
        ? `Autre lieu : ${communeLabel(a.commune_insee)}`
        : CANAUX[a.canal];
  return (
    <>
      <h1 safe>{activityHeading(a)}</h1>
      <Flash message={props.flash} />
      <p class="button-group">
        <a class="button" href={`/activites/${a.id}/modifier`}>
          Modifier
        </a>
        <a class="button button--secondary" href={`/activites/${a.id}/dupliquer`}>
          Dupliquer
        </a>
        <a class="button button--danger" href={`/activites/${a.id}/supprimer`}>
          Supprimer
        </a>
      </p>
      <SummaryList
        hideEmpty
        rows={[
          ['Type', TYPES_ACTIVITE[a.type]],
          ['Niveau', labelOf(NIVEAUX_ATELIER, a.niveau)],
          ['Date', formatDay(a.date, 'short')],
          ['Durée', formatDuration(a.duree_min)],
          ['Lieu', where],
          ['Matériel', labelsOf(MATERIELS, a.materiels)],
          ['Thématiques', labelsOf(THEMATIQUES, a.thematiques)],
          ['Démarches', labelsOf(DEMARCHES, a.demarches)],
          ['Autonomie', labelOf(AUTONOMIES, a.autonomie)],
          ['Orientation', a.oriente ? `Oui : ${labelOf(STRUCTURES_REDIRECTION, a.orientation)}` : 'Non'],
          ['Notes', a.notes ?? ''],
        ]}
      />
      <h2 safe>{`Participants (${participations.length})`}</h2>
      {known.length > 0 ? (
        <ul>
          {known.map((p) => (
            <li>
              <a href={`/beneficiaires/${p.beneficiaire_id}`} safe>
                {displayNameOf({ prenom: p.prenom, nom: p.nom, anonyme: false })}
              </a>
              <span
                safe
              >{` – ${labelOf(GENRES, p.genre)}, ${labelOf(TRANCHES_AGE, p.tranche_age)}, ${labelOf(STATUTS, p.statut)}`}</span>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
      {anonymous.length > 0 ? (
        <p safe>
          {`${anonymous.length} participant${anonymous.length > 1 ? 's anonymes' : ' anonyme'}. Genre : ${genres}. Âge : ${ages}. Statut : ${statuts}.`}
        </p>
      ) : (
        ''
      )}
      {sections.length > 0 ? (
        <>
          <h2>Et ensuite</h2>
          {sections}
        </>
      ) : (
        ''
      )}
      <p>
        <a href="/activites">Retour à mes comptes rendus</a>
      </p>
    </>
  );
}

export function DeleteActivityPage(props: { detail: ActivityDetail; csrf: string }): JSX.Element {
  const a = props.detail.activity;
  return (
    <>
      <h1>Supprimer ce compte rendu ?</h1>
      <p
        safe
      >{`${activityHeading(a)}, ${props.detail.participations.length} participant${props.detail.participations.length > 1 ? 's' : ''}.`}</p>
      <p>
        Le compte rendu et ses participations disparaîtront des listes et des statistiques. Les fiches des
        personnes sont conservées.
      </p>
      <form method="post" action={`/activites/${a.id}/supprimer`} class="button-group">
        <CsrfField token={props.csrf} />
        <button type="submit" class="button button--danger">
          Supprimer le compte rendu
        </button>
        <a href={`/activites/${a.id}`}>Annuler</a>
      </form>
    </>
  );
}
