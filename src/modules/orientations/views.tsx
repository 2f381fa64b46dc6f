import { labelsOf } from '../../platform/forms.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import {
  ChoiceGroup,
  CsrfField,
  ErrorSummary,
  Field,
  type FieldErrors,
  Notice,
  Select,
  safeNumber,
  TextArea,
} from '../../platform/ui/components.tsx';
import { Pagination } from '../../platform/ui/pagination.tsx';
import { SummaryList } from '../../platform/ui/summary.tsx';
import { Table } from '../../platform/ui/table.tsx';
import {
  availabilityOf,
  consentSummary,
  type Dashboard,
  type Destination,
  fullNameOf,
  noContactMessage,
  PAGE_SIZE,
  type Referral,
  shortNameOf,
  type Warnings,
} from './service.ts';
import {
  CONSENT_MODES,
  CONTACT_PREFERENCES,
  LINK_DAYS,
  REASON_MAX,
  REFUSAL_REASONS,
  RETENTION_TEXT,
  SHARED_DATA,
  STATUSES,
  type Status,
} from './vocabulary.ts';

const options = (vocabulary: Readonly<Record<string, string>>) =>
  Object.entries(vocabulary).map(([value, label]) => ({ value, label }));

function Flash({ message }: { message: string | undefined }): JSX.Element {
  if (!message) return '';
  return (
    <Notice kind="success">
      <p safe>{message}</p>
    </Notice>
  );
}

function StatusTag({ status }: { status: Status }): JSX.Element {
  return <span class={`orientation-status orientation-status--${status}`}>{STATUSES[status]}</span>;
}

// ---------------------------------------------------------------------------------- sending

export type PlaceHit = { id: string; nom: string; commune: string; code_postal: string };

/** The first step when no place is chosen yet: a search among the directory's places. */
export function ChoosePlacePage(props: {
  beneficiaire: string | undefined;
  q: string;
  hits: PlaceHit[];
}): JSX.Element {
  const carry = props.beneficiaire ? `beneficiaire=${encodeURIComponent(props.beneficiaire)}&` : '';
  return (
    <>
      <h1>Orienter une personne</h1>
      <p>Cherchez le lieu qui peut recevoir la personne, puis choisissez-le.</p>
      <form method="get" action="/orientations/nouvelle" class="orientation-search">
        {props.beneficiaire ? <input type="hidden" name="beneficiaire" value={props.beneficiaire} /> : ''}
        <Field name="q" label="Nom du lieu, commune ou service" type="search" value={props.q} />
        <button type="submit" class="button">
          Chercher
        </button>
      </form>
      {props.q ? (
        props.hits.length === 0 ? (
          <p>Aucun lieu ne correspond à cette recherche.</p>
        ) : (
          <ul class="orientation-places">
            {props.hits.map((h) => (
              <li>
                <a href={`/orientations/nouvelle?${carry}lieu=${h.id}`} safe>
                  {`${h.nom} (${h.code_postal} ${h.commune})`}
                </a>
              </li>
            ))}
          </ul>
        )
      ) : (
        ''
      )}
    </>
  );
}

export type ReferralFormValues = Partial<Record<string, string>>;

