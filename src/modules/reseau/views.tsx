import { labelOf, labelsOf, vocabularyOptions } from '../../platform/forms.ts';
import type { AgendaEntry } from '../../platform/module.ts';
import { formatDate, formatDateTime, formatDay, formatMonth } from '../../platform/paris-time.ts';
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
import { Pagination } from '../../platform/ui/pagination.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import { money } from './action-finance.ts';
import type { Committee, EventDetail, NetworkEvent } from './agenda.ts';
import { FrequencyForm } from './governance-views.tsx';
import type { MemberCounts, MemberDetail, MemberRow } from './members.ts';
import { PAGE_SIZE } from './members.ts';
import type { News } from './news.ts';
import { type ActionWithProgress, INDICATOR_DEFINITIONS, type RoadmapView } from './roadmap.ts';
import type { RoadmapDocument } from './roadmap-documents.ts';
import {
  ACTION_STATUSES,
  type ActionStatus,
  ALL_INDICATORS,
  AUDIENCES,
  COMMITTEE_TYPES,
  CONTACT_PURPOSE,
  EVENT_KINDS,
  FREQUENCIES,
  MEMBER_KINDS,
  MEMBER_ROLES,
  MEMBER_STATUSES,
  type MemberStatus,
  NEEDS,
  NEWS_AUDIENCES,
  NEWS_FREQUENCIES,
} from './vocabulary.ts';

type Values = Record<string, string | undefined>;

/** A formatter kept per value: the roadmap's hundreds of actions share few days and months. */
function remembered(format: (key: string) => string): (key: string) => string {
  const seen = new Map<string, string>();
  return (key) => {
    let text = seen.get(key);
    if (text === undefined) {
      if (seen.size > 10_000) seen.clear();
      text = format(key);
      seen.set(key, text);
    }
    return text;
  };
}
const shortDay = remembered((day) => formatDay(day, 'short'));
const monthName = remembered(formatMonth);
type Choice = { value: string; label: string };

const timeOf = (d: Date) => formatDateTime(d, 'short').split(' ')[1] ?? '';
const when = (e: Pick<NetworkEvent, 'starts_at' | 'ends_at'>) =>
  formatDate(e.starts_at) === formatDate(e.ends_at)
    ? `${formatDateTime(e.starts_at)} – ${timeOf(e.ends_at)}`
    : `${formatDateTime(e.starts_at)} – ${formatDateTime(e.ends_at)}`;

function StatusTag({ status }: { status: MemberStatus }): JSX.Element {
  return <span class={`network-status network-status--${status}`}>{MEMBER_STATUSES[status]}</span>;
}

function CancelledTag({ event }: { event: NetworkEvent }): JSX.Element {
  return event.cancelled_at ? <strong class="network-cancelled">Annulé</strong> : '';
}

// ---------------------------------------------------------------------------- public pages

