import { labelOf, labelsOf, vocabularyOptions } from '../../platform/forms.ts';
import { formatDate, formatDateTime, formatDuration, parisToday } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Flash,
  Notice,
  Select,
  safeNumber,
  TextArea,
} from '../../platform/ui/components.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import type { Session, TrainingType } from './service.ts';
import {
  AUDIENCES,
  CANCEL_REASONS,
  FEEDBACK_QUESTIONS,
  FEEDBACK_THRESHOLD,
  MODALITIES,
  REGISTRATION_STATUSES,
  type RegistrationStatus,
} from './vocabulary.ts';

type S = NonNullable<Session>;
type HalfDay = { starts_at: Date; ends_at: Date };

const TIME = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
});
/** « 12 janvier 2027, 09:00 – 12:30 ». */
export const halfDayLabel = (h: HalfDay) =>
  `${formatDate(h.starts_at)}, ${TIME.format(h.starts_at)} – ${TIME.format(h.ends_at)}`;
const hours = (minutes: number) => formatDuration(minutes);
const seatsLeft = (s: { capacite: number; places_prises: number }) =>
  Math.max(0, s.capacite - s.places_prises);
const plural = (n: number, one: string, many: string) => `${safeNumber(n)} ${n > 1 ? many : one}`;

function Status({ status }: { status: RegistrationStatus }): JSX.Element {
  return <span class={`training-status training-status--${status}`}>{REGISTRATION_STATUSES[status]}</span>;
}

function Problem({ message }: { message: string | undefined }): JSX.Element {
  if (!message) return '';
  return (
    <div class="error-summary" role="alert" tabindex="-1">
      <h2>Il y a un problème</h2>
      <p safe>{message}</p>
    </div>
  );
}

// -------------------------------------------------------------------------------- public

