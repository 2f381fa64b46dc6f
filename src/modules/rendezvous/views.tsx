import { labelsOf, vocabularyOptions } from '../../platform/forms.ts';
import { addDays, formatDateTime, formatDay, formatDuration, parisToday } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Flash,
  Notice,
  Select,
  TextArea,
} from '../../platform/ui/components.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import { THEMATIQUES } from '../activites/index.ts';
import type { AgendaEntry, OwnAppointment } from './agenda.ts';
import type { Booking } from './booking.ts';
import type { Reason } from './setup.ts';
import { openingText } from './setup.ts';
import type { Slot } from './slots.ts';
import {
  BOOKERS,
  CANCEL_UNTIL_HOURS,
  DEFAULT_MAX_DELAY_DAYS,
  DEFAULT_MIN_DELAY_MIN,
  LOCATION_TYPES,
  OUTCOMES,
  STATUSES,
  type Status,
  WEEKDAYS,
} from './vocabulary.ts';
import type { WaitlistState } from './waitlist.ts';

const timeOf = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', timeStyle: 'short' }).format(d);

/** What the last action did: its confirmation, or the reason it was refused. */
function Outcome(props: { flash: string | undefined; error: string | undefined }): JSX.Element {
  return (
    <>
      <Flash message={props.flash} />
      {props.error ? (
        <div class="notice" role="alert">
          <p safe>{props.error}</p>
        </div>
      ) : (
        ''
      )}
    </>
  );
}

export function reasonFacts(
  r: Pick<Reason, 'duree_min' | 'location_type' | 'collectif' | 'capacite'>,
): string {
  return [
    formatDuration(r.duree_min),
    LOCATION_TYPES[r.location_type],
    r.collectif ? `atelier collectif de ${r.capacite} places` : 'rendez-vous individuel',
  ].join(' · ');
}

function StatusTag({ status }: { status: Status }): JSX.Element {
  return <span class={`rdv-status rdv-status--${status}`}>{STATUSES[status]}</span>;
}

// ------------------------------------------------------------------ public: places and reasons

export type PlaceLine = { id: string; nom: string; commune: string; code_postal: string };