export function NetworkHomePage(props: {
  opsn: string;
  events: NetworkEvent[];
  news: News[];
  members: number;
}): JSX.Element {
  return (
    <>
      <h1>Le réseau territorial de l’inclusion numérique</h1>
      <p class="lead" safe>
        {`${props.opsn} anime le réseau des structures qui aident les habitants avec le numérique : collectivités, associations, services de l’État.`}
      </p>
      <ul class="network-links">
        <li>
          <a href="/reseau/adhesion">Rejoindre le réseau</a> (sans compte)
        </li>
        <li>
          <a href="/reseau/membres">Les membres du réseau</a> ({safeNumber(props.members)} sur la page
          publique)
        </li>
        <li>
          <a href="/reseau/feuille-de-route">La feuille de route et l’avancement de ses actions</a>
        </li>
        <li>
          <a href="/reseau/agenda">L’agenda</a> (
          <a href="/reseau/agenda.ics">calendrier à importer, format iCalendar</a>)
        </li>
        <li>
          <a href="/reseau/actualites">Les actualités</a> (<a href="/reseau/actualites.atom">flux Atom</a>)
        </li>
      </ul>
      <h2>Prochains événements ouverts à tous</h2>
      <EventList events={props.events.slice(0, 5)} empty="Aucun événement public prévu pour l’instant." />
      <h2>Dernières actualités</h2>
      {props.news.length === 0 ? (
        <p>Aucune actualité publiée pour l’instant.</p>
      ) : (
        <ul>
          {props.news.slice(0, 3).map((n) => (
            <li>
              <a href={`/reseau/actualites#actualite-${n.id}`} safe>
                {n.titre}
              </a>{' '}
              <span safe>{`(${formatDate(n.published_at)})`}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function EventList({
  events,
  empty,
  admin,
}: {
  events: NetworkEvent[];
  empty: string;
  admin?: boolean;
}): JSX.Element {
  if (events.length === 0) return <p safe>{empty}</p>;
  return (
    <ul class="network-events">
      {events.map((e) => (
        <li>
          <a href={admin ? `/admin/reseau/evenements/${e.id}` : `/reseau/agenda/${e.id}`} safe>
            {e.titre}
          </a>{' '}
          <CancelledTag event={e} />
          <br />
          <span
            safe
          >{`${when(e)} — ${EVENT_KINDS[e.kind]}${e.lieu ? ` — ${e.lieu}` : ''}${e.lien && !e.lieu ? ' — en ligne' : ''}`}</span>
        </li>
      ))}
    </ul>
  );
}

export type Lists = Record<string, string[]>;

/** The structure's fields: the public application, and the coordination's add and edit forms. */
function StructureFields(props: { values: Values; lists?: Lists | undefined; errors: FieldErrors }) {
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <Field
        name="nom"
        label="Nom de la structure"
        value={v.nom}
        error={e.nom}
        required
        autocomplete="organization"
      />
      <Select
        name="kind"
        label="Type de structure"
        options={vocabularyOptions(MEMBER_KINDS, 'Choisissez')}
        value={v.kind}
        error={e.kind}
      />
      <Field
        name="siret"
        label="SIRET"
        hint="14 chiffres, sur vos factures ou sur annuaire-entreprises.data.gouv.fr. Facultatif pour un service de l’État."
        value={v.siret}
        error={e.siret}
        inputClass="input--short"
        spellcheck={false}
      />
      <Field name="commune" label="Commune (facultatif)" value={v.commune} error={e.commune} />
      <TextArea
        name="presentation"
        label="Ce que fait la structure (facultatif)"
        value={v.presentation}
        error={e.presentation}
      />
      <ChoiceGroup
        type="checkbox"
        name="roles"
        legend="Rôle dans le réseau (facultatif, plusieurs possibles)"
        options={vocabularyOptions(MEMBER_ROLES)}
        checked={props.lists?.roles ?? []}
        error={e.roles}
        className="checkboxes"
      />
      <ChoiceGroup
        type="checkbox"
        name="public"
        legend="Page publique des membres"
        options={[
          { value: 'oui', label: 'Afficher le nom de la structure sur la page publique des membres' },
        ]}
        checked={v.public === 'oui' ? ['oui'] : []}
        className="checkboxes"
      />
    </>
  );
}

/** A contact's fields with their purpose and agreement. */
function ContactFields(props: { values: Values; errors: FieldErrors; agreement: string }) {
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <Field
        name="contact_nom"
        label="Nom et prénom"
        value={v.contact_nom}
        error={e.contact_nom}
        required
        autocomplete="name"
      />
      <Field
        name="contact_fonction"
        label="Fonction (facultatif)"
        value={v.contact_fonction}
        error={e.contact_fonction}
      />
      <Field
        name="contact_email"
        type="email"
        label="Adresse électronique"
        value={v.contact_email}
        error={e.contact_email}
        required
        autocomplete="email"
      />
      <Field
        name="contact_telephone"
        type="tel"
        label="Téléphone (facultatif)"
        value={v.contact_telephone}
        error={e.contact_telephone}
        autocomplete="tel"
      />
      <ChoiceGroup
        type="radio"
        name="contact_frequence"
        legend="Recevoir les actualités du réseau"
        options={vocabularyOptions(NEWS_FREQUENCIES)}
        checked={[v.contact_frequence || 'immediate']}
        error={e.contact_frequence}
        className="checkboxes"
      />
      <ChoiceGroup
        type="checkbox"
        name="accord"
        legend="Usage de ces coordonnées"
        hint={CONTACT_PURPOSE}
        options={[{ value: 'oui', label: props.agreement }]}
        checked={v.accord === 'oui' ? ['oui'] : []}
        error={e.accord}
        className="checkboxes"
      />
    </>
  );
}

export function ApplicationPage(props: {
  values: Values;
  lists?: Lists;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1>Rejoindre le réseau</h1>
      <p>
        Votre structure aide des habitants avec le numérique ? Demandez à rejoindre le réseau. La coordination
        examine chaque candidature et vous répond par courriel.
      </p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/reseau/adhesion" novalidate>
        <CsrfField token={props.csrf} />
        <h2>La structure</h2>
        <StructureFields values={props.values} lists={props.lists} errors={props.errors} />
        <h2>La personne à contacter</h2>
        <ContactFields
          values={props.values}
          errors={props.errors}
          agreement="J’accepte que le réseau utilise ces coordonnées pour cet usage"
        />
        <button type="submit" class="button">
          Envoyer la candidature
        </button>
      </form>
    </>
  );
}

export type DirectoryHit = { id: string; nom: string; commune: string; code_postal: string; member: boolean };

/** The coordination adds a member: a place found in the directory, or a structure with its SIRET. */
export function NewMemberPage(props: {
  q: string;
  hits: DirectoryHit[] | undefined;
  values: Values;
  lists?: Lists;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1>Ajouter une structure au réseau</h1>
      <ErrorSummary errors={props.errors} />
      <h2>Depuis l’annuaire des lieux</h2>
      <form method="get" action="/admin/reseau/membres/nouveau" class="inline-form">
        <Field name="q" label="Chercher un lieu publié (nom, commune)" value={props.q} />
        <button type="submit" class="button button--secondary">
          Chercher
        </button>
      </form>
      {props.hits === undefined ? (
        ''
      ) : props.hits.length === 0 ? (
        <p>Aucun lieu publié ne correspond à cette recherche.</p>
      ) : (
        <ul>
          {props.hits.map((h) => (
            <li>
              {h.member ? (
                <span safe>{`${h.nom} (${h.code_postal} ${h.commune}) : déjà dans le réseau`}</span>
              ) : (
                <a href={`/admin/reseau/membres/nouveau?lieu=${h.id}`} safe>
                  {`${h.nom} (${h.code_postal} ${h.commune})`}
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2>{props.values.lieu ? 'Le lieu choisi' : 'Ou avec son SIRET'}</h2>
      <p>
        La structure devient membre tout de suite. Le SIRET est vérifié (14 chiffres et clé de contrôle) ; le
        nom officiel se vérifie sur annuaire-entreprises.data.gouv.fr, dont le lien figure sur la fiche du
        membre.
      </p>
      <form method="post" action="/admin/reseau/membres/nouveau" novalidate>
        <CsrfField token={props.csrf} />
        {props.values.lieu ? <input type="hidden" name="lieu" value={props.values.lieu} /> : ''}
        <StructureFields values={props.values} lists={props.lists} errors={props.errors} />
        <button type="submit" class="button">
          Ajouter au réseau
        </button>
      </form>
    </>
  );
}

/** Corrects a member's structure. */
export function EditMemberPage(props: {
  id: string;
  values: Values;
  lists?: Lists;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1>Modifier la structure</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`/admin/reseau/membres/${props.id}/modifier`} novalidate>
        <CsrfField token={props.csrf} />
        <StructureFields values={props.values} lists={props.lists} errors={props.errors} />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

/** Adds a contact to a member. */
export function NewContactPage(props: {
  id: string;
  member: string;
  values: Values;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1>Ajouter un contact</h1>
      <p safe>{`Structure : ${props.member}`}</p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`/admin/reseau/membres/${props.id}/contacts`} novalidate>
        <CsrfField token={props.csrf} />
        <ContactFields
          values={props.values}
          errors={props.errors}
          agreement="La personne a accepté que le réseau utilise ses coordonnées pour cet usage"
        />
        <button type="submit" class="button">
          Ajouter le contact
        </button>
      </form>
    </>
  );
}

export function ApplicationSentPage(): JSX.Element {
  return (
    <>
      <h1>Candidature envoyée</h1>
      <Notice kind="success">
        <p>La coordination du réseau a reçu votre candidature. Elle vous répondra par courriel.</p>
      </Notice>
      <p>
        <a href="/reseau">Retour au réseau</a>
      </p>
    </>
  );
}

export function PublicMembersPage(props: {
  members: {
    id: string;
    nom: string;
    kind: keyof typeof MEMBER_KINDS;
    commune: string | null;
    roles: string[];
  }[];
}): JSX.Element {
  return (
    <>
      <h1>Les membres du réseau</h1>
      <p>Seules les structures qui l’ont accepté sont affichées ici.</p>
      {props.members.length === 0 ? (
        <p>Aucun membre n’est affiché pour l’instant.</p>
      ) : (
        <Table caption="Membres du réseau, par nom" columns={['Structure', 'Type', 'Commune', 'Rôle']}>
          {props.members.map((m) => (
            <tr>
              <td safe>{m.nom}</td>
              <td>{MEMBER_KINDS[m.kind]}</td>
              <td safe>{m.commune ?? ''}</td>
              <td safe>{labelsOf(MEMBER_ROLES, m.roles)}</td>
            </tr>
          ))}
        </Table>
      )}
      <p>
        <a href="/reseau/adhesion">Rejoindre le réseau</a>
      </p>
    </>
  );
}

const days = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** What an indicator's value says, in words (a delay is a most; fewer than 5 answers are masked). */
export function progressText(action: ActionWithProgress, months: (ym: string) => string = monthName): string {
  const p = action.progress;
  if (!p) return 'Pas d’indicateur';
  const what = `${ALL_INDICATORS[action.indicateur].toLowerCase()}, ${months(p.from)} – ${months(p.to)}`;
  if (p.value === null)
    return `Moins de 5 réponses : délai non publié (cible : ${safeNumber(p.target)} jours au plus ; ${what})`;
  if (p.ceiling)
    return `${p.percent} % — ${days.format(p.value)} jours pour ${safeNumber(p.target)} au plus (${what})`;
  return `${p.percent} % — ${safeNumber(p.value)} sur ${safeNumber(p.target)} (${what})`;
}

function ProgressBar({ action }: { action: ActionWithProgress }): JSX.Element {
  const p = action.progress;
  if (!p) return <span>Pas d’indicateur</span>;
  return (
    <>
      <progress max="100" value={String(p.percent)} aria-label={`Avancement : ${p.percent} %`}>
        {p.percent} %
      </progress>{' '}
      <span safe>{progressText(action)}</span>
      {INDICATOR_DEFINITIONS[action.indicateur] ? (
        <span class="network-hint" safe>
          {INDICATOR_DEFINITIONS[action.indicateur]}
        </span>
      ) : (
        ''
      )}
    </>
  );
}

/** An action's budget, what members co-finance and what is left. */
export function budgetText(a: { budget_euros: number | null; cofinance: number }): string {
  if (a.budget_euros === null) return a.cofinance ? `Cofinancé : ${money(a.cofinance)}` : '—';
  return `${money(a.budget_euros)} ; cofinancé : ${money(a.cofinance)} ; reste : ${money(a.budget_euros - a.cofinance)}`;
}

export function RoadmapActions({
  roadmap,
  collectivites,
  csrf,
}: {
  roadmap: RoadmapView;
  collectivites: Map<number, string>;
  csrf?: string;
}): JSX.Element {
  if (roadmap.actions.length === 0) return <p>Aucune action pour l’instant.</p>;
  return (
    <Table
      caption={`Actions de « ${roadmap.nom} »`}
      captionHidden
      columns={[
        'Action',
        'Période',
        'Statut',
        'Budget',
        'Avancement (calculé)',
        ...(csrf ? ['Changer le statut'] : []),
      ]}
    >
      {roadmap.actions.map((a) => (
        <tr>
          <td>
            {csrf ? (
              <a href={`/admin/reseau/actions/${a.id}/modifier`}>
                <strong safe>{a.titre}</strong>
              </a>
            ) : (
              <strong safe>{a.titre}</strong>
            )}
            {a.besoins.length ? (
              <span class="network-hint" safe>
                {labelsOf(NEEDS, a.besoins)}
              </span>
            ) : (
              ''
            )}
            {a.porteurNames.length ? (
              <span class="network-hint" safe>
                {`Porté par : ${a.porteurNames.join(', ')}`}
              </span>
            ) : (
              ''
            )}
            {csrf ? (
              <a class="network-hint" href={`/admin/reseau/actions/${a.id}`}>
                Porteurs, cofinancements et subventions
                <span class="visually-hidden" safe>
                  {` de « ${a.titre} »`}
                </span>
              </a>
            ) : (
              ''
            )}
            {a.progress ? (
              <span class="network-hint" safe>
                {a.indicateur_collectivite_id
                  ? (collectivites.get(a.indicateur_collectivite_id) ?? '')
                  : 'Tout le territoire'}
              </span>
            ) : (
              ''
            )}
          </td>
          <td safe>{`${shortDay(a.debut)} – ${shortDay(a.fin)}`}</td>
          <td>{ACTION_STATUSES[a.status]}</td>
          <td safe>{budgetText(a)}</td>
          <td>
            <ProgressBar action={a} />
          </td>
          {csrf ? (
            <td>
              <form method="post" action={`/admin/reseau/actions/${a.id}/statut`} class="inline-form">
                <CsrfField token={csrf} />
                <Select
                  name="statut"
                  label={`Statut de « ${a.titre} »`}
                  options={vocabularyOptions(ACTION_STATUSES)}
                  value={a.status}
                />
                <button type="submit" class="button button--secondary">
                  Changer
                </button>
              </form>
            </td>
          ) : (
            ''
          )}
        </tr>
      ))}
    </Table>
  );
}

/** The versions of a roadmap's document, newest first, each to download. */
export function DocumentVersions(props: { roadmapId: string; documents: RoadmapDocument[] }): JSX.Element {
  if (props.documents.length === 0) return <p>Aucun document pour l’instant.</p>;
  return (
    <ul>
      {props.documents.map((d, i) => (
        <li>
          <a href={`/reseau/feuilles-de-route/${props.roadmapId}/documents/${d.id}`} safe>
            {`${d.nom} (version ${d.version}${i === 0 ? ', la plus récente' : ''}, PDF, ${Math.max(1, Math.round(d.taille / 1024)).toLocaleString('fr-FR')} Ko)`}
          </a>
          <span safe>{` — déposée le ${formatDateTime(d.uploaded_at)} par ${d.uploaded_by_name}`}</span>
        </li>
      ))}
    </ul>
  );
}

export function PublicRoadmapPage(props: {
  roadmaps: RoadmapView[];
  collectivites: Map<number, string>;
  documents?: Map<string, RoadmapDocument[]>;
}): JSX.Element {
  return (
    <>
      <h1>Feuille de route du réseau</h1>
      <p>
        L’avancement de chaque action est calculé à partir des données de Relais (activités de médiation
        enregistrées, personnes accompagnées, aidants formés, délai de réponse aux orientations), jamais saisi
        à la main. Les nombres sont arrondis à 5 près chaque mois pour qu’aucune personne ne puisse être
        reconnue, un délai n’est publié qu’au-delà de 5 réponses, et tout est mis à jour toutes les 5 minutes.
      </p>
      {props.roadmaps.length === 0 ? <p>Aucune feuille de route publiée pour l’instant.</p> : ''}
      {props.roadmaps.map((r) => (
        <section>
          <h2 safe>{r.nom}</h2>
          <SummaryList
            hideEmpty
            rows={[
              ['Porteur', r.porteur],
              ['Périmètre', r.perimetre],
              ['Contexte', r.contexte],
            ]}
          />
          <h3>Document de la feuille de route</h3>
          <DocumentVersions roadmapId={r.id} documents={props.documents?.get(r.id) ?? []} />
          <RoadmapActions roadmap={r} collectivites={props.collectivites} />
        </section>
      ))}
    </>
  );
}

export function AgendaPage(props: { events: NetworkEvent[]; others: readonly AgendaEntry[] }): JSX.Element {
  return (
    <>
      <h1>Agenda du réseau</h1>
      <p>
        Ajoutez cet agenda à votre calendrier :{' '}
        <a href="/reseau/agenda.ics">agenda public au format iCalendar</a> (copiez ce lien dans votre logiciel
        d’agenda pour recevoir les mises à jour).
      </p>
      <EventList events={props.events} empty="Aucun événement public prévu pour l’instant." />
      {props.others.length > 0 ? (
        <>
          <h2>Formations et autres dates du territoire</h2>
          <ul class="network-events">
            {props.others.map((o) => (
              <li>
                <a href={o.href} safe>
                  {o.title}
                </a>
                <br />
                <span
                  safe
                >{`${when({ starts_at: o.start, ends_at: o.end })} — ${o.kind}${o.where ? ` — ${o.where}` : ''}`}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
    </>
  );
}

export function PublicEventPage(props: {
  event: NetworkEvent;
  registered: number;
  values: Values;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
  problem?: string | undefined;
}): JSX.Element {
  const e = props.event;
  const left = e.capacite === null ? null : Math.max(0, e.capacite - props.registered);
  const open = !e.cancelled_at && e.starts_at > new Date();
  return (
    <>
      <h1 safe>{e.titre}</h1>
      <Flash message={props.flash} />
      {e.cancelled_at ? (
        <Notice>
          <p>Cet événement est annulé.</p>
        </Notice>
      ) : (
        ''
      )}
      <SummaryList
        hideEmpty
        rows={[
          ['Quand', when(e)],
          ['Type', EVENT_KINDS[e.kind]],
          ['Où', e.lieu],
          ['Lien', e.lien],
          [
            'Places',
            left === null
              ? null
              : left === 0
                ? 'Complet'
                : `${safeNumber(left)} restante${left > 1 ? 's' : ''}`,
          ],
        ]}
      />
      {e.description ? (
        <p class="network-text" safe>
          {e.description}
        </p>
      ) : (
        ''
      )}
      {props.problem ? (
        <div class="error-summary" role="alert">
          <p safe>{props.problem}</p>
        </div>
      ) : (
        ''
      )}
      {left !== null && left > 0 && open ? (
        <>
          <h2>S’inscrire</h2>
          <ErrorSummary errors={props.errors} />
          <form method="post" action={`/reseau/agenda/${e.id}/inscription`} novalidate>
            <CsrfField token={props.csrf} />
            <Field
              name="nom"
              label="Nom et prénom"
              value={props.values.nom}
              error={props.errors.nom}
              required
              autocomplete="name"
            />
            <Field
              name="email"
              type="email"
              label="Adresse électronique"
              hint="Pour la confirmation, et pour vous prévenir si l’événement change. Effacée un mois après l’événement."
              value={props.values.email}
              error={props.errors.email}
              required
              autocomplete="email"
            />
            <button type="submit" class="button">
              S’inscrire
            </button>
          </form>
        </>
      ) : (
        ''
      )}
      <p>
        <a href="/reseau/agenda">Tout l’agenda</a>
      </p>
    </>
  );
}

export function NewsPage(props: { news: News[] }): JSX.Element {
  return (
    <>
      <h1>Actualités du réseau</h1>
      <p>
        <a href="/reseau/actualites.atom">Suivre les actualités (flux Atom)</a>
      </p>
      {props.news.length === 0 ? <p>Aucune actualité publiée pour l’instant.</p> : ''}
      {props.news.map((n) => (
        <article id={`actualite-${n.id}`} class="network-news">
          <h2 safe>{n.titre}</h2>
          <p class="field__hint" safe>
            {`Publiée le ${formatDate(n.published_at)}`}
          </p>
          <p class="network-text" safe>
            {n.texte}
          </p>
        </article>
      ))}
    </>
  );
}

export function UnsubscribePage(props: {
  state: 'confirm' | 'done' | 'invalid';
  action?: string;
  csrf?: string;
  /** The other choice the page offers: keep the news, each as it comes or in a weekly digest. */
  frequency?: { action: string; current: string; error?: string | undefined };
}): JSX.Element {
  if (props.state === 'invalid')
    return (
      <>
        <h1>Lien de désabonnement non valable</h1>
        <p>
          Ce lien a été modifié ou ne correspond à aucun contact : rien n’a changé. Utilisez le lien complet
          reçu dans le dernier courriel du réseau.
        </p>
      </>
    );
  if (props.state === 'done')
    return (
      <>
        <h1>Vous êtes désabonné(e)</h1>
        <Notice kind="success">
          <p>Vous ne recevrez plus les actualités du réseau.</p>
        </Notice>
      </>
    );
  return (
    <>
      <h1>Ne plus recevoir les actualités du réseau</h1>
      {props.frequency?.error ? <ErrorSummary errors={{ frequence: props.frequency.error }} /> : ''}
      <form method="post" action={props.action ?? ''}>
        <CsrfField token={props.csrf ?? ''} />
        <button type="submit" class="button">
          Me désabonner
        </button>
      </form>
      {props.frequency ? (
        <FrequencyForm
          action={props.frequency.action}
          csrf={props.csrf ?? ''}
          current={props.frequency.current}
          error={props.frequency.error}
        />
      ) : (
        ''
      )}
    </>
  );
}

// ---------------------------------------------------------------------------- coordination

export function AdminHomePage(props: {
  counts: MemberCounts;
  events: NetworkEvent[];
  news: News[];
  feedUrl: string;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>Animer le réseau</h1>
      <Flash message={props.flash} />
      <ul class="network-links">
        <li>
          <a href="/admin/reseau/membres?statut=candidat">Candidatures à examiner</a> :{' '}
          {safeNumber(props.counts.candidat)}
        </li>
        <li>
          <a href="/admin/reseau/membres">Membres</a> : {safeNumber(props.counts.membre)}
        </li>
        <li>
          <a href="/admin/reseau/comites">Comités</a>
        </li>
        <li>
          <a href="/admin/reseau/evenements/nouveau">Créer un événement ou une réunion</a>
        </li>
        <li>
          <a href="/admin/reseau/feuille-de-route">Feuille de route</a>
        </li>
        <li>
          <a href="/admin/reseau/actualites">Actualités</a>
        </li>
        <li>
          <a href="/reseau">Pages publiques du réseau</a>
        </li>
      </ul>
      <h2>Événements</h2>
      <EventList events={props.events} admin empty="Aucun événement prévu." />
      <h2>Calendrier du réseau</h2>
      <p>
        Tous les événements, y compris ceux réservés aux membres, à copier dans un logiciel d’agenda. Ne
        diffusez ce lien qu’aux membres : renouvelez-le s’il a circulé au-delà.
      </p>
      <p class="secret" safe>
        {props.feedUrl}
      </p>
      <form method="post" action="/admin/reseau/calendrier/renouveler">
        <CsrfField token={props.csrf} />
        <button type="submit" class="button button--secondary">
          Renouveler le lien (l’ancien cesse de fonctionner)
        </button>
      </form>
    </>
  );
}

export function MembersPage(props: {
  rows: MemberRow[];
  count: number;
  page: number;
  status: MemberStatus | undefined;
  counts: MemberCounts;
}): JSX.Element {
  const pages = Math.max(1, Math.ceil(props.count / PAGE_SIZE));
  return (
    <>
      <h1>Membres du réseau</h1>
      <nav aria-label="Filtrer par statut">
        <ul class="network-filter">
          <li>
            <a href="/admin/reseau/membres" aria-current={props.status ? undefined : 'page'}>
              Tous
            </a>
          </li>
          {(Object.keys(MEMBER_STATUSES) as MemberStatus[]).map((s) => (
            <li>
              <a
                href={`/admin/reseau/membres?statut=${s}`}
                aria-current={props.status === s ? 'page' : undefined}
                safe
              >
                {`${MEMBER_STATUSES[s]} (${safeNumber(props.counts[s])})`}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ul>
        <li>
          <a href="/admin/reseau/membres/nouveau">
            Ajouter une structure (depuis l’annuaire ou avec son SIRET)
          </a>
        </li>
        <li>
          <a href="/admin/reseau/membres/export.csv">Télécharger les membres et leurs contacts (CSV)</a>
        </li>
      </ul>
      {props.rows.length === 0 ? (
        <p>
          {props.status
            ? 'Aucune structure dans ce statut.'
            : 'Aucune structure pour l’instant : partagez le formulaire public /reseau/adhesion.'}
        </p>
      ) : (
        <Table
          caption="Structures, les candidatures d’abord"
          columns={['Structure', 'Type', 'Statut', 'Rôles', { label: 'Contacts', numeric: true }]}
        >
          {props.rows.map((m) => (
            <tr>
              <td>
                <a href={`/admin/reseau/membres/${m.id}`} safe>
                  {m.nom}
                </a>
              </td>
              <td>{MEMBER_KINDS[m.kind]}</td>
              <td>
                <StatusTag status={m.status} />
              </td>
              <td safe>{labelsOf(MEMBER_ROLES, m.roles)}</td>
              <td class="num">{safeNumber(m.contacts)}</td>
            </tr>
          ))}
        </Table>
      )}
      <Pagination
        page={props.page}
        pages={pages}
        href={(p) => `/admin/reseau/membres?${props.status ? `statut=${props.status}&` : ''}page=${p}`}
      />
    </>
  );
}

export function MemberPage(props: {
  detail: MemberDetail;
  csrf: string;
  values: Values;
  lists?: Lists;
  errors: FieldErrors;
  flash?: string | undefined;
}): JSX.Element {
  const { member: m, contacts, history } = props.detail;
  return (
    <>
      <h1 safe>{m.nom}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} />
      <p>
        <StatusTag status={m.status} />
      </p>
      <SummaryList
        hideEmpty
        rows={[
          ['Type', MEMBER_KINDS[m.kind]],
          ['SIRET', m.siret ? `${m.siret} (longueur et clé de contrôle vérifiées)` : null],
          ['Commune', m.commune],
          ['Rôles', labelsOf(MEMBER_ROLES, m.roles) || 'Aucun'],
          ['Page publique des membres', m.public ? 'Affichée' : 'Non affichée'],
          ['Présentation', m.presentation],
        ]}
      />
      <ul>
        <li>
          <a href={`/admin/reseau/membres/${m.id}/modifier`}>Modifier la structure</a>
        </li>
        {m.siret ? (
          <li>
            <a href={`https://annuaire-entreprises.data.gouv.fr/etablissement/${m.siret}`} rel="noreferrer">
              Vérifier le nom officiel de ce SIRET (annuaire des entreprises)
            </a>
          </li>
        ) : (
          ''
        )}
        {m.lieu_id ? (
          <li>
            <a href={`/lieux/${m.lieu_id}`}>Sa fiche dans l’annuaire des lieux</a>
          </li>
        ) : (
          ''
        )}
      </ul>
      <h2>Contacts</h2>
      <p>
        <a href={`/admin/reseau/membres/${m.id}/contacts`}>Ajouter un contact</a>
      </p>
      <p>Ouvrez un contact pour l’inviter sur Relais ou lui envoyer le lien de son agenda.</p>
      {contacts.length === 0 ? (
        <p>Aucun contact (effacés à la fin de la durée de conservation).</p>
      ) : (
        <Table
          caption="Contacts de la structure"
          captionHidden
          columns={['Nom', 'Fonction', 'Courriel', 'Téléphone', 'Accord', 'Actualités']}
        >
          {contacts.map((c) => (
            <tr>
              <td>
                <a href={`/admin/reseau/membres/${m.id}/contacts/${c.id}`} safe>
                  {c.nom}
                </a>
              </td>
              <td safe>{c.fonction ?? ''}</td>
              <td safe>{c.email}</td>
              <td safe>{c.telephone ?? ''}</td>
              <td safe>{formatDate(c.consent_at)}</td>
              <td safe>
                {c.unsubscribed_at
                  ? `Désabonné le ${formatDate(c.unsubscribed_at)}`
                  : c.frequence === 'hebdomadaire'
                    ? 'Résumé hebdomadaire'
                    : 'Dès publication'}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {m.status === 'candidat' ? (
        <>
          <h2>Répondre à la candidature</h2>
          <form method="post" action={`/admin/reseau/membres/${m.id}/decision`} novalidate>
            <CsrfField token={props.csrf} />
            <ChoiceGroup
              type="radio"
              name="decision"
              legend="Décision"
              options={[
                { value: 'accepter', label: 'Accepter : la structure devient membre' },
                { value: 'refuser', label: 'Refuser la candidature' },
              ]}
              checked={props.values.decision ? [props.values.decision] : []}
              error={props.errors.decision}
              className="checkboxes"
            />
            <ChoiceGroup
              type="checkbox"
              name="roles"
              legend="Rôles dans le réseau (si acceptée)"
              options={vocabularyOptions(MEMBER_ROLES)}
              checked={props.lists?.roles ?? m.roles}
              className="checkboxes"
            />
            <TextArea
              name="message"
              label="Message aux contacts de la structure (facultatif)"
              value={props.values.message}
              error={props.errors.message}
            />
            <button type="submit" class="button">
              Envoyer la réponse
            </button>
          </form>
        </>
      ) : (
        ''
      )}
      {m.status === 'membre' ? (
        <>
          <h2>Retirer du réseau</h2>
          <form method="post" action={`/admin/reseau/membres/${m.id}/retrait`} novalidate>
            <CsrfField token={props.csrf} />
            <TextArea name="message" label="Message aux contacts de la structure (facultatif)" value="" />
            <button type="submit" class="button button--danger">
              Retirer la structure du réseau
            </button>
          </form>
        </>
      ) : (
        ''
      )}
      <h2>Historique</h2>
      <ol>
        {history.map((h) => (
          <li
            safe
          >{`${formatDateTime(h.at)} : ${MEMBER_STATUSES[h.status]}${h.message ? ` — « ${h.message} »` : ''}`}</li>
        ))}
      </ol>
    </>
  );
}

function CommitteeFields(props: { values: Values; errors: FieldErrors }): JSX.Element {
  return (
    <>
      <Field name="nom" label="Nom du comité" value={props.values.nom} error={props.errors.nom} required />
      <Select
        name="type"
        label="Type"
        options={vocabularyOptions(COMMITTEE_TYPES, 'Choisissez')}
        value={props.values.type}
        error={props.errors.type}
      />
      <Select
        name="frequence"
        label="Fréquence des réunions"
        options={vocabularyOptions(FREQUENCIES, 'Choisissez')}
        value={props.values.frequence}
        error={props.errors.frequence}
      />
    </>
  );
}

export function CommitteesPage(props: {
  committees: Committee[];
  values: Values;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>Comités du réseau</h1>
      <Flash message={props.flash} />
      {props.committees.length === 0 ? (
        <p>Aucun comité pour l’instant.</p>
      ) : (
        <Table caption="Comités" captionHidden columns={['Comité', 'Type', 'Fréquence', 'Modifier']}>
          {props.committees.map((c) => (
            <tr>
              <td safe>{c.nom}</td>
              <td>{COMMITTEE_TYPES[c.type]}</td>
              <td>{FREQUENCIES[c.frequence]}</td>
              <td>
                <a href={`/admin/reseau/comites/${c.id}/modifier`}>
                  Modifier <span class="visually-hidden" safe>{`le comité ${c.nom}`}</span>
                </a>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <p>
        <a href="/admin/reseau/evenements/nouveau?type=comite">Planifier une réunion de comité</a>
      </p>
      <h2>Créer un comité</h2>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/admin/reseau/comites" novalidate>
        <CsrfField token={props.csrf} />
        <CommitteeFields values={props.values} errors={props.errors} />
        <button type="submit" class="button">
          Créer le comité
        </button>
      </form>
    </>
  );
}

export function NewEventPage(props: {
  committees: Committee[];
  members: Choice[];
  values: Values;
  lists?: Lists;
  errors: FieldErrors;
  csrf: string;
  /** The event changed, for its edit form. */
  editId?: string;
}): JSX.Element {
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <h1>{props.editId ? 'Modifier l’événement' : 'Créer un événement'}</h1>
      {props.editId ? (
        <p>
          Les invités et les inscrits reçoivent le changement par courriel, avec l’événement au format
          calendrier ; un membre retiré des invités reçoit l’annulation.
        </p>
      ) : (
        ''
      )}
      <ErrorSummary errors={e} />
      <form
        method="post"
        action={
          props.editId
            ? `/admin/reseau/evenements/${props.editId}/modifier`
            : '/admin/reseau/evenements/nouveau'
        }
        novalidate
      >
        <CsrfField token={props.csrf} />
        <Select
          name="kind"
          label="Type d’événement"
          options={vocabularyOptions(EVENT_KINDS, 'Choisissez')}
          value={v.kind}
          error={e.kind}
        />
        <Select
          name="comite"
          label="Comité (pour une réunion de comité)"
          options={[
            { value: '', label: 'Aucun' },
            ...props.committees.map((c) => ({ value: c.id, label: c.nom })),
          ]}
          value={v.comite}
          error={e.comite}
        />
        <Field name="titre" label="Titre" value={v.titre} error={e.titre} required />
        <Field
          name="date"
          type="date"
          label="Date"
          hint="Par exemple 2027-01-15."
          value={v.date}
          error={e.date}
          required
          inputClass="input--short"
        />
        <Field
          name="heure_debut"
          label="Heure de début"
          hint="Heure de Paris, par exemple 14:00."
          value={v.heure_debut}
          error={e.heure_debut}
          required
          inputClass="input--short"
        />
        <Field
          name="heure_fin"
          label="Heure de fin"
          hint="Par exemple 16:30."
          value={v.heure_fin}
          error={e.heure_fin}
          required
          inputClass="input--short"
        />
        <Field
          name="date_fin"
          type="date"
          label="Date de fin, si l’événement dure plusieurs jours (facultatif)"
          value={v.date_fin}
          error={e.date_fin}
          inputClass="input--short"
        />
        <Field name="lieu" label="Lieu (adresse)" value={v.lieu} error={e.lieu} />
        <Field
          name="lien"
          type="url"
          label="Lien de la visioconférence (facultatif)"
          value={v.lien}
          error={e.lien}
        />
        <Select
          name="audience"
          label="Ouvert à"
          options={vocabularyOptions(AUDIENCES, 'Choisissez')}
          value={v.audience}
          error={e.audience}
        />
        <Field
          name="capacite"
          type="number"
          label="Nombre de places (facultatif, événement public)"
          hint="Avec un nombre, le public s’inscrit en ligne jusqu’à ce nombre."
          value={v.capacite}
          error={e.capacite}
          inputClass="input--short"
        />
        <TextArea
          name="description"
          label="Description (facultatif)"
          value={v.description}
          error={e.description}
        />
        <TextArea
          name="ordre_du_jour"
          label="Ordre du jour (facultatif)"
          value={v.ordre_du_jour}
          error={e.ordre_du_jour}
        />
        {props.members.length > 0 ? (
          <ChoiceGroup
            type="checkbox"
            name="invites"
            legend="Membres invités"
            hint="Leurs contacts reçoivent l’invitation par courriel, avec l’événement au format calendrier."
            options={props.members}
            checked={props.lists?.invites ?? []}
            error={e.invites}
            className="checkboxes"
          />
        ) : (
          <p>Le réseau n’a pas encore de membre à inviter.</p>
        )}
        <button type="submit" class="button">
          {props.editId
            ? 'Enregistrer et prévenir les invités'
            : 'Créer l’événement et envoyer les invitations'}
        </button>
      </form>
    </>
  );
}

export function AdminEventPage(props: {
  detail: EventDetail;
  actions: Choice[];
  csrf: string;
  errors: FieldErrors;
  flash?: string | undefined;
}): JSX.Element {
  const { event: e, committee, invitations, registrations, decisions, minutes } = props.detail;
  return (
    <>
      <h1 safe>{e.titre}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} />
      {e.cancelled_at ? (
        <Notice>
          <p safe>{`Annulé le ${formatDateTime(e.cancelled_at)}.`}</p>
        </Notice>
      ) : (
        <p>
          <a href={`/admin/reseau/evenements/${e.id}/modifier`}>Modifier l’événement</a>
        </p>
      )}
      <SummaryList
        hideEmpty
        rows={[
          ['Quand', when(e)],
          ['Type', EVENT_KINDS[e.kind]],
          [
            'Comité',
            committee
              ? `${committee.nom} (${COMMITTEE_TYPES[committee.type]}, ${FREQUENCIES[committee.frequence].toLowerCase()})`
              : null,
          ],
          ['Ouvert à', AUDIENCES[e.audience]],
          ['Lieu', e.lieu],
          ['Lien', e.lien],
          [
            'Places',
            e.capacite === null
              ? null
              : `${safeNumber(registrations.length)} inscrit(s) sur ${safeNumber(e.capacite)}`,
          ],
          ['Ordre du jour', e.ordre_du_jour],
        ]}
      />
      {registrations.length > 0 ? (
        <Table caption="Inscrits" columns={['Nom', 'Courriel', 'Inscrit le']}>
          {registrations.map((r) => (
            <tr>
              <td safe>{r.nom}</td>
              <td safe>{r.email}</td>
              <td safe>{formatDateTime(r.created_at)}</td>
            </tr>
          ))}
        </Table>
      ) : (
        ''
      )}
      <h2>Compte rendu et présences</h2>
      <form method="post" action={`/admin/reseau/evenements/${e.id}/compte-rendu`} novalidate>
        <CsrfField token={props.csrf} />
        {invitations.length > 0 ? (
          <ChoiceGroup
            type="checkbox"
            name="presents"
            legend="Membres présents"
            options={invitations.map((i) => ({ value: i.membre_id, label: i.nom }))}
            checked={invitations.filter((i) => i.present).map((i) => i.membre_id)}
            className="checkboxes"
          />
        ) : (
          <p>Aucun membre invité.</p>
        )}
        <TextArea
          name="compte_rendu"
          label="Compte rendu"
          rows={8}
          value={e.compte_rendu}
          error={props.errors.compte_rendu}
        />
        <button type="submit" class="button">
          Enregistrer le compte rendu
        </button>
      </form>
      {minutes.length > 1 ? (
        <>
          <h3>Versions précédentes du compte rendu</h3>
          <p>Chaque modification est gardée : aucune version n’est écrasée.</p>
          {minutes.slice(1).map((m) => (
            <details>
              <summary safe>{`Version du ${formatDateTime(m.at)}`}</summary>
              <pre class="mail-body" safe>
                {m.texte}
              </pre>
            </details>
          ))}
        </>
      ) : (
        ''
      )}
      <p>
        <a href={`/admin/reseau/evenements/${e.id}/compte-rendu/versions`}>
          Comptes rendus en PDF : télécharger, joindre le compte rendu signé
        </a>
      </p>
      <h2>Décisions</h2>
      {decisions.length === 0 ? (
        <p>Aucune décision enregistrée.</p>
      ) : (
        <ol>
          {decisions.map((d) => (
            <li safe>{`${d.texte}${d.action_titre ? ` (action : ${d.action_titre})` : ''}`}</li>
          ))}
        </ol>
      )}
      <form method="post" action={`/admin/reseau/evenements/${e.id}/decisions`} novalidate>
        <CsrfField token={props.csrf} />
        <TextArea name="texte" label="Nouvelle décision" value="" error={props.errors.texte} />
        <Select
          name="action"
          label="Action de la feuille de route concernée (facultatif)"
          options={[{ value: '', label: 'Aucune' }, ...props.actions]}
          value=""
          error={props.errors.action}
        />
        <button type="submit" class="button">
          Enregistrer la décision
        </button>
      </form>
      {e.cancelled_at ? (
        ''
      ) : (
        <>
          <h2>Annuler l’événement</h2>
          <form method="post" action={`/admin/reseau/evenements/${e.id}/annulation`}>
            <CsrfField token={props.csrf} />
            <button type="submit" class="button button--danger">
              Annuler et prévenir les invités et inscrits
            </button>
          </form>
        </>
      )}
    </>
  );
}

function ActionFields(props: {
  roadmaps: readonly { id: string; nom: string }[];
  collectivites: Map<number, string>;
  values: Values;
  lists?: Lists | undefined;
  errors: FieldErrors;
}): JSX.Element {
  return (
    <>
      <Select
        name="feuille"
        label="Feuille de route"
        options={props.roadmaps.map((r) => ({ value: r.id, label: r.nom }))}
        value={props.values.feuille}
        error={props.errors.feuille}
      />
      <Field
        name="titre"
        label="Titre de l’action"
        value={props.values.titre}
        error={props.errors.titre}
        required
      />
      <TextArea
        name="description"
        label="Description (facultatif)"
        value={props.values.description}
        error={props.errors.description}
      />
      <ChoiceGroup
        type="checkbox"
        name="besoins"
        legend="Besoins (liste nationale)"
        options={vocabularyOptions(NEEDS)}
        checked={props.lists?.besoins ?? []}
        error={props.errors.besoins}
        className="checkboxes"
      />
      <Field
        name="debut"
        type="date"
        label="Début"
        value={props.values.debut}
        error={props.errors.debut}
        required
        inputClass="input--short"
      />
      <Field
        name="fin"
        type="date"
        label="Fin"
        value={props.values.fin}
        error={props.errors.fin}
        required
        inputClass="input--short"
      />
      <Field
        name="budget"
        type="number"
        label="Budget en euros (facultatif)"
        value={props.values.budget}
        error={props.errors.budget}
        inputClass="input--short"
      />
      <Select
        name="indicateur"
        label="Indicateur (calculé à partir des données de Relais)"
        options={vocabularyOptions(ALL_INDICATORS)}
        value={props.values.indicateur}
        error={props.errors.indicateur}
      />
      <Select
        name="collectivite"
        label="Territoire compté"
        options={[
          { value: '', label: 'Tout le territoire de l’OPSN' },
          ...[...props.collectivites].map(([id, name]) => ({ value: String(id), label: name })),
        ]}
        value={props.values.collectivite}
        error={props.errors.collectivite}
      />
      <Field
        name="cible"
        type="number"
        label="Cible sur la durée de l’action"
        hint="Pour un délai : le nombre de jours à ne pas dépasser."
        value={props.values.cible}
        error={props.errors.cible}
        inputClass="input--short"
      />
    </>
  );
}

function RoadmapFields(props: { members: Choice[]; values: Values; errors: FieldErrors }): JSX.Element {
  return (
    <>
      <Field name="nom" label="Nom" value={props.values.nom} error={props.errors.nom} required />
      <Select
        name="porteur"
        label="Porteur"
        options={[{ value: '', label: 'L’OPSN' }, ...props.members]}
        value={props.values.porteur}
        error={props.errors.porteur}
      />
      <Field
        name="perimetre"
        label="Périmètre"
        hint="Par exemple : tout le territoire, ou les communes de la Loire."
        value={props.values.perimetre}
        error={props.errors.perimetre}
        required
      />
      <TextArea
        name="contexte"
        label="Contexte (facultatif)"
        value={props.values.contexte}
        error={props.errors.contexte}
      />
      <ChoiceGroup
        type="radio"
        name="visibilite"
        legend="Qui peut lire la feuille de route et ses documents"
        options={[
          { value: 'publique', label: 'Tout le monde (page publique)' },
          { value: 'interne', label: 'La coordination du réseau seulement' },
        ]}
        checked={[props.values.visibilite || 'publique']}
        error={props.errors.visibilite}
      />
    </>
  );
}

export function EditRoadmapPage(props: {
  id: string;
  members: Choice[];
  values: Values;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1>Modifier la feuille de route</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`/admin/reseau/feuilles-de-route/${props.id}/modifier`} novalidate>
        <CsrfField token={props.csrf} />
        <RoadmapFields members={props.members} values={props.values} errors={props.errors} />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

export function EditActionPage(props: {
  id: string;
  roadmaps: readonly { id: string; nom: string }[];
  collectivites: Map<number, string>;
  values: Values;
  lists?: Lists;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1>Modifier l’action</h1>
      <p>L’avancement reste calculé à partir des données de Relais : changez l’indicateur ou sa cible ici.</p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`/admin/reseau/actions/${props.id}/modifier`} novalidate>
        <CsrfField token={props.csrf} />
        <ActionFields
          roadmaps={props.roadmaps}
          collectivites={props.collectivites}
          values={props.values}
          lists={props.lists}
          errors={props.errors}
        />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

export function EditCommitteePage(props: {
  id: string;
  values: Values;
  errors: FieldErrors;
  csrf: string;
}): JSX.Element {
  return (
    <>
      <h1>Modifier le comité</h1>
      <ErrorSummary errors={props.errors} />
      <form method="post" action={`/admin/reseau/comites/${props.id}/modifier`} novalidate>
        <CsrfField token={props.csrf} />
        <CommitteeFields values={props.values} errors={props.errors} />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}

export function AdminRoadmapPage(props: {
  roadmaps: RoadmapView[];
  members: Choice[];
  collectivites: Map<number, string>;
  values: Values;
  lists?: Lists;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <h1>Feuille de route</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={e} />
      <p>
        <a href="/reseau/feuille-de-route">Page publique</a>
      </p>
      {props.roadmaps.map((r) => (
        <section>
          <h2 safe>{r.nom}</h2>
          <p>
            <a href={`/admin/reseau/feuilles-de-route/${r.id}/modifier`}>
              Modifier la feuille de route{' '}
              <span class="visually-hidden" safe>
                {r.nom}
              </span>
            </a>
            {' · '}
            <a href={`/admin/reseau/feuilles-de-route/${r.id}/documents`}>
              Document et versions{' '}
              <span class="visually-hidden" safe>
                {`de ${r.nom}`}
              </span>
            </a>
            {' · '}
            <a href={`/admin/reseau/feuilles-de-route/${r.id}/conseil.pdf`}>
              PDF pour le conseil{' '}
              <span class="visually-hidden" safe>
                {`de ${r.nom}`}
              </span>
            </a>
            {r.publique ? '' : ' · Réservée à la coordination'}
          </p>
          <RoadmapActions roadmap={r} collectivites={props.collectivites} csrf={props.csrf} />
        </section>
      ))}
      {props.roadmaps.length > 0 ? (
        <>
          <h2>Ajouter une action</h2>
          <form method="post" action="/admin/reseau/actions" novalidate>
            <CsrfField token={props.csrf} />
            <ActionFields
              roadmaps={props.roadmaps}
              collectivites={props.collectivites}
              values={v}
              lists={props.lists}
              errors={e}
            />
            <button type="submit" class="button">
              Ajouter l’action
            </button>
          </form>
        </>
      ) : (
        <p>Aucune feuille de route : créez-en une pour y ajouter des actions.</p>
      )}
      <h2>Créer une feuille de route</h2>
      <form method="post" action="/admin/reseau/feuilles-de-route" novalidate>
        <CsrfField token={props.csrf} />
        <RoadmapFields members={props.members} values={v} errors={e} />
        <button type="submit" class="button button--secondary">
          Créer la feuille de route
        </button>
      </form>
    </>
  );
}

export function AdminNewsPage(props: {
  news: News[];
  values: Values;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  return (
    <>
      <h1>Actualités du réseau</h1>
      <Flash message={props.flash} />
      <h2>Publier une actualité</h2>
      <p>Elle part aussitôt par courriel aux contacts des membres, chacun avec un lien pour se désabonner.</p>
      <ErrorSummary errors={props.errors} />
      <form method="post" action="/admin/reseau/actualites" novalidate>
        <CsrfField token={props.csrf} />
        <Field name="titre" label="Titre" value={props.values.titre} error={props.errors.titre} required />
        <TextArea
          name="texte"
          label="Texte"
          rows={8}
          value={props.values.texte}
          error={props.errors.texte}
          required
        />
        <Select
          name="audience"
          label="Publication"
          options={vocabularyOptions(NEWS_AUDIENCES)}
          value={props.values.audience}
          error={props.errors.audience}
        />
        <button type="submit" class="button">
          Publier et envoyer
        </button>
      </form>
      <h2>Publiées</h2>
      {props.news.length === 0 ? (
        <p>Aucune actualité publiée.</p>
      ) : (
        <Table
          caption="Actualités publiées"
          captionHidden
          columns={['Date', 'Titre', 'Publication', { label: 'Envoyée à', numeric: true }]}
        >
          {props.news.map((n) => (
            <tr>
              <td safe>{formatDate(n.published_at)}</td>
              <td safe>{n.titre}</td>
              <td safe>{labelOf(NEWS_AUDIENCES, n.audience)}</td>
              <td class="num">{safeNumber(n.recipients)}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

export type { ActionStatus };
