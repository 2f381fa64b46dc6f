import { formatDate } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CollectiviteSwitcher,
  CsrfField,
  ErrorSummary,
  type FieldErrors,
  Flash,
  fieldId,
  Notice,
  Select,
} from '../../platform/ui/components.tsx';
import type { PlaceSummary } from '../lieux/index.ts';
import { ALERT_PREFIX, type ApprovalBoard, type HelperPlaceStates, type PlaceRow } from './place-approval.ts';

const safeDay = (d: Date) => formatDate(d);
const placeLabel = (p: PlaceSummary) => `${p.nom} – ${p.code_postal} ${p.commune}`;

function PlaceList(props: { title: string; places: PlaceSummary[]; empty: string }): JSX.Element {
  return (
    <>
      <h3 safe>{`${props.title} (${props.places.length})`}</h3>
      {props.places.length === 0 ? (
        <p safe>{props.empty}</p>
      ) : (
        <ul>
          {props.places.map((p) => (
            <li safe>{placeLabel(p)}</li>
          ))}
        </ul>
      )}
    </>
  );
}

// ---------------------------------------------------------------- the helper's page

/** A helper's places: where each stands (approved, proposed, refused), and the form to change them. */
export function HelperPlacesPage(props: {
  places: PlaceSummary[];
  states: HelperPlaceStates;
  chosen: string[];
  csrf: string;
  error?: string | undefined;
  flash?: string | undefined;
}): JSX.Element {
  const { states } = props;
  const errors: FieldErrors = props.error ? { lieux: props.error } : {};
  const status = new Map<string, string>([
    ...states.refused.map((p) => [p.id, 'refusé'] as const),
    ...states.proposed.map((p) => [p.id, 'proposé, en attente d’approbation'] as const),
    ...states.approved.map((p) => [p.id, 'approuvé'] as const),
  ]);
  const first = states.approved.length === 0 && states.proposed.length === 0;
  return (
    <>
      <h1>Mes lieux d’activité</h1>
      <ErrorSummary errors={errors} />
      <Flash message={props.flash} />
      {first ? (
        <Notice>
          <p>
            Avant votre premier compte rendu, indiquez où vous accompagnez les personnes. Un coordinateur de
            votre collectivité approuve ensuite vos lieux.
          </p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        Vous voyez les personnes accompagnées et les mandats d’un lieu seulement quand un coordinateur de
        votre collectivité a approuvé ce lieu. Vous enregistrez vos comptes rendus dans vos lieux approuvés.
      </p>
      <h2>Où en sont mes lieux</h2>
      <PlaceList
        title="Lieux approuvés"
        places={states.approved}
        empty="Aucun lieu approuvé pour le moment."
      />
      <PlaceList
        title="Lieux proposés, en attente d’approbation"
        places={states.proposed}
        empty="Aucun lieu en attente."
      />
      {states.refused.length > 0 ? (
        <PlaceList title="Propositions refusées" places={states.refused} empty="" />
      ) : (
        ''
      )}
      <h2>Proposer ou retirer des lieux</h2>
      {props.places.length === 0 ? (
        <p>
          Aucun lieu n’est encore enregistré dans vos collectivités. Demandez à votre coordinateur d’ajouter
          votre lieu à l’annuaire.
        </p>
      ) : (
        <form method="post" action="/activites/lieux" novalidate>
          <CsrfField token={props.csrf} />
          <ChoiceGroup
            type="checkbox"
            name="lieux"
            legend="Les lieux où j’accompagne"
            hint="Cochez un ou plusieurs lieux de l’annuaire de vos collectivités. Un nouveau lieu coché est proposé à votre coordinateur ; un lieu décoché est retiré."
            error={props.error}
            className="checkboxes activity-columns"
            options={props.places.map((p) => {
              const state = status.get(p.id);
              return { value: p.id, label: state ? `${placeLabel(p)} (${state})` : placeLabel(p) };
            })}
            checked={props.chosen}
          />
          <button type="submit" class="button">
            Enregistrer mes lieux
          </button>
        </form>
      )}
    </>
  );
}

// ---------------------------------------------------------------- the coordinators' page

export type CollectiviteChoice = { id: number; name: string };

/** Errors of one row's decision are keyed `decision-<user>-<place>`, the row's id. */
export const decisionKey = (userId: string, lieuId: string) => `decision-${userId}-${lieuId}`;

function DecisionForm(props: {
  row: PlaceRow;
  csrf: string;
  decisions: { value: 'approuver' | 'refuser' | 'retirer'; label: string; danger?: boolean }[];
}): JSX.Element {
  const { row } = props;
  const whom = ` : ${row.name}, ${row.place.nom}`;
  return (
    <form method="post" action={`/admin/lieux-activite/${row.userId}`} class="button-group">
      <CsrfField token={props.csrf} />
      <input type="hidden" name="lieu" value={row.place.id} />
      {props.decisions.map((d) => (
        // The row in the name (a hidden span would stretch the page past the scrolling table).
        <button
          type="submit"
          name="decision"
          value={d.value}
          aria-label={`${d.label}${whom}`}
          class={d.danger ? 'button button--danger' : 'button button--secondary'}
        >
          <span safe>{d.label}</span>
        </button>
      ))}
    </form>
  );
}

export function PlaceApprovalsPage(props: {
  collectivite: CollectiviteChoice;
  choices: CollectiviteChoice[];
  board: ApprovalBoard;
  csrf: string;
  flash?: string | undefined;
  errors?: FieldErrors;
  values?: { personne?: string | undefined; lieu?: string | undefined };
  /** Alerts of the last 30 days, for administrators; null for the others. */
  alerts?: number | null;
}): JSX.Element {
  const { board } = props;
  const errors = props.errors ?? {};
  const name = props.collectivite.name;
  return (
    <>
      <h1>Lieux d’activité des médiateurs</h1>
      <ErrorSummary errors={errors} />
      <Flash message={props.flash} />
      {props.alerts ? (
        <Notice>
          <p>
            <strong safe>
              {props.alerts === 1
                ? 'Attention : 1 signalement sur les lieux d’activité ces 30 derniers jours.'
                : `Attention : ${props.alerts} signalements sur les lieux d’activité ces 30 derniers jours.`}
            </strong>{' '}
            Une personne a tenté d’approuver ses propres lieux ou ceux d’un compte qu’elle a invité, ou des
            lieux ont été approuvés entre des comptes liés par leurs invitations.{' '}
            <a href={`/admin/journal?action=${ALERT_PREFIX}`}>Voir les signalements dans le journal</a>
          </p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        Un médiateur voit les personnes accompagnées et les mandats d’un lieu seulement quand ce lieu est
        approuvé. Approuvez les lieux où chacun travaille vraiment, ou attribuez-les directement. Vous ne
        pouvez pas approuver les lieux d’un compte que vous avez invité : un autre coordinateur ou un
        administrateur s’en charge.
      </p>
      <CollectiviteSwitcher
        action="/admin/lieux-activite"
        choices={props.choices}
        current={props.collectivite.id}
        submit="Afficher ses médiateurs"
      />

      <h2 safe>{`Propositions en attente à ${name}`}</h2>
      {board.pending.length === 0 ? (
        <p>Aucune proposition en attente.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption safe>{`Lieux proposés par les médiateurs de ${name}, les plus anciens d’abord`}</caption>
            <thead>
              <tr>
                <th scope="col">Médiateur</th>
                <th scope="col">Lieu</th>
                <th scope="col">Proposé le</th>
                <th scope="col">Décision</th>
              </tr>
            </thead>
            <tbody>
              {board.pending.map((row) => (
                <tr id={fieldId(decisionKey(row.userId, row.place.id))}>
                  <th scope="row">
                    <span safe>{row.name}</span>
                    <br />
                    <span safe>{row.email}</span>
                  </th>
                  <td safe>{placeLabel(row.place)}</td>
                  <td>{row.at ? safeDay(row.at) : '—'}</td>
                  <td>
                    {row.invitedByViewer ? (
                      <p>
                        Vous avez invité ce compte : un autre coordinateur ou un administrateur doit approuver
                        ce lieu.
                      </p>
                    ) : (
                      ''
                    )}
                    <DecisionForm
                      row={row}
                      csrf={props.csrf}
                      decisions={[
                        ...(row.invitedByViewer ? [] : [{ value: 'approuver' as const, label: 'Approuver' }]),
                        { value: 'refuser', label: 'Refuser', danger: true },
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Attribuer un lieu à un médiateur</h2>
      {board.helpers.length === 0 || board.places.length === 0 ? (
        <p>
          Il faut au moins un médiateur numérique et un lieu dans cette collectivité. Invitez les médiateurs
          depuis <a href="/admin/personnes">Personnes et rôles</a>.
        </p>
      ) : (
        <form method="post" action="/admin/lieux-activite" novalidate>
          <CsrfField token={props.csrf} />
          <Select
            name="personne"
            label="Médiateur"
            error={errors.personne}
            value={props.values?.personne ?? ''}
            options={[
              { value: '', label: '— Choisissez —' },
              ...board.helpers.map((h) => ({ value: h.id, label: `${h.name} (${h.email})` })),
            ]}
          />
          <Select
            name="lieu"
            label="Lieu d’activité"
            error={errors.lieu}
            value={props.values?.lieu ?? ''}
            options={[
              { value: '', label: '— Choisissez —' },
              ...board.places.map((p) => ({ value: p.id, label: placeLabel(p) })),
            ]}
          />
          <button type="submit" class="button">
            Attribuer le lieu
          </button>
        </form>
      )}

      <h2 safe>{`Lieux approuvés à ${name}`}</h2>
      {board.approved.length === 0 ? (
        <p>Aucun lieu approuvé.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption safe>{`Les lieux d’activité approuvés des médiateurs de ${name}`}</caption>
            <thead>
              <tr>
                <th scope="col">Médiateur</th>
                <th scope="col">Lieu</th>
                <th scope="col">Approuvé</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {board.approved.map((row) => (
                <tr id={fieldId(decisionKey(row.userId, row.place.id))}>
                  <th scope="row" safe>
                    {row.name}
                  </th>
                  <td safe>{placeLabel(row.place)}</td>
                  <td safe>
                    {row.at === null
                      ? 'Avant l’approbation des lieux'
                      : `Le ${safeDay(row.at)} par ${row.approvedBy ?? 'un compte supprimé ou l’exploitant'}`}
                  </td>
                  <td>
                    <DecisionForm
                      row={row}
                      csrf={props.csrf}
                      decisions={[{ value: 'retirer', label: 'Retirer', danger: true }]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
