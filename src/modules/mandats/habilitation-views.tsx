import { formatDate, formatDay } from '../../platform/paris-time.ts';
import {
  CollectiviteSwitcher,
  CsrfField,
  ErrorSummary,
  type FieldErrors,
  fieldId,
  Notice,
} from '../../platform/ui/components.tsx';
import { type helpersWithHabilitation, SELF_INVITED_REFUSED } from './habilitation.ts';
import { HABILITATION_WARN_MONTHS, HABILITATION_WITHDRAW_MONTHS } from './vocabulary.ts';

export type HelperRow = Awaited<ReturnType<typeof helpersWithHabilitation>>[number];
export type CollectiviteChoice = { id: number; name: string };

/** What the person typed in one row's form, given back with its errors. */
export type RowValues = {
  userId: string;
  dateFormation?: string | undefined;
  certifiePar?: string | undefined;
  motif?: string | undefined;
};

/** Errors of one row's fields are keyed `<field>-<user id>`: ids stay unique on the page. */
export const rowKey = (field: string, userId: string) => `${field}-${userId}`;

const safeInstant = (d: Date) => formatDate(d);
/** `2026-01-15` → `15 janvier 2026`. */
const safeCalendarDay = (iso: string) => formatDay(iso);

/** When a warned helper, still inactive, loses the habilitation. */
function withdrawalDate(warnedAt: Date): Date {
  const d = new Date(warnedAt);
  d.setMonth(d.getMonth() + HABILITATION_WITHDRAW_MONTHS - HABILITATION_WARN_MONTHS);
  return d;
}

/** A labelled input inside one row's form: `name` is the field, the id names the row too. */
function RowField(props: {
  field: string;
  userId: string;
  label: string;
  hint?: string;
  type?: 'text' | 'date';
  value?: string | undefined;
  error?: string | undefined;
  min?: string;
  max?: string;
}): JSX.Element {
  const id = fieldId(rowKey(props.field, props.userId));
  const described = [props.hint ? `${id}-aide` : '', props.error ? `${id}-erreur` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={props.error ? 'field field--error' : 'field'}>
      <label for={id} safe>
        {props.label}
      </label>
      {props.hint ? (
        <span class="field__hint" id={`${id}-aide`} safe>
          {props.hint}
        </span>
      ) : (
        ''
      )}
      {props.error ? (
        <span class="field__error" id={`${id}-erreur`}>
          <span class="visually-hidden">Erreur : </span>
          <span safe>{props.error}</span>
        </span>
      ) : (
        ''
      )}
      <input
        id={id}
        name={props.field}
        type={props.type ?? 'text'}
        value={props.value}
        min={props.min}
        max={props.max}
        required
        autocomplete="off"
        aria-describedby={described || undefined}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </div>
  );
}

function StatusCell({ row }: { row: HelperRow }): JSX.Element {
  if (row.granted_at === null) return <>Non habilité</>;
  if (row.withdrawn_at !== null)
    return (
      <span
        safe
      >{`Habilitation retirée le ${safeInstant(row.withdrawn_at)} : ${row.motif_retrait ?? ''}`}</span>
    );
  return (
    <>
      <span safe>
        {`Habilité depuis le ${safeInstant(row.granted_at)} (formation du ${safeCalendarDay(
          row.date_formation ?? '',
        )}, certifiée par ${row.certified_by ?? ''})`}
      </span>
      {row.warned_at ? (
        <>
          <br />
          <strong safe>{`Averti pour inactivité le ${safeInstant(row.warned_at)}`}</strong>
          <span safe>
            {` : sans activité d’ici le ${safeInstant(withdrawalDate(row.warned_at))}, l’habilitation sera retirée.`}
          </span>
        </>
      ) : (
        ''
      )}
    </>
  );
}

function GrantForm(props: {
  row: HelperRow;
  /** An administrator habilitating an account they invited: warned, and the journal flags it. */
  selfInvited: boolean;
  csrf: string;
  today: string;
  errors: FieldErrors;
  values: RowValues | undefined;
}): JSX.Element {
  const { row, errors } = props;
  const error = (field: string) => errors[rowKey(field, row.id)];
  const open = Boolean(error('dateFormation') || error('certifiePar'));
  return (
    <details open={open}>
      <summary>
        {row.withdrawn_at ? 'Habiliter de nouveau' : 'Habiliter'}
        <span class="visually-hidden" safe>{` ${row.name}`}</span>
      </summary>
      {props.selfInvited ? (
        <p class="field__hint">
          Attention : vous avez invité ce compte vous-même. Vérifiez l’identité de l’aidant et l’attestation
          de sa formation avant de l’habiliter ; le journal signalera cette habilitation.
        </p>
      ) : (
        ''
      )}
      <form method="post" action={`/admin/habilitations/${row.id}`} novalidate>
        <CsrfField token={props.csrf} />
        <RowField
          field="dateFormation"
          userId={row.id}
          type="date"
          label="Date de la formation"
          hint="Le jour où l’aidant a terminé la formation aux mandats (depuis 2015)."
          min="2015-01-01"
          max={props.today}
          value={props.values?.dateFormation}
          error={error('dateFormation')}
        />
        <RowField
          field="certifiePar"
          userId={row.id}
          label="Formation certifiée par"
          hint="L’organisme de formation ou la personne qui l’atteste, par exemple Aidants Connect."
          value={props.values?.certifiePar}
          error={error('certifiePar')}
        />
        <button type="submit" class="button">
          Enregistrer l’habilitation
        </button>
      </form>
    </details>
  );
}

