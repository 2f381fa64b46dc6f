import { vocabularyOptions } from '../../../platform/forms.ts';
import { formatDateTime } from '../../../platform/paris-time.ts';
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
} from '../../../platform/ui/components.tsx';
import { Pagination } from '../../../platform/ui/pagination.tsx';
import { SummaryList } from '../../../platform/ui/summary.tsx';
import { Table } from '../../../platform/ui/table.tsx';
import {
  AnswerSummary,
  contactOf,
  DashboardCounts,
  pagesOf,
  type ReferralFormValues,
  StatusFilter,
  StatusTag,
} from '../components.tsx';
import { type Destination, noContactMessage } from '../destination.ts';
import type { Dashboard } from '../lists.ts';
import { availabilityOf, consentSummary, fullNameOf, type Referral } from '../referral.ts';
import {
  CONSENT_MODES,
  CONTACT_PREFERENCES,
  NEW_PERSON,
  REASON_MAX,
  retentionText,
  SHARED_DATA,
  type Status,
} from '../vocabulary.ts';
import type { Warnings } from './service.ts';

export type PlaceHit = { id: string; nom: string; commune: string; code_postal: string };

/** The first step when no place is chosen yet: a search among the directory's places. */
export function ChoosePlacePage(props: {
  beneficiaire: string | undefined;
  origine?: string | undefined;
  q: string;
  hits: PlaceHit[];
  di?: string | undefined;
  diError?: string | undefined;
}): JSX.Element {
  const carry = [
    props.beneficiaire ? `beneficiaire=${encodeURIComponent(props.beneficiaire)}&` : '',
    props.origine ? `origine=${encodeURIComponent(props.origine)}&` : '',
  ].join('');
  const hidden = (
    <>
      {props.beneficiaire ? <input type="hidden" name="beneficiaire" value={props.beneficiaire} /> : ''}
      {props.origine ? <input type="hidden" name="origine" value={props.origine} /> : ''}
    </>
  );
  return (
    <>
      <h1>Orienter une personne</h1>
      <ErrorSummary errors={props.diError ? { di: props.diError } : {}} />
      <p>Cherchez le lieu qui peut recevoir la personne, puis choisissez-le.</p>
      <form method="get" action="/orientations/nouvelle" class="orientation-search">
        {hidden}
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
      <h2>Structure hors du territoire</h2>
      <p>
        Pour une structure qui n’est pas dans l’annuaire du territoire, donnez l’identifiant de son service
        dans data·inclusion (la base nationale de l’offre d’insertion) : vous saisirez ensuite son nom, son
        adresse et son contact.
      </p>
      <form method="get" action="/orientations/nouvelle" class="orientation-search">
        {hidden}
        <Field
          name="di"
          label="Identifiant data·inclusion du service"
          hint="De la forme source--identifiant, par exemple dora--2f1c0e6a."
          value={props.di}
          error={props.diError}
        />
        <button type="submit" class="button button--secondary">
          Continuer
        </button>
      </form>
    </>
  );
}