export function NewReferralPage(props: {
  destination: Destination;
  people: { value: string; label: string }[];
  values: ReferralFormValues;
  errors: FieldErrors;
  warnings?: Warnings | undefined;
  csrf: string;
}): JSX.Element {
  const d = props.destination;
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <h1 safe>{`Orienter une personne vers ${d.name}`}</h1>
      <ErrorSummary errors={e} />
      <SummaryList
        rows={[
          ['Lieu', d.name],
          ['Adresse', d.address],
          ['Téléphone', d.phone],
          ['Adresse de contact', d.email ?? 'aucune'],
        ]}
        hideEmpty
      />
      {!d.email ? (
        <Notice>
          <p safe>{noContactMessage(d)}</p>
        </Notice>
      ) : d.services.length === 0 ? (
        <Notice>
          <p>Ce lieu ne déclare aucun service dans l’annuaire : il ne peut pas recevoir d’orientation.</p>
        </Notice>
      ) : (
        <form method="post" action="/orientations/nouvelle" novalidate>
          <CsrfField token={props.csrf} />
          <input type="hidden" name="lieu" value={d.lieuId} />
          {props.warnings ? (
            <div class="notice orientation-warning" role="alert">
              <h2>Avant d’envoyer</h2>
              <ul>
                {props.warnings.ownStructure ? (
                  <li>Vous travaillez dans ce lieu : cette orientation va vers votre propre structure.</li>
                ) : (
                  ''
                )}
                {props.warnings.duplicate ? (
                  <li safe>
                    {`Doublon probable : cette personne a déjà été orientée vers ce service le ${formatDateTime(props.warnings.duplicate.created_at)}.`}
                  </li>
                ) : (
                  ''
                )}
              </ul>
              <div class="checkbox">
                <input type="checkbox" id="champ-confirmer" name="confirmer" value="oui" />
                <label for="champ-confirmer">Je confirme l’envoi malgré cet avertissement</label>
              </div>
            </div>
          ) : (
            ''
          )}
          <Select
            name="beneficiaire"
            label="Personne orientée"
            hint="Une des personnes que vous accompagnez."
            options={[{ value: '', label: 'Choisissez une personne' }, ...props.people]}
            value={v.beneficiaire}
            error={e.beneficiaire}
          />
          <Select
            name="service"
            label="Service"
            options={[
              { value: '', label: 'Choisissez un service' },
              ...d.services.map((s) => ({ value: s, label: s })),
            ]}
            value={v.service}
            error={e.service}
          />
          {e.lieu ? (
            <p class="field__error" id="champ-lieu" safe>
              {e.lieu}
            </p>
          ) : (
            ''
          )}
          <ChoiceGroup
            type="radio"
            name="contact_preference"
            legend="Comment la personne préfère-t-elle être contactée ?"
            options={options(CONTACT_PREFERENCES)}
            checked={v.contact_preference ? [v.contact_preference] : []}
            error={e.contact_preference}
          />
          <Field
            name="telephone"
            type="tel"
            label="Téléphone de la personne"
            hint="Obligatoire si elle préfère le téléphone. Un portable permet de la prévenir par SMS."
            value={v.telephone}
            error={e.telephone}
            autocomplete="off"
          />
          <Field
            name="email"
            type="email"
            label="Courriel de la personne"
            hint="Obligatoire si elle préfère le courriel."
            value={v.email}
            error={e.email}
            autocomplete="off"
          />
          <Field
            name="contact_autre"
            label="Autre moyen de la contacter"
            hint="Si vous avez choisi « Autrement »."
            value={v.contact_autre}
            error={e.contact_autre}
          />
          <Field
            name="disponibilite"
            type="date"
            label="Disponible à partir du (facultatif)"
            value={v.disponibilite}
            error={e.disponibilite}
          />
          <TextArea
            name="motif"
            label="Motif de l’orientation"
            hint={`Ce que la personne attend du service, en ${REASON_MAX} caractères au plus. Pas de données de santé ni de pièces d’identité.`}
            value={v.motif}
            error={e.motif}
            rows={5}
          />
          <fieldset class={e.consentement || e.consent_mode ? 'field--error' : undefined}>
            <legend>Accord de la personne</legend>
            <p>Lisez-lui ce qui suit avant d’envoyer :</p>
            <ul>
              <li safe>{`Avec qui : ${d.name}.`}</li>
              <li>
                Ce qui est transmis :
                <ul>
                  {SHARED_DATA.map((s) => (
                    <li>{s}</li>
                  ))}
                </ul>
              </li>
              <li>{`Combien de temps : ${RETENTION_TEXT}.`}</li>
              <li>
                Elle peut retirer son accord à tout moment : l’orientation est alors close et le lieu prévenu.
              </li>
            </ul>
            <ChoiceGroup
              type="radio"
              name="consent_mode"
              legend="Accord recueilli"
              options={options(CONSENT_MODES)}
              checked={v.consent_mode ? [v.consent_mode] : []}
              error={e.consent_mode}
            />
            <ChoiceGroup
              type="checkbox"
              name="consentement"
              legend="Consentement"
              options={[{ value: 'oui', label: 'La personne a donné son accord, je l’enregistre à mon nom' }]}
              checked={v.consentement === 'oui' ? ['oui'] : []}
              error={e.consentement}
            />
          </fieldset>
          <button type="submit" class="button">
            Envoyer l’orientation
          </button>
        </form>
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------- lists

function DashboardCounts(props: {
  dashboard: Dashboard;
  pending: number;
  pendingLabel: string;
  totalLabel: string;
}): JSX.Element {
  return (
    <p class="orientation-dashboard">
      <strong safe>{`${safeNumber(props.pending)} ${props.pendingLabel}`}</strong>
      {' / '}
      <span safe>{`${safeNumber(props.dashboard.total)} ${props.totalLabel}`}</span>
    </p>
  );
}

function StatusFilter(props: {
  base: string;
  current: Status | undefined;
  dashboard: Dashboard;
}): JSX.Element {
  return (
    <nav aria-label="Filtrer par état" class="orientation-filters">
      <ul>
        <li>
          <a href={props.base} aria-current={props.current ? undefined : 'page'}>
            Toutes
          </a>
        </li>
        {(Object.keys(STATUSES) as Status[]).map((s) => (
          <li>
            <a
              href={`${props.base}?statut=${s}`}
              aria-current={props.current === s ? 'page' : undefined}
              safe
            >
              {`${STATUSES[s]} (${safeNumber(props.dashboard.byStatus[s] ?? 0)})`}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const pagesOf = (count: number) => Math.max(1, Math.ceil(count / PAGE_SIZE));

export function SentListPage(props: {
  dashboard: Dashboard;
  status: Status | undefined;
  rows: Referral[];
  count: number;
  page: number;
  flash?: string | undefined;
}): JSX.Element {
  const d = props.dashboard;
  const pending = (d.byStatus.envoyee ?? 0) + (d.byStatus.a_l_etude ?? 0) + (d.byStatus.acceptee ?? 0);
  const query = props.status ? `statut=${props.status}&` : '';
  return (
    <>
      <h1>Mes orientations envoyées</h1>
      <Flash message={props.flash} />
      <DashboardCounts dashboard={d} pending={pending} pendingLabel="en cours" totalLabel="envoyées" />
      <p class="button-group">
        <a class="button" href="/orientations/nouvelle">
          Orienter une personne
        </a>
        <a class="button button--secondary" href="/orientations/recues">
          Orientations reçues
        </a>
      </p>
      <StatusFilter base="/orientations" current={props.status} dashboard={d} />
      <p>
        <a href={`/orientations/export.xlsx${props.status ? `?statut=${props.status}` : ''}`}>
          Télécharger ces orientations (tableur XLSX)
        </a>
      </p>
      {props.rows.length === 0 ? (
        <p>Aucune orientation {props.status ? 'dans cet état' : 'envoyée pour l’instant'}.</p>
      ) : (
        <Table
          caption="Orientations envoyées, les plus récentes d’abord"
          columns={['Date', 'Personne', 'Lieu et service', 'État']}
        >
          {props.rows.map((r) => (
            <tr>
              <td safe>{formatDateTime(r.created_at)}</td>
              <td>
                <a href={`/orientations/${r.id}`} safe>
                  {fullNameOf(r)}
                </a>
              </td>
              <td safe>{`${r.destination_name} — ${r.service}`}</td>
              <td>
                <StatusTag status={r.status} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pagination
        page={props.page}
        pages={pagesOf(props.count)}
        href={(p) => `/orientations?${query}page=${p}`}
      />
    </>
  );
}

export function ReceivedListPage(props: {
  dashboard: Dashboard;
  status: Status | undefined;
  rows: Referral[];
  count: number;
  page: number;
}): JSX.Element {
  const d = props.dashboard;
  const pending = (d.byStatus.envoyee ?? 0) + (d.byStatus.a_l_etude ?? 0);
  const query = props.status ? `statut=${props.status}&` : '';
  return (
    <>
      <h1>Orientations reçues</h1>
      <p>Les orientations vers vos lieux d’activité, quelle que soit la structure qui les envoie.</p>
      <DashboardCounts dashboard={d} pending={pending} pendingLabel="à traiter" totalLabel="reçues" />
      <StatusFilter base="/orientations/recues" current={props.status} dashboard={d} />
      <p>
        <a href={`/orientations/export.xlsx?sens=recues${props.status ? `&statut=${props.status}` : ''}`}>
          Télécharger ces orientations (tableur XLSX)
        </a>
      </p>
      {props.rows.length === 0 ? (
        <p>Aucune orientation {props.status ? 'dans cet état' : 'reçue pour l’instant'}.</p>
      ) : (
        <Table
          caption="Orientations reçues, les plus récentes d’abord"
          columns={['Date', 'Personne', 'Lieu et service', 'Envoyée par', 'État']}
        >
          {props.rows.map((r) => (
            <tr>
              <td safe>{formatDateTime(r.created_at)}</td>
              <td>
                <a href={`/orientations/recues/${r.id}`} safe>
                  {r.status === 'acceptee' || r.status === 'honoree' || r.status === 'non_honoree'
                    ? fullNameOf(r)
                    : shortNameOf(r)}
                </a>
              </td>
              <td safe>{`${r.destination_name} — ${r.service}`}</td>
              <td safe>{r.sender_name}</td>
              <td>
                <StatusTag status={r.status} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pagination
        page={props.page}
        pages={pagesOf(props.count)}
        href={(p) => `/orientations/recues?${query}page=${p}`}
      />
    </>
  );
}

// ---------------------------------------------------------------------------------- one referral

function AnswerSummary({ r }: { r: Referral }): JSX.Element {
  return (
    <SummaryList
      rows={[
        ['Réponse le', r.answered_at ? formatDateTime(r.answered_at) : null],
        ['Réponse de', r.answered_by_label],
        ['Raisons du refus', r.refusal_reasons.length ? labelsOf(REFUSAL_REASONS, r.refusal_reasons) : null],
        ['Message', r.answer_message],
      ]}
      hideEmpty
    />
  );
}

const contactOf = (r: Referral) =>
  r.contact_preference === 'telephone'
    ? r.telephone
    : r.contact_preference === 'email'
      ? r.email
      : r.contact_preference === 'autre'
        ? r.contact_autre
        : `par ${r.sender_name} (${r.sender_email})`;

export function SenderReferralPage(props: {
  r: Referral;
  csrf: string;
  flash?: string | undefined;
  error?: string | undefined;
}): JSX.Element {
  const r = props.r;
  const open = r.status === 'envoyee' || r.status === 'a_l_etude' || r.status === 'acceptee';
  return (
    <>
      <h1 safe>{`Orientation de ${fullNameOf(r)}`}</h1>
      <Flash message={props.flash} />
      {props.error ? (
        <Notice>
          <p safe>{props.error}</p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        État : <StatusTag status={r.status} />
      </p>
      <SummaryList
        rows={[
          ['Envoyée le', formatDateTime(r.created_at)],
          ['Lieu', r.destination_name],
          ['Service', r.service],
          ['Envoyée à', r.destination_email],
          ['Contact préféré', `${CONTACT_PREFERENCES[r.contact_preference]} : ${contactOf(r) ?? ''}`],
          ['Disponible', availabilityOf(r)],
          ['Motif', r.motif],
          ['Consentement', consentSummary(r)],
          ['Consentement retiré le', r.consent_revoked_at ? formatDateTime(r.consent_revoked_at) : null],
          ['Vers sa propre structure', r.own_structure ? 'oui' : null],
          [
            'Doublon',
            r.duplicate_of ? 'une orientation vers ce service a été envoyée moins de 30 jours avant' : null,
          ],
        ]}
        hideEmpty
      />
      <form method="post" action={`/orientations/${r.id}/copie`}>
        <CsrfField token={props.csrf} />
        <button type="submit" class="button button--secondary">
          Envoyer à la personne une copie de son accord
        </button>
      </form>
      <h2>Réponse du lieu</h2>
      {r.answered_at ? <AnswerSummary r={r} /> : <p>Pas encore de réponse.</p>}
      {open ? (
        <form method="post" action={`/orientations/${r.id}/retrait`}>
          <CsrfField token={props.csrf} />
          <h2>Retrait du consentement</h2>
          <p>Si la personne retire son accord, l’orientation est close et le lieu est prévenu.</p>
          <button type="submit" class="button button--secondary">
            La personne retire son accord
          </button>
        </form>
      ) : (
        ''
      )}
    </>
  );
}

/**
 * What the receiving side sees and does, through the link or signed in: `action` is the base of
 * its forms (`/orientations/reponse/<token>` or `/orientations/recues/<id>`).
 */
export function ReceiverReferralPage(props: {
  r: Referral;
  action: string;
  csrf: string;
  personMessage: string;
  errors?: FieldErrors;
  values?: ReferralFormValues;
  flash?: string | undefined;
  error?: string | undefined;
  /** Until when the link works (link only). */
  linkExpires?: Date | undefined;
}): JSX.Element {
  const r = props.r;
  const accepted = r.status === 'acceptee' || r.status === 'honoree' || r.status === 'non_honoree';
  const open = r.status === 'envoyee' || r.status === 'a_l_etude';
  const e = props.errors ?? {};
  const v = props.values ?? {};
  return (
    <>
      <h1 safe>{`Orientation de ${accepted ? fullNameOf(r) : shortNameOf(r)}`}</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={e} />
      {props.error ? (
        <Notice>
          <p safe>{props.error}</p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        État : <StatusTag status={r.status} />
      </p>
      <SummaryList
        rows={[
          ['Reçue le', formatDateTime(r.created_at)],
          ['Lieu', r.destination_name],
          ['Service', r.service],
          ['Envoyée par', `${r.sender_name} (${r.sender_email})`],
          ['Disponible', availabilityOf(r)],
          ['Motif', r.motif],
          ['Consentement', consentSummary(r)],
          [
            'Contact de la personne',
            accepted
              ? `${CONTACT_PREFERENCES[r.contact_preference]} : ${contactOf(r) ?? ''}`
              : r.status === 'retiree'
                ? 'La personne a retiré son accord.'
                : 'Visible une fois l’orientation acceptée.',
          ],
        ]}
      />
      {r.answered_at ? (
        <>
          <h2>Réponse</h2>
          <AnswerSummary r={r} />
        </>
      ) : (
        ''
      )}
      {props.linkExpires ? (
        <p class="orientation-link" safe>
          {`Ce lien reste valable jusqu’au ${formatDateTime(props.linkExpires)}. Ne le transférez pas.`}
        </p>
      ) : (
        ''
      )}
      {open ? (
        <>
          {r.status === 'envoyee' ? (
            <form method="post" action={`${props.action}/etude`}>
              <CsrfField token={props.csrf} />
              <button type="submit" class="button button--secondary">
                Mettre à l’étude
              </button>
            </form>
          ) : (
            ''
          )}
          <form method="post" action={`${props.action}/accepter`} class="orientation-answer">
            <CsrfField token={props.csrf} />
            <h2>Accepter</h2>
            <TextArea
              name="message"
              label="Message à la personne qui a orienté (facultatif)"
              value={v.message}
              error={e.message}
              rows={3}
            />
            <TextArea
              name="message_personne"
              label="Message à la personne orientée"
              hint="Envoyé par SMS ou courriel selon sa préférence ; 480 caractères au plus."
              value={v.message_personne ?? props.personMessage}
              error={e.message_personne}
              rows={3}
            />
            <button type="submit" class="button">
              Accepter l’orientation
            </button>
          </form>
          <form method="post" action={`${props.action}/refuser`} class="orientation-answer">
            <CsrfField token={props.csrf} />
            <h2>Refuser</h2>
            <ChoiceGroup
              type="checkbox"
              name="motifs"
              legend="Raisons du refus"
              hint="Au moins une."
              options={options(REFUSAL_REASONS)}
              checked={v.motifs ? v.motifs.split(',') : []}
              error={e.motifs}
            />
            <TextArea
              name="refus_message"
              label="Message à la personne qui a orienté"
              value={v.refus_message}
              error={e.refus_message}
              rows={3}
            />
            <button type="submit" class="button button--secondary">
              Refuser l’orientation
            </button>
          </form>
          <p>
            Une question ? Écrivez à{' '}
            <a href={`mailto:${r.sender_email}`} safe>
              {r.sender_name}
            </a>
            .
          </p>
        </>
      ) : r.status === 'acceptee' ? (
        <form method="post" action={`${props.action}/cloture`} class="orientation-answer">
          <CsrfField token={props.csrf} />
          <h2>La personne est-elle venue ?</h2>
          <p class="button-group">
            <button type="submit" name="honoree" value="oui" class="button">
              Oui, elle a été reçue
            </button>
            <button type="submit" name="honoree" value="non" class="button button--secondary">
              Non, elle n’est pas venue
            </button>
          </p>
        </form>
      ) : (
        ''
      )}
    </>
  );
}

/** A link that cannot be used: altered, unknown, expired or replaced (the last two can be renewed). */
export function LinkProblemPage(props: {
  state: 'invalid' | 'expired' | 'replaced';
  renewAction?: string | undefined;
  csrf: string;
  renewed?: boolean;
}): JSX.Element {
  const title =
    props.state === 'invalid'
      ? 'Ce lien n’est pas valide'
      : props.state === 'expired'
        ? 'Ce lien a expiré'
        : 'Ce lien a été remplacé';
  return (
    <>
      <h1>{title}</h1>
      {props.renewed ? (
        <Notice kind="success">
          <p>Un nouveau lien a été envoyé à l’adresse de contact du lieu. Consultez sa messagerie.</p>
        </Notice>
      ) : props.state === 'invalid' ? (
        <p>Vérifiez que vous avez copié le lien en entier depuis le courriel reçu.</p>
      ) : (
        <>
          <p>
            {props.state === 'expired'
              ? `Les liens vers une orientation sont valables ${LINK_DAYS} jours.`
              : 'Un lien plus récent a été envoyé pour cette orientation : utilisez le dernier courriel reçu.'}
          </p>
          {props.renewAction ? (
            <form method="post" action={props.renewAction}>
              <CsrfField token={props.csrf} />
              <p>Le nouveau lien est envoyé à l’adresse de contact du lieu, pas à vous directement.</p>
              <button type="submit" class="button">
                Recevoir un nouveau lien
              </button>
            </form>
          ) : (
            <p>Cette orientation n’attend plus de réponse.</p>
          )}
        </>
      )}
    </>
  );
}

/** The OPSN's timers of referrals, for its administrators. */
export function TimersPage(props: {
  values: Record<string, string | number>;
  errors: FieldErrors;
  csrf: string;
  flash?: string | undefined;
}): JSX.Element {
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <h1>Délais des orientations</h1>
      <Flash message={props.flash} />
      <ErrorSummary errors={e} />
      <p>
        Ces délais valent pour tout le territoire. Une tâche planifiée les applique chaque heure : relance du
        lieu qui n’a pas répondu, alerte de ses coordinateurs, expiration.
      </p>
      <form method="post" action="/admin/orientations" novalidate>
        <CsrfField token={props.csrf} />
        <Field
          name="reminderDays"
          type="number"
          label="Relancer le lieu tous les (jours)"
          value={v.reminderDays}
          error={e.reminderDays}
        />
        <Field
          name="escalateAfter"
          type="number"
          label="Alerter ses coordinateurs après (relances)"
          value={v.escalateAfter}
          error={e.escalateAfter}
        />
        <Field
          name="expiryDays"
          type="number"
          label="Expiration sans réponse après (jours)"
          value={v.expiryDays}
          error={e.expiryDays}
        />
        <Field
          name="studyExpiryDays"
          type="number"
          label="Expiration à l’étude après (jours)"
          hint="Compté depuis la mise à l’étude."
          value={v.studyExpiryDays}
          error={e.studyExpiryDays}
        />
        <button type="submit" class="button">
          Enregistrer
        </button>
      </form>
    </>
  );
}
