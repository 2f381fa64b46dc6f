import { formatDateTime } from '../../platform/paris-time.ts';
import { ErrorSummary, Field, type FieldErrors, fieldId, safeNumber } from '../../platform/ui/components.tsx';
import type { ActionLabels } from './labels.ts';
import type { Accounts, JournalEntry, JournalFilter } from './service.ts';

/** What an entry is about; an account is named by its person, not its identifier. */
const subjectLabel = (e: JournalEntry, accounts: Accounts) => {
  const person = e.subject_type === 'user' && e.subject_id ? accounts.get(e.subject_id) : undefined;
  if (person) return `Compte de ${person.name} (${person.email})`;
  return e.subject_type ? `${e.subject_type} ${e.subject_id}` : '—';
};

export function JournalPage(props: {
  entries: JournalEntry[];
  /** The people of the accounts the entries are about. */
  accounts: Accounts;
  actions: string[];
  /** French labels of the actions; an action without one shows its code. */
  labels: ActionLabels;
  filter: JournalFilter;
  errors: FieldErrors;
  page: number;
  hasNext: boolean;
  query: string;
}): JSX.Element {
  const { filter, errors } = props;
  const actionLabel = (code: string) => props.labels(code) ?? code;
  const pageLink = (page: number) =>
    `/admin/journal?${new URLSearchParams({ ...clean(filter), page: String(page) })}`;
  return (
    <>
      <h1>Journal d’audit</h1>
      <p>
        Chaque connexion, chaque changement et chaque accès à des données personnelles y est inscrit. Les
        entrées sont chaînées : toute modification se voit (commande{' '}
        <code>npm run relais -- audit verify</code>).
      </p>
      <ErrorSummary errors={errors} />
      <form method="get" action="/admin/journal" class="filters">
        <div class="field">
          <label for={fieldId('action')}>Action</label>
          <select id={fieldId('action')} name="action">
            <option value="">Toutes</option>
            {props.actions.map((a) => (
              <option value={a} selected={filter.action === a} safe>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </div>
        <Field name="from" type="date" label="Depuis le" value={filter.from} error={errors.from} />
        <Field name="to" type="date" label="Jusqu’au" value={filter.to} error={errors.to} />
        <div class="button-group">
          <button type="submit" class="button">
            Filtrer
          </button>
          <a href={`/admin/journal.csv${props.query ? `?${props.query}` : ''}`}>Exporter en CSV</a>
        </div>
      </form>
      {props.entries.length === 0 ? (
        <p>Aucune entrée ne correspond à ces critères.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Entrées du journal, les plus récentes d’abord (page {safeNumber(props.page)})</caption>
            <thead>
              <tr>
                <th scope="col">N°</th>
                <th scope="col">Date</th>
                <th scope="col">Qui</th>
                <th scope="col">Action</th>
                <th scope="col">Objet</th>
                <th scope="col">Adresse IP</th>
              </tr>
            </thead>
            <tbody>
              {props.entries.map((e) => (
                <tr>
                  <td class="num">{safeNumber(e.id)}</td>
                  <td safe>{formatDateTime(e.at, 'short', true)}</td>
                  <td safe>{e.actor_label}</td>
                  <td safe>{actionLabel(e.action)}</td>
                  <td safe>{subjectLabel(e, props.accounts)}</td>
                  <td safe>{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages du journal" class="button-group">
        {props.page > 1 ? <a href={pageLink(props.page - 1)}>Page précédente</a> : ''}
        {props.hasNext ? <a href={pageLink(props.page + 1)}>Page suivante</a> : ''}
      </nav>
    </>
  );
}

const clean = (filter: JournalFilter) =>
  Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as Record<string, string>;