export function NewReferralPage(props: {
  destination: Destination;
  people: { value: string; label: string }[];
  values: ReferralFormValues;
  errors: FieldErrors;
  warnings?: Warnings | undefined;
  csrf: string;
  /** The OPSN's retention, read to the person with their consent. */
  retentionMonths: number;
}): JSX.Element {
  const d = props.destination;
  const v = props.values;
  const e = props.errors;
  return (
    <>
      <h1 safe>{`Orienter une personne vers ${d.name}`}</h1>
      <ErrorSummary errors={e} />
      {d.lieuId ? (
        <SummaryList
          rows={[
            ['Lieu', d.name],
            ['Adresse', d.address],
            ['Téléphone', d.phone],
            ['Adresse de contact', d.email ?? 'aucune'],
          ]}
          hideEmpty
        />
      ) : (
        <p>
          Structure hors du territoire : vérifiez ou complétez son nom, son adresse et son contact, tels que
          data·inclusion les donne. Relais les garde avec l’orientation.
        </p>
      )}
      {d.criteria.length > 0 ? (
        <section class="orientation-criteria" aria-labelledby="criteres">
          <h2 id="criteres">Conditions d’accès déclarées par le lieu</h2>
          <p>Vérifiez avec la personne qu’elle les remplit avant d’envoyer.</p>
          <SummaryList rows={d.criteria} />
        </section>
      ) : (
        ''
      )}
      {d.lieuId && !d.email ? (
        <Notice>
          <p safe>{noContactMessage(d)}</p>
        </Notice>
      ) : d.lieuId && d.services.length === 0 ? (
        <Notice>
          <p>Ce lieu ne déclare aucun service dans l’annuaire : il ne peut pas recevoir d’orientation.</p>
        </Notice>
      ) : (
        <form method="post" action="/orientations/nouvelle" novalidate>
          <CsrfField token={props.csrf} />
          {d.lieuId ? <input type="hidden" name="lieu" value={d.lieuId} /> : <OutsideFields v={v} e={e} />}
          {v.origine ? <input type="hidden" name="origine" value={v.origine} /> : ''}
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
            hint="Une des personnes que vous accompagnez, ou une nouvelle personne."
            options={[
              { value: '', label: 'Choisissez une personne' },
              ...props.people,
              { value: NEW_PERSON, label: 'Nouvelle personne (pas encore de fiche)' },
            ]}
            value={v.beneficiaire}
            error={e.beneficiaire}
          />
          <fieldset class="orientation-new-person">
            <legend>Nouvelle personne</legend>
            <p class="field__hint">
              Seulement si elle n’a pas de fiche : son prénom, son nom et au moins un téléphone ou un courriel
              (plus bas). Une fiche minimale est créée avec l’orientation.
            </p>
            <Field name="nouveau_prenom" label="Prénom" value={v.nouveau_prenom} error={e.nouveau_prenom} />
            <Field name="nouveau_nom" label="Nom" value={v.nouveau_nom} error={e.nouveau_nom} />
          </fieldset>
          {d.lieuId ? (
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
          ) : (
            ''
          )}
          <Field
            name="destination_referent"
            label="Personne qui l’attend dans ce lieu (facultatif)"
            hint="Si vous connaissez la personne qui va la recevoir : son nom, sa fonction."
            value={v.destination_referent}
            error={e.destination_referent}
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
            options={vocabularyOptions(CONTACT_PREFERENCES)}
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
              <li safe>{`Combien de temps : ${retentionText(props.retentionMonths)}.`}</li>
              <li>
                Elle peut retirer son accord à tout moment : l’orientation est alors close et le lieu prévenu.
              </li>
            </ul>
            <ChoiceGroup
              type="radio"
              name="consent_mode"
              legend="Accord recueilli"
              options={vocabularyOptions(CONSENT_MODES)}
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

/** The snapshot of a service outside the territory, entered and confirmed by the sender. */
function OutsideFields({ v, e }: { v: ReferralFormValues; e: FieldErrors }): JSX.Element {
  return (
    <fieldset>
      <legend>Structure hors du territoire</legend>
      <Field
        name="di_service"
        label="Identifiant data·inclusion du service"
        value={v.di_service}
        error={e.di_service}
        autocomplete="off"
      />
      <Field name="di_nom" label="Nom de la structure" value={v.di_nom} error={e.di_nom} />
      <Field name="di_service_nom" label="Nom du service" value={v.di_service_nom} error={e.di_service_nom} />
      <Field name="di_adresse" label="Adresse" value={v.di_adresse} error={e.di_adresse} />
      <Field
        name="di_courriel"
        type="email"
        label="Courriel de contact de la structure"
        hint="Elle reçoit l’orientation à cette adresse. Sans courriel, appelez-la plutôt."
        value={v.di_courriel}
        error={e.di_courriel}
      />
      <Field
        name="di_telephone"
        type="tel"
        label="Téléphone (facultatif)"
        value={v.di_telephone}
        error={e.di_telephone}
      />
    </fieldset>
  );
}

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
          ['À l’attention de', r.destination_referent],
          ['Identifiant data·inclusion', r.di_service_id],
          ['Adresse du lieu', r.destination_address],
          [
            'Personne reçue',
            r.closed_via === 'activite'
              ? 'oui : le lieu a enregistré son accompagnement'
              : r.closed_via === 'rendezvous'
                ? 'oui : elle est venue à un rendez-vous du lieu'
                : null,
          ],
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
