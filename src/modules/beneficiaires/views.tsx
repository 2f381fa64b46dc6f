import { vocabularyOptions } from '../../platform/forms.ts';
import { formatDateTime, formatDay, formatDuration } from '../../platform/paris-time.ts';
import {
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Flash,
  FREE_TEXT_HINT,
  fieldId,
  Select,
  safeNumber,
  TextArea,
} from '../../platform/ui/components.tsx';
import { Pagination } from '../../platform/ui/pagination.tsx';
import { communeLabel } from '../territoires/index.ts';
import { type Beneficiary, displayNameOf } from './beneficiary.ts';
import {
  type BeneficiaryExport,
  type HistoryEntry,
  type MergeEntry,
  PAGE_SIZE,
  type PersonRow,
  RETENTION_TEXT,
} from './service.ts';
import { GENRES, STATUTS, TRANCHES_AGE, trancheAge } from './vocabulary.ts';

/** What a person form shows back: the typed text of each field. */
export type PersonFormValues = Partial<Record<string, string>>;

/** The values of a record, as its form shows them. */
export function formValuesOf(b: Beneficiary): PersonFormValues {
  return {
    prenom: b.prenom ?? '',
    nom: b.nom ?? '',
    telephone: b.telephone ?? '',
    sans_telephone: b.sans_telephone ? 'oui' : '',
    email: b.email ?? '',
    annee_naissance: b.annee_naissance === null ? '' : String(b.annee_naissance),
    commune_insee: communeLabel(b.commune_insee) ?? '',
    genre: b.genre ?? '',
    statut: b.statut ?? '',
    notes: b.notes ?? '',
  };
}

/** "12/03/2026" from "2026-03-12": digits and slashes only. */
const safeDay = (isoDate: string) => formatDay(isoDate, 'short');

const label = (vocabulary: Readonly<Record<string, string>>, code: string | null) =>
  code ? (vocabulary[code] ?? code) : 'Non renseigné';

/** The fields of a person, the same for creating and editing. */
function PersonFields({ values, errors }: { values: PersonFormValues; errors: FieldErrors }): JSX.Element {
  return (
    <>
      <fieldset>
        <legend class="person-form__legend">Identité</legend>
        <p class="field__hint">Un prénom ou un nom suffit. Tout le reste est facultatif.</p>
        <Field name="prenom" label="Prénom" value={values.prenom} error={errors.prenom} autocomplete="off" />
        <Field name="nom" label="Nom" value={values.nom} error={errors.nom} autocomplete="off" />
        <Field
          name="annee_naissance"
          label="Année de naissance"
          hint="Quatre chiffres, par exemple 1958. La tranche d’âge en est déduite."
          value={values.annee_naissance}
          error={errors.annee_naissance}
          inputClass="input--short"
          autocomplete="off"
        />
      </fieldset>
      <fieldset>
        <legend class="person-form__legend">Contact</legend>
        <Field
          name="telephone"
          label="Téléphone"
          hint="Par exemple 06 12 34 56 78"
          type="tel"
          value={values.telephone}
          error={errors.telephone}
          autocomplete="off"
        />
        <div class="checkbox person-form__checkbox">
          <input
            type="checkbox"
            id={fieldId('sans_telephone')}
            name="sans_telephone"
            value="oui"
            checked={values.sans_telephone === 'oui'}
          />
          <label for={fieldId('sans_telephone')}>La personne n’a pas de téléphone</label>
        </div>
        <Field
          name="email"
          label="Adresse e-mail"
          type="email"
          value={values.email}
          error={errors.email}
          autocomplete="off"
          spellcheck={false}
        />
      </fieldset>
      <fieldset>
        <legend class="person-form__legend">Pour les statistiques</legend>
        <Field
          name="commune_insee"
          label="Commune de résidence"
          hint="Nom, code postal ou code INSEE de la commune"
          value={values.commune_insee}
          error={errors.commune_insee}
          autocomplete="off"
        />
        <Select
          name="genre"
          label="Genre"
          value={values.genre ?? ''}
          error={errors.genre}
          options={vocabularyOptions(GENRES, 'Non renseigné')}
        />
        <Select
          name="statut"
          label="Situation"
          value={values.statut ?? ''}
          error={errors.statut}
          options={vocabularyOptions(STATUTS, 'Non renseigné')}
        />
      </fieldset>
      <TextArea name="notes" label="Notes" hint={FREE_TEXT_HINT} value={values.notes} error={errors.notes} />
    </>
  );
}