function WithdrawForm(props: {
  row: HelperRow;
  csrf: string;
  errors: FieldErrors;
  values: RowValues | undefined;
}): JSX.Element {
  const { row } = props;
  const error = props.errors[rowKey('motif', row.id)];
  return (
    <details open={Boolean(error)}>
      <summary>
        Retirer l’habilitation<span class="visually-hidden" safe>{` de ${row.name}`}</span>
      </summary>
      <form method="post" action={`/admin/habilitations/${row.id}/retirer`} novalidate>
        <CsrfField token={props.csrf} />
        <RowField
          field="motif"
          userId={row.id}
          label="Motif du retrait"
          hint="Par exemple : a quitté la structure, ne fait plus d’accompagnement."
          value={props.values?.motif}
          error={error}
        />
        <button type="submit" class="button button--danger">
          Retirer l’habilitation
        </button>
      </form>
    </details>
  );
}

export function HabilitationsPage(props: {
  collectivite: CollectiviteChoice;
  /** The collectivités this person may choose among (a choice is offered when there are several). */
  choices: CollectiviteChoice[];
  helpers: HelperRow[];
  /** The helpers this person invited themselves, and whether they may habilitate them anyway (admins). */
  selfInvited?: { ids: Set<string>; mayGrant: boolean };
  csrf: string;
  today: string;
  flash?: string | undefined;
  errors?: FieldErrors;
  values?: RowValues | undefined;
}): JSX.Element {
  const errors = props.errors ?? {};
  const valuesOf = (userId: string) => (props.values?.userId === userId ? props.values : undefined);
  return (
    <>
      <h1>Habilitation des aidants aux mandats</h1>
      <ErrorSummary errors={errors} />
      {props.flash ? (
        <Notice kind="success">
          <p safe>{props.flash}</p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        Seuls les aidants habilités créent et utilisent des mandats pour agir au nom des personnes qu’ils
        accompagnent. Habilitez un aidant quand il a suivi la formation aux mandats : indiquez la date de la
        formation et qui l’a certifiée.
      </p>
      <p>
        Un aidant habilité qui n’a aucune activité sur Relais pendant cinq mois reçoit un avertissement par
        courriel. S’il reste inactif un mois de plus, il perd son habilitation ; vous pourrez l’habiliter de
        nouveau.
      </p>
      <CollectiviteSwitcher
        action="/admin/habilitations"
        choices={props.choices}
        current={props.collectivite.id}
        submit="Afficher ses aidants"
      />
      <h2 safe>{`Aidants de ${props.collectivite.name}`}</h2>
      {props.helpers.length === 0 ? (
        <p>
          Aucun aidant (médiateur numérique) n’est rattaché à cette collectivité. Invitez-en depuis{' '}
          <a href="/admin/personnes">Personnes et rôles</a>.
        </p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption
              safe
            >{`Les aidants de ${props.collectivite.name} et leur habilitation aux mandats`}</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Courriel</th>
                <th scope="col">Habilitation</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {props.helpers.map((row) => {
                const active = row.granted_at !== null && row.withdrawn_at === null;
                return (
                  <tr id={fieldId(rowKey('habilitation', row.id))}>
                    <th scope="row" safe>
                      {row.name}
                    </th>
                    <td safe>{row.email}</td>
                    <td>
                      <StatusCell row={row} />
                    </td>
                    <td>
                      {active ? (
                        <WithdrawForm row={row} csrf={props.csrf} errors={errors} values={valuesOf(row.id)} />
                      ) : props.selfInvited?.ids.has(row.id) && !props.selfInvited.mayGrant ? (
                        <p>{SELF_INVITED_REFUSED}</p>
                      ) : (
                        <GrantForm
                          selfInvited={props.selfInvited?.ids.has(row.id) ?? false}
                          row={row}
                          csrf={props.csrf}
                          today={props.today}
                          errors={errors}
                          values={valuesOf(row.id)}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