export function PlacesPage(props: { places: PlaceLine[] }): JSX.Element {
  return (
    <>
      <h1>Prendre rendez-vous</h1>
      <p>Choisissez le lieu où vous voulez être aidé. Vous n’avez pas besoin de compte.</p>
      {props.places.length === 0 ? (
        <p>Aucun lieu ne propose encore de rendez-vous en ligne. Cherchez un lieu et appelez-le.</p>
      ) : (
        <ul class="rdv-list">
          {props.places.map((p) => (
            <li>
              <a href={`/rendezvous/lieux/${p.id}`} safe>
                {p.nom}
              </a>{' '}
              <span safe>{`— ${p.code_postal} ${p.commune}`}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/lieux">Trouver un autre lieu près de chez vous</a>
      </p>
    </>
  );
}

export function PlaceReasonsPage(props: {
  place: PlaceLine;
  reasons: Reason[];
  agent: boolean;
}): JSX.Element {
  return (
    <>
      <h1 safe>{`Prendre rendez-vous : ${props.place.nom}`}</h1>
      <p safe>{`${props.place.code_postal} ${props.place.commune}`}</p>
      {props.agent ? (
        <Notice>
          <p>Vous prenez rendez-vous pour une personne : tous les motifs du lieu sont proposés.</p>
        </Notice>
      ) : (
        ''
      )}
      {props.reasons.length === 0 ? (
        <p>Ce lieu ne propose pas de rendez-vous en ligne. Appelez-le pour en prendre un.</p>
      ) : (
        <>
          <h2>Pour quoi voulez-vous un rendez-vous ?</h2>
          <ul class="rdv-list">
            {props.reasons.map((r) => (
              <li>
                <a href={`/rendezvous/lieux/${props.place.id}/motifs/${r.id}`} safe>
                  {r.nom}
                </a>
                <br />
                <span class="rdv-muted" safe>
                  {reasonFacts(r)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** Free slots as radio buttons, a fieldset per day (works without JavaScript). */
function SlotChoices(props: { slots: Slot[]; collectif: boolean; error?: string | undefined }): JSX.Element {
  const days = new Map<string, Slot[]>();
  for (const s of props.slots) {
    const day = parisToday(s.start);
    (days.get(day) ?? days.set(day, []).get(day)!).push(s);
  }
  return (
    <div class={props.error ? 'field--error' : undefined} id="champ-creneau">
      {props.error ? (
        <p class="field__error" id="champ-creneau-erreur">
          <span class="visually-hidden">Erreur : </span>
          <span safe>{props.error}</span>
        </p>
      ) : (
        ''
      )}
      {[...days].map(([day, slots]) => (
        <fieldset class="rdv-day">
          <legend safe>{formatDay(day)}</legend>
          <div class="rdv-slots">
            {slots.map((s) => (
              <div class="rdv-slot">
                <input type="radio" name="creneau" id={`creneau-${s.key}`} value={s.key} required />
                <label for={`creneau-${s.key}`}>
                  <span safe>{timeOf(s.start)}</span>
                  {props.collectif ? (
                    <span class="rdv-muted" safe>
                      {` (${s.seatsLeft} place${s.seatsLeft > 1 ? 's' : ''})`}
                    </span>
                  ) : (
                    ''
                  )}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      ))}
    </div>
  );
}

export function SlotsPage(props: {
  place: PlaceLine;
  reason: Reason;
  slots: Slot[];
  from: string;
  next: string | null;
  action: string;
  method: 'get' | 'post';
  csrf?: string;
  /** Fields the form carries along (the appointment a helper moves). */
  hidden?: Record<string, string>;
  title: string;
  error?: string | undefined;
  safeIntro?: JSX.Element;
}): JSX.Element {
  const { safeIntro = '' } = props;
  return (
    <>
      <h1 safe>{props.title}</h1>
      <p safe>{`${props.place.nom} · ${reasonFacts(props.reason)}`}</p>
      {safeIntro}
      {props.reason.instructions ? (
        <div class="rdv-instructions">
          <h2>À savoir avant de réserver</h2>
          <p safe>{props.reason.instructions}</p>
        </div>
      ) : (
        ''
      )}
      {props.slots.length === 0 ? (
        <p>
          <strong>Aucun créneau libre</strong>
          <span safe>{` à partir du ${formatDay(props.from)}.`}</span> Appelez le lieu ou revenez plus tard.
        </p>
      ) : (
        <form method={props.method} action={props.action} novalidate>
          {props.csrf ? <CsrfField token={props.csrf} /> : ''}
          {Object.entries(props.hidden ?? {}).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <h2>Choisissez un horaire</h2>
          <SlotChoices slots={props.slots} collectif={props.reason.collectif} error={props.error} />
          <button type="submit" class="button">
            Continuer
          </button>
        </form>
      )}
      {props.next ? (
        <p>
          <a href={props.next}>Voir les créneaux suivants</a>
        </p>
      ) : (
        ''
      )}
    </>
  );
}

export type PersonValues = Record<string, string>;

export function PersonPage(props: {
  place: PlaceLine;
  reason: Reason;
  slot: Slot;
  values: PersonValues;
  errors: FieldErrors;
  csrf: string;
  action: string;
  agent: boolean;
  people: { value: string; label: string }[];
}): JSX.Element {
  const { values: v, errors: e } = props;
  return (
    <>
      <h1>Vos coordonnées</h1>
      <ErrorSummary errors={e} />
      <SummaryList
        rows={[
          ['Motif', props.reason.nom],
          ['Date', formatDateTime(props.slot.start)],
          ['Lieu', props.place.nom],
          ['Durée', formatDuration(props.reason.duree_min)],
        ]}
      />
      <p>
        <a href={`/rendezvous/lieux/${props.place.id}/motifs/${props.reason.id}`}>Choisir un autre horaire</a>
      </p>
      <form method="post" action={props.action} novalidate>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="creneau" value={props.slot.key} />
        {props.agent && props.people.length > 0 ? (
          <Select
            name="beneficiaire"
            label="Personne déjà suivie (facultatif)"
            hint="Le rendez-vous apparaîtra sur sa fiche, absences comprises."
            options={[{ value: '', label: '—' }, ...props.people]}
            value={v.beneficiaire}
            error={e.beneficiaire}
          />
        ) : (
          ''
        )}
        <Field
          name="prenom"
          label="Prénom"
          value={v.prenom}
          error={e.prenom}
          autocomplete="given-name"
          required
        />
        <Field name="nom" label="Nom" value={v.nom} error={e.nom} autocomplete="family-name" required />
        <Field
          name="telephone"
          type="tel"
          label="Téléphone portable"
          hint="Pour recevoir le rappel par SMS. Exemple : 06 12 34 56 78"
          value={v.telephone}
          error={e.telephone}
          autocomplete="tel"
        />
        <Field
          name="email"
          type="email"
          label="Adresse de courriel"
          hint="Donnez un portable ou un courriel, ou les deux."
          value={v.email}
          error={e.email}
          autocomplete="email"
        />
        <fieldset class="checkboxes">
          <legend>Rappels</legend>
          <p class="field__hint">Un rappel est envoyé deux jours avant.</p>
          <div class="checkbox">
            <input type="checkbox" id="sms" name="sms" value="oui" checked={v.sms === 'oui'} />
            <label for="sms">Je préfère les SMS aux courriels</label>
          </div>
          <div class="checkbox">
            <input
              type="checkbox"
              id="rappel_24h"
              name="rappel_24h"
              value="oui"
              checked={v.rappel_24h === 'oui'}
            />
            <label for="rappel_24h">Recevoir aussi un rappel la veille</label>
          </div>
        </fieldset>
        <div class={e.consentement ? 'field field--error' : 'field'} id="champ-consentement">
          {e.consentement ? (
            <p class="field__error" id="champ-consentement-erreur">
              <span class="visually-hidden">Erreur : </span>
              <span safe>{e.consentement}</span>
            </p>
          ) : (
            ''
          )}
          <div class="checkbox">
            <input
              type="checkbox"
              id="consentement"
              name="consentement"
              value="oui"
              checked={v.consentement === 'oui'}
              aria-describedby={e.consentement ? 'champ-consentement-erreur' : undefined}
            />
            <label for="consentement">
              {props.agent
                ? 'La personne accepte d’être contactée pour ce rendez-vous (confirmation, rappels).'
                : 'J’accepte d’être contacté pour ce rendez-vous (confirmation, rappels). Mes coordonnées ne servent à rien d’autre et sont effacées deux ans après.'}
            </label>
          </div>
        </div>
        <button type="submit" class="button">
          Confirmer le rendez-vous
        </button>
      </form>
    </>
  );
}

// ------------------------------------------------------------------ the person's link

export function ManagePage(props: {
  booking: Booking;
  where: string;
  token: string;
  can: { cancel: boolean; move: boolean };
  waitlist: WaitlistState;
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const b = props.booking;
  const base = `/rendezvous/gestion/${props.token}`;
  const active = b.status === 'a_venir';
  return (
    <>
      <h1>{active ? 'Votre rendez-vous' : 'Votre rendez-vous est annulé'}</h1>
      <Outcome flash={props.flash} error={props.error} />
      <SummaryList
        rows={[
          ['Motif', b.motif_nom],
          ['Date', formatDateTime(b.starts_at)],
          ['Lieu', props.where],
          ['Au nom de', `${b.prenom} ${b.nom}`],
          ['État', STATUSES[b.status]],
        ]}
      />
      {b.instructions ? <p safe>{b.instructions}</p> : ''}
      {active ? (
        <>
          <p>
            <a href={`${base}/rendez-vous.ics`} download="rendez-vous.ics">
              Ajouter à mon agenda (fichier .ics)
            </a>
          </p>
          <p>Gardez ce lien : il vous sert à annuler ou déplacer votre rendez-vous.</p>
          <div class="button-group">
            {props.can.move ? (
              <a class="button button--secondary" href={`${base}/deplacer`}>
                Déplacer le rendez-vous
              </a>
            ) : (
              ''
            )}
            {props.can.cancel ? (
              <form method="post" action={`${base}/annuler`}>
                <CsrfField token={props.csrf} />
                <button type="submit" class="button button--danger">
                  Annuler le rendez-vous
                </button>
              </form>
            ) : (
              ''
            )}
          </div>
          {props.waitlist.offered ? (
            <form method="post" action={`${base}/attente`} class="rdv-waitlist">
              <CsrfField token={props.csrf} />
              <h2>Un créneau plus tôt ?</h2>
              {props.waitlist.joined ? (
                <>
                  <p>
                    Vous êtes sur la liste d’attente : nous vous prévenons si un créneau plus tôt se libère (3
                    messages au plus, un par jour, tant que le rendez-vous est dans plus de 7 jours).
                  </p>
                  <input type="hidden" name="action" value="quitter" />
                  <button type="submit" class="button button--secondary">
                    Ne plus être prévenu
                  </button>
                </>
              ) : (
                <>
                  <p>
                    Si un créneau plus tôt se libère, nous pouvons vous prévenir (3 messages au plus, un par
                    jour). Vous choisirez alors de déplacer votre rendez-vous, ou non.
                  </p>
                  <input type="hidden" name="action" value="rejoindre" />
                  <button type="submit" class="button button--secondary">
                    Me prévenir d’un créneau plus tôt
                  </button>
                </>
              )}
            </form>
          ) : (
            ''
          )}
          {!props.can.cancel ? (
            <p>
              <span>{`On ne peut plus annuler ce rendez-vous en ligne (jusqu’à ${CANCEL_UNTIL_HOURS} heures avant).`}</span>{' '}
              Appelez le lieu si vous ne pouvez pas venir.
            </p>
          ) : !props.can.move ? (
            <p>
              On ne peut plus le déplacer en ligne (jusqu’à 2 jours avant) : annulez-le et prenez-en un autre.
            </p>
          ) : (
            ''
          )}
        </>
      ) : (
        <p>
          <a href={`/rendezvous/lieux/${b.lieu_id}`}>Prendre un autre rendez-vous</a>
        </p>
      )}
    </>
  );
}

export function LinkProblemPage({ state }: { state: 'invalid' | 'expired' | 'replaced' }): JSX.Element {
  const text = {
    invalid: 'Ce lien n’est pas valide : vérifiez qu’il est complet, tel que vous l’avez reçu.',
    expired: 'Ce rendez-vous est passé : ce lien ne sert plus.',
    replaced: 'Ce rendez-vous a été déplacé : utilisez le lien du dernier message reçu.',
  }[state];
  return (
    <>
      <h1>Lien de rendez-vous</h1>
      <p safe>{text}</p>
      <p>
        <a href="/rendezvous">Prendre un rendez-vous</a>
      </p>
    </>
  );
}

// ------------------------------------------------------------------ helpers: agenda

export function AgendaPage(props: {
  entries: AgendaEntry[];
  from: string;
  to: string;
  view: 'jour' | 'semaine';
  flash?: string | undefined;
  places: { id: string; nom: string }[];
}): JSX.Element {
  const step = props.view === 'jour' ? 1 : 7;
  const href = (day: string, view = props.view) => `/rendezvous/agenda?vue=${view}&jour=${day}`;
  const title =
    props.view === 'jour'
      ? `Mon agenda du ${formatDay(props.from)}`
      : `Mon agenda du ${formatDay(props.from)} au ${formatDay(props.to)}`;
  return (
    <>
      <h1 safe>{title}</h1>
      <Flash message={props.flash} />
      <nav class="rdv-agenda-nav no-print" aria-label="Autres jours">
        <a href={href(addDays(props.from, -step))}>
          {props.view === 'jour' ? 'Jour précédent' : 'Semaine précédente'}
        </a>
        <a href={href(parisToday())}>Aujourd’hui</a>
        <a href={href(addDays(props.from, step))}>
          {props.view === 'jour' ? 'Jour suivant' : 'Semaine suivante'}
        </a>
        {props.view === 'jour' ? (
          <a href={href(props.from, 'semaine')}>Voir la semaine</a>
        ) : (
          <a href={href(props.from, 'jour')}>Voir un jour</a>
        )}
      </nav>
      {props.entries.length === 0 ? (
        <p>Aucun rendez-vous sur cette période.</p>
      ) : (
        <Table
          caption="Rendez-vous"
          captionHidden
          columns={['Quand', 'Motif', 'Lieu', 'Personnes']}
          className="rdv-agenda"
        >
          {props.entries.map((e) => (
            <tr class={e.libere_at ? 'rdv-freed' : undefined}>
              <td>
                <a href={`/rendezvous/fiche?rdv=${e.id}`} safe>
                  {`${props.view === 'semaine' ? `${formatDay(parisToday(e.starts_at), 'short')} ` : ''}${timeOf(e.starts_at)}–${timeOf(e.ends_at)}`}
                </a>
              </td>
              <td safe>{e.motif_nom}</td>
              <td safe>{e.lieu_nom}</td>
              <td>
                {e.participants.length === 0 ? (
                  <span class="rdv-muted">Personne</span>
                ) : (
                  <ul class="rdv-people">
                    {e.participants.map((p) => (
                      <li>
                        <span safe>{`${p.prenom} ${p.nom} `}</span>
                        <StatusTag status={p.status} />
                      </li>
                    ))}
                  </ul>
                )}
                {e.collectif ? (
                  <span class="rdv-muted" safe>{`${e.places_prises} / ${e.capacite} places`}</span>
                ) : (
                  ''
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <ul class="rdv-links no-print">
        {props.places.map((p) => (
          <li>
            <a
              href={`/rendezvous/lieux/${p.id}/reglages`}
              safe
            >{`Motifs et plages d’ouverture : ${p.nom}`}</a>
          </li>
        ))}
        <li>
          <a href="/rendezvous/absences">Mes absences</a>
        </li>
        <li>
          <a href={`/rendezvous/export.csv?du=${props.from}&au=${props.to}`}>Exporter cette période (CSV)</a>
        </li>
        <li>
          <a href="/rendezvous/agenda/flux">Mon agenda dans mon calendrier</a>
        </li>
      </ul>
    </>
  );
}

export function AppointmentPage(props: {
  a: OwnAppointment;
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
  draft: Record<string, unknown> | null;
  now: Date;
}): JSX.Element {
  const a = props.a;
  const begun = a.starts_at <= props.now;
  const draft = props.draft;
  return (
    <>
      <h1 safe>{`${a.motif_nom}, le ${formatDateTime(a.starts_at)}`}</h1>
      <Outcome flash={props.flash} error={props.error} />
      <SummaryList
        rows={[
          ['Lieu', a.lieu_nom],
          ['Fin', timeOf(a.ends_at)],
          ['Forme', LOCATION_TYPES[a.location_type]],
          ['Places', a.collectif ? `${a.places_prises} / ${a.capacite}` : null],
        ]}
        hideEmpty
      />
      <h2>Personnes</h2>
      {a.participants.length === 0 ? <p>Personne n’est inscrit.</p> : ''}
      {a.participants.map((p) => (
        <form method="post" action="/rendezvous/fiche/presence" class="rdv-person">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="rdv" value={a.id} />
          <input type="hidden" name="participant" value={p.id} />
          <fieldset>
            <legend safe>{`${p.prenom} ${p.nom}`}</legend>
            <p>
              <StatusTag status={p.status} />{' '}
              <span class="rdv-muted" safe>
                {[p.telephone, p.email].filter(Boolean).join(' · ')}
              </span>
            </p>
            <div class="rdv-outcomes">
              {OUTCOMES.filter((o) => begun || o === 'excuse' || o === 'annule').map((o) => (
                <div class="checkbox">
                  <input
                    type="radio"
                    name="statut"
                    id={`statut-${p.id}-${o}`}
                    value={o}
                    checked={p.status === o}
                  />
                  <label for={`statut-${p.id}-${o}`}>{STATUSES[o]}</label>
                </div>
              ))}
            </div>
            <button type="submit" class="button button--secondary">
              Enregistrer
            </button>
            {p.status === 'a_venir' && !begun ? (
              <p>
                <a href={`/rendezvous/fiche/deplacer?rdv=${a.id}&participant=${p.id}`}>
                  Déplacer le rendez-vous
                  <span class="visually-hidden" safe>{` de ${p.prenom} ${p.nom}`}</span>
                </a>
              </p>
            ) : (
              ''
            )}
          </fieldset>
        </form>
      ))}
      <h2>Compte rendu</h2>
      {a.activite_id ? (
        <p>
          Le compte rendu est enregistré. <a href="/activites">Voir mes comptes rendus</a>
        </p>
      ) : draft && !a.report_dismissed_at ? (
        <form method="post" action="/rendezvous/fiche/compte-rendu" class="rdv-draft">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="rdv" value={a.id} />
          <p>Un compte rendu prérempli est prêt. Confirmez-le en un clic :</p>
          <SummaryList
            rows={[
              [
                'Type',
                draft.type === 'collectif'
                  ? `Atelier collectif « ${a.motif_nom} »`
                  : 'Accompagnement individuel',
              ],
              ['Date', formatDay(String(draft.date))],
              ['Durée', formatDuration(Number(draft.duree_min))],
              ['Lieu', a.lieu_nom],
              ['Thématiques', labelsOf(THEMATIQUES, a.thematiques)],
              ['Participants', String(a.participants.filter((p) => p.status === 'honore').length)],
            ]}
          />
          <div class="button-group">
            <button type="submit" name="action" value="confirmer" class="button">
              Enregistrer le compte rendu
            </button>
            <button type="submit" name="action" value="ecarter" class="button button--secondary">
              Ne pas en faire
            </button>
          </div>
        </form>
      ) : a.report_dismissed_at ? (
        <p>Pas de compte rendu pour ce rendez-vous.</p>
      ) : (
        <p>Quand vous aurez noté qui est venu, un compte rendu prérempli vous sera proposé.</p>
      )}
      <p class="no-print">
        <a href={`/rendezvous/agenda?vue=jour&jour=${parisToday(a.starts_at)}`}>Retour à l’agenda</a>
      </p>
    </>
  );
}

export function PlaceAgendaPage(props: {
  place: PlaceLine;
  rows: Awaited<ReturnType<typeof import('./agenda.ts').placeAgenda>>;
  from: string;
  to: string;
}): JSX.Element {
  const href = (day: string) => `/rendezvous/lieux/${props.place.id}/agenda?jour=${day}`;
  return (
    <>
      <h1 safe>{`Rendez-vous de ${props.place.nom}`}</h1>
      <p
        safe
      >{`Semaine du ${formatDay(props.from)} au ${formatDay(props.to)}. Les personnes inscrites ne sont pas nommées ici.`}</p>
      <nav class="rdv-agenda-nav no-print" aria-label="Autres semaines">
        <a href={href(addDays(props.from, -7))}>Semaine précédente</a>
        <a href={href(addDays(props.from, 7))}>Semaine suivante</a>
      </nav>
      {props.rows.length === 0 ? (
        <p>Aucun rendez-vous cette semaine.</p>
      ) : (
        <Table
          caption="Rendez-vous du lieu"
          captionHidden
          columns={['Quand', 'Motif', 'Médiateur', 'Places prises']}
        >
          {props.rows.map((r) => (
            <tr>
              <td
                safe
              >{`${formatDay(parisToday(r.starts_at), 'short')} ${timeOf(r.starts_at)}–${timeOf(r.ends_at)}`}</td>
              <td safe>{r.motif_nom}</td>
              <td safe>{r.mediateur}</td>
              <td safe>{r.collectif ? `${r.places_prises} / ${r.capacite}` : 'Individuel'}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

// ------------------------------------------------------------------ helpers: settings

export function SettingsPage(props: {
  place: PlaceLine;
  reasons: Reason[];
  openings: {
    id: string;
    rrule: string;
    debut_min: number;
    fin_min: number;
    premier_jour: string;
    dernier_jour: string | null;
    motif_ids: string[];
  }[];
  reasonValues: Record<string, string | string[]>;
  reasonErrors: FieldErrors;
  openingValues: Record<string, string | string[]>;
  openingErrors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  const base = `/rendezvous/lieux/${props.place.id}`;
  const rv = props.reasonValues;
  const ov = props.openingValues;
  const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const reasonName = (id: string) => props.reasons.find((r) => r.id === id)?.nom ?? 'motif retiré';
  return (
    <>
      <h1 safe>{`Rendez-vous : ${props.place.nom}`}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={{ ...props.reasonErrors, ...props.openingErrors }} />
      <p>
        <a href={`${base}`}>Voir la page de réservation</a> · <a href={`${base}/agenda`}>Agenda du lieu</a>
      </p>
      <h2>Motifs</h2>
      {props.reasons.length === 0 ? (
        <p>Aucun motif : ajoutez-en un ci-dessous, puis vos plages d’ouverture.</p>
      ) : (
        <ul class="rdv-list">
          {props.reasons.map((r) => (
            <li>
              <strong safe>{r.nom}</strong>{' '}
              <span class="rdv-muted" safe>{`${reasonFacts(r)} · ${BOOKERS[r.reservable_par]}`}</span>{' '}
              <a href={`${base}/reglages?motif=${r.id}#motif`}>
                Modifier<span class="visually-hidden" safe>{` ${r.nom}`}</span>
              </a>{' '}
              <form method="post" action={`${base}/motifs/retirer`} class="rdv-inline">
                <CsrfField token={props.csrf} />
                <input type="hidden" name="motif" value={r.id} />
                <button type="submit" class="button button--secondary">
                  Retirer<span class="visually-hidden" safe>{` ${r.nom}`}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2>Mes plages d’ouverture ici</h2>
      {props.openings.length === 0 ? (
        <p>Aucune plage : sans plage, aucun créneau n’est proposé.</p>
      ) : (
        <ul class="rdv-list">
          {props.openings.map((o) => (
            <li>
              <span
                safe
              >{`${openingText(o)}, du ${formatDay(o.premier_jour)}${o.dernier_jour ? ` au ${formatDay(o.dernier_jour)}` : ''} : ${o.motif_ids.map(reasonName).join(', ')}`}</span>{' '}
              <a href={`${base}/reglages?plage=${o.id}#plage`}>
                Modifier<span class="visually-hidden"> cette plage</span>
              </a>{' '}
              <form method="post" action={`${base}/plages/supprimer`} class="rdv-inline">
                <CsrfField token={props.csrf} />
                <input type="hidden" name="plage" value={o.id} />
                <button type="submit" class="button button--secondary">
                  Supprimer<span class="visually-hidden"> cette plage</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      {props.reasons.length > 0 ? (
        <form method="post" action={`${base}/plages`} novalidate id="plage">
          <CsrfField token={props.csrf} />
          <h2>{one(ov.id) ? 'Modifier la plage d’ouverture' : 'Ajouter une plage d’ouverture'}</h2>
          {one(ov.id) ? <input type="hidden" name="id" value={one(ov.id)} /> : ''}
          <ChoiceGroup
            type="checkbox"
            name="jours"
            legend="Jours"
            options={vocabularyOptions(WEEKDAYS)}
            checked={list(ov.jours)}
            error={props.openingErrors.jours}
            className="checkboxes"
          />
          <Field
            name="debut"
            label="De"
            hint="Exemple : 09:00"
            value={one(ov.debut)}
            error={props.openingErrors.debut}
          />
          <Field
            name="fin"
            label="À"
            hint="Exemple : 12:00"
            value={one(ov.fin)}
            error={props.openingErrors.fin}
          />
          <Select
            name="intervalle"
            label="Fréquence"
            options={[
              { value: '1', label: 'Chaque semaine' },
              { value: '2', label: 'Toutes les 2 semaines' },
              { value: '3', label: 'Toutes les 3 semaines' },
              { value: '4', label: 'Toutes les 4 semaines' },
            ]}
            value={one(ov.intervalle)}
            error={props.openingErrors.intervalle}
          />
          <Field
            name="premier_jour"
            type="date"
            label="Premier jour"
            value={one(ov.premier_jour) ?? parisToday()}
            error={props.openingErrors.premier_jour}
          />
          <Field
            name="dernier_jour"
            type="date"
            label="Dernier jour (facultatif)"
            value={one(ov.dernier_jour)}
            error={props.openingErrors.dernier_jour}
          />
          <ChoiceGroup
            type="checkbox"
            name="motifs"
            legend="Motifs proposés"
            options={props.reasons.map((r) => ({ value: r.id, label: r.nom }))}
            checked={list(ov.motifs)}
            error={props.openingErrors.motifs}
            className="checkboxes"
          />
          <p class="rdv-muted">Les jours fériés et vos absences ne proposent aucun créneau.</p>
          <button type="submit" class="button">
            {one(ov.id) ? 'Enregistrer la plage' : 'Ajouter la plage'}
          </button>
        </form>
      ) : (
        ''
      )}
      <form method="post" action={`${base}/motifs`} novalidate id="motif">
        <CsrfField token={props.csrf} />
        <h2>{one(rv.id) ? 'Modifier le motif' : 'Ajouter un motif'}</h2>
        {one(rv.id) ? <input type="hidden" name="id" value={one(rv.id)} /> : ''}
        <Field
          name="nom"
          label="Nom du motif"
          hint="Exemple : Aide aux démarches en ligne"
          value={one(rv.nom)}
          error={props.reasonErrors.nom}
        />
        <Field
          name="duree_min"
          label="Durée en minutes"
          value={one(rv.duree_min) ?? '30'}
          error={props.reasonErrors.duree_min}
        />
        <Select
          name="location_type"
          label="Où"
          options={vocabularyOptions(LOCATION_TYPES)}
          value={one(rv.location_type)}
          error={props.reasonErrors.location_type}
        />
        <div class="checkbox rdv-flag">
          <input
            type="checkbox"
            id="collectif"
            name="collectif"
            value="oui"
            checked={one(rv.collectif) === 'oui'}
          />
          <label for="collectif">Atelier collectif</label>
        </div>
        <Field
          name="capacite"
          label="Nombre de places (atelier)"
          value={one(rv.capacite)}
          error={props.reasonErrors.capacite}
        />
        <Field
          name="delai_min_minutes"
          label="Réservable au plus tard, en minutes avant"
          value={one(rv.delai_min_minutes) ?? String(DEFAULT_MIN_DELAY_MIN)}
          error={props.reasonErrors.delai_min_minutes}
        />
        <Field
          name="delai_max_jours"
          label="Réservable au plus tôt, en jours avant"
          value={one(rv.delai_max_jours) ?? String(DEFAULT_MAX_DELAY_DAYS)}
          error={props.reasonErrors.delai_max_jours}
        />
        <Select
          name="reservable_par"
          label="Qui peut réserver"
          options={vocabularyOptions(BOOKERS)}
          value={one(rv.reservable_par) ?? 'tout_le_monde'}
          error={props.reasonErrors.reservable_par}
        />
        <div class="checkbox rdv-flag">
          <input
            type="checkbox"
            id="modifiable"
            name="modifiable"
            value="oui"
            checked={(one(rv.modifiable) ?? 'oui') === 'oui'}
          />
          <label for="modifiable">La personne peut annuler ou déplacer elle-même</label>
        </div>
        <div class="rdv-flag">
          <div class="checkbox">
            <input
              type="checkbox"
              id="liste_attente"
              name="liste_attente"
              value="oui"
              aria-describedby="liste_attente-aide"
              checked={one(rv.liste_attente) === 'oui'}
            />
            <label for="liste_attente">Liste d’attente</label>
          </div>
          <span class="field__hint" id="liste_attente-aide">
            La personne dont le rendez-vous est dans plus de 7 jours peut demander à être prévenue d’un
            créneau plus tôt (3 messages au plus, un par jour).
          </span>
        </div>
        <TextArea
          name="instructions"
          label="À savoir avant de venir (facultatif)"
          hint="Exemple : apportez votre carte Vitale."
          value={one(rv.instructions)}
          error={props.reasonErrors.instructions}
        />
        <ChoiceGroup
          type="checkbox"
          name="thematiques"
          legend="Thématiques du compte rendu"
          options={vocabularyOptions(THEMATIQUES)}
          checked={list(rv.thematiques)}
          error={props.reasonErrors.thematiques}
          className="checkboxes"
        />
        <button type="submit" class="button">
          Enregistrer le motif
        </button>
      </form>
    </>
  );
}

export function AbsencesPage(props: {
  absences: { id: string; titre: string; debut: Date; fin: Date }[];
  values: Record<string, string>;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>Mes absences</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} />
      {props.absences.length === 0 ? (
        <p>Aucune absence à venir.</p>
      ) : (
        <ul class="rdv-list">
          {props.absences.map((a) => (
            <li>
              <span
                safe
              >{`${a.titre} : du ${formatDateTime(a.debut, 'short')} au ${formatDateTime(a.fin, 'short')}`}</span>
              <form method="post" action="/rendezvous/absences/supprimer" class="rdv-inline">
                <CsrfField token={props.csrf} />
                <input type="hidden" name="absence" value={a.id} />
                <button type="submit" class="button button--secondary">
                  Supprimer<span class="visually-hidden" safe>{` l’absence ${a.titre}`}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action="/rendezvous/absences" novalidate>
        <CsrfField token={props.csrf} />
        <h2>Ajouter une absence</h2>
        <Field
          name="titre"
          label="Raison"
          hint="Congés, formation… (rien de personnel)"
          value={props.values.titre}
          error={props.errors.titre}
        />
        <Field name="du" type="date" label="Du" value={props.values.du} error={props.errors.du} />
        <Field name="au" type="date" label="Au (inclus)" value={props.values.au} error={props.errors.au} />
        <p class="rdv-muted">Les rendez-vous déjà pris restent : prévenez les personnes.</p>
        <button type="submit" class="button">
          Ajouter l’absence
        </button>
      </form>
    </>
  );
}

export function FeedPage(props: { url: string | null; has: boolean; csrf: string }): JSX.Element {
  return (
    <>
      <h1>Mon agenda dans mon calendrier</h1>
      <p>
        Abonnez votre calendrier (téléphone, messagerie) à ce lien : vos rendez-vous s’y ajoutent, avec le
        seul prénom des personnes. Ce lien est secret : ne le partagez pas.
      </p>
      {props.url ? (
        <Notice kind="success">
          <div>
            <p>Voici votre lien. Copiez-le maintenant : il ne sera plus affiché.</p>
            <p class="rdv-token" safe>
              {props.url}
            </p>
          </div>
        </Notice>
      ) : props.has ? (
        <p>Vous avez déjà un lien. En créer un nouveau arrête l’ancien.</p>
      ) : (
        ''
      )}
      <form method="post" action="/rendezvous/agenda/flux">
        <CsrfField token={props.csrf} />
        <button type="submit" class="button">
          {props.has || props.url ? 'Créer un nouveau lien' : 'Créer mon lien'}
        </button>
      </form>
    </>
  );
}

export function SmsBudgetPage(props: {
  collectivite: string | null;
  sent: number;
  budget: number;
  value: string;
  error?: string | undefined;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>SMS des rappels de rendez-vous</h1>
      <Flash message={props.flash} />
      {props.collectivite === null ? (
        <p>Choisissez d’abord une collectivité dans votre espace.</p>
      ) : (
        <>
          <ErrorSummary errors={props.error ? { budget: props.error } : {}} />
          <p
            safe
          >{`${props.collectivite} : ${props.sent} SMS envoyés ce mois-ci, sur un budget de ${props.budget}.`}</p>
          <p>
            Une fois le budget atteint, les rappels partent par courriel ; sans courriel, ils ne partent pas.
          </p>
          <form method="post" action="/rendezvous/sms" novalidate>
            <CsrfField token={props.csrf} />
            <Field
              name="budget"
              label="SMS par mois"
              hint="0 : aucun SMS, tout par courriel."
              value={props.value}
              error={props.error}
            />
            <button type="submit" class="button">
              Enregistrer
            </button>
          </form>
        </>
      )}
    </>
  );
}