export function CataloguePage(props: {
  types: (TrainingType & { sessions_ouvertes: number | null })[];
  canManage: boolean;
}): JSX.Element {
  return (
    <>
      <h1>Formations</h1>
      <p class="lead">
        Les formations que l’OPSN et ses collectivités proposent aux médiateurs numériques, aidants et agents
        d’accueil.
      </p>
      {props.canManage ? (
        <p>
          <a href="/formations/gestion">Gérer les formations et les sessions</a>
        </p>
      ) : (
        ''
      )}
      {props.types.length === 0 ? (
        <p>Aucune formation n’est encore au catalogue.</p>
      ) : (
        <ul class="cards">
          {props.types.map((t) => (
            <li class="card">
              <h2>
                <a href={`/formations/${t.slug}`} safe>
                  {t.titre}
                </a>
              </h2>
              <p safe>{`${hours(t.duree_minutes)} · ${labelOf(MODALITIES, t.modalite)}`}</p>
              {t.habilitante ? <p class="tag">Mène à l’habilitation aux mandats</p> : ''}
              <p safe>
                {t.sessions_ouvertes
                  ? plural(
                      t.sessions_ouvertes,
                      'session ouverte aux inscriptions',
                      'sessions ouvertes aux inscriptions',
                    )
                  : 'Aucune session ouverte pour le moment'}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

type Upcoming = {
  id: string;
  capacite: number;
  places_prises: number;
  intra: boolean;
  opens_at: Date;
  closes_at: Date;
  lieu_libelle: string | null;
  lien_distance: string | null;
  organisateur: string | null;
  debut: Date;
  demi_journees: number;
};

export function TypePage(props: {
  type: TrainingType;
  sessions: Upcoming[];
  now: Date;
  canEdit?: boolean;
  flash?: string | undefined;
  /** Resources of the library on its subject, that this reader may read. */
  resources?: readonly { id: string; titre: string }[];
}): JSX.Element {
  const t = props.type;
  return (
    <>
      <Flash message={props.flash} />
      <h1 safe>{t.titre}</h1>
      {props.canEdit ? (
        <p>
          <a href={`/formations/gestion/catalogue/${t.slug}/modifier`}>Modifier cette formation</a>
        </p>
      ) : (
        ''
      )}
      <SummaryList
        hideEmpty
        rows={[
          ['Durée', hours(t.duree_minutes)],
          ['Modalité', labelOf(MODALITIES, t.modalite)],
          ['Pour qui', labelsOf(AUDIENCES, t.publics)],
          ['Prérequis', t.prerequis],
          ['Organisme de formation', t.prestataire ?? 'L’OPSN'],
          [
            'À la fin',
            t.habilitante
              ? 'Une attestation, et l’habilitation aux mandats proposée à votre coordinateur'
              : t.certifiante
                ? 'Une attestation de formation'
                : 'Pas d’attestation',
          ],
        ]}
      />
      <h2>Objectifs</h2>
      <p class="preline" safe>
        {t.objectifs}
      </p>
      <h2>Programme</h2>
      <p class="preline" safe>
        {t.programme}
      </p>
      {props.resources && props.resources.length > 0 ? (
        <>
          <h2>Ressources pour aller plus loin</h2>
          <ul>
            {props.resources.map((r) => (
              <li>
                <a href={`/ressources/${r.id}`} safe>
                  {r.titre}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
      <h2>Sessions à venir</h2>
      {props.sessions.length === 0 ? (
        <p>Aucune session n’est prévue pour le moment.</p>
      ) : (
        <Table
          caption="Sessions à venir"
          captionHidden
          columns={['Début', 'Où', 'Organisée par', 'Places', 'Inscriptions']}
        >
          {props.sessions.map((s) => (
            <tr>
              <td>
                <a href={`/formations/sessions/${s.id}`} safe>
                  {`${formatDateTime(s.debut)} (${plural(s.demi_journees, 'demi-journée', 'demi-journées')})`}
                </a>
              </td>
              <td safe>
                {[s.lieu_libelle, s.lien_distance ? 'À distance' : ''].filter(Boolean).join(' · ') || '—'}
              </td>
              <td safe>{`${s.organisateur ?? 'L’OPSN'}${s.intra ? ' (réservée à ses équipes)' : ''}`}</td>
              <td safe>
                {seatsLeft(s) > 0
                  ? plural(seatsLeft(s), 'place libre', 'places libres')
                  : 'Complet (liste d’attente)'}
              </td>
              <td safe>
                {props.now < s.opens_at
                  ? `Ouvrent le ${formatDate(s.opens_at)}`
                  : props.now >= s.closes_at
                    ? 'Closes'
                    : `Jusqu’au ${formatDate(s.closes_at)}`}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

export type Viewer = {
  /** A helper, with their registration if any. */
  helper: boolean;
  mine?: { id: string; status: RegistrationStatus; offer_expires_at: Date | null } | undefined;
  /** A coordinator: the helpers of their team they may register. */
  team: { id: string; name: string }[];
  runs: boolean;
  csrf: string;
  /** The mobile number typed for SMS reminders, and its error, when the form comes back. */
  telephone?: string | undefined;
  telephoneError?: string | undefined;
};

export function SessionPage(props: {
  session: S;
  viewer: Viewer;
  now: Date;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const s = props.session;
  const v = props.viewer;
  const open = s.status === 'active' && props.now >= s.opens_at && props.now < s.closes_at;
  const left = seatsLeft(s);
  return (
    <>
      <Problem message={props.error} />
      <ErrorSummary errors={props.viewer.telephoneError ? { telephone: props.viewer.telephoneError } : {}} />
      <Flash message={props.flash} />
      <h1 safe>{`Session : ${s.titre}`}</h1>
      {s.status === 'annulee' ? (
        <Notice>
          <p safe>{`Cette session est annulée${s.motif_annulation ? ` : ${s.motif_annulation}` : '.'}`}</p>
        </Notice>
      ) : (
        ''
      )}
      <h2>Demi-journées</h2>
      <ol>
        {s.halfDays.map((h) => (
          <li safe>{halfDayLabel(h)}</li>
        ))}
      </ol>
      <SummaryList
        hideEmpty
        rows={[
          ['Lieu', s.lieu_libelle],
          ['À distance', s.lien_distance],
          ['Organisée par', s.organisateur ?? 'L’OPSN'],
          ['Réservée', s.intra ? `Aux équipes de ${s.organisateur ?? 'sa collectivité'}` : null],
          ['Formateurs', s.trainers.map((t) => t.name).join(', ') || null],
          [
            'Places',
            `${plural(s.capacite, 'place', 'places')}, ${left > 0 ? plural(left, 'libre', 'libres') : 'complet : liste d’attente'}`,
          ],
          [
            'Inscriptions',
            s.status !== 'active'
              ? 'Closes'
              : props.now < s.opens_at
                ? `Ouvrent le ${formatDateTime(s.opens_at)}`
                : props.now >= s.closes_at
                  ? 'Closes'
                  : `Jusqu’au ${formatDateTime(s.closes_at)}`,
          ],
        ]}
      />
      <p>
        <a href={`/formations/sessions/${s.id}/agenda.ics`}>Ajouter les dates à mon agenda (fichier .ics)</a>{' '}
        · <a href={`/formations/${s.slug}`}>Voir la formation</a>
      </p>
      {v.helper ? (
        v.mine && v.mine.status !== 'annule' ? (
          <Notice>
            <p>
              Votre inscription : <Status status={v.mine.status} />.{' '}
              <a href="/formations/mes-inscriptions">Voir mes inscriptions</a>
            </p>
          </Notice>
        ) : open ? (
          <form method="post" action={`/formations/sessions/${s.id}/inscription`} novalidate>
            <CsrfField token={v.csrf} />
            <Field
              name="telephone"
              type="tel"
              label="Mobile pour un rappel par SMS (facultatif)"
              hint="Un SMS 7 jours et 1 jour avant, en plus du courriel. Le numéro est effacé après la formation."
              value={v.telephone}
              error={v.telephoneError}
            />
            <button type="submit" class="button">
              {left > 0 ? 'M’inscrire' : 'M’inscrire sur la liste d’attente'}
            </button>
          </form>
        ) : (
          ''
        )
      ) : (
        ''
      )}
      {v.team.length > 0 && open ? (
        <form method="post" action={`/formations/sessions/${s.id}/inscrire`} class="inline-form">
          <CsrfField token={v.csrf} />
          <Select
            name="personne"
            label="Inscrire un médiateur de mon équipe"
            options={[
              { value: '', label: 'Choisir…' },
              ...v.team.map((h) => ({ value: h.id, label: h.name })),
            ]}
          />
          <button type="submit" class="button button--secondary">
            Inscrire
          </button>
        </form>
      ) : (
        ''
      )}
      {v.runs ? (
        <p>
          <a href={`/formations/gestion/sessions/${s.id}`} class="button button--secondary">
            Gérer la session : inscrits, présences, attestations
          </a>
        </p>
      ) : (
        ''
      )}
    </>
  );
}

// ------------------------------------------------------------------------------- learner

type MyRow = {
  id: string;
  status: RegistrationStatus;
  offer_expires_at: Date | null;
  motif_annulation: string | null;
  session_id: string;
  session_status: string;
  titre: string;
  attestation_id: string | null;
  revoked_at: Date | null;
  avis_at: Date | null;
  debut: Date;
  fin: Date;
};

export function MyRegistrationsPage(props: {
  rows: MyRow[];
  halfDays: Map<string, { id: string; starts_at: Date; ends_at: Date }[]>;
  csrf: string;
  now: Date;
  today: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const { csrf, now } = props;
  return (
    <>
      <Problem message={props.error} />
      <Flash message={props.flash} />
      <h1>Mes formations</h1>
      <p>
        <a href="/formations">Voir le catalogue des formations</a>
      </p>
      {props.rows.length === 0 ? (
        <p>Vous n’êtes inscrit à aucune formation. Choisissez une session dans le catalogue.</p>
      ) : (
        <ul class="training-list">
          {props.rows.map((r) => {
            const offered =
              r.status === 'liste_attente' && r.offer_expires_at !== null && r.offer_expires_at > now;
            const today = (props.halfDays.get(r.session_id) ?? []).filter(
              (h) => parisToday(h.starts_at) === props.today,
            );
            return (
              <li class="training-item">
                <h2>
                  <a href={`/formations/sessions/${r.session_id}`} safe>
                    {r.titre}
                  </a>
                </h2>
                <p>
                  <span safe>{`Du ${formatDateTime(r.debut)} au ${formatDateTime(r.fin)}`}</span> ·{' '}
                  <Status status={r.status} />
                  {r.motif_annulation ? (
                    <span safe>{` (${labelOf(CANCEL_REASONS, r.motif_annulation)})`}</span>
                  ) : (
                    ''
                  )}
                </p>
                {offered ? (
                  <form method="post" action={`/formations/inscriptions/${r.id}/confirmer`}>
                    <CsrfField token={csrf} />
                    <p
                      safe
                    >{`Une place s’est libérée pour vous : confirmez-la avant le ${formatDateTime(r.offer_expires_at as Date)}.`}</p>
                    <button type="submit" class="button">
                      Confirmer ma place
                    </button>
                  </form>
                ) : (
                  ''
                )}
                {r.status === 'inscrit' && today.length > 0
                  ? today.map((h) => (
                      <form
                        method="post"
                        action={`/formations/inscriptions/${r.id}/emargement`}
                        class="inline-form"
                      >
                        <CsrfField token={csrf} />
                        <input type="hidden" name="demi_journee" value={h.id} />
                        <Field
                          name={`code-${h.id}`}
                          label={`Code d’émargement (${halfDayLabel(h)})`}
                          hint="Le code que le formateur affiche, 6 chiffres."
                          autocomplete="off"
                        />
                        <button type="submit" class="button button--secondary">
                          Émarger
                        </button>
                      </form>
                    ))
                  : ''}
                <div class="button-group">
                  {r.attestation_id ? (
                    <a href={`/formations/attestations/${r.attestation_id}`}>
                      {r.revoked_at ? 'Mon attestation (révoquée)' : 'Mon attestation'}
                    </a>
                  ) : (
                    ''
                  )}
                  {r.status === 'inscrit' && r.debut <= now && !r.avis_at ? (
                    <a href={`/formations/inscriptions/${r.id}/avis`}>Donner mon avis sur la formation</a>
                  ) : (
                    ''
                  )}
                  {r.status !== 'annule' &&
                  r.session_status === 'active' &&
                  parisToday(r.debut) > props.today &&
                  r.debut > now ? (
                    <form method="post" action={`/formations/inscriptions/${r.id}/annuler`}>
                      <CsrfField token={csrf} />
                      <button type="submit" class="button button--secondary">
                        Annuler mon inscription
                      </button>
                    </form>
                  ) : (
                    ''
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

export function FeedbackPage(props: {
  titre: string;
  id: string;
  values: Record<string, string>;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  const options = ['1', '2', '3', '4', '5'].map((v) => ({
    value: v,
    label: v === '1' ? '1 (pas du tout d’accord)' : v === '5' ? '5 (tout à fait d’accord)' : v,
  }));
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <h1 safe>{`Votre avis : ${props.titre}`}</h1>
      <p>
        Vos réponses sont anonymes : formateurs et coordinateurs ne voient que des moyennes, à partir de{' '}
        {FEEDBACK_THRESHOLD} réponses.
      </p>
      <form method="post" action={`/formations/inscriptions/${props.id}/avis`} novalidate>
        <CsrfField token={props.csrf} />
        {Object.entries(FEEDBACK_QUESTIONS).map(([name, legend]) => (
          <ChoiceGroup
            type="radio"
            name={name}
            legend={legend}
            options={options}
            checked={props.values[name] ? [props.values[name] as string] : []}
            error={props.errors[name]}
            className="training-scale"
          />
        ))}
        <TextArea
          name="commentaire"
          label="Un commentaire (facultatif)"
          hint="1 000 caractères au plus. N’y écrivez le nom de personne."
          value={props.values.commentaire}
          error={props.errors.commentaire}
        />
        <button type="submit" class="button">
          Envoyer mon avis
        </button>
      </form>
    </>
  );
}

// ---------------------------------------------------------------------------- management

type RegistrationRow = {
  id: string;
  user_id: string;
  status: RegistrationStatus;
  offer_expires_at: Date | null;
  created_at: Date;
  name: string;
  email: string;
  collectivite: string;
  code: string | null;
  revoked_at: Date | null;
  attestation_id: string | null;
};

export function ManageSessionPage(props: {
  session: S;
  rows: RegistrationRow[];
  presences: Map<string, boolean>;
  eligible: Set<string>;
  organises: boolean;
  feedback: {
    n: number;
    note_contenu?: number;
    note_animation?: number;
    note_utilite?: number;
    commentaires?: string[];
  };
  /** The same averages over every session of the training. */
  typeFeedback?:
    | {
        n: number;
        sessions: number;
        note_contenu?: number;
        note_animation?: number;
        note_utilite?: number;
      }
    | undefined;
  csrf: string;
  now: Date;
  today: string;
  checkin?: { halfDayId: string; code: string } | undefined;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const s = props.session;
  const registered = props.rows.filter((r) => r.status === 'inscrit');
  const waiting = props.rows.filter((r) => r.status === 'liste_attente');
  const csrf = props.csrf;
  const started = (h: HalfDay) => parisToday(h.starts_at) <= props.today;
  return (
    <>
      <Problem message={props.error} />
      <Flash message={props.flash} />
      <h1 safe>{`Gérer la session : ${s.titre}`}</h1>
      <p>
        <span
          safe
        >{`${plural(registered.length, 'inscrit', 'inscrits')}, ${plural(waiting.length, 'personne', 'personnes')} en liste d’attente, ${plural(s.capacite, 'place', 'places')}.`}</span>{' '}
        <a href={`/formations/sessions/${s.id}`}>Page publique de la session</a> ·{' '}
        <a href={`/formations/gestion/sessions/${s.id}/inscrits.csv`}>Exporter les inscrits (CSV)</a>
        {props.organises && s.status === 'active' ? (
          <>
            {' · '}
            <a href={`/formations/gestion/sessions/${s.id}/modifier`}>Modifier la session</a>
          </>
        ) : (
          ''
        )}
      </p>
      {s.status === 'annulee' ? (
        <Notice>
          <p>Cette session est annulée.</p>
        </Notice>
      ) : (
        ''
      )}
      <h2>Inscrits</h2>
      {props.rows.length === 0 ? (
        <p>Personne ne s’est encore inscrit.</p>
      ) : (
        <Table
          caption="Inscriptions à la session"
          captionHidden
          columns={['Nom', 'Collectivité', 'État', 'Attestation']}
        >
          {props.rows.map((r) => (
            <tr>
              <td safe>{r.name}</td>
              <td safe>{r.collectivite}</td>
              <td>
                <Status status={r.status} />
                {r.offer_expires_at ? (
                  <span safe>{` (place proposée jusqu’au ${formatDateTime(r.offer_expires_at)})`}</span>
                ) : (
                  ''
                )}
              </td>
              <td>
                {r.attestation_id ? (
                  <a href={`/formations/attestations/${r.attestation_id}`} safe>
                    {`${r.code ?? ''}${r.revoked_at ? ' (révoquée)' : ''}`}
                  </a>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <h2>Présences</h2>
      {registered.length === 0 ? (
        <p>Les présences se saisissent quand des personnes sont inscrites.</p>
      ) : (
        s.halfDays.map((h, i) => (
          <section class="training-halfday">
            <h3 safe>{`Demi-journée ${i + 1} : ${halfDayLabel(h)}`}</h3>
            <p>
              <a href={`/formations/gestion/sessions/${s.id}/feuille.pdf?demi_journee=${h.id}`}>
                Imprimer la feuille d’émargement (PDF)
              </a>
            </p>
            {started(h) && s.status === 'active' ? (
              <>
                <form method="post" action={`/formations/gestion/sessions/${s.id}/presences`}>
                  <CsrfField token={csrf} />
                  <input type="hidden" name="demi_journee" value={h.id} />
                  <fieldset>
                    <legend
                      safe
                    >{`Présents le ${formatDate(h.starts_at)} (les autres sont notés absents)`}</legend>
                    {registered.map((r) => (
                      <div class="checkbox">
                        <input
                          type="checkbox"
                          id={`present-${h.id}-${r.id}`}
                          name="presents"
                          value={r.id}
                          checked={props.presences.get(`${r.id}:${h.id}`) === true}
                        />
                        <label for={`present-${h.id}-${r.id}`} safe>
                          {r.name}
                        </label>
                      </div>
                    ))}
                  </fieldset>
                  <ChoiceGroup
                    type="radio"
                    name="source"
                    legend="D’où viennent ces présences ?"
                    options={[
                      { value: 'ecran', label: 'Je les note maintenant' },
                      { value: 'feuille', label: 'Je reporte la feuille d’émargement signée' },
                    ]}
                    checked={['ecran']}
                  />
                  <button type="submit" class="button">
                    Enregistrer les présences
                  </button>
                </form>
                {parisToday(h.starts_at) === props.today ? (
                  props.checkin?.halfDayId === h.id ? (
                    <Notice kind="success">
                      <p>
                        Code d’émargement à afficher :{' '}
                        <strong class="training-code" safe>
                          {props.checkin.code}
                        </strong>{' '}
                        (valable 30 minutes)
                      </p>
                    </Notice>
                  ) : (
                    <form method="post" action={`/formations/gestion/sessions/${s.id}/code`}>
                      <CsrfField token={csrf} />
                      <input type="hidden" name="demi_journee" value={h.id} />
                      <button type="submit" class="button button--secondary">
                        Ouvrir un code d’émargement
                      </button>
                    </form>
                  )
                ) : (
                  ''
                )}
              </>
            ) : (
              <p>Les présences se saisissent à partir du jour de la demi-journée.</p>
            )}
          </section>
        ))
      )}
      {s.certifiante && registered.length > 0 ? (
        <>
          <h2>Attestations</h2>
          <p safe>
            {`${plural(props.eligible.size, 'personne remplit', 'personnes remplissent')} la condition de présence (${s.presence_min_pct === 100 ? 'toutes les demi-journées' : `${s.presence_min_pct} % des demi-journées`}).`}
          </p>
          <form method="post" action={`/formations/gestion/sessions/${s.id}/attestations`}>
            <CsrfField token={csrf} />
            <button type="submit" class="button">
              Délivrer les attestations
            </button>
          </form>
        </>
      ) : (
        ''
      )}
      <h2>Avis des participants</h2>
      {props.feedback.note_contenu === undefined ? (
        <p
          safe
        >{`${plural(props.feedback.n, 'réponse', 'réponses')} : les moyennes s’affichent à partir de ${FEEDBACK_THRESHOLD} réponses.`}</p>
      ) : (
        <>
          <SummaryList
            rows={[
              ['Réponses', safeNumber(props.feedback.n)],
              [FEEDBACK_QUESTIONS.note_contenu, `${props.feedback.note_contenu} / 5`],
              [FEEDBACK_QUESTIONS.note_animation, `${props.feedback.note_animation} / 5`],
              [FEEDBACK_QUESTIONS.note_utilite, `${props.feedback.note_utilite} / 5`],
            ]}
          />
          {(props.feedback.commentaires ?? []).length ? (
            <ul>
              {(props.feedback.commentaires ?? []).map((c) => (
                <li safe>{c}</li>
              ))}
            </ul>
          ) : (
            ''
          )}
        </>
      )}
      {props.typeFeedback ? (
        <>
          <h3>Sur toutes les sessions de cette formation</h3>
          {props.typeFeedback.note_contenu === undefined ? (
            <p
              safe
            >{`${plural(props.typeFeedback.n, 'réponse', 'réponses')} : les moyennes s’affichent à partir de ${FEEDBACK_THRESHOLD} réponses.`}</p>
          ) : (
            <SummaryList
              rows={[
                [
                  'Réponses',
                  `${safeNumber(props.typeFeedback.n)} (${plural(props.typeFeedback.sessions, 'session', 'sessions')})`,
                ],
                [FEEDBACK_QUESTIONS.note_contenu, `${props.typeFeedback.note_contenu} / 5`],
                [FEEDBACK_QUESTIONS.note_animation, `${props.typeFeedback.note_animation} / 5`],
                [FEEDBACK_QUESTIONS.note_utilite, `${props.typeFeedback.note_utilite} / 5`],
              ]}
            />
          )}
        </>
      ) : (
        ''
      )}
      {s.status === 'active' ? (
        <>
          {props.organises ? (
            <>
              <h2>Capacité</h2>
              <form
                method="post"
                action={`/formations/gestion/sessions/${s.id}/capacite`}
                class="inline-form"
              >
                <CsrfField token={csrf} />
                <Field name="capacite" type="number" label="Nombre de places" value={s.capacite} />
                <button type="submit" class="button button--secondary">
                  Changer la capacité
                </button>
              </form>
            </>
          ) : (
            ''
          )}
          <h2>Annuler la session</h2>
          <form method="post" action={`/formations/gestion/sessions/${s.id}/annuler`}>
            <CsrfField token={csrf} />
            <TextArea
              name="motif"
              label="Motif de l’annulation"
              hint="Il est envoyé à chaque personne inscrite."
              rows={2}
            />
            <button type="submit" class="button button--danger">
              Annuler la session et prévenir les inscrits
            </button>
          </form>
        </>
      ) : (
        ''
      )}
    </>
  );
}

export type SessionFormValues = Record<string, string | string[] | undefined>;

export const HALF_DAY_ROWS = 4;

export function NewSessionPage(props: {
  types: { id: string; titre: string }[];
  places: { id: string; nom: string; commune: string }[];
  trainers: { id: string; name: string }[];
  values: SessionFormValues;
  errors: FieldErrors;
  csrf: string;
  /** Changing an existing session: its training and capacity stay (capacity has its own form). */
  edit?: { id: string; titre: string } | undefined;
}): JSX.Element {
  const v = (k: string) => (typeof props.values[k] === 'string' ? (props.values[k] as string) : undefined);
  const e = props.errors;
  const chosenTrainers = ([] as string[]).concat(props.values.formateurs ?? []);
  return (
    <>
      <ErrorSummary errors={e} />
      <h1 safe>
        {props.edit ? `Modifier la session : ${props.edit.titre}` : 'Nouvelle session de formation'}
      </h1>
      <form
        method="post"
        action={
          props.edit
            ? `/formations/gestion/sessions/${props.edit.id}/modifier`
            : '/formations/gestion/sessions/nouvelle'
        }
        novalidate
      >
        <CsrfField token={props.csrf} />
        {props.edit ? (
          ''
        ) : (
          <Select
            name="type_id"
            label="Formation"
            value={v('type_id')}
            error={e.type_id}
            options={[
              { value: '', label: 'Choisir…' },
              ...props.types.map((t) => ({ value: t.id, label: t.titre })),
            ]}
          />
        )}
        <fieldset id="champ-demi_journees" class={e.demi_journees ? 'field--error' : undefined}>
          <legend>Demi-journées</legend>
          <p class="field__hint">Une ligne par demi-journée ; laissez vides les lignes inutiles.</p>
          {e.demi_journees ? (
            <p class="field__error" id="champ-demi_journees-erreur">
              <span class="visually-hidden">Erreur : </span>
              <span safe>{e.demi_journees}</span>
            </p>
          ) : (
            ''
          )}
          {Array.from({ length: HALF_DAY_ROWS }, (_, i) => i + 1).map((n) => (
            <div class="inline-form training-halfday-row">
              <Field
                name={`date_${n}`}
                type="date"
                label={`Demi-journée ${n} : date`}
                value={v(`date_${n}`)}
                error={e[`date_${n}`]}
              />
              <Field
                name={`debut_${n}`}
                label="Début (HH:MM)"
                value={v(`debut_${n}`)}
                error={e[`debut_${n}`]}
              />
              <Field name={`fin_${n}`} label="Fin (HH:MM)" value={v(`fin_${n}`)} error={e[`fin_${n}`]} />
            </div>
          ))}
        </fieldset>
        {props.edit ? (
          ''
        ) : (
          <Field
            name="capacite"
            type="number"
            label="Nombre de places"
            value={v('capacite')}
            error={e.capacite}
          />
        )}
        <Select
          name="lieu_id"
          label="Lieu de l’annuaire (facultatif)"
          value={v('lieu_id')}
          error={e.lieu_id}
          options={[
            { value: '', label: 'Aucun' },
            ...props.places.map((p) => ({ value: p.id, label: `${p.nom} (${p.commune})` })),
          ]}
        />
        <Field
          name="lieu_libelle"
          label="Ou décrivez le lieu (facultatif)"
          value={v('lieu_libelle')}
          error={e.lieu_libelle}
        />
        <Field
          name="lien_distance"
          type="url"
          label="Lien de la visioconférence (facultatif)"
          hint="Pour une session à distance ou hybride : https://…"
          value={v('lien_distance')}
          error={e.lien_distance}
        />
        <ChoiceGroup
          type="checkbox"
          name="formateurs"
          legend="Formateurs"
          hint={props.trainers.length ? undefined : 'Aucun compte n’a encore le rôle formateur.'}
          options={props.trainers.map((t) => ({ value: t.id, label: t.name }))}
          checked={chosenTrainers}
          error={e.formateurs}
        />
        <ChoiceGroup
          type="checkbox"
          name="intra"
          legend="Session intra"
          options={[{ value: 'oui', label: 'Réservée aux équipes de ma collectivité' }]}
          checked={v('intra') === 'oui' ? ['oui'] : []}
          error={e.intra}
        />
        <Field
          name="closes_at"
          type="date"
          label="Fin des inscriptions (facultatif)"
          hint="Par défaut, deux jours avant la première demi-journée."
          value={v('closes_at')}
          error={e.closes_at}
        />
        <button type="submit" class="button">
          {props.edit ? 'Enregistrer les modifications' : 'Créer la session'}
        </button>
      </form>
    </>
  );
}

export function NewTypePage(props: {
  values: Record<string, string | string[] | undefined>;
  errors: FieldErrors;
  csrf: string;
  /** Changing a training already in the catalogue. */
  edit?: { slug: string; titre: string } | undefined;
}): JSX.Element {
  const v = (k: string) => (typeof props.values[k] === 'string' ? (props.values[k] as string) : undefined);
  const e = props.errors;
  return (
    <>
      <ErrorSummary errors={e} />
      <h1 safe>
        {props.edit ? `Modifier la formation : ${props.edit.titre}` : 'Nouvelle formation au catalogue'}
      </h1>
      <form
        method="post"
        action={
          props.edit
            ? `/formations/gestion/catalogue/${props.edit.slug}/modifier`
            : '/formations/gestion/catalogue/nouvelle'
        }
        novalidate
      >
        <CsrfField token={props.csrf} />
        <Field name="titre" label="Titre" value={v('titre')} error={e.titre} />
        <TextArea name="objectifs" label="Objectifs et acquis" value={v('objectifs')} error={e.objectifs} />
        <TextArea name="programme" label="Programme" value={v('programme')} error={e.programme} />
        <Field
          name="duree_heures"
          type="number"
          label="Durée en heures"
          value={v('duree_heures')}
          error={e.duree_heures}
        />
        <ChoiceGroup
          type="radio"
          name="modalite"
          legend="Modalité"
          options={vocabularyOptions(MODALITIES)}
          checked={v('modalite') ? [v('modalite') as string] : []}
          error={e.modalite}
        />
        <TextArea
          name="prerequis"
          label="Prérequis (facultatif)"
          value={v('prerequis')}
          error={e.prerequis}
          rows={2}
        />
        <ChoiceGroup
          type="checkbox"
          name="publics"
          legend="Pour qui"
          options={vocabularyOptions(AUDIENCES)}
          checked={([] as string[]).concat(props.values.publics ?? [])}
          error={e.publics}
        />
        <Field
          name="prestataire"
          label="Organisme de formation (facultatif)"
          hint="Laissez vide si l’OPSN forme lui-même."
          value={v('prestataire')}
          error={e.prestataire}
        />
        <ChoiceGroup
          type="checkbox"
          name="options"
          legend="À la fin de la formation"
          options={[
            { value: 'certifiante', label: 'Elle donne une attestation' },
            { value: 'habilitante', label: 'Elle mène à l’habilitation aux mandats' },
          ]}
          checked={([] as string[]).concat(props.values.options ?? [])}
        />
        <button type="submit" class="button">
          {props.edit ? 'Enregistrer les modifications' : 'Ajouter au catalogue'}
        </button>
      </form>
    </>
  );
}

export function RunListPage(props: {
  rows: {
    id: string;
    status: string;
    capacite: number;
    places_prises: number;
    titre: string;
    debut: Date;
    attente: number;
  }[];
  canOrganise: boolean;
}): JSX.Element {
  return (
    <>
      <h1>Sessions de formation</h1>
      {props.canOrganise ? (
        <div class="button-group">
          <a href="/formations/gestion/sessions/nouvelle" class="button">
            Créer une session
          </a>
          <a href="/formations/gestion/catalogue/nouvelle" class="button button--secondary">
            Ajouter une formation au catalogue
          </a>
          <a href="/formations/equipe">Inscriptions de mon équipe</a>
        </div>
      ) : (
        ''
      )}
      {props.rows.length === 0 ? (
        <p>
          {props.canOrganise
            ? 'Aucune session pour le moment.'
            : 'Vous n’animez aucune session pour le moment.'}
        </p>
      ) : (
        <Table
          caption="Sessions que vous organisez ou animez"
          columns={['Formation', 'Début', 'Places prises', 'Liste d’attente', 'État']}
        >
          {props.rows.map((r) => (
            <tr>
              <td>
                <a href={`/formations/gestion/sessions/${r.id}`} safe>
                  {r.titre}
                </a>
              </td>
              <td safe>{r.debut ? formatDateTime(r.debut) : '—'}</td>
              <td safe>{`${safeNumber(r.places_prises)} / ${safeNumber(r.capacite)}`}</td>
              <td>{safeNumber(r.attente)}</td>
              <td>{r.status === 'annulee' ? 'Annulée' : 'Active'}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

export function TeamPage(props: {
  rows: {
    id: string;
    status: RegistrationStatus;
    name: string;
    session_id: string;
    titre: string;
    debut: Date;
    attestation_id: string | null;
    code: string | null;
    revoked_at: Date | null;
  }[];
  proposals: { id: string; code: string; name: string; titre: string; fin: Date }[];
  stats: {
    inscrits: number;
    formes: number;
    minutes: number;
    absents: number;
    places: number;
    prises: number;
  };
  /** The figures of every member collectivité, masked under 5 people outside the viewer's team. */
  byCollectivite?: {
    name: string;
    shown: boolean;
    formes: number | null;
    heures: number | null;
    remplissage: number | null;
    absence: number | null;
  }[];
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const st = props.stats;
  const pct = (n: number | null) => (n === null ? '—' : `${n} %`);
  return (
    <>
      <Problem message={props.error} />
      <Flash message={props.flash} />
      <h1>Formations de mon équipe</h1>
      <p>
        <a href="/formations/equipe/programmes">Programmes de l’équipe</a> : conseillers numériques, Aidants
        Connect, France Services (certaines formations leur sont réservées).
      </p>
      <h2>Habilitations aux mandats à accorder</h2>
      {props.proposals.length === 0 ? (
        <p>
          Aucune : quand un médiateur de votre équipe termine une formation qui mène à l’habilitation, elle
          vous est proposée ici.
        </p>
      ) : (
        <ul>
          {props.proposals.map((p) => (
            <li>
              <form method="post" action={`/formations/attestations/${p.id}/habiliter`} class="inline-form">
                <CsrfField token={props.csrf} />
                <span
                  safe
                >{`${p.name} a terminé « ${p.titre} » le ${formatDate(p.fin)} (attestation ${p.code}).`}</span>
                <button type="submit" class="button">
                  <span safe>{`Habiliter ${p.name} aux mandats`}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2>Chiffres de l’équipe</h2>
      <SummaryList
        rows={[
          ['Médiateurs formés (attestation)', safeNumber(st.formes)],
          ['Heures de formation suivies', hours(st.minutes)],
          [
            'Taux de remplissage des sessions organisées',
            st.places ? `${Math.round((st.prises * 100) / st.places)} %` : '—',
          ],
          [
            'Taux d’absence (inscrits absents à toutes les demi-journées)',
            st.inscrits ? `${Math.round((st.absents * 100) / st.inscrits)} %` : '—',
          ],
        ]}
      />
      {props.byCollectivite?.length ? (
        <>
          <h2>Par collectivité</h2>
          <p>
            Hors de votre équipe, les nombres de personnes sont arrondis à 5, et les chiffres d’une
            collectivité qui compte moins de 5 personnes inscrites sont masqués.
          </p>
          <Table
            caption="Chiffres des formations par collectivité"
            captionHidden
            columns={['Collectivité', 'Médiateurs formés', 'Heures suivies', 'Remplissage', 'Absence']}
          >
            {props.byCollectivite.map((c) =>
              c.shown ? (
                <tr>
                  <td safe>{c.name}</td>
                  <td>{safeNumber(c.formes ?? 0)}</td>
                  <td safe>{String(c.heures ?? 0).replace('.', ',')}</td>
                  <td safe>{pct(c.remplissage)}</td>
                  <td safe>{pct(c.absence)}</td>
                </tr>
              ) : (
                <tr>
                  <td safe>{c.name}</td>
                  <td colspan="4">Masqué (moins de 5 personnes)</td>
                </tr>
              ),
            )}
          </Table>
        </>
      ) : (
        ''
      )}
      <h2>Inscriptions</h2>
      {props.rows.length === 0 ? (
        <p>Personne de votre équipe n’est inscrit à une formation.</p>
      ) : (
        <Table
          caption="Inscriptions de l’équipe"
          captionHidden
          columns={['Nom', 'Formation', 'Début', 'État', 'Attestation']}
        >
          {props.rows.map((r) => (
            <tr>
              <td safe>{r.name}</td>
              <td>
                <a href={`/formations/sessions/${r.session_id}`} safe>
                  {r.titre}
                </a>
              </td>
              <td safe>{r.debut ? formatDate(r.debut) : '—'}</td>
              <td>
                <Status status={r.status} />
                {r.status !== 'annule' ? (
                  <form
                    method="post"
                    action={`/formations/inscriptions/${r.id}/annuler`}
                    class="training-inline"
                  >
                    <CsrfField token={props.csrf} />
                    <button type="submit" class="link-button">
                      <span safe>{`Annuler l’inscription de ${r.name}`}</span>
                    </button>
                  </form>
                ) : (
                  ''
                )}
              </td>
              <td>
                {r.attestation_id ? (
                  <a href={`/formations/attestations/${r.attestation_id}`} safe>
                    {`${r.code ?? ''}${r.revoked_at ? ' (révoquée)' : ''}`}
                  </a>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

// ---------------------------------------------------------------------------- certificates

export function CertificatePage(props: {
  c: {
    id: string;
    code: string;
    name: string;
    titre: string;
    objectifs: string;
    debut: Date;
    fin: Date;
    minutes_presentes: number;
    revoked_at: Date | null;
    motif_revocation: string | null;
  };
  issuer: string;
  verifyUrl: string;
  /** QR code of the verification address, SVG markup made by `qrcode` (no outside text in it). */
  safeQrSvg: string;
  mayRevoke: boolean;
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const c = props.c;
  const safeQrSvg = props.safeQrSvg;
  return (
    <>
      <Problem message={props.error} />
      <Flash message={props.flash} />
      <article class="training-certificate">
        <h1>Attestation de formation</h1>
        {c.revoked_at ? (
          <Notice>
            <p
              safe
            >{`Cette attestation a été révoquée le ${formatDate(c.revoked_at)} : ${c.motif_revocation ?? ''}`}</p>
          </Notice>
        ) : (
          ''
        )}
        <p
          safe
        >{`${props.issuer} atteste que ${c.name} a suivi la formation « ${c.titre} », du ${formatDate(c.debut)} au ${formatDate(c.fin)}, pendant ${hours(c.minutes_presentes)}.`}</p>
        <h2>Objectifs et acquis</h2>
        <p class="preline" safe>
          {c.objectifs}
        </p>
        <div class="training-verify">
          <div class="training-verify__qr" role="img" aria-label="QR code de la page de vérification">
            {safeQrSvg}
          </div>
          <p>
            Code de vérification : <strong safe>{c.code}</strong>
            <br />
            <span safe>{props.verifyUrl}</span>
          </p>
        </div>
      </article>
      <p class="no-print">
        <a href={`/formations/attestations/${c.id}/attestation.pdf`} class="button">
          Télécharger l’attestation (PDF)
        </a>
      </p>
      {props.mayRevoke && !c.revoked_at ? (
        <form method="post" action={`/formations/attestations/${c.id}/revoquer`} class="no-print">
          <CsrfField token={props.csrf} />
          <TextArea name="motif" label="Motif de la révocation" rows={2} />
          <button type="submit" class="button button--danger">
            Révoquer l’attestation
          </button>
        </form>
      ) : (
        ''
      )}
    </>
  );
}

export function VerifyForm(props: { value: string; errors: FieldErrors }): JSX.Element {
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <h1>Vérifier une attestation de formation</h1>
      <form method="get" action="/formations/verifier" novalidate>
        <Field
          name="code"
          label="Code de vérification"
          hint="Imprimé sous le QR code, par exemple ABCD-EFGH-JKLM."
          value={props.value}
          error={props.errors.code}
          autocomplete="off"
        />
        <button type="submit" class="button">
          Vérifier
        </button>
      </form>
    </>
  );
}

export function VerifyResult(props: {
  v: {
    code: string;
    valide: boolean;
    revokedAt: Date | null;
    initiales: string;
    titre: string;
    debut: Date;
    fin: Date;
    minutes: number;
  };
}): JSX.Element {
  const v = props.v;
  return (
    <>
      <h1>Vérification d’une attestation de formation</h1>
      <Notice kind={v.valide ? 'success' : undefined}>
        <p>
          <strong safe>
            {v.valide ? 'Attestation valide.' : `Attestation révoquée le ${formatDate(v.revokedAt as Date)}.`}
          </strong>
        </p>
      </Notice>
      <SummaryList
        rows={[
          ['Code', v.code],
          ['Personne (initiales)', v.initiales],
          ['Formation', v.titre],
          ['Dates', `Du ${formatDate(v.debut)} au ${formatDate(v.fin)}`],
          ['Durée suivie', hours(v.minutes)],
        ]}
      />
    </>
  );
}

export function UnknownCode(): JSX.Element {
  return (
    <>
      <h1>Attestation inconnue</h1>
      <p>Aucune attestation ne porte ce code. Vérifiez-le, ou scannez à nouveau le QR code.</p>
      <p>
        <a href="/formations/verifier">Saisir un autre code</a>
      </p>
    </>
  );
}

export function ProblemPage(props: {
  title: string;
  message: string;
  back?: { href: string; label: string };
}): JSX.Element {
  return (
    <>
      <h1 safe>{props.title}</h1>
      <Problem message={props.message} />
      {props.back ? (
        <p>
          <a href={props.back.href} safe>
            {props.back.label}
          </a>
        </p>
      ) : (
        ''
      )}
    </>
  );
}