// ---------------------------------------------------------------------------------------
// List

export function ListPage(props: {
  rows: PersonRow[];
  total: number;
  page: number;
  q?: string | undefined;
  flash?: string | undefined;
}): JSX.Element {
  const pages = Math.max(1, Math.ceil(props.total / PAGE_SIZE));
  const link = (page: number) =>
    `/beneficiaires?${new URLSearchParams({ ...(props.q ? { q: props.q } : {}), page: String(page) })}`;
  const count = `${safeNumber(props.total)} personne${props.total > 1 ? 's' : ''}`;
  return (
    <>
      <h1>Personnes accompagnées</h1>
      <Flash message={props.flash} />
      <p class="button-group">
        <a class="button" href="/beneficiaires/nouveau">
          Enregistrer une personne
        </a>
        <a class="button button--secondary" href="/beneficiaires/notice">
          Notice d’information à remettre
        </a>
      </p>
      <form method="get" action="/beneficiaires" class="inline-form">
        <Field
          name="q"
          label="Rechercher une personne"
          hint="Nom, prénom ou numéro de téléphone"
          type="search"
          value={props.q}
          autocomplete="off"
        />
        <button type="submit" class="button button--secondary">
          Rechercher
        </button>
      </form>
      <p safe>{props.q ? `${count} trouvée${props.total > 1 ? 's' : ''} pour « ${props.q} »` : count}</p>
      {props.rows.length === 0 ? (
        props.q ? (
          <p>
            Personne ne correspond. Vérifiez l’orthographe, essayez le prénom seul ou le numéro de téléphone,
            ou <a href="/beneficiaires/nouveau">enregistrez la personne</a>.
          </p>
        ) : (
          <p>
            Vous n’avez encore enregistré personne. Les personnes que vous accompagnez, et celles accompagnées
            dans vos lieux d’activité, apparaîtront ici.
          </p>
        )
      ) : (
        <div class="table-wrap">
          <table class="people-table">
            <caption class="visually-hidden">
              {props.q
                ? 'Personnes trouvées, les plus proches d’abord'
                : 'Personnes, les plus récemment accompagnées d’abord'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Année de naissance</th>
                <th scope="col">Commune</th>
                <th scope="col">Dernier accompagnement</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/beneficiaires/${r.id}`} safe>
                      {displayNameOf({ ...r, anonyme: false })}
                    </a>
                  </td>
                  <td>{r.annee_naissance ?? '—'}</td>
                  <td safe>{communeLabel(r.commune_insee) ?? '—'}</td>
                  <td>{r.dernier ? safeDay(r.dernier) : '—'}</td>
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

// ---------------------------------------------------------------------------------------
// Create and edit

export type DuplicateCandidate = Pick<
  Beneficiary,
  'id' | 'prenom' | 'nom' | 'anonyme' | 'annee_naissance' | 'commune_insee' | 'telephone'
>;

function candidateDetails(c: DuplicateCandidate): string {
  return [
    c.annee_naissance ? `né(e) en ${c.annee_naissance}` : '',
    communeLabel(c.commune_insee) ?? '',
    c.telephone ? `tél. ${c.telephone}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** Possible duplicates of what was typed: open one, or confirm it is someone else. */
function Duplicates(props: {
  candidates: DuplicateCandidate[];
  values: PersonFormValues;
  csrf: string;
}): JSX.Element {
  return (
    <section class="duplicates" aria-labelledby="doublons-titre">
      <h2 id="doublons-titre">Cette personne est peut-être déjà enregistrée</h2>
      <p>Même nom et même année de naissance, ou même numéro de téléphone :</p>
      <ul>
        {props.candidates.map((c) => (
          <li>
            <a href={`/beneficiaires/${c.id}`} safe>
              {displayNameOf(c)}
            </a>
            {candidateDetails(c) ? <span safe>{` — ${candidateDetails(c)}`}</span> : ''}
          </li>
        ))}
      </ul>
      <p>Si c’est la même personne, ouvrez sa fiche : ne l’enregistrez pas une deuxième fois.</p>
      <form method="post" action="/beneficiaires/nouveau">
        <CsrfField token={props.csrf} />
        {Object.entries(props.values).map(([name, value]) =>
          value ? <input type="hidden" name={name} value={value} /> : '',
        )}
        <input type="hidden" name="confirmer" value="autre-personne" />
        <button type="submit" class="button button--secondary">
          C’est une autre personne, créer quand même
        </button>
      </form>
    </section>
  );
}

export function NewPage(props: {
  values: PersonFormValues;
  errors: FieldErrors;
  csrf: string;
  candidates: DuplicateCandidate[];
}): JSX.Element {
  return (
    <>
      <h1>Enregistrer une personne</h1>
      <ErrorSummary errors={props.errors} />
      {props.candidates.length > 0 ? (
        <Duplicates candidates={props.candidates} values={props.values} csrf={props.csrf} />
      ) : (
        <p>
          Demandez son accord à la personne et remettez-lui la{' '}
          <a href="/beneficiaires/notice">notice d’information</a>.
        </p>
      )}
      {props.candidates.length > 0 ? <h2>Ou corriger la saisie</h2> : ''}
      <form method="post" action="/beneficiaires/nouveau" class="person-form" novalidate>
        <CsrfField token={props.csrf} />
        <PersonFields values={props.values} errors={props.errors} />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

export function EditPage(props: {
  id: string;
  name: string;
  values: PersonFormValues;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1 safe>{`Modifier la fiche de ${props.name}`}</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`/beneficiaires/${props.id}/modifier`} class="person-form" novalidate>
        <CsrfField token={props.csrf} />
        <PersonFields values={props.values} errors={props.errors} />
        <p class="button-group">
          <button type="submit" class="button">
            Enregistrer les modifications
          </button>
          <a href={`/beneficiaires/${props.id}`}>Annuler</a>
        </p>
      </form>
    </>
  );
}

// ---------------------------------------------------------------------------------------
// The record

/** The national fields of a record, as a description list. */
function RecordSummary({ b }: { b: Beneficiary }): JSX.Element {
  const phone = b.telephone ?? (b.sans_telephone ? 'Pas de téléphone' : 'Non renseigné');
  const rows: [string, string][] = [
    ['Prénom', b.prenom ?? 'Non renseigné'],
    ['Nom', b.nom ?? 'Non renseigné'],
    ['Téléphone', phone],
    ['Adresse e-mail', b.email ?? 'Non renseignée'],
    ['Année de naissance', b.annee_naissance === null ? 'Non renseignée' : String(b.annee_naissance)],
    ['Tranche d’âge', TRANCHES_AGE[trancheAge(b.annee_naissance)]],
    ['Commune de résidence', communeLabel(b.commune_insee) ?? 'Non renseignée'],
    ['Genre', label(GENRES, b.genre)],
    ['Situation', label(STATUTS, b.statut)],
  ];
  return (
    <dl class="summary-list">
      {rows.map(([term, value]) => (
        <>
          <dt safe>{term}</dt>
          <dd safe>{value}</dd>
        </>
      ))}
      {b.notes ? (
        <>
          <dt>Notes</dt>
          <dd class="person-notes" safe>
            {b.notes}
          </dd>
        </>
      ) : (
        ''
      )}
    </dl>
  );
}

function HistoryTable({ history, caption }: { history: HistoryEntry[]; caption: string }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="person-history">
        <caption class="visually-hidden" safe>
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Type</th>
            <th scope="col">Thématiques</th>
            <th scope="col">Lieu</th>
            <th scope="col">Durée</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr>
              <td>{safeDay(h.date)}</td>
              <td safe>{h.typeLabel}</td>
              <td safe>{[...h.thematiques, ...h.demarches].join(', ') || '—'}</td>
              <td safe>{h.lieu || '—'}</td>
              <td safe>{formatDuration(h.dureeMin)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RecordPage(props: {
  b: Beneficiary;
  history: HistoryEntry[];
  merges: MergeEntry[];
  /** What other modules show on the record for this helper (their mandates with the person…). */
  sections: JSX.Element[];
  flash?: string | undefined;
}): JSX.Element {
  const { b, sections } = props;
  const base = `/beneficiaires/${b.id}`;
  return (
    <>
      <h1 safe>{displayNameOf(b)}</h1>
      <Flash message={props.flash} />
      <p class="button-group person-actions">
        <a class="button" href={`/activites/nouveau?beneficiaire=${b.id}`}>
          Nouveau compte rendu pour cette personne
        </a>
        <a class="button button--secondary" href={`${base}/modifier`}>
          Modifier
        </a>
        <a class="button button--secondary" href={`${base}/fusionner`}>
          Fusionner avec un doublon
        </a>
      </p>
      <RecordSummary b={b} />
      {sections}
      <p class="person-meta" safe>
        {`Fiche créée le ${formatDateTime(b.created_at)}, modifiée le ${formatDateTime(b.updated_at)}.`}
      </p>

      <h2 safe>{`Accompagnements (${props.history.length})`}</h2>
      {props.history.length === 0 ? (
        <p>Aucun accompagnement enregistré pour l’instant.</p>
      ) : (
        <HistoryTable history={props.history} caption="Accompagnements, les plus récents d’abord" />
      )}

      {props.merges.length > 0 ? (
        <>
          <h2>Fiches fusionnées dans celle-ci</h2>
          <ul>
            {props.merges.map((m) => (
              <li safe>
                {`Le ${formatDateTime(m.at)} : ${m.participations} accompagnement${m.participations > 1 ? 's' : ''} repris d’un doublon.`}
              </li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}

      <h2>Les droits de la personne</h2>
      <ul class="person-rights">
        <li>
          <a href="/beneficiaires/notice">Notice d’information à lui remettre</a> : ce qui est gardé,
          pourquoi, combien de temps, ses droits.
        </li>
        <li>
          Droit d’accès : <a href={`${base}/export`}>voir et imprimer toutes ses données</a> ou{' '}
          <a href={`${base}/export.json`}>les télécharger (fichier JSON)</a>.
        </li>
        <li>
          Droit de rectification : <a href={`${base}/modifier`}>modifier la fiche</a>.
        </li>
        <li>
          Droit à l’effacement : <a href={`${base}/supprimer`}>supprimer la fiche</a>.
        </li>
      </ul>
    </>
  );
}

// ---------------------------------------------------------------------------------------
// Delete

export function DeletePage(props: {
  b: Beneficiary;
  participations: number;
  csrf: string;
  error?: string | undefined;
}): JSX.Element {
  const name = displayNameOf(props.b);
  const n = props.participations;
  return (
    <>
      <h1 safe>{`Supprimer la fiche de ${name}`}</h1>
      <ErrorSummary errors={props.error ? { confirmer: props.error } : {}} />
      <p>La fiche et tout ce qu’elle contient seront effacés. Cette action est définitive.</p>
      <p safe>
        {n === 0
          ? 'Aucun accompagnement n’est enregistré pour cette personne.'
          : `Ses ${n} accompagnement${n > 1 ? 's' : ''} rest${n > 1 ? 'ent' : 'e'} compté${n > 1 ? 's' : ''} dans les statistiques, sans son nom : seuls le genre, la tranche d’âge, la situation et la commune sont gardés.`}
      </p>
      <p>
        Si la personne demande aussi ses données,{' '}
        <a href={`/beneficiaires/${props.b.id}/export`}>imprimez-les</a> avant de supprimer.
      </p>
      <form method="post" action={`/beneficiaires/${props.b.id}/supprimer`}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="confirmer" value="oui" id={fieldId('confirmer')} />
        <p class="button-group">
          <button type="submit" class="button button--danger">
            Supprimer définitivement
          </button>
          <a href={`/beneficiaires/${props.b.id}`}>Annuler</a>
        </p>
      </form>
    </>
  );
}

// ---------------------------------------------------------------------------------------
// Merge

export function MergeChoosePage(props: {
  b: Beneficiary;
  suggestions: DuplicateCandidate[];
  results: PersonRow[];
  q?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const name = displayNameOf(props.b);
  const base = `/beneficiaires/${props.b.id}/fusionner`;
  const seen = new Set(props.suggestions.map((s) => s.id));
  const choices = [
    ...props.suggestions.map((s) => ({ id: s.id, name: displayNameOf(s), details: candidateDetails(s) })),
    ...props.results
      .filter((r) => !seen.has(r.id))
      .map((r) => ({
        id: r.id,
        name: displayNameOf({ ...r, anonyme: false }),
        details: candidateDetails({ ...r, anonyme: false, telephone: null }),
      })),
  ];
  return (
    <>
      <h1>Fusionner avec un doublon</h1>
      <ErrorSummary errors={props.error ? { autre: props.error } : {}} />
      <p safe>
        {`La fiche de ${name} est gardée. Choisissez l’autre fiche de la même personne : ses accompagnements passeront sur la fiche de ${name}, puis elle sera supprimée.`}
      </p>
      <form method="get" action={base} class="inline-form">
        <Field
          name="q"
          label="Chercher l’autre fiche"
          hint="Nom, prénom ou numéro de téléphone"
          type="search"
          value={props.q}
          autocomplete="off"
        />
        <button type="submit" class="button button--secondary">
          Rechercher
        </button>
      </form>
      {choices.length === 0 ? (
        <p>
          {props.q
            ? 'Aucune autre fiche ne correspond à cette recherche.'
            : 'Aucun doublon probable (même nom et même année de naissance, ou même téléphone). Cherchez l’autre fiche par son nom ou son téléphone.'}
        </p>
      ) : (
        <form method="get" action={base}>
          <fieldset class="checkboxes" id={fieldId('autre')}>
            <legend>
              {props.suggestions.length > 0 && !props.q ? 'Doublons probables' : 'Fiches trouvées'}
            </legend>
            {choices.map((c, i) => (
              <div class="checkbox">
                <input type="radio" id={`autre-${i}`} name="autre" value={c.id} required />
                <label for={`autre-${i}`} safe>
                  {c.details ? `${c.name} — ${c.details}` : c.name}
                </label>
              </div>
            ))}
          </fieldset>
          <p class="button-group">
            <button type="submit" class="button">
              Continuer
            </button>
            <a href={`/beneficiaires/${props.b.id}`}>Annuler</a>
          </p>
        </form>
      )}
    </>
  );
}

export function MergeConfirmPage(props: {
  kept: Beneficiary;
  other: Beneficiary;
  otherParticipations: number;
  csrf: string;
  error?: string | undefined;
}): JSX.Element {
  const { kept, other } = props;
  const rows: [string, (b: Beneficiary) => string][] = [
    ['Prénom', (b) => b.prenom ?? ''],
    ['Nom', (b) => b.nom ?? ''],
    ['Téléphone', (b) => b.telephone ?? (b.sans_telephone ? 'Pas de téléphone' : '')],
    ['Adresse e-mail', (b) => b.email ?? ''],
    ['Année de naissance', (b) => (b.annee_naissance === null ? '' : String(b.annee_naissance))],
    ['Commune de résidence', (b) => communeLabel(b.commune_insee) ?? ''],
    ['Genre', (b) => (b.genre ? label(GENRES, b.genre) : '')],
    ['Situation', (b) => (b.statut ? label(STATUTS, b.statut) : '')],
    ['Notes', (b) => b.notes ?? ''],
  ];
  const n = props.otherParticipations;
  return (
    <>
      <h1>Vérifier avant de fusionner</h1>
      <ErrorSummary errors={props.error ? { confirmer: props.error } : {}} />
      <div class="table-wrap">
        <table class="merge-compare">
          <caption>Les deux fiches</caption>
          <thead>
            <tr>
              <th scope="col">Information</th>
              <th scope="col">Fiche gardée</th>
              <th scope="col">Fiche supprimée après la fusion</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([term, value]) => (
              <tr>
                <th scope="row" safe>
                  {term}
                </th>
                <td safe>{value(kept) || '—'}</td>
                <td safe>{value(other) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p safe>
        {n === 0
          ? 'L’autre fiche n’a aucun accompagnement.'
          : `${n} accompagnement${n > 1 ? 's' : ''} de l’autre fiche passer${n > 1 ? 'ont' : 'a'} sur la fiche gardée.`}
      </p>
      <form method="post" action={`/beneficiaires/${kept.id}/fusionner`}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="autre" value={other.id} />
        <input type="hidden" name="confirmer" value="oui" id={fieldId('confirmer')} />
        <div class="checkbox person-form__checkbox">
          <input type="checkbox" id={fieldId('completer')} name="completer" value="oui" />
          <label for={fieldId('completer')}>
            Compléter les informations vides de la fiche gardée avec celles de l’autre fiche
          </label>
        </div>
        <p class="button-group">
          <button type="submit" class="button button--danger">
            Fusionner les deux fiches
          </button>
          <a href={`/beneficiaires/${kept.id}/fusionner`}>Choisir une autre fiche</a>
        </p>
      </form>
    </>
  );
}

// ---------------------------------------------------------------------------------------
// Right of access: everything held, printable

export function ExportPage({ data, id }: { data: BeneficiaryExport; id: string }): JSX.Element {
  const p = data.personne;
  const name = p.anonyme ? 'Personne anonyme' : [p.prenom, p.nom].filter(Boolean).join(' ') || 'Sans nom';
  const fields: [string, string][] = [
    ['Prénom', p.prenom ?? '—'],
    ['Nom', p.nom ?? '—'],
    ['Téléphone', p.telephone ?? (p.sans_telephone ? 'Pas de téléphone' : '—')],
    ['Adresse e-mail', p.courriel ?? '—'],
    ['Année de naissance', p.annee_naissance === null ? '—' : String(p.annee_naissance)],
    ['Tranche d’âge', p.tranche_age],
    ['Commune de résidence', p.commune ?? '—'],
    ['Genre', p.genre ?? '—'],
    ['Situation', p.statut ?? '—'],
    ['Notes', p.notes ?? '—'],
    ['Fiche créée le', formatDateTime(new Date(p.cree_le))],
    ['Dernière modification', formatDateTime(new Date(p.modifie_le))],
    ['Identifiant de la fiche', p.identifiant],
  ];
  return (
    <article class="person-export">
      <h1 safe>{`Vos informations enregistrées : ${name}`}</h1>
      <p safe>
        {`Document édité le ${formatDateTime(new Date(data.genere_le))}, à votre demande (droit d’accès, article 15 du RGPD).`}
      </p>
      <p class="person-screen-only">
        Pour remettre ce document à la personne, utilisez la fonction « Imprimer » de votre navigateur. Vous
        pouvez aussi <a href={`/beneficiaires/${id}/export.json`}>télécharger ces données (fichier JSON)</a>.
      </p>

      <h2>Votre fiche</h2>
      <dl class="summary-list">
        {fields.map(([term, value]) => (
          <>
            <dt safe>{term}</dt>
            <dd safe>{value}</dd>
          </>
        ))}
      </dl>

      <h2 safe>{`Vos accompagnements (${data.accompagnements.length})`}</h2>
      {data.accompagnements.length === 0 ? (
        <p>Aucun accompagnement enregistré.</p>
      ) : (
        <ol class="export-list">
          {data.accompagnements.map((a) => {
            const details: [string, string][] = [
              ['Type', a.type],
              ['Durée', formatDuration(a.duree_min)],
              ['Lieu', a.lieu || '—'],
              ['Thématiques', a.thematiques.join(', ') || '—'],
              ...(a.demarches.length ? [['Démarches', a.demarches.join(', ')] as [string, string]] : []),
              ...(a.autonomie ? [['Autonomie', a.autonomie] as [string, string]] : []),
              ...(a.oriente ? [['Orientée vers', a.orientation ?? 'Oui'] as [string, string]] : []),
              ...(a.notes ? [['Notes', a.notes] as [string, string]] : []),
              [
                'Gardé pour les statistiques',
                [
                  a.informations_pour_les_statistiques.genre,
                  a.informations_pour_les_statistiques.tranche_age,
                  a.informations_pour_les_statistiques.statut,
                  a.informations_pour_les_statistiques.commune,
                ]
                  .filter(Boolean)
                  .join(', '),
              ],
            ];
            return (
              <li>
                <h3 safe>{`Le ${safeDay(a.date)}`}</h3>
                <dl class="summary-list">
                  {details.map(([term, value]) => (
                    <>
                      <dt safe>{term}</dt>
                      <dd safe>{value}</dd>
                    </>
                  ))}
                </dl>
              </li>
            );
          })}
        </ol>
      )}

      <h2>Fiches en double réunies</h2>
      {data.fusions.length === 0 ? (
        <p>Aucune.</p>
      ) : (
        <ul>
          {data.fusions.map((f) => (
            <li safe>
              {`Le ${formatDateTime(new Date(f.date))} : fiche ${f.fiche_fusionnee} réunie avec celle-ci (${f.accompagnements_deplaces} accompagnement${f.accompagnements_deplaces > 1 ? 's' : ''}).`}
            </li>
          ))}
        </ul>
      )}

      <h2>Combien de temps</h2>
      <p safe>{`Vos informations sont gardées ${data.conservation}.`}</p>

      <h2>Qui est responsable</h2>
      <p safe>
        {[
          `Relais est géré par ${data.responsable.nom}.`,
          data.responsable.courriel ? `Adresse : ${data.responsable.courriel}.` : '',
          data.responsable.telephone ? `Téléphone : ${data.responsable.telephone}.` : '',
        ]
          .filter(Boolean)
          .join(' ')}
      </p>
      <p>
        Vous pouvez faire corriger ou effacer ces informations : demandez-le à votre médiateur numérique. Plus
        d’explications dans la <a href="/beneficiaires/notice">notice d’information</a>.
      </p>
    </article>
  );
}

// ---------------------------------------------------------------------------------------
// Information notice, in plain French (FALC), to print and hand over

export function NoticePage(props: {
  opsn: { name: string; contact_email: string | null; contact_phone: string | null } | undefined;
}): JSX.Element {
  const name = props.opsn?.name ?? 'l’opérateur public qui gère Relais';
  const email = props.opsn?.contact_email;
  const phone = props.opsn?.contact_phone;
  return (
    <article class="falc">
      <h1>Vos informations personnelles</h1>
      <p class="lead">
        Votre médiateur numérique vous aide. Pour bien vous aider, il note quelques informations sur vous.
      </p>
      <p class="person-screen-only">
        Médiateur : imprimez cette page et remettez-la à la personne (fonction « Imprimer » du navigateur).
      </p>

      <h2>Ce que nous gardons</h2>
      <ul>
        <li>votre prénom et votre nom,</li>
        <li>votre numéro de téléphone et votre adresse e-mail, si vous les donnez,</li>
        <li>votre année de naissance,</li>
        <li>votre commune,</li>
        <li>si vous êtes un homme ou une femme,</li>
        <li>votre situation : à l’école, sans emploi, en emploi ou à la retraite,</li>
        <li>la date et le sujet de chaque rendez-vous avec votre médiateur.</li>
      </ul>
      <p>
        Vous pouvez <strong>refuser</strong> de donner ces informations. Vous serez aidé quand même.
      </p>

      <h2>Pourquoi</h2>
      <ul>
        <li>
          Pour <strong>suivre votre accompagnement</strong> : vous n’avez pas à tout redire à chaque fois.
        </li>
        <li>
          Pour <strong>compter</strong> les personnes aidées. Ces chiffres ne donnent jamais votre nom.
        </li>
      </ul>

      <h2>Qui voit vos informations</h2>
      <ul>
        <li>votre médiateur numérique,</li>
        <li>les autres médiateurs du lieu où vous êtes aidé.</li>
      </ul>
      <p>
        Les agents de la mairie ou de la collectivité <strong>ne voient pas</strong> votre nom. Ils voient
        seulement des chiffres. Vos informations ne sont <strong>jamais vendues</strong>.
      </p>

      <h2>Combien de temps</h2>
      <p>
        Nous gardons vos informations <strong>{RETENTION_TEXT}</strong>. Ensuite, Relais les efface tout seul.
      </p>

      <h2>Vos droits</h2>
      <p>Vous pouvez à tout moment :</p>
      <ul>
        <li>
          <strong>voir</strong> vos informations : nous vous les donnons sur papier ou dans un fichier,
        </li>
        <li>
          <strong>corriger</strong> une information fausse,
        </li>
        <li>
          <strong>effacer</strong> vos informations,
        </li>
        <li>
          <strong>refuser</strong> que nous gardions vos informations.
        </li>
      </ul>
      <p>
        <strong>Comment faire ?</strong> Demandez à votre médiateur numérique. Vous pouvez aussi écrire à{' '}
        <span safe>{name}</span>, qui gère Relais
        {email ? (
          <>
            {' '}
            : <span safe>{email}</span>
          </>
        ) : (
          ''
        )}
        {phone ? (
          <>
            {' '}
            ou téléphoner au <span safe>{phone}</span>
          </>
        ) : (
          ''
        )}
        . Vous aurez une réponse en <strong>un mois</strong> au plus.
      </p>
      <p>
        Si vous n’êtes pas d’accord avec la réponse, vous pouvez vous plaindre à la <strong>CNIL</strong>{' '}
        (Commission nationale de l’informatique et des libertés) : www.cnil.fr, ou 01 53 73 22 22, ou par
        courrier : CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07.
      </p>
    </article>
  );
}
